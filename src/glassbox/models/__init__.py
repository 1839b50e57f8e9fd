"""Whole models built from :mod:`glassbox.nn`, each one file read top to bottom.

* :mod:`~glassbox.models.gpt`: a GPT (config dataclass first, then the model, then sampling);
* :mod:`~glassbox.models.gpt_training`: its training recipe on the one descent loop of
  :mod:`glassbox.optim` (AdamW, warm-up + cosine, clipping, validation, checkpoints);
* :mod:`~glassbox.models.gpt_torch`: the same network in PyTorch, the reference of the tests
  and the benchmark (torch imported only there).
"""

from glassbox.models.gpt import GPT, GPTConfig

__all__ = ["GPT", "GPTConfig"]
