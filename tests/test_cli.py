"""The glassbox command line, driven as a user would (typer's test runner)."""

from __future__ import annotations

import pytest

pytest.importorskip("typer")
from typer.testing import CliRunner

from glassbox.cli.app import app

runner = CliRunner()


def test_list_prints_the_matrix_and_why_things_are_missing():
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    assert "LinearRegression" in result.output and "minibatch" in result.output
    assert "deliberately absent" in result.output
    assert "no mini-batch gradient descent" in " ".join(result.output.split())


def test_list_rejects_unknown_backend_and_model():
    assert runner.invoke(app, ["list", "--backend", "jax"]).exit_code == 2
    assert runner.invoke(app, ["list", "--model", "Nope"]).exit_code == 2
