"""The lessons run top to bottom in a fresh kernel, and lesson 1 reproduces its known results."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("matplotlib")

LESSONS = sorted((Path(__file__).resolve().parents[2] / "lessons").glob("*.ipynb"))


def execute(path: Path):
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": path.parent}}
    )
    client.execute()
    return notebook


def printed(notebook) -> str:
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.get("name") == "stdout"
    )


def test_there_are_lessons():
    assert LESSONS


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name}: strip outputs before committing (python lessons/render.py --strip)"
            )


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_top_to_bottom(path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    execute(path)  # any error in any cell fails here, with the cell's traceback


def test_lesson_one_reproduces_the_classic_numbers(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    path = next(p for p in LESSONS if p.name.startswith("01_"))
    text = printed(execute(path))
    assert "train MSE 0.03, test MSE 0.01" in text
    assert "slope 3.4242, intercept 7.7823" in text
    exact = re.search(r"exact least squares: y = ([\d.]+) x \+ ([\d.]+)", text)
    descent = re.search(r"glassbox batch GD:   y = ([\d.]+) x \+ ([\d.]+)", text)
    assert exact and descent
    assert exact.groups() == ("3.4242", "7.7823") == descent.groups()
