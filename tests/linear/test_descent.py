"""Least-squares descent solvers against the exact solution (numpy.linalg.lstsq)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from glassbox.exceptions import ConvergenceWarning, DivergenceError
from glassbox.linear.descent import (
    METHODS,
    LeastSquaresObjective,
    Standardizer,
    fit_descent,
    partial_fit_descent,
)
from glassbox.optim import get_optimizer
from glassbox.optim.schedules import Constant, InvScaling


def make_data(seed=0, n=2000, p=8, noise=0.01, n_targets=None):
    """Well-conditioned data: Gaussian columns of mixed scales and offsets, low noise."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + rng.uniform(-2.0, 2.0, p)
    shape = (p,) if n_targets is None else (p, n_targets)
    w = rng.standard_normal(shape)
    y = X @ w + 1.5 + noise * rng.standard_normal((n,) if n_targets is None else (n, n_targets))
    return X, y


def exact(X, y, sample_weight=None, fit_intercept=True):
    A = np.hstack([X, np.ones((len(X), 1))]) if fit_intercept else X
    root = np.ones(len(X)) if sample_weight is None else np.sqrt(sample_weight)
    rhs = y * (root if y.ndim == 1 else root[:, None])
    return np.linalg.lstsq(A * root[:, None], rhs, rcond=None)[0]


def relative_error(result, solution, fit_intercept=True):
    coef = np.atleast_2d(result.coef)
    estimate = np.vstack([coef.T, np.atleast_1d(result.intercept)]) if fit_intercept else coef.T
    solution = solution.reshape(estimate.shape)
    return np.linalg.norm(estimate - solution) / np.linalg.norm(solution)


# Targets from the issue, with default settings: full batch reaches the minimum up to tol,
# plain stochastic steps stop at a noise floor, SVRG converges linearly to the minimum.
SOLVERS = {
    "bgd": ({"method": "bgd"}, 1e-6),
    "minibatch": ({"method": "minibatch"}, 1e-4),
    "sgd": ({"method": "sgd"}, 1e-3),
    "minibatch-svrg": ({"method": "minibatch", "variance_reduction": "svrg"}, 1e-8),
    "sgd-svrg": ({"method": "sgd", "variance_reduction": "svrg"}, 1e-8),
}


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_every_solver_reaches_the_exact_minimum(solver, seed):
    kwargs, tolerance = SOLVERS[solver]
    X, y = make_data(seed, n=1500 + 500 * seed, p=6 + 4 * seed)
    result = fit_descent(X, y, random_state=seed, **kwargs)
    assert result.converged
    assert relative_error(result, exact(X, y)) < tolerance
    if "svrg" in solver:
        assert result.n_iter < 60  # linear convergence: tens of epochs


def test_methods_table_is_covered():
    assert {kwargs["method"] for kwargs, _ in SOLVERS.values()} == set(METHODS)


def test_sample_weight_fit_intercept_false_and_several_targets():
    X, y = make_data(2, n=800, p=5, n_targets=3)
    weights = np.random.default_rng(2).uniform(0.2, 3.0, len(X))
    result = fit_descent(X, y, weights, method="bgd")
    assert result.coef.shape == (3, 5) and result.intercept.shape == (3,)
    assert relative_error(result, exact(X, y, weights)) < 1e-6
    no_intercept = fit_descent(X, y[:, 0], weights, method="bgd", fit_intercept=False)
    assert no_intercept.intercept == 0.0
    solution = exact(X, y[:, 0], weights, fit_intercept=False)
    assert relative_error(no_intercept, solution, fit_intercept=False) < 1e-6
    svrg = fit_descent(X, y, weights, method="sgd", variance_reduction="svrg", random_state=0)
    assert relative_error(svrg, exact(X, y, weights)) < 1e-8


def test_unstandardized_descent_reaches_the_same_minimum():
    X, y = make_data(3, n=600, p=4)
    X = (X - X.mean(axis=0)) / X.std(axis=0)  # raw descent needs a reasonable scale
    result = fit_descent(X, y, method="bgd", standardize=False)
    assert relative_error(result, exact(X, y)) < 1e-6


def test_standardizer_round_trip_is_exact():
    X, y = make_data(4, n=50, p=3, n_targets=2)
    scaler = Standardizer.fit(X, y, None, fit_intercept=True, standardize=True)
    coef, intercept = np.arange(6.0).reshape(2, 3), np.array([1.0, -2.0])
    back = scaler.to_original(scaler.from_original(coef, intercept))
    np.testing.assert_allclose(back[0], coef, rtol=1e-13)
    np.testing.assert_allclose(back[1], intercept, rtol=1e-13)
    # Predictions agree in both units: z·W·σ_y + ȳ = x·coef + intercept.
    W = scaler.from_original(coef, intercept)
    np.testing.assert_allclose(
        scaler.design(X) @ W * scaler.y_scale + scaler.y_mean, X @ coef.T + intercept, rtol=1e-12
    )


