"""``glassbox``: thin commands that parse, call the library, and render."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from glassbox import __version__
from glassbox.cli.bench import bench
from glassbox.cli.diagnose import diagnose_command
from glassbox.cli.gpt import gpt_app
from glassbox.cli.sweep import sweep

app = typer.Typer(
    help="glassbox: machine learning written out in NumPy, checked and benchmarked.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
app.command("diagnose")(diagnose_command)
app.add_typer(gpt_app, name="gpt")


@app.command()
def version() -> None:
    """Print glassbox's version."""
    console.print(f"glassbox {__version__}")


@app.command("list")
def list_implementations(
    model: Annotated[str | None, typer.Option(help="Only this model.")] = None,
    backend: Annotated[str | None, typer.Option(help="Only this backend.")] = None,
) -> None:
    """Print the matrix of models x methods x backends, and what runs on this machine."""
    from glassbox.registry import BACKENDS, absent, backend_status, cuda_available, implementations

    if backend is not None and backend not in BACKENDS:
        console.print(f"[red]error:[/red] unknown backend {backend!r}; valid: {list(BACKENDS)}")
        raise typer.Exit(2)
    rows = [i for i in implementations() if model in (None, i.model)]
    if not rows:
        console.print(f"[red]error:[/red] no implementations for model {model!r}")
        raise typer.Exit(2)
    backends = [backend] if backend else list(BACKENDS)
    missing = absent()
    table = Table(title="glassbox implementations (✓ available here, · missing engine)")
    for column in ("model", "method", "kind", *backends):
        table.add_column(column)
    keys = {(i.model, i.method): i for i in rows}
    for (name, method), first in sorted(keys.items()):
        cells = []
        for engine in backends:
            found = next((i for i in rows if i.key == (name, method, engine)), None)
            usable, _ = backend_status(engine)
            if found is None:
                reason = missing.get((name, method, engine))
                cells.append("[dim]no[/dim]" if reason else "")
            elif usable:
                cells.append("[green]✓[/green]" + (" cuda" if "cuda" in found.devices else ""))
            else:
                cells.append("[yellow]·[/yellow]")
        kind = "exact" if first.exact else "iterative"
        table.add_row(name, method, kind, *cells)
    console.print(table)
    for engine in backends:
        usable, why = backend_status(engine)
        if not usable:
            console.print(f"· {engine}: {escape(why)}")
    console.print(f"CUDA: {'available' if cuda_available() else 'not available on this machine'}")
    notes = [
        f"{m}/{meth} on {b}: {why}"
        for (m, meth, b), why in sorted(missing.items())
        if m in {r.model for r in rows} and b in backends
    ]
    if notes:
        console.print("no = deliberately absent (never substituted by another algorithm):")
        for note in notes:
            console.print(f"  {escape(note)}")


app.command()(bench)
app.command()(sweep)
