"""Class labels for classifiers and classification metrics.

Labels may be strings, booleans or integers in any order (``classes_`` is their sorted
unique values); each sample's class is its index into ``classes_``. Continuous targets,
missing labels and a single class are rejected with messages in scikit-learn's style.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

__all__ = ["check_classification_target", "class_weights", "label_type"]


def data_conversion_warning() -> type[Warning]:
    """scikit-learn's ``DataConversionWarning`` when installed (its checks expect it), else
    ``UserWarning``.
    """
    try:
        from sklearn.exceptions import DataConversionWarning

        return DataConversionWarning
    except ImportError:  # pragma: no cover - scikit-learn is optional
        return UserWarning


def as_label_array(y: Any, *, name: str = "y", owner: str = "This classifier") -> np.ndarray:
    """``y`` as a 1-D array of labels (a column vector is raveled with a warning)."""
    if y is None:
        raise ValueError(
            f"{owner} requires y to be passed, but the target y is None. Pass the class "
            "label of every sample."
        )
    if hasattr(y, "tocsr") and hasattr(y, "nnz"):
        raise TypeError(f"{name} is a sparse matrix; pass a 1-D array of class labels.")
    labels = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the "
            "shape of y to (n_samples,), for example using ravel().",
            data_conversion_warning(),
            stacklevel=3,
        )
        labels = labels.ravel()
    if labels.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one class label per sample); got shape {labels.shape}. "
            "Multi-output classification is not supported."
        )
    return labels


def label_type(labels: np.ndarray) -> str:
    """``"binary"``, ``"multiclass"``, ``"continuous"`` or ``"unknown"`` (scikit-learn's names)."""
    kind = labels.dtype.kind
    if kind == "c":
        return "unknown"
    if kind == "f":
        if labels.size and not np.all(np.isfinite(labels)):
            return "unknown"
        if np.any(labels != np.round(labels)):
            return "continuous"
    if kind == "O":
        values = labels.tolist()
        if any(isinstance(v, float) and v != v for v in values):
            return "unknown"
        if any(isinstance(v, float) and v != round(v) for v in values):
            return "continuous"
        if len({type(v) for v in values if not isinstance(v, (int, np.integer))}) > 1:
            return "unknown"
    n_classes = len(np.unique(labels)) if labels.size else 0
    return "binary" if n_classes <= 2 else "multiclass"


def check_classification_target(
    y: Any, n_samples: int, *, owner: str
) -> tuple[np.ndarray, np.ndarray]:
    """Validate labels; return ``(classes, encoded)`` with ``classes[encoded] == y``."""
    labels = as_label_array(y, owner=owner)
    if labels.shape[0] != n_samples:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {n_samples} rows but y has "
            f"{labels.shape[0]}. Pass one label per row of X."
        )
    if labels.dtype.kind == "f" and np.any(np.isnan(labels)):
        raise ValueError(
            f"Input y contains NaN ({int(np.isnan(labels).sum())} missing label(s)). "
            f"{owner} needs a class for every sample: drop those rows or fill the labels."
        )
    if labels.dtype.kind == "O" and any(
        v is None or (isinstance(v, float) and v != v) for v in labels.tolist()
    ):
        raise ValueError(
            f"Input y contains NaN or None. {owner} needs a class for every sample: drop "
            "those rows or fill the labels."
        )
    kind = label_type(labels)
    if kind not in ("binary", "multiclass"):
        raise ValueError(
            f"Unknown label type: {kind}. Maybe you are trying to fit a classifier, which "
            "expects discrete classes on a regression target with continuous values."
        )
    try:
        classes, encoded = np.unique(labels, return_inverse=True)
    except TypeError as error:
        raise TypeError(
            f"y mixes label types that cannot be ordered ({error}); use one type (all "
            "strings or all numbers)."
        ) from error
    if len(classes) < 2:
        raise ValueError(
            f"{owner} needs samples of at least 2 classes in the data, but the data contains "
            f"only one class: {classes.tolist()[0]!r}."
        )
    return classes, encoded.ravel()


def class_weights(class_weight: Any, classes: np.ndarray, encoded: np.ndarray) -> np.ndarray:
    """Weight per class: ``None`` (all 1), ``"balanced"`` (n / (K n_k)) or a dict label → weight."""
    n_classes = len(classes)
    if class_weight is None:
        return np.ones(n_classes)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                f"class_weight must be None, 'balanced' or a dict; got {class_weight!r}."
            )
        counts = np.bincount(encoded, minlength=n_classes)
        return len(encoded) / (n_classes * np.maximum(counts, 1))
    if not isinstance(class_weight, dict):
        raise ValueError(
            f"class_weight must be None, 'balanced' or a dict; got {type(class_weight).__name__}."
        )
    weights = np.ones(n_classes)
    known = {c: i for i, c in enumerate(classes.tolist())}
    unknown = [label for label in class_weight if label not in known]
    if unknown:
        raise ValueError(
            f"The classes, {unknown}, are not in class_weight's labels: the classes seen in y "
            f"are {classes.tolist()}."
        )
    for label, weight in class_weight.items():
        weights[known[label]] = float(weight)
    return weights
