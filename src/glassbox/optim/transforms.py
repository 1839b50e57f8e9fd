"""Optimizers as pairs of pure functions, composed by chaining.

An optimizer is a :class:`GradientTransformation`: ``init(params) -> state`` and
``update(grads, state, params) -> (updates, state)``. Nothing is mutated; the caller applies
the updates, ``params ← params + updates`` (:func:`apply_updates`). ``params``, ``grads`` and
``updates`` are always a **tuple of NumPy arrays** (one array per parameter block, e.g.
``(coef,)`` or ``(W1, b1, W2, b2)``); a list is accepted and treated as a tuple.

Small building blocks each do one thing (add weight decay, keep a momentum trace, divide by
an RMS, multiply by −η_t) and the named optimizers are chains of them, exactly as Adam is
"scale by moments, then scale by −η". The update rules, with g the gradient, η_t the
learning rate of step t = 1, 2, ..., follow ``torch.optim`` to the last detail so the tests
can compare step by step:

* SGD, momentum μ, dampening τ, Nesterov:  b₁ = g₁, b_t = μ b_{t−1} + (1 − τ) g_t;
  d = g + μ b (Nesterov) or b; θ ← θ − η d
* AdaGrad:  s ← s + g²;  θ ← θ − η_t g / (√s + ε),  η_t = η / (1 + (t − 1) λ_decay)
* RMSProp:  v ← α v + (1 − α) g²;  θ ← θ − η g / (√v + ε)   (ε outside the root)
* Adam:  m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;
  θ ← θ − η (m / (1 − β₁ᵗ)) / (√v / √(1 − β₂ᵗ) + ε)
* AdamW: Adam with the decay applied to the weights, θ ← θ − η λ θ, not added to g
  (optionally to a masked subset of the blocks, e.g. the matrices only).

Learning rates are a number or a schedule (:mod:`glassbox.optim.schedules`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from glassbox.optim.schedules import LearningRate, as_schedule

__all__ = [
    "OPTIMIZERS",
    "GradientTransformation",
    "adagrad",
    "adam",
    "adamw",
    "add_decayed_weights",
    "apply_updates",
    "chain",
    "clip",
    "clip_by_global_norm",
    "get_optimizer",
    "global_norm",
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

Params = tuple[np.ndarray, ...]
State = Any


class GradientTransformation(NamedTuple):
    """A pair of pure functions: ``init(params) -> state``, ``update(g, state, params)``."""

    init: Callable[[Params], State]
    update: Callable[[Params, State, Params], tuple[Params, State]]


def _tuple(tree: Sequence[np.ndarray] | np.ndarray) -> Params:
    if isinstance(tree, np.ndarray):
        raise TypeError(
            "params and grads must be a tuple of arrays, got a single array; wrap it as (array,)."
        )
    return tuple(tree)


def float_dtype(array: np.ndarray) -> np.dtype:
    """The dtype an optimizer keeps for a parameter: float32 stays float32 (a network trained
    in single precision), everything else is computed in float64."""
    return array.dtype if array.dtype == np.float32 else np.dtype(np.float64)


def _zeros_like(params: Params) -> Params:
    return tuple(np.zeros(np.shape(p), dtype=float_dtype(np.asarray(p))) for p in _tuple(params))


def apply_updates(params: Params, updates: Params) -> Params:
    """θ ← θ + u, block by block (a new tuple; the inputs are not modified)."""
    return tuple(p + u for p, u in zip(_tuple(params), _tuple(updates)))


def global_norm(tree: Params) -> float:
    """‖g‖₂ over every block together, √(Σ_blocks Σ g²)."""
    return math.sqrt(sum(float(np.vdot(g, g)) for g in _tuple(tree)))


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """Apply ``transforms`` one after the other; the state is the tuple of their states."""

    def init(params: Params) -> State:
        return tuple(t.init(params) for t in transforms)

    def update(grads: Params, state: State, params: Params) -> tuple[Params, State]:
        new_state = []
        for transform, inner in zip(transforms, state):
            grads, inner = transform.update(grads, inner, params)
            new_state.append(inner)
        return grads, tuple(new_state)

    return GradientTransformation(init, update)


def _stateless(fn: Callable[[Params, Params], Params]) -> GradientTransformation:
    def init(params: Params) -> State:
        return ()

    def update(grads: Params, state: State, params: Params) -> tuple[Params, State]:
        return fn(_tuple(grads), _tuple(params)), state

    return GradientTransformation(init, update)


# --- building blocks ----------------------------------------------------------------------


def scale_by_learning_rate(learning_rate: LearningRate) -> GradientTransformation:
    """u = −η_t g, with η_t = ``learning_rate(t)`` for the t-th update (t = 0, 1, ...).

    The state is the number of updates taken so far.
    """
    schedule = as_schedule(learning_rate)

    def init(params: Params) -> State:
        return 0

    def update(grads: Params, state: State, params: Params) -> tuple[Params, State]:
        eta = float(schedule(state))
        return tuple(-eta * g for g in _tuple(grads)), state + 1

    return GradientTransformation(init, update)


def add_decayed_weights(
    weight_decay: float, mask: Sequence[bool] | None = None
) -> GradientTransformation:
    """g ← g + λ θ (an L2 penalty λ/2 ‖θ‖² on the loss, or decoupled decay after Adam).

    ``mask`` (one bool per parameter block) limits the decay to the blocks marked True, as a
    transformer decays its weight matrices but not its biases and layer-norm gains.
    """
    if mask is None:
        return _stateless(lambda g, p: tuple(gi + weight_decay * pi for gi, pi in zip(g, p)))
    marks = tuple(bool(m) for m in mask)

    def decay(g: Params, p: Params) -> Params:
        if len(marks) != len(g):
            raise ValueError(
                f"The weight-decay mask has {len(marks)} entries but there are {len(g)} "
                "parameter blocks; give one bool per block."
            )
        return tuple(gi + weight_decay * pi if m else gi for gi, pi, m in zip(g, p, marks))

    return _stateless(decay)


def trace(
    momentum: float, dampening: float = 0.0, nesterov: bool = False
) -> GradientTransformation:
    """torch's momentum buffer: b₁ = g₁, b_t = μ b_{t−1} + (1 − τ) g_t; out g + μ b or b.

    The buffer starts as the first gradient itself (not (1 − τ) g₁), as in ``torch.optim.SGD``.
    """

    def init(params: Params) -> State:
        return None

    def update(grads: Params, state: State, params: Params) -> tuple[Params, State]:
        grads = _tuple(grads)
        if state is None:
            buffer = tuple(g.copy() for g in grads)
        else:
            buffer = tuple(momentum * b + (1.0 - dampening) * g for b, g in zip(state, grads))
        if nesterov:
            return tuple(g + momentum * b for g, b in zip(grads, buffer)), buffer
        return buffer, buffer

    return GradientTransformation(init, update)


def scale_by_rss(
    initial_accumulator_value: float = 0.0, eps: float = 1e-10
) -> GradientTransformation:
    """AdaGrad's scaling: s ← s + g²;  out g / (√s + ε)."""

    def init(params: Params) -> State:
        return tuple(
            np.full(np.shape(p), initial_accumulator_value, dtype=float_dtype(np.asarray(p)))
            for p in params
        )

    def update(grads: Params, state: State, params: Params) -> tuple[Params, State]:
        sums = tuple(s + g * g for s, g in zip(state, _tuple(grads)))
        return tuple(g / (np.sqrt(s) + eps) for g, s in zip(grads, sums)), sums

    return GradientTransformation(init, update)


