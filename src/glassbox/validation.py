"""Input checks shared by every estimator.

Every message says what was wrong and how to fix it. Arrays are converted to float64 only when
they are not float64 already, so a float64 design of any memory layout is used in place (the
exact solvers read it in row blocks and never copy it whole).
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

__all__ = [
    "as_float_array",
    "check_sample_weight",
    "check_target",
    "feature_names_of",
    "validate_data",
]


def _is_sparse(a: Any) -> bool:
    return hasattr(a, "tocsr") and hasattr(a, "nnz")


def _is_dataframe(a: Any) -> bool:
    return hasattr(a, "columns") and hasattr(a, "dtypes") and hasattr(a, "iloc")


def feature_names_of(X: Any) -> np.ndarray | None:
    """Column names of a data frame whose column names are all strings, else ``None``."""
    if not _is_dataframe(X):
        return None
    names = list(X.columns)
    if not names or not all(isinstance(name, str) for name in names):
        return None
    return np.asarray(names, dtype=object)


def _dataframe_to_array(X: Any, name: str) -> np.ndarray:
    bad = _non_numeric_columns(X)
    if bad:
        raise TypeError(
            f"{name} has non-numeric column(s) {bad}; glassbox models need numbers. "
            "Encode categorical columns first (for example one-hot with pandas.get_dummies) "
            "or drop them."
        )
    return np.asarray(X.to_numpy(dtype=np.float64, na_value=np.nan))


def _non_numeric_columns(X: Any) -> list[str]:
    bad = []
    for column, dtype in zip(X.columns, X.dtypes):
        kind = getattr(dtype, "kind", None)
        if kind not in ("i", "u", "f", "b"):
            bad.append(str(column))
    return bad


def _object_to_float(array: np.ndarray, name: str) -> np.ndarray:
    """Convert an object array that holds only real numbers; say which entry is not one."""
    flat = array.ravel()
    for index, value in enumerate(flat):
        if isinstance(value, (bool, np.bool_)) or (
            isinstance(value, numbers.Real) and not isinstance(value, str)
        ):
            continue
        position = np.unravel_index(index, array.shape)
        if isinstance(value, str):
            raise TypeError(
                f"{name} contains the string {value!r} at position {tuple(map(int, position))}; "
                "glassbox models need numbers. Convert the column to numbers, or encode "
                "categories first (for example one-hot)."
            )
        if isinstance(value, numbers.Complex):
            raise ValueError(
                f"Complex data not supported: {name} contains {value!r} at position "
                f"{tuple(map(int, position))}. Pass real values (for example X.real)."
            )
        raise TypeError(
            f"{name} has dtype object and contains {type(value).__name__} {value!r} at position "
            f"{tuple(map(int, position))}: float() argument must be a string or a real number. "
            "Pass a numeric array."
        )
    return flat.astype(np.float64).reshape(array.shape)


def as_float_array(
    X: Any, *, name: str = "X", ensure_2d: bool = True, allow_nan: bool = False
) -> np.ndarray:
    """Return ``X`` as a float64 NumPy array, raising a clear error for anything unusable.

    float64 input is returned as it is (no copy, any memory layout); integer, boolean and
    float32 input is converted. Sparse matrices, strings, complex numbers and objects that
    are not numbers are rejected with a message that says what to do instead.
    """
    if X is None:
        raise ValueError(f"{name} is None; pass an array-like of numbers.")
    if _is_sparse(X):
        raise TypeError(
            f"{name} is a scipy.sparse matrix, and sparse input is not supported by glassbox's "
            f"solvers. Pass a dense array instead ({name}.toarray())."
        )
    if _is_dataframe(X):
        array = _dataframe_to_array(X, name)
    else:
        try:
            array = np.asarray(X)
        except Exception as error:  # ragged lists and the like
            raise ValueError(
                f"{name} could not be read as a rectangular array of numbers: {error}"
            ) from error
    kind = array.dtype.kind
    if kind == "c":
        raise ValueError(
            f"Complex data not supported: {name} has dtype {array.dtype}. "
            f"Pass real values (for example {name}.real)."
        )
    if kind in ("U", "S"):
        raise TypeError(
            f"{name} has a string dtype ({array.dtype}); glassbox models need numbers. "
            "Convert it with astype(float), or encode categories first (for example one-hot)."
        )
    if kind == "O":
        array = _object_to_float(array, name)
    elif kind not in ("f", "i", "u", "b"):
        raise TypeError(f"{name} has unsupported dtype {array.dtype}; pass numbers.")
    if array.dtype != np.float64:
        array = array.astype(np.float64)

    if ensure_2d:
        if array.ndim == 0:
            raise ValueError(
                f"Expected a 2-D array for {name}, got a scalar. Pass an array of shape "
                "(n_samples, n_features)."
            )
        if array.ndim == 1:
            raise ValueError(
                f"Expected a 2-D array for {name}, got a 1-D array of shape {array.shape}. "
                f"Reshape your data with {name}.reshape(-1, 1) if it has a single feature, "
                f"or {name}.reshape(1, -1) if it contains a single sample."
            )
        if array.ndim > 2:
            raise ValueError(
                f"Expected a 2-D array for {name}, got {array.ndim} dimensions "
                f"(shape {array.shape}). Flatten each sample into one row first."
            )
        n_samples, n_features = array.shape
        if n_samples == 0:
            raise ValueError(
                f"{name} is empty: found array with 0 sample(s) (shape={array.shape}) while a "
                "minimum of 1 is required."
            )
        if n_features == 0:
            raise ValueError(
                f"{name} has no features: found array with 0 feature(s) (shape={array.shape}) "
                "while a minimum of 1 is required."
            )
    _check_finite(array, name, allow_nan=allow_nan)
    return array


def _check_finite(array: np.ndarray, name: str, allow_nan: bool = False) -> None:
    # One cheap reduction first; only when it is not finite do we count (a sum can also
    # overflow to inf on huge but finite values, in which case the count finds nothing).
    if array.size == 0 or np.isfinite(array.sum()):
        return
    n_nan = 0 if allow_nan else int(np.isnan(array).sum())
    n_inf = int(np.isinf(array).sum())
    if n_nan == 0 and n_inf == 0:
        return
    parts = []
    if n_nan:
        parts.append(f"{n_nan} NaN value(s)")
    if n_inf:
        parts.append(f"{n_inf} infinite value(s)")
    where = ""
    if array.ndim == 2:
        columns_nan = [] if allow_nan else np.flatnonzero(np.isnan(array).any(axis=0)).tolist()
        columns_inf = np.flatnonzero(np.isinf(array).any(axis=0)).tolist()
        details = []
        if columns_nan:
            details.append(f"NaN in column(s) {_short_list(columns_nan)}")
        if columns_inf:
            details.append(f"infinity in column(s) {_short_list(columns_inf)}")
        where = f" ({'; '.join(details)})"
    if allow_nan:
        raise ValueError(
            f"Input {name} contains {' and '.join(parts)}{where}. NaN is accepted here as a "
            "missing value, but infinity is not: replace it (for example with NaN) first."
        )
    raise ValueError(
        f"Input {name} contains {' and '.join(parts)}{where}. glassbox does not guess missing "
        "or infinite values: remove those rows or impute them first (for example with "
        "sklearn.impute.SimpleImputer), or use HistGradientBoostingClassifier / "
        "HistGradientBoostingRegressor, which handle NaN as missing values."
    )


def _short_list(items: list[int], limit: int = 10) -> str:
    if len(items) <= limit:
        return str(items)
    return f"{items[:limit]} and {len(items) - limit} more"


def check_target(y: Any, n_samples: int, *, estimator_name: str) -> np.ndarray:
    """Validate a regression target: 1-D (one target) or 2-D (several), float64, finite."""
    if y is None:
        raise ValueError(
            f"{estimator_name} requires y to be passed, but the target y is None. "
            "Call fit(X, y) with the values to predict."
        )
    y = as_float_array(y, name="y", ensure_2d=False)
    if y.ndim == 0 or y.ndim > 2:
        raise ValueError(
            f"y must be 1-D (one target) or 2-D (several targets); got shape {y.shape}."
        )
    if y.shape[0] != n_samples:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {n_samples} rows but y has "
            f"{y.shape[0]}. Pass one target value per row of X."
        )
    if y.ndim == 2 and y.shape[1] == 0:
        raise ValueError("y has 0 targets (shape (n_samples, 0)); pass at least one column.")
    return y


def check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    """Validate per-sample weights: finite, non-negative, not all zero, one per sample."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, bool):
        weights = np.full(n_samples, float(sample_weight))
    else:
        weights = as_float_array(sample_weight, name="sample_weight", ensure_2d=False)
    if weights.ndim != 1 or weights.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must be a 1-D array with one weight per sample, i.e. shape "
            f"({n_samples},); got shape {weights.shape}."
        )
    if not np.all(np.isfinite(weights)):
        raise ValueError("sample_weight contains NaN or infinite values; pass finite weights.")
    negative = np.flatnonzero(weights < 0)
    if negative.size:
        raise ValueError(
            f"sample_weight has {negative.size} negative value(s) (first at index "
            f"{int(negative[0])}); weights must be >= 0."
        )
    if not np.any(weights > 0):
        raise ValueError("sample_weight is zero for every sample; at least one must be > 0.")
    return weights


