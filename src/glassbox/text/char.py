"""The character tokenizer: one id per distinct character of the training text.

The vocabulary is the sorted set of characters, so id(c) is c's rank among them (nanoGPT's
``shakespeare_char``: 65 characters). A character the training text never contained has no id:
encoding it is an error that names it (a byte-level BPE handles any text).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.text.tokenizer import Tokenizer, as_ids, check_text

__all__ = ["CharTokenizer"]


class CharTokenizer(Tokenizer):
    """id(c) = the rank of character c in the sorted vocabulary."""

    kind = "char"

    def __init__(self, characters: str | None = None) -> None:
        self.characters: str = ""
        self._ids: dict[str, int] = {}
        if characters is not None:
            self._set(sorted(set(check_text(characters, "characters"))))

    def _set(self, characters: list[str]) -> None:
        self.characters = "".join(characters)
        self._ids = {c: i for i, c in enumerate(self.characters)}
        self._table = np.array(list(self.characters)) if self.characters else np.array([])

    @property
    def vocab_size(self) -> int:
        return len(self.characters)

    def fit(self, text: str) -> CharTokenizer:
        """The vocabulary: every distinct character of ``text``, sorted."""
        self._set(sorted(set(check_text(text))))
        return self

    def _check_fitted(self) -> None:
        if not self.characters:
            raise ValueError("This CharTokenizer has no vocabulary yet: call fit(text) first.")

    def encode(self, text: str) -> np.ndarray:
        """The ids of the characters of ``text``; unknown characters are named in the error."""
        self._check_fitted()
        check_text(text, minimum=0)
        try:
            return np.array([self._ids[c] for c in text], dtype=np.int64)
        except KeyError:
            unknown = sorted({c for c in text if c not in self._ids})
            shown = ", ".join(repr(c) for c in unknown[:20])
            raise ValueError(
                f"The text has {len(unknown)} character(s) outside the tokenizer's vocabulary of "
                f"{self.vocab_size}: {shown}{' …' if len(unknown) > 20 else ''}. Remove them, "
                "or train on text that contains them (a 'bpe' tokenizer accepts any text)."
            ) from None

    def decode(self, ids: Any) -> str:
        """The characters of ``ids`` joined."""
        self._check_fitted()
        return "".join(self._table[as_ids(ids, self.vocab_size)].tolist())

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "characters": self.characters}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CharTokenizer:
        return cls(data["characters"])
