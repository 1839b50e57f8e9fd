"""Gradient descent as PyTorch users write it, step for step the same as glassbox's loop.

The training loop is the one in every PyTorch tutorial::

    for epoch in range(max_epochs):
        for rows in batches(order):                      # order: this epoch's permutation
            optimizer.zero_grad()
            loss = loss_fn(model, X[rows], Y[rows], w[rows])
            loss.backward()                              # autograd
            optimizer.step()                             # torch.optim.SGD / Adam / ...
            scheduler.step()                             # torch.optim.lr_scheduler, per update

and everything that is not the engine is glassbox's own, so that with the same
hyperparameters and ``random_state`` the trajectory is the NumPy backend's
(:func:`glassbox.optim.loop.descend`), epoch for epoch:

* the row order: the same ``numpy.random.Generator`` calls in the same sequence (the
  validation split first, then one ``permutation(n_train)`` per epoch when ``shuffle``);
* the batches: consecutive slices of that order, the last one shorter; a batch as large as
  the training set is one full-gradient update on the rows in their natural order;
* the optimizer: the ``torch.optim`` class whose update rule glassbox's transform copies
  (:data:`TORCH_OPTIMIZERS`), with the same defaults;
* the step size: the glassbox schedule η_t (t = updates taken) as the matching
  ``lr_scheduler`` (:func:`make_scheduler`), stepped after every update;
* Polyak averaging: ``torch.optim.swa_utils.AveragedModel`` updated after every step past
  ``average``;
* SVRG (``variance_reduction="svrg"``): a copy of the model holds the snapshot θ̃ taken at
  the start of every epoch, with its full gradient ∇F(θ̃) by autograd; after each batch's
  ``backward()`` the gradients become ∇f_B(θ) − ∇f_B(θ̃) + ∇F(θ̃) before ``optimizer.step()``;
* conjugate gradient (``optimizer="conjugate_gradient"``, full batches, quadratic losses):
  no ``torch.optim`` class; eq. (1) of :mod:`glassbox.optim.conjugate` with the
  Hessian-vector product H d by double backward (Pearlmutter's trick), the same steps as
  glassbox's transform;
* the bookkeeping after each epoch: full training loss and gradient norm (autograd), the
  validation loss, the learning rate of the last step, and the stopping rules of
  :mod:`glassbox.optim.loop` ("gradient", "loss", ``early_stopping``), with the same
  divergence error and ``ConvergenceWarning``.

The loop knows nothing about the model: :func:`torch_descend` takes any ``nn.Module`` and a
loss function ``loss_fn(model, X, Y, w) -> mean loss over the rows``, so least squares,
ridge (:func:`l2_penalized`) or logistic regression plug into the same loop.

PyTorch is imported inside the functions: this module loads without it.
"""

from __future__ import annotations

import copy
import math
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from glassbox.exceptions import ConvergenceWarning
from glassbox.optim.loop import _check_divergence, _new_history, split_validation
from glassbox.optim.schedules import Constant, ExponentialDecay, LearningRate, StepDecay

if TYPE_CHECKING:
    import torch

Loss = Callable[..., "torch.Tensor"]
"""``loss_fn(model, X, Y, w) -> scalar tensor``: the mean loss over the rows (w may be None)."""

#: glassbox optimizer name -> (torch.optim class name, keyword arguments beyond ``lr``). The
#: defaults are glassbox's (glassbox.optim.transforms), which are torch's own.
TORCH_OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    "sgd": ("SGD", {}),
    "momentum": ("SGD", {"momentum": 0.9}),
    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "adagrad": ("Adagrad", {}),
    "rmsprop": ("RMSprop", {}),
    "adam": ("Adam", {}),
    "adamw": ("AdamW", {"weight_decay": 1e-2}),
}


def half_squared_error(
    model: torch.nn.Module, X: torch.Tensor, Y: torch.Tensor, w: torch.Tensor | None
) -> torch.Tensor:
    """(1/2m) Σᵢ wᵢ ‖yᵢ − f(xᵢ)‖², the least-squares objective of :mod:`glassbox.linear.descent`.

    Not ``nn.MSELoss()``: that divides by m·k (rows times targets), has no ½ and no weights;
    with ½ and the sum over targets the gradient is glassbox's, so the step sizes mean the same.
    """
    import torch.nn.functional as F

    squares = F.mse_loss(model(X), Y, reduction="none").sum(dim=1)  # (m,): Σ over targets
    if w is not None:
        squares = squares * w
    return 0.5 * squares.mean()


