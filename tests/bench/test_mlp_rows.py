"""The bench's MLPClassifier rows on digits and breast cancer: numpy, torch and scikit-learn.

Each row's accuracy and log loss are recomputed with ``sklearn.metrics`` from the cell's own
fitted estimator on the bench's test rows (1e-12: the same numbers, summed in another
order); the scikit-learn row is scikit-learn's ``MLPClassifier`` fitted directly on the same
rows with the same parameters (the same weights, so the same predictions; probabilities to
1e-12, as glassbox recomputes the forward pass from the copied weights);
the torch row trains the same network from the same initial weights on the same batches as
the NumPy row, so in float64 their test log losses agree to 1e-8 (rounding differences of
two BLAS libraries, amplified by a few hundred Adam steps). Every row keeps its loss curve,
which the convergence figure draws.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from glassbox.bench import BenchConfig, run_benchmark

pytest.importorskip("sklearn")
PARAMS = {"hidden_layer_sizes": [16], "max_iter": 8, "batch_size": 64}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    backends = ["numpy", "sklearn"]
    try:
        import torch  # noqa: F401

        backends.append("torch")
    except ImportError:  # pragma: no cover - torch is optional
        pass
    config = BenchConfig(
        models=["MLPClassifier"],
        methods=["adam"],
        backends=backends,
        datasets=["digits", "breast_cancer"],
        scale="standard",
        params={"MLPClassifier": dict(PARAMS)},
        repeats=1,
        min_time=0.0,
        max_time=0.0,
        threads=1,
        out=str(tmp_path_factory.mktemp("mlp_bench")),
    ).validate()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 8 epochs: "max_iter reached", on purpose
        return run_benchmark(config)


def test_every_mlp_row_runs_and_reports_accuracy_log_loss_and_time(result) -> None:
    from sklearn.metrics import accuracy_score, log_loss

    keys = {(r["dataset"], r["backend"]) for r in result.records}
    assert {("digits", "numpy"), ("digits", "sklearn"), ("breast_cancer", "numpy")} <= keys
    for record in result.records:
        assert record["status"] == "ok", record["error"]
        model, data = result.models[record["key"]], result.data[record["dataset"]]
        accuracy = accuracy_score(data.y_test, model.predict(data.X_test))
        loss = log_loss(data.y_test, model.predict_proba(data.X_test), labels=model.classes_)
        assert record["test_accuracy"] == pytest.approx(accuracy, abs=1e-12)
        assert record["test_log_loss"] == pytest.approx(loss, rel=1e-12)
        assert record["fit_seconds_median"] > 0 and record["epochs"] == PARAMS["max_iter"]
        assert len(record["history"]["train_loss"]) == PARAMS["max_iter"]
        assert "convergence_note" not in record  # κ of the design says nothing about a net


def test_the_sklearn_row_is_scikit_learns_own_mlp(result) -> None:
    from sklearn.neural_network import MLPClassifier

    for record in (r for r in result.records if r["backend"] == "sklearn"):
        data = result.data[record["dataset"]]
        params = {**PARAMS, "hidden_layer_sizes": tuple(PARAMS["hidden_layer_sizes"])}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reference = MLPClassifier(random_state=0, **params).fit(data.X_train, data.y_train)
        model = result.models[record["key"]]
        np.testing.assert_array_equal(model.predict(data.X_test), reference.predict(data.X_test))
        np.testing.assert_allclose(
            model.predict_proba(data.X_test), reference.predict_proba(data.X_test), rtol=1e-12
        )


def test_the_torch_row_follows_the_numpy_row(result) -> None:
    rows = {(r["dataset"], r["backend"]): r for r in result.records}
    if ("digits", "torch") not in rows:
        pytest.skip("torch is not installed")
    for dataset in ("digits", "breast_cancer"):
        ours, theirs = rows[(dataset, "numpy")], rows[(dataset, "torch")]
        assert theirs["test_log_loss"] == pytest.approx(ours["test_log_loss"], rel=1e-8)


def test_the_convergence_figure_draws_the_mlp_rows(result) -> None:
    assert "convergence.png" in result.files
    from pathlib import Path

    assert Path(result.files["convergence.png"]).stat().st_size > 0
