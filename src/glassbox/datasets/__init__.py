"""Datasets: synthetic generators, packaged real data, files, splits, and a scaler.

* generators with a known truth: :func:`make_linear` (the lesson's line),
  :func:`make_polynomial`, :func:`make_regression`, :func:`make_classification`, and the
  tiny :func:`house_prices` example;
* real data shipped by installed packages: :func:`load_diabetes`, :func:`load_breast_cancer`,
  :func:`load_iris`, :func:`load_wine`, :func:`load_digits` (scikit-learn),
  :func:`load_longley` (statsmodels);
* files: :func:`load_table` (CSV, Parquet), and :func:`load_dataset` for any of the above by
  name;
* honest evaluation: :func:`train_val_test_split` and :class:`StandardScaler`;
* NIST's certified least-squares problems: :func:`load_nist_strd`.
"""

from glassbox.datasets.catalog import SYNTHETIC_DATASETS, dataset_names, load_dataset
from glassbox.datasets.dataset import Dataset
from glassbox.datasets.files import load_table
from glassbox.datasets.nist import StRDProblem, correct_digits, load_nist_strd
from glassbox.datasets.real import (
    REAL_DATASETS,
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_longley,
    load_wine,
)
from glassbox.datasets.scaler import StandardScaler
from glassbox.datasets.split import split_indices, train_val_test_split
from glassbox.datasets.synthetic import (
    house_prices,
    make_classification,
    make_linear,
    make_polynomial,
    make_regression,
)

__all__ = [
    "REAL_DATASETS",
    "SYNTHETIC_DATASETS",
    "Dataset",
    "StRDProblem",
    "StandardScaler",
    "correct_digits",
    "dataset_names",
    "house_prices",
    "load_breast_cancer",
    "load_dataset",
    "load_diabetes",
    "load_digits",
    "load_iris",
    "load_longley",
    "load_nist_strd",
    "load_table",
    "load_wine",
    "make_classification",
    "make_linear",
    "make_polynomial",
    "make_regression",
    "split_indices",
    "train_val_test_split",
]
