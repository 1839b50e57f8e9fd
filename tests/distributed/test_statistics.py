"""Sufficient statistics and their pairwise merge against exact rational arithmetic."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from glassbox.distributed.statistics import chunk_statistics, merge, merge_all


def _exact_scatter(Z: np.ndarray, w: np.ndarray) -> tuple[list[Fraction], list[list[Fraction]]]:
    W = sum(Fraction(v) for v in w)
    rows = [[Fraction(v) for v in row] for row in Z]
    weights = [Fraction(v) for v in w]
    q = Z.shape[1]
    mean = [sum(wi * r[j] for wi, r in zip(weights, rows)) / W for j in range(q)]
    scatter = [
        [
            sum(wi * (r[i] - mean[i]) * (r[j] - mean[j]) for wi, r in zip(weights, rows))
            for j in range(q)
        ]
        for i in range(q)
    ]
    return mean, scatter


def test_merge_of_uneven_chunks_is_exact_to_rounding_with_huge_means() -> None:
    rng = np.random.default_rng(0)
    # Means 1e9 times the spread: the one-pass formula Σwzzᵀ - Wμμᵀ has no digits left.
    Z = 1e9 + rng.normal(size=(40, 3))
    w = rng.uniform(0.1, 2.0, size=40)
    cuts = [0, 1, 2, 9, 25, 40]
    parts = [chunk_statistics(Z[a:b, :2], Z[a:b, 2:], w[a:b]) for a, b in itertools.pairwise(cuts)]
    merged = merge_all(parts)
    mean, scatter = _exact_scatter(Z, w)
    exact = np.array([[float(v) for v in row] for row in scatter])
    # Centred sums lose only what centring the data must: each z - μ is off by up to an ulp
    # of 1e9 (1.2e-7), times |z - μ| ~ 1, summed over 40 rows: at most ~1e-5 absolute.
    np.testing.assert_allclose(merged.scatter, exact, rtol=0, atol=1e-5)
    np.testing.assert_allclose(merged.mean, [float(v) for v in mean], rtol=1e-15)
    naive = (Z * w[:, None]).T @ Z - w.sum() * np.outer(merged.mean, merged.mean)
    assert np.max(np.abs(naive - exact)) > 1e3 * np.max(np.abs(merged.scatter - exact))


def test_merge_is_order_independent_and_counts() -> None:
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(30, 2)), rng.normal(size=(30, 1))
    a, b = chunk_statistics(X[:11], Y[:11]), chunk_statistics(X[11:], Y[11:])
    ab, ba = merge(a, b), merge(b, a)
    whole = chunk_statistics(X, Y)
    np.testing.assert_allclose(ab.scatter, ba.scatter, rtol=1e-14)
    np.testing.assert_allclose(ab.scatter, whole.scatter, rtol=1e-13)
    assert ab.count == 30 and ab.positive == 30


def test_empty_and_zero_weight_chunks_change_nothing() -> None:
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(10, 2)), rng.normal(size=(10, 1))
    whole = chunk_statistics(X, Y)
    empty = chunk_statistics(X[:0], Y[:0], None, partition=7)
    zero = chunk_statistics(X[:3], Y[:3], np.zeros(3))
    merged = merge_all([empty, whole, zero])
    np.testing.assert_array_equal(merged.scatter, whole.scatter)
    assert merged.empty_partitions == (7,)
    assert merged.count == 13 and merged.positive == 10


@pytest.mark.parametrize("block_rows", [1, 3, 16384])
def test_blocks_inside_a_chunk(monkeypatch: pytest.MonkeyPatch, block_rows: int) -> None:
    import glassbox.distributed.statistics as statistics

    monkeypatch.setattr(statistics, "_BLOCK_ROWS", block_rows)
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(20, 3)) + 50, rng.normal(size=(20, 2))
    result = chunk_statistics(X, Y)
    Z = np.hstack([X, Y])
    centred = Z - Z.mean(axis=0)
    np.testing.assert_allclose(result.scatter, centred.T @ centred, rtol=1e-12, atol=1e-12)
