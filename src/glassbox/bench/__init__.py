"""The benchmark lab: glassbox's methods and their peers, side by side, measured honestly.

:func:`run` fits every (model, method, engine) cell of the registry on the same split of
the same data, by one timing protocol (:mod:`glassbox.bench.protocol`), and returns the
results table with the fitted models; :func:`sweep` searches descent hyperparameters.
Both write results.json / results.csv / report.md / report.html and figures to ``out``.
"""

from glassbox.bench.config import BenchConfig, SweepConfig
from glassbox.bench.plan import Cell, Skipped, plan_cells
from glassbox.bench.runner import BenchResult, Progress, run, run_benchmark
from glassbox.bench.store import read_results
from glassbox.bench.sweep import run_sweep, sweep

__all__ = [
    "BenchConfig",
    "BenchResult",
    "Cell",
    "Progress",
    "Skipped",
    "SweepConfig",
    "plan_cells",
    "read_results",
    "run",
    "run_benchmark",
    "run_sweep",
    "sweep",
]
