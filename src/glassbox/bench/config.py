"""What a benchmark run does, in one dataclass that flags and TOML files both fill in.

A TOML file uses the same names as the fields (``repeats = 5``, ``backends = ["numpy"]``),
constructor parameters per model in tables (``[params.LinearRegression]``), and a
``[sweep]`` table for ``glassbox sweep``. Flags given on the command line override the file;
the results record the full, merged configuration.
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

__all__ = ["BenchConfig", "SweepConfig", "default_datasets", "read_toml"]

FORMATS = ("table", "json", "csv", "markdown")
SCALES = ("none", "standard")
SEARCHES = ("grid", "random")


def default_datasets() -> list[str]:
    """The lesson's line, and scikit-learn's diabetes data when scikit-learn is installed."""
    names = ["lesson"]
    if importlib.util.find_spec("sklearn") is not None:
        names.append("diabetes")
    return names


def default_params() -> dict[str, dict[str, Any]]:
    """The default suite's hyperparameters: a 100-epoch budget for the descent methods, so the
    whole suite (PyTorch's per-sample loop included) runs in under a minute; exact methods
    ignore it. Any ``params`` given (flags or TOML) replace these."""
    return {"LinearRegression": {"max_epochs": 100}}


@dataclass
class SweepConfig:
    """A grid or random search over descent hyperparameters for one model and method.

    Each list holds the values to try (an empty list keeps the estimator's default);
    ``search="random"`` draws ``n_iter`` distinct combinations from the grid.
    """

    model: str = "LinearRegression"
    method: str = "minibatch"
    backend: str = "numpy"
    learning_rate: list[float] = field(default_factory=lambda: [0.001, 0.01, 0.1])
    batch_size: list[int] = field(default_factory=lambda: [8, 32, 128])
    max_epochs: list[int] = field(default_factory=lambda: [50])
    optimizer: list[str] = field(default_factory=lambda: ["sgd"])
    search: str = "grid"
    n_iter: int = 10


@dataclass
class BenchConfig:
    """Every option of ``glassbox bench`` (and of :func:`glassbox.bench.run`).

    Empty ``methods`` means every method of each model; empty ``backends`` means every
    engine installed here (an engine named explicitly but not installed gives failed cells
    that say what to install). ``n_samples``, ``n_features`` and ``noise`` shape synthetic
    datasets (None keeps each generator's default).
    """

    models: list[str] = field(default_factory=lambda: ["LinearRegression"])
    methods: list[str] = field(default_factory=list)
    backends: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=default_datasets)
    target: str | None = None
    task: str = "auto"
    n_samples: int | None = None
    n_features: int | None = None
    noise: float | None = None
    repeats: int = 5
    min_time: float = 0.5
    max_time: float = 5.0
    seed: int = 0
    val_size: float = 0.2
    test_size: float = 0.2
    scale: str = "none"
    early_stopping: bool = False
    threads: int | None = None
    params: dict[str, dict[str, Any]] = field(default_factory=default_params)
    out: str | None = None
    format: str = "table"
    figures: bool = True
    resume: bool = False
    sweep: SweepConfig = field(default_factory=SweepConfig)

    def validate(self) -> BenchConfig:
        """Raise ``ValueError`` naming the first option that makes no sense; return self."""
        for name in ("models", "datasets"):
            if not getattr(self, name):
                raise ValueError(f"{name} is empty; name at least one.")
        if not _is_int(self.repeats) or self.repeats < 1:
            raise ValueError(f"repeats must be an int >= 1; got {self.repeats!r}.")
        if not _is_int(self.seed) or self.seed < 0:
            raise ValueError(f"seed must be an int >= 0; got {self.seed!r}.")
        for name in ("min_time", "max_time"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a number of seconds >= 0; got {value!r}.")
        for name in ("n_samples", "n_features", "threads"):
            value = getattr(self, name)
            if value is not None and (not _is_int(value) or value < 1):
                raise ValueError(f"{name} must be an int >= 1; got {value!r}.")
        if self.noise is not None and not (
            isinstance(self.noise, (int, float)) and self.noise >= 0
        ):
            raise ValueError(f"noise must be a number >= 0; got {self.noise!r}.")
        for name in ("val_size", "test_size"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value < 1:
                raise ValueError(f"{name} must be a fraction in [0, 1); got {value!r}.")
        if self.test_size == 0:
            raise ValueError("test_size must be > 0: the reported metrics come from the test rows.")
        if self.val_size + self.test_size >= 1:
            raise ValueError("val_size + test_size must be < 1 to leave rows for training.")
        if self.scale not in SCALES:
            raise ValueError(f"scale must be one of {list(SCALES)}; got {self.scale!r}.")
        if self.format not in FORMATS:
            raise ValueError(f"format must be one of {list(FORMATS)}; got {self.format!r}.")
        if self.resume and not self.out:
            raise ValueError("resume needs out: the folder whose results.json to continue.")
        if self.task not in ("auto", "regression", "classification"):
            raise ValueError(f"task must be auto, regression or classification; got {self.task!r}.")
        if not isinstance(self.params, dict) or not all(
            isinstance(v, dict) for v in self.params.values()
        ):
            raise ValueError(
                "params must map a model name to a table of constructor parameters, e.g. "
                "[params.LinearRegression] max_epochs = 200."
            )
        sweep = self.sweep
        if sweep.search not in SEARCHES:
            raise ValueError(f"sweep.search must be one of {list(SEARCHES)}; got {sweep.search!r}.")
        if not _is_int(sweep.n_iter) or sweep.n_iter < 1:
            raise ValueError(f"sweep.n_iter must be an int >= 1; got {sweep.n_iter!r}.")
        return self

    def to_dict(self) -> dict[str, Any]:
        """The full configuration, JSON-ready (what results.json records)."""
        return asdict(self)

    def updated(self, **changes: Any) -> BenchConfig:
        """A copy with ``changes`` applied (``None`` values are ignored: "not given")."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        sweep_changes = changes.pop("sweep", None) or {}
        unknown = sorted(set(changes) - set(data))
        if unknown:
            raise ValueError(f"Unknown option(s) {unknown}; valid options are {sorted(data)}.")
        data.update({k: v for k, v in changes.items() if v is not None})
        sweep = {f.name: getattr(self.sweep, f.name) for f in fields(SweepConfig)}
        unknown = sorted(set(sweep_changes) - set(sweep))
        if unknown:
            raise ValueError(f"Unknown sweep option(s) {unknown}; valid ones are {sorted(sweep)}.")
        sweep.update({k: v for k, v in sweep_changes.items() if v is not None})
        data["sweep"] = SweepConfig(**sweep)
        return BenchConfig(**data)

    @classmethod
    def from_toml(cls, path: str | Path, **overrides: Any) -> BenchConfig:
        """The configuration in a TOML file, with ``overrides`` (flags) applied on top."""
        table = read_toml(path)
        sweep = table.pop("sweep", {})
        if not isinstance(sweep, dict):
            raise ValueError(f"{path}: [sweep] must be a table.")
        merged_sweep = {**sweep, **(overrides.pop("sweep", None) or {})}
        try:
            config = cls().updated(**table, sweep=merged_sweep)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{path}: {error}") from error
        return config.updated(**overrides).validate()


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file (``tomllib``, or ``tomli`` on Python 3.10) with a clear error."""
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError as error:
            raise ImportError(
                "Reading TOML on Python 3.10 needs tomli: pip install tomli"
            ) from error
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Config file {path} does not exist.")
    try:
        with path.open("rb") as handle:
            return dict(tomllib.load(handle))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path} is not valid TOML: {error}") from error


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