@pytest.mark.filterwarnings("ignore::glassbox.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("method", METHODS)
def test_same_random_state_gives_bit_identical_coefficients(method):
    X, y = make_data(5, n=700, p=5)
    first = fit_descent(X, y, method=method, random_state=42, max_epochs=5)
    second = fit_descent(X, y, method=method, random_state=42, max_epochs=5)
    np.testing.assert_array_equal(first.coef, second.coef)
    assert first.intercept == second.intercept


@pytest.mark.filterwarnings("ignore::glassbox.exceptions.ConvergenceWarning")
def test_different_random_state_changes_stochastic_path():
    X, y = make_data(5, n=700, p=5)
    a = fit_descent(X, y, method="sgd", random_state=1, max_epochs=2, tol=0.0, stopping="gradient")
    b = fit_descent(X, y, method="sgd", random_state=2, max_epochs=2, tol=0.0, stopping="gradient")
    assert not np.array_equal(a.coef, b.coef)


@pytest.mark.parametrize("variance_reduction", [None, "svrg"])
@pytest.mark.parametrize("average", [False, True, 300])
def test_blocked_sgd_kernel_equals_step_by_step_sgd(variance_reduction, average):
    """The fused block kernel and the generic per-row loop give the same iterates."""
    X, y = make_data(6, n=333, p=4, noise=0.5)
    weights = np.random.default_rng(6).uniform(0.5, 2.0, len(X))
    schedule = InvScaling(0.02, 0.3)
    common = dict(
        method="sgd",
        random_state=3,
        max_epochs=3,
        tol=0.0,
        stopping="gradient",
        variance_reduction=variance_reduction,
        average=average,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fused = fit_descent(X, y, weights, learning_rate=schedule, **common)
        generic = fit_descent(
            X,
            y,
            weights,
            learning_rate=schedule,
            optimizer=get_optimizer("sgd", schedule),
            **common,
        )
    # Same recurrence, evaluated by a triangular solve instead of row by row: rounding only.
    np.testing.assert_allclose(fused.coef, generic.coef, rtol=1e-10)
    assert fused.intercept == pytest.approx(generic.intercept, rel=1e-10)


@pytest.mark.parametrize("ones_column", [True, False])
@pytest.mark.parametrize("shuffled", [True, False])
@pytest.mark.parametrize("steps", ["constant", "decaying, weighted", "svrg, weighted"])
@pytest.mark.parametrize("averaged", [False, True])
def test_plain_sgd_kernel_equals_a_python_loop_over_rows(ones_column, shuffled, steps, averaged):
    """The batched hot path (stacked Grams, one buffer per chunk) is the per-row recurrence
    w ← w − η_k s_k z_k(z_kᵀw − y_k), across chunk boundaries and a last, short block, with
    a constant rate or a decaying one and sample weights (zeros among them); under SVRG
    w ← w − η_k (s_k z_k z_kᵀ(w − w̃) + μ) for a snapshot w̃ and its full gradient μ; and
    the sum of the iterates after the steps a Polyak mask selects."""
    from glassbox.linear import descent

    n = 2 * descent._CHUNK + descent._BLOCK // 2 + 3  # two full chunks and a ragged rest
    X, y = make_data(11, n=n, p=7, noise=0.5)
    rng = np.random.default_rng(0)
    weights = None
    rates = np.full(n, 2e-3)
    if steps != "constant":
        weights = rng.uniform(0.0, 2.0, n) * (rng.random(n) > 0.1)
        rates = 4e-3 / (1.0 + np.arange(n) / 500.0)
    objective = LeastSquaresObjective(X, y, weights, ones_column=ones_column)
    rows = rng.permutation(n) if shuffled else np.arange(n)
    start = rng.standard_normal(8 if ones_column else 7)
    before = start.copy()
    svrg = steps.startswith("svrg")
    snapshot, mu = rng.standard_normal((2, start.size)) * (0.1 if svrg else 0.0)
    mask = (rng.random(n) < 0.7).astype(float) if averaged else None
    w, loss_sum, iterate_sum = start.copy(), 0.0, np.zeros_like(start)
    for k, i in enumerate(rows):  # the recurrence, one row at a time
        z = np.append(X[i], 1.0) if ones_column else X[i]
        s = 1.0 if weights is None else weights[i]
        if svrg:
            w = w - rates[k] * (s * z * (z @ (w - snapshot)) + mu)
        else:
            r = z @ w - y[i]
            loss_sum += 0.5 * s * r * r
            w = w - rates[k] * s * r * z
        if mask is not None:
            iterate_sum += mask[k] * w
    control = ((snapshot,), (mu,)) if svrg else None
    result = objective.plain_sgd_run((start,), rows, rates, control, mask, with_loss=not svrg)
    np.testing.assert_allclose(result[0][0], w, rtol=1e-11, atol=1e-12)
    if mask is not None:
        np.testing.assert_allclose(result[1][0], iterate_sum, rtol=1e-11, atol=1e-10)
    if not svrg:
        assert result[2] == pytest.approx(loss_sum, rel=1e-11)
    np.testing.assert_array_equal(start, before)  # the start is not written to


@pytest.mark.parametrize("bad", [[0, 5, 40], [-1, 2]])
def test_plain_sgd_run_rejects_rows_out_of_range(bad):
    X, y = make_data(12, n=40, p=3)
    objective = LeastSquaresObjective(X, y, None, ones_column=True)
    with pytest.raises(ValueError, match="rows must index the 40 samples"):
        objective.plain_sgd_run((np.zeros(4),), np.array(bad), np.full(len(bad), 0.01), None, None)


@pytest.mark.parametrize("variance_reduction", [None, "svrg"])
@pytest.mark.parametrize("average", [False, True])
def test_several_targets_follow_the_same_recurrence_as_each_target_alone(
    variance_reduction, average
):
    """The block loop for W of shape (q, k) against the one-target batched kernel: the
    targets' recurrences do not interact, so each column is its own one-target run."""
    X, y = make_data(13, n=700, p=4, noise=0.5, n_targets=2)
    weights = np.random.default_rng(13).uniform(0.5, 2.0, len(X))
    common = dict(
        method="sgd",
        optimizer="sgd",
        learning_rate=InvScaling(0.02, 0.3),
        random_state=5,
        max_epochs=3,
        tol=0.0,
        stopping="gradient",
        variance_reduction=variance_reduction,
        average=average,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        both = fit_descent(X, y, weights, **common)
        alone = [fit_descent(X, y[:, j], weights, **common) for j in range(2)]
    for j, one in enumerate(alone):
        np.testing.assert_allclose(both.coef[j], one.coef, rtol=1e-10)
        assert both.intercept[j] == pytest.approx(one.intercept, rel=1e-10)


def test_per_sample_sgd_matches_scikit_learn_sgdregressor():
    """One unshuffled epoch of invscaling SGD on raw data is exactly sklearn's recurrence."""
    from sklearn.linear_model import SGDRegressor

    X, y = make_data(7, n=400, p=5, noise=0.3)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = SGDRegressor(
            penalty=None,
            learning_rate="invscaling",
            eta0=0.01,
            power_t=0.25,
            max_iter=1,
            tol=None,
            shuffle=False,
        ).fit(X, y)
        ours = fit_descent(
            X,
            y,
            method="sgd",
            standardize=False,
            learning_rate=InvScaling(0.01, 0.25),
            shuffle=False,
            max_epochs=1,
        )
    # Same per-sample steps in float64; our block solve reorders the sums slightly.
    np.testing.assert_allclose(ours.coef, reference.coef_, rtol=1e-9)
    assert ours.intercept == pytest.approx(reference.intercept_[0], rel=1e-9)


def test_history_records_each_epoch():
    X, y = make_data(8, n=500, p=4)
    result = fit_descent(
        X, y, method="minibatch", optimizer="sgd", random_state=0, early_stopping=True
    )
    history = result.history
    assert set(history) == {
        "epoch",
        "train_loss",
        "validation_loss",
        "grad_norm",
        "learning_rate",
        "elapsed_seconds",
    }
    assert all(len(values) == result.n_iter for values in history.values())
    assert history["epoch"] == list(range(1, result.n_iter + 1))
    assert np.all(np.isfinite(history["validation_loss"]))
    assert np.all(np.diff(history["elapsed_seconds"]) >= 0)
    assert np.all(np.diff(history["learning_rate"]) < 0)  # the automatic schedule decays
    assert result.stop_reason == "validation loss stopped improving"
    # bgd: the loss decreases monotonically with the 1/L step.
    bgd = fit_descent(X, y, method="bgd")
    assert np.all(np.diff(bgd.history["train_loss"]) <= 1e-15)
    assert np.isnan(bgd.history["validation_loss"]).all()


@pytest.mark.filterwarnings("ignore::glassbox.exceptions.ConvergenceWarning")
def test_history_loss_is_the_objective_in_standardized_units():
    X, y = make_data(9, n=300, p=3)
    result = fit_descent(X, y, method="bgd", max_epochs=3, tol=0.0)
    scaler = result.state.standardizer
    objective = LeastSquaresObjective(scaler.design(X), scaler.target(y), None)
    assert result.history["train_loss"][-1] == pytest.approx(
        objective.value(result.state.params, slice(None)), rel=1e-12
    )


def test_divergence_raises_naming_the_learning_rate():
    X, y = make_data(10, n=300, p=4)
    with pytest.raises(DivergenceError, match=r"learning rate 5\b.*smaller"):
        fit_descent(X, y, method="bgd", learning_rate=5.0)
    with pytest.raises(DivergenceError, match="smaller"):
        fit_descent(X, y, method="sgd", learning_rate=50.0, random_state=0)


def test_max_epochs_warns_convergence_warning():
    X, y = make_data(11, n=300, p=4)
    with pytest.warns(ConvergenceWarning, match="max_epochs=2"):
        result = fit_descent(X, y, method="bgd", max_epochs=2)
    assert not result.converged and result.n_iter == 2


def test_warm_start_from_the_solution_stops_at_once():
    X, y = make_data(12, n=300, p=4)
    solution = exact(X, y)
    result = fit_descent(X, y, method="bgd", warm_start=(solution[:-1], solution[-1]), tol=1e-6)
    assert result.n_iter == 1
    assert relative_error(result, solution) < 1e-9


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"learning_rate": float("inf")}, "learning_rate"),
        ({"learning_rate": "fastest"}, "schedule names"),
        ({"method": "minibatch", "batch_size": 0}, "batch_size"),
        ({"method": "minibatch", "batch_size": 10_000}, "batch_size"),
        ({"max_epochs": 0}, "max_epochs"),
        ({"optimizer": "adamax"}, "valid names are"),
        ({"method": "newton"}, "valid methods"),
        ({"variance_reduction": "saga2"}, "variance_reduction"),
        ({"tol": -1.0}, "tol"),
        ({"early_stopping": True, "validation_fraction": 1.5}, "validation_fraction"),
    ],
)
def test_bad_hyperparameters_raise_clear_errors(kwargs, message):
    X, y = make_data(13, n=100, p=3)
    with pytest.raises(ValueError, match=message):
        fit_descent(X, y, **kwargs)


