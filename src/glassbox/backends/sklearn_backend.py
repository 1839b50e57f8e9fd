"""The scikit-learn backend: scikit-learn's own implementation of the *same* method.

Where scikit-learn has no such method (the textbook beta estimates, QR least squares, true
mini-batch or batch gradient descent), the registry records the absence instead of quietly
running another algorithm under the same name. scikit-learn is imported only inside a fit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.registry import (
    BackendFit,
    Implementation,
    register_absent,
    register_implementation,
)


def _linear_regression(estimator: Any, X: np.ndarray, Y: np.ndarray, w: Any) -> BackendFit:
    """scikit-learn's LinearRegression: SciPy's lstsq (LAPACK gelsd, an SVD) on centred data."""
    from sklearn.linear_model import LinearRegression

    model = LinearRegression(fit_intercept=estimator.fit_intercept).fit(X, Y, sample_weight=w)
    return BackendFit(model.coef_, np.atleast_1d(model.intercept_))


def _ridge(solver: str, alpha_of: Any) -> Any:
    def fit(estimator: Any, X: np.ndarray, Y: np.ndarray, w: Any) -> BackendFit:
        from sklearn.linear_model import Ridge

        model = Ridge(alpha_of(estimator), fit_intercept=estimator.fit_intercept, solver=solver)
        model.fit(X, Y, sample_weight=w)
        return BackendFit(model.coef_, np.atleast_1d(model.intercept_))

    return fit


def _sgd_regressor(estimator: Any, X: np.ndarray, Y: np.ndarray, w: Any) -> BackendFit:
    """scikit-learn's SGDRegressor (per-sample Cython loop), on the same standardized data.

    glassbox's hyperparameters map onto it: a numeric ``learning_rate`` becomes a constant
    ``eta0``; "auto" keeps scikit-learn's default ``invscaling`` schedule (eta0 = 0.01), which
    the fitted attribute ``learning_rate_reason_`` says.
    """
    from sklearn.linear_model import SGDRegressor

    from glassbox.linear.descent import Standardizer

    if Y.shape[1] != 1:
        raise ValueError("scikit-learn's SGDRegressor fits one target; pass a 1-D y.")
    scaler = Standardizer.fit(
        X, Y, w, fit_intercept=estimator.fit_intercept, standardize=estimator.standardize
    )
    rate = estimator.learning_rate
    if isinstance(rate, (int, float)) and not isinstance(rate, bool):
        schedule = {"learning_rate": "constant", "eta0": float(rate)}
        reason = f"constant eta0={float(rate)}"
    elif rate == "auto":
        schedule = {"learning_rate": "invscaling", "eta0": 0.01}
        reason = "scikit-learn's default: invscaling, eta0=0.01"
    else:
        raise ValueError(
            "backend='sklearn' maps a numeric learning_rate or 'auto' onto SGDRegressor; "
            f"got {rate!r}. Use backend='numpy' for schedules."
        )
    model = SGDRegressor(
        penalty=None,
        fit_intercept=estimator.fit_intercept,
        max_iter=estimator.max_epochs,
        tol=estimator.tol,
        shuffle=estimator.shuffle,
        random_state=estimator.random_state,
        early_stopping=estimator.early_stopping,
        validation_fraction=estimator.validation_fraction,
        n_iter_no_change=estimator.n_iter_no_change,
        average=estimator.average,
        **schedule,
    )
    Z = scaler.design(X)[:, : X.shape[1]]
    model.fit(Z, scaler.target(Y)[:, 0], sample_weight=w)
    W = np.r_[model.coef_, model.intercept_ if estimator.fit_intercept else []][:, None]
    coef, intercept = scaler.to_original(W)
    return BackendFit(
        coef,
        intercept,
        {"n_iter_": int(model.n_iter_), "learning_rate_reason_": reason},
    )


for method, fit, note in [
    ("auto", _linear_regression, "sklearn.linear_model.LinearRegression (its default)"),
    ("svd", _linear_regression, "LinearRegression: SciPy lstsq, LAPACK gelsd (SVD)"),
    ("normal", _ridge("cholesky", lambda e: 0.0), "Ridge(alpha=0, solver='cholesky')"),
    ("sgd", _sgd_regressor, "SGDRegressor(penalty=None), per-sample Cython loop"),
]:
    register_implementation(
        Implementation(
            "LinearRegression",
            method,
            "sklearn",
            task="regression",
            exact=method != "sgd",
            fit=fit,
            note=note,
        )
    )
for method, reason in [
    ("beta", "scikit-learn has no textbook simple-regression estimator"),
    ("qr", "scikit-learn solves least squares by SVD (gelsd), not QR"),
    ("bgd", "scikit-learn has no batch gradient descent for least squares"),
    ("minibatch", "scikit-learn has no mini-batch gradient descent (SGDRegressor is per-sample)"),
]:
    register_absent("LinearRegression", method, "sklearn", reason)

for method, solver in [("auto", "auto"), ("cholesky", "cholesky"), ("svd", "svd")]:
    register_implementation(
        Implementation(
            "Ridge",
            method,
            "sklearn",
            task="regression",
            exact=True,
            fit=_ridge(solver, lambda e: e.alpha),
            note=f"sklearn.linear_model.Ridge(solver={solver!r})",
        )
    )
register_absent("Ridge", "qr", "sklearn", "scikit-learn's Ridge has no QR solver")
for method, reason in [
    ("bgd", "scikit-learn has no batch gradient descent for ridge regression"),
    ("minibatch", "scikit-learn has no mini-batch gradient descent (SGDRegressor is per-sample)"),
    (
        "sgd",
        "SGDRegressor(penalty='l2') puts one α on the coefficients it descends on; glassbox's "
        "Ridge penalizes the original coefficients (α/(nσⱼ²) per standardized feature), so it "
        "would minimize another objective",
    ),
]:
    register_absent("Ridge", method, "sklearn", reason)


# --- the elastic-net family ----------------------------------------------------------------


def _elastic_net(estimator: Any, X: np.ndarray, Y: np.ndarray, w: Any) -> BackendFit:
    """scikit-learn's ElasticNet (or Lasso): Cython coordinate descent on the same objective."""
    from sklearn.linear_model import ElasticNet

    model = ElasticNet(
        alpha=estimator.alpha,
        l1_ratio=estimator._l1_ratio(),
        fit_intercept=estimator.fit_intercept,
        max_iter=estimator.max_iter,
        tol=estimator.tol,
        selection=estimator.selection,
        random_state=estimator.random_state,
    ).fit(X, Y if Y.shape[1] > 1 else Y[:, 0], sample_weight=w)
    return BackendFit(
        np.atleast_2d(model.coef_),
        np.atleast_1d(model.intercept_),
        {"n_iter_": model.n_iter_, "dual_gap_": model.dual_gap_},
    )


