"""RNN, LSTM and GRU against torch.nn.RNN / LSTM / GRU with copied weights, and finite
differences of the BPTT operations.

Every comparison is float64 with tolerance 1e-10: both sides run the same recurrences with
O(1) values over at most six steps, so they differ by rounding (about 1e-15 per step, grown
at most a few-fold through the tanh and sigmoid Jacobians, whose norms are below 1 here).
"""

from __future__ import annotations

import numpy as np
import pytest

from glassbox.autograd import Tensor, check_gradients
from glassbox.autograd.ops.recurrent import gru, lstm, rnn_tanh
from glassbox.nn import GRU, LSTM, RNN, Sequential, detach_state
from glassbox.optim import apply_updates, chain, clip_by_global_norm, sgd

torch = pytest.importorskip("torch")

TOL = 1e-10
LAYERS = {"RNN": (RNN, "RNN"), "LSTM": (LSTM, "LSTM"), "GRU": (GRU, "GRU")}

# (batch, time, features, units, lengths or None)
SHAPES = [
    (3, 5, 4, 6, None),
    (1, 1, 2, 3, None),  # one time step, batch 1
    (3, 6, 4, 5, [6, 2, 1]),  # a padded batch, unsorted lengths
    (1, 4, 3, 2, [3]),
]