def scale_by_rms(
    alpha: float = 0.99, eps: float = 1e-8, centered: bool = False
) -> GradientTransformation:
    """RMSProp's scaling: v ← α v + (1 − α) g²;  out g / (√v + ε).

    Centered: also m ← α m + (1 − α) g and out g / (√(v − m²) + ε). ε sits outside the
    square root, as in ``torch.optim.RMSprop``.
    """

    def init(params: Params) -> State:
        return (_zeros_like(params), _zeros_like(params) if centered else None)

    def update(grads: Params, state: State, params: Params) -> tuple[Params, State]:
        grads = _tuple(grads)
        square_avg, grad_avg = state
        square_avg = tuple(alpha * v + (1.0 - alpha) * g * g for v, g in zip(square_avg, grads))
        if centered:
            grad_avg = tuple(alpha * m + (1.0 - alpha) * g for m, g in zip(grad_avg, grads))
            rms = tuple(np.sqrt(v - m * m) for v, m in zip(square_avg, grad_avg))
        else:
            rms = tuple(np.sqrt(v) for v in square_avg)
        return tuple(g / (r + eps) for g, r in zip(grads, rms)), (square_avg, grad_avg)

    return GradientTransformation(init, update)


def scale_by_adam(
    b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, amsgrad: bool = False
) -> GradientTransformation:
    """Adam's scaling with bias correction, for step t = 1, 2, ...

    m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;  (AMSGrad: v̂ ← max(v̂, v))
    out (m / (1 − β₁ᵗ)) / (√v / √(1 − β₂ᵗ) + ε)
    """

    def init(params: Params) -> State:
        return (
            0,
            _zeros_like(params),
            _zeros_like(params),
            _zeros_like(params) if amsgrad else None,
        )

    def moments(m: np.ndarray, v: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, ...]:
        # The formulas above, evaluated in the same order (so the same rounding) with four
        # fresh arrays instead of twelve temporaries: m and v are never written to.
        shape, dtype = np.shape(g), np.result_type(m, g)
        new_m, new_v, scratch = (np.empty(shape, dtype) for _ in range(3))
        np.multiply(m, b1, out=new_m)
        np.multiply(g, 1.0 - b1, out=scratch)
        new_m += scratch
        np.multiply(g, 1.0 - b2, out=new_v)
        new_v *= g
        np.multiply(v, b2, out=scratch)
        new_v += scratch
        return new_m, new_v, scratch

    def update(grads: Params, state: State, params: Params) -> tuple[Params, State]:
        grads = _tuple(grads)
        count, mu, nu, nu_max = state
        count += 1
        blocks = [moments(m, v, g) for m, v, g in zip(mu, nu, grads)]
        mu = tuple(b[0] for b in blocks)
        nu = tuple(b[1] for b in blocks)
        second = nu
        if amsgrad:
            nu_max = tuple(np.maximum(a, v) for a, v in zip(nu_max, nu))
            second = nu_max
        correction1 = 1.0 - b1**count
        correction2 = math.sqrt(1.0 - b2**count)
        updates = []
        for (m, _, scratch), v in zip(blocks, second):
            step = np.sqrt(v, out=np.empty_like(scratch))  # (m / c₁) / (√v / c₂ + ε)
            step /= correction2
            step += eps
            np.divide(m, correction1, out=scratch)
            np.divide(scratch, step, out=step)
            updates.append(step)
        return tuple(updates), (count, mu, nu, nu_max)

    return GradientTransformation(init, update)


