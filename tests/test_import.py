"""`import glassbox` stays light: none of the heavy engines is imported with it."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ["torch", "sklearn", "dask", "pandas", "matplotlib", "statsmodels", "typer", "rich"]


def test_import_glassbox_loads_no_heavy_engine():
    code = f"import sys, glassbox; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""


def test_fitting_and_predicting_loads_no_heavy_engine():
    code = (
        "import sys, numpy as np, glassbox; "
        "X = np.random.default_rng(0).standard_normal((30, 2)); "
        "glassbox.LinearRegression().fit(X, X.sum(1)).predict(X); "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
