"""The benchmark runner: prepare the data once, fit every cell by the protocol, save as it goes.

One run:

1. loads each dataset and splits it once (seeded; stratified for labels) into training,
   validation and test rows, the same rows for every cell; with ``scale="standard"`` the
   features are standardized with statistics of the training rows only (glassbox's descent
   solvers standardize internally in the same way, from the training rows they are given);
2. plans the cells from the registry (:mod:`glassbox.bench.plan`);
3. for each cell: builds ``estimator_class(solver=method, backend=backend, **params)``,
   measures it (:mod:`glassbox.bench.protocol`), scores it on the validation and test rows
   and against the reference coefficients (:mod:`glassbox.bench.scoring`), and saves the
   results atomically (:mod:`glassbox.bench.store`). A cell that raises (a divergence, a
   missing engine, any error) is recorded with its error and the run goes on. Ctrl-C stops
   the run with every completed cell saved; ``resume=True`` skips the cells already
   completed successfully in ``out``;
4. writes the figures and reports, and accounts for its own time: everything that is not a
   fit of the protocol (warm-up or timed) is the runner's overhead, reported at the end.
"""

from __future__ import annotations

import datetime as _datetime
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from glassbox.bench.budget import budget_note
from glassbox.bench.config import BenchConfig
from glassbox.bench.plan import Cell, Skipped, plan_cells
from glassbox.bench.protocol import measure
from glassbox.bench.scoring import correct_digits_of, reference_estimator, score
from glassbox.bench.store import SCHEMA, SCHEMA_VERSION, ResultsStore, read_results
from glassbox.datasets.catalog import load_dataset
from glassbox.datasets.dataset import Dataset
from glassbox.datasets.scaler import StandardScaler
from glassbox.datasets.split import split_indices
from glassbox.exceptions import DivergenceError

__all__ = ["BenchResult", "PreparedData", "Progress", "prepare", "run", "run_benchmark"]

PROTOCOL_SUMMARY = (
    "One warm-up fit (untimed; peak extra memory measured by tracemalloc during it), then the "
    "same estimator fitted at least `repeats` times and until `min_time` seconds are timed "
    "(stopping once `max_time` is reached), time.perf_counter() read immediately around fit "
    "only, garbage collector paused; median reported with min and max. Metrics on the test "
    "rows; validation rows for early stopping and sweeps; standardization statistics from "
    "the training rows only; the same split for every cell."
)
MEMORY_NOTE = "tracemalloc: Python and NumPy allocations; native engine allocations not seen"
# Options that change the numbers a cell produces: a resumed run must agree on them.
_RESULT_OPTIONS = (
    "datasets",
    "target",
    "task",
    "n_samples",
    "n_features",
    "noise",
    "seed",
    "val_size",
    "test_size",
    "scale",
    "early_stopping",
    "params",
)


@dataclass
class PreparedData:
    """A dataset split once: the rows every cell trains, validates and tests on."""

    dataset: Dataset
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    scaler: StandardScaler | None = None

    def summary(self) -> dict[str, Any]:
        """The dataset's summary plus the sizes of the train, validation and test splits."""
        info = self.dataset.summary()
        info.update(
            n_train=len(self.y_train),
            n_val=len(self.y_val),
            n_test=len(self.y_test),
            scaled=self.scaler is not None,
        )
        return info


def prepare(dataset: Dataset, config: BenchConfig) -> PreparedData:
    """Split ``dataset`` by the config's seed and fractions; scale by training rows if asked."""
    stratify = dataset.y if dataset.task == "classification" else None
    train, val, test = split_indices(
        dataset.n_samples,
        val_size=config.val_size,
        test_size=config.test_size,
        stratify=stratify,
        random_state=config.seed,
    )
    X, y = dataset.X, dataset.y
    parts = [X[train], X[val], X[test]]
    scaler = None
    if config.scale == "standard":
        scaler = StandardScaler().fit(parts[0])  # training rows only: nothing leaks
        parts = [scaler.transform(part) if len(part) else part for part in parts]
    return PreparedData(dataset, parts[0], y[train], parts[1], y[val], parts[2], y[test], scaler)


class Progress:
    """What a runner reports while it works (the CLI draws a rich progress bar from it)."""

    def start(self, total: int) -> None:
        """``total`` cells are about to run."""

    def cell(self, cell: Cell) -> None:
        """``cell`` starts."""

    def done(self, record: dict[str, Any]) -> None:
        """A cell finished (``record["status"]`` says how)."""


