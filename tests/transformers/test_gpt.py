"""The GPT against the same network in PyTorch, and its training recipe.

Float64 throughout the reference checks. 1e-10 relative for one forward/backward pass (the
same formulas, rounding apart by a few ulps per reduction); 1e-9 for losses after several
AdamW steps, where those differences pass through Adam's division by √v.
"""

from __future__ import annotations

import numpy as np
import pytest

from glassbox.models import GPT, GPTConfig
from glassbox.models.gpt_training import TrainingConfig, load_checkpoint, resume, train
from glassbox.text import CharTokenizer, WindowSampler, windows

torch = pytest.importorskip("torch")

TEXT = "to be or not to be, that is the question; whether 'tis nobler in the mind. " * 8
TINY = GPTConfig(
    vocab_size=len(set(TEXT)), context=8, n_layers=2, n_heads=2, width=16, dtype="float64"
)


def _tokens():
    tokenizer = CharTokenizer().fit(TEXT)
    tokens = tokenizer.encode(TEXT)
    return tokenizer, tokens[:500], tokens[500:]


def test_one_pass_matches_torch_values_and_gradients():
    _, tokens, _ = _tokens()
    model = GPT(TINY, seed=3)
    reference = torch_gpt_of(model)
    x, y = windows(tokens, [0, 17, 40], TINY.context)
    ours = model.loss(x, y)
    ours.backward()
    theirs = reference.loss(torch.tensor(x), torch.tensor(y))
    theirs.backward()
    assert float(ours.data) == pytest.approx(theirs.item(), rel=1e-10)
    # the key biases' gradient is exactly 0 in exact arithmetic (softmax ignores a constant
    # added to every score of a row), so each error is measured against the largest gradient
    largest = max(np.abs(reference.p(n).grad.numpy()).max() for n, _ in model.named_parameters())
    for name, parameter in model.named_parameters():
        expected = reference.p(name).grad.numpy()
        scale = max(np.abs(expected).max(), 1e-6 * largest)
        assert np.abs(parameter.grad - expected).max() <= 1e-10 * scale, name
    # weight tying: one parameter serves the embedding and the output layer
    names = [name for name, _ in model.named_parameters()]
    assert names[0] == "token_embedding.weight" and not any("head" in n for n in names)


def torch_gpt_of(model):
    from glassbox.models.gpt_torch import torch_gpt

    return torch_gpt(model)


def test_training_losses_agree_with_torch_step_by_step():
    from glassbox.models.gpt_torch import torch_optimizer, torch_train_step

    _, tokens, validation = _tokens()
    config = TrainingConfig(
        max_steps=6,
        batch_size=4,
        warmup_steps=2,
        learning_rate=3e-3,
        eval_interval=6,
        eval_batches=1,
        seed=5,
    )
    model = GPT(TINY, seed=1)
    reference = torch_gpt_of(model)
    optimizer = torch_optimizer(reference, config)
    state = train(model, tokens, validation, config)
    sampler = WindowSampler(tokens, TINY.context, config.batch_size, seed=config.seed)
    theirs = [
        torch_train_step(reference, optimizer, config, step, *sampler.sample())
        for step in range(config.max_steps)
    ]
    np.testing.assert_allclose(state.history["train_loss"], theirs, rtol=1e-9)
    for name, parameter in model.named_parameters():
        np.testing.assert_allclose(
            parameter.data, reference.p(name).detach().numpy(), rtol=1e-7, atol=1e-9
        )


def test_a_tiny_model_learns_and_generates_deterministically():
    tokenizer, tokens, validation = _tokens()
    config = TrainingConfig(
        max_steps=40,
        batch_size=8,
        warmup_steps=4,
        learning_rate=1e-2,
        min_learning_rate=1e-3,
        eval_interval=20,
        eval_batches=2,
        seed=0,
    )
    model = GPT(TINY, seed=0)
    state = train(model, tokens, validation, config)
    losses = state.history["train_loss"]
    # from log V ≈ 2.9 (uniform guessing) to well below it: the text is very repetitive
    assert losses[0] == pytest.approx(np.log(TINY.vocab_size), abs=0.1)
    assert np.mean(losses[-5:]) < losses[0] - 0.8
    assert state.history["eval_step"] == [20, 40]
    assert state.history["validation_loss"][-1] < state.history["validation_loss"][0]
    prompt = tokenizer.encode("to be")
    first = model.generate(prompt, 12, temperature=0.8, top_k=5, seed=11)
    again = model.generate(prompt, 12, temperature=0.8, top_k=5, seed=11)
    other = model.generate(prompt, 12, temperature=0.8, top_k=5, seed=12)
    np.testing.assert_array_equal(first, again)
    assert first.size == prompt.size + 12 and not np.array_equal(first, other)
    greedy = model.generate(prompt, 3, top_k=1)
    ids = prompt
    for _ in range(3):  # top_k=1 is argmax decoding
        ids = np.append(ids, np.argmax(model(ids[None]).data[0, -1]))
    np.testing.assert_array_equal(greedy, ids)


def test_checkpoints_resume_exactly(tmp_path):
    _, tokens, validation = _tokens()
    config = TrainingConfig(
        max_steps=6, batch_size=4, warmup_steps=1, eval_interval=3, eval_batches=1, seed=2
    )
    straight = GPT(TINY, seed=4)
    full = train(straight, tokens, validation, config)
    interrupted = GPT(TINY, seed=4)
    train(interrupted, tokens, validation, config, checkpoint_dir=tmp_path, stop_after=3)
    assert load_checkpoint(tmp_path)[2].step == 3
    resumed, state = resume(tmp_path, tokens, validation)
    assert state.history == full.history
    for (name, a), (_, b) in zip(straight.named_parameters(), resumed.named_parameters()):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)


def test_bad_input_gets_clear_errors():
    model = GPT(TINY, seed=0)
    with pytest.raises(ValueError, match="n_heads=3 does not divide width=16"):
        GPTConfig(width=16, n_heads=3)
    with pytest.raises(ValueError, match="context is 8"):
        model(np.zeros((1, 9), dtype=np.int64))
    with pytest.raises(ValueError, match="prompt has 9 tokens but the model's context is 8"):
        model.generate(np.zeros(9, dtype=np.int64), 1)
    with pytest.raises(ValueError, match="at least one token"):
        model.generate([], 1)
    with pytest.raises(ValueError, match="temperature"):
        model.generate([0], 1, temperature=0)
    with pytest.raises(ValueError, match=r"\[0, 21\)"):
        model(np.array([[TINY.vocab_size]]))
    with pytest.raises(ValueError, match="too few for one window"):
        train(model, np.arange(5), np.arange(20) % 5, TrainingConfig(max_steps=2, warmup_steps=0))
