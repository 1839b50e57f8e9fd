"""The benchmark's figures (matplotlib, Agg backend, PNG).

* ``convergence.png``: training loss against epoch and against wall time (update work only,
  as each solver records it), log scale, one line per method and engine, one row per dataset;
* ``accuracy_vs_time.png``: one point per cell, median fit time against accuracy (correct
  digits of the coefficients where a reference exists, else test R² or accuracy), the
  Pareto front (no other cell is both faster and more accurate) joined and ringed;
* ``fit_<dataset>.png`` for one-feature data: the lesson's picture, training and test points
  with each method's fitted line;
* ``sweep_heatmap.png`` (sweeps): learning rate x batch size coloured by validation loss.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["accuracy_axis", "pareto_front", "write_figures"]

DPI = 90


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _log_axis(axis: Any) -> None:
    """Log scale with plain-text labels on the decades only (mathtext labels and labelled
    minor ticks cost most of a figure's drawing time)."""
    from matplotlib.ticker import LogFormatter, NullFormatter

    axis.set_major_formatter(LogFormatter(labelOnlyBase=True))
    axis.set_minor_formatter(NullFormatter())


def _save(fig: Any, path: Path, plt: Any) -> None:
    fig.savefig(path, dpi=DPI, bbox_inches="tight")  # keep axis labels inside the image
    plt.close(fig)


def _label(record: dict[str, Any]) -> str:
    text = f"{record['method']} ({record['backend']})"
    return f"{text} {record['tag']}" if record.get("tag") else text


def pareto_front(times: list[float], scores: list[float]) -> list[int]:
    """Indices of the points no other point beats on both (less time, higher score),
    ordered by time."""
    order = sorted(range(len(times)), key=lambda i: (times[i], -scores[i]))
    front: list[int] = []
    best = -math.inf
    for i in order:
        if scores[i] > best:
            front.append(i)
            best = scores[i]
    return front


def accuracy_axis(records: list[dict[str, Any]]) -> tuple[str, str]:
    """(record field, axis label) of the accuracy shown against time."""
    if any(r.get("digits") is not None for r in records):
        return "digits", "correct digits of the coefficients (vs reference)"
    if records and records[0].get("task") == "classification":
        return "test_accuracy", "test accuracy"
    return "test_r2", "test R²"


def _by_dataset(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        if record.get("status") == "ok":
            groups.setdefault(record["dataset"], []).append(record)
    return groups


_MARKERS = {"numpy": "o", "sklearn": "s", "torch": "^", "dask": "D"}


def _colors(records: list[dict[str, Any]]) -> dict[str, Any]:
    import matplotlib

    palette = getattr(matplotlib.colormaps["tab10"], "colors", None) or [f"C{k}" for k in range(10)]
    methods = sorted({r["method"] for r in records})
    return {m: palette[k % len(palette)] for k, m in enumerate(methods)}


def convergence_figure(
    records: list[dict[str, Any]], path: Path, optimal: dict[str, float] | None = None
) -> bool:
    """Relative excess training loss (F − F*) / F* against epoch and against the updates'
    wall time. F* is the exact minimum of the training loss (from the reference solution,
    in the descent solvers' standardized units) where known, else the lowest loss any line
    of the dataset reached. On a dataset where only networks (models without ``coef_``,
    whose loss has no known minimum) were trained, the training loss itself is drawn: an
    excess over the lowest loss reached would dive to zero at that line's last epoch."""
    groups = {
        name: [r for r in rows if r.get("history") and r["history"].get("train_loss")]
        for name, rows in _by_dataset(records).items()
    }
    groups = {name: rows for name, rows in groups.items() if rows}
    if not groups:
        return False
    plt = _pyplot()
    fig, axes = plt.subplots(len(groups), 2, figsize=(10, 3.6 * len(groups)), squeeze=False)
    for row, (name, rows) in enumerate(groups.items()):
        by_epoch, by_time = axes[row]
        losses = [np.asarray(r["history"]["train_loss"], dtype=float) for r in rows]
        best = min(float(np.nanmin(loss)) for loss in losses)
        if optimal and name in optimal and optimal[name] > 0:
            best = min(best, optimal[name])
        scale = abs(best) if best != 0 else 1.0
        raw = not any(r.get("has_coef", True) for r in rows)
        if raw:  # no minimum to measure against: the loss as it is
            best, scale = 0.0, 1.0
        colors = _colors(rows)
        for record, loss in zip(rows, losses):
            history = record["history"]
            excess = np.maximum((loss - best) / scale, 1e-16)
            epochs = np.asarray(history.get("epoch") or np.arange(1, len(loss) + 1), dtype=float)
            style = {
                "color": colors[record["method"]],
                "marker": _MARKERS.get(record["backend"], "x"),
                "markevery": max(len(loss) // 8, 1),
                "markersize": 4,
            }
            by_epoch.plot(epochs, excess, label=_label(record), **style)
            elapsed = history.get("elapsed_seconds")
            if elapsed:
                by_time.plot(np.asarray(elapsed, dtype=float), excess, **style)
        by_epoch.set(
            yscale="log",
            xlabel="epoch",
            ylabel="training loss" if raw else "(loss − F*) / F*",
            title=f"{name}: training loss by epoch",
        )
        by_time.set(
            yscale="log",
            xscale="log",
            xlabel="wall time of the updates (s)",
            title=f"{name}: training loss by time",
        )
        by_epoch.legend(fontsize=7)
        for ax in (by_epoch, by_time):
            _log_axis(ax.yaxis)
            ax.grid(True, alpha=0.3)
        _log_axis(by_time.xaxis)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.1, top=0.93, wspace=0.2, hspace=0.45)
    _save(fig, path, plt)
    return True


def accuracy_time_figure(records: list[dict[str, Any]], path: Path) -> bool:
    """Draw accuracy against fit time per dataset (the Pareto view) to ``path``; False when nothing
    was timed.
    """
    groups = {
        name: [r for r in rows if r.get("fit_seconds_median")]
        for name, rows in _by_dataset(records).items()
    }
    groups = {name: rows for name, rows in groups.items() if rows}
    if not groups:
        return False
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(groups), figsize=(5.2 * len(groups) + 2, 4.2), squeeze=False)
    for ax, (name, rows) in zip(axes[0], groups.items()):
        key, label = accuracy_axis(rows)
        points = [r for r in rows if r.get(key) is not None]
        times = [float(r["fit_seconds_median"]) for r in points]
        scores = [float(r[key]) for r in points]
        colors = _colors(points)
        for t, s, record in zip(times, scores, points):
            ax.scatter(
                [t],
                [s],
                s=36,
                zorder=3,
                color=colors[record["method"]],
                marker=_MARKERS.get(record["backend"], "x"),
                label=_label(record),
            )
        front = pareto_front(times, scores)
        if front:
            ax.step(
                [times[i] for i in front],
                [scores[i] for i in front],
                where="post",
                color="tab:red",
                lw=1,
                label="Pareto front",
                zorder=2,
            )
            ax.scatter(
                [times[i] for i in front],
                [scores[i] for i in front],
                s=140,
                facecolors="none",
                edgecolors="tab:red",
                zorder=4,
            )
        ax.set(xscale="log", xlabel="median fit time (s)", ylabel=label, title=name)
        _log_axis(ax.xaxis)
        ax.grid(True, alpha=0.3)
    handles, labels = axes[0][-1].get_legend_handles_labels()
    for ax in axes[0][:-1]:
        more_handles, more_labels = ax.get_legend_handles_labels()
        for handle, text in zip(more_handles, more_labels):
            if text not in labels:
                handles.append(handle)
                labels.append(text)
    fig.legend(handles, labels, loc="center right", fontsize=7, frameon=False)
    right = 1 - 1.9 / (5.2 * len(groups) + 2)
    fig.subplots_adjust(left=0.07, right=right, bottom=0.13, top=0.92, wspace=0.25)
    _save(fig, path, plt)
    return True


def fit_lines_figure(result: Any, name: str, path: Path) -> bool:
    """Draw the fitted lines of every model on a one-feature dataset; False otherwise."""
    prepared = result.data.get(name)
    if prepared is None or prepared.dataset.n_features != 1:
        return False
    rows = [r for r in _by_dataset(result.records).get(name, []) if r["key"] in result.models]
    if not rows or prepared.dataset.task != "regression":
        return False
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.scatter(prepared.X_train[:, 0], prepared.y_train, s=18, label="train", color="tab:blue")
    ax.scatter(
        prepared.X_test[:, 0], prepared.y_test, s=26, marker="^", label="test", color="tab:orange"
    )
    lo = min(prepared.X_train[:, 0].min(), prepared.X_test[:, 0].min())
    hi = max(prepared.X_train[:, 0].max(), prepared.X_test[:, 0].max())
    grid = np.linspace(lo, hi, 50)[:, None]
    styles = ["-", "--", "-.", ":"]
    for k, record in enumerate(rows):
        estimator = result.models[record["key"]]
        ax.plot(grid[:, 0], estimator.predict(grid), styles[k % 4], lw=1.2, label=_label(record))
    feature = prepared.dataset.feature_names[0]
    ax.set(xlabel=feature, ylabel=prepared.dataset.target_name, title=f"{name}: fitted lines")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(True, alpha=0.3)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.12, top=0.92)
    _save(fig, path, plt)
    return True


