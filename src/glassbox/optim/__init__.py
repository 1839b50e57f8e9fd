"""Optimizers, learning-rate schedules, step sizes and the descent loop, written once.

* :mod:`~glassbox.optim.transforms`: optimizers as ``init``/``update`` pairs of pure functions;
* :mod:`~glassbox.optim.schedules`: learning rate as a function of the step;
* :mod:`~glassbox.optim.lipschitz`: automatic step sizes for least squares;
* :mod:`~glassbox.optim.specs`: ``Adam(learning_rate=...)`` and friends, specs that build them;
* :mod:`~glassbox.optim.loop`: epochs, batches, stopping, averaging, variance reduction.
"""

from glassbox.optim.lipschitz import batch_smoothness, largest_eigenvalue, max_sample_smoothness
from glassbox.optim.loop import DescentRun, LoopState, Objective, descend
from glassbox.optim.schedules import (
    SCHEDULES,
    Constant,
    CosineAnnealing,
    ExponentialDecay,
    Inverse,
    InverseSqrt,
    InvScaling,
    StepDecay,
    as_schedule,
    get_schedule,
)
from glassbox.optim.specs import SGD, Adagrad, Adam, AdamW, OptimizerSpecification, RMSprop
from glassbox.optim.transforms import (
    OPTIMIZERS,
    GradientTransformation,
    adagrad,
    adam,
    adamw,
    add_decayed_weights,
    apply_updates,
    chain,
    clip,
    clip_by_global_norm,
    get_optimizer,
    global_norm,
    momentum,
    nesterov,
    rmsprop,
    scale_by_adam,
    scale_by_learning_rate,
    scale_by_rms,
    scale_by_rss,
    sgd,
    trace,
)

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Constant",
    "CosineAnnealing",
    "DescentRun",
    "ExponentialDecay",
    "GradientTransformation",
    "InvScaling",
    "Inverse",
    "InverseSqrt",
    "LoopState",
    "Objective",
    "OptimizerSpecification",
    "RMSprop",
    "StepDecay",
    "adagrad",
    "adam",
    "adamw",
    "add_decayed_weights",
    "apply_updates",
    "as_schedule",
    "batch_smoothness",
    "chain",
    "clip",
    "clip_by_global_norm",
    "descend",
    "get_optimizer",
    "get_schedule",
    "global_norm",
    "largest_eigenvalue",
    "max_sample_smoothness",
    "momentum",
    "nesterov",
    "rmsprop",
    "scale_by_adam",
    "scale_by_learning_rate",
    "scale_by_rms",
    "scale_by_rss",
    "sgd",
    "trace",
]
