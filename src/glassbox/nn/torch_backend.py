"""``backend="torch"``: the same network in ``torch.nn``, trained with ``torch.optim``.

The cross-check of the NumPy engine. Each glassbox layer becomes its ``torch.nn`` twin
(Dense → ``Linear`` with the same (out, in) weight, ReLU → ``ReLU``, BatchNorm1d →
``BatchNorm1d`` with its running statistics, …), built from the *same initial weights*; the
loss is written with ``torch.nn.functional`` in the same reduction (eq. (1) of
:mod:`glassbox.nn.losses`); and the run is :func:`glassbox.backends.torch_descent.torch_descend`,
the PyTorch training loop that draws the same row order from the same generator as
:func:`glassbox.optim.descend` and uses the ``torch.optim`` class whose rule glassbox's
transform copies. In float64 the per-epoch training losses agree with the NumPy backend's
(``epoch_loss="full"``) to about 1e-10; in float32 to about 1e-4 relative, the rounding of
single precision accumulated over the epoch's updates.

What the PyTorch loop does not offer is refused with a clear error rather than approximated:
optimizer options other than ``torch.optim``'s defaults for that name, gradient clipping,
validation data, callbacks, ``max_steps``. Dropout draws its masks from torch's generator,
so a network with Dropout does not follow the NumPy trajectory. Devices follow
:func:`glassbox.backends.torch_backend.resolve_device`: ``"cuda"`` without a GPU is an
error, ``"auto"`` falls back to the CPU and says so.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from glassbox.exceptions import ConvergenceWarning
from glassbox.nn.callbacks import History
from glassbox.nn.layers.activations import GELU, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from glassbox.nn.layers.dense import Dense
from glassbox.nn.layers.norm import BatchNorm1d, LayerNorm
from glassbox.nn.layers.regularization import Dropout
from glassbox.nn.layers.shape import Flatten
from glassbox.nn.losses import (
    BinaryCrossEntropy,
    CrossEntropy,
    Huber,
    MeanAbsoluteError,
    MeanSquaredError,
)
from glassbox.nn.module import Module, Sequential
from glassbox.optim.specs import SGD, Adagrad, Adam, AdamW, OptimizerSpecification, RMSprop

if TYPE_CHECKING:
    import torch

__all__ = ["fit_mlp_with_torch", "fit_with_torch", "to_torch"]


def _tensor(array: np.ndarray, like: Any) -> torch.Tensor:
    import torch

    return torch.as_tensor(np.array(array), dtype=like.dtype, device=like.device)


def to_torch(module: Module, dtype: torch.dtype, device: torch.device) -> torch.nn.Module:
    """The ``torch.nn`` twin of a glassbox module, with copies of its weights and buffers."""
    import torch
    from torch import nn

    def param(array: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.array(array), dtype=dtype, device=device)

    if isinstance(module, Sequential):
        return nn.Sequential(*[to_torch(child, dtype, device) for child in module])
    if isinstance(module, Dense):
        linear = nn.Linear(
            cast(int, module.input_dim),
            module.units,
            bias=module.use_bias,
            dtype=dtype,
            device=device,
        )
        with torch.no_grad():
            linear.weight.copy_(param(module.weight.data))
            if module.use_bias:
                linear.bias.copy_(param(module.bias.data))
        if module.activation_layer is None:
            return linear
        return nn.Sequential(linear, to_torch(module.activation_layer, dtype, device))
    if isinstance(module, BatchNorm1d):
        norm: Any = nn.BatchNorm1d(module.num_features, module.eps, module.momentum, module.affine,
                              dtype=dtype, device=device)  # fmt: skip
        with torch.no_grad():
            if module.affine:
                norm.weight.copy_(param(module.weight.data))
                norm.bias.copy_(param(module.bias.data))
            norm.running_mean.copy_(param(module.running_mean))
            norm.running_var.copy_(param(module.running_var))
        return norm
    if isinstance(module, LayerNorm):
        layer = nn.LayerNorm(module.normalized_shape, module.eps, module.elementwise_affine,
                             dtype=dtype, device=device)  # fmt: skip
        if module.elementwise_affine:
            with torch.no_grad():
                layer.weight.copy_(param(module.weight.data))
                layer.bias.copy_(param(module.bias.data))
        return layer
    simple = {
        ReLU: lambda m: nn.ReLU(),
        LeakyReLU: lambda m: nn.LeakyReLU(m.negative_slope),
        Tanh: lambda m: nn.Tanh(),
        Sigmoid: lambda m: nn.Sigmoid(),
        GELU: lambda m: nn.GELU(approximate=m.approximate),
        Softmax: lambda m: nn.Softmax(dim=m.axis),
        Identity: lambda m: nn.Identity(),
        Flatten: lambda m: nn.Flatten(m.start_dim, m.end_dim),
        Dropout: lambda m: nn.Dropout(m.rate),
    }
    for kind, make in simple.items():
        if type(module) is kind:
            return make(module)
    raise ValueError(
        f"backend='torch' has no twin for the layer {type(module).__name__}; supported: Dense, "
        "BatchNorm1d, LayerNorm, and the activations, Flatten and Dropout."
    )


def copy_back(module: Module, twin: torch.nn.Module) -> None:
    """Copy the twin's trained parameters (and batch-norm statistics) into ``module``."""
    ours = module.parameters()
    theirs = list(twin.parameters())
    for parameter, trained in zip(ours, theirs):
        parameter.data = trained.detach().cpu().numpy().astype(parameter.dtype)
    norms = [m for m in module.modules() if isinstance(m, BatchNorm1d)]
    twins = [m for m in twin.modules() if type(m).__name__ == "BatchNorm1d"]
    trained_norm: Any
    for norm, trained_norm in zip(norms, twins):
        norm.running_mean = trained_norm.running_mean.cpu().numpy().astype(norm.running_mean.dtype)
        norm.running_var = trained_norm.running_var.cpu().numpy().astype(norm.running_var.dtype)
        norm.num_batches_tracked = np.array(int(trained_norm.num_batches_tracked), dtype=np.int64)


