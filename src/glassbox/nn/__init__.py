"""Neural networks on :mod:`glassbox.autograd`: modules, layers, losses and training."""

from glassbox.nn.layers.conv import Conv1D
from glassbox.nn.layers.pooling import (
    AvgPool1D,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    MaxPool1D,
)
from glassbox.nn.layers.recurrent import GRU, LSTM, RNN, detach_state, lengths_to_mask
from glassbox.nn.module import Module, ModuleList, Parameter, Sequential

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "AvgPool1D",
    "Conv1D",
    "GlobalAveragePooling1D",
    "GlobalMaxPooling1D",
    "MaxPool1D",
    "Module",
    "ModuleList",
    "Parameter",
    "Sequential",
    "detach_state",
    "lengths_to_mask",
]