def test_schedule_name_as_learning_rate_starts_at_the_automatic_rate():
    X, y = make_data(14, n=300, p=3)
    result = fit_descent(X, y, method="minibatch", learning_rate="invscaling", random_state=0)
    assert isinstance(result.learning_rate, InvScaling)


@pytest.mark.filterwarnings("ignore::glassbox.exceptions.ConvergenceWarning")
def test_partial_fit_streams_chunks_as_one_continuous_descent():
    X, y = make_data(15, n=600, p=4, noise=0.3)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    kwargs = dict(method="sgd", learning_rate=0.01, standardize=False, shuffle=False)
    state = None
    for chunk in np.array_split(np.arange(len(X)), 3):
        state = partial_fit_descent(X[chunk], y[chunk], state=state, **kwargs)
    whole = fit_descent(X, y, max_epochs=1, tol=0.0, stopping="gradient", **kwargs)
    # The same 600 per-row steps in the same order, split over three calls.
    np.testing.assert_allclose(state.coef, whole.coef, rtol=1e-10)
    assert state.n_samples_seen == 600 and state.loop_state.n_steps == 600
    with pytest.raises(ValueError, match="features"):
        partial_fit_descent(X[:, :3], y, state=state)


def test_partial_fit_converges_over_many_passes():
    X, y = make_data(16, n=500, p=3)
    state = None
    for _ in range(40):
        state = partial_fit_descent(X, y, state=state, method="minibatch", random_state=0)
    solution = exact(X, y)
    error = np.linalg.norm(np.r_[state.coef, state.intercept] - solution) / np.linalg.norm(solution)
    assert error < 1e-3  # plain mini-batch steps with the decaying automatic rate


def test_constant_learning_rate_is_reported():
    X, y = make_data(17, n=200, p=3)
    result = fit_descent(X, y, method="bgd", learning_rate=0.5)
    assert result.learning_rate == 0.5 and result.learning_rate_reason == "given"
    assert result.history["learning_rate"][0] == 0.5
    assert Constant(0.5)(3) == 0.5


def test_callback_sees_original_units_and_can_stop():
    X, y = make_data(18, n=300, p=3)
    seen = []

    def callback(epoch, coef, intercept):
        seen.append((epoch, coef.copy(), intercept))
        return epoch == 2

    result = fit_descent(X, y, method="bgd", callback=callback)
    assert result.n_iter == 2 and result.stop_reason == "callback" and not result.converged
    np.testing.assert_array_equal(seen[-1][1], result.coef)
    assert seen[-1][2] == result.intercept
