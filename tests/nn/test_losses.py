"""Losses against torch.nn.functional, with class and sample weights, values and gradients.

Tolerance 1e-10 in float64 (the same formulas, a few rounding steps apart). The weighted
reduction is eq. (1) of glassbox.nn.losses, Σ s c ℓ / Σ s c: with sample weights the torch
side is written out from ``reduction="none"``.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassbox.autograd as ag
from glassbox.nn import Dense, Model, Softmax
from glassbox.nn.losses import (
    BinaryCrossEntropy,
    CrossEntropy,
    Huber,
    MeanAbsoluteError,
    MeanSquaredError,
    get_loss,
)

torch = pytest.importorskip("torch")
F = torch.nn.functional
TOL = 1e-10


def _ours(loss, output, target, weights=None):
    z = ag.Tensor(output, requires_grad=True)
    value = loss(z, target, weights)
    value.backward()
    return value.item(), z.grad


def _theirs(fn, output):
    z = torch.tensor(output, requires_grad=True)
    value = fn(z)
    value.backward()
    return value.item(), z.grad.numpy()


def _weighted(values, s):
    return (values * s).sum() / s.sum()


rng = np.random.default_rng(0)
LOGITS = rng.standard_normal((12, 4)) * 3
LABELS = rng.integers(0, 4, 12)
SAMPLE = rng.uniform(0.1, 2.0, 12)
CLASS = np.array([0.5, 2.0, 1.0, 3.0])
REG_OUT, REG_TARGET = rng.standard_normal((12, 3)) * 2, rng.standard_normal((12, 3))


def _case(name):
    s = torch.from_numpy(SAMPLE)
    c = torch.from_numpy(CLASS)
    y = torch.from_numpy(LABELS)
    t = torch.from_numpy(REG_TARGET)
    binary = torch.from_numpy((LABELS % 2).astype(np.float64))
    return {
        "ce": (CrossEntropy(), LOGITS, LABELS, None, lambda z: F.cross_entropy(z, y)),
        "ce class weights": (
            CrossEntropy(class_weight=CLASS), LOGITS, LABELS, None,
            lambda z: F.cross_entropy(z, y, weight=c),
        ),
        "ce class and sample weights": (
            CrossEntropy(class_weight=CLASS), LOGITS, LABELS, SAMPLE,
            lambda z: (F.cross_entropy(z, y, weight=c, reduction="none") * s).sum()
            / (s * c[y]).sum(),
        ),
        "ce label smoothing + weights": (
            CrossEntropy(class_weight=CLASS, label_smoothing=0.2), LOGITS, LABELS, None,
            lambda z: F.cross_entropy(z, y, weight=c, label_smoothing=0.2),
        ),
        "ce one-hot": (
            CrossEntropy(), LOGITS, np.eye(4)[LABELS], SAMPLE,
            lambda z: _weighted(F.cross_entropy(z, y, reduction="none"), s),
        ),
        "bce logits": (
            BinaryCrossEntropy(), LOGITS[:, 0], LABELS % 2, SAMPLE,
            lambda z: _weighted(F.binary_cross_entropy_with_logits(z, binary, reduction="none"), s),
        ),
        "bce probabilities": (
            BinaryCrossEntropy(from_logits=False), 1 / (1 + np.exp(-LOGITS[:, 0])), LABELS % 2,
            None, lambda z: F.binary_cross_entropy(z, binary),
        ),
        "mse": (
            MeanSquaredError(), REG_OUT, REG_TARGET, SAMPLE,
            lambda z: _weighted(F.mse_loss(z, t, reduction="none").mean(1), s),
        ),
        "mae": (MeanAbsoluteError(), REG_OUT, REG_TARGET, None, lambda z: F.l1_loss(z, t)),
        "huber": (
            Huber(delta=0.7), REG_OUT, REG_TARGET, SAMPLE,
            lambda z: _weighted(F.huber_loss(z, t, delta=0.7, reduction="none").mean(1), s),
        ),
    }[name]  # fmt: skip


CASES = [
    "ce", "ce class weights", "ce class and sample weights", "ce label smoothing + weights",
    "ce one-hot", "bce logits", "bce probabilities", "mse", "mae", "huber",
]  # fmt: skip


@pytest.mark.parametrize("name", CASES)
def test_loss_value_and_gradient_match_torch(name) -> None:
    loss, output, target, weights, reference = _case(name)
    value, grad = _ours(loss, output, target, weights)
    expected, expected_grad = _theirs(reference, output)
    assert abs(value - expected) <= TOL * max(1.0, abs(expected))
    np.testing.assert_allclose(grad, expected_grad, rtol=0, atol=TOL)


def test_softmax_then_cross_entropy_loses_no_precision_in_a_model() -> None:
    # Logits of ±800 make softmax exactly 0 and 1 in float64, so log(softmax) would be -inf;
    # the Model hands the loss the logits, and the loss is torch's cross_entropy of them.
    model = Model(seed=0)
    model.add(Dense(3, input_dim=2, use_bias=False))
    model.add(Softmax())
    model.compile(loss=CrossEntropy())
    model.layers[0].weight.data = np.array([[400.0, 0.0], [0.0, 400.0], [-400.0, 0.0]])
    x, y = np.array([[2.0, 0.0], [-2.0, 0.0]]), np.array([2, 0])
    logits = torch.from_numpy(x @ model.layers[0].weight.data.T)
    expected = F.cross_entropy(logits, torch.from_numpy(y)).item()
    assert np.isfinite(expected) and expected > 1000
    assert abs(model.evaluate(x, y) - expected) <= 1e-12 * expected
    np.testing.assert_allclose(model.predict(x).sum(axis=1), 1.0)  # predict: probabilities


def test_extreme_logits_stay_finite_in_binary_cross_entropy() -> None:
    value, grad = _ours(BinaryCrossEntropy(), np.array([1000.0, -1000.0]), np.array([0, 1]))
    assert value == pytest.approx(1000.0, rel=1e-15)
    np.testing.assert_allclose(grad, [0.5, -0.5])


def test_bad_targets_get_clear_errors() -> None:
    with pytest.raises(ValueError, match=r"label 7 is outside the 4 output classes"):
        CrossEntropy()(ag.Tensor(LOGITS), np.where(LABELS == 0, 7, LABELS))
    with pytest.raises(ValueError, match=r"targets must be in \[0, 1\]"):
        BinaryCrossEntropy()(ag.Tensor(LOGITS[:, 0]), LABELS)
    with pytest.raises(ValueError, match=r"Unknown loss 'hinge'; valid names are \[.*'mse'"):
        get_loss("hinge")
