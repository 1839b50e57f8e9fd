"""``glassbox gpt train`` and ``glassbox gpt sample``: a small GPT from a text file.

``train`` tokenizes the text (``--tokenizer char`` or ``bpe``), builds a GPT, trains it with the
recipe of :mod:`glassbox.models.gpt_training` showing a progress bar with the loss, validates
every ``eval_interval`` steps and checkpoints into ``--out`` (``--resume`` continues from it).
Without ``--text`` it trains on the running Python's standard-library sources. ``sample``
loads the checkpoint and continues a prompt.

Exit status: 0 on success, 2 for bad input (the message says what was wrong).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

gpt_app = typer.Typer(help="Train a small GPT on a text and sample from it.", no_args_is_help=True)
console = Console()


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(2)


def _configs(config_file: Path | None, overrides: dict[str, Any]) -> tuple[Any, Any]:
    """(model fields, TrainingConfig) from an optional JSON file, then the command's options."""
    from glassbox.models.gpt_training import TrainingConfig

    model_fields: dict[str, Any] = {}
    training = TrainingConfig()
    if config_file is not None:
        try:
            data = json.loads(Path(config_file).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise ValueError(f"Cannot read the config file {config_file}: {error}") from None
        unknown = sorted(set(data) - {"model", "training"})
        if unknown:
            raise ValueError(
                f"The config file has unknown sections {unknown}; use model, training."
            )
        model_fields = dict(data.get("model", {}))
        try:
            training = TrainingConfig(**data.get("training", {}))
        except TypeError as error:
            raise ValueError(f"The config file's training section: {error}") from None
    model_keys = ("context", "n_layers", "n_heads", "width", "dropout", "dtype")
    model_fields.update({k: v for k, v in overrides.items() if k in model_keys and v is not None})
    training_overrides = {
        k: v for k, v in overrides.items() if k not in model_keys and v is not None
    }
    if "max_steps" in training_overrides and "warmup_steps" not in training_overrides:
        steps = training_overrides["max_steps"]
        training_overrides["warmup_steps"] = min(training.warmup_steps, steps // 10)
        training_overrides.setdefault("eval_interval", min(training.eval_interval, steps))
    try:
        training = replace(training, **training_overrides)
    except TypeError as error:
        raise ValueError(str(error)) from None
    return model_fields, training


@gpt_app.command("train")
def train_command(
    out: Annotated[Path, typer.Option(help="Folder for the checkpoint.")],
    text: Annotated[
        Path | None, typer.Option(help="A UTF-8 text file (default: the stdlib sources).")
    ] = None,
    tokenizer: Annotated[str, typer.Option(help="char or bpe.")] = "char",
    vocab_size: Annotated[int, typer.Option(help="Vocabulary of a bpe tokenizer.")] = 512,
    config: Annotated[
        Path | None, typer.Option(help='JSON: {"model": {...}, "training": {...}}.')
    ] = None,
    steps: Annotated[int | None, typer.Option(help="Training iterations.")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Windows per iteration.")] = None,
    context: Annotated[int | None, typer.Option(help="Tokens per window.")] = None,
    layers: Annotated[int | None, typer.Option(help="Transformer blocks.")] = None,
    heads: Annotated[int | None, typer.Option(help="Attention heads.")] = None,
    width: Annotated[int | None, typer.Option(help="Embedding width.")] = None,
    dropout: Annotated[float | None, typer.Option(help="Dropout rate.")] = None,
    eval_interval: Annotated[int | None, typer.Option(help="Validate every N steps.")] = None,
    max_chars: Annotated[int, typer.Option(help="Characters of the stdlib corpus.")] = 1_000_000,
    seed: Annotated[int, typer.Option(help="Seed of the weights and the batches.")] = 1337,
    resume: Annotated[bool, typer.Option(help="Continue the checkpoint in --out.")] = False,
    threads: Annotated[
        int | None, typer.Option(help="BLAS threads (1 on a busy machine; default: all).")
    ] = None,
) -> None:
    """Train a GPT (nanoGPT's baby configuration by default) and checkpoint it in --out."""
    from glassbox.bench.protocol import thread_limit
    from glassbox.models import GPT, GPTConfig
    from glassbox.models.gpt_training import load_checkpoint, train
    from glassbox.text import (
        get_tokenizer,
        load_tokenizer,
        read_text_file,
        split_tokens,
        stdlib_source,
    )

    try:
        corpus = stdlib_source(max_chars) if text is None else read_text_file(text)
        if resume:
            model, training, state, extra = load_checkpoint(out)
            coder = load_tokenizer(extra["tokenizer"])
        else:
            options = {"vocab_size": vocab_size} if tokenizer == "bpe" else {}
            coder = get_tokenizer(tokenizer, **options).fit(corpus)
            fields, training = _configs(
                config,
                {
                    "context": context,
                    "n_layers": layers,
                    "n_heads": heads,
                    "width": width,
                    "dropout": dropout,
                    "max_steps": steps,
                    "batch_size": batch_size,
                    "eval_interval": eval_interval,
                    "seed": seed,
                },
            )
            model = GPT(GPTConfig(**{**fields, "vocab_size": coder.vocab_size}), seed=seed)
            state = None
            extra = {"tokenizer": coder.to_dict()}
        train_tokens, validation_tokens = split_tokens(
            coder.encode(corpus), 0.1, model.config.context
        )
    except (ValueError, TypeError, KeyError) as error:
        raise _fail(str(error)) from None
    source = "the standard library's sources" if text is None else str(text)
    console.print(
        f"GPT: {model.n_parameters() / 1e6:.2f} M parameters, {model.config.n_layers} layers, "
        f"{model.config.n_heads} heads, width {model.config.width}, context "
        f"{model.config.context}; {tokenizer if not resume else coder.kind} tokenizer, "
        f"vocabulary {coder.vocab_size}; {len(train_tokens):,} training tokens from "
        f"{escape(source)}"
    )
    columns = (
        TextColumn("[bold]train"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("loss {task.fields[loss]:.4f}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with thread_limit(threads), Progress(*columns, console=console) as progress:
        start = 0 if state is None else state.step
        task = progress.add_task("train", total=training.max_steps, completed=start, loss=0.0)

        def on_step(step: int, loss: float, rate: float) -> None:
            progress.update(task, completed=step, loss=loss)

        def on_eval(step: int, loss: float) -> None:
            progress.console.print(f"step {step}: validation loss {loss:.4f}")

        try:
            state = train(
                model,
                train_tokens,
                validation_tokens,
                training,
                state=state,
                checkpoint_dir=out,
                extra=extra,
                on_step=on_step,
                on_eval=on_eval,
            )
        except ValueError as error:
            raise _fail(str(error)) from None
    losses = state.history["train_loss"]
    console.print(f"final training loss {losses[-1]:.4f}; checkpoint in {escape(str(out))}")


@gpt_app.command("sample")
def sample_command(
    folder: Annotated[Path, typer.Argument(help="A folder written by `glassbox gpt train`.")],
    prompt: Annotated[str, typer.Option(help="The text to continue.")] = "\n",
    tokens: Annotated[int, typer.Option(help="Tokens to generate.")] = 200,
    temperature: Annotated[float, typer.Option(help="> 0; lower is more conservative.")] = 0.8,
    top_k: Annotated[int, typer.Option(help="Sample among the k likeliest (0: all).")] = 20,
    seed: Annotated[int, typer.Option(help="The same seed, the same text.")] = 0,
    threads: Annotated[int | None, typer.Option(help="BLAS threads (default: all).")] = None,
) -> None:
    """Continue --prompt with the model checkpointed in FOLDER."""
    from glassbox.bench.protocol import thread_limit
    from glassbox.models.gpt_training import load_checkpoint
    from glassbox.text import load_tokenizer

    try:
        model, _, _, extra = load_checkpoint(folder)
        coder = load_tokenizer(extra["tokenizer"])
        with thread_limit(threads):
            ids = model.generate(
                coder.encode(prompt), tokens, temperature, top_k if top_k > 0 else None, seed
            )
    except (ValueError, KeyError) as error:
        raise _fail(str(error)) from None
    console.print(escape(coder.decode(ids)), highlight=False)
