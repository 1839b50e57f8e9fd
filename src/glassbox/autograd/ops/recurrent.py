"""Recurrent cells unrolled through time, each one operation with backpropagation through time.

Each function runs one direction of one layer over a batch-first sequence x (B, T, F) from an
initial state and returns every state, time-major: (T, B, H) for the tanh RNN and the GRU,
(2, T, B, H) for the LSTM (hidden states, then cell states). Weights are laid out as torch's
``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` store them: W_ih (G·H, F), W_hh (G·H, H), b_ih and b_hh
(G·H,), with the G gate blocks in torch's order (LSTM i, f, g, o; GRU r, z, n).

*Forward.* The input projection of every step is one matrix product before the loop,
P = X W_ihᵀ + b (T·B rows at once); the loop then does one (B, H) @ (H, G·H) product per step
for all gates together, with elementwise work written into preallocated arrays.

*Backward (BPTT).* With ḡ_t = ∂L/∂h_t from the outputs, the loop runs backwards,

    δh_t = ḡ_t + (∂h_{t+1}/∂h_t)ᵀ δh_{t+1},                                           (1)

turning δh_t into the pre-activation gradients δa_t of step t (stored for all t). The weight
gradients are then sums over time, done as single products after the loop:

    ∂L/∂W_hh = Σ_t δa_tᵀ h_{t−1},   ∂L/∂W_ih = Σ_t δa_tᵀ x_t,   ∂L/∂x_t = δa_t W_ih.      (2)

*Masking.* With m_t ∈ {0, 1} per sequence (0 on padding), a masked step keeps the state,
h_t = m_t h̃_t + (1 − m_t) h_{t−1} (the same for the LSTM cell), so a padded sequence ends in
the state of its last real step, and its gradient passes the padding unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from glassbox.autograd.tensor import Tensor

__all__ = ["gru", "lstm", "rnn_tanh"]


def _shared_vjps(
    backward: Callable[[np.ndarray], dict[str, np.ndarray]],
) -> Callable[[str], Callable[[np.ndarray], np.ndarray]]:
    """One BPTT pass serves every input: the first vjp the engine calls runs ``backward``
    (all gradients at once) and the others read its result for the same ḡ."""
    memo: dict[str, Any] = {}

    def part(name: str) -> Callable[[np.ndarray], np.ndarray]:
        def vjp(g: np.ndarray) -> np.ndarray:
            if memo.get("seed") is not g:
                memo.clear()
                memo.update(backward(g))
                memo["seed"] = g
            return memo[name]

        return vjp

    return part


def _check_shapes(
    x: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None,
    bias_hh: Tensor | None,
    states: tuple[Tensor, ...],
    mask: np.ndarray | None,
    width: int,
) -> None:
    """Clear errors for arrays that do not fit together (G·H = ``width`` gate rows)."""
    if x.ndim != 3:
        raise ValueError(
            f"A recurrent layer expects input of shape (batch, time, features); got {x.ndim} "
            f"axes, shape {x.shape}. Add a feature axis with x[..., None] for a single series."
        )
    batch, steps, n_features = x.shape
    hidden = weight_hh.shape[-1]
    if steps == 0:
        raise ValueError("The input sequence has no time steps (shape (batch, 0, features)).")
    if weight_ih.shape != (width, n_features) or weight_hh.shape != (width, hidden):
        raise ValueError(
            f"Recurrent weights do not fit: weight_ih {weight_ih.shape} must be "
            f"({width}, {n_features}) for {n_features} input features and weight_hh "
            f"{weight_hh.shape} must be ({width}, {hidden})."
        )
    for name, bias in (("bias_ih", bias_ih), ("bias_hh", bias_hh)):
        if bias is not None and bias.shape != (width,):
            raise ValueError(f"{name} has shape {bias.shape}; expected ({width},).")
    for state in states:
        if state.shape != (batch, hidden):
            raise ValueError(
                f"An initial state has shape {state.shape}; expected (batch, hidden) = "
                f"({batch}, {hidden}) for this input and layer."
            )
    if mask is not None and mask.shape != (batch, steps):
        raise ValueError(
            f"The mask has shape {mask.shape}; expected (batch, time) = {(batch, steps)}."
        )


class _Inputs:
    """The arrays of one recurrent op, in one float dtype, with torch's gate blocks reordered
    by ``order`` (so the sigmoid gates sit side by side)."""

    def __init__(
        self,
        x: Tensor,
        weight_ih: Tensor,
        weight_hh: Tensor,
        bias_ih: Tensor | None,
        bias_hh: Tensor | None,
        states: tuple[Tensor, ...],
        mask: np.ndarray | None,
        order: np.ndarray,
        scale: np.ndarray | None = None,
    ) -> None:
        _check_shapes(x, weight_ih, weight_hh, bias_ih, bias_hh, states, mask, order.size)
        arrays = [x.data, weight_ih.data, weight_hh.data] + [s.data for s in states]
        self.dtype = np.result_type(*arrays, np.float32)
        self.batch, self.steps, self.n_features = x.shape
        self.hidden = weight_hh.shape[1]
        self.order = order
        self.inverse = np.argsort(order)
        self.w_ih = weight_ih.data[order].astype(self.dtype, copy=False)  # (G·H, F)
        self.w_hh = weight_hh.data[order].astype(self.dtype, copy=False)  # (G·H, H)
        width = self.w_ih.shape[0]
        self.b_ih, self.b_hh = (
            np.zeros(width, self.dtype) if b is None else b.data[order].astype(self.dtype)
            for b in (bias_ih, bias_hh)
        )
        # the forward pass may work with scaled pre-activations (see _sigmoid_of_negated)
        self.scale = np.ones(width, self.dtype) if scale is None else scale.astype(self.dtype)
        self.w_hh_t = np.ascontiguousarray((self.w_hh * self.scale[:, None]).T)  # (H, G·H)
        # (B, T, F) -> (T, B, F), contiguous, so step t is one block of rows
        self.xs = np.ascontiguousarray(x.data.transpose(1, 0, 2), dtype=self.dtype)
        self.mask = None if mask is None else mask.T[:, :, None].astype(self.dtype)  # (T, B, 1)
        self.keep = None if self.mask is None else 1 - self.mask

    def project(self, bias: np.ndarray) -> np.ndarray:
        """P = (X W_ihᵀ + bias) · scale for every step at once: (T, B, G·H)."""
        flat = self.xs.reshape(-1, self.n_features) @ (self.w_ih.T * self.scale)
        flat += bias * self.scale
        return flat.reshape(self.steps, self.batch, -1)

    def weight_gradients(
        self, pre_input: np.ndarray, pre_hidden: np.ndarray, previous: np.ndarray, wanted: set[str]
    ) -> dict[str, np.ndarray]:
        """Eq. (2) from δa (T, B, G·H) for the input and hidden products, in torch's order."""
        width = pre_input.shape[-1]
        flat_in = pre_input.reshape(-1, width)
        flat_hidden = pre_hidden.reshape(-1, width)
        out: dict[str, np.ndarray] = {}
        if "weight_ih" in wanted:
            out["weight_ih"] = (flat_in.T @ self.xs.reshape(-1, self.n_features))[self.inverse]
        if "weight_hh" in wanted:
            out["weight_hh"] = (flat_hidden.T @ previous.reshape(-1, self.hidden))[self.inverse]
        if "bias_ih" in wanted:
            out["bias_ih"] = flat_in.sum(axis=0)[self.inverse]
        if "bias_hh" in wanted:
            out["bias_hh"] = flat_hidden.sum(axis=0)[self.inverse]
        if "x" in wanted:
            dx = (flat_in @ self.w_ih).reshape(self.steps, self.batch, self.n_features)
            out["x"] = dx.transpose(1, 0, 2)
        return out


