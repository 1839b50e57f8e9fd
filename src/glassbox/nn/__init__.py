"""Neural networks on :mod:`glassbox.autograd`: modules, layers, losses and training.

Two ways in, one engine underneath:

* Keras-style: ``Model().add(Dense(128, input_dim=784))`` … ``compile`` / ``fit`` /
  ``evaluate`` / ``predict`` / ``summary`` (:mod:`glassbox.nn.model`);
* PyTorch-style: subclass :class:`Module`, assign :class:`Parameter`\\ s and layers as
  attributes, compose with :class:`Sequential` (:mod:`glassbox.nn.module`);

and for the scikit-learn world, ``MLPClassifier`` / ``MLPRegressor``
(:mod:`glassbox.nn.estimators`). All of them train through the one descent loop of
:mod:`glassbox.optim`.
"""

from glassbox.nn import init, losses
from glassbox.nn.callbacks import Callback, History
from glassbox.nn.layers import (
    GELU,
    BatchNorm1d,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Identity,
    LayerNorm,
    LeakyReLU,
    Linear,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from glassbox.nn.model import Model
from glassbox.nn.module import Module, ModuleList, Parameter, Sequential

__all__ = [
    "GELU",
    "BatchNorm1d",
    "Callback",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "History",
    "Identity",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "Model",
    "Module",
    "ModuleList",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "init",
    "losses",
]
