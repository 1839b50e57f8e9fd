"""The documentation site builds with warnings as errors, and that strictness has teeth.

The real site is built once (lessons rendered without executing them: the lesson tests run
them), then its pages are checked against the source tree walked independently here. A tiny
project with a missing docstring and a broken cross-reference shows that the same settings
fail the build on either.
"""

from __future__ import annotations

import html as html_lib
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
GUIDES = (
    "linear_models",
    "descent",
    "regularized_and_logistic",
    "benchmark_lab",
    "diagnostics",
    "dask",
    "autograd",
    "neural_networks",
    "trees",
    "transformers",
)
ATTENTION_WORDS = ("attention", "transformer", "positional", "gpt")


def sphinx_build(source: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``sphinx-build -W --keep-going`` into ``out``, in a subprocess (a fresh interpreter)."""
    paths = [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in paths if p),
        "GLASSBOX_DOCS_QUICK": "1",
        "MPLBACKEND": "Agg",
    }
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
    command += ["-d", str(out / ".doctrees"), *extra, str(source), str(out / "html")]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)


def public_modules() -> list[str]:
    """Every module of src/glassbox with no path component starting with ``_``."""
    src = ROOT / "src"
    names = []
    for path in (src / "glassbox").rglob("*.py"):
        parts = path.relative_to(src).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        if not any(part.startswith("_") for part in parts):
            names.append(".".join(parts))
    return sorted(names)


def test_the_site_builds_strictly_with_every_module_guide_and_lesson(tmp_path):
    # One build for all the checks (one test, so pytest-xdist cannot run the build twice).
    result = sphinx_build(DOCS, tmp_path, "-D", "nb_execution_mode=off")
    assert result.returncode == 0, f"the docs build failed:\n{result.stderr[-20000:]}"
    site = tmp_path / "html"

    def page(name: str) -> str:
        return (site / name).read_text(encoding="utf-8")

    def text(name: str) -> str:  # what a reader sees: highlighted code is split into spans
        return html_lib.unescape(re.sub(r"<[^>]+>", "", page(name)))

    # The API reference: a page per public module, found by walking the tree here.
    modules = public_modules()
    assert {"glassbox", "glassbox.linear.ols", "glassbox.optim.transforms"} <= set(modules)
    index = page("_generated/api/index.html")
    for name in modules:
        html = page(f"_generated/api/{name}.html")
        assert f'id="module-{name}"' in html, f"{name}: automodule produced no module target"
        assert f"{name}.html" in index, f"{name} is missing from the API index"
    ols = page("_generated/api/glassbox.linear.ols.html")
    assert 'id="glassbox.linear.ols.LinearRegression"' in ols
    assert "Parameters" in ols  # napoleon rendered the NumPy-style sections
    # glassbox.LinearRegression, as users import it, links to the page that defines it.
    guide = page("guide/linear_models.html")
    assert "glassbox.linear.ols.html#glassbox.linear.ols.LinearRegression" in guide

    # The guides reuse README.md and docs/*.md rather than copies of them.
    start = text("getting_started.html")
    assert "./dev bench" in start and "./dev test" in start
    backends = page("backends.html")
    assert "What agreement to expect between engines" in backends and "<table" in backends
    assert "the same iterates, per epoch" in text("backends.html")
    assert "<table" in page("benchmarks.html")
    for name in GUIDES:
        assert "<h1>" in page(f"guide/{name}.html"), f"guide/{name}.md was not rendered"
        assert f"guide/{name}.html" in page("index.html"), f"guide/{name} is not in the index"
    # Each family's guide links its estimators' reference pages.
    for guide, dotted in (
        ("autograd", "glassbox.autograd.functional.value_and_grad"),
        ("neural_networks", "glassbox.nn.model.Model"),
        ("neural_networks", "glassbox.nn.layers.recurrent.LSTM"),
        ("trees", "glassbox.trees.tree.DecisionTreeClassifier"),
        ("trees", "glassbox.trees.boosting.GradientBoostingRegressor"),
    ):
        target = f"{dotted.rsplit('.', 1)[0]}.html#{dotted}"
        assert target in page(f"guide/{guide}.html"), f"guide/{guide}: no link to {target}"
    # The transformers page lists exactly the attention / transformer / text modules there are.
    attention = [
        name
        for name in modules
        if name == "glassbox.text"
        or name.startswith("glassbox.text.")
        or (
            name.startswith("glassbox.nn.")
            and any(word in name.rsplit(".", 1)[1] for word in ATTENTION_WORDS)
        )
    ]
    transformers = page("guide/transformers.html")
    for name in attention:
        assert f"{name}.html" in transformers, f"{name} is missing from the transformers page"
    if not attention:
        assert "nothing to list" in text("guide/transformers.html")

    # Every lesson is rendered (code cells, unexecuted here) and listed.
    lessons = sorted((ROOT / "lessons").glob("*.ipynb"))
    assert lessons
    listing = page("lessons.html")
    for lesson in lessons:
        html = page(f"_generated/lessons/{lesson.stem}.html")
        assert re.search(r"cell_input[^>]*>\s*<div class=\"highlight-(ipython3|python)", html), (
            f"{lesson.name}: no code cells rendered"
        )
        assert f"{lesson.stem}.html" in listing


TINY_CONF = """
import sys
from pathlib import Path

sys.path.insert(0, {ext!r})
sys.path.insert(0, str(Path(__file__).parents[1] / "src"))
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "glassbox_api"]
api_package = "tinypkg"
autodoc_default_options = {{"members": True, "undoc-members": True, "ignore-module-all": True}}
nitpicky = True
"""

TINY_INDEX = """
Tiny
====

