"""Checks of hyperparameters, run at the start of ``fit`` (constructors only store them).

Each raises ``ValueError``/``TypeError`` naming the estimator, the parameter, the value
received and what is allowed.
"""

from __future__ import annotations

import numbers
from collections.abc import Collection
from typing import Any


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_real(
    owner: str,
    name: str,
    value: Any,
    *,
    low: float | None = None,
    low_inclusive: bool = True,
    high: float | None = None,
) -> float:
    """``value`` as a float in ``[low, high]`` (``(low, high]`` when not ``low_inclusive``)."""
    if not _is_real(value):
        raise TypeError(
            f"{owner}: {name} must be a real number, got {value!r} of type {type(value).__name__}."
        )
    number = float(value)
    if number != number:
        raise ValueError(f"{owner}: {name} must be a number, got NaN.")
    too_low = low is not None and (number < low if low_inclusive else number <= low)
    too_high = high is not None and number > high
    if too_low or too_high:
        left = "[" if low_inclusive else "("
        low_text = "-inf" if low is None else f"{low:g}"
        high_text = "inf" if high is None else f"{high:g}"
        closing = "]" if high is not None else ")"
        raise ValueError(
            f"{owner}: {name} must be in {left}{low_text}, {high_text}{closing}; got {value!r}."
        )
    return number


def check_int(owner: str, name: str, value: Any, *, low: int = 1) -> int:
    """``value`` as an int at least ``low``."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{owner}: {name} must be an integer >= {low}, got {value!r}.")
    if value < low:
        raise ValueError(f"{owner}: {name} must be an integer >= {low}, got {value!r}.")
    return int(value)


def check_choice(owner: str, name: str, value: Any, choices: Collection[Any]) -> Any:
    """``value`` if it is one of ``choices``."""
    if not any(value is c or (isinstance(value, str) and value == c) for c in choices):
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{owner}: {name} must be one of {listed}; got {value!r}.")
    return value


def check_bool(owner: str, name: str, value: Any) -> bool:
    """``value`` as a bool; a ``TypeError`` naming ``owner`` and ``name`` unless it is True, False,
    0 or 1.
    """
    if not isinstance(value, (bool, numbers.Integral)) or value not in (0, 1):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}.")
    return bool(value)
