"""How a fitted cell is scored: test metrics, validation loss, and correct digits.

Regression: RMSE, MAE, median absolute error, R² and adjusted R² on the test rows,

    R²_adj = 1 − (1 − R²) (n − 1) / (n − p − 1)        (n test rows, p features),

and the validation MSE (what sweeps rank by). Classification: accuracy, log loss, F1 and
ROC AUC on the test rows, and the validation log loss.

*Correct digits* compare the fitted coefficients (intercept first) with a reference solution
of the same model on the same training rows, as NIST scores its certified problems: the log
relative error of the worst coefficient, −log10(|b − b_ref| / |b_ref|), capped at 15. The
reference for least squares is glassbox's ``precision="extended"`` solve (100-digit decimal
arithmetic), or Householder QR when the problem is too large for it (n·p² > 2·10⁷); for
other models, the NumPy backend's first exact method.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from glassbox.bench import classification_metrics as cm
from glassbox.datasets.nist import correct_digits
from glassbox.metrics import (
    mean_absolute_error,
    mean_squared_error,
    median_absolute_error,
    r2_score,
    root_mean_squared_error,
)

__all__ = ["coefficients", "correct_digits_of", "reference_estimator", "score"]

EXTENDED_LIMIT = 2e7  # n·p² above which precision="extended" is too slow (see ols.py)
_EXACT_PREFERENCE = ("qr", "svd", "cholesky", "normal", "newton", "lbfgs")


def regression_scores(
    y: np.ndarray, prediction: np.ndarray, n_features: int, prefix: str
) -> dict[str, float | None]:
    """RMSE, MAE, median AE, R² and adjusted R² = 1 − (1 − R²)(n − 1)/(n − p − 1), keys prefixed."""
    n = len(y)
    r2 = r2_score(y, prediction) if n >= 2 else None
    adjusted = None
    if r2 is not None and n - n_features - 1 > 0:
        adjusted = 1.0 - (1.0 - r2) * (n - 1) / (n - n_features - 1)
    return {
        f"{prefix}_rmse": root_mean_squared_error(y, prediction),
        f"{prefix}_mae": mean_absolute_error(y, prediction),
        f"{prefix}_median_ae": median_absolute_error(y, prediction),
        f"{prefix}_r2": r2,
        f"{prefix}_adj_r2": adjusted,
    }


def _probabilities(estimator: Any, X: np.ndarray) -> np.ndarray | None:
    if not hasattr(estimator, "predict_proba"):
        return None
    return np.asarray(estimator.predict_proba(X), dtype=np.float64)


def classification_scores(
    estimator: Any, X: np.ndarray, y: np.ndarray, prefix: str
) -> dict[str, float | None]:
    """Accuracy, log loss, F1 and ROC AUC of a fitted classifier on (X, y), keys prefixed."""
    classes = np.asarray(getattr(estimator, "classes_", np.unique(y)))
    predicted = np.asarray(estimator.predict(X))
    proba = _probabilities(estimator, X)
    scores: dict[str, float | None] = {
        f"{prefix}_accuracy": cm.accuracy(y, predicted),
        f"{prefix}_f1": cm.f1(y, predicted, classes),
        f"{prefix}_log_loss": None,
        f"{prefix}_roc_auc": None,
    }
    if proba is not None:
        scores[f"{prefix}_log_loss"] = cm.log_loss(y, proba, classes)
        scores[f"{prefix}_roc_auc"] = cm.roc_auc(y, proba, classes)
    return scores


def score(
    estimator: Any,
    task: str,
    X_val: np.ndarray,
    y_val: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
) -> dict[str, float | None]:
    """Test metrics and the validation loss of a fitted estimator."""
    if task == "classification":
        scores = classification_scores(estimator, X_test, y_test, "test")
        if len(y_val):
            val = classification_scores(estimator, X_val, y_val, "val")
            loss = val["val_log_loss"]
            scores["val_loss"] = loss if loss is not None else 1.0 - float(val["val_accuracy"] or 0)
            scores["val_accuracy"] = val["val_accuracy"]
        else:
            scores["val_loss"] = None
        return scores
    p = X_test.shape[1]
    scores = regression_scores(y_test, np.asarray(estimator.predict(X_test)), p, "test")
    scores["val_loss"] = (
        mean_squared_error(y_val, np.asarray(estimator.predict(X_val))) if len(y_val) else None
    )
    return scores


def coefficients(estimator: Any) -> np.ndarray | None:
    """(intercept, coefficients) flattened, or None for a model without ``coef_``."""
    coef = getattr(estimator, "coef_", None)
    if coef is None:
        return None
    intercept = np.ravel(np.asarray(getattr(estimator, "intercept_", 0.0), dtype=np.float64))
    return np.r_[intercept, np.ravel(np.asarray(coef, dtype=np.float64))]


def reference_estimator(
    model: str, params: dict[str, Any], X: np.ndarray, y: np.ndarray
) -> tuple[Any, str] | None:
    """The reference fit of ``model`` on (X, y) and a sentence saying what it is; None when
    the model has no exact NumPy method."""
    from glassbox.registry import get_estimator, implementations

    cls = get_estimator(model)
    names = set(cls._param_names()) if hasattr(cls, "_param_names") else set()
    kept = {k: v for k, v in params.items() if k in names and k not in _DESCENT_PARAMS}
    if model == "LinearRegression":
        n, p = X.shape
        if n * (p + 1) ** 2 <= EXTENDED_LIMIT:
            chosen, text = {"precision": "extended"}, "LinearRegression(precision='extended')"
        else:
            chosen, text = (
                {"solver": "qr"},
                "LinearRegression(solver='qr') (too large for extended)",
            )
    else:
        exact = [
            i.method
            for i in implementations()
            if i.model == model and i.backend == "numpy" and i.exact
        ]
        if not exact:
            return None
        ranked = sorted(
            exact, key=lambda m: (_EXACT_PREFERENCE.index(m) if m in _EXACT_PREFERENCE else 99, m)
        )
        chosen, text = {"solver": ranked[0]}, f"{model}(solver={ranked[0]!r}) on numpy"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator = cls(**{**kept, **chosen, "backend": "numpy"}).fit(X, y)
    return estimator, text


_DESCENT_PARAMS = {
    "solver",
    "backend",
    "device",
    "dtype",
    "learning_rate",
    "optimizer",
    "batch_size",
    "max_epochs",
    "tol",
    "shuffle",
    "early_stopping",
    "validation_fraction",
    "n_iter_no_change",
    "average",
    "variance_reduction",
    "precision",
    "max_iter",
}


def correct_digits_of(estimator: Any, reference: Any) -> float | None:
    """NIST's correct significant digits of the worst coefficient (None if not comparable)."""
    mine, theirs = coefficients(estimator), coefficients(reference)
    if mine is None or theirs is None or mine.shape != theirs.shape:
        return None
    if not np.all(np.isfinite(mine)):
        return 0.0
    digits = correct_digits(mine, theirs)
    return None if math.isnan(digits) else digits