def _pair(kind: str, features: int, units: int, bidirectional: bool):
    ours_class, torch_name = LAYERS[kind]
    ours = ours_class(
        units,
        input_size=features,
        return_sequences=True,
        return_state=True,
        bidirectional=bidirectional,
        rng=0,
    )
    theirs = getattr(torch.nn, torch_name)(
        features, units, batch_first=True, bidirectional=bidirectional
    ).double()
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_outputs_and_gradients_match_torch(kind, shape, bidirectional) -> None:
    batch, steps, features, units, lengths = shape
    directions = 2 if bidirectional else 1
    rng = np.random.default_rng(7)
    ours, theirs = _pair(kind, features, units, bidirectional)
    x = rng.standard_normal((batch, steps, features))
    h0 = rng.standard_normal((directions, batch, units))
    c0 = rng.standard_normal((directions, batch, units))
    is_lstm = kind == "LSTM"

    xt, h0t, c0t = (Tensor(a, requires_grad=True) for a in (x, h0, c0))
    output, state = ours(xt, initial_state=(h0t, c0t) if is_lstm else h0t, lengths=lengths)
    h_n, c_n = state if is_lstm else (state, None)
    seeds = [rng.standard_normal(output.shape), rng.standard_normal(h_n.shape)]
    loss = (output * seeds[0]).sum() + (h_n * seeds[1]).sum()
    if is_lstm:
        seeds.append(rng.standard_normal(c_n.shape))
        loss = loss + (c_n * seeds[2]).sum()
    loss.backward()

    tx, th0, tc0 = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))
    inputs = tx
    if lengths is not None:
        inputs = torch.nn.utils.rnn.pack_padded_sequence(
            tx, torch.tensor(lengths), batch_first=True, enforce_sorted=False
        )
    toutput, tstate = theirs(inputs, (th0, tc0) if is_lstm else th0)
    if lengths is not None:  # torch's padded outputs are zeros, as ours are
        toutput, _ = torch.nn.utils.rnn.pad_packed_sequence(
            toutput, batch_first=True, total_length=steps
        )
    th_n, tc_n = tstate if is_lstm else (tstate, None)
    tloss = (toutput * torch.tensor(seeds[0])).sum() + (th_n * torch.tensor(seeds[1])).sum()
    if is_lstm:
        tloss = tloss + (tc_n * torch.tensor(seeds[2])).sum()
    tloss.backward()

    def close(a, b) -> None:
        np.testing.assert_allclose(a, b.detach().numpy(), atol=TOL, rtol=0)

    close(output.data, toutput)
    close(h_n.data, th_n)
    close(xt.grad, tx.grad)
    close(h0t.grad, th0.grad)
    if is_lstm:
        close(c_n.data, tc_n)
        close(c0t.grad, tc0.grad)
    theirs_params = dict(theirs.named_parameters())
    for name, parameter in ours.named_parameters():
        close(parameter.grad, theirs_params[name].grad)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_last_output_is_the_final_state(kind) -> None:
    """return_sequences=False gives h_n of each direction, concatenated (Keras's output)."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal((3, 5, 2))
    lengths = [5, 3, 1]
    full = LAYERS[kind][0](4, bidirectional=True, return_state=True, rng=1)
    last = LAYERS[kind][0](4, bidirectional=True, rng=1)
    output, state = full(x, lengths=lengths)
    h_n = state[0] if kind == "LSTM" else state
    np.testing.assert_allclose(output.data, np.concatenate([h_n.data[0], h_n.data[1]], axis=1))
    np.testing.assert_array_equal(last(x, lengths=lengths).data, output.data)
    # a length-1 row: the backward direction has read just its first step
    assert output.shape == (3, 8)


@pytest.mark.parametrize("op", ["rnn", "gru", "lstm"])
def test_bptt_matches_finite_differences(op) -> None:
    """Every input of each op, with a mask (padding in the middle too), including the
    gradient that reaches every LSTM cell state (the op returns them all)."""
    rng = np.random.default_rng(9)
    batch, steps, features, units = 2, 4, 3, 2
    gates = {"rnn": 1, "gru": 3, "lstm": 4}[op] * units
    mask = np.array([[1, 1, 1, 0], [1, 0, 1, 1]], dtype=bool)
    x = rng.standard_normal((batch, steps, features))
    states = [rng.standard_normal((batch, units)) for _ in range(2 if op == "lstm" else 1)]
    weights = [
        rng.standard_normal((gates, features)),
        rng.standard_normal((gates, units)),
        rng.standard_normal(gates),
        rng.standard_normal(gates),
    ]
    function = {"rnn": rnn_tanh, "gru": gru, "lstm": lstm}[op]
    for m in (None, mask):
        check = check_gradients(lambda *args, m=m: function(*args, mask=m), [x, *states, *weights])
        # central differences with h = 1e-6 in float64 leave about 1e-9 relative error
        assert check.worst < 1e-7, str(check)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_float32_runs_in_float32_and_agrees_with_float64(kind) -> None:
    """float32 in, float32 out (values, gradients, parameters' gradients), and within 1e-5 of
    the float64 run: about 100 float32 roundings (ε = 6e-8) over four steps of O(1) values."""
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 4, 5))
    results = {}
    for dtype in (np.float64, np.float32):
        layer = LAYERS[kind][0](3, input_size=5, return_sequences=True, rng=0).astype(dtype)
        xt = Tensor(x.astype(dtype), requires_grad=True)
        out = layer(xt)
        (out * out).sum().backward()
        results[dtype] = (out.data, xt.grad, layer.weight_hh_l0.grad)
        assert all(a.dtype == dtype for a in results[dtype])
    for single, double in zip(results[np.float32], results[np.float64]):
        np.testing.assert_allclose(single, double, atol=1e-5, rtol=0)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_without_biases_matches_torch(kind) -> None:
    rng = np.random.default_rng(13)
    ours = LAYERS[kind][0](3, input_size=2, return_sequences=True, use_bias=False, rng=0)
    theirs = getattr(torch.nn, LAYERS[kind][1])(2, 3, bias=False, batch_first=True).double()
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    x = rng.standard_normal((2, 5, 2))
    xt, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours(xt).sum().backward()
    theirs(tx)[0].sum().backward()
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), atol=TOL, rtol=0)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())


def test_stacked_layers_match_a_two_layer_torch_lstm() -> None:
    """Sequential(LSTM, LSTM) is torch's num_layers=2: its ``_l1`` weights are the second
    layer's ``_l0`` ones."""
    rng = np.random.default_rng(14)
    ours = Sequential(
        LSTM(4, input_size=3, return_sequences=True, bidirectional=True, rng=0),
        LSTM(4, input_size=8, return_sequences=True, bidirectional=True, rng=1),
    )
    theirs = torch.nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True).double()
    theirs.load_state_dict(
        {
            name[2:].replace("_l0", f"_l{name[0]}"): torch.tensor(value)
            for name, value in ours.state_dict().items()  # "1.weight_ih_l0" -> "weight_ih_l1"
        }
    )
    x = rng.standard_normal((2, 6, 3))
    xt, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = ours(xt)
    out.sum().backward()
    tout = theirs(tx)[0]
    tout.sum().backward()
    np.testing.assert_allclose(out.data, tout.detach().numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), atol=TOL, rtol=0)


