"""Logistic regression in passes over row partitions: Newton and L-BFGS with merged sums.

The objective is the in-memory one, eq. (3) of :mod:`glassbox.linear.logistic_loss`:

    f(W) = Σ_c Σ_{i∈c} s_i ℓ_i(W) + ½ l2 ‖W_pen‖²,     s_i = w_i γ_{y_i} / S             (1)

with c the partitions, w the sample weights, γ the class weights and S = Σ w_i γ_{y_i}.
The loss term, its gradient and its Hessian are sums over rows, so each partition computes
its share with the in-memory :class:`~glassbox.linear.logistic_loss.LogisticProblem` on its
own rows, and the driver adds the shares and the penalty:

* pass 0 (:func:`label_pass`): the sorted class labels, their counts and weight sums (which
  give γ for ``class_weight="balanced"`` and S); the labels of every later pass are their
  indices into these classes;
* ``"newton"``: every pass returns (f, ∇f, ∇²f) at a trial point; the driver runs the
  in-memory Newton–Cholesky iteration (:func:`~glassbox.linear.logistic_solvers.newton_minimize`)
  on them, so an accepted full step costs one pass;
* ``"lbfgs"``: glassbox's L-BFGS with (f, ∇f) from one pass per evaluation.

Only coefficient-sized objects travel: ``K d`` numbers and a ``(K d)²`` Hessian per pass.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassbox.distributed._dask import require
from glassbox.distributed.data import Partitions, TargetColumns, load_weights
from glassbox.distributed.engine import Engine, Guarded, PassErrors, result_of, tree_reduce
from glassbox.labels import class_weights, label_type
from glassbox.linear.lbfgs import lbfgs
from glassbox.linear.logistic_loss import LogisticProblem
from glassbox.linear.logistic_solvers import SolverResult, _flat_directions, newton_minimize

__all__ = [
    "LabelSummary",
    "LogisticSetup",
    "LogisticSolution",
    "fit_logistic",
    "label_pass",
    "prepare_logistic",
]


# --- pass 0: the classes --------------------------------------------------------------------


@dataclass
class LabelSummary:
    """Sorted labels, rows and summed sample weight per label, and the empty partitions."""

    classes: np.ndarray
    counts: np.ndarray
    weight_sums: np.ndarray
    empty_partitions: list[int] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Total number of rows, Σ counts."""
        return int(self.counts.sum())


def _target_labels(x: Any, names: tuple[str, ...]) -> Any:
    return x[list(names)]


def _drop_targets(x: Any, names: tuple[str, ...]) -> Any:
    return x.drop(columns=list(names))


def partition_labels(y: Any, partition: int) -> np.ndarray:
    """The labels of one partition as a 1-D array, checked as the in-memory estimator checks y
    (every error names the partition)."""
    labels = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(
            f"y must be one column of class labels; partition {partition} of y has shape "
            f"{labels.shape}. Multi-output classification is not supported."
        )
    if labels.dtype.kind == "f" and np.any(np.isnan(labels)):
        raise ValueError(
            f"Partition {partition} of y contains {int(np.isnan(labels).sum())} NaN label(s) "
            f"(first at row {int(np.flatnonzero(np.isnan(labels))[0])} of the partition). "
            "Every sample needs a class: drop those rows (ddf.dropna()) or fill the labels."
        )
    if labels.dtype.kind == "O" and any(
        v is None or (isinstance(v, float) and v != v) for v in labels.tolist()
    ):
        raise ValueError(
            f"Partition {partition} of y contains NaN or None labels. Every sample needs a "
            "class: drop those rows (ddf.dropna()) or fill the labels."
        )
    if labels.size and label_type(labels) not in ("binary", "multiclass"):
        raise ValueError(
            f"Partition {partition} of y holds {label_type(labels)} values, not class labels "
            f"(for example {labels[:3].tolist()}); a classifier expects discrete classes. "
            "Use a regressor for a continuous target."
        )
    return labels