def l2_penalized(loss_fn: Loss, strengths: torch.Tensor) -> Loss:
    """``loss_fn`` plus the ridge term ½ Σ λ ∘ W² on the model's weight (not its bias).

    ``strengths`` has the weight's shape, one λ per feature and target, so the penalty is a
    term of the loss that autograd differentiates (∇ = λ ∘ W), added in full to every batch
    as :class:`glassbox.optim.penalties.L2Penalized` adds it.
    """

    def penalized(
        model: torch.nn.Module, X: torch.Tensor, Y: torch.Tensor, w: torch.Tensor | None
    ) -> torch.Tensor:
        weight = model.get_parameter("weight")
        return loss_fn(model, X, Y, w) + 0.5 * (strengths * weight * weight).sum()

    return penalized


def make_optimizer(name: Any, parameters: Any, learning_rate: float) -> torch.optim.Optimizer:
    """The ``torch.optim`` optimizer for glassbox's optimizer ``name``, at rate η₀."""
    import torch

    if not isinstance(name, str) or name not in TORCH_OPTIMIZERS:
        raise ValueError(
            f"backend='torch' maps glassbox's named optimizers onto torch.optim; got {name!r}. "
            f"Valid names are {sorted(TORCH_OPTIMIZERS)} (a custom GradientTransformation runs "
            "on backend='numpy' only)."
        )
    class_name, options = TORCH_OPTIMIZERS[name]
    optimizer: torch.optim.Optimizer = getattr(torch.optim, class_name)(
        parameters, lr=learning_rate, **options
    )
    return optimizer


def make_scheduler(optimizer: torch.optim.Optimizer, schedule: LearningRate) -> Any:
    """The ``torch.optim.lr_scheduler`` for glassbox's η_t (t = updates taken), or None.

    ExponentialDecay → ``ExponentialLR``, StepDecay → ``StepLR``; every other schedule
    (inverse-time decay, cosine with warm-up, ...) → ``LambdaLR`` with factor η_t / η₀ (torch's
    ``CosineAnnealingLR`` climbs again past its horizon, glassbox's cosine stays at η_min).
    """
    from torch.optim import lr_scheduler

    if isinstance(schedule, (int, float, Constant)):
        return None
    if isinstance(schedule, ExponentialDecay):
        return lr_scheduler.ExponentialLR(optimizer, gamma=schedule.gamma)
    if isinstance(schedule, StepDecay):
        return lr_scheduler.StepLR(optimizer, step_size=schedule.step_size, gamma=schedule.gamma)
    eta0 = float(schedule(0))
    return lr_scheduler.LambdaLR(optimizer, lambda step: float(schedule(step)) / eta0)


def initial_rate(schedule: LearningRate) -> float:
    """η₀, the rate the optimizer is built with."""
    rate = float(schedule) if isinstance(schedule, (int, float)) else float(schedule(0))
    if not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"The learning rate at the first step must be > 0; got {rate!r}.")
    return rate


def batches(order: torch.Tensor | None, n_train: int, batch: int) -> Iterator[Any]:
    """Consecutive batches of ``order`` (a slice of the rows when it is None), the last shorter."""
    for first in range(0, n_train, batch):
        yield slice(first, first + batch) if order is None else order[first : first + batch]


@dataclass
class TorchRun:
    """The outcome of :func:`torch_descend`, in :class:`glassbox.optim.loop.DescentRun`'s terms.

    ``parameters`` are the reported ones (averaged, or the best on the validation split when
    early stopping stopped the run), detached copies in the model's parameter order.
    """

    parameters: list[torch.Tensor]
    converged: bool
    n_epochs: int
    n_steps: int
    stop_reason: str
    stopping: str
    history: dict[str, list[float]]


def _grad_norm(loss: torch.Tensor, parameters: Sequence[torch.Tensor]) -> float:
    import torch

    grads = torch.autograd.grad(loss, parameters)
    return math.sqrt(sum(float((g * g).sum()) for g in grads))


