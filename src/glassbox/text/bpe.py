"""Byte-level byte-pair encoding: merges learned by counting adjacent pairs.

Text is first its UTF-8 bytes, ids 0 … 255, so every string has an encoding and nothing is
ever unknown. Training repeats, for k = 0, 1, … until the vocabulary has ``vocab_size`` ids,

    (a, b) = argmax over adjacent pairs of count(a, b)   (ties: the smallest pair),
    every non-overlapping occurrence of a b, left to right, becomes the new id 256 + k,   (1)

and records the merge. Encoding applies the merges in the order they were learned (at each
round the learned pair of lowest rank present in the ids; no merge can create a pair of lower
rank than itself, so this is the training order); decoding concatenates each id's bytes and
decodes UTF-8, so ``decode(encode(s)) == s`` for every string s (Sennrich et al., 2016;
Radford et al., 2019, §2.2 for the byte-level form). Pair counting and merging are vectorized:
a pair is the single integer a · V + b, counted by ``bincount``.

References
----------
Sennrich, R., Haddow, B., Birch, A. (2016). Neural machine translation of rare words with
subword units. ACL.
Radford, A. et al. (2019). Language models are unsupervised multitask learners. OpenAI.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.text.tokenizer import Tokenizer, as_ids, check_text

__all__ = ["ByteBPETokenizer", "merge_pair"]

N_BYTES = 256


def merge_pair(ids: np.ndarray, first: int, second: int, new_id: int) -> np.ndarray:
    """Eq. (1): every non-overlapping ``first second``, left to right, becomes ``new_id``.

    In a run of matches (``a a a a`` for the pair (a, a)) the matches at even offsets from the
    run's start are taken, which is what a left-to-right scan takes.
    """
    if ids.size < 2:
        return ids
    match = (ids[:-1] == first) & (ids[1:] == second)
    if not match.any():
        return ids
    if first == second:  # only a pair with itself can overlap
        position = np.arange(match.size)
        starts = match & ~np.concatenate(([False], match[:-1]))
        run_start = np.maximum.accumulate(np.where(starts, position, 0))
        match &= (position - run_start) % 2 == 0
    where = np.flatnonzero(match)
    merged = ids.copy()
    merged[where] = new_id
    keep = np.ones(ids.size, dtype=bool)
    keep[where + 1] = False
    return merged[keep]


class ByteBPETokenizer(Tokenizer):
    """Byte-level BPE with ``vocab_size`` ids (256 bytes + the learned merges).

    Parameters
    ----------
    vocab_size : int
        At least 256; training stops early when no pair occurs twice.
    """

    kind = "bpe"

    def __init__(self, vocab_size: int = 512) -> None:
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size < 256:
            raise ValueError(
                f"vocab_size must be an integer >= 256 (the byte values), got {vocab_size!r}."
            )
        self.target_size = vocab_size
        self.merges: list[tuple[int, int]] = []
        self._rebuild()

    def _rebuild(self) -> None:
        """The byte string of every id, and each merge's rank by its pair."""
        self.token_bytes = [bytes([b]) for b in range(N_BYTES)]
        for a, b in self.merges:
            self.token_bytes.append(self.token_bytes[a] + self.token_bytes[b])
        self._rank = {pair: k for k, pair in enumerate(self.merges)}

    @property
    def vocab_size(self) -> int:
        return N_BYTES + len(self.merges)

    def fit(self, text: str) -> ByteBPETokenizer:
        """Learn merges by eq. (1) until ``vocab_size`` ids or no pair repeats."""
        ids = np.frombuffer(check_text(text).encode("utf-8"), dtype=np.uint8).astype(np.int64)
        self.merges = []
        n_ids = self.target_size
        while N_BYTES + len(self.merges) < self.target_size and ids.size >= 2:
            codes = ids[:-1] * n_ids + ids[1:]  # the pair (a, b) as one integer a·V + b
            counts = np.bincount(codes)
            best = int(np.argmax(counts))  # the first maximum: the smallest pair among ties
            if counts[best] < 2:
                break
            first, second = divmod(best, n_ids)
            new_id = N_BYTES + len(self.merges)
            ids = merge_pair(ids, first, second, new_id)
            self.merges.append((first, second))
        self._rebuild()
        return self

    def encode(self, text: str) -> np.ndarray:
        """Apply the merges in the order learned to the UTF-8 bytes of ``text``."""
        check_text(text, minimum=0)
        ids = np.frombuffer(text.encode("utf-8"), dtype=np.uint8).astype(np.int64)
        if not self.merges:
            return ids
        n_ids = self.vocab_size
        rank_of_code = {a * n_ids + b: k for (a, b), k in self._rank.items()}
        codes_with_rank = np.array(sorted(rank_of_code), dtype=np.int64)
        ranks = np.array([rank_of_code[c] for c in codes_with_rank], dtype=np.int64)
        while ids.size >= 2:
            codes = ids[:-1] * n_ids + ids[1:]
            slot = np.searchsorted(codes_with_rank, codes)
            slot = np.minimum(slot, codes_with_rank.size - 1)
            known = codes_with_rank[slot] == codes
            if not known.any():
                break
            rank = int(ranks[slot[known]].min())
            first, second = self.merges[rank]
            ids = merge_pair(ids, first, second, N_BYTES + rank)
        return ids

    def decode_bytes(self, ids: Any) -> bytes:
        """The bytes of ``ids`` concatenated."""
        return b"".join(self.token_bytes[i] for i in as_ids(ids, self.vocab_size).tolist())

    def decode(self, ids: Any, errors: str = "replace") -> str:
        """The UTF-8 text of ``ids``; sampled ids may cut a character in two, whose bytes
        then decode as U+FFFD (``errors="strict"`` raises instead)."""
        return self.decode_bytes(ids).decode("utf-8", errors=errors)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "vocab_size": self.target_size,
            "merges": [list(pair) for pair in self.merges],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ByteBPETokenizer:
        tokenizer = cls(int(data["vocab_size"]))
        merges = [(int(a), int(b)) for a, b in data["merges"]]
        for k, (a, b) in enumerate(merges):
            if not (0 <= a < N_BYTES + k and 0 <= b < N_BYTES + k):
                raise ValueError(f"Saved BPE merge {k} refers to an id not yet defined: {(a, b)}.")
        tokenizer.merges = merges
        tokenizer._rebuild()
        return tokenizer
