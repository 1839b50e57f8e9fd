"""The benchmark lab: glassbox's methods and their peers, side by side, measured honestly."""

from glassbox.bench.exact import ExactRow, run_exact

__all__ = ["ExactRow", "run_exact"]