def torch_descend(
    model: torch.nn.Module,
    loss_fn: Loss,
    X: torch.Tensor,
    Y: torch.Tensor,
    weights: torch.Tensor | None,
    *,
    optimizer: str = "sgd",
    learning_rate: LearningRate = 0.01,
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
    warn: bool = True,
    variance_reduction: str | None = None,
    record_grad_norm: bool = True,
    epoch_loss: str = "full",
) -> TorchRun:
    """Minimize ``loss_fn`` over ``model``'s parameters in place; the rules of ``descend``.

    Parameters mirror :func:`glassbox.optim.loop.descend` (``optimizer`` by name,
    ``learning_rate`` a number or a glassbox schedule, ``batch_size=None`` for full batches,
    ``rng`` the only source of randomness); ``variance_reduction="svrg"`` and
    ``optimizer="conjugate_gradient"`` are written out here (module docstring).
    ``tol=None`` runs every epoch with no stopping rule. ``epoch_loss="batches"`` (plain
    stochastic steps, no averaging or SVRG) records each epoch's mean batch loss at the
    iterates the steps were taken from, as the NumPy loop does, with no full-data pass.
    """
    import torch
    from torch.optim.swa_utils import AveragedModel

    rng = np.random.default_rng() if rng is None else rng
    device = X.device
    n_samples = X.shape[0]

    # The validation split comes first from the generator, as in glassbox.optim.loop.
    train_rows: np.ndarray | None = None
    validation: Any = None
    train: tuple[Any, Any, Any] = (X, Y, weights)
    train_index: Any = slice(None)
    if early_stopping:
        train_rows, validation_rows = split_validation(n_samples, validation_fraction, rng)
        index = torch.as_tensor(validation_rows, device=device)
        validation = (X[index], Y[index], None if weights is None else weights[index])
        train_index = torch.as_tensor(train_rows, device=device)
        train = (X[train_index], Y[train_index], None if weights is None else weights[train_index])
    n_train = n_samples if train_rows is None else train_rows.size
    batch = n_train if batch_size is None else min(int(batch_size), n_train)
    if stopping == "auto":
        stopping = "gradient" if (batch == n_train or variance_reduction) else "loss"
    check_convergence = tol is not None
    tol = 0.0 if tol is None else tol

    parameters = list(model.parameters())
    conjugate = optimizer == "conjugate_gradient"
    torch_optimizer = (
        None if conjugate else make_optimizer(optimizer, parameters, initial_rate(learning_rate))
    )
    scheduler = None if torch_optimizer is None else make_scheduler(torch_optimizer, learning_rate)
    snapshot = copy.deepcopy(model) if variance_reduction == "svrg" else None
    snapshot_grads: list[torch.Tensor] = []
    directions = [torch.zeros_like(p) for p in parameters]  # conjugate gradient's d_{k−1}
    previous_squared = 0.0
    averaging = average is not False
    average_start = 0 if average is True else int(average)
    averaged = AveragedModel(model) if averaging else None
    n_steps = 0

    def full_loss(module: torch.nn.Module) -> torch.Tensor:
        return loss_fn(module, *train)

    needs_gradient = (
        record_grad_norm
        or batch == n_train
        or variance_reduction is not None
        or (check_convergence and not early_stopping and stopping == "gradient")
    )
    use_running = (
        epoch_loss == "batches"
        and not needs_gradient
        and variance_reduction is None
        and batch < n_train
        and average is False
    )
    step_losses: list[
        torch.Tensor
    ] = []  # |B| F_B(θ_B) of this epoch's steps (epoch_loss="batches")
    if use_running:  # no full-data pass: the first epoch's loss is the reference
        grad_norm0, reference_loss = math.nan, math.nan
    else:
        loss0 = float(full_loss(model).detach())
        grad_norm0 = _grad_norm(full_loss(model), parameters) if needs_gradient else math.nan
        reference_loss = abs(loss0) if math.isfinite(loss0) else math.inf

    def synchronize() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    def take_snapshot() -> None:
        """θ̃ ← θ and ∇F(θ̃) over the training rows (SVRG, once per epoch)."""
        if snapshot is None:
            return
        with torch.no_grad():
            for kept, p in zip(snapshot.parameters(), parameters):
                kept.copy_(p)
        snapshot_grads[:] = torch.autograd.grad(full_loss(snapshot), list(snapshot.parameters()))

    def step(rows: Any) -> float:
        if torch_optimizer is None:
            return conjugate_step()
        torch_optimizer.zero_grad()
        w = None if weights is None else weights[rows]
        loss = loss_fn(model, X[rows], Y[rows], w)
        loss.backward()
        if use_running:
            step_losses.append(loss.detach() * X[rows].shape[0])
        if snapshot is not None:  # ∇f_B(θ) − ∇f_B(θ̃) + ∇F(θ̃)
            at_snapshot = torch.autograd.grad(
                loss_fn(snapshot, X[rows], Y[rows], w), list(snapshot.parameters())
            )
            with torch.no_grad():
                for p, g_snap, g_full in zip(parameters, at_snapshot, snapshot_grads):
                    if p.grad is not None:
                        p.grad.sub_(g_snap).add_(g_full)
        rate = float(torch_optimizer.param_groups[0]["lr"])
        torch_optimizer.step()
        if scheduler is not None:
            scheduler.step()
        return rate

    def conjugate_step() -> float:
        """One step of eq. (1) of glassbox.optim.conjugate on the full training loss."""
        nonlocal previous_squared
        grads = torch.autograd.grad(full_loss(model), parameters, create_graph=True)
        g = [x.detach() for x in grads]
        squared = float(sum((x * x).sum() for x in g))
        beta = squared / previous_squared if previous_squared > 0 else 0.0
        direction = [-x + beta * d for x, d in zip(g, directions)]
        slope = float(sum((x * d).sum() for x, d in zip(g, direction)))
        if not slope < 0:  # not a descent direction: restart along −g
            direction, slope = [-x for x in g], -squared
        curvature_vector = torch.autograd.grad(grads, parameters, grad_outputs=direction)
        curvature = float(sum((d * h).sum() for d, h in zip(direction, curvature_vector)))
        alpha = -slope / curvature if curvature > 0 else 0.0
        with torch.no_grad():
            for p, d in zip(parameters, direction):
                p.add_(alpha * d)
        directions[:] = direction
        previous_squared = squared
        return math.nan

    history = _new_history()
    elapsed, rate = 0.0, math.nan
    best_score = math.inf
    best: list[torch.Tensor] | None = None
    no_improvement = 0
    converged, stop_reason, epochs_run = False, "max_epochs", 0
    for epoch in range(1, max_epochs + 1):
        order = None
        if shuffle:
            permutation = rng.permutation(n_train)
            order = permutation if train_rows is None else train_rows[permutation]
        elif train_rows is not None:
            order = train_rows
        synchronize()
        start = time.perf_counter()
        take_snapshot()
        if batch == n_train:  # one full-gradient update, rows in their natural order
            groups: Any = [train_index]
        else:
            rows_in_order = None if order is None else torch.as_tensor(order, device=device)
            groups = batches(rows_in_order, n_train, batch)
        for rows in groups:
            rate = step(rows)
            n_steps += 1
            if averaged is not None and n_steps > average_start:
                averaged.update_parameters(model)
        synchronize()
        elapsed += time.perf_counter() - start
        epochs_run = epoch

        # --- bookkeeping, outside the timed update work (as in glassbox.optim.loop) ---------
        reported = averaged.module if averaged is not None and averaged.n_averaged > 0 else model
        reported_parameters = list(reported.parameters())
        if use_running:
            loss, grad_norm = float(torch.stack(step_losses).sum()) / n_train, math.nan
            step_losses.clear()
            if epoch == 1:
                reference_loss = abs(loss) if math.isfinite(loss) else math.inf
        else:
            loss_tensor = full_loss(reported)
            loss = float(loss_tensor.detach())
            grad_norm = _grad_norm(loss_tensor, reported_parameters) if needs_gradient else math.nan
        with torch.no_grad():
            validation_loss = (
                math.nan if validation is None else float(loss_fn(reported, *validation))
            )
        _check_divergence(loss, reference_loss, rate, epoch)
        history["epoch"].append(epoch)
        history["train_loss"].append(loss)
        history["validation_loss"].append(validation_loss)
        history["grad_norm"].append(grad_norm)
        history["learning_rate"].append(rate)
        history["elapsed_seconds"].append(elapsed)

        if not check_convergence:
            continue
        if early_stopping or stopping == "loss":
            score = validation_loss if early_stopping else loss
            if score < best_score - tol * abs(best_score if math.isfinite(best_score) else score):
                best_score, no_improvement = score, 0
                best = [p.detach().clone() for p in reported_parameters]
            else:
                no_improvement += 1
            if no_improvement >= n_iter_no_change:
                converged = True
                stop_reason = (
                    "validation loss stopped improving"
                    if early_stopping
                    else "training loss stopped improving"
                )
                break
        elif grad_norm <= tol * max(grad_norm0, 1.0):
            converged, stop_reason = True, "gradient norm below tol"
            break

    final = averaged.module if averaged is not None and averaged.n_averaged > 0 else model
    result = [p.detach().clone() for p in final.parameters()]
    if early_stopping and converged and best is not None:
        result = best
    if check_convergence and stop_reason == "max_epochs" and warn:
        warnings.warn(
            f"Gradient descent stopped at max_epochs={max_epochs} before meeting tol={tol} "
            f"(stopping rule {stopping!r}). Increase max_epochs, loosen tol, or adjust the "
            "learning rate.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return TorchRun(result, converged, epochs_run, n_steps, stop_reason, stopping, history)
