"""``glassbox sweep``: a grid or random search over descent hyperparameters.

Exit status: 0 when every setting ran (diverged settings are results, shown as ✗ in the
heatmap), 1 when any setting failed with an error, 2 for a usage error, 130 when
interrupted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from glassbox.cli.bench import errors, execute, load_config, render, split_values


def _numbers(values: list[str] | None, kind: type) -> list[Any] | None:
    parts = split_values(values)
    if parts is None:
        return None
    try:
        return [kind(part) for part in parts]
    except ValueError as error:
        errors.print(f"[red]error:[/red] expected {kind.__name__} values, got {parts}")
        raise typer.Exit(2) from error


def sweep(
    model: Annotated[str | None, typer.Option(help="The model (default LinearRegression).")] = None,
    method: Annotated[
        str | None, typer.Option(help="Its descent method (default minibatch).")
    ] = None,
    backend: Annotated[str | None, typer.Option(help="The engine (default numpy).")] = None,
    learning_rate: Annotated[
        list[str] | None,
        typer.Option("--learning-rate", "--lr", help="Learning rates, e.g. 0.001,0.01,0.1."),
    ] = None,
    batch_size: Annotated[
        list[str] | None, typer.Option(help="Batch sizes, e.g. 8,32,128.")
    ] = None,
    epochs: Annotated[
        list[str] | None, typer.Option(help="max_epochs values, e.g. 20,100.")
    ] = None,
    optimizer: Annotated[
        list[str] | None, typer.Option(help="Optimizers, e.g. sgd,momentum,adam.")
    ] = None,
    search: Annotated[str | None, typer.Option(help="grid or random.")] = None,
    n_iter: Annotated[int | None, typer.Option(help="Settings drawn by a random search.")] = None,
    dataset: Annotated[
        list[str] | None,
        typer.Option("--dataset", "-d", help="Dataset name(s) or a CSV/Parquet file."),
    ] = None,
    target: Annotated[
        str | None, typer.Option(help="Target column of a CSV/Parquet dataset.")
    ] = None,
    n_samples: Annotated[int | None, typer.Option(help="Rows of synthetic datasets.")] = None,
    n_features: Annotated[int | None, typer.Option(help="Features of synthetic datasets.")] = None,
    noise: Annotated[float | None, typer.Option(help="Noise of synthetic datasets.")] = None,
    repeats: Annotated[int | None, typer.Option(help="Timed fits per setting (default 1).")] = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed of split, data, estimators and random search.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="TOML file; its \\[sweep] table holds the lists."),
    ] = None,
    out: Annotated[str | None, typer.Option(help="Output folder (default sweep-results).")] = None,
    output_format: Annotated[
        str | None, typer.Option("--format", "-f", help="table, json, csv or markdown.")
    ] = None,
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Skip the figures.")] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip settings already completed in --out.")
    ] = False,
) -> None:
    """Search learning rate x batch size x epochs x optimizer for one model and method."""
    from glassbox.bench.sweep import default_sweep_datasets, run_sweep

    sweep_overrides = {
        "model": model,
        "method": method,
        "backend": backend,
        "learning_rate": _numbers(learning_rate, float),
        "batch_size": _numbers(batch_size, int),
        "max_epochs": _numbers(epochs, int),
        "optimizer": split_values(optimizer),
        "search": search,
        "n_iter": n_iter,
    }
    overrides: dict[str, Any] = {
        "datasets": split_values(dataset),
        "target": target,
        "n_samples": n_samples,
        "n_features": n_features,
        "noise": noise,
        "repeats": repeats,
        "seed": seed,
        "out": out,
        "format": output_format,
        "figures": False if no_figures else None,
        "resume": True if resume else None,
        "sweep": sweep_overrides,
    }
    if config is None:
        # A sweep's own defaults: one timed fit per setting, and its own output folder.
        overrides.setdefault("repeats", None)
        overrides["repeats"] = overrides["repeats"] or 1
        overrides["min_time"] = 0.0
        overrides["out"] = overrides["out"] or "sweep-results"
        overrides["datasets"] = overrides["datasets"] or default_sweep_datasets()
    settings = load_config(config, overrides)
    settings.models = [settings.sweep.model]
    result = execute(settings, run_sweep)
    render(result, settings.format)
    failed = [r for r in result.records if r["status"] == "failed"]
    if failed:
        errors.print(f"[red]{len(failed)} setting(s) failed[/red] (see results.json)")
        raise typer.Exit(1)
