"""The machine a run was measured on: CPU, cores, library versions, thread pools, device."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys
from typing import Any

__all__ = ["describe_environment"]

LIBRARIES = (
    "glassbox",
    "numpy",
    "scipy",
    "scikit-learn",
    "torch",
    "dask",
    "statsmodels",
    "pandas",
    "matplotlib",
    "threadpoolctl",
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    if versions["glassbox"] is None:
        from glassbox import __version__

        versions["glassbox"] = __version__
    return versions


def _thread_pools() -> list[dict[str, Any]]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"note": "threadpoolctl not installed: thread pools not recorded"}]
    return [
        {
            "api": info.get("internal_api"),
            "library": info.get("prefix"),
            "version": info.get("version"),
            "num_threads": info.get("num_threads"),
            "threading_layer": info.get("threading_layer"),
        }
        for info in threadpool_info()
    ]


def _device() -> dict[str, Any]:
    device: dict[str, Any] = {"type": "cpu", "name": _cpu_model()}
    torch = sys.modules.get("torch")  # only when a cell loaded it: never import it for this
    if torch is not None:
        device["torch_threads"] = int(torch.get_num_threads())
        if torch.cuda.is_available():
            device["cuda"] = [
                torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())
            ]
    return device


def describe_environment() -> dict[str, Any]:
    """Everything about this machine and its software that a timing depends on."""
    usable: int | None
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        usable = os.cpu_count()
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable,
        "libraries": _versions(),
        "thread_pools": _thread_pools(),
        "device": _device(),
    }
