"""Classification metrics for the benchmark's scoring, until ``glassbox.metrics`` has them.

Temporary: another branch adds accuracy, log loss, F1 and ROC AUC to :mod:`glassbox.metrics`;
once it lands, :mod:`glassbox.bench.scoring` should call those and this module can go.
Definitions follow scikit-learn's (tests compare with it):

* accuracy = (1/n) Σ 1[ŷᵢ = yᵢ]
* log loss = −(1/n) Σᵢ log p̂ᵢ,yᵢ  (probabilities clipped to [ε, 1 − ε], ε = float64 eps)
* F1 = 2 P R / (P + R) for the positive (second) class; macro average over classes for more
* ROC AUC = P(score of a random positive > score of a random negative), ties counted ½ (the
  Mann-Whitney statistic); one-vs-rest macro average for more than two classes
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

__all__ = ["accuracy", "f1", "log_loss", "roc_auc"]


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of correct predictions, (1/n) Σ [ŷᵢ = yᵢ]."""
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


def log_loss(y_true: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> float:
    """proba: (n, K) with columns in the order of ``classes``."""
    index = np.searchsorted(classes, y_true)
    eps = np.finfo(np.float64).eps
    p = np.clip(proba[np.arange(len(index)), index], eps, 1 - eps)
    return float(-np.mean(np.log(p)))


def _f1_of(y_true: np.ndarray, y_pred: np.ndarray, positive: object) -> float:
    tp = np.sum((y_pred == positive) & (y_true == positive))
    predicted = np.sum(y_pred == positive)
    actual = np.sum(y_true == positive)
    if predicted + actual == 0:
        return 0.0
    return float(2 * tp / (predicted + actual))


def f1(y_true: np.ndarray, y_pred: np.ndarray, classes: np.ndarray) -> float:
    """F1 = 2PR / (P + R) of the positive class (binary) or its mean over classes (macro)."""
    if len(classes) == 2:
        return _f1_of(y_true, y_pred, classes[1])
    return float(np.mean([_f1_of(y_true, y_pred, c) for c in classes]))


def _binary_auc(positive: np.ndarray, score: np.ndarray) -> float:
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)  # average ranks: ties count one half
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def roc_auc(y_true: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> float:
    """Area under the ROC curve (binary) or its one-vs-rest mean over classes."""
    if len(classes) == 2:
        return _binary_auc(np.asarray(y_true) == classes[1], proba[:, 1])
    scores = [_binary_auc(np.asarray(y_true) == c, proba[:, k]) for k, c in enumerate(classes)]
    return float(np.nanmean(scores))
