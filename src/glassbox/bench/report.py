"""report.md and report.html: the results table, what was skipped or failed, and the figures.

The HTML page is one self-contained file: the figures are embedded as base64 PNG, the
style and the few lines of JavaScript that sort the table (click any column header; click
again to reverse) are inline, and nothing is fetched from anywhere.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from glassbox.bench.store import write_atomic

__all__ = ["columns_for", "format_value", "markdown_report", "markdown_table", "write_reports"]

Formatter = Callable[[dict[str, Any]], str]


def _number(key: str, digits: int = 4) -> Formatter:
    def show(record: dict[str, Any]) -> str:
        value = record.get(key)
        return "" if value is None else f"{value:.{digits}g}"

    return show


def _fixed(key: str, decimals: int) -> Formatter:
    def show(record: dict[str, Any]) -> str:
        value = record.get(key)
        return "" if value is None else f"{value:.{decimals}f}"

    return show


def _milliseconds(record: dict[str, Any]) -> str:
    value = record.get("fit_seconds_median")
    return "" if value is None else f"{1e3 * value:.3g}"


def _range_ms(record: dict[str, Any]) -> str:
    low, high = record.get("fit_seconds_min"), record.get("fit_seconds_max")
    if low is None or high is None:
        return ""
    return f"{1e3 * low:.3g}–{1e3 * high:.3g}"


def _memory(record: dict[str, Any]) -> str:
    value = record.get("peak_memory_bytes")
    if value is None:
        return "n/a" if record.get("status") == "ok" else ""
    return f"{value / 1024:.0f} KiB" if value < 1024**2 else f"{value / 1024**2:.1f} MiB"


def _digits(record: dict[str, Any]) -> str:
    """Correct digits against the exact reference; n/a for a model without coefficients
    (trees and ensembles), whose fit has no exact reference to compare with."""
    value = record.get("digits")
    if value is None:
        return "n/a" if record.get("status") == "ok" and not record.get("has_coef") else ""
    return f"{value:.1f}"


def _converged(record: dict[str, Any]) -> str:
    """yes / no, and for a descent cell short of its digits why (:mod:`glassbox.bench.budget`)."""
    value = record.get("converged")
    if value is None:
        return ""
    word = "yes" if value else "no"
    note = record.get("convergence_note")
    return f"{word} ({note})" if note else word


def _status(record: dict[str, Any]) -> str:
    if record.get("status") == "ok":
        return "ok"
    error = record.get("error") or {}
    return f"{record.get('status')}: {error.get('type', '')}"


def _text(key: str) -> Formatter:
    return lambda record: str(record.get(key) or "")


_COMMON_HEAD: list[tuple[str, str, Formatter]] = [
    ("model", "model", _text("model")),
    ("method", "method", _text("method")),
    ("engine", "backend", _text("backend")),
]
_REGRESSION: list[tuple[str, str, Formatter]] = [
    ("test RMSE", "test_rmse", _number("test_rmse")),
    ("MAE", "test_mae", _number("test_mae")),
    ("MedAE", "test_median_ae", _number("test_median_ae")),
    ("R²", "test_r2", _fixed("test_r2", 4)),
    ("adj R²", "test_adj_r2", _fixed("test_adj_r2", 4)),
]
_CLASSIFICATION: list[tuple[str, str, Formatter]] = [
    ("accuracy", "test_accuracy", _fixed("test_accuracy", 4)),
    ("log loss", "test_log_loss", _number("test_log_loss")),
    ("F1", "test_f1", _fixed("test_f1", 4)),
    ("ROC AUC", "test_roc_auc", _fixed("test_roc_auc", 4)),
]
_COMMON_TAIL: list[tuple[str, str, Formatter]] = [
    ("fit ms", "fit_seconds_median", _milliseconds),
    ("min–max ms", "fit_seconds_min", _range_ms),
    ("fits", "n_fits", _text("n_fits")),
    ("peak mem", "peak_memory_bytes", _memory),
    ("epochs", "epochs", _text("epochs")),
    ("converged", "converged", _converged),
    ("digits", "digits", _digits),
    ("status", "status", _status),
]


def columns_for(task: str, *, with_tag: bool = False) -> list[tuple[str, str, Formatter]]:
    """(header, record field used to sort, formatter) for a results table of ``task``."""
    middle = _CLASSIFICATION if task == "classification" else _REGRESSION
    head = list(_COMMON_HEAD)
    if with_tag:
        head.append(("params", "tag", _text("tag")))
    return [*head, *middle, *_COMMON_TAIL]


def format_value(record: dict[str, Any], formatter: Formatter) -> str:
    """One table cell: ``formatter`` applied to a result record."""
    return formatter(record)


def _groups(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault(record["dataset"], []).append(record)
    return groups


def markdown_table(records: list[dict[str, Any]], task: str) -> str:
    """A Markdown table of result records of one ``task`` (regression or classification)."""
    with_tag = any(r.get("tag") for r in records)
    columns = columns_for(task, with_tag=with_tag)
    lines = [
        "| " + " | ".join(header for header, _, _ in columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    for record in records:
        cells = [show(record).replace("|", "\\|") for _, _, show in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def overhead_sentence(summary: dict[str, Any]) -> str:
    """A sentence splitting the runner's wall time into timed fits, warm-up fits and the rest (empty
    if unknown).
    """
    if "wall_seconds" not in summary:
        return ""
    return (
        f"Runner wall time {summary['wall_seconds']:.2f} s: timed fits "
        f"{summary['timed_fit_seconds']:.2f} s, warm-up fits {summary['warmup_fit_seconds']:.2f} "
        f"s, runner overhead (data, scoring, references, saving, figures, reports) "
        f"{summary['overhead_seconds']:.2f} s = {100 * summary['overhead_fraction']:.1f}% of "
        f"the wall time ({100 * summary['untimed_fraction']:.1f}% outside the timed fits)."
    )


def _failures(records: list[dict[str, Any]]) -> list[str]:
    lines = []
    for record in records:
        if record.get("status") != "ok":
            error = record.get("error") or {}
            lines.append(
                f"{record['key']}: {record['status']} — {error.get('type', '')}: "
                f"{error.get('message', '')}"
            )
    return lines


def markdown_report(result: Any, figures: dict[str, str]) -> str:
    """The whole benchmark (or sweep) report as Markdown: environment, tables and figure links."""
    config = result.config
    env = result.environment
    parts = [
        f"# glassbox {'sweep' if result.extra.get('kind') == 'sweep' else 'benchmark'}",
        "",
        f"Models {', '.join(config.models)}; datasets {', '.join(result.data)}; seed "
        f"{config.seed}; split train/val/test = "
        f"{1 - config.val_size - config.test_size:.2f}/{config.val_size:.2f}/"
        f"{config.test_size:.2f}; scale = {config.scale}.",
        "",
        f"Machine: {env.get('cpu', '?')}, {env.get('usable_cores', '?')} usable cores; "
        + ", ".join(f"{k} {v}" for k, v in env.get("libraries", {}).items() if v),
        "",
        f"Protocol: {result.extra.get('protocol', '')}",
        "",
    ]
    for name, records in _groups(result.records).items():
        prepared = result.data.get(name)
        task = prepared.dataset.task if prepared else records[0].get("task", "regression")
        info = (
            f" — {prepared.dataset.description} (train {len(prepared.y_train)}, val "
            f"{len(prepared.y_val)}, test {len(prepared.y_test)})"
            if prepared
            else ""
        )
        parts += [f"## {name}{info}", "", markdown_table(records, task), ""]
    if "best" in result.extra:
        parts += ["## Best configuration", "", result.extra["best_text"], ""]
    failures = _failures(result.records)
    if failures:
        parts += ["## Failed cells", ""] + [f"- {line}" for line in failures] + [""]
    if result.skipped:
        parts += ["## Skipped combinations", ""]
        parts += [
            f"- {s.dataset}: {s.model} {s.method} on {s.backend} — {s.reason}"
            for s in result.skipped
        ]
        parts.append("")
    if figures:
        parts += ["## Figures", ""] + [f"![{name}]({name})" for name in figures] + [""]
    if result.extra.get("figures_note"):
        parts += [result.extra["figures_note"], ""]
    parts += [
        "Columns: test metrics on the held-out test rows; fit ms = median of the timed fits "
        "(min–max and count beside it); peak mem = peak extra memory during the warm-up fit "
        "(tracemalloc; n/a for torch and dask, whose own allocations it cannot see); "
        "digits = correct significant digits of the worst coefficient against "
        "the reference solution (n/a for models without coefficients, such as trees).",
        "",
        overhead_sentence(result.summary),
        "",
    ]
    return "\n".join(parts)


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; }
th { background: #f0f0f0; cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " ▲"; }
th[aria-sort="descending"]::after { content: " ▼"; }
td.text, th.text { text-align: left; }
tr.failed td { background: #fde8e8; }
img { max-width: 100%; border: 1px solid #ddd; margin: 0.5rem 0; }
.note { color: #555; font-size: 0.85rem; }
"""

