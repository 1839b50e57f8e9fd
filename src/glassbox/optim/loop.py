"""Gradient descent, written once: epochs, batches, stopping, averaging, history.

The loop knows nothing about the model. It drives an :class:`Objective`, the average loss

    F(θ) = (1/n) Σᵢ fᵢ(θ)                                                  (1)

over the training rows, through three calls: ``value(θ, rows)``, ``grad(θ, rows)`` and
``value_and_grad(θ, rows)``, each the mean of fᵢ (or ∇fᵢ) over ``rows`` (a slice or an index
array). Each epoch visits the training rows once, in a fresh order drawn from a seeded
``numpy.random.Generator`` when ``shuffle``; every batch gives one optimizer update

    g = (1/|B|) Σ_{i∈B} ∇fᵢ(θ),   (u, state) = optimizer.update(g, state, θ),   θ ← θ + u.

``batch_size=None`` is full-batch descent (one update per epoch), 1 is per-sample SGD.

SVRG (Johnson & Zhang, 2013) replaces g by the variance-reduced
g = ∇f_B(θ) − ∇f_B(θ̃) + ∇F(θ̃), with the snapshot θ̃ taken at the start of every epoch; its
variance vanishes as θ, θ̃ → θ*, so a constant step converges linearly to the exact minimum.
Polyak averaging (``average``) reports θ̄_k = (1/k) Σ_{j≤k} θ_j instead of the last iterate.

After each epoch (outside the timed update work) the loop evaluates the full training loss
and gradient and the validation loss, records them, and stops when

* ``stopping="gradient"``: ‖∇F(θ)‖ ≤ tol · max(‖∇F(θ₀)‖, 1) (relative to the start, with
  an absolute floor so a warm start at the minimum stops at once), or
* ``stopping="loss"``: the loss has not improved on its best by more than tol·|best| for
  ``n_iter_no_change`` epochs in a row (a plateau, robust to stochastic noise), or
* ``early_stopping``: the same plateau rule on the held-out validation loss (the
  parameters with the best validation loss are returned).

``stopping="auto"`` picks "gradient" for methods whose iterates converge to the minimum
(full batch, SVRG) and "loss" for plain stochastic steps, which stall at a noise floor.
``epoch_loss="batches"`` records instead the mean of the epoch's mini-batch losses, each taken
before its update (what Keras and PyTorch training loops print), and skips the full-data pass,
which for a neural network costs as much as another epoch; the plateau rule then reads that
mean. ``max_steps`` ends the run after that many updates, mid-epoch if need be (a budget in
iterations, as a language model's recipe states it), and ``step_callback(step, params)`` runs
after every update, untimed (periodic validation, checkpoints).

A loss that is not finite or has grown more than 10⁶-fold raises
:class:`~glassbox.exceptions.DivergenceError`; reaching ``max_epochs`` unconverged warns
with :class:`~glassbox.exceptions.ConvergenceWarning`.

An objective may offer a fused kernel ``plain_sgd_run(θ, rows, learning_rates, control,
average_weights, with_loss=False)`` that performs a run of plain per-sample SGD steps in one
call (the loop uses it for ``optimizer="sgd"`` without momentum or decay at
``batch_size=1``); it must give the same iterates as the step-by-step loop up to rounding,
and with ``with_loss`` also Σ_k f_k(θ_k), each step's loss at its own iterate (the history
of ``epoch_loss="batches"``).

References
----------
Johnson, R., Zhang, T. (2013). Accelerating stochastic gradient descent using predictive
variance reduction. NeurIPS.
Polyak, B. T., Juditsky, A. B. (1992). Acceleration of stochastic approximation by averaging.
SIAM J. Control Optim.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from glassbox.exceptions import ConvergenceWarning, DivergenceError
from glassbox.optim.schedules import LearningRate, as_schedule
from glassbox.optim.transforms import (
    GradientTransformation,
    OptimizerSpec,
    Params,
    apply_updates,
    float_dtype,
    get_optimizer,
    global_norm,
)

__all__ = [
    "EPOCH_LOSSES",
    "STOPPING_RULES",
    "VARIANCE_REDUCTION",
    "DescentRun",
    "LoopState",
    "Objective",
    "default_epoch_loss",
    "descend",
]

Rows = Any  # a slice or an integer index array
STOPPING_RULES = ("auto", "gradient", "loss")
EPOCH_LOSSES = ("full", "batches")
VARIANCE_REDUCTION = (None, "svrg")
DIVERGENCE_FACTOR = 1e6


class Objective(Protocol):
    """The mean loss over rows of the training data, eq. (1), and its gradient."""

    n_samples: int

    def value(self, params: Params, rows: Rows) -> float:
        """Mean loss over ``rows`` at ``params``."""

    def grad(self, params: Params, rows: Rows) -> Params:
        """Gradient of the mean loss over ``rows``, shaped like ``params``."""

    def value_and_grad(self, params: Params, rows: Rows) -> tuple[float, Params]:
        """Both at once (one pass over the rows where the model allows)."""


@dataclass
class LoopState:
    """What a later call needs to continue exactly where this one stopped (``partial_fit``)."""

    optimizer_state: Any
    n_steps: int = 0
    average_sum_count: int = 0
    averaged: Params | None = None
    epochs_done: int = 0


@dataclass
class DescentRun:
    """The outcome of :func:`descend`.

    ``history`` maps each of ``epoch``, ``train_loss``, ``validation_loss`` (NaN without a
    held-out split), ``grad_norm`` (full training gradient), ``learning_rate`` (at the last
    step of the epoch; NaN when unknown) and ``elapsed_seconds`` (cumulative time of the
    update work only) to a list with one entry per epoch.
    """

    params: Params
    converged: bool
    n_epochs: int
    n_steps: int
    stop_reason: str
    stopping: str
    history: dict[str, list[float]]
    state: LoopState
    train_rows: np.ndarray | None = None
    validation_rows: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _new_history() -> dict[str, list[float]]:
    keys = (
        "epoch",
        "train_loss",
        "validation_loss",
        "grad_norm",
        "learning_rate",
        "elapsed_seconds",
    )
    return {key: [] for key in keys}


def check_loop_parameters(
    *,
    max_epochs: Any,
    tol: Any,
    stopping: Any,
    n_iter_no_change: Any,
    validation_fraction: Any,
    early_stopping: Any,
    variance_reduction: Any,
) -> None:
    """Clear ``ValueError`` messages for hyperparameters of :func:`descend` that make no sense."""
    if (
        isinstance(max_epochs, bool)
        or not isinstance(max_epochs, (int, np.integer))
        or max_epochs < 1
    ):
        raise ValueError(f"max_epochs must be an int >= 1, got {max_epochs!r}.")
    if tol is not None and (
        isinstance(tol, bool)
        or not isinstance(tol, (int, float, np.integer, np.floating))
        or not (math.isfinite(tol) and tol >= 0)
    ):
        raise ValueError(
            f"tol must be a finite number >= 0, or None for no stopping rule; got {tol!r}."
        )
    if stopping not in STOPPING_RULES:
        raise ValueError(f"stopping must be one of {list(STOPPING_RULES)}, got {stopping!r}.")
    if (
        isinstance(n_iter_no_change, bool)
        or not isinstance(n_iter_no_change, (int, np.integer))
        or n_iter_no_change < 1
    ):
        raise ValueError(f"n_iter_no_change must be an int >= 1, got {n_iter_no_change!r}.")
    if early_stopping and not (
        isinstance(validation_fraction, (float, int)) and 0 < validation_fraction < 1
    ):
        raise ValueError(
            f"validation_fraction must be strictly between 0 and 1, got {validation_fraction!r}."
        )
    if variance_reduction not in VARIANCE_REDUCTION:
        raise ValueError(
            f"Unknown variance_reduction {variance_reduction!r}; valid values are "
            f"{list(VARIANCE_REDUCTION)}."
        )


def split_validation(
    n_samples: int, validation_fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A random split of ``range(n_samples)`` into (training rows, validation rows)."""
    n_validation = max(1, round(validation_fraction * n_samples))
    if n_validation >= n_samples:
        raise ValueError(
            f"validation_fraction={validation_fraction} leaves no training rows out of "
            f"{n_samples}; use a smaller fraction or more data."
        )
    permutation = rng.permutation(n_samples)
    return np.sort(permutation[n_validation:]), np.sort(permutation[:n_validation])


