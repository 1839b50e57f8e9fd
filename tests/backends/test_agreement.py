"""Every (model, method, backend) implementation agrees with the NumPy reference.

One test runs over the whole registry, with the tolerance for each kind of method and
engine taken from :data:`TOLERANCES`, the table printed in ``docs/backends.md`` (a test below
keeps the two in step). Then the PyTorch backend's promises in detail: descent trajectories
that agree epoch by epoch with the NumPy backend (float64 to 1e-10, float32 to 1e-4), the
same on a GPU when there is one, and clear errors for everything a backend cannot do.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import glassbox.registry as registry
from glassbox import LinearRegression, Ridge
from glassbox.exceptions import ConvergenceWarning
from glassbox.optim.schedules import CosineAnnealing, ExponentialDecay, StepDecay
from glassbox.registry import backend_status, cuda_available, get_estimator, implementations

DOCS = Path(__file__).resolve().parents[2] / "docs" / "backends.md"

# (kind, backend, dtype) -> relative tolerance on (coef, intercept) against the NumPy backend,
# and for torch descent on every epoch's training loss. Reasons, in docs/backends.md:
#   exact: glassbox refines its solutions with extended-precision residuals and torch does not,
#     so they agree to the accuracy of the method, ~cond(A)·ε (QR, SVD) to cond(A)²·ε (normal
#     equations); these test designs have cond(A) < 10.
#   descent/torch: the same iterates in another engine, apart from summation order (~1e-15
#     per step, not amplified by a contracting iteration).
#   descent/sklearn: SGDRegressor's own step-size rule (invscaling, η₀ = 0.01) and stopping
#     rule; both land within their noise floors of the same minimum.
TOLERANCES: dict[tuple[str, str, str], float] = {
    ("exact", "numpy", "float64"): 1e-12,
    ("exact", "sklearn", "float64"): 1e-9,
    ("exact", "torch", "float64"): 1e-9,
    ("exact", "torch", "float32"): 1e-4,
    ("descent", "numpy", "float64"): 1e-12,
    ("descent", "sklearn", "float64"): 2e-2,
    ("descent", "torch", "float64"): 1e-10,
    ("descent", "torch", "float32"): 1e-4,
    ("exact", "dask", "float64"): 1e-10,
    ("descent", "dask", "float64"): 1e-12,
    ("iterative", "numpy", "float64"): 1e-8,
    ("iterative", "sklearn", "float64"): 1e-8,
    ("iterative", "dask", "float64"): 1e-8,
    ("stochastic", "numpy", "float64"): 2e-2,
    ("stochastic", "dask", "float64"): 2e-2,
    ("iterative", "torch", "float64"): 1e-7,
    ("iterative", "torch", "float32"): 1e-3,
    ("stochastic", "torch", "float64"): 2e-2,
    ("stochastic", "torch", "float32"): 2e-2,
}
# Models whose methods all minimize one objective to a tolerance: each is compared with the
# NumPy backend's most accurate method, run to a tight tolerance ("iterative" rows):
#   Lasso/ElasticNet against coordinate descent, LogisticRegression against Newton; FISTA on
#   torch in float32 stops at a gap of 1e-6 ‖y‖² (tight_params), ~1e-5 from the minimum.
# Plain stochastic logistic steps ("stochastic" row) stop at a noise floor: their objective
# (the mean log loss plus penalty) is compared instead of the coefficients.
REFERENCE_METHOD = {"Lasso": "cd", "ElasticNet": "cd", "LogisticRegression": "newton"}
STOCHASTIC = {("LogisticRegression", "sgd"), ("LogisticRegression", "minibatch")}

ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw")
OPTIMIZERS = ("sgd", "momentum", "nesterov", *ADAPTIVE)

requires_torch = pytest.mark.skipif(
    not backend_status("torch")[0], reason="PyTorch is not installed"
)
requires_cuda = pytest.mark.skipif(not cuda_available(), reason="no CUDA GPU visible to PyTorch")


def make_data(seed=0, n=60, n_features=3, noise=0.01, n_targets=None):
    """Tiny, well-conditioned (cond(A) < 10 once scaled) data with offsets and mixed scales."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_features)) * rng.uniform(0.5, 3.0, n_features)
    X += rng.uniform(-5.0, 5.0, n_features)
    shape = (n_features,) if n_targets is None else (n_features, n_targets)
    y = X @ rng.standard_normal(shape) + 0.3
    y = y + noise * rng.standard_normal(y.shape)
    return X, y, rng.uniform(0.5, 2.0, n)


