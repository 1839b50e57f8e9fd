"""Neural networks on :mod:`glassbox.autograd`: modules, layers, losses and training.

Two ways in, one engine underneath:

* Keras-style: ``Model().add(Dense(128, input_dim=784))`` … ``compile`` / ``fit`` /
  ``evaluate`` / ``predict`` / ``summary`` (:mod:`glassbox.nn.model`);
* PyTorch-style: subclass :class:`Module`, assign :class:`Parameter`\\ s and layers as
  attributes, compose with :class:`Sequential` (:mod:`glassbox.nn.module`);
* transformers: :class:`MultiHeadAttention`, positional encodings, pre-norm
  :class:`TransformerEncoderBlock` / :class:`TransformerDecoderBlock`
  (:mod:`glassbox.nn.layers.attention`, :mod:`~glassbox.nn.layers.transformer`);
* sequence layers: :class:`Conv1D`, pooling, :class:`RNN` / :class:`LSTM` / :class:`GRU`
  (:mod:`glassbox.nn.layers.conv`, :mod:`~glassbox.nn.layers.recurrent`);

and for the scikit-learn world, ``MLPClassifier`` / ``MLPRegressor``
(:mod:`glassbox.nn.estimators`). All of them train through the one descent loop of
:mod:`glassbox.optim`.
"""

from glassbox.nn import init, losses
from glassbox.nn.callbacks import Callback, History
from glassbox.nn.layers import (
    GELU,
    GRU,
    LSTM,
    RNN,
    AvgPool1D,
    BatchNorm1d,
    Conv1D,
    Dense,
    Dropout,
    Embedding,
    FeedForward,
    Flatten,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    Identity,
    LayerNorm,
    LeakyReLU,
    LearnedPositionalEmbedding,
    Linear,
    MaxPool1D,
    MultiHeadAttention,
    ReLU,
    Sigmoid,
    SinusoidalPositionalEncoding,
    Softmax,
    Tanh,
    TransformerDecoderBlock,
    TransformerEncoderBlock,
    detach_state,
    lengths_to_mask,
)
from glassbox.nn.model import Model
from glassbox.nn.module import Module, ModuleList, Parameter, Sequential

__all__ = [
    "GELU",
    "GRU",
    "LSTM",
    "RNN",
    "AvgPool1D",
    "BatchNorm1d",
    "Callback",
    "Conv1D",
    "Dense",
    "Dropout",
    "Embedding",
    "FeedForward",
    "Flatten",
    "GlobalAveragePooling1D",
    "GlobalMaxPooling1D",
    "History",
    "Identity",
    "LayerNorm",
    "LeakyReLU",
    "LearnedPositionalEmbedding",
    "Linear",
    "MaxPool1D",
    "Model",
    "Module",
    "ModuleList",
    "MultiHeadAttention",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "SinusoidalPositionalEncoding",
    "Softmax",
    "Tanh",
    "TransformerDecoderBlock",
    "TransformerEncoderBlock",
    "detach_state",
    "init",
    "lengths_to_mask",
    "losses",
]