@dataclass
class BenchResult:
    """Everything a run produced: the records, the fitted models, and where files went."""

    config: BenchConfig
    records: list[dict[str, Any]]
    skipped: list[Skipped]
    models: dict[str, Any]
    data: dict[str, PreparedData]
    summary: dict[str, Any]
    environment: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The records of cells that did not finish with status ``ok``."""
        return [r for r in self.records if r["status"] != "ok"]

    def table(self) -> Any:
        """A pandas DataFrame (one row per cell, fitted estimators in column ``estimator``)
        when pandas is installed, else the list of records (each with its ``estimator``)."""
        rows = [{**r, "estimator": self.models.get(r["key"])} for r in self.records]
        try:
            import pandas as pd
        except ImportError:
            return rows
        frame = pd.DataFrame(rows)
        frame.attrs["summary"] = self.summary
        frame.attrs["skipped"] = [s.to_dict() for s in self.skipped]
        frame.attrs["files"] = dict(self.files)
        return frame


class _Clock:
    """Wall time of the run, and the part of it spent inside the protocol's fits."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.warmup = 0.0
        self.timed = 0.0

    def summary(self) -> dict[str, float]:
        wall = time.perf_counter() - self.start
        overhead = max(wall - self.warmup - self.timed, 0.0)
        return {
            "wall_seconds": wall,
            "timed_fit_seconds": self.timed,
            "warmup_fit_seconds": self.warmup,
            "overhead_seconds": overhead,
            "overhead_fraction": overhead / wall if wall > 0 else 0.0,
            "untimed_fraction": 1.0 - self.timed / wall if wall > 0 else 0.0,
        }


def _estimator_kwargs(cls: type, cell: Cell, config: BenchConfig) -> dict[str, Any]:
    names: set[str] = set(getattr(cls, "_param_names", list)())
    kwargs = dict(cell.params)
    unknown = sorted(set(kwargs) - names) if names else []
    if unknown:
        raise ValueError(
            f"{cell.model} has no parameter(s) {unknown}; its parameters are {sorted(names)}."
        )
    if "random_state" in names and "random_state" not in kwargs:
        kwargs["random_state"] = config.seed
    if (
        config.early_stopping
        and "early_stopping" in names
        and "early_stopping" not in kwargs
        and not _takes_validation_data(cls)
    ):
        kwargs["early_stopping"] = True  # the estimator carves its own validation rows
    return kwargs


def _engine_kwargs(cls: type, cell: Cell) -> dict[str, Any]:
    """``solver=method`` and ``backend=backend`` for the estimator; a model with one method
    (a tree, a forest) takes no ``solver``: the registry's method names what it is."""
    names: set[str] = set(getattr(cls, "_param_names", list)())
    engine: dict[str, Any] = {"backend": cell.backend}
    if "solver" in names or not names:
        engine["solver"] = cell.method
    return engine


def _takes_validation_data(cls: type) -> bool:
    """Whether ``cls.fit`` accepts the bench's validation rows for early stopping."""
    import inspect

    fit = getattr(cls, "fit", None)
    return fit is not None and "validation_data" in inspect.signature(fit).parameters


def _fit_params(cls: type, cell: Cell, config: BenchConfig, prepared: Any) -> dict[str, Any]:
    """Early stopping on the bench's own validation rows, where the estimator can use them
    (descent solvers); the same rows every cell is scored on as ``val_loss``."""
    if not (config.early_stopping and _takes_validation_data(cls)):
        return {}
    from glassbox.linear.descent import METHODS

    if cell.method not in METHODS:
        return {}
    return {"validation_data": (prepared.X_val, prepared.y_val)}


def _history(estimator: Any) -> dict[str, list[float]] | None:
    history = getattr(estimator, "history_", None)
    if not isinstance(history, dict) or not history:
        return None
    return {str(k): np.asarray(v, dtype=np.float64).ravel().tolist() for k, v in history.items()}


def _epochs(estimator: Any) -> int | None:
    value = getattr(estimator, "n_iter_", None)
    if value is None:
        return None
    return int(np.max(np.asarray(value)))


