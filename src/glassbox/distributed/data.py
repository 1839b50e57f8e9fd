"""Data in: Dask arrays, Dask DataFrames, and Parquet/CSV files, as row partitions checked lazily.

Nothing here reads the data. :func:`as_partitions` turns (X, y, sample_weight) into one Dask
task per row partition, each of which, when it runs on a worker, converts its piece to float64
and checks it (finite values, matching lengths, non-negative weights), raising an error that
names the partition. What can be checked from metadata alone (the number of columns, the
column types of a DataFrame, the row chunking of X against y) is checked here, at once.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassbox.distributed._dask import is_dask_collection, is_dask_dataframe, require


class ChunkAlignmentWarning(UserWarning):
    """y or sample_weight was re-partitioned to line up with the row chunks of X."""


@dataclass(frozen=True)
class TargetColumns:
    """Marks y as columns of X's own partitions (one read per partition, never misaligned)."""

    names: tuple[str, ...]


@dataclass
class Partitions:
    """A design split into row partitions: ``blocks[i]`` holds the Dask objects (X, Y, w) of
    partition i (w may be None), still unread."""

    blocks: list[tuple[Any, Any, Any]]
    n_features: int
    n_targets: int
    y_ndim: int
    feature_names: np.ndarray | None
    notes: list[str] = field(default_factory=list)
    rows: tuple[int, ...] | None = None  # rows per partition, when known from metadata

    def __len__(self) -> int:
        return len(self.blocks)


def _as_float(block: Any, what: str, partition: int) -> np.ndarray:
    values = block.to_numpy() if hasattr(block, "to_numpy") else np.asarray(block)
    if values.dtype.kind not in "fiub":
        raise TypeError(
            f"Partition {partition} of {what} holds values of dtype {values.dtype}; glassbox "
            "models need numbers. Convert or encode that column first."
        )
    return np.asarray(values, dtype=np.float64)


def _check_finite(values: np.ndarray, what: str, partition: int, names: Any = None) -> None:
    if np.isfinite(values.sum()) or values.size == 0:
        return
    bad = ~np.isfinite(values)
    if not bad.any():  # the sum overflowed on huge but finite values
        return
    columns = np.flatnonzero(bad.reshape(len(values), -1).any(axis=0)).tolist()
    labels = [f"{j} ({names[j]!r})" for j in columns] if names is not None else columns
    first_row = int(np.flatnonzero(bad.reshape(len(values), -1).any(axis=1))[0])
    raise ValueError(
        f"Partition {partition} of {what} contains {int(np.isnan(values).sum())} NaN and "
        f"{int(np.isinf(values).sum())} infinite value(s) (column(s) {labels}; first at row "
        f"{first_row} of the partition). Drop or impute those rows first, for example "
        "ddf.dropna()."
    )


