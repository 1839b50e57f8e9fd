"""Losses: a per-sample loss ℓᵢ, averaged with optional sample and class weights.

Every loss reduces its per-sample values the same way, with sᵢ the sample weight (1 by
default) and c_{yᵢ} the weight of sample i's class (1 by default):

    L = Σᵢ sᵢ c_{yᵢ} ℓᵢ / Σᵢ sᵢ c_{yᵢ},                                             (1)

which is PyTorch's ``reduction="mean"`` with ``weight=c`` (the normalizer is the total weight,
not the count) and the plain mean when no weights are given.

==========================  ==========================================================
loss                        ℓᵢ
==========================  ==========================================================
MeanSquaredError            (1/k) Σ_j (ŷᵢⱼ − yᵢⱼ)²
MeanAbsoluteError           (1/k) Σ_j |ŷᵢⱼ − yᵢⱼ|
Huber(δ)                    (1/k) Σ_j ½r² if |r| ≤ δ else δ(|r| − ½δ),   r = ŷ − y
BinaryCrossEntropy          softplus(z) − y z = max(z, 0) − y z + log(1 + e^{−|z|})   (2)
CrossEntropy                −Σ_k t_k log p_k,  log p = z − logsumexp(z)              (3)
==========================  ==========================================================

Eqs. (2) and (3) are written from the logits z, never as log(σ(z)) or log(softmax(z)),
which underflow to log 0 = −∞ once a logit is large. A :class:`~glassbox.nn.Model` whose
last layer is :class:`~glassbox.nn.Softmax` (or :class:`~glassbox.nn.Sigmoid`) compiled with
:class:`CrossEntropy` (or :class:`BinaryCrossEntropy`) detects the pair and feeds the loss the
logits before that layer, so the pairing loses no precision. Given probabilities
(``from_logits=False``) outside such a pair, the loss clips them to [ε, 1 − ε] first.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.autograd.ops import elementwise as ew
from glassbox.autograd.ops.nn_functional import gather
from glassbox.autograd.ops.reduce import log_softmax
from glassbox.autograd.tensor import Tensor, as_tensor

__all__ = [
    "LOSSES",
    "BinaryCrossEntropy",
    "CrossEntropy",
    "Huber",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "get_loss",
]

PROBABILITY_EPSILON = 1e-7  # Keras' clip for losses given probabilities


class Loss:
    """Base class: ``loss(output, target, sample_weight=None)`` is eq. (1) of ``per_sample``."""

    name = "loss"

    def per_sample(self, output: Tensor, target: np.ndarray) -> Tensor:
        """ℓᵢ for each row (shape (n,)); subclasses define it."""
        raise NotImplementedError

    def class_weights_of(self, target: np.ndarray) -> np.ndarray | None:
        """c_{yᵢ} for each row, or None (no class weights)."""
        return None

    def check_target(self, output: Tensor, target: np.ndarray) -> np.ndarray:
        """The target in the form ``per_sample`` reads, or a clear error."""
        target = np.asarray(target)
        if target.shape[0] != output.shape[0]:
            raise ValueError(
                f"{type(self).__name__}: the output has {output.shape[0]} rows but the target "
                f"has {target.shape[0]}; pass one target per row."
            )
        return target

    def __call__(self, output: Any, target: Any, sample_weight: Any = None) -> Tensor:
        output = as_tensor(output)
        target = self.check_target(output, np.asarray(target))
        values = self.per_sample(output, target)
        weights = self.class_weights_of(target)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=values.dtype)
            if sample_weight.shape != (values.shape[0],):
                raise ValueError(
                    f"sample_weight must have one weight per row, shape ({values.shape[0]},); "
                    f"got {sample_weight.shape}."
                )
            weights = sample_weight if weights is None else weights * sample_weight
        if weights is None:
            return values.mean()
        weights = weights.astype(values.dtype, copy=False)
        total = float(weights.sum())
        if not total > 0:
            raise ValueError(f"{type(self).__name__}: the weights of this batch sum to {total}.")
        return (values * weights).sum() * (1.0 / total)  # eq. (1)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (for saving a compiled Model)."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _as_2d(output: Tensor, target: np.ndarray, owner: str) -> tuple[Tensor, np.ndarray]:
    """(n, k) output and target for the regression losses; (n,) is read as k = 1."""
    target = np.asarray(target, dtype=output.dtype)
    if output.ndim == 1:
        output = output.reshape((-1, 1))
    if target.ndim == 1:
        target = target[:, None]
    if target.shape != output.shape:
        raise ValueError(
            f"{owner}: the output has shape {output.shape} but the target {target.shape}; "
            "they must match (one column per output)."
        )
    return output, target


class MeanSquaredError(Loss):
    """ℓᵢ = (1/k) Σ_j (ŷᵢⱼ − yᵢⱼ)² (``torch.nn.functional.mse_loss``)."""

    name = "mse"

    def per_sample(self, output: Tensor, target: np.ndarray) -> Tensor:
        output, target = _as_2d(output, target, type(self).__name__)
        residual = output - target
        return (residual * residual).mean(axis=1)


class MeanAbsoluteError(Loss):
    """ℓᵢ = (1/k) Σ_j |ŷᵢⱼ − yᵢⱼ| (``torch.nn.functional.l1_loss``)."""

    name = "mae"

    def per_sample(self, output: Tensor, target: np.ndarray) -> Tensor:
        output, target = _as_2d(output, target, type(self).__name__)
        return ew.abs(output - target).mean(axis=1)


class Huber(Loss):
    """ℓ = ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond (``torch.nn.functional.huber_loss``)."""

    name = "huber"

    def __init__(self, delta: float = 1.0) -> None:
        if not delta > 0:
            raise ValueError(f"Huber delta must be > 0, got {delta!r}.")
        self.delta = float(delta)

    def per_sample(self, output: Tensor, target: np.ndarray) -> Tensor:
        output, target = _as_2d(output, target, type(self).__name__)
        size = ew.abs(output - target)
        # min(|r|, δ) splits the two pieces: ½ m² + δ (|r| − m) is ½r² inside, δ(|r| − ½δ) out.
        inner = ew.minimum(size, self.delta)
        return (0.5 * inner * inner + self.delta * (size - inner)).mean(axis=1)

    def get_config(self) -> dict[str, Any]:
        return {"delta": self.delta}


def _class_weight_array(class_weight: Any, owner: str) -> np.ndarray | None:
    if class_weight is None:
        return None
    weights = np.asarray(class_weight, dtype=np.float64)
    if weights.ndim != 1 or not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError(
            f"{owner}: class_weight must be a 1-D array of finite weights >= 0, one per class; "
            f"got {class_weight!r}."
        )
    return weights


def _log_sigmoid(z: Tensor) -> Tensor:
    """log σ(z) = −softplus(−z), finite for every z (no threshold, unlike torch's Softplus)."""
    return -ew.softplus(-z, threshold=np.inf)


class BinaryCrossEntropy(Loss):
    """Eq. (2): −[y log σ(z) + (1 − y) log(1 − σ(z))], from logits z (or probabilities).

    Parameters
    ----------
    from_logits : bool or None
        ``None`` or ``True``: the input is z. ``False``: the input is p = σ(z) (clipped), unless
        a Model pairs this loss with a final Sigmoid, which then hands it z.
    class_weight : array of 2 weights, optional
        c₀, c₁ of eq. (1) for targets 0 and 1.
    """

    name = "binary_crossentropy"

    def __init__(self, from_logits: bool | None = None, class_weight: Any = None) -> None:
        self.from_logits = from_logits
        self.class_weight = _class_weight_array(class_weight, "BinaryCrossEntropy")

    def check_target(self, output: Tensor, target: np.ndarray) -> np.ndarray:
        target = super().check_target(output, target)
        if target.ndim == 1 and output.ndim == 2 and output.shape[1] == 1:
            target = target[:, None]
        if target.shape != output.shape:
            raise ValueError(
                f"BinaryCrossEntropy: the output has shape {output.shape} but the target "
                f"{target.shape}; use one output unit per binary target."
            )
        values = target.astype(np.float64)
        if np.any((values < 0) | (values > 1)) or not np.all(np.isfinite(values)):
            raise ValueError("BinaryCrossEntropy: targets must be in [0, 1] (labels 0 and 1).")
        return target

    def per_sample(self, output: Tensor, target: np.ndarray) -> Tensor:
        y = target.astype(output.dtype)
        if self.from_logits is False:
            p = ew.clip(output, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON)
            values = -(y * ew.log(p) + (1 - y) * ew.log(1 - p))
        else:
            # softplus(z) − y z = −[y log σ(z) + (1 − y) log σ(−z)], eq. (2)
            values = -(y * _log_sigmoid(output) + (1 - y) * _log_sigmoid(-output))
        return values if values.ndim == 1 else values.mean(axis=tuple(range(1, values.ndim)))

    def class_weights_of(self, target: np.ndarray) -> np.ndarray | None:
        if self.class_weight is None:
            return None
        labels = np.asarray(target).reshape(target.shape[0], -1)[:, 0]
        return self.class_weight[(labels > 0.5).astype(np.intp)]

    def get_config(self) -> dict[str, Any]:
        weights = None if self.class_weight is None else self.class_weight.tolist()
        return {"from_logits": self.from_logits, "class_weight": weights}


class CrossEntropy(Loss):
    """Eq. (3): −log p_{yᵢ} (integer labels) or −Σ_k t_k log p_k (one-hot / soft targets).

    Parameters
    ----------
    from_logits : bool or None
        ``None`` or ``True``: the input is the logits z. ``False``: the input is the
        probabilities p (clipped), unless a Model pairs this loss with a final Softmax, which
        then hands it the logits.
    class_weight : array of K weights, optional
        c of eq. (1) (``torch.nn.functional.cross_entropy(weight=c)``); with soft targets the
        row's weight is Σ_k t_k c_k.
    label_smoothing : float in [0, 1)
        Targets (1 − α) t + α / K, as torch's ``label_smoothing``.
    """

    name = "crossentropy"

    def __init__(
        self,
        from_logits: bool | None = None,
        class_weight: Any = None,
        label_smoothing: float = 0.0,
    ) -> None:
        if not 0 <= label_smoothing < 1:
            raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing!r}.")
        self.from_logits = from_logits
        self.class_weight = _class_weight_array(class_weight, "CrossEntropy")
        self.label_smoothing = float(label_smoothing)

    def check_target(self, output: Tensor, target: np.ndarray) -> np.ndarray:
        target = super().check_target(output, target)
        if output.ndim != 2:
            raise ValueError(
                f"CrossEntropy expects outputs of shape (n, n_classes); got {output.shape}."
            )
        n_classes = output.shape[1]
        if self.class_weight is not None and self.class_weight.size != n_classes:
            raise ValueError(
                f"CrossEntropy: class_weight has {self.class_weight.size} weights but the output "
                f"has {n_classes} classes."
            )
        if target.ndim == 2:
            if target.shape[1] != n_classes:
                raise ValueError(
                    f"CrossEntropy: one-hot targets have {target.shape[1]} columns but the "
                    f"output has {n_classes} classes."
                )
            return target
        if target.ndim != 1 or target.dtype.kind not in "iub":
            if target.ndim == 1 and target.dtype.kind == "f" and np.all(target == np.round(target)):
                target = target.astype(np.intp)
            else:
                raise ValueError(
                    "CrossEntropy: targets must be integer class labels of shape (n,) or one-hot "
                    f"rows of shape (n, {n_classes}); got dtype {target.dtype}, shape "
                    f"{target.shape}."
                )
        if target.size and (target.min() < 0 or target.max() >= n_classes):
            bad = target[(target < 0) | (target >= n_classes)]
            raise ValueError(
                f"CrossEntropy: label {int(bad[0])} is outside the {n_classes} output classes "
                f"(labels must be in [0, {n_classes})). Give the last layer as many units as "
                "there are classes, or encode the labels as 0 … K−1."
            )
        return target

    def _log_probabilities(self, output: Tensor) -> Tensor:
        if self.from_logits is False:
            return ew.log(ew.clip(output, PROBABILITY_EPSILON, 1.0))
        return log_softmax(output, axis=1)  # eq. (3), exact for large logits

    def per_sample(self, output: Tensor, target: np.ndarray) -> Tensor:
        log_p = self._log_probabilities(output)
        n_classes = output.shape[1]
        alpha = self.label_smoothing
        if target.ndim == 1 and alpha == 0:
            picked = gather(log_p, target[:, None].astype(np.intp), axis=1)  # (n, 1)
            return -picked.reshape(-1)
        soft = self._soft_targets(target, n_classes, output.dtype)
        weights = 1.0 if self.class_weight is None else self.class_weight.astype(output.dtype)
        if self.class_weight is not None and target.ndim == 1:
            # torch weights each smoothed term by its class and normalizes by c_{yᵢ}.
            return -(log_p * (soft * weights)).sum(axis=1) * (
                1.0 / self.class_weight[target].astype(output.dtype)
            )
        return -(log_p * soft).sum(axis=1)

    def _soft_targets(self, target: np.ndarray, n_classes: int, dtype: Any) -> np.ndarray:
        if target.ndim == 1:
            soft = np.zeros((target.shape[0], n_classes), dtype=dtype)
            soft[np.arange(target.shape[0]), target] = 1.0
        else:
            soft = np.asarray(target, dtype=dtype)
        if self.label_smoothing:
            soft = (1 - self.label_smoothing) * soft + self.label_smoothing / n_classes
        return soft

    def class_weights_of(self, target: np.ndarray) -> np.ndarray | None:
        if self.class_weight is None:
            return None
        if target.ndim == 1:
            return self.class_weight[target]
        return np.asarray(target, dtype=np.float64) @ self.class_weight

    def get_config(self) -> dict[str, Any]:
        weights = None if self.class_weight is None else self.class_weight.tolist()
        return {
            "from_logits": self.from_logits,
            "class_weight": weights,
            "label_smoothing": self.label_smoothing,
        }


#: The losses by the names ``Model.compile(loss=...)`` accepts (Keras' and short ones) -> class.
LOSSES: dict[str, type[Loss]] = {
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "huber": Huber,
    "binary_crossentropy": BinaryCrossEntropy,
    "bce": BinaryCrossEntropy,
    "crossentropy": CrossEntropy,
    "cross_entropy": CrossEntropy,
    "categorical_crossentropy": CrossEntropy,
    "sparse_categorical_crossentropy": CrossEntropy,
}
LOSS_CLASSES: dict[str, type[Loss]] = {cls.__name__: cls for cls in LOSSES.values()}


def get_loss(loss: str | Loss) -> Loss:
    """A loss object from a name (see :data:`LOSSES`) or the object itself."""
    if isinstance(loss, Loss):
        return loss
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"Unknown loss {loss!r}; valid names are {sorted(LOSSES)}.")
    return LOSSES[loss]()
