"""Optimizers against torch.optim step by step, and on an ill-conditioned quadratic."""

from __future__ import annotations

import numpy as np
import pytest

from glassbox.optim import schedules, transforms
from glassbox.optim.transforms import OPTIMIZERS, apply_updates, get_optimizer

torch = pytest.importorskip("torch")

SHAPES = [(3, 4), (5,)]

# (glassbox constructor, kwargs, torch class name, torch kwargs)
CASES = {
    "sgd": (transforms.sgd, {}, "SGD", {}),
    "sgd-weight-decay": (transforms.sgd, {"weight_decay": 0.1}, "SGD", {"weight_decay": 0.1}),
    "momentum": (transforms.momentum, {"momentum": 0.9}, "SGD", {"momentum": 0.9}),
    "momentum-dampening": (
        transforms.momentum,
        {"momentum": 0.8, "dampening": 0.3},
        "SGD",
        {"momentum": 0.8, "dampening": 0.3},
    ),
    "nesterov": (
        transforms.nesterov,
        {"momentum": 0.9, "weight_decay": 0.01},
        "SGD",
        {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    ),
    "adagrad": (
        transforms.adagrad,
        {"lr_decay": 0.05, "initial_accumulator_value": 0.1, "weight_decay": 0.02},
        "Adagrad",
        {"lr_decay": 0.05, "initial_accumulator_value": 0.1, "weight_decay": 0.02},
    ),
    "rmsprop": (transforms.rmsprop, {}, "RMSprop", {}),
    "rmsprop-centered-momentum": (
        transforms.rmsprop,
        {"alpha": 0.9, "centered": True, "momentum": 0.5, "weight_decay": 0.01},
        "RMSprop",
        {"alpha": 0.9, "centered": True, "momentum": 0.5, "weight_decay": 0.01},
    ),
    "adam": (transforms.adam, {}, "Adam", {}),
    "adam-amsgrad-l2": (
        transforms.adam,
        {"b1": 0.8, "b2": 0.99, "amsgrad": True, "weight_decay": 0.05},
        "Adam",
        {"betas": (0.8, 0.99), "amsgrad": True, "weight_decay": 0.05},
    ),
    "adamw": (transforms.adamw, {"weight_decay": 0.1}, "AdamW", {"weight_decay": 0.1}),
}


def _run_both(make, kwargs, torch_name, torch_kwargs, lr=0.05, n_steps=12, scheduler=None):
    rng = np.random.default_rng(0)
    start = tuple(rng.standard_normal(shape) for shape in SHAPES)
    grads = [tuple(rng.standard_normal(shape) for shape in SHAPES) for _ in range(n_steps)]

    tensors = [torch.tensor(p.copy(), dtype=torch.float64, requires_grad=True) for p in start]
    optimizer = getattr(torch.optim, torch_name)(tensors, lr=lr, **torch_kwargs)
    torch_scheduler = scheduler[1](optimizer) if scheduler else None

    transform = make(scheduler[0] if scheduler else lr, **kwargs)
    params, state = start, transform.init(start)
    for step, g in enumerate(grads):
        for tensor, gi in zip(tensors, g):
            tensor.grad = torch.tensor(gi, dtype=torch.float64)
        optimizer.step()
        if torch_scheduler is not None:
            torch_scheduler.step()
        updates, state = transform.update(g, state, params)
        params = apply_updates(params, updates)
        for ours, theirs in zip(params, tensors):
            # Same operations in float64, possibly in a different order: agree to rounding.
            np.testing.assert_allclose(
                ours, theirs.detach().numpy(), rtol=1e-12, atol=1e-14, err_msg=f"step {step}"
            )


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_torch_step_by_step(case):
    _run_both(*CASES[case])


def test_schedule_matches_torch_scheduler_inside_sgd():
    gamma = 0.8
    _run_both(
        transforms.momentum,
        {"momentum": 0.9},
        "SGD",
        {"momentum": 0.9},
        lr=0.1,
        scheduler=(
            schedules.ExponentialDecay(0.1, gamma),
            lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, gamma=gamma),
        ),
    )


