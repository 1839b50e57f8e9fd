"""The registries: glassbox's estimators, and every (model, method, backend) implementation.

An estimator joins the shared contract and bad-input test suites by being registered here,
not by copying tests: ``@register_estimator`` on the class is all it takes.

Each backend (NumPy, PyTorch, scikit-learn, Dask) registers the methods it implements, with
the facts a user needs to choose one (regression or classification, exact or iterative,
sample weights, ``partial_fit``, devices). ``available()`` lists what runs on this machine;
``get_implementation`` finds one or says clearly which backends have the method instead.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

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
    import glassbox.linear  # (registers the linear models)
    import glassbox.trees  # noqa: F401  (registers the trees and their ensembles)
    from glassbox.nn import estimators as _nn  # noqa: F401  (registers the MLP estimators)

    return dict(sorted(_ESTIMATORS.items()))


def get_estimator(name: str) -> Any:
    """The estimator class registered as ``name``; a clear error lists the valid names."""
    registered = estimators()
    if name not in registered:
        raise ValueError(f"Unknown estimator {name!r}; registered ones are {sorted(registered)}.")
    return registered[name]


# --- implementations: (model, method, backend) -> the code that fits it -------------------

BACKENDS: dict[str, str] = {
    "numpy": "glassbox's own NumPy code, written from first principles (the reference)",
    "torch": "idiomatic PyTorch: torch.linalg closed forms, nn.Linear + torch.optim descent",
    "sklearn": "scikit-learn's implementation of the same method (the production reference)",
    "dask": "Dask arrays, out of core or on a cluster",
}
# backend -> (module that must import, the extra that installs it)
BACKEND_REQUIREMENTS: dict[str, tuple[str | None, str | None]] = {
    "numpy": (None, None),
    "torch": ("torch", "torch"),
    "sklearn": ("sklearn", "sklearn"),
    "dask": ("dask.array", "dask"),
}
DEVICES = ("cpu", "cuda", "auto")


@dataclass
class BackendFit:
    """What a backend returns: coefficients (n_targets, n_features), intercepts (n_targets,),
    and any further fitted attributes (``n_iter_``, ``history_``, ``device_``, ...)."""

    coef: np.ndarray
    intercept: np.ndarray
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Implementation:
    """One way to fit one model: the facts a user or the benchmark lab needs to choose it.

    ``fit(estimator, X, Y, sample_weight) -> BackendFit`` runs it (``None`` for the NumPy
    backend, which is the estimator's own code); ``X`` is validated float64, ``Y`` 2-D.
    """

    model: str
    method: str
    backend: str
    task: str  # "regression" or "classification"
    exact: bool
    sample_weight: bool = True
    partial_fit: bool = False
    devices: tuple[str, ...] = ("cpu",)
    fit: Callable[..., BackendFit] | None = None
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """The (model, method, backend) triple the registry is keyed by."""
        return (self.model, self.method, self.backend)


_IMPLEMENTATIONS: dict[tuple[str, str, str], Implementation] = {}
# (model, method, backend) combinations that do not exist on purpose, with the reason.
_ABSENT: dict[tuple[str, str, str], str] = {}


def register_implementation(implementation: Implementation) -> Implementation:
    """Add an implementation to the registry (one per (model, method, backend))."""
    if implementation.backend not in BACKENDS:
        raise ValueError(f"Unknown backend {implementation.backend!r}; valid: {list(BACKENDS)}.")
    _IMPLEMENTATIONS[implementation.key] = implementation
    return implementation


def register_absent(model: str, method: str, backend: str, reason: str) -> None:
    """Record that ``backend`` has no ``method`` for ``model`` (rather than substituting one)."""
    _ABSENT[(model, method, backend)] = reason


def _load_implementations() -> None:
    import glassbox.backends  # noqa: F401  (registers every backend's implementations)

    estimators()


def implementations() -> list[Implementation]:
    """Every registered implementation, sorted by model, method and backend."""
    _load_implementations()
    return [_IMPLEMENTATIONS[key] for key in sorted(_IMPLEMENTATIONS)]


def absent() -> dict[tuple[str, str, str], str]:
    """Combinations that a backend deliberately does not provide, with the reason."""
    _load_implementations()
    return dict(_ABSENT)


def cuda_available() -> bool:
    """True when PyTorch is installed and sees a CUDA device (imports torch only if present)."""
    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


def backend_status(backend: str) -> tuple[bool, str]:
    """(usable here?, why not) for a backend, without importing heavy engines needlessly."""
    module, extra = BACKEND_REQUIREMENTS[backend]
    if module is None:
        return True, ""
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        return False, f"{module.split('.')[0]} is not installed: pip install 'glassbox[{extra}]'"
    return True, ""


def available(
    model: str | None = None, method: str | None = None, backend: str | None = None
) -> list[Implementation]:
    """The implementations usable on this machine (engine installed), optionally filtered."""
    return [
        implementation
        for implementation in implementations()
        if (model is None or implementation.model == model)
        and (method is None or implementation.method == method)
        and (backend is None or implementation.backend == backend)
        and backend_status(implementation.backend)[0]
    ]


def get_implementation(model: str, method: str, backend: str) -> Implementation:
    """The implementation of ``model`` by ``method`` on ``backend``, or a clear error saying
    which backends do have it and what to install."""
    if backend not in BACKENDS:
        raise ValueError(f"Unknown backend {backend!r}; valid backends are {list(BACKENDS)}.")
    _load_implementations()
    implementation = _IMPLEMENTATIONS.get((model, method, backend))
    if implementation is None:
        others = sorted(b for (m, meth, b) in _IMPLEMENTATIONS if m == model and meth == method)
        reason = _ABSENT.get((model, method, backend), "")
        raise ValueError(
            f"The {backend} backend has no method {method!r} for {model}"
            + (f" ({reason})" if reason else "")
            + (f"; backends that do: {others}." if others else ".")
        )
    usable, why = backend_status(backend)
    if not usable:
        raise ImportError(f"backend={backend!r} needs an engine that is missing: {why}.")
    return implementation
