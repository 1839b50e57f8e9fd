"""The engine's semantics: accumulation, graph freeing, no_grad, errors, the functional API,
and a two-layer network against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import glassbox.autograd as ag
from glassbox.optim import adam, apply_updates

torch = pytest.importorskip("torch")


def test_a_node_used_twice_sums_both_gradients() -> None:
    x = ag.Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = x * x + x  # dy/dx = 2x + 1
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, 2 * x.data + 1)


def test_shared_gradient_arrays_are_not_aliased() -> None:
    a = ag.Tensor(np.zeros(3), requires_grad=True)
    b = ag.Tensor(np.zeros(3), requires_grad=True)
    (a + b).sum().backward()  # add passes the same ḡ to both inputs
    a.grad += 1  # must not change b.grad
    np.testing.assert_array_equal(b.grad, np.ones(3))
    np.testing.assert_array_equal(a.grad, 2 * np.ones(3))


def test_gradients_accumulate_across_backward_calls_like_torch() -> None:
    x = ag.Tensor(np.array([1.0, -2.0]), requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, 3 + 2 * x.data)


def test_the_graph_is_freed_after_backward_unless_retained() -> None:
    x = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = (x * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    np.testing.assert_array_equal(x.grad, 4 * x.data)
    with pytest.raises(ValueError, match=r"already freed.*retain_graph=True"):
        loss.backward()


def test_backward_errors_are_clear() -> None:
    x = ag.Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"non-scalar tensor of shape \(2, 3\) needs a seed"):
        (x * 2).backward()
    with pytest.raises(ValueError, match="does not require grad"):
        ag.Tensor(np.ones(2)).sum().backward()
    with pytest.raises(ValueError, match=r"seed gradient has shape \(3,\)"):
        (x * 2).backward(np.ones(3))


def test_integer_tensors_cannot_require_grad() -> None:
    with pytest.raises(TypeError, match="Only float32 and float64"):
        ag.Tensor(np.arange(3), requires_grad=True)
    labels = ag.Tensor(np.arange(3))  # allowed as a constant
    assert labels.dtype.kind == "i"


def test_shape_errors_name_both_shapes() -> None:
    a = ag.Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) are not aligned"):
        a @ ag.Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        a + np.ones(4)
    with pytest.raises(ValueError, match=r"cannot reshape a tensor of shape \(2, 3\)"):
        a.reshape(4, 2)


def test_no_grad_records_nothing_and_detach_cuts_the_graph() -> None:
    x = ag.Tensor(np.ones(3), requires_grad=True)
    with ag.no_grad():
        y = x * 2
    assert not y.requires_grad and ag.is_grad_enabled()
    z = (x.detach() * x).sum()
    z.backward()
    np.testing.assert_array_equal(x.grad, np.ones(3))  # only the undetached factor


def test_deep_graph_does_not_hit_the_recursion_limit() -> None:
    x = ag.Tensor(np.array(0.5), requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**5000)


def test_retain_grad_keeps_an_intermediate_gradient() -> None:
    x = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = (x * 3).retain_grad()
    (h * h).sum().backward()
    np.testing.assert_array_equal(h.grad, 2 * h.data)


def test_dropout_scales_kept_units_and_uses_the_same_mask_backward() -> None:
    x = ag.Tensor(np.ones((200, 50)), requires_grad=True)
    y = ag.dropout(x, 0.25, rng=np.random.default_rng(0))
    kept = y.data != 0
    np.testing.assert_allclose(y.data[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.01  # 10,000 Bernoulli draws: sd 0.0043
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)
    assert ag.dropout(x, 0.25, training=False) is x


def _mlp_torch_and_ours(dtype=np.float64):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((16, 5)).astype(dtype)
    labels = rng.integers(0, 3, 16)
    params = (
        rng.standard_normal((5, 8)).astype(dtype) * 0.5,
        rng.standard_normal(8).astype(dtype) * 0.1,
        rng.standard_normal((8, 3)).astype(dtype) * 0.5,
        rng.standard_normal(3).astype(dtype) * 0.1,
    )
    return X, labels, params


def _loss(params, X, labels):
    W1, b1, W2, b2 = params
    hidden = ag.relu(X @ W1 + b1)
    log_p = ag.log_softmax(hidden @ W2 + b2, axis=1)
    return -ag.gather(log_p, labels[:, None], axis=1).mean()


def test_two_layer_network_loss_and_every_gradient_match_torch() -> None:
    X, labels, params = _mlp_torch_and_ours()
    value, grads = ag.value_and_grad(_loss)(params, X, labels)
    weights = [torch.tensor(p, requires_grad=True) for p in params]
    W1, b1, W2, b2 = weights
    logits = torch.relu(torch.tensor(X) @ W1 + b1) @ W2 + b2
    reference = torch.nn.functional.cross_entropy(logits, torch.tensor(labels))
    reference.backward()
    assert value == pytest.approx(reference.item(), rel=1e-12)
    for mine, theirs in zip(grads, weights):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_value_and_grad_drives_glassbox_adam_like_torch_adam() -> None:
    X, labels, params = _mlp_torch_and_ours()
    optimizer = adam(0.01)
    state = optimizer.init(params)
    step = ag.value_and_grad(_loss)
    weights = [torch.tensor(p, requires_grad=True) for p in params]
    torch_adam = torch.optim.Adam(weights, lr=0.01)
    for _ in range(20):
        _, grads = step(params, X, labels)
        updates, state = optimizer.update(grads, state, params)
        params = apply_updates(params, updates)
        torch_adam.zero_grad()
        W1, b1, W2, b2 = weights
        logits = torch.relu(torch.tensor(X) @ W1 + b1) @ W2 + b2
        torch.nn.functional.cross_entropy(logits, torch.tensor(labels)).backward()
        torch_adam.step()
    for mine, theirs in zip(params, weights):
        np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_grad_of_several_arguments_and_errors() -> None:
    f = ag.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))
    da, db = f(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    np.testing.assert_array_equal(da, [3.0, 4.0])
    np.testing.assert_array_equal(db, [1.0, 2.0])
    with pytest.raises(ValueError, match="one-element Tensor"):
        ag.grad(lambda a: a * 2)(np.ones(3))
    with pytest.raises(ValueError, match="argnums=2"):
        ag.grad(lambda a: a.sum(), argnums=2)(np.ones(3))


def test_check_gradients_catches_a_wrong_gradient() -> None:
    def wrong_square(x):
        return ag.Tensor._from_op(x.data**2, "wrong", (x, lambda g: g * 3 * x.data))

    result = ag.check_gradients(lambda x: wrong_square(x).sum(), [np.array([1.0, 2.0])])
    assert not result.passed and result.worst > 0.1
    assert "FAILED" in str(result)
