"""LogisticRegression(solver="minibatch") on Dask: streamed mini-batch descent.

Both the in-memory minibatch solver and the Dask one descend on features standardized with
statistics of all rows, with the same batch loss and step sizes
(glassbox.linear.logistic_descent, run by glassbox.linear.logistic_stream): on one partition
with the same random_state they take the same steps. Over several partitions the row order
differs, so the runs are compared through the objective they reach (Newton's minimum, within
the registry's "stochastic" tolerance). The streaming itself (passes, order of
partitions and rows, grouping, prefetching) is checked against the same descent run over the
same chunks held in memory, and the step function against LogisticProblem and an explicit
eigenvalue computation.
"""

from __future__ import annotations

import itertools
import warnings

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from glassbox.distributed import logistic_stream as streaming
from glassbox.exceptions import ConvergenceWarning
from glassbox.linear import LogisticRegression
from glassbox.linear.logistic_loss import LogisticProblem
from glassbox.linear.logistic_stream import (
    LogisticScaling,
    fit_logistic_chunks,
    partial_fit_logistic_descent,
    start_logistic_descent,
)

pytestmark = pytest.mark.usefixtures("client")

LABELS = np.array(["ant", "bee", "cat"])
CHUNKINGS = {
    "whole": (60,),
    "uneven": (7, 1, 20, 3, 29),
    "one-row-ish": (1, 2, 1, 3, 1, 1, 2, 4, 1, 2, 1, 1, 30, 2, 1, 3, 4),
}
# The registry's "stochastic" row: stochastic steps stop at a noise floor, so the objective
# (C Σ wᵢ ℓᵢ + ½‖w‖²) is compared with Newton's minimum, not the coefficients.
STOCHASTIC = 2e-2
# The same arithmetic on the same rows in the same order; only the merge order of the
# statistics (a tree over partitions on the cluster) may differ, ~1e-16 relative.
SAME = 1e-12
EPOCHS = 60


