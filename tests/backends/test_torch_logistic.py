"""LogisticRegression on the PyTorch backend against the NumPy backend and scikit-learn.

Descent ("bgd", "minibatch", "sgd") must follow the NumPy trajectory epoch by epoch (same
start, step sizes, row order and stopping rule; only the engine's arithmetic differs).
Newton and L-BFGS must reach the minimum that NumPy's Newton and scikit-learn's
newton-cholesky reach. Binary and softmax problems, sample and class weights, both dtypes,
and the GPU when there is one.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.preprocessing import StandardScaler

from glassbox.exceptions import ConvergenceWarning
from glassbox.linear import LogisticRegression
from glassbox.registry import backend_status, cuda_available, get_implementation

pytestmark = pytest.mark.skipif(not backend_status("torch")[0], reason="PyTorch is not installed")
requires_cuda = pytest.mark.skipif(not cuda_available(), reason="no CUDA GPU visible to PyTorch")

DESCENT = ("bgd", "minibatch", "sgd")
# Epochs per descent run: enough for a trajectory, few enough for per-row SGD to stay fast.
EPOCHS = {"bgd": 40, "minibatch": 25, "sgd": 10}
# float32: every step rounds to ~6e-8 relative; over these runs the loss history stays within
# 1e-5 of the float64 NumPy run (measured ≤ 3e-7), the coefficients within 1e-4.
FLOAT32_HISTORY = 1e-5


def small_data(n_classes, seed=0, n=60):
    """Standardized features, labels with logistic / Gumbel noise (a minimum exists), and
    sample weights in [0.5, 2]."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3)) * [0.5, 1.0, 2.0] + [1.0, -2.0, 0.5]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    if n_classes == 2:
        y = (X @ [1.0, -0.5, 0.8] + rng.logistic(size=n) > 0).astype(int)
    else:
        scores = X @ rng.standard_normal((3, n_classes)) + rng.gumbel(size=(n, n_classes))
        y = np.argmax(scores, axis=1)
    return X, y, rng.uniform(0.5, 2.0, n)


def fit_both(params, X, y, sample_weight=None, **engine):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = LogisticRegression(**params, backend="torch", **engine).fit(X, y, sample_weight)
        reference = LogisticRegression(**params).fit(X, y, sample_weight)
    return ours, reference


def coefficients(model):
    return np.r_[model.coef_.ravel(), model.intercept_]


def relative_difference(model, reference):
    a, b = coefficients(model), coefficients(reference)
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def descent_params(method, **options):
    params = {"solver": method, "max_iter": EPOCHS[method], "tol": 1e-8, "random_state": 3}
    return params | {"batch_size": 16} | options


# --- descent: the NumPy trajectory, epoch by epoch ------------------------------------------


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("method", DESCENT)
def test_descent_follows_the_numpy_trajectory_epoch_by_epoch(method, n_classes):
    # Same start (zeros), step-size schedule, row order (one permutation per epoch from
    # default_rng(random_state)) and stopping rule: the iterates differ only by the engines'
    # summation order, ~1e-16 per step, hence 1e-10 on every epoch's loss.
    X, y, w = small_data(n_classes)
    ours, reference = fit_both(descent_params(method), X, y, w)
    assert ours.n_iter_ == reference.n_iter_
    for key in ("train_loss", "learning_rate"):
        np.testing.assert_allclose(
            ours.history_[key], reference.history_[key], rtol=1e-10, atol=0, err_msg=key
        )
    # The gradient norm falls towards 0: compare it relative to its starting size.
    scale = reference.history_["grad_norm"][0]
    np.testing.assert_allclose(
        ours.history_["grad_norm"], reference.history_["grad_norm"], rtol=1e-10, atol=1e-12 * scale
    )
    assert relative_difference(ours, reference) <= 1e-10
    assert ours.coef_.shape == reference.coef_.shape == (1 if n_classes == 2 else n_classes, 3)
    assert ours.converged_ == (ours.n_iter_[0] < EPOCHS[method])


@pytest.mark.parametrize(
    "options",
    [
        {"fit_intercept": False},
        {"learning_rate": 0.05},
        {"C": 0.05, "class_weight": "balanced"},
        {"penalty": None},
        {"batch_size": 60},  # one batch as large as the data: full-gradient steps
    ],
    ids=repr,
)
def test_descent_agrees_for_every_option(options):
    X, y, w = small_data(3, seed=1)
    ours, reference = fit_both(descent_params("minibatch", **options), X, y, w)
    assert ours.n_iter_ == reference.n_iter_
    np.testing.assert_allclose(
        ours.history_["train_loss"], reference.history_["train_loss"], rtol=1e-10, atol=0
    )
    assert relative_difference(ours, reference) <= 1e-10


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_descent_on_unscaled_features_follows_the_numpy_trajectory(n_classes, fit_intercept):
    # Columns in very different units and off-centre: both engines descend on the same
    # standardized features (nn.Linear on Z) and map back by the same eq. (2).
    X, y, w = small_data(n_classes, seed=5)
    X = X * [1.0, 20.0, 0.05] + [3.0, -40.0, 0.2]
    params = descent_params("minibatch", fit_intercept=fit_intercept)
    ours, reference = fit_both(params, X, y, w)
    assert ours.n_iter_ == reference.n_iter_
    np.testing.assert_allclose(
        ours.history_["train_loss"], reference.history_["train_loss"], rtol=1e-10, atol=0
    )
    assert relative_difference(ours, reference) <= 1e-10


