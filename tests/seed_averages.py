"""Scores of glassbox and its reference averaged over seeds: the ensembles' agreement bar."""

from __future__ import annotations

from typing import Any

import numpy as np

SEEDS = range(5)


def mean_scores(
    ours_class: Any,
    theirs_class: Any,
    X: np.ndarray,
    y: np.ndarray,
    params: dict[str, Any],
    *,
    stratify: bool = True,
    test_size: float = 0.25,
) -> tuple[float, float]:
    """Test accuracy / R² of both, averaged over 5 seeds: seed s splits the data and seeds
    both models."""
    from sklearn.model_selection import train_test_split

    ours, theirs = [], []
    for seed in SEEDS:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=test_size, random_state=seed, stratify=y if stratify else None
        )
        kwargs = {**params, "random_state": seed}
        ours.append(ours_class(**kwargs).fit(X_train, y_train).score(X_test, y_test))
        theirs.append(theirs_class(**kwargs).fit(X_train, y_train).score(X_test, y_test))
    return float(np.mean(ours)), float(np.mean(theirs))
