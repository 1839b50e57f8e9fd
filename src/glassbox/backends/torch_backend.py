"""The PyTorch backend: the same models and methods, written the way PyTorch users write them.

Closed forms run in ``torch.linalg`` (:mod:`glassbox.backends.torch_linalg`); descent runs
``nn.Linear``, autograd, a ``torch.optim`` optimizer and an ``lr_scheduler``
(:mod:`glassbox.backends.torch_descent`). Everything that is not the engine (standardization,
initial parameters, row order, automatic step size, stopping rules) is glassbox's own, so the
two backends agree: per epoch to 1e-10 for descent in float64, to the accuracy of the method
for the exact solvers (``docs/backends.md``).

``device`` is "cpu", "cuda" (an error when PyTorch sees no GPU) or "auto" (the GPU when there
is one, else the CPU, saying so in ``device_reason_``); ``dtype`` is "float64" or "float32".
Results come back as float64 NumPy arrays, whatever the device and dtype.

To add a model: write its loss as ``loss_fn(model, X, Y, w)`` and call
:func:`~glassbox.backends.torch_descent.torch_descend`, or write its closed form on
:class:`~glassbox.backends.torch_linalg.TorchLeastSquares`, and register an
:class:`~glassbox.registry.Implementation` below. PyTorch is imported inside the fits only.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from glassbox.registry import (
    BackendFit,
    Implementation,
    register_absent,
    register_implementation,
)

if TYPE_CHECKING:
    import torch

DEVICES = ("cpu", "cuda")


def torch_dtype(name: str) -> torch.dtype:
    """ "float64" / "float32" as a ``torch.dtype``."""
    import torch

    dtypes = {"float64": torch.float64, "float32": torch.float32}
    if name not in dtypes:
        raise ValueError(f"Unknown dtype {name!r}; valid dtypes are {list(dtypes)}.")
    return dtypes[name]


def resolve_device(requested: str) -> tuple[torch.device, str]:
    """The ``torch.device`` to compute on, and a sentence saying why.

    "cuda" without a GPU is an error (never a silent CPU run); "auto" takes the GPU when
    PyTorch sees one and otherwise falls back to the CPU and says so.
    """
    import torch

    has_gpu = bool(torch.cuda.is_available())
    if requested == "cuda":
        if not has_gpu:
            raise ValueError(
                "device='cuda' but PyTorch sees no CUDA GPU here (torch.cuda.is_available() is "
                f"False; this torch build: CUDA {torch.version.cuda or 'none'}). Use "
                "device='cpu', or device='auto' to take a GPU only when there is one."
            )
        return torch.device("cuda"), "chosen by the user"
    if requested == "auto":
        if has_gpu:
            return torch.device("cuda"), "device='auto': a CUDA GPU is available"
        return torch.device("cpu"), (
            "device='auto' fell back to the CPU: PyTorch sees no CUDA GPU "
            "(torch.cuda.is_available() is False)"
        )
    if requested == "cpu":
        return torch.device("cpu"), "chosen by the user"
    raise ValueError(f"Unknown device {requested!r}; valid devices are ['cpu', 'cuda', 'auto'].")


def _engine(estimator: Any) -> tuple[torch.device, torch.dtype, dict[str, Any]]:
    """(device, dtype, the fitted attributes that record them) for an estimator's fit."""
    import torch

    device, reason = resolve_device(estimator.device)
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", torch.cuda.current_device())
    attributes = {"device_": str(device), "device_reason_": reason, "dtype_": estimator.dtype}
    return device, torch_dtype(estimator.dtype), attributes


# --- LinearRegression: exact solvers ------------------------------------------------------


def _check_double_precision(estimator: Any) -> None:
    if getattr(estimator, "precision", "double") != "double":
        raise ValueError(
            f"precision={estimator.precision!r} is glassbox's extended-precision arithmetic on "
            "the NumPy backend; backend='torch' computes in dtype. Use precision='double' or "
            "backend='numpy'."
        )


