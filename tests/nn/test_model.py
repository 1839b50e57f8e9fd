"""The Keras-style Model: the issue's snippet, determinism, early stopping, divergence,
resuming after save/load, the torch cross-check, and clear errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest

import glassbox
from glassbox.exceptions import DivergenceError
from glassbox.nn import BatchNorm1d, Callback, Dense, Model, ReLU, Softmax, Tanh, init
from glassbox.nn.losses import CrossEntropy
from glassbox.optim import SGD, Adam
from glassbox.optim.schedules import ExponentialDecay


def make_data(n_samples=300, n_features=20, n_classes=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    teacher = rng.standard_normal((n_features, n_classes))
    return X, np.argmax(X @ teacher + 0.3 * rng.standard_normal((n_samples, n_classes)), axis=1)


def snippet_model(seed=0, n_features=20, hidden=32, n_classes=4):
    init.manual_seed(seed)
    model = Model(seed=seed)
    model.add(Dense(hidden, input_dim=n_features))
    model.add(ReLU())
    model.add(Dense(n_classes))
    model.add(Softmax())
    model.compile(optimizer=Adam(learning_rate=0.01), loss=CrossEntropy(), metrics=["accuracy"])
    return model


def test_the_issue_snippet_runs_as_written(capsys) -> None:
    X, y = make_data()
    X_train, y_train, X_val, y_val = X[:200], y[:200], X[200:250], y[200:250]
    X_test, y_test = X[250:], y[250:]
    model = snippet_model()
    history = model.fit(X_train, y_train, epochs=8, batch_size=32, validation_data=(X_val, y_val))
    _, accuracy = model.evaluate(X_test, y_test)
    probabilities = model.predict(X_test)
    text = model.summary()
    assert {"loss", "val_loss", "accuracy", "val_accuracy", "seconds"} <= set(history.history)
    losses = history.history["loss"]
    assert len(losses) == 8 and losses[-1] < losses[0]
    assert accuracy > 0.6  # four classes: chance is 0.25; a linear teacher is learnable
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12)
    assert "dense_1 (Dense)" in text and f"Total params: {20 * 32 + 32 + 32 * 4 + 4:,}" in text
    assert "val_accuracy" in capsys.readouterr().out  # the progress display (verbose=1)


def test_same_seed_same_data_gives_bit_identical_weights() -> None:
    X, y = make_data()
    states = []
    for _ in range(2):
        model = snippet_model(seed=3)
        model.fit(X, y, epochs=3, batch_size=16, verbose=0)
        states.append(model.network.state_dict())
    for key in states[0]:
        np.testing.assert_array_equal(states[0][key], states[1][key])
    other = snippet_model(seed=4)
    other.fit(X, y, epochs=3, batch_size=16, verbose=0)
    assert not np.array_equal(other.network.state_dict()["0.weight"], states[0]["0.weight"])


def test_early_stopping_restores_the_best_weights() -> None:
    # Random labels: the network memorizes the training rows and the validation loss rises.
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((80, 10)), rng.integers(0, 3, 80)
    model = snippet_model(n_features=10, hidden=64, n_classes=3)
    history = model.fit(
        X[:40], y[:40], epochs=60, batch_size=8, validation_data=(X[40:], y[40:]),
        early_stopping=True, patience=3, verbose=0,
    )  # fmt: skip
    val = history.history["val_loss"]
    assert history.stop_reason == "validation loss stopped improving"
    assert len(val) < 60 and int(np.argmin(val)) == len(val) - 4  # three epochs without gain
    assert model.evaluate(X[40:], y[40:])[0] == pytest.approx(min(val), rel=1e-12)


def test_divergence_raises_and_puts_the_weights_back() -> None:
    X, y = make_data()
    model = Model(seed=0, layers=[Dense(8, input_dim=20, seed=0), Tanh(), Dense(1)])
    model.compile(optimizer=SGD(learning_rate=1e4), loss="mse")
    before = model.network.state_dict()
    with pytest.raises(DivergenceError, match="weights were put back"):
        model.fit(X, 1e3 * y.astype(float), epochs=5, verbose=0)
    for key, value in model.network.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_training_resumes_bit_for_bit_after_save_and_load(tmp_path) -> None:
    X, y = make_data()
    straight = snippet_model(seed=5)
    straight.fit(X, y, epochs=2, batch_size=32, verbose=0)
    straight.fit(X, y, epochs=2, batch_size=32, verbose=0)
    interrupted = snippet_model(seed=5)
    interrupted.fit(X, y, epochs=2, batch_size=32, verbose=0)
    path = glassbox.save(interrupted, tmp_path / "model.gbx")
    resumed = glassbox.load(path)
    np.testing.assert_array_equal(resumed.predict(X), interrupted.predict(X))
    assert resumed.loop_state.n_steps == interrupted.loop_state.n_steps
    resumed.fit(X, y, epochs=2, batch_size=32, verbose=0)
    for key, value in straight.network.state_dict().items():
        np.testing.assert_array_equal(resumed.network.state_dict()[key], value)


def test_global_clipnorm_clips_the_step() -> None:
    # One full-batch SGD step: ‖Δθ‖ = η · c ‖g‖ / (‖g‖ + 1e-6) ≈ η c for ‖g‖ ≫ c.
    X, y = make_data()
    model = snippet_model()
    model.compile(optimizer=SGD(learning_rate=0.1, global_clipnorm=0.01), loss=CrossEntropy())
    before = [p.data.copy() for p in model.network.parameters()]
    model.fit(X, y, epochs=1, batch_size=None, verbose=0)
    step = np.sqrt(
        sum(np.sum((p.data - b) ** 2) for p, b in zip(model.network.parameters(), before))
    )
    assert step == pytest.approx(0.1 * 0.01, rel=1e-4)


def test_schedule_callbacks_and_stop_training() -> None:
    X, y = make_data()

    class StopAtTwo(Callback):
        def __init__(self):
            self.epochs, self.batches = [], 0

        def on_batch_end(self, step, logs):
            self.batches += 1

        def on_epoch_end(self, epoch, logs):
            self.epochs.append((epoch, logs["loss"]))
            if epoch == 2:
                self.model.stop_training = True

    model = snippet_model()
    model.compile(optimizer=SGD(learning_rate=ExponentialDecay(0.1, 0.9)), loss=CrossEntropy())
    hook = StopAtTwo()
    history = model.fit(X, y, epochs=10, batch_size=100, callbacks=[hook], verbose=0)
    assert [e for e, _ in hook.epochs] == [1, 2] and hook.batches == 6
    assert [loss for _, loss in hook.epochs] == history.history["loss"]
    np.testing.assert_allclose(history.history["learning_rate"], [0.1 * 0.9**2, 0.1 * 0.9**5])


@pytest.mark.parametrize("with_batch_norm", [False, True], ids=["mlp", "mlp+batchnorm"])
def test_torch_backend_agrees_per_epoch_in_float64(with_batch_norm) -> None:
    pytest.importorskip("torch")
    X, y = make_data(n_samples=120)
    histories = []
    for backend in ("numpy", "torch"):
        init.manual_seed(0)
        # A bias before batch norm has a zero gradient up to rounding, which Adam's
        # normalization would turn into steps of noise: drop it, as is usual before a norm.
        first = Dense(16, input_dim=20, use_bias=not with_batch_norm)
        layers = [first, *([BatchNorm1d(16)] if with_batch_norm else [])]
        model = Model(seed=2, layers=[*layers, ReLU(), Dense(4), Softmax()])
        model.compile(optimizer=Adam(learning_rate=0.01), loss=CrossEntropy(), backend=backend)
        history = model.fit(X, y, epochs=4, batch_size=25, epoch_loss="full", verbose=0)
        histories.append((history.history["loss"], model.network.state_dict()))
    # Same weights, same rows, same Adam: the float64 trajectories differ by rounding only.
    np.testing.assert_allclose(histories[0][0], histories[1][0], rtol=0, atol=1e-10)
    for key, value in histories[0][1].items():
        if key.split(".")[-1] in ("running_mean", "running_var", "num_batches_tracked"):
            # The two loops make different numbers of bookkeeping passes in training mode
            # (torch's evaluates the starting loss twice), each moving the running statistics.
            continue
        np.testing.assert_allclose(histories[1][1][key], value, rtol=0, atol=1e-10, err_msg=key)


def test_torch_backend_in_float32_within_its_documented_tolerance() -> None:
    pytest.importorskip("torch")
    X, y = make_data(n_samples=120)
    losses = []
    for backend in ("numpy", "torch"):
        init.manual_seed(0)
        model = Model(seed=2, dtype="float32", layers=[Dense(16, input_dim=20), ReLU(), Dense(4)])
        model.compile(optimizer=Adam(learning_rate=0.01), loss=CrossEntropy(), backend=backend)
        losses.append(model.fit(X, y, epochs=3, batch_size=25, epoch_loss="full", verbose=0))
        assert model.network.parameters()[0].dtype == np.float32
    # float32: ε ≈ 6e-8 per operation, accumulated over 15 updates of a 20-16-4 network
    np.testing.assert_allclose(losses[0].history["loss"], losses[1].history["loss"], rtol=1e-4)


# --- bad input ----------------------------------------------------------------------------


def test_bad_input_gets_clear_errors() -> None:
    X, y = make_data()
    model = snippet_model()
    with pytest.raises(ValueError, match=r"'dense' \(Dense\) expects inputs of width 20 .*width 7"):
        model.fit(X[:, :7], y, verbose=0)
    with pytest.raises(ValueError, match=r"label 9 is outside the 4 output classes"):
        model.fit(X, np.where(y == 0, 9, y), verbose=0)
    X_nan = X.copy()
    X_nan[3, 2] = np.nan
    with pytest.raises(ValueError, match=r"1 NaN value\(s\)"):
        model.fit(X_nan, y, verbose=0)
    with pytest.raises(ValueError, match="fit before compile"):
        Model(layers=[Dense(2, input_dim=20)]).fit(X, y)
    with pytest.raises(ValueError, match=r"Unknown optimizer 'adamx'; valid names are \[.*'adam'"):
        model.compile(optimizer="adamx", loss="mse")
    with pytest.raises(ValueError, match=r"Unknown loss 'hinge'"):
        model.compile(optimizer="adam", loss="hinge")
    with pytest.raises(ValueError, match=r"Unknown metric 'f1'"):
        model.compile(optimizer="adam", loss="mse", metrics=["f1"])
    with pytest.raises(ValueError, match="Unknown activation 'swish'"):
        Dense(3, input_dim=2, activation="swish")
    with pytest.raises(ValueError, match="from_logits=True"):
        model.compile(loss=CrossEntropy(from_logits=True))
    with pytest.raises(ValueError, match=r"first layer .* needs its input width"):
        Model().add(Dense(3))
    with pytest.raises(ValueError, match="early_stopping needs validation rows"):
        model.fit(X, y, early_stopping=True, verbose=0)


def test_the_rest_of_the_issues_bad_inputs() -> None:
    X, y = make_data()
    model = snippet_model()
    with pytest.raises(ValueError, match=r"Unknown loss 'hinge'; valid names are \[.*'mse'"):
        model.compile(optimizer="adam", loss="hinge")
    with pytest.raises(ValueError, match=r"Unknown activation 'swish'; valid names are \[.*'relu'"):
        Dense(3, input_dim=2, activation="swish")
    with pytest.raises(ValueError, match="evaluate before compile"):
        Model(layers=[Dense(2, input_dim=20)]).evaluate(X, y)
    regression = Model(seed=0, layers=[Dense(1, input_dim=20)]).compile(loss="mse")
    y_nan = y.astype(float)
    y_nan[5] = np.nan
    with pytest.raises(ValueError, match="y contains NaN"):
        regression.fit(X, y_nan, verbose=0)
    with pytest.raises(ValueError, match=r"validation x contains 1 NaN"):
        X_val = X[:10].copy()
        X_val[0, 0] = np.nan
        model.fit(X, y, validation_data=(X_val, y[:10]), verbose=0)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(X, y[:-1], verbose=0)
    # a loss that overflows to inf/NaN mid-run: an error, and the weights from before fit
    before = regression.network.state_dict()
    with pytest.raises(DivergenceError, match="weights were put back"):
        regression.compile(optimizer=SGD(learning_rate=1e6), loss="mse")
        regression.fit(X, 1e8 * y.astype(float), epochs=3, verbose=0)
    for key, value in regression.network.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