class _Evaluator:
    """Full-data loss and gradient, cached so the update work can reuse them honestly.

    A value computed during bookkeeping (untimed) and later reused by the update work is
    charged to the update work once: the call that reuses it returns those seconds.
    """

    def __init__(self, objective: Objective, rows: Rows) -> None:
        self.objective, self.rows = objective, rows
        self._params: Params | None = None
        self._result: tuple[float, Params] = (math.nan, ())
        self._uncharged = 0.0

    def __call__(self, params: Params, *, timed: bool) -> tuple[float, Params, float]:
        """(loss, gradient, seconds of earlier untimed work to charge to the caller now)."""
        if params is not self._params:
            start = time.perf_counter()
            self._result = self.objective.value_and_grad(params, self.rows)
            self._uncharged = 0.0 if timed else time.perf_counter() - start
            self._params = params
            return self._result[0], self._result[1], 0.0
        charge, self._uncharged = (
            (self._uncharged if timed else 0.0),
            (0.0 if timed else self._uncharged),
        )
        return self._result[0], self._result[1], charge


def descend(
    objective: Objective,
    params: Params,
    *,
    optimizer: OptimizerSpec = "sgd",
    learning_rate: LearningRate | None = None,
    optimizer_options: dict[str, Any] | None = None,
    batch_size: int | None = None,
    max_epochs: int = 100,
    tol: float | None = 1e-6,
    stopping: str = "auto",
    shuffle: bool = True,
    rng: np.random.Generator | None = None,
    early_stopping: bool = False,
    validation_fraction: float = 0.1,
    n_iter_no_change: int = 5,
    average: bool | int = False,
    variance_reduction: str | None = None,
    state: LoopState | None = None,
    warn: bool = True,
    check_convergence: bool = True,
    callback: Callable[[int, Params], bool | None] | None = None,
    validation_rows: np.ndarray | None = None,
    epoch_loss: str = "full",
    max_steps: int | None = None,
    step_callback: Callable[[int, Params], bool | None] | None = None,
    record_grad_norm: bool = True,
) -> DescentRun:
    """Minimize ``objective`` from ``params``; see the module docstring for the algorithm.

    Parameters
    ----------
    objective : Objective
        Mean loss and gradient over rows of the training data.
    params : tuple of ndarray
        The starting point (not modified).
    optimizer : str or GradientTransformation
        A name from :data:`~glassbox.optim.transforms.OPTIMIZERS`, built with
        ``learning_rate`` and ``optimizer_options``, or a ready transformation.
    learning_rate : float or schedule
        Step size η_t; also what the history reports.
    batch_size : int or None
        Rows per update; ``None`` for the full training set.
    max_epochs, tol, stopping, n_iter_no_change
        The stopping rules (module docstring). ``tol=None`` is scikit-learn's "no stopping
        on tolerance": all ``max_epochs`` run, as with ``check_convergence=False``.
    shuffle : bool
        Visit the rows in a new random order every epoch.
    rng : numpy.random.Generator
        The only source of randomness (shuffling, the validation split).
    early_stopping, validation_fraction
        Hold out this fraction of the rows and stop on the validation loss.
    validation_rows : array of row indices, optional
        With ``early_stopping``, these rows (a validation set the caller appended to the
        data) are the held-out ones instead of a random ``validation_fraction``; every
        other row is trained on.
    average : bool or int
        Polyak averaging of the iterates; an int starts averaging after that many steps.
    variance_reduction : {None, "svrg"}
        SVRG gradient estimates.
    state : LoopState, optional
        Continue a previous run (optimizer state, step count, averages).
    warn : bool
        Emit a ``ConvergenceWarning`` when ``max_epochs`` is reached unconverged.
    check_convergence : bool
        ``False`` runs exactly ``max_epochs`` epochs (``partial_fit``, benchmarks).
    callback : callable, optional
        ``callback(epoch, params)`` after each epoch's bookkeeping (untimed); returning
        ``True`` stops the descent (``stop_reason="callback"``).
    epoch_loss : {"full", "batches"}
        What the history's ``train_loss`` is: the loss over all training rows after the
        epoch (and its gradient norm), or the mean of the epoch's batch losses with no extra
        pass (``grad_norm`` is then NaN and the stopping rule is the loss plateau).
    max_steps : int, optional
        Stop after this many updates in this call (``stop_reason="max_steps"``, no warning).
    step_callback : callable, optional
        ``step_callback(step, params)`` after each update, ``step`` counting from 1 over the
        whole run (resumed runs included); untimed; returning ``True`` stops the descent.
    record_grad_norm : bool
        ``False``: where nothing needs the full gradient (plain stochastic steps under the
        loss rule, early stopping or ``tol=None``) the bookkeeping evaluates the loss alone,
        one pass over the data instead of two, and ``history["grad_norm"]`` holds NaN.
        Full batches and SVRG reuse the bookkeeping's gradient in their next update, so
        they always record it.
    """
    check_loop_parameters(
        max_epochs=max_epochs,
        tol=tol,
        stopping=stopping,
        n_iter_no_change=n_iter_no_change,
        validation_fraction=validation_fraction,
        early_stopping=early_stopping,
        variance_reduction=variance_reduction,
    )
    batch_losses = _check_step_options(epoch_loss, max_steps, stopping, variance_reduction)
    if tol is None:
        tol, check_convergence = 0.0, False
    rng = np.random.default_rng() if rng is None else rng
    options = dict(optimizer_options or {})
    transform: GradientTransformation = get_optimizer(optimizer, learning_rate, **options)
    schedule = (
        None
        if learning_rate is None or isinstance(optimizer, GradientTransformation)
        else (as_schedule(learning_rate))
    )
    n_samples = objective.n_samples

    train_rows: np.ndarray | None = None
    if early_stopping and validation_rows is not None:
        validation_rows = np.asarray(validation_rows, dtype=np.intp)
        train_rows = np.setdiff1d(np.arange(n_samples), validation_rows)
    elif early_stopping:
        train_rows, validation_rows = split_validation(n_samples, validation_fraction, rng)
    else:
        validation_rows = None
    n_train = n_samples if train_rows is None else train_rows.size
    all_train: Rows = slice(None) if train_rows is None else train_rows
    batch = n_train if batch_size is None else min(int(batch_size), n_train)
    if stopping == "auto":
        stopping = (
            "gradient" if (batch == n_train or variance_reduction) and not batch_losses else "loss"
        )

    fused = (
        batch == 1
        and optimizer == "sgd"
        and not any(options.get(k) for k in ("momentum", "weight_decay"))
        and hasattr(objective, "plain_sgd_run")
        and schedule is not None
        and step_callback is None
        and max_steps is None
    )

    params = tuple(np.array(p, dtype=float_dtype(np.asarray(p))) for p in params)
    if state is None:
        state = LoopState(optimizer_state=transform.init(params))
    n_steps = state.n_steps
    opt_state = state.optimizer_state
    average_start = 0 if average is True else int(average)
    averaged = state.averaged
    n_averaged = state.average_sum_count

    evaluate = _Evaluator(objective, all_train)
    needs_gradient = (
        record_grad_norm
        or batch == n_train
        or variance_reduction is not None
        or (check_convergence and not early_stopping and stopping == "gradient")
    )

    def loss_and_grad_norm(point: Params) -> tuple[float, float]:
        """The full training loss, and its gradient's norm when it is needed (else NaN)."""
        if not needs_gradient:
            return objective.value(point, all_train), math.nan
        value, gradient, _ = evaluate(point, timed=False)
        return value, global_norm(gradient)

    if batch_losses:  # no full-data pass: the first batch's loss is the reference
        grad_norm0, reference_loss = math.nan, math.nan
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            loss0, grad_norm0 = loss_and_grad_norm(params)
        reference_loss = abs(loss0) if math.isfinite(loss0) else math.inf
    steps_left = math.inf if max_steps is None else int(max_steps)
    first_step = n_steps

    history = _new_history()
    elapsed = 0.0
    best_score, best_params, no_improvement = math.inf, params, 0
    converged, stop_reason = False, "max_epochs"
    epochs_run = 0

    for epoch in range(1, max_epochs + 1):
        if shuffle:
            order: np.ndarray | None = (
                rng.permutation(n_train)
                if train_rows is None
                else (train_rows[rng.permutation(n_train)])
            )
        else:
            order = train_rows
        start = time.perf_counter()
        with np.errstate(over="ignore", invalid="ignore"):
            control = None
            if variance_reduction == "svrg":
                _, full_grad, seconds = evaluate(params, timed=True)
                control = (params, full_grad)
                start -= seconds  # the snapshot gradient is update work, even if cached
            loss_sum, loss_rows, stop_requested = 0.0, 0, False
            if batch == n_train:
                batch_loss, grads, seconds = evaluate(params, timed=True)
                start -= seconds
                loss_sum, loss_rows = batch_loss * n_train, n_train
                if control is not None:
                    grads = control[1]
                updates, opt_state = transform.update(grads, opt_state, params)
                params = apply_updates(params, updates)
                n_steps += 1
                if average is not False and n_steps > average_start:
                    n_averaged += 1
                    averaged = (
                        params
                        if averaged is None
                        else tuple(a + (p - a) / n_averaged for a, p in zip(averaged, params))
                    )
                seconds, stop_requested = _run_step_callback(step_callback, n_steps, params)
                start += seconds
            elif fused and schedule is not None:
                rows = np.arange(n_train) if order is None else order
                steps = np.arange(n_steps, n_steps + rows.size)
                rates = np.broadcast_to(np.asarray(schedule(steps), dtype=np.float64), steps.shape)
                mask = None
                if average is not False:
                    mask = (steps + 1 > average_start).astype(np.float64)
                run_result = objective.plain_sgd_run(  # type: ignore[attr-defined]
                    params, rows, rates, control, mask, with_loss=batch_losses
                )
                params, iterate_sum = run_result[0], run_result[1]
                if batch_losses:  # Σ_k f_k(θ_k) over the epoch's rows
                    loss_sum, loss_rows = run_result[2], rows.size
                opt_state = _advance_sgd_state(opt_state, rows.size)
                n_steps += rows.size
                if mask is not None and mask.sum() > 0:
                    count = int(mask.sum())
                    total = n_averaged + count
                    if averaged is None:
                        averaged = tuple(s / count for s in iterate_sum)
                    else:
                        averaged = tuple(
                            a * (n_averaged / total) + s / total
                            for a, s in zip(averaged, iterate_sum)
                        )
                    n_averaged = total
            else:
                for first in range(0, n_train, batch):
                    if n_steps - first_step >= steps_left:
                        break
                    batch_rows: Rows = (
                        slice(first, first + batch)
                        if order is None
                        else order[first : first + batch]
                    )
                    if batch_losses:
                        batch_loss, grads = objective.value_and_grad(params, batch_rows)
                        size = min(batch, n_train - first)
                        loss_sum, loss_rows = loss_sum + batch_loss * size, loss_rows + size
                    else:
                        grads = objective.grad(params, batch_rows)
                    if control is not None:
                        snapshot, full_grad = control
                        at_snapshot = objective.grad(snapshot, batch_rows)
                        grads = tuple(g - s + f for g, s, f in zip(grads, at_snapshot, full_grad))
                    updates, opt_state = transform.update(grads, opt_state, params)
                    params = apply_updates(params, updates)
                    n_steps += 1
                    if average is not False and n_steps > average_start:
                        n_averaged += 1
                        averaged = (
                            params
                            if averaged is None
                            else tuple(a + (p - a) / n_averaged for a, p in zip(averaged, params))
                        )
                    seconds, stop_requested = _run_step_callback(step_callback, n_steps, params)
                    start += seconds
                    if stop_requested:
                        break
        elapsed += time.perf_counter() - start
        epochs_run = epoch

        # --- bookkeeping, outside the timed update work ---------------------------------
        reported = averaged if (average is not False and averaged is not None) else params
        with np.errstate(over="ignore", invalid="ignore"):
            if batch_losses:
                loss, grad_norm = loss_sum / max(loss_rows, 1), math.nan
                if epoch == 1:
                    reference_loss = abs(loss) if math.isfinite(loss) else math.inf
            else:
                loss, grad_norm = loss_and_grad_norm(reported)
            validation_loss = (
                math.nan if validation_rows is None else objective.value(reported, validation_rows)
            )
        rate = math.nan if schedule is None else float(schedule(max(n_steps - 1, 0)))
        _check_divergence(loss, reference_loss, rate, epoch)
        history["epoch"].append(epoch)
        history["train_loss"].append(loss)
        history["validation_loss"].append(validation_loss)
        history["grad_norm"].append(grad_norm)
        history["learning_rate"].append(rate)
        history["elapsed_seconds"].append(elapsed)

        if callback is not None and callback(epoch, reported):
            stop_reason = "callback"
            break
        if stop_requested:
            stop_reason = "callback"
            break
        if n_steps - first_step >= steps_left:
            stop_reason = "max_steps"
            break
        if not check_convergence:
            continue
        if early_stopping:
            score = validation_loss
        elif stopping == "loss":
            score = loss
        else:
            score = math.nan
        if early_stopping or stopping == "loss":
            if score < best_score - tol * abs(best_score if math.isfinite(best_score) else score):
                best_score, best_params, no_improvement = score, reported, 0
            else:
                no_improvement += 1
            if no_improvement >= n_iter_no_change:
                converged = True
                stop_reason = (
                    "validation loss stopped improving"
                    if early_stopping
                    else ("training loss stopped improving")
                )
                break
        elif grad_norm <= tol * max(grad_norm0, 1.0):
            converged, stop_reason = True, "gradient norm below tol"
            break

    final = averaged if (average is not False and averaged is not None) else params
    if early_stopping and converged:
        final = best_params
    if check_convergence and stop_reason == "max_epochs" and warn:
        warnings.warn(
            f"Gradient descent stopped at max_epochs={max_epochs} before meeting tol={tol} "
            f"(stopping rule {stopping!r}). Increase max_epochs, loosen tol, or adjust the "
            "learning rate.",
            ConvergenceWarning,
            stacklevel=3,
        )
    new_state = LoopState(
        optimizer_state=opt_state,
        n_steps=n_steps,
        average_sum_count=n_averaged,
        averaged=averaged,
        epochs_done=state.epochs_done + epochs_run,
    )
    return DescentRun(
        params=final,
        converged=converged,
        n_epochs=epochs_run,
        n_steps=n_steps - state.n_steps,
        stop_reason=stop_reason,
        stopping=stopping,
        history=history,
        state=new_state,
        train_rows=train_rows,
        validation_rows=validation_rows,
        extra={"current_params": params},
    )