.. toctree::

   _generated/api/index
"""


def tiny_project(tmp_path: Path, module: str) -> Path:
    (tmp_path / "src" / "tinypkg").mkdir(parents=True)
    (tmp_path / "src" / "tinypkg" / "__init__.py").write_text('"""A tiny package."""\n')
    (tmp_path / "src" / "tinypkg" / "things.py").write_text(textwrap.dedent(module))
    (tmp_path / "lessons").mkdir()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text(TINY_CONF.format(ext=str(DOCS / "_ext")))
    (docs / "index.rst").write_text(TINY_INDEX)
    return docs


def test_the_strict_build_passes_a_documented_module(tmp_path):
    docs = tiny_project(
        tmp_path,
        '''
        """Documented things."""


        def area(radius):
            """Area of a circle, A = π r² (see :func:`perimeter`)."""
            return 3.14159 * radius**2


        def perimeter(radius):
            """Perimeter of a circle, P = 2 π r."""
            return 2 * 3.14159 * radius
        ''',
    )
    result = sphinx_build(docs, tmp_path / "out")
    assert result.returncode == 0, result.stderr


def test_a_missing_docstring_and_a_broken_reference_fail_the_build(tmp_path):
    docs = tiny_project(
        tmp_path,
        '''
        """Things, one of them undocumented."""


        def area(radius):
            """Area of a circle (see :func:`no_such_function`)."""
            return 3.14159 * radius**2


        def perimeter(radius):
            return 2 * 3.14159 * radius


        class Circle:
            """A circle."""

            def diameter(self):
                return 2.0
        ''',
    )
    result = sphinx_build(docs, tmp_path / "out")
    assert result.returncode != 0
    assert "function tinypkg.things.perimeter has no docstring" in result.stderr
    assert "method tinypkg.things.Circle.diameter has no docstring" in result.stderr
    assert "no_such_function" in result.stderr


def python_blocks(page: Path) -> list[str]:
    """The fenced ``python`` code blocks of a Markdown page."""
    return re.findall(r"^```python\n(.*?)^```", page.read_text(encoding="utf-8"), re.S | re.M)


PAGES_WITH_CODE = sorted(
    page for page in [DOCS / "getting_started.md", *DOCS.glob("guide/*.md")] if python_blocks(page)
)


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=lambda page: page.stem)
def test_the_examples_of_the_guides_run(page):
    # The examples are what a reader copies; each block runs on its own in a fresh interpreter.
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MPLBACKEND": "Agg"}
    for index, block in enumerate(python_blocks(page)):
        result = subprocess.run(
            [sys.executable, "-c", block], capture_output=True, text=True, env=env, timeout=120
        )
        assert result.returncode == 0, f"{page.name}, block {index + 1}:\n{result.stderr[-5000:]}"


def test_the_guides_cover_every_model_family():
    assert {"autograd", "neural_networks", "trees", "transformers"} <= set(GUIDES)
    assert {page.stem for page in DOCS.glob("guide/*.md")} == set(GUIDES)
    assert len(PAGES_WITH_CODE) >= 7


def test_the_transformers_page_lists_text_and_attention_modules_once_they_exist():
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import glassbox_api
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    modules = [
        "glassbox.nn.layers.dense",
        "glassbox.nn.layers.attention",
        "glassbox.nn.positional_encoding",
        "glassbox.text",
        "glassbox.text.gpt",
        "glassbox.textbook",  # a name that merely starts like it
        "glassbox.trees.tree",
    ]
    listed = glassbox_api.transformer_modules(modules)
    assert listed == [
        "glassbox.nn.layers.attention",
        "glassbox.nn.positional_encoding",
        "glassbox.text",
        "glassbox.text.gpt",
    ]
    page = glassbox_api._transformer_page(listed)
    assert all(f"{{py:mod}}`{name}`" in page for name in listed)
    assert "nothing to list" in glassbox_api._transformer_page([])
