"""Hooks into ``Model.fit``: users' own callbacks, the per-epoch progress display, History.

A :class:`Callback` may define any of ``on_train_begin(logs)``, ``on_epoch_end(epoch, logs)``,
``on_batch_end(step, logs)`` and ``on_train_end(logs)``; setting ``model.stop_training = True``
ends the run after the current epoch (or batch). They run outside the timed update work of
the descent loop. ``logs`` holds the epoch's ``loss``, ``val_loss``, the metrics and
``seconds``.

The progress display is a ``rich`` bar per epoch when ``rich`` is installed (the ``cli``
extra), plain lines otherwise; ``verbose=0`` turns it off, ``verbose=2`` prints one line per
epoch without a bar.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["Callback", "History", "ProgressDisplay"]


class Callback:
    """Base class for users' hooks; every method does nothing unless overridden."""

    model: Any = None

    def set_model(self, model: Any) -> None:
        """Called by ``fit`` before training, so the hooks can read and stop ``self.model``."""
        self.model = model

    def on_train_begin(self, logs: dict[str, Any]) -> None:
        """Before the first epoch."""

    def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> None:
        """After each epoch's bookkeeping; ``epoch`` counts from 1 within this ``fit``."""

    def on_batch_end(self, step: int, logs: dict[str, Any]) -> None:
        """After each update; ``step`` counts updates over the whole training (resumes too)."""

    def on_train_end(self, logs: dict[str, Any]) -> None:
        """After the last epoch."""


class History:
    """What ``fit`` returns: ``history`` maps ``loss``, ``val_loss``, each metric and
    ``val_`` metric, ``learning_rate``, ``seconds`` (wall time of the epoch) and
    ``update_seconds`` (cumulative time of the update work alone) to one value per epoch."""

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.stop_reason = ""

    def append(self, epoch: int, logs: dict[str, Any]) -> None:
        """Record one epoch: its number and each value of ``logs`` under its key."""
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={sorted(self.history)})"


def _format(logs: dict[str, Any]) -> str:
    parts = []
    for key, value in logs.items():
        if key == "seconds":
            parts.append(f"{value:.2f}s")
        elif isinstance(value, float) and not math.isnan(value):
            parts.append(f"{key}: {value:.4f}")
    return " - ".join(parts)


class ProgressDisplay:
    """One progress bar per epoch (``rich``) or one line per epoch (plain)."""

    def __init__(self, verbose: int, n_epochs: int, steps_per_epoch: int) -> None:
        self.verbose, self.n_epochs, self.steps = verbose, n_epochs, steps_per_epoch
        self._progress: Any = None
        self._task: Any = None
        self._epoch = 1
        if verbose == 1:
            try:
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
            except ImportError:
                self._progress = None
            else:
                self._progress = Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TextColumn("{task.fields[logs]}"),
                    transient=False,
                )
                self._progress.start()
                self._new_task()

    def _new_task(self) -> None:
        if self._progress is not None:
            self._task = self._progress.add_task(
                f"Epoch {self._epoch}/{self.n_epochs}", total=self.steps, logs=""
            )

    def step(self) -> None:
        """Advance the bar by one update (nothing without ``rich``)."""
        if self._progress is not None:
            self._progress.advance(self._task)

    def epoch_end(self, epoch: int, logs: dict[str, Any]) -> None:
        """Show the finished epoch's ``logs`` (loss, metrics, seconds) and start the next bar."""
        if self.verbose == 0:
            return
        if self._progress is not None:
            self._progress.update(self._task, completed=self.steps, logs=_format(logs))
            self._epoch = epoch + 1
            if epoch < self.n_epochs:
                self._new_task()
        else:
            print(f"Epoch {epoch}/{self.n_epochs} - {_format(logs)}")

    def close(self) -> None:
        """Stop the display, dropping the bar of an epoch that never ran."""
        if self._progress is not None:
            task = self._progress.tasks[-1] if self._progress.tasks else None
            if task is not None and task.completed == 0:  # an epoch that never ran
                self._progress.remove_task(task.id)
            self._progress.stop()
