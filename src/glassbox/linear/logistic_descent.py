"""Logistic regression by gradient descent on standardized features.

The objective is eq. (3) of :mod:`glassbox.linear.logistic_loss`, with sᵢ the sample weight
times the class weight, normalized to Σ sᵢ = 1:

    f(W) = Σᵢ sᵢ ℓᵢ(W) + ½ l2 ‖W_pen‖².                                                  (1)

The descent does not run on the raw features: a step size that suits a column in
thousands is far too short for a column in thousandths, so it runs on standardized ones, with
the weighted means μ and standard deviations σ of the rows (root mean squares about 0
without an intercept; a constant column keeps σ = 1):

    zᵢ = (xᵢ − μ) / σ,     w_k = w̃_k / σ,     b_k = b̃_k − μᵀ(w̃_k / σ),                  (2)

an exact change of variables: the margins z̃ᵢᵀw̃_k = x̃ᵢᵀw_k are unchanged, and the penalty
becomes ½ Σ_kj λⱼ w̃_kj² with λⱼ = l2 / σⱼ² (the intercept b̃ unpenalized), so (1) is the
same function of the original coefficients and its minimizer maps to the minimizer here
(``history_["train_loss"]`` is (1) itself). A batch B of m rows estimates it without bias by

    f_B(W̃) = (1/m) Σ_{i∈B} n sᵢ ℓᵢ + ½ Σ_kj λⱼ w̃_kj²                                    (3)

(the penalty is deterministic, so every batch carries all of it), and each batch takes one
step of glassbox's SGD transform (:func:`glassbox.optim.loop.descend`),

    W̃ ← W̃ − η_t min(1, m / b) ∇f_B(W̃):                                                   (4)

``"bgd"`` one full step per epoch (b = n), ``"minibatch"`` one per ``batch_size`` = b rows,
``"sgd"`` one per row (b = 1). An epoch's last batch may hold m < b rows, and the factor m/b
makes it a part of a step (its curvature is below that of a full batch, so the step size of
b-row batches is safe for it); this is the step of the streamed descent,
:mod:`glassbox.linear.logistic_stream`, which shares this module's standardization, batch
loss and step sizes: over one chunk, with the same ``random_state``, the two take the same
steps.

Step size ("auto"). With z̃ = (z, 1) (the 1 only with an intercept) the Hessian of the mean
loss is at most c Σᵢ sᵢ z̃ᵢ z̃ᵢᵀ plus the penalty, c = ¼ for the sigmoid (σ' ≤ ¼) and ½ for
the softmax (diag(p) − ppᵀ ≼ ½ I), so

    L = c λ_max(Z̃ᵀ S Z̃) + maxⱼ λⱼ,        Z̃ᵀ S Z̃ = [[R, 0], [0, 1]]                      (5)

where R = diag(σ)⁻¹ Cov_s(x) diag(σ)⁻¹ is the weighted correlation matrix (the cross term is
Σ sᵢ zᵢ = 0 because μ is the weighted mean; without an intercept R is the uncentred
second-moment matrix scaled alike and there is no 1). One row's loss is at most
L_max = c n maxᵢ sᵢ ‖z̃ᵢ‖² + maxⱼ λⱼ smooth, and mini-batches of b rows are L_b-smooth in
expectation, L_b of eq. (2) of :mod:`glassbox.optim.lipschitz` (L_max at b = 1, L at b = n).
Full batches step 1/L; stochastic ones

    η_t = η₀ / (1 + 0.1 t / T),     η₀ = 1 / L_b,     T = ⌈n / b⌉ steps per epoch.          (6)

A ``learning_rate`` given as a number is η in these standardized units.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassbox.exceptions import ConvergenceWarning
from glassbox.linear.logistic_loss import LogisticProblem
from glassbox.optim.lipschitz import batch_smoothness
from glassbox.optim.loop import descend
from glassbox.optim.schedules import Inverse, LearningRate

__all__ = [
    "METHODS",
    "LogisticBatchObjective",
    "LogisticScaling",
    "StandardizedLogistic",
    "batch_value_grad",
    "check_batch_size",
    "check_learning_rate",
    "descent_rate",
    "descent_settings",
    "descent_solver",
    "penalty_strengths",
    "standardize",
]

METHODS = ("bgd", "minibatch", "sgd")
# Stochastic steps decay as η₀ / (1 + 0.1 t/T): slower than least squares' 4 t/T, because
# the curvature bound ¼ (σ' ≤ ¼) overstates the curvature near a solution that classifies
# confidently, so η₀ is already small; a fast decay would freeze the iterate far from the
# minimum (measured on breast cancer: 16% above the optimum after 60 epochs at 4, 0.1% at 0.1).
_EPOCH_DECAY = 0.1
# The loss-plateau stop waits 5 epochs or this many steps, whichever is longer: on small data an
# epoch is a handful of noisy steps, too few to tell a plateau from noise.
_PATIENCE_STEPS = 1000


def _curvature(n_classes: int) -> float:
    """c of eq. (5): ¼ for the sigmoid, ½ for the softmax."""
    return 0.25 if n_classes == 2 else 0.5


@dataclass(frozen=True)
class LogisticScaling:
    """μ, σ of eq. (2) and the maps between original and standardized coefficients."""

    x_mean: np.ndarray  # (p,)
    x_scale: np.ndarray  # (p,)
    correlation: np.ndarray  # (p, p): R of eq. (5)
    fit_intercept: bool

    @classmethod
    def from_moments(
        cls, x_mean: np.ndarray, moments: np.ndarray, fit_intercept: bool
    ) -> LogisticScaling:
        """From the weighted means and second moments (about μ, or about 0 without an
        intercept) of the columns, weights summing to 1."""
        p = moments.shape[0]
        x_mean = np.asarray(x_mean, dtype=np.float64).copy() if fit_intercept else np.zeros(p)
        x_scale = np.sqrt(np.clip(np.diag(moments), 0.0, None))
        x_scale[x_scale == 0] = 1.0  # a constant column stays as it is
        correlation = moments / np.outer(x_scale, x_scale)
        return cls(x_mean, x_scale, correlation, fit_intercept)

    @classmethod
    def from_statistics(cls, statistics: Any, fit_intercept: bool) -> LogisticScaling:
        """From merged :class:`~glassbox.distributed.statistics.SufficientStatistics` of X
        weighted by sᵢ ∝ wᵢ γ_{yᵢ}: exact weighted means, variances and R of eq. (5)."""
        p = int(statistics.n_features)
        moments = statistics.cross_products(fit_intercept)[0] / statistics.weight_sum  # (p, p)
        return cls.from_moments(statistics.x_mean[:p], moments, fit_intercept)

    @classmethod
    def from_data(cls, X: np.ndarray, weights: np.ndarray, fit_intercept: bool) -> LogisticScaling:
        """From the rows themselves, weighted by ``weights`` (summing to 1)."""
        x_mean = weights @ X if fit_intercept else np.zeros(X.shape[1])
        centred = X - x_mean if fit_intercept else X
        moments = (centred * weights[:, None]).T @ centred  # Σ sᵢ (xᵢ − μ)(xᵢ − μ)ᵀ
        return cls.from_moments(x_mean, moments, fit_intercept)

    def design(self, X: np.ndarray) -> np.ndarray:
        """Z = (X − μ) / σ of eq. (2); the column of ones is LogisticProblem's business."""
        return (X - self.x_mean) / self.x_scale

    def row_smoothness(self, X: np.ndarray, weights: np.ndarray) -> float:
        """maxᵢ wᵢ ‖z̃ᵢ‖² over these rows (0 for none): L_max of eq. (5) up to c n / S."""
        if len(X) == 0:
            return 0.0
        Z = self.design(X)
        norms = np.einsum("ij,ij->i", Z, Z) + float(self.fit_intercept)
        return float(np.max(weights * norms))

    def gram_top(self) -> float:
        """λ_max(Z̃ᵀ S Z̃) of eq. (5)."""
        top = float(np.linalg.eigvalsh(self.correlation)[-1])
        return max(top, 1.0) if self.fit_intercept else top

    def to_original(self, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Eq. (2): (coef (K, p), intercept (K,)) from standardized W̃ of shape (K, d)."""
        p = self.x_mean.size
        coef = W[:, :p] / self.x_scale  # (K, p)
        if not self.fit_intercept:
            return coef, np.zeros(W.shape[0])
        return coef, W[:, p] - coef @ self.x_mean

    def to_standardized(self, W: np.ndarray) -> np.ndarray:
        """Eq. (2) inverted: W̃ (K, d) from original W = [coef, intercept] of shape (K, d)."""
        p = self.x_mean.size
        standardized = np.array(W, dtype=np.float64)
        standardized[:, :p] = W[:, :p] * self.x_scale
        if self.fit_intercept:
            standardized[:, p] = W[:, p] + W[:, :p] @ self.x_mean
        return standardized


def penalty_strengths(scaling: LogisticScaling, l2: float, n_outputs: int) -> np.ndarray:
    """λ of eq. (2) on the flattened (K, d) coefficients: l2 / σⱼ², 0 on the intercept."""
    p = scaling.x_mean.size
    per_column = np.zeros(p + int(scaling.fit_intercept))
    per_column[:p] = l2 / scaling.x_scale**2
    return np.tile(per_column, n_outputs)


def check_batch_size(batch_size: Any, n_samples: int | None = None) -> int:
    """``batch_size`` as an int in [1, n_samples], or a ValueError saying what to pass."""
    bound = "" if n_samples is None else f" and the number of samples ({n_samples})"
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
        or (n_samples is not None and batch_size > n_samples)
    ):
        raise ValueError(f"batch_size={batch_size!r} must be an int between 1{bound}.")
    return int(batch_size)


def check_learning_rate(learning_rate: Any) -> float | None:
    """None for "auto", else the given constant step."""
    if isinstance(learning_rate, str) and learning_rate == "auto":
        return None
    if isinstance(learning_rate, bool) or not (
        isinstance(learning_rate, (int, float)) and 0 < learning_rate < math.inf
    ):
        raise ValueError(
            f"learning_rate must be 'auto' or a finite number > 0; got {learning_rate!r}."
        )
    return float(learning_rate)


def descent_rate(
    scaling: LogisticScaling,
    *,
    n_classes: int,
    l2: float,
    n_samples: int,
    row_smoothness: float,
    batch: int | None,
    steps_per_epoch: int,
) -> LearningRate:
    """The "auto" step: 1/L of eq. (5) for full batches (``batch=None``), else eq. (6).

    ``row_smoothness`` is maxᵢ sᵢ ‖z̃ᵢ‖² with Σ sᵢ = 1 over all n rows.
    """
    c = _curvature(n_classes)
    top_penalty = float(penalty_strengths(scaling, l2, 1).max())  # maxⱼ λⱼ
    L = c * scaling.gram_top() + top_penalty  # eq. (5)
    if batch is None:
        return 1.0 / L
    L_max = c * n_samples * row_smoothness + top_penalty
    L_b = batch_smoothness(L, max(L_max, L), n_samples, batch)
    return Inverse(1.0 / L_b, decay=_EPOCH_DECAY / max(1, steps_per_epoch))  # eq. (6)


def batch_value_grad(
    Z: np.ndarray,
    target: np.ndarray,
    scaled_weights: np.ndarray,
    strengths: np.ndarray,
    w: np.ndarray,
    fit_intercept: bool,
) -> tuple[float, np.ndarray]:
    """f_B and ∇f_B of eq. (3) on m standardized rows; ``scaled_weights`` holds n sᵢ."""
    m = len(scaled_weights)
    batch = LogisticProblem(Z, target, scaled_weights / m, 0.0, 0.0, fit_intercept)
    value, grad = batch.smooth_value_grad(w)  # the loss term of eq. (3)
    value += 0.5 * float(strengths @ (w * w))
    grad += strengths * w
    return value, grad


@dataclass(frozen=True)
class StandardizedLogistic:
    """Eq. (1) in the standardized coordinates of eq. (2): what every descent engine runs.

    ``problem`` holds Z, the targets and the normalized weights sᵢ, with no penalty of its
    own (l2 = l1 = 0); the penalty is ``strengths``, λ on the flattened (K, d) W̃.
    """

    problem: LogisticProblem
    scaling: LogisticScaling
    strengths: np.ndarray
    l2: float

    @property
    def n_classes(self) -> int:
        """Number of classes K (2 for a binary problem, which has one output)."""
        K = self.problem.n_outputs
        return 2 if K == 1 else K

    def original(self, w: np.ndarray) -> np.ndarray:
        """Flattened (K, d) original coefficients (intercept last) from W̃, eq. (2)."""
        coef, intercept = self.scaling.to_original(self.problem.coef_matrix(w))
        W = np.column_stack([coef, intercept]) if self.scaling.fit_intercept else coef
        return W.ravel()

    def standardized(self, w: np.ndarray) -> np.ndarray:
        """Flattened W̃ from flattened (K, d) original coefficients, eq. (2)."""
        return self.scaling.to_standardized(self.problem.coef_matrix(w)).ravel()

    def row_smoothness(self) -> float:
        """maxᵢ sᵢ ‖z̃ᵢ‖² (Σ sᵢ = 1)."""
        Z = self.problem.X
        norms = np.einsum("ij,ij->i", Z, Z) + float(self.problem.fit_intercept)
        return float(np.max(self.problem.weights * norms))


def standardize(problem: LogisticProblem) -> StandardizedLogistic:
    """Eq. (2) applied to ``problem`` (its l1 must be 0: descent has no L1 step)."""
    scaling = LogisticScaling.from_data(problem.X, problem.weights, problem.fit_intercept)
    standardized = LogisticProblem(
        X=scaling.design(problem.X),
        Y=problem.Y,
        weights=problem.weights,
        l2=0.0,
        l1=0.0,
        fit_intercept=problem.fit_intercept,
    )
    strengths = penalty_strengths(scaling, problem.l2, problem.n_outputs)
    return StandardizedLogistic(standardized, scaling, strengths, problem.l2)


class LogisticBatchObjective:
    """Eq. (3) on any rows, times min(1, m/b) (eq. (4)); params = (w̃,), W̃ flattened (K, d).

    Over the full data (m = n ≥ b) this is eq. (1) itself, what the loop reports and stops on.
    """

    def __init__(self, standardized: StandardizedLogistic, batch_size: int | None) -> None:
        self.standardized = standardized
        self.n_samples = standardized.problem.X.shape[0]
        self.batch_size = self.n_samples if batch_size is None else int(batch_size)
        self.scaled_weights = standardized.problem.weights * self.n_samples  # n sᵢ of eq. (3)

    def value_and_grad(
        self, params: tuple[np.ndarray, ...], rows: Any
    ) -> tuple[float, tuple[np.ndarray, ...]]:
        """Mean penalized log loss over ``rows`` and its gradient, in standardized units."""
        problem, n = self.standardized.problem, self.n_samples
        m = len(range(*rows.indices(n))) if isinstance(rows, slice) else len(rows)
        value, grad = batch_value_grad(
            problem.X[rows],
            problem.Y[rows],
            self.scaled_weights[rows],
            self.standardized.strengths,
            params[0],
            problem.fit_intercept,
        )
        if m < self.batch_size:  # eq. (4): a short batch is part of a step
            value, grad = value * (m / self.batch_size), grad * (m / self.batch_size)
        return value, (grad,)

    def value(self, params: tuple[np.ndarray, ...], rows: Any) -> float:
        """Mean penalized log loss over ``rows`` (see ``value_and_grad``)."""
        return self.value_and_grad(params, rows)[0]

    def grad(self, params: tuple[np.ndarray, ...], rows: Any) -> tuple[np.ndarray, ...]:
        """Gradient of the mean penalized log loss over ``rows`` (see ``value_and_grad``)."""
        return self.value_and_grad(params, rows)[1]


def descent_settings(
    standardized: StandardizedLogistic, method: str, batch_size: Any, learning_rate: Any
) -> tuple[Any, int | None, int]:
    """(step size or schedule, rows per step or None for full batches, plateau patience) of
    ``method``, checked: what every engine running eq. (4) in memory must use."""
    n_samples = standardized.problem.X.shape[0]
    if method == "minibatch":
        check_batch_size(batch_size, n_samples)
    given = check_learning_rate(learning_rate)
    batch = None if method == "bgd" else (1 if method == "sgd" else int(batch_size))
    steps_per_epoch = 1 if batch is None else math.ceil(n_samples / batch)
    rate: Any = given
    if given is None:
        rate = descent_rate(
            standardized.scaling,
            n_classes=standardized.n_classes,
            l2=standardized.l2,
            n_samples=n_samples,
            row_smoothness=0.0 if batch is None else standardized.row_smoothness(),
            batch=batch,
            steps_per_epoch=steps_per_epoch,
        )
    patience = max(5, math.ceil(_PATIENCE_STEPS / steps_per_epoch))
    return rate, batch, patience


def descent_solver(method: str) -> Any:
    """A solver for :data:`~glassbox.linear.logistic_solvers.LOGISTIC_SOLVERS` running
    ``method`` ("bgd", "minibatch" or "sgd"); ``max_iter`` counts epochs."""

    def solve(
        problem: LogisticProblem,
        w0: np.ndarray,
        *,
        max_iter: int,
        tol: float,
        random_state: Any = None,
        batch_size: int = 32,
        learning_rate: Any = "auto",
        **_: Any,
    ) -> Any:
        from glassbox.linear.logistic_solvers import SolverResult

        standardized = standardize(problem)
        rate, batch, patience = descent_settings(standardized, method, batch_size, learning_rate)
        start = standardized.standardized(np.asarray(w0, dtype=np.float64))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # the estimator warns once
            run = descend(
                LogisticBatchObjective(standardized, batch),
                (start,),
                optimizer="sgd",
                learning_rate=rate,
                batch_size=batch,
                max_epochs=max_iter,
                tol=tol,
                n_iter_no_change=patience,
                rng=np.random.default_rng(random_state),
            )
        coef = standardized.original(run.params[0])
        return SolverResult(coef, run.n_epochs, run.converged, run.history)

    solve.__doc__ = f"Logistic regression by {method} (:mod:`glassbox.linear.logistic_descent`)."
    return solve
