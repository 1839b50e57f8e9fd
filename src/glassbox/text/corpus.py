"""A corpus every machine has: the Python standard library's own source files.

Read at run time from the running interpreter (``sysconfig.get_paths()["stdlib"]``), never
copied into the project, so a language model trains with no download. Files are visited in
sorted path order (the same text on the same Python), site-packages and test suites skipped,
and concatenated until ``max_chars`` characters.
"""

from __future__ import annotations

import os
import sysconfig
from collections.abc import Iterator
from pathlib import Path

from glassbox.text.tokenizer import check_text

__all__ = ["read_text_file", "stdlib_source"]

SKIPPED = ("site-packages", "dist-packages", "test", "tests", "idlelib", "__pycache__")


def stdlib_source(max_chars: int = 1_000_000, ascii_only: bool = True) -> str:
    """Up to ``max_chars`` characters of the standard library's ``.py`` files.

    ``ascii_only`` drops the few non-ASCII characters (so a character vocabulary stays
    under 100 symbols, like nanoGPT's 65 for Shakespeare).
    """
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
        raise ValueError(f"max_chars must be an integer >= 1, got {max_chars!r}.")
    root = Path(sysconfig.get_paths()["stdlib"])
    if not root.is_dir():
        raise ValueError(f"The standard library was not found at {root}; pass --text FILE.")
    pieces, total = [], 0
    for path in _python_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if ascii_only:
            text = text.encode("ascii", "ignore").decode("ascii")
        pieces.append(text)
        total += len(text)
        if total >= max_chars:
            break
    return "".join(pieces)[:max_chars]


def _python_files(root: Path) -> Iterator[Path]:
    """The ``.py`` files under ``root`` in sorted order, never entering a skipped folder."""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in SKIPPED)
        for name in sorted(files):
            if name.endswith(".py"):
                yield Path(folder) / name


def read_text_file(path: str | Path, minimum: int = 2) -> str:
    """The UTF-8 text of ``path``, with clear errors for a missing, binary or empty file."""
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"No such text file: {file}.")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{file} is not UTF-8 text ({error.reason} at byte {error.start})."
        ) from None
    return check_text(text, f"The text of {file}", minimum)
