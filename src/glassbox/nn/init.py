"""Weight initializers, by the names users know them (Glorot/Xavier, He/Kaiming, zeros, normal).

Each initializer draws an array of a given shape from a ``numpy.random.Generator``. The fans
follow PyTorch's convention for a weight stored ``(fan_out, fan_in, *kernel)``, as
``torch.nn.Linear`` and ``Conv`` store theirs: with r = Π kernel,

    fan_in = shape[1] · r,      fan_out = shape[0] · r.                              (1)

=================  ==========================================  ==============================
name               draw                                        keeps
=================  ==========================================  ==============================
glorot_uniform     U(−a, a),  a = √(6 / (fan_in + fan_out))    Var = 2 / (fan_in + fan_out)
glorot_normal      N(0, 2 / (fan_in + fan_out))                (Glorot & Bengio, 2010)
he_uniform         U(−a, a),  a = √(6 / fan_in)                Var = 2 / fan_in
he_normal          N(0, 2 / fan_in)                            (He et al., 2015), for ReLU
lecun_uniform      U(−a, a),  a = √(3 / fan_in)                Var = 1 / fan_in (torch.nn.Linear)
normal             N(0, σ²), σ = 0.05 unless given             Keras' RandomNormal
zeros / ones       0 / 1
=================  ==========================================  ==============================

``xavier_*`` and ``kaiming_*`` are the same initializers under PyTorch's names.
Randomness comes from the generator passed in, or from this module's default generator,
reseeded with :func:`manual_seed` (as ``torch.manual_seed``), so the same seed gives
bit-identical weights.

References
----------
Glorot, X., Bengio, Y. (2010). Understanding the difficulty of training deep feedforward neural
networks. AISTATS.
He, K., Zhang, X., Ren, S., Sun, J. (2015). Delving deep into rectifiers. ICCV.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "INITIALIZERS",
    "default_generator",
    "fans",
    "get_initializer",
    "initialize",
    "manual_seed",
]

Initializer = Callable[[tuple[int, ...], np.random.Generator], np.ndarray]

_DEFAULT = [np.random.default_rng()]


def manual_seed(seed: int) -> None:
    """Reseed the default generator that layers built without a generator draw from."""
    _DEFAULT[0] = np.random.default_rng(seed)


def default_generator() -> np.random.Generator:
    """The generator used when a layer is given none (see :func:`manual_seed`)."""
    return _DEFAULT[0]


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape``, eq. (1); a vector's fans are its length."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def glorot_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """U(−a, a) with a = √(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, shape)


def glorot_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """N(0, σ²) with σ = √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), shape)


def he_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """U(−a, a) with a = √(6 / fan_in)."""
    fan_in, _ = fans(shape)
    bound = math.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, shape)


def he_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """N(0, σ²) with σ = √(2 / fan_in)."""
    fan_in, _ = fans(shape)
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), shape)


def lecun_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """U(−a, a) with a = 1/√fan_in: ``torch.nn.Linear``'s default for weights."""
    fan_in, _ = fans(shape)
    bound = 1.0 / math.sqrt(fan_in)
    return rng.uniform(-bound, bound, shape)


def normal(shape: tuple[int, ...], rng: np.random.Generator, std: float = 0.05) -> np.ndarray:
    """N(0, σ²), σ = ``std``."""
    return rng.normal(0.0, std, shape)


def standard_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """N(0, 1): ``torch.nn.Embedding``'s default."""
    return rng.standard_normal(shape)


def zeros(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """All zeros (biases)."""
    return np.zeros(shape)


def ones(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """All ones (normalization scales)."""
    return np.ones(shape)


#: The initializers by name (PyTorch's names beside Keras') -> function (shape, rng) -> array.
INITIALIZERS: dict[str, Initializer] = {
    "glorot_uniform": glorot_uniform,
    "xavier_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "xavier_normal": glorot_normal,
    "he_uniform": he_uniform,
    "kaiming_uniform": he_uniform,
    "he_normal": he_normal,
    "kaiming_normal": he_normal,
    "lecun_uniform": lecun_uniform,
    "normal": normal,
    "standard_normal": standard_normal,
    "zeros": zeros,
    "ones": ones,
}


def get_initializer(name: str | Initializer) -> Initializer:
    """The initializer registered as ``name`` (a callable is returned as it is)."""
    if callable(name):
        return name
    if name not in INITIALIZERS:
        raise ValueError(
            f"Unknown initializer {name!r}; valid names are {sorted(INITIALIZERS)} "
            "(or pass a callable (shape, rng) -> array)."
        )
    return INITIALIZERS[name]


def initialize(
    name: str | Initializer,
    shape: tuple[int, ...],
    rng: np.random.Generator | None = None,
    dtype: Any = np.float64,
) -> np.ndarray:
    """An array of ``shape`` drawn by the initializer ``name``, in ``dtype``."""
    generator = default_generator() if rng is None else rng
    return np.asarray(get_initializer(name)(tuple(shape), generator), dtype=dtype)
