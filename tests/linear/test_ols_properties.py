"""Invariances of least squares, checked by hypothesis on random well-posed designs."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from glassbox import LinearRegression

SOLVERS = ["auto", "normal", "qr", "svd"]
# Each transformation changes the rounding inside the factorizations; on these designs
# (cond < 1e3 by construction) the solutions agree to ~1e-13, so 1e-9 is a safe bound.
RTOL = 1e-9


@st.composite
def designs(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    n_samples = draw(st.integers(8, 40))
    n_features = draw(st.integers(1, 5))
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features)) * rng.uniform(0.1, 100, n_features)
    X += rng.uniform(-100, 100, n_features)
    y = X @ rng.standard_normal(n_features) + rng.standard_normal(n_samples)
    return X, y, rng, draw(st.sampled_from(SOLVERS))


@given(designs())
def test_permuting_rows_changes_nothing(case):
    X, y, rng, solver = case
    order = rng.permutation(len(y))
    a = LinearRegression(solver=solver).fit(X, y)
    b = LinearRegression(solver=solver).fit(X[order], y[order])
    np.testing.assert_allclose(b.coef_, a.coef_, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(b.intercept_, a.intercept_, rtol=RTOL, atol=1e-9)


@given(designs(), st.floats(1e-3, 1e3), st.booleans())
def test_scaling_a_column_divides_its_coefficient(case, factor, negative):
    X, y, rng, solver = case
    column = int(rng.integers(X.shape[1]))
    c = -factor if negative else factor
    scaled = X.copy()
    scaled[:, column] *= c
    a = LinearRegression(solver=solver).fit(X, y)
    b = LinearRegression(solver=solver).fit(scaled, y)
    expected = a.coef_.copy()
    expected[column] /= c
    np.testing.assert_allclose(b.coef_, expected, rtol=RTOL, atol=1e-12)


@given(designs())
def test_duplicating_every_row_changes_nothing(case):
    X, y, _, solver = case
    a = LinearRegression(solver=solver).fit(X, y)
    b = LinearRegression(solver=solver).fit(np.vstack([X, X]), np.concatenate([y, y]))
    np.testing.assert_allclose(b.coef_, a.coef_, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(b.intercept_, a.intercept_, rtol=RTOL, atol=1e-9)


@given(designs())
def test_integer_weights_equal_repeated_rows(case):
    X, y, rng, solver = case
    counts = rng.integers(1, 4, len(y))
    a = LinearRegression(solver=solver).fit(X, y, sample_weight=counts)
    b = LinearRegression(solver=solver).fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=RTOL, atol=1e-12)
