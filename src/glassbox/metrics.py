"""Regression and classification metrics, written out.

Regression metrics take ``y_true`` and ``y_pred`` of shape (n_samples,) or
(n_samples, n_targets) and an optional ``sample_weight``; several targets are averaged
uniformly, as in scikit-learn. Classification metrics take labels of any type (strings,
integers in any order) and follow scikit-learn's definitions and argument names.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.validation import as_float_array, check_sample_weight

__all__ = [
    "accuracy_score",
    "confusion_matrix",
    "f1_score",
    "log_loss",
    "mean_absolute_error",
    "mean_squared_error",
    "median_absolute_error",
    "precision_score",
    "r2_score",
    "recall_score",
    "roc_auc_score",
    "root_mean_squared_error",
]


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    y_true = as_float_array(y_true, name="y_true", ensure_2d=False)
    y_pred = as_float_array(y_pred, name="y_pred", ensure_2d=False)
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(
            f"y_true and y_pred have different numbers of samples: {y_true.shape[0]} and "
            f"{y_pred.shape[0]}."
        )
    y_true = y_true.reshape(len(y_true), -1)
    y_pred = y_pred.reshape(len(y_pred), -1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred have different numbers of targets: shapes {y_true.shape} and "
            f"{y_pred.shape}."
        )
    return y_true, y_pred


def _weights(sample_weight: Any, n_samples: int) -> np.ndarray:
    weights = check_sample_weight(sample_weight, n_samples)
    return np.ones(n_samples) if weights is None else weights


def mean_squared_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """MSE = Σ w (y - ŷ)² / Σ w."""
    y_true, y_pred = _pair(y_true, y_pred)
    weights = _weights(sample_weight, len(y_true))
    return float(np.mean(weights @ (y_true - y_pred) ** 2 / weights.sum()))


def root_mean_squared_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """RMSE = √MSE per target (the square root of a mean, never of a sum), then averaged."""
    y_true, y_pred = _pair(y_true, y_pred)
    weights = _weights(sample_weight, len(y_true))
    return float(np.mean(np.sqrt(weights @ (y_true - y_pred) ** 2 / weights.sum())))


def mean_absolute_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """MAE = Σ w |y - ŷ| / Σ w."""
    y_true, y_pred = _pair(y_true, y_pred)
    weights = _weights(sample_weight, len(y_true))
    return float(np.mean(weights @ np.abs(y_true - y_pred) / weights.sum()))


def median_absolute_error(y_true: Any, y_pred: Any) -> float:
    """median |y - ŷ| per target, averaged over targets."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.median(np.abs(y_true - y_pred), axis=0)))