def relative_difference(model, reference):
    """‖(coef, intercept) − reference's‖ / ‖reference's‖."""
    a = np.r_[np.ravel(model.coef_), np.ravel(model.intercept_)]
    b = np.r_[np.ravel(reference.coef_), np.ravel(reference.intercept_)]
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def descent_options(method):
    """The same hyperparameters for every backend: a benchmark cell differs only in engine."""
    return {"solver": method, "max_epochs": 60, "tol": 1e-6, "random_state": 0, "batch_size": 16}


def kind_of(implementation):
    if implementation.exact:
        return "exact"
    if (implementation.model, implementation.method) in STOCHASTIC:
        return "stochastic"
    if implementation.model in REFERENCE_METHOD:
        return "iterative"
    return "descent"


def tight_params(model, method, dtype="float64"):
    """Hyperparameters that run an iterative method to its minimum (same for every engine).

    In float32 the duality gap, computed from float32 statistics, is rounding noise below
    ~1e-7 ‖y‖², and logistic gradients carry noise near 1e-7 (ε·max|∇ℓ|): 1e-6 is the
    tightest tolerance either can certify (a tighter one runs all of max_iter).
    """
    if model in ("Lasso", "ElasticNet"):
        tol = 1e-12 if dtype == "float64" else 1e-6
        return {"alpha": 0.05, "solver": method, "tol": tol, "max_iter": 100_000}
    params = {"C": 1.0, "solver": method, "max_iter": 20_000}
    params["tol"] = 1e-6 if dtype == "float32" else 1e-10
    if method in ("sgd", "minibatch"):
        params |= {"max_iter": 200, "random_state": 0, "batch_size": 16}
    return params


def classification_data():
    """Standardized features and labels with logistic noise (not separable: a minimum exists)."""
    X, _, w = make_data()
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    rng = np.random.default_rng(5)
    y = (X @ np.array([1.0, -0.5, 0.8]) + rng.logistic(size=len(X)) > 0).astype(int)
    return X, y, w


def fit_pair(implementation, dtype="float64", device="cpu"):
    """(model on the implementation's backend, the NumPy reference), same data and params."""
    X, y, w = classification_data() if implementation.task == "classification" else make_data()
    if implementation.method == "beta":
        X = X[:, :1]
    model_name = implementation.model
    if model_name in REFERENCE_METHOD:
        params = tight_params(model_name, implementation.method, dtype)
        reference_params = tight_params(model_name, REFERENCE_METHOD[model_name])
    else:
        params = (
            {"solver": implementation.method}
            if implementation.exact
            else descent_options(implementation.method)
        )
        if model_name == "Ridge":
            params["alpha"] = 1.0
        reference_params = params
        if implementation.backend == "dask" and implementation.method == "minibatch":
            # A stream sees one partition at a time: no full gradient for SVRG, so "auto" is
            # plain steps there (partial_fit's); the reference runs the same plain steps.
            reference_params = params | {"optimizer": "sgd"}
    weights = w if implementation.sample_weight else None
    estimator = get_estimator(model_name)
    engine = {"backend": implementation.backend}
    if implementation.backend == "torch":
        engine |= {"dtype": dtype, "device": device}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = estimator(**params, **engine).fit(X, y, weights)
        reference = estimator(**reference_params).fit(X, y, weights)
    return model, reference, (X, y, weights)


def logistic_objective(model, X, y, weights):
    """scikit-learn's objective C Σ wᵢ ℓᵢ + ½‖w‖² for a fitted binary classifier."""
    proba = model.predict_proba(X)[np.arange(len(y)), y]
    return model.C * float(weights @ -np.log(proba)) + 0.5 * float(np.sum(model.coef_**2))


