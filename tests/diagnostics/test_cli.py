"""The ``diagnose`` command, mounted on a local typer app (the real ``glassbox`` app mounts
the same function)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from glassbox.cli.diagnose import diagnose_command

app = typer.Typer()
app.command("diagnose")(diagnose_command)
app.command("noop")(lambda: None)  # two commands, so "diagnose" is a sub-command as in glassbox
runner = CliRunner()


@pytest.fixture()
def csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(80, 3)), columns=["height", "width", "depth"])
    frame["price"] = 2 * frame["height"] - frame["width"] + rng.normal(size=80)
    frame["label"] = ["a", "b"] * 40
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def run(*args: str):
    result = runner.invoke(app, ["diagnose", *args])
    # rich wraps long lines at the terminal width (temporary paths vary in length).
    result.text = " ".join(result.output.split())
    return result


def test_prints_summary_and_writes_plots(csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = run(
        str(csv),
        "--target",
        "price",
        "--features",
        "height,width",
        "--features",
        "depth",
        "--cov-type",
        "HC3",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    for text in ("height", "width", "depth", "price", "HC3", "Assumption tests", "Breusch-Pagan"):
        assert text in result.text
    for name in ("residuals.png", "vif.png", "summary.txt", "summary.md", "summary.html"):
        assert (out / name).stat().st_size > 0


def test_missing_target_column(csv: Path) -> None:
    result = run(str(csv), "--target", "cost")
    assert result.exit_code == 2
    assert "Target column 'cost' is not in data.csv" in result.text


def test_non_numeric_columns_are_named(csv: Path) -> None:
    result = run(str(csv), "--target", "price")
    assert result.exit_code == 2
    assert "Non-numeric column(s) ['label']" in result.text


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    result = run(str(path), "--target", "y")
    assert result.exit_code == 2 and "is empty" in result.text
    path.write_text("x,y\n")
    result = run(str(path), "--target", "y")
    assert result.exit_code == 2 and "no data rows" in result.text


def test_unknown_cov_type_and_feature(csv: Path) -> None:
    result = run(str(csv), "--target", "price", "--features", "height", "--cov-type", "HC9")
    assert result.exit_code == 2 and "Unknown cov_type 'HC9'" in result.text
    result = run(str(csv), "--target", "price", "--features", "weight")
    assert result.exit_code == 2 and "['weight'] not in data.csv" in result.text
