"""Sphinx extension: the API reference and the lessons, generated from the repository.

* Every public module of ``src/glassbox`` (no path component starting with ``_``) gets a page
  ``_generated/api/<module>.rst`` with ``automodule``, found by walking the source tree, so a
  package merged later appears in the reference with no change to the configuration.
* The notebooks of ``lessons/`` are copied to ``_generated/lessons/`` for MyST-NB to render.
* ``_generated/transformer_modules.md`` lists the attention, transformer and text modules for
  the transformers guide, whichever exist.
* A public module, class, function, method or property without a docstring is a warning, so
  ``sphinx-build -W`` fails on it (autodoc alone would render it silently).
"""

from __future__ import annotations

import importlib
import inspect
import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: What must carry a docstring (data and attributes are described by their owner's docstring).
NEEDS_DOCSTRING = {"module", "class", "exception", "function", "method", "property"}


def public_modules(src: Path, package: str) -> list[str]:
    """Dotted names of the public modules under ``src/package``, sorted, packages first."""
    names = []
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(part.startswith("_") for part in parts):
            continue
        names.append(".".join(parts))
    return sorted(names)


def _write_if_changed(path: Path, text: str) -> None:
    """Rewrite only on change, so Sphinx's incremental build keeps what is up to date."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def imported_names(name: str) -> list[str]:
    """Public classes and functions that module ``name`` imports from another module.

    They are documented on the page of the module that defines them; autodoc would otherwise
    repeat some of them here (``Callable``, a helper shared by two modules).
    """
    module = importlib.import_module(name)
    return sorted(
        attribute
        for attribute, obj in vars(module).items()
        if not attribute.startswith("_")
        and (inspect.isclass(obj) or inspect.isroutine(obj))
        and getattr(obj, "__module__", name) != name
    )


def _module_page(name: str) -> str:
    title = f"``{name}``"
    page = f"{title}\n{'=' * len(title)}\n\n.. automodule:: {name}\n"
    excluded = imported_names(name)
    if excluded:
        page += f"   :exclude-members: {', '.join(excluded)}\n"
    return page


def _api_index(package: str, modules: list[str]) -> str:
    lines = [
        "API reference",
        "=============",
        "",
        f"Generated from the docstrings of every public module of ``{package}``, one page per",
        "module, grouped by package.",
        "",
    ]
    packages = {n.split(".")[1] for n in modules if n.count(".") >= 2}
    top = [n for n in modules if n.count(".") == 0 or (n.count(".") == 1 and n.split(".")[1] not in packages)]
    sections = [("Top-level modules", top)] + [
        (f"``{package}.{sub}``", [n for n in modules if n.split(".")[1:2] == [sub]])
        for sub in sorted(packages)
    ]
    for title, names in sections:
        lines += [title, "-" * len(title), "", ".. toctree::", "   :maxdepth: 1", ""]
        lines += [f"   {name}" for name in names]
        lines.append("")
    return "\n".join(lines)


#: Modules of the transformers page: ``glassbox.text`` and its modules, and the modules of
#: ``glassbox.nn`` whose name says attention, transformer, positional encoding or GPT.
TRANSFORMER_MODULE = re.compile(
    r"^glassbox\.text(\..*)?$|^glassbox\.nn\..*(attention|transformer|positional|gpt)[^.]*$"
)


def transformer_modules(modules: list[str]) -> list[str]:
    """The public modules the transformers guide lists, in order (none until they are merged)."""
    return [name for name in modules if TRANSFORMER_MODULE.match(name)]


def _transformer_page(names: list[str]) -> str:
    if not names:
        return (
            "This version of glassbox has neither yet, so there is nothing to list; the page "
            "fills itself in once ``glassbox.text`` or an attention module of ``glassbox.nn`` "
            "exists.\n"
        )
    lines = ["The modules, each with its page in the API reference:", ""]
    lines += [f"- {{py:mod}}`{name}`" for name in names]
    return "\n".join(lines) + "\n"


def generate(app: Sphinx) -> None:
    """Write the API pages and copy the lessons into ``_generated`` (on ``builder-inited``)."""
    docs = Path(app.srcdir)
    root = docs.parent
    out = docs / "_generated"
    package = app.config.api_package
    modules = public_modules(root / "src", package)
    api = out / "api"
    for stale in api.glob("*.rst"):
        if stale.stem not in modules and stale.stem != "index":
            stale.unlink()
    for name in modules:
        _write_if_changed(api / f"{name}.rst", _module_page(name))
    _write_if_changed(api / "index.rst", _api_index(package, modules))
    _write_if_changed(out / "transformer_modules.md", _transformer_page(transformer_modules(modules)))

    lessons = out / "lessons"
    lessons.mkdir(parents=True, exist_ok=True)
    sources = sorted((root / "lessons").glob("*.ipynb"))
    for stale in lessons.glob("*.ipynb"):
        if stale.name not in {s.name for s in sources}:
            stale.unlink()
    for source in sources:
        target = lessons / source.name
        if not target.exists() or target.read_bytes() != source.read_bytes():
            shutil.copyfile(source, target)


_INLINE_LITERAL = re.compile(r"(``.+?``)")
_SUBSTITUTION_LIKE = re.compile(r"\|(?=\S)([^|`]*?\S)\|")


def escape_bars(line: str) -> str:
    r"""Escape ``|x|`` (an absolute value or a norm) so reST does not read it as a substitution.

    The docstrings are written for ``help()``, where ``|x|`` and ``‖w‖`` read as mathematics;
    reST would take ``|x|`` for a substitution reference. Inline literals are left alone.
    """
    pieces = _INLINE_LITERAL.split(line)
    return "".join(
        piece if piece.startswith("``") else _SUBSTITUTION_LIKE.sub(r"\\|\1\\|", piece)
        for piece in pieces
    )


def prepare_docstring(app, what, name, obj, options, lines) -> None:
    """Escape ``|x|`` in place, and warn (an error under ``-W``) on a missing docstring.

    Runs before napoleon (see ``keep_first_line`` for what runs after it).
    """
    lines[:] = [escape_bars(line) for line in lines]
    if what in NEEDS_DOCSTRING and not any(line.strip() for line in lines):
        logger.warning(
            "%s %s has no docstring: write one (NumPy style, with its equation)", what, name,
            type="glassbox", subtype="docstring",
        )


def keep_first_line(app, what, name, obj, options, lines) -> None:
    """Undo napoleon's reading of a property's "words: more words" as "type: description".

    "Number of estimated slopes: p, ..." is prose here, not a type named "Number of
    estimated slopes" (which ``nitpicky`` would then report as a missing class).
    """
    if what not in ("property", "attribute", "data"):
        return
    for index, line in enumerate(lines):
        if line.startswith(":type: "):
            del lines[index]
            first = next((i for i, text in enumerate(lines) if text.strip()), None)
            if first is not None:
                lines[first] = f"{line[len(':type: '):]}: {lines[first].lstrip()}"
            break


def _lookup(dotted: str) -> object:
    """The object a dotted name points to (importing its module), or ``_MISSING``."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute, _MISSING)
            if obj is _MISSING:
                return _MISSING
        return obj
    return _MISSING


_MISSING = object()


def canonical_name(dotted: str, package: str) -> str | None:
    """Where the object named ``dotted`` is defined (and so documented), if in glassbox.

    ``glassbox.LinearRegression`` is ``glassbox.linear.ols.LinearRegression``; an attribute
    without a name of its own (a property, a constant) takes its owner's canonical name.
    """
    if dotted != package and not dotted.startswith(package + "."):
        return None
    obj = _lookup(dotted)
    if obj is _MISSING:
        return None
    if inspect.ismodule(obj):
        return obj.__name__
    home, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(home, str) and home.split(".")[0] == package and isinstance(qualname, str):
        return f"{home}.{qualname}"
    if "." not in dotted:
        return None
    owner, _, attribute = dotted.rpartition(".")
    owner_name = canonical_name(owner, package)
    return f"{owner_name}.{attribute}" if owner_name else None


def resolve_reexport(app, env, node, contnode):
    """Resolve a reference through the name users import (``glassbox.Ridge``) to its home.

    Names are looked up as the Python domain does (in the current class, then the current
    module, then as written). A reference to a private helper (``_apply``) is not part of the
    public reference; it is shown as written, not as a broken link. Anything else unresolved
    stays unresolved, and ``-W`` reports it.
    """
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    module, owner = node.get("py:module"), node.get("py:class")
    candidates = [target]
    if module:
        candidates.insert(0, f"{module}.{target}")
        if owner:
            candidates.insert(0, f"{module}.{owner}.{target}")
    domain = env.get_domain("py")
    for dotted in candidates:
        home = canonical_name(dotted, app.config.api_package)
        if home is None:
            continue
        if any(part.startswith("_") for part in home.split(".")):
            return contnode
        if home != dotted or dotted != target:
            resolved = domain.resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], home, node, contnode
            )
            if resolved is None:  # a function named through :class:, or the like
                resolved = domain.resolve_any_xref(
                    env, node["refdoc"], app.builder, home, node, contnode
                )
                resolved = resolved[0][1] if resolved else None
            if resolved is not None:
                return resolved
    if any(part.startswith("_") for part in target.split(".")):
        return contnode
    return None


def setup(app: Sphinx) -> dict[str, object]:
    """Register the generator and the docstring check with Sphinx."""
    app.add_config_value("api_package", "glassbox", "env")
    app.connect("builder-inited", generate)
    app.connect("autodoc-process-docstring", prepare_docstring, priority=400)  # before napoleon
    app.connect("autodoc-process-docstring", keep_first_line, priority=600)  # after napoleon
    app.connect("missing-reference", resolve_reexport)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
