"""Split criteria: how impure a node is, and how much a split reduces it.

A node holds the weighted statistics of its samples, one row of *channels* per sample summed
over the node: for classification the weighted class counts ``c_k = Σ_{i∈t} w_i 1[y_i = k]``
(the node weight is ``N_t = Σ_k c_k``), for regression ``(Σ w, Σ w y, Σ w y²)``.

With ``p_k = c_k / N_t``:

* gini            ``i(t) = 1 − Σ_k p_k²``                                        (1)
* entropy         ``i(t) = −Σ_k p_k log₂ p_k``  (``"log_loss"`` is the same)     (2)
* squared error   ``i(t) = Σ w y² / N_t − (Σ w y / N_t)²``  (the weighted variance) (3)

A split of node ``t`` into ``L`` and ``R`` decreases the impurity by

    Δ(t) = N_t / N · ( i(t) − N_L / N_t · i(L) − N_R / N_t · i(R) )                (4)

(``N`` the total weight). Searching for the best split only needs a *proxy* that orders
splits like (4): ``−N_L i(L) − N_R i(R)``; for squared error that is
``S_L² / N_L + S_R² / N_R`` up to a constant (``S`` the weighted sum of y). Friedman's
criterion (used by gradient boosting) ranks splits by
``N_L N_R (ȳ_L − ȳ_R)² / (N_L + N_R)``, proxy ``(N_R S_L − N_L S_R)² / (N_L N_R)``.

The formulas are evaluated exactly as scikit-learn evaluates them, so the two libraries rank
equal splits equally and grow the same tree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CLASSIFICATION_CRITERIA", "REGRESSION_CRITERIA", "Criterion", "get_criterion"]


@dataclass(frozen=True)
class Criterion:
    """Base criterion: ``stats`` arrays have the channels on their *first* axis, so each
    channel is a contiguous array over the candidate splits."""

    name: str

    def weight(self, stats: np.ndarray) -> np.ndarray:
        """The node weight N_t = Σ_{i∈t} w_i read off the channels."""
        raise NotImplementedError

    def impurity(self, stats: np.ndarray) -> np.ndarray:
        """The impurity i(t) of eqs. (1)-(3), one value per node or candidate split."""
        return self._impurity(stats, self.weight(stats))

    def _impurity(self, stats: np.ndarray, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def proxy(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """``−N_L i(L) − N_R i(R)``: larger is a better split (same order as eq. (4))."""
        w_left, w_right = self.weight(left), self.weight(right)
        return -w_right * self._impurity(right, w_right) - w_left * self._impurity(left, w_left)

    def improvement(
        self, parent: np.ndarray, left: np.ndarray, right: np.ndarray, total_weight: float
    ) -> float:
        """Eq. (4), the weighted impurity decrease of one split."""
        w_node = float(self.weight(parent))
        w_left, w_right = float(self.weight(left)), float(self.weight(right))
        return (w_node / total_weight) * (
            float(self.impurity(parent))
            - w_right / w_node * float(self.impurity(right))
            - w_left / w_node * float(self.impurity(left))
        )

    def improvements(
        self, parent: np.ndarray, left: np.ndarray, right: np.ndarray, total_weight: float
    ) -> np.ndarray:
        """Eq. (4) for many splits at once (channels on the first axis)."""
        w_node, w_left, w_right = self.weight(parent), self.weight(left), self.weight(right)
        return (w_node / total_weight) * (
            self.impurity(parent)
            - w_right / w_node * self.impurity(right)
            - w_left / w_node * self.impurity(left)
        )

    def value(self, stats: np.ndarray) -> np.ndarray:
        """What a leaf with these statistics predicts (class proportions, or the mean of y)."""
        raise NotImplementedError

    def values(self, stats: np.ndarray) -> np.ndarray:
        """:meth:`value` of many nodes, channels on the first axis: (n_nodes, outputs)."""
        raise NotImplementedError


def _sum_classes(terms: np.ndarray) -> np.ndarray:
    """Σ_k over the first axis, added in class order (as scikit-learn adds), so that two
    splits scikit-learn finds equal are equal here too."""
    total = terms[0].copy()
    for k in range(1, terms.shape[0]):
        total += terms[k]
    return total


class _Classification(Criterion):
    def weight(self, stats: np.ndarray) -> np.ndarray:
        return _sum_classes(stats)

    def value(self, stats: np.ndarray) -> np.ndarray:
        """The class proportions ``p_k`` (what ``predict_proba`` returns at a leaf)."""
        return stats / stats.sum()

    def values(self, stats: np.ndarray) -> np.ndarray:
        rows = np.ascontiguousarray(stats.T)  # each row summed as :meth:`value` sums it
        return rows / rows.sum(axis=1, keepdims=True)


class Gini(_Classification):
    """Gini impurity, i(t) = 1 − Σ_k p_k² (eq. (1)): the chance two random draws disagree."""

    def _impurity(self, stats: np.ndarray, w: np.ndarray) -> np.ndarray:
        squares = stats[0] * stats[0]
        for k in range(1, stats.shape[0]):
            squares += stats[k] * stats[k]
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1.0 - squares / (w * w)  # eq. (1)


class Entropy(_Classification):
    """Shannon entropy in bits, i(t) = −Σ_k p_k log₂ p_k (eq. (2))."""

    def _impurity(self, stats: np.ndarray, w: np.ndarray) -> np.ndarray:
        entropy = np.zeros(np.shape(w))
        log2 = np.log(2.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            for k in range(stats.shape[0]):
                p = stats[k] / w
                entropy -= np.where(stats[k] > 0.0, p * (np.log(p) / log2), 0.0)  # eq. (2)
        return entropy


class SquaredError(Criterion):
    """Channels (Σ w, Σ w y, Σ w y²)."""

    def weight(self, stats: np.ndarray) -> np.ndarray:
        return stats[0]

    def _impurity(self, stats: np.ndarray, w: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return stats[2] / w - (stats[1] / w) ** 2.0  # eq. (3)

    def proxy(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return left[1] * left[1] / left[0] + right[1] * right[1] / right[0]

    def value(self, stats: np.ndarray) -> np.ndarray:
        return stats[1:2] / stats[0]

    def values(self, stats: np.ndarray) -> np.ndarray:
        return (stats[1] / stats[0])[:, None]


class FriedmanSquaredError(SquaredError):
    """Friedman's improvement ``N_L N_R (ȳ_L − ȳ_R)² / (N_L + N_R)`` (Friedman 2001, eq. 35)."""

    def proxy(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        diff = right[0] * left[1] - left[0] * right[1]
        with np.errstate(divide="ignore", invalid="ignore"):
            return diff * diff / (left[0] * right[0])

    def improvement(
        self, parent: np.ndarray, left: np.ndarray, right: np.ndarray, total_weight: float
    ) -> float:
        w_left, w_right = float(left[0]), float(right[0])
        diff = w_right * float(left[1]) - w_left * float(right[1])
        return diff * diff / (w_left * w_right * float(parent[0]))

    def improvements(
        self, parent: np.ndarray, left: np.ndarray, right: np.ndarray, total_weight: float
    ) -> np.ndarray:
        diff = right[0] * left[1] - left[0] * right[1]
        return diff * diff / (left[0] * right[0] * parent[0])


CLASSIFICATION_CRITERIA: dict[str, Criterion] = {
    "gini": Gini("gini"),
    "entropy": Entropy("entropy"),
    "log_loss": Entropy("log_loss"),
}
REGRESSION_CRITERIA: dict[str, Criterion] = {
    "squared_error": SquaredError("squared_error"),
    "friedman_mse": FriedmanSquaredError("friedman_mse"),
}


def get_criterion(name: object, task: str) -> Criterion:
    """The criterion called ``name`` for ``task``; a clear error lists the valid names."""
    table = CLASSIFICATION_CRITERIA if task == "classification" else REGRESSION_CRITERIA
    if not isinstance(name, str) or name not in table:
        raise ValueError(f"criterion must be one of {sorted(table)} for {task}; got {name!r}.")
    return table[name]
