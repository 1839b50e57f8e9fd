"""Multi-layer perceptrons for the scikit-learn world: ``MLPClassifier`` and ``MLPRegressor``.

The network is scikit-learn's: ``hidden_layer_sizes`` fully connected layers with one
activation, then an output layer (one logit for two classes, one per class otherwise, one
per target for regression). The objective is scikit-learn's too, on each batch B,

    F_B(θ) = L(f_θ(X_B), y_B) + (α / 2|B|) Σ_layers ‖W‖²_F,                          (1)

with L the binary or softmax cross-entropy from logits (classifier) or half the mean squared
error (regressor), weighted per sample when ``sample_weight`` is given (eq. (1) of
:mod:`glassbox.nn.losses`). The weights start from scikit-learn's Glorot-uniform rule,
U(−a, a), a = √(6 / (fan_in + fan_out)) (√2 instead of √6 for ``activation="logistic"``),
biases included. ``fit`` hands eq. (1) to :func:`glassbox.optim.descend` (Adam or SGD with
momentum) with ``epoch_loss="batches"``, so ``loss_curve_`` is the mean of each epoch's batch
losses, as scikit-learn's is, and training stops when it has not fallen by ``tol``
(relative to the best) for ``n_iter_no_change`` epochs, or, with ``early_stopping``, when
the loss on a held-out ``validation_fraction`` stopped improving (best weights restored).

Differences from scikit-learn, by design: the plateau ``tol`` is relative (the loop's rule);
the validation split is random, not stratified, and scored by its loss, not accuracy;
``solver="lbfgs"`` and adaptive learning rates are not offered.

The fitted weights are one flat array, ``weights_``, with the layer sizes in
``layer_sizes_`` (so ``glassbox.save``/``load`` round-trips them bit for bit);
``coefs_`` and ``intercepts_`` give the per-layer views in scikit-learn's (in, out) layout.
``backend="torch"`` trains the same network in ``torch.nn`` with ``torch.optim``;
``backend="sklearn"`` fits scikit-learn's own ``MLPClassifier``/``MLPRegressor`` with the same
parameters and keeps its weights (the benchmark's reference).
"""

from __future__ import annotations

import itertools
import math
import numbers
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from glassbox.base import BaseEstimator, ClassifierMixin, RegressorMixin
from glassbox.exceptions import ConvergenceWarning
from glassbox.labels import check_classification_target
from glassbox.nn.layers.activations import ACTIVATIONS
from glassbox.nn.layers.dense import Dense
from glassbox.nn.losses import BinaryCrossEntropy, CrossEntropy, MeanSquaredError
from glassbox.nn.module import Sequential
from glassbox.nn.training import ModuleObjective
from glassbox.optim.loop import descend
from glassbox.registry import register_estimator
from glassbox.validation import check_sample_weight, check_target, validate_data

__all__ = ["MLPClassifier", "MLPRegressor"]

HIDDEN_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
SOLVERS = ("adam", "sgd")
BACKENDS = ("numpy", "torch", "sklearn")


