"""Training a GPT: nanoGPT's recipe, driven through the one descent loop of ``glassbox.optim``.

The objective of step t is eq. (2) of :mod:`glassbox.models.gpt` on a batch of B windows
drawn at random from the training tokens (:class:`~glassbox.text.WindowSampler`, with
replacement, as nanoGPT's ``get_batch``). :func:`glassbox.optim.descend` sees an objective of
B rows visited in order, so each of its epochs is exactly one update, and the window sampler
alone decides what the update sees (and is saved in checkpoints, so a resumed run draws the
same batches it would have drawn). The update is

    g ← g · min(1, c / ‖g‖₂)                                  (clipping, c = ``grad_clip``)
    θ ← θ − η_t (Adam_t(g) + λ m ⊙ θ)                          (AdamW, decay on matrices only)
    η_t = η (t + 1)/(W + 1) for t < W, then η_min + ½(η − η_min)(1 + cos π (t − W)/(S − W))

(the warm-up is :class:`~glassbox.optim.CosineAnnealing` with start factor 1/(W + 1); m is 1
on the 2-d parameters, :func:`~glassbox.models.gpt.decay_mask`). Training runs in chunks of
``eval_interval`` steps, each one ``descend`` call continuing from the last one's state; after
each chunk the validation loss is the mean over a fixed set of validation windows, and, given a
directory, a checkpoint is written (weights, optimizer state, sampler state, history) from which
:func:`resume` continues exactly.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from glassbox.autograd.tensor import no_grad
from glassbox.models.gpt import GPT, GPTConfig, decay_mask
from glassbox.nn.serialization import flatten_tree, unflatten_tree
from glassbox.optim.loop import LoopState, descend
from glassbox.optim.schedules import CosineAnnealing
from glassbox.optim.transforms import GradientTransformation, adamw, chain, clip_by_global_norm
from glassbox.text.windows import WindowSampler, windows

__all__ = [
    "TokenWindowObjective",
    "TrainingConfig",
    "TrainingState",
    "load_checkpoint",
    "optimizer_for",
    "resume",
    "save_checkpoint",
    "train",
    "validation_loss",
]


@dataclass(frozen=True)
class TrainingConfig:
    """nanoGPT's ``train_shakespeare_char`` recipe (with fewer validation batches)."""

    max_steps: int = 2000
    batch_size: int = 12
    learning_rate: float = 1e-3
    min_learning_rate: float = 1e-4
    warmup_steps: int = 100
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.99
    grad_clip: float = 1.0
    eval_interval: int = 250
    eval_batches: int = 20
    seed: int = 1337

    def __post_init__(self) -> None:
        for name in ("max_steps", "batch_size", "eval_interval", "eval_batches"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"TrainingConfig.{name} must be an integer >= 1, got {value!r}.")
        if not 0 <= self.warmup_steps < self.max_steps:
            raise ValueError(
                f"warmup_steps must be in [0, max_steps); got {self.warmup_steps} with "
                f"max_steps={self.max_steps}."
            )
        if not 0 < self.min_learning_rate <= self.learning_rate:
            raise ValueError(
                "Need 0 < min_learning_rate <= learning_rate; got "
                f"{self.min_learning_rate} and {self.learning_rate}."
            )

    def schedule(self) -> CosineAnnealing:
        """η_t of the module docstring."""
        return CosineAnnealing(
            self.learning_rate,
            self.max_steps,
            self.min_learning_rate,
            self.warmup_steps,
            1.0 / (self.warmup_steps + 1),
        )


def optimizer_for(model: GPT, config: TrainingConfig) -> GradientTransformation:
    """Clipping, then AdamW with decay on the matrices only, at the warm-up + cosine rate."""
    return chain(
        clip_by_global_norm(config.grad_clip),
        adamw(
            config.schedule(),
            config.beta1,
            config.beta2,
            weight_decay=config.weight_decay,
            decay_mask=decay_mask(model),
        ),
    )


