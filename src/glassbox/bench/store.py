"""results.json and results.csv: written atomically after every cell, read back to resume.

Every write goes to a temporary file in the same folder, then ``os.replace`` swaps it in, so
a reader (or a run stopped by Ctrl-C mid-write) never sees half a file. Each cell's JSON is
serialized once, when it completes, so rewriting the document after every cell costs a
string join, not a re-serialization of every earlier cell's per-epoch history.

Schema ``glassbox.bench.results`` version 1::

    {"schema": "glassbox.bench.results", "schema_version": 1, "kind": "bench" | "sweep",
     "created": ISO time, "config": {...}, "environment": {...}, "protocol": "...",
     "datasets": {name: {...}}, "skipped": [{dataset, model, method, backend, reason}],
     "summary": {...}, "cells": [record, ...]}

A record holds the cell (dataset, model, method, backend, params), its ``status`` ("ok",
"failed" or "diverged") and ``error``, the timings, memory, epochs, convergence, the test
and validation metrics, the correct digits, warnings, and the per-epoch ``history``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "CSV_COLUMNS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "ResultsStore",
    "jsonable",
    "read_results",
    "write_atomic",
]

SCHEMA = "glassbox.bench.results"
SCHEMA_VERSION = 1

CSV_COLUMNS = (
    "key",
    "dataset",
    "model",
    "method",
    "backend",
    "tag",
    "task",
    "status",
    "test_rmse",
    "test_mae",
    "test_median_ae",
    "test_r2",
    "test_adj_r2",
    "test_accuracy",
    "test_log_loss",
    "test_f1",
    "test_roc_auc",
    "val_loss",
    "fit_seconds_median",
    "fit_seconds_min",
    "fit_seconds_max",
    "n_fits",
    "warmup_seconds",
    "peak_memory_bytes",
    "epochs",
    "converged",
    "convergence_note",
    "digits",
    "solver",
    "device",
    "params",
    "error",
)


def jsonable(value: Any) -> Any:
    """``value`` with NumPy types made plain and NaN / ±inf made ``null`` (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        number = float(value)
        return number if math.isfinite(number) else None
    if value is None or isinstance(value, str):
        return value
    return str(value)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        with _ignore():
            os.unlink(temporary)
        raise


class _ignore:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> bool:
        return True


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """A result record flattened to the CSV columns (parameters as JSON, error as text)."""
    row = {column: record.get(column) for column in CSV_COLUMNS}
    row["params"] = json.dumps(jsonable(record.get("params") or {}), sort_keys=True)
    error = record.get("error")
    row["error"] = f"{error['type']}: {error['message']}" if error else ""
    return {k: ("" if v is None else v) for k, v in row.items()}


def csv_text(records: list[dict[str, Any]]) -> str:
    """Result records as CSV text with a header row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(csv_row(record))
    return buffer.getvalue()


class ResultsStore:
    """The results of one run in ``folder`` (None: kept in memory only)."""

    def __init__(self, folder: str | Path | None, header: dict[str, Any]) -> None:
        self.folder = Path(folder) if folder is not None else None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
        self.header = dict(header)
        self.records: dict[str, dict[str, Any]] = {}
        self._json: dict[str, str] = {}

    def add(self, record: dict[str, Any]) -> None:
        """Add (or replace) a completed cell and save everything at once."""
        clean = jsonable(record)
        self.records[record["key"]] = clean
        self._json[record["key"]] = json.dumps(clean, allow_nan=False)
        self.save()

    def restore(self, record: dict[str, Any]) -> None:
        """Keep a cell completed by an earlier run (``--resume``) without saving yet."""
        clean = jsonable(record)
        self.records[record["key"]] = clean
        self._json[record["key"]] = json.dumps(clean, allow_nan=False)

    def document_text(self) -> str:
        """The results document (header and one JSON object per cell) as text."""
        head = json.dumps(jsonable(self.header), indent=1, allow_nan=False)
        cells = ",\n".join(self._json[key] for key in self.records)
        return head[:-2] + ',\n "cells": [\n' + cells + "\n ]\n}\n"

    def save(self) -> None:
        """Write results.json and results.csv atomically into the folder (nothing without one)."""
        if self.folder is None:
            return
        write_atomic(self.folder / "results.json", self.document_text())
        write_atomic(self.folder / "results.csv", csv_text(list(self.records.values())))


def read_results(path: str | Path) -> dict[str, Any]:
    """A results.json document, checked to be one this version of glassbox can read."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error}); it cannot be resumed.") from error
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise ValueError(f"{path} is not a glassbox results file (no schema {SCHEMA!r}).")
    if document.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(
            f"{path} has schema version {document.get('schema_version')}; this glassbox "
            f"reads version {SCHEMA_VERSION}. Use another --out folder."
        )
    return document