def _sigmoid_of_negated(buffer: np.ndarray) -> None:
    """σ(a) = 1 / (1 + e⁻ᵃ) in place, from a buffer that holds −a.

    The forward passes fold the minus sign into the weights (and, for a tanh gate, −2, since
    tanh a = 2σ(2a) − 1), so every gate of a step is one exp, one add and one reciprocal over
    a contiguous block: cheaper than ``scipy.special.expit`` plus ``np.tanh``.
    """
    with np.errstate(over="ignore"):  # e⁺ᴵⁿᶠ → inf → σ = 0, as it should
        np.exp(buffer, out=buffer)
    buffer += 1
    np.reciprocal(buffer, out=buffer)


def _edges(
    part: Callable[[str], Callable[[np.ndarray], np.ndarray]], named: dict[str, Tensor | None]
) -> list[tuple[Tensor, Callable[[np.ndarray], np.ndarray]]]:
    return [(t, part(name)) for name, t in named.items() if t is not None]


def _named(
    x: Tensor,
    initial: dict[str, Tensor],
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None,
    bias_hh: Tensor | None,
) -> dict[str, Tensor | None]:
    """The op's inputs by the names its vjps use, in edge order (absent biases as None)."""
    return {
        "x": x,
        **initial,
        "weight_ih": weight_ih,
        "weight_hh": weight_hh,
        "bias_ih": bias_ih,
        "bias_hh": bias_hh,
    }