def check_agreement(implementation, dtype="float64", device="cpu"):
    kind = kind_of(implementation)
    tolerance = TOLERANCES[(kind, implementation.backend, dtype)]
    model, reference, (X, y, weights) = fit_pair(implementation, dtype, device)
    if kind == "stochastic":
        ours, best = (
            logistic_objective(model, X, y, weights),
            logistic_objective(reference, X, y, weights),
        )
        assert (ours - best) / best <= tolerance
        return model
    assert relative_difference(model, reference) <= tolerance
    assert model.backend_ == implementation.backend
    if implementation.backend == "torch" and kind == "descent":
        assert model.n_iter_ == reference.n_iter_ or dtype == "float32"
        m = min(model.n_iter_, reference.n_iter_)
        ours = np.array(model.history_["train_loss"][:m])
        theirs = np.array(reference.history_["train_loss"][:m])
        np.testing.assert_allclose(ours, theirs, rtol=tolerance, atol=0)
    return model


def is_linear(implementation):
    """Coefficients agree for linear models; trees and networks are checked in their tests."""
    return get_estimator(implementation.model).__module__.startswith("glassbox.linear")


def linear_torch_implementations():
    return [i for i in implementations() if i.backend == "torch" and is_linear(i)]


@pytest.mark.parametrize(
    "implementation", implementations(), ids=lambda i: f"{i.model}-{i.method}-{i.backend}"
)
def test_every_implementation_agrees_with_the_numpy_reference(implementation):
    usable, why = backend_status(implementation.backend)
    if not usable:
        pytest.skip(why)
    if not is_linear(implementation):
        pytest.skip("coefficients agree for linear models; trees and networks have own tests")
    check_agreement(implementation)


def test_the_tolerance_table_is_the_one_in_the_docs():
    text = DOCS.read_text(encoding="utf-8")
    for (kind, backend, dtype), tolerance in TOLERANCES.items():
        written = f"{tolerance:.0e}".replace("e-0", "e-")  # 1e-9, as the docs write it
        row = rf"\|\s*{kind}\s*\|\s*{backend}\s*\|\s*{dtype}\s*\|\s*{written}\s*\|"
        assert re.search(row, text), f"docs/backends.md lacks the row {kind}/{backend}/{dtype}"


# --- PyTorch: trajectories, dtype, devices ------------------------------------------------


def histories(method, optimizer, dtype="float64", device="cpu", **options):
    X, y, w = make_data(seed=1, noise=0.1)
    params = descent_options(method) | {"optimizer": optimizer, "max_epochs": 25} | options
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = LinearRegression(backend="torch", dtype=dtype, device=device, **params)
        ours.fit(X, y, w)
        reference = LinearRegression(**params).fit(X, y, w)
    return ours, reference


@requires_torch
@pytest.mark.parametrize("optimizer", ("auto", *OPTIMIZERS))  # auto: conjugate gradient, SVRG
@pytest.mark.parametrize("method", ["bgd", "sgd", "minibatch"])
def test_torch_descent_follows_the_numpy_trajectory_epoch_by_epoch(method, optimizer):
    # Same data order, start, step sizes and stopping rule: the same iterates up to the
    # summation order of the engines, ~1e-15 per step, hence 1e-10 over the whole history.
    # Adaptive optimizers with full batches included: both engines hold the standardized
    # intercept at its exact optimum 0 instead of dividing its rounding-level gradient by itself.
    ours, reference = histories(method, optimizer)
    assert ours.n_iter_ == reference.n_iter_
    assert ours.n_steps_ == reference.n_steps_
    assert ours.converged_ == reference.converged_
    np.testing.assert_allclose(
        ours.history_["train_loss"], reference.history_["train_loss"], rtol=1e-10, atol=0
    )
    # The gradient norm falls towards 0 near the minimum: relative to its starting size.
    scale = reference.history_["grad_norm"][0]
    np.testing.assert_allclose(
        ours.history_["grad_norm"], reference.history_["grad_norm"], rtol=1e-10, atol=1e-12 * scale
    )
    np.testing.assert_allclose(ours.history_["learning_rate"], reference.history_["learning_rate"])
    assert relative_difference(ours, reference) <= 1e-10


