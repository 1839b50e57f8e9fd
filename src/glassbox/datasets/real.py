"""Real datasets that installed packages ship on disk (no download ever happens).

scikit-learn ships diabetes, breast cancer, iris, wine and digits; statsmodels ships
Longley's macroeconomic data (the classic ill-conditioned regression). Each loader returns
a :class:`~glassbox.datasets.Dataset`, or raises ``ImportError`` naming the package and the
glassbox extra that installs it.
"""

from __future__ import annotations

import gzip
import importlib.util
from collections.abc import Callable
from pathlib import Path

import numpy as np

from glassbox.datasets.dataset import Dataset

__all__ = [
    "REAL_DATASETS",
    "load_breast_cancer",
    "load_diabetes",
    "load_digits",
    "load_iris",
    "load_longley",
    "load_wine",
]

_DIABETES_FEATURES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")


def _require(module: str, extra: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ImportError(
            f"this dataset ships with {module}, which is not installed: "
            f"pip install 'glassbox[{extra}]'"
        )


def _sklearn_data_file(name: str) -> Path | None:
    """The path of a data file inside scikit-learn's package, without importing it."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "datasets" / "data" / name
        if path.is_file():
            return path
    return None


def load_diabetes() -> Dataset:
    """scikit-learn's diabetes data in raw units: 442 patients, 10 baseline measurements
    (age, sex, body-mass index, blood pressure, six blood serum values) → disease
    progression one year later (Efron et al., 2004).

    The two gzipped text files are read straight from scikit-learn's package folder
    (importing scikit-learn takes seconds and is not needed); when they are not where
    scikit-learn keeps them, its own ``load_diabetes(scaled=False)`` is used.
    """
    _require("sklearn", "sklearn")
    data_file = _sklearn_data_file("diabetes_data_raw.csv.gz")
    target_file = _sklearn_data_file("diabetes_target.csv.gz")
    if data_file is not None and target_file is not None:
        with gzip.open(data_file, "rt") as handle:
            X = np.loadtxt(handle)
        with gzip.open(target_file, "rt") as handle:
            y = np.loadtxt(handle)
    else:  # pragma: no cover - a scikit-learn that moved its files
        from sklearn.datasets import load_diabetes as sklearn_load

        X, y = sklearn_load(return_X_y=True, scaled=False)
    return Dataset(
        name="diabetes",
        X=np.asarray(X, dtype=np.float64),
        y=np.asarray(y, dtype=np.float64),
        task="regression",
        feature_names=_DIABETES_FEATURES,
        target_name="progression",
        description="442 diabetes patients, 10 baseline measurements -> disease progression "
        "after one year (Efron et al. 2004), raw units",
        source="scikit-learn (sklearn/datasets/data/diabetes_*.csv.gz)",
    )


def _sklearn_classification(loader_name: str, name: str, description: str) -> Dataset:
    _require("sklearn", "sklearn")
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, loader_name)()
    return Dataset(
        name=name,
        X=np.asarray(bunch.data, dtype=np.float64),
        y=np.asarray(bunch.target),
        task="classification",
        feature_names=tuple(str(f) for f in bunch.feature_names),
        target_name="class",
        description=description,
        source=f"scikit-learn (sklearn.datasets.{loader_name})",
        extra={"class_names": [str(c) for c in getattr(bunch, "target_names", [])]},
    )


def load_breast_cancer() -> Dataset:
    """Wisconsin breast cancer: 569 tumours, 30 features → malignant (0) or benign (1)."""
    return _sklearn_classification(
        "load_breast_cancer",
        "breast_cancer",
        "569 tumours, 30 cell-nucleus features -> malignant / benign",
    )


def load_iris() -> Dataset:
    """Fisher's iris: 150 flowers, 4 measurements → 3 species."""
    return _sklearn_classification(
        "load_iris", "iris", "150 iris flowers, sepal and petal sizes -> 3 species"
    )


def load_wine() -> Dataset:
    """UCI wine: 178 wines, 13 chemical measurements → 3 cultivars."""
    return _sklearn_classification(
        "load_wine", "wine", "178 wines, 13 chemical measurements -> 3 cultivars"
    )


def load_digits() -> Dataset:
    """Handwritten digits: 1,797 images of 8 x 8 grey levels → 10 digits."""
    return _sklearn_classification(
        "load_digits", "digits", "1797 handwritten digits, 8x8 grey levels -> 0..9"
    )


def load_longley() -> Dataset:
    """Longley (1967): 16 years of US macroeconomic data, 6 collinear predictors → employment.

    The classic test of numerical accuracy in least squares (condition number ≈ 1e8 in raw
    units); NIST certifies its coefficients to 15 digits.
    """
    _require("statsmodels", "stats")
    from statsmodels.datasets import longley

    frame = longley.load_pandas().data
    names = [c for c in frame.columns if c != "TOTEMP"]
    return Dataset(
        name="longley",
        X=frame[names].to_numpy(dtype=np.float64),
        y=frame["TOTEMP"].to_numpy(dtype=np.float64),
        task="regression",
        feature_names=tuple(names),
        target_name="TOTEMP",
        description="Longley 1947-1962 US macroeconomic data, 6 collinear predictors -> "
        "total employment",
        source="statsmodels (statsmodels.datasets.longley)",
    )


# name -> (loader, module that ships it)
REAL_DATASETS: dict[str, tuple[Callable[[], Dataset], str]] = {
    "diabetes": (load_diabetes, "sklearn"),
    "breast_cancer": (load_breast_cancer, "sklearn"),
    "iris": (load_iris, "sklearn"),
    "wine": (load_wine, "sklearn"),
    "digits": (load_digits, "sklearn"),
    "longley": (load_longley, "statsmodels"),
}
