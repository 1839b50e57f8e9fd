"""Sweeps: the grid, the validation loss that ranks it, the heatmap and the best setting."""

from __future__ import annotations

import json
import math

import pytest
from bench_configs import tiny

from glassbox.bench import read_results, run_sweep
from glassbox.bench.sweep import settings


def sweep_config(out=None, **sweep):
    options = {
        "model": "LinearRegression",
        "method": "minibatch",
        "backend": "numpy",
        "learning_rate": [0.001, 0.05, 1e4],
        "batch_size": [4, 16],
        "max_epochs": [15],
        "optimizer": [],
        **sweep,
    }
    return tiny(out, datasets=["regression"], n_samples=60, n_features=3, params={}, sweep=options)


def test_grid_and_random_settings():
    config = sweep_config()
    grid = settings(config)
    assert len(grid) == 6 and grid[0] == {"learning_rate": 0.001, "batch_size": 4, "max_epochs": 15}
    drawn = settings(sweep_config(search="random", n_iter=4))
    assert len(drawn) == 4 and all(d in grid for d in drawn)
    assert drawn == settings(sweep_config(search="random", n_iter=4))  # seeded


def test_sweep_ranks_by_validation_loss_and_draws_the_heatmap(tmp_path):
    pytest.importorskip("matplotlib")
    result = run_sweep(
        sweep_config(
            tmp_path,
        ).updated(figures=True)
    )
    statuses = {r["params"]["learning_rate"]: r["status"] for r in result.records}
    assert statuses[1e4] == "diverged" and statuses[0.05] == "ok"  # a result, not an error
    finite = [r for r in result.records if r["status"] == "ok"]
    best = min(finite, key=lambda r: r["val_loss"])
    assert result.extra["best"]["key"] == best["key"]
    assert json.loads((tmp_path / "best.json").read_text())["key"] == best["key"]
    heatmap = result.extra["heatmap"]
    assert heatmap["loss"][2] == [None, None]  # the diverged row
    assert math.isfinite(heatmap["loss"][1][0])
    assert (tmp_path / "sweep_heatmap.png").read_bytes()[:4] == b"\x89PNG"
    assert read_results(tmp_path / "results.json")["kind"] == "sweep"
    assert "Best configuration" in (tmp_path / "report.md").read_text()


def test_sweep_rejects_parameters_the_model_lacks():
    config = sweep_config().updated(sweep={"model": "Lasso", "method": "cd"})
    with pytest.raises(ValueError, match="Lasso has no parameter"):
        run_sweep(config)


def test_sweep_cli(tmp_path):
    pytest.importorskip("typer")
    from typer.testing import CliRunner

    from glassbox.cli.app import app

    out = tmp_path / "sweep"
    args = [
        "sweep", "--dataset", "regression", "--n-samples", "60", "--n-features", "3",
        "--lr", "0.01,0.1", "--batch-size", "8", "--epochs", "10", "--out", str(out),
        "--no-figures",
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "best:" in result.output and "lr=" in result.output
    assert len(read_results(out / "results.json")["cells"]) == 2


def test_sweep_refuses_an_exact_solver():
    config = sweep_config().updated(sweep={"model": "LinearRegression", "method": "qr"})
    with pytest.raises(ValueError, match=r"exact solver.*nothing to sweep"):
        run_sweep(config)
