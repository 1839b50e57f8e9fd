"""``glassbox bench`` and ``glassbox sweep`` driven as a user would (typer's test runner)."""

from __future__ import annotations

import csv
import io
import json

import pytest

pytest.importorskip("typer")
from typer.testing import CliRunner

from glassbox.bench import read_results
from glassbox.cli.app import app

runner = CliRunner()
TINY = [
    "--dataset", "lesson", "--n-samples", "40", "--backends", "numpy",
    "--methods", "qr,bgd", "--repeats", "1", "--min-time", "0", "--max-time", "0.05",
]  # fmt: skip


def test_bench_prints_the_table_and_the_overhead():
    result = runner.invoke(app, ["bench", *TINY])
    assert result.exit_code == 0, result.output
    for text in ("test RMSE", "adj R²", "fit ms", "peak mem", "digits", "qr", "bgd", "overhead"):
        assert text in result.output


@pytest.mark.parametrize("output_format", ["json", "csv", "markdown"])
def test_bench_formats_parse(output_format):
    result = runner.invoke(app, ["bench", *TINY, "--format", output_format])
    assert result.exit_code == 0, result.output
    if output_format == "json":
        document = json.loads(result.stdout)
        assert [c["method"] for c in document["cells"]] == ["qr", "bgd"]
    elif output_format == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert [r["method"] for r in rows] == ["qr", "bgd"]
    else:
        assert "| model | method | engine | test RMSE |" in result.stdout


def test_bench_config_file_and_flags_override_it(tmp_path):
    config = tmp_path / "bench.toml"
    config.write_text(
        'datasets = ["lesson"]\nn_samples = 40\nbackends = ["numpy"]\nmethods = ["qr", "svd"]\n'
        "repeats = 1\nmin_time = 0.0\nseed = 3\nfigures = false\n"
        "[params.LinearRegression]\nmax_epochs = 20\n"
    )
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["bench", "--config", str(config), "--methods", "svd", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    document = read_results(out / "results.json")
    assert document["config"]["seed"] == 3 and document["config"]["methods"] == ["svd"]
    assert document["config"]["params"] == {"LinearRegression": {"max_epochs": 20}}
    assert [c["method"] for c in document["cells"]] == ["svd"]


def test_bench_config_file_errors_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("repeatz = 3\n")
    result = runner.invoke(app, ["bench", "--config", str(bad)])
    assert result.exit_code == 2 and "Unknown option(s) ['repeatz']" in result.output


def test_bench_failing_cell_exits_1_and_the_run_goes_on(tmp_path):
    config = tmp_path / "bench.toml"
    config.write_text("[params.LinearRegression]\nbatch_size = 100000\nmax_epochs = 3\n")
    out = tmp_path / "out"
    args = ["bench", *TINY, "--methods", "qr,minibatch", "--config", str(config), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    statuses = [c["status"] for c in read_results(out / "results.json")["cells"]]
    assert statuses == ["ok", "ok", "failed"]  # qr, bgd (from TINY), then minibatch


def test_bench_unknown_model_and_backend_exit_2():
    assert runner.invoke(app, ["bench", "--models", "Nope"]).exit_code == 2
    result = runner.invoke(app, ["bench", "--backends", "jax"])
    assert result.exit_code == 2 and "Unknown backend" in result.output


def test_bench_on_a_csv_file_and_its_errors(tmp_path):
    path = tmp_path / "houses.csv"
    rows = "\n".join(f"{a},{a % 7},{3 * a + a % 7}" for a in range(30))
    path.write_text("area,rooms,price\n" + rows + "\n")
    base = [
        "bench",
        "--dataset",
        str(path),
        "--backends",
        "numpy",
        "--methods",
        "qr",
        "--repeats",
        "1",
    ]
    result = runner.invoke(app, [*base, "--target", "price", "--min-time", "0"])
    assert result.exit_code == 0, result.output
    assert "houses" in result.output
    missing = runner.invoke(app, [*base, "--target", "cost"])
    assert missing.exit_code == 2 and "Target column 'cost' not found" in missing.output


def test_resume_needs_out():
    result = runner.invoke(app, ["bench", *TINY, "--resume"])
    assert result.exit_code == 2 and "resume needs out" in result.output
