"""Exact least squares and ridge regression in ``torch.linalg``: the PyTorch backend's closed forms.

The problem is the one glassbox's NumPy solvers work on (:mod:`glassbox.linear.problem`)::

    minimize over (b, β)   Σᵢ wᵢ ‖yᵢ − b − xᵢᵀβ‖² + α ‖β‖²                               (1)

(α = 0 for ordinary least squares). b is eliminated by centring on the weighted means μ, ȳ,
and the columns are equilibrated by their norms d, so every solver below works on

    A = √W (X − 1μᵀ) D⁻¹,   B = √W (Y − 1ȳᵀ),   β = D⁻¹ z,   b = ȳ − μᵀβ                (2)

and solves for z:

* ``beta``      slope = Σ w (x − x̄)(y − ȳ) / Σ w (x − x̄)² (one feature);
* ``normal``    AᵀA = L Lᵀ (``torch.linalg.cholesky``), z by ``torch.cholesky_solve``;
* ``qr``        A = Q R (``torch.linalg.qr``), R z = Qᵀ B (``torch.linalg.solve_triangular``);
* ``svd``       A = U S Vᵀ (``torch.linalg.svd``), z = V S⁺ Uᵀ B with the cutoff
                max(n, p)·ε·s_max of glassbox's SVD solver;
* ridge         (AᵀA + α D⁻²) z = AᵀB by Cholesky, by QR of [A; √α D⁻¹], or by the SVD
                filter factors s / (s² + α) of the unscaled A D.

What differs from the NumPy reference is only the engine and the finishing: glassbox refines
every solution with extended-precision residuals, PyTorch does not, so the two agree to the
accuracy of the method, about cond(A)²·ε for the normal equations and cond(A)·ε for QR and
SVD, in the working dtype (see ``docs/backends.md``).

PyTorch is imported inside the functions: this module loads without it.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from glassbox.exceptions import RankDeficientWarning
from glassbox.linear.solvers import check_beta_problem

if TYPE_CHECKING:
    import torch

# "auto" uses Cholesky while cond(A) ≤ 1e4, as glassbox's choose_solver does.
AUTO_CHOLESKY_MAX_COND = 1e4


@dataclass
class TorchLeastSquares:
    """Eq. (2) on one device and dtype; its pieces are built on demand and shared by solvers.

    The Gram path (``scaled_gram``) accumulates AᵀA over row blocks, each block centred and
    weighted as it is multiplied, so it never holds a centred copy of X; QR and SVD factor
    the whole scaled design ``A``, built only when they ask for it.
    """

    X: torch.Tensor  # (n, p) the data on the device, never modified
    Y: torch.Tensor  # (n, k)
    root_weight: torch.Tensor | None  # (n,) √w
    x_offset: torch.Tensor  # (p,) μ (zeros without an intercept)
    y_offset: torch.Tensor  # (k,) ȳ
    weight_sum: float
    effective_samples: int
    fit_intercept: bool

    @property
    def n_samples(self) -> int:
        """Number of rows n."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of columns p."""
        return int(self.X.shape[1])

    @property
    def eps(self) -> float:
        """Machine epsilon of the tensors' dtype."""
        import torch

        return float(torch.finfo(self.X.dtype).eps)

    def centred_block(
        self, rows: slice, out: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """√W (X − μ) and √W (Y − ȳ) for a block of rows (X's block written into ``out``)."""
        import torch

        Xb = torch.sub(self.X[rows], self.x_offset, out=out)
        Yb = self.Y[rows] - self.y_offset
        if self.root_weight is not None:
            root = self.root_weight[rows, None]
            Xb.mul_(root)
            Yb.mul_(root)
        return Xb, Yb

    def _block_buffer(self) -> torch.Tensor:
        """One block-sized tensor reused by every block: a fresh allocation per block would
        cost more in page faults than the arithmetic."""
        rows = _row_slices(self)[0]
        return self.X.new_empty((rows.stop - rows.start, self.n_features))

    @cached_property
    def centred_gram(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(G₀, C₀) = (X̃ᵀX̃, X̃ᵀỸ), X̃ = √W (X − μ), summed over row blocks.

        PyTorch has no symmetric rank-k product (BLAS syrk), and a plain X̃ᵀX̃ computes both
        triangles. With column panels P₁ … P_m of X̃ (split so each has equal work), only
        the blocks on and above the diagonal are formed,

            G₀[Pᵢ, Pᵢ ∪ … ∪ P_m] = X̃[:, Pᵢ]ᵀ X̃[:, Pᵢ ∪ … ∪ P_m],                      (3)

        about 2/3 of the products for m = 3, and the blocks below the diagonal are copied from
        those above it.
        Each block is held transposed (p × rows), so every panel is a contiguous row range.
        """
        import torch

        k, p = self.Y.shape[1], self.n_features
        G = self.X.new_zeros((p, p))
        C = self.X.new_zeros((p, k))
        edges = _panel_edges(p)
        slices = _row_slices(self)
        transposed = self.X.new_empty((p, slices[0].stop - slices[0].start))
        for rows in slices:
            block = transposed[:, : rows.stop - rows.start]
            torch.sub(self.X[rows].T, self.x_offset[:, None], out=block)
            Yb = self.Y[rows] - self.y_offset
            if self.root_weight is not None:
                root = self.root_weight[rows]
                block.mul_(root)
                Yb.mul_(root[:, None])
            for start, stop in itertools.pairwise(edges):
                G[start:stop, start:].addmm_(block[start:stop], block[start:].T)  # eq. (3)
            C.addmm_(block, Yb)
        for start, stop in itertools.pairwise(edges):
            square = G[start:stop, start:stop]
            square.copy_((square + square.T) * 0.5)  # exactly symmetric diagonal blocks
            G[stop:, start:stop] = G[start:stop, stop:].T  # the lower triangle from the upper
        return G, C

    @cached_property
    def column_norms(self) -> torch.Tensor:
        """‖√W (X − μ)‖ per column: from the Gram diagonal when it exists, else by blocks."""
        import torch

        if "centred_gram" in self.__dict__:
            return torch.diagonal(self.centred_gram[0]).clamp(min=0).sqrt()
        squares = self.X.new_zeros(self.n_features)
        buffer = self._block_buffer()
        for rows in _row_slices(self):
            Xb, _ = self.centred_block(rows, buffer[: rows.stop - rows.start])
            squares += (Xb * Xb).sum(dim=0)
        return squares.sqrt()

    @cached_property
    def null(self) -> torch.Tensor:
        """(p,) bool: columns constant up to the rounding of the data (zero after centring)."""
        raw = self.x_offset.abs() * self.weight_sum**0.5
        return self.column_norms <= 16 * self.eps * raw

    @cached_property
    def scale(self) -> torch.Tensor:
        """d of eq. (2): the column norms, 1 for null columns."""
        import torch

        norms = self.column_norms
        return torch.where(self.null | (norms == 0), torch.ones_like(norms), norms)

    @property
    def kept(self) -> torch.Tensor:
        """Indices of the columns that are not null."""
        import torch

        return torch.nonzero(~self.null).flatten()

    def scaled_gram(self) -> tuple[torch.Tensor, torch.Tensor]:
        """AᵀA = D⁻¹ G₀ D⁻¹ (unit diagonal) and AᵀB = D⁻¹ C₀, null columns zeroed."""
        G0, C0 = self.centred_gram
        d = self.scale
        G, C = G0 / d[:, None] / d[None, :], C0 / d[:, None]
        G[self.null, :] = 0.0
        G[:, self.null] = 0.0
        C[self.null] = 0.0
        return G, C

    @cached_property
    def A(self) -> torch.Tensor:
        """(n, p) A = √W (X − μ) D⁻¹, null columns 0 (one full copy, for QR and SVD)."""
        A = self.X - self.x_offset
        if self.root_weight is not None:
            A *= self.root_weight[:, None]
        A /= self.scale
        A[:, self.null] = 0.0
        return A

    @cached_property
    def B(self) -> torch.Tensor:
        """(n, k) B = √W (Y − ȳ)."""
        B = self.Y - self.y_offset
        return B if self.root_weight is None else B * self.root_weight[:, None]

    def coefficients(self, z: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """(coef (k, p), intercept (k,)) as float64 NumPy arrays from z (p, k), eq. (2)."""
        import torch

        beta = z / self.scale[:, None]
        beta[self.null] = 0.0
        intercept = self.y_offset - self.x_offset @ beta
        coef = beta.T.detach().to(device="cpu", dtype=torch.float64).numpy()
        return coef, intercept.detach().to(device="cpu", dtype=torch.float64).numpy()


# Column panels for eq. (3): one below this many columns (a panel product that small
# loses more to the matrix-multiply kernel's efficiency than the half triangle saves).
_PANEL_MIN_FEATURES = 64
_PANELS = 3


def _panel_edges(n_features: int) -> list[int]:
    """Edges of the column panels of eq. (3), sized for equal work.

    Panel i forms the rectangle |Pᵢ| × rᵢ, rᵢ = p − (its first column): with equal work T
    the last panel is a square, r = √T, and each earlier one satisfies (r' − r)·r' = T, so
    r' = (r + √(r² + 4T)) / 2. Widths are found in units of √T, then scaled to p columns.
    """
    m = 1 if n_features < _PANEL_MIN_FEATURES else _PANELS
    remaining = [1.0]
    for _ in range(m - 1):
        r = remaining[-1]
        remaining.append((r + math.sqrt(r * r + 4.0)) / 2.0)
    widest = remaining[-1]
    edges = [round(n_features * (1.0 - r / widest)) for r in reversed(remaining)]
    return sorted(set([*edges, n_features]))


def _row_slices(problem: TorchLeastSquares) -> list[slice]:
    from glassbox.linear.problem import row_slices

    return row_slices(problem.n_samples, problem.n_features)


def prepare(
    X: np.ndarray,
    Y: np.ndarray,
    sample_weight: np.ndarray | None,
    *,
    fit_intercept: bool,
    device: torch.device,
    dtype: torch.dtype,
) -> TorchLeastSquares:
    """Move (X, Y, w) to ``device`` in ``dtype`` and take the weighted means of eq. (2).

    A column counts as null when its centred norm is within a few ulps of its raw size (it
    is constant up to the rounding of the data), the rule of glassbox's NumPy problem.
    """
    import torch

    Xt = torch.as_tensor(X, dtype=dtype, device=device)
    Yt = torch.as_tensor(Y, dtype=dtype, device=device)
    n_samples, n_features = Xt.shape
    if sample_weight is None:
        w = Xt.new_ones(n_samples)
        root, weight_sum, effective = None, float(n_samples), n_samples
    else:
        w = torch.as_tensor(sample_weight, dtype=dtype, device=device)
        root, weight_sum = w.sqrt(), float(w.sum())
        effective = int(np.count_nonzero(sample_weight))
    if fit_intercept:
        # Σ w x / Σ w as a matrix-vector product: BLAS speed (torch's column reduction
        # X.mean(0) is several times slower on a tall C-ordered X).
        x_offset, y_offset = (w @ Xt) / weight_sum, (w @ Yt) / weight_sum
    else:
        x_offset, y_offset = Xt.new_zeros(n_features), Yt.new_zeros(Yt.shape[1])
    return TorchLeastSquares(
        Xt, Yt, root, x_offset, y_offset, weight_sum, effective, bool(fit_intercept)
    )


@dataclass
class TorchSolution:
    """z (p, k) of eq. (2) and what the solver found on the way."""

    z: torch.Tensor
    rank: int
    cond: float
    redundant: np.ndarray  # columns set aside with coefficient 0 (constant ones included)


# --- ordinary least squares ---------------------------------------------------------------


def _gram(problem: TorchLeastSquares) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(AᵀA, AᵀB) restricted to the non-null columns, and those columns."""
    G, C = problem.scaled_gram()
    kept = problem.kept
    if kept.numel() == problem.n_features:
        return G, C, kept
    return G[kept][:, kept], C[kept], kept


def _scatter(problem: TorchLeastSquares, kept: torch.Tensor, z_kept: torch.Tensor) -> Any:
    import torch

    z = torch.zeros(
        (problem.n_features, problem.Y.shape[1]), dtype=problem.X.dtype, device=problem.X.device
    )
    z[kept] = z_kept
    return z


def _redundant(problem: TorchLeastSquares, kept: torch.Tensor) -> np.ndarray:
    return np.setdiff1d(np.arange(problem.n_features), kept.cpu().numpy())


def _cond_from_cholesky(G: torch.Tensor, L: torch.Tensor) -> float:
    """Estimated cond₂(A) = √(‖G‖₁ ‖G⁻¹‖₁) for G = AᵀA = L Lᵀ, as LAPACK's dpocon gives the
    NumPy backend, in O(p²) work instead of an eigendecomposition's O(p³).

    ‖G⁻¹‖₁ = max over ‖x‖₁ = 1 of ‖G⁻¹x‖₁, a convex function maximized at a unit vector e_j;
    Hager's ascent (with Higham's refinements) climbs it: from x, y = G⁻¹x; the subgradient is
    z = G⁻¹ sign(y) (G is symmetric); move to e_j, j = argmax |zⱼ|, unless |zⱼ| ≤ zᵀx (a local
    maximum). Higham's alternating vector bᵢ = ±(1 + (i − 1)/(p − 1)) guards against the rare
    matrices that fool the ascent: the estimate is the larger of the two (a lower bound on
    ‖G⁻¹‖₁, almost always within a factor 3 of it).
    """
    import torch

    p = G.shape[0]
    if p == 0:
        return 1.0
    norm = float(G.abs().sum(dim=0).max())

    def solve(v: torch.Tensor) -> torch.Tensor:
        return torch.cholesky_solve(v[:, None], L)[:, 0]

    x = G.new_full((p,), 1.0 / p)
    estimate, previous = 0.0, -1
    for _ in range(5):
        y = solve(x)
        estimate = max(estimate, float(y.abs().sum()))
        z = solve(torch.where(y >= 0, 1.0, -1.0).to(G.dtype))
        j = int(z.abs().argmax())
        if float(z.abs()[j]) <= float(z @ x) or j == previous:
            break
        x = G.new_zeros(p)
        x[j], previous = 1.0, j
    if p > 1:
        steps = torch.arange(p, dtype=G.dtype, device=G.device)
        b = (1.0 + steps / (p - 1)) * torch.where(steps % 2 == 0, 1.0, -1.0).to(G.dtype)
        estimate = max(estimate, 2.0 * float(solve(b).abs().sum()) / (3.0 * p))
    return float(np.sqrt(norm * estimate)) if np.isfinite(estimate) else float("inf")


def solve_beta(problem: TorchLeastSquares) -> TorchSolution:
    """slope = Σ w (x − x̄)(y − ȳ) / Σ w (x − x̄)², the textbook estimate (one feature).

    With A of eq. (2) holding √w (x − x̄)/d, the slope is z/d with z = AᵀB / AᵀA.
    """
    check_beta_problem(problem.n_features, problem.effective_samples)
    x = problem.A[:, 0]  # √w (x − x̄) / d
    spread = x @ x  # Σ w (x − x̄)² / d²
    if bool(problem.null[0]) or float(spread) == 0.0:
        z = problem.X.new_zeros((1, problem.Y.shape[1]))
        return TorchSolution(z, 0, 1.0, np.array([0]))
    z = (x @ problem.B)[None, :] / spread  # cov(x, y) / var(x), in scaled units
    return TorchSolution(z, 1, 1.0, np.zeros(0, dtype=np.intp))


def _cholesky_solution(
    problem: TorchLeastSquares, G: torch.Tensor, C: torch.Tensor, kept: torch.Tensor, L: Any
) -> TorchSolution:
    import torch

    z = torch.cholesky_solve(C, L)  # AᵀA z = AᵀB with AᵀA = L Lᵀ
    return TorchSolution(
        _scatter(problem, kept, z),
        int(kept.numel()),
        _cond_from_cholesky(G, L),
        _redundant(problem, kept),
    )


def positive_definite_cholesky(G: torch.Tensor, eps: float) -> torch.Tensor | None:
    """L with G = L Lᵀ, or None when G is not numerically positive definite.

    G has a unit diagonal, so L_jj² is the squared length of column j's component orthogonal
    to the columns before it; at most 10·p·ε means a dependent column (glassbox's in-order
    test on the Gram matrix).
    """
    import torch

    L, info = torch.linalg.cholesky_ex(G)
    if int(info) != 0:
        return None
    if G.shape[0] and float(torch.diagonal(L).min()) ** 2 <= 10 * G.shape[0] * eps:
        return None
    return L


def solve_normal(problem: TorchLeastSquares) -> TorchSolution:
    """AᵀA z = AᵀB by Cholesky, AᵀA = L Lᵀ, then two triangular solves (no inverse)."""
    G, C, kept = _gram(problem)
    L = positive_definite_cholesky(G, problem.eps)
    if L is None:
        raise ValueError(
            "solver='normal' on backend='torch': the scaled Gram matrix AᵀA is not positive "
            "definite (the design is rank deficient), and the torch backend's Cholesky path has "
            "no rank-revealing step. Use solver='qr' or 'svd', or backend='numpy', which sets "
            "the redundant columns aside."
        )
    return _cholesky_solution(problem, G, C, kept, L)


def solve_qr(problem: TorchLeastSquares) -> TorchSolution:
    """A = Q R, R z = Qᵀ B; columns whose new direction |R_jj| is below max(n, p)·ε are set
    aside in column order (the columns of A have unit length) and A is factored again."""
    import torch

    kept = problem.kept
    tolerance = max(problem.n_samples, problem.n_features) * problem.eps
    for _ in range(2):
        A = problem.A if kept.numel() == problem.n_features else problem.A[:, kept]
        Q, R = torch.linalg.qr(A, mode="reduced")
        independent = torch.diagonal(R).abs() > tolerance
        if bool(independent.all()) or kept.numel() == 0:
            break
        kept = kept[independent[: kept.numel()]]
    z = torch.linalg.solve_triangular(R, Q.T @ problem.B, upper=True)
    cond = float(torch.linalg.cond(R)) if R.numel() else 1.0
    return TorchSolution(
        _scatter(problem, kept, z), int(kept.numel()), cond, _redundant(problem, kept)
    )


def solve_svd(problem: TorchLeastSquares) -> TorchSolution:
    """Minimum-norm least squares, z = V S⁺ Uᵀ B, S⁺ inverting s > max(n, p)·ε·s_max."""
    import torch

    U, s, Vh = torch.linalg.svd(problem.A, full_matrices=False)
    s_max = float(s[0]) if s.numel() else 0.0  # torch returns s in descending order
    cutoff = max(problem.n_samples, problem.n_features) * problem.eps * s_max
    retained = s > cutoff
    inverse = torch.where(retained, 1.0 / torch.where(retained, s, torch.ones_like(s)), 0.0)
    z = Vh.T @ (inverse[:, None] * (U.T @ problem.B))
    rank = int(retained.sum())
    cond = float(s[0] / s[-1]) if s.numel() and float(s[-1]) > 0 else float("inf")
    return TorchSolution(z, rank, cond, problem.null.nonzero().flatten().cpu().numpy())


LINEAR_SOLVERS = {"beta": solve_beta, "normal": solve_normal, "qr": solve_qr, "svd": solve_svd}


def solve_auto(problem: TorchLeastSquares) -> tuple[str, str, TorchSolution]:
    """glassbox's rule for ``solver="auto"``: SVD when samples < unknowns; Cholesky when AᵀA
    is positive definite with cond(A) ≤ 1e4; QR otherwise. Returns (name, reason, solution).

    cond(A) is the 2-norm value √(λ_max/λ_min) of AᵀA here, where glassbox uses LAPACK's
    1-norm estimate; the two can pick differently only for cond(A) within a factor of √p of
    the threshold.
    """
    if problem.effective_samples > problem.n_features:
        # Tall data: the Gram matrix is needed anyway; its diagonal gives the column norms
        # (and the constant columns) without another pass over X.
        _ = problem.centred_gram
    unknowns = problem.n_features - int(problem.null.sum()) + int(problem.fit_intercept)
    if problem.effective_samples < unknowns:
        return (
            "svd",
            f"fewer samples ({problem.effective_samples}) than unknowns ({unknowns}): "
            "minimum-norm solution by SVD",
            solve_svd(problem),
        )
    G, C, kept = _gram(problem)
    L = positive_definite_cholesky(G, problem.eps)
    if L is None:
        return "qr", "scaled Gram matrix is singular: Householder QR", solve_qr(problem)
    cond = _cond_from_cholesky(G, L)
    if cond > AUTO_CHOLESKY_MAX_COND:
        return (
            "qr",
            f"scaled design is ill-conditioned (cond ≈ {cond:.1e} > "
            f"{AUTO_CHOLESKY_MAX_COND:.0e}): Householder QR",
            solve_qr(problem),
        )
    return (
        "normal",
        f"scaled design is well conditioned (cond ≈ {cond:.1e} ≤ {AUTO_CHOLESKY_MAX_COND:.0e}): "
        "Cholesky on the normal equations",
        _cholesky_solution(problem, G, C, kept, L),
    )


def warn_if_rank_deficient(solution: TorchSolution, n_features: int) -> None:
    """The NumPy backend's warning, so a rank-deficient design is never silent on torch."""
    if solution.rank < n_features:
        warnings.warn(
            f"X is rank deficient (rank {solution.rank} of {n_features} features); column(s) "
            f"{[int(j) for j in solution.redundant]} were given coefficient 0 or share weight "
            "with collinear columns.",
            RankDeficientWarning,
            stacklevel=4,
        )


# --- ridge --------------------------------------------------------------------------------


def _penalty(problem: TorchLeastSquares, alpha: float) -> torch.Tensor:
    """α / d², the penalty of eq. (1) in the scaled coordinates z = D β."""
    return alpha / problem.scale**2


def ridge_cholesky(problem: TorchLeastSquares, alphas: np.ndarray) -> torch.Tensor:
    """(AᵀA + α D⁻²) z = AᵀB by Cholesky, one factorization per distinct α."""
    import torch

    G, C = problem.scaled_gram()
    z = torch.zeros_like(C)
    for alpha in np.unique(alphas):
        targets = torch.as_tensor(np.flatnonzero(alphas == alpha), device=C.device)
        L, info = torch.linalg.cholesky_ex(G + torch.diag(_penalty(problem, float(alpha))))
        if int(info) != 0:
            raise ValueError(
                "Ridge with alpha=0 on a rank-deficient design has no unique solution; use "
                "alpha > 0 or LinearRegression (which reports the redundant columns)."
            )
        z[:, targets] = torch.cholesky_solve(C[:, targets], L)
    return z


def ridge_qr(problem: TorchLeastSquares, alphas: np.ndarray) -> torch.Tensor:
    """min ‖[B; 0] − [A; √α D⁻¹] z‖ by QR of the stacked matrix: never squares cond(A)."""
    import torch

    n = problem.n_samples
    z = problem.X.new_zeros((problem.n_features, problem.Y.shape[1]))
    for alpha in np.unique(alphas):
        targets = torch.as_tensor(np.flatnonzero(alphas == alpha), device=z.device)
        stacked = torch.cat([problem.A, torch.diag(_penalty(problem, float(alpha)).sqrt())])
        Q, R = torch.linalg.qr(stacked, mode="reduced")
        rhs = Q[:n].T @ problem.B[:, targets]
        z[:, targets] = torch.linalg.solve_triangular(R, rhs, upper=True)
    return z


def ridge_svd(problem: TorchLeastSquares, alphas: np.ndarray) -> torch.Tensor:
    """β = V diag(s / (s² + α)) Uᵀ B on the unscaled A₀ = A D; returns z = D β.

    Singular values below s_max·r·ε·10 get filter 0 (glassbox's ``ridge_filters`` cutoff).
    """
    import torch

    A0 = problem.A * problem.scale
    U, s, Vh = torch.linalg.svd(A0, full_matrices=False)
    projected = U.T @ problem.B  # (r, k)
    alpha = torch.as_tensor(alphas, dtype=s.dtype, device=s.device)[None, :]  # (1, k)
    s2 = s[:, None]
    cutoff = (float(s[0]) if s.numel() else 0.0) * max(s.numel(), 1) * problem.eps * 10
    denominator = s2**2 + alpha
    safe = (denominator > 0) & (s2 > cutoff)
    filters = torch.where(
        safe, s2 / torch.where(safe, denominator, torch.ones_like(denominator)), 0.0
    )
    beta = Vh.T @ (filters * projected)
    return beta * problem.scale[:, None]


RIDGE_SOLVERS = {"cholesky": ridge_cholesky, "qr": ridge_qr, "svd": ridge_svd}


def choose_ridge_solver(problem: TorchLeastSquares, solver: str, alphas: np.ndarray) -> str:
    """glassbox's Ridge rule: "auto" is Cholesky (SVD when samples < features); α = 0 is
    least squares, whose minimum-norm solution only the SVD defines."""
    if solver == "auto":
        solver = "svd" if problem.effective_samples < problem.n_features else "cholesky"
    if solver != "svd" and np.any(alphas == 0):
        solver = "svd"
    return solver
