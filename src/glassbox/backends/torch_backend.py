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

from typing import TYPE_CHECKING, Any

import numpy as np

from glassbox.registry import BackendFit, Implementation, register_implementation

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


def fit_linear_descent(
    estimator: Any, method: str, X: np.ndarray, Y: np.ndarray, w: np.ndarray | None
) -> BackendFit:
    """Least squares by descent in PyTorch, prepared exactly as ``fit_descent`` prepares it.

    The standardization (:class:`~glassbox.linear.descent.Standardizer`), the automatic step
    size, the starting point and the random generator are glassbox's; only the loop runs in
    torch: ``nn.Linear`` on the standardized features, :func:`half_squared_error`, the
    matching ``torch.optim`` optimizer.
    """
    import torch

    from glassbox.backends.torch_descent import half_squared_error, torch_descend
    from glassbox.linear import descent
    from glassbox.optim.loop import check_loop_parameters

    _check_double_precision(estimator)
    if estimator.variance_reduction is not None:
        raise ValueError(
            f"variance_reduction={estimator.variance_reduction!r} has no torch.optim "
            "counterpart; backend='torch' runs plain optimizer steps. Use backend='numpy' for "
            "SVRG."
        )
    descent._check_method(method)
    descent._check_optimizer(estimator.optimizer)
    check_loop_parameters(
        max_epochs=estimator.max_epochs,
        tol=estimator.tol,
        stopping="auto",
        n_iter_no_change=estimator.n_iter_no_change,
        validation_fraction=estimator.validation_fraction,
        early_stopping=estimator.early_stopping,
        variance_reduction=None,
    )
    n_samples, n_features = X.shape
    batch = descent._check_batch_size(estimator.batch_size, method, n_samples)
    learning_rate = estimator.learning_rate
    if isinstance(learning_rate, (int, float)) or callable(learning_rate):
        descent._resolve_learning_rate(learning_rate, 1.0)  # fail fast, before any work
    device, dtype, attributes = _engine(estimator)

    fit_intercept = bool(estimator.fit_intercept)
    scaler = descent.Standardizer.fit(
        X, Y, w, fit_intercept=fit_intercept, standardize=estimator.standardize
    )
    Z, T = scaler.design(X), scaler.target(Y)  # Z ends in a column of ones with an intercept
    auto, reason = descent.auto_learning_rate(
        Z,
        w,
        method=method,
        batch_size=batch,
        optimizer=estimator.optimizer,
        variance_reduction=None,
    )
    rate = descent._resolve_learning_rate(learning_rate, auto)
    if not (isinstance(learning_rate, str) and learning_rate == "auto"):
        reason = "given"
    W0 = descent._initial_params(None, scaler, Z.shape[1], Y)  # (q, k)

    model = torch.nn.Linear(n_features, Y.shape[1], bias=fit_intercept, device=device, dtype=dtype)
    with torch.no_grad():  # glassbox's starting point, not torch's random initialization
        model.weight.copy_(torch.as_tensor(W0[:n_features].T))
        if fit_intercept:
            model.bias.copy_(torch.as_tensor(W0[n_features]))
    inputs = torch.as_tensor(Z[:, :n_features], dtype=dtype, device=device)
    targets = torch.as_tensor(T, dtype=dtype, device=device)
    weights = None if w is None else torch.as_tensor(w, dtype=dtype, device=device)
    run = torch_descend(
        model,
        half_squared_error,
        inputs,
        targets,
        weights,
        optimizer=estimator.optimizer,
        learning_rate=rate,
        batch_size=None if method == "bgd" else batch,
        max_epochs=estimator.max_epochs,
        tol=estimator.tol,
        shuffle=estimator.shuffle,
        rng=np.random.default_rng(estimator.random_state),
        early_stopping=estimator.early_stopping,
        validation_fraction=estimator.validation_fraction,
        n_iter_no_change=estimator.n_iter_no_change,
        average=estimator.average,
    )
    blocks = [p.to(device="cpu", dtype=torch.float64).numpy() for p in run.parameters]
    W = blocks[0].T if not fit_intercept else np.vstack([blocks[0].T, blocks[1][None, :]])
    coef, intercept = scaler.to_original(W)
    attributes.update(
        solver_=method,
        solver_reason_="chosen by the user",
        n_iter_=run.n_epochs,
        n_steps_=run.n_steps,
        converged_=run.converged,
        history_=run.history,
        learning_rate_reason_=reason,
    )
    return BackendFit(coef, intercept, attributes)


# --- Ridge --------------------------------------------------------------------------------


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
for _method, (_exact, _factory, _note) in _LINEAR.items():
    register_implementation(
        Implementation(
            "LinearRegression",
            _method,
            "torch",
            task="regression",
            exact=_exact,
            devices=DEVICES,
            fit=_factory(_method),
            note=_note + ("" if _exact else "; no SVRG (no torch.optim counterpart)"),
        )
    )

_RIDGE = {
    "auto": "Cholesky (SVD when samples < features), as glassbox's Ridge",
    "cholesky": "torch.linalg.cholesky on (AᵀA + α D⁻²)",
    "qr": "torch.linalg.qr of [A; √α D⁻¹]",
    "svd": "torch.linalg.svd filter factors s / (s² + α)",
}
for _method, _note in _RIDGE.items():
    register_implementation(
        Implementation(
            "Ridge",
            _method,
            "torch",
            task="regression",
            exact=True,
            devices=DEVICES,
            fit=_ridge(_method),
            note=_note,
        )
    )

# --- LogisticRegression (glassbox.backends.torch_logistic) ----------------------------------

from glassbox.backends.torch_logistic import METHODS as _LOGISTIC  # noqa: E402
from glassbox.backends.torch_logistic import logistic_fit  # noqa: E402
from glassbox.registry import register_absent  # noqa: E402

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
