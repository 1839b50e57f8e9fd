"""``Dataset``: a design matrix, its target, and what a reader needs to know about them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

TASKS = ("regression", "classification")


@dataclass(frozen=True)
class Dataset:
    """X of shape (n_samples, n_features), y of shape (n_samples,), and their description.

    ``task`` is "regression" (y real) or "classification" (y class labels); ``source``
    says where the numbers come from (a generator and its arguments, a package, a file).
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    task: str
    feature_names: tuple[str, ...]
    target_name: str = "y"
    description: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {list(TASKS)}; got {self.task!r}.")
        if self.X.ndim != 2 or self.y.shape[:1] != self.X.shape[:1]:
            raise ValueError(
                f"Dataset {self.name!r}: X must be 2-D with one row per entry of y; got "
                f"X {self.X.shape} and y {self.y.shape}."
            )
        if len(self.feature_names) != self.X.shape[1]:
            raise ValueError(
                f"Dataset {self.name!r}: {len(self.feature_names)} feature names for "
                f"{self.X.shape[1]} columns."
            )

    @property
    def n_samples(self) -> int:
        """Number of rows of X."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of columns of X."""
        return int(self.X.shape[1])

    @property
    def classes(self) -> np.ndarray | None:
        """The sorted class labels of a classification dataset (None for regression)."""
        return np.unique(self.y) if self.task == "classification" else None

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description (no arrays)."""
        info: dict[str, Any] = {
            "name": self.name,
            "task": self.task,
            "n_samples": self.n_samples,
            "n_features": self.n_features,
            "feature_names": list(self.feature_names),
            "target_name": self.target_name,
            "description": self.description,
            "source": self.source,
        }
        if self.task == "classification":
            info["classes"] = [_plain(c) for c in np.unique(self.y)]
        return info

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}, task={self.task!r}, n_samples={self.n_samples}, "
            f"n_features={self.n_features})"
        )


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python number or string it holds (for JSON)."""
    return value.item() if hasattr(value, "item") else value
