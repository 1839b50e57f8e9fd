"""Gradient and Hessian histograms, and the best split read off their cumulative sums.

For a node with samples ``I`` and a feature ``j`` binned into codes ``b_ij``, the histogram
holds, per bin ``k`` (eq. 1)::

    G_jk = Σ_{i ∈ I: b_ij = k} g_i,   H_jk = Σ_{i ∈ I: b_ij = k} h_i,
    N_jk = Σ_{i ∈ I: b_ij = k} w_i

(``g``, ``h`` the loss's first and second derivatives, ``w`` the sample weights, 1 by default).
All features are counted at once by one ``np.bincount`` over the keys ``b_ij + n_slots j``.
A split sends every sample of a node to one child, so the two children's histograms add up to
the parent's: only the smaller child is counted, the larger one is ``parent − smaller``
(the subtraction trick of LightGBM, Ke et al. 2017).

The best split maximizes the second-order gain of XGBoost (Chen & Guestrin 2016, eq. 7),
the ½ and γ dropped as in LightGBM and scikit-learn (eq. 2)::

    gain = G_L² / (H_L + λ) + G_R² / (H_R + λ) − G² / (H + λ)

with ``G_L, H_L`` the cumulative sums of the histogram up to the threshold bin and
``G_R = G − G_L``, ``H_R = H − H_L``. Missing values (their own bin) are tried on both sides:
scanning the thresholds with NaN sent right, then with NaN sent left (XGBoost's algorithm 3).

References
----------
T. Chen, C. Guestrin (2016). XGBoost: A Scalable Tree Boosting System. KDD. arXiv:1603.02754.
G. Ke et al. (2017). LightGBM: A Highly Efficient Gradient Boosting Decision Tree. NeurIPS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "HistogramBuilder",
    "Histograms",
    "Split",
    "SplitFinder",
    "bin_keys",
    "build_histograms",
]


@dataclass
class Histograms:
    """Per-feature, per-bin sums (eq. 1): ``sums[0]`` gradients, ``sums[1]`` Hessians,
    ``sums[2]`` (weighted) counts, shape (3, n_features, n_slots); slot ``k < n_slots − 1``
    is bin ``k``, the last slot the missing values."""

    sums: np.ndarray

    def __sub__(self, other: Histograms) -> Histograms:
        """The sibling's histograms: parent − child (the subtraction trick)."""
        return Histograms(self.sums - other.sums)


@dataclass(frozen=True)
class Split:
    """The best split of a node: samples with code ``<= bin`` (and NaN if ``missing_left``)
    go left; ``left`` and ``right`` are the children's ``(G, H, N)``."""

    gain: float
    feature: int
    bin: int
    missing_left: bool
    left: tuple[float, float, float]
    right: tuple[float, float, float]


def bin_keys(codes: np.ndarray, missing_bin: int, n_slots: int) -> np.ndarray:
    """Keys ``s_ij + n_slots j`` (n_samples, n_features) in row order, for one bincount per node.

    ``s_ij`` is the code ``b_ij``, except that NaN's code ``missing_bin`` becomes the last slot,
    ``n_slots − 1``: with ``n_slots`` = the most bins any feature uses + 1, histograms are no
    wider than the data needs (17 + 1 slots for the 8x8 digits instead of 256).
    """
    slots = np.where(codes == missing_bin, n_slots - 1, codes).astype(np.intp)
    return np.ascontiguousarray(slots) + np.arange(codes.shape[1], dtype=np.intp) * n_slots


def build_histograms(
    keys: np.ndarray,
    n_slots: int,
    rows: np.ndarray | None,
    gradient: np.ndarray,
    hessian: np.ndarray | None,
    weight: np.ndarray | None,
) -> Histograms:
    """Histograms (eq. 1) of the samples ``rows`` (all when ``None``).

    ``hessian=None`` means the Hessian is the sample weight (squared error): its histogram is
    the count histogram, and one bincount is saved. ``weight=None`` means unit weights.
    """
    g, h, w = _node_values(rows, gradient, hessian, weight)
    return Histograms(_sums_from_keys(keys, n_slots, rows, g, h, w, None))


