"""The bench's default run: every descent cell reaches 4 correct digits or says why not.

The default datasets (the lesson's line, diabetes in raw units) and the default 100-epoch
budget, on the NumPy engine (the torch engine follows the same trajectory, tested in
tests/backends). Digits are NIST's correct significant digits of the worst coefficient
against the exact reference solver.
"""

from __future__ import annotations

import math

import pytest

from glassbox.bench import BenchConfig, run_benchmark
from glassbox.bench.budget import DIGITS_TARGET, budget_note, condition_number, epochs_needed
from glassbox.bench.config import default_datasets, default_params

DESCENT = ["bgd", "minibatch", "sgd"]


def test_every_default_descent_cell_has_its_digits_or_its_reason():
    pytest.importorskip("sklearn")  # the diabetes data
    config = BenchConfig(
        datasets=default_datasets(),
        params=default_params(),
        methods=DESCENT,
        backends=["numpy"],
        repeats=1,
        min_time=0.0,
        max_time=0.0,
        figures=False,
    ).validate()
    result = run_benchmark(config)
    cells = [r for r in result.records if r["method"] in DESCENT and r["status"] == "ok"]
    assert {(r["dataset"], r["method"]) for r in cells} == {
        (d, m) for d in default_datasets() for m in DESCENT
    }
    for record in cells:
        reached = record["converged"] and record["digits"] >= DIGITS_TARGET
        assert reached or record.get("convergence_note"), record
    by_cell = {(r["dataset"], r["method"]): r for r in cells}
    # Conjugate gradient on the lesson's line and on diabetes, SVRG on the line: all exact.
    for key in [("lesson", "bgd"), ("lesson", "sgd"), ("lesson", "minibatch"), ("diabetes", "bgd")]:
        assert by_cell[key]["converged"] and by_cell[key]["digits"] >= DIGITS_TARGET, key
    # Diabetes' collinear columns (κ ≈ 470) leave 1/L-type stochastic steps short within
    # 100 epochs: the note gives κ and the epochs the observed rate would need.
    for method in ("sgd", "minibatch"):
        note = by_cell[("diabetes", method)].get("convergence_note", "")
        if not by_cell[("diabetes", method)]["converged"]:
            assert note.startswith("κ ") and "epochs, budget 100" in note, note


def test_condition_number_and_epochs_needed_follow_their_definitions():
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.standard_normal((500, 3)) * [1.0, 10.0, 0.1]
    X[:, 2] = X[:, 0] + 0.1 * rng.standard_normal(500)  # correlated with column 0
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    eigenvalues = np.linalg.eigvalsh(Z.T @ Z / 500)
    assert condition_number(X) == pytest.approx(eigenvalues[-1] / eigenvalues[0], rel=1e-10)
    # A gradient norm halving every epoch from 1: after 10 epochs it is 2^-9; reaching
    # tol · g₁ = 1e-6 takes log2(1e6) ≈ 19.93 halvings from g₁, i.e. epoch 20.93.
    history = {"grad_norm": [0.5**k for k in range(10)]}
    assert epochs_needed(history, 1e-6) == pytest.approx(1 + math.log2(1e6), rel=1e-12)
    assert epochs_needed({"grad_norm": [1.0] * 6}, 1e-6) == math.inf
    assert epochs_needed({"grad_norm": [math.nan] * 6}, 1e-6) is None


def test_a_converged_cell_with_its_digits_gets_no_note():
    from types import SimpleNamespace

    fitted = SimpleNamespace(
        history_={"grad_norm": [1.0, 0.1, 0.01, 0.001]}, converged_=True, tol=1e-9, max_epochs=100
    )
    assert budget_note(fitted, [[0.0], [1.0]], 12.0) is None
    assert budget_note(fitted, [[0.0], [1.0]], 2.0) is not None