def test_truncated_bptt_matches_torch_with_detached_state() -> None:
    """A stream of 12 steps in chunks of 4, the state carried and detached between chunks:
    the accumulated gradients equal torch's with the same detach, and a chunk's loss sends
    no gradient into earlier chunks."""
    rng = np.random.default_rng(10)
    x = rng.standard_normal((2, 12, 3))
    ours, theirs = _pair("LSTM", 3, 4, False)
    seeds = rng.standard_normal((3, 2, 4, 4))
    xt = Tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    state, tstate = None, None
    for chunk in range(3):
        window = slice(4 * chunk, 4 * chunk + 4)
        before = None if xt.grad is None else xt.grad.copy()
        output, state = ours(xt[:, window], initial_state=state)
        (output * seeds[chunk]).sum().backward()
        if before is not None:  # the graph was cut: earlier steps got nothing new
            np.testing.assert_array_equal(xt.grad[:, : 4 * chunk], before[:, : 4 * chunk])
        state = detach_state(state)
        toutput, tstate = theirs(tx[:, window], tstate)
        (toutput * torch.tensor(seeds[chunk])).sum().backward()
        tstate = tuple(s.detach() for s in tstate)
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), atol=TOL, rtol=0)
    theirs_params = dict(theirs.named_parameters())
    for name, parameter in ours.named_parameters():
        np.testing.assert_allclose(parameter.grad, theirs_params[name].grad.numpy(), atol=TOL)


def test_clip_by_global_norm_on_lstm_gradients_matches_torch() -> None:
    """glassbox.optim.clip_by_global_norm on BPTT gradients: the same clipped gradients as
    torch.nn.utils.clip_grad_norm_, and an SGD step of exactly learning_rate · max_norm."""
    rng = np.random.default_rng(11)
    ours, theirs = _pair("LSTM", 3, 5, True)
    x = 3 * rng.standard_normal((4, 6, 3))
    output, _ = ours(x)
    (output**2).sum().backward()
    toutput, _ = theirs(torch.tensor(x))
    (toutput**2).sum().backward()
    params = tuple(p.data for p in ours.parameters())
    grads = tuple(p.grad for p in ours.parameters())
    transform = chain(clip_by_global_norm(1.0), sgd(0.1))
    updates, _ = transform.update(grads, transform.init(params), params)
    torch.nn.utils.clip_grad_norm_(theirs.parameters(), 1.0)
    theirs_params = dict(theirs.named_parameters())
    for (name, _), update in zip(ours.named_parameters(), updates):
        np.testing.assert_allclose(-update / 0.1, theirs_params[name].grad.numpy(), atol=1e-9)
    step = np.sqrt(sum(float((u**2).sum()) for u in updates))
    assert step == pytest.approx(0.1 * 1.0, rel=1e-5)  # the norm was well above 1 before
    assert np.sqrt(sum(float((g**2).sum()) for g in grads)) > 10
    new = apply_updates(params, updates)
    assert all(np.isfinite(p).all() for p in new)


def test_bad_input_is_a_clear_error() -> None:
    layer = LSTM(4, return_state=True)
    with pytest.raises(ValueError, match=r"\(batch, time, features\)"):
        layer(np.zeros((3, 5)))
    layer(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match="built for 3 input features"):
        layer(np.zeros((2, 5, 2)))
    with pytest.raises(ValueError, match=r"\(h0, c0\)"):
        layer(np.zeros((2, 5, 3)), initial_state=np.zeros((1, 2, 4)))
    with pytest.raises(ValueError, match=r"expected \(directions, batch, units\) = \(1, 2, 4\)"):
        layer(np.zeros((2, 5, 3)), initial_state=(np.zeros((1, 3, 4)), np.zeros((1, 2, 4))))
    bidirectional = GRU(4, bidirectional=True)
    with pytest.raises(ValueError, match=r"= \(2, 2, 4\)"):
        bidirectional(np.zeros((2, 5, 3)), initial_state=np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"lengths must be in \[1, 5\]"):
        RNN(2)(np.zeros((2, 5, 3)), lengths=[6, 2])
    with pytest.raises(ValueError, match="mask has shape"):
        RNN(2)(np.zeros((2, 5, 3)), mask=np.ones((2, 4), dtype=bool))
    with pytest.raises(ValueError, match="units must be"):
        GRU(0)


def test_lazily_built_layers_take_the_float_dtype_of_their_first_input() -> None:
    from glassbox.nn import Conv1D

    for layer, shape in ((GRU(3), (2, 4, 5)), (Conv1D(3, 2), (2, 4, 5))):
        layer(np.zeros(shape, dtype=np.float32))
        assert {p.dtype for p in layer.parameters()} == {np.dtype(np.float32)}
    layer = LSTM(3)
    layer(np.zeros((2, 4, 5), dtype=np.int64))
    assert {p.dtype for p in layer.parameters()} == {np.dtype(np.float64)}
