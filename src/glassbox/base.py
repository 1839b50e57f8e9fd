"""The estimator contract every glassbox model follows.

The conventions are scikit-learn's, so a glassbox model drops into ``Pipeline``,
``GridSearchCV`` and ``cross_val_score`` unchanged:

* the constructor only stores its keyword arguments (validation happens in ``fit``);
* ``fit`` returns ``self``; learned attributes end in ``_``;
* ``get_params`` / ``set_params`` / :func:`clone` read the constructor's signature;
* using a model before ``fit`` raises :class:`~glassbox.exceptions.NotFittedError`;
* ``n_features_in_`` (and ``feature_names_in_`` for data frames) is recorded by ``fit`` and
  checked by ``predict``.
"""

from __future__ import annotations

import copy
import inspect
import sys
from typing import Any, TypeVar

import numpy as np

from glassbox.exceptions import NotFittedError

Estimator = TypeVar("Estimator", bound="BaseEstimator")


class BaseEstimator:
    """Parameter handling, ``repr`` and the fitted check shared by every estimator."""

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        names = []
        for name, parameter in signature.parameters.items():
            if name == "self":
                continue
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                raise TypeError(
                    f"{cls.__name__}.__init__ must list its parameters explicitly "
                    f"(found *{name}); glassbox reads them to implement get_params."
                )
            names.append(name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the constructor parameters of this estimator (and of nested estimators)."""
        params: dict[str, Any] = {}
        for name in self._param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                for key, nested in value.get_params(deep=True).items():
                    params[f"{name}__{key}"] = nested
            params[name] = value
        return params

    def set_params(self: Estimator, **params: Any) -> Estimator:
        """Set constructor parameters; ``nested__name`` reaches into a nested estimator."""
        valid = self._param_names()
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, _, sub_key = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {valid!r}."
                )
            if sub_key:
                nested.setdefault(name, {})[sub_key] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        defaults = {
            name: parameter.default
            for name, parameter in inspect.signature(type(self).__init__).parameters.items()
        }
        changed = []
        for name in self._param_names():
            value = getattr(self, name)
            default = defaults.get(name, inspect.Parameter.empty)
            if not _same_value(value, default):
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_is_fitted__(self) -> bool:
        return any(name.endswith("_") and not name.startswith("__") for name in vars(self))

    def _check_is_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise _not_fitted_error_class()(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )


def _not_fitted_error_class() -> type[NotFittedError]:
    """glassbox's NotFittedError, which is also scikit-learn's when scikit-learn is loaded.

    Code that catches ``sklearn.exceptions.NotFittedError`` (scikit-learn's own checks
    among it) then works with glassbox models, and glassbox still never imports
    scikit-learn itself.
    """
    sklearn_exceptions = sys.modules.get("sklearn.exceptions")
    if sklearn_exceptions is None:
        return NotFittedError
    if _COMBINED_ERROR:
        return _COMBINED_ERROR[0]
    combined = type(
        "NotFittedError",
        (NotFittedError, sklearn_exceptions.NotFittedError),
        {"__module__": "glassbox.exceptions"},
    )
    _COMBINED_ERROR.append(combined)
    return combined


_COMBINED_ERROR: list[type[NotFittedError]] = []


def _same_value(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return False
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:
        return False


def clone(estimator: Estimator) -> Estimator:
    """A new, unfitted estimator with the same parameters (deep-copied, nested ones cloned)."""
    if not hasattr(estimator, "get_params") or isinstance(estimator, type):
        raise TypeError(
            f"Cannot clone {estimator!r}: it is not an estimator (it has no get_params method)."
        )
    params = {}
    for name, value in estimator.get_params(deep=False).items():
        if hasattr(value, "get_params") and not isinstance(value, type):
            params[name] = clone(value)
        else:
            params[name] = copy.deepcopy(value)
    return type(estimator)(**params)


class RegressorMixin:
    """``score`` as the coefficient of determination R², and scikit-learn's regressor tags."""

    _estimator_type = "regressor"

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R² = 1 - Σ w (y - ŷ)² / Σ w (y - ȳ)², averaged uniformly over targets."""
        from glassbox.metrics import r2_score

        return r2_score(y, self.predict(X), sample_weight=sample_weight)  # type: ignore[attr-defined]

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import RegressorTags, Tags, TargetTags

        return Tags(
            estimator_type="regressor",
            target_tags=TargetTags(required=True, single_output=True, multi_output=True),
            regressor_tags=RegressorTags(),
        )


class ClassifierMixin:
    """``score`` as accuracy, and scikit-learn's classifier tags."""

    _estimator_type = "classifier"

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy = Σ w 1[ŷ = y] / Σ w."""
        from glassbox.metrics import accuracy_score

        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)  # type: ignore[attr-defined]

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True, single_output=True, multi_output=False),
            classifier_tags=ClassifierTags(),
        )
