"""``glassbox bench``: parse the flags, run the benchmark, render its results.

The flags override the ``--config`` file, which overrides the defaults; a flag that is not
given leaves the file's value alone. Exit status: 0 when every cell ran, 1 when any cell
failed (its error is in the table and in results.json), 2 for a usage error (unknown
model, unreadable data file, bad config), 130 when interrupted (completed cells saved;
``--resume`` continues).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from glassbox.bench.config import BenchConfig
from glassbox.bench.runner import BenchResult
from glassbox.bench.runner import Progress as RunnerProgress

console = Console()
if not console.is_terminal:  # piped or captured: do not squeeze the tables into 80 columns
    console = Console(width=200)
errors = Console(stderr=True)


def split_values(values: list[str] | None) -> list[str] | None:
    """Repeated and comma-separated values as one list (None when the flag was not given)."""
    if not values:
        return None
    parts = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return list(dict.fromkeys(parts))  # repeated values once, in the order given


class RichProgress(RunnerProgress):
    """A progress bar on stderr naming the current cell; failures printed as they happen."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task: Any = None

    def start(self, total: int) -> None:
        self.task = self.bar.add_task("starting", total=total)

    def cell(self, cell: Any) -> None:
        self.bar.update(self.task, description=escape(cell.label))

    def done(self, record: dict[str, Any]) -> None:
        if record["status"] != "ok":
            error = record.get("error") or {}
            self.bar.console.print(
                f"[red]✗[/red] {escape(record['key'])}: {record['status']} — "
                f"{escape(str(error.get('type')))}: {escape(str(error.get('message')))[:300]}"
            )
        self.bar.advance(self.task)