def _wanted(named: dict[str, Tensor | None]) -> set[str]:
    return {name for name, t in named.items() if t is not None and t.requires_grad}


def rnn_tanh(
    x: Tensor,
    h0: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
    mask: np.ndarray | None = None,
) -> Tensor:
    """The Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), states (T, B, H).

    BPTT, eq. (1): with δh_t the total gradient at h_t and a_t the pre-activation,

        δa_t = m_t δh_t ⊙ (1 − h_t²),   δh_{t−1} = ḡ_{t−1} + δa_t W_hh + (1 − m_t) δh_t.
    """
    hidden = weight_hh.shape[1]
    a = _Inputs(x, weight_ih, weight_hh, bias_ih, bias_hh, (h0,), mask, np.arange(hidden))
    states = np.empty((a.steps + 1, a.batch, hidden), dtype=a.dtype)
    states[0] = h0.data
    pre = a.project(a.b_ih + a.b_hh)  # (T, B, H), overwritten by h̃_t
    for t in range(a.steps):
        candidate = pre[t]
        candidate += states[t] @ a.w_hh_t
        np.tanh(candidate, out=states[t + 1])
        if a.keep is not None:
            states[t + 1] += a.keep[t] * (states[t] - states[t + 1])
    named = _named(x, {"h0": h0}, weight_ih, weight_hh, bias_ih, bias_hh)
    wanted = _wanted(named)

    def backward(g: np.ndarray) -> dict[str, np.ndarray]:
        slope = 1 - states[1:] ** 2  # tanh' at every step, (T, B, H)
        if a.mask is not None:
            slope *= a.mask
        delta = np.empty_like(slope)  # δa_t
        dh = np.array(g[-1], dtype=a.dtype)
        for t in range(a.steps - 1, -1, -1):
            np.multiply(dh, slope[t], out=delta[t])
            carried = delta[t] @ a.w_hh
            if a.keep is not None:
                carried += a.keep[t] * dh
            if t > 0:
                carried += g[t - 1]
            dh = carried
        out = a.weight_gradients(delta, delta, states[:-1], wanted)
        out["h0"] = dh
        return out

    return Tensor._from_op(states[1:], "rnn_tanh", *_edges(_shared_vjps(backward), named))


def _lstm_order(hidden: int) -> np.ndarray:
    """torch's blocks (i, f, g, o) reordered to (o, i, f, g): the three sigmoid gates first,
    and i, f, g side by side for the backward pass."""
    block = np.arange(hidden)
    return np.concatenate([3 * hidden + block, block, hidden + block, 2 * hidden + block])


