"""Every layer against its torch.nn twin (weights copied, float64) and finite differences.

Tolerance 1e-10: in float64 both libraries evaluate the same formulas with a few dozen
rounding steps per output (ε ≈ 1e-16 each), so anything above 1e-10 would be a different
formula, not rounding. Finite differences use the engine's check at its 1e-6 default
(h = 1e-6 central differences: O(h²) truncation plus O(ε/h) rounding).
"""

from __future__ import annotations

import numpy as np
import pytest

import glassbox.autograd as ag
from glassbox.nn import (
    GELU,
    BatchNorm1d,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    LayerNorm,
    LeakyReLU,
    Linear,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    init,
)
from glassbox.nn.layers import get_activation

torch = pytest.importorskip("torch")
TOL = 1e-10


def _copy_into_torch(ours, theirs) -> None:
    """Our state_dict has torch's keys and shapes, so it loads into the twin directly."""
    state = {k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state)


def _compare(ours, theirs, x: np.ndarray, seed: int = 0) -> None:
    """Outputs, input gradients and parameter gradients under a random cotangent."""
    x_ours = ag.Tensor(x, requires_grad=True)
    x_torch = torch.tensor(x, requires_grad=True)
    y_ours = ours(x_ours)
    y_torch = theirs(x_torch)
    np.testing.assert_allclose(y_ours.data, y_torch.detach().numpy(), rtol=0, atol=TOL)
    cotangent = np.random.default_rng(seed).standard_normal(y_ours.shape)
    (y_ours * cotangent).sum().backward()
    (y_torch * torch.from_numpy(cotangent)).sum().backward()
    np.testing.assert_allclose(x_ours.grad, x_torch.grad.numpy(), rtol=0, atol=TOL)
    torch_grads = dict(theirs.named_parameters())
    for name, parameter in ours.named_parameters():
        np.testing.assert_allclose(
            parameter.grad, torch_grads[name].grad.numpy(), rtol=0, atol=TOL, err_msg=name
        )


def test_dense_matches_torch_linear_with_copied_weights() -> None:
    x = np.random.default_rng(0).standard_normal((7, 5))
    ours = Dense(3, input_dim=5, seed=1)
    theirs = torch.nn.Linear(5, 3, dtype=torch.float64)
    assert ours.weight.shape == tuple(theirs.weight.shape)  # (out, in), as torch stores it
    _copy_into_torch(ours, theirs)
    _compare(ours, theirs, x)


def test_torch_weights_copy_into_linear_and_dense_on_3d_inputs() -> None:
    theirs = torch.nn.Linear(4, 6, dtype=torch.float64)
    ours = Linear(4, 6)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((2, 3, 4))  # (batch, time, features)
    _compare(ours, theirs, x)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (ReLU(), torch.nn.ReLU()),
        (LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
        (Tanh(), torch.nn.Tanh()),
        (Sigmoid(), torch.nn.Sigmoid()),
        (GELU(), torch.nn.GELU()),
        (GELU("tanh"), torch.nn.GELU(approximate="tanh")),
        (Softmax(), torch.nn.Softmax(dim=-1)),
        (Flatten(), torch.nn.Flatten()),
    ],
    ids=["relu", "leaky_relu", "tanh", "sigmoid", "gelu", "gelu_tanh", "softmax", "flatten"],
)
def test_parameter_free_layers_match_torch(ours, theirs) -> None:
    x = np.random.default_rng(2).standard_normal((4, 3, 5)) * 3
    _compare(ours, theirs, x)


@pytest.mark.parametrize("shape", [(16, 4), (8, 4, 5)], ids=["(N, C)", "(N, C, L)"])
def test_batch_norm_training_and_running_statistics_match_torch(shape) -> None:
    rng = np.random.default_rng(3)
    ours = BatchNorm1d(4, momentum=0.3)
    ours.weight.data = rng.standard_normal(4)
    ours.bias.data = rng.standard_normal(4)
    theirs = torch.nn.BatchNorm1d(4, momentum=0.3, dtype=torch.float64)
    _copy_into_torch(ours, theirs)
    for step in range(3):  # three training batches move the running statistics
        _compare(ours, theirs, 2 + 3 * rng.standard_normal(shape), seed=step)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=0, atol=TOL)
    ours.eval()
    theirs.eval()
    _compare(ours, theirs, rng.standard_normal(shape))


def test_batch_norm_refuses_a_single_row_in_training() -> None:
    with pytest.raises(ValueError, match="more than one value per channel"):
        BatchNorm1d(3)(np.ones((1, 3)))