def torch_loss(loss: Any, alpha: float = 0.0) -> Any:
    """``loss_fn(model, X, Y, w)`` computing glassbox's ``loss`` (eq. (1) of
    :mod:`glassbox.nn.losses`) with ``torch.nn.functional``, plus (α / 2|B|) Σ ‖W‖²."""
    import torch.nn.functional as F

    def reduce(values: Any, weights: Any, class_weights: Any = None) -> Any:
        if weights is None and class_weights is None:
            return values.mean()
        total: Any = 1.0
        if weights is not None:
            total = weights
        if class_weights is not None:
            total = total * class_weights
        return (values * weights if weights is not None else values).sum() / total.sum()

    def per_output(values: Any) -> Any:
        return values.reshape(values.shape[0], -1).mean(dim=1)

    def loss_fn(model: Any, X: Any, Y: Any, w: Any) -> Any:
        out = model(X)
        scale = 0.5 if type(loss).__name__ == "_HalfSquaredError" else 1.0
        if isinstance(loss, CrossEntropy):
            labels = Y.reshape(-1).long()
            weight = None if loss.class_weight is None else _tensor(loss.class_weight, out)
            values = F.cross_entropy(out, labels, weight=weight, reduction="none",
                                     label_smoothing=loss.label_smoothing)  # fmt: skip
            value = reduce(values, w, None if weight is None else weight[labels])
        elif isinstance(loss, BinaryCrossEntropy):
            target = Y.reshape(out.shape)
            values = per_output(F.binary_cross_entropy_with_logits(out, target, reduction="none"))
            weight = None
            if loss.class_weight is not None:
                weight = _tensor(loss.class_weight, out)[
                    (target.reshape(len(out), -1)[:, 0] > 0.5).long()
                ]
            value = reduce(values, w, weight)
        else:
            target = Y.reshape(out.shape)
            if isinstance(loss, Huber):
                values = F.huber_loss(out, target, reduction="none", delta=loss.delta)
            elif isinstance(loss, MeanAbsoluteError):
                values = (out - target).abs()
            elif isinstance(loss, MeanSquaredError):
                values = (out - target) ** 2
            else:
                raise ValueError(f"backend='torch' has no twin for the loss {type(loss).__name__}.")
            value = scale * reduce(per_output(values), w)
        if alpha:
            squares = sum((p * p).sum() for p in model.parameters() if p.ndim == 2)
            size = X.shape[0] if w is None else w.sum()
            value = value + 0.5 * alpha * squares / size
        return value

    return loss_fn


_TORCH_NAMES: list[tuple[OptimizerSpecification, str]] = [
    (Adam(), "adam"),
    (AdamW(), "adamw"),
    (RMSprop(), "rmsprop"),
    (Adagrad(), "adagrad"),
    (SGD(), "sgd"),
    (SGD(momentum=0.9), "momentum"),
    (SGD(momentum=0.9, nesterov=True), "nesterov"),
]


def torch_optimizer_name(spec: Any) -> str:
    """The name ``torch_descend`` maps onto ``torch.optim``, for a spec it can express."""
    if isinstance(spec, OptimizerSpecification):
        for known, name in _TORCH_NAMES:
            if type(known) is type(spec) and known.options() == spec.options():
                if spec.global_clipnorm is None:
                    return name
    raise ValueError(
        "backend='torch' runs torch.optim with its default options for "
        f"{[n for _, n in _TORCH_NAMES]}; "
        f"got {spec!r}. Use backend='numpy' for other options or gradient clipping."
    )


def _engine(dtype_name: str, device_name: str) -> tuple[Any, Any, str]:
    from glassbox.backends.torch_backend import resolve_device, torch_dtype

    device, reason = resolve_device(device_name)
    return torch_dtype(dtype_name), device, reason


