"""Least squares by gradient descent: batch, stochastic and mini-batch, as pure functions.

The objective, for weights sᵢ (ones by default), is

    F(w, b) = (1/2n) Σᵢ sᵢ (yᵢ − xᵢᵀw − b)²,                                 (1)
    ∇_w F = −(1/n) Σᵢ sᵢ rᵢ xᵢ,   ∂_b F = −(1/n) Σᵢ sᵢ rᵢ,   rᵢ = yᵢ − xᵢᵀw − b,

the same objective the exact solvers minimize, so every method here converges to the same
(w, b). Several targets (y of shape (n, k)) are k independent problems summed.

Descent is sensitive to feature scale, so by default (``standardize=True``) the solver
descends on z = ((x − x̄)/σ, 1) and ỹ = (y − ȳ)/σ_y, with the (weighted) means and standard
deviations of the training data, and maps the solution back exactly:

    w = σ_y w̃ / σ,          b = ȳ + σ_y (b̃ − x̄ᵀ(w̃ / σ)).                      (2)

With ``fit_intercept=False`` nothing is centred and σ, σ_y are root mean squares.

The intercept of full-batch descent on centred data
---------------------------------------------------
With ``standardize`` and ``fit_intercept`` the columns of z̃ = (x − x̄)/σ and ỹ have (weighted)
mean zero, Σᵢ sᵢ z̃ᵢ = 0 and Σᵢ sᵢ ỹᵢ = 0, so in eq. (1) the intercept decouples from w̃:

    ∂F/∂b̃ = (Σᵢ sᵢ / n) b̃ − (1/n) Σᵢ sᵢ (ỹᵢ − z̃ᵢᵀw̃) = (Σᵢ sᵢ / n) b̃,
    b̃* = mean_s(ỹ) − mean_s(z̃)ᵀw̃ = 0   for every w̃.                            (3)

When every step sees all the rows the statistics came from (``bgd``, or a batch as large as
the data, without a random validation split), :func:`fit_descent` therefore holds b̃ at
exactly 0, its optimum, and descends on w̃ alone (the column of ones is left out of Z); the
intercept in original units still comes from eq. (2), b = ȳ − σ_y x̄ᵀ(w̃/σ). Computed as a sum,
∂F/∂b̃ at b̃ = 0 is rounding noise (~1e-17) that AdaGrad, RMSProp and Adam would divide by its
own size and turn into steps of size η; held at 0, every optimizer agrees with the PyTorch
backend to rounding. A warm start with b̃ ≠ 0 is set to the optimum 0 at once. Mini-batches
(whose own means are not zero) and ``partial_fit`` (later chunks are not centred) learn b̃.

Methods
-------
``bgd``        one update per epoch with the full gradient;
``minibatch``  one update per ``batch_size`` rows;
``sgd``        one update per row. With plain SGD steps the per-row recurrence
               w_{k+1} = w_k − η_k s_k r_k z_k is evaluated a block of rows at a time: the
               residuals of a block solve the unit lower-triangular system
               (I + L C) r = Z_B w₀ − y_B, L = strict lower triangle of Z_B Z_Bᵀ,
               C = diag(η_k s_k), then w ← w₀ − Z_Bᵀ C r; the same iterates, up to rounding,
               in level-3 BLAS instead of a Python loop.

The automatic step size (``learning_rate="auto"``) comes from the Lipschitz constants of
:mod:`glassbox.optim.lipschitz`: 1/L for full batches; for stochastic steps η₀ = 1/L_b with
L_b the mini-batch smoothness (L_max per sample), decaying as η₀ / (1 + 4t/T) (T = steps per
epoch) to shrink the noise floor; SVRG keeps a constant 1/(2 L_b); stochastic momentum uses
1/(10 L_b); adaptive optimizers (AdaGrad, RMSProp, Adam, AdamW) use 0.01 in standardized
units.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy.linalg.blas import dsyrk
from scipy.linalg.lapack import dtrtrs

from glassbox.optim.lipschitz import batch_smoothness, largest_eigenvalue, max_sample_smoothness
from glassbox.optim.loop import DescentRun, LoopState, Objective, check_loop_parameters, descend
from glassbox.optim.penalties import L2Penalized
from glassbox.optim.schedules import SCHEDULES, Inverse, LearningRate, get_schedule
from glassbox.optim.transforms import OPTIMIZERS, GradientTransformation, get_optimizer
from glassbox.validation import as_float_array, check_sample_weight, check_target

__all__ = [
    "METHODS",
    "DescentResult",
    "DescentState",
    "LeastSquaresObjective",
    "Standardizer",
    "auto_learning_rate",
    "fit_descent",
    "holds_intercept_at_zero",
    "partial_fit_descent",
]

METHODS = ("bgd", "minibatch", "sgd")
ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw")
_BLOCK = 64  # rows per triangular solve in the fused SGD kernel
_CHUNK = 512  # rows gathered at once (fits in cache)
# Plain stochastic steps decay as η₀ / (1 + 4 e) after e epochs: fast enough to push the noise
# floor below 1e-4 relative within a few tens of epochs on well-conditioned data, slow enough
# (Σ η diverges) not to freeze the iterate early. Tuned on standardized Gaussian designs.
_EPOCH_DECAY = 4.0


# --- the objective ------------------------------------------------------------------------


class LeastSquaresObjective:
    """Eq. (1) on a prepared design Z (n, q) and target Y (n,) or (n, k); params = (W,)."""

    def __init__(self, Z: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None) -> None:
        self.Z, self.Y, self.sample_weight = Z, Y, sample_weight
        self.n_samples = Z.shape[0]

    def _count(self, rows: Any) -> int:
        if isinstance(rows, slice):
            return len(range(*rows.indices(self.n_samples)))
        return len(rows)

    def _weighted_residual(self, W: np.ndarray, rows: Any) -> tuple[np.ndarray, np.ndarray]:
        ZB = self.Z[rows]
        R = ZB @ W - self.Y[rows]  # (B,) or (B, k): minus the residual r of eq. (1)
        if self.sample_weight is not None:
            s = self.sample_weight[rows]
            return ZB, R * (s if R.ndim == 1 else s[:, None])
        return ZB, R

    def value(self, params: tuple[np.ndarray, ...], rows: Any) -> float:
        """(1/2m) Σ_{i∈rows} sᵢ ‖yᵢ − zᵢᵀW‖²."""
        (W,) = params
        R = self.Z[rows] @ W - self.Y[rows]
        squares = R * R if R.ndim == 1 else np.einsum("ij,ij->i", R, R)
        if self.sample_weight is not None:
            squares = squares * self.sample_weight[rows]
        return 0.5 * float(squares.sum()) / self._count(rows)

    def grad(self, params: tuple[np.ndarray, ...], rows: Any) -> tuple[np.ndarray, ...]:
        """(1/m) Σ_{i∈rows} sᵢ zᵢ (zᵢᵀW − yᵢ)."""
        (W,) = params
        ZB, SR = self._weighted_residual(W, rows)
        return (ZB.T @ SR / len(ZB),)

    def value_and_grad(
        self, params: tuple[np.ndarray, ...], rows: Any
    ) -> tuple[float, tuple[np.ndarray, ...]]:
        """Both (1/2m) Σ sᵢ (zᵢᵀW − yᵢ)² and its gradient over ``rows``, from one residual."""
        (W,) = params
        ZB = self.Z[rows]
        R = ZB @ W - self.Y[rows]
        SR = R
        if self.sample_weight is not None:
            s = self.sample_weight[rows]
            SR = R * (s if R.ndim == 1 else s[:, None])
        m = len(ZB)
        return 0.5 * float(np.vdot(R, SR)) / m, (ZB.T @ SR / m,)

    def plain_sgd_run(
        self,
        params: tuple[np.ndarray, ...],
        rows: np.ndarray,
        learning_rates: np.ndarray,
        control: tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]] | None,
        average_mask: np.ndarray | None,
    ) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """Plain per-sample SGD over ``rows`` in order, a block of rows at a time.

        Step k: w ← w − η_k s_k z_k (z_kᵀw − y_k). With SVRG ``control`` = (w̃, ∇F(w̃)) the
        step is w ← w − η_k (s_k z_k z_kᵀ(w − w̃) + ∇F(w̃)). For a block starting at w₀ with
        c_k = η_k s_k and e_k = Σ_{j<k} η_j, the residuals satisfy

            r_k + Σ_{j<k} c_j (z_kᵀz_j) r_j = z_kᵀw₀ − t_k − e_k z_kᵀ∇F(w̃),

        (t = y, or Z w̃ under SVRG; the last term only under SVRG), a unit lower-triangular
        system, and w_B = w₀ − Σ_k c_k r_k z_k − e_B ∇F(w̃). Returns the final w and
        Σ_k mask_k w_k (the sum of the iterates that enter a Polyak average).
        """
        (W,) = params
        W = np.array(W, dtype=np.float64, order="C")
        Z, Y = self.Z, self.Y
        coefficients = (
            learning_rates
            if self.sample_weight is None
            else (learning_rates * self.sample_weight[rows])
        )
        uniform = bool(np.all(coefficients == coefficients[0]))
        snapshot = drift = None
        if control is not None:
            snapshot, drift = control[0][0], control[1][0]
        iterate_sum = np.zeros_like(W) if average_mask is not None else None
        contiguous = (
            rows.size > 0
            and rows[-1] - rows[0] == rows.size - 1
            and bool(np.all(np.diff(rows) == 1))
        )
        buffer = np.empty((min(_CHUNK, rows.size), Z.shape[1]))
        for chunk_start in range(0, rows.size, _CHUNK):
            chunk_rows = rows[chunk_start : chunk_start + _CHUNK]
            m = chunk_rows.size
            if contiguous:
                ZC = Z[chunk_rows[0] : chunk_rows[0] + m]
                YC = Y[chunk_rows[0] : chunk_rows[0] + m]
            else:
                ZC = np.take(Z, chunk_rows, axis=0, out=buffer[:m])
                YC = np.take(Y, chunk_rows, axis=0)
            for start in range(0, m, _BLOCK):
                ZB = ZC[start : start + _BLOCK]  # (B, q)
                position = slice(chunk_start + start, chunk_start + start + len(ZB))
                c = coefficients[position]
                if uniform:
                    G = dsyrk(float(c[0]), ZB, lower=1)  # c · Z_B Z_Bᵀ, lower triangle
                else:
                    G = dsyrk(1.0, ZB, lower=1)
                    G *= c[None, :]  # column j scaled by c_j: the matrix L C
                if snapshot is None:
                    r0 = ZB @ W - YC[start : start + len(ZB)]
                else:
                    r0 = ZB @ (W - snapshot)
                    rates = learning_rates[position]
                    before = np.cumsum(rates) - rates  # e_k, rates of earlier steps in block
                    Zg = ZB @ drift
                    r0 -= before[:, None] * Zg if r0.ndim == 2 else before * Zg
                r, _info = dtrtrs(G, r0, lower=1, unitdiag=1)
                cr = c * r if r.ndim == 1 else c[:, None] * r
                if iterate_sum is not None and average_mask is not None:
                    mask = average_mask[position]
                    after = np.cumsum(mask[::-1])[::-1]  # a_j = Σ_{k≥j} mask_k
                    iterate_sum += mask.sum() * W - ZB.T @ (after * cr.T).T
                    if drift is not None:
                        iterate_sum -= float(after @ learning_rates[position]) * drift
                W -= ZB.T @ cr
                if drift is not None:
                    W -= float(learning_rates[position].sum()) * drift
        if iterate_sum is None:
            iterate_sum = np.zeros_like(W)
        return (W,), (iterate_sum,)


# --- standardization ----------------------------------------------------------------------


@dataclass(frozen=True)
class Standardizer:
    """x̄, σ, ȳ, σ_y of eq. (2), and the maps between original and standardized units."""

    x_mean: np.ndarray
    x_scale: np.ndarray
    y_mean: np.ndarray
    y_scale: np.ndarray
    fit_intercept: bool

    @classmethod
    def fit(
        cls,
        X: np.ndarray,
        Y: np.ndarray,
        sample_weight: np.ndarray | None,
        *,
        fit_intercept: bool,
        standardize: bool,
    ) -> Standardizer:
        """Weighted means and deviations of the columns of X and Y (0, 1 unless ``standardize``)."""
        n_features = X.shape[1]
        Y2 = Y.reshape(len(Y), -1)
        if not standardize:
            return cls(
                np.zeros(n_features),
                np.ones(n_features),
                np.zeros(Y2.shape[1]),
                np.ones(Y2.shape[1]),
                fit_intercept,
            )

        def mean(A: np.ndarray) -> np.ndarray:
            if sample_weight is None:
                return A.mean(axis=0)
            return np.average(A, axis=0, weights=sample_weight)

        x_mean = mean(X) if fit_intercept else np.zeros(n_features)
        y_mean = mean(Y2) if fit_intercept else np.zeros(Y2.shape[1])
        x_scale = np.sqrt(mean((X - x_mean) ** 2))
        y_scale = np.sqrt(mean((Y2 - y_mean) ** 2))
        x_scale[x_scale == 0] = 1.0  # a constant column stays as it is
        y_scale[y_scale == 0] = 1.0
        return cls(x_mean, x_scale, y_mean, y_scale, fit_intercept)

    def design(self, X: np.ndarray) -> np.ndarray:
        """Z = ((x − x̄)/σ, 1), C-contiguous, the 1 only with an intercept."""
        n_samples, n_features = X.shape
        Z = np.empty((n_samples, n_features + int(self.fit_intercept)))
        np.subtract(X, self.x_mean, out=Z[:, :n_features])
        Z[:, :n_features] /= self.x_scale
        if self.fit_intercept:
            Z[:, n_features] = 1.0
        return Z

    def target(self, Y: np.ndarray) -> np.ndarray:
        """ỹ = (y − ȳ)/σ_y (same number of dimensions as y)."""
        if Y.ndim == 1:
            return (Y - self.y_mean[0]) / self.y_scale[0]
        return (Y - self.y_mean) / self.y_scale

    def to_original(self, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Eq. (2): (coef (k, p), intercept (k,)) from W = (w̃; b̃) of shape (q, k)."""
        n_features = self.x_mean.size
        W2 = W.reshape(W.shape[0], -1)
        slopes = W2[:n_features] / self.x_scale[:, None]  # w̃ / σ, (p, k)
        coef = (slopes * self.y_scale).T
        if not self.fit_intercept:
            return coef, np.zeros(W2.shape[1])
        intercept = self.y_mean + self.y_scale * (W2[n_features] - self.x_mean @ slopes)
        return coef, intercept

    def from_original(self, coef: np.ndarray, intercept: Any) -> np.ndarray:
        """The inverse of :meth:`to_original`: W (q, k) from coef (k, p) and intercept (k,)."""
        coef2 = np.atleast_2d(np.asarray(coef, dtype=np.float64))  # (k, p)
        slopes = coef2.T / self.y_scale  # w̃ / σ, (p, k)
        rows = [slopes * self.x_scale[:, None]]
        if self.fit_intercept:
            b = np.broadcast_to(np.asarray(intercept, dtype=np.float64), self.y_mean.shape)
            rows.append(((b - self.y_mean) / self.y_scale + self.x_mean @ slopes)[None, :])
        return np.vstack(rows)


