"""Training windows for a language model: inputs and their next tokens, sampled with a seed.

From a token array t (length N) and a start s, a window is

    x = t[s : s + T],   y = t[s + 1 : s + T + 1],                                      (1)

so y_i is the token after x_i and one window trains T next-token predictions. Starts range
over 0 … N − T − 1. :class:`WindowSampler` draws B starts uniformly (with replacement, as
nanoGPT's ``get_batch``) from its own ``numpy.random.Generator``; the same seed, the same
batches. :func:`split_tokens` keeps the first part of the text for training and the rest for
validation (no window straddles the two).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["WindowSampler", "n_windows", "split_tokens", "windows"]


def n_windows(n_tokens: int, context: int) -> int:
    """How many starts eq. (1) allows: N − T (each window needs T + 1 tokens)."""
    return max(int(n_tokens) - int(context), 0)


def _check_tokens(tokens: Any, context: int, what: str = "tokens") -> np.ndarray:
    array = np.asarray(tokens)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise ValueError(f"{what} must be a 1-d array of integer ids; got shape {array.shape}.")
    if isinstance(context, bool) or not isinstance(context, (int, np.integer)) or context < 1:
        raise ValueError(f"context must be an integer >= 1, got {context!r}.")
    if array.size < context + 1:
        raise ValueError(
            f"The {what} hold {array.size} tokens, too few for one window of context {context} "
            f"(which needs {context + 1}): use more text or a shorter context."
        )
    return array


def windows(tokens: np.ndarray, starts: Any, context: int) -> tuple[np.ndarray, np.ndarray]:
    """Eq. (1) for every start: (x, y), each (len(starts), context)."""
    begin = np.asarray(starts, dtype=np.intp)
    offsets = begin[:, None] + np.arange(context)[None, :]  # (B, 1) + (1, T) -> (B, T)
    return tokens[offsets], tokens[offsets + 1]


def split_tokens(tokens: Any, validation_fraction: float, context: int) -> tuple[Any, Any]:
    """(first 1 − f of the tokens, the last f), each long enough for one window."""
    array = _check_tokens(tokens, context)
    if not 0 < validation_fraction < 1:
        raise ValueError(
            f"validation_fraction must be strictly between 0 and 1, got {validation_fraction!r}."
        )
    cut = round(array.size * (1 - validation_fraction))
    train, validation = array[:cut], array[cut:]
    _check_tokens(train, context, "training tokens")
    _check_tokens(validation, context, "validation tokens")
    return train, validation


class WindowSampler:
    """Batches of (B, T) windows, eq. (1), from a seeded generator.

    Parameters
    ----------
    tokens : 1-d int array
    context : int
        T.
    batch_size : int
        B.
    seed : int or Generator
    """

    def __init__(
        self, tokens: Any, context: int, batch_size: int, seed: int | np.random.Generator = 0
    ) -> None:
        self.tokens = _check_tokens(tokens, context)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}.")
        self.context, self.batch_size = int(context), batch_size
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    @property
    def n_starts(self) -> int:
        """N − T, the number of distinct windows."""
        return n_windows(self.tokens.size, self.context)

    def starts(self) -> np.ndarray:
        """B starts drawn uniformly from 0 … N − T − 1."""
        return self.rng.integers(0, self.n_starts, size=self.batch_size)

    def sample(self) -> tuple[np.ndarray, np.ndarray]:
        """One batch (x, y), each (B, T)."""
        return windows(self.tokens, self.starts(), self.context)
