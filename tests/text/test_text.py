"""Tokenizers and window sampling, against plain-Python references and exact round trips."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassbox.text import (
    ByteBPETokenizer,
    CharTokenizer,
    WindowSampler,
    get_tokenizer,
    load_tokenizer,
    split_tokens,
    windows,
)
from glassbox.text.bpe import merge_pair

CORPUS = (
    "the quick brown fox jumps over the lazy dog; the dog sleeps. "
    "naïve café — 東京 🦊🦊 fox! aaaa aaab " * 3
)


def reference_bpe(text: str, n_merges: int) -> tuple[list[tuple[int, int]], list[int]]:
    """The textbook loop: count adjacent pairs, merge the most frequent (ties: the smallest
    pair) left to right, in pure Python."""
    ids = list(text.encode("utf-8"))
    merges = []
    for k in range(n_merges):
        counts = Counter(itertools.pairwise(ids))
        if not counts:
            break
        top = max(counts.values())
        if top < 2:
            break
        pair = min(p for p, c in counts.items() if c == top)
        merged, i = [], 0
        while i < len(ids):
            if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
                merged.append(256 + k)
                i += 2
            else:
                merged.append(ids[i])
                i += 1
        ids = merged
        merges.append(pair)
    return merges, ids


def test_bpe_learns_the_same_merges_as_the_textbook_loop():
    merges, ids = reference_bpe(CORPUS, 40)
    tokenizer = ByteBPETokenizer(256 + 40).fit(CORPUS)
    assert tokenizer.merges == merges
    np.testing.assert_array_equal(tokenizer.encode(CORPUS), ids)
    assert tokenizer.vocab_size == 256 + len(merges)


def test_merging_a_pair_with_itself_takes_runs_left_to_right():
    ids = np.array([7, 7, 7, 1, 7, 7, 7, 7])
    np.testing.assert_array_equal(merge_pair(ids, 7, 7, 9), [9, 7, 1, 9, 9])


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_bpe_round_trip_is_exact_on_any_text(text):
    tokenizer = _trained_bpe()
    ids = tokenizer.encode(text)
    assert tokenizer.decode(ids, errors="strict") == text
    assert ids.dtype == np.int64 and (ids.size == 0 or ids.max() < tokenizer.vocab_size)


_BPE: list[ByteBPETokenizer] = []


def _trained_bpe() -> ByteBPETokenizer:
    if not _BPE:
        _BPE.append(ByteBPETokenizer(300).fit(CORPUS))
    return _BPE[0]


def test_bpe_compresses_its_training_text_and_saves_as_json(tmp_path):
    tokenizer = _trained_bpe()
    assert tokenizer.encode(CORPUS).size < 0.6 * len(CORPUS.encode("utf-8"))
    path = tokenizer.save(tmp_path / "bpe.json")
    again = load_tokenizer(path)
    assert isinstance(again, ByteBPETokenizer) and again.merges == tokenizer.merges
    np.testing.assert_array_equal(again.encode("fox 🦊 dog"), tokenizer.encode("fox 🦊 dog"))


def test_char_tokenizer_round_trip_and_json(tmp_path):
    tokenizer = get_tokenizer("char").fit("hello world")
    assert tokenizer.vocab_size == len(set("hello world"))
    assert tokenizer.decode(tokenizer.encode("low doll")) == "low doll"
    np.testing.assert_array_equal(
        tokenizer.encode("dew"), [sorted(set("hello world")).index(c) for c in "dew"]
    )
    again = load_tokenizer(tokenizer.save(tmp_path / "char.json"))
    assert isinstance(again, CharTokenizer) and again.characters == tokenizer.characters


def test_char_tokenizer_names_the_characters_it_does_not_know():
    tokenizer = CharTokenizer().fit("abc")
    with pytest.raises(ValueError, match=r"2 character\(s\) outside .*'z', '🦊'"):
        tokenizer.encode("abz🦊a")
    with pytest.raises(ValueError, match="empty"):
        CharTokenizer().fit("")
    with pytest.raises(ValueError, match="fit"):
        CharTokenizer().encode("a")
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        tokenizer.decode([0, 5])


def test_bad_tokenizer_files_and_names_are_refused(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        load_tokenizer({"kind": "words"})
    with pytest.raises(ValueError, match="Unknown tokenizer"):
        get_tokenizer("words")
    with pytest.raises(ValueError, match=">= 256"):
        ByteBPETokenizer(100)


def test_windows_pair_each_token_with_the_next():
    tokens = np.arange(100)
    x, y = windows(tokens, [0, 10, 90], 8)
    np.testing.assert_array_equal(x[1], np.arange(10, 18))
    np.testing.assert_array_equal(y, x + 1)
    first = WindowSampler(tokens, 8, 5, seed=3)
    second = WindowSampler(tokens, 8, 5, seed=3)
    for _ in range(3):
        (a, b), (c, d) = first.sample(), second.sample()
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
    starts = np.concatenate([first.starts() for _ in range(200)])
    assert starts.min() == 0 and starts.max() == 100 - 8 - 1  # every legal start, no more


def test_tiny_texts_are_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="too few for one window of context 8"):
        WindowSampler(np.arange(8), 8, 2)
    with pytest.raises(ValueError, match="validation tokens"):
        split_tokens(np.arange(20), 0.1, 8)
    train, validation = split_tokens(np.arange(100), 0.1, 8)
    assert train.size == 90 and validation[0] == 90
