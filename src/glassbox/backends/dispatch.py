"""How an estimator hands its fit to a backend and takes the answer back.

Every estimator has the same three parameters: ``backend`` (which engine), ``device``
("cpu", "cuda" or "auto") and ``dtype`` ("float64" or "float32"). The NumPy backend is the
estimator's own code; any other backend is looked up in the registry and returns a
:class:`~glassbox.registry.BackendFit`, stored in the same fitted attributes, so nothing
downstream cares which engine ran.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.registry import BACKENDS, DEVICES, BackendFit, get_implementation

DTYPES = ("float64", "float32")
# Backends that only compute on the CPU in float64.
_CPU_FLOAT64_ONLY = ("numpy", "sklearn")


def check_backend_params(estimator: Any) -> None:
    """Validate ``backend``, ``device`` and ``dtype`` with errors that list the valid values."""
    backend, device, dtype = estimator.backend, estimator.device, estimator.dtype
    if backend not in BACKENDS:
        raise ValueError(f"Unknown backend {backend!r}; valid backends are {list(BACKENDS)}.")
    if device not in DEVICES:
        raise ValueError(f"Unknown device {device!r}; valid devices are {list(DEVICES)}.")
    if dtype not in DTYPES:
        raise ValueError(f"Unknown dtype {dtype!r}; valid dtypes are {list(DTYPES)}.")
    if backend in _CPU_FLOAT64_ONLY and device == "cuda":
        raise ValueError(
            f"backend={backend!r} runs on the CPU only; device='cuda' needs backend='torch'."
        )
    if backend in _CPU_FLOAT64_ONLY and dtype != "float64":
        raise ValueError(
            f"backend={backend!r} computes in float64 only; dtype={dtype!r} needs backend='torch'."
        )


def fit_with_backend(
    estimator: Any,
    model: str,
    method: str,
    X: np.ndarray,
    Y: np.ndarray,
    sample_weight: np.ndarray | None,
) -> BackendFit:
    """Run ``model`` by ``method`` on the estimator's (non-NumPy) backend."""
    implementation = get_implementation(model, method, estimator.backend)
    if sample_weight is not None and not implementation.sample_weight:
        raise ValueError(
            f"The {estimator.backend} backend's {method!r} for {model} does not support "
            "sample_weight; fit without weights or use backend='numpy'."
        )
    if implementation.fit is None:  # pragma: no cover - only the NumPy backend has none
        raise ValueError(f"{implementation.key} has no backend fit function")
    return implementation.fit(estimator, X, Y, sample_weight)


def store(estimator: Any, fit: BackendFit, y_ndim: int) -> None:
    """Fitted attributes from a backend's answer, shaped as the NumPy backend shapes them."""
    coef = np.asarray(fit.coef, dtype=np.float64).reshape(-1, estimator.n_features_in_)
    intercept = np.asarray(fit.intercept, dtype=np.float64).reshape(-1)
    estimator.coef_ = coef[0] if y_ndim == 1 else coef
    estimator.intercept_ = float(intercept[0]) if y_ndim == 1 else intercept
    estimator.backend_ = estimator.backend
    estimator.device_ = fit.attributes.pop("device_", "cpu")
    for name, value in fit.attributes.items():
        setattr(estimator, name, value)


def routes_to_dask(estimator: Any, X: Any) -> bool:
    """True when X is a Dask collection, which the Dask backend fits without loading it.

    ``backend="numpy"`` (the default) routes it there; another engine raises, since it would
    have to collect the data.
    """
    if not (hasattr(X, "__dask_graph__") and hasattr(X, "__dask_keys__")):
        return False
    if estimator.backend not in ("numpy", "dask"):
        raise ValueError(
            f"X is a Dask collection, which backend={estimator.backend!r} would have to load "
            "into memory; use backend='dask' (or the default, which routes Dask input there), "
            "or pass X.compute() if it fits in memory."
        )
    return True


def fit_collection(
    estimator: Any, model: str, method: str, X: Any, y: Any, sample_weight: Any
) -> bool:
    """Fit on the Dask backend, without materializing X, when X is a Dask collection.

    Returns False (doing nothing) for any other X, so ``fit`` goes on with ``validate_data``;
    a Dask X is never converted to NumPy. ``backend="numpy"`` (the default) routes it to the
    Dask backend; another engine raises, since it would have to collect the data.
    """
    if not routes_to_dask(estimator, X):
        return False
    from glassbox.backends.dask_backend import fit_collection as fit_on_dask

    fit, y_ndim = fit_on_dask(estimator, model, method, X, y, sample_weight)
    store(estimator, fit, y_ndim)
    estimator.backend_ = "dask"
    return True


def predict_collection(estimator: Any, X: Any) -> Any | None:
    """ŷ as a lazy Dask array when X is a Dask collection; None otherwise."""
    if not (hasattr(X, "__dask_graph__") and hasattr(X, "__dask_keys__")):
        return None
    from glassbox.backends.dask_backend import predict_collection as predict_on_dask

    return predict_on_dask(estimator, X)
