"""Schedules against their formulas and against torch.optim.lr_scheduler."""

from __future__ import annotations

import math

import numpy as np
import pytest

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

torch = pytest.importorskip("torch")

STEPS = np.arange(60)

FORMULAS = {
    "constant": (Constant(0.3), lambda t: 0.3),
    "inverse": (Inverse(0.3, 0.1), lambda t: 0.3 / (1 + 0.1 * t)),
    "inverse_sqrt": (InverseSqrt(0.3, 0.5), lambda t: 0.3 / math.sqrt(1 + 0.5 * t)),
    "exponential": (ExponentialDecay(0.3, 0.95), lambda t: 0.3 * 0.95**t),
    "step": (StepDecay(0.3, 7, 0.5), lambda t: 0.3 * 0.5 ** (t // 7)),
    "invscaling": (InvScaling(0.3, 0.25), lambda t: 0.3 / (t + 1) ** 0.25),
    "cosine": (
        CosineAnnealing(
            0.3, total_steps=50, eta_min=0.01, warmup_steps=10, warmup_start_factor=0.2
        ),
        lambda t: (
            0.3 * (0.2 + 0.8 * t / 10)
            if t < 10
            else 0.01 + 0.5 * 0.29 * (1 + math.cos(math.pi * min(t - 10, 40) / 40))
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_schedule_matches_formula(name):
    schedule, formula = FORMULAS[name]
    expected = np.array([formula(int(t)) for t in STEPS])
    np.testing.assert_allclose(schedule(STEPS), expected, rtol=1e-14)  # same formula
    # Scalars and arrays agree (the loop asks for blocks of steps at once).
    np.testing.assert_allclose([float(schedule(int(t))) for t in STEPS], expected, rtol=1e-14)


def test_registry_covers_every_schedule():
    assert set(SCHEDULES) == set(FORMULAS)


def _torch_rates(make_scheduler, lr, n_steps):
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = make_scheduler(optimizer)
    rates = []
    for _ in range(n_steps):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(rates)


LR = torch.optim.lr_scheduler
TORCH = {
    "exponential": (ExponentialDecay(0.3, 0.95), lambda o: LR.ExponentialLR(o, gamma=0.95)),
    "step": (StepDecay(0.3, 7, 0.5), lambda o: LR.StepLR(o, step_size=7, gamma=0.5)),
    "inverse": (Inverse(0.3, 0.1), lambda o: LR.LambdaLR(o, lambda t: 1 / (1 + 0.1 * t))),
    "inverse_sqrt": (
        InverseSqrt(0.3, 0.5),
        lambda o: LR.LambdaLR(o, lambda t: 1 / math.sqrt(1 + 0.5 * t)),
    ),
    "cosine": (
        CosineAnnealing(0.3, total_steps=50, eta_min=0.01),
        lambda o: LR.CosineAnnealingLR(o, T_max=50, eta_min=0.01),
    ),
    "cosine-warmup": (
        CosineAnnealing(
            0.3, total_steps=50, eta_min=0.01, warmup_steps=10, warmup_start_factor=0.2
        ),
        lambda o: LR.SequentialLR(
            o,
            [
                LR.LinearLR(o, start_factor=0.2, total_iters=10),
                LR.CosineAnnealingLR(o, T_max=40, eta_min=0.01),
            ],
            milestones=[10],
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(TORCH))
def test_schedule_matches_torch_scheduler(name):
    schedule, make = TORCH[name]
    n_steps = 51  # within the cosine horizon, where torch's schedule is defined the same way
    ours = schedule(np.arange(n_steps))
    # torch updates the rate recursively; the recursion rounds differently from the closed form.
    np.testing.assert_allclose(ours, _torch_rates(make, 0.3, n_steps), rtol=1e-10, atol=1e-15)


def test_cosine_stays_at_eta_min_after_its_horizon():
    schedule = CosineAnnealing(0.3, total_steps=20, eta_min=0.01)
    np.testing.assert_allclose(schedule(np.arange(20, 40)), 0.01)


def test_get_schedule_builds_and_rejects():
    assert get_schedule("inverse", eta0=0.5, decay=2.0) == Inverse(0.5, 2.0)
    with pytest.raises(ValueError, match="valid names are") as info:
        get_schedule("linear", eta0=0.1)
    assert "cosine" in str(info.value)
    with pytest.raises(TypeError, match="takes the parameters"):
        get_schedule("step", eta0=0.1, step=3)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Constant(0.0),
        lambda: Inverse(-1.0),
        lambda: Inverse(0.1, decay=float("nan")),
        lambda: ExponentialDecay(0.1, 1.5),
        lambda: StepDecay(0.1, 0),
        lambda: CosineAnnealing(0.1, total_steps=10, warmup_steps=10),
        lambda: CosineAnnealing(0.1, total_steps=10, eta_min=0.2),
    ],
)
def test_bad_schedule_parameters_raise_value_error(make):
    with pytest.raises(ValueError):
        make()


def test_as_schedule():
    assert as_schedule(0.1) == Constant(0.1)
    schedule = Inverse(0.1)
    assert as_schedule(schedule) is schedule
    with pytest.raises(ValueError, match="learning_rate"):
        as_schedule(float("inf"))
    with pytest.raises(TypeError, match="learning_rate"):
        as_schedule("fast")