def test_clip_by_global_norm_matches_torch():
    rng = np.random.default_rng(1)
    grads = tuple(3.0 * rng.standard_normal(shape) for shape in SHAPES)
    tensors = [torch.zeros(shape, dtype=torch.float64, requires_grad=True) for shape in SHAPES]
    for tensor, g in zip(tensors, grads):
        tensor.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_norm_(tensors, max_norm=1.5)
    clipper = transforms.clip_by_global_norm(1.5)
    clipped, _ = clipper.update(grads, clipper.init(grads), grads)
    for ours, theirs in zip(clipped, tensors):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-13)


def test_clip_by_value_matches_torch():
    rng = np.random.default_rng(2)
    grads = tuple(rng.standard_normal(shape) for shape in SHAPES)
    tensors = [torch.zeros(shape, dtype=torch.float64, requires_grad=True) for shape in SHAPES]
    for tensor, g in zip(tensors, grads):
        tensor.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_(tensors, clip_value=0.5)
    clipper = transforms.clip(0.5)
    clipped, _ = clipper.update(grads, clipper.init(grads), grads)
    for ours, theirs in zip(clipped, tensors):
        np.testing.assert_array_equal(ours, theirs.grad.numpy())


def test_chain_applies_in_order():
    """clip then SGD: the update is −η · clipped gradient."""
    g = (np.array([3.0, 4.0]),)
    transform = transforms.chain(transforms.clip_by_global_norm(1.0), transforms.sgd(0.5))
    updates, _ = transform.update(g, transform.init(g), g)
    np.testing.assert_allclose(updates[0], -0.5 * np.array([0.6, 0.8]) * 5 / (5 + 1e-6))


# --- every optimizer minimizes an ill-conditioned quadratic ------------------------------

# f(θ) = ½ θᵀAθ − bᵀθ with cond(A) = 100, rotated so the axes are coupled.
_rng = np.random.default_rng(3)
_Q, _ = np.linalg.qr(_rng.standard_normal((6, 6)))
A = _Q @ np.diag(np.geomspace(1.0, 100.0, 6)) @ _Q.T
b = _rng.standard_normal(6)
THETA_STAR = np.linalg.solve(A, b)

QUADRATIC = {  # name: (learning rate, options, steps); rates chosen for cond(A) = 100
    "sgd": (1.0 / 100, {}, 3000),
    "momentum": (1.0 / 100, {"momentum": 0.9}, 600),
    "nesterov": (1.0 / 100, {"momentum": 0.9}, 600),
    "adagrad": (1.0, {}, 4000),
    "rmsprop": (schedules.ExponentialDecay(0.01, 0.997), {}, 3000),
    "adam": (schedules.ExponentialDecay(0.05, 0.997), {}, 3000),
    "adamw": (schedules.ExponentialDecay(0.05, 0.997), {"weight_decay": 0.0}, 3000),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_minimizes_ill_conditioned_quadratic(name):
    learning_rate, options, n_steps = QUADRATIC[name]
    transform = get_optimizer(name, learning_rate, **options)
    params = (np.zeros(6),)
    state = transform.init(params)
    for _ in range(n_steps):
        grads = (A @ params[0] - b,)
        updates, state = transform.update(grads, state, params)
        params = apply_updates(params, updates)
    error = np.linalg.norm(params[0] - THETA_STAR) / np.linalg.norm(THETA_STAR)
    assert error < 1e-4  # far below the starting error of 1; each rule converges to θ*


def test_get_optimizer_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="valid names are") as info:
        get_optimizer("adamax", 0.1)
    assert "adam" in str(info.value) and "sgd" in str(info.value)


def test_get_optimizer_passes_a_transform_through():
    transform = transforms.sgd(0.1)
    assert get_optimizer(transform) is transform


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_learning_rate_is_rejected(bad):
    with pytest.raises(ValueError, match="learning_rate"):
        transforms.sgd(bad)


def test_bad_hyperparameters_are_rejected():
    with pytest.raises(ValueError, match="momentum"):
        transforms.sgd(0.1, momentum=1.5)
    with pytest.raises(ValueError, match="Nesterov"):
        transforms.sgd(0.1, nesterov=True)
    with pytest.raises(ValueError, match="b1"):
        transforms.adam(0.1, b1=1.0)


def test_params_must_be_a_tuple_of_arrays():
    transform = transforms.adam(0.1)
    with pytest.raises(TypeError, match="tuple of arrays"):
        transform.update(np.ones(3), transform.init((np.ones(3),)), np.ones(3))