def _linear_exact(method: str) -> Any:
    def fit(estimator: Any, X: np.ndarray, Y: np.ndarray, w: np.ndarray | None) -> BackendFit:
        from glassbox.backends import torch_linalg

        _check_double_precision(estimator)
        device, dtype, attributes = _engine(estimator)
        problem = torch_linalg.prepare(
            X, Y, w, fit_intercept=bool(estimator.fit_intercept), device=device, dtype=dtype
        )
        if method == "auto":
            name, reason, solution = torch_linalg.solve_auto(problem)
        else:
            name, reason = method, "chosen by the user"
            solution = torch_linalg.LINEAR_SOLVERS[method](problem)
        torch_linalg.warn_if_rank_deficient(solution, problem.n_features)
        coef, intercept = problem.coefficients(solution.z)
        attributes.update(
            solver_=name,
            solver_reason_=reason,
            rank_=solution.rank,
            cond_=solution.cond,
            redundant_features_=solution.redundant,
        )
        return BackendFit(coef, intercept, attributes)

    return fit


# --- LinearRegression: gradient descent ---------------------------------------------------


def _linear_descent(method: str) -> Any:
    def fit(estimator: Any, X: np.ndarray, Y: np.ndarray, w: np.ndarray | None) -> BackendFit:
        return fit_linear_descent(estimator, method, X, Y, w)

    return fit


# The loop options of glassbox.linear.descent.fit_descent, with its defaults, for estimators
# that do not expose them all (Ridge has no early_stopping, shuffle, standardize, ...).
_LOOP_DEFAULTS: dict[str, Any] = {
    "standardize": True,
    "shuffle": True,
    "early_stopping": False,
    "validation_fraction": 0.1,
    "n_iter_no_change": 5,
    "average": False,
    "variance_reduction": None,
}


def _loop_options(estimator: Any) -> dict[str, Any]:
    return {name: getattr(estimator, name, default) for name, default in _LOOP_DEFAULTS.items()}