# Sorting: numbers by value (the data-value attribute), text by locale; empty cells last.
_SCRIPT = """
document.querySelectorAll("table.results").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (header, column) {
    header.addEventListener("click", function () {
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute("data-value");
        var y = b.cells[column].getAttribute("data-value");
        if (x === "" && y === "") { return 0; }
        if (x === "") { return 1; }
        if (y === "") { return -1; }
        var nx = Number(x), ny = Number(y);
        var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def _sort_value(record: dict[str, Any], key: str, shown: str) -> str:
    value = record.get(key)
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(float(value))
    return shown


def html_table(records: list[dict[str, Any]], task: str) -> str:
    """An HTML table of result records of one ``task``, numeric columns right-aligned."""
    columns = columns_for(task, with_tag=any(r.get("tag") for r in records))
    numeric = {
        key for _, key, _ in columns if any(isinstance(r.get(key), (int, float)) for r in records)
    }
    head = "".join(
        f'<th class="{"" if key in numeric else "text"}">{html.escape(header)}</th>'
        for header, key, _ in columns
    )
    rows = []
    for record in records:
        cells = []
        for _, key, show in columns:
            shown = show(record)
            value = _sort_value(record, key, shown)
            css = "" if key in numeric else ' class="text"'
            cells.append(f'<td{css} data-value="{html.escape(value)}">{html.escape(shown)}</td>')
        css = "" if record.get("status") == "ok" else ' class="failed"'
        rows.append(f"<tr{css}>{''.join(cells)}</tr>")
    return (
        f'<table class="results"><thead><tr>{head}</tr></thead><tbody>'
        + "\n".join(rows)
        + "</tbody></table>"
    )


def html_report(result: Any, figures: dict[str, str]) -> str:
    """The whole benchmark (or sweep) report as one self-contained HTML page."""
    config = result.config
    env = result.environment
    title = f"glassbox {'sweep' if result.extra.get('kind') == 'sweep' else 'benchmark'}"
    body = [f"<h1>{title}</h1>"]
    body.append(
        "<p>"
        + html.escape(
            f"Models {', '.join(config.models)}; seed {config.seed}; split train/val/test = "
            f"{1 - config.val_size - config.test_size:.2f}/{config.val_size:.2f}/"
            f"{config.test_size:.2f}; scale = {config.scale}. Machine: {env.get('cpu', '?')}, "
            f"{env.get('usable_cores', '?')} usable cores."
        )
        + "</p>"
    )
    body.append(f'<p class="note">{html.escape(result.extra.get("protocol", ""))}</p>')
    for name, records in _groups(result.records).items():
        prepared = result.data.get(name)
        task = prepared.dataset.task if prepared else records[0].get("task", "regression")
        description = prepared.dataset.description if prepared else ""
        body.append(f"<h2>{html.escape(name)}</h2><p>{html.escape(description)}</p>")
        body.append(html_table(records, task))
    if "best" in result.extra:
        body.append(f"<h2>Best configuration</h2><p>{html.escape(result.extra['best_text'])}</p>")
    failures = _failures(result.records)
    if failures:
        body.append("<h2>Failed cells</h2><ul>")
        body += [f"<li>{html.escape(line)}</li>" for line in failures]
        body.append("</ul>")
    if result.skipped:
        body.append("<h2>Skipped combinations</h2><ul>")
        body += [
            "<li>"
            + html.escape(f"{s.dataset}: {s.model} {s.method} on {s.backend} — {s.reason}")
            + "</li>"
            for s in result.skipped
        ]
        body.append("</ul>")
    if figures:
        body.append("<h2>Figures</h2>")
    for name, path in figures.items():
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        body.append(
            f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(name)}</figcaption></figure>"
        )
    body.append(f'<p class="note">{html.escape(overhead_sentence(result.summary))}</p>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_STYLE}</style></head><body>\n"
        + "\n".join(body)
        + f"\n<script>{_SCRIPT}</script>\n</body></html>\n"
    )


def write_reports(result: Any, folder: Path) -> dict[str, str]:
    """report.md and report.html in ``folder``; returns {file name: path}."""
    result.extra.setdefault("protocol", "")
    figures = {name: path for name, path in result.files.items() if name.endswith(".png")}
    files = {}
    for name, text in (
        ("report.md", markdown_report(result, figures)),
        ("report.html", html_report(result, figures)),
    ):
        write_atomic(folder / name, text)
        files[name] = str(folder / name)
    return files
