"""Layers: each a :class:`~glassbox.nn.Module` whose forward pass composes autograd ops."""

from glassbox.nn.layers.activations import (
    ACTIVATIONS,
    GELU,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    get_activation,
)
from glassbox.nn.layers.base import LAYERS, Layer, register_layer
from glassbox.nn.layers.dense import Dense, Linear
from glassbox.nn.layers.embedding import Embedding
from glassbox.nn.layers.norm import BatchNorm1d, LayerNorm
from glassbox.nn.layers.regularization import Dropout
from glassbox.nn.layers.shape import Flatten

__all__ = [
    "ACTIVATIONS",
    "GELU",
    "LAYERS",
    "BatchNorm1d",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "Identity",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "get_activation",
    "register_layer",
]