def heatmap_figure(grid: dict[str, Any], path: Path) -> bool:
    """``grid``: {"learning_rates": [...], "batch_sizes": [...], "loss": 2-D list (rows =
    learning rates) with None for diverged or failed settings, "title": str}."""
    plt = _pyplot()
    loss = np.array(
        [[np.nan if v is None else v for v in row] for row in grid["loss"]], dtype=float
    )
    fig, ax = plt.subplots(figsize=(1.2 * len(grid["batch_sizes"]) + 3, 0.6 * len(loss) + 2.2))
    finite = loss[np.isfinite(loss)]
    if finite.size:
        shown = np.log10(np.where(np.isfinite(loss), loss, np.nan))
        image = ax.imshow(shown, cmap="viridis_r", aspect="auto")
        fig.colorbar(image, ax=ax, label="log10 validation loss")
    for i in range(loss.shape[0]):
        for j in range(loss.shape[1]):
            finite = bool(np.isfinite(loss[i, j]))
            text = f"{loss[i, j]:.3g}" if finite else "✗"
            # A diverged cell has no colour (white): mark it in a colour that shows there.
            colour = "white" if finite else "tab:red"
            ax.text(j, i, text, ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(len(grid["batch_sizes"])), [str(b) for b in grid["batch_sizes"]])
    ax.set_yticks(range(len(grid["learning_rates"])), [str(r) for r in grid["learning_rates"]])
    ax.set(xlabel="batch size", ylabel="learning rate", title=grid.get("title", ""))
    fig.tight_layout()
    _save(fig, path, plt)
    return True


def write_figures(result: Any, folder: Path) -> dict[str, str]:
    """Every figure that the run's results allow; returns {file name: path}."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        result.extra["figures_note"] = (
            "figures skipped: matplotlib is not installed (pip install 'glassbox[plot]')"
        )
        return {}
    files: dict[str, str] = {}
    jobs: list[tuple[str, Any]] = [
        (
            "convergence.png",
            lambda p: convergence_figure(result.records, p, result.extra.get("optimal_loss")),
        ),
        ("accuracy_vs_time.png", lambda p: accuracy_time_figure(result.records, p)),
    ]
    for name in result.data:
        jobs.append((f"fit_{name}.png", lambda p, name=name: fit_lines_figure(result, name, p)))
    if "heatmap" in result.extra:
        jobs.append(("sweep_heatmap.png", lambda p: heatmap_figure(result.extra["heatmap"], p)))
    for filename, draw in jobs:
        path = folder / filename
        if draw(path):
            files[filename] = str(path)
    return files