def test_layer_norm_matches_torch() -> None:
    rng = np.random.default_rng(4)
    ours = LayerNorm((3, 5))
    ours.weight.data = rng.standard_normal((3, 5))
    ours.bias.data = rng.standard_normal((3, 5))
    theirs = torch.nn.LayerNorm((3, 5), dtype=torch.float64)
    _copy_into_torch(ours, theirs)
    _compare(ours, theirs, rng.standard_normal((2, 3, 5)) * 4 + 1)


def test_embedding_matches_torch_and_accumulates_repeated_ids() -> None:
    ours = Embedding(6, 3, seed=0)
    theirs = torch.nn.Embedding(6, 3, dtype=torch.float64)
    _copy_into_torch(ours, theirs)
    ids = np.array([[0, 2, 2], [5, 0, 2]])
    out = ours(ids)
    expected = theirs(torch.from_numpy(ids))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=0, atol=TOL)
    cotangent = np.random.default_rng(5).standard_normal(out.shape)
    (out * cotangent).sum().backward()
    (expected * torch.from_numpy(cotangent)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=0, atol=TOL)


def test_layer_gradients_against_finite_differences() -> None:
    rng = np.random.default_rng(6)
    dense, norm, layer_norm = Dense(3, input_dim=4, activation="tanh"), BatchNorm1d(3), LayerNorm(3)

    def network(x, weight, bias, gamma, beta):
        # Assigning plain tensors replaces the parameters, so the check perturbs these.
        dense.weight, dense.bias, norm.weight, norm.bias = weight, bias, gamma, beta
        return layer_norm(norm(dense(x))) * ag.Tensor(np.arange(1.0, 4.0))

    inputs = [rng.standard_normal(s) for s in [(6, 4), (3, 4), (3,), (3,), (3,)]]
    report = ag.check_gradients(network, inputs)  # a non-scalar output: a random cotangent
    assert report.passed, str(report)


def test_dropout_is_seeded_scaled_and_off_in_eval() -> None:
    x = np.ones((200, 50))
    first, second = Dropout(0.3, seed=7), Dropout(0.3, seed=7)
    a, b = first(x).data, second(x).data
    np.testing.assert_array_equal(a, b)  # same seed, same mask
    kept = a != 0
    np.testing.assert_allclose(a[kept], 1 / 0.7, rtol=1e-15)  # inverted dropout scale
    # The kept fraction is Binomial(10,000, 0.7)/10,000: its standard deviation is 0.0046,
    # so ±0.02 is more than four of them.
    assert abs(kept.mean() - 0.7) < 0.02
    first.eval()
    np.testing.assert_array_equal(first(x).data, x)


def test_dense_names_both_widths_when_the_input_is_wrong() -> None:
    layer = Dense(4, input_dim=3, name="hidden")
    with pytest.raises(
        ValueError, match=r"'hidden' \(Dense\) expects inputs of width 3 .* width 5"
    ):
        layer(np.ones((2, 5)))


def test_unknown_activation_and_initializer_list_the_valid_names() -> None:
    with pytest.raises(ValueError, match=r"Unknown activation 'swish'; valid names are \[.*'relu'"):
        get_activation("swish")
    with pytest.raises(ValueError, match=r"Unknown initializer 'orthogonal'.*'he_normal'"):
        Dense(3, input_dim=2, kernel_initializer="orthogonal")


@pytest.mark.parametrize(
    ("name", "variance"),
    [
        ("glorot_uniform", 2 / (300 + 200)),
        ("glorot_normal", 2 / (300 + 200)),
        ("he_uniform", 2 / 200),
        ("he_normal", 2 / 200),
        ("lecun_uniform", 1 / (3 * 200)),
    ],
)
def test_initializers_have_their_variance(name, variance) -> None:
    # weight stored (fan_out, fan_in) = (300, 200). With 60,000 draws the sample variance's
    # relative standard error is about √(2/60,000) ≈ 0.6% (less for the uniforms): 3% is 5σ.
    weights = init.initialize(name, (300, 200), np.random.default_rng(8))
    assert abs(weights.var() / variance - 1) < 0.03
    assert abs(weights.mean()) < 4 * np.sqrt(variance / weights.size)
    if name.endswith("uniform"):
        assert np.abs(weights).max() <= np.sqrt(3 * variance)


def test_manual_seed_gives_bit_identical_layers() -> None:
    init.manual_seed(3)
    first = Dense(5, input_dim=4).weight.data.copy()
    init.manual_seed(3)
    np.testing.assert_array_equal(Dense(5, input_dim=4).weight.data, first)
