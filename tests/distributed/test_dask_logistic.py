"""LogisticRegression on Dask: the in-memory fit for every chunking, scikit-learn's minimum,
lazy predictions, and bad input named by partition."""

from __future__ import annotations

import warnings
from pathlib import Path

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from glassbox.distributed import ChunkAlignmentWarning
from glassbox.linear import LogisticRegression

pytestmark = pytest.mark.usefixtures("client")

LABELS = np.array(["ant", "bee", "cat"])
# Uneven chunkings with a one-row chunk; one-row chunks everywhere run on a smaller set (each
# partition costs scheduler time on every pass, and L-BFGS makes ~15 passes).
CHUNKINGS = {"whole": (60,), "uneven": (7, 1, 20, 3, 29)}
# Newton converges quadratically to ~1e-15; L-BFGS is stopped at 1e-8, where its path does not
# yet depend on the rounding of f (at 1e-10 the last line search decides on differences of f
# below its ulp, so summation order could change the path; measured 2e-9 apart).
TOL = {"newton": 1e-10, "lbfgs": 1e-8}
# Same iteration, same objective; only the summation order of the sums differs (~1e-16 per
# pass): measured ≤ 4e-15, so 1e-8 (the brief's bound) leaves a wide margin.
MATCH = 1e-8


def _data(n_classes: int, n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features with offsets and scales apart, labels drawn from a logistic model (not
    separable, so the minimum is finite), positive weights."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 2.0, 0.5] + [0.5, -1.0, 0.0]
    scores = X @ rng.normal(size=(3, n_classes)) + rng.gumbel(size=(n, n_classes))
    y = np.argmax(scores, axis=1) if n_classes > 2 else (scores[:, 0] > scores[:, 1]).astype(int)
    return X, y, rng.uniform(0.2, 2.0, size=n)


def _params(solver: str, **extra: object) -> dict[str, object]:
    return {"solver": solver, "tol": TOL[solver], "max_iter": 500, **extra}


def _relative(model: LogisticRegression, reference: object) -> float:
    a = np.r_[np.ravel(model.coef_), np.ravel(model.intercept_)]
    b = np.r_[np.ravel(reference.coef_), np.ravel(reference.intercept_)]  # type: ignore[attr-defined]
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def _lazy(X: np.ndarray, y: np.ndarray, w: np.ndarray | None, chunks: tuple[int, ...]):
    return (
        da.from_array(X, chunks=(chunks, X.shape[1])),
        da.from_array(y, chunks=(chunks,)),
        None if w is None else da.from_array(w, chunks=(chunks,)),
    )


@pytest.mark.parametrize("chunking", list(CHUNKINGS))
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_matches_the_numpy_fit(chunking: str, n_classes: int, solver: str) -> None:
    X, y, w = _data(n_classes)
    labels = LABELS[y]  # string labels: classes are found in the first pass
    model = LogisticRegression(**_params(solver)).fit(*_lazy(X, labels, w, CHUNKINGS[chunking]))
    reference = LogisticRegression(**_params(solver)).fit(X, labels, w)
    assert model.backend_ == "dask"
    assert model.classes_.tolist() == LABELS[:n_classes].tolist()
    assert model.coef_.shape == reference.coef_.shape
    assert _relative(model, reference) < MATCH
    assert model.n_iter_[0] == reference.n_iter_[0]
    assert model.n_partitions_ == len(CHUNKINGS[chunking])


@pytest.mark.parametrize(("n_classes", "solver"), [(2, "newton"), (3, "newton"), (2, "lbfgs")])
def test_one_row_chunks_match_the_numpy_fit(n_classes: int, solver: str) -> None:
    X, y, w = _data(n_classes, n=24, seed=1)
    model = LogisticRegression(**_params(solver)).fit(*_lazy(X, y, w, (1,) * 24))
    reference = LogisticRegression(**_params(solver)).fit(X, y, w)
    assert _relative(model, reference) < MATCH
    assert model.n_partitions_ == 24


@pytest.mark.parametrize("n_classes", [2, 3])
def test_reaches_scikit_learns_minimum(n_classes: int) -> None:
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    X, y, w = _data(n_classes, seed=2)
    model = LogisticRegression(solver="newton", C=0.5, tol=1e-10).fit(
        *_lazy(X, y, w, CHUNKINGS["uneven"])
    )
    theirs = SkLogisticRegression(solver="newton-cholesky", C=0.5, tol=1e-10, max_iter=500)
    theirs.fit(X, y, sample_weight=w)
    # Both stop at gradients ≤ 1e-10 of the same strictly convex objective: ~1e-9 apart.
    assert _relative(model, theirs) < 1e-6


@pytest.mark.parametrize(
    "options",
    [
        {"class_weight": "balanced"},
        {"class_weight": {"bee": 3.0}},
        {"fit_intercept": False},
        {"penalty": None},
    ],
    ids=repr,
)
def test_options_match_the_numpy_fit(options: dict[str, object]) -> None:
    X, y, w = _data(3, seed=3)
    labels = LABELS[y]
    params = _params("newton", **options)
    model = LogisticRegression(**params).fit(*_lazy(X, labels, w, CHUNKINGS["uneven"]))
    reference = LogisticRegression(**params).fit(X, labels, w)
    assert _relative(model, reference) < MATCH


def test_backend_dask_on_numpy_input_counts_its_passes() -> None:
    X, y, w = _data(2, seed=4)
    model = LogisticRegression(backend="dask", **_params("newton")).fit(X, y, w)
    reference = LogisticRegression(**_params("newton")).fit(X, y, w)
    assert model.backend_ == "dask"
    assert _relative(model, reference) < MATCH
    # one pass for the classes, then one per evaluation (a full Newton step costs one)
    assert model.n_passes_ >= 1 + model.n_iter_[0]


def test_backend_dask_on_numpy_input_applies_class_weights_once() -> None:
    # The estimator combines sample and class weights before handing in-memory data over.
    X, y, w = _data(3, seed=4)
    params = _params("lbfgs", class_weight="balanced")
    model = LogisticRegression(backend="dask", **params).fit(X, y, w)
    reference = LogisticRegression(**params).fit(X, y, w)
    assert _relative(model, reference) < MATCH


def test_dataframe_with_a_target_column_and_lazy_predictions() -> None:
    X, y, _ = _data(3, seed=5)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(animal=LABELS[y])
    ddf = dd.from_pandas(frame, npartitions=4)
    model = LogisticRegression(**_params("newton")).fit(ddf, "animal")
    reference = LogisticRegression(**_params("newton")).fit(frame[["a", "b", "c"]], LABELS[y])
    assert _relative(model, reference) < MATCH
    assert model.feature_names_in_.tolist() == ["a", "b", "c"]
    predicted = model.predict(ddf[["a", "b", "c"]])
    assert isinstance(predicted, da.Array)
    np.testing.assert_array_equal(predicted.compute(), model.predict(frame[["a", "b", "c"]]))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_predictions_on_a_dask_array_are_lazy_and_equal_the_in_memory_ones(
    n_classes: int,
) -> None:
    X, y, _ = _data(n_classes, seed=6)
    model = LogisticRegression().fit(X, y)
    lazy_X = da.from_array(X, chunks=(13, 3))
    for method in ("decision_function", "predict_proba", "predict_log_proba", "predict"):
        lazy = getattr(model, method)(lazy_X)
        assert isinstance(lazy, da.Array), method
        expected = getattr(model, method)(X)
        assert lazy.shape == expected.shape, method
        # the same arithmetic row by row; the matrix product may block differently
        np.testing.assert_allclose(lazy.compute(), expected, rtol=1e-13, atol=1e-15)


# --- bad input -------------------------------------------------------------------------------


def test_nan_in_x_names_the_partition() -> None:
    X, y, _ = _data(2)
    X[45, 1] = np.nan
    with pytest.raises(ValueError, match=r"Partition 2 of X contains 1 NaN.*column\(s\) \[1\]"):
        LogisticRegression().fit(*_lazy(X, y, None, (20, 20, 20)))


def test_nan_label_names_the_partition() -> None:
    X, y, _ = _data(2)
    labels = y.astype(float)
    labels[33] = np.nan
    with pytest.raises(ValueError, match=r"Partition 1 of y contains 1 NaN label.*row 13"):
        LogisticRegression().fit(*_lazy(X, labels, None, (20, 20, 20)))


def test_continuous_labels_are_refused_by_partition() -> None:
    X, y, _ = _data(2)
    labels = y + 0.5 * (np.arange(60) >= 40)
    with pytest.raises(ValueError, match=r"Partition 2 of y holds continuous values"):
        LogisticRegression().fit(*_lazy(X, labels, None, (20, 20, 20)))


def test_a_single_class_is_refused() -> None:
    X, _, _ = _data(2)
    with pytest.raises(ValueError, match=r"only one class: 'cat'"):
        LogisticRegression().fit(*_lazy(X, np.full(60, "cat"), None, (30, 30)))


class _LabelsThatChange:
    """A source that is not deterministic: from its third block on, new labels appear. The
    count of blocks read lives in a file, which every copy of the task graph shares."""

    def __init__(self, counter: Path) -> None:
        self.counter = counter

    def __call__(self, block: np.ndarray) -> np.ndarray:
        if block.size == 0:  # Dask probing the output type
            return block
        with self.counter.open("a") as file:
            file.write(".")
        return block + 5 if len(self.counter.read_text()) > 2 else block


def test_a_label_that_appears_after_the_first_pass_is_a_clear_error(tmp_path: Path) -> None:
    X, y, _ = _data(2)
    source = _LabelsThatChange(tmp_path / "blocks-read")
    changing = da.from_array(y, chunks=30).map_blocks(source, dtype=y.dtype, meta=y[:0])
    with pytest.raises(
        ValueError, match=r"label\(s\) \[5, 6\] that were not among the classes \[0, 1\]"
    ):
        LogisticRegression().fit(da.from_array(X, chunks=(30, 3)), changing)


def test_mismatched_chunks_are_rechunked_and_the_fit_matches() -> None:
    X, y, _ = _data(2)
    with pytest.warns(ChunkAlignmentWarning, match="y was rechunked to X's row chunks"):
        model = LogisticRegression(**_params("newton")).fit(
            da.from_array(X, chunks=(20, 3)), da.from_array(y, chunks=15)
        )
    assert _relative(model, LogisticRegression(**_params("newton")).fit(X, y)) < MATCH


def test_empty_partition_is_skipped_and_reported() -> None:
    X, y, _ = _data(2)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=LABELS[y])
    ddf = dd.from_pandas(frame, npartitions=3)
    ddf = ddf.map_partitions(lambda part: part[part.index >= 20])  # partition 0 is rows 0-19
    with pytest.warns(
        ChunkAlignmentWarning, match=r"partition\(s\) of the data were empty \(\[0\]"
    ):
        model = LogisticRegression(**_params("newton")).fit(ddf, "y")
    reference = LogisticRegression(**_params("newton")).fit(X[20:], LABELS[y[20:]])
    assert _relative(model, reference) < MATCH


def test_non_numeric_column_is_named() -> None:
    X, y, _ = _data(2)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(city="Oslo", y=y)
    with pytest.raises(TypeError, match=r"non-numeric column\(s\) \['city'\]"):
        LogisticRegression().fit(dd.from_pandas(frame, npartitions=2), "y")


def test_two_label_columns_are_refused() -> None:
    X, y, _ = _data(2)
    with pytest.raises(ValueError, match="one column of class labels"):
        LogisticRegression().fit(
            da.from_array(X, chunks=(30, 3)), da.from_array(np.c_[y, y], chunks=(30, 2))
        )


@pytest.mark.parametrize("solver", ["fista", "sgd"])
def test_a_solver_the_dask_backend_lacks_is_named(solver: str) -> None:
    X, y, _ = _data(2)
    with warnings.catch_warnings(), pytest.raises(ValueError, match=rf"no method '{solver}'"):
        LogisticRegression(solver=solver).fit(*_lazy(X, y, None, (30, 30)))
