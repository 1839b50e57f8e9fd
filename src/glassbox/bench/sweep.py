"""Hyperparameter sweeps: a grid or random search over learning rate, batch size, epochs
and optimizer for one model and method, measured by the same protocol as ``run``.

Every setting is a cell (its parameters in its ``tag``); settings are ranked by their loss on
the validation rows (MSE for regression, log loss for classification), never on the test
rows, which only report the chosen setting's metrics. A setting whose descent diverges is
recorded as "diverged" (a result, not an error: large steps are supposed to be tried).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np

from glassbox.bench.config import BenchConfig
from glassbox.bench.plan import Cell, Skipped, params_tag
from glassbox.bench.runner import BenchResult, PreparedData, Progress, run_benchmark

__all__ = ["run_sweep", "settings", "sweep"]

SWEPT = ("learning_rate", "batch_size", "max_epochs", "optimizer")


def settings(config: BenchConfig) -> list[dict[str, Any]]:
    """The parameter settings to try: the full grid, or ``n_iter`` distinct draws from it."""
    sweep = config.sweep
    axes = [(name, list(getattr(sweep, name))) for name in SWEPT if getattr(sweep, name)]
    grid = [
        dict(zip([n for n, _ in axes], values))
        for values in itertools.product(*[v for _, v in axes])
    ]
    if sweep.search == "random" and sweep.n_iter < len(grid):
        rng = np.random.default_rng(config.seed)
        chosen = sorted(rng.choice(len(grid), size=sweep.n_iter, replace=False))
        grid = [grid[i] for i in chosen]
    return grid


def _plan(config: BenchConfig, data: dict[str, PreparedData]) -> tuple[list[Cell], list[Skipped]]:
    from glassbox.registry import backend_status, get_estimator, get_implementation

    sweep = config.sweep
    cls = get_estimator(sweep.model)
    implementation = get_implementation(sweep.model, sweep.method, sweep.backend)
    if implementation.exact:
        raise ValueError(
            f"{sweep.model} {sweep.method!r} is an exact solver: learning rate, batch size, "
            "epochs and optimizer do not change it, so there is nothing to sweep. Sweep a "
            "descent method (for example --method minibatch)."
        )
    names = set(cls._param_names())
    missing = [name for name in SWEPT if getattr(sweep, name) and name not in names]
    if missing:
        raise ValueError(
            f"{sweep.model} has no parameter(s) {missing} to sweep; its parameters are "
            f"{sorted(names)}. Give those lists as empty."
        )
    base = dict(config.params.get(sweep.model, {}))
    usable, why = backend_status(sweep.backend)
    cells, skipped = [], []
    for prepared in data.values():
        if prepared.dataset.task != implementation.task:
            skipped.append(
                Skipped(
                    prepared.dataset.name,
                    sweep.model,
                    sweep.method,
                    sweep.backend,
                    f"{sweep.model} does {implementation.task}; this is {prepared.dataset.task}",
                )
            )
            continue
        for setting in settings(config):
            cells.append(
                Cell(
                    prepared.dataset.name,
                    sweep.model,
                    sweep.method,
                    sweep.backend,
                    implementation.task,
                    params={**base, **setting},
                    tag=params_tag(setting),
                    missing_engine="" if usable else why,
                )
            )
    return cells, skipped


def _value(record: dict[str, Any]) -> float:
    loss = record.get("val_loss")
    if record.get("status") != "ok" or loss is None or not math.isfinite(loss):
        return math.inf
    return float(loss)


def _finish(result: BenchResult) -> None:
    sweep = result.config.sweep
    ranked = sorted(result.records, key=_value)
    if not ranked or not math.isfinite(_value(ranked[0])):
        result.extra["best_text"] = "no setting finished with a finite validation loss"
        result.extra["best"] = None
        return
    best = ranked[0]
    setting = {k: best["params"].get(k) for k in SWEPT if getattr(sweep, k)}
    result.extra["best"] = {"key": best["key"], "params": setting, "val_loss": best["val_loss"]}
    test_key = "test_rmse" if best["task"] == "regression" else "test_accuracy"
    result.extra["best_text"] = (
        f"{sweep.model} {sweep.method} on {sweep.backend} ({best['dataset']}): "
        + ", ".join(f"{k}={v}" for k, v in setting.items())
        + f" — validation loss {best['val_loss']:.4g}, "
        + f"{test_key} {best.get(test_key, float('nan')):.4g}"
    )
    rates = list(dict.fromkeys(sweep.learning_rate))
    batches = list(dict.fromkeys(sweep.batch_size))
    if rates and batches:
        first = best["dataset"]
        loss: list[list[float | None]] = []
        for rate in rates:
            row: list[float | None] = []
            for batch in batches:
                values = [
                    _value(r)
                    for r in result.records
                    if r["dataset"] == first
                    and r["params"].get("learning_rate") == rate
                    and r["params"].get("batch_size") == batch
                ]
                finite = [v for v in values if math.isfinite(v)]
                row.append(min(finite) if finite else None)
            loss.append(row)
        result.extra["heatmap"] = {
            "learning_rates": rates,
            "batch_sizes": batches,
            "loss": loss,
            "title": f"{sweep.model} {sweep.method} ({first}): validation loss"
            + (
                " (best over epochs, optimizer)"
                if len(settings(result.config)) > len(rates) * len(batches)
                else ""
            ),
        }


def default_sweep_datasets() -> list[str]:
    """diabetes when scikit-learn ships it, else the synthetic regression data."""
    import importlib.util

    return ["diabetes"] if importlib.util.find_spec("sklearn") is not None else ["regression"]


def run_sweep(config: BenchConfig, *, progress: Progress | None = None) -> BenchResult:
    """Run the sweep ``config.sweep`` describes on ``config.datasets``; see the module
    docstring. Writes the same files as a benchmark run, plus ``sweep_heatmap.png``."""
    result = run_benchmark(config, progress=progress, kind="sweep", plan=_plan, finish=_finish)
    if config.out and result.extra.get("best") is not None:
        import json

        from glassbox.bench.store import jsonable, write_atomic

        write_atomic(
            Path(config.out) / "best.json",
            json.dumps(jsonable(result.extra["best"]), indent=1) + "\n",
        )
        result.files["best.json"] = str(Path(config.out) / "best.json")
    return result


def sweep(config: BenchConfig | str | Path | None = None, **options: Any) -> Any:
    """Run a sweep from Python; options are :class:`BenchConfig` fields, and ``sweep=`` a
    dict of :class:`~glassbox.bench.config.SweepConfig` fields. Returns the results table
    (a DataFrame with the fitted estimators, or a list of records), best setting in
    ``attrs["best"]`` for a DataFrame."""
    progress = options.pop("progress", None)
    if isinstance(config, (str, Path)):
        base = BenchConfig.from_toml(config, **options)
    else:
        if config is None:
            options.setdefault("datasets", default_sweep_datasets())
        base = (config or BenchConfig()).updated(**options)
    if "out" in options and options["out"] is None:
        base.out = None
    result = run_sweep(base.validate(), progress=progress)
    table = result.table()
    if hasattr(table, "attrs"):
        table.attrs["best"] = result.extra.get("best")
    return table
