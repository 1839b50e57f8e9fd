"""Reading a fitted tree: a text outline (``export_text``) and a drawing (``plot_tree``).

The text outline uses scikit-learn's layout, one line per branch::

    |--- petal width <= 0.80
    |   |--- class: 0
    |--- petal width >  0.80
    |   |--- class: 1

``plot_tree`` draws each node as a box (its split, impurity, samples and value) at its depth,
leaves spread evenly across the width; matplotlib is imported only when it is called.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassbox.trees.growth import TREE_LEAF

__all__ = ["export_text", "plot_tree"]


def _nodes_of(tree: Any) -> dict[str, np.ndarray]:
    nodes = getattr(tree, "_nodes", None)
    if nodes is None:
        raise TypeError(
            f"export_text and plot_tree take a fitted glassbox DecisionTreeClassifier or "
            f"DecisionTreeRegressor; got {type(tree).__name__}."
        )
    result: dict[str, np.ndarray] = nodes()
    return result


def _feature_names(tree: Any, feature_names: Any, n_features: int) -> list[str]:
    if feature_names is None:
        return [f"feature_{j}" for j in range(n_features)]
    names = [str(name) for name in feature_names]
    if len(names) != n_features:
        raise ValueError(f"feature_names must contain {n_features} elements, got {len(names)}")
    return names


def _subtree_depth(nodes: dict[str, np.ndarray], node: int) -> int:
    left, right = nodes["children_left"], nodes["children_right"]
    if left[node] == TREE_LEAF:
        return 1
    return 1 + max(_subtree_depth(nodes, int(left[node])), _subtree_depth(nodes, int(right[node])))


def export_text(
    tree: Any,
    *,
    feature_names: Any = None,
    class_names: Any = None,
    max_depth: int = 10,
    spacing: int = 3,
    decimals: int = 2,
    show_weights: bool = False,
) -> str:
    """The tree as indented text, in scikit-learn's ``export_text`` format."""
    nodes = _nodes_of(tree)
    names = _feature_names(tree, feature_names, int(tree.n_features_in_))
    classifier = hasattr(tree, "classes_")
    if classifier:
        labels = list(tree.classes_ if class_names is None else class_names)
        if len(labels) != len(tree.classes_):
            raise ValueError(
                f"class_names should contain as many items as classes_: got {len(labels)} "
                f"for {len(tree.classes_)} classes."
            )
    lines: list[str] = []

    def leaf(node: int, indent: str) -> None:
        value = nodes["value"][node]
        if classifier:
            text = ""
            if show_weights:
                weight = nodes["weighted_n_node_samples"][node]
                text = " weights: [" + ", ".join(f"{v * weight:.{decimals}f}" for v in value)
                text += "]"
            text += " class: " + str(labels[int(np.argmax(value))])
        else:
            text = "[" + ", ".join(f"{v:.{decimals}f}" for v in value) + "]"
            text = " value: " + text
        lines.append(f"{indent}{text}")

    def walk(node: int, depth: int) -> None:
        indent = ("|" + " " * spacing) * depth
        indent = indent[:-spacing] + "-" * spacing
        if depth > max_depth + 1:
            depth_below = _subtree_depth(nodes, node)
            if depth_below == 1:
                leaf(node, indent)
            else:
                lines.append(f"{indent} truncated branch of depth {depth_below}")
            return
        if nodes["children_left"][node] == TREE_LEAF:
            leaf(node, indent)
            return
        name = names[int(nodes["feature"][node])]
        threshold = f"{nodes['threshold'][node]:.{decimals}f}"
        lines.append(f"{indent} {name} <= {threshold}")
        walk(int(nodes["children_left"][node]), depth + 1)
        lines.append(f"{indent} {name} >  {threshold}")
        walk(int(nodes["children_right"][node]), depth + 1)

    walk(0, 1)
    return "\n".join(lines) + "\n"


def _layout(nodes: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """x (leaves evenly spaced, parents centred over their children) and depth per node."""
    n_nodes = len(nodes["feature"])
    x, depth = np.zeros(n_nodes), np.zeros(n_nodes, dtype=np.int64)
    next_leaf = [0.0]

    def place(node: int, level: int) -> float:
        depth[node] = level
        left, right = int(nodes["children_left"][node]), int(nodes["children_right"][node])
        if left == TREE_LEAF:
            x[node] = next_leaf[0]
            next_leaf[0] += 1.0
        else:
            x[node] = (place(left, level + 1) + place(right, level + 1)) / 2.0
        return float(x[node])

    place(0, 0)
    return x, depth


def plot_tree(
    tree: Any,
    *,
    feature_names: Any = None,
    class_names: Any = None,
    max_depth: int | None = None,
    decimals: int = 3,
    ax: Any = None,
    fontsize: float = 8.0,
) -> Any:
    """Draw the tree with matplotlib; returns the axes."""
    import matplotlib.pyplot as plt

    nodes = _nodes_of(tree)
    names = _feature_names(tree, feature_names, int(tree.n_features_in_))
    classifier = hasattr(tree, "classes_")
    labels = list(tree.classes_ if class_names is None else class_names) if classifier else []
    x, depth = _layout(nodes)
    shown = depth <= (max_depth if max_depth is not None else depth.max())
    if ax is None:
        width = max(6.0, 1.9 * (x.max() + 1))  # a box is about 1.6 inches wide
        _, ax = plt.subplots(figsize=(min(width, 40.0), 1.6 * (depth[shown].max() + 1)))
    for node in np.flatnonzero(shown):
        for child in (nodes["children_left"][node], nodes["children_right"][node]):
            if child != TREE_LEAF and shown[child]:
                ax.plot([x[node], x[child]], [-depth[node], -depth[child]], color="0.6", lw=0.8)
    for node in np.flatnonzero(shown):
        value = nodes["value"][node]
        lines = []
        if nodes["children_left"][node] != TREE_LEAF:
            lines.append(
                f"{names[int(nodes['feature'][node])]} <= {nodes['threshold'][node]:.{decimals}f}"
            )
        lines.append(f"impurity = {nodes['impurity'][node]:.{decimals}f}")
        lines.append(f"samples = {int(nodes['n_node_samples'][node])}")
        if classifier:
            lines.append("value = [" + ", ".join(f"{v:.2f}" for v in value) + "]")
            lines.append(f"class = {labels[int(np.argmax(value))]}")
        else:
            lines.append(f"value = {value[0]:.{decimals}f}")
        ax.text(
            x[node],
            -depth[node],
            "\n".join(lines),
            ha="center",
            va="center",
            fontsize=fontsize,
            bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.4"},
        )
    ax.set_axis_off()
    return ax