def load_partition(
    x: Any,
    y: Any,
    w: Any,
    partition: int,
    n_features: int,
    names: Any = None,
    check_finite: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """One partition as checked float64 arrays X (n, p), Y (n, k), w (n,) or None.

    Runs on a worker; every error names the partition. ``check_finite=False`` leaves out the
    scan of X and Y for NaN and infinity, for a caller whose result shows them anyway (a sum
    over the rows is NaN or infinite when any of its terms is) and that reloads the partition
    with the check to name the bad values when it does.
    """
    if isinstance(y, TargetColumns):
        y = x[list(y.names)]
        x = x.drop(columns=list(y.columns))
    X = _as_float(x, "X", partition)
    if X.ndim != 2 or X.shape[1] != n_features:
        raise ValueError(
            f"Partition {partition} of X has shape {X.shape}; expected (rows, {n_features})."
        )
    Y = _as_float(y, "y", partition)
    Y = Y[:, None] if Y.ndim == 1 else Y
    if len(Y) != len(X):
        raise ValueError(
            f"Partition {partition}: X has {len(X)} rows but y has {len(Y)}. X and y must be "
            "split into the same row partitions; rechunk y like X (y.rechunk(X.chunks[0])) or "
            "take both from one DataFrame."
        )
    if check_finite:
        _check_finite(X, "X", partition, names)
        _check_finite(Y, "y", partition)
    weights = None if w is None else load_weights(w, partition, len(X), "X")
    return X, Y, weights


def load_weights(w: Any, partition: int, n_rows: int, beside: str) -> np.ndarray:
    """One partition of sample_weight as checked float64 (n_rows,): as many rows as
    ``beside`` (the array named in the error), finite, non-negative."""
    weights = _as_float(w, "sample_weight", partition).ravel()
    if len(weights) != n_rows:
        raise ValueError(
            f"Partition {partition}: {beside} has {n_rows} rows but sample_weight has "
            f"{len(weights)}; split them into the same row partitions."
        )
    _check_finite(weights, "sample_weight", partition)
    if np.any(weights < 0):
        raise ValueError(
            f"Partition {partition} of sample_weight has negative values; weights must be >= 0."
        )
    return weights


# --- metadata checks and alignment ----------------------------------------------------------


def _non_numeric_columns(frame: Any) -> list[str]:
    return [
        str(name)
        for name, dtype in zip(frame.columns, frame.dtypes)
        if getattr(dtype, "kind", None) not in ("i", "u", "f", "b")
    ]


def _row_chunks(array: Any) -> tuple[int, ...] | None:
    chunks = array.chunks[0]
    return None if any(np.isnan(c) for c in chunks) else tuple(int(c) for c in chunks)


def _partition_lengths(X: Any, client: Any = None) -> tuple[int, ...]:
    if is_dask_dataframe(X):
        lengths = X.map_partitions(len).compute()
        return tuple(int(n) for n in lengths)
    chunks = _row_chunks(X)
    if chunks is None:
        chunks = tuple(int(c) for c in X.compute_chunk_sizes().chunks[0])
    return chunks


def _split_like(values: np.ndarray, lengths: tuple[int, ...]) -> list[np.ndarray]:
    return np.split(values, np.cumsum(lengths)[:-1])


def _blocks_of(obj: Any, optimize: bool = False) -> list[Any]:
    """The row partitions of a Dask collection as a list of Delayed objects.

    Collections are not optimized one by one: for DataFrames the optimizer may fuse the
    partitions of a narrow projection (y alone) differently from a wide one (X), misaligning
    their rows; for arrays it would fuse the source of X and of y into separate tasks, so a
    chunk that both are sliced from would be read (or generated) twice.
    """
    if is_dask_dataframe(obj):
        return list(obj.to_delayed(optimize_graph=optimize))
    if obj.ndim == 2 and obj.numblocks[1] > 1:
        obj = obj.rechunk({1: -1})
    return list(np.ravel(obj.to_delayed(optimize_graph=False)))


def _align(
    other: Any, X: Any, name: str, notes: list[str], x_lengths: list[tuple[int, ...] | None]
) -> list[Any]:
    """Row partitions of y (or sample_weight) that line up with those of X."""
    n_partitions = X.npartitions if is_dask_dataframe(X) else X.numblocks[0]
    if not is_dask_collection(other):
        values = np.asarray(other.to_numpy() if hasattr(other, "to_numpy") else other)
        lengths = x_lengths[0]
        if lengths is None:
            lengths = x_lengths[0] = _partition_lengths(X)
            notes.append(
                f"read X's partition lengths (one cheap pass) to split the in-memory {name}"
            )
        if len(values) != sum(lengths):
            raise ValueError(
                f"X has {sum(lengths)} rows but {name} has {len(values)}; pass one value per row."
            )
        return _split_like(values, lengths)
    if is_dask_dataframe(other) and is_dask_dataframe(X):
        if other.npartitions != n_partitions:
            if not (X.known_divisions and other.known_divisions):
                raise ValueError(
                    f"X has {n_partitions} partitions but {name} has {other.npartitions}, and "
                    "their index divisions are unknown, so rows cannot be matched. Take X and "
                    f"{name} from the same DataFrame (fit(df[features], df[target])) or pass "
                    "the target's column name."
                )
            other = other.repartition(divisions=X.divisions)
            _warn(
                notes,
                f"{name} was repartitioned to X's index divisions ({n_partitions} partitions)",
            )
        return _blocks_of(other)
    if is_dask_dataframe(other):
        other = other.to_dask_array()
    if is_dask_dataframe(X):
        if other.numblocks[0] != n_partitions:
            raise ValueError(
                f"X is a DataFrame with {n_partitions} partitions but {name} is an array with "
                f"{other.numblocks[0]} row chunks; convert {name} to a Series of the same frame "
                "or pass the target's column name."
            )
        return _blocks_of(other)
    x_chunks, other_chunks = _row_chunks(X), _row_chunks(other)
    if x_chunks is not None and other_chunks is not None:
        if x_chunks != other_chunks:
            if sum(x_chunks) != sum(other_chunks):
                raise ValueError(
                    f"X has {sum(x_chunks)} rows but {name} has {sum(other_chunks)}; pass one "
                    "value per row."
                )
            other = other.rechunk({0: x_chunks})
            _warn(notes, f"{name} was rechunked to X's row chunks {_describe(x_chunks)}")
        return _blocks_of(other)
    if other.numblocks[0] != n_partitions:
        raise ValueError(
            f"X and {name} have different numbers of row chunks ({n_partitions} and "
            f"{other.numblocks[0]}) and unknown chunk sizes, so rows cannot be matched. Call "
            f".compute_chunk_sizes() on both (one cheap pass) and glassbox will rechunk {name}."
        )
    return _blocks_of(other)  # lengths are checked partition by partition when read


def _describe(chunks: tuple[int, ...]) -> str:
    if len(chunks) <= 6:
        return str(chunks)
    return f"({chunks[0]}, {chunks[1]}, ..., {chunks[-1]}; {len(chunks)} chunks)"


def _warn(notes: list[str], message: str) -> None:
    notes.append(message)
    warnings.warn(message + " (no data moved to the driver).", ChunkAlignmentWarning, stacklevel=4)


def as_partitions(X: Any, y: Any, sample_weight: Any = None) -> Partitions:
    """Check (X, y, sample_weight) from their metadata and split them into row partitions.

    Parameters
    ----------
    X : Dask array (n, p), Dask DataFrame, or a NumPy array (chunked here).
    y : Dask array / Series / DataFrame, NumPy array, or, when X is a DataFrame, the name (or
        list of names) of its target column(s), which are then taken out of X.
    sample_weight : Dask or NumPy array of shape (n,), optional
    """
    da = require("dask.array")
    if X is None or y is None:
        raise ValueError("fit needs both X and y; got None.")
    notes: list[str] = []
    names = None
    frame = None  # X with its target columns, when y names them
    if is_dask_dataframe(X):
        if isinstance(y, str) or (isinstance(y, list) and y and all(isinstance(c, str) for c in y)):
            targets = [y] if isinstance(y, str) else y
            missing = [c for c in targets if c not in X.columns]
            if missing:
                raise ValueError(
                    f"Target column(s) {missing} not in the DataFrame; its columns are "
                    f"{list(X.columns)}."
                )
            frame, y = X, X[y]
            X = X.drop(columns=targets)
        if hasattr(X, "columns"):
            bad = _non_numeric_columns(X)
            if bad:
                raise TypeError(
                    f"X has non-numeric column(s) {bad}; glassbox models need numbers. Encode "
                    "categorical columns first (for example dd.get_dummies after "
                    ".categorize()) or drop them."
                )
            if all(isinstance(c, str) for c in X.columns):
                names = np.asarray(list(X.columns), dtype=object)
            n_features = len(X.columns)
        else:  # a Dask Series as X
            X = X.to_frame()
            n_features = 1
    else:
        if not is_dask_collection(X):
            X = np.asarray(X)
            X = da.from_array(X, chunks=(_default_rows(X.shape), -1))
        if X.ndim != 2:
            raise ValueError(
                f"Expected a 2-D Dask array for X, got {X.ndim} dimension(s) (shape {X.shape}); "
                "reshape it to (n_samples, n_features)."
            )
        if X.dtype.kind not in "fiub":
            raise TypeError(
                f"X has dtype {X.dtype}; glassbox models need numbers. Convert it with "
                "X.astype(float)."
            )
        n_features = int(X.shape[1])
        if n_features == 0:
            raise ValueError("X has no features (0 columns); pass at least one.")
    if is_dask_collection(y):
        y_ndim = int(y.ndim)
        if y_ndim == 2:
            n_targets = len(y.columns) if is_dask_dataframe(y) else int(y.shape[1])
        else:
            n_targets = 1
    else:
        y_shape = np.shape(y)
        y_ndim = len(y_shape)
        n_targets = int(y_shape[1]) if y_ndim == 2 else 1
    if y_ndim not in (1, 2):
        raise ValueError(f"y must be 1-D or 2-D; got {y_ndim} dimensions.")
    x_lengths: list[tuple[int, ...] | None] = [None]
    if frame is not None:
        x_blocks = _blocks_of(frame, optimize=True)
        y_blocks: list[Any] = [TargetColumns(tuple(targets))] * len(x_blocks)
    else:
        x_blocks = _blocks_of(X)
        y_blocks = _align(y, X, "y", notes, x_lengths)
    if sample_weight is None:
        w_blocks: list[Any] = [None] * len(x_blocks)
    elif np.isscalar(sample_weight):
        raise TypeError("sample_weight must be an array with one weight per row, not a scalar.")
    else:
        w_blocks = _align(sample_weight, X, "sample_weight", notes, x_lengths)
    blocks = list(zip(x_blocks, y_blocks, w_blocks))
    rows = None if is_dask_dataframe(X) else _row_chunks(X)
    return Partitions(blocks, n_features, n_targets, y_ndim, names, notes, rows)


def _default_rows(shape: tuple[int, ...]) -> int:
    """Rows per chunk for in-memory data: about 64 MB, and at least 4 chunks when it is big."""
    n_samples, n_features = shape[0], shape[1] if len(shape) > 1 else 1
    rows = max(1, (64 * 2**20) // (8 * max(n_features, 1)))
    return int(max(1, min(rows, -(-n_samples // 4) if n_samples > 4 * 4096 else n_samples)))


def read_table(path: str, target: str | list[str] | None = None, **options: Any) -> Any:
    """Read a directory or glob of Parquet or CSV files lazily, as a Dask DataFrame.

    Parameters
    ----------
    path : str
        ``"data/"`` (every ``*.parquet`` or ``*.csv`` file in it), ``"data/*.parquet"``,
        ``"s3://bucket/part-*.csv"``, ... The format follows the file extension.
    target : str or list of str, optional
        Column(s) to predict; checked to exist. Returns (X, y) when given, else the frame.
    **options : passed to ``dask.dataframe.read_parquet`` or ``read_csv``.

    Returns
    -------
    DataFrame, or (X, y) with X the other columns: nothing is read but the metadata.
    """
    import glob
    import os

    dd = require("dask.dataframe")
    pattern = path
    if os.path.isdir(path):
        for extension in ("parquet", "csv"):
            if glob.glob(os.path.join(path, f"*.{extension}")):
                pattern = os.path.join(path, f"*.{extension}")
                break
        else:
            raise ValueError(f"No *.parquet or *.csv files in the directory {path!r}.")
    lowered = pattern.lower()
    if lowered.endswith((".parquet", ".pq")):
        frame = dd.read_parquet(pattern, **options)
    elif lowered.endswith((".csv", ".csv.gz", ".txt")):
        frame = dd.read_csv(pattern, **options)
    else:
        raise ValueError(
            f"Cannot tell the format of {path!r}: name Parquet files *.parquet and CSV files "
            "*.csv, or pass a directory holding them."
        )
    if target is None:
        return frame
    targets = [target] if isinstance(target, str) else list(target)
    missing = [c for c in targets if c not in frame.columns]
    if missing:
        raise ValueError(
            f"Target column(s) {missing} not found in {path!r}; its columns are "
            f"{list(frame.columns)}."
        )
    y = frame[target]
    return frame.drop(columns=targets), y