def lstm(
    x: Tensor,
    h0: Tensor,
    c0: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
    mask: np.ndarray | None = None,
) -> Tensor:
    """The LSTM (Hochreiter & Schmidhuber, 1997, with the forget gate), states (2, T, B, H).

    With a_t = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh cut into four blocks,

        i_t = σ(a_i),  f_t = σ(a_f),  g_t = tanh(a_g),  o_t = σ(a_o),
        c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t,                                              (3)
        h_t = o_t ⊙ tanh(c_t).

    BPTT: with δh_t, δc_t the total gradients at step t (from the outputs and from step t+1)
    and m_t the mask,

        δh̃ = m_t δh_t,    δc̃ = m_t δc_t + δh̃ ⊙ o_t ⊙ (1 − tanh² c_t),
        δa_o = δh̃ ⊙ tanh c_t ⊙ o_t (1 − o_t),     δa_i = δc̃ ⊙ g_t ⊙ i_t (1 − i_t),
        δa_f = δc̃ ⊙ c_{t−1} ⊙ f_t (1 − f_t),      δa_g = δc̃ ⊙ i_t ⊙ (1 − g_t²),        (4)
        δc_{t−1} = ḡᶜ_{t−1} + δc̃ ⊙ f_t + (1 − m_t) δc_t,
        δh_{t−1} = ḡʰ_{t−1} + δa_t W_hh + (1 − m_t) δh_t.

    The factors that do not depend on δ (the products after δh̃ and δc̃) are computed for
    all steps at once before the loop, so each step is five elementwise products and one
    (B, 4H) @ (4H, H) product.
    """
    hidden = weight_hh.shape[1]
    scale = np.repeat([-1.0, -1.0, -1.0, -2.0], hidden)  # −a for σ; −2a_g for tanh
    order = _lstm_order(hidden)
    a = _Inputs(x, weight_ih, weight_hh, bias_ih, bias_hh, (h0, c0), mask, order, scale)
    n_steps, batch = a.steps, a.batch
    states = np.empty((2, n_steps + 1, batch, hidden), dtype=a.dtype)
    hs, cs = states[0], states[1]
    hs[0], cs[0] = h0.data, c0.data
    gates = a.project(a.b_ih + a.b_hh)  # (T, B, 4H) as (o, i, f, g), activated in place
    tanh_c = np.empty((n_steps, batch, hidden), dtype=a.dtype)
    product = np.empty((batch, hidden), dtype=a.dtype)
    for t in range(n_steps):
        gate = gates[t]
        gate += hs[t] @ a.w_hh_t  # every gate in one product (negated, see scale)
        _sigmoid_of_negated(gate)
        o, i, f, g = (gate[:, k * hidden : (k + 1) * hidden] for k in range(4))
        g *= 2  # g = tanh(a_g) = 2σ(2a_g) − 1
        g -= 1
        np.multiply(f, cs[t], out=cs[t + 1])  # eq. (3)
        np.multiply(i, g, out=product)
        cs[t + 1] += product
        np.tanh(cs[t + 1], out=tanh_c[t])
        np.multiply(o, tanh_c[t], out=hs[t + 1])
        if a.keep is not None:
            cs[t + 1] += a.keep[t] * (cs[t] - cs[t + 1])
            hs[t + 1] += a.keep[t] * (hs[t] - hs[t + 1])
    named = _named(x, {"h0": h0, "c0": c0}, weight_ih, weight_hh, bias_ih, bias_hh)
    wanted = _wanted(named)

    def backward(grad: np.ndarray) -> dict[str, np.ndarray]:
        g_h, g_c = grad[0], grad[1]
        o, i, f, g = (gates[..., k * hidden : (k + 1) * hidden] for k in range(4))
        # eq. (4), the δ-free factors for every step: (T, B, H) each
        to_cell = o * (1 - tanh_c**2)  # ∂h/∂c
        factor_o = tanh_c * o * (1 - o)
        factor_ifg = np.empty((n_steps, batch, 3, hidden), dtype=a.dtype)
        factor_ifg[:, :, 0] = g * i * (1 - i)
        factor_ifg[:, :, 1] = cs[:-1] * f * (1 - f)
        factor_ifg[:, :, 2] = i * (1 - g**2)
        if a.mask is not None:
            to_cell *= a.mask
            factor_o *= a.mask
        # δa_o and δa_(i,f,g) in separate arrays, so every write in the loop is contiguous
        delta_o = np.empty((n_steps, batch, hidden), dtype=a.dtype)
        delta_ifg = np.empty((n_steps, batch, 3, hidden), dtype=a.dtype)
        w_o, w_ifg = a.w_hh[:hidden], a.w_hh[hidden:]  # the blocks of W_hh they multiply
        cells_read = bool(np.any(g_c[:-1]))  # usually only c_T (or no c) is used
        dh = np.array(g_h[-1], dtype=a.dtype)
        dc = np.array(g_c[-1], dtype=a.dtype)
        dc_step = np.empty((batch, hidden), dtype=a.dtype)
        for t in range(n_steps - 1, -1, -1):
            np.multiply(dh, factor_o[t], out=delta_o[t])
            np.multiply(dh, to_cell[t], out=dc_step)
            dc_step += dc if a.mask is None else a.mask[t] * dc
            np.multiply(dc_step[:, None, :], factor_ifg[t], out=delta_ifg[t])
            dc_previous = dc_step * f[t]
            dh_previous = delta_o[t] @ w_o
            dh_previous += delta_ifg[t].reshape(batch, -1) @ w_ifg
            if a.keep is not None:
                dc_previous += a.keep[t] * dc
                dh_previous += a.keep[t] * dh
            if t > 0:
                dh_previous += g_h[t - 1]
                if cells_read:
                    dc_previous += g_c[t - 1]
            dh, dc = dh_previous, dc_previous
        # (T, B, H) and (T, B, 3H) -> (T, B, 4H) in the (o, i, f, g) order, for eq. (2)
        delta = np.concatenate([delta_o, delta_ifg.reshape(n_steps, batch, -1)], axis=-1)
        out = a.weight_gradients(delta, delta, hs[:-1], wanted)
        out["h0"], out["c0"] = dh, dc
        return out

    return Tensor._from_op(states[:, 1:], "lstm", *_edges(_shared_vjps(backward), named))


