"""A Model as plain data for :func:`glassbox.save`: JSON configuration plus named arrays.

Nothing is pickled. The configuration lists each layer by class name with its
``get_config()``, the loss and the optimizer spec; the arrays are the ``state_dict`` (keys
prefixed ``state.``) and the leaves of the optimizer's state (``optimizer.0``, …), whose
nesting (tuples, None, step counts) is written as a small JSON tree. The shuffling
generator's state is saved too, so training resumed after ``load`` continues bit for bit
as it would have without the interruption.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.nn.layers.base import LAYERS, Layer
from glassbox.nn.losses import LOSS_CLASSES
from glassbox.optim.loop import LoopState
from glassbox.optim.specs import OptimizerSpecification
from glassbox.optim.transforms import GradientTransformation

__all__ = ["flatten_tree", "model_state", "restore_model", "unflatten_tree"]


def flatten_tree(tree: Any, leaves: list[np.ndarray]) -> Any:
    """A JSON description of nested tuples/lists of arrays, numbers and None; the arrays are
    appended to ``leaves`` and referred to by position."""
    if isinstance(tree, np.ndarray):
        leaves.append(tree)
        return {"array": len(leaves) - 1}
    if isinstance(tree, (tuple, list)):
        key = "tuple" if isinstance(tree, tuple) else "list"
        return {key: [flatten_tree(item, leaves) for item in tree]}
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return {"value": tree}
    if isinstance(tree, (np.integer, np.floating)):
        return {"value": tree.item()}
    raise TypeError(f"Cannot save optimizer state of type {type(tree).__name__}.")


def unflatten_tree(node: Any, leaves: list[np.ndarray]) -> Any:
    """The inverse of :func:`flatten_tree`."""
    if "array" in node:
        return leaves[node["array"]]
    if "tuple" in node:
        return tuple(unflatten_tree(item, leaves) for item in node["tuple"])
    if "list" in node:
        return [unflatten_tree(item, leaves) for item in node["list"]]
    return node["value"]


def model_state(model: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, np.ndarray]]:
    """(configuration, scalar state, arrays) of a Model."""
    layers = []
    for layer in model.network:
        if not isinstance(layer, Layer) or type(layer).__name__ not in LAYERS:
            raise TypeError(
                f"Cannot save a Model holding {type(layer).__name__}: only the layers of "
                f"glassbox.nn.layers can be rebuilt ({sorted(LAYERS)})."
            )
        layers.append({"class": type(layer).__name__, "config": layer.get_config()})
    config: dict[str, Any] = {"seed": model.seed, "dtype": model.dtype.name, "layers": layers}
    if model.compiled:
        if isinstance(model.optimizer_, GradientTransformation):
            raise TypeError(
                "Cannot save a Model compiled with a bare GradientTransformation; compile it with "
                "a spec such as glassbox.optim.Adam(...) to save it."
            )
        config["compile"] = {
            "optimizer": model.optimizer_.get_config(),
            "loss": {"class": type(model.loss_).__name__, "config": model.loss_.get_config()},
            "metrics": model.metric_names_,
            "backend": model.backend,
            "device": model.device,
        }
    arrays = {f"state.{key}": value for key, value in model.network.state_dict().items()}
    attributes: dict[str, Any] = {
        "init_rng": model._init_rng.bit_generator.state,
        "rng": model._rng.bit_generator.state,
        "history": None if model.history is None else model.history.history,
    }
    if model.loop_state is not None:
        leaves: list[np.ndarray] = []
        state = model.loop_state
        attributes["loop"] = {
            "optimizer_state": flatten_tree(state.optimizer_state, leaves),
            "averaged": flatten_tree(state.averaged, leaves),
            "n_steps": state.n_steps,
            "average_sum_count": state.average_sum_count,
            "epochs_done": state.epochs_done,
        }
        arrays.update({f"optimizer.{i}": leaf for i, leaf in enumerate(leaves)})
    return config, attributes, arrays


def restore_model(
    cls: Any, config: dict[str, Any], attributes: dict[str, Any], arrays: dict[str, np.ndarray]
) -> Any:
    """Rebuild a Model from :func:`model_state`'s output."""
    from glassbox.nn.callbacks import History

    model = cls(seed=config["seed"], dtype=config["dtype"])
    for entry in config["layers"]:
        layer_config = dict(entry["config"])
        if entry["class"] in ("Dense",):
            layer_config["input_dim"] = layer_config.get("input_dim")
        model.add(LAYERS[entry["class"]](**layer_config))
    state = {
        key[len("state.") :]: value for key, value in arrays.items() if key.startswith("state.")
    }
    model.network.load_state_dict(state)
    if "compile" in config:
        compiled = config["compile"]
        loss = LOSS_CLASSES[compiled["loss"]["class"]](**compiled["loss"]["config"])
        model.compile(
            optimizer=OptimizerSpecification.from_config(compiled["optimizer"]),
            loss=loss,
            metrics=compiled["metrics"],
            backend=compiled["backend"],
            device=compiled["device"],
        )
    model._init_rng.bit_generator.state = attributes["init_rng"]
    model._rng.bit_generator.state = attributes["rng"]
    if attributes.get("history") is not None:
        model.history = History()
        model.history.history = {k: list(v) for k, v in attributes["history"].items()}
    loop = attributes.get("loop")
    if loop is not None:
        count = sum(1 for key in arrays if key.startswith("optimizer."))
        leaves = [arrays[f"optimizer.{i}"] for i in range(count)]
        model.loop_state = LoopState(
            optimizer_state=unflatten_tree(loop["optimizer_state"], leaves),
            n_steps=loop["n_steps"],
            average_sum_count=loop["average_sum_count"],
            averaged=unflatten_tree(loop["averaged"], leaves),
            epochs_done=loop["epochs_done"],
        )
    return model
