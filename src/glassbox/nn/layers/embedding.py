"""Embedding: z[…] = E[i[…]], rows of a (num_embeddings, embedding_dim) table looked up by id.

The gradient of the table is a scatter-add of ḡ into the rows that were used
(:func:`glassbox.autograd.embedding`). ``weight`` is drawn N(0, 1), as
``torch.nn.Embedding``'s is, and has torch's name and shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.autograd.ops.nn_functional import embedding
from glassbox.autograd.tensor import Tensor
from glassbox.nn.init import default_generator, initialize
from glassbox.nn.layers.base import Layer, check_dtype, register_layer
from glassbox.nn.module import Parameter

__all__ = ["Embedding"]


@register_layer
class Embedding(Layer):
    """A lookup table of ``num_embeddings`` vectors of width ``embedding_dim``."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        initializer: str = "standard_normal",
        dtype: str = "float64",
        seed: int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name or "embedding")
        for what, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{what} must be an integer >= 1, got {value!r}.")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.initializer, self.seed = initializer, seed
        rng = default_generator() if seed is None else np.random.default_rng(seed)
        self.weight = Parameter(
            initialize(initializer, (num_embeddings, embedding_dim), rng, check_dtype(dtype))
        )

    def forward(self, ids: Any) -> Tensor:
        """(…) integer ids -> (…, embedding_dim) vectors."""
        return embedding(self.weight, ids)

    def output_width(self, input_width: int | None) -> int | None:
        return self.embedding_dim

    def get_config(self) -> dict[str, Any]:
        return {
            "num_embeddings": self.num_embeddings,
            "embedding_dim": self.embedding_dim,
            "initializer": self.initializer,
            "dtype": self.weight.dtype.name,
            "seed": self.seed,
            "name": self.name,
        }

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"