def progress_bar() -> Progress:
    """The rich progress bar the bench shows while cells run."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    )


def load_config(config_file: Path | None, overrides: dict[str, Any]) -> BenchConfig:
    """Defaults, then the TOML file, then the flags; a clear error and exit 2 if invalid."""
    try:
        if config_file is not None:
            return BenchConfig.from_toml(config_file, **overrides)
        return BenchConfig().updated(**overrides).validate()
    except (ValueError, TypeError, FileNotFoundError, ImportError) as error:
        errors.print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(2) from error


def render_tables(result: BenchResult) -> None:
    """Print one results table per dataset."""
    from glassbox.bench.report import columns_for

    for name in dict.fromkeys(r["dataset"] for r in result.records):
        records = [r for r in result.records if r["dataset"] == name]
        prepared = result.data.get(name)
        task = prepared.dataset.task if prepared else records[0]["task"]
        subtitle = ""
        if prepared is not None:
            subtitle = (
                f" — {prepared.dataset.description} (train {len(prepared.y_train)}, val "
                f"{len(prepared.y_val)}, test {len(prepared.y_test)})"
            )
        table = Table(title=f"{name}{escape(subtitle)}", title_justify="left")
        columns = columns_for(task, with_tag=any(r.get("tag") for r in records))
        for header, _, _ in columns:
            table.add_column(
                header,
                justify="left"
                if header in ("model", "method", "engine", "params", "status")
                else "right",
            )
        for record in records:
            cells = [escape(show(record)) for _, _, show in columns]
            if record["status"] != "ok":
                cells[-1] = f"[red]{cells[-1]}[/red]"
            table.add_row(*cells)
        console.print(table)


def render_skipped(result: BenchResult) -> None:
    """Print the combinations that do not exist, grouped by reason."""
    if not result.skipped:
        return
    reasons = Counter((s.model, s.method, s.backend, s.reason) for s in result.skipped)
    console.print(f"[dim]skipped {len(result.skipped)} combination(s) that do not exist:[/dim]")
    for (model, method, backend, reason), count in sorted(reasons.items()):
        times = f" (x{count})" if count > 1 else ""
        console.print(
            f"[dim]  {escape(model)} {escape(method)} on {escape(backend)}{times}: "
            f"{escape(reason)}[/dim]"
        )


def render(result: BenchResult, output_format: str) -> None:
    """Print the results in the chosen format (table: rich tables and notes)."""
    from glassbox.bench.report import markdown_report, overhead_sentence
    from glassbox.bench.store import csv_text

    if output_format == "json":
        print(result.extra.get("document") or json.dumps(result.records))
        return
    if output_format == "csv":
        print(csv_text(result.records), end="")
        return
    if output_format == "markdown":
        figures = {n: p for n, p in result.files.items() if n.endswith(".png")}
        print(markdown_report(result, figures))
        return
    render_tables(result)
    render_skipped(result)
    if result.extra.get("best_text"):
        console.print(f"[bold]best:[/bold] {escape(result.extra['best_text'])}")
    console.print(
        "[dim]fit ms: median of the timed fits (min–max, count); metrics on the held-out test "
        "rows; peak mem: tracemalloc peak during the warm-up fit (n/a for torch and dask, whose "
        "own memory it cannot see); digits: correct significant "
        "digits of the worst coefficient vs the reference solution.[/dim]"
    )
    if result.files:
        folder = Path(next(iter(result.files.values()))).parent
        console.print(f"wrote {', '.join(sorted(result.files))} to {escape(str(folder))}/")
    else:
        console.print("[dim]add --out DIR for results.json/csv, report.md/html and figures[/dim]")
    console.print(escape(overhead_sentence(result.summary)))


def execute(config: BenchConfig, runner: Any) -> BenchResult:
    """Run with a progress bar; map errors and Ctrl-C to exit codes."""
    try:
        with progress_bar() as bar:
            return runner(config, progress=RichProgress(bar))
    except KeyboardInterrupt as interrupt:
        result = getattr(interrupt, "result", None)
        done = len(result.records) if result is not None else 0
        errors.print(
            f"[yellow]interrupted:[/yellow] {done} completed cell(s) saved"
            + (
                f" in {escape(str(config.out))}; run again with --resume to continue"
                if config.out
                else ""
            )
        )
        raise typer.Exit(130) from interrupt
    except (ValueError, TypeError, FileNotFoundError, ImportError) as error:
        errors.print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(2) from error


def _on_cluster(scheduler: str, work: Any) -> Any:
    """Run ``work`` with a client of the Dask cluster at ``scheduler`` active."""
    try:
        from glassbox.distributed import cluster

        with cluster(scheduler=scheduler):
            return work()
    except (ImportError, OSError, TimeoutError) as error:
        errors.print(f"[red]error:[/red] cannot use scheduler {scheduler}: {escape(str(error))}")
        raise typer.Exit(2) from error


ListOption = Annotated[list[str] | None, typer.Option()]


def bench(
    models: Annotated[
        list[str] | None,
        typer.Option(
            "--models", "-m", help="Models (comma-separated or repeated); default LinearRegression."
        ),
    ] = None,
    methods: Annotated[
        list[str] | None,
        typer.Option("--methods", help="Methods (solvers); default: all of each model."),
    ] = None,
    backends: Annotated[
        list[str] | None,
        typer.Option(
            "--backends",
            "--backend",
            "-b",
            help="Engines: numpy, torch, sklearn, dask; default: every installed in-memory "
            "engine (dask only when named).",
        ),
    ] = None,
    dataset: Annotated[
        list[str] | None,
        typer.Option(
            "--dataset",
            "--datasets",
            "-d",
            help="Built-in dataset name(s) or a CSV/Parquet file (with --target); "
            "default: lesson, diabetes.",
        ),
    ] = None,
    target: Annotated[
        str | None, typer.Option(help="Target column of a CSV/Parquet dataset.")
    ] = None,
    task: Annotated[
        str | None, typer.Option(help="auto, regression or classification (for files).")
    ] = None,
    n_samples: Annotated[int | None, typer.Option(help="Rows of synthetic datasets.")] = None,
    n_features: Annotated[int | None, typer.Option(help="Features of synthetic datasets.")] = None,
    noise: Annotated[float | None, typer.Option(help="Noise of synthetic datasets.")] = None,
    repeats: Annotated[
        int | None, typer.Option(help="Minimum timed fits per cell (after one warm-up).")
    ] = None,
    min_time: Annotated[
        float | None, typer.Option(help="Keep timing a cell until this many seconds are timed.")
    ] = None,
    max_time: Annotated[
        float | None, typer.Option(help="Stop timing a cell after this many seconds.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed of the split, the synthetic data and the estimators.")
    ] = None,
    val_size: Annotated[float | None, typer.Option(help="Validation fraction.")] = None,
    test_size: Annotated[float | None, typer.Option(help="Test fraction.")] = None,
    scale: Annotated[
        str | None, typer.Option(help="none or standard (statistics of the training rows).")
    ] = None,
    early_stopping: Annotated[
        bool, typer.Option("--early-stopping", help="Early stopping for estimators that have it.")
    ] = False,
    threads: Annotated[
        int | None, typer.Option(help="Limit BLAS/OpenMP/torch threads during fits.")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="TOML file with any of these options.")
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            help="Folder for results.json/csv, report.md/html and figures "
            "(default: none, print only)."
        ),
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option("--format", "-f", help="table, json, csv or markdown (what is printed)."),
    ] = None,
    no_figures: Annotated[
        bool, typer.Option("--no-figures", help="Skip the matplotlib figures.")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip cells already completed in --out.")
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address (tcp://HOST:8786) for --backends dask cells; "
            "default: a LocalCluster started and closed for each fit."
        ),
    ] = None,
) -> None:
    """Compare models, methods and engines side by side on the same data, honestly measured."""
    from glassbox.bench.runner import run_benchmark

    overrides: dict[str, Any] = {
        "models": split_values(models),
        "methods": split_values(methods),
        "backends": split_values(backends),
        "datasets": split_values(dataset),
        "target": target,
        "task": task,
        "n_samples": n_samples,
        "n_features": n_features,
        "noise": noise,
        "repeats": repeats,
        "min_time": min_time,
        "max_time": max_time,
        "seed": seed,
        "val_size": val_size,
        "test_size": test_size,
        "scale": scale,
        "early_stopping": True if early_stopping else None,
        "threads": threads,
        "out": out,
        "format": output_format,
        "figures": False if no_figures else None,
        "resume": True if resume else None,
    }
    settings = load_config(config, overrides)
    if scheduler is None:
        result = execute(settings, run_benchmark)
    else:
        result = _on_cluster(scheduler, lambda: execute(settings, run_benchmark))
    render(result, settings.format)
    if result.failed:
        errors.print(
            f"[red]{len(result.failed)} cell(s) failed[/red] (see the table and results.json)"
        )
        raise typer.Exit(1)
