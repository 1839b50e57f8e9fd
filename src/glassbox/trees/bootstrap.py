"""Bootstrap samples that treat sample weights as counts.

A bootstrap draws as many samples as the training set holds, each with probability
proportional to its weight:

    counts ~ Multinomial(n_draws, w / Σ w)                                          (1)

with ``n_draws`` the number of rows, or ``Σ w`` when the weights are whole numbers (a weight
of 3 is three copies of the sample), or ``max_samples``. The tree is then grown with the
counts as its sample weights. Without weights this is the classic bootstrap (draws
uniformly with replacement). Identical samples are pooled, in a canonical order, before the
draw, so that a sample of weight 2 and the same sample written twice give the very same
forest (scikit-learn's equivalence check between weights and repetitions). Samples of weight
zero join no group (they are never drawn, and always out of bag), so that dropping them
changes nothing either.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["BootstrapPlan", "bootstrap_plan"]


@dataclass(frozen=True)
class BootstrapPlan:
    """The pooled groups of identical samples, their weights, and the number of draws."""

    group: np.ndarray  # (n_samples,): the group of each sample (n_groups: weight zero)
    representative: np.ndarray  # (n_groups,): the first sample of each group
    probability: np.ndarray  # (n_groups,)
    n_draws: int

    def draw(self, random_state: np.random.RandomState, n_samples: int) -> np.ndarray:
        """One bootstrap (eq. (1)): a count per sample (all on each group's representative)."""
        group_counts = random_state.multinomial(self.n_draws, self.probability)
        counts = np.zeros(n_samples)
        counts[self.representative] = group_counts
        return counts

    def out_of_bag(self, counts: np.ndarray) -> np.ndarray:
        """Samples whose group was not drawn."""
        drawn = np.append(counts[self.representative], 0.0)  # the last: weight-zero samples
        return drawn[self.group] == 0


def bootstrap_plan(
    X: np.ndarray, y: np.ndarray, weights: np.ndarray, max_samples: Any
) -> BootstrapPlan:
    """Pool identical (x, y) rows and fix the number of draws (see the module docstring)."""
    positive = np.flatnonzero(weights > 0)
    rows = np.column_stack([X[positive], y[positive].astype(np.float64)])
    _, first, inverse = np.unique(rows, axis=0, return_index=True, return_inverse=True)
    group = np.full(X.shape[0], len(first))
    group[positive] = inverse.ravel()
    first = positive[first]
    group_weight = np.bincount(group[positive], weights=weights[positive], minlength=len(first))
    total = float(group_weight.sum())
    whole = bool(np.all(weights == np.round(weights)))
    available = round(total) if whole else int(np.count_nonzero(weights))
    if max_samples is None:
        n_draws = available
    elif isinstance(max_samples, numbers.Integral) and not isinstance(max_samples, bool):
        if max_samples < 1:
            raise ValueError(f"max_samples must be >= 1; got {max_samples!r}.")
        n_draws = int(max_samples)
    elif isinstance(max_samples, numbers.Real) and 0.0 < float(max_samples) <= 1.0:
        n_draws = max(1, round(float(max_samples) * available))
    else:
        raise ValueError(
            f"max_samples must be None, an int >= 1 or a float in (0, 1]; got {max_samples!r}."
        )
    return BootstrapPlan(group, first, group_weight / total, n_draws)
