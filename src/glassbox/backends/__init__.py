"""Backends: the same model and method on another engine, behind the same estimator.

Importing this package registers every backend's implementations in
:mod:`glassbox.registry`; no engine (torch, scikit-learn, dask) is imported until a fit on
that backend runs.
"""

from glassbox.backends import (  # noqa: F401
    dask_backend,
    numpy_backend,
    sklearn_backend,
    torch_backend,
)