def _data(n_classes: int, n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features with offsets and scales apart, labels from a logistic model (not separable),
    positive weights."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 20.0, 0.5] + [0.5, -10.0, 3.0]
    scores = (X - [0.5, -10.0, 3.0]) / [1.0, 20.0, 0.5] @ rng.normal(size=(3, n_classes))
    scores += rng.gumbel(size=(n, n_classes))
    y = np.argmax(scores, axis=1)
    return X, y, rng.uniform(0.2, 2.0, size=n)


def _lazy(X: np.ndarray, y: np.ndarray, w: np.ndarray | None, chunks: tuple[int, ...]):
    return (
        da.from_array(X, chunks=(chunks, X.shape[1])),
        da.from_array(y, chunks=(chunks,)),
        None if w is None else da.from_array(w, chunks=(chunks,)),
    )


def _chunks(X: np.ndarray, y: np.ndarray, w: np.ndarray, chunks: tuple[int, ...]) -> list:
    bounds = np.cumsum((0, *chunks))
    return [(X[a:b], y[a:b], w[a:b]) for a, b in itertools.pairwise(bounds)]


def _fit(X, y, w, **params) -> LogisticRegression:
    options = {"solver": "minibatch", "random_state": 0, "max_iter": EPOCHS, "batch_size": 8}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the plateau needs > 60 epochs
        return LogisticRegression(**(options | params)).fit(X, y, w)


def _objective(model: LogisticRegression, X, y, weights) -> float:
    """scikit-learn's C Σ wᵢ γ_{yᵢ} ℓᵢ + ½‖W‖² (weights already times the class weights)."""
    index = np.searchsorted(model.classes_, y)
    log_p = model.predict_log_proba(X)[np.arange(len(y)), index]
    penalty = 0.0 if model.penalty is None else 0.5 * float(np.sum(model.coef_**2))
    return model.C * float(weights @ -log_p) + penalty


def _gap(model, reference, X, y, weights) -> float:
    best = _objective(reference, X, y, weights)
    return (_objective(model, X, y, weights) - best) / best


def _coefficients(model) -> np.ndarray:
    return np.r_[np.ravel(model.coef_), np.ravel(model.intercept_)]


# --- the streaming: the same descent as over the chunks in memory ----------------------------


@pytest.mark.parametrize("chunking", ["whole", "uneven"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_the_dask_run_is_the_descent_over_the_same_chunks_in_memory(
    chunking: str, n_classes: int
) -> None:
    X, y, w = _data(n_classes)
    chunks = CHUNKINGS[chunking]
    model = _fit(*_lazy(X, y, w, chunks), max_iter=25)
    reference = fit_logistic_chunks(
        _chunks(X, y, w, chunks),
        n_classes=n_classes,
        l2=1.0 / w.sum(),  # 1 / (C S) with C = 1
        batch_size=8,
        max_epochs=25,
        random_state=0,
    )
    intercept = reference.intercept - (reference.intercept.mean() if n_classes > 2 else 0.0)
    expected = np.r_[np.ravel(reference.coef), intercept]
    np.testing.assert_allclose(_coefficients(model), expected, rtol=SAME, atol=SAME)
    assert model.n_iter_[0] == reference.n_epochs == 25
    assert model.backend_ == "dask"
    assert model.n_partitions_ == len(chunks)
    # classes, statistics, row norms, then the data once: it fits in one fetch and is kept
    assert model.n_passes_ == 4


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_one_partition_takes_the_in_memory_steps(n_classes: int, fit_intercept: bool) -> None:
    # One partition: the chunk order is a permutation of one (no draw), then the rows' order is
    # the in-memory epoch's permutation; the same standardization, batch loss (a short last
    # batch a part of a step) and step size. Only the statistics' arithmetic (merged moments
    # vs. NumPy's weighted products) differs, ~1e-16 relative per step.
    X, y, w = _data(n_classes)
    params = {"max_iter": 15, "tol": 0.0, "random_state": 7, "fit_intercept": fit_intercept}
    model = _fit(*_lazy(X, y, w, (60,)), **params)
    in_memory = _fit(X, y, w, **params)
    assert model.backend_ == "dask" and in_memory.backend_ == "numpy"
    np.testing.assert_allclose(_coefficients(model), _coefficients(in_memory), rtol=SAME, atol=SAME)
    assert model.n_iter_[0] == in_memory.n_iter_[0] == 15


def test_streamed_fetches_in_small_groups_take_the_same_steps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Nothing kept between epochs, at most 4 rows of X per fetch: every epoch is a pass of
    # many fetches, each prefetched while the previous one is used.
    X, y, w = _data(3)
    monkeypatch.setattr(streaming, "_KEEP_BYTES", 0)
    monkeypatch.setattr(streaming, "_GROUP_BYTES", 8 * 3 * 4)
    chunks = CHUNKINGS["one-row-ish"]
    model = _fit(*_lazy(X, y, w, chunks), max_iter=4)
    monkeypatch.undo()
    kept = _fit(*_lazy(X, y, w, chunks), max_iter=4)
    np.testing.assert_allclose(_coefficients(model), _coefficients(kept), rtol=SAME, atol=SAME)
    assert model.n_passes_ == 3 + 4  # one pass per epoch
    assert kept.n_passes_ == 3 + 1


def test_the_same_random_state_gives_the_same_fit() -> None:
    X, y, w = _data(2)
    data = _lazy(X, y, w, CHUNKINGS["uneven"])
    first, again = _fit(*data, max_iter=10), _fit(*data, max_iter=10)
    np.testing.assert_array_equal(_coefficients(first), _coefficients(again))
    other = _fit(*data, max_iter=10, random_state=1)
    assert not np.array_equal(_coefficients(first), _coefficients(other))


# --- the objective: Newton's minimum, within the noise floor ---------------------------------


@pytest.mark.parametrize("chunking", list(CHUNKINGS))
@pytest.mark.parametrize("n_classes", [2, 3])
def test_reaches_the_newton_objective(chunking: str, n_classes: int) -> None:
    X, y, w = _data(n_classes, seed=1)
    labels = LABELS[y]  # string labels: the classes are found in the first pass
    model = _fit(*_lazy(X, labels, w, CHUNKINGS[chunking]))
    reference = LogisticRegression(solver="newton", tol=1e-10).fit(X, labels, w)
    assert model.classes_.tolist() == LABELS[:n_classes].tolist()
    assert model.coef_.shape == reference.coef_.shape
    assert _gap(model, reference, X, labels, w) <= STOCHASTIC


@pytest.mark.parametrize(
    "options",
    [
        {"class_weight": "balanced"},
        {"class_weight": {"bee": 3.0}},
        {"fit_intercept": False},
        {"penalty": None, "C": 1.0},
        {"C": 0.05, "batch_size": 1},
        {"batch_size": 60},
        {"learning_rate": 0.05},
    ],
    ids=repr,
)
def test_options_reach_the_newton_objective(options: dict[str, object]) -> None:
    X, y, w = _data(3, seed=2)
    labels = LABELS[y]
    model = _fit(*_lazy(X, labels, w, CHUNKINGS["uneven"]), **options)
    newton = {k: v for k, v in options.items() if k not in ("batch_size", "learning_rate")}
    reference = LogisticRegression(solver="newton", tol=1e-10, max_iter=500, **newton)
    reference.fit(X, labels, w)
    combined = w.copy()
    if "class_weight" in options:
        from glassbox.labels import class_weights

        index = np.searchsorted(reference.classes_, labels)
        combined *= class_weights(options["class_weight"], reference.classes_, index)[index]
    assert _gap(model, reference, X, labels, combined) <= STOCHASTIC


def test_numpy_input_with_backend_dask_applies_class_weights_once() -> None:
    # The estimator hands class indices and combined weights over; a Dask collection brings
    # raw labels and the class weights are applied per partition: the same fit.
    X, y, w = _data(3, seed=3)
    params = {"class_weight": "balanced", "max_iter": 15}
    in_memory = _fit(X, LABELS[y], w, backend="dask", **params)
    lazy = _fit(*_lazy(X, LABELS[y], w, (60,)), **params)
    assert in_memory.backend_ == "dask"
    np.testing.assert_allclose(_coefficients(in_memory), _coefficients(lazy), rtol=SAME, atol=SAME)


def test_a_dataframe_with_a_target_column() -> None:
    X, y, _ = _data(2, seed=4)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(animal=LABELS[y])
    ddf = dd.from_pandas(frame, npartitions=3)
    model = _fit(ddf, "animal", None)
    reference = LogisticRegression(solver="newton", tol=1e-10).fit(
        frame[["a", "b", "c"]], LABELS[y]
    )
    assert model.feature_names_in_.tolist() == ["a", "b", "c"]
    assert _gap(model, reference, frame[["a", "b", "c"]], LABELS[y], np.ones(60)) <= STOCHASTIC
    assert isinstance(model.predict(ddf[["a", "b", "c"]]), da.Array)


def test_an_empty_partition_is_skipped_and_reported() -> None:
    from glassbox.distributed import ChunkAlignmentWarning

    X, y, _ = _data(2, seed=6)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=LABELS[y])
    ddf = dd.from_pandas(frame, npartitions=3)
    ddf = ddf.map_partitions(lambda part: part[part.index >= 20])  # partition 0 is rows 0-19
    with pytest.warns(ChunkAlignmentWarning, match=r"partition\(s\) of the data were empty"):
        model = _fit(ddf, "y", None)
    kept = frame[["a", "b", "c"]][20:]
    reference = LogisticRegression(solver="newton", tol=1e-10).fit(kept, LABELS[y[20:]])
    assert _gap(model, reference, kept, LABELS[y[20:]], np.ones(40)) <= STOCHASTIC


def test_max_iter_epochs_without_a_plateau_warn() -> None:
    X, y, w = _data(2)
    with pytest.warns(ConvergenceWarning, match=r"minibatch, Dask\) failed to converge after 3"):
        LogisticRegression(solver="minibatch", max_iter=3).fit(*_lazy(X, y, w, (30, 30)))


# --- the step function against independent computations ---------------------------------------


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_a_full_batch_epoch_is_one_gradient_step_of_one_over_l(
    n_classes: int, fit_intercept: bool
) -> None:
    from glassbox.distributed.statistics import chunk_statistics

    X, y, w = _data(n_classes, seed=5)
    n, l2 = len(X), 0.01
    statistics = chunk_statistics(X, np.empty((n, 0)), w)
    scaling = LogisticScaling.from_statistics(statistics, fit_intercept)
    state = start_logistic_descent(
        statistics,
        scaling,
        row_smoothness=scaling.row_smoothness(X, w),
        steps_per_epoch=1,
        n_classes=n_classes,
        l2=l2,
        batch_size=n,
        random_state=0,
    )
    # independently: standardize with NumPy's weighted moments, then LogisticProblem
    mean = np.average(X, axis=0, weights=w) if fit_intercept else np.zeros(3)
    scale = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=w))
    Z = (X - mean) / scale
    target = (y == 1).astype(float) if n_classes == 2 else np.eye(n_classes)[y]
    problem = LogisticProblem(Z, target, w / w.sum(), 0.0, 0.0, fit_intercept)
    strengths = np.tile(np.r_[l2 / scale**2, [0.0] * fit_intercept], problem.n_outputs)
    # eq. (4): L = c λ_max(Z̃ᵀSZ̃) + max λ, c λ_max from an explicit eigenvalue problem
    L = problem.gradient_smoothness() + strengths.max()
    assert float(state.learning_rate(0)) == pytest.approx(1.0 / L, rel=1e-12)
    # with one batch of all rows the epoch is W̃ = 0 − η ∇f(0)
    after = partial_fit_logistic_descent(X, y, w, state=state)
    _, grad = problem.smooth_value_grad(np.zeros(problem.n_params))
    np.testing.assert_allclose(after.params, -grad / L, rtol=1e-12, atol=1e-15)
    # and eq. (2) maps it back: the margins of the original coefficients are the same
    coef, intercept = after.coef_intercept()
    np.testing.assert_allclose(
        X @ coef.T + intercept,
        problem.margins(after.params).reshape(n, -1),
        rtol=1e-12,
        atol=1e-12,
    )


