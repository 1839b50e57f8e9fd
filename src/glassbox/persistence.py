"""Save and load fitted models safely: arrays plus JSON, never pickle.

A saved model is a zip archive holding

* ``manifest.json``: the format name and version, the glassbox version, the estimator's class
  name, its constructor parameters, its fitted scalar attributes, and for every array its
  file name, dtype, shape and SHA-256 digest;
* one ``.npy`` file per fitted array, written and read with ``allow_pickle=False``.

Loading never runs code from the file: the class is looked up by name in glassbox's registry
of estimators, arrays are read as plain numeric data, and every digest is checked, so a
truncated, tampered or wrong-version file raises :class:`~glassbox.exceptions.SaveFormatError`
instead of producing a subtly different model. A round trip predicts bit-for-bit the same.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from glassbox.exceptions import SaveFormatError

FORMAT = "glassbox-model"
FORMAT_VERSION = 1
_MANIFEST = "manifest.json"


def _json_value(value: Any, where: str) -> Any:
    """A JSON-representable copy of a parameter or scalar attribute, or a clear TypeError."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else {"float": repr(number)}
    if isinstance(value, (list, tuple)):
        items = [_json_value(item, where) for item in value]
        return items if isinstance(value, list) else {"tuple": items}
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {"dict": {key: _json_value(item, where) for key, item in value.items()}}
    raise TypeError(
        f"Cannot save {where} of type {type(value).__name__}: only numbers, strings, booleans, "
        "None, lists, tuples, string-keyed dicts and NumPy arrays are stored (no pickle)."
    )


def _from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    if isinstance(value, dict):
        if set(value) == {"float"}:
            return float(value["float"])
        if set(value) == {"tuple"}:
            return tuple(_from_json(item) for item in value["tuple"])
        if set(value) == {"dict"}:
            return {key: _from_json(item) for key, item in value["dict"].items()}
        raise SaveFormatError(f"Unrecognized value in the manifest: {value!r}")
    return value


def _array_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _saveable_classes() -> dict[str, type]:
    """Objects that are not estimators but save themselves (``__glassbox_save__``): the
    neural-network Model, with its layers, weights and optimizer state."""
    from glassbox.nn.model import Model

    return {"Model": Model}


def _array_entry(value: np.ndarray, name: str, files: dict[str, bytes]) -> dict[str, Any]:
    data = _array_bytes(np.ascontiguousarray(value))
    filename = f"{name}.npy"
    files[filename] = data
    return {
        "file": filename,
        "dtype": value.dtype.str,
        "shape": list(value.shape),
        "sha256": hashlib.sha256(data).hexdigest(),
        "strings": value.dtype.kind == "U",
    }


def save(model: Any, path: str | Path) -> Path:
    """Write a fitted glassbox model to ``path`` (a zip of .npy arrays and a JSON manifest).

    An estimator is saved from its parameters and fitted attributes; an object with
    ``__glassbox_save__`` (a :class:`glassbox.nn.Model`) from the configuration, scalar state
    and arrays that method returns (its ``__glassbox_load__`` rebuilds it).
    """
    from glassbox.registry import estimators

    name = type(model).__name__
    estimator: Any = model
    saveable = _saveable_classes().get(name) is type(model)
    if not saveable and estimators().get(name) is not type(model):
        raise TypeError(f"Only registered glassbox estimators can be saved; got {name}.")
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "glassbox_version": _version(),
        "estimator": name,
        "params": {},
        "attributes": {},
        "arrays": {},
    }
    files: dict[str, bytes] = {}
    if saveable:
        config, attributes, arrays = model.__glassbox_save__()
        manifest["kind"] = "state"
        manifest["params"] = _json_value(config, "the configuration")
        manifest["attributes"] = {
            k: _json_value(v, f"attribute {k!r}") for k, v in attributes.items()
        }
        for index, (key, value) in enumerate(sorted(arrays.items())):
            manifest["arrays"][key] = _array_entry(np.asarray(value), f"array{index}", files)
        return _write(path, manifest, files)
    estimator._check_is_fitted()
    manifest["params"] = {
        k: _json_value(v, f"parameter {k!r}") for k, v in estimator.get_params(deep=False).items()
    }
    for attribute, value in sorted(vars(model).items()):
        if not attribute.endswith("_") or attribute.startswith("_"):
            continue
        if isinstance(value, np.ndarray):
            if value.dtype == object:
                if not all(isinstance(item, str) for item in value.ravel()):
                    raise TypeError(
                        f"Cannot save object array {attribute!r}: only strings allowed."
                    )
                value = value.astype(str)
            manifest["arrays"][attribute] = _array_entry(value, attribute, files)
        else:
            manifest["attributes"][attribute] = _json_value(value, f"attribute {attribute!r}")
    return _write(path, manifest, files)


def _write(path: str | Path, manifest: dict[str, Any], files: dict[str, bytes]) -> Path:
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_MANIFEST, json.dumps(manifest, indent=2, allow_nan=False))
        for filename, data in files.items():
            archive.writestr(filename, data)
    return path


def load(path: str | Path) -> Any:
    """Read a model written by :func:`save`, checking its format, version and digests."""
    from glassbox.registry import estimators

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No saved model at {path}.")
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(_MANIFEST))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise SaveFormatError(f"{path} is not a glassbox model file.")
            version = manifest.get("format_version")
            if version != FORMAT_VERSION:
                raise SaveFormatError(
                    f"{path} uses glassbox model format version {version!r}; this glassbox "
                    f"({_version()}) reads version {FORMAT_VERSION}. Re-save the model with a "
                    "matching glassbox version."
                )
            arrays = {
                attribute: _read_array(archive, attribute, entry, path)
                for attribute, entry in manifest["arrays"].items()
            }
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, EOFError, OSError) as error:
        raise SaveFormatError(
            f"{path} is truncated or corrupted and cannot be loaded ({type(error).__name__}: "
            f"{error})."
        ) from error
    if manifest.get("kind") == "state":
        saveable = _saveable_classes().get(manifest["estimator"])
        if saveable is None:
            raise SaveFormatError(f"{path} holds an unknown object {manifest['estimator']!r}.")
        return saveable.__glassbox_load__(  # type: ignore[attr-defined]
            _from_json(manifest["params"]),
            {k: _from_json(v) for k, v in manifest["attributes"].items()},
            arrays,
        )
    cls = estimators().get(manifest["estimator"])
    if cls is None:
        raise SaveFormatError(f"{path} holds an unknown estimator {manifest['estimator']!r}.")
    model = cls(**{k: _from_json(v) for k, v in manifest["params"].items()})
    for attribute, value in manifest["attributes"].items():
        setattr(model, attribute, _from_json(value))
    for attribute, array in arrays.items():
        setattr(model, attribute, array)
    return model


def _read_array(
    archive: zipfile.ZipFile, attribute: str, entry: dict[str, Any], path: Path
) -> np.ndarray:
    data = archive.read(entry["file"])
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise SaveFormatError(
            f"{path}: the data of {attribute!r} does not match its recorded digest; the file "
            "was modified or damaged after it was saved."
        )
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as error:
        raise SaveFormatError(f"{path}: {attribute!r} is not a plain numeric array.") from error
    if array.dtype.str != entry["dtype"] or list(array.shape) != entry["shape"]:
        raise SaveFormatError(f"{path}: {attribute!r} has an unexpected dtype or shape.")
    return array.astype(object) if entry.get("strings") else array


def _version() -> str:
    from glassbox import __version__

    return __version__