# --- step sizes ---------------------------------------------------------------------------


def auto_learning_rate(
    Z: np.ndarray,
    sample_weight: np.ndarray | None,
    *,
    method: str,
    batch_size: int,
    optimizer: Any,
    variance_reduction: str | None,
    extra_smoothness: float = 0.0,
) -> tuple[LearningRate, str]:
    """The default step size and a sentence saying why it was chosen.

    ``extra_smoothness`` is added to every Lipschitz constant: the curvature of a penalty
    (max λ for a ridge term).
    """
    if isinstance(optimizer, str) and optimizer in ADAPTIVE:
        return 0.01, f"{optimizer} normalizes its steps; 0.01 in standardized units"
    n_samples = Z.shape[0]
    L = largest_eigenvalue(Z, sample_weight) + extra_smoothness
    if method == "bgd":
        return 1.0 / L, f"1/L with L = λ_max(ZᵀSZ/n) = {L:.4g}"
    b = 1 if method == "sgd" else batch_size
    L_max = max_sample_smoothness(Z, sample_weight) + extra_smoothness
    L_b = batch_smoothness(L, L_max, n_samples, b)
    if variance_reduction == "svrg":
        eta = 1.0 / (2.0 * L_b)
        return eta, f"1/(2 L_b) with L_b = {L_b:.4g} (batch {b}): SVRG needs a constant step"
    if optimizer in ("momentum", "nesterov"):
        return 1.0 / (10.0 * L_b), f"1/(10 L_b) with L_b = {L_b:.4g}: momentum amplifies noise"
    steps_per_epoch = math.ceil(n_samples / b)
    schedule = Inverse(1.0 / L_b, decay=_EPOCH_DECAY / steps_per_epoch)
    return schedule, (
        f"η₀ / (1 + {_EPOCH_DECAY:g} t/T) with η₀ = 1/L_b, L_b = {L_b:.4g} (batch {b}), "
        f"T = {steps_per_epoch} steps per epoch: a decaying step lowers the noise floor"
    )


