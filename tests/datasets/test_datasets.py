"""Datasets: generators against their defining formulas, loaders against scikit-learn's own,
splits and the scaler against scikit-learn, and files with clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from glassbox.datasets import (
    StandardScaler,
    dataset_names,
    house_prices,
    load_dataset,
    load_diabetes,
    load_table,
    make_classification,
    make_linear,
    make_polynomial,
    make_regression,
    split_indices,
    train_val_test_split,
)


def test_make_linear_is_the_lessons_line():
    X, y = make_linear(50, random_state=3)
    assert X.shape == (50, 1) and np.array_equal(X[:, 0], np.arange(50.0))
    noise = y - 3.5 * X[:, 0]
    # the noise is U(-10, 20): inside the interval, and the same draw as NumPy's own
    assert noise.min() >= -10 and noise.max() <= 20
    np.testing.assert_allclose(
        noise, np.random.default_rng(3).uniform(-10, 20, 50), rtol=0, atol=1e-12
    )
    _, y2 = make_linear(50, random_state=3)
    assert np.array_equal(y, y2)  # same seed, same numbers


def test_make_regression_returns_its_truth():
    X, y, coef = make_regression(200, 4, noise=0.0, bias=2.0, return_coef=True, random_state=0)
    np.testing.assert_allclose(X @ coef + 2.0, y, rtol=1e-12)  # noise 0: exact, up to rounding


def test_make_classification_balanced_labels_and_flips():
    X, y = make_classification(300, 3, n_classes=3, flip_y=0.0, random_state=1)
    assert X.shape == (300, 3) and set(np.unique(y)) == {0, 1, 2}
    assert np.all(np.bincount(y) == 100)
    with pytest.raises(ValueError, match="needs at least 3 features"):
        make_classification(10, 2, n_classes=5)


def test_polynomial_is_ill_conditioned():
    X, _ = make_polynomial(100, degree=6, random_state=0)
    assert np.linalg.cond(X) > 1e6


def test_house_prices_tiny_three_features():
    data = house_prices()
    assert data.feature_names == ("floor_area", "distance_to_transport", "rooms")
    assert data.n_features == 3 and data.target_name == "price"


def test_every_builtin_name_loads():
    for name in dataset_names():
        if name in ("breast_cancer", "iris", "wine", "digits", "longley", "diabetes"):
            continue  # packaged real data: checked against their packages below
        data = load_dataset(name, n_samples=40)
        assert data.n_samples == 40


def test_diabetes_matches_scikit_learn_raw():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    X, y = sklearn_datasets.load_diabetes(return_X_y=True, scaled=False)
    data = load_diabetes()
    np.testing.assert_array_equal(data.X, X)  # the same file, read directly
    np.testing.assert_array_equal(data.y, y)


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer"])
def test_sklearn_classification_sets(name):
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    bunch = getattr(sklearn_datasets, f"load_{name}")()
    data = load_dataset(name)
    assert data.task == "classification"
    np.testing.assert_array_equal(data.X, bunch.data)


def test_longley_from_statsmodels():
    pytest.importorskip("statsmodels")
    data = load_dataset("longley")
    assert data.X.shape == (16, 6) and data.target_name == "TOTEMP"


def test_unknown_name_lists_the_builtins():
    with pytest.raises(ValueError, match=r"Unknown dataset 'nope'.*lesson"):
        load_dataset("nope")


# --- splits and the scaler ------------------------------------------------------------------


def test_split_is_a_partition_and_seeded():
    train, val, test = split_indices(100, val_size=0.2, test_size=0.3, random_state=7)
    assert (len(train), len(val), len(test)) == (50, 20, 30)
    assert np.array_equal(np.sort(np.r_[train, val, test]), np.arange(100))
    again = split_indices(100, val_size=0.2, test_size=0.3, random_state=7)
    assert all(np.array_equal(a, b) for a, b in zip((train, val, test), again))


def test_stratified_split_keeps_class_proportions():
    y = np.r_[np.zeros(80), np.ones(20)]
    train, val, test = split_indices(100, val_size=0.25, test_size=0.25, stratify=y, random_state=0)
    assert y[test].sum() == 5 and y[val].sum() == 5 and y[train].sum() == 10


def test_train_val_test_split_shapes_and_errors():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10.0)
    parts = train_val_test_split(X, y, val_size=0.2, test_size=0.2, random_state=0)
    assert [p.shape[0] for p in parts] == [6, 2, 2, 6, 2, 2]
    with pytest.raises(ValueError, match="val_size \\+ test_size must be < 1"):
        train_val_test_split(X, y, val_size=0.5, test_size=0.5)


def test_standard_scaler_matches_scikit_learn():
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 2.0, (50, 3))
    X[:, 2] = 4.0  # constant column: scale 1, as scikit-learn
    ours = StandardScaler().fit(X[:30])
    theirs = preprocessing.StandardScaler().fit(X[:30])
    # same formulas, same float64 operations: agreement to rounding
    np.testing.assert_allclose(ours.transform(X[30:]), theirs.transform(X[30:]), atol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(X)), X, atol=1e-12)


# --- files -------------------------------------------------------------------------------


def test_csv_round_trip(tmp_path):
    path = tmp_path / "houses.csv"
    path.write_text("area,rooms,price\n50,2,100\n80,3,150\n120,4,230\n")
    data = load_table(path, "price")
    assert data.feature_names == ("area", "rooms") and data.task == "regression"
    np.testing.assert_array_equal(data.y, [100, 150, 230])


def test_csv_labels_make_a_classification(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("a,b,kind\n1,2,cat\n3,4,dog\n5,6,cat\n")
    assert load_table(path, "kind").task == "classification"


def test_parquet_round_trip(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    path = tmp_path / "data.parquet"
    pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 6.5]}).to_parquet(path)
    data = load_table(path, "y")
    np.testing.assert_array_equal(data.X[:, 0], [1, 2, 3])


@pytest.mark.parametrize(
    ("text", "target", "message"),
    [
        ("", "y", "is empty"),
        ("a,b,y\n", "y", "has a header .* but no data rows"),
        ("a,b,y\n1,2,3\n", "price", "Target column 'price' not found.*\\['a', 'b', 'y'\\]"),
        ("a,city,y\n1,Paris,3\n2,Rome,4\n", "y", "non-numeric column\\(s\\) \\['city'\\]"),
        ("a,b,y\n1,,3\n2,5,4\n", "y", "missing values .*'b': 1"),
        ("a,b,y\n1,2,3\n", None, "Which column .* is the target"),
    ],
)
def test_csv_errors_say_what_to_fix(tmp_path, text, target, message):
    path = tmp_path / "data.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_table(path, target)


def test_missing_file_and_unknown_suffix(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_table(tmp_path / "absent.csv", "y")
    odd = tmp_path / "data.xlsx"
    odd.write_text("x")
    with pytest.raises(ValueError, match="unknown file type"):
        load_table(odd, "y")


def test_a_glob_or_directory_of_files_is_one_dataset(tmp_path):
    from glassbox.datasets.files import load_table

    rng = np.random.default_rng(0)
    for part in range(3):
        values = rng.standard_normal((5, 3))
        np.savetxt(tmp_path / f"part{part}.csv", values, delimiter=",", header="a,b,y", comments="")
    by_glob = load_table(tmp_path / "part*.csv", target="y")
    by_folder = load_table(tmp_path, target="y")
    assert by_glob.X.shape == (15, 2) == by_folder.X.shape
    np.testing.assert_array_equal(by_glob.y, by_folder.y)
    np.savetxt(tmp_path / "part9.csv", np.zeros((2, 2)), delimiter=",", header="a,y", comments="")
    with pytest.raises(ValueError, match="every file of a dataset needs the same columns"):
        load_table(tmp_path / "part*.csv", target="y")
    with pytest.raises(FileNotFoundError, match="No CSV or Parquet files match"):
        load_table(tmp_path / "nothing*.parquet", target="y")
