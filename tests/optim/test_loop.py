"""The model-agnostic descent loop on a toy objective with a known minimum."""

from __future__ import annotations

import numpy as np
import pytest

from glassbox.exceptions import ConvergenceWarning, DivergenceError
from glassbox.optim.loop import descend


class MeanObjective:
    """fᵢ(θ) = ½ ‖θ − aᵢ‖²: F is minimized at the mean of the rows aᵢ, with ∇F = θ − ā."""

    def __init__(self, points):
        self.points = points
        self.n_samples = len(points)

    def value(self, params, rows):
        diff = params[0] - self.points[rows]
        return 0.5 * float(np.mean(np.sum(diff**2, axis=1)))

    def grad(self, params, rows):
        return (params[0] - self.points[rows].mean(axis=0),)

    def value_and_grad(self, params, rows):
        return self.value(params, rows), self.grad(params, rows)


POINTS = np.random.default_rng(0).standard_normal((400, 3)) + np.array([1.0, -2.0, 0.5])
MEAN = POINTS.mean(axis=0)


@pytest.mark.parametrize(
    ("optimizer", "learning_rate", "batch_size"),
    [("sgd", 1.0, None), ("momentum", 0.5, None), ("adam", 0.1, None), ("sgd", 0.5, 50)],
)
def test_loop_reaches_the_minimum(optimizer, learning_rate, batch_size):
    kwargs = {"variance_reduction": "svrg"} if batch_size else {}
    run = descend(
        MeanObjective(POINTS),
        (np.zeros(3),),
        optimizer=optimizer,
        learning_rate=learning_rate,
        batch_size=batch_size,
        max_epochs=500,
        tol=1e-10,
        rng=np.random.default_rng(0),
        **kwargs,
    )
    assert run.converged and run.stop_reason == "gradient norm below tol"
    np.testing.assert_allclose(run.params[0], MEAN, atol=1e-8)  # ‖∇F‖ = ‖θ − ā‖ ≤ 1e-10·‖ā‖


def test_polyak_average_of_per_sample_steps_is_the_running_mean():
    """With η = 1 each per-sample step jumps to aᵢ; the average of the iterates is ā."""
    run = descend(
        MeanObjective(POINTS),
        (np.zeros(3),),
        learning_rate=1.0,
        batch_size=1,
        max_epochs=1,
        shuffle=False,
        average=True,
        check_convergence=False,
    )
    np.testing.assert_allclose(run.params[0], MEAN, rtol=1e-12)
    np.testing.assert_array_equal(run.extra["current_params"][0], POINTS[-1])


def test_early_stopping_holds_out_rows_and_records_validation_loss():
    run = descend(
        MeanObjective(POINTS),
        (np.zeros(3),),
        learning_rate=0.05,
        batch_size=10,
        max_epochs=200,
        rng=np.random.default_rng(1),
        early_stopping=True,
        validation_fraction=0.25,
    )
    assert run.validation_rows.size == 100 and run.train_rows.size == 300
    assert np.intersect1d(run.validation_rows, run.train_rows).size == 0
    assert run.converged and run.stop_reason == "validation loss stopped improving"
    best = int(np.argmin(run.history["validation_loss"]))
    assert run.history["validation_loss"][best] == min(run.history["validation_loss"])


def test_divergence_and_max_epochs():
    with pytest.raises(DivergenceError, match=r"learning rate 3\b"):
        descend(MeanObjective(POINTS), (np.zeros(3),), learning_rate=3.0, max_epochs=100)
    with pytest.warns(ConvergenceWarning):
        run = descend(MeanObjective(POINTS), (np.zeros(3),), learning_rate=0.01, max_epochs=3)
    assert run.n_epochs == 3 and len(run.history["train_loss"]) == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_epochs": 0}, "max_epochs"),
        ({"tol": float("nan")}, "tol"),
        ({"stopping": "patience"}, "stopping"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
        ({"variance_reduction": "sag"}, "variance_reduction"),
        ({"optimizer": "lbfgs"}, "valid names"),
    ],
)
def test_bad_loop_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        descend(MeanObjective(POINTS), (np.zeros(3),), learning_rate=0.1, **kwargs)
