"""glassbox.save / glassbox.load: safe (no pickle), versioned, tamper-evident, bit-for-bit."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

import glassbox
from glassbox.exceptions import SaveFormatError


@pytest.fixture
def fitted():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3))
    Y = X @ rng.standard_normal((3, 2)) + 1.0
    return glassbox.LinearRegression(solver="qr").fit(X, Y), X


def rewrite(path, name, transform):
    """Copy the archive, applying ``transform`` to member ``name``."""
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    members[name] = transform(members[name])
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)


def test_round_trip_keeps_everything(fitted, tmp_path):
    model, X = fitted
    loaded = glassbox.load(glassbox.save(model, tmp_path / "m.gbx"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.solver_ == "qr" and loaded.rank_ == model.rank_
    np.testing.assert_array_equal(loaded.intercept_, model.intercept_)


def test_file_contains_no_pickle(fitted, tmp_path):
    model, _ = fitted
    path = glassbox.save(model, tmp_path / "m.gbx")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
    assert "manifest.json" in names and all(n.endswith((".npy", ".json")) for n in names)
    assert manifest["format_version"] == 1 and manifest["estimator"] == "LinearRegression"


def test_truncated_file_is_refused(fitted, tmp_path):
    model, _ = fitted
    path = glassbox.save(model, tmp_path / "m.gbx")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SaveFormatError, match="truncated or corrupted"):
        glassbox.load(path)


def test_tampered_array_is_refused(fitted, tmp_path):
    model, _ = fitted
    path = glassbox.save(model, tmp_path / "m.gbx")

    def flip_last_byte(data: bytes) -> bytes:
        return data[:-1] + bytes([data[-1] ^ 1])

    rewrite(path, "coef_.npy", flip_last_byte)
    with pytest.raises(SaveFormatError, match="does not match its recorded digest"):
        glassbox.load(path)


def test_wrong_version_is_refused(fitted, tmp_path):
    model, _ = fitted
    path = glassbox.save(model, tmp_path / "m.gbx")

    def bump(data: bytes) -> bytes:
        manifest = json.loads(data)
        manifest["format_version"] = 99
        return json.dumps(manifest).encode()

    rewrite(path, "manifest.json", bump)
    with pytest.raises(SaveFormatError, match="format version 99"):
        glassbox.load(path)


def test_unknown_estimator_and_foreign_files_are_refused(fitted, tmp_path):
    model, _ = fitted
    path = glassbox.save(model, tmp_path / "m.gbx")

    def rename(data: bytes) -> bytes:
        manifest = json.loads(data)
        manifest["estimator"] = "os.system"
        return json.dumps(manifest).encode()

    rewrite(path, "manifest.json", rename)
    with pytest.raises(SaveFormatError, match=r"unknown estimator 'os\.system'"):
        glassbox.load(path)
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(SaveFormatError):
        glassbox.load(other)


def test_unfitted_and_foreign_models_cannot_be_saved(tmp_path):
    with pytest.raises(glassbox.NotFittedError):
        glassbox.save(glassbox.LinearRegression(), tmp_path / "m.gbx")
    from sklearn.linear_model import LinearRegression

    with pytest.raises(TypeError, match="Only registered glassbox estimators"):
        glassbox.save(LinearRegression(), tmp_path / "m.gbx")
