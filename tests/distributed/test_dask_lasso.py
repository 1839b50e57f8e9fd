"""Lasso and ElasticNet on Dask: the in-memory solver on the Gram form from one statistics pass.

References: the NumPy backend's fit on the same rows (same solver and tolerance), the same
solver on a Gram form computed in exact rational arithmetic, and scikit-learn.
"""

from __future__ import annotations

import warnings
from fractions import Fraction

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from glassbox.exceptions import ConvergenceWarning
from glassbox.linear import ElasticNet, Lasso
from glassbox.linear.lasso import solve_all_targets
from glassbox.linear.least_squares_problem import LeastSquaresProblem

pytestmark = pytest.mark.usefixtures("client")

N = 60
# Chunkings of 60 rows: one chunk, one row per chunk, uneven chunks (with a 1-row chunk).
CHUNKINGS = {"whole": (N,), "one-row": (1,) * N, "uneven": (7, 1, 20, 3, 29)}
# Well-conditioned data (scaled cond(G) < 100) solved to tol=1e-12: both fits are within
# rounding of the same minimizer, and the iterations, identical in exact arithmetic, amplify
# the ~1e-16 differences between the two Gram forms by at most cond(G): 1e-10 leaves room.
TOLERANCE = 1e-10
PARAMS = {"alpha": 0.05, "tol": 1e-12, "max_iter": 100_000}


