"""The sequence layers inside the Keras-style Model: (batch, time, channels) inputs.

Conv1D, pooling and the recurrent layers are Layers, so ``Model.add`` builds them for the
width (channels) of the layer before, from the Model's seed, and a Dense after them is sized
by what they produce. Checked: the Model's output equals torch's stack of the same layers
with copied weights (float64, 1e-10: both sides do the same float64 arithmetic in a
different order, so they agree to rounding); a Conv1D Model trained by ``fit`` separates
sine / square / sawtooth signals; save/load round-trips bit for bit; clear errors.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassbox
from glassbox.nn import (
    GRU,
    LSTM,
    Conv1D,
    Dense,
    GlobalAveragePooling1D,
    MaxPool1D,
    Model,
    ReLU,
    Sequential,
    Softmax,
    Tanh,
)
from glassbox.nn.losses import CrossEntropy
from glassbox.optim import Adam


def signals(n: int, rng: np.random.Generator, length: int = 48) -> tuple[np.ndarray, ...]:
    """Sine, square and sawtooth waves of random frequency and phase, noise σ = 0.3."""
    labels = rng.integers(0, 3, n)
    cycles = rng.uniform(1.5, 4.0, (n, 1)) * np.arange(length) / length + rng.uniform(0, 1, (n, 1))
    sine = np.sin(2 * np.pi * cycles)
    waves = np.stack([sine, np.sign(sine), 2 * (cycles % 1) - 1])  # (3, n, length)
    x = waves[labels, np.arange(n)] + 0.3 * rng.standard_normal((n, length))
    return x[:, :, None], labels  # (n, length) -> (n, length, 1)


def sequence_model(seed: int = 0) -> Model:
    model = Model(seed=seed)
    model.add(Conv1D(6, 3, padding="same", in_channels=2, rng=seed))
    model.add(Tanh())
    model.add(MaxPool1D(2))
    model.add(LSTM(5, return_sequences=True))
    model.add(GRU(4, bidirectional=True))
    model.add(Dense(3))
    return model


def test_the_sequence_layers_are_sized_by_the_model() -> None:
    model = sequence_model()
    conv, _, _, lstm, gru, dense = model.layers
    assert conv.weight.shape == (6, 2, 3)
    assert lstm.weight_ih_l0.shape == (4 * 5, 6)  # built for the Conv1D's 6 channels
    assert gru.weight_ih_l0_reverse.shape == (3 * 4, 5)
    assert dense.weight.shape == (3, 8)  # the bidirectional GRU's 2 · 4 features
    # the first layer draws from its own rng, the ones added after it from the Model's seed
    text = model.summary(print_fn=None)
    assert "conv1d (Conv1D)" in text and "(None, 8)" in text
    again = sequence_model()
    for key, value in model.network.state_dict().items():  # the Model's seed draws them
        np.testing.assert_array_equal(again.network.state_dict()[key], value)


def test_model_output_equals_torch_with_copied_weights() -> None:
    torch = pytest.importorskip("torch")
    model = sequence_model(seed=3)
    x = np.random.default_rng(0).standard_normal((4, 9, 2))
    state = {k: torch.tensor(v) for k, v in model.network.state_dict().items()}

    class Twin(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = torch.nn.Conv1d(2, 6, 3, padding="same", dtype=torch.float64)
            self.lstm = torch.nn.LSTM(6, 5, batch_first=True, dtype=torch.float64)
            self.gru = torch.nn.GRU(5, 4, batch_first=True, bidirectional=True, dtype=torch.float64)
            self.dense = torch.nn.Linear(8, 3, dtype=torch.float64)

        def forward(self, inputs):
            hidden = torch.tanh(self.conv(inputs.transpose(1, 2)))  # (B, C, L) for torch
            hidden = torch.nn.functional.max_pool1d(hidden, 2).transpose(1, 2)  # (B, L, C)
            hidden, _ = self.lstm(hidden)
            _, h_n = self.gru(hidden)  # (2, B, 4): forward and backward final states
            return self.dense(torch.cat([h_n[0], h_n[1]], dim=1))

    twin = Twin()
    prefixes = {"0.": "conv.", "3.": "lstm.", "4.": "gru.", "5.": "dense."}
    twin.load_state_dict({prefixes[k[:2]] + k[2:]: v for k, v in state.items()})
    expected = twin(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-10, atol=1e-12)
    # and the Model is its Sequential of Modules: the same stack called directly agrees
    stack = Sequential(*model.layers)
    np.testing.assert_array_equal(stack(x).data, model.predict(x))


def test_a_conv1d_model_separates_signal_shapes() -> None:
    rng = np.random.default_rng(0)
    x, y = signals(450, rng)
    model = Model(seed=0, dtype="float32")
    model.add(Conv1D(8, 5, padding="same", in_channels=1, rng=0))
    model.add(ReLU())
    model.add(MaxPool1D(2))
    model.add(Conv1D(16, 5))
    model.add(ReLU())
    model.add(GlobalAveragePooling1D())
    model.add(Dense(3))
    model.add(Softmax())
    model.compile(optimizer=Adam(learning_rate=0.01), loss=CrossEntropy(), metrics=["accuracy"])
    history = model.fit(x[:300], y[:300], epochs=20, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(x[300:], y[300:])
    # chance is 1/3; the bar for the Conv1D signal classifier is 95 %
    assert accuracy > 0.95, accuracy
    assert history.history["loss"][-1] < history.history["loss"][0] / 4
    probabilities = model.predict(x[300:])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_a_sequence_model_saves_and_loads_bit_for_bit(tmp_path) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((40, 10, 2))
    y = rng.integers(0, 3, 40)
    model = sequence_model(seed=2)
    model.add(Softmax())
    model.compile(optimizer=Adam(learning_rate=0.01), loss=CrossEntropy())
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    loaded = glassbox.load(glassbox.save(model, tmp_path / "sequence.gbx"))
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    loaded.fit(x, y, epochs=1, batch_size=16, verbose=0)  # training resumes the same run
    for key, value in model.network.state_dict().items():
        np.testing.assert_array_equal(loaded.network.state_dict()[key], value)


def test_sequence_layers_in_a_model_give_clear_errors() -> None:
    with pytest.raises(ValueError, match=r"first layer \(Conv1D 'conv1d'\).*in_channels="):
        Model().add(Conv1D(4, 3))
    with pytest.raises(ValueError, match=r"first layer \(LSTM 'lstm'\).*input_size="):
        Model().add(LSTM(4))
    with pytest.raises(ValueError, match="return_state=True returns"):
        Model(layers=[LSTM(4, input_size=2, return_state=True)])
    model = sequence_model()
    model.compile(loss=CrossEntropy())
    with pytest.raises(ValueError, match=r"Conv1D expects input of shape \(batch, length"):
        model.fit(np.zeros((5, 2)), np.zeros(5, dtype=int), verbose=0)
    with pytest.raises(ValueError, match="built for 2 input channels but the input has 3"):
        model.fit(np.zeros((5, 7, 3)), np.zeros(5, dtype=int), verbose=0)
