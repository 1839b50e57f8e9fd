"""Reverse-mode automatic differentiation on NumPy arrays.

A :class:`Tensor` wraps an ndarray and records the operation that made it; ``backward()``
applies the chain rule in reverse topological order. Every operation is written as its forward
result beside its vector-Jacobian product (:mod:`glassbox.autograd.ops`) and is checked against
PyTorch and finite differences. :func:`value_and_grad` and :func:`grad` differentiate plain
functions of arrays, returning gradients shaped like the parameters, which is what the
optimizers of :mod:`glassbox.optim` take.

Higher-order gradients (the gradient of a gradient) are not supported.
"""

from glassbox.autograd.functional import grad, value_and_grad
from glassbox.autograd.gradcheck import GradientCheck, check_gradients
from glassbox.autograd.ops.arithmetic import add, astype, div, mul, neg, power, sub
from glassbox.autograd.ops.attention import causal_mask, layer_norm, scaled_dot_product_attention
from glassbox.autograd.ops.elementwise import (
    abs,
    clip,
    exp,
    gelu,
    leaky_relu,
    log,
    maximum,
    minimum,
    relu,
    sigmoid,
    softplus,
    sqrt,
    tanh,
    where,
)
from glassbox.autograd.ops.linalg import einsum, linear, matmul
from glassbox.autograd.ops.nn_functional import dropout, embedding, gather, one_hot
from glassbox.autograd.ops.reduce import log_softmax, logsumexp, max, mean, min, softmax, sum
from glassbox.autograd.ops.shape import (
    broadcast_to,
    concatenate,
    expand_dims,
    getitem,
    pad,
    reshape,
    split,
    squeeze,
    stack,
    swapaxes,
    transpose,
)
from glassbox.autograd.tensor import Tensor, as_tensor, is_grad_enabled, no_grad, unbroadcast

__all__ = [
    "GradientCheck",
    "Tensor",
    "abs",
    "add",
    "as_tensor",
    "astype",
    "broadcast_to",
    "causal_mask",
    "check_gradients",
    "clip",
    "concatenate",
    "div",
    "dropout",
    "einsum",
    "embedding",
    "exp",
    "expand_dims",
    "gather",
    "gelu",
    "getitem",
    "grad",
    "is_grad_enabled",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mul",
    "neg",
    "no_grad",
    "one_hot",
    "pad",
    "power",
    "relu",
    "reshape",
    "scaled_dot_product_attention",
    "sigmoid",
    "softmax",
    "softplus",
    "split",
    "sqrt",
    "squeeze",
    "stack",
    "sub",
    "sum",
    "swapaxes",
    "tanh",
    "transpose",
    "unbroadcast",
    "value_and_grad",
    "where",
]
