"""Train / validation / test splits: one seeded permutation, stratified for labels.

The training rows fit the model, the validation rows choose among models (early stopping,
hyperparameter sweeps) and the test rows are touched once, to report the final metrics.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.validation import as_float_array

__all__ = ["split_indices", "train_val_test_split"]


def _check_fraction(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a fraction in [0, 1); got {value!r}.")
    return float(value)


def _counts(n: int, val_size: float, test_size: float) -> tuple[int, int]:
    n_test = round(test_size * n) if test_size else 0
    n_val = round(val_size * n) if val_size else 0
    if test_size and n_test == 0:
        n_test = 1
    if val_size and n_val == 0:
        n_val = 1
    return n_val, n_test


def split_indices(
    n_samples: int,
    *,
    val_size: float = 0.2,
    test_size: float = 0.2,
    stratify: Any = None,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices (train, validation, test), each sorted, from one seeded permutation.

    With ``stratify`` (labels, one per row) each class is split in the same proportions,
    so a rare class appears in every part whenever it has at least three rows.
    """
    val_size = _check_fraction(val_size, "val_size")
    test_size = _check_fraction(test_size, "test_size")
    if val_size + test_size >= 1:
        raise ValueError(
            f"val_size + test_size must be < 1 to leave training rows; got {val_size} + "
            f"{test_size}."
        )
    rng = np.random.default_rng(random_state)
    if stratify is None:
        groups = [np.arange(n_samples)]
    else:
        labels = np.asarray(stratify)
        if labels.shape != (n_samples,):
            raise ValueError(
                f"stratify must hold one label per row: shape ({n_samples},); got {labels.shape}."
            )
        groups = [np.flatnonzero(labels == label) for label in np.unique(labels)]
    parts: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
    for group in groups:
        order = rng.permutation(group)
        n_val, n_test = _counts(len(order), val_size, test_size)
        if stratify is not None and len(order) < 3:
            n_val, n_test = 0, 0  # too few to share out: keep the class for training
        parts[2].append(order[:n_test])
        parts[1].append(order[n_test : n_test + n_val])
        parts[0].append(order[n_test + n_val :])
    train, val, test = (np.sort(np.concatenate(p)).astype(np.intp) for p in parts)
    if len(train) < 2:
        raise ValueError(
            f"The split leaves {len(train)} training row(s) of {n_samples}; use more data or "
            "smaller val_size / test_size."
        )
    return train, val, test


def train_val_test_split(
    X: Any,
    y: Any,
    *,
    val_size: float = 0.2,
    test_size: float = 0.2,
    stratify: Any = None,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split (X, y) into ``X_train, X_val, X_test, y_train, y_val, y_test``.

    The same ``random_state`` gives the same rows on every machine. Pass
    ``stratify=y`` for classification.
    """
    X = as_float_array(X, name="X")
    y = np.asarray(y)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X and y have different numbers of rows: {X.shape[0]} and {y.shape[0]}.")
    train, val, test = split_indices(
        X.shape[0],
        val_size=val_size,
        test_size=test_size,
        stratify=stratify,
        random_state=random_state,
    )
    return X[train], X[val], X[test], y[train], y[val], y[test]
