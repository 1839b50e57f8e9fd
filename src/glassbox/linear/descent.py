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
from scipy.linalg.blas import daxpy, dgemv, dsyrk, dtrsv
from scipy.linalg.lapack import dtrtrs

from glassbox.optim.conjugate import conjugate_gradient
from glassbox.optim.lipschitz import batch_smoothness, largest_eigenvalue, max_sample_smoothness
from glassbox.optim.loop import (
    DescentRun,
    LoopState,
    Objective,
    check_loop_parameters,
    default_epoch_loss,
    descend,
)
from glassbox.optim.penalties import L2Penalized
from glassbox.optim.schedules import SCHEDULES, Inverse, LearningRate, get_schedule
from glassbox.optim.transforms import OPTIMIZERS, GradientTransformation, get_optimizer
from glassbox.validation import as_float_array, check_sample_weight, check_target

__all__ = [
    "METHODS",
    "Algorithm",
    "DescentResult",
    "DescentState",
    "LeastSquaresObjective",
    "Standardizer",
    "auto_learning_rate",
    "choose_algorithm",
    "fit_descent",
    "holds_intercept_at_zero",
    "partial_fit_descent",
]

METHODS = ("bgd", "minibatch", "sgd")
ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw")
_BLOCK = 32  # rows per triangular solve in the fused SGD kernel
_CHUNK = 2048  # rows gathered at once (a multiple of _BLOCK; a few MB, in cache)
# Plain stochastic steps decay as η₀ / (1 + 4 e) after e epochs: fast enough to push the noise
# floor below 1e-4 relative within a few tens of epochs on well-conditioned data, slow enough
# (Σ η diverges) not to freeze the iterate early. Tuned on standardized Gaussian designs.
_EPOCH_DECAY = 4.0


# --- the objective ------------------------------------------------------------------------


def _consecutive(rows: np.ndarray) -> bool:
    """Whether ``rows`` are k, k+1, ..., k+m-1 (read as a slice, no gather); False if empty."""
    return (
        rows.size > 0 and rows[-1] - rows[0] == rows.size - 1 and bool(np.all(np.diff(rows) == 1))
    )