def _data(seed: int = 0, targets: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offsets and mixed (but not extreme) scales; weights in [0.5, 2] with one zero."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, 4)) * rng.uniform(0.5, 3.0, 4) + rng.uniform(-5.0, 5.0, 4)
    beta = rng.standard_normal((4, max(targets, 1)))
    beta[1] = 0.0  # one irrelevant feature: the L1 penalty sets it to exactly zero
    y = X @ beta + 0.3 + 0.5 * rng.standard_normal((N, max(targets, 1)))
    weights = rng.uniform(0.5, 2.0, N)
    weights[5] = 0.0
    return X, (y[:, 0] if targets == 0 else y), weights


def _relative(a: object, b: object) -> float:
    a, b = np.ravel(np.asarray(a, dtype=float)), np.ravel(np.asarray(b, dtype=float))
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def _lazy(array: np.ndarray, chunks: tuple[int, ...]) -> da.Array:
    return da.from_array(array, chunks=(chunks, *array.shape[1:]))


def _model(name: str, solver: str, **extra: object) -> Lasso | ElasticNet:
    if name == "Lasso":
        return Lasso(solver=solver, **PARAMS, **extra)  # type: ignore[arg-type]
    return ElasticNet(l1_ratio=0.4, solver=solver, **PARAMS, **extra)  # type: ignore[arg-type]


def _agree(model: Lasso | ElasticNet, reference: Lasso | ElasticNet) -> None:
    assert model.backend_ == "dask"
    assert _relative(model.coef_, reference.coef_) < TOLERANCE
    # The intercept b = ȳ − wᵀx̄ inherits the coefficients' error times |x̄| ≤ 5.
    assert _relative(np.r_[model.intercept_, 1.0], np.r_[reference.intercept_, 1.0]) < 1e-9
    np.testing.assert_array_equal(model.coef_ == 0, reference.coef_ == 0)


@pytest.mark.parametrize("chunking", list(CHUNKINGS))
@pytest.mark.parametrize("solver", ["cd", "fista"])
@pytest.mark.parametrize("name", ["Lasso", "ElasticNet"])
def test_matches_numpy_for_every_chunking(name: str, solver: str, chunking: str) -> None:
    X, y, weights = _data()
    chunks = CHUNKINGS[chunking]
    model = _model(name, solver).fit(_lazy(X, chunks), _lazy(y, chunks), _lazy(weights, chunks))
    reference = _model(name, solver).fit(X, y, weights)
    _agree(model, reference)
    assert model.n_iter_ == reference.n_iter_
    assert isinstance(model.n_iter_, int) and isinstance(model.dual_gap_, float)
    assert model.dual_gap_ == pytest.approx(reference.dual_gap_, rel=1e-4, abs=1e-14)
    assert model.n_passes_ == 1
    assert model.n_partitions_ == len(chunks)
    assert model.coef_[1] == 0.0 or name == "ElasticNet"


@pytest.mark.parametrize("name", ["Lasso", "ElasticNet"])
@pytest.mark.parametrize("weighted", [True, False])
def test_without_intercept_matches_numpy(name: str, weighted: bool) -> None:
    X, y, weights = _data(seed=1)
    w = weights if weighted else None
    chunks = CHUNKINGS["uneven"]
    model = _model(name, "cd", fit_intercept=False).fit(
        _lazy(X, chunks), _lazy(y, chunks), None if w is None else _lazy(w, chunks)
    )
    reference = _model(name, "cd", fit_intercept=False).fit(X, y, w)
    _agree(model, reference)
    assert model.intercept_ == 0.0


@pytest.mark.parametrize("name", ["Lasso", "ElasticNet"])
def test_multi_target_matches_numpy(name: str) -> None:
    X, Y, weights = _data(seed=2, targets=3)
    chunks = CHUNKINGS["uneven"]
    model = _model(name, "cd").fit(_lazy(X, chunks), _lazy(Y, chunks), _lazy(weights, chunks))
    reference = _model(name, "cd").fit(X, Y, weights)
    assert model.coef_.shape == (3, 4)
    _agree(model, reference)
    np.testing.assert_array_equal(model.n_iter_, reference.n_iter_)


def test_backend_dask_on_numpy_input_and_dataframe_and_lazy_predict() -> None:
    X, y, _ = _data(seed=3)
    reference = Lasso(**PARAMS).fit(X, y)  # type: ignore[arg-type]
    model = Lasso(backend="dask", **PARAMS).fit(X, y)  # type: ignore[arg-type]
    _agree(model, reference)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(y=y)
    ddf = dd.from_pandas(frame, npartitions=3)
    from_frame = Lasso(**PARAMS).fit(ddf[["a", "b", "c", "d"]], ddf["y"])  # type: ignore[arg-type]
    _agree(from_frame, reference)
    assert list(from_frame.feature_names_in_) == ["a", "b", "c", "d"]
    lazy = from_frame.predict(ddf[["a", "b", "c", "d"]])
    assert isinstance(lazy, da.Array)
    np.testing.assert_allclose(lazy.compute().ravel(), reference.predict(X), rtol=1e-9)


def test_gram_form_equals_the_exact_one_on_hard_offsets() -> None:
    # Means 1e3 times the spread, scales 2000 apart, weights: the merged statistics give the
    # Gram form of exact (rational) arithmetic to rounding, so the fit equals the same solver
    # run on that exact Gram form (cond(G) ~ 4e6 times ε ~ 1e-16: 1e-9 relative).
    rng = np.random.default_rng(4)
    X = rng.normal(size=(N, 3)) * [1.0, 20.0, 0.01] + [1e3, -50.0, 2.0]
    y = X @ np.array([1.5, -0.25, 40.0]) + rng.normal(size=N)
    weights = rng.uniform(0.0, 3.0, N)
    chunks = CHUNKINGS["uneven"]
    model = Lasso(alpha=0.1, tol=1e-12, max_iter=100_000).fit(
        _lazy(X, chunks), _lazy(y, chunks), _lazy(weights, chunks)
    )
    s = [Fraction(v) for v in weights]
    total = sum(s)
    s = [v * N / total for v in s]  # rescaled to sum to n, as in memory
    rows = [[Fraction(v) for v in row] for row in X]
    mx = [sum(s[i] * rows[i][j] for i in range(N)) / N for j in range(3)]
    my = sum(s[i] * Fraction(y[i]) for i in range(N)) / N
    xc = [[rows[i][j] - mx[j] for j in range(3)] for i in range(N)]
    yc = [Fraction(y[i]) - my for i in range(N)]

    def weighted(u: list[Fraction], v: list[Fraction]) -> float:
        return float(sum(s[i] * u[i] * v[i] for i in range(N)))

    columns = [[xc[i][j] for i in range(N)] for j in range(3)]
    gram = np.array([[weighted(columns[a], columns[b]) for b in range(3)] for a in range(3)])
    q = np.array([[weighted(columns[a], yc)] for a in range(3)])
    yy = np.array([weighted(yc, yc)])
    exact = LeastSquaresProblem(
        float(N), gram, None, None, q, yy, np.array([float(v) for v in mx]), np.array([float(my)])
    )
    coef, _, _ = solve_all_targets(
        exact,
        0.1,
        1.0,
        solver="cd",
        max_iter=100_000,
        tol=1e-12,
        selection="cyclic",
        rng=np.random.default_rng(0),
    )
    assert _relative(model.coef_, coef[0]) < 1e-9
    # The in-memory Gram form too: measured 1e-16 now that its Xᵀy is formed from the centred
    # copy; the uncentred XᵀWy lost 1e-10 here to the cancellation of μ against Σ w yc ≈ 0.
    in_memory = Lasso(alpha=0.1, tol=1e-12, max_iter=100_000).fit(X, y, sample_weight=weights)
    assert _relative(in_memory.coef_, coef[0]) < 1e-12


@pytest.mark.parametrize("name", ["Lasso", "ElasticNet"])
def test_matches_scikit_learn(name: str) -> None:
    sklearn = pytest.importorskip("sklearn.linear_model")
    X, y, weights = _data(seed=5)
    chunks = CHUNKINGS["uneven"]
    model = _model(name, "cd").fit(_lazy(X, chunks), _lazy(y, chunks), _lazy(weights, chunks))
    options = {"alpha": 0.05, "tol": 1e-12, "max_iter": 100_000}
    if name == "ElasticNet":
        options["l1_ratio"] = 0.4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = getattr(sklearn, name)(**options).fit(X, y, sample_weight=weights)
    # Both stop at a duality gap ≤ 1e-12 ‖y‖²/n; the objective is strongly convex on the
    # support, so the minimizers agree to ~√gap: 1e-6 relative.
    assert _relative(model.coef_, theirs.coef_) < 1e-6
    assert abs(model.intercept_ - theirs.intercept_) < 1e-6 * max(1.0, abs(theirs.intercept_))


def test_warm_start_continues_from_the_previous_fit() -> None:
    X, y, _ = _data(seed=6)
    chunks = CHUNKINGS["uneven"]
    model = Lasso(warm_start=True, **PARAMS).fit(_lazy(X, chunks), _lazy(y, chunks))  # type: ignore[arg-type]
    first = model.n_iter_
    model.fit(_lazy(X, chunks), _lazy(y, chunks))
    assert model.n_iter_ < first


def test_nan_names_the_partition() -> None:
    X, y, _ = _data()
    X[45, 2] = np.nan
    with pytest.raises(ValueError, match=r"Partition 2 of X contains 1 NaN.*column\(s\) \[2\]"):
        Lasso().fit(da.from_array(X, chunks=(20, 4)), da.from_array(y, chunks=20))


def test_bad_hyperparameter_is_reported_before_reading() -> None:
    X, y, _ = _data()
    with pytest.raises(ValueError, match="alpha"):
        Lasso(alpha=-1.0).fit(da.from_array(X, chunks=(20, 4)), da.from_array(y, chunks=20))


@pytest.mark.parametrize("solver", ["bgd", "minibatch", "sgd"])
def test_ridge_descent_on_dask_is_absent_with_a_reason(solver: str) -> None:
    from glassbox.linear import Ridge

    X, y, _ = _data()
    with pytest.raises(ValueError, match=r"one pass of merged statistics \('cholesky'\)"):
        Ridge(solver=solver).fit(da.from_array(X, chunks=(20, 4)), da.from_array(y, chunks=20))