@requires_torch
@pytest.mark.parametrize(
    "options",
    [
        {"shuffle": False},
        {"early_stopping": True},
        {"average": True},
        {"average": 10},
        {"fit_intercept": False},
        {"learning_rate": ExponentialDecay(0.05, 0.999)},
        {"learning_rate": StepDecay(0.05, 7, 0.5)},
        {"learning_rate": CosineAnnealing(0.05, 100, warmup_steps=10)},
        {"learning_rate": "inverse_sqrt"},
        {"tol": None},  # every epoch, the running loss (each step's loss at its iterate)
    ],
    ids=repr,
)
def test_torch_descent_agrees_for_every_loop_option(options):
    ours, reference = histories("minibatch", "sgd", **options)
    assert ours.n_iter_ == reference.n_iter_
    np.testing.assert_allclose(
        ours.history_["train_loss"], reference.history_["train_loss"], rtol=1e-10
    )
    if options.get("early_stopping"):
        np.testing.assert_allclose(
            ours.history_["validation_loss"], reference.history_["validation_loss"], rtol=1e-10
        )
    assert relative_difference(ours, reference) <= 1e-10


@requires_torch
def test_torch_descent_with_several_targets_agrees():
    X, Y, w = make_data(seed=2, n_targets=2)
    params = descent_options("minibatch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = LinearRegression(backend="torch", **params).fit(X, Y, w)
        reference = LinearRegression(**params).fit(X, Y, w)
    assert ours.coef_.shape == (2, 3)
    np.testing.assert_allclose(
        ours.history_["train_loss"], reference.history_["train_loss"], rtol=1e-10
    )


@requires_torch
@pytest.mark.parametrize("method", ["bgd", "sgd", "minibatch"])
def test_torch_float32_trajectory_agrees_to_the_documented_tolerance(method):
    # float32 steps carry ~6e-8 relative rounding each; over these runs the loss history stays
    # within 1e-4 of the float64 reference (measured up to ~2e-5). The plateau rule sees float32
    # losses, so the run may stop an epoch or two apart: compare the epochs both ran.
    ours, reference = histories(method, "sgd", dtype="float32")
    m = min(ours.n_iter_, reference.n_iter_)
    np.testing.assert_allclose(
        ours.history_["train_loss"][:m], reference.history_["train_loss"][:m], rtol=1e-4
    )
    assert ours.dtype_ == "float32"
    assert ours.coef_.dtype == np.float64


@requires_torch
@pytest.mark.parametrize(
    "implementation",
    linear_torch_implementations(),
    ids=lambda i: f"{i.model}-{i.method}",
)
def test_torch_float32_agrees_with_the_numpy_reference(implementation):
    check_agreement(implementation, dtype="float32")


@requires_cuda
@pytest.mark.parametrize(
    "implementation",
    linear_torch_implementations(),
    ids=lambda i: f"{i.model}-{i.method}",
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_torch_on_cuda_agrees_with_the_numpy_reference(implementation, dtype):
    model = check_agreement(implementation, dtype=dtype, device="cuda")
    assert model.device_.startswith("cuda")


@requires_cuda
def test_auto_device_takes_the_gpu_when_there_is_one():
    X, y, _ = make_data()
    model = LinearRegression(backend="torch", device="auto").fit(X, y)
    assert model.device_.startswith("cuda")


# --- bad input ----------------------------------------------------------------------------


def test_unknown_backend_lists_the_valid_ones():
    X, y, _ = make_data()
    with pytest.raises(ValueError, match=r"Unknown backend 'jax'.*'numpy', 'torch'"):
        LinearRegression(backend="jax").fit(X, y)


def test_unknown_device_lists_the_valid_ones():
    X, y, _ = make_data()
    with pytest.raises(ValueError, match=r"Unknown device 'tpu'.*'cpu', 'cuda', 'auto'"):
        LinearRegression(backend="torch", device="tpu").fit(X, y)


def test_unknown_dtype_lists_the_valid_ones():
    X, y, _ = make_data()
    with pytest.raises(ValueError, match=r"Unknown dtype 'float16'.*'float64', 'float32'"):
        Ridge(backend="torch", dtype="float16").fit(X, y)


@requires_torch
@pytest.mark.skipif(cuda_available(), reason="a CUDA GPU is present")
@pytest.mark.parametrize("estimator", [LinearRegression, Ridge])
def test_cuda_without_a_gpu_is_a_clear_error(estimator):
    X, y, _ = make_data()
    with pytest.raises(ValueError, match=r"device='cuda' but PyTorch sees no CUDA GPU.*'auto'"):
        estimator(backend="torch", device="cuda").fit(X, y)


@requires_torch
@pytest.mark.skipif(cuda_available(), reason="a CUDA GPU is present")
@pytest.mark.parametrize("solver", ["auto", "sgd"])
def test_auto_device_falls_back_to_the_cpu_and_says_so(solver):
    X, y, _ = make_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        params = {"solver": solver, "max_epochs": 20, "random_state": 0}
        model = LinearRegression(backend="torch", device="auto", **params).fit(X, y)
        reference = LinearRegression(**params).fit(X, y)
    assert model.device_ == "cpu"
    assert "fell back to the CPU" in model.device_reason_
    assert relative_difference(model, reference) <= 1e-9


@pytest.mark.parametrize(
    ("estimator", "solver", "backend", "others"),
    [
        (Ridge, "qr", "sklearn", r"\['numpy', 'torch'\]"),
        (LinearRegression, "minibatch", "sklearn", r"\['dask', 'numpy', 'torch'\]"),
        (LinearRegression, "beta", "dask", r"\['numpy', 'torch'\]"),
    ],
)
def test_a_method_the_backend_lacks_names_the_backends_that_have_it(
    estimator, solver, backend, others
):
    X, y, _ = make_data()
    with pytest.raises(ValueError, match=rf"no method '{solver}'.*backends that do: {others}"):
        estimator(solver=solver, backend=backend).fit(X[:, :1], y)


def test_missing_torch_names_the_extra_to_install(monkeypatch):
    requirements = dict(registry.BACKEND_REQUIREMENTS)
    requirements["torch"] = ("glassbox_no_such_engine", "torch")
    monkeypatch.setattr(registry, "BACKEND_REQUIREMENTS", requirements)
    X, y, _ = make_data()
    with pytest.raises(ImportError, match=r"pip install 'glassbox\[torch\]'"):
        LinearRegression(backend="torch").fit(X, y)
    assert not registry.available(backend="torch")


@requires_torch
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"solver": "sgd", "optimizer": "conjugate_gradient"}, "needs the exact curvature"),
        ({"solver": "bgd", "optimizer": "lamb"}, "Unknown optimizer 'lamb'"),
        ({"solver": "qr", "precision": "extended"}, "precision='extended'"),
        ({"solver": "sgd", "learning_rate": -1.0}, "learning_rate must be"),
        ({"solver": "minibatch", "batch_size": 0}, "batch_size=0"),
    ],
)
def test_torch_descent_rejects_what_it_cannot_reproduce(options, message):
    X, y, _ = make_data()
    with pytest.raises(ValueError, match=re.escape(message)):
        LinearRegression(backend="torch", **options).fit(X, y)