class LeastSquaresObjective:
    """Eq. (1) on a prepared design Z (n, q) and target Y (n,) or (n, k); params = (W,).

    With ``ones_column`` the design is (Z, 1) without the column of ones stored: the last
    row of W is the intercept, zᵢᵀW reads xᵢᵀW[:-1] + W[-1], and Zᵀr gains the entry Σ rᵢ.
    Raw data (``standardize=False``) is then descended on in place, never copied.
    """

    def __init__(
        self,
        Z: np.ndarray,
        Y: np.ndarray,
        sample_weight: np.ndarray | None,
        *,
        ones_column: bool = False,
    ) -> None:
        self.Z, self.Y, self.sample_weight = Z, Y, sample_weight
        self.ones_column = ones_column
        self.n_samples = Z.shape[0]

    def _count(self, rows: Any) -> int:
        if isinstance(rows, slice):
            return len(range(*rows.indices(self.n_samples)))
        return len(rows)

    def _times(self, ZB: np.ndarray, W: np.ndarray) -> np.ndarray:
        """(Z_B, 1) W: the design's rows times W."""
        return ZB @ W[:-1] + W[-1] if self.ones_column else ZB @ W

    def _transpose_times(self, ZB: np.ndarray, R: np.ndarray) -> np.ndarray:
        """(Z_B, 1)ᵀ R, shaped like W."""
        if not self.ones_column:
            return ZB.T @ R
        top = ZB.T @ R
        return np.concatenate([top, R.sum(axis=0).reshape((1, *top.shape[1:]))])

    def _weighted(self, R: np.ndarray, rows: Any) -> np.ndarray:
        if self.sample_weight is None:
            return R
        s = self.sample_weight[rows]
        return R * (s if R.ndim == 1 else s[:, None])

    def value(self, params: tuple[np.ndarray, ...], rows: Any) -> float:
        """(1/2m) Σ_{i∈rows} sᵢ ‖yᵢ − zᵢᵀW‖²."""
        (W,) = params
        # at W = 0 (the default start) the residual is −y: no pass over Z
        R = -self.Y[rows] if not W.any() else self._times(self.Z[rows], W) - self.Y[rows]
        squares = R * R if R.ndim == 1 else np.einsum("ij,ij->i", R, R)
        if self.sample_weight is not None:
            squares = squares * self.sample_weight[rows]
        return 0.5 * float(squares.sum()) / self._count(rows)

    def grad(self, params: tuple[np.ndarray, ...], rows: Any) -> tuple[np.ndarray, ...]:
        """(1/m) Σ_{i∈rows} sᵢ zᵢ (zᵢᵀW − yᵢ)."""
        return self.value_and_grad(params, rows)[1]

    def value_and_grad(
        self, params: tuple[np.ndarray, ...], rows: Any
    ) -> tuple[float, tuple[np.ndarray, ...]]:
        """Both (1/2m) Σ sᵢ (zᵢᵀW − yᵢ)² and its gradient over ``rows``, from one residual."""
        (W,) = params
        ZB = self.Z[rows]
        R = self._times(ZB, W) - self.Y[rows]  # (B,) or (B, k): minus the residual of eq. (1)
        SR = self._weighted(R, rows)
        m = len(ZB)
        return 0.5 * float(np.vdot(R, SR)) / m, (self._transpose_times(ZB, SR) / m,)

    def hessian_vector_product(
        self, vector: tuple[np.ndarray, ...], rows: Any = slice(None)
    ) -> tuple[np.ndarray, ...]:
        """H v = (1/m) Σ_{i∈rows} sᵢ zᵢ zᵢᵀ v, the constant Hessian of eq. (1) times v."""
        (V,) = vector
        ZB = self.Z[rows]
        ZV = self._weighted(self._times(ZB, V), rows)
        return (self._transpose_times(ZB, ZV) / len(ZB),)

    def plain_sgd_run(
        self,
        params: tuple[np.ndarray, ...],
        rows: np.ndarray,
        learning_rates: np.ndarray,
        control: tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]] | None,
        average_mask: np.ndarray | None,
        with_loss: bool = False,
    ) -> Any:
        """Plain per-sample SGD over ``rows`` in order, a block of rows at a time.

        Step k: w ← w − η_k s_k z_k (z_kᵀw − y_k). With SVRG ``control`` = (w̃, ∇F(w̃)) the
        step is w ← w − η_k (s_k z_k z_kᵀ(w − w̃) + ∇F(w̃)). For a block starting at w₀ with
        c_k = η_k s_k and e_k = Σ_{j<k} η_j, the residuals satisfy

            r_k + Σ_{j<k} c_j (z_kᵀz_j) r_j = z_kᵀw₀ − t_k − e_k z_kᵀ∇F(w̃),

        (t = y, or Z w̃ under SVRG; the last term only under SVRG), a unit lower-triangular
        system, and w_B = w₀ − Σ_k c_k r_k z_k − e_B ∇F(w̃). Returns the final w and
        Σ_k mask_k w_k (the sum of the iterates that enter a Polyak average), and with
        ``with_loss`` (plain steps only) Σ_k ½ s_k r_k², each step's loss at its own
        iterate: the r_k the triangular solve gives are exactly those residuals. One target
        (the usual case) runs :meth:`_plain_run`, the same recurrence with each chunk's Gram
        matrices batched; the loop below serves several targets.
        """
        (W,) = params
        W = np.array(W, dtype=np.float64, order="C")
        Z, Y, ones = self.Z, self.Y, self.ones_column
        rows = np.asarray(rows)
        if rows.size and (rows.min() < 0 or rows.max() >= self.n_samples):
            # the kernels gather with mode="clip", which would not notice
            raise ValueError(
                f"rows must index the {self.n_samples} samples (0 to {self.n_samples - 1}); "
                f"got {int(rows.min())} to {int(rows.max())}."
            )
        coefficients = (
            learning_rates
            if self.sample_weight is None
            else (learning_rates * self.sample_weight[rows])
        )
        if W.ndim == 1:
            fast_control = None if control is None else (control[0][0], control[1][0])
            W, loss_sum, sums = self._plain_run(
                W, rows, learning_rates, coefficients, fast_control, average_mask
            )
            if with_loss:
                return (W,), (sums,), loss_sum
            return (W,), (sums,)
        # several targets (W of shape (q, k)): the block loop below, one dtrtrs per block
        uniform = bool(np.all(coefficients == coefficients[0]))
        loss_sum = 0.0
        snapshot = drift = None
        if control is not None:
            snapshot, drift = control[0][0], control[1][0]
        iterate_sum = np.zeros_like(W) if average_mask is not None else None
        # views into W: the slopes and, with an implicit column of ones, the intercept row
        body, last = (W[:-1], W[-1:]) if ones else (W, None)
        contiguous = _consecutive(rows)
        buffer = np.empty((min(_CHUNK, rows.size), Z.shape[1]))
        for chunk_start in range(0, rows.size, _CHUNK):
            chunk_rows = rows[chunk_start : chunk_start + _CHUNK]
            m = chunk_rows.size
            if contiguous:
                ZC = Z[chunk_rows[0] : chunk_rows[0] + m]
                YC = Y[chunk_rows[0] : chunk_rows[0] + m]
            else:
                ZC = np.take(Z, chunk_rows, axis=0, out=buffer[:m], mode="clip")  # rows in range
                YC = np.take(Y, chunk_rows, axis=0, mode="clip")
            for start in range(0, m, _BLOCK):
                ZB = ZC[start : start + _BLOCK]  # (B, q)
                position = slice(chunk_start + start, chunk_start + start + len(ZB))
                c = coefficients[position]
                # Z_Bᵀ is Fortran-ordered: trans=1 on it reads Z_B Z_Bᵀ without a copy
                if uniform:
                    G = dsyrk(float(c[0]), ZB.T, trans=1, lower=1)  # c · Z_B Z_Bᵀ, lower
                    if ones:
                        G += c[0]  # (Z_B, 1)(Z_B, 1)ᵀ = Z_B Z_Bᵀ + 11ᵀ
                else:
                    G = dsyrk(1.0, ZB.T, trans=1, lower=1)
                    if ones:
                        G += 1.0
                    G *= c[None, :]  # column j scaled by c_j: the matrix L C
                if snapshot is None or drift is None:
                    r0 = ZB @ body
                    r0 -= YC[start : start + len(ZB)]
                    if last is not None:
                        r0 += last
                else:
                    r0 = self._times(ZB, W - snapshot)
                    rates = learning_rates[position]
                    before = np.cumsum(rates) - rates  # e_k, rates of earlier steps in block
                    Zg = self._times(ZB, drift)
                    r0 -= before[:, None] * Zg
                r, _info = dtrtrs(G, r0, lower=1, unitdiag=1)
                if with_loss and snapshot is None:
                    squares = np.einsum("ij,ij->i", r, r)
                    if self.sample_weight is not None:
                        squares = squares * self.sample_weight[chunk_rows[start : start + len(ZB)]]
                    loss_sum += 0.5 * float(squares.sum())
                if uniform:
                    cr = float(c[0]) * r
                else:
                    cr = c[:, None] * r
                if iterate_sum is not None and average_mask is not None:
                    mask = average_mask[position]
                    after = np.cumsum(mask[::-1])[::-1]  # a_j = Σ_{k≥j} mask_k
                    iterate_sum += mask.sum() * W - self._transpose_times(ZB, (after * cr.T).T)
                    if drift is not None:
                        iterate_sum -= float(after @ learning_rates[position]) * drift
                body -= ZB.T @ cr
                if last is not None:
                    last -= np.add.reduce(cr, axis=0)
                if drift is not None:
                    W -= float(learning_rates[position].sum()) * drift
        if iterate_sum is None:
            iterate_sum = np.zeros_like(W)
        if with_loss:
            return (W,), (iterate_sum,), loss_sum
        return (W,), (iterate_sum,)

    def _plain_run(
        self,
        W: np.ndarray,
        rows: np.ndarray,
        rates: np.ndarray,
        coefficients: np.ndarray,
        control: tuple[np.ndarray, np.ndarray] | None = None,
        average_mask: np.ndarray | None = None,
    ) -> tuple[np.ndarray, float, np.ndarray]:
        """:meth:`plain_sgd_run`'s hot path for one target, as batched level-3 BLAS.

        With c_k = η_k s_k, a chunk of rows is gathered once into a buffer whose row k is
        v_k = √c_k (z_k, 1), and ỹ_k = √c_k y_k. Scaling the system of :meth:`plain_sgd_run`
        by C^½ (ρ_k = √c_k r_k) makes it symmetric: (I + L) ρ = V_B w − ỹ_B, with L the
        strict lower triangle of V_B V_Bᵀ = C^½ (Z_B, 1)(Z_B, 1)ᵀ C^½, and w ← w − V_Bᵀ ρ.
        Under SVRG (``control`` = (w̃, ∇F(w̃))) the unknown is d = w − w̃ and the right-hand
        side V_B d − √c ∘ e ∘ (Z_B, 1)∇F(w̃) (e_k the rates of the block's earlier steps);
        after the block d ← d − V_Bᵀ ρ − (Σ_B η) ∇F(w̃). The Gram matrices of all blocks of a
        chunk come from one stacked product (they do not depend on w); then each block costs
        three BLAS calls on views of the buffer (four under SVRG). With an ``average_mask``
        the iterates after the masked steps of a block add up to (Σ_B mask) w₀ − V_Bᵀ(a ∘ ρ)
        (− (a · η) ∇F(w̃) under SVRG), a_j = Σ_{k≥j} mask_k: two calls more. The intercept is
        the last entry of w, its column of ones stored (scaled) in the buffer only. Returns
        the final W, Σ_k ½ s_k r_k² = Σ_k ½ ρ_k² / η_k (each plain step's loss at its own
        iterate; 0 under SVRG) and the sum of the masked iterates (zeros without a mask).
        """
        Z, Y = self.Z, self.Y
        n_data = Z.shape[1]
        q = n_data + int(self.ones_column)
        snapshot, drift = control if control is not None else (None, None)
        w = np.array(W, dtype=np.float64)  # (q,): w, or d = w − w̃; updated in place
        if snapshot is not None:
            w -= snapshot
        iterate_sum = np.zeros(q)  # Σ mask_k (iterate after step k), of d under SVRG
        # one rate and no weights (the common case): scalars instead of per-row vectors
        uniform = self.sample_weight is None and (rows.size == 0 or bool(np.all(rates == rates[0])))
        roots = np.sqrt(coefficients[:1] if uniform else coefficients)
        gather = rows.size > 0 and not _consecutive(rows)
        size = min(_CHUNK, rows.size)
        gathered = np.empty((size if gather else 0, n_data))  # np.take: fastest contiguous
        design = np.empty((size, q))
        if uniform and rows.size:
            design[:, n_data:] = roots[0]  # the column of ones, scaled
        grams = np.empty((size // _BLOCK, _BLOCK, _BLOCK))
        residuals = np.empty(size)
        squares = 0.0
        for chunk_start in range(0, rows.size, _CHUNK):
            chunk_rows = rows[chunk_start : chunk_start + _CHUNK]
            m = chunk_rows.size
            full = m // _BLOCK * _BLOCK
            root: Any = roots[0] if uniform else roots[chunk_start : chunk_start + m, None]
            R = residuals[:m]
            if gather:  # rows were checked in range by plain_sgd_run, so mode="clip"
                source = np.take(Z, chunk_rows, axis=0, out=gathered[:m], mode="clip")
            else:
                first = int(chunk_rows[0])
                source = Z[first : first + m]
            chunk_rates = rates[chunk_start : chunk_start + m]
            if drift is None:
                if gather:
                    np.take(Y, chunk_rows, out=R, mode="clip")
                else:
                    R[:] = Y[first : first + m]
            else:  # R = e ∘ (Z_C, 1)∇F(w̃), e_k the earlier rates of k's block
                np.matmul(source, drift[:n_data], out=R)
                if self.ones_column:
                    R += drift[n_data]
                before = np.empty(m)
                ranked = chunk_rates[:full].reshape(-1, _BLOCK)
                before[:full] = (np.cumsum(ranked, axis=1) - ranked).ravel()
                before[full:] = np.cumsum(chunk_rates[full:]) - chunk_rates[full:]
                R *= before
            R *= -(root if uniform else root[:, 0])  # ρ = V_B w − ỹ_B accumulates onto −ỹ_B
            V = design[:m]
            np.multiply(source, root, out=V[:, :n_data])
            if self.ones_column and not uniform:
                V[:, n_data] = root[:, 0]
            blocks = V[:full].reshape(-1, _BLOCK, q)
            G = np.matmul(blocks, blocks.transpose(0, 2, 1), out=grams[: full // _BLOCK])
            # G is symmetric, so its transpose is itself, Fortran-ordered: no copy for dtrsv
            views = list(
                zip(blocks.transpose(0, 2, 1), R[:full].reshape(-1, _BLOCK), G.transpose(0, 2, 1))
            )
            if full < m:
                rest = V[full:]
                views.append((rest.T, R[full:], rest @ rest.T))
            # Positional arguments: f2py parses keywords at about twice the cost of the call.
            # dgemv(alpha, a, x, beta, y, offx, incx, offy, incy, trans, overwrite_y) and
            # dtrsv(a, x, incx, offx, lower, trans, diag, overwrite_x), in place on ρ and w.
            if drift is None and average_mask is None:
                for VT, rho, gram in views:  # VT: (q, B) Fortran-ordered; rho: a view of R
                    dgemv(1.0, VT, w, 1.0, rho, 0, 1, 0, 1, 1, 1)  # ρ ← V_B w − ỹ_B
                    dtrsv(gram, rho, 1, 0, 1, 0, 1, 1)  # (I + L) ρ = ρ₀, unit lower
                    dgemv(-1.0, VT, rho, 1.0, w, 0, 1, 0, 1, 0, 1)  # w ← w − V_Bᵀ ρ
                if uniform:
                    squares += float(R @ R) / float(rates[0])
                else:
                    squares += float(np.dot(R * R, 1.0 / chunk_rates))
            else:
                self._run_blocks(
                    views, w, iterate_sum, drift, chunk_rates, average_mask, chunk_start
                )
                if drift is None:
                    squares += float(np.dot(R * R, 1.0 / chunk_rates))
        if snapshot is not None:
            w += snapshot
            if average_mask is not None:
                iterate_sum += float(average_mask.sum()) * snapshot
        return w, 0.5 * squares, iterate_sum

    @staticmethod
    def _run_blocks(
        views: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
        w: np.ndarray,
        iterate_sum: np.ndarray,
        drift: np.ndarray | None,
        rates: np.ndarray,
        average_mask: np.ndarray | None,
        chunk_start: int,
    ) -> None:
        """One chunk of :meth:`_plain_run` with SVRG's drift and/or a Polyak mask (the plain
        loop is inlined there); ``w`` and ``iterate_sum`` are updated in place."""
        q, m = w.size, rates.size
        starts = np.arange(0, m, _BLOCK)
        rate_sums = np.add.reduceat(rates, starts).tolist()
        mask_sums = after_rates = None
        afters: list[np.ndarray] = []
        if average_mask is not None:
            mask = np.asarray(average_mask[chunk_start : chunk_start + m], dtype=np.float64)
            after = np.empty(m)  # a_j = Σ_{k≥j} mask_k within each block
            full = m // _BLOCK * _BLOCK
            blocks = mask[:full].reshape(-1, _BLOCK)[:, ::-1]
            after[:full] = np.cumsum(blocks, axis=1)[:, ::-1].ravel()
            after[full:] = np.cumsum(mask[full:][::-1])[::-1]
            mask_sums = np.add.reduceat(mask, starts).tolist()
            after_rates = np.add.reduceat(after * rates, starts).tolist()
            afters = [after[k : k + _BLOCK] for k in starts.tolist()]
        for b, (VT, rho, gram) in enumerate(views):
            if mask_sums is not None:
                daxpy(w, iterate_sum, q, mask_sums[b])  # + (Σ_B mask) w₀
            dgemv(1.0, VT, w, 1.0, rho, 0, 1, 0, 1, 1, 1)
            dtrsv(gram, rho, 1, 0, 1, 0, 1, 1)
            if after_rates is not None:
                dgemv(-1.0, VT, afters[b] * rho, 1.0, iterate_sum, 0, 1, 0, 1, 0, 1)
                if drift is not None:
                    daxpy(drift, iterate_sum, q, -after_rates[b])
            dgemv(-1.0, VT, rho, 1.0, w, 0, 1, 0, 1, 0, 1)
            if drift is not None:
                daxpy(drift, w, q, -rate_sums[b])  # d ← d − (Σ_B η) ∇F(w̃)


# --- standardization ----------------------------------------------------------------------


@dataclass(frozen=True)
class Standardizer:
    """x̄, σ, ȳ, σ_y of eq. (2), and the maps between original and standardized units."""

    x_mean: np.ndarray
    x_scale: np.ndarray
    y_mean: np.ndarray
    y_scale: np.ndarray
    fit_intercept: bool
    standardized: bool = True

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
                standardized=False,
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

    def design(self, X: np.ndarray, *, ones: bool = True) -> np.ndarray:
        """Z = ((x − x̄)/σ, 1), C-contiguous, the 1 only with an intercept and ``ones``."""
        n_samples, n_features = X.shape
        with_ones = self.fit_intercept and ones
        Z = np.empty((n_samples, n_features + int(with_ones)))
        np.subtract(X, self.x_mean, out=Z[:, :n_features])
        Z[:, :n_features] /= self.x_scale
        if with_ones:
            Z[:, n_features] = 1.0
        return Z

    def descent_design(self, X: np.ndarray) -> tuple[np.ndarray, bool]:
        """The design descent runs on, and whether its column of ones is left implicit.

        Unstandardized data is descended on as it is (C-contiguous float64 is not copied),
        the intercept's column of ones implicit (``LeastSquaresObjective(ones_column=True)``).
        """
        if self.standardized:
            return self.design(X), False
        return np.ascontiguousarray(X, dtype=np.float64), self.fit_intercept

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


@dataclass(frozen=True)
class Algorithm:
    """What ``optimizer="auto"`` resolved to: the optimizer, the variance reduction, and why."""

    optimizer: Any
    variance_reduction: str | None
    reason: str


def choose_algorithm(
    method: str,
    optimizer: Any,
    learning_rate: Any,
    variance_reduction: str | None,
    *,
    early_stopping: bool = False,
) -> Algorithm:
    """Resolve ``optimizer="auto"``: the algorithm that reaches the exact minimum by default.

    * A given learning rate or schedule (anything but ``"auto"``): plain gradient steps at
      that rate, the recurrence scikit-learn's ``SGDRegressor`` runs, and nothing computed
      to choose a step.
    * ``bgd``: linear conjugate gradient (:mod:`glassbox.optim.conjugate`), the optimal
      momentum for a quadratic: at most q steps in exact arithmetic, rate (√κ−1)/(√κ+1)
      where 1/L steps have 1 − 1/κ. With early stopping (stopping before the minimum is the
      point) plain 1/L steps.
    * ``sgd``, ``minibatch``: SVRG (Johnson & Zhang, 2013) at the constant step 1/(2 L_b).
      Plain stochastic steps stall at a noise floor set by the residual variance: with the
      decaying default step, 5,000 x 8 standardized Gaussian columns and noise of 1x (10x)
      the signal's scale, mini-batches end 6e-3 (8e-2) relative from the exact answer, and
      Polyak–Ruppert averaging of constant steps (Bach & Moulines, 2013) still 1.3e-3
      (1.7e-2) after 100 epochs, the O(σ√(q/N)) rate of N averaged steps. SVRG's gradient
      estimate has a variance that vanishes at the minimum whatever the noise: 1e-9 relative
      in 13-17 epochs at noise 0.01, 1 and 10 (``benchmarks/descent.py --noise``), so the
      gradient stopping rule applies and ``converged_`` means ‖∇F‖ ≤ tol · max(‖∇F(θ₀)‖, 1).
    """
    if not (isinstance(optimizer, str) and optimizer == "auto"):
        return Algorithm(optimizer, variance_reduction, "")
    if not (isinstance(learning_rate, str) and learning_rate == "auto"):
        return Algorithm("sgd", variance_reduction, "plain steps at the given learning rate")
    if method == "bgd":
        if early_stopping:
            return Algorithm("sgd", variance_reduction, "early stopping: plain 1/L steps")
        return Algorithm(
            "conjugate_gradient",
            variance_reduction,
            "conjugate gradient: exact line search along H-conjugate directions, no step size",
        )
    return Algorithm("sgd", "svrg", "SVRG: a gradient estimate without a noise floor")


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
    learning_rate: LearningRate | None  # None after conjugate gradient, which has no step
    method: str
    batch_size: int
    n_features: int
    y_ndim: int
    n_samples_seen: int = 0
    iterate: tuple[np.ndarray, ...] | None = None  # where descent continues (≠ params if averaged)
    optimizer: str = "sgd"  # what ran ("custom" for a GradientTransformation)

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
    learning_rate: LearningRate | None
    learning_rate_reason: str
    stopping: str
    stop_reason: str
    state: DescentState
    extra: dict[str, Any] = field(default_factory=dict)
    optimizer: str = "sgd"
    variance_reduction: str | None = None

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
            "optimizer_": self.optimizer,
            "variance_reduction_": self.variance_reduction,
        }


# --- the solvers --------------------------------------------------------------------------


def _check_method(method: Any) -> None:
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}; valid methods are {list(METHODS)}.")


OPTIMIZER_NAMES = ("auto", "conjugate_gradient", *OPTIMIZERS)


def _check_optimizer(optimizer: Any, method: str = "bgd", early_stopping: bool = False) -> None:
    if isinstance(optimizer, GradientTransformation):
        return
    if not isinstance(optimizer, str) or optimizer not in OPTIMIZER_NAMES:
        raise ValueError(
            f"Unknown optimizer {optimizer!r}; valid names are {sorted(OPTIMIZER_NAMES)} "
            "(or pass a glassbox.optim GradientTransformation)."
        )
    if optimizer == "conjugate_gradient" and (method != "bgd" or early_stopping):
        raise ValueError(
            "optimizer='conjugate_gradient' needs the exact curvature of every step: full "
            f"batches (method='bgd') and no early stopping; got method={method!r}"
            f"{' with early stopping' if early_stopping else ''}. Use optimizer='auto' or 'sgd'."
        )


def _given_rate(learning_rate: Any) -> bool:
    """A number or a schedule: the step is known, nothing to compute."""
    return callable(learning_rate) or (
        isinstance(learning_rate, (int, float, np.integer, np.floating))
        and not isinstance(learning_rate, bool)
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
    optimizer: Any = "auto",
    optimizer_options: dict[str, Any] | None = None,
    batch_size: int = 32,
    max_epochs: int = 1000,
    tol: float | None = 1e-9,
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
    check_input: bool = True,
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
    optimizer : "auto", "conjugate_gradient", str or GradientTransformation
        ``"auto"`` (default, :func:`choose_algorithm`): conjugate gradient for ``bgd``, SVRG
        steps for ``sgd`` and ``minibatch``, plain steps when a learning rate is given.
        ``"conjugate_gradient"`` (``bgd`` only, :mod:`glassbox.optim.conjugate`), or a name
        from :data:`~glassbox.optim.transforms.OPTIMIZERS`; ``optimizer_options`` go to its
        constructor (e.g. ``{"momentum": 0.9}``).
    batch_size : int
        Rows per mini-batch (``minibatch`` only).
    max_epochs, tol, stopping, n_iter_no_change
        Stopping rules of :func:`glassbox.optim.loop.descend`; ``tol=None`` (scikit-learn's
        meaning) runs all ``max_epochs`` with no stopping rule (``converged`` is False).
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
    check_input : bool, default True
        Validate X, y and the weights (float64, finite, matching lengths). ``False`` (as in
        scikit-learn) for callers that already did: the estimators, after ``validate_data``.

    Returns
    -------
    DescentResult
    """
    _check_method(method)
    _check_optimizer(optimizer, method, early_stopping or validation_data is not None)
    algorithm = choose_algorithm(
        method,
        optimizer,
        learning_rate,
        variance_reduction,
        early_stopping=early_stopping or validation_data is not None,
    )
    optimizer, variance_reduction = algorithm.optimizer, algorithm.variance_reduction
    check_loop_parameters(
        max_epochs=max_epochs,
        tol=tol,
        stopping=stopping,
        n_iter_no_change=n_iter_no_change,
        validation_fraction=validation_fraction,
        early_stopping=early_stopping,
        variance_reduction=variance_reduction,
    )
    if check_input:
        X, y, weights = _prepare(X, y, sample_weight)
    else:
        weights = sample_weight
    n_samples = X.shape[0]
    batch = _check_batch_size(batch_size, method, n_samples)
    if isinstance(learning_rate, (int, float)) or callable(learning_rate):
        _resolve_learning_rate(learning_rate, 1.0)  # fail fast, before any work

    scaler = Standardizer.fit(X, y, weights, fit_intercept=fit_intercept, standardize=standardize)
    Z, ones = scaler.descent_design(X)
    Y = scaler.target(y)
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
            Z, Y, weights, scaler, validation_data, n_samples, ones=not ones
        )
        early_stopping = True
    strengths = _penalty_strengths(l2_penalty, scaler, n_samples, Y.shape)
    conjugate = isinstance(optimizer, str) and optimizer == "conjugate_gradient"
    rate: LearningRate | None
    if conjugate:  # exact line searches: no step size to choose
        rate, reason = None, algorithm.reason
    elif _given_rate(learning_rate):  # nothing to compute: no power iteration
        rate, reason = _resolve_learning_rate(learning_rate, 1.0), "given"
    else:
        auto, reason = auto_learning_rate(
            np.hstack([Z, np.ones((len(Z), 1))]) if ones else Z,
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
        elif algorithm.reason:
            reason = f"{algorithm.reason}; {reason}"

    W_start = _initial_params(warm_start, scaler, Z.shape[1] + int(ones), y)
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

    objective: Objective = LeastSquaresObjective(Z, Y, objective_weights, ones_column=ones)
    if strengths is not None:
        objective = L2Penalized(objective, (strengths,))
    transform: Any = optimizer
    if conjugate:
        curvature = objective.hessian_vector_product  # type: ignore[attr-defined]
        train_rows = slice(0, n_samples)  # validation rows, if any, come after these

        def hessian_vector_product(vector: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
            return tuple(curvature(vector, train_rows))

        transform = conjugate_gradient(hessian_vector_product)
    run: DescentRun = descend(
        objective,
        (W0,),
        optimizer=transform,
        learning_rate=rate,
        optimizer_options=None if conjugate else optimizer_options,
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
        record_grad_norm=False,
        epoch_loss=default_epoch_loss(tol, variance_reduction, average, full_batch=method == "bgd"),
    )
    loop_state = run.state
    if hold:  # the full parameters and optimizer state, for partial_fit to continue from
        options = {} if conjugate else (optimizer_options or {})
        template = get_optimizer(transform, rate, **options).init((W_start,))
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
        optimizer=optimizer if isinstance(optimizer, str) else "custom",
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
        optimizer=optimizer if isinstance(optimizer, str) else "custom",
        variance_reduction=variance_reduction,
    )


def _append_validation(
    Z: np.ndarray,
    Y: np.ndarray,
    weights: np.ndarray | None,
    scaler: Standardizer,
    validation_data: tuple[Any, Any],
    n_samples: int,
    *,
    ones: bool = True,
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
    Z_all = np.vstack([Z, scaler.design(X_val, ones=ones)])
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
    optimizer: Any = "auto",
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
    over the keyword arguments. ``optimizer="auto"`` is plain steps here: SVRG and conjugate
    gradient need the full data, which a stream never shows at once.
    """
    X, y, weights = _prepare(X, y, sample_weight)
    if isinstance(optimizer, str) and optimizer == "auto":
        optimizer = "sgd"
    _check_optimizer(optimizer, "sgd" if method == "bgd" else method)
    if state is None:
        _check_method(method)
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
            optimizer=optimizer if isinstance(optimizer, str) else "custom",
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
        name = optimizer if isinstance(optimizer, str) else "custom"
        if state.learning_rate is None or state.optimizer != name:
            # a fit by conjugate gradient (no step size) or another optimizer: go on with
            # this optimizer's automatic step and a fresh optimizer state from here
            auto, _ = auto_learning_rate(
                Z,
                weights,
                method=state.method,
                batch_size=min(state.batch_size, X.shape[0]),
                optimizer=optimizer,
                variance_reduction=None,
            )
            state = replace(
                state,
                learning_rate=_resolve_learning_rate(learning_rate, auto),
                loop_state=None,  # type: ignore[arg-type]
                optimizer=name,
            )
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