def validate_data(estimator: Any, X: Any, *, reset: bool, allow_nan: bool = False) -> np.ndarray:
    """Check ``X`` and record (``reset=True``, in fit) or compare (in predict) its features.

    On fit this sets ``n_features_in_`` and, for data frames with string column names,
    ``feature_names_in_``. On predict it checks that the number and names of the features
    match what the model was fitted on.
    """
    names = feature_names_of(X)
    array = as_float_array(X, name="X", allow_nan=allow_nan)
    n_features = array.shape[1]
    if reset:
        estimator.n_features_in_ = n_features
        if names is not None:
            estimator.feature_names_in_ = names
        elif hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
        return array
    _check_feature_names(estimator, names)
    expected = estimator.n_features_in_
    if n_features != expected:
        raise ValueError(
            f"X has {n_features} features, but {type(estimator).__name__} is expecting "
            f"{expected} features as input."
        )
    return array


def _check_feature_names(estimator: Any, names: np.ndarray | None) -> None:
    fitted = getattr(estimator, "feature_names_in_", None)
    model = type(estimator).__name__
    if fitted is None and names is None:
        return
    if fitted is not None and names is None:
        warnings.warn(
            f"X does not have valid feature names, but {model} was fitted with feature names",
            UserWarning,
            stacklevel=3,
        )
        return
    if fitted is None and names is not None:
        warnings.warn(
            f"X has feature names, but {model} was fitted without feature names",
            UserWarning,
            stacklevel=3,
        )
        return
    if names is None or fitted is None:  # both handled above; narrows the types
        return
    if len(fitted) != len(names) or np.any(fitted != names):
        unseen = sorted(set(names) - set(fitted))
        missing = sorted(set(fitted) - set(names))
        details = ""
        if unseen:
            details += "\nFeature names unseen at fit time:\n- " + "\n- ".join(unseen)
        if missing:
            details += "\nFeature names seen at fit time, yet now missing:\n- " + "\n- ".join(
                missing
            )
        if not unseen and not missing:
            details += "\nFeature names must be in the same order as they were in fit."
        raise ValueError(
            "The feature names should match those that were passed during fit." + details
        )
