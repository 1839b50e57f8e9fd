"""Every operation's value and gradient against PyTorch, and against finite differences.

Each case builds the same expression in glassbox.autograd and in torch from the same float64
inputs, pulls back the same random cotangent, and compares values and every input's gradient.
1e-10 relative: both sides evaluate the same formulas in float64, so they agree to a few
ulps times the number of terms summed (the largest reductions here have < 100 terms).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import glassbox.autograd as ag

torch = pytest.importorskip("torch")
F = torch.nn.functional


@dataclass(frozen=True)
class Case:
    name: str
    shapes: tuple[tuple[int, ...], ...]
    ours: Callable
    theirs: Callable
    domain: str = "real"  # "positive" for log, sqrt, fractional powers


def _indices():
    return np.array([2, 0, 2, 1])


CASES = [
    # arithmetic with broadcasting, including size-1 axes and new leading axes
    Case("add", ((3, 1, 4), (5, 4)), lambda a, b: a + b, lambda a, b: a + b),
    Case("sub", ((2, 3), (3,)), lambda a, b: a - b, lambda a, b: a - b),
    Case("rsub_scalar", ((2, 3),), lambda a: 1.5 - a, lambda a: 1.5 - a),
    Case("mul", ((4, 1), (1, 5)), lambda a, b: a * b, lambda a, b: a * b),
    Case("div", ((3, 4), (4,)), lambda a, b: a / b, lambda a, b: a / b, "positive"),
    Case("rdiv_scalar", ((3,),), lambda a: 2.0 / a, lambda a: 2.0 / a, "positive"),
    Case("neg", ((3, 2),), lambda a: -a, lambda a: -a),
    Case("pow_scalar", ((3, 2),), lambda a: a**3, lambda a: a**3),
    Case("pow_half", ((3, 2),), lambda a: a**0.5, lambda a: a**0.5, "positive"),
    Case("pow_tensor", ((3, 2), (2,)), lambda a, b: a**b, lambda a, b: a**b, "positive"),
    # matrix products, batched and with vectors
    Case("matmul", ((3, 4), (4, 5)), lambda a, b: a @ b, lambda a, b: a @ b),
    Case("matmul_batched", ((2, 3, 4), (2, 4, 5)), lambda a, b: a @ b, lambda a, b: a @ b),
    Case("matmul_broadcast", ((2, 1, 3, 4), (5, 4, 2)), lambda a, b: a @ b, lambda a, b: a @ b),
    Case("matmul_rows_matrix", ((2, 3, 4), (4, 5)), lambda a, b: a @ b, lambda a, b: a @ b),
    Case("matmul_vector", ((3, 4), (4,)), lambda a, b: a @ b, lambda a, b: a @ b),
    Case("vector_matmul", ((4,), (2, 4, 3)), lambda a, b: a @ b, lambda a, b: a @ b),
    Case("dot", ((4,), (4,)), lambda a, b: a @ b, lambda a, b: a @ b),
    Case(
        "einsum_attention",
        ((2, 3, 4), (2, 5, 4)),
        lambda a, b: ag.einsum("bqd,bkd->bqk", a, b),
        lambda a, b: torch.einsum("bqd,bkd->bqk", a, b),
    ),
    Case(
        "einsum_summed_letter",
        ((3, 4, 2), (4,)),
        lambda a, b: ag.einsum("ijk,j->i", a, b),
        lambda a, b: torch.einsum("ijk,j->i", a, b),
    ),
    Case(
        "einsum_ellipsis",
        ((2, 3, 4), (4, 5)),
        lambda a, b: ag.einsum("...i,ij->...j", a, b),
        lambda a, b: torch.einsum("...i,ij->...j", a, b),
    ),
    Case(
        "einsum_three",
        ((3, 4), (4, 5), (5, 2)),
        lambda a, b, c: ag.einsum("ij,jk,kl->il", a, b, c),
        lambda a, b, c: torch.einsum("ij,jk,kl->il", a, b, c),
    ),
    # reductions
    Case("sum_all", ((3, 4),), lambda a: a.sum(), lambda a: a.sum()),
    Case("sum_axis", ((3, 4, 2),), lambda a: a.sum(axis=1), lambda a: a.sum(dim=1)),
    Case(
        "sum_axes_keepdims",
        ((3, 4, 2),),
        lambda a: a.sum(axis=(0, 2), keepdims=True),
        lambda a: a.sum(dim=(0, 2), keepdim=True),
    ),
    Case("mean_axis", ((3, 4),), lambda a: a.mean(axis=0), lambda a: a.mean(dim=0)),
    Case("mean_all", ((1, 4),), lambda a: a.mean(), lambda a: a.mean()),
    Case("max_axis", ((3, 5),), lambda a: a.max(axis=1), lambda a: a.amax(dim=1)),
    Case("max_all", ((3, 5),), lambda a: a.max(), lambda a: a.amax()),
    Case(
        "min_keepdims",
        ((3, 5),),
        lambda a: a.min(axis=0, keepdims=True),
        lambda a: a.amin(dim=0, keepdim=True),
    ),
    Case(
        "logsumexp",
        ((3, 5),),
        lambda a: ag.logsumexp(a, axis=1),
        lambda a: torch.logsumexp(a, dim=1),
    ),
    Case("softmax", ((3, 5),), lambda a: ag.softmax(a, axis=-1), lambda a: a.softmax(dim=-1)),
    Case(
        "softmax_axis0",
        ((4, 3, 2),),
        lambda a: ag.softmax(a, axis=0),
        lambda a: a.softmax(dim=0),
    ),
    Case(
        "log_softmax",
        ((3, 5),),
        lambda a: ag.log_softmax(a, axis=1),
        lambda a: a.log_softmax(dim=1),
    ),
    # shapes and indexing
    Case("reshape", ((3, 4),), lambda a: a.reshape(2, 6), lambda a: a.reshape(2, 6)),
    Case("transpose", ((2, 3, 4),), lambda a: a.transpose(2, 0, 1), lambda a: a.permute(2, 0, 1)),
    Case("T", ((2, 3),), lambda a: a.T, lambda a: a.T),
    Case("swapaxes", ((2, 3, 4),), lambda a: a.swapaxes(1, 2), lambda a: a.transpose(1, 2)),
    Case("slice", ((5, 4),), lambda a: a[1:4, ::2], lambda a: a[1:4, ::2]),
    Case("int_index", ((5, 4),), lambda a: a[2], lambda a: a[2]),
    Case(
        "fancy_index_repeats",
        ((5, 3),),
        lambda a: a[np.array([0, 2, 2, 4, 0])],
        lambda a: a[torch.tensor([0, 2, 2, 4, 0])],
    ),
    Case(
        "pair_index",
        ((4, 3),),
        lambda a: a[np.arange(4), _indices() % 3],
        lambda a: a[torch.arange(4), torch.tensor(_indices() % 3)],
    ),
    Case(
        "concatenate",
        ((2, 3), (4, 3)),
        lambda a, b: ag.concatenate([a, b], axis=0),
        lambda a, b: torch.cat([a, b], dim=0),
    ),
    Case(
        "stack",
        ((2, 3), (2, 3)),
        lambda a, b: ag.stack([a, b], axis=1),
        lambda a, b: torch.stack([a, b], dim=1),
    ),
    Case(
        "split",
        ((2, 6),),
        lambda a: ag.split(a, 3, axis=1)[0] * 2 + ag.split(a, 3, axis=1)[2],
        lambda a: torch.split(a, 2, dim=1)[0] * 2 + torch.split(a, 2, dim=1)[2],
    ),
    Case(
        "pad",
        ((2, 3),),
        lambda a: ag.pad(a, ((1, 0), (2, 1))),
        lambda a: F.pad(a, (2, 1, 1, 0)),
    ),
    Case(
        "where",
        ((3, 4), (3, 4)),
        lambda a, b: ag.where(a.data > 0, a, b),
        lambda a, b: torch.where(a > 0, a, b),
    ),
    Case(
        "maximum",
        ((3, 4), (4,)),
        lambda a, b: ag.maximum(a, b),
        lambda a, b: torch.maximum(a, b),
    ),
    # elementwise functions
    Case("exp", ((3, 4),), ag.exp, torch.exp),
    Case("log", ((3, 4),), ag.log, torch.log, "positive"),
    Case("sqrt", ((3, 4),), ag.sqrt, torch.sqrt, "positive"),
    Case("abs", ((3, 4),), ag.abs, torch.abs),
    Case("tanh", ((3, 4),), ag.tanh, torch.tanh),
    Case("sigmoid", ((3, 4),), ag.sigmoid, torch.sigmoid),
    Case("relu", ((3, 4),), ag.relu, torch.relu),
    Case("leaky_relu", ((3, 4),), lambda a: ag.leaky_relu(a, 0.1), lambda a: F.leaky_relu(a, 0.1)),
    Case("gelu", ((3, 4),), ag.gelu, F.gelu),
    Case(
        "gelu_tanh",
        ((3, 4),),
        lambda a: ag.gelu(a, approximate="tanh"),
        lambda a: F.gelu(a, approximate="tanh"),
    ),
    Case("softplus", ((3, 4),), ag.softplus, F.softplus),
    Case(
        "softplus_beta",
        ((3, 4),),
        lambda a: ag.softplus(a * 12, beta=2.0),
        lambda a: F.softplus(a * 12, beta=2.0),
    ),
    Case("clip", ((3, 4),), lambda a: ag.clip(a, -0.5, 0.7), lambda a: a.clamp(-0.5, 0.7)),
    Case(
        "gather",
        ((4, 3),),
        lambda a: ag.gather(a, (_indices() % 3)[:, None], axis=1),
        lambda a: a.gather(1, torch.tensor(_indices() % 3)[:, None]),
    ),
    Case(
        "gather_repeats",
        ((4, 3),),
        lambda a: ag.gather(a, np.array([[0, 0], [1, 2], [2, 2], [1, 0]]), axis=1),
        lambda a: a.gather(1, torch.tensor([[0, 0], [1, 2], [2, 2], [1, 0]])),
    ),
    Case(
        "linear",
        ((4, 3), (5, 3), (5,)),
        lambda x, w, b: ag.linear(x, w, b),
        lambda x, w, b: F.linear(x, w, b),
    ),
    Case(
        "linear_sequence_no_bias",
        ((2, 4, 3), (5, 3)),
        lambda x, w: ag.linear(x, w),
        lambda x, w: F.linear(x, w),
    ),
    Case(
        "embedding",
        ((5, 3),),
        lambda a: ag.embedding(a, np.array([[0, 4], [4, 4], [1, 0]])),
        lambda a: F.embedding(torch.tensor([[0, 4], [4, 4], [1, 0]]), a),
    ),
]


def _inputs(case: Case, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(shape) for shape in case.shapes]
    if case.domain == "positive":
        arrays = [np.abs(a) + 0.5 for a in arrays]
    return arrays


def _close(ours: np.ndarray, theirs: np.ndarray) -> None:
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_value_and_gradient_match_torch(case: Case) -> None:
    arrays = _inputs(case, seed=len(case.name))
    ours_in = [ag.Tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours_out = case.ours(*ours_in)
    theirs_out = case.theirs(*theirs_in)
    _close(ours_out.data, theirs_out.detach().numpy())
    cotangent = np.random.default_rng(7).standard_normal(theirs_out.shape)
    ours_out.backward(cotangent)
    theirs_out.backward(torch.tensor(cotangent))
    for mine, reference in zip(ours_in, theirs_in):
        assert mine.grad is not None and mine.grad.shape == mine.shape
        _close(mine.grad, reference.grad.numpy())


# Finite differences check the cases themselves (a wrong torch twin would pass the test
# above). Kinked functions are evaluated away from their kinks by the random inputs.
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_gradient_matches_finite_differences(case: Case) -> None:
    arrays = _inputs(case, seed=len(case.name))
    result = ag.check_gradients(case.ours, arrays, tolerance=1e-6)
    assert result.passed, str(result)


def test_float32_stays_float32() -> None:
    x = ag.Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    w = ag.Tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
    y = (ag.gelu(x @ w) * 0.5 + 1.0).sum()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32