def default_epoch_loss(
    tol: float | None, variance_reduction: str | None, average: bool | int, *, full_batch: bool
) -> str:
    """The history an estimator's descent records: ``"batches"`` when nothing reads it.

    With ``tol=None`` no stopping rule looks at the loss, so plain stochastic steps (no SVRG
    snapshot, no averaged iterate to report) record the mean of their batch losses at the
    iterates the steps were taken from — scikit-learn's ``SGDRegressor`` reports the same —
    and the bookkeeping makes no pass over the data; otherwise ``"full"``.
    """
    plain = variance_reduction is None and average is False and not full_batch
    return "batches" if tol is None and plain else "full"


def _check_step_options(
    epoch_loss: Any, max_steps: Any, stopping: str, variance_reduction: Any
) -> bool:
    """Validate the per-step options; True when the history reads the batch losses."""
    if epoch_loss not in EPOCH_LOSSES:
        raise ValueError(f"epoch_loss must be one of {list(EPOCH_LOSSES)}, got {epoch_loss!r}.")
    if max_steps is not None and (
        isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) or max_steps < 1
    ):
        raise ValueError(f"max_steps must be None or an int >= 1, got {max_steps!r}.")
    batch_losses = epoch_loss == "batches"
    if batch_losses and stopping == "gradient":
        raise ValueError(
            'stopping="gradient" needs the full gradient each epoch; with epoch_loss="batches" '
            'use stopping="loss" (or "auto").'
        )
    if batch_losses and variance_reduction:
        raise ValueError('variance_reduction="svrg" needs full gradients; use epoch_loss="full".')
    return batch_losses


