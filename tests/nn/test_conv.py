"""Conv1D and the pooling layers against torch.nn.Conv1d / MaxPool1d / AvgPool1d, and finite
differences.

Layouts differ by design: glassbox is (batch, length, channels), torch (batch, channels,
length), so inputs and outputs are transposed on the way over; weights copy unchanged. Every
comparison is float64 with tolerance 1e-10: both sides sum the same few (K · C_in ≤ 20)
products of O(1) numbers, so they differ by rounding, about 1e-15.
"""

from __future__ import annotations

import numpy as np
import pytest

from glassbox.autograd import Tensor, check_gradients
from glassbox.autograd.ops.convolution import avg_pool1d, conv1d, max_pool1d
from glassbox.nn import AvgPool1D, Conv1D, GlobalAveragePooling1D, GlobalMaxPooling1D, MaxPool1D

torch = pytest.importorskip("torch")

TOL = 1e-10

# (batch, length, in_channels, filters, kernel_size, stride, padding, dilation)
CONV_CASES = [
    (2, 7, 3, 4, 3, 2, 1, 1),  # kernel longer than the stride, padding on both sides
    (1, 1, 2, 3, 3, 1, 1, 1),  # length 1, batch 1: only the padding makes room
    (3, 10, 2, 2, 2, 3, 0, 2),  # dilated, stride 3, the last steps unread
    (2, 9, 3, 5, 4, 1, "same", 2),  # even kernel: the odd padding step goes right
    (2, 8, 1, 2, 1, 1, "valid", 1),  # a 1-tap kernel
    (2, 6, 2, 3, 3, 2, (2, 0), 1),  # padding on the left only
]


def _to_torch(x: np.ndarray, grad: bool = True):
    # (B, L, C) -> torch's (B, C, L)
    return torch.tensor(np.ascontiguousarray(x.transpose(0, 2, 1)), requires_grad=grad)


def _from_torch(t) -> np.ndarray:
    return t.detach().numpy().transpose(0, 2, 1)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv1d_matches_torch(case) -> None:
    batch, length, c_in, c_out, k, stride, padding, dilation = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, length, c_in))
    layer = Conv1D(c_out, k, stride, padding, dilation, in_channels=c_in, rng=1)
    reference = torch.nn.Conv1d(c_in, c_out, k, stride=stride, dilation=dilation).double()
    reference.load_state_dict({k: torch.tensor(v) for k, v in layer.state_dict().items()})

    xt = Tensor(x, requires_grad=True)
    out = layer(xt)
    seed = rng.standard_normal(out.shape)
    out.backward(seed)

    tx = _to_torch(x)
    pads = padding if isinstance(padding, tuple) else None
    if pads is None and padding == "same":
        total = dilation * (k - 1)
        pads = (total // 2, total - total // 2)
    if pads is None:
        pads = (0, 0) if padding == "valid" else (padding, padding)
    tout = reference(torch.nn.functional.pad(tx, pads))
    tout.backward(_to_torch(seed, grad=False))

    np.testing.assert_allclose(out.data, _from_torch(tout), atol=TOL, rtol=0)
    np.testing.assert_allclose(xt.grad, _from_torch(tx.grad), atol=TOL, rtol=0)
    np.testing.assert_allclose(layer.weight.grad, reference.weight.grad.numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(layer.bias.grad, reference.bias.grad.numpy(), atol=TOL, rtol=0)


def test_conv1d_same_padding_keeps_length_and_weights_round_trip() -> None:
    layer = Conv1D(4, 5, padding="same", rng=0)
    out = layer(np.zeros((2, 11, 3)))
    assert out.shape == (2, 11, 4)
    # state_dict names and shapes are torch's
    reference = torch.nn.Conv1d(3, 4, 5).double()
    back = Conv1D(4, 5, padding="same", in_channels=3)
    back.load_state_dict({k: v.numpy() for k, v in reference.state_dict().items()})
    np.testing.assert_array_equal(back.weight.data, reference.weight.detach().numpy())


def test_conv1d_without_bias_and_finite_differences() -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 5, 2))
    w = rng.standard_normal((3, 2, 2))
    b = rng.standard_normal(3)
    # h = 1e-6 central differences leave ~1e-9 relative error (gradcheck's docstring)
    check = check_gradients(lambda x, w, b: conv1d(x, w, b, 2, (1, 2), 2), [x, w, b])
    assert check.passed, str(check)
    no_bias = Conv1D(3, 2, use_bias=False, rng=0)
    no_bias(x)
    assert [name for name, _ in no_bias.named_parameters()] == ["weight"]


