"""The registry of glassbox estimators.

An estimator joins the shared contract and bad-input test suites by being registered here,
not by copying tests: ``@register_estimator`` on the class is all it takes.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T", bound=type)

_ESTIMATORS: dict[str, type] = {}


def register_estimator(cls: T) -> T:
    """Class decorator: add ``cls`` to the registry under its class name."""
    name = cls.__name__
    if name in _ESTIMATORS and _ESTIMATORS[name] is not cls:
        raise ValueError(f"An estimator named {name!r} is already registered.")
    _ESTIMATORS[name] = cls
    return cls


def estimators() -> dict[str, type]:
    """Every registered estimator class by name (importing glassbox's model modules first)."""
    import glassbox.linear  # noqa: F401  (registers the linear models)

    return dict(sorted(_ESTIMATORS.items()))


def get_estimator(name: str) -> Any:
    """The estimator class registered as ``name``; a clear error lists the valid names."""
    registered = estimators()
    if name not in registered:
        raise ValueError(f"Unknown estimator {name!r}; registered ones are {sorted(registered)}.")
    return registered[name]
