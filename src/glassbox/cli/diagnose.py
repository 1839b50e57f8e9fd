"""``glassbox diagnose DATA.csv --target COLUMN``: fit least squares, print the summary and
the assumption tests, write the plots.

Thin by design: parse the CSV, fit, call :func:`glassbox.diagnostics.diagnose`, render.
The command is a plain function; the ``glassbox`` app mounts it with
``app.command("diagnose")(diagnose_command)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["diagnose_command", "load_table"]


def _fail(message: str) -> typer.Exit:
    from rich.console import Console

    Console(stderr=True).print(f"[bold red]Error:[/] {message}", highlight=False)
    return typer.Exit(code=2)


def load_table(data: Path, target: str, features: list[str] | None) -> tuple[Any, Any]:
    """Read ``data`` with pandas and return (X, y) as a DataFrame and a Series.

    Raises ``ValueError`` with a message naming the problem: missing or empty file, unknown
    target or feature columns, non-numeric columns, missing values.
    """
    import pandas as pd

    if not data.is_file():
        raise ValueError(f"{data} does not exist or is not a file.")
    try:
        table = pd.read_csv(data)
    except pd.errors.EmptyDataError as error:
        raise ValueError(f"{data} is empty: expected a header row and data rows.") from error
    except pd.errors.ParserError as error:
        raise ValueError(f"{data} could not be parsed as CSV: {error}") from error
    if table.shape[0] == 0:
        raise ValueError(f"{data} has a header but no data rows.")
    columns = [str(c) for c in table.columns]
    if target not in columns:
        raise ValueError(
            f"Target column {target!r} is not in {data.name}; its columns are {columns}."
        )
    if features:
        requested = [name.strip() for item in features for name in item.split(",") if name.strip()]
        unknown = [name for name in requested if name not in columns]
        if unknown:
            raise ValueError(
                f"Feature column(s) {unknown} not in {data.name}; its columns are {columns}."
            )
        if target in requested:
            raise ValueError(f"The target {target!r} cannot also be a feature.")
    else:
        requested = [name for name in columns if name != target]
    if not requested:
        raise ValueError(f"{data.name} has no feature columns besides the target {target!r}.")
    selected = table[[*requested, target]]
    non_numeric = [
        name for name in selected.columns if not pd.api.types.is_numeric_dtype(selected[name])
    ]
    if non_numeric:
        raise ValueError(
            f"Non-numeric column(s) {non_numeric}: encode them as numbers first (for example "
            "one-hot with pandas.get_dummies) or leave them out with --features."
        )
    missing = [name for name in selected.columns if selected[name].isna().any()]
    if missing:
        raise ValueError(
            f"Column(s) {missing} have missing values; drop or impute those rows first."
        )
    return selected[requested].astype(float), selected[target].astype(float)


def _fit_least_squares(X: Any, y: Any) -> Any:
    """glassbox's LinearRegression when available, otherwise scikit-learn's."""
    import importlib

    estimator = getattr(importlib.import_module("glassbox.linear"), "LinearRegression", None)
    if estimator is None:
        from sklearn.linear_model import LinearRegression

        estimator = LinearRegression
    return estimator().fit(X, y)


def diagnose_command(
    data: Annotated[Path, typer.Argument(help="CSV file with a header row.")],
    target: Annotated[str, typer.Option("--target", "-t", help="Column to predict.")],
    features: Annotated[
        list[str] | None,
        typer.Option(
            "--features", "-f", help="Feature columns (repeat, or comma-separated); default all."
        ),
    ] = None,
    cov_type: Annotated[
        str, typer.Option("--cov-type", help="nonrobust, HC0, HC1, HC2, HC3 or HAC.")
    ] = "nonrobust",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for the plots and the summary (txt, md, html)."),
    ] = None,
) -> None:
    """Fit least squares to a CSV file and check the assumptions behind its p-values."""
    from rich.console import Console
    from rich.table import Table

    from glassbox.diagnostics import diagnose
    from glassbox.diagnostics.inference import check_cov_type

    console = Console()
    try:
        cov_type = check_cov_type(cov_type)
        X, y = load_table(data, target, features)
        model = _fit_least_squares(X, y)
        results = diagnose(model, X, y, cov_type=cov_type)
    except ValueError as error:
        raise _fail(str(error)) from error
    summary = results.summary()
    console.print(summary.as_text(), highlight=False, markup=False, soft_wrap=True)

    table = Table(title="Assumption tests")
    for header in ("test", "statistic", "p-value", "reading"):
        table.add_column(header, overflow="fold")
    for row in summary.test_rows:
        table.add_row(*row)
    console.print(table)

    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "summary.txt").write_text(summary.as_text() + "\n", encoding="utf-8")
        (out / "summary.md").write_text(summary.as_markdown(), encoding="utf-8")
        (out / "summary.html").write_text(summary.as_html(), encoding="utf-8")
        results.plot_residuals(out / "residuals.png")
        results.plot_vif(out / "vif.png")
        console.print(
            f"Wrote summary.txt, summary.md, summary.html, residuals.png and vif.png to {out}",
            highlight=False,
            markup=False,
        )
