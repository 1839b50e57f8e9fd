"""The optimizer specs under ``glassbox.nn.optimizers`` too: the same classes as
:mod:`glassbox.optim.specs` (one Adam, the one in :mod:`glassbox.optim`)."""

from glassbox.optim.specs import SGD, Adagrad, Adam, AdamW, RMSprop

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "RMSprop"]