# --- bad input -------------------------------------------------------------------------------


def test_nan_in_x_names_the_partition() -> None:
    X, y, _ = _data(2)
    X[45, 1] = np.nan
    with pytest.raises(ValueError, match=r"Partition 2 of X contains 1 NaN.*column\(s\) \[1\]"):
        _fit(*_lazy(X, y, None, (20, 20, 20)))


def test_nan_label_names_the_partition() -> None:
    X, y, _ = _data(2)
    labels = y.astype(float)
    labels[33] = np.nan
    with pytest.raises(ValueError, match=r"Partition 1 of y contains 1 NaN label"):
        _fit(*_lazy(X, labels, None, (20, 20, 20)))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"batch_size": 0}, r"batch_size=0 must be an int between 1"),
        (
            {"batch_size": 61},
            r"batch_size=61 must be an int between 1 and the number of samples \(60\)",
        ),
        ({"batch_size": 2.5}, r"batch_size=2.5"),
        ({"learning_rate": -1.0}, r"learning_rate must be 'auto' or a finite number > 0"),
    ],
)
def test_bad_hyperparameters_are_named(options: dict[str, object], message: str) -> None:
    X, y, _ = _data(2)
    with pytest.raises(ValueError, match=message):
        _fit(*_lazy(X, y, None, (30, 30)), **options)