def holds_intercept_at_zero(
    *,
    batch_size: int,
    n_samples: int,
    fit_intercept: bool,
    standardize: bool,
    random_validation_split: bool,
) -> bool:
    """Whether descent may hold the standardized intercept b̃ at its exact optimum 0, eq. (3).

    True when the data are centred (``standardize`` and ``fit_intercept``) and every step's
    gradient sums over all the rows the means came from: full batches, and no random
    validation split taking rows out of training.
    """
    return (
        bool(fit_intercept)
        and bool(standardize)
        and batch_size >= n_samples
        and not random_validation_split
    )


def _with_intercept_row(tree: Any, held_shape: tuple[int, ...], template: Any = None) -> Any:
    """Parameters or optimizer state of a run that held b̃ = 0, with the intercept row put back.

    Every array shaped like the held parameters (w̃ without its intercept row) gains one row:
    the matching row of ``template`` (the optimizer's initial state for the full parameters),
    else zeros. That is the state the optimizer would have reached on the full parameters,
    since the intercept's gradient was exactly 0 at every step (a zero gradient leaves every
    built-in optimizer's state where it started, and b̃ at 0), so ``partial_fit`` can go on.
    """
    if isinstance(tree, np.ndarray):
        if tree.shape != held_shape:
            return tree
        if isinstance(template, np.ndarray) and template.shape == (
            held_shape[0] + 1,
            *held_shape[1:],
        ):
            row = template[held_shape[0] :]
        else:
            row = np.zeros((1, *held_shape[1:]))
        return np.concatenate([tree, row])
    if isinstance(tree, (tuple, list)):
        templates = (
            template
            if isinstance(template, (tuple, list)) and len(template) == len(tree)
            else [None] * len(tree)
        )
        items = [_with_intercept_row(t, held_shape, u) for t, u in zip(tree, templates)]
        if hasattr(tree, "_fields"):  # a NamedTuple
            return type(tree)(*items)
        return type(tree)(items)
    if isinstance(tree, dict):
        other = template if isinstance(template, dict) else {}
        return {k: _with_intercept_row(v, held_shape, other.get(k)) for k, v in tree.items()}
    return tree


