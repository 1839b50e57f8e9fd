"""The logistic (binary) and softmax (multinomial) losses, computed without overflow.

With the design ``X̃ = [X, 1]`` (the column of ones only with an intercept), weights
``s_i`` normalized to sum to 1, and coefficients ``W`` of shape (K, d):

    binary (K = 1):  z = X̃w,   ℓ_i = log(1 + e^{z_i}) − y_i z_i,   y_i ∈ {0, 1}        (1)
    softmax:         Z = X̃Wᵀ,  ℓ_i = log Σ_k e^{Z_ik} − Z_{i,y_i}                     (2)

    f(W) = Σ_i s_i ℓ_i + ½ l2 ‖W_pen‖²,     ∇f = (s ⊙ (P − Y))ᵀ X̃ + l2 W_pen           (3)

where ``P`` is σ(z) or softmax(Z) and ``W_pen`` zeroes the intercept column (never
penalized). This is scikit-learn's ``C Σ s_i ℓ_i + ½‖w‖²`` divided by ``C Σ s_i``:
``l2 = (1 − ρ)/(C Σ s)``, and the L1 weight is ``ρ/(C Σ s)``.

Stability: ``log(1 + e^z) = max(z, 0) + log1p(e^{−|z|})`` and
``σ(z) = e^{−log(1 + e^{−z})}``; ``log Σ e^{Z_k} = m + log Σ e^{Z_k − m}`` with
``m = max_k Z_k``. None of them overflows for any finite margin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LogisticProblem", "log1pexp", "log_softmax", "sigmoid"]

# Rows per block when the Hessian is accumulated block by block.
_BLOCK_ROWS = 8192


def log1pexp(z: np.ndarray) -> np.ndarray:
    """``log(1 + e^z)`` for any finite z."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + e^{−z})`` without overflow: ``e^{−log(1 + e^{−z})}``."""
    return np.exp(-log1pexp(-z))


def log_softmax(Z: np.ndarray) -> np.ndarray:
    """``Z − log Σ_k e^{Z_k}`` row-wise, shifted by the row maximum."""
    # column by column and a matrix-vector product: NumPy's reductions along a short last
    # axis (K classes) are about ten times slower than either
    top = Z[:, 0].copy()
    for column in Z.T[1:]:
        np.maximum(top, column, out=top)
    shifted = Z - top[:, None]
    return shifted - np.log(np.exp(shifted) @ np.ones(Z.shape[1]))[:, None]