@pytest.mark.parametrize("method", DESCENT)
def test_descent_with_plateau_stopping_stops_at_the_same_epoch(method):
    # A loose tol so that both runs stop on their own rule (gradient for bgd, loss plateau
    # for the stochastic ones) rather than at max_iter.
    X, y, w = small_data(2, seed=2)
    params = descent_params(method, tol=1e-3, max_iter=300)
    ours, reference = fit_both(params, X, y, w)
    assert ours.converged_
    assert ours.n_iter_ == reference.n_iter_ < 300
    np.testing.assert_allclose(
        ours.history_["train_loss"], reference.history_["train_loss"], rtol=1e-10, atol=0
    )


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("method", DESCENT)
def test_float32_descent_agrees_to_the_documented_tolerance(method, n_classes):
    # Fixed epochs (tol=0 never stops early), so both runs have the same length.
    X, y, w = small_data(n_classes, seed=4)
    params = descent_params(method, tol=0.0)
    ours, reference = fit_both(params, X, y, w, dtype="float32")
    assert ours.n_iter_ == reference.n_iter_
    np.testing.assert_allclose(
        ours.history_["train_loss"], reference.history_["train_loss"], rtol=FLOAT32_HISTORY
    )
    assert relative_difference(ours, reference) <= 1e-4
    assert ours.dtype_ == "float32"
    assert ours.coef_.dtype == ours.intercept_.dtype == np.float64


# --- Newton and L-BFGS: the same minimum ----------------------------------------------------


def scaled(loader, n=None):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X[:n]), y[:n]


PROBLEMS = {
    "breast_cancer": lambda: scaled(load_breast_cancer, 300),  # binary, 30 features
    "iris": lambda: scaled(load_iris),  # 3 classes (softmax)
}
# torch's Newton takes glassbox's steps (1e-12). torch.optim.LBFGS stops when its line search
# can no longer bracket a step (width 1e-9), at max|∇f| ≈ 3e-10 to 1e-9; the smallest Hessian
# eigenvalue, ~1/(C n) = 7e-3, turns that into 2e-8 to 8e-8 relative on these coefficients.
EXACTNESS = {"newton": 1e-12, "lbfgs": 1e-7}
# float32 at tol=1e-6: Newton lands within ~5e-6 of the minimum; torch.optim.LBFGS stops once a
# step leaves f unchanged in float32, measured up to 7e-4 on breast cancer.
FLOAT32_EXACTNESS = {"newton": 1e-5, "lbfgs": 1e-3}


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_newton_and_lbfgs_reach_numpys_newton_minimum(solver, problem, weighted):
    X, y = PROBLEMS[problem]()
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y)) if weighted else None
    params = {"C": 0.5, "tol": 1e-10, "max_iter": 1000}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # both must meet tol
        ours = LogisticRegression(solver=solver, backend="torch", **params).fit(X, y, w)
        reference = LogisticRegression(solver="newton", **params).fit(X, y, w)
    assert relative_difference(ours, reference) <= EXACTNESS[solver]
    np.testing.assert_array_equal(ours.classes_, reference.classes_)
    assert ours.solver_ == solver and ours.backend_ == "torch" and ours.device_ == "cpu"
    assert ours.n_iter_.shape == (1,)


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_newton_and_lbfgs_match_scikit_learn(solver, problem):
    # scikit-learn's newton-cholesky at tol=1e-12 is the minimum itself; with sample weights.
    X, y = PROBLEMS[problem]()
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    C = 0.5
    reference = sk.LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    reference.fit(X, y, sample_weight=w)
    ours = LogisticRegression(C=C, solver=solver, tol=1e-10, max_iter=1000, backend="torch")
    ours.fit(X, y, w)
    scale = np.abs(reference.coef_).max()  # 1e-7: torch.optim.LBFGS's floor (EXACTNESS)
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=0, atol=1e-7 * scale)
    np.testing.assert_allclose(ours.intercept_, reference.intercept_, rtol=0, atol=1e-7 * scale)
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-8)
    np.testing.assert_array_equal(ours.predict(X), reference.predict(X))


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_float32_newton_and_lbfgs_agree_to_the_documented_tolerance(solver, problem):
    X, y = PROBLEMS[problem]()
    params = {"C": 0.5, "tol": 1e-6, "max_iter": 1000}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = LogisticRegression(solver=solver, backend="torch", dtype="float32", **params)
        ours.fit(X, y)
    reference = LogisticRegression(solver="newton", **(params | {"tol": 1e-10})).fit(X, y)
    assert relative_difference(ours, reference) <= FLOAT32_EXACTNESS[solver]
    assert ours.coef_.dtype == np.float64


