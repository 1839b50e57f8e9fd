"""The glassbox command line, driven as a user would (typer's test runner)."""

from __future__ import annotations

import pytest

pytest.importorskip("typer")
from typer.testing import CliRunner

from glassbox.bench.exact import run_exact
from glassbox.cli.app import app

runner = CliRunner()


def test_bench_prints_a_table_per_dataset():
    result = runner.invoke(app, ["bench", "--dataset", "lesson", "--repeats", "1"])
    assert result.exit_code == 0, result.output
    assert "dataset: lesson" in result.output and "beta" in result.output


def test_bench_rejects_an_unknown_dataset():
    result = runner.invoke(app, ["bench", "--dataset", "nope"])
    assert result.exit_code == 2
    assert "Unknown dataset(s) ['nope']" in result.output


def test_lesson_rows_agree_with_the_reference():
    rows = run_exact(["lesson", "polynomial"], repeats=1)
    glassbox_rows = [r for r in rows if r.engine == "glassbox" and r.seconds is not None]
    assert glassbox_rows and all(r.digits is not None and r.digits >= 9 for r in glassbox_rows)
    beta = next(r for r in rows if r.dataset == "lesson" and r.method == "beta")
    assert beta.r2 is not None and beta.r2 > 0.9


def test_list_prints_the_matrix_and_why_things_are_missing():
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    assert "LinearRegression" in result.output and "minibatch" in result.output
    assert "deliberately absent" in result.output
    assert "no mini-batch gradient descent" in " ".join(result.output.split())


def test_list_rejects_unknown_backend_and_model():
    assert runner.invoke(app, ["list", "--backend", "jax"]).exit_code == 2
    assert runner.invoke(app, ["list", "--model", "Nope"]).exit_code == 2
