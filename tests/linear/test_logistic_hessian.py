"""The softmax Hessian (eq. (5) of glassbox.linear.logistic_loss) against the Kronecker sum
it stands for, finite differences of the gradient, and scikit-learn's newton-cholesky."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import log_softmax as scipy_log_softmax
from scipy.special import softmax
from sklearn import linear_model as sk
from sklearn.datasets import load_digits, load_iris
from sklearn.preprocessing import StandardScaler

import glassbox.linear.logistic_loss as logistic_loss
from glassbox.linear import LogisticRegression
from glassbox.linear.logistic_loss import LogisticProblem, log_softmax


def _problem(n_classes, fit_intercept=True, n=60, n_features=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_features))
    Y = np.eye(n_classes)[rng.integers(0, n_classes, n)]
    weights = rng.uniform(0.2, 3.0, n)
    problem = LogisticProblem(X, Y, weights / weights.sum(), 0.05, 0.0, fit_intercept)
    return problem, rng.standard_normal(problem.n_params)


def _kronecker_hessian(problem, w):
    """Eq. (4) written out: Σ_i s_i (diag(p_i) − p_i p_iᵀ) ⊗ x̃_i x̃_iᵀ, plus the penalty."""
    X = problem.augmented()
    P = softmax(problem.margins(w), axis=1)
    curvature = np.einsum("ik,kl->ikl", P, np.eye(P.shape[1])) - P[:, :, None] * P[:, None, :]
    H = np.einsum("i,ikl,ia,ib->kalb", problem.weights, curvature, X, X)
    H = H.reshape(problem.n_params, problem.n_params)  # (K, d, K, d) -> (K d, K d)
    return H + np.diag(problem.l2 * problem.penalized)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_classes", [3, 4])
@pytest.mark.parametrize("block_rows", [7, 8192])  # several row blocks, a partial last one
def test_softmax_hessian_equals_kronecker_sum(monkeypatch, n_classes, fit_intercept, block_rows):
    monkeypatch.setattr(logistic_loss, "_BLOCK_ROWS", block_rows)
    problem, w = _problem(n_classes, fit_intercept)
    H = problem.hessian(w)
    np.testing.assert_array_equal(H, H.T)  # each G_kl is symmetric, H_lk copies H_kl
    # same sums in a different order: rounding only (entries are O(1))
    np.testing.assert_allclose(H, _kronecker_hessian(problem, w), rtol=0, atol=1e-13)


def test_softmax_hessian_of_no_rows_is_the_penalty():
    """An empty partition (the Dask backend sums per partition) contributes only l2 I."""
    problem = LogisticProblem(np.empty((0, 3)), np.empty((0, 4)), np.empty(0), 0.5, 0.0, True)
    H = problem.hessian(np.zeros(problem.n_params))
    np.testing.assert_array_equal(H, np.diag(0.5 * problem.penalized))


@pytest.mark.parametrize("n_classes", [3, 4])
def test_softmax_hessian_matches_finite_differences(n_classes):
    problem, w = _problem(n_classes)
    H = problem.hessian(w)
    h = 1e-5
    numeric = np.empty_like(H)
    for j in range(problem.n_params):
        e = np.zeros_like(w)
        e[j] = h
        numeric[:, j] = (
            problem.smooth_value_grad(w + e)[1] - problem.smooth_value_grad(w - e)[1]
        ) / (2 * h)
    # central differences of ∇f: O(h²) ≈ 1e-10 truncation, O(eps/h) ≈ 1e-11 rounding
    np.testing.assert_allclose(H, numeric, rtol=0, atol=1e-8)


def test_softmax_hessian_is_accurate_when_one_class_dominates():
    """p_1(1 − p_1) with p_1 ≈ 1 − 2e-13: the diagonal blocks keep their relative accuracy."""
    X = np.array([[1.0], [2.0]])
    Y = np.eye(3)[[0, 0]]
    problem = LogisticProblem(X, Y, np.array([0.5, 0.5]), 0.0, 0.0, False)
    w = np.array([0.0, -30.0, -30.0])  # margins 0, −30x, −30x: p_2, p_3 ≈ e^{−30x}
    H = problem.hessian(w)
    P = softmax(X @ w.reshape(3, 1).T, axis=1)
    # exact: Σ_i s_i x_i² p_1 (p_2 + p_3), p_2 + p_3 computed without subtracting from 1
    exact = float(np.sum(0.5 * X[:, 0] ** 2 * P[:, 0] * (P[:, 1] + P[:, 2])))
    assert H[0, 0] == pytest.approx(exact, rel=1e-12, abs=0)  # 1 − p_1 loses ~3 digits


@pytest.mark.parametrize("K", [2, 3, 10])
def test_log_softmax_matches_scipy(K):
    rng = np.random.default_rng(K)
    Z = rng.standard_normal((500, K)) * 300.0  # large margins: the shift must prevent overflow
    np.testing.assert_allclose(log_softmax(Z), scipy_log_softmax(Z, axis=1), rtol=1e-14, atol=1e-12)
    assert log_softmax(np.empty((0, K))).shape == (0, K)


def _iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _digits_like():
    X, y = load_digits(return_X_y=True)
    keep = y < 5  # 5 classes, 64 pixels (a few constant)
    return StandardScaler().fit_transform(X[keep][:400]), y[keep][:400]


@pytest.mark.parametrize("loader", [_iris, _digits_like])
def test_softmax_newton_matches_sklearn_newton_cholesky(loader):
    X, y = loader()
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    ref = sk.LogisticRegression(C=0.3, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    ref.fit(X, y, sample_weight=weights)
    ours = LogisticRegression(C=0.3, solver="newton", tol=1e-10).fit(X, y, sample_weight=weights)
    # both at the minimum of a strongly convex objective: 1e-6 leaves room for stopping points
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-6 * scale)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-6 * scale)