def clip_by_global_norm(max_norm: float) -> GradientTransformation:
    """g ← g · min(1, c / (‖g‖₂ + 10⁻⁶)), ‖g‖₂ over all blocks (``clip_grad_norm_``)."""
    _check_hyper("max_norm", max_norm, positive=True)

    def clip_norm(grads: Params, params: Params) -> Params:
        factor = min(1.0, max_norm / (global_norm(grads) + 1e-6))
        return tuple(g * factor for g in grads)

    return _stateless(clip_norm)


def clip(max_value: float) -> GradientTransformation:
    """g ← clip(g, −c, c) elementwise (``torch.nn.utils.clip_grad_value_``)."""
    _check_hyper("max_value", max_value, positive=True)
    return _stateless(lambda g, p: tuple(np.clip(gi, -max_value, max_value) for gi in g))


# --- named optimizers ---------------------------------------------------------------------


def _check_hyper(name: str, value: Any, *, positive: bool = False, below_one: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {value!r}.")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(
            f"{name} must be finite and {'> 0' if positive else '>= 0'}, got {value!r}."
        )
    if below_one and value >= 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}.")


def sgd(
    learning_rate: LearningRate,
    momentum: float = 0.0,
    dampening: float = 0.0,
    nesterov: bool = False,
    weight_decay: float = 0.0,
) -> GradientTransformation:
    """``torch.optim.SGD``: g ← g + λθ; momentum trace (see :func:`trace`); θ ← θ − η d."""
    _check_hyper("momentum", momentum, below_one=True)
    _check_hyper("dampening", dampening, below_one=True)
    _check_hyper("weight_decay", weight_decay)
    if nesterov and (momentum == 0 or dampening != 0):
        raise ValueError("Nesterov momentum requires momentum > 0 and dampening == 0.")
    parts = []
    if weight_decay:
        parts.append(add_decayed_weights(weight_decay))
    if momentum:
        parts.append(trace(momentum, dampening, nesterov))
    parts.append(scale_by_learning_rate(learning_rate))
    return chain(*parts)


def momentum(
    learning_rate: LearningRate,
    momentum: float = 0.9,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
) -> GradientTransformation:
    """Heavy ball: b ← μ b + (1 − τ) g (b₁ = g₁);  θ ← θ − η b."""
    return sgd(learning_rate, momentum=momentum, dampening=dampening, weight_decay=weight_decay)


def nesterov(
    learning_rate: LearningRate, momentum: float = 0.9, weight_decay: float = 0.0
) -> GradientTransformation:
    """Nesterov momentum as torch writes it: b ← μ b + g;  θ ← θ − η (g + μ b)."""
    return sgd(learning_rate, momentum=momentum, nesterov=True, weight_decay=weight_decay)