def fit_linear_descent(
    estimator: Any,
    method: str,
    X: np.ndarray,
    Y: np.ndarray,
    w: np.ndarray | None,
    l2_penalty: Any = 0.0,
) -> BackendFit:
    """Least squares (Ridge with ``l2_penalty``) by descent in PyTorch, as ``fit_descent``.

    The standardization (:class:`~glassbox.linear.descent.Standardizer`), the automatic step
    size, the starting point and the random generator are glassbox's; only the loop runs in
    torch: ``nn.Linear`` on the standardized features,
    :func:`~glassbox.backends.torch_descent.half_squared_error`, the matching ``torch.optim``
    optimizer.

    Ridge's α‖β‖² is, in standardized units, ½ Σⱼₖ λⱼₖ w̃ⱼₖ² with λⱼₖ = αₖ / (n σⱼ²)
    (``glassbox.linear.descent._penalty_strengths``), added to the loss as a term that
    autograd differentiates (:func:`~glassbox.backends.torch_descent.l2_penalized`). Not the
    optimizers' ``weight_decay``: that is one number per parameter group where λ differs by
    feature and target, and AdamW's is decoupled from the loss, a different objective.
    """
    import torch

    from glassbox.backends.torch_descent import half_squared_error, l2_penalized, torch_descend
    from glassbox.linear import descent
    from glassbox.optim.loop import check_loop_parameters, default_epoch_loss

    _check_double_precision(estimator)
    options = _loop_options(estimator)
    descent._check_method(method)
    descent._check_optimizer(estimator.optimizer, method, bool(options["early_stopping"]))
    check_loop_parameters(
        max_epochs=estimator.max_epochs,
        tol=estimator.tol,
        stopping="auto",
        n_iter_no_change=options["n_iter_no_change"],
        validation_fraction=options["validation_fraction"],
        early_stopping=options["early_stopping"],
        variance_reduction=options["variance_reduction"],
    )
    algorithm = descent.choose_algorithm(
        method,
        estimator.optimizer,
        estimator.learning_rate,
        options["variance_reduction"],
        early_stopping=bool(options["early_stopping"]),
    )
    optimizer, variance_reduction = algorithm.optimizer, algorithm.variance_reduction
    conjugate = optimizer == "conjugate_gradient"
    n_samples, n_features = X.shape
    batch = descent._check_batch_size(estimator.batch_size, method, n_samples)
    learning_rate = estimator.learning_rate
    if isinstance(learning_rate, (int, float)) or callable(learning_rate):
        descent._resolve_learning_rate(learning_rate, 1.0)  # fail fast, before any work
    device, dtype, attributes = _engine(estimator)

    fit_intercept = bool(estimator.fit_intercept)
    scaler = descent.Standardizer.fit(
        X, Y, w, fit_intercept=fit_intercept, standardize=options["standardize"]
    )
    Z, T = scaler.design(X), scaler.target(Y)  # Z ends in a column of ones with an intercept
    strengths = descent._penalty_strengths(l2_penalty, scaler, n_samples, T.shape)  # (q, k)
    rate: Any
    if conjugate:  # exact line searches: no step size
        rate, reason = math.nan, algorithm.reason
    elif descent._given_rate(learning_rate):
        rate, reason = descent._resolve_learning_rate(learning_rate, 1.0), "given"
    else:
        auto, reason = descent.auto_learning_rate(
            Z,
            w,
            method=method,
            batch_size=batch,
            optimizer=optimizer,
            variance_reduction=variance_reduction,
            extra_smoothness=0.0 if strengths is None else float(strengths.max()),
        )
        rate = descent._resolve_learning_rate(learning_rate, auto)
        if not (isinstance(learning_rate, str) and learning_rate == "auto"):
            reason = "given"
        elif algorithm.reason:
            reason = f"{algorithm.reason}; {reason}"
    W0 = descent._initial_params(None, scaler, Z.shape[1], Y)  # (q, k)
    # Full batches on centred data: the standardized intercept's optimum is exactly 0 for
    # every w̃ (eq. 3 of glassbox.linear.descent), so it is held there: no bias parameter.
    hold = descent.holds_intercept_at_zero(
        batch_size=batch,
        n_samples=n_samples,
        fit_intercept=fit_intercept,
        standardize=options["standardize"],
        random_validation_split=bool(options["early_stopping"]),
    )
    bias = fit_intercept and not hold

    model = torch.nn.Linear(n_features, Y.shape[1], bias=bias, device=device, dtype=dtype)
    with torch.no_grad():  # glassbox's starting point, not torch's random initialization
        model.weight.copy_(torch.as_tensor(W0[:n_features].T))
        if bias:
            model.bias.copy_(torch.as_tensor(W0[n_features]))
    loss_fn = half_squared_error
    if strengths is not None:  # λ for the weight (k, p); the intercept is not penalized
        penalty = torch.as_tensor(strengths[:n_features].T, dtype=dtype, device=device)
        loss_fn = l2_penalized(half_squared_error, penalty)
    inputs = torch.as_tensor(Z[:, :n_features], dtype=dtype, device=device)
    targets = torch.as_tensor(T, dtype=dtype, device=device)
    weights = None if w is None else torch.as_tensor(w, dtype=dtype, device=device)
    run = torch_descend(
        model,
        loss_fn,
        inputs,
        targets,
        weights,
        optimizer=optimizer,
        learning_rate=rate,
        batch_size=None if method == "bgd" else batch,
        max_epochs=estimator.max_epochs,
        tol=estimator.tol,
        shuffle=options["shuffle"],
        rng=np.random.default_rng(estimator.random_state),
        early_stopping=options["early_stopping"],
        validation_fraction=options["validation_fraction"],
        n_iter_no_change=options["n_iter_no_change"],
        average=options["average"],
        variance_reduction=variance_reduction,
        record_grad_norm=False,
        epoch_loss=default_epoch_loss(
            estimator.tol, variance_reduction, options["average"], full_batch=method == "bgd"
        ),
    )
    blocks = [p.to(device="cpu", dtype=torch.float64).numpy() for p in run.parameters]
    W = blocks[0].T
    if fit_intercept:  # b̃ learned, or held at its optimum 0
        W = np.vstack([W, blocks[1][None, :] if bias else np.zeros((1, W.shape[1]))])
    coef, intercept = scaler.to_original(W)
    attributes.update(
        solver_=method,
        solver_reason_="chosen by the user",
        n_iter_=run.n_epochs,
        n_steps_=run.n_steps,
        converged_=run.converged,
        history_=run.history,
        learning_rate_reason_=reason,
        optimizer_=optimizer if isinstance(optimizer, str) else "custom",
        variance_reduction_=variance_reduction,
    )
    return BackendFit(coef, intercept, attributes)


# --- Ridge --------------------------------------------------------------------------------


def _ridge_descent(method: str) -> Any:
    def fit(estimator: Any, X: np.ndarray, Y: np.ndarray, w: np.ndarray | None) -> BackendFit:
        from glassbox.linear.ridge import check_alpha

        alphas = check_alpha(estimator.alpha, Y.shape[1])
        return fit_linear_descent(estimator, method, X, Y, w, l2_penalty=alphas)

    return fit