def gru(
    x: Tensor,
    h0: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
    mask: np.ndarray | None = None,
) -> Tensor:
    """The GRU (Cho et al., 2014) as torch writes it, states (T, B, H):

        r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr),
        z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz),
        n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn)),                      (5)
        h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}.

    BPTT: with q_t = W_hn h_{t−1} + b_hn, δh̃ = m_t δh_t,

        δa_n = δh̃ ⊙ (1 − z_t) ⊙ (1 − n_t²),    δa_z = δh̃ ⊙ (h_{t−1} − n_t) ⊙ z_t (1 − z_t),
        δa_r = δa_n ⊙ q_t ⊙ r_t (1 − r_t),       δq_t = δa_n ⊙ r_t,                      (6)
        δh_{t−1} = ḡ_{t−1} + [δa_r, δa_z, δq_t] W_hh + (m_t z_t + 1 − m_t) ⊙ δh_t,

    and the input side receives [δa_r, δa_z, δa_n] (the b_hn term sits inside r_t ⊙ …, so the
    input and hidden products get different gradients in the n block).
    """
    hidden = weight_hh.shape[1]
    scale = np.repeat([-1.0, -1.0, 1.0], hidden)  # −a for the σ gates r and z
    order = np.arange(3 * hidden)
    a = _Inputs(x, weight_ih, weight_hh, bias_ih, bias_hh, (h0,), mask, order, scale)
    bias_hidden = a.b_hh * a.scale
    n_steps, batch = a.steps, a.batch
    states = np.empty((n_steps + 1, batch, hidden), dtype=a.dtype)
    states[0] = h0.data
    gates = a.project(a.b_ih)  # (T, B, 3H): r, z activated in place, then n
    recurrent_n = np.empty((n_steps, batch, hidden), dtype=a.dtype)  # q_t
    hidden_part = np.empty((batch, 3 * hidden), dtype=a.dtype)
    for t in range(n_steps):
        np.matmul(states[t], a.w_hh_t, out=hidden_part)
        hidden_part += bias_hidden
        gate = gates[t]
        gate[:, : 2 * hidden] += hidden_part[:, : 2 * hidden]
        _sigmoid_of_negated(gate[:, : 2 * hidden])
        r, z, n = (gate[:, k * hidden : (k + 1) * hidden] for k in range(3))
        recurrent_n[t] = hidden_part[:, 2 * hidden :]
        n += r * recurrent_n[t]
        np.tanh(n, out=n)  # eq. (5)
        new = states[t + 1]
        np.subtract(states[t], n, out=new)
        new *= z
        new += n
        if a.keep is not None:
            new += a.keep[t] * (states[t] - new)
    named = _named(x, {"h0": h0}, weight_ih, weight_hh, bias_ih, bias_hh)
    wanted = _wanted(named)

    def backward(g: np.ndarray) -> dict[str, np.ndarray]:
        r, z, n = (gates[..., k * hidden : (k + 1) * hidden] for k in range(3))
        # eq. (6), the δ-free factors for every step
        factor_n = (1 - z) * (1 - n**2)
        factor_z = (states[:-1] - n) * z * (1 - z)
        factor_r = recurrent_n * r * (1 - r)
        passed = z.copy()
        if a.mask is not None and a.keep is not None:
            factor_n *= a.mask
            factor_z *= a.mask
            passed = a.mask * z + a.keep
        delta_hidden = np.empty_like(gates)  # [δa_r, δa_z, δq]
        delta_n = np.empty((n_steps, batch, hidden), dtype=a.dtype)  # δa_n
        dh = np.array(g[-1], dtype=a.dtype)
        for t in range(n_steps - 1, -1, -1):
            step = delta_hidden[t]
            np.multiply(dh, factor_n[t], out=delta_n[t])
            np.multiply(delta_n[t], factor_r[t], out=step[:, :hidden])
            np.multiply(dh, factor_z[t], out=step[:, hidden : 2 * hidden])
            np.multiply(delta_n[t], r[t], out=step[:, 2 * hidden :])
            dh_previous = step @ a.w_hh
            dh_previous += passed[t] * dh
            if t > 0:
                dh_previous += g[t - 1]
            dh = dh_previous
        delta_input = delta_hidden.copy()
        delta_input[..., 2 * hidden :] = delta_n
        out = a.weight_gradients(delta_input, delta_hidden, states[:-1], wanted)
        out["h0"] = dh
        return out

    return Tensor._from_op(states[1:], "gru", *_edges(_shared_vjps(backward), named))