def adagrad(
    learning_rate: LearningRate = 0.01,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
) -> GradientTransformation:
    """``torch.optim.Adagrad``: s ← s + g²;  θ ← θ − η_t g / (√s + ε), η_t = η / (1 + t λ_d)."""
    _check_hyper("lr_decay", lr_decay)
    _check_hyper("weight_decay", weight_decay)
    _check_hyper("initial_accumulator_value", initial_accumulator_value)
    _check_hyper("eps", eps)
    base = as_schedule(learning_rate)

    def decayed(step: Any) -> Any:  # t = number of earlier updates
        return base(step) / (1.0 + np.asarray(step, dtype=np.float64) * lr_decay)

    parts = [add_decayed_weights(weight_decay)] if weight_decay else []
    parts += [scale_by_rss(initial_accumulator_value, eps), scale_by_learning_rate(decayed)]
    return chain(*parts)


def rmsprop(
    learning_rate: LearningRate = 0.01,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
) -> GradientTransformation:
    """``torch.optim.RMSprop``: v ← α v + (1 − α) g²;  b ← μ b + g / (√v + ε);  θ ← θ − η b."""
    _check_hyper("alpha", alpha, below_one=True)
    _check_hyper("eps", eps)
    _check_hyper("weight_decay", weight_decay)
    _check_hyper("momentum", momentum, below_one=True)
    parts = [add_decayed_weights(weight_decay)] if weight_decay else []
    parts.append(scale_by_rms(alpha, eps, centered))
    if momentum:
        # torch's RMSprop buffer starts at zero, so b₁ = g₁ / (√v + ε): the same as trace's.
        parts.append(trace(momentum))
    parts.append(scale_by_learning_rate(learning_rate))
    return chain(*parts)


def adam(
    learning_rate: LearningRate = 1e-3,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
) -> GradientTransformation:
    """``torch.optim.Adam`` (L2 penalty added to g when ``weight_decay`` > 0).

    θ ← θ − η (m / (1 − β₁ᵗ)) / (√v / √(1 − β₂ᵗ) + ε).
    """
    for name, value in (("b1", b1), ("b2", b2)):
        _check_hyper(name, value, below_one=True)
    _check_hyper("eps", eps)
    _check_hyper("weight_decay", weight_decay)
    parts = [add_decayed_weights(weight_decay)] if weight_decay else []
    parts += [scale_by_adam(b1, b2, eps, amsgrad), scale_by_learning_rate(learning_rate)]
    return chain(*parts)


def adamw(
    learning_rate: LearningRate = 1e-3,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
    amsgrad: bool = False,
    decay_mask: Sequence[bool] | None = None,
) -> GradientTransformation:
    """``torch.optim.AdamW``, decoupled decay: θ ← θ − η (adam_t + λ θ) = θ(1 − ηλ) − η adam_t.

    ``decay_mask`` (one bool per block) decays only the marked blocks: torch's two parameter
    groups, ``weight_decay=λ`` for the matrices and 0 for the rest.
    """
    for name, value in (("b1", b1), ("b2", b2)):
        _check_hyper(name, value, below_one=True)
    _check_hyper("eps", eps)
    _check_hyper("weight_decay", weight_decay)
    return chain(
        scale_by_adam(b1, b2, eps, amsgrad),
        add_decayed_weights(weight_decay, decay_mask),
        scale_by_learning_rate(learning_rate),
    )


#: The optimizer registry: name -> factory of a :class:`GradientTransformation`.
OPTIMIZERS: dict[str, Callable[..., GradientTransformation]] = {
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "adamw": adamw,
}

OptimizerSpec = str | GradientTransformation


def get_optimizer(
    name_or_transform: OptimizerSpec, learning_rate: LearningRate | None = None, **kwargs: Any
) -> GradientTransformation:
    """The optimizer registered as ``name`` built with ``learning_rate`` and ``kwargs``.

    A :class:`GradientTransformation` is returned unchanged (it already holds its rate).
    """
    if isinstance(name_or_transform, GradientTransformation):
        return name_or_transform
    if not isinstance(name_or_transform, str) or name_or_transform not in OPTIMIZERS:
        raise ValueError(
            f"Unknown optimizer {name_or_transform!r}; valid names are {sorted(OPTIMIZERS)} "
            "(or pass a GradientTransformation)."
        )
    if learning_rate is None:
        raise ValueError(f"Optimizer {name_or_transform!r} needs a learning_rate.")
    return OPTIMIZERS[name_or_transform](learning_rate, **kwargs)
