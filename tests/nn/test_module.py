"""Module semantics: registration by attribute, torch's state_dict names, tied weights."""

from __future__ import annotations

import numpy as np
import pytest

import glassbox.autograd as ag
from glassbox.nn import Module, ModuleList, Parameter, Sequential


class Affine(Module):
    def __init__(self, n_in: int, n_out: int, seed: int = 0) -> None:
        super().__init__()
        rng = np.random.default_rng(seed)
        self.weight = Parameter(rng.standard_normal((n_out, n_in)))
        self.bias = Parameter(np.zeros(n_out))

    def forward(self, x):
        return x @ self.weight.T + self.bias


class Tied(Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = Affine(3, 3, seed=1)
        self.blocks = ModuleList([Affine(3, 3, seed=2), Affine(3, 3, seed=3)])
        self.decoder = Affine(3, 3, seed=4)
        self.decoder.weight = self.encoder.weight  # weight tying: one parameter

    def forward(self, x):
        h = self.encoder(x)
        for block in self.blocks:
            h = ag.relu(block(h))
        return self.decoder(h)


def test_state_dict_names_follow_torch() -> None:
    torch = pytest.importorskip("torch")
    ours = Sequential(Affine(4, 5), Affine(5, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Linear(5, 2))
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_tied_parameters_are_listed_once_and_receive_both_gradients() -> None:
    model = Tied()
    names = [name for name, _ in model.named_parameters()]
    assert names.count("encoder.weight") == 1 and "decoder.weight" not in names
    assert len(model.parameters()) == 7
    x = ag.Tensor(np.random.default_rng(0).standard_normal((2, 3)))
    model(x).sum().backward()
    shared = model.encoder.weight
    numeric = ag.check_gradients(lambda w: _with_weight(model, w, x), [shared.data])
    np.testing.assert_allclose(shared.grad, numeric.numeric[0], rtol=1e-6, atol=1e-8)


def _with_weight(model: Tied, w: ag.Tensor, x: ag.Tensor) -> ag.Tensor:
    encoder, decoder = model.encoder, model.decoder
    h = x @ w.T + encoder.bias.data
    for block in model.blocks:
        h = ag.relu(h @ block.weight.data.T + block.bias.data)
    return (h @ w.T + decoder.bias.data).sum()


def test_load_state_dict_round_trip_and_clear_errors() -> None:
    a, b = Tied(), Tied()
    b.load_state_dict(a.state_dict())
    for (name, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)
    state = a.state_dict()
    state["encoder.bias"] = np.zeros(4)
    with pytest.raises(ValueError, match=r"'encoder.bias' has shape \(4,\) in the state"):
        b.load_state_dict(state)
    del state["encoder.bias"]
    state["extra"] = np.zeros(1)
    with pytest.raises(ValueError, match=r"missing \['encoder.bias'\], unexpected \['extra'\]"):
        b.load_state_dict(state)


def test_train_and_eval_reach_every_module() -> None:
    model = Tied().eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_forgetting_super_init_is_a_clear_error() -> None:
    class Broken(Module):
        def __init__(self) -> None:
            self.weight = Parameter(np.zeros(2))

    with pytest.raises(TypeError, match=r"must call super\(\).__init__\(\)"):
        Broken()


def test_parameters_are_float() -> None:
    assert Parameter(np.arange(3)).dtype == np.float64
    assert Parameter(np.zeros(2, dtype=np.float32)).dtype == np.float32
