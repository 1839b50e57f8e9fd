"""Sphinx configuration of glassbox's documentation site.

Build it with ``./dev docs`` (lessons executed, outputs shown) or, as the test suite does,
``sphinx-build -W --keep-going -D nb_execution_mode=off docs OUT`` (lessons rendered as written).
The API reference is generated at build time from every public module of ``src/glassbox``
(``_ext/glassbox_api.py``), so a package added there appears with no change to this file.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
SRC = ROOT / "src"

# Document this checkout's code, also in the kernels that execute the lessons.
sys.path.insert(0, str(SRC))
sys.path.insert(0, str(DOCS / "_ext"))
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p
)
# The kernels that execute the lessons draw figures inline, so the pages show them (Agg, which
# the lesson tests use, would draw them off-screen and show nothing).
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"

project = "glassbox"
author = "the glassbox authors"
copyright = "the glassbox authors"
release = version = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "myst_nb",
    "glassbox_api",
]
# Source pages beside the reference; GLASSBOX_DOCS_QUICK=1 (the test build) leaves them out,
# which halves the build time and changes no cross-reference.
if os.environ.get("GLASSBOX_DOCS_QUICK") != "1":
    extensions.append("sphinx.ext.viewcode")

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
# _generated/transformer_modules.md is included by guide/transformers.md, not a page itself.
exclude_patterns = [
    "_build",
    "**/.ipynb_checkpoints",
    "Thumbs.db",
    ".DS_Store",
    "_generated/transformer_modules.md",
]
root_doc = "index"

html_theme = "alabaster"
html_title = "glassbox"
html_static_path: list[str] = []
html_theme_options = {"description": "Machine learning written out in NumPy", "fixed_sidebar": True}

# ---- autodoc: numpydoc-style docstrings through napoleon -----------------------------------
autodoc_default_options = {
    "members": True,
    "undoc-members": True,  # so that glassbox_api can flag a public object with no docstring
    "show-inheritance": True,
    "ignore-module-all": True,  # each object on the page of the module that defines it
}
autodoc_member_order = "bysource"
# The docstrings carry the types in words ("array of shape (n_samples, n_features)"), which are
# rendered as written, not turned into cross-references to classes that do not exist.
autodoc_typehints = "none"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_param = False
napoleon_use_keyword = False
napoleon_use_rtype = False
napoleon_custom_sections = [("Attributes", "params_style")]

# Heavy engines are imported inside functions, so autodoc rarely needs them; any that are not
# installed are mocked, so the reference builds with the core dependencies and the CLI alone.
_OPTIONAL = ["torch", "sklearn", "statsmodels", "pandas", "pyarrow", "matplotlib", "dask",
             "distributed", "typer", "rich", "threadpoolctl"]
autodoc_mock_imports = [name for name in _OPTIONAL if importlib.util.find_spec(name) is None]

# ---- MyST and the lessons ---------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
# ./dev docs executes every lesson in a fresh kernel; the test build renders them unexecuted
# (-D nb_execution_mode=off), since executing them is the lesson tests' job.
nb_execution_mode = "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# A broken cross-reference is an error (with -W); names from other projects are not ours to
# resolve offline, so those are let through.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|scipy|torch|sklearn|pandas|pd|dask|distributed|matplotlib|statsmodels"
               r"|typer|rich|pyarrow|collections|typing|types|pathlib|os|io|decimal|fractions"
               r"|concurrent|dataclasses|enum|abc|contextlib|numbers|threadpoolctl|timeit"
               r"|tracemalloc|time|json|math|random|warnings|functools|itertools)\b.*"),
    (r"py:.*", r"'.*"),  # a quoted annotation, rendered as written
    (r"py:.*", r"(int|float|str|bool|bytes|complex|object|type|list|tuple|dict|set|frozenset"
               r"|None|Callable|Iterable|Iterator|Sequence|Mapping|Any|Path|callable|optional"
               r"|default|ndarray|array|array-like|array_like|ArrayLike|NDArray|DataFrame"
               r"|Series|Tensor)\b.*"),
]