class TokenWindowObjective:
    """Eq. (2) of the GPT on a fresh batch of windows per call, for :func:`descend`.

    ``n_samples`` is the batch size and ``rows`` are ignored: every call draws its own B
    windows from ``sampler`` (recorded in ``last_starts``, so a reference can replay them;
    the loss in ``last_loss``).
    """

    def __init__(self, model: GPT, sampler: WindowSampler) -> None:
        self.model, self.sampler = model, sampler
        self.parameters = model.parameters()
        self.n_samples = sampler.batch_size
        self.last_starts = np.empty(0, dtype=np.intp)
        self.last_loss = math.nan

    def load(self, params: tuple[np.ndarray, ...]) -> None:
        """θ into the model's Parameters (the arrays themselves)."""
        for parameter, value in zip(self.parameters, params):
            parameter.data = value

    def value_and_grad(self, params: tuple[np.ndarray, ...], rows: Any) -> tuple[float, Any]:
        """(L(θ), ∇L(θ)): eq. (2) on B fresh windows, in training mode, by backpropagation."""
        self.load(params)
        self.last_starts = self.sampler.starts()
        x, y = windows(self.sampler.tokens, self.last_starts, self.sampler.context)
        for parameter in self.parameters:
            parameter.grad = None
        self.model.train()
        loss = self.model.loss(x, y)
        loss.backward()
        grads = tuple(np.zeros_like(p.data) if p.grad is None else p.grad for p in self.parameters)
        self.last_loss = float(loss.data)
        return self.last_loss, grads

    def grad(self, params: tuple[np.ndarray, ...], rows: Any) -> Any:
        """∇L(θ) on B fresh windows."""
        return self.value_and_grad(params, rows)[1]

    def value(self, params: tuple[np.ndarray, ...], rows: Any) -> float:
        """L(θ) on B fresh windows, in evaluation mode (no dropout, no graph)."""
        self.load(params)
        x, y = self.sampler.sample()
        return validation_loss(self.model, [(x, y)])


