"""Attention, layer norm and the transformer blocks against PyTorch and finite differences.

Values and gradients are compared in float64 at 1e-10 relative: both sides evaluate the same
formulas (the same softmax shift, the same biased variance), so they differ by a few ulps times
the longest sum (< 200 terms here). Finite differences (central, h = 1e-6) are good to ~1e-8.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassbox.autograd as ag
from glassbox import nn

torch = pytest.importorskip("torch")
F = torch.nn.functional
RTOL = 1e-10


def _close(ours, theirs, rtol=RTOL):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    scale = max(float(np.max(np.abs(theirs))), 1e-12)
    assert float(np.max(np.abs(np.asarray(ours) - theirs))) <= rtol * scale


def _qkv(rng, batch=(2, 3), steps=(5, 7), width=4):
    q = rng.standard_normal((*batch, steps[0], width))
    k = rng.standard_normal((*batch, steps[1], width))
    v = rng.standard_normal((*batch, steps[1], width + 1))
    return q, k, v


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("with_mask", [False, True])
def test_scaled_dot_product_attention_matches_torch(causal, with_mask):
    rng = np.random.default_rng(0)
    q, k, v = _qkv(rng, steps=(6, 6))
    mask = rng.random((2, 1, 6, 6)) > 0.3 if with_mask else None
    if mask is not None:
        mask[..., 0] = True  # every query keeps one key, so no row is all −∞ in torch
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    expected = (
        F.scaled_dot_product_attention(
            tq, tk, tv, attn_mask=None if mask is None else torch.tensor(mask), is_causal=False
        )
        if not causal
        else F.scaled_dot_product_attention(
            tq,
            tk,
            tv,
            attn_mask=torch.tensor(
                np.tril(np.ones((6, 6), bool)) & (True if mask is None else mask)
            ),
        )
    )
    gq, gk, gv = (ag.Tensor(a, requires_grad=True) for a in (q, k, v))
    out = ag.scaled_dot_product_attention(gq, gk, gv, mask, causal=causal)
    cotangent = rng.standard_normal(out.shape)
    out.backward(cotangent)
    expected.backward(torch.tensor(cotangent))
    _close(out.data, expected)
    for ours, theirs in ((gq, tq), (gk, tk), (gv, tv)):
        _close(ours.grad, theirs.grad)


def test_attention_is_causal_cross_length_and_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    q, k, v = _qkv(rng, batch=(2,), steps=(3, 4), width=3)
    mask = np.array([[True, True, False, True]])  # a padded key, hidden from every query
    check = ag.check_gradients(
        lambda a, b, c: ag.scaled_dot_product_attention(a, b, c, mask, causal=True),
        [q, k, v],
        tolerance=1e-7,
    )
    assert check.passed, str(check)
    # causal: the first query sees only the first key, so its output is that value exactly
    out = ag.scaled_dot_product_attention(ag.Tensor(q), ag.Tensor(k), ag.Tensor(v), causal=True)
    np.testing.assert_allclose(out.data[:, 0], v[:, 0], rtol=1e-12)


def test_a_row_with_no_allowed_key_gives_zeros_not_nan():
    rng = np.random.default_rng(2)
    q, k, v = _qkv(rng, batch=(1,), steps=(2, 3), width=2)
    mask = np.array([[True, True, True], [False, False, False]])
    out = ag.scaled_dot_product_attention(ag.Tensor(q), ag.Tensor(k), ag.Tensor(v), mask)
    assert np.all(np.isfinite(out.data)) and np.all(out.data[0, 1] == 0)


def test_large_scores_do_not_overflow():
    q = np.full((1, 2, 2), 400.0)
    k = np.array([[[400.0, 400.0], [-400.0, 400.0]]])
    v = np.eye(2)[None]
    out = ag.scaled_dot_product_attention(ag.Tensor(q), ag.Tensor(k), ag.Tensor(v))
    np.testing.assert_allclose(out.data, [[[1.0, 0.0], [1.0, 0.0]]], atol=1e-12)


def test_attention_rejects_bad_masks_and_shapes():
    q = ag.Tensor(np.zeros((1, 2, 4)))
    with pytest.raises(TypeError, match="boolean"):
        ag.scaled_dot_product_attention(q, q, q, np.ones((2, 2)))
    with pytest.raises(ValueError, match="does not broadcast"):
        ag.scaled_dot_product_attention(q, q, q, np.ones((3, 3), bool))
    with pytest.raises(ValueError, match="share their width"):
        ag.scaled_dot_product_attention(q, ag.Tensor(np.zeros((1, 2, 3))), q)


def test_attention_dropout_is_seeded_and_unbiased_in_expectation():
    rng = np.random.default_rng(3)
    q, k, v = _qkv(rng, batch=(1,), steps=(4, 4), width=3)
    args = [ag.Tensor(a) for a in (q, k, v)]
    first = ag.scaled_dot_product_attention(*args, dropout_rate=0.5, rng=np.random.default_rng(7))
    again = ag.scaled_dot_product_attention(*args, dropout_rate=0.5, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(first.data, again.data)
    plain = ag.scaled_dot_product_attention(*args).data
    draws = np.mean(
        [
            ag.scaled_dot_product_attention(
                *args, dropout_rate=0.5, rng=np.random.default_rng(s)
            ).data
            for s in range(400)
        ],
        axis=0,
    )
    # the mean of 400 inverted-dropout draws: its standard error is about |v| / 20
    np.testing.assert_allclose(draws, plain, atol=0.25)


def test_layer_norm_matches_torch_and_finite_differences():
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((3, 4, 6)), rng.standard_normal(6), rng.standard_normal(6)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    expected = F.layer_norm(tx, (6,), tw, tb, eps=1e-5)
    gx, gw, gb = (ag.Tensor(a, requires_grad=True) for a in (x, w, b))
    out = ag.layer_norm(gx, gw, gb, eps=1e-5)
    cotangent = rng.standard_normal(out.shape)
    out.backward(cotangent)
    expected.backward(torch.tensor(cotangent))
    _close(out.data, expected)
    for ours, theirs in ((gx, tx), (gw, tw), (gb, tb)):
        _close(ours.grad, theirs.grad)
    check = ag.check_gradients(lambda a, c, d: ag.layer_norm(a, c, d), [x[0], w, b])
    assert check.passed, str(check)


def _copy_attention(ours: nn.MultiHeadAttention, theirs) -> None:
    w = theirs.in_proj_weight.detach().numpy()
    bias = theirs.in_proj_bias.detach().numpy()
    c = ours.width
    for i, projection in enumerate((ours.query, ours.key, ours.value)):
        projection.weight.data = w[i * c : (i + 1) * c].copy()
        projection.bias.data = bias[i * c : (i + 1) * c].copy()
    ours.output.weight.data = theirs.out_proj.weight.detach().numpy().copy()
    ours.output.bias.data = theirs.out_proj.bias.detach().numpy().copy()


def _copy_block(ours, theirs) -> None:
    _copy_attention(ours.self_attn, theirs.self_attn)
    if hasattr(ours, "multihead_attn"):
        _copy_attention(ours.multihead_attn, theirs.multihead_attn)
    for name in ("norm1", "norm2", "norm3"):
        if hasattr(ours, name):
            getattr(ours, name).weight.data = getattr(theirs, name).weight.detach().numpy().copy()
            getattr(ours, name).bias.data = getattr(theirs, name).bias.detach().numpy().copy()
    for name in ("linear1", "linear2"):
        layer = getattr(ours.mlp, name)
        layer.weight.data = getattr(theirs, name).weight.detach().numpy().copy()
        layer.bias.data = getattr(theirs, name).bias.detach().numpy().copy()


def _torch_module(module):
    torch.manual_seed(0)
    return module.double()


def test_multi_head_attention_matches_torch_with_padding_and_causal_masks():
    rng = np.random.default_rng(5)
    theirs = _torch_module(torch.nn.MultiheadAttention(8, 2, batch_first=True))
    ours = nn.MultiHeadAttention(8, 2, seed=0)
    _copy_attention(ours, theirs)
    x = rng.standard_normal((3, 5, 8))
    memory = rng.standard_normal((3, 4, 8))
    key_mask = nn.lengths_to_mask(np.array([4, 2, 3]), 4)
    tx, tm = torch.tensor(x, requires_grad=True), torch.tensor(memory, requires_grad=True)
    causal = torch.tensor(~np.tril(np.ones((5, 5), bool)))  # torch: True = hidden
    self_expected, _ = theirs(tx, tx, tx, attn_mask=causal)
    cross_expected, _ = theirs(tx, tm, tm, key_padding_mask=torch.tensor(~key_mask))
    gx, gm = ag.Tensor(x, requires_grad=True), ag.Tensor(memory, requires_grad=True)
    self_out = ours(gx, causal=True)
    cross_out = ours(gx, gm, key_mask=key_mask)
    _close(self_out.data, self_expected)
    _close(cross_out.data, cross_expected)
    c1, c2 = rng.standard_normal(self_out.shape), rng.standard_normal(cross_out.shape)
    ((self_out * c1).sum() + (cross_out * c2).sum()).backward()
    (
        (self_expected * torch.tensor(c1)).sum() + (cross_expected * torch.tensor(c2)).sum()
    ).backward()
    _close(gx.grad, tx.grad)
    _close(gm.grad, tm.grad)
    _close(ours.query.weight.grad, theirs.in_proj_weight.grad[:8])
    _close(ours.value.bias.grad, theirs.in_proj_bias.grad[16:])
    _close(ours.output.weight.grad, theirs.out_proj.weight.grad)


def test_heads_that_do_not_divide_the_width_are_refused():
    with pytest.raises(ValueError, match="n_heads=3 does not divide width=8"):
        nn.MultiHeadAttention(8, 3)
    with pytest.raises(ValueError, match="does not divide"):
        nn.TransformerEncoderBlock(10, 4)


def test_encoder_block_matches_torch_pre_norm_layer():
    rng = np.random.default_rng(6)
    theirs = _torch_module(
        torch.nn.TransformerEncoderLayer(
            8, 2, 32, dropout=0.0, activation="gelu", batch_first=True, norm_first=True
        )
    )
    ours = nn.TransformerEncoderBlock(8, 2, hidden=32, seed=0)
    _copy_block(ours, theirs)
    x = rng.standard_normal((2, 5, 8))
    key_mask = nn.lengths_to_mask(np.array([5, 3]), 5)
    tx = torch.tensor(x, requires_grad=True)
    expected = theirs(tx, src_key_padding_mask=torch.tensor(~key_mask))
    gx = ag.Tensor(x, requires_grad=True)
    out = ours(gx, key_mask=key_mask)
    # torch's fast path leaves padded positions' outputs unspecified: compare the real tokens
    real = key_mask[..., None]
    _close(out.data * real, expected.detach().numpy() * real)
    cotangent = rng.standard_normal(out.shape) * real
    out.backward(cotangent)
    expected.backward(torch.tensor(cotangent))
    _close(gx.grad, tx.grad)
    _close(ours.mlp.linear1.weight.grad, theirs.linear1.weight.grad)
    _close(ours.norm2.weight.grad, theirs.norm2.weight.grad)


def test_decoder_block_matches_torch_pre_norm_layer():
    rng = np.random.default_rng(7)
    theirs = _torch_module(
        torch.nn.TransformerDecoderLayer(
            8, 2, 16, dropout=0.0, activation="gelu", batch_first=True, norm_first=True
        )
    )
    ours = nn.TransformerDecoderBlock(8, 2, hidden=16, seed=0)
    _copy_block(ours, theirs)
    x, memory = rng.standard_normal((2, 4, 8)), rng.standard_normal((2, 6, 8))
    memory_mask = nn.lengths_to_mask(np.array([6, 4]), 6)
    tx, tm = torch.tensor(x, requires_grad=True), torch.tensor(memory, requires_grad=True)
    expected = theirs(
        tx,
        tm,
        tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64),
        memory_key_padding_mask=torch.tensor(~memory_mask),
    )
    gx, gm = ag.Tensor(x, requires_grad=True), ag.Tensor(memory, requires_grad=True)
    out = ours(gx, gm, memory_key_mask=memory_mask)
    _close(out.data, expected)
    cotangent = rng.standard_normal(out.shape)
    out.backward(cotangent)
    expected.backward(torch.tensor(cotangent))
    _close(gx.grad, tx.grad)
    _close(gm.grad, tm.grad)
    _close(ours.multihead_attn.key.weight.grad, theirs.multihead_attn.in_proj_weight.grad[8:16])
    _close(ours.norm3.bias.grad, theirs.norm3.bias.grad)


def test_decoder_block_gradients_match_finite_differences():
    rng = np.random.default_rng(8)
    block = nn.TransformerDecoderBlock(4, 2, hidden=8, seed=1)
    memory = rng.standard_normal((1, 3, 4))
    check = ag.check_gradients(lambda x: block(x, memory), [rng.standard_normal((1, 3, 4))])
    assert check.passed, str(check)


def test_positional_encodings():
    table = nn.layers.positional.sinusoidal_table(50, 6)
    t, i = 17, 2  # PE[t, 2i] = sin(t / 10000^(2i/C)), PE[t, 2i+1] = cos(…)
    assert table[t, 2 * i] == pytest.approx(np.sin(t / 10000 ** (2 * i / 6)), rel=1e-14)
    assert table[t, 2 * i + 1] == pytest.approx(np.cos(t / 10000 ** (2 * i / 6)), rel=1e-14)
    x = np.zeros((2, 5, 6))
    np.testing.assert_array_equal(nn.SinusoidalPositionalEncoding(50, 6)(x).data[1], table[:5])
    learned = nn.LearnedPositionalEmbedding(8, 6, seed=0)
    out = learned(ag.Tensor(x))
    out.backward(np.ones_like(x))
    np.testing.assert_array_equal(learned.weight.grad[:5], 2.0)  # two sequences of 5 steps
    np.testing.assert_array_equal(learned.weight.grad[5:], 0.0)
    with pytest.raises(ValueError, match="context is 8"):
        learned(np.zeros((1, 9, 6)))


def test_float32_gelu_tables_are_exact_to_float32_resolution():
    from scipy import special

    from glassbox.autograd.ops.elementwise import normal_cdf_float32

    z = np.linspace(-9, 9, 200_001).astype(np.float32)
    error = np.abs(normal_cdf_float32(z).astype(np.float64) - special.ndtr(z.astype(np.float64)))
    # interpolation error 3e-8, plus float32 rounding of x itself (Φ′ · ulp(x) < 2e-7)
    assert error.max() < 3e-7
    x = np.random.default_rng(9).standard_normal((4, 50)).astype(np.float32) * 3
    ours = ag.Tensor(x, requires_grad=True)
    out = ag.gelu(ours)
    out.backward(np.ones_like(x))
    theirs = torch.tensor(x, requires_grad=True)
    expected = F.gelu(theirs)
    expected.sum().backward()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=2e-6)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=2e-6)


def test_fused_linear_matches_torch_and_finite_differences():
    rng = np.random.default_rng(10)
    x, w, b = rng.standard_normal((2, 3, 5)), rng.standard_normal((4, 5)), rng.standard_normal(4)
    gx, gw, gb = (ag.Tensor(a, requires_grad=True) for a in (x, w, b))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out, expected = ag.linear(gx, gw, gb), F.linear(tx, tw, tb)
    cotangent = rng.standard_normal(out.shape)
    out.backward(cotangent)
    expected.backward(torch.tensor(cotangent))
    _close(out.data, expected)
    for ours, theirs in ((gx, tx), (gw, tw), (gb, tb)):
        _close(ours.grad, theirs.grad)
    assert ag.check_gradients(lambda a, c: ag.linear(a, c), [x[0, 0], w]).passed
    with pytest.raises(ValueError, match=r"weight of shape \(out, 5\)"):
        ag.linear(gx, np.zeros((4, 3)))


@pytest.mark.parametrize(
    "layer",
    [
        nn.MultiHeadAttention(8, 2, seed=0),
        nn.FeedForward(8, 16, seed=0),
        nn.TransformerEncoderBlock(8, 2, seed=0),
        nn.TransformerDecoderBlock(8, 2, cross_attention=False, seed=0),
        nn.SinusoidalPositionalEncoding(6, 8),
        nn.LearnedPositionalEmbedding(6, 8, seed=0),
    ],
    ids=lambda layer: type(layer).__name__,
)
def test_layers_rebuild_from_their_config(layer):
    again = type(layer)(**layer.get_config())
    again.load_state_dict(layer.state_dict())
    x = np.random.default_rng(11).standard_normal((2, 5, 8))
    np.testing.assert_array_equal(again(x).data, layer(x).data)
