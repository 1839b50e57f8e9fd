"""Render every lesson to HTML with its outputs, or strip outputs before committing.

python lessons/render.py OUT_DIR      # execute each notebook in a fresh kernel, write HTML
python lessons/render.py --strip      # remove outputs from the committed notebooks
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

HERE = Path(__file__).resolve().parent


def strip() -> None:
    for path in sorted(HERE.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(notebook, path)
        print(f"stripped {path.name}")


def render(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(HERE.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": HERE}}
        ).execute()
        html, _ = HTMLExporter().from_notebook_node(notebook)
        target = out / f"{path.stem}.html"
        target.write_text(html, encoding="utf-8")
        print(f"wrote {target}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--strip"]:
        strip()
    elif len(sys.argv) == 2:
        render(Path(sys.argv[1]))
    else:
        sys.exit(__doc__)
