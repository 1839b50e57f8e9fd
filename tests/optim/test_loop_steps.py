"""The loop's per-step options: batch-loss history, a step budget, a step callback, float32."""

from __future__ import annotations

import numpy as np
import pytest

from glassbox.optim.loop import descend

POINTS = np.random.default_rng(0).standard_normal((100, 3)) + np.array([1.0, -2.0, 0.5])


class MeanObjective:
    """fᵢ(θ) = ½ ‖θ − aᵢ‖², counting the full-data passes it is asked for."""

    n_samples = len(POINTS)

    def __init__(self) -> None:
        self.full_passes = 0
        self.batch_losses: list[float] = []

    def value(self, params, rows):
        diff = params[0] - POINTS[rows]
        return 0.5 * float(np.mean(np.sum(diff**2, axis=1)))

    def grad(self, params, rows):
        return ((params[0] - POINTS[rows].mean(axis=0)).astype(params[0].dtype),)

    def value_and_grad(self, params, rows):
        if isinstance(rows, slice) or len(POINTS[rows]) == self.n_samples:
            self.full_passes += 1
        value = self.value(params, rows)
        self.batch_losses.append(value)
        return value, self.grad(params, rows)


def test_batch_losses_are_the_history_and_no_full_pass_is_made() -> None:
    objective = MeanObjective()
    run = descend(
        objective,
        (np.zeros(3),),
        optimizer="sgd",
        learning_rate=0.1,
        batch_size=10,
        max_epochs=3,
        epoch_loss="batches",
        rng=np.random.default_rng(1),
        check_convergence=False,
    )
    assert objective.full_passes == 0
    per_epoch = np.array(objective.batch_losses).reshape(3, 10).mean(axis=1)  # equal batches
    np.testing.assert_allclose(run.history["train_loss"], per_epoch, rtol=1e-15)
    assert np.isnan(run.history["grad_norm"]).all()


def test_max_steps_stops_mid_epoch_and_the_step_callback_sees_every_step() -> None:
    seen: list[int] = []
    run = descend(
        MeanObjective(),
        (np.zeros(3),),
        optimizer="adam",
        learning_rate=0.01,
        batch_size=30,  # 4 steps per epoch
        max_epochs=100,
        max_steps=10,
        step_callback=lambda step, params: seen.append(step),
        rng=np.random.default_rng(2),
    )
    assert run.stop_reason == "max_steps" and run.n_steps == 10 and run.n_epochs == 3
    assert seen == list(range(1, 11))
    resumed = descend(
        MeanObjective(),
        run.extra["current_params"],
        optimizer="adam",
        learning_rate=0.01,
        batch_size=30,
        max_steps=2,
        state=run.state,
        step_callback=lambda step, params: seen.append(step),
        rng=np.random.default_rng(3),
    )
    assert resumed.n_steps == 2 and seen[-2:] == [11, 12]


def test_a_step_callback_can_stop_the_run() -> None:
    run = descend(
        MeanObjective(),
        (np.zeros(3),),
        optimizer="sgd",
        learning_rate=0.1,
        batch_size=10,
        max_epochs=50,
        step_callback=lambda step, params: step == 15,
        rng=np.random.default_rng(4),
    )
    assert run.stop_reason == "callback" and run.n_steps == 15


def test_float32_parameters_stay_float32_through_adam() -> None:
    run = descend(
        MeanObjective(),
        (np.zeros(3, dtype=np.float32),),
        optimizer="adam",
        learning_rate=0.05,
        batch_size=20,
        max_epochs=2,
        epoch_loss="batches",
        rng=np.random.default_rng(5),
        check_convergence=False,
    )
    assert run.params[0].dtype == np.float32


def test_bad_step_options_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="epoch_loss must be one of"):
        descend(MeanObjective(), (np.zeros(3),), learning_rate=0.1, epoch_loss="sometimes")
    with pytest.raises(ValueError, match="max_steps must be None or an int >= 1"):
        descend(MeanObjective(), (np.zeros(3),), learning_rate=0.1, max_steps=0)
    with pytest.raises(ValueError, match='stopping="gradient" needs the full gradient'):
        descend(
            MeanObjective(),
            (np.zeros(3),),
            learning_rate=0.1,
            epoch_loss="batches",
            stopping="gradient",
        )
