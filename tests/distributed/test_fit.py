"""Dask fits against the NumPy backend on the same data, for every chunking."""

from __future__ import annotations

import warnings

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from glassbox.linear import LinearRegression, Ridge

pytestmark = pytest.mark.usefixtures("client")

# Chunkings of 60 rows: one chunk, one row per chunk, uneven chunks (with a 1-row chunk).
CHUNKINGS = {"whole": (60,), "one-row": (1,) * 60, "uneven": (7, 1, 20, 3, 29)}


def _data(seed: int = 0, n: int = 60, targets: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    # Means far from zero, scales apart: centring and equilibration must both do their job.
    X = rng.normal(size=(n, 4)) * [1.0, 20.0, 0.01, 3.0] + [1e3, -50.0, 2.0, 0.0]
    beta = np.array([1.5, -0.25, 40.0, 2.0])
    noise = rng.normal(size=(n, max(targets, 1)))
    y = 3.0 + X @ beta[:, None] + noise
    return X, (y[:, 0] if targets == 0 else y)


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


# Well-conditioned data: both fits are within a few ulps of the exact solution, so 1e-10
# leaves five orders of magnitude for the different summation orders.
TOLERANCE = 1e-10


@pytest.mark.parametrize("chunking", list(CHUNKINGS))
@pytest.mark.parametrize("solver", ["auto", "normal", "qr"])
def test_linear_regression_matches_numpy(chunking: str, solver: str) -> None:
    X, y = _data()
    chunks = CHUNKINGS[chunking]
    model = LinearRegression(solver=solver).fit(
        da.from_array(X, chunks=(chunks, 4)), da.from_array(y, chunks=(chunks,))
    )
    reference = LinearRegression(solver="normal" if solver == "auto" else solver).fit(X, y)
    assert model.backend_ == "dask"
    assert _relative(model.coef_, reference.coef_) < TOLERANCE
    assert abs(model.intercept_ - reference.intercept_) < TOLERANCE * max(
        1.0, abs(reference.intercept_)
    )
    assert model.n_features_in_ == 4
    assert model.n_partitions_ == len(chunks)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_weighted_multi_target_matches_numpy(fit_intercept: bool) -> None:
    X, Y = _data(seed=1, targets=3)
    weights = np.random.default_rng(2).uniform(0.0, 3.0, size=len(X))
    weights[5] = 0.0  # a zero weight is a row that does not count
    chunks = CHUNKINGS["uneven"]
    model = LinearRegression(fit_intercept=fit_intercept).fit(
        da.from_array(X, chunks=(chunks, 4)),
        da.from_array(Y, chunks=(chunks, 3)),
        da.from_array(weights, chunks=(chunks,)),
    )
    reference = LinearRegression(fit_intercept=fit_intercept).fit(X, Y, weights)
    assert model.coef_.shape == (3, 4)
    assert _relative(model.coef_, reference.coef_) < TOLERANCE
    assert _relative(model.intercept_ + 1.0, reference.intercept_ + 1.0) < TOLERANCE


def test_backend_dask_on_numpy_input_and_lazy_predict() -> None:
    X, y = _data(seed=3)
    model = LinearRegression(backend="dask").fit(X, y)
    reference = LinearRegression().fit(X, y)
    assert _relative(model.coef_, reference.coef_) < TOLERANCE
    prediction = model.predict(da.from_array(X, chunks=(25, 4)))
    assert isinstance(prediction, da.Array)  # lazy: nothing computed until asked
    np.testing.assert_allclose(prediction.compute(), reference.predict(X), rtol=1e-12)


def test_dataframe_gives_feature_names_and_matches_numpy() -> None:
    X, y = _data(seed=4)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(target=y)
    ddf = dd.from_pandas(frame, npartitions=4)
    model = LinearRegression().fit(ddf[["a", "b", "c", "d"]], ddf["target"])
    reference = LinearRegression().fit(frame[["a", "b", "c", "d"]], frame["target"])
    assert list(model.feature_names_in_) == ["a", "b", "c", "d"]
    assert _relative(model.coef_, reference.coef_) < TOLERANCE


def test_ridge_matches_numpy() -> None:
    X, Y = _data(seed=5, targets=2)
    chunks = CHUNKINGS["uneven"]
    model = Ridge(alpha=[0.5, 20.0]).fit(
        da.from_array(X, chunks=(chunks, 4)), da.from_array(Y, chunks=(chunks, 2))
    )
    reference = Ridge(alpha=[0.5, 20.0]).fit(X, Y)
    assert model.solver_ == "cholesky"
    assert _relative(model.coef_, reference.coef_) < TOLERANCE
    assert _relative(model.intercept_, reference.intercept_) < TOLERANCE


def _polynomial(degree: int, n: int = 200, seed: int = 6) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(1.0, 3.0, size=n))
    X = np.vander(x, degree + 1, increasing=True)[:, 1:]  # raw powers x, x², ...
    y = np.polyval(rng.normal(size=degree + 1), x) + 1e-3 * rng.normal(size=n)
    return X, y