@requires_torch
def test_torch_rejects_a_custom_gradient_transformation():
    from glassbox.optim import adam

    X, y, _ = make_data()
    with pytest.raises(ValueError, match="GradientTransformation runs on backend='numpy'"):
        LinearRegression(backend="torch", solver="bgd", optimizer=adam(0.01)).fit(X, y)


@requires_torch
def test_torch_normal_equations_on_a_rank_deficient_design_is_a_clear_error():
    X, y, _ = make_data()
    collinear = np.column_stack([X, X[:, 0] + X[:, 1]])
    with pytest.raises(ValueError, match=r"not positive definite.*solver='qr' or 'svd'"):
        LinearRegression(backend="torch", solver="normal").fit(collinear, y)


@requires_torch
@pytest.mark.parametrize("solver", ["auto", "qr", "svd"])
def test_torch_rank_deficient_designs_warn_and_still_fit(solver):
    from glassbox.exceptions import RankDeficientWarning

    X, y, _ = make_data()
    collinear = np.column_stack([X, X[:, 0] + X[:, 1]])
    with pytest.warns(RankDeficientWarning):
        model = LinearRegression(backend="torch", solver=solver).fit(collinear, y)
    with pytest.warns(RankDeficientWarning):
        reference = LinearRegression(solver=solver).fit(collinear, y)
    # Both reach the least-squares fit (possibly with different coefficients for the
    # collinear columns): the predictions agree.
    np.testing.assert_allclose(model.predict(collinear), reference.predict(collinear), rtol=1e-9)
    assert model.rank_ == 3
