"""lasso_path / enet_path and LassoCV / ElasticNetCV against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes
from sklearn.model_selection import KFold

from glassbox.linear import ElasticNetCV, LassoCV, enet_path, lasso_path
from glassbox.linear.lasso_cv import kfold_indices


@pytest.fixture(scope="module")
def centered_diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X - X.mean(axis=0), y - y.mean()


def test_lasso_path_matches_sklearn(centered_diabetes):
    X, y = centered_diabetes
    ref_alphas, ref_coefs, _ = sk.lasso_path(X, y, alphas=30, eps=1e-3, tol=1e-12, max_iter=100_000)
    alphas, coefs, gaps = lasso_path(X, y, n_alphas=30, eps=1e-3, tol=1e-12, max_iter=100_000)
    np.testing.assert_allclose(alphas, ref_alphas, rtol=1e-12)  # same closed-form grid
    assert coefs.shape == (10, 30)
    # each column is a tight L1 fit: 1e-5 relative to the column scale (issue 4)
    scale = np.maximum(np.abs(ref_coefs).max(axis=0), 1e-12)
    assert np.all(np.abs(coefs - ref_coefs).max(axis=0) <= 1e-5 * scale)
    np.testing.assert_array_equal(coefs == 0, ref_coefs == 0)
    assert np.all(gaps <= 1e-12 * (y @ y) / len(y))


def test_enet_path_explicit_alphas_and_default_tolerance(centered_diabetes):
    X, y = centered_diabetes
    grid = [1.0, 0.1, 0.01, 0.5]
    ref_alphas, ref_coefs, ref_gaps = sk.enet_path(X, y, l1_ratio=0.6, alphas=grid)
    alphas, coefs, gaps, n_iter = enet_path(X, y, l1_ratio=0.6, alphas=grid, return_n_iter=True)
    np.testing.assert_allclose(alphas, [1.0, 0.5, 0.1, 0.01])
    np.testing.assert_allclose(alphas, ref_alphas)
    # same stopping rule at the default tol=1e-4: same iterate up to rounding
    np.testing.assert_allclose(coefs, ref_coefs, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(gaps, ref_gaps, rtol=1e-6, atol=1e-12)
    assert n_iter.shape == (4,)


def test_kfold_matches_sklearn():
    for n, k in [(10, 3), (12, 4), (101, 5)]:
        ours = kfold_indices(n, k)
        theirs = list(KFold(k).split(np.zeros((n, 1))))
        for (tr, te), (tr2, te2) in zip(ours, theirs):
            np.testing.assert_array_equal(tr, tr2)
            np.testing.assert_array_equal(te, te2)


@pytest.mark.parametrize("weighted", [False, True])
def test_lasso_cv_matches_sklearn(weighted):
    X, y = load_diabetes(return_X_y=True)
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y)) if weighted else None
    kwargs = {"tol": 1e-10, "max_iter": 100_000, "alphas": 40}
    ref = sk.LassoCV(**kwargs).fit(X, y, sample_weight=weights)
    model = LassoCV(**kwargs).fit(X, y, sample_weight=weights)
    assert model.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    np.testing.assert_allclose(model.alphas_, ref.alphas_, rtol=1e-12)
    # held-out MSEs from tight fits: agreement well inside 1e-6
    np.testing.assert_allclose(model.mse_path_, ref.mse_path_, rtol=1e-6)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-5, atol=1e-6)
    assert not hasattr(model, "l1_ratio_")


def test_elastic_net_cv_picks_sklearns_pair():
    X, y = load_diabetes(return_X_y=True)
    kwargs = {"l1_ratio": [0.2, 0.7, 1.0], "alphas": 30, "tol": 1e-10, "max_iter": 100_000}
    ref = sk.ElasticNetCV(cv=3, **kwargs).fit(X, y)
    model = ElasticNetCV(cv=3, **kwargs).fit(X, y)
    assert (model.alpha_, model.l1_ratio_) == pytest.approx((ref.alpha_, ref.l1_ratio_))
    assert model.mse_path_.shape == (3, 30, 3) == ref.mse_path_.shape
    np.testing.assert_allclose(model.mse_path_, ref.mse_path_, rtol=1e-6)
    np.testing.assert_allclose(model.alphas_, ref.alphas_, rtol=1e-12)


def test_cv_accepts_a_splitter_and_rejects_too_many_folds():
    X, y = load_diabetes(return_X_y=True)
    model = LassoCV(cv=KFold(4, shuffle=True, random_state=0), alphas=10).fit(X, y)
    assert model.mse_path_.shape == (10, 4)
    with pytest.raises(ValueError, match="greater than the number of samples"):
        LassoCV(cv=50).fit(X[:20], y[:20])


def test_cv_bad_l1_ratio():
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(ValueError, match=r"l1_ratio must be in \[0, 1\]"):
        ElasticNetCV(l1_ratio=[0.5, 1.2]).fit(X, y)
    with pytest.raises(ValueError, match="needs an L1 penalty"):
        ElasticNetCV(l1_ratio=0.0).fit(X, y)
