"""Optimizers named as Keras and PyTorch users write them: ``Adam(learning_rate=1e-3)``.

Each class here is only a *specification*: a frozen record of the hyperparameters that
builds the one implementation in :mod:`glassbox.optim.transforms` (there is no second Adam).
``spec.build()`` returns the :class:`~glassbox.optim.transforms.GradientTransformation`;
``spec.name`` and ``spec.options()`` are what :func:`glassbox.optim.descend` takes as
``optimizer=``, ``optimizer_options=``. ``global_clipnorm`` clips the gradient to that global
norm before the update (``clip_by_global_norm``, as ``torch.nn.utils.clip_grad_norm_``).

=========  =======================================  ==========================
spec       transform                                defaults (torch.optim's)
=========  =======================================  ==========================
SGD        sgd (momentum, Nesterov, weight decay)   learning_rate=0.01
Adam       adam                                     1e-3, β=(0.9, 0.999), ε=1e-8
AdamW      adamw (decoupled decay)                  1e-3, weight_decay=0.01
RMSprop    rmsprop                                  1e-2, α=0.99, ε=1e-8
Adagrad    adagrad                                  1e-2
=========  =======================================  ==========================
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from glassbox.optim.schedules import SCHEDULES, LearningRate
from glassbox.optim.transforms import (
    GradientTransformation,
    chain,
    clip_by_global_norm,
    get_optimizer,
)

__all__ = ["SGD", "SPECS", "Adagrad", "Adam", "AdamW", "OptimizerSpecification", "RMSprop"]


@dataclass(frozen=True)
class OptimizerSpecification:
    """Base: a learning rate (a number or a schedule), options, optional gradient clipping."""

    name: ClassVar[str] = ""
    learning_rate: LearningRate = 1e-3
    global_clipnorm: float | None = None

    def options(self) -> dict[str, Any]:
        """The keyword arguments of the transform (everything but the rate and clipping)."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("learning_rate", "global_clipnorm")
        }

    def build(self) -> GradientTransformation:
        """The transform of :mod:`glassbox.optim.transforms`, clipped first if asked."""
        transform = get_optimizer(self.name, self.learning_rate, **self.options())
        if self.global_clipnorm is None:
            return transform
        return chain(clip_by_global_norm(self.global_clipnorm), transform)

    def get_config(self) -> dict[str, Any]:
        """A JSON-friendly record (a schedule as its registered name and fields)."""
        config: dict[str, Any] = {"class": type(self).__name__}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if dataclasses.is_dataclass(value) and not isinstance(value, type):
                names = {cls: key for key, cls in SCHEDULES.items()}
                if type(value) not in names:
                    raise TypeError(f"Cannot save the learning-rate schedule {value!r}.")
                value = {"schedule": names[type(value)], **dataclasses.asdict(value)}
            elif callable(value):
                raise TypeError(
                    f"Cannot save a learning rate given as a plain function ({value!r}); use a "
                    "schedule from glassbox.optim.schedules."
                )
            config[f.name] = value
        return config

    @staticmethod
    def from_config(config: dict[str, Any]) -> OptimizerSpecification:
        """Rebuild a spec written by :meth:`get_config`."""
        config = dict(config)
        cls = SPECS[config.pop("class")]
        rate = config.get("learning_rate")
        if isinstance(rate, dict):
            rate = dict(rate)
            config["learning_rate"] = SCHEDULES[rate.pop("schedule")](**rate)
        spec: OptimizerSpecification = cls(**config)
        return spec


@dataclass(frozen=True)
class SGD(OptimizerSpecification):
    """``torch.optim.SGD``: b ← μ b + (1 − τ) g; θ ← θ − η (g + μ b if Nesterov else b)."""

    name: ClassVar[str] = "sgd"
    learning_rate: LearningRate = 0.01
    global_clipnorm: float | None = None
    momentum: float = 0.0
    dampening: float = 0.0
    nesterov: bool = False
    weight_decay: float = 0.0


@dataclass(frozen=True)
class Adam(OptimizerSpecification):
    """``torch.optim.Adam``: θ ← θ − η m̂ / (√v̂ + ε) (the ``adam`` transform)."""

    name: ClassVar[str] = "adam"
    learning_rate: LearningRate = 1e-3
    global_clipnorm: float | None = None
    b1: float = 0.9
    b2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False


@dataclass(frozen=True)
class AdamW(OptimizerSpecification):
    """``torch.optim.AdamW``: Adam with decoupled weight decay θ ← θ(1 − ηλ) − η adam_t."""

    name: ClassVar[str] = "adamw"
    learning_rate: LearningRate = 1e-3
    global_clipnorm: float | None = None
    b1: float = 0.9
    b2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 1e-2
    amsgrad: bool = False


@dataclass(frozen=True)
class RMSprop(OptimizerSpecification):
    """``torch.optim.RMSprop``: v ← α v + (1 − α) g²; θ ← θ − η g / (√v + ε)."""

    name: ClassVar[str] = "rmsprop"
    learning_rate: LearningRate = 1e-2
    global_clipnorm: float | None = None
    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum: float = 0.0
    centered: bool = False


@dataclass(frozen=True)
class Adagrad(OptimizerSpecification):
    """``torch.optim.Adagrad``: s ← s + g²; θ ← θ − η_t g / (√s + ε)."""

    name: ClassVar[str] = "adagrad"
    learning_rate: LearningRate = 1e-2
    global_clipnorm: float | None = None
    lr_decay: float = 0.0
    weight_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10


SPECS: dict[str, type[OptimizerSpecification]] = {
    cls.__name__: cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad)
}
