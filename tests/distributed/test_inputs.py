"""Bad and unusual input: errors that name the partition or the column, and what is fixed."""

from __future__ import annotations

import sys

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from glassbox.distributed import ChunkAlignmentWarning, read_table
from glassbox.linear import LinearRegression

pytestmark = pytest.mark.usefixtures("client")


def _data(n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    return X, 1.0 + X @ [2.0, -1.0, 0.5] + 0.1 * rng.normal(size=n)


def _close(model: LinearRegression, X: np.ndarray, y: np.ndarray) -> None:
    reference = LinearRegression().fit(X, y)
    # Well-conditioned, exact solvers on both sides: agreement to rounding.
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-10)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, rtol=1e-10)


def test_nan_names_the_partition() -> None:
    X, y = _data()
    X[45, 2] = np.nan
    with pytest.raises(ValueError, match=r"Partition 2 of X contains 1 NaN.*column\(s\) \[2\]"):
        LinearRegression().fit(da.from_array(X, chunks=(20, 3)), da.from_array(y, chunks=20))


def test_a_data_error_is_not_logged_by_the_worker_as_a_failed_task(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The error travels up the tree as a result and is raised on the driver: the user sees
    # glassbox's message, not Dask's "Compute Failed" record with a worker traceback first.
    X, y = _data()
    X[45, 2] = np.nan
    with caplog.at_level("ERROR", logger="distributed"), pytest.raises(ValueError):
        LinearRegression().fit(da.from_array(X, chunks=(20, 3)), da.from_array(y, chunks=20))
    assert not [r for r in caplog.records if "Compute Failed" in r.getMessage()]


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_non_finite_value_in_a_row_without_weight_is_still_named(bad: float) -> None:
    # The statistics pass does not scan the data: a non-finite result stands in for the scan.
    # A row of weight 0 adds nothing to the sums, so this is where that could slip through.
    X, y = _data()
    X[25, 1] = bad
    weights = np.ones(len(y))
    weights[20:40] = 0.0
    with pytest.raises(ValueError, match=r"Partition 1 of X contains .*column\(s\) \[1\]"):
        LinearRegression().fit(
            da.from_array(X, chunks=(20, 3)),
            da.from_array(y, chunks=20),
            sample_weight=da.from_array(weights, chunks=20),
        )


def test_finite_values_whose_sums_overflow_say_so() -> None:
    X, y = _data()
    X[:, 0] *= 1e300
    with pytest.raises(ValueError, match=r"overflow float64 although every value is finite"):
        LinearRegression().fit(da.from_array(X, chunks=(20, 3)), da.from_array(y, chunks=20))


def test_nan_in_dataframe_names_partition_and_column() -> None:
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame.loc[5, "b"] = np.nan
    ddf = dd.from_pandas(frame.assign(y=y), npartitions=3)
    with pytest.raises(ValueError, match=r"Partition 0 of X .*'b'"):
        LinearRegression().fit(ddf, "y")


def test_non_numeric_column_is_named_before_reading() -> None:
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(city="Oslo", y=y)
    with pytest.raises(TypeError, match=r"non-numeric column\(s\) \['city'\]"):
        LinearRegression().fit(dd.from_pandas(frame, npartitions=2), "y")


def test_mismatched_chunks_are_rechunked_and_said() -> None:
    X, y = _data()
    with pytest.warns(ChunkAlignmentWarning, match="y was rechunked to X's row chunks"):
        model = LinearRegression().fit(
            da.from_array(X, chunks=(20, 3)), da.from_array(y, chunks=15)
        )
    _close(model, X, y)


def test_unknown_chunk_sizes_that_cannot_match_are_explained() -> None:
    X, y = _data()
    lazy_X = da.from_array(X, chunks=(20, 3))
    lazy_X = lazy_X[lazy_X[:, 0] > -np.inf]  # boolean mask: chunk sizes become unknown
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        LinearRegression().fit(lazy_X, da.from_array(y, chunks=15))


def test_in_memory_y_with_dask_x() -> None:
    X, y = _data()
    model = LinearRegression().fit(da.from_array(X, chunks=(25, 3)), y)
    _close(model, X, y)


def test_empty_partition_is_skipped_and_reported() -> None:
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=y)
    ddf = dd.from_pandas(frame, npartitions=3)
    ddf = ddf.map_partitions(lambda part: part[part.index >= 20])  # partition 0 is rows 0-19
    with pytest.warns(
        ChunkAlignmentWarning, match=r"partition\(s\) of the data were empty \(\[0\]"
    ):
        model = LinearRegression().fit(ddf, "y")
    _close(model, X[20:], y[20:])


def test_all_partitions_empty_is_an_error() -> None:
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=y)
    ddf = dd.from_pandas(frame, npartitions=2)
    with pytest.raises(ValueError, match="Every partition of the data is empty"):
        LinearRegression().fit(ddf[ddf.a > 100], "y")


def test_rows_of_x_and_y_that_disagree_name_the_partition() -> None:
    X, y = _data()
    lazy_X = da.from_array(X, chunks=(20, 3))
    lazy_X = lazy_X[lazy_X[:, 0] > -np.inf]  # unknown sizes, same number of chunks as y
    with pytest.raises(ValueError, match=r"Partition \d: X has 20 rows but y has 25"):
        LinearRegression().fit(lazy_X, da.from_array(np.r_[y, y[:15]], chunks=25))


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_read_table_from_a_directory_and_a_glob(tmp_path, fmt: str) -> None:
    X, y = _data(90)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(target=y)
    for index, start in enumerate(range(0, 90, 30)):
        part = frame.iloc[start : start + 30]
        path = tmp_path / f"part-{index}.{fmt}"
        part.to_parquet(path) if fmt == "parquet" else part.to_csv(path, index=False)
    for where in (str(tmp_path), str(tmp_path / f"*.{fmt}")):
        features, target = read_table(where, target="target")
        model = LinearRegression().fit(features, target)
        assert list(model.feature_names_in_) == ["a", "b", "c"]
        _close(model, X, y)
    with pytest.raises(ValueError, match=r"Target column\(s\) \['price'\] not found"):
        read_table(str(tmp_path), target="price")


def test_missing_dask_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from glassbox.distributed import cluster

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"glassbox\[dask\]"):
        with cluster():
            pass


def test_other_engines_refuse_dask_input() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="backend='dask'"):
        LinearRegression(backend="sklearn").fit(da.from_array(X, chunks=(20, 3)), y)