def as_generator(random_state: Any) -> np.random.Generator:
    """A NumPy Generator from None, an int, a Generator or a legacy RandomState.

    ``None`` is the fixed seed 0, so that refitting gives the same network (scikit-learn
    draws a fresh seed instead); pass a Generator for fresh randomness."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if random_state is None or isinstance(random_state, numbers.Integral):
        return np.random.default_rng(0 if random_state is None else int(random_state))
    raise ValueError(
        f"random_state must be None, an int or a numpy random generator; got {random_state!r}."
    )


def _real(owner: str, name: str, value: Any, low: float, high: float = math.inf,
          low_open: bool = False, high_open: bool = False) -> float:  # fmt: skip
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r}.")
    value = float(value)
    if value < low or (low_open and value == low) or value > high or (high_open and value == high):
        left, right = "(" if low_open else "[", ")" if high_open or high == math.inf else "]"
        raise ValueError(
            f"{owner}: {name} must be in {left}{low:g}, {high:g}{right}; got {value!r}."
        )
    return float(value)


def _integer(owner: str, name: str, value: Any, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{owner}: {name} must be an integer >= {low}, got {value!r}.")
    return int(value)


def _choice(owner: str, name: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{owner}: {name} must be one of {list(choices)}; got {value!r}.")
    return value


def sklearn_initial_weights(
    layer_sizes: list[int], activation: str, rng: np.random.Generator, dtype: Any
) -> list[tuple[np.ndarray, np.ndarray]]:
    """scikit-learn's initialization: W (out, in) and b (out,) from U(−a, a),
    a = √(f / (fan_in + fan_out)), f = 2 for the logistic activation, 6 otherwise."""
    factor = 2.0 if activation == "logistic" else 6.0
    weights = []
    for fan_in, fan_out in itertools.pairwise(layer_sizes):
        bound = math.sqrt(factor / (fan_in + fan_out))
        W = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(dtype)
        b = rng.uniform(-bound, bound, fan_out).astype(dtype)
        weights.append((W, b))
    return weights


def build_network(
    layer_sizes: list[int], activation: str, initial: list[tuple[np.ndarray, np.ndarray]]
) -> Sequential:
    """Dense layers with ``activation`` between them (none after the output layer)."""
    network = Sequential()
    for index, (W, b) in enumerate(initial):
        dense = Dense(layer_sizes[index + 1], input_dim=layer_sizes[index], dtype=W.dtype.name)
        dense.weight.data, dense.bias.data = W, b
        network.append(dense)
        if index < len(initial) - 1 and activation != "identity":
            network.append(ACTIVATIONS[activation]())
    return network


_HIDDEN: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "identity": lambda z: z,
    "logistic": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
}


class _BaseMLP(BaseEstimator):
    """What the classifier and the regressor share: parameters, fit, the forward pass."""

    _is_classifier = False

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 1e-4,
        batch_size: Any = "auto",
        learning_rate_init: float = 1e-3,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        backend: str = "numpy",
        device: str = "cpu",
        dtype: str = "float64",
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.backend = backend
        self.device = device
        self.dtype = dtype

    # --- checks -----------------------------------------------------------------------------

    def _hidden_sizes(self) -> list[int]:
        owner = type(self).__name__
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
        return [_integer(owner, "hidden_layer_sizes entries", s) for s in sizes]

    def _check_params(self) -> None:
        owner = type(self).__name__
        _choice(owner, "activation", self.activation, HIDDEN_ACTIVATIONS)
        _choice(owner, "solver", self.solver, SOLVERS)
        _choice(owner, "backend", self.backend, BACKENDS)
        _choice(owner, "device", self.device, ("cpu", "cuda", "auto"))
        _choice(owner, "dtype", self.dtype, ("float64", "float32"))
        if self.backend != "torch" and (self.device != "cpu" or self.dtype != "float64"):
            raise ValueError(
                f"{owner}: device={self.device!r}, dtype={self.dtype!r} need backend='torch' "
                f"(backend={self.backend!r} computes in float64 on the CPU)."
            )
        _real(owner, "alpha", self.alpha, 0.0)
        _real(owner, "learning_rate_init", self.learning_rate_init, 0.0, low_open=True)
        _integer(owner, "max_iter", self.max_iter)
        _real(owner, "tol", self.tol, 0.0)
        _real(owner, "validation_fraction", self.validation_fraction, 0.0, 1.0, True, True)
        _real(owner, "beta_1", self.beta_1, 0.0, 1.0, high_open=True)
        _real(owner, "beta_2", self.beta_2, 0.0, 1.0, high_open=True)
        _real(owner, "epsilon", self.epsilon, 0.0, low_open=True)
        _integer(owner, "n_iter_no_change", self.n_iter_no_change)
        _real(owner, "momentum", self.momentum, 0.0, 1.0)
        if self.batch_size != "auto":
            _integer(owner, "batch_size", self.batch_size)

    # --- fit --------------------------------------------------------------------------------

    def _prepare_target(self, y: Any, n_samples: int) -> tuple[np.ndarray, int]:
        raise NotImplementedError

    def _loss(self) -> Any:
        raise NotImplementedError

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:
        """Minimize eq. (1) from scikit-learn's initial weights; returns ``self``."""
        self._check_params()
        hidden = self._hidden_sizes()
        X = validate_data(self, X, reset=True)
        target, n_outputs = self._prepare_target(y, X.shape[0])
        weights = check_sample_weight(sample_weight, X.shape[0])
        dtype = np.dtype(self.dtype)
        layer_sizes = [X.shape[1], *hidden, n_outputs]
        rng = as_generator(self.random_state)
        initial = sklearn_initial_weights(layer_sizes, self.activation, rng, dtype)
        if self.backend == "sklearn":
            from glassbox.nn.sklearn_backend import fit_sklearn_mlp

            fitted = fit_sklearn_mlp(self, X, self._sklearn_target(y), sample_weight)
        elif self.backend == "torch":
            from glassbox.nn.torch_backend import fit_mlp_with_torch

            fitted = fit_mlp_with_torch(self, layer_sizes, initial, X, target, weights, rng)
        else:
            fitted = self._fit_numpy(layer_sizes, initial, X.astype(dtype), target, weights, rng)
        layers, attributes = fitted
        self.layer_sizes_ = np.asarray(layer_sizes, dtype=np.int64)
        self.weights_ = np.concatenate(
            [np.concatenate([np.ravel(W), np.ravel(b)]) for W, b in layers]
        ).astype(np.float64)
        self.n_layers_ = len(layer_sizes)
        self.n_outputs_ = n_outputs
        for name, value in attributes.items():
            setattr(self, name, value)
        return self

    def _fit_numpy(
        self, layer_sizes: list[int], initial: list[tuple[np.ndarray, np.ndarray]],
        X: np.ndarray, target: np.ndarray, weights: np.ndarray | None, rng: np.random.Generator,
    ) -> tuple[list[tuple[np.ndarray, np.ndarray]], dict[str, Any]]:  # fmt: skip
        network = build_network(layer_sizes, self.activation, initial)
        loss = self._loss()
        objective = ModuleObjective(
            network, loss, np.ascontiguousarray(X), target, weights, alpha=float(self.alpha)
        )
        batch = min(200, X.shape[0]) if self.batch_size == "auto" else int(self.batch_size)
        if self.solver == "adam":
            optimizer, options = "adam", {"b1": self.beta_1, "b2": self.beta_2, "eps": self.epsilon}
        else:
            nesterov = bool(self.nesterovs_momentum) and self.momentum > 0
            optimizer, options = "sgd", {"momentum": float(self.momentum), "nesterov": nesterov}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # re-issued below, in our words
            run = descend(
                objective,
                objective.initial_params(),
                optimizer=optimizer,
                learning_rate=float(self.learning_rate_init),
                optimizer_options=options,
                batch_size=batch,
                max_epochs=int(self.max_iter),
                tol=float(self.tol),
                stopping="loss",
                shuffle=bool(self.shuffle),
                rng=rng,
                early_stopping=bool(self.early_stopping),
                validation_fraction=float(self.validation_fraction),
                n_iter_no_change=int(self.n_iter_no_change),
                epoch_loss="batches",
            )
        if not run.converged:
            warnings.warn(
                f"{type(self).__name__}: stochastic optimizer reached max_iter={self.max_iter} "
                "and the optimization hasn't converged yet. Increase max_iter or tol.",
                ConvergenceWarning,
                stacklevel=3,
            )
        params = run.params
        layers = [(params[2 * i], params[2 * i + 1]) for i in range(len(params) // 2)]
        curve = [float(v) for v in run.history["train_loss"]]
        attributes: dict[str, Any] = {
            "loss_curve_": curve,
            "loss_": curve[-1],
            "best_loss_": min(curve),
            "n_iter_": run.n_epochs,
            "t_": run.n_steps * batch,
            "history_": {k: [float(x) for x in v] for k, v in run.history.items()},
            "converged_": bool(run.converged),
            "backend_": "numpy",
            "device_": "cpu",
        }
        if self.early_stopping:
            attributes["best_validation_loss_"] = float(np.nanmin(run.history["validation_loss"]))
        return layers, attributes

    def _sklearn_target(self, y: Any) -> Any:
        return y

    # --- the fitted network -----------------------------------------------------------------

    def _layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        sizes = [int(s) for s in self.layer_sizes_]
        layers, start = [], 0
        for fan_in, fan_out in itertools.pairwise(sizes):
            W = self.weights_[start : start + fan_in * fan_out].reshape(fan_out, fan_in)
            start += fan_in * fan_out
            layers.append((W, self.weights_[start : start + fan_out]))
            start += fan_out
        return layers

    @property
    def coefs_(self) -> list[np.ndarray]:
        """Per-layer weights in scikit-learn's (in, out) layout (views of ``weights_``)."""
        self._check_is_fitted()
        return [W.T for W, _ in self._layers()]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Per-layer biases (views of ``weights_``)."""
        self._check_is_fitted()
        return [b for _, b in self._layers()]

    def _output_scores(self, X: Any) -> np.ndarray:
        """The output layer's pre-activations for validated X (float64, plain NumPy)."""
        self._check_is_fitted()
        X = validate_data(self, X, reset=False)
        hidden = _HIDDEN[self.activation]
        layers = self._layers()
        h = X
        for index, (W, b) in enumerate(layers):
            h = h @ W.T + b  # (n, in) @ (in, out) -> (n, out)
            if index < len(layers) - 1:
                h = hidden(h)
        return h


@register_estimator
class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier (scikit-learn's parameters; module docstring).

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
    weights_ : ndarray, every layer's W (out, in) then b, flattened in order
    layer_sizes_ : ndarray of int, (n_features, *hidden_layer_sizes, n_outputs)
    coefs_, intercepts_ : lists of per-layer views (read-only properties)
    loss_, best_loss_, loss_curve_, n_iter_, t_, history_, converged_
    out_activation_ : "logistic" (two classes) or "softmax"
    """

    _is_classifier = True

    def _prepare_target(self, y: Any, n_samples: int) -> tuple[np.ndarray, int]:
        classes, encoded = check_classification_target(y, n_samples, owner=type(self).__name__)
        self.classes_ = classes
        self.out_activation_ = "logistic" if len(classes) == 2 else "softmax"
        if len(classes) == 2:
            return encoded.astype(np.dtype(self.dtype))[:, None], 1
        return encoded.astype(np.intp), len(classes)

    def _loss(self) -> Any:
        return BinaryCrossEntropy() if len(self.classes_) == 2 else CrossEntropy()

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log P(class | x), from the logits (log-sigmoid or log-softmax, stable)."""
        scores = self._output_scores(X)
        if scores.shape[1] == 1:
            z = scores[:, 0]
            return np.column_stack([-np.logaddexp(0, z), -np.logaddexp(0, -z)])
        shifted = scores - scores.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    def predict_proba(self, X: Any) -> np.ndarray:
        """P(class | x); rows sum to one."""
        return np.exp(self.predict_log_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class label."""
        scores = self._output_scores(X)
        if scores.shape[1] == 1:
            return self.classes_[(scores[:, 0] > 0).astype(np.intp)]
        return self.classes_[np.argmax(scores, axis=1)]


class _HalfSquaredError(MeanSquaredError):
    """½ (1/k) Σ_j (ŷ − y)², scikit-learn's squared loss for the MLP."""

    def per_sample(self, output: Any, target: np.ndarray) -> Any:
        return 0.5 * super().per_sample(output, target)


@register_estimator
class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor (scikit-learn's parameters; module docstring).

    Attributes
    ----------
    weights_, layer_sizes_, coefs_, intercepts_, loss_, best_loss_, loss_curve_, n_iter_, t_,
    history_, converged_ : as :class:`MLPClassifier`'s
    out_activation_ : "identity"
    """

    def _prepare_target(self, y: Any, n_samples: int) -> tuple[np.ndarray, int]:
        target = check_target(y, n_samples, estimator_name=type(self).__name__)
        self.out_activation_ = "identity"
        self._y_1d = target.ndim == 1
        matrix = target[:, None] if target.ndim == 1 else target
        return matrix.astype(np.dtype(self.dtype)), matrix.shape[1]

    def _loss(self) -> Any:
        return _HalfSquaredError()

    def predict(self, X: Any) -> np.ndarray:
        """ŷ = f_θ(x); shape (n,) when fitted on a 1-D y."""
        scores = self._output_scores(X)
        return scores[:, 0] if self.n_outputs_ == 1 and self.y_1d_ else scores

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        super().fit(X, y, sample_weight)
        self.y_1d_ = bool(self._y_1d)
        return self


def _register_implementations() -> None:
    """The MLP's rows in the implementation registry (``glassbox list``, ``glassbox bench``)."""
    from glassbox.registry import Implementation, register_implementation

    notes = {
        "numpy": "glassbox.autograd network, glassbox.optim.descend",
        "torch": "the same network in torch.nn, trained with torch.optim",
        "sklearn": "scikit-learn's own MLP with the same parameters (the reference)",
    }
    for model, task in (("MLPClassifier", "classification"), ("MLPRegressor", "regression")):
        for solver in SOLVERS:
            for backend, note in notes.items():
                register_implementation(
                    Implementation(
                        model,
                        solver,
                        backend,
                        task=task,
                        exact=False,
                        devices=("cpu", "cuda", "auto") if backend == "torch" else ("cpu",),
                        note=note,
                    )
                )


_register_implementations()