def _unique(labels: np.ndarray, where: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        classes, inverse = np.unique(labels, return_inverse=True)
    except TypeError as error:
        raise TypeError(
            f"y mixes label types that cannot be ordered ({where}: {error}); use one type "
            "(all strings or all numbers)."
        ) from error
    return classes, inverse.ravel()


def _label_summary(y: Any, w: Any, partition: int) -> LabelSummary:
    """Pass 0 on one partition (runs on a worker)."""
    labels = partition_labels(y, partition)
    classes, inverse = _unique(labels, f"partition {partition}")
    counts = np.bincount(inverse, minlength=len(classes))
    sums: np.ndarray
    if w is None:
        sums = counts.astype(np.float64)
    else:
        weights = load_weights(w, partition, len(labels), "y")
        sums = np.bincount(inverse, weights=weights, minlength=len(classes))
    return LabelSummary(classes, counts, sums, [] if len(labels) else [partition])


def _numeric(classes: np.ndarray) -> bool:
    return classes.dtype.kind in "biuf"


def merge_labels(parts: list[LabelSummary]) -> LabelSummary:
    """Labels of several partitions together (tallies added label by label)."""
    present = [part for part in parts if part.classes.size]
    empty = sorted(index for part in parts for index in part.empty_partitions)
    if not present:
        return LabelSummary(np.empty(0), np.zeros(0, int), np.zeros(0), empty)
    if len({_numeric(part.classes) for part in present}) > 1:
        kinds = sorted({str(part.classes.dtype) for part in present})
        raise TypeError(
            f"y holds numbers in some partitions and strings in others (dtypes {kinds}); "
            "use one label type throughout."
        )
    classes, inverse = _unique(
        np.concatenate([part.classes for part in present]), "across partitions"
    )
    counts = np.bincount(
        inverse, weights=np.concatenate([p.counts for p in present]), minlength=len(classes)
    )
    sums = np.bincount(
        inverse, weights=np.concatenate([p.weight_sums for p in present]), minlength=len(classes)
    )
    return LabelSummary(classes, counts.astype(np.int64), sums, empty)


def _labels_of_block(x: Any, y: Any) -> Any:
    """The Delayed labels of a partition: y itself, or its target columns of X's partition."""
    if isinstance(y, TargetColumns):
        delayed = require("dask").delayed
        return delayed(_target_labels, pure=True)(x, y.names)
    return y


def label_pass(engine: Engine) -> LabelSummary:
    """Pass 0: the classes with their counts and weight sums, read from y (and w) only."""
    delayed = require("dask").delayed
    leaves = [
        delayed(Guarded(_label_summary), pure=True)(_labels_of_block(x, y), w, index)
        for index, (x, y, w) in enumerate(engine.partitions.blocks)
    ]
    root = tree_reduce(leaves, PassErrors(merge_labels), engine.split_every)
    engine.passes += 1
    summary: LabelSummary = result_of(engine.client.compute(root))
    return summary


def _encode(y: Any, classes: np.ndarray, partition: int) -> np.ndarray:
    """Labels as float indices into ``classes`` (runs on a worker)."""
    labels = partition_labels(y, partition)
    if not labels.size:
        return np.zeros(0)
    index = np.clip(np.searchsorted(classes, labels), 0, len(classes) - 1)
    unseen = classes[index] != labels
    if np.any(unseen):
        raise ValueError(
            f"Partition {partition} of y has label(s) {np.unique(labels[unseen])[:5].tolist()} "
            f"that were not among the classes {classes.tolist()} found in the first pass: the "
            "data changed between passes. Make the source deterministic (seeded generation, "
            "files that are not being written) or persist it (X.persist()) before fitting."
        )
    return index.astype(np.float64)


def encoded(partitions: Partitions, classes: np.ndarray) -> Partitions:
    """The same partitions with y replaced by class indices (computed lazily, per partition)."""
    delayed = require("dask").delayed
    blocks = []
    for index, (x, y, w) in enumerate(partitions.blocks):
        labels = _labels_of_block(x, y)
        if isinstance(y, TargetColumns):
            x = delayed(_drop_targets, pure=True)(x, y.names)
        blocks.append((x, delayed(_encode, pure=True)(labels, classes, index), w))
    return Partitions(
        blocks,
        partitions.n_features,
        1,
        1,
        partitions.feature_names,
        partitions.notes,
        partitions.rows,
    )


def class_weight_vector(class_weight: Any, summary: LabelSummary) -> np.ndarray:
    """γ per class, as :func:`glassbox.labels.class_weights` from the class counts alone."""
    if isinstance(class_weight, str) and class_weight == "balanced":
        counts = summary.counts
        return summary.rows / (len(summary.classes) * np.maximum(counts, 1))
    return class_weights(class_weight, summary.classes, np.empty(0, dtype=np.intp))


# --- the passes of the solvers --------------------------------------------------------------

Sums = tuple[float, np.ndarray, np.ndarray | None]


def partition_sums(
    X: np.ndarray,
    Y: np.ndarray,
    weights: np.ndarray | None,
    partition: int,
    w: np.ndarray,
    n_outputs: int,
    fit_intercept: bool,
    gamma: np.ndarray | None,
    total: float,
    hessian: bool,
) -> Sums:
    """This partition's share of f, ∇f (and ∇²f) of eq. (1), without the penalty."""
    d = X.shape[1] + int(fit_intercept)
    if len(X) == 0:
        size = n_outputs * d
        return 0.0, np.zeros(size), np.zeros((size, size)) if hessian else None
    index = Y[:, 0].astype(np.intp)
    s = np.ones(len(X)) if weights is None else weights.copy()
    if gamma is not None:
        s *= gamma[index]
    target = (index == 1).astype(np.float64) if n_outputs == 1 else np.eye(n_outputs)[index]
    problem = LogisticProblem(X, target, s / total, 0.0, 0.0, fit_intercept)
    value, grad = problem.smooth_value_grad(w)
    return value, grad, problem.hessian(w) if hessian else None


def add_sums(parts: list[Sums]) -> Sums:
    """Merge per-partition (loss, gradient, Hessian) sums (the Hessian when present)."""
    value = sum(part[0] for part in parts)
    grad = parts[0][1].copy()
    H = None if parts[0][2] is None else parts[0][2].copy()
    for _, g, h in parts[1:]:
        grad += g
        if H is not None and h is not None:
            H += h
    return value, grad, H


class DistributedObjective:
    """Eq. (1) evaluated in passes: (f, ∇f) for L-BFGS, (f, ∇f, ∇²f) for Newton."""

    def __init__(
        self,
        engine: Engine,
        template: LogisticProblem,
        gamma: np.ndarray | None,
        total: float,
    ) -> None:
        self.engine = engine
        self.template = template
        self.gamma = gamma
        self.total = total

    def _pass(self, w: np.ndarray, hessian: bool) -> Sums:
        problem = self.template
        value, grad, H = self.engine.reduce(
            partition_sums,
            add_sums,
            w,
            problem.n_outputs,
            problem.fit_intercept,
            self.gamma,
            self.total,
            hessian,
        )
        pen = w * problem.penalized
        value = value + 0.5 * problem.l2 * float(pen @ pen)
        if H is not None:
            H[np.diag_indices_from(H)] += problem.l2 * problem.penalized
        return value, grad + problem.l2 * pen, H

    def value_grad(self, w: np.ndarray) -> tuple[float, np.ndarray]:
        """Penalized loss and gradient at w from one pass over the partitions (no Hessian)."""
        value, grad, _ = self._pass(w, hessian=False)
        return value, grad

    def evaluate(self, w: np.ndarray) -> tuple[float, np.ndarray, Any]:
        """Penalized loss, gradient and a callable giving the Hessian at w, from one pass over the
        partitions.
        """
        value, grad, H = self._pass(w, hessian=True)
        return value, grad, lambda: H


# --- the fit ---------------------------------------------------------------------------------


@dataclass
class LogisticSolution:
    """A distributed logistic fit: classes, coefficients (K, d) with the intercept last, iterations,
    convergence, empty partitions.
    """

    classes: np.ndarray
    coef: np.ndarray  # (K, d), the intercept last when fitted
    n_iter: int
    converged: bool
    empty_partitions: list[int]


@dataclass
class LogisticSetup:
    """What every distributed logistic solver starts from, after pass 0: the classes, γ and
    S of eq. (1), the penalty (in ``template``) and the partitions with y as class indices."""

    summary: LabelSummary
    gamma: np.ndarray | None
    total: float
    template: LogisticProblem
    work: Engine


def prepare_logistic(
    engine: Engine,
    *,
    C: float,
    penalized: bool,
    fit_intercept: bool,
    class_weight: Any = None,
    owner: str = "LogisticRegression",
) -> LogisticSetup:
    """Pass 0 and its checks (at least two classes with positive weight), γ, S and l2."""
    summary = label_pass(engine)
    if summary.rows == 0:
        raise ValueError(
            f"Every partition of the data is empty ({len(engine.partitions)} partitions, "
            "0 rows); nothing to fit."
        )
    classes = summary.classes
    if len(classes) < 2:
        raise ValueError(
            f"{owner} needs samples of at least 2 classes in the data, but the data contains "
            f"only one class: {classes.tolist()[0]!r}."
        )
    gamma = None if class_weight is None else class_weight_vector(class_weight, summary)
    class_totals = summary.weight_sums if gamma is None else summary.weight_sums * gamma
    present = class_totals > 0
    if present.sum() < 2:
        raise ValueError(
            f"{owner} needs samples of at least 2 classes with positive weight, but only "
            f"class {classes[present].tolist()} has any (after sample_weight and class_weight)."
        )
    total = float(class_totals.sum())
    K = len(classes)
    template = LogisticProblem(
        X=np.empty((0, engine.partitions.n_features)),
        Y=np.empty(0) if K == 2 else np.empty((0, K)),
        weights=np.empty(0),
        l2=1.0 / (C * total) if penalized else 0.0,
        l1=0.0,
        fit_intercept=fit_intercept,
    )
    work = Engine(encoded(engine.partitions, classes), engine.client, engine.split_every)
    return LogisticSetup(summary, gamma, total, template, work)


def warn_unconverged(owner: str, solver: str, n_iter: int, what: str = "iteration(s)") -> None:
    """Warn with a ``ConvergenceWarning`` that says what to change when a Dask logistic fit stops
    early.
    """
    from glassbox.exceptions import ConvergenceWarning

    warnings.warn(
        f"{owner} ({solver}, Dask) failed to converge after {n_iter} {what}. "
        "Increase max_iter, scale the features or strengthen the penalty (smaller C).",
        ConvergenceWarning,
        stacklevel=5,
    )


def fit_logistic(
    engine: Engine,
    solver: str,
    *,
    C: float,
    penalized: bool,
    fit_intercept: bool,
    max_iter: int,
    tol: float,
    class_weight: Any = None,
    owner: str = "LogisticRegression",
) -> LogisticSolution:
    """Minimize eq. (1) by ``solver`` ("newton" or "lbfgs") in passes over ``engine``'s data.

    ``penalized``: the L2 term ½‖W_pen‖² / (C S) is on (``penalty="l2"``) or off (None).
    """
    setup = prepare_logistic(
        engine,
        C=C,
        penalized=penalized,
        fit_intercept=fit_intercept,
        class_weight=class_weight,
        owner=owner,
    )
    template, work = setup.template, setup.work
    objective = DistributedObjective(work, template, setup.gamma, setup.total)
    w0 = np.zeros(template.n_params)
    if solver == "newton":
        result = newton_minimize(
            objective.evaluate, w0, _flat_directions(template), max_iter=max_iter, tol=tol
        )
    elif solver == "lbfgs":
        found = lbfgs(objective.value_grad, w0, max_iter=max_iter, gtol=tol)
        result = SolverResult(found.x, found.n_iter, found.converged)
    else:  # pragma: no cover - the registry lists only these
        raise ValueError(f"no distributed logistic solver {solver!r}")
    engine.passes += work.passes
    if not result.converged:
        warn_unconverged(owner, solver, result.n_iter)
    return LogisticSolution(
        setup.summary.classes,
        template.coef_matrix(result.coef),
        result.n_iter,
        result.converged,
        setup.summary.empty_partitions,
    )