def _run_step_callback(
    step_callback: Callable[[int, Params], bool | None] | None, step: int, params: Params
) -> tuple[float, bool]:
    """Run the step callback: (its seconds, to take out of the timed update work; whether it
    asked to stop)."""
    if step_callback is None:
        return 0.0, False
    start = time.perf_counter()
    stop = bool(step_callback(step, params))
    return time.perf_counter() - start, stop


def _advance_sgd_state(opt_state: Any, n_steps: int) -> Any:
    """Plain SGD's state is ``(step_count,)``; a fused run of ``n_steps`` advances it."""
    (count,) = opt_state
    return (count + n_steps,)


def _check_divergence(loss: float, reference: float, rate: float, epoch: int) -> None:
    grew = math.isfinite(loss) and loss > DIVERGENCE_FACTOR * max(reference, 1e-300)
    if math.isfinite(loss) and not grew:
        return
    what = (
        "became non-finite"
        if not math.isfinite(loss)
        else (f"grew from {reference:.3g} to {loss:.3g} (more than {DIVERGENCE_FACTOR:.0e}-fold)")
    )
    suggestion = (
        f"try a smaller one, e.g. learning_rate={rate / 10:.3g}, or learning_rate='auto'"
        if math.isfinite(rate)
        else "try a smaller learning rate"
    )
    raise DivergenceError(
        f"Gradient descent diverged in epoch {epoch}: the training loss {what} with learning "
        f"rate {rate:.6g}. The step is too large for this data; {suggestion}."
    )
