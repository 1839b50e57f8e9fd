"""Reader for NIST's Statistical Reference Datasets for linear least squares (StRD).

The files are NIST's own (header, certified values to 15 significant digits, data); glassbox
does not ship them. Point :func:`load_nist_strd` at a folder that holds them.

Accuracy is scored as NIST does, by the log relative error (LRE): the number of correct
significant digits, -log10(|estimate - certified| / |certified|), capped at 15.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# name -> (polynomial degree, or None for Longley's six raw predictors; intercept?)
MODELS: dict[str, tuple[int | None, bool]] = {
    "Norris": (1, True),
    "Pontius": (2, True),
    "NoInt1": (1, False),
    "NoInt2": (1, False),
    "Filip": (10, True),
    "Longley": (None, True),
    "Wampler1": (5, True),
    "Wampler2": (5, True),
    "Wampler3": (5, True),
    "Wampler4": (5, True),
    "Wampler5": (5, True),
}


@dataclass(frozen=True)
class StRDProblem:
    """One certified problem: the design (without the intercept column), y and the answers."""

    name: str
    X: np.ndarray
    y: np.ndarray
    fit_intercept: bool
    coef: np.ndarray  # certified coefficients, without the intercept
    intercept: float  # certified intercept (0.0 without one)
    coef_sd: np.ndarray
    residual_sd: float


def _line_range(text: str, label: str) -> tuple[int, int]:
    match = re.search(label + r"\s*\(lines\s+(\d+)\s+to\s+(\d+)\)", text)
    if match is None:
        raise ValueError(f"not a NIST StRD file: no '{label} (lines a to b)' in its header")
    return int(match.group(1)), int(match.group(2))


def load_nist_strd(name: str, folder: str | Path) -> StRDProblem:
    """Read ``folder/name.dat`` and build its design as NIST's model defines it."""
    if name not in MODELS:
        raise ValueError(f"Unknown StRD dataset {name!r}; known ones are {sorted(MODELS)}.")
    path = Path(folder) / f"{name}.dat"
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist; NIST StRD files are not bundled.")
    text = path.read_text()
    lines = text.splitlines()
    first, last = _line_range(text, "Certified Values")
    params = []
    residual_sd = float("nan")
    for line in lines[first - 1 : last]:
        fields = line.split()
        if fields and re.fullmatch(r"B\d+", fields[0]):
            params.append((float(fields[1]), float(fields[2])))
        elif line.strip().startswith("Residual") and "Standard Deviation" in line:
            residual_sd = float(fields[-1])
    data_first, data_last = _line_range(text, "Data")
    rows = [line.split() for line in lines[data_first - 1 : data_last] if line.strip()]
    data = np.array([[float(v) for v in row] for row in rows])
    y = data[:, 0]
    degree, intercept = MODELS[name]
    if degree is None:
        X = data[:, 1:]
    else:
        x = data[:, 1]
        X = np.column_stack([x**k for k in range(1, degree + 1)])
    estimates = np.array([p[0] for p in params])
    sds = np.array([p[1] for p in params])
    if intercept:
        return StRDProblem(name, X, y, True, estimates[1:], float(estimates[0]), sds, residual_sd)
    return StRDProblem(name, X, y, False, estimates, 0.0, sds, residual_sd)


def correct_digits(estimate: np.ndarray, certified: np.ndarray) -> float:
    """NIST's LRE of the worst entry: -log10(|e - c| / |c|) (absolute where c = 0), capped at 15."""
    estimate = np.atleast_1d(np.asarray(estimate, dtype=float))
    certified = np.atleast_1d(np.asarray(certified, dtype=float))
    error = np.abs(estimate - certified)
    scale = np.where(certified != 0, np.abs(certified), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        digits = -np.log10(error / scale)
    digits = np.where(np.isnan(digits), 0.0, digits)
    return float(np.clip(digits, 0.0, 15.0).min())
