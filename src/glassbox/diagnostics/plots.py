"""Residual plots: the four-panel figure and a VIF bar chart (matplotlib, Agg, PNG).

Panels, as in R's ``plot.lm``:

1. residuals e_i against fitted values ŷ_i, with a LOWESS smoother (curvature shows a
   missed non-linearity);
2. normal Q-Q: sorted internally studentized residuals r_(i) against Φ⁻¹((i - 3/8)/(n + 1/4))
   (Blom's plotting positions);
3. scale-location: √|r_i| against ŷ_i, with a smoother (a trend shows heteroscedasticity);
4. r_i against leverage h_i, with the Cook's distance contours D = 4/n, 0.5 and 1, from
   D = r² h / (k (1 - h)):  r = ±√(D k (1 - h) / h).

matplotlib is imported only here, and figures are drawn on an Agg canvas, never through
``pyplot``, so nothing depends on (or changes) a global backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.stats

if TYPE_CHECKING:
    from glassbox.diagnostics.results import RegressionResults

__all__ = ["lowess", "plot_residuals", "plot_vif"]


def _tricube(u: np.ndarray) -> np.ndarray:
    return np.where(np.abs(u) < 1.0, (1.0 - np.abs(u) ** 3) ** 3, 0.0)


def _local_linear(
    x: np.ndarray, y: np.ndarray, robustness: np.ndarray, at: np.ndarray, n_neighbours: int
) -> np.ndarray:
    """Weighted straight-line fits around each point of ``at`` (tricube × robustness weights)."""
    distance = np.abs(at[:, None] - x[None, :])  # (m, n)
    bandwidth = np.partition(distance, n_neighbours - 1, axis=1)[:, n_neighbours - 1]
    bandwidth = np.maximum(bandwidth, 1e-12 * max(float(np.ptp(x)), 1.0))
    weights = _tricube(distance / bandwidth[:, None]) * robustness[None, :]
    total = weights.sum(axis=1)
    total = np.where(total > 0, total, 1.0)
    mean_x = (weights @ x) / total
    mean_y = (weights @ y) / total
    dx = x[None, :] - mean_x[:, None]
    spread = np.einsum("mn,mn->m", weights, dx * dx)
    slope = np.zeros_like(mean_x)
    np.divide(np.einsum("mn,mn->m", weights, dx * y[None, :]), spread, out=slope, where=spread > 0)
    return mean_y + slope * (at - mean_x)


def lowess(
    x: np.ndarray, y: np.ndarray, frac: float = 2.0 / 3.0, iterations: int = 2, n_points: int = 200
) -> tuple[np.ndarray, np.ndarray]:
    """Cleveland's (1979) robust locally weighted line, evaluated on a grid of ``n_points``.

    At each point x₀ a line is fitted by weighted least squares to the ⌈frac·n⌉ nearest
    observations with tricube weights (1 - |d/h|³)³, h the distance to the farthest of them.
    Each robustness iteration multiplies the weights by the bisquare (1 - (e/6m)²)² of the
    residuals e, m their median absolute value, so outliers stop pulling the curve.
    """
    order = np.argsort(x)
    x, y = x[order], y[order]
    n_samples = x.shape[0]
    n_neighbours = min(n_samples, max(2, int(np.ceil(frac * n_samples))))
    robustness = np.ones(n_samples)
    sample = np.unique(np.linspace(0, n_samples - 1, min(n_samples, 2000)).astype(int))
    for _ in range(iterations):
        fitted = _local_linear(x, y, robustness, x[sample], n_neighbours)
        residual = y[sample] - fitted
        median = float(np.median(np.abs(residual)))
        if median == 0.0:
            break
        robustness_at_sample = (1.0 - np.clip(residual / (6.0 * median), -1.0, 1.0) ** 2) ** 2
        robustness = np.interp(x, x[sample], robustness_at_sample)
    grid = np.linspace(x[0], x[-1], n_points) if n_samples > n_points else x
    return grid, _local_linear(x, y, robustness, grid, n_neighbours)


def _new_figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Any, path: str | Path | None) -> None:
    if path is not None:
        figure.savefig(str(path), format="png")


def plot_residuals(results: RegressionResults, path: str | Path | None = None) -> Any:
    """Draw the four diagnostic panels; return the matplotlib ``Figure`` (saved if ``path``)."""
    figure = _new_figure(10.0, 8.0)
    axes = figure.subplots(2, 2)
    fitted, resid = results.fittedvalues, results.resid
    influence = results.influence
    studentized = influence.resid_studentized_internal
    leverage = influence.hat_matrix_diag
    smooth_style = {"color": "tab:red", "linewidth": 1.5}
    point_style = {"s": 12, "alpha": 0.6, "edgecolors": "none"}

    panel = axes[0, 0]
    panel.scatter(fitted, resid, **point_style)
    panel.axhline(0.0, color="grey", linestyle=":", linewidth=1)
    panel.plot(*lowess(fitted, resid), **smooth_style)
    panel.set(title="Residuals vs fitted", xlabel="fitted values", ylabel="residuals")

    panel = axes[0, 1]
    n_samples = resid.shape[0]
    positions = (np.arange(1, n_samples + 1) - 0.375) / (n_samples + 0.25)
    theoretical = scipy.stats.norm.ppf(positions)
    panel.scatter(theoretical, np.sort(studentized), **point_style)
    low, high = theoretical[0], theoretical[-1]
    panel.plot([low, high], [low, high], color="grey", linestyle=":", linewidth=1)
    panel.set(
        title="Normal Q-Q",
        xlabel="theoretical quantiles",
        ylabel="studentized residuals",
    )

    panel = axes[1, 0]
    root = np.sqrt(np.abs(studentized))
    panel.scatter(fitted, root, **point_style)
    panel.plot(*lowess(fitted, root), **smooth_style)
    panel.set(title="Scale-location", xlabel="fitted values", ylabel="√|studentized residuals|")

    panel = axes[1, 1]
    panel.scatter(leverage, studentized, **point_style)
    panel.axhline(0.0, color="grey", linestyle=":", linewidth=1)
    grid = np.linspace(
        max(float(leverage.min()), 1e-3), min(float(leverage.max()) * 1.1, 0.999), 100
    )
    for level, style in ((4.0 / results.nobs, ":"), (0.5, "--"), (1.0, "-.")):
        bound = np.sqrt(level * results.rank * (1.0 - grid) / grid)
        panel.plot(grid, bound, color="tab:red", linestyle=style, linewidth=1)
        panel.plot(grid, -bound, color="tab:red", linestyle=style, linewidth=1)
        panel.annotate(f"D = {level:.2g}", (grid[-1], bound[-1]), fontsize=7, color="tab:red")
    cooks = np.where(np.isfinite(influence.cooks_distance), influence.cooks_distance, 0.0)
    for index in np.argsort(-cooks)[:3]:
        panel.annotate(str(int(index)), (leverage[index], studentized[index]), fontsize=7)
    limit = max(3.0, float(np.max(np.abs(studentized))) * 1.1)
    panel.set_ylim(-limit, limit)
    panel.set(title="Residuals vs leverage", xlabel="leverage", ylabel="studentized residuals")

    figure.suptitle(f"{results.model_name}: residual diagnostics")
    figure.tight_layout()
    _save(figure, path)
    return figure


def plot_vif(results: RegressionResults, path: str | Path | None = None) -> Any:
    """Horizontal bars of the variance inflation factors, with the usual 5 and 10 marks."""
    names = results.vif_names
    values = results.vif if names else np.zeros(0)
    figure = _new_figure(7.0, 1.2 + 0.35 * max(len(names), 1))
    axis = figure.subplots()
    colours = ["tab:red" if v > 10 else "tab:orange" if v > 5 else "tab:blue" for v in values]
    axis.barh(np.arange(len(names)), values, color=colours)
    axis.set_yticks(np.arange(len(names)), labels=names)
    axis.invert_yaxis()
    for mark in (5.0, 10.0):
        axis.axvline(mark, color="grey", linestyle=":", linewidth=1)
    if len(values) and float(np.max(values)) > 100:
        axis.set_xscale("log")
    axis.set(title="Variance inflation factors", xlabel="VIF = 1 / (1 - R²ⱼ)")
    figure.tight_layout()
    _save(figure, path)
    return figure
