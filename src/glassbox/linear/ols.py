"""``LinearRegression``: ordinary (and weighted) least squares, exact or by gradient descent.

The model is

    ŷ = b + X β,     (b, β) = argmin Σᵢ wᵢ (yᵢ - b - xᵢᵀβ)²                                (1)

solved by one of the exact solvers in :data:`glassbox.linear.solvers.SOLVERS` ("beta",
"normal", "qr", "svd"), by the one ``solver="auto"`` picks for the data at hand, or by
gradient descent ("bgd", "sgd", "minibatch", :mod:`glassbox.linear.descent`), which
minimizes the same objective (scaled by 1/2n) and so reaches the same minimum.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from glassbox.backends.dispatch import (
    check_backend_params,
    fit_collection,
    fit_with_backend,
    predict_collection,
    store,
)
from glassbox.base import BaseEstimator, RegressorMixin
from glassbox.exceptions import RankDeficientWarning
from glassbox.linear.descent import METHODS as DESCENT_METHODS
from glassbox.linear.descent import DescentState, fit_descent, partial_fit_descent
from glassbox.linear.extended import solve_extended
from glassbox.linear.problem import LeastSquaresProblem
from glassbox.linear.solvers import SOLVERS, choose_solver
from glassbox.registry import register_estimator
from glassbox.validation import check_sample_weight, check_target, validate_data

PRECISIONS = ("double", "extended")


@register_estimator
class LinearRegression(RegressorMixin, BaseEstimator):
    """Least-squares linear regression with exact solvers that keep their digits.

    Parameters
    ----------
    fit_intercept : bool, default True
        Estimate the intercept b (else b = 0 and the data are not centred).
    solver : {"auto", "beta", "normal", "qr", "svd"}, default "auto"
        ``"beta"``: the textbook estimates slope = cov(x, y)/var(x), intercept = ȳ - slope·x̄
        (one feature). ``"normal"``: Cholesky on the centred, equilibrated normal equations.
        ``"qr"``: Householder QR with R's limited column pivoting (a column numerically
        dependent on earlier ones is set aside with coefficient 0; the rest keep their order).
        ``"svd"``: minimum-norm least squares with cutoff max(n, p)·ε·s_max on the
        equilibrated design. ``"auto"``: Cholesky when the scaled design is well conditioned
        (cond ≤ 1e4), QR otherwise, SVD when there are fewer samples than unknowns.
        ``"bgd"``, ``"sgd"``, ``"minibatch"``: batch, per-sample and mini-batch gradient
        descent on the standardized data (the parameters below apply to these only).
    precision : {"double", "extended"}, default "double"
        ``"double"`` factors in float64 and refines with extended-precision residuals (at least
        7 correct digits on designs with cond up to ~1e12 once scaled). ``"extended"`` solves
        small problems in 100-digit decimal arithmetic (13+ digits; n·p² ≤ 2e7).
    learning_rate : float, "auto" or a schedule from :mod:`glassbox.optim`, default "auto"
        "auto" derives the step from the Lipschitz constant of the gradient (power iteration).
    optimizer : str or GradientTransformation, default "auto"
        ``"auto"``: conjugate gradient for ``"bgd"``, SVRG steps for ``"sgd"`` and
        ``"minibatch"`` (both reach the exact minimum whatever the noise), plain steps when
        ``learning_rate`` is given (:func:`glassbox.linear.descent.choose_algorithm`);
        ``optimizer_`` says what ran. Or ``"conjugate_gradient"`` (bgd), or any name in
        ``glassbox.optim.OPTIMIZERS`` (sgd, momentum, nesterov, adagrad, rmsprop, adam, ...).
    batch_size : int, default 32 — rows per step of ``"minibatch"``.
    max_epochs : int, default 1000
    tol : float or None, default 1e-9 — stop when the full gradient norm falls below tol times
        its starting size (or, for plain stochastic steps, the loss stops improving by tol
        relative); None runs all ``max_epochs`` (scikit-learn's meaning).
    shuffle : bool, default True
    random_state : int, Generator or None — same seed, same data: bit-identical coefficients.
    early_stopping, validation_fraction, n_iter_no_change : hold out a validation split and stop
        when its loss stops improving.
    average : bool or int, default False — Polyak averaging of the iterates.
    variance_reduction : None or "svrg" — converge linearly to the exact solution.
    standardize : bool, default True — descend on standardized X and y (statistics from the
        training data only) and report coefficients in the original units.
    backend : {"numpy", "torch", "sklearn", "dask"}, default "numpy"
        The engine that runs ``solver`` (see ``glassbox.registry.available()``); results come
        back as NumPy arrays in the same attributes whichever engine ran.
    device : {"cpu", "cuda", "auto"}, default "cpu" — where the torch backend computes.
    dtype : {"float64", "float32"}, default "float64" — float32 on the torch backend only.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    solver_ : str — the solver that ran; ``solver_reason_`` says why ("auto").
    cond_ : float — estimated condition number of the centred, equilibrated design.
    rank_ : int — numerical rank of that design (the intercept not counted).
    redundant_features_ : ndarray of int — columns found to be linear combinations of earlier
        ones (or constant, with an intercept), given coefficient 0 (``"svd"`` spreads weight
        over collinear columns instead and reports only ``rank_``).
    singular_ : ndarray or None — singular values of the scaled design (``"svd"`` only).
    refinement_steps_ : int — iterative-refinement steps taken.
    n_iter_, n_steps_, converged_, history_, learning_rate_reason_ : descent solvers only:
        epochs, updates, whether ``tol`` was met, the per-epoch record (training loss,
        validation loss, gradient norm, learning rate, elapsed seconds), and why the step size.
    optimizer_, variance_reduction_ : descent solvers only: what ``"auto"`` ran.
    n_features_in_, feature_names_in_ : as in scikit-learn.
    """

    intercept_: float | np.ndarray
    _descent_state: DescentState | None

    def __init__(
        self,
        *,
        fit_intercept: bool = True,
        solver: str = "auto",
        precision: str = "double",
        learning_rate: Any = "auto",
        optimizer: Any = "auto",
        batch_size: int = 32,
        max_epochs: int = 1000,
        tol: float | None = 1e-9,
        shuffle: bool = True,
        random_state: Any = None,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 5,
        average: bool | int = False,
        variance_reduction: str | None = None,
        standardize: bool = True,
        backend: str = "numpy",
        device: str = "cpu",
        dtype: str = "float64",
    ) -> None:
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.precision = precision
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.tol = tol
        self.shuffle = shuffle
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.average = average
        self.variance_reduction = variance_reduction
        self.standardize = standardize
        self.backend = backend
        self.device = device
        self.dtype = dtype

    def _descent_options(self) -> dict[str, Any]:
        return {
            "fit_intercept": bool(self.fit_intercept),
            "learning_rate": self.learning_rate,
            "optimizer": self.optimizer,
            "batch_size": self.batch_size,
            "shuffle": self.shuffle,
            "random_state": self.random_state,
            "average": self.average,
            "standardize": self.standardize,
        }

    def _fit_descent(
        self,
        X: np.ndarray,
        y: np.ndarray,
        weights: np.ndarray | None,
        validation_data: tuple[Any, Any] | None = None,
    ) -> None:
        if self.precision != "double":
            raise ValueError(
                f"precision={self.precision!r} applies to the exact solvers; descent solver "
                f"{self.solver!r} runs in float64. Use precision='double'."
            )
        result = fit_descent(
            X,
            y,
            weights,
            method=self.solver,
            max_epochs=self.max_epochs,
            tol=self.tol,
            early_stopping=self.early_stopping,
            validation_fraction=self.validation_fraction,
            n_iter_no_change=self.n_iter_no_change,
            variance_reduction=self.variance_reduction,
            validation_data=validation_data,
            **self._descent_options(),
            check_input=False,  # validate_data and check_target ran in fit
        )
        self.solver_ = self.solver
        self.solver_reason_ = "chosen by the user"
        for name, value in result.fitted_attributes().items():
            setattr(self, name, value)
        self._descent_state = result.state

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearRegression:
        """One pass of descent over (X, y), continuing from earlier calls (streaming data).

        Runs ``solver`` when it is a descent solver, else per-sample ``"sgd"``. The first call
        fixes the standardization and the automatic step size from its chunk.
        """
        self._check_params()
        if self.backend != "numpy":
            raise ValueError(
                f"partial_fit runs on backend='numpy'; backend={self.backend!r} fits with fit()."
            )
        method = self.solver if self.solver in DESCENT_METHODS else "sgd"
        first = getattr(self, "_descent_state", None) is None
        X = validate_data(self, X, reset=first)
        y = check_target(y, X.shape[0], estimator_name=type(self).__name__)
        weights = check_sample_weight(sample_weight, X.shape[0])
        state = partial_fit_descent(
            X,
            y,
            weights,
            state=getattr(self, "_descent_state", None),
            method=method,
            **self._descent_options(),
        )
        self._descent_state = state
        self.solver_ = method
        self.solver_reason_ = "partial_fit: one pass of descent per call"
        self.coef_ = state.coef
        self.intercept_ = state.intercept
        self.n_iter_ = getattr(self, "n_iter_", 0) + 1
        return self

    def _check_params(self) -> None:
        names = ("auto", *SOLVERS, *DESCENT_METHODS)
        if not isinstance(self.solver, str) or self.solver not in names:
            raise ValueError(
                f"Unknown solver {self.solver!r} for LinearRegression; valid solvers are "
                f"{list(names)}."
            )
        if self.precision not in PRECISIONS:
            raise ValueError(
                f"precision must be one of {list(PRECISIONS)}; got {self.precision!r}."
            )
        if not isinstance(self.fit_intercept, (bool, np.bool_)):
            raise TypeError(f"fit_intercept must be True or False; got {self.fit_intercept!r}.")
        check_backend_params(self)

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        *,
        validation_data: tuple[Any, Any] | None = None,
    ) -> LinearRegression:
        """Fit the model by least squares; returns ``self``.

        ``validation_data=(X_val, y_val)``: held-out rows for early stopping of the descent
        solvers (implies ``early_stopping``; standardized with the training statistics).
        """
        self._check_params()
        self._descent_state = None
        if fit_collection(self, "LinearRegression", self.solver, X, y, sample_weight):
            return self  # a Dask array or DataFrame: fitted in passes, never loaded here
        X = validate_data(self, X, reset=True)
        y = check_target(y, X.shape[0], estimator_name=type(self).__name__)
        weights = check_sample_weight(sample_weight, X.shape[0])
        if self.backend != "numpy":
            fitted = fit_with_backend(
                self, "LinearRegression", self.solver, X, y.reshape(len(y), -1), weights
            )
            store(self, fitted, y.ndim)
            return self
        self.backend_, self.device_ = "numpy", "cpu"
        if self.solver in DESCENT_METHODS:
            self._fit_descent(X, y, weights, validation_data)
            return self
        if validation_data is not None:
            raise ValueError(
                f"validation_data is for early stopping of the descent solvers; solver="
                f"{self.solver!r} is exact. Use solver='bgd', 'sgd' or 'minibatch', or drop it."
            )
        problem = LeastSquaresProblem(X, y.reshape(len(y), -1), weights, bool(self.fit_intercept))

        if self.solver == "auto":
            name, reason = choose_solver(problem)
        else:
            name, reason = self.solver, "chosen by the user"
        solution = SOLVERS[name](problem)
        coef, intercept = solution.coef, solution.intercept
        if self.precision == "extended":
            if name == "svd" and solution.rank < solution.kept.size:
                raise ValueError(
                    "precision='extended' needs a unique least-squares solution, but the design "
                    f"is rank deficient (rank {solution.rank} of {solution.kept.size} columns) "
                    "and solver='svd' returns the minimum-norm one. Use solver='qr' (redundant "
                    "columns get coefficient 0) or precision='double'."
                )
            coef, intercept = solve_extended(problem, solution.kept)

        self.solver_ = name
        self.solver_reason_ = reason
        self.cond_ = solution.cond
        self.rank_ = solution.rank
        self.singular_ = solution.singular_values
        self.refinement_steps_ = solution.refinement_steps
        redundant = np.setdiff1d(np.arange(X.shape[1]), solution.kept)
        self.redundant_features_ = redundant if name != "svd" else problem.null_columns
        self.coef_ = coef[:, 0] if y.ndim == 1 else np.ascontiguousarray(coef.T)
        self.intercept_ = float(intercept[0]) if y.ndim == 1 else intercept
        if solution.rank < X.shape[1]:
            self._warn_rank_deficient(X.shape[1], name)
        return self

    def _warn_rank_deficient(self, n_features: int, solver: str) -> None:
        redundant = [int(j) for j in self.redundant_features_]
        names = getattr(self, "feature_names_in_", None)
        labels = [f"{j} ({names[j]!r})" if names is not None else str(j) for j in redundant]
        if solver == "svd":
            action = "the minimum-norm solution spreads weight over the collinear columns"
            if labels:
                action += f"; constant column(s) {', '.join(labels)} got coefficient 0"
        else:
            action = (
                f"column(s) {', '.join(labels)} are constant or linear combinations of earlier "
                "columns and were given coefficient 0"
            )
        warnings.warn(
            f"X is rank deficient (rank {self.rank_} of {n_features} features): {action}.",
            RankDeficientWarning,
            stacklevel=3,
        )

    def predict(self, X: Any) -> np.ndarray:
        """ŷ = b + X β (a lazy Dask array when X is a Dask collection)."""
        self._check_is_fitted()
        if (lazy := predict_collection(self, X)) is not None:
            return lazy
        X = validate_data(self, X, reset=False)
        coef = np.asarray(self.coef_)
        return np.asarray(X @ coef.T + self.intercept_)