def _least_squares_loss(reference: Any, prepared: PreparedData) -> float:
    """F* = (1/2n) Σ (yᵢ − ŷᵢ)² / σ_y² of the reference on the training rows: the minimum of
    the descent solvers' training loss in their standardized units."""
    y = np.asarray(prepared.y_train, dtype=np.float64)
    residual = y - np.asarray(reference.predict(prepared.X_train))
    variance = float(np.var(y)) or 1.0
    return 0.5 * float(np.mean(residual**2)) / variance


def _error(error: BaseException) -> dict[str, str]:
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    return {
        "type": type(error).__name__,
        "message": str(error),
        "traceback": "".join(lines[-6:]),
    }


class Runner:
    """Runs planned cells on prepared data into a store; used by ``run`` and ``sweep``."""

    def __init__(
        self,
        config: BenchConfig,
        data: dict[str, PreparedData],
        store: ResultsStore,
        progress: Progress | None = None,
    ) -> None:
        self.config = config
        self.data = data
        self.store = store
        self.progress = progress or Progress()
        self.models: dict[str, Any] = {}
        self.clock = _Clock()
        self._references: dict[tuple[str, str], tuple[Any, str] | None] = {}
        self._warm_engines: set[str] = set()
        self.optimal_loss: dict[str, float] = {}

    def reference(self, cell: Cell) -> tuple[Any, str] | None:
        """The exact reference fit for the cell's dataset and model (cached), or None when there is
        none.
        """
        key = (cell.dataset, cell.model)
        if key not in self._references:
            prepared = self.data[cell.dataset]
            try:
                self._references[key] = reference_estimator(
                    cell.model,
                    dict(self.config.params.get(cell.model, {})),
                    prepared.X_train,
                    prepared.y_train,
                )
            except Exception:  # a reference that cannot be computed: no digits, not a failure
                self._references[key] = None
            reference = self._references[key]
            if reference is not None and cell.model == "LinearRegression":
                self.optimal_loss[cell.dataset] = _least_squares_loss(reference[0], prepared)
        return self._references[key]

    def warm_engine(self, make: Callable[[], Any], backend: str) -> None:
        """The first fit on an engine imports it: do that outside the memory probe."""
        if backend in self._warm_engines:
            return
        self._warm_engines.add(backend)
        prepared = next(iter(self.data.values()))
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                make().fit(prepared.X_train, prepared.y_train)
        except Exception:
            pass  # the cell's own warm-up will raise and record it
        finally:
            self.clock.warmup += time.perf_counter() - start

    def run_cell(self, cell: Cell) -> dict[str, Any]:
        """Fit, time and score one cell, returning its result record (errors are recorded, not
        raised).
        """
        prepared = self.data[cell.dataset]
        record: dict[str, Any] = {
            "key": cell.key,
            "dataset": cell.dataset,
            "model": cell.model,
            "method": cell.method,
            "backend": cell.backend,
            "tag": cell.tag,
            "task": cell.task,
            "params": dict(cell.params),
            "status": "ok",
            "error": None,
            "completed": _datetime.datetime.now(_datetime.timezone.utc).isoformat(),
        }
        if cell.missing_engine:
            record["status"] = "failed"
            record["error"] = {
                "type": "MissingEngine",
                "message": cell.missing_engine,
                "traceback": "",
            }
            return record
        from glassbox.registry import get_estimator

        try:
            cls = get_estimator(cell.model)
            kwargs = _estimator_kwargs(cls, cell, self.config)
            record["params"] = kwargs

            engine = _engine_kwargs(cls, cell)

            def make() -> Any:
                return cls(**engine, **kwargs)

            self.warm_engine(make, cell.backend)
            measurement = measure(
                make,
                prepared.X_train,
                prepared.y_train,
                repeats=self.config.repeats,
                min_time=self.config.min_time,
                max_time=self.config.max_time,
                threads=self.config.threads,
                fit_params=_fit_params(cls, cell, self.config, prepared),
                # tracemalloc cannot see torch's or Dask's own allocations; it would only
                # slow their warm-up (4-7x for torch's Python-level loops).
                trace_memory=cell.backend not in ("torch", "dask"),
            )
        except DivergenceError as error:
            record.update(status="diverged", error=_error(error))
            return record
        except Exception as error:
            record.update(status="failed", error=_error(error))
            return record
        self.clock.warmup += measurement.warmup_seconds
        self.clock.timed += measurement.timed_total
        estimator = measurement.estimator
        seconds = measurement.seconds
        record.update(
            fit_seconds_median=measurement.median,
            fit_seconds_min=min(seconds),
            fit_seconds_max=max(seconds),
            fit_seconds=seconds,
            n_fits=len(seconds),
            warmup_seconds=measurement.warmup_seconds,
            peak_memory_bytes=measurement.peak_memory_bytes,
            memory_note=MEMORY_NOTE,
            epochs=_epochs(estimator),
            converged=getattr(estimator, "converged_", None),
            solver=getattr(estimator, "solver_", None),
            device=getattr(estimator, "device_", None),
            warnings=measurement.warnings,
            history=_history(estimator),
        )
        self.models[cell.key] = estimator
        record["has_coef"] = getattr(estimator, "coef_", None) is not None
        try:
            coef = getattr(estimator, "coef_", None)
            if coef is not None and not np.all(np.isfinite(np.asarray(coef, dtype=np.float64))):
                raise DivergenceError("the fitted coefficients are not finite (the fit diverged)")
            record.update(
                score(
                    estimator,
                    cell.task,
                    prepared.X_val,
                    prepared.y_val,
                    prepared.X_test,
                    prepared.y_test,
                )
            )
            reference = self.reference(cell)
            if reference is not None:
                record["digits"] = correct_digits_of(estimator, reference[0])
                record["reference"] = reference[1]
            # κ of the design and a linear rate explain a linear model's shortfall; they say
            # nothing about a network's (no coef_) non-convex loss
            note = (
                budget_note(estimator, prepared.X_train, record.get("digits"))
                if record["has_coef"]
                else None
            )
            if note is not None:
                record["convergence_note"] = note
        except DivergenceError as error:
            record.update(status="diverged", error=_error(error))
        except Exception as error:
            record.update(status="failed", error=_error(error))
        return record

    def execute(self, cells: list[Cell], done: set[str]) -> bool:
        """Run every cell not in ``done``; return False when interrupted by Ctrl-C."""
        todo = [cell for cell in cells if cell.key not in done]
        self.progress.start(len(todo))
        for cell in todo:
            try:
                self.progress.cell(cell)
                record = self.run_cell(cell)
            except KeyboardInterrupt:
                return False
            self.store.add(record)
            self.progress.done(record)
        return True