def validation_loss(model: GPT, batches: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """The mean of eq. (2) over ``batches``, in evaluation mode without a graph."""
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            losses = [float(model.loss(x, y).data) for x, y in batches]
    finally:
        model.train(was_training)
    return float(np.mean(losses))


@dataclass
class TrainingState:
    """Where a run stands: steps done, the loop's state, the sampler's, and the history."""

    step: int = 0
    loop_state: LoopState | None = None
    sampler_state: dict[str, Any] | None = None
    history: dict[str, list[float]] = field(
        default_factory=lambda: {
            "step": [],
            "train_loss": [],
            "learning_rate": [],
            "eval_step": [],
            "validation_loss": [],
        }
    )


StepHook = Callable[[int, float, float], None]
EvalHook = Callable[[int, float], None]


def train(
    model: GPT,
    train_tokens: np.ndarray,
    validation_tokens: np.ndarray,
    config: TrainingConfig,
    *,
    state: TrainingState | None = None,
    checkpoint_dir: str | Path | None = None,
    extra: dict[str, Any] | None = None,
    on_step: StepHook | None = None,
    on_eval: EvalHook | None = None,
    stop_after: int | None = None,
) -> TrainingState:
    """Run the recipe of the module docstring until ``config.max_steps`` (or ``stop_after``
    more steps), returning the state (``resume`` continues it).

    ``extra`` (JSON, e.g. the tokenizer) is stored in every checkpoint; ``on_step(step, loss,
    learning_rate)`` and ``on_eval(step, validation_loss)`` report progress.
    """
    state = TrainingState() if state is None else state
    context, batch = model.config.context, config.batch_size
    sampler = WindowSampler(train_tokens, context, batch, seed=config.seed)
    if state.sampler_state is not None:
        sampler.rng.bit_generator.state = state.sampler_state
    evaluation = WindowSampler(validation_tokens, context, batch, seed=config.seed + 1)
    eval_batches = [evaluation.sample() for _ in range(config.eval_batches)]
    objective = TokenWindowObjective(model, sampler)
    transform = optimizer_for(model, config)
    schedule = config.schedule()
    params = tuple(p.data for p in model.parameters())
    limit = (
        config.max_steps if stop_after is None else min(config.max_steps, state.step + stop_after)
    )

    def record(step: int, current: Any) -> None:
        rate = float(schedule(step - 1))
        state.history["step"].append(step)
        state.history["train_loss"].append(objective.last_loss)
        state.history["learning_rate"].append(rate)
        if on_step is not None:
            on_step(step, objective.last_loss, rate)

    while state.step < limit:
        chunk = min(config.eval_interval - state.step % config.eval_interval, limit - state.step)
        run = descend(
            objective,
            params,
            optimizer=transform,
            batch_size=batch,
            max_epochs=chunk,
            tol=None,
            shuffle=False,
            epoch_loss="batches",
            max_steps=chunk,
            state=state.loop_state,
            step_callback=lambda step, current: record(step, current),
            record_grad_norm=False,
            rng=np.random.default_rng(config.seed),
        )
        params = run.params
        objective.load(params)
        state.loop_state, state.step = run.state, run.state.n_steps
        state.sampler_state = dict(sampler.rng.bit_generator.state)
        if state.step % config.eval_interval == 0 or state.step == config.max_steps:
            loss = validation_loss(model, eval_batches)
            state.history["eval_step"].append(state.step)
            state.history["validation_loss"].append(loss)
            if on_eval is not None:
                on_eval(state.step, loss)
            if checkpoint_dir is not None:
                save_checkpoint(checkpoint_dir, model, config, state, extra)
    return state


def save_checkpoint(
    directory: str | Path,
    model: GPT,
    config: TrainingConfig,
    state: TrainingState,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write ``checkpoint.json`` (configs, step, sampler, history, optimizer-state tree,
    ``extra``) and ``arrays.npz`` (weights ``model.*``, optimizer leaves ``optimizer.*``)."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    leaves: list[np.ndarray] = []
    loop = state.loop_state
    tree = None if loop is None else flatten_tree(loop.optimizer_state, leaves)
    arrays = {f"model.{k}": v for k, v in model.state_dict().items()}
    arrays.update({f"optimizer.{i}": leaf for i, leaf in enumerate(leaves)})
    np.savez(folder / "arrays.npz", **arrays)  # type: ignore[arg-type]
    manifest = {
        "format": "glassbox-gpt-checkpoint-1",
        "model": model.config.to_dict(),
        "training": asdict(config),
        "step": state.step,
        "loop": None
        if loop is None
        else {"n_steps": loop.n_steps, "epochs_done": loop.epochs_done, "optimizer": tree},
        "sampler_state": state.sampler_state,
        "history": state.history,
        "extra": extra or {},
    }
    (folder / "checkpoint.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def load_checkpoint(directory: str | Path) -> tuple[GPT, TrainingConfig, TrainingState, dict]:
    """(model, training config, state, extra) from :func:`save_checkpoint`'s folder."""
    folder = Path(directory)
    manifest_path = folder / "checkpoint.json"
    if not manifest_path.is_file():
        raise ValueError(
            f"{folder} holds no checkpoint (no checkpoint.json): train a model there first, "
            "e.g. `glassbox gpt train --out DIR`."
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != "glassbox-gpt-checkpoint-1":
        raise ValueError(f"{manifest_path} is not a glassbox GPT checkpoint.")
    model = GPT(GPTConfig.from_dict(manifest["model"]))
    with np.load(folder / "arrays.npz", allow_pickle=False) as stored:
        arrays = {k: stored[k] for k in stored.files}
    model.load_state_dict({k[6:]: v for k, v in arrays.items() if k.startswith("model.")})
    loop = None
    if manifest["loop"] is not None:
        leaves = [
            arrays[f"optimizer.{i}"] for i in range(len(arrays)) if f"optimizer.{i}" in arrays
        ]
        loop = LoopState(
            optimizer_state=unflatten_tree(manifest["loop"]["optimizer"], leaves),
            n_steps=manifest["loop"]["n_steps"],
            epochs_done=manifest["loop"]["epochs_done"],
        )
    state = TrainingState(
        step=manifest["step"],
        loop_state=loop,
        sampler_state=manifest["sampler_state"],
        history=manifest["history"],
    )
    return model, TrainingConfig(**manifest["training"]), state, manifest["extra"]


def resume(
    directory: str | Path, train_tokens: np.ndarray, validation_tokens: np.ndarray, **kwargs: Any
) -> tuple[GPT, TrainingState]:
    """Continue the run checkpointed in ``directory`` to its ``max_steps`` (checkpointing on)."""
    model, config, state, extra = load_checkpoint(directory)
    kwargs.setdefault("extra", extra)
    state = train(
        model,
        train_tokens,
        validation_tokens,
        config,
        state=state,
        checkpoint_dir=directory,
        **kwargs,
    )
    return model, state