def _resolve_learning_rate(learning_rate: Any, auto: LearningRate) -> LearningRate:
    if isinstance(learning_rate, str):
        if learning_rate == "auto":
            return auto
        if learning_rate in SCHEDULES:
            eta0 = auto if isinstance(auto, float) else float(auto(0))
            try:
                return get_schedule(learning_rate, eta0=eta0)
            except TypeError as error:
                raise ValueError(
                    f"learning_rate={learning_rate!r} needs more parameters than eta0; build "
                    f"it with glassbox.optim.get_schedule({learning_rate!r}, ...). {error}"
                ) from error
        raise ValueError(
            f"Unknown learning_rate {learning_rate!r}; pass a positive number, a schedule, "
            f"'auto', or one of the schedule names {sorted(SCHEDULES)}."
        )
    if callable(learning_rate):
        return learning_rate
    if isinstance(learning_rate, bool) or not isinstance(
        learning_rate, (int, float, np.integer, np.floating)
    ):
        raise TypeError(
            f"learning_rate must be a number, a schedule or 'auto', got {learning_rate!r}."
        )
    if not (math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(
            f"learning_rate must be a finite number > 0, got {learning_rate!r}; try "
            "learning_rate='auto'."
        )
    return float(learning_rate)


# --- results ------------------------------------------------------------------------------


@dataclass
class DescentState:
    """Everything needed to continue descending: ``partial_fit`` takes one and returns one."""

    standardizer: Standardizer
    params: tuple[np.ndarray, ...]
    loop_state: LoopState
    rng: np.random.Generator
    learning_rate: LearningRate
    method: str
    batch_size: int
    n_features: int
    y_ndim: int
    n_samples_seen: int = 0
    iterate: tuple[np.ndarray, ...] | None = None  # where descent continues (≠ params if averaged)

    @property
    def coef(self) -> np.ndarray:
        """The current coefficients in the original units of X."""
        coef, _ = self.standardizer.to_original(self.params[0])
        return coef[0] if self.y_ndim == 1 else coef

    @property
    def intercept(self) -> Any:
        """The current intercept in the original units of y."""
        _, intercept = self.standardizer.to_original(self.params[0])
        return float(intercept[0]) if self.y_ndim == 1 else intercept


@dataclass
class DescentResult:
    """The outcome of :func:`fit_descent`.

    ``coef`` has shape (n_features,) for a 1-D y and (n_targets, n_features) otherwise;
    ``intercept`` a float or (n_targets,). ``n_iter`` counts epochs, ``n_steps`` updates.
    ``learning_rate`` is the step size used (a number or a schedule) and
    ``learning_rate_reason`` why; ``history`` is the per-epoch record of the descent loop.
    """

    coef: np.ndarray
    intercept: Any
    converged: bool
    n_iter: int
    n_steps: int
    history: dict[str, list[float]]
    learning_rate: LearningRate
    learning_rate_reason: str
    stopping: str
    stop_reason: str
    state: DescentState
    extra: dict[str, Any] = field(default_factory=dict)

    def fitted_attributes(self) -> dict[str, Any]:
        """The estimator attributes a descent fit sets (``coef_``, ``history_``, ...)."""
        return {
            "coef_": self.coef,
            "intercept_": self.intercept,
            "n_iter_": self.n_iter,
            "n_steps_": self.n_steps,
            "converged_": self.converged,
            "history_": self.history,
            "learning_rate_reason_": self.learning_rate_reason,
        }


# --- the solvers --------------------------------------------------------------------------


def _check_method(method: Any) -> None:
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}; valid methods are {list(METHODS)}.")