def _resume_records(config: BenchConfig, folder: Path, kind: str) -> list[dict[str, Any]]:
    path = folder / "results.json"
    if not path.is_file():
        return []
    document = read_results(path)
    if document.get("kind") != kind:
        raise ValueError(f"{path} holds a {document.get('kind')} run, not a {kind} run.")
    previous = document.get("config", {})
    current = config.to_dict()
    keys = _RESULT_OPTIONS + (("sweep",) if kind == "sweep" else ())
    differ = [k for k in keys if previous.get(k) != current.get(k)]
    if differ:
        raise ValueError(
            f"Cannot resume from {path}: it was run with different {', '.join(differ)}. "
            "Use the same options, or another --out folder, or drop --resume."
        )
    return [r for r in document.get("cells", []) if r.get("status") == "ok"]


def load_data(config: BenchConfig) -> dict[str, PreparedData]:
    """Every dataset of the config, loaded and split (errors name the dataset)."""
    data: dict[str, PreparedData] = {}
    for name in config.datasets:
        dataset = load_dataset(
            name,
            target=config.target,
            task=config.task,
            n_samples=config.n_samples,
            n_features=config.n_features,
            noise=config.noise,
            random_state=config.seed,
        )
        if dataset.name in data:
            raise ValueError(f"Dataset {dataset.name!r} is listed twice.")
        data[dataset.name] = prepare(dataset, config)
    return data