def _ridge(method: str) -> Any:
    def fit(estimator: Any, X: np.ndarray, Y: np.ndarray, w: np.ndarray | None) -> BackendFit:
        from glassbox.backends import torch_linalg
        from glassbox.linear.ridge import check_alpha

        alphas = check_alpha(estimator.alpha, Y.shape[1])
        device, dtype, attributes = _engine(estimator)
        problem = torch_linalg.prepare(
            X, Y, w, fit_intercept=bool(estimator.fit_intercept), device=device, dtype=dtype
        )
        solver = torch_linalg.choose_ridge_solver(problem, method, alphas)
        z = torch_linalg.RIDGE_SOLVERS[solver](problem, alphas)
        coef, intercept = problem.coefficients(z)
        attributes["solver_"] = solver
        return BackendFit(coef, intercept, attributes)

    return fit


# --- the registry -------------------------------------------------------------------------

_LINEAR = {
    "auto": (True, _linear_exact, "glassbox's rule: Cholesky, QR or SVD by shape and cond"),
    "beta": (True, _linear_exact, "cov(x, y) / var(x) on torch tensors"),
    "normal": (True, _linear_exact, "torch.linalg.cholesky + cholesky_solve on the scaled Gram"),
    "qr": (True, _linear_exact, "torch.linalg.qr + solve_triangular"),
    "svd": (True, _linear_exact, "torch.linalg.svd, cutoff max(n, p)·ε·s_max"),
    "bgd": (False, _linear_descent, "nn.Linear + torch.optim, one full-batch step per epoch"),
    "sgd": (False, _linear_descent, "nn.Linear + torch.optim, one step per row"),
    "minibatch": (False, _linear_descent, "nn.Linear + torch.optim, one step per batch"),
}

_RIDGE = {
    "auto": (True, _ridge, "Cholesky (SVD when samples < features), as glassbox's Ridge"),
    "cholesky": (True, _ridge, "torch.linalg.cholesky on (AᵀA + α D⁻²)"),
    "qr": (True, _ridge, "torch.linalg.qr of [A; √α D⁻¹]"),
    "svd": (True, _ridge, "torch.linalg.svd filter factors s / (s² + α)"),
    "bgd": (False, _ridge_descent, "nn.Linear + torch.optim, ½Σλw̃² in the loss, full batch"),
    "sgd": (False, _ridge_descent, "nn.Linear + torch.optim, ½Σλw̃² in the loss, per row"),
    "minibatch": (False, _ridge_descent, "nn.Linear + torch.optim, ½Σλw̃² in the loss"),
}
for _model, _table in (("LinearRegression", _LINEAR), ("Ridge", _RIDGE)):
    for _method, (_exact, _factory, _note) in _table.items():
        register_implementation(
            Implementation(
                _model,
                _method,
                "torch",
                task="regression",
                exact=_exact,
                devices=DEVICES,
                fit=_factory(_method),
                note=_note + ("" if _exact else "; no SVRG (no torch.optim counterpart)"),
            )
        )


# --- Lasso and ElasticNet -----------------------------------------------------------------


def _enet_fista(estimator: Any, X: np.ndarray, Y: np.ndarray, w: np.ndarray | None) -> BackendFit:
    from glassbox.backends.torch_proximal import fit_enet_fista

    device, dtype, attributes = _engine(estimator)
    coef, intercept, fitted = fit_enet_fista(estimator, X, Y, w, device=device, dtype=dtype)
    attributes.update(fitted)
    return BackendFit(coef, intercept, attributes)


for _model in ("Lasso", "ElasticNet"):
    register_implementation(
        Implementation(
            _model,
            "fista",
            "torch",
            task="regression",
            exact=False,
            devices=DEVICES,
            fit=_enet_fista,
            note="FISTA on tensors: softshrink, eigvalsh step, duality-gap stop",
        )
    )
    register_absent(
        _model,
        "cd",
        "torch",
        "coordinate descent is a sequential loop over scalar coordinates, not tensor code; "
        "use solver='fista' on torch or backend='numpy'",
    )
# --- LogisticRegression (glassbox.backends.torch_logistic) ----------------------------------

from glassbox.backends.torch_logistic import METHODS as _LOGISTIC  # noqa: E402
from glassbox.backends.torch_logistic import logistic_fit  # noqa: E402

for _method, _note in _LOGISTIC.items():
    register_implementation(
        Implementation(
            "LogisticRegression",
            _method,
            "torch",
            task="classification",
            exact=False,
            devices=DEVICES,
            fit=logistic_fit(_method),
            note=_note,
        )
    )
register_absent("LogisticRegression", "fista", "torch", "no proximal step in torch.optim")
