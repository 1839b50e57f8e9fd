"""Metrics that ``Model.compile(metrics=[...])`` tracks per epoch, summed batch by batch.

A metric returns (sum over the batch, count), so an epoch's value is a running total over
its batches (no extra pass over the training data), and is exact for the rows it saw.
``accuracy`` reads the class of each row from the network's output: argmax over several
outputs, the sign of a single logit (or p > ½ for a probability) for one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["METRICS", "get_metric"]


class Accuracy:
    """Σ 1[predicted class = label]."""

    def batch(self, output: np.ndarray, target: np.ndarray, logits: bool) -> tuple[float, float]:
        """(Σ over the batch, number of rows) of this metric; ``logits`` says whether a single
        output is a logit (threshold 0) or a probability (threshold ½)."""
        if output.ndim == 2 and output.shape[1] > 1:
            predicted = np.argmax(output, axis=1)
            labels = np.argmax(target, axis=1) if np.ndim(target) == 2 else target
        else:
            # one output unit: a logit (a paired Sigmoid, or no Sigmoid) or a probability
            threshold = 0.0 if logits else 0.5
            predicted = (output.reshape(-1) > threshold).astype(np.int64)
            labels = np.asarray(target).reshape(-1) > 0.5
        return float(np.sum(predicted == labels)), float(len(predicted))


class MeanSquared:
    """Σ_rows mean_j (ŷ − y)²."""

    def batch(self, output: np.ndarray, target: np.ndarray, logits: bool) -> tuple[float, float]:
        """(Σ over the batch, number of rows) of this metric; ``logits`` says whether a single
        output is a logit (threshold 0) or a probability (threshold ½)."""
        residual = output.reshape(len(output), -1) - np.asarray(target).reshape(len(output), -1)
        return float(np.sum(np.mean(residual**2, axis=1))), float(len(output))


class MeanAbsolute:
    """Σ_rows mean_j |ŷ − y|."""

    def batch(self, output: np.ndarray, target: np.ndarray, logits: bool) -> tuple[float, float]:
        """(Σ over the batch, number of rows) of this metric; ``logits`` says whether a single
        output is a logit (threshold 0) or a probability (threshold ½)."""
        residual = output.reshape(len(output), -1) - np.asarray(target).reshape(len(output), -1)
        return float(np.sum(np.mean(np.abs(residual), axis=1))), float(len(output))


METRICS: dict[str, type] = {
    "accuracy": Accuracy,
    "acc": Accuracy,
    "mse": MeanSquared,
    "mae": MeanAbsolute,
}


def get_metric(name: Any) -> Any:
    """A metric by name; a clear error lists the valid names."""
    if not isinstance(name, str) or name not in METRICS:
        raise ValueError(f"Unknown metric {name!r}; valid names are {sorted(METRICS)}.")
    return METRICS[name]()
