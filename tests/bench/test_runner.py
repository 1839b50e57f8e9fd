"""The runner end to end on tiny data: outputs, honesty of the split, failures, resume."""

from __future__ import annotations

import csv
import json
import math
import time
from typing import Any

import numpy as np
import pytest
from bench_configs import tiny

from glassbox import registry
from glassbox.bench import Progress, read_results, run, run_benchmark
from glassbox.bench.plots import pareto_front
from glassbox.bench.protocol import measure
from glassbox.linear import LinearRegression


def test_run_writes_every_output_and_they_parse(tmp_path):
    result = run_benchmark(tiny(tmp_path, figures=True))
    names = {"results.json", "results.csv", "report.md", "report.html"}
    names |= {"convergence.png", "accuracy_vs_time.png", "fit_lesson.png"}
    assert names <= set(result.files), result.files
    document = read_results(tmp_path / "results.json")
    assert document["schema_version"] == 1 and document["kind"] == "bench"
    assert document["config"]["n_samples"] == 40  # the full config is recorded
    assert document["environment"]["libraries"]["numpy"]
    assert document["summary"]["n_ok"] == 3 and document["summary"]["complete"]
    assert 0 <= document["summary"]["overhead_fraction"] < 1
    keys = [cell["key"] for cell in document["cells"]]
    assert keys == [  # the order asked for
        "lesson/LinearRegression/qr/numpy",
        "lesson/LinearRegression/bgd/numpy",
        "lesson/LinearRegression/minibatch/numpy",
    ]
    descent = document["cells"][2]
    assert len(descent["history"]["train_loss"]) == descent["epochs"]  # per-epoch history
    with open(tmp_path / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["key"] for row in rows] == keys
    assert "| qr | numpy |" in (tmp_path / "report.md").read_text()
    page = (tmp_path / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 3 and "<script>" in page
    for name in ("convergence.png", "accuracy_vs_time.png", "fit_lesson.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_metrics_come_from_the_test_rows_and_digits_from_the_reference():
    result = run_benchmark(tiny(methods=["qr"]))
    record = result.records[0]
    prepared = result.data["lesson"]
    model = result.models[record["key"]]
    prediction = model.predict(prepared.X_test)
    rmse = float(np.sqrt(np.mean((prepared.y_test - prediction) ** 2)))
    assert record["test_rmse"] == pytest.approx(rmse, rel=1e-12)  # same formula, same rows
    reference = LinearRegression(precision="extended").fit(prepared.X_train, prepared.y_train)
    assert np.allclose(model.coef_, reference.coef_, rtol=1e-12)
    assert record["digits"] >= 12  # QR on a 1-feature problem keeps nearly every digit
    n, p = len(prepared.y_test), 1
    assert record["test_adj_r2"] == pytest.approx(
        1 - (1 - record["test_r2"]) * (n - 1) / (n - p - 1)
    )


def test_every_cell_sees_the_same_split_and_scaling_uses_training_rows_only():
    result = run_benchmark(tiny(scale="standard"))
    prepared = result.data["lesson"]
    np.testing.assert_allclose(prepared.X_train.mean(axis=0), 0.0, atol=1e-12)
    assert abs(prepared.X_test.mean()) > 1e-6  # test rows standardized with training stats
    assert len(prepared.y_train) + len(prepared.y_val) + len(prepared.y_test) == 40
    again = run_benchmark(tiny(scale="standard", methods=["qr"]))
    np.testing.assert_array_equal(again.data["lesson"].y_test, prepared.y_test)


def test_api_returns_a_dataframe_with_fitted_models():
    pytest.importorskip("pandas")
    table = run(tiny(methods=["qr", "bgd"]))
    assert list(table["method"]) == ["qr", "bgd"]
    model = table.loc[table.method == "qr", "estimator"].item()
    assert isinstance(model, LinearRegression) and hasattr(model, "coef_")
    assert table.attrs["summary"]["n_ok"] == 2


def test_failing_cell_is_recorded_and_the_run_goes_on(tmp_path):
    config = tiny(tmp_path, params={"LinearRegression": {"batch_size": 10_000, "max_epochs": 5}})
    result = run_benchmark(config)
    status = {r["method"]: r["status"] for r in result.records}
    assert status == {"bgd": "ok", "minibatch": "failed", "qr": "ok"}
    failed = next(r for r in result.records if r["status"] == "failed")
    assert failed["error"]["type"] == "ValueError" and "batch_size" in failed["error"]["message"]
    saved = read_results(tmp_path / "results.json")
    assert saved["summary"]["n_failed"] == 1


def test_divergence_is_recorded_as_diverged():
    config = tiny(methods=["bgd"], params={"LinearRegression": {"learning_rate": 1e3}})
    record = run_benchmark(config).records[0]
    assert record["status"] == "diverged" and record["error"]["type"] == "DivergenceError"


def test_missing_engine_gives_a_failed_cell_that_says_what_to_install(monkeypatch):
    original = registry.backend_status

    def status(backend: str) -> tuple[bool, str]:
        if backend == "sklearn":
            return False, "sklearn is not installed: pip install 'glassbox[sklearn]'"
        return original(backend)

    monkeypatch.setattr(registry, "backend_status", status)
    result = run_benchmark(tiny(backends=["numpy", "sklearn"], methods=["svd"]))
    by_backend = {r["backend"]: r for r in result.records}
    assert by_backend["numpy"]["status"] == "ok"
    assert by_backend["sklearn"]["status"] == "failed"
    assert "pip install" in by_backend["sklearn"]["error"]["message"]


def test_nonexistent_combinations_are_listed_and_skipped():
    result = run_benchmark(
        tiny(
            datasets=["regression"],
            n_features=3,
            backends=["numpy", "sklearn"],
            methods=["beta", "qr", "nope"],
        )
    )
    reasons = {(s.method, s.backend): s.reason for s in result.skipped}
    assert "one-feature" in reasons[("beta", "numpy")]
    assert "QR" in reasons[("qr", "sklearn")]
    assert "has no method 'nope'" in reasons[("nope", "*")]
    assert [r["key"] for r in result.records] == ["regression/LinearRegression/qr/numpy"]


class _Interrupt(Progress):
    def __init__(self, after: int) -> None:
        self.after, self.seen = after, 0

    def cell(self, cell: Any) -> None:
        self.seen += 1
        if self.seen > self.after:
            raise KeyboardInterrupt


def test_ctrl_c_keeps_completed_cells_and_resume_skips_them(tmp_path):
    config = tiny(tmp_path)
    with pytest.raises(KeyboardInterrupt) as caught:
        run_benchmark(config, progress=_Interrupt(after=2))
    assert len(caught.value.result.records) == 2  # type: ignore[attr-defined]
    saved = read_results(tmp_path / "results.json")
    assert len(saved["cells"]) == 2 and saved["summary"]["interrupted"]
    first_two = [c["key"] for c in saved["cells"]]

    resumed = run_benchmark(tiny(tmp_path, resume=True))
    assert resumed.summary["n_resumed"] == 2 and resumed.summary["n_cells"] == 3
    assert set(resumed.models) == {
        "lesson/LinearRegression/minibatch/numpy"
    }  # only the new one ran
    assert [c["key"] for c in read_results(tmp_path / "results.json")["cells"]][:2] == first_two


def test_resume_refuses_results_of_another_configuration(tmp_path):
    run_benchmark(tiny(tmp_path, methods=["qr"]))
    with pytest.raises(ValueError, match="different seed"):
        run_benchmark(tiny(tmp_path, methods=["qr"], seed=5, resume=True))


def test_results_are_saved_after_every_cell(tmp_path):
    sizes = []

    class Watch(Progress):
        def done(self, record: dict[str, Any]) -> None:
            sizes.append(len(json.loads((tmp_path / "results.json").read_text())["cells"]))

    run_benchmark(tiny(tmp_path), progress=Watch())
    assert sizes == [1, 2, 3]
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


# --- a classifier joins from the registry, with no change to the runner --------------------


class _Classifier:
    """A stand-in classifier (scikit-learn's logistic regression) with the bench's signature."""

    def __init__(self, *, solver: str = "lbfgs", backend: str = "numpy", C: float = 1.0) -> None:
        self.solver, self.backend, self.C = solver, backend, C

    @classmethod
    def _param_names(cls) -> list[str]:
        return ["C", "backend", "solver"]

    def fit(self, X: np.ndarray, y: np.ndarray) -> _Classifier:
        from sklearn.linear_model import LogisticRegression

        self._model = LogisticRegression(C=self.C, solver=self.solver).fit(X, y)
        self.classes_ = self._model.classes_
        self.coef_, self.intercept_ = self._model.coef_, self._model.intercept_
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self._model.predict(X)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self._model.predict_proba(X)


def test_a_registered_classifier_is_benchmarked_with_classification_metrics(monkeypatch):
    metrics = pytest.importorskip("sklearn.metrics")
    registry.implementations()  # load the real registry first
    monkeypatch.setitem(registry._ESTIMATORS, "ToyClassifier", _Classifier)
    implementation = registry.Implementation(
        "ToyClassifier", "lbfgs", "numpy", task="classification", exact=False
    )
    monkeypatch.setitem(registry._IMPLEMENTATIONS, implementation.key, implementation)
    result = run_benchmark(
        tiny(
            models=["ToyClassifier", "LinearRegression"],
            methods=[],
            datasets=["classification"],
            n_samples=120,
            params={},
        )
    )
    record = next(r for r in result.records if r["model"] == "ToyClassifier")
    assert record["status"] == "ok"
    prepared = result.data["classification"]
    model = result.models[record["key"]]
    proba = model.predict_proba(prepared.X_test)
    # the bench's metrics against scikit-learn's, on the same predictions
    assert record["test_accuracy"] == pytest.approx(
        metrics.accuracy_score(prepared.y_test, model.predict(prepared.X_test))
    )
    assert record["test_log_loss"] == pytest.approx(
        metrics.log_loss(prepared.y_test, proba), rel=1e-10
    )
    assert record["test_f1"] == pytest.approx(
        metrics.f1_score(prepared.y_test, model.predict(prepared.X_test))
    )
    assert record["test_roc_auc"] == pytest.approx(
        metrics.roc_auc_score(prepared.y_test, proba[:, 1])
    )
    skipped = {(s.model, s.reason) for s in result.skipped}
    assert any(
        model == "LinearRegression" and "classification dataset" in reason
        for model, reason in skipped
    )


def test_multiclass_metrics_match_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    from glassbox.bench import classification_metrics as cm

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 60)
    proba = rng.dirichlet(np.ones(3), 60)
    predicted = proba.argmax(axis=1)
    classes = np.arange(3)
    assert cm.f1(y, predicted, classes) == pytest.approx(
        metrics.f1_score(y, predicted, average="macro")
    )
    assert cm.roc_auc(y, proba, classes) == pytest.approx(
        metrics.roc_auc_score(y, proba, multi_class="ovr", average="macro")
    )


# --- the protocol ----------------------------------------------------------------------------


class _Counter:
    fits = 0

    def fit(self, X: Any, y: Any) -> _Counter:
        _Counter.fits += 1
        return self


def test_protocol_warms_up_then_times_at_least_repeats_fits():
    _Counter.fits = 0
    measurement = measure(
        _Counter, np.zeros((3, 1)), np.zeros(3), repeats=4, min_time=0.0, max_time=10.0
    )
    assert len(measurement.seconds) == 4 and _Counter.fits == 5  # 1 warm-up + 4 timed
    assert all(s >= 0 for s in measurement.seconds)


class _Sleeper:
    def fit(self, X: Any, y: Any) -> _Sleeper:
        time.sleep(0.002)
        return self


def test_protocol_min_time_adds_fits_and_max_time_caps_them():
    more = measure(_Sleeper, np.zeros((3, 1)), np.zeros(3), repeats=1, min_time=0.02, max_time=10.0)
    assert len(more.seconds) > 1 and sum(more.seconds) >= 0.02
    capped = measure(
        _Counter, np.zeros((3, 1)), np.zeros(3), repeats=10**9, min_time=0.0, max_time=0.0
    )
    assert len(capped.seconds) == 1  # max_time reached after the first timed fit


def test_pareto_front():
    times = [1.0, 2.0, 3.0, 0.5, 2.5]
    scores = [5.0, 7.0, 6.0, 1.0, 9.0]
    assert pareto_front(times, scores) == [3, 0, 1, 4]
    assert math.isfinite(sum(times))


def test_early_stopping_uses_the_bench_validation_rows():
    """With early_stopping, descent cells stop on the bench's own validation split (the rows
    reported as val_loss), not on rows carved from the training data."""
    from glassbox.bench.config import BenchConfig
    from glassbox.bench.runner import load_data
    from glassbox.linear.descent import Standardizer

    table = run(
        datasets=["lesson"],
        models=["LinearRegression"],
        methods=["minibatch"],
        backends=["numpy"],
        repeats=1,
        early_stopping=True,
        out=None,
    )
    rows = table.to_dict("records") if hasattr(table, "to_dict") else table
    model = rows[0]["estimator"]
    assert model.early_stopping is False  # the bench passes validation_data instead
    prepared = load_data(BenchConfig(datasets=["lesson"], early_stopping=True))["lesson"]
    scaler = Standardizer.fit(
        prepared.X_train, prepared.y_train, None, fit_intercept=True, standardize=True
    )
    residual = (prepared.y_val - model.predict(prepared.X_val)) / scaler.y_scale[0]
    best = np.nanmin(model.history_["validation_loss"])
    assert 0.5 * np.mean(residual**2) == pytest.approx(best, rel=1e-9)
