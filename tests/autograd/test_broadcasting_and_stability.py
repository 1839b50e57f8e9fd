"""Random broadcasting shapes against PyTorch, and the softmax family at extreme logits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import glassbox.autograd as ag

torch = pytest.importorskip("torch")

BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / (b * b + 1), lambda a, b: a / (b * b + 1)),
    "maximum": (ag.maximum, torch.maximum),
}


@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
    name=st.sampled_from(sorted(BINARY)),
    seed=st.integers(0, 2**16),
)
def test_binary_ops_on_random_broadcast_shapes_match_torch(shapes, name, seed) -> None:
    ours_fn, theirs_fn = BINARY[name]
    rng = np.random.default_rng(seed)
    a, b = (rng.standard_normal(s) for s in shapes.input_shapes)
    ta, tb = ag.Tensor(a, requires_grad=True), ag.Tensor(b, requires_grad=True)
    ra, rb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, ref = ours_fn(ta, tb), theirs_fn(ra, rb)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-14)
    seed_grad = rng.standard_normal(ref.shape)
    out.backward(seed_grad)
    ref.backward(torch.tensor(seed_grad))
    np.testing.assert_allclose(ta.grad, ra.grad.numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(tb.grad, rb.grad.numpy(), rtol=1e-10, atol=1e-13)
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape


@given(
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=4).map(tuple),
    keepdims=st.booleans(),
    data=st.data(),
)
def test_reductions_over_random_axes_match_torch(shape, keepdims, data) -> None:
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.random.default_rng(len(shape)).standard_normal(shape)
    for ours_name, theirs in (
        ("sum", lambda t: t.sum(dim=axis, keepdim=keepdims)),
        ("mean", lambda t: t.mean(dim=axis, keepdim=keepdims)),
        ("max", lambda t: t.amax(dim=axis, keepdim=keepdims)),
    ):
        tx, rx = ag.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out = getattr(tx, ours_name)(axis=axis, keepdims=keepdims)
        ref = theirs(rx)
        np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
        out.sum().backward()
        ref.sum().backward()
        np.testing.assert_allclose(tx.grad, rx.grad.numpy(), rtol=1e-12)


def test_softmax_family_is_finite_at_extreme_logits() -> None:
    logits = np.array([[1000.0, 0.0, -1000.0], [-800.0, -800.0, -800.0]])
    x = ag.Tensor(logits, requires_grad=True)
    log_p = ag.log_softmax(x, axis=1)
    assert np.isfinite(log_p.data).all()
    np.testing.assert_allclose(log_p.data[0], [0.0, -1000.0, -2000.0])
    np.testing.assert_allclose(ag.logsumexp(x, axis=1).data, [1000.0, -800.0 + np.log(3)])
    np.testing.assert_allclose(ag.softmax(x, axis=1).data[1], np.full(3, 1 / 3))
    (log_p * np.array([[1.0, 0, 0], [0, 1, 0]])).sum().backward()
    reference = torch.tensor(logits, requires_grad=True)
    (reference.log_softmax(1) * torch.tensor([[1.0, 0, 0], [0, 1, 0]])).sum().backward()
    np.testing.assert_allclose(x.grad, reference.grad.numpy(), atol=1e-15)


def test_sigmoid_and_softplus_do_not_overflow() -> None:
    x = ag.Tensor(np.array([-1000.0, 0.0, 1000.0]), requires_grad=True)
    with np.errstate(over="raise"):
        s = ag.sigmoid(x)
        p = ag.softplus(x)
    np.testing.assert_allclose(s.data, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(p.data, [0.0, np.log(2), 1000.0])
