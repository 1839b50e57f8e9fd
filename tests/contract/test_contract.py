"""The estimator contract, run over every registered estimator.

A new estimator joins these tests by being registered (``@register_estimator``): it must
pass scikit-learn's own ``check_estimator``, clone and round-trip through save/load, and
reject the same bad inputs with the same clear errors.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.base import clone as sklearn_clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

import glassbox
from glassbox.base import clone
from glassbox.exceptions import NotFittedError
from glassbox.registry import estimators

ESTIMATORS = estimators()


def is_classifier(cls: type) -> bool:
    return getattr(cls, "_estimator_type", None) == "classifier"


def allows_nan(cls: type) -> bool:
    """Whether the estimator takes NaN in X as a missing value (its scikit-learn tag)."""
    return bool(cls().__sklearn_tags__().input_tags.allow_nan)


def make_data(cls: type, n_samples: int = 60, n_features: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    signal = X @ np.linspace(1.0, 2.0, n_features)
    if is_classifier(cls):
        return X, (signal > 0).astype(int)
    return X, signal + 0.1 * rng.standard_normal(n_samples)


@pytest.fixture(params=sorted(ESTIMATORS), ids=sorted(ESTIMATORS))
def estimator_class(request):
    return ESTIMATORS[request.param]


def test_registry_is_not_empty():
    assert "LinearRegression" in ESTIMATORS


def test_passes_sklearn_check_estimator(estimator_class):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator_class(), on_fail=None)
    failed = {
        r["check_name"]: str(r["exception"])[:300] for r in results if r["status"] == "failed"
    }
    assert not failed


def test_params_clone_and_repr(estimator_class):
    model = estimator_class()
    params = model.get_params()
    assert set(params) == set(estimator_class._param_names())
    twin = clone(model)
    assert twin is not model and twin.get_params() == params
    assert sklearn_clone(model).get_params() == params
    with pytest.raises(ValueError, match="Invalid parameter 'no_such_parameter'"):
        model.set_params(no_such_parameter=1)
    assert repr(model) == f"{estimator_class.__name__}()"


def test_fit_returns_self_and_predict_before_fit_fails(estimator_class):
    X, y = make_data(estimator_class)
    model = estimator_class()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        model.predict(X)
    assert model.fit(X, y) is model
    assert model.n_features_in_ == X.shape[1]
    assert isinstance(NotFittedError("x"), ValueError)
    assert isinstance(NotFittedError("x"), AttributeError)


def test_dataframe_feature_names(estimator_class):
    pd = pytest.importorskip("pandas")
    X, y = make_data(estimator_class)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    model = estimator_class().fit(frame, y)
    assert list(model.feature_names_in_) == list(frame.columns)
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(frame.rename(columns={"f0": "other"}))


def test_save_load_round_trip_is_bit_for_bit(estimator_class, tmp_path):
    X, y = make_data(estimator_class)
    model = estimator_class().fit(X, y)
    path = glassbox.save(model, tmp_path / "model.gbx")
    loaded = glassbox.load(path)
    assert type(loaded) is estimator_class
    assert loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_drops_into_pipeline_and_model_selection(estimator_class):
    X, y = make_data(estimator_class, n_samples=80)
    scores = cross_val_score(make_pipeline(StandardScaler(), estimator_class()), X, y, cv=3)
    assert np.all(np.isfinite(scores))
    name, values = next(iter({"fit_intercept": [True, False]}.items()))
    if name in estimator_class._param_names():
        search = GridSearchCV(estimator_class(), {name: values}, cv=3).fit(X, y)
        assert search.best_params_[name] in values


# --- bad input: the same clear errors from every estimator --------------------------------


def _bad_inputs(X: np.ndarray, y: np.ndarray):
    X_nan = X.copy()
    X_nan[[1, 3], 0] = np.nan
    X_nan[2, 2] = np.inf
    return [
        (
            "nan",
            X_nan,
            y,
            {},
            ValueError,
            r"2 NaN value\(s\) and 1 infinite value\(s\) "
            r"\(NaN in column\(s\) \[0\]; infinity in column\(s\) \[2\]\)",
        ),
        ("empty", X[:0], y[:0], {}, ValueError, "0 sample"),
        ("no features", X[:, :0], y, {}, ValueError, "0 feature"),
        ("1-D X", X[:, 0], y, {}, ValueError, r"reshape\(-1, 1\)"),
        ("length mismatch", X, y[:-1], {}, ValueError, "inconsistent numbers of samples"),
        ("strings", X.astype(str), y, {}, TypeError, "string dtype"),
        (
            "object with text",
            np.array([["a", 1.0]] * len(y), dtype=object),
            y,
            {},
            TypeError,
            "contains the string 'a'",
        ),
        ("complex", X.astype(complex), y, {}, ValueError, "Complex data not supported"),
        ("y is None", X, None, {}, ValueError, "requires y to be passed"),
        (
            "weights shape",
            X,
            y,
            {"sample_weight": np.ones(len(y) + 1)},
            ValueError,
            "one weight per sample",
        ),
        ("negative weights", X, y, {"sample_weight": -np.ones(len(y))}, ValueError, "negative"),
        (
            "nan weights",
            X,
            y,
            {"sample_weight": np.full(len(y), np.nan)},
            ValueError,
            r"sample_weight contains 60 NaN",
        ),
    ]


@pytest.mark.parametrize("case", range(12))
def test_bad_input_gets_a_clear_error(estimator_class, case):
    X, y = make_data(estimator_class)
    name, X_bad, y_bad, kwargs, error, message = _bad_inputs(X, y)[case]
    if name == "nan" and allows_nan(estimator_class):
        message = r"1 infinite value\(s\) \(infinity in column\(s\) \[2\]\)\. NaN is accepted"
    with pytest.raises(error, match=message):
        estimator_class().fit(X_bad, y_bad, **kwargs)


def test_sparse_input_is_refused_with_advice(estimator_class):
    sparse = pytest.importorskip("scipy.sparse")
    X, y = make_data(estimator_class)
    with pytest.raises(TypeError, match=r"sparse input is not supported.*toarray"):
        estimator_class().fit(sparse.csr_matrix(X), y)


def test_predict_checks_the_number_of_features(estimator_class):
    X, y = make_data(estimator_class)
    model = estimator_class().fit(X, y)
    with pytest.raises(ValueError, match=r"X has 3 features, but .* is expecting 4 features"):
        model.predict(X[:, :3])
    if allows_nan(estimator_class):  # NaN is a missing value: a prediction all the same
        assert np.all(np.isfinite(model.predict(np.full_like(X, np.nan))))
        return
    with pytest.raises(ValueError, match="NaN"):
        model.predict(np.full_like(X, np.nan))


@pytest.mark.parametrize(
    "convert",
    [
        lambda X: np.asfortranarray(X),
        lambda X: np.repeat(X, 2, axis=1)[:, ::2],  # non-contiguous view
        lambda X: X.astype(np.float32).astype(np.float64),
    ],
    ids=["fortran", "strided", "float32-valued"],
)
def test_memory_layout_does_not_change_the_answer(estimator_class, convert):
    X, y = make_data(estimator_class)
    X = X.astype(np.float32).astype(np.float64)  # exactly representable in float32
    reference = estimator_class().fit(X, y).predict(X)
    np.testing.assert_array_equal(estimator_class().fit(convert(X), y).predict(X), reference)


def test_integer_and_float32_input_are_accepted(estimator_class):
    X, y = make_data(estimator_class)
    X_int = np.round(X * 10).astype(np.int64)
    as_float = estimator_class().fit(X_int.astype(float), y).predict(X_int.astype(float))
    np.testing.assert_allclose(estimator_class().fit(X_int, y).predict(X_int), as_float, rtol=1e-12)
    X32 = X.astype(np.float32)
    as64 = estimator_class().fit(X32.astype(np.float64), y).predict(X32.astype(np.float64))
    np.testing.assert_allclose(estimator_class().fit(X32, y).predict(X32), as64, rtol=1e-12)
