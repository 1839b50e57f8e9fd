"""Logistic regression: binary (sigmoid) or multinomial (softmax), chosen from the labels.

The objective is scikit-learn's (1.9), whatever the solver:

    min_{W,b}  C Σ_i s_i ℓ_i(W, b) + ρ‖W‖₁ + ½(1 − ρ)‖W‖²                            (1)

with ℓ_i the log loss of eq. (1)/(2) in :mod:`glassbox.linear.logistic_loss`, ``s_i`` the
sample weight times its class weight, and ρ = 0 (``penalty="l2"``), 1 (``"l1"``),
``l1_ratio`` (``"elasticnet"``), or no penalty term at all (``None``). The intercept is
never penalized. Two classes use one coefficient vector (``coef_`` of shape (1, p));
more use one per class with the softmax (``coef_`` of shape (K, p)), which the L2 term
makes unique. Solvers minimize eq. (1) divided by ``C Σ s``; they are listed in
:data:`~glassbox.linear.logistic_solvers.LOGISTIC_SOLVERS`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from glassbox.backends.dispatch import check_backend_params, fit_with_backend, routes_to_dask
from glassbox.base import BaseEstimator, ClassifierMixin
from glassbox.exceptions import ConvergenceWarning
from glassbox.labels import check_classification_target, class_weights
from glassbox.linear.logistic_loss import LogisticProblem, log1pexp, log_softmax, sigmoid
from glassbox.linear.logistic_solvers import LOGISTIC_SOLVERS, SUPPORTS_L1
from glassbox.linear.params import check_bool, check_choice, check_int, check_real
from glassbox.registry import register_estimator
from glassbox.validation import check_sample_weight, validate_data

__all__ = ["LogisticRegression"]


_PENALTIES = ("l2", "l1", "elasticnet", None)


def make_problem(
    X: np.ndarray,
    encoded: np.ndarray,
    n_classes: int,
    weights: np.ndarray,
    *,
    penalty: str | None,
    C: float,
    rho: float,
    fit_intercept: bool,
) -> LogisticProblem:
    """Eq. (1) divided by ``C Σ s``, for class indices ``encoded`` and combined weights ``s``
    (what every engine minimizes)."""
    total = float(weights.sum())
    return LogisticProblem(
        X=X,
        Y=(encoded == 1).astype(np.float64) if n_classes == 2 else np.eye(n_classes)[encoded],
        weights=weights / total,
        l2=0.0 if penalty is None else (1.0 - rho) / (C * total),
        l1=0.0 if penalty is None else rho / (C * total),
        fit_intercept=fit_intercept,
    )


@register_estimator
class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Binary or multinomial logistic regression, eq. (1).

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet", None}, default="l2"
    C : float, default=1.0
        Inverse penalty strength, > 0.
    l1_ratio : float, optional
        ρ in [0, 1], required with ``penalty="elasticnet"``.
    fit_intercept : bool, default=True
    solver : {"lbfgs", "newton", "fista", "bgd", "minibatch", "sgd"}, default="lbfgs"
        L1 and elastic-net penalties need ``"fista"``. ``"bgd"``, ``"minibatch"``, ``"sgd"``
        run glassbox's descent loop on the same objective, in the coordinates of features
        standardized by their weighted means and deviations (the coefficients are mapped
        back exactly; :mod:`glassbox.linear.logistic_descent`).
    max_iter : int, default=100
        Iterations, or epochs for the descent solvers.
    tol : float, default=1e-4
        Stop when the max-norm of the (composite) gradient of eq. (1) / (C Σ s) is ≤ tol
        (the descent solvers use the loop's relative stopping rule with this tol).
    class_weight : None, "balanced" or dict
        Multiplies each sample's weight by its class's.
    random_state : None or int
        Row order of the stochastic solvers; same seed, same data: identical coefficients.
    batch_size : int, default=32
        Rows per step of ``"minibatch"``.
    learning_rate : "auto" or float > 0, default="auto"
        Step size of the descent solvers, in standardized units; "auto" derives it from the
        gradient's Lipschitz bound on the standardized features
        (:mod:`glassbox.linear.logistic_descent`). On Dask, ``"minibatch"`` streams the
        partitions with the same standardization, from statistics of all rows, and the same
        steps (:mod:`glassbox.linear.logistic_stream`).
    backend, device, dtype : the engine, as in :class:`~glassbox.LinearRegression`.

    Attributes
    ----------
    classes_ : ndarray of shape (K,), the sorted labels.
    coef_ : ndarray of shape (1, p) for two classes, (K, p) otherwise.
    intercept_ : ndarray of shape (1,) or (K,).
    n_iter_ : ndarray of shape (1,).
    solver_ : str.
    history_ : dict of lists, descent solvers only
        Per epoch: ``train_loss`` (eq. (1) / (C Σ s)), ``grad_norm`` (of the gradient in
        standardized coordinates), ``learning_rate``, ...
        (:class:`glassbox.optim.loop.DescentRun`).
    """

    def __init__(
        self,
        penalty: str | None = "l2",
        *,
        C: float = 1.0,
        l1_ratio: float | None = None,
        fit_intercept: bool = True,
        solver: str = "lbfgs",
        max_iter: int = 100,
        tol: float = 1e-4,
        class_weight: Any = None,
        random_state: Any = None,
        batch_size: int = 32,
        learning_rate: Any = "auto",
        backend: str = "numpy",
        device: str = "cpu",
        dtype: str = "float64",
    ) -> None:
        self.backend = backend
        self.device = device
        self.dtype = dtype
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.random_state = random_state
        self.batch_size = batch_size
        self.learning_rate = learning_rate

    def _mixing(self) -> float:
        """ρ of eq. (1) from ``penalty`` and ``l1_ratio``."""
        owner = type(self).__name__
        check_choice(owner, "penalty", self.penalty, _PENALTIES)
        if self.penalty == "elasticnet":
            if self.l1_ratio is None:
                raise ValueError(
                    f"{owner}: penalty='elasticnet' needs l1_ratio, a number in [0, 1]; got None."
                )
            return check_real(owner, "l1_ratio", self.l1_ratio, low=0.0, high=1.0)
        if self.l1_ratio is not None:
            check_real(owner, "l1_ratio", self.l1_ratio, low=0.0, high=1.0)
        return 1.0 if self.penalty == "l1" else 0.0

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        """Minimize eq. (1).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), any labels (at least two classes)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        owner = type(self).__name__
        rho = self._mixing()
        C = check_real(owner, "C", self.C, low=0.0, low_inclusive=False)
        check_int(owner, "max_iter", self.max_iter)
        tol = check_real(owner, "tol", self.tol, low=0.0)
        check_bool(owner, "fit_intercept", self.fit_intercept)
        check_choice(owner, "solver", self.solver, tuple(LOGISTIC_SOLVERS))
        check_backend_params(self)
        if self.penalty is not None and rho > 0 and self.solver not in SUPPORTS_L1:
            raise ValueError(
                f"{owner}: solver={self.solver!r} supports only penalty='l2' or None (or "
                f"an elastic net with l1_ratio=0); got penalty={self.penalty!r}. Use "
                f"solver={sorted(SUPPORTS_L1)[0]!r} for L1 and elastic-net penalties."
            )
        if routes_to_dask(self, X):  # a Dask array or DataFrame: fitted in passes, never loaded
            from glassbox.backends.dask_backend import fit_logistic_collection

            classes, fitted = fit_logistic_collection(self, X, y, sample_weight)
            self._store(classes, fitted.coef, fitted.intercept, fitted.attributes)
            self.backend_ = "dask"
            return self
        X = validate_data(self, X, reset=True)
        classes, encoded = check_classification_target(y, X.shape[0], owner=owner)
        weights = check_sample_weight(sample_weight, X.shape[0])
        weights = np.ones(X.shape[0]) if weights is None else weights.copy()
        weights *= class_weights(self.class_weight, classes, encoded)[encoded]
        present = np.bincount(encoded, weights=weights, minlength=len(classes)) > 0
        if present.sum() < 2:
            raise ValueError(
                f"{owner} needs samples of at least 2 classes with positive weight, but only "
                f"class {classes[present].tolist()} has any (after sample_weight and "
                "class_weight)."
            )
        problem = make_problem(
            X,
            encoded,
            len(classes),
            weights,
            penalty=self.penalty,
            C=C,
            rho=rho,
            fit_intercept=bool(self.fit_intercept),
        )
        if self.backend != "numpy":
            # The engine gets the class indices and the combined sample x class weights, so
            # it minimizes exactly eq. (1): C Σ wᵢ ℓᵢ + penalty.
            fitted = fit_with_backend(
                self, owner, self.solver, X, encoded[:, None].astype(np.float64), weights
            )
            self._store(classes, fitted.coef, fitted.intercept, fitted.attributes)
            return self
        solve = LOGISTIC_SOLVERS[self.solver]
        result = solve(
            problem,
            np.zeros(problem.n_params),
            max_iter=self.max_iter,
            tol=tol,
            random_state=self.random_state,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
        )
        if not result.converged:
            warnings.warn(
                f"{owner} ({self.solver}) failed to converge after {result.n_iter} "
                "iteration(s). Increase max_iter, scale the features (for example with "
                "StandardScaler) or strengthen the penalty (smaller C).",
                ConvergenceWarning,
                stacklevel=2,
            )
        W = problem.coef_matrix(result.coef)
        if self.fit_intercept:
            coef, intercept = W[:, :-1], W[:, -1]
        else:
            coef, intercept = W, np.zeros(W.shape[0])
        attributes: dict[str, Any] = {"n_iter_": np.array([result.n_iter])}
        if result.history is not None:
            attributes["history_"] = result.history
        self._store(classes, coef, intercept, attributes)
        return self

    def _store(
        self, classes: np.ndarray, coef: Any, intercept: Any, attributes: dict[str, Any]
    ) -> None:
        n_features = int(getattr(self, "n_features_in_"))  # noqa: B009 (set in fit)
        coef = np.ascontiguousarray(np.asarray(coef, dtype=np.float64).reshape(-1, n_features))
        intercept = np.asarray(intercept, dtype=np.float64).reshape(-1)
        if len(classes) > 2 and self.fit_intercept:
            intercept = intercept - intercept.mean()  # softmax is shift-invariant
        self.classes_ = classes
        self.coef_ = coef
        self.intercept_ = intercept
        self.solver_ = self.solver
        self.backend_ = self.backend
        self.device_ = attributes.pop("device_", "cpu")
        for name, value in attributes.items():
            setattr(self, name, value)

    def _lazy(self, X: Any, output: str) -> Any:
        """``output`` as a lazy Dask array when X is a Dask collection, else None."""
        if not (hasattr(X, "__dask_graph__") and hasattr(X, "__dask_keys__")):
            return None
        from glassbox.backends.dask_backend import classify_collection

        return classify_collection(self, X, output)

    def decision_function(self, X: Any) -> np.ndarray:
        """Margins ``Xwᵀ + b``: shape (n,) for two classes (positive → ``classes_[1]``),
        (n, K) otherwise (a lazy Dask array when X is a Dask collection, as for every
        method below)."""
        self._check_is_fitted()
        if (lazy := self._lazy(X, "decision_function")) is not None:
            return lazy
        X = validate_data(self, X, reset=False)
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``log P(class | x)``, computed stably: ``−log(1 + e^{∓z})`` or log-softmax."""
        self._check_is_fitted()
        if (lazy := self._lazy(X, "predict_log_proba")) is not None:
            return lazy
        return log_probabilities(self.decision_function(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        """``P(class | x)``: ``[1 − σ(z), σ(z)]`` or the softmax; rows sum to one."""
        self._check_is_fitted()
        if (lazy := self._lazy(X, "predict_proba")) is not None:
            return lazy
        return probabilities(self.decision_function(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class label."""
        self._check_is_fitted()
        if (lazy := self._lazy(X, "predict")) is not None:
            return lazy
        return labels_from_scores(self.decision_function(X), self.classes_)


def _as_scores(scores: np.ndarray) -> np.ndarray:
    """Margins of shape (n,) for two classes (also from an (n, 1) block), (n, K) otherwise."""
    return scores.ravel() if scores.ndim == 2 and scores.shape[1] == 1 else scores


def log_probabilities(scores: np.ndarray) -> np.ndarray:
    """``log P(class | x)`` from the margins (stable: ``−log(1 + e^{∓z})`` or log-softmax)."""
    scores = _as_scores(scores)
    if scores.ndim == 1:
        return np.column_stack([-log1pexp(scores), -log1pexp(-scores)])
    return log_softmax(scores)


def probabilities(scores: np.ndarray) -> np.ndarray:
    """``P(class | x)`` from the margins: ``[1 − σ(z), σ(z)]`` or the softmax."""
    scores = _as_scores(scores)
    if scores.ndim == 1:
        positive = sigmoid(scores)
        return np.column_stack([1.0 - positive, positive])
    return np.exp(log_softmax(scores))


def labels_from_scores(scores: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """The most probable class label for each row of margins."""
    scores = _as_scores(scores)
    if scores.ndim == 1:
        return classes[(scores > 0).astype(int)]
    return classes[np.argmax(scores, axis=1)]
