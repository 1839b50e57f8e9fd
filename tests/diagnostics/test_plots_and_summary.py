"""The summary renders the same content three ways; plots are written as PNG files; the
LOWESS smoother behaves as a local linear smoother should."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from glassbox.diagnostics import diagnose
from glassbox.diagnostics.plots import lowess

from .conftest import DATASETS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def results():
    X, y = DATASETS["diabetes"]()
    return diagnose(LinearRegression().fit(X, y), X, y, cov_type="HC3")


def test_summary_text_markdown_html(results) -> None:
    summary = results.summary()
    text, markdown, page = str(summary), summary.as_markdown(), summary.as_html()
    for name in ["const", "age", "bmi", "s6", "Breusch-Pagan", "Durbin-Watson", "HC3"]:
        assert name in text and name in markdown and name in page
    assert "| bmi |" in markdown and "P>\\|z\\|" in markdown  # robust: normal, escaped pipes
    assert page.startswith('<div class="glassbox-summary">') and "<td>bmi</td>" in page
    assert summary._repr_html_() == page
    assert "target" in text  # the Series name of the target


def test_residual_and_vif_plots_are_png(results, tmp_path: Path) -> None:
    residuals, vif = tmp_path / "residuals.png", tmp_path / "vif.png"
    figure = results.plot_residuals(residuals)
    results.plot_vif(vif)
    assert residuals.read_bytes()[:8] == PNG_MAGIC and vif.read_bytes()[:8] == PNG_MAGIC
    assert len(figure.axes) == 4
    titles = [axis.get_title() for axis in figure.axes]
    assert titles == [
        "Residuals vs fitted",
        "Normal Q-Q",
        "Scale-location",
        "Residuals vs leverage",
    ]


def test_lowess_reproduces_lines_and_smooths_curves() -> None:
    """Local linear fits reproduce a straight line exactly (to rounding); on a noisy sine
    with σ = 0.1 the smoother stays within 0.1 of the truth away from the ends."""
    x = np.linspace(0.0, 1.0, 101)
    grid, smooth = lowess(x, 3.0 * x - 1.0)
    np.testing.assert_allclose(smooth, 3.0 * grid - 1.0, atol=1e-10)
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(0.0, 2.0 * np.pi, 400))
    y = np.sin(x) + rng.normal(scale=0.1, size=400)
    y[::50] += 5.0  # outliers the robustness iterations must ignore
    grid, smooth = lowess(x, y, frac=0.2)
    inner = (grid > 0.5) & (grid < 2.0 * np.pi - 0.5)
    assert np.max(np.abs(smooth[inner] - np.sin(grid[inner]))) < 0.1


def test_lowess_matches_statsmodels_on_a_smooth_signal() -> None:
    """Same definition (tricube, ⌈frac·n⌉ neighbours, bisquare robustness iterations) as
    statsmodels' lowess with delta = 0, evaluated at every x below 2000 points: equal to
    rounding (1e-10 absolute on values of order 1)."""
    statsmodels_lowess = pytest.importorskip("statsmodels.nonparametric.smoothers_lowess")
    rng = np.random.default_rng(1)
    x = np.sort(rng.uniform(0.0, 3.0, 150))
    y = np.exp(-x) * np.cos(2 * x) + rng.normal(scale=0.05, size=150)
    for iterations in (0, 2):
        expected = statsmodels_lowess.lowess(y, x, frac=2 / 3, it=iterations, delta=0.0)
        grid, smooth = lowess(x, y, frac=2 / 3, iterations=iterations)
        np.testing.assert_allclose(grid, expected[:, 0])
        np.testing.assert_allclose(smooth, expected[:, 1], rtol=0, atol=1e-10)
