"""What every tokenizer offers, and a registry of them by name.

A tokenizer is trained from text (``fit``), maps text to an int array (``encode``) and back
(``decode``), and is plain data: ``to_dict()`` is JSON, ``save(path)`` writes it and
:func:`load_tokenizer` rebuilds the right class from the ``"kind"`` it records.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["TOKENIZERS", "Tokenizer", "check_text", "get_tokenizer", "load_tokenizer"]

TOKENIZERS: dict[str, type[Tokenizer]] = {}


def check_text(text: Any, what: str = "text", minimum: int = 1) -> str:
    """``text`` as a str with at least ``minimum`` characters, else a clear error."""
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str, got {type(text).__name__}.")
    if len(text) < minimum:
        raise ValueError(
            f"{what} is {'empty' if not text else f'only {len(text)} characters long'}; "
            f"it needs at least {minimum}."
        )
    return text


class Tokenizer:
    """Base class: ``fit``, ``encode``, ``decode``, ``vocab_size``, JSON round trip."""

    kind = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            TOKENIZERS[cls.kind] = cls

    @property
    def vocab_size(self) -> int:
        """The number of distinct ids."""
        raise NotImplementedError

    def fit(self, text: str) -> Tokenizer:
        """Learn the vocabulary from ``text``; returns ``self``."""
        raise NotImplementedError

    def encode(self, text: str) -> np.ndarray:
        """``text`` as an int64 array of ids."""
        raise NotImplementedError

    def decode(self, ids: Any) -> str:
        """The text of ``ids``."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (``kind`` plus the learned vocabulary)."""
        raise NotImplementedError

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tokenizer:
        """Rebuild from :meth:`to_dict`."""
        raise NotImplementedError

    def save(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` as JSON."""
        target = Path(path)
        target.write_text(json.dumps(self.to_dict(), ensure_ascii=False), encoding="utf-8")
        return target


def load_tokenizer(path_or_dict: str | Path | dict[str, Any]) -> Tokenizer:
    """The tokenizer saved at ``path`` (or described by a dict), of whichever kind it is."""
    data = (
        path_or_dict
        if isinstance(path_or_dict, dict)
        else json.loads(Path(path_or_dict).read_text(encoding="utf-8"))
    )
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in TOKENIZERS:
        raise ValueError(
            f"Not a saved tokenizer: kind {kind!r}; known kinds are {sorted(TOKENIZERS)}."
        )
    return TOKENIZERS[kind].from_dict(data)


def get_tokenizer(name: str, **kwargs: Any) -> Tokenizer:
    """A new, untrained tokenizer registered as ``name`` ("char" or "bpe")."""
    if name not in TOKENIZERS:
        raise ValueError(f"Unknown tokenizer {name!r}; valid names are {sorted(TOKENIZERS)}.")
    return TOKENIZERS[name](**kwargs)


def as_ids(ids: Any, vocab_size: int) -> np.ndarray:
    """``ids`` as a 1-d int64 array inside [0, vocab_size), else a clear error."""
    array = np.asarray(ids)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise ValueError(f"ids must be a 1-d array of integers; got shape {array.shape}.")
    array = array.astype(np.int64)
    if array.size and (array.min() < 0 or array.max() >= vocab_size):
        raise ValueError(
            f"ids must be in [0, {vocab_size}) for this tokenizer; got min {array.min()}, "
            f"max {array.max()}."
        )
    return array