@pytest.mark.parametrize("degree", [6, 8])
@pytest.mark.parametrize("chunking", ["whole", "uneven"])
def test_ill_conditioned_polynomial_matches_in_memory_qr(degree: int, chunking: str) -> None:
    X, y = _polynomial(degree)
    chunks = (200,) if chunking == "whole" else (13, 1, 90, 40, 56)
    exact = LinearRegression(solver="qr", precision="extended").fit(X, y)  # 100-digit oracle
    in_memory = LinearRegression(solver="qr").fit(X, y)
    model = LinearRegression().fit(
        da.from_array(X, chunks=(chunks, degree)), da.from_array(y, chunks=(chunks,))
    )
    assert model.solver_ == "qr"  # "auto" saw the conditioning and left the normal equations
    assert model.cond_ > 1e4
    error = _relative(model.coef_, exact.coef_)
    in_memory_error = _relative(in_memory.coef_, exact.coef_)
    # "Matches the in-memory QR accuracy": within a factor 10 of its error (or 1e-13).
    assert error <= max(10 * in_memory_error, 1e-13), (error, in_memory_error)


@pytest.mark.parametrize("solver", ["normal", "qr"])
def test_redundant_column_gets_zero_and_warns(solver: str) -> None:
    rng = np.random.default_rng(7)
    X = rng.integers(-20, 20, size=(60, 4)).astype(float)
    X = np.column_stack([X, X[:, 0] + 2 * X[:, 3]])  # exactly dependent (small integers)
    y = X[:, :4] @ [1.0, -2.0, 0.5, 3.0] + rng.normal(size=60)
    with pytest.warns(Warning, match="rank deficient"):
        model = LinearRegression(solver=solver).fit(
            da.from_array(X, chunks=(20, 5)), da.from_array(y, 20)
        )
    reference = LinearRegression(solver=solver)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference.fit(X, y)
    assert model.redundant_features_.tolist() == [4]
    assert _relative(model.coef_, reference.coef_) < 1e-8  # a rank-deficient solve: looser


def test_minibatch_streams_like_partial_fit() -> None:
    X, y = _data(seed=8)
    chunks = (20, 25, 15)
    options = {"solver": "minibatch", "batch_size": 8, "random_state": 0, "shuffle": True}
    model = LinearRegression(max_epochs=1, **options).fit(
        da.from_array(X, chunks=(chunks, 4)), da.from_array(y, chunks=(chunks,))
    )
    streamed = LinearRegression(**options)
    start = 0
    for size in chunks:
        streamed.partial_fit(X[start : start + size], y[start : start + size])
        start += size
    # The same code on the same partitions in the same order: identical to the last bit.
    np.testing.assert_array_equal(model.coef_, streamed.coef_)
    assert model.n_iter_ == 1
