"""The best split of a node, for every threshold of every candidate feature at once.

A node holds ``m`` samples; for each feature ``f`` we keep the node's sample indices sorted by
``x_f`` (the root sorts once; a child inherits its parent's order by a stable partition, so no
node sorts again). Along that order the statistics of the left child after the first ``j+1``
samples are a cumulative sum, and the right child's are the node's minus the left's:

    S_L(f, j) = Σ_{r ≤ j} s_{order[f, r]},        S_R(f, j) = S_t − S_L(f, j)        (1)

so one ``np.cumsum`` over the ``(features, m, channels)`` array gives every candidate split,
and the criterion's proxy is evaluated for all of them in one vectorized expression. A
threshold is admissible only between two distinct consecutive values
(``x_(j+1) > x_(j) + 10⁻⁷``, scikit-learn's ``FEATURE_THRESHOLD``) that leave at least
``min_samples_leaf`` samples and ``min_weight_leaf`` weight on each side; it is placed at the
midpoint ``x_(j)/2 + x_(j+1)/2``.

Features are visited in the random order scikit-learn's splitter uses (a Fisher-Yates draw
with its 32-bit xorshift generator, constant features remembered from the parent), and the
first visited feature that reaches the best proxy wins, the first (smallest) threshold within
it. So with the same ``random_state`` the same tree is grown, ties included; with
``max_features < n_features`` only the first ``max_features`` drawn features are searched
(more when all drawn ones are constant in the node).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassbox.trees.criteria import Criterion

__all__ = ["FEATURE_THRESHOLD", "FeatureSampler", "NodeSplit", "best_split", "partition"]

FEATURE_THRESHOLD = 1e-7
RAND_R_MAX = 0x7FFFFFFF
_MASK32 = 0xFFFFFFFF


class FeatureSampler:
    """The order in which features are searched, node after node (scikit-learn's draw).

    ``seed`` is the 32-bit state of the xorshift generator ``s ^= s << 13; s ^= s >> 17;
    s ^= s << 5``; a draw in ``[low, high)`` is ``low + (s mod 2³¹) mod (high − low)``.
    """

    def __init__(self, n_features: int, seed: int) -> None:
        self.features = list(range(n_features))
        self.constant_features = list(range(n_features))
        self.state = int(seed) & _MASK32

    @classmethod
    def from_random_state(
        cls, n_features: int, random_state: np.random.RandomState
    ) -> FeatureSampler:
        """A sampler seeded from ``random_state`` as scikit-learn seeds its splitter."""
        return cls(n_features, int(random_state.randint(0, RAND_R_MAX)))

    def _rand_int(self, low: int, high: int) -> int:
        s = self.state or 1
        s ^= (s << 13) & _MASK32
        s ^= s >> 17
        s ^= (s << 5) & _MASK32
        self.state = s
        return low + (s % (RAND_R_MAX + 1)) % (high - low)

    def draw(
        self, is_constant: np.ndarray, n_known_constants: int, max_features: int
    ) -> tuple[list[int], int]:
        """The non-constant features to search at this node, in visiting order, and the
        number of features known to be constant in it (passed on to its children)."""
        features, constant = self.features, self.constant_features
        constant_flags = is_constant.tolist()
        f_i = len(features)
        n_visited = n_found = n_drawn = 0
        n_total = n_known_constants
        visited: list[int] = []
        while f_i > n_total and (n_visited < max_features or n_visited <= n_found + n_drawn):
            n_visited += 1
            f_j = self._rand_int(n_drawn, f_i - n_found)
            if f_j < n_known_constants:
                features[n_drawn], features[f_j] = features[f_j], features[n_drawn]
                n_drawn += 1
                continue
            f_j += n_found
            feature = features[f_j]
            if constant_flags[feature]:
                features[f_j], features[n_total] = features[n_total], features[f_j]
                n_found += 1
                n_total += 1
                continue
            f_i -= 1
            features[f_i], features[f_j] = features[f_j], features[f_i]
            visited.append(feature)
        features[:n_known_constants] = constant[:n_known_constants]
        constant[n_known_constants : n_known_constants + n_found] = features[
            n_known_constants : n_known_constants + n_found
        ]
        return visited, n_total


@dataclass
class NodeSplit:
    """The chosen split: ``n_left`` first samples of ``feature``'s order go left."""

    feature: int
    threshold: float
    n_left: int
    proxy: float
    left_stats: np.ndarray
    right_stats: np.ndarray


def constant_features(order: np.ndarray, X_by_feature: np.ndarray) -> np.ndarray:
    """Whether each feature is constant in the node (max − min ≤ FEATURE_THRESHOLD)."""
    rows = np.arange(order.shape[0])
    first = X_by_feature[rows, order[:, 0]]
    last = X_by_feature[rows, order[:, -1]]
    return last <= first + FEATURE_THRESHOLD


def best_split(
    order: np.ndarray,
    candidates: list[int],
    X_by_feature: np.ndarray,
    stats: np.ndarray,
    node_stats: np.ndarray,
    criterion: Criterion,
    min_samples_leaf: int,
    min_weight_leaf: float,
    tie_tolerance: float = 0.0,
) -> NodeSplit | None:
    """The best admissible split of the node over ``candidates`` (in visiting order), or
    None when no threshold is admissible.

    ``order`` (n_features, m) holds the node's sample indices sorted by each feature,
    ``X_by_feature`` (n_features, n_samples) the feature values, ``stats`` (channels,
    n_samples) the per-sample statistics and ``node_stats`` their sum over the node.
    Splits whose proxies agree to a relative ``tie_tolerance`` count as equal (the first one
    wins), so that rounding in real-valued targets does not decide between two mirror-equal
    splits.
    """
    if not candidates:
        return None
    chosen = np.asarray(candidates)
    rows = order[chosen]  # (q, m) sample indices sorted by each candidate feature
    m = rows.shape[1]
    n_samples = X_by_feature.shape[1]
    values = X_by_feature.ravel().take(chosen[:, None] * n_samples + rows)  # (q, m) sorted
    left = np.cumsum(stats[:, rows], axis=2)[:, :, :-1]  # eq. (1): (channels, q, m - 1)
    right = node_stats[:, None, None] - left
    n_left = np.arange(1, m)
    admissible = values[:, 1:] > values[:, :-1] + FEATURE_THRESHOLD
    if min_samples_leaf > 1:
        admissible &= (n_left >= min_samples_leaf) & (m - n_left >= min_samples_leaf)
    if min_weight_leaf > 0.0:
        admissible &= criterion.weight(left) >= min_weight_leaf
        admissible &= criterion.weight(right) >= min_weight_leaf
    proxy = criterion.proxy(left, right)
    proxy[~admissible] = -np.inf
    position = np.argmax(proxy, axis=1)  # the first best threshold of each feature
    best_of_feature = proxy[np.arange(len(chosen)), position]
    best = float(best_of_feature.max())
    if best == -np.inf:
        return None
    if tie_tolerance > 0.0:
        margin = tie_tolerance * np.abs(best_of_feature)
        position = np.argmax(proxy >= (best_of_feature - margin)[:, None], axis=1)
        reaches = best_of_feature >= best - tie_tolerance * abs(best)
    else:
        reaches = best_of_feature == best
    k = int(np.argmax(reaches))  # the first visited feature reaching the best
    j = int(position[k])
    threshold = float(values[k, j] / 2.0 + values[k, j + 1] / 2.0)
    return NodeSplit(
        feature=int(chosen[k]),
        threshold=threshold,
        n_left=j + 1,
        proxy=float(proxy[k, j]),
        # Summed afresh, not as differences: a class absent from a child counts exactly 0,
        # so a pure child has impurity exactly 0 and becomes a leaf.
        left_stats=stats[:, rows[k, : j + 1]].sum(axis=1),
        right_stats=stats[:, rows[k, j + 1 :]].sum(axis=1),
    )


def partition(
    order: np.ndarray, split: NodeSplit, goes_left: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The children's sorted orders: a stable partition of every row of ``order``.

    ``goes_left`` is a scratch boolean array over all samples (left all False on return).
    """
    left_samples = order[split.feature, : split.n_left]
    goes_left[left_samples] = True
    mask = goes_left[order]  # (n_features, m)
    n_features = order.shape[0]
    left = order[mask].reshape(n_features, split.n_left)
    right = order[~mask].reshape(n_features, order.shape[1] - split.n_left)
    goes_left[left_samples] = False
    return left, right