for model_name in ("Lasso", "ElasticNet"):
    register_implementation(
        Implementation(
            model_name,
            "cd",
            "sklearn",
            task="regression",
            exact=False,
            fit=_elastic_net,
            note="sklearn.linear_model.ElasticNet / Lasso (coordinate descent)",
        )
    )
    register_absent(model_name, "fista", "sklearn", "scikit-learn has no FISTA solver")


# --- logistic regression -------------------------------------------------------------------


def _logistic(solver: str) -> Any:
    def fit(estimator: Any, X: np.ndarray, Y: np.ndarray, w: Any) -> BackendFit:
        """scikit-learn's LogisticRegression with the same C, penalty and combined weights."""
        from sklearn.linear_model import LogisticRegression

        if estimator.penalty not in ("l2", None) or (
            estimator.penalty == "l2" and estimator._mixing() > 0
        ):
            raise ValueError(
                f"backend='sklearn' runs {solver} with penalty='l2' or None only; use "
                "backend='numpy' with solver='fista' for L1 and elastic-net penalties."
            )
        model = LogisticRegression(
            C=np.inf if estimator.penalty is None else estimator.C,
            l1_ratio=0.0,
            fit_intercept=estimator.fit_intercept,
            solver=solver,
            max_iter=estimator.max_iter,
            tol=estimator.tol,
        ).fit(X, Y[:, 0].astype(int), sample_weight=w)
        return BackendFit(model.coef_, model.intercept_, {"n_iter_": model.n_iter_})

    return fit


for method, solver in [("lbfgs", "lbfgs"), ("newton", "newton-cholesky")]:
    register_implementation(
        Implementation(
            "LogisticRegression",
            method,
            "sklearn",
            task="classification",
            exact=False,
            fit=_logistic(solver),
            note=f"sklearn.linear_model.LogisticRegression(solver={solver!r})",
        )
    )
for method, reason in [
    ("fista", "scikit-learn's L1 solvers are liblinear and saga, not FISTA"),
    ("bgd", "scikit-learn has no batch gradient descent for logistic regression"),
    ("minibatch", "scikit-learn has no mini-batch gradient descent"),
    ("sgd", "SGDClassifier's optimal/invscaling schedules differ from glassbox's sgd"),
]:
    register_absent("LogisticRegression", method, "sklearn", reason)
