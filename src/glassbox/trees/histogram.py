"""Gradient and Hessian histograms, and the best split read off their cumulative sums.

For a node with samples ``I`` and a feature ``j`` binned into codes ``b_ij``, the histogram
holds, per bin ``k`` (eq. 1)::

    G_jk = Σ_{i ∈ I: b_ij = k} g_i,   H_jk = Σ_{i ∈ I: b_ij = k} h_i,
    N_jk = Σ_{i ∈ I: b_ij = k} w_i

(``g``, ``h`` the loss's first and second derivatives, ``w`` the sample weights, 1 by default).
Every feature, bin and sum is counted in one pass over the node's samples: each sample ``i``
adds its row ``(g_i, h_i, w_i)`` to the cells ``k_ij = n_slots j + b_ij`` of its features.
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

import math
from dataclasses import dataclass

import numpy as np

try:  # SciPy's compiled sparse product Y += A X, for several columns of X at once
    from scipy.sparse._sparsetools import csc_matvecs
except ImportError:  # pragma: no cover - a SciPy that moved its private kernels
    csc_matvecs = None

__all__ = ["HistogramBuilder", "Histograms", "Split", "SplitFinder", "scatter_add"]


@dataclass
class Histograms:
    """Per-feature, per-bin sums (eq. 1), shape (n_features, n_slots, 3) C-ordered: the
    channels are G, H and N; (n_features, n_slots, 2) with channels G and N when the Hessian is
    the weight (squared error). Slot ``k < n_slots − 1`` is bin ``k``, the last slot the
    missing values. ``pair``: the (2, ...) array of a split's two children that ``sums`` is
    half of, when it is one (see :meth:`HistogramBuilder.siblings`)."""

    sums: np.ndarray
    pair: np.ndarray | None = None

    @property
    def gradient_hessian(self) -> np.ndarray:
        """``G + iH`` (n_features, n_slots) complex, a view: summed as a complex number, both
        sums take one pass, each added exactly as on its own."""
        return self.sums[..., :2].view(np.complex128)[..., 0]

    @property
    def counts(self) -> np.ndarray:
        """``N`` (n_features, n_slots), a view."""
        return self.sums[..., -1]


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


def scatter_add(
    keys: np.ndarray,
    values: np.ndarray,
    out: np.ndarray,
    ones: np.ndarray | None = None,
    starts: np.ndarray | None = None,
) -> None:
    """``out[k] += Σ_{(i, j): keys[i, j] = k} values[i]``, every row's values added to each
    of its keys in row order.

    ``keys`` (m, p) int32 or int64, ``values`` (m, c) and ``out`` (n_keys, c) C-ordered
    float64. In matrix terms ``out += A values`` with ``A`` the (n_keys × m) 0/1 matrix whose
    column ``i`` has its ones at row ``i``'s keys: SciPy's compiled product over ``A``'s
    columns makes one pass for all ``c`` sums. It adds in the order of one ``np.bincount`` per
    sum over the flattened keys, which is what runs where SciPy lacks that kernel: the same
    sums, to the last bit, either way. ``ones`` (at least m p ones) and ``starts``
    (``0, p, 2p, ...`` up to at least m p, of the keys' type), if the caller keeps them.
    """
    if out.dtype != np.float64 or not out.flags.c_contiguous:
        raise ValueError("scatter_add needs a C-ordered float64 out")  # the kernel writes into it
    values = np.ascontiguousarray(values, dtype=np.float64)
    m, c = values.shape
    if csc_matvecs is None:
        flat = keys.ravel()
        for channel in range(c):
            weights = np.repeat(values[:, channel], keys.shape[1])
            out[:, channel] += np.bincount(flat, weights=weights, minlength=len(out))
        return
    p = keys.shape[1]
    if starts is None or len(starts) <= max(m, 1) or starts.dtype != keys.dtype or starts[1] != p:
        starts = np.arange(0, m * p + 1, p, dtype=keys.dtype)  # column i of A: ip..ip+p-1
    ones = np.ones(m * p) if ones is None or len(ones) < m * p else ones[: m * p]
    csc_matvecs(len(out), m, c, starts[: m + 1], keys.ravel(), ones, values.ravel(), out.ravel())


class HistogramBuilder:
    """The histograms (eq. 1) of any node of one fit's binned data.

    The cells ``k_ij = n_slots j + s_ij`` of every sample are worked out once per fit
    (``s_ij`` is the code ``b_ij``, except that NaN's code ``missing_bin`` becomes the last
    slot, ``n_slots − 1``: with ``n_slots`` = the most bins any feature uses + 1, histograms
    are no wider than the data needs, 17 + 1 slots for the 8x8 digits instead of 256). A node
    is counted ``chunk_cells`` cells at a time, so the buffers stay small and in cache (in one
    go where SciPy lacks its kernel: the fallback's sums of chunks would round differently).
    """

    def __init__(
        self,
        codes: np.ndarray,
        missing_bin: int,
        n_slots: int,
        weight: np.ndarray | None,
        *,
        chunk_cells: int = 1 << 16,
    ) -> None:
        n_features = codes.shape[1]
        self.n_cells = n_features * n_slots
        # The kernel's index type; the cells are stored in 16 bits when they fit and widened
        # chunk by chunk into a reused buffer: gathering a node's cells waits on memory, and
        # half the bytes wait half as long (the widening, in cache, costs little).
        index = np.int32 if self.n_cells < 2**31 else np.int64
        stored = np.uint16 if self.n_cells <= 2**16 else index
        slots = np.where(codes == missing_bin, n_slots - 1, codes).astype(stored)
        self.cells = np.ascontiguousarray(slots) + np.arange(n_features, dtype=stored) * n_slots
        self.n_features, self.n_slots, self.weight = n_features, n_slots, weight
        self._step = max(1, chunk_cells // n_features)  # rows per call of the kernel
        self._ones = np.ones(self._step * n_features)
        self._starts = np.arange(0, (self._step + 1) * n_features, n_features, dtype=index)
        self._wide = np.empty((self._step, n_features), dtype=index)
        # Sibling arrays, reused from split to split and tree to tree: made fresh, a few
        # hundred kB each, they had the allocator hand its heap back to the system and fault
        # it in again, some 35 page faults a split (a sixth of a small fit's time).
        self._free: list[np.ndarray] = []
        self._in_use: dict[int, tuple[np.ndarray, int]] = {}  # id -> (pair, nodes using it)
        self._root: np.ndarray | None = None

    def values(self, gradient: np.ndarray, hessian: np.ndarray | None) -> np.ndarray:
        """Each sample's ``(g, h, w)`` as one C-ordered (n_samples, 3) array, for one tree;
        ``(g, w)`` when ``hessian`` is ``None`` (squared error: the Hessian is the weight)."""
        w = np.ones_like(gradient) if self.weight is None else self.weight
        columns = (gradient, w) if hessian is None else (gradient, hessian, w)
        return np.stack(columns, axis=1)

    def root(self, values: np.ndarray) -> Histograms:
        """The histograms of every sample, in an array reused by each tree's root."""
        shape = (self.n_features, self.n_slots, values.shape[1])
        if self._root is None or self._root.shape != shape:
            self._root = np.empty(shape)
        return self(None, values, out=self._root)

    def siblings(
        self, rows: np.ndarray, values: np.ndarray, parent: Histograms, counted: int
    ) -> tuple[np.ndarray, Histograms, Histograms]:
        """A split's two children's histograms in one (2, n_features, n_slots, c) array:
        child ``counted`` (0 left, 1 right) counted over its ``rows``, the other one
        ``parent − counted`` (the subtraction trick). Returns both as one (2 n_features,
        n_slots, c) view, for the split search, and the left and the right child's; each
        child hands its half back with :meth:`release`."""
        shape = (2, *parent.sums.shape)
        pair = self._free.pop() if self._free else np.empty(shape)
        if pair.shape != shape:
            pair = np.empty(shape)
        self._in_use[id(pair)] = (pair, 2)
        self(rows, values, out=pair[counted])
        np.subtract(parent.sums, pair[counted], out=pair[1 - counted])
        both = pair.reshape(-1, *shape[2:])
        return both, Histograms(pair[0], pair), Histograms(pair[1], pair)

    def release(self, histograms: Histograms | None) -> None:
        """One node of a pair no longer needs its histograms; the pair's array is reused
        once both are done with it."""
        if histograms is None or histograms.pair is None:
            return
        pair, users = self._in_use.pop(id(histograms.pair))
        if users > 1:
            self._in_use[id(pair)] = (pair, users - 1)
        else:
            self._free.append(pair)

    def release_all(self) -> None:
        """A tree is grown: every pair's array is free again."""
        self._free += [pair for pair, _ in self._in_use.values()]
        self._in_use.clear()

    def __call__(
        self, rows: np.ndarray | None, values: np.ndarray, out: np.ndarray | None = None
    ) -> Histograms:
        """The histograms of the samples ``rows`` (every sample when ``None``); ``values``
        from :meth:`values`; written into ``out`` (C-ordered, n_features x n_slots x c) if
        given."""
        n_rows = len(values) if rows is None else len(rows)
        shape = (self.n_features, self.n_slots, values.shape[1])
        if out is None:
            out = np.zeros(shape)
        elif out.shape != shape or not out.flags.c_contiguous:
            raise ValueError(f"out must be a C-ordered array of shape {shape}")
        else:
            out[...] = 0.0
        n_channels = values.shape[1]
        sums = out.reshape(self.n_cells, n_channels)  # a view: the kernel fills ``out``
        if csc_matvecs is None or values.dtype != np.float64 or not values.flags.c_contiguous:
            # One call: bincount's sums of chunks, added together, would round differently.
            cells = self.cells if rows is None else self.cells.take(rows, axis=0, mode="clip")
            node_values = values if rows is None else values.take(rows, axis=0, mode="clip")
            scatter_add(cells.astype(self._wide.dtype), node_values, sums)
            return Histograms(out)
        # scatter_add's product, called as is: its checks cost more than a small node's sums
        flat, p = sums.ravel(), self.n_features
        for start in range(0, n_rows, self._step):
            part = slice(start, start + self._step)
            if rows is None:
                stored, node_values = self.cells[part], values[part]
            else:
                # rows are the node's own, in range: "clip" skips the checked, buffered take
                chunk = rows[part]
                stored = self.cells.take(chunk, axis=0, mode="clip")
                node_values = values.take(chunk, axis=0, mode="clip")
            m = len(stored)
            cells = stored
            if stored.dtype != self._wide.dtype:
                cells = self._wide[:m]
                np.copyto(cells, stored)
            starts, ones = self._starts[: m + 1], self._ones[: m * p]
            kernel_args = (starts, cells.ravel(), ones, node_values.ravel(), flat)
            csc_matvecs(self.n_cells, m, n_channels, *kernel_args)
        return Histograms(out)


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
        integer_counts: bool = False,
    ) -> None:
        self.n_features = len(n_bins_non_missing)
        self.integer_counts = integer_counts
        self.l2 = l2_regularization
        self.min_samples_leaf = min_samples_leaf
        self.min_hessian = min_hessian
        # The thresholds each feature has: with NaN sent right, bins 0..n_bins_non_missing-2
        # plus "values | NaN" if it has NaN; with NaN sent left (features with NaN only),
        # bins 0..n_bins_non_missing-2. No feature has one beyond ``width``: not scanned.
        last_right = n_bins_non_missing - 2 + has_missing
        missing = np.flatnonzero(has_missing)
        last_left = n_bins_non_missing[missing] - 2
        self._width_right = max(1, int(last_right.max(initial=0)) + 1)
        self._width_left = max(1, int(last_left.max(initial=0)) + 1)
        self._width = max(self._width_right, self._width_left if missing.size else 1)

        def excluded(last: np.ndarray, width: int, n_nodes: int) -> np.ndarray | None:
            mask = np.tile(np.arange(width)[None, :] > last[:, None], (n_nodes, 1))
            return mask if mask.any() else None

        self._masks = {}
        self._work: dict[int, _Work] = {}
        for n_nodes in (1, 2):
            rows = np.concatenate([missing + i * self.n_features for i in range(n_nodes)])
            self._masks[n_nodes] = (
                excluded(last_right, self._width_right, n_nodes),
                rows,
                excluded(last_left, self._width_left, n_nodes),
            )
            self._work[n_nodes] = _Work.empty(
                n_nodes, self.n_features, self._width, self._width_right, integer_counts
            )

    def __call__(
        self, sums: np.ndarray, totals: list[tuple[float, float, float]]
    ) -> list[Split | None]:
        """Each node's best split or ``None``: ``sums`` are the nodes' histograms one after
        another, (n_nodes n_features, n_slots, c) C-ordered; ``totals`` their ``(G, H, N)``."""
        n_nodes, n_features, l2 = len(totals), self.n_features, self.l2
        not_right, missing_rows, not_left = self._masks[n_nodes]
        both = Histograms(sums)
        gh, n = both.gradient_hessian, both.counts
        count_type = np.int64 if self.integer_counts else np.float64
        width, right, work = self._width, self._width_right, self._work[n_nodes]
        node_totals = np.array(totals)[work.node_of_row]  # each row's node's (G, H, N)
        total = (node_totals[:, :1], node_totals[:, 1:2], node_totals[:, 2:].astype(count_type))
        # Left sums at threshold bin k: bins 0..k, shape (n_nodes n_features, width). The
        # ufunc's own accumulate: np.cumsum's wrapper costs more than these small sums.
        left_gh = np.add.accumulate(gh[:, :width], axis=1, out=work.left_gh)
        left_n = np.add.accumulate(n[:, :width], axis=1, dtype=count_type, out=work.left_n)

        gain_right = self._gain(left_gh[:, :right], left_n[:, :right], total, not_right, work)
        best_bin = gain_right.argmax(axis=1)  # first of ties (scanned left to right)
        per_feature = gain_right[work.every_row, best_bin]
        use_left = np.zeros(len(best_bin), dtype=np.bool_)
        if missing_rows.size:
            # NaN to the left: the same thresholds with the missing sums moved to the left.
            left = self._width_left
            gain_left = self._gain(
                left_gh[missing_rows, :left] + gh[missing_rows, -1:],
                left_n[missing_rows, :left] + n[missing_rows, -1:].astype(count_type, copy=False),
                tuple(part[missing_rows] for part in total),
                not_left,
            )
            last = gain_left.shape[1] - 1
            best_left = last - gain_left[:, ::-1].argmax(axis=1)  # last of ties
            value_left = gain_left[np.arange(len(missing_rows)), best_left]
            better = value_left > per_feature[missing_rows]
            use_left[missing_rows] = better
            per_feature[missing_rows] = np.where(better, value_left, per_feature[missing_rows])
            best_bin[missing_rows] = np.where(better, best_left, best_bin[missing_rows])

        best_features = per_feature.reshape(n_nodes, n_features).argmax(axis=1)
        splits: list[Split | None] = []
        for node, feature in enumerate(best_features.tolist()):
            row = node * n_features + feature
            if not math.isfinite(per_feature.item(row)):
                splits.append(None)
                continue
            k = best_bin.item(row)
            missing_left = bool(use_left.item(row))
            left_sums, N_L = left_gh.item(row, k), left_n.item(row, k)  # Python numbers
            if missing_left:
                left_sums, N_L = left_sums + gh.item(row, -1), N_L + n.item(row, -1)
            G, H, N = totals[node]
            G_L, H_L, N_L = left_sums.real, left_sums.imag, float(N_L)
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

    def _gain(
        self,
        left_gh: np.ndarray,
        left_n: np.ndarray,
        total: tuple[np.ndarray, np.ndarray, np.ndarray],
        excluded: np.ndarray | None,
        work: _Work | None = None,
    ) -> np.ndarray:
        """The children's part of eq. (2), G_L²/(H_L+λ) + G_R²/(H_R+λ), at every threshold
        (the parent's G²/(H+λ) is the same for all); -inf where a child would be too small
        or the threshold is ``excluded``. ``left_gh`` is ``G_L + iH_L``, ``total`` the
        nodes' ``(G, H, N)`` as columns. The arrays are ``work``'s, when given: the result
        is overwritten by the next call."""
        rows, width = left_gh.shape
        work = work or _Work.empty(1, rows, width, width, self.integer_counts)
        G_L, H_L, G_R, H_R, refused, scratch = work.thresholds
        np.copyto(G_L, left_gh.real)
        np.copyto(H_L, left_gh.imag)
        G, H, N = total
        np.subtract(G, G_L, out=G_R)
        np.subtract(H, H_L, out=H_R)
        m = self.min_samples_leaf
        np.less(left_n, m, out=refused)
        if self.integer_counts:  # N − N_L < m  ⇔  N_L > N − m, exactly for whole numbers
            refused |= np.greater(left_n, N - m, out=scratch)
        else:
            refused |= np.less(N - left_n, m, out=scratch)
        refused |= np.less(H_L, self.min_hessian, out=scratch)
        refused |= np.less(H_R, self.min_hessian, out=scratch)
        if excluded is not None:
            refused |= excluded
        with np.errstate(divide="ignore", invalid="ignore"):
            G_L *= G_L
            G_R *= G_R
            if self.l2:
                H_L += self.l2
                H_R += self.l2
            G_L /= H_L
            G_R /= H_R
        gain = G_L
        gain += G_R
        np.putmask(gain, refused, -np.inf)
        return gain


@dataclass
class _Work:
    """The split search's arrays for one shape of nodes, made once per fit and reused: the
    cumulative sums (rows, width) and each threshold's G_L, H_L, G_R, H_R and refusals
    (rows, right). Fresh arrays of a few hundred kB per call made the allocator give its heap
    back and fault it in again, split after split: a third of a small fit's time."""

    left_gh: np.ndarray
    left_n: np.ndarray
    thresholds: tuple[np.ndarray, ...]  # G_L, H_L, G_R, H_R and two boolean arrays
    node_of_row: np.ndarray  # which node each row of features is of
    every_row: np.ndarray

    @classmethod
    def empty(
        cls, n_nodes: int, n_features: int, width: int, right: int, integer_counts: bool
    ) -> _Work:
        rows = n_nodes * n_features
        count_type = np.int64 if integer_counts else np.float64
        floats, flags = np.empty((4, rows, right)), np.empty((2, rows, right), dtype=np.bool_)
        return cls(
            np.empty((rows, width), dtype=np.complex128),
            np.empty((rows, width), dtype=count_type),
            (*floats, *flags),
            np.repeat(np.arange(n_nodes), n_features),
            np.arange(rows),
        )