def test_float32_newton_stops_at_its_rounding_floor_and_warns():
    # tol=1e-12 is out of float32's reach: Newton stops once a step's predicted decrease is
    # below f's rounding error (a handful of iterations, not max_iter) and says so.
    X, y = PROBLEMS["iris"]()
    model = LogisticRegression(solver="newton", tol=1e-12, max_iter=500)
    model.set_params(backend="torch", dtype="float32")
    with pytest.warns(ConvergenceWarning, match=r"float32"):
        model.fit(X, y)
    assert model.n_iter_[0] < 20
    reference = LogisticRegression(solver="newton", tol=1e-12).fit(X, y)
    assert relative_difference(model, reference) <= 1e-5


def test_lbfgs_reports_why_it_stopped():
    X, y = PROBLEMS["breast_cancer"]()
    model = LogisticRegression(solver="lbfgs", tol=1e-6, backend="torch").fit(X, y)
    assert model.stop_reason_ == "max|∇f| ≤ tol"
    assert model.converged_
    with pytest.warns(ConvergenceWarning, match="failed to converge after 2"):
        LogisticRegression(solver="lbfgs", max_iter=2, backend="torch").fit(X, y)


def test_string_labels_and_class_weights():
    X, y = PROBLEMS["iris"]()
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    params = {"solver": "newton", "tol": 1e-10, "class_weight": {"setosa": 3.0}}
    ours = LogisticRegression(backend="torch", **params).fit(X, labels)
    reference = LogisticRegression(**params).fit(X, labels)
    np.testing.assert_array_equal(ours.classes_, reference.classes_)
    assert relative_difference(ours, reference) <= 1e-12
    np.testing.assert_array_equal(ours.predict(X), reference.predict(X))


# --- devices --------------------------------------------------------------------------------


@requires_cuda
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("method", DESCENT)
def test_descent_on_cuda_follows_the_numpy_trajectory(method, dtype):
    X, y, w = small_data(3)
    params = descent_params(method, tol=0.0)
    ours, reference = fit_both(params, X, y, w, device="cuda", dtype=dtype)
    assert ours.device_.startswith("cuda")
    rtol = 1e-10 if dtype == "float64" else FLOAT32_HISTORY
    np.testing.assert_allclose(
        ours.history_["train_loss"], reference.history_["train_loss"], rtol=rtol, atol=0
    )


@requires_cuda
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_newton_and_lbfgs_on_cuda(solver, dtype):
    X, y = PROBLEMS["iris"]()
    tol = 1e-10 if dtype == "float64" else 1e-6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = LogisticRegression(solver=solver, tol=tol, backend="torch", device="cuda")
        ours.set_params(dtype=dtype).fit(X, y)
    reference = LogisticRegression(solver="newton", tol=1e-10).fit(X, y)
    assert ours.device_.startswith("cuda")
    bound = (EXACTNESS if dtype == "float64" else FLOAT32_EXACTNESS)[solver]
    assert relative_difference(ours, reference) <= bound


@pytest.mark.skipif(cuda_available(), reason="a CUDA GPU is present")
def test_auto_device_falls_back_to_the_cpu_and_says_so():
    X, y, _ = small_data(2)
    model = LogisticRegression(solver="newton", backend="torch", device="auto").fit(X, y)
    assert model.device_ == "cpu"
    assert "fell back to the CPU" in model.device_reason_


@pytest.mark.skipif(cuda_available(), reason="a CUDA GPU is present")
@pytest.mark.parametrize("solver", ["newton", "lbfgs", "sgd"])
def test_cuda_without_a_gpu_is_a_clear_error(solver):
    X, y, _ = small_data(2)
    with pytest.raises(ValueError, match=r"device='cuda' but PyTorch sees no CUDA GPU.*'auto'"):
        LogisticRegression(solver=solver, backend="torch", device="cuda").fit(X, y)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"device": "tpu"}, "Unknown device 'tpu'; valid devices are ['cpu', 'cuda', 'auto']"),
        ({"dtype": "float16"}, "Unknown dtype 'float16'; valid dtypes are ['float64', 'float32']"),
        ({"solver": "fista", "penalty": "l1"}, "no method 'fista'"),
        ({"solver": "newton", "penalty": "l1"}, "supports only penalty='l2' or None"),
        ({"solver": "sgd", "learning_rate": -1.0}, "learning_rate must be 'auto'"),
        ({"solver": "minibatch", "batch_size": 0}, "batch_size=0 must be an int"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_input_is_a_clear_error(params, message):
    X, y, _ = small_data(2)
    with pytest.raises(ValueError, match=re.escape(message)):
        LogisticRegression(backend="torch", **params).fit(X, y)


def test_fista_is_recorded_as_absent_with_the_reason():
    with pytest.raises(ValueError, match=r"no proximal step in torch\.optim.*\['numpy'\]"):
        get_implementation("LogisticRegression", "fista", "torch")