def _node_values(
    rows: np.ndarray | None, g: np.ndarray, h: np.ndarray | None, w: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """The gradients, Hessians and weights of the samples ``rows`` (all when ``None``)."""
    if rows is None:
        return g, h, w
    return g[rows], None if h is None else h[rows], None if w is None else w[rows]


def _sums_from_keys(
    keys: np.ndarray,
    n_slots: int,
    rows: np.ndarray | None,
    g: np.ndarray,
    h: np.ndarray | None,
    w: np.ndarray | None,
    counts: np.ndarray | None,
) -> np.ndarray:
    """(3, n_features, n_slots) sums of eq. (1); ``g``, ``h``, ``w`` are the node's own,
    ``counts`` its count histogram if already known."""
    n_features = keys.shape[1]
    size = n_features * n_slots
    node_keys = (keys if rows is None else np.take(keys, rows, axis=0)).ravel()
    sums = np.empty((3, size))
    # Each sample's value repeated once per feature, matching the row-major keys.
    sums[0] = np.bincount(node_keys, weights=np.repeat(g, n_features), minlength=size)
    if counts is None:
        weights = None if w is None else np.repeat(w, n_features)
        sums[2] = np.bincount(node_keys, weights=weights, minlength=size)
    else:
        sums[2] = counts.reshape(size)
    if h is None:
        sums[1] = sums[2]
    else:
        sums[1] = np.bincount(node_keys, weights=np.repeat(h, n_features), minlength=size)
    return sums.reshape(3, n_features, n_slots)


class HistogramBuilder:
    """The histograms (eq. 1) of any node of one fit's binned data.

    The count histogram of the root (every row, the fit's fixed weights) is the same in every
    tree of the fit: it is counted once, and each later root costs one bincount less (two
    less for squared error, whose Hessian histogram is the count histogram).
    """

    #: nodes with at least this many rows are counted feature by feature
    by_feature_from = 8192

    def __init__(
        self, codes: np.ndarray, missing_bin: int, n_slots: int, weight: np.ndarray | None
    ) -> None:
        self.keys = bin_keys(codes, missing_bin, n_slots)
        # slots by feature, (n_features, n_samples) uint8 (n_slots <= 256): one bincount per
        # feature on big nodes, with the node's g, h, w as they are (no copy per feature)
        slots = np.where(codes == missing_bin, n_slots - 1, codes).astype(np.uint8)
        self.slots = np.ascontiguousarray(slots.T)
        self.n_slots, self.weight = n_slots, weight
        self._root_counts: np.ndarray | None = None

    def __call__(
        self, rows: np.ndarray | None, gradient: np.ndarray, hessian: np.ndarray | None
    ) -> Histograms:
        """The histograms of the samples ``rows`` (the root when ``None``)."""
        n_rows = len(gradient) if rows is None else len(rows)
        if rows is not None and n_rows < self.by_feature_from:
            return build_histograms(self.keys, self.n_slots, rows, gradient, hessian, self.weight)
        g, h, w = _node_values(rows, gradient, hessian, self.weight)
        slots = self.slots if rows is None else self.slots.take(rows, axis=1)
        counts = self._root_counts if rows is None else None
        n_features, n_slots = slots.shape[0], self.n_slots
        sums = np.empty((3, n_features, n_slots))
        for j, small_slots in enumerate(slots):
            feature_slots = small_slots.astype(np.intp)  # cast once, not once per bincount
            sums[0, j] = np.bincount(feature_slots, weights=g, minlength=n_slots)
            if counts is None:
                sums[2, j] = np.bincount(feature_slots, weights=w, minlength=n_slots)
            if h is not None:
                sums[1, j] = np.bincount(feature_slots, weights=h, minlength=n_slots)
        if counts is not None:
            sums[2] = counts
        if h is None:
            sums[1] = sums[2]
        if rows is None and self._root_counts is None:
            self._root_counts = sums[2].copy()
        return Histograms(sums)


class SplitFinder:
    """Finds the split of largest gain (eq. 2) of nodes, over every feature and threshold.

    Bin ``k`` as a threshold sends codes ``<= k`` left. A threshold is allowed when both
    children keep at least ``min_samples_leaf`` (weighted) samples and ``min_hessian``
    Hessian, and its gain is > 0 (beyond rounding). Ties go to the first feature, and within
    a feature to the threshold scikit-learn's scans meet first (left to right with NaN sent
    right, then right to left with NaN sent left). Built once per fit: the thresholds each
    feature has, for one node or two siblings searched together, are worked out here.
    """

    def __init__(
        self,
        n_bins_non_missing: np.ndarray,
        has_missing: np.ndarray,
        n_slots: int,
        *,
        l2_regularization: float,
        min_samples_leaf: float,
        min_hessian: float,
    ) -> None:
        self.n_features = len(n_bins_non_missing)
        self.l2 = l2_regularization
        self.min_samples_leaf = min_samples_leaf
        self.min_hessian = min_hessian
        position = np.arange(n_slots - 1)[None, :]  # the last slot holds the missing values
        # NaN to the right: thresholds 0..n_bins_non_missing-2, plus "values | NaN" if any NaN.
        last_right = n_bins_non_missing - 2 + has_missing
        missing = np.flatnonzero(has_missing)
        self._masks = {}
        for n_nodes in (1, 2):
            rows = np.concatenate([missing + i * self.n_features for i in range(n_nodes)])
            self._masks[n_nodes] = (
                np.tile(position > last_right[:, None], (n_nodes, 1)),
                rows,
                np.tile(position > (n_bins_non_missing[missing] - 2)[:, None], (n_nodes, 1)),
            )

    def __call__(
        self, histograms: list[Histograms], totals: list[tuple[float, float, float]]
    ) -> list[Split | None]:
        """Each node's best split or ``None``; ``totals`` are the nodes' ``(G, H, N)``."""
        n_nodes, n_features, l2 = len(histograms), self.n_features, self.l2
        not_right, missing_rows, not_left = self._masks[n_nodes]
        sums = np.concatenate([h.sums for h in histograms], axis=1)  # (3, n_nodes n_features, S)
        node_totals = np.repeat(np.asarray(totals).T, n_features, axis=1)[:, :, None]
        # Left sums at threshold bin k: bins 0..k, shape (3, n_nodes n_features, S - 1).
        left_sums = np.cumsum(sums[:, :, :-1], axis=2)

        gain_right = self._gain(left_sums, node_totals, not_right)
        best_bin = np.argmax(gain_right, axis=1)  # first of ties (scanned left to right)
        per_feature = gain_right[np.arange(len(best_bin)), best_bin]
        use_left = np.zeros(len(best_bin), dtype=np.bool_)
        if missing_rows.size:
            # NaN to the left: the same thresholds with the missing sums moved to the left.
            moved = left_sums[:, missing_rows] + sums[:, missing_rows, -1:]
            gain_left = self._gain(moved, node_totals[:, missing_rows], not_left)
            last = gain_left.shape[1] - 1
            best_left = last - np.argmax(gain_left[:, ::-1], axis=1)  # last of ties
            value_left = gain_left[np.arange(len(missing_rows)), best_left]
            better = value_left > per_feature[missing_rows]
            use_left[missing_rows] = better
            per_feature[missing_rows] = np.where(better, value_left, per_feature[missing_rows])
            best_bin[missing_rows] = np.where(better, best_left, best_bin[missing_rows])

        best_features = np.argmax(per_feature.reshape(n_nodes, n_features), axis=1)
        splits: list[Split | None] = []
        for node, feature in enumerate(best_features.tolist()):
            row = node * n_features + feature
            if not np.isfinite(per_feature[row]):
                splits.append(None)
                continue
            k = int(best_bin[row])
            missing_left = bool(use_left[row])
            left = left_sums[:, row, k] + (sums[:, row, -1] if missing_left else 0.0)
            G, H, N = totals[node]
            G_L, H_L, N_L = left.tolist()
            G_R, H_R = G - G_L, H - H_L
            children = G_L * G_L / (H_L + l2) + G_R * G_R / (H_R + l2)
            gain = children - G * G / (H + l2)  # eq. (2)
            # A gain of the size of the rounding error is no split (a pure node, say).
            if not gain > 1e-12 * children:
                splits.append(None)
                continue
            splits.append(
                Split(gain, feature, k, missing_left, (G_L, H_L, N_L), (G_R, H_R, N - N_L))
            )
        return splits

    def _gain(self, left_sums: np.ndarray, totals: np.ndarray, excluded: np.ndarray) -> np.ndarray:
        """The children's part of eq. (2), G_L²/(H_L+λ) + G_R²/(H_R+λ), at every threshold
        (the parent's G²/(H+λ) is the same for all); -inf where a child would be too small
        or the threshold is ``excluded``."""
        G_L, H_L, N_L = left_sums
        G_R, H_R, N_R = totals - left_sums
        refused = excluded | (N_L < self.min_samples_leaf) | (N_R < self.min_samples_leaf)
        refused |= (H_L < self.min_hessian) | (H_R < self.min_hessian)
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = G_L * G_L / (H_L + self.l2) + G_R * G_R / (H_R + self.l2)
        gain[refused] = -np.inf
        return gain
