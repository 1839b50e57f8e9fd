"""A Keras-style Model: ``add``, ``compile``, ``fit``, ``evaluate``, ``predict``, ``summary``.

The Model is a thin layer over a :class:`~glassbox.nn.Sequential` of modules, not a second
engine: ``fit`` hands a :class:`~glassbox.nn.training.ModuleObjective` to the one descent loop,
:func:`glassbox.optim.descend`, with the optimizer's transform from :mod:`glassbox.optim`.
What the loop provides, the Model uses as it is:

* seeded shuffling and mini-batches (the Model's ``seed``: same seed, same data, bit-identical
  weights), learning-rate schedules, gradient clipping (``global_clipnorm`` of the optimizer);
* early stopping on the validation loss with the best weights restored (``early_stopping``,
  ``patience``), with ``validation_data`` or a ``validation_split`` of the rows;
* divergence raised as :class:`~glassbox.exceptions.DivergenceError`: the weights are put back
  to those before ``fit``, so nothing half-trained is left behind;
* the history, one entry per epoch, timed; the training loss is the mean of the epoch's
  batch losses (``epoch_loss="batches"``), so no extra pass over the data is made;
* the optimizer's state, kept between calls: a second ``fit`` (or one after
  ``glassbox.load``) continues the same run.

A final Softmax compiled with CrossEntropy (a final Sigmoid with BinaryCrossEntropy) is
detected: training feeds the loss the logits before it (log-softmax, exact), while
``predict`` still returns probabilities.

``backend="torch"`` (in ``compile``) trains the same network built in ``torch.nn`` from the
same initial weights with ``torch.optim`` (:mod:`glassbox.nn.torch_backend`).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from glassbox.autograd.tensor import Tensor, no_grad
from glassbox.exceptions import DivergenceError
from glassbox.nn import serialization
from glassbox.nn.callbacks import Callback, History, ProgressDisplay
from glassbox.nn.layers.activations import Sigmoid, Softmax
from glassbox.nn.layers.base import Layer, check_dtype
from glassbox.nn.losses import BinaryCrossEntropy, CrossEntropy, Loss, get_loss
from glassbox.nn.metrics import METRICS, get_metric
from glassbox.nn.module import Module, Sequential
from glassbox.nn.training import ModuleObjective
from glassbox.optim.loop import LoopState, descend, split_validation
from glassbox.optim.specs import SPECS, OptimizerSpecification
from glassbox.optim.transforms import GradientTransformation

__all__ = ["BACKENDS", "OPTIMIZER_NAMES", "Model"]

BACKENDS = ("numpy", "torch")
OPTIMIZER_NAMES = {name.lower(): cls for name, cls in SPECS.items()}


def check_features(x: Any, dtype: np.dtype, what: str = "x") -> np.ndarray:
    """Inputs as an array of ``dtype``; strings, NaN and infinities get a clear error."""
    array = np.asarray(x)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{what} must hold numbers; got dtype {array.dtype}.")
    if array.ndim == 0 or array.shape[0] == 0:
        raise ValueError(f"{what} has no rows (shape {array.shape}); pass at least one sample.")
    array = array.astype(dtype, copy=False)
    finite = np.isfinite(array)
    if not finite.all():
        n_nan = int(np.isnan(array).sum())
        n_inf = int(array.size - finite.sum() - n_nan)
        raise ValueError(
            f"{what} contains {n_nan} NaN value(s) and {n_inf} infinite value(s); a network "
            "cannot train on them. Drop or impute those rows first."
        )
    return array


class Model:
    """A stack of layers trained by ``fit``.

    Parameters
    ----------
    layers : list of Module, optional
        Layers to ``add`` now.
    seed : int, optional
        Seeds the initializers of layers built by ``add``, the validation split and the
        shuffling. Layers built before they are added (``Dense(128, input_dim=784)``) draw
        from their own ``seed`` or from :func:`glassbox.nn.init.manual_seed`'s generator.
    dtype : {"float64", "float32"}
        The precision of the parameters and of the computation.
    """

    def __init__(
        self, layers: list[Module] | None = None, seed: int | None = None, dtype: str = "float64"
    ) -> None:
        self.seed = seed
        self.dtype = check_dtype(dtype)
        self.network = Sequential()
        init_seed, shuffle_seed = np.random.SeedSequence(seed).spawn(2)
        self._init_rng = np.random.default_rng(init_seed)
        self._rng = np.random.default_rng(shuffle_seed)
        self._width: int | None = None
        self._names: set[str] = set()
        self.compiled = False
        self.stop_training = False
        self.loop_state: LoopState | None = None
        self.history: History | None = None
        for layer in layers or []:
            self.add(layer)

    # --- building ---------------------------------------------------------------------------

    @property
    def layers(self) -> list[Module]:
        """The layers, in order."""
        return list(self.network)

    def add(self, layer: Module) -> Model:
        """Append ``layer``; a layer without weights yet is built for the current width.

        The width is the last axis: features for (batch, features) inputs, channels for
        (batch, time, channels) ones, so Conv1D, the pooling layers and RNN / LSTM / GRU
        (``return_sequences`` or the last state) stack with Dense layers after them."""
        if not isinstance(layer, Module):
            raise TypeError(f"Model.add takes a layer (a Module); got {type(layer).__name__}.")
        if getattr(layer, "return_state", False):
            raise ValueError(
                f"{type(layer).__name__} with return_state=True returns (output, state), but a "
                "Model passes one array from layer to layer: use return_state=False here (or "
                "call the layer in a Module of your own to read the state)."
            )
        if isinstance(layer, Layer):
            if not layer.built:
                if self._width is None and len(self.network) == 0:
                    argument = layer.input_argument
                    raise ValueError(
                        f"The first layer ({type(layer).__name__} {layer.name!r}) needs its "
                        f"input width: pass {argument}=... (e.g. Dense(128, input_dim=784), "
                        "Conv1D(16, 5, in_channels=1) for (batch, time, 1) inputs)."
                    )
                layer.build(self._width, self._init_rng)
            self._width = layer.output_width(self._width)
            layer.name = self._unique_name(layer.name)
        else:
            self._width = None
        if any(p.dtype != self.dtype for p in layer.parameters()):
            layer.astype(self.dtype)
        self.network.append(layer)
        self.compiled = False
        return self

    def _unique_name(self, name: str) -> str:
        candidate, count = name, 0
        while candidate in self._names:
            count += 1
            candidate = f"{name}_{count}"
        self._names.add(candidate)
        return candidate

    # --- compile ----------------------------------------------------------------------------

    def compile(
        self,
        optimizer: Any = "adam",
        loss: Any = "mse",
        metrics: list[str] | None = None,
        backend: str = "numpy",
        device: str = "cpu",
    ) -> Model:
        """Choose the optimizer (a spec such as ``Adam(learning_rate=1e-3)``, a name, or a
        ``GradientTransformation``), the loss (an object or a name) and the metrics."""
        if len(self.network) == 0:
            raise ValueError("compile: the model has no layers; add some first.")
        if isinstance(optimizer, str):
            if optimizer.lower() not in OPTIMIZER_NAMES:
                raise ValueError(
                    f"Unknown optimizer {optimizer!r}; valid names are {sorted(OPTIMIZER_NAMES)}"
                    " (or pass a spec such as glassbox.optim.Adam(learning_rate=1e-3))."
                )
            optimizer = OPTIMIZER_NAMES[optimizer.lower()]()
        elif not isinstance(optimizer, (OptimizerSpecification, GradientTransformation)):
            raise TypeError(
                "optimizer must be a name, a spec such as glassbox.optim.Adam(...), or a "
                f"GradientTransformation; got {type(optimizer).__name__}."
            )
        self.loss_: Loss = get_loss(loss)
        self.metrics_ = [get_metric(name) for name in (metrics or [])]
        self.metric_names_ = list(metrics or [])
        if backend not in BACKENDS:
            raise ValueError(f"Unknown backend {backend!r}; valid backends are {list(BACKENDS)}.")
        if device not in ("cpu", "cuda", "auto"):
            raise ValueError(
                f"Unknown device {device!r}; valid devices are ['cpu', 'cuda', 'auto']."
            )
        if device != "cpu" and backend != "torch":
            raise ValueError(
                f"device={device!r} needs backend='torch'; the NumPy backend is CPU only."
            )
        self.optimizer_ = optimizer
        self.backend, self.device = backend, device
        self.paired_ = self._detect_pair()
        # whether the training network's single output is a logit (for accuracy's threshold)
        self.logit_outputs_ = self.paired_ or (
            isinstance(self.loss_, BinaryCrossEntropy) and self.loss_.from_logits is not False
        )
        self.compiled = True
        return self

    def _detect_pair(self) -> bool:
        """True when the last layer is the probability map the loss can read from logits."""
        last = self.network[-1] if len(self.network) else None
        pairs = ((Softmax, CrossEntropy), (Sigmoid, BinaryCrossEntropy))
        for layer_type, loss_type in pairs:
            if isinstance(last, layer_type) and isinstance(self.loss_, loss_type):
                if self.loss_.from_logits is True:
                    raise ValueError(
                        f"The last layer is {layer_type.__name__} but the loss was given "
                        f"from_logits=True: it would read probabilities as logits. Use "
                        f"{loss_type.__name__}() (the pair is then computed from the logits) "
                        f"or remove the final {layer_type.__name__}."
                    )
                return True
        return False

    def training_network(self) -> Module:
        """The modules ``fit`` differentiates: all of them, less a paired final activation."""
        if not self.paired_:
            return self.network
        return Sequential(*list(self.network)[:-1])

    # --- fit --------------------------------------------------------------------------------

    def _check_ready(self, what: str) -> None:
        if not getattr(self, "compiled", False):
            raise ValueError(
                f"{what} before compile: call model.compile(optimizer=..., loss=...) first."
            )

    def _check_target(self, X: np.ndarray, y: Any) -> np.ndarray:
        target = np.asarray(y)
        if target.shape[:1] != X.shape[:1]:
            raise ValueError(
                f"x and y have inconsistent numbers of samples: x has {X.shape[0]} rows but y "
                f"has {target.shape[0] if target.ndim else 'none'}."
            )
        if target.dtype.kind not in "fiub":
            raise TypeError(
                f"y must hold numbers (class indices or values); got dtype {target.dtype}."
            )
        if target.dtype.kind == "f" and not np.all(np.isfinite(target)):
            raise ValueError("y contains NaN or infinite values; drop or fill those rows first.")
        with no_grad():
            self.network.eval()
            probe = self.training_network()(X[:1])  # checks every layer's input width
        shape = (X.shape[0], *probe.shape[1:])
        self.loss_.check_target(Tensor(np.broadcast_to(np.zeros((), probe.dtype), shape)), target)
        return target

    def fit(
        self,
        x: Any,
        y: Any,
        epochs: int = 1,
        batch_size: int | None = 32,
        validation_data: tuple[Any, ...] | None = None,
        validation_split: float = 0.0,
        shuffle: bool = True,
        sample_weight: Any = None,
        early_stopping: bool = False,
        patience: int = 5,
        min_delta: float = 0.0,
        callbacks: list[Callback] | None = None,
        verbose: int = 1,
        epoch_loss: str = "batches",
        max_steps: int | None = None,
    ) -> History:
        """Train for ``epochs`` passes over ``(x, y)`` (see the module docstring).

        ``min_delta`` is relative: the validation loss must fall below best·(1 − min_delta)
        to count as an improvement. ``epoch_loss="full"`` records the loss over all
        training rows after each epoch instead of the batch mean (one more pass per epoch).
        Returns the :class:`~glassbox.nn.callbacks.History` (also ``model.history``).
        """
        self._check_ready("fit")
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}.")
        X = check_features(x, self.dtype)
        target = self._check_target(X, y)
        weights = None
        if sample_weight is not None:
            weights = check_features(sample_weight, self.dtype, "sample_weight")
            if weights.shape != (X.shape[0],) or np.any(weights < 0):
                raise ValueError("sample_weight must be one weight >= 0 per row of x.")
        validation_rows = None
        if validation_data is not None:
            X, target, weights, validation_rows = self._append_validation(
                X, target, weights, validation_data
            )
        elif validation_split:
            _, validation_rows = split_validation(X.shape[0], validation_split, self._rng)
        if early_stopping and validation_rows is None:
            raise ValueError(
                "early_stopping needs validation rows: pass validation_data=(x_val, y_val) or "
                "validation_split=0.1."
            )
        if self.backend == "torch":
            from glassbox.nn.torch_backend import fit_with_torch

            return fit_with_torch(
                self, X, target, weights, epochs=epochs, batch_size=batch_size, shuffle=shuffle,
                verbose=verbose, validation_rows=validation_rows, callbacks=callbacks,
                max_steps=max_steps,
            )  # fmt: skip
        return self._fit_numpy(
            X, target, weights, validation_rows,
            epochs=epochs, batch_size=batch_size, shuffle=shuffle, early_stopping=early_stopping,
            patience=patience, min_delta=min_delta, callbacks=list(callbacks or []),
            verbose=verbose, epoch_loss=epoch_loss, max_steps=max_steps,
        )  # fmt: skip

    def _append_validation(
        self, X: np.ndarray, target: np.ndarray, weights: np.ndarray | None, data: tuple[Any, ...]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        """The validation rows appended after the training rows (the loop's convention)."""
        if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
            raise ValueError("validation_data must be (x_val, y_val) or (x_val, y_val, weights).")
        X_val = check_features(data[0], self.dtype, "validation x")
        y_val = self._check_target(X_val, data[1])
        rows = np.arange(X.shape[0], X.shape[0] + X_val.shape[0])
        if weights is not None or len(data) == 3:
            w_val = (
                np.ones(len(X_val), self.dtype)
                if len(data) == 2
                else check_features(data[2], self.dtype)
            )
            weights = np.concatenate(
                [np.ones(len(X), self.dtype) if weights is None else weights, w_val]
            )
        return np.concatenate([X, X_val]), np.concatenate([target, y_val]), weights, rows

    def _descend_optimizer(self) -> dict[str, Any]:
        spec = self.optimizer_
        if isinstance(spec, GradientTransformation):
            return {"optimizer": spec}
        if spec.global_clipnorm is not None:
            return {"optimizer": spec.build()}
        return {
            "optimizer": spec.name,
            "learning_rate": spec.learning_rate,
            "optimizer_options": spec.options(),
        }

    def _fit_numpy(
        self, X: np.ndarray, target: np.ndarray, weights: np.ndarray | None,
        validation_rows: np.ndarray | None, *, epochs: int, batch_size: int | None,
        shuffle: bool, early_stopping: bool, patience: int, min_delta: float,
        callbacks: list[Callback], verbose: int, epoch_loss: str, max_steps: int | None,
    ) -> History:  # fmt: skip
        train_network = self.training_network()
        batch_metrics = epoch_loss == "batches" and bool(self.metrics_)
        tallies = {name: [0.0, 0.0] for name in self.metric_names_}

        def on_batch(output: Tensor, rows: Any) -> None:
            for name, metric in zip(self.metric_names_, self.metrics_):
                total, count = metric.batch(output.data, target[rows], self.logit_outputs_)
                tallies[name][0] += total
                tallies[name][1] += count

        objective = ModuleObjective(
            train_network,
            self.loss_,
            X,
            target,
            weights,
            on_batch=on_batch if batch_metrics else None,
        )
        start_params = objective.initial_params()
        n_train = X.shape[0] - (0 if validation_rows is None else len(validation_rows))
        steps = math.ceil(n_train / (n_train if batch_size is None else min(batch_size, n_train)))
        display = ProgressDisplay(verbose, epochs, steps)
        history = History()
        self.stop_training = False
        for callback in callbacks:
            callback.set_model(self)
            callback.on_train_begin({})
        clock = [time.perf_counter()]
        train_rows = (
            None
            if validation_rows is None
            else np.setdiff1d(np.arange(X.shape[0]), validation_rows)
        )

        def on_epoch(epoch: int, params: Any) -> bool:
            objective.load(params)
            if epoch_loss == "batches":
                loss = objective.loss_sum / max(objective.loss_rows, 1)
            else:  # the loop's full-data evaluation was the last call
                loss = objective.last_value_and_grad
            objective.reset_tally()
            logs: dict[str, Any] = {"loss": loss}
            if validation_rows is not None:
                logs["val_loss"] = objective.last_value
            for name in self.metric_names_:
                if batch_metrics:
                    total, count = tallies[name]
                    logs[name] = total / max(count, 1.0)
                    tallies[name] = [0.0, 0.0]
                else:
                    logs[name] = self._metric_on(name, X, target, train_rows)
            if validation_rows is not None:
                for name in self.metric_names_:
                    logs[f"val_{name}"] = self._metric_on(name, X, target, validation_rows)
            now = time.perf_counter()
            logs["seconds"], clock[0] = now - clock[0], now
            history.append(epoch, logs)
            display.epoch_end(epoch, logs)
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)
            return self.stop_training

        def on_step(step: int, params: Any) -> bool:
            display.step()
            for callback in callbacks:
                callback.on_batch_end(step, {})
            return self.stop_training

        try:
            run = descend(
                objective,
                start_params,
                **self._descend_optimizer(),
                batch_size=batch_size,
                max_epochs=epochs,
                tol=min_delta,
                stopping="loss",
                shuffle=shuffle,
                rng=self._rng,
                early_stopping=validation_rows is not None,
                validation_rows=validation_rows,
                n_iter_no_change=patience,
                state=self.loop_state,
                warn=False,
                check_convergence=early_stopping,
                callback=on_epoch,
                epoch_loss=epoch_loss,
                max_steps=max_steps,
                step_callback=on_step if (callbacks or display.verbose == 1) else None,
            )
        except DivergenceError as error:
            objective.load(start_params)
            raise DivergenceError(
                f"{error} The model's weights were put back to those before fit."
            ) from error
        except BaseException:
            objective.load(start_params)
            raise
        finally:
            display.close()
        objective.load(run.params)
        self.network.eval()
        self.loop_state = run.state
        history.stop_reason = run.stop_reason
        # The loop's own record of the epochs: its losses, step sizes and update times.
        history.history["loss"] = list(run.history["train_loss"])
        if validation_rows is not None:
            history.history["val_loss"] = list(run.history["validation_loss"])
        history.history["learning_rate"] = list(run.history["learning_rate"])
        history.history["update_seconds"] = list(run.history["elapsed_seconds"])
        for callback in callbacks:
            callback.on_train_end({})
        self.history = history
        return history

    # --- inference --------------------------------------------------------------------------

    def predict(self, x: Any, batch_size: int | None = None) -> np.ndarray:
        """The network's output for ``x`` (probabilities after a final Softmax), no graph."""
        if len(self.network) == 0:
            raise ValueError("predict: the model has no layers.")
        return self._forward(check_features(x, self.dtype), self.network, batch_size)

    def _forward(self, X: np.ndarray, network: Module, batch_size: int | None = None) -> np.ndarray:
        was_training = self.network.training
        self.network.eval()
        try:
            with no_grad():
                step = X.shape[0] if batch_size is None else int(batch_size)
                parts = [network(X[i : i + step]).data for i in range(0, X.shape[0], step)]
        finally:
            self.network.train(was_training)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _metric_on(self, name: str, X: np.ndarray, target: np.ndarray, rows: Any) -> float:
        metric = self.metrics_[self.metric_names_.index(name)]
        selected = slice(None) if rows is None else rows
        output = self._forward(X[selected], self.training_network())
        total, count = metric.batch(output, target[selected], self.logit_outputs_)
        return total / max(count, 1.0)

    def evaluate(self, x: Any, y: Any, sample_weight: Any = None, return_dict: bool = False) -> Any:
        """The loss (and metrics) on ``(x, y)`` in evaluation mode: a number, a list
        ``[loss, *metrics]`` when there are metrics, or a dict with ``return_dict``."""
        self._check_ready("evaluate")
        X = check_features(x, self.dtype)
        target = self._check_target(X, y)
        output = self._forward(X, self.training_network())
        with no_grad():
            loss = float(self.loss_(Tensor(output), target, sample_weight).data)
        results = {"loss": loss}
        for name, metric in zip(self.metric_names_, self.metrics_):
            total, count = metric.batch(output, target, self.logit_outputs_)
            results[name] = total / max(count, 1.0)
        if return_dict:
            return results
        return loss if len(results) == 1 else list(results.values())

    def summary(self, print_fn: Any = print) -> str:
        """A table of layers, output widths and parameter counts (printed and returned)."""
        rows = [("Layer (type)", "Output width", "Param #")]
        width: int | None = None
        for layer in self.network:
            name = getattr(layer, "name", type(layer).__name__.lower())
            if isinstance(layer, Layer):
                width = layer.output_width(width)
            rows.append(
                (f"{name} ({type(layer).__name__})", "?" if width is None else f"(None, {width})",
                 f"{layer.n_parameters():,}")
            )  # fmt: skip
        sizes = [max(len(r[i]) for r in rows) + 2 for i in range(3)]
        rule = "=" * sum(sizes)
        lines = [rule, "".join(c.ljust(s) for c, s in zip(rows[0], sizes)), rule]
        lines += ["".join(c.ljust(s) for c, s in zip(r, sizes)) for r in rows[1:]]
        lines += [rule, f"Total params: {self.network.n_parameters():,}", rule]
        text = "\n".join(lines)
        if print_fn is not None:
            print_fn(text)
        return text

    def __repr__(self) -> str:
        return f"Model({self.network!r})"

    # --- persistence (glassbox.save / glassbox.load) ----------------------------------------

    def __glassbox_save__(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, np.ndarray]]:
        """(configuration, scalar state, arrays) for :func:`glassbox.save`."""
        return serialization.model_state(self)

    @classmethod
    def __glassbox_load__(
        cls, config: dict[str, Any], attributes: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> Model:
        """Rebuild a Model saved by :meth:`__glassbox_save__`."""
        return serialization.restore_model(cls, config, attributes, arrays)


METRIC_NAMES = sorted(METRICS)
