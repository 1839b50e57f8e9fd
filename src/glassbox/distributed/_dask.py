"""Importing Dask, with an error that says how to install it when it is missing."""

from __future__ import annotations

from types import ModuleType
from typing import Any

INSTALL_HINT = "pip install 'glassbox[dask]'"


def require(module: str = "dask") -> ModuleType:
    """Import ``module`` (``dask``, ``dask.array``, ``distributed``, ...) or raise a clear
    ImportError that names the ``glassbox[dask]`` extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"glassbox's Dask backend needs {module.split('.')[0]!r}, which is not installed: "
            f"{INSTALL_HINT} (installs dask[array,dataframe] and distributed)."
        ) from error


def is_dask_collection(obj: Any) -> bool:
    """True for a Dask array, DataFrame or Series, tested without importing Dask."""
    return hasattr(obj, "__dask_graph__") and hasattr(obj, "__dask_keys__")


def is_dask_dataframe(obj: Any) -> bool:
    """True for a Dask DataFrame or Series (a Dask collection with divisions)."""
    return is_dask_collection(obj) and hasattr(obj, "npartitions") and hasattr(obj, "divisions")
