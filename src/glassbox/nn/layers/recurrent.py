"""``RNN``, ``LSTM`` and ``GRU`` layers on batch-first sequences, torch's weights, Keras's options.

Input is (batch, time, features). Each layer is one recurrent layer, optionally bidirectional,
and each direction is one autograd operation of :mod:`glassbox.autograd.ops.recurrent`, whose
backward pass is backpropagation through time written out step by step (the equations are in
the docstrings of ``rnn_tanh``, ``lstm`` and ``gru`` there).

Parameters carry torch's names and layouts, ``weight_ih_l0`` (G·units, features),
``weight_hh_l0`` (G·units, units), ``bias_ih_l0``, ``bias_hh_l0`` and the same with
``_reverse`` for the backward direction, gate blocks in torch's order (LSTM i, f, g, o; GRU
r, z, n), so ``state_dict()`` copies to and from ``torch.nn.RNN/LSTM/GRU(batch_first=True)``.

Options:

* ``return_sequences``: the output at every step (batch, time, D·units), else the last state
  (batch, D·units), D = 2 when bidirectional (forward and backward concatenated).
* ``return_state``: also return the final state in torch's layout, h_n (D, batch, units), and
  for the LSTM (h_n, c_n); ``initial_state`` takes the same layout (or (batch, units) for one
  direction).
* ``mask`` (batch, time) booleans or ``lengths`` (batch,) for padded batches: a masked step
  keeps the state, so each sequence ends in the state of its last real step; the outputs at
  masked steps are zeros (what torch's packed sequences give), and the backward direction reads
  each sequence from its last real step.

Truncated backpropagation through time over a long stream: feed it in chunks of k steps,
carrying the state from chunk to chunk and cutting the graph with :func:`detach_state`::

    lstm = LSTM(64, return_sequences=True, return_state=True)
    state = None
    for chunk in chunks:                       # (batch, k, features) each
        output, state = lstm(chunk, initial_state=state)
        loss(output).backward()                # gradients reach back k steps at most
        state = detach_state(state)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from glassbox.autograd.ops.recurrent import gru, lstm, rnn_tanh
from glassbox.autograd.ops.shape import concatenate, stack
from glassbox.autograd.tensor import Tensor, as_tensor
from glassbox.nn.layers.base import Layer, register_layer
from glassbox.nn.layers.conv import as_rng, weight_dtype
from glassbox.nn.module import Parameter

__all__ = ["GRU", "LSTM", "RNN", "detach_state", "lengths_to_mask"]

State = Any  # a Tensor h (D, batch, units), or (h, c) for the LSTM


def detach_state(state: State) -> State:
    """The same state cut from the graph (truncated BPTT): a Tensor, or a tuple of them."""
    if state is None:
        return None
    if isinstance(state, (tuple, list)):
        return type(state)(detach_state(s) for s in state)
    return as_tensor(state).detach()


def lengths_to_mask(lengths: Any, n_steps: int) -> np.ndarray:
    """The (batch, time) mask m[b, t] = t < lengths[b] of a padded batch."""
    sizes = np.asarray(lengths)
    if sizes.ndim != 1 or sizes.dtype.kind not in "iu":
        raise ValueError(f"lengths must be a 1-d array of ints, got {lengths!r}.")
    if sizes.size and (sizes.min() < 1 or sizes.max() > n_steps):
        raise ValueError(
            f"lengths must be in [1, {n_steps}] (the padded length); got min {sizes.min()}, "
            f"max {sizes.max()}."
        )
    return np.arange(n_steps)[None, :] < sizes[:, None]


class _Recurrent(Layer):
    """The shared machinery; subclasses set ``n_gates``, ``n_states`` and ``_run``.

    A :class:`~glassbox.nn.layers.base.Layer`: in a :class:`~glassbox.nn.Model` it is built
    for the features the layer before it produces and passes on D·units (the last axis of
    both the sequence and the last state).
    """

    n_gates = 1
    n_states = 1  # h, or (h, c)
    input_argument = "input_size"

    def __init__(
        self,
        units: int,
        input_size: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        bidirectional: bool = False,
        use_bias: bool = True,
        rng: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
            raise ValueError(f"units must be an int >= 1, got {units!r}.")
        self.units = int(units)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.bidirectional = bool(bidirectional)
        self.use_bias = bool(use_bias)
        self._rng = as_rng(rng)
        self.input_size: int | None = None
        if input_size is not None:
            self.build(int(input_size))

    @property
    def n_directions(self) -> int:
        """D: 2 when bidirectional, else 1."""
        return 2 if self.bidirectional else 1

    @property
    def built(self) -> bool:
        return self.input_size is not None

    def build(
        self, input_width: int | None, rng: np.random.Generator | None = None, dtype: Any = None
    ) -> None:
        """Create the weights, U(−1/√units, 1/√units) each (torch's default), drawn from
        ``rng`` (a Model's generator) or else from the layer's own."""
        name = type(self).__name__
        if input_width is None:
            raise ValueError(
                f"Layer {self.name!r} ({name}) cannot be built without knowing its input "
                "features: pass input_size=... to the first layer."
            )
        if (
            isinstance(input_width, bool)
            or not isinstance(input_width, (int, np.integer))
            or input_width < 1
        ):
            raise ValueError(f"input_size must be an int >= 1, got {input_width!r}.")
        input_size = int(input_width)
        generator = self._rng if rng is None else rng
        dtype = np.float64 if dtype is None else dtype
        self.input_size = input_size
        bound = 1 / math.sqrt(self.units)
        width = self.n_gates * self.units
        shapes: dict[str, tuple[int, ...]] = {
            "weight_ih": (width, input_size),
            "weight_hh": (width, self.units),
        }
        if self.use_bias:
            shapes |= {"bias_ih": (width,), "bias_hh": (width,)}
        for suffix in ("_l0", "_l0_reverse")[: self.n_directions]:
            for name, shape in shapes.items():  # torch's order: weights, then biases
                values = generator.uniform(-bound, bound, shape)
                setattr(self, name + suffix, Parameter(values, dtype=dtype))

    def _weights(self, direction: int) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
        suffix = "_l0_reverse" if direction else "_l0"
        biases = (
            (getattr(self, "bias_ih" + suffix), getattr(self, "bias_hh" + suffix))
            if self.use_bias
            else (None, None)
        )
        return getattr(self, "weight_ih" + suffix), getattr(self, "weight_hh" + suffix), *biases

    _run: Callable[..., Tensor]

    def _initial(self, initial_state: Any, batch: int, dtype: np.dtype) -> list[list[Tensor]]:
        """[direction][h or c] initial states, each (batch, units)."""
        n_dir = self.n_directions
        if initial_state is None:
            zeros = np.zeros((batch, self.units), dtype=dtype)
            return [[Tensor(zeros) for _ in range(self.n_states)] for _ in range(n_dir)]
        parts = initial_state if self.n_states > 1 else (initial_state,)
        if not isinstance(parts, (tuple, list)) or len(parts) != self.n_states:
            raise ValueError(
                f"{type(self).__name__} takes initial_state as (h0, c0), two arrays of shape "
                f"({n_dir}, batch, units); got {type(initial_state).__name__}."
            )
        per_direction: list[list[Tensor]] = [[] for _ in range(n_dir)]
        for part in parts:
            state = as_tensor(part)
            if state.ndim == 2 and n_dir == 1:
                state = state.reshape(1, *state.shape)
            if state.shape != (n_dir, batch, self.units):
                raise ValueError(
                    f"{type(self).__name__}: an initial state has shape {state.shape}; expected "
                    f"(directions, batch, units) = ({n_dir}, {batch}, {self.units})"
                    + (" or (batch, units)." if n_dir == 1 else ".")
                )
            for d in range(n_dir):
                per_direction[d].append(state[d])
        return per_direction

    def forward(
        self, x: Any, initial_state: Any = None, mask: Any = None, lengths: Any = None
    ) -> Any:
        """Run the layer over x (batch, time, features); see the module docstring."""
        x = as_tensor(x)
        name = type(self).__name__
        if x.ndim != 3:
            raise ValueError(
                f"{name} expects input of shape (batch, time, features); got shape {x.shape}. "
                "A single series per row needs a feature axis: x[..., None]."
            )
        batch, n_steps, n_features = x.shape
        if self.input_size is None:
            self.build(n_features, dtype=weight_dtype(x))
        elif n_features != self.input_size:
            raise ValueError(
                f"{name} was built for {self.input_size} input features but the input has "
                f"{n_features} (shape {x.shape} is (batch, time, features))."
            )
        if mask is not None and lengths is not None:
            raise ValueError(f"{name}: give mask or lengths, not both.")
        if lengths is not None:
            mask = lengths_to_mask(lengths, n_steps)
        elif mask is not None:
            mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask).astype(bool)
            if mask.shape != (batch, n_steps):
                raise ValueError(
                    f"{name}: the mask has shape {mask.shape}; expected (batch, time) = "
                    f"{(batch, n_steps)}."
                )
        dtype = np.result_type(x.dtype, self._weights(0)[0].dtype)
        initial = self._initial(initial_state, batch, dtype)
        outputs, finals = [], []
        for direction in range(self.n_directions):
            reverse = direction == 1
            sequence = x[:, ::-1] if reverse else x
            steps_mask = None if mask is None else (mask[:, ::-1] if reverse else mask)
            states = self._run(
                sequence, *initial[direction], *self._weights(direction), mask=steps_mask
            )
            hidden = states[0] if self.n_states > 1 else states  # (T, B, units)
            outputs.append(hidden[::-1] if reverse else hidden)
            finals.append(states[:, -1] if self.n_states > 1 else states[-1])
        if self.return_sequences:
            output = outputs[0] if len(outputs) == 1 else concatenate(outputs, axis=-1)
            if mask is not None:
                output = output * mask.T[:, :, None].astype(output.dtype)
            output = output.swapaxes(0, 1)  # (T, B, D·units) -> (B, T, D·units)
        else:
            last = [f[0] if self.n_states > 1 else f for f in finals]
            output = last[0] if len(last) == 1 else concatenate(last, axis=-1)
        if not self.return_state:
            return output
        if self.n_states == 1:
            return output, stack(finals, axis=0)
        h_n = stack([f[0] for f in finals], axis=0)
        c_n = stack([f[1] for f in finals], axis=0)
        return output, (h_n, c_n)

    def output_width(self, input_width: int | None) -> int | None:
        """D·units: the width of the output at each step and of the last state."""
        return self.n_directions * self.units

    def get_config(self) -> dict[str, Any]:
        return {
            "units": self.units,
            "input_size": self.input_size,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "bidirectional": self.bidirectional,
            "use_bias": self.use_bias,
            "name": self.name,
        }

    def extra_repr(self) -> str:
        return (
            f"{self.input_size}, {self.units}, return_sequences={self.return_sequences}, "
            f"bidirectional={self.bidirectional}"
        )


@register_layer
class RNN(_Recurrent):
    """The Elman RNN, h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) (``torch.nn.RNN``).

    Parameters
    ----------
    units : int
        H, the size of the hidden state.
    input_size : int, optional
        The number of input features; when omitted, taken from the first input (and the
        weights are float32 for a float32 input, else float64).
    return_sequences, return_state, bidirectional : bool
        See the module docstring.
    use_bias : bool
        Learn b_ih and b_hh.
    rng : int or numpy.random.Generator, optional
        Seeds the initial weights.
    """

    n_gates, n_states = 1, 1
    _run = staticmethod(rnn_tanh)


@register_layer
class LSTM(_Recurrent):
    """The LSTM (``torch.nn.LSTM``): gates i, f, g, o, cell c_t and hidden h_t,

        c_t = σ(a_f) ⊙ c_{t−1} + σ(a_i) ⊙ tanh(a_g),   h_t = σ(a_o) ⊙ tanh(c_t),

    with a_t = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh. Parameters as for :class:`RNN`; the
    state is the pair (h, c).
    """

    n_gates, n_states = 4, 2
    _run = staticmethod(lstm)


@register_layer
class GRU(_Recurrent):
    """The GRU (``torch.nn.GRU``): gates r, z and candidate n,

        n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn)),
        h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}.

    Parameters as for :class:`RNN`.
    """

    n_gates, n_states = 3, 1
    _run = staticmethod(gru)