def run_benchmark(
    config: BenchConfig,
    *,
    progress: Progress | None = None,
    kind: str = "bench",
    plan: Callable[[BenchConfig, dict[str, PreparedData]], tuple[list[Cell], list[Skipped]]]
    | None = None,
    finish: Callable[[BenchResult], None] | None = None,
) -> BenchResult:
    """Run the benchmark ``config`` describes and write its outputs; see the module docstring.

    Raises ``KeyboardInterrupt`` again after saving when interrupted; the result is then
    available as the exception's ``result`` attribute.
    """
    from glassbox.bench.environment import describe_environment

    config.validate()
    started = time.perf_counter()
    folder = Path(config.out) if config.out else None
    previous = _resume_records(config, folder, kind) if (config.resume and folder) else []
    data = load_data(config)
    phases = {"data": time.perf_counter() - started}
    if plan is None:
        cells, skipped = plan_cells(
            [d.dataset for d in data.values()],
            config.models,
            config.methods,
            config.backends,
            config.params,
        )
    else:
        cells, skipped = plan(config, data)
    header = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "kind": kind,
        "created": _datetime.datetime.now(_datetime.timezone.utc).isoformat(),
        "config": config.to_dict(),
        "environment": {},
        "protocol": PROTOCOL_SUMMARY,
        "datasets": {name: prepared.summary() for name, prepared in data.items()},
        "skipped": [s.to_dict() for s in skipped],
        "summary": {"complete": False},
    }
    store = ResultsStore(folder, header)
    planned = {cell.key for cell in cells}
    for record in previous:
        if record["key"] in planned:
            store.restore(record)
    runner = Runner(config, data, store, progress)
    runner.clock.start = started
    mark = time.perf_counter()
    phases["plan"] = mark - started - phases["data"]
    completed = runner.execute(cells, set(store.records))
    phases["cells"] = time.perf_counter() - mark
    mark = time.perf_counter()
    ordered = [store.records[c.key] for c in cells if c.key in store.records]
    environment = describe_environment()
    result = BenchResult(
        config=config,
        records=ordered,
        skipped=skipped,
        models=runner.models,
        data=data,
        summary={},
        environment=environment,
        extra={"kind": kind, "protocol": PROTOCOL_SUMMARY},
    )
    result.extra["optimal_loss"] = dict(runner.optimal_loss)
    for name, loss in runner.optimal_loss.items():
        store.header["datasets"][name]["optimal_train_loss"] = loss
    if finish is not None and completed:
        finish(result)
    phases["environment"] = time.perf_counter() - mark
    mark = time.perf_counter()
    if folder is not None and config.figures:
        from glassbox.bench.plots import write_figures

        result.files.update(write_figures(result, folder))
    phases["figures"] = time.perf_counter() - mark
    summary: dict[str, Any] = dict(runner.clock.summary())
    phases["cells"] -= summary["timed_fit_seconds"] + summary["warmup_fit_seconds"]
    summary["overhead_by_phase"] = phases
    summary.update(
        complete=completed,
        interrupted=not completed,
        n_planned=len(cells),
        n_cells=len(ordered),
        n_ok=sum(r["status"] == "ok" for r in ordered),
        n_failed=sum(r["status"] != "ok" for r in ordered),
        n_resumed=len([r for r in previous if r["key"] in planned]),
        n_skipped=len(skipped),
    )
    result.summary = summary
    store.header.update(environment=environment, summary=summary)
    if folder is not None:
        from glassbox.bench.report import write_reports

        store.save()
        result.files.update(write_reports(result, folder))
        result.files["results.json"] = str(folder / "results.json")
        result.files["results.csv"] = str(folder / "results.csv")
    result.extra["document"] = store.document_text()
    if not completed:
        interrupt = KeyboardInterrupt()
        interrupt.result = result  # type: ignore[attr-defined]
        raise interrupt
    return result


def run(config: BenchConfig | str | Path | None = None, **options: Any) -> Any:
    """Run a benchmark from Python; the options are those of ``glassbox bench``.

    Parameters
    ----------
    config : BenchConfig, or a path to a TOML file, optional
        The starting configuration (default: the default suite).
    **options
        Any :class:`~glassbox.bench.config.BenchConfig` field: ``models``, ``methods``,
        ``backends``, ``datasets``, ``repeats``, ``seed``, ``out`` (None: write no files),
        ``params`` ...; ``progress`` may be a :class:`Progress`.

    Returns
    -------
    pandas.DataFrame or list of dict
        One row per cell; the fitted estimator of each cell is in its ``estimator`` column
        (``None`` for failed or resumed cells), ready for diagnostics. The DataFrame's
        ``attrs`` hold the run summary, the skipped combinations and the files written.

    Examples
    --------
    >>> table = glassbox.bench.run(datasets=["lesson"], backends=["numpy"], out=None)
    >>> table.loc[table.method == "qr", "estimator"].item().coef_
    """
    progress = options.pop("progress", None)
    if isinstance(config, (str, Path)):
        base = BenchConfig.from_toml(config, **options)
    else:
        base = (config or BenchConfig()).updated(**options)
    if "out" in options and options["out"] is None:
        base.out = None
    return run_benchmark(base.validate(), progress=progress).table()