def _check_optimizer(optimizer: Any) -> None:
    if isinstance(optimizer, GradientTransformation):
        return
    if not isinstance(optimizer, str) or optimizer not in OPTIMIZERS:
        raise ValueError(
            f"Unknown optimizer {optimizer!r}; valid names are {sorted(OPTIMIZERS)} "
            "(or pass a glassbox.optim GradientTransformation)."
        )


def _check_batch_size(batch_size: Any, method: str, n_samples: int) -> int:
    if method == "sgd":
        return 1
    if method == "bgd":
        return n_samples
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise ValueError(f"batch_size must be an int, got {batch_size!r}.")
    if not 1 <= batch_size <= n_samples:
        raise ValueError(
            f"batch_size={batch_size} must be between 1 and the number of samples "
            f"({n_samples}); use a smaller batch or method='bgd' for full batches."
        )
    return int(batch_size)


def _prepare(
    X: Any, y: Any, sample_weight: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    X = as_float_array(X, name="X")
    y = check_target(y, X.shape[0], estimator_name="fit_descent")
    return X, y, check_sample_weight(sample_weight, X.shape[0])


def fit_descent(
    X: Any,
    y: Any,
    sample_weight: Any = None,
    *,
    fit_intercept: bool = True,
    method: str = "bgd",
    learning_rate: Any = "auto",
    optimizer: Any = "sgd",
    optimizer_options: dict[str, Any] | None = None,
    batch_size: int = 32,
    max_epochs: int = 1000,
    tol: float = 1e-9,
    stopping: str = "auto",
    shuffle: bool = True,
    random_state: Any = None,
    early_stopping: bool = False,
    validation_fraction: float = 0.1,
    n_iter_no_change: int = 5,
    average: bool | int = False,
    variance_reduction: str | None = None,
    standardize: bool = True,
    warm_start: Any = None,
    callback: Callable[[int, np.ndarray, Any], bool | None] | None = None,
    l2_penalty: Any = 0.0,
    validation_data: tuple[Any, Any] | None = None,
) -> DescentResult:
    """Minimize eq. (1) by batch (``bgd``), per-sample (``sgd``) or ``minibatch`` descent.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,), optional
    fit_intercept : bool
        Learn b in eq. (1); otherwise b = 0.
    method : {"bgd", "minibatch", "sgd"}
        Rows per update: all, ``batch_size``, or one.
    learning_rate : "auto", float, schedule, or a schedule name
        The step size η_t (see :func:`auto_learning_rate`); a schedule name from
        :data:`~glassbox.optim.schedules.SCHEDULES` starts at the automatic η₀.
    optimizer : str or GradientTransformation
        A name from :data:`~glassbox.optim.transforms.OPTIMIZERS`; ``optimizer_options``
        go to its constructor (e.g. ``{"momentum": 0.9}``).
    batch_size : int
        Rows per mini-batch (``minibatch`` only).
    max_epochs, tol, stopping, n_iter_no_change
        Stopping rules of :func:`glassbox.optim.loop.descend`.
    shuffle, random_state
        Row order each epoch; the same ``random_state`` gives bit-identical coefficients.
    early_stopping, validation_fraction
        Hold out rows and stop when their loss stops improving.
    average : bool or int
        Polyak averaging of the iterates.
    variance_reduction : {None, "svrg"}
        SVRG gradient estimates: linear convergence to the exact minimum.
    standardize : bool
        Descend in standardized units, eq. (2).
    warm_start : (coef, intercept) or DescentResult, optional
        Start from these coefficients (original units) instead of zero. Where full-batch
        descent holds the standardized intercept at its optimum (eq. 3), the start's b̃ is
        replaced by that exact optimum 0; only w̃ starts from the warm start.
    callback : callable, optional
        ``callback(epoch, coef, intercept)`` after every epoch, in original units and
        outside the timed work; returning ``True`` stops the descent.
    l2_penalty : float or array of shape (n_targets,), default 0
        Ridge's α: minimize Σ sᵢ rᵢ² + α‖w‖² (scikit-learn's Ridge objective; b unpenalized),
        i.e. eq. (1) plus (α/2n)‖w‖². In standardized units (eq. 2) that is
        ½ Σⱼ λⱼ w̃ⱼ² with λⱼ = α / (n σⱼ²) (:class:`~glassbox.optim.penalties.L2Penalized`).

    validation_data : (X_val, y_val), optional
        Held-out rows for early stopping (implies ``early_stopping``), instead of a random
        ``validation_fraction`` of the training rows; standardized with the training
        statistics, never trained on.

    Returns
    -------
    DescentResult
    """
    _check_method(method)
    _check_optimizer(optimizer)
    check_loop_parameters(
        max_epochs=max_epochs,
        tol=tol,
        stopping=stopping,
        n_iter_no_change=n_iter_no_change,
        validation_fraction=validation_fraction,
        early_stopping=early_stopping,
        variance_reduction=variance_reduction,
    )
    X, y, weights = _prepare(X, y, sample_weight)
    n_samples = X.shape[0]
    batch = _check_batch_size(batch_size, method, n_samples)
    if isinstance(learning_rate, (int, float)) or callable(learning_rate):
        _resolve_learning_rate(learning_rate, 1.0)  # fail fast, before any work

    scaler = Standardizer.fit(X, y, weights, fit_intercept=fit_intercept, standardize=standardize)
    Z, Y = scaler.design(X), scaler.target(y)
    hold = holds_intercept_at_zero(
        batch_size=batch,
        n_samples=n_samples,
        fit_intercept=fit_intercept,
        standardize=standardize,
        random_validation_split=early_stopping and validation_data is None,
    )
    validation_rows = None
    objective_weights = weights
    if validation_data is not None:
        Z, Y, objective_weights, validation_rows = _append_validation(
            Z, Y, weights, scaler, validation_data, n_samples
        )
        early_stopping = True
    strengths = _penalty_strengths(l2_penalty, scaler, n_samples, Y.shape)
    auto, reason = auto_learning_rate(
        Z,
        weights,
        method=method,
        batch_size=batch,
        optimizer=optimizer,
        variance_reduction=variance_reduction,
        extra_smoothness=0.0 if strengths is None else float(strengths.max()),
    )
    rate = _resolve_learning_rate(learning_rate, auto)
    if not (isinstance(learning_rate, str) and learning_rate == "auto"):
        reason = "given"

    W_start = _initial_params(warm_start, scaler, Z.shape[1], y)
    W0 = W_start
    n_features = X.shape[1]
    if hold:  # eq. (3): b̃ = 0 exactly; descend on w̃ alone
        Z = np.ascontiguousarray(Z[:, :n_features])
        W0 = W_start[:n_features]
        strengths = None if strengths is None else strengths[:n_features]

    def full(params: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        return _with_intercept_row(params, W0.shape) if hold else params

    rng = np.random.default_rng(random_state)
    on_epoch = None
    if callback is not None:
        user_callback = callback

        def on_epoch(epoch: int, params: tuple[np.ndarray, ...]) -> bool | None:
            coef, intercept = scaler.to_original(full(params)[0])
            if y.ndim == 1:
                return user_callback(epoch, coef[0], float(intercept[0]))
            return user_callback(epoch, coef, intercept)

    objective: Objective = LeastSquaresObjective(Z, Y, objective_weights)
    if strengths is not None:
        objective = L2Penalized(objective, (strengths,))
    run: DescentRun = descend(
        objective,
        (W0,),
        optimizer=optimizer,
        learning_rate=rate,
        optimizer_options=optimizer_options,
        batch_size=None if method == "bgd" else batch,
        max_epochs=max_epochs,
        tol=tol,
        stopping=stopping,
        shuffle=shuffle,
        rng=rng,
        early_stopping=early_stopping,
        validation_fraction=validation_fraction,
        n_iter_no_change=n_iter_no_change,
        average=average,
        variance_reduction=variance_reduction,
        callback=on_epoch,
        validation_rows=validation_rows,
    )
    loop_state = run.state
    if hold:  # the full parameters and optimizer state, for partial_fit to continue from
        template = get_optimizer(optimizer, rate, **(optimizer_options or {})).init((W_start,))
        loop_state = replace(
            loop_state,
            optimizer_state=_with_intercept_row(loop_state.optimizer_state, W0.shape, template),
            averaged=_with_intercept_row(loop_state.averaged, W0.shape),
        )
    state = DescentState(
        standardizer=scaler,
        params=full(run.params),
        loop_state=loop_state,
        rng=rng,
        learning_rate=rate,
        method=method,
        batch_size=batch,
        n_features=n_features,
        y_ndim=y.ndim,
        n_samples_seen=n_samples * run.n_epochs,
        iterate=full(run.extra["current_params"]),
    )
    return DescentResult(
        coef=state.coef,
        intercept=state.intercept,
        converged=run.converged,
        n_iter=run.n_epochs,
        n_steps=run.n_steps,
        history=run.history,
        learning_rate=rate,
        learning_rate_reason=reason,
        stopping=run.stopping,
        stop_reason=run.stop_reason,
        state=state,
    )


def _append_validation(
    Z: np.ndarray,
    Y: np.ndarray,
    weights: np.ndarray | None,
    scaler: Standardizer,
    validation_data: tuple[Any, Any],
    n_samples: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """Training rows then the validation rows (unit weight), in the training's units."""
    X_val = as_float_array(validation_data[0], name="X_val")
    y_val = check_target(validation_data[1], X_val.shape[0], estimator_name="validation_data")
    if X_val.shape[1] != scaler.x_mean.size:
        raise ValueError(
            f"validation_data has {X_val.shape[1]} features; the training data has "
            f"{scaler.x_mean.size}."
        )
    if y_val.ndim != Y.ndim:
        raise ValueError("validation_data's y must have the same number of dimensions as y.")
    Z_all = np.vstack([Z, scaler.design(X_val)])
    Y_all = np.concatenate([Y, scaler.target(y_val)])
    weights_all = None if weights is None else np.r_[weights, np.ones(X_val.shape[0])]
    return Z_all, Y_all, weights_all, np.arange(n_samples, n_samples + X_val.shape[0])


def _penalty_strengths(
    l2_penalty: Any, scaler: Standardizer, n_samples: int, target_shape: tuple[int, ...]
) -> np.ndarray | None:
    """λ of shape (q,) or (q, k): α_k / (n σⱼ²) for each feature, 0 for the intercept row."""
    alphas = np.atleast_1d(np.asarray(l2_penalty, dtype=float))
    if not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
        raise ValueError(f"l2_penalty (alpha) must be finite and >= 0; got {l2_penalty!r}.")
    if not np.any(alphas > 0):
        return None
    n_targets = 1 if len(target_shape) == 1 else target_shape[1]
    alphas = np.broadcast_to(alphas, (n_targets,))
    per_feature = 1.0 / (n_samples * scaler.x_scale**2)  # (p,)
    strengths = per_feature[:, None] * alphas[None, :]  # (p, k)
    if scaler.fit_intercept:
        strengths = np.vstack([strengths, np.zeros((1, n_targets))])
    return strengths[:, 0] if len(target_shape) == 1 else strengths


def _initial_params(
    warm_start: Any, scaler: Standardizer, n_columns: int, y: np.ndarray
) -> np.ndarray:
    n_targets = 1 if y.ndim == 1 else y.shape[1]
    if warm_start is None:
        W = np.zeros((n_columns, n_targets))
    else:
        coef, intercept = (
            (warm_start.coef, warm_start.intercept)
            if isinstance(warm_start, DescentResult)
            else warm_start
        )
        coef = np.asarray(coef, dtype=np.float64).reshape(n_targets, -1)
        if coef.shape[1] != scaler.x_mean.size:
            raise ValueError(
                f"warm_start coef has {coef.shape[1]} features but X has {scaler.x_mean.size}."
            )
        W = scaler.from_original(coef, intercept)
    return W[:, 0].copy() if y.ndim == 1 else W


def partial_fit_descent(
    X: Any,
    y: Any,
    sample_weight: Any = None,
    *,
    state: DescentState | None = None,
    fit_intercept: bool = True,
    method: str = "sgd",
    learning_rate: Any = "auto",
    optimizer: Any = "sgd",
    optimizer_options: dict[str, Any] | None = None,
    batch_size: int = 32,
    shuffle: bool = True,
    random_state: Any = None,
    average: bool | int = False,
    standardize: bool = True,
) -> DescentState:
    """One pass of descent over (X, y), continuing from ``state``; returns the new state.

    The first call (``state=None``) fixes the standardization statistics and the automatic
    step size from its chunk of data; later calls reuse them, and the optimizer state, the
    step count (for schedules) and the random generator carry over, so streaming the data in
    chunks is one continuous descent. With a ``state``, the hyperparameters stored in it win
    over the keyword arguments.
    """
    X, y, weights = _prepare(X, y, sample_weight)
    if state is None:
        _check_method(method)
        _check_optimizer(optimizer)
        batch = (
            _check_batch_size(batch_size, method, X.shape[0])
            if method != "minibatch"
            else (_check_minibatch(batch_size))
        )
        scaler = Standardizer.fit(
            X, y, weights, fit_intercept=fit_intercept, standardize=standardize
        )
        Z = scaler.design(X)
        auto, _ = auto_learning_rate(
            Z,
            weights,
            method=method,
            batch_size=min(batch, X.shape[0]),
            optimizer=optimizer,
            variance_reduction=None,
        )
        rate = _resolve_learning_rate(learning_rate, auto)
        state = DescentState(
            standardizer=scaler,
            params=(_initial_params(None, scaler, Z.shape[1], y),),
            loop_state=None,  # type: ignore[arg-type]
            rng=np.random.default_rng(random_state),
            learning_rate=rate,
            method=method,
            batch_size=batch,
            n_features=X.shape[1],
            y_ndim=y.ndim,
        )
    else:
        if X.shape[1] != state.n_features:
            raise ValueError(
                f"X has {X.shape[1]} features, but the model was trained on {state.n_features} "
                "features in earlier partial_fit calls; pass the same columns every time."
            )
        if y.ndim != state.y_ndim:
            raise ValueError(
                f"y has {y.ndim} dimension(s), but earlier partial_fit calls had {state.y_ndim}."
            )
        Z = state.standardizer.design(X)
    run = descend(
        LeastSquaresObjective(Z, state.standardizer.target(y), weights),
        state.iterate if state.iterate is not None else state.params,
        optimizer=optimizer,
        learning_rate=state.learning_rate,
        optimizer_options=optimizer_options,
        batch_size=None if state.method == "bgd" else state.batch_size,
        max_epochs=1,
        shuffle=shuffle,
        rng=state.rng,
        average=average,
        state=state.loop_state,
        check_convergence=False,
    )
    return replace(
        state,
        params=run.params,
        iterate=run.extra["current_params"],
        loop_state=run.state,
        n_samples_seen=state.n_samples_seen + X.shape[0],
    )


def _check_minibatch(batch_size: Any) -> int:
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}.")
    return int(batch_size)