@dataclass
class LogisticProblem:
    """Eq. (3) on one data set: everything a solver needs, nothing about the estimator.

    The column of ones of ``X̃`` is never stored: the intercept's share of each product is
    added separately, so X is used in place, whatever its size.

    Attributes
    ----------
    X : ndarray (n_samples, n_features)
    Y : ndarray (n_samples,) for binary, (n_samples, K) one-hot for softmax
    weights : ndarray (n_samples,), summing to 1
    l2, l1 : float
        Penalty weights on the mean-loss scale.
    fit_intercept : bool
        Whether the last column of W (d = n_features + 1) is an intercept.
    """

    X: np.ndarray
    Y: np.ndarray
    weights: np.ndarray
    l2: float
    l1: float
    fit_intercept: bool

    @property
    def n_outputs(self) -> int:
        """K: 1 for binary, the number of classes for softmax."""
        return 1 if self.Y.ndim == 1 else int(self.Y.shape[1])

    @property
    def n_columns(self) -> int:
        """d: features plus one for the intercept."""
        return self.X.shape[1] + int(self.fit_intercept)

    @property
    def n_params(self) -> int:
        """Number of parameters, K · d."""
        return self.n_outputs * self.n_columns

    @property
    def penalized(self) -> np.ndarray:
        """Mask over the flattened (K, d) coefficients: False on the intercept column."""
        mask = np.ones((self.n_outputs, self.n_columns), dtype=bool)
        if self.fit_intercept:
            mask[:, -1] = False
        return mask.ravel()

    def coef_matrix(self, w: np.ndarray) -> np.ndarray:
        """The flat parameters w as the (K, d) matrix of coefficients (intercept last)."""
        return w.reshape(self.n_outputs, self.n_columns)

    def augmented(self) -> np.ndarray:
        """``X̃ = [X, 1]`` as an array (a copy; used only where a product needs it whole)."""
        if not self.fit_intercept:
            return self.X
        return np.hstack([self.X, np.ones((self.X.shape[0], 1))])

    def margins(self, w: np.ndarray) -> np.ndarray:
        """z = X̃w (binary, shape (n,)) or Z = X̃Wᵀ (softmax, shape (n, K))."""
        W = self.coef_matrix(w)
        p = self.X.shape[1]
        if self.Y.ndim == 1:
            z = self.X @ W[0, :p]
            return z + W[0, p] if self.fit_intercept else z
        Z = self.X @ W[:, :p].T
        return Z + W[:, p] if self.fit_intercept else Z

    def _times_design(self, residual: np.ndarray) -> np.ndarray:
        """``rᵀX̃`` for r of shape (n,) or (n, K), flattened as W."""
        # Xᵀr for one column (BLAS gemv on X's own layout), rᵀX for K columns (gemm)
        parts = self.X.T @ residual if residual.ndim == 1 else residual.T @ self.X
        if self.fit_intercept:
            total = residual.sum(axis=0)
            parts = (
                np.append(parts, total) if residual.ndim == 1 else np.column_stack([parts, total])
            )
        return parts.ravel()

    def smooth_value_grad(self, w: np.ndarray) -> tuple[float, np.ndarray]:
        """f and ∇f of eq. (3) (no L1 term)."""
        Z = self.margins(w)
        pen = w * self.penalized
        if self.Y.ndim == 1:
            # one exp serves both log(1 + e^z) and σ(z): e = e^{−|z|}
            e = np.exp(-np.abs(Z))
            positive = Z >= 0
            # log(1 + e^z) − yz = log1p(e^{−|z|}) + max(z, 0) − yz
            loss = float(self.weights @ np.log1p(e)) + float(
                self.weights @ (np.where(positive, Z, 0.0) - self.Y * Z)
            )  # eq. (1)
            prob = np.where(positive, 1.0, e)
            prob /= 1.0 + e
            grad = self._times_design(self.weights * (prob - self.Y))
        else:
            log_p = log_softmax(Z)
            loss = -float(self.weights @ np.einsum("ik,ik->i", self.Y, log_p))  # eq. (2)
            grad = self._times_design(self.weights[:, None] * (np.exp(log_p) - self.Y))
        value = loss + 0.5 * self.l2 * float(pen @ pen)
        return value, grad + self.l2 * pen

    def objective(self, w: np.ndarray) -> float:
        """eq. (3) plus the L1 term ``l1 ‖W_pen‖₁``."""
        value, _ = self.smooth_value_grad(w)
        return value + self.l1 * float(np.sum(np.abs(w * self.penalized)))

    def hessian(self, w: np.ndarray) -> np.ndarray:
        """∇²f, shape (K d, K d).

        Binary: ``X̃ᵀ diag(s σ(1 − σ)) X̃``; softmax: :meth:`_softmax_hessian`; plus ``l2``
        on penalized diagonal entries.
        """
        Z = self.margins(w)
        p, d = self.X.shape[1], self.n_columns
        if self.Y.ndim == 1:
            prob = sigmoid(Z)
            h = self.weights * prob * (1.0 - prob)
            root = np.sqrt(h)
            H = np.zeros((d, d))
            # Σ over row blocks of AᵀA, A = √h ⊙ X: each block's A stays in cache, and AᵀA
            # is a symmetric product (BLAS syrk)
            for start in range(0, len(h), _BLOCK_ROWS):
                A = self.X[start : start + _BLOCK_ROWS] * root[start : start + _BLOCK_ROWS, None]
                H[:p, :p] += A.T @ A
            if self.fit_intercept:
                cross = self.X.T @ h
                H[:p, p] = H[p, :p] = cross
                H[p, p] = h.sum()
        else:
            H = self._softmax_hessian(np.exp(log_softmax(Z)))
        H[np.diag_indices_from(H)] += self.l2 * self.penalized
        return H

    def _softmax_hessian(self, P: np.ndarray) -> np.ndarray:
        """The softmax loss's Hessian at probabilities P (n, K), without the penalty.

        Notes
        -----
        With ``p_i`` the i-th row of P and ``e_k`` the k-th unit vector of R^K,

            H = Σ_i s_i (diag(p_i) − p_i p_iᵀ) ⊗ x̃_i x̃_iᵀ.                                  (4)

        Because ``Σ_k p_ik = 1``, ``diag(p) − ppᵀ = Σ_{k<l} p_k p_l (e_k − e_l)(e_k − e_l)ᵀ``
        (a weighted graph Laplacian), so

            H = Σ_{k<l} (e_k − e_l)(e_k − e_l)ᵀ ⊗ G_kl,    G_kl = X̃ᵀ diag(s ⊙ p_k ⊙ p_l) X̃:  (5)

        block (k, l ≠ k) of H is ``−G_kl``, block (k, k) is ``Σ_{l≠k} G_kl`` (that is,
        ``X̃ᵀ diag(s p_k (1 − p_k)) X̃``), and ``H_lk = H_kl``. Each ``G_kl = AᵀA`` with
        ``A = √(s p_k p_l) ⊙ X̃`` is a symmetric product (BLAS syrk), K(K − 1)/2 of them in
        all, summed over row blocks of X̃: memory O(block · d + K² d²), never the
        n × K d matrix that eq. (4) writes out. The diagonal blocks are sums of positive
        semi-definite terms, free of the cancellation in ``p_k − p_k²`` when p_k is near 1.
        """
        n, p = self.X.shape
        d, K = self.n_columns, P.shape[1]
        root_p = np.sqrt(P)
        root_s = np.sqrt(self.weights)
        H = np.zeros((K, d, K, d))
        rows = max(1, min(n, _BLOCK_ROWS))  # (at least 1: range() needs a step)
        block = np.ones((rows, d))  # X̃ on one row block; the last column stays 1
        A = np.empty((rows, d))
        for start in range(0, n, rows):
            stop = min(start + rows, n)
            m = stop - start
            block[:m, :p] = self.X[start:stop]
            scale = root_s[start:stop, None] * root_p[start:stop]  # √(s p_k), (m, K)
            for k in range(K):
                for l in range(k + 1, K):
                    root_c = scale[:, k] * root_p[start:stop, l]  # √(s p_k p_l), (m,)
                    np.multiply(block[:m], root_c[:, None], out=A[:m])
                    gram = A[:m].T @ A[:m]  # G_kl on this block, eq. (5) (syrk)
                    H[k, :, l, :] -= gram
                    H[k, :, k, :] += gram
                    H[l, :, l, :] += gram
        for k in range(K):
            for l in range(k + 1, K):
                H[l, :, k, :] = H[k, :, l, :]  # H_lk = H_kl = −G_kl, symmetric
        return H.reshape(K * d, K * d)  # (K, d, K, d) -> (K d, K d)

    def gradient_smoothness(self) -> float:
        """An upper bound L on the Lipschitz constant of ∇f.

        σ' ≤ ¼ and diag(p) − ppᵀ ≼ ½ I give ``L = c λ_max(X̃ᵀ S X̃) + l2``, c = ¼ or ½.
        """
        A = self.augmented() * np.sqrt(self.weights)[:, None]
        top = float(np.linalg.eigvalsh(A.T @ A)[-1])
        return (0.25 if self.Y.ndim == 1 else 0.5) * top + self.l2