# (batch, length, channels, pool_size, stride, padding)
POOL_CASES = [
    (2, 7, 3, 3, 2, 1),  # overlapping windows, padding on both sides
    (1, 1, 2, 1, 1, 0),  # length 1, batch 1
    (2, 9, 2, 4, 1, 2),  # stride 1, padding half the window
    (3, 10, 1, 2, None, 0),  # the default stride = pool size
]


@pytest.mark.parametrize("case", POOL_CASES)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_matches_torch(case, kind) -> None:
    batch, length, channels, size, stride, padding = case
    rng = np.random.default_rng(3)
    x = rng.standard_normal((batch, length, channels))
    layer = (MaxPool1D if kind == "max" else AvgPool1D)(size, stride, padding)
    reference = (torch.nn.MaxPool1d if kind == "max" else torch.nn.AvgPool1d)(size, stride, padding)
    xt = Tensor(x, requires_grad=True)
    out = layer(xt)
    seed = rng.standard_normal(out.shape)
    out.backward(seed)
    tx = _to_torch(x)
    tout = reference(tx)
    tout.backward(_to_torch(seed, grad=False))
    np.testing.assert_allclose(out.data, _from_torch(tout), atol=TOL, rtol=0)
    np.testing.assert_allclose(xt.grad, _from_torch(tx.grad), atol=TOL, rtol=0)


def test_pooling_finite_differences() -> None:
    x = np.random.default_rng(4).standard_normal((2, 7, 2))  # distinct values: no ties
    for pool in (max_pool1d, avg_pool1d):
        check = check_gradients(lambda x, pool=pool: pool(x, 3, 2, 1), [x])
        assert check.passed, str(check)


def test_global_pooling_with_and_without_mask() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 6, 4))
    mask = np.arange(6)[None, :] < np.array([6, 2, 4])[:, None]
    tx = torch.tensor(x)
    np.testing.assert_allclose(
        GlobalAveragePooling1D()(x).data, tx.mean(dim=1).numpy(), atol=TOL, rtol=0
    )
    np.testing.assert_allclose(
        GlobalMaxPooling1D()(x).data, tx.max(dim=1).values.numpy(), atol=TOL, rtol=0
    )
    for b, n in enumerate([6, 2, 4]):  # the masked versions pool each row's real steps
        np.testing.assert_allclose(
            GlobalAveragePooling1D()(x, mask).data[b], x[b, :n].mean(axis=0), atol=TOL
        )
        np.testing.assert_allclose(
            GlobalMaxPooling1D()(x, mask).data[b], x[b, :n].max(axis=0), atol=TOL
        )
    check = check_gradients(lambda x: GlobalAveragePooling1D()(x, mask), [x])
    assert check.passed, str(check)


def test_bad_input_is_a_clear_error() -> None:
    layer = Conv1D(2, 3)
    with pytest.raises(ValueError, match=r"\(batch, length, channels\)"):
        layer(np.zeros((4, 10)))
    with pytest.raises(ValueError, match="kernel spans 5 steps"):
        Conv1D(2, 3, dilation=2)(np.zeros((1, 4, 1)))
    with pytest.raises(ValueError, match="kernel spans 3 steps"):
        Conv1D(2, 3, padding=0)(np.zeros((1, 2, 1)))
    layer(np.zeros((1, 5, 3)))
    with pytest.raises(ValueError, match="built for 3 input channels"):
        layer(np.zeros((1, 5, 2)))
    with pytest.raises(ValueError, match="padding must be"):
        Conv1D(2, 3, padding="full")
    with pytest.raises(ValueError, match="filters must be"):
        Conv1D(0, 3)
    with pytest.raises(ValueError, match="more than half the pool size"):
        MaxPool1D(2, padding=2)(np.zeros((1, 5, 1)))
    with pytest.raises(ValueError, match=r"\(batch, length, channels\)"):
        AvgPool1D(2)(np.zeros(5))


def test_same_padding_with_a_stride_is_tensorflows_rule_and_no_bias_matches_torch() -> None:
    """padding="same", stride 2, L = 9, K = 4: L_out = ⌈9 / 2⌉ = 5, which needs
    (5 − 1)·2 + 4 − 9 = 3 padding steps, 1 on the left and 2 on the right."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 9, 3))
    layer = Conv1D(4, 4, stride=2, padding="same", use_bias=False, in_channels=3, rng=0)
    reference = torch.nn.Conv1d(3, 4, 4, stride=2, bias=False).double()
    reference.load_state_dict({k: torch.tensor(v) for k, v in layer.state_dict().items()})
    out = layer(x)
    expected = reference(torch.nn.functional.pad(_to_torch(x, grad=False), (1, 2)))
    assert out.shape == (2, 5, 4)
    np.testing.assert_allclose(out.data, _from_torch(expected), atol=TOL, rtol=0)
