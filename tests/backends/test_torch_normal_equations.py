"""The torch backend's Gram matrix by symmetric column panels equals the plain product."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from glassbox.backends.torch_linalg import _panel_edges, prepare  # noqa: E402


@pytest.mark.parametrize("n_features", [5, 63, 64, 100, 131])
@pytest.mark.parametrize("weighted", [False, True])
def test_centred_gram_matches_the_full_product(n_features: int, weighted: bool) -> None:
    rng = np.random.default_rng(n_features)
    n = 5_003  # not a multiple of any row block
    X = rng.standard_normal((n, n_features)) + rng.uniform(-3, 3, n_features)
    Y = rng.standard_normal((n, 2))
    w = rng.uniform(0.1, 2.0, n) if weighted else None
    problem = prepare(X, Y, w, fit_intercept=True, device=torch.device("cpu"), dtype=torch.float64)
    G, C = (t.numpy() for t in problem.centred_gram)
    weights = np.ones(n) if w is None else w
    mean_x = weights @ X / weights.sum()
    mean_y = weights @ Y / weights.sum()
    Xc = (X - mean_x) * np.sqrt(weights)[:, None]
    Yc = (Y - mean_y) * np.sqrt(weights)[:, None]
    # Same sums in another order: agreement to a few ulps of the largest entry.
    np.testing.assert_allclose(G, Xc.T @ Xc, rtol=0, atol=1e-12 * np.abs(Xc.T @ Xc).max())
    np.testing.assert_array_equal(G, G.T)
    np.testing.assert_allclose(C, Xc.T @ Yc, rtol=0, atol=1e-12 * np.abs(Xc.T @ Yc).max())


@pytest.mark.parametrize("n_features", [1, 10, 63, 64, 100, 1000])
def test_panels_cover_the_columns_with_equal_work(n_features: int) -> None:
    edges = _panel_edges(n_features)
    assert edges[0] == 0 and edges[-1] == n_features and edges == sorted(set(edges))
    work = [(b - a) * (n_features - a) for a, b in itertools.pairwise(edges)]
    # Panel i costs |Pᵢ|·(p − start): equal to within one column's worth.
    assert max(work) - min(work) <= 2 * n_features


@pytest.mark.parametrize("digits", [0, 1, 2, 3, 5])
def test_condition_estimate_matches_lapack_dpocon(digits: int) -> None:
    # Hager–Higham on torch tensors against LAPACK's dpocon (the NumPy backend's cond_) and
    # against the true cond₂ of the scaled design from its singular values.
    from glassbox import LinearRegression

    rng = np.random.default_rng(digits)
    X = rng.standard_normal((2_000, 8))
    if digits:
        X[:, 1] = X[:, 0] + 10.0**-digits * rng.standard_normal(2_000)
    y = rng.standard_normal(2_000)
    ours = LinearRegression(solver="normal", backend="torch").fit(X, y).cond_
    lapack = LinearRegression(solver="normal").fit(X, y).cond_
    A = X - X.mean(axis=0)
    singular = np.linalg.svd(A / np.linalg.norm(A, axis=0), compute_uv=False)
    # Both estimate the same 1-norm quantity by the same ascent: equal up to the rounding
    # of two Cholesky factorizations, cond(AᵀA)·ε = cond_²·ε relative.
    assert ours == pytest.approx(lapack, rel=max(1e-12, 10 * lapack**2 * 2.2e-16))
    # A 1-norm estimate of cond(AᵀA), square-rooted: within a factor √p of cond₂(A).
    assert singular[0] / singular[-1] / 3 <= ours <= np.sqrt(8) * singular[0] / singular[-1]
