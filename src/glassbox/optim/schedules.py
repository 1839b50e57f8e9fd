"""Learning-rate schedules: the step size as a function of the update count.

A schedule is any callable ``step -> learning rate`` where ``step`` is the number of
updates already taken (0 for the first update). Every schedule here is a small frozen
dataclass, so it prints its hyperparameters, compares by value, and accepts an integer or an
integer array (the descent loop asks for a whole block of steps at once).

============  ===============================================  ==============================
name          learning rate at step t (t = 0, 1, 2, ...)       peer
============  ===============================================  ==============================
constant      η₀                                               ``ConstantLR`` (factor 1)
inverse       η₀ / (1 + k t)                                   ``LambdaLR``
inverse_sqrt  η₀ / √(1 + k t)                                  ``LambdaLR``
exponential   η₀ γᵗ                                            ``ExponentialLR``
step          η₀ γ^⌊t / s⌋                                     ``StepLR``
cosine        warm-up, then η_min + ½(η₀ − η_min)(1 + cos πu)  ``LinearLR``+``CosineAnnealingLR``
invscaling    η₀ / (t + 1)^power_t                             scikit-learn SGD
============  ===============================================  ==============================
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "SCHEDULES",
    "Constant",
    "CosineAnnealing",
    "ExponentialDecay",
    "InvScaling",
    "Inverse",
    "InverseSqrt",
    "Schedule",
    "StepDecay",
    "as_schedule",
    "get_schedule",
]

Schedule = Callable[[Any], Any]
"""A callable ``step -> learning rate``; ``step`` is an int or an int array."""

LearningRate = float | Schedule


def _check_positive(name: str, value: Any, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}.")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}.")
    return value


def _steps(step: Any) -> np.ndarray:
    return np.asarray(step, dtype=np.float64)


@dataclass(frozen=True)
class Constant:
    """η_t = η₀."""

    eta0: float

    def __post_init__(self) -> None:
        _check_positive("eta0", self.eta0)

    def __call__(self, step: Any) -> Any:
        return self.eta0 + 0.0 * _steps(step)


@dataclass(frozen=True)
class Inverse:
    """Inverse-time decay, η_t = η₀ / (1 + k t)."""

    eta0: float
    decay: float = 1.0

    def __post_init__(self) -> None:
        _check_positive("eta0", self.eta0)
        _check_positive("decay", self.decay, allow_zero=True)

    def __call__(self, step: Any) -> Any:
        return self.eta0 / (1.0 + self.decay * _steps(step))


@dataclass(frozen=True)
class InverseSqrt:
    """Inverse square-root decay, η_t = η₀ / √(1 + k t)."""

    eta0: float
    decay: float = 1.0

    def __post_init__(self) -> None:
        _check_positive("eta0", self.eta0)
        _check_positive("decay", self.decay, allow_zero=True)

    def __call__(self, step: Any) -> Any:
        return self.eta0 / np.sqrt(1.0 + self.decay * _steps(step))


@dataclass(frozen=True)
class ExponentialDecay:
    """Exponential decay, η_t = η₀ γᵗ (``torch.optim.lr_scheduler.ExponentialLR``)."""

    eta0: float
    gamma: float

    def __post_init__(self) -> None:
        _check_positive("eta0", self.eta0)
        if not 0 < _check_positive("gamma", self.gamma) <= 1:
            raise ValueError(f"gamma must be in (0, 1], got {self.gamma!r}.")

    def __call__(self, step: Any) -> Any:
        return self.eta0 * self.gamma ** _steps(step)


@dataclass(frozen=True)
class StepDecay:
    """Step decay, η_t = η₀ γ^⌊t / s⌋ (``torch.optim.lr_scheduler.StepLR``, s = step_size)."""

    eta0: float
    step_size: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        _check_positive("eta0", self.eta0)
        if isinstance(self.step_size, bool) or not isinstance(self.step_size, (int, np.integer)):
            raise TypeError(f"step_size must be an int, got {self.step_size!r}.")
        if self.step_size < 1:
            raise ValueError(f"step_size must be >= 1, got {self.step_size}.")
        if not 0 < _check_positive("gamma", self.gamma) <= 1:
            raise ValueError(f"gamma must be in (0, 1], got {self.gamma!r}.")

    def __call__(self, step: Any) -> Any:
        return self.eta0 * self.gamma ** np.floor(_steps(step) / self.step_size)


@dataclass(frozen=True)
class CosineAnnealing:
    """Cosine annealing over ``total_steps`` with an optional linear warm-up.

    For t < W (W = ``warmup_steps``) the rate rises linearly,
    η_t = η₀ (f + (1 − f) t / W) with f = ``warmup_start_factor`` (torch's ``LinearLR``);
    afterwards, with u = (t − W) / (T − W) clipped to [0, 1],

        η_t = η_min + ½ (η₀ − η_min)(1 + cos π u)          (``CosineAnnealingLR``)

    and it stays at η_min once t ≥ T (torch's closed form would climb again; a schedule that
    runs past its horizon should not).
    """

    eta0: float
    total_steps: int
    eta_min: float = 0.0
    warmup_steps: int = 0
    warmup_start_factor: float = 1.0 / 3.0

    def __post_init__(self) -> None:
        _check_positive("eta0", self.eta0)
        _check_positive("eta_min", self.eta_min, allow_zero=True)
        if self.eta_min > self.eta0:
            raise ValueError(f"eta_min ({self.eta_min}) must not exceed eta0 ({self.eta0}).")
        for name in ("total_steps", "warmup_steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be an int, got {value!r}.")
        if self.total_steps < 1 or not 0 <= self.warmup_steps < self.total_steps:
            raise ValueError(
                "Need total_steps >= 1 and 0 <= warmup_steps < total_steps; got "
                f"total_steps={self.total_steps}, warmup_steps={self.warmup_steps}."
            )
        if not 0 < _check_positive("warmup_start_factor", self.warmup_start_factor) <= 1:
            raise ValueError(
                f"warmup_start_factor must be in (0, 1], got {self.warmup_start_factor!r}."
            )

    def __call__(self, step: Any) -> Any:
        t = _steps(step)
        W, T = self.warmup_steps, self.total_steps
        f = self.warmup_start_factor
        warm = self.eta0 * (f + (1.0 - f) * t / max(W, 1))
        u = np.clip((t - W) / (T - W), 0.0, 1.0)
        cosine = self.eta_min + 0.5 * (self.eta0 - self.eta_min) * (1.0 + np.cos(np.pi * u))
        return np.where(t < W, warm, cosine)


@dataclass(frozen=True)
class InvScaling:
    """scikit-learn's ``invscaling``, η_t = η₀ / (t + 1)^power_t (its counter starts at 1)."""

    eta0: float
    power_t: float = 0.25

    def __post_init__(self) -> None:
        _check_positive("eta0", self.eta0)
        _check_positive("power_t", self.power_t, allow_zero=True)

    def __call__(self, step: Any) -> Any:
        return self.eta0 / (_steps(step) + 1.0) ** self.power_t


#: The schedule registry: name -> schedule class, each called with the step count.
SCHEDULES: dict[str, type] = {
    "constant": Constant,
    "inverse": Inverse,
    "inverse_sqrt": InverseSqrt,
    "exponential": ExponentialDecay,
    "step": StepDecay,
    "cosine": CosineAnnealing,
    "invscaling": InvScaling,
}


def get_schedule(name: str, **kwargs: Any) -> Schedule:
    """Build the schedule registered as ``name`` (see :data:`SCHEDULES`) from ``kwargs``."""
    if name not in SCHEDULES:
        raise ValueError(
            f"Unknown learning-rate schedule {name!r}; valid names are {sorted(SCHEDULES)}."
        )
    cls = SCHEDULES[name]
    try:
        schedule: Schedule = cls(**kwargs)
    except TypeError as error:
        fields = list(getattr(cls, "__dataclass_fields__", {}))
        raise TypeError(f"Schedule {name!r} takes the parameters {fields}: {error}") from error
    return schedule


def as_schedule(learning_rate: LearningRate) -> Schedule:
    """A positive finite number becomes :class:`Constant`; a callable is returned as it is."""
    if callable(learning_rate):
        return learning_rate
    if isinstance(learning_rate, bool) or not isinstance(
        learning_rate, (int, float, np.integer, np.floating)
    ):
        raise TypeError(
            "learning_rate must be a positive number or a schedule (a callable step -> rate), "
            f"got {type(learning_rate).__name__} {learning_rate!r}."
        )
    value = float(learning_rate)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(
            f"learning_rate must be a finite number > 0, got {learning_rate!r}. "
            "Typical values are 1e-4 to 1; 'auto' picks one from the data where supported."
        )
    return Constant(value)
