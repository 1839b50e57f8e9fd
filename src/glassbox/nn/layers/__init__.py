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
from glassbox.nn.layers.attention import MultiHeadAttention
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
from glassbox.nn.layers.positional import (
    LearnedPositionalEmbedding,
    SinusoidalPositionalEncoding,
)
from glassbox.nn.layers.recurrent import GRU, LSTM, RNN, detach_state, lengths_to_mask
from glassbox.nn.layers.regularization import Dropout
from glassbox.nn.layers.shape import Flatten
from glassbox.nn.layers.transformer import (
    FeedForward,
    TransformerDecoderBlock,
    TransformerEncoderBlock,
)

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
    "FeedForward",
    "Flatten",
    "GlobalAveragePooling1D",
    "GlobalMaxPooling1D",
    "Identity",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "LearnedPositionalEmbedding",
    "Linear",
    "MaxPool1D",
    "MultiHeadAttention",
    "ReLU",
    "Sigmoid",
    "SinusoidalPositionalEncoding",
    "Softmax",
    "Tanh",
    "TransformerDecoderBlock",
    "TransformerEncoderBlock",
    "detach_state",
    "get_activation",
    "lengths_to_mask",
    "register_layer",
]
