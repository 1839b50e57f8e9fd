"""Which cells a run fits: (dataset, model, method, backend), read from the registry.

Every implementation registered in :mod:`glassbox.registry` that matches the requested
models, methods and backends becomes a cell, so a new backend or model joins the benchmark
by registering, with no change here. A requested combination that does not exist (a method
a backend deliberately lacks, a classifier on regression data, the one-feature "beta"
formula on several features) is listed as skipped with the reason; an engine that was asked
for by name but is not installed gives a failed cell that says what to install.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from glassbox.datasets.dataset import Dataset

__all__ = ["Cell", "Skipped", "plan_cells"]


@dataclass(frozen=True)
class Cell:
    """One fit to measure: a model by a method on an engine, on a dataset, with parameters."""

    dataset: str
    model: str
    method: str
    backend: str
    task: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    tag: str = ""  # names a parameter setting (sweeps); "" for the default one
    missing_engine: str = ""  # why the engine cannot run here (a failed cell)

    @property
    def key(self) -> str:
        """The cell's identity, ``dataset/model/method/backend[tag]`` (used to resume a run)."""
        base = f"{self.dataset}/{self.model}/{self.method}/{self.backend}"
        return f"{base}[{self.tag}]" if self.tag else base

    @property
    def label(self) -> str:
        """The cell in words, for progress lines."""
        extra = f" {self.tag}" if self.tag else ""
        return f"{self.model} {self.method} on {self.backend}{extra} ({self.dataset})"


@dataclass(frozen=True)
class Skipped:
    """A requested combination that does not exist, and why."""

    dataset: str
    model: str
    method: str
    backend: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """The skipped combination and its reason as a JSON-ready dict."""
        return {
            "dataset": self.dataset,
            "model": self.model,
            "method": self.method,
            "backend": self.backend,
            "reason": self.reason,
        }


def _one_feature(model: str, method: str, data: Dataset) -> str:
    if data.n_features != 1:
        return f"{method!r} is the one-feature formula; {data.name} has {data.n_features}"
    return ""


# (model, method) -> check(model, method, dataset) returning why it does not apply, or "".
# Only restrictions that no registry field can say belong here.
RESTRICTIONS: dict[tuple[str, str], Callable[[str, str, Dataset], str]] = {
    ("LinearRegression", "beta"): _one_feature,
}


def params_tag(params: dict[str, Any]) -> str:
    """A short, stable name for a parameter setting: ``lr=0.01,bs=32`` style."""
    short = {"learning_rate": "lr", "batch_size": "bs", "max_epochs": "epochs"}
    text = ",".join(f"{short.get(k, k)}={v}" for k, v in sorted(params.items()))
    if len(text) <= 60:
        return text
    digest = hashlib.sha1(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    return text[:50] + "~" + digest[:8]


#: Engines that run only when named: Dask is for data beyond one machine.
ON_REQUEST = ("dask",)


def plan_cells(
    datasets: list[Dataset],
    models: list[str],
    methods: list[str],
    backends: list[str],
    params: dict[str, dict[str, Any]] | None = None,
) -> tuple[list[Cell], list[Skipped]]:
    """The cells to run and the combinations skipped, in a stable order.

    ``methods`` / ``backends`` empty: every method of each model / every installed engine
    except those in :data:`ON_REQUEST` (Dask: a cluster per fit would measure its start-up,
    not the method, on data that fits in memory; name it with ``--backends dask``).
    Unknown model names raise ``ValueError`` (listing the registered ones); unknown backend
    names too.
    """
    from glassbox.registry import BACKENDS, absent, backend_status, get_estimator, implementations

    unknown = sorted(set(backends) - set(BACKENDS))
    if unknown:
        raise ValueError(f"Unknown backend(s) {unknown}; valid backends are {list(BACKENDS)}.")
    for model in models:
        get_estimator(model)  # a clear error for an unknown model
    registered = {impl.key: impl for impl in implementations()}
    missing_reasons = absent()
    chosen_backends = list(dict.fromkeys(backends)) or [
        b for b in BACKENDS if backend_status(b)[0] and b not in ON_REQUEST
    ]
    not_installed = [b for b in BACKENDS if not backend_status(b)[0]]
    params = params or {}

    cells: list[Cell] = []
    skipped: list[Skipped] = []
    for data in datasets:
        for model in dict.fromkeys(models):
            model_methods = sorted({m for (name, m, _) in registered if name == model})
            wanted = list(dict.fromkeys(methods)) or model_methods
            for method in wanted:
                if method not in model_methods:
                    skipped.append(
                        Skipped(
                            data.name,
                            model,
                            method,
                            "*",
                            f"{model} has no method {method!r} (it has {model_methods})",
                        )
                    )
                    continue
                for backend in chosen_backends:
                    key = (model, method, backend)
                    implementation = registered.get(key)
                    if implementation is None:
                        reason = missing_reasons.get(key, "")
                        if reason or backends or methods:  # asked for, or a deliberate gap
                            reason = reason or "not implemented on this engine"
                            skipped.append(Skipped(data.name, model, method, backend, reason))
                        continue
                    if implementation.task != data.task:
                        skipped.append(
                            Skipped(
                                data.name,
                                model,
                                method,
                                backend,
                                f"{model} does {implementation.task}; {data.name} is a "
                                f"{data.task} dataset",
                            )
                        )
                        continue
                    check = RESTRICTIONS.get((model, method))
                    reason = check(model, method, data) if check else ""
                    if reason:
                        skipped.append(Skipped(data.name, model, method, backend, reason))
                        continue
                    usable, why = backend_status(backend)
                    cells.append(
                        Cell(
                            data.name,
                            model,
                            method,
                            backend,
                            implementation.task,
                            params=dict(params.get(model, {})),
                            missing_engine="" if usable else why,
                        )
                    )
                if not backends:
                    for backend in not_installed:
                        if (model, method, backend) in registered:
                            skipped.append(
                                Skipped(
                                    data.name,
                                    model,
                                    method,
                                    backend,
                                    backend_status(backend)[1],
                                )
                            )
    return cells, skipped