def r2_score(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """R² = 1 - Σ w (y - ŷ)² / Σ w (y - ȳ_w)², per target, averaged uniformly.

    A constant target has no variance to explain: R² is 1 for a perfect prediction and 0
    otherwise (scikit-learn's convention), never NaN.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if len(y_true) < 2:
        raise ValueError("R² is not defined for fewer than 2 samples; pass more samples.")
    weights = _weights(sample_weight, len(y_true))
    mean = weights @ y_true / weights.sum()
    residual = weights @ (y_true - y_pred) ** 2
    total = weights @ (y_true - mean) ** 2
    scores = np.where(
        total > 0,
        1.0 - residual / np.where(total > 0, total, 1.0),
        np.where(residual == 0, 1.0, 0.0),
    )
    return float(np.mean(scores))


# --------------------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------------------


def _labels_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    from glassbox.labels import as_label_array

    truth = as_label_array(y_true, name="y_true")
    predicted = as_label_array(y_pred, name="y_pred")
    if truth.shape[0] != predicted.shape[0]:
        raise ValueError(
            f"y_true and y_pred have different numbers of samples: {truth.shape[0]} and "
            f"{predicted.shape[0]}."
        )
    return truth, predicted


def accuracy_score(
    y_true: Any, y_pred: Any, *, normalize: bool = True, sample_weight: Any = None
) -> float:
    """Accuracy = Σ w 1[ŷ = y] / Σ w (or the weighted count when ``normalize=False``)."""
    truth, predicted = _labels_pair(y_true, y_pred)
    weights = _weights(sample_weight, len(truth))
    hits = weights @ (truth == predicted)
    return float(hits / weights.sum()) if normalize else float(hits)


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    sample_weight: Any = None,
    normalize: str | None = None,
) -> np.ndarray:
    """``C[i, j]`` = weight of samples of true class ``labels[i]`` predicted as ``labels[j]``.

    ``labels`` defaults to the sorted union of both label sets; ``normalize`` divides by the
    row sums (``"true"``), column sums (``"pred"``) or the total (``"all"``).
    """
    truth, predicted = _labels_pair(y_true, y_pred)
    weights = _weights(sample_weight, len(truth))
    if labels is None:
        classes = np.unique(np.concatenate([truth, predicted]))
    else:
        classes = np.asarray(labels)
        if classes.size == 0:
            raise ValueError("'labels' should contain at least one label.")
        if not np.any(np.isin(truth, classes)):
            raise ValueError("At least one label specified must be in y_true.")
    index = {label: i for i, label in enumerate(classes.tolist())}
    rows = np.array([index.get(v, -1) for v in truth.tolist()])
    cols = np.array([index.get(v, -1) for v in predicted.tolist()])
    keep = (rows >= 0) & (cols >= 0)
    k = len(classes)
    matrix = np.zeros((k, k))
    np.add.at(matrix, (rows[keep], cols[keep]), weights[keep])
    if normalize is None:
        if sample_weight is None or np.all(weights == np.round(weights)):
            return matrix.astype(np.int64)
        return matrix
    with np.errstate(invalid="ignore", divide="ignore"):
        if normalize == "true":
            matrix = matrix / matrix.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            matrix = matrix / matrix.sum(axis=0, keepdims=True)
        elif normalize == "all":
            matrix = matrix / matrix.sum()
        else:
            raise ValueError(f"normalize must be 'true', 'pred', 'all' or None; got {normalize!r}.")
    return np.nan_to_num(matrix)


def _safe_ratio(
    numerator: np.ndarray, denominator: np.ndarray, zero_division: Any, what: str
) -> np.ndarray:
    """``numerator / denominator``, with ``zero_division`` (0, 1, NaN or "warn" = 0 + warning)
    where the denominator is zero."""
    empty = denominator == 0
    ratio = numerator / np.where(empty, 1.0, denominator)
    if np.any(empty):
        if isinstance(zero_division, str):
            if zero_division != "warn":
                raise ValueError(
                    f"zero_division must be 'warn', 0, 1 or np.nan; got {zero_division!r}."
                )
            import warnings

            warnings.warn(
                f"{what} is ill-defined and being set to 0.0 in labels with no "
                f"{'predicted' if what == 'Precision' else 'true'} samples. Use "
                "`zero_division` parameter to control this behavior.",
                UserWarning,
                stacklevel=4,
            )
            fill = 0.0
        else:
            fill = float(zero_division)
        ratio = np.where(empty, fill, ratio)
    return ratio


def _precision_recall_f(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any,
    pos_label: Any,
    average: str | None,
    sample_weight: Any,
    zero_division: Any,
) -> tuple[Any, Any, Any]:
    truth, predicted = _labels_pair(y_true, y_pred)
    weights = _weights(sample_weight, len(truth))
    present = np.unique(np.concatenate([truth, predicted]))
    choices = ("binary", "micro", "macro", "weighted", None)
    if average not in choices:
        raise ValueError(f"average has to be one of {choices}; got {average!r}.")
    if average == "binary":
        if len(present) > 2:
            raise ValueError(
                "Target is multiclass but average='binary'. Please choose another average "
                "setting, one of [None, 'micro', 'macro', 'weighted']."
            )
        if pos_label not in present.tolist():
            if len(present) >= 2:
                raise ValueError(
                    f"pos_label={pos_label!r} is not a valid label. It should be one of "
                    f"{present.tolist()}"
                )
        classes = np.array([pos_label], dtype=object if isinstance(pos_label, str) else None)
    else:
        classes = present if labels is None else np.asarray(labels)
    tp = np.array([weights @ ((truth == c) & (predicted == c)) for c in classes.tolist()])
    predicted_count = np.array([weights @ (predicted == c) for c in classes.tolist()])
    true_count = np.array([weights @ (truth == c) for c in classes.tolist()])
    if average == "micro":
        tp, predicted_count, true_count = (
            np.array([tp.sum()]),
            np.array([predicted_count.sum()]),
            np.array([true_count.sum()]),
        )
    precision = _safe_ratio(tp, predicted_count, zero_division, "Precision")
    recall = _safe_ratio(tp, true_count, zero_division, "Recall")
    denominator = precision + recall
    f1 = _safe_ratio(
        2 * precision * recall,
        denominator,
        0.0 if zero_division == "warn" else zero_division,
        "F-score",
    )
    if average is None:
        return precision, recall, f1
    if average == "weighted":
        if true_count.sum() == 0:
            return 0.0, 0.0, 0.0
        share = true_count / true_count.sum()
        return float(precision @ share), float(recall @ share), float(f1 @ share)
    return float(precision.mean()), float(recall.mean()), float(f1.mean())


def precision_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Precision = TP / (TP + FP), for ``pos_label`` (binary) or per class then averaged:
    ``"macro"`` (plain mean), ``"weighted"`` (by true count), ``"micro"`` (global counts)."""
    return _precision_recall_f(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[0]


def recall_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Recall = TP / (TP + FN), averaged as in :func:`precision_score`."""
    return _precision_recall_f(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[1]


def f1_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """F1 = 2PR / (P + R) per class (from that class's precision and recall), averaged as in
    :func:`precision_score`."""
    return _precision_recall_f(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[2]


def log_loss(
    y_true: Any,
    y_proba: Any,
    *,
    normalize: bool = True,
    sample_weight: Any = None,
    labels: Any = None,
) -> float:
    """Cross-entropy −Σ w log p(y_i) / Σ w, with p clipped to [ε, 1 − ε] (machine ε).

    ``y_proba`` is (n, K) with columns in the sorted order of ``labels`` (default: the
    labels in y_true), or (n,) holding the probability of the larger of two labels.
    """
    from glassbox.labels import as_label_array

    truth = as_label_array(y_true, name="y_true")
    proba = as_float_array(y_proba, name="y_proba", ensure_2d=False)
    classes = np.unique(truth) if labels is None else np.unique(np.asarray(labels))
    if len(classes) < 2:
        raise ValueError(
            f"y_true contains only one label ({classes[0]!r}). Please provide the list of "
            "all expected class labels explicitly through the labels argument."
        )
    if proba.ndim == 1:
        proba = np.column_stack([1.0 - proba, proba])
    if proba.shape[0] != truth.shape[0]:
        raise ValueError(
            f"y_true and y_proba have different numbers of samples: {truth.shape[0]} and "
            f"{proba.shape[0]}."
        )
    if proba.shape[1] != len(classes):
        raise ValueError(
            f"y_true has {len(classes)} classes {classes.tolist()} but y_proba has "
            f"{proba.shape[1]} columns; pass labels= with every class in column order."
        )
    if not np.all(np.isin(truth, classes)):
        raise ValueError("y_true contains labels that are not in labels.")
    if not np.allclose(proba.sum(axis=1), 1.0, rtol=np.sqrt(np.finfo(np.float64).eps)):
        raise ValueError("The y_proba values do not sum to one. Make sure to pass probabilities.")
    eps = np.finfo(np.float64).eps
    proba = np.clip(proba, eps, 1.0 - eps)
    column = np.searchsorted(classes, truth)
    losses = -np.log(proba[np.arange(len(truth)), column])
    weights = _weights(sample_weight, len(truth))
    total = float(weights @ losses)
    return total / float(weights.sum()) if normalize else total


def _binary_auc(positive: np.ndarray, score: np.ndarray, weights: np.ndarray) -> float:
    """Area under the ROC curve by the trapezoid rule over distinct thresholds (ties give
    diagonal segments, i.e. count one half)."""
    order = np.argsort(-score, kind="mergesort")
    score, positive, weights = score[order], positive[order], weights[order]
    last_of_run = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]
    tps = np.cumsum(weights * positive)[last_of_run]
    fps = np.cumsum(weights * (1 - positive))[last_of_run]
    if tps[-1] <= 0 or fps[-1] <= 0:
        raise ValueError(
            "Only one class is present in y_true. ROC AUC score is not defined in that case."
        )
    tpr = np.r_[0.0, tps / tps[-1]]
    fpr = np.r_[0.0, fps / fps[-1]]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0))


def roc_auc_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    sample_weight: Any = None,
    multi_class: str = "raise",
    labels: Any = None,
) -> Any:
    """Area under the ROC curve: P(score of a positive > score of a negative), ties ½.

    Binary: ``y_score`` is the score of the larger label, shape (n,). Multiclass needs
    ``multi_class="ovr"``: each class against the rest, averaged (``"macro"``) or weighted
    by prevalence (``"weighted"``); ``y_score`` is (n, K) probabilities.
    """
    from glassbox.labels import as_label_array

    truth = as_label_array(y_true, name="y_true")
    scores = as_float_array(y_score, name="y_score", ensure_2d=False)
    weights = _weights(sample_weight, len(truth))
    classes = np.unique(truth) if labels is None else np.asarray(labels)
    if scores.ndim == 1 or (scores.ndim == 2 and scores.shape[1] == 1 and len(classes) <= 2):
        if len(np.unique(truth)) > 2:
            raise ValueError("y_true is multiclass; pass (n, K) scores with multi_class='ovr'.")
        positive_label = np.unique(truth)[-1]
        return _binary_auc((truth == positive_label).astype(float), scores.ravel(), weights)
    if scores.shape[1] == 2 and len(classes) == 2:
        return _binary_auc((truth == classes[1]).astype(float), scores[:, 1], weights)
    if multi_class == "raise":
        raise ValueError("multi_class must be in ('ovo', 'ovr') for multiclass y_true.")
    if multi_class != "ovr":
        raise ValueError(f"multi_class={multi_class!r} is not supported by glassbox; use 'ovr'.")
    if scores.shape[1] != len(classes):
        raise ValueError(
            f"Number of classes in y_true ({len(classes)}) not equal to the number of "
            f"columns in 'y_score' ({scores.shape[1]})."
        )
    aucs = np.array(
        [
            _binary_auc((truth == c).astype(float), scores[:, k], weights)
            for k, c in enumerate(classes.tolist())
        ]
    )
    if average is None:
        return aucs
    if average == "weighted":
        share = np.array([weights @ (truth == c) for c in classes.tolist()])
        return float(aucs @ share / share.sum())
    if average == "macro":
        return float(aucs.mean())
    raise ValueError(f"average must be 'macro', 'weighted' or None for ovr; got {average!r}.")
