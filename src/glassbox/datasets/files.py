"""CSV and Parquet files as datasets, with errors that say what to fix.

One column is the target (``target=``); every other column must be numeric. Empty files,
a missing target column, non-numeric columns (named) and missing values (counted per
column) are each refused with a message that says what was found and what to do.
"""

from __future__ import annotations

import csv
import glob
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from glassbox.datasets.dataset import Dataset

__all__ = ["SUFFIXES", "load_table"]

SUFFIXES = (".csv", ".txt", ".parquet", ".pq")


def _read_with_pandas(path: Path) -> tuple[list[str], dict[str, np.ndarray]]:
    import pandas as pd

    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, skipinitialspace=True)
    except pd.errors.EmptyDataError as error:
        raise ValueError(f"{path} is empty: it has no header and no rows.") from error
    columns = [str(c) for c in frame.columns]
    return columns, {str(c): frame[c].to_numpy() for c in frame.columns}


def _read_csv_stdlib(path: Path) -> tuple[list[str], dict[str, np.ndarray]]:
    """A CSV without pandas: numbers where every cell of a column parses, else strings."""
    with path.open(newline="") as handle:
        rows = [row for row in csv.reader(handle, skipinitialspace=True) if row]
    if not rows:
        raise ValueError(f"{path} is empty: it has no header and no rows.")
    header, body = rows[0], rows[1:]
    columns: dict[str, np.ndarray] = {}
    for j, name in enumerate(header):
        cells = [row[j] if j < len(row) else "" for row in body]
        try:
            columns[name] = np.array([float(c) if c != "" else np.nan for c in cells])
        except ValueError:
            columns[name] = np.array(cells, dtype=object)
    return header, columns


def _expand(path: Path) -> list[Path]:
    """The files a path names: itself, the CSV/Parquet files of a directory, or a glob."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
    elif any(character in str(path) for character in "*?["):
        files = sorted(Path(p) for p in glob.glob(str(path)))
    else:
        return [path]
    if not files:
        raise FileNotFoundError(f"No CSV or Parquet files match {path}.")
    return files


def _read_one(path: Path) -> tuple[list[str], dict[str, np.ndarray]]:
    """Header and columns of one file, with the checks that name the file."""
    if not path.is_file():
        raise FileNotFoundError(f"Data file {path} does not exist.")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(
            f"Cannot read {path}: unknown file type {suffix!r}. Use one of {list(SUFFIXES)}."
        )
    if path.stat().st_size == 0:
        raise ValueError(f"{path} is empty (0 bytes): it has no header and no rows.")
    if suffix in (".parquet", ".pq"):
        for module, extra in (("pandas", "data"), ("pyarrow", "data")):
            if importlib.util.find_spec(module) is None:
                raise ImportError(
                    f"Reading Parquet ({path}) needs {module}: pip install 'glassbox[{extra}]'"
                )
    if importlib.util.find_spec("pandas") is not None:
        return _read_with_pandas(path)
    return _read_csv_stdlib(path)


def _is_numeric(values: np.ndarray) -> bool:
    return values.dtype.kind in "iufb"


def load_table(
    path: str | Path, target: str | None, *, task: str = "auto", name: str | None = None
) -> Dataset:
    """Read a CSV or Parquet file into a :class:`Dataset` with ``target`` as y.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (or ``.txt``) file with a header row, or a ``.parquet`` file (pandas and
        pyarrow needed); or a directory or glob (``data/*.parquet``) of such files with the
        same columns, read one after another. CSV files are read by pandas when it is
        installed, else by the standard library.
    target : str
        The column to predict; all other columns are the features.
    task : {"auto", "regression", "classification"}
        "auto": classification when the target column is not numeric (labels), regression
        otherwise.
    name : str, optional
        The dataset's name (default: the file name without its suffix).
    """
    path = Path(path)
    if task not in ("auto", "regression", "classification"):
        raise ValueError(f"task must be 'auto', 'regression' or 'classification'; got {task!r}.")
    files = _expand(path)
    header, columns = _read_one(files[0])
    for other in files[1:]:
        other_header, other_columns = _read_one(other)
        if other_header != header:
            raise ValueError(
                f"{other} has columns {other_header}, but {files[0]} has {header}; every file "
                "of a dataset needs the same columns."
            )
        columns = {c: np.concatenate([columns[c], other_columns[c]]) for c in header}
    return _dataset_from_columns(path, header, columns, target, task, name)


def _dataset_from_columns(
    path: Path,
    header: list[str],
    columns: dict[str, np.ndarray],
    target: str | None,
    task: str,
    name: str | None,
) -> Dataset:
    if target is None or target == "":
        raise ValueError(
            f"Which column of {path} is the target? Pass target=COLUMN (--target on the "
            f"command line); the columns are {header}."
        )
    if target not in columns:
        raise ValueError(f"Target column {target!r} not found in {path}; its columns are {header}.")
    n_rows = len(columns[target])
    if n_rows == 0:
        raise ValueError(f"{path} is empty: it has a header ({header}) but no data rows.")
    features = [c for c in header if c != target]
    if not features:
        raise ValueError(f"{path} has only the target column {target!r}; no features to use.")
    non_numeric = [c for c in features if not _is_numeric(columns[c])]
    if non_numeric:
        examples = {c: _first_text(columns[c]) for c in non_numeric[:3]}
        raise ValueError(
            f"{path} has non-numeric column(s) {non_numeric} (e.g. {examples}); glassbox "
            "models need numbers. Encode them (for example one-hot with pandas.get_dummies) "
            "or drop them, and save the file again."
        )
    X = np.column_stack([columns[c].astype(np.float64) for c in features])
    y_raw = columns[target]
    if task == "auto":
        task = "regression" if _is_numeric(y_raw) else "classification"
    if task == "regression":
        if not _is_numeric(y_raw):
            raise ValueError(
                f"Target column {target!r} of {path} is not numeric (e.g. "
                f"{_first_text(y_raw)!r}); regression needs numbers. Use "
                "task='classification' for labels."
            )
        y: np.ndarray = y_raw.astype(np.float64)
    else:
        y = y_raw if _is_numeric(y_raw) else y_raw.astype(str)
    _check_missing(path, features, X, target, y)
    return Dataset(
        name=name or path.stem,
        X=X,
        y=y,
        task=task,
        feature_names=tuple(features),
        target_name=target,
        description=f"{n_rows} rows of {path.name}, target {target!r}",
        source=str(path),
    )


def _first_text(values: np.ndarray) -> Any:
    for value in values:
        if isinstance(value, str):
            return value
    return values[0] if len(values) else None


def _check_missing(
    path: Path, features: list[str], X: np.ndarray, target: str, y: np.ndarray
) -> None:
    counts = {c: int(n) for c, n in zip(features, np.isnan(X).sum(axis=0)) if n}
    if y.dtype.kind == "f" and np.isnan(y).any():
        counts[target] = int(np.isnan(y).sum())
    if counts:
        raise ValueError(
            f"{path} has missing values (column: count) {counts}. glassbox does not guess "
            "them: drop those rows or impute them first."
        )
