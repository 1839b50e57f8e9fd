"""Errors and warnings that glassbox raises.

They subclass the standard exceptions that scikit-learn users already catch, so code written
for scikit-learn keeps working: ``NotFittedError`` is both a ``ValueError`` and an
``AttributeError``, exactly as ``sklearn.exceptions.NotFittedError``.
"""

from __future__ import annotations


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used (``predict``, ``score``, ...) before ``fit``."""


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped at its iteration limit before meeting its tolerance."""


class RankDeficientWarning(UserWarning):
    """The design matrix is rank deficient: some columns are linear combinations of others."""


class DivergenceError(ValueError):
    """An iterative solver diverged (loss became non-finite or grew by orders of magnitude)."""


class SaveFormatError(ValueError):
    """A saved model file is truncated, tampered with, or of an unsupported version."""


class TargetTypeError(ValueError, TypeError):
    """A regressor was given a target that is not numbers (class labels, strings).

    Both a ``ValueError`` (what scikit-learn raises for such a ``y``) and a ``TypeError``
    (what glassbox raises for data of the wrong type), so either ``except`` catches it.
    """
