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
from glassbox.nn.layers.conv import Conv1D
from glassbox.nn.layers.dense import Dense, Linear
from glassbox.nn.layers.embedding import Embedding
from glassbox.nn.layers.norm import BatchNorm1d, LayerNorm
from glassbox.nn.layers.pooling import (
    AvgPool1D,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    MaxPool1D,
)
from glassbox.nn.layers.recurrent import GRU, LSTM, RNN, detach_state, lengths_to_mask
from glassbox.nn.layers.regularization import Dropout
from glassbox.nn.layers.shape import Flatten

__all__ = [
    "ACTIVATIONS",
    "GELU",
    "GRU",
    "LAYERS",
    "LSTM",
    "RNN",
    "AvgPool1D",
    "BatchNorm1d",
    "Conv1D",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "GlobalAveragePooling1D",
    "GlobalMaxPooling1D",
    "Identity",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "MaxPool1D",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "detach_state",
    "get_activation",
    "lengths_to_mask",
    "register_layer",
]