def fit_with_torch(
    model: Any, X: np.ndarray, target: np.ndarray, weights: np.ndarray | None, *,
    epochs: int, batch_size: int | None, shuffle: bool, verbose: int,
    validation_rows: Any = None, callbacks: Any = None, max_steps: Any = None,
) -> History:  # fmt: skip
    """``Model.fit`` on PyTorch: the same network, weights, row order and optimizer."""
    import torch

    from glassbox.backends.torch_descent import torch_descend

    if validation_rows is not None or callbacks or max_steps is not None:
        raise ValueError(
            "backend='torch' trains without validation data, callbacks or max_steps (the "
            "cross-check of the NumPy engine); use backend='numpy' for them."
        )
    name = torch_optimizer_name(model.optimizer_)
    dtype, device, reason = _engine(model.dtype.name, model.device)
    network = model.training_network()
    twin = to_torch(network, dtype, device)
    X_t = torch.as_tensor(X, dtype=dtype, device=device)
    kind = torch.long if np.asarray(target).dtype.kind in "iub" else dtype
    Y_t = torch.as_tensor(np.asarray(target), dtype=kind, device=device)
    w_t = None if weights is None else torch.as_tensor(weights, dtype=dtype, device=device)
    run = torch_descend(
        twin, torch_loss(model.loss_), X_t, Y_t, w_t,
        optimizer=name, learning_rate=model.optimizer_.learning_rate, batch_size=batch_size,
        max_epochs=epochs, tol=0.0, stopping="loss", shuffle=shuffle, rng=model._rng,
        n_iter_no_change=epochs + 1, warn=False,
    )  # fmt: skip
    copy_back(network, twin)
    network.eval()
    history = History()
    for epoch, loss, rate, seconds in zip(
        run.history["epoch"], run.history["train_loss"], run.history["learning_rate"],
        run.history["elapsed_seconds"],
    ):  # fmt: skip
        history.append(int(epoch), {"loss": loss, "learning_rate": rate, "update_seconds": seconds})
        if verbose:
            print(f"Epoch {epoch}/{epochs} - loss: {loss:.4f} (torch, {device})")
    history.stop_reason = run.stop_reason
    model.device_, model.device_reason_ = str(device), reason
    model.history = history
    return history


def fit_mlp_with_torch(
    estimator: Any, layer_sizes: list[int], initial: list[tuple[np.ndarray, np.ndarray]],
    X: np.ndarray, target: np.ndarray, weights: np.ndarray | None, rng: np.random.Generator,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], dict[str, Any]]:  # fmt: skip
    """``MLPClassifier``/``MLPRegressor.fit`` on PyTorch (same initial weights and rows).

    The stopping rule reads the loss over all training rows after each epoch (the PyTorch
    loop's bookkeeping), where the NumPy backend reads the mean of the batch losses.
    """
    import torch

    from glassbox.backends.torch_descent import torch_descend
    from glassbox.nn.estimators import build_network

    if estimator.solver == "adam":
        spec: OptimizerSpecification = Adam(
            learning_rate=estimator.learning_rate_init, b1=estimator.beta_1,
            b2=estimator.beta_2, eps=estimator.epsilon,
        )  # fmt: skip
    else:
        nesterov = bool(estimator.nesterovs_momentum) and estimator.momentum > 0
        spec = SGD(
            learning_rate=estimator.learning_rate_init,
            momentum=estimator.momentum,
            nesterov=nesterov,
        )
    name = torch_optimizer_name(spec)
    dtype, device, reason = _engine(estimator.dtype, estimator.device)
    network = build_network(layer_sizes, estimator.activation, initial)
    twin = to_torch(network, dtype, device)
    X_t = torch.as_tensor(X, dtype=dtype, device=device)
    kind = torch.long if target.dtype.kind in "iu" else dtype
    Y_t = torch.as_tensor(target, dtype=kind, device=device)
    w_t = None if weights is None else torch.as_tensor(weights, dtype=dtype, device=device)
    batch = min(200, X.shape[0]) if estimator.batch_size == "auto" else int(estimator.batch_size)
    run = torch_descend(
        twin, torch_loss(estimator._loss(), float(estimator.alpha)), X_t, Y_t, w_t,
        optimizer=name, learning_rate=float(estimator.learning_rate_init), batch_size=batch,
        max_epochs=int(estimator.max_iter), tol=float(estimator.tol), stopping="loss",
        shuffle=bool(estimator.shuffle), rng=rng, early_stopping=bool(estimator.early_stopping),
        validation_fraction=float(estimator.validation_fraction),
        n_iter_no_change=int(estimator.n_iter_no_change), warn=False,
    )  # fmt: skip
    if not run.converged:
        warnings.warn(
            f"{type(estimator).__name__}: stochastic optimizer reached max_iter="
            f"{estimator.max_iter} and the optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=3,
        )
    trained = [p.detach().cpu().numpy().astype(np.float64) for p in run.parameters]
    layers = [(trained[2 * i], trained[2 * i + 1]) for i in range(len(trained) // 2)]
    curve = [float(v) for v in run.history["train_loss"]]
    return layers, {
        "loss_curve_": curve,
        "loss_": curve[-1],
        "best_loss_": min(curve),
        "n_iter_": run.n_epochs,
        "t_": run.n_steps * batch,
        "history_": {k: [float(x) for x in v] for k, v in run.history.items()},
        "converged_": bool(run.converged),
        "backend_": "torch",
        "device_": str(device),
        "device_reason_": reason,
    }
