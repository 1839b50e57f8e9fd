"""The Dask backend: exact least squares and ridge in passes over row partitions, on a cluster.

Every method reads the data in passes (:mod:`glassbox.distributed.engine`), never collecting
it: pass 1 merges per-partition sufficient statistics (Chan, Golub and LeVeque), then the
in-memory solvers' Cholesky, conditioning check and rank analysis run on the p × p result;
ill-conditioned designs take tall-skinny QR and refinement passes
(:mod:`glassbox.distributed.lstsq`). ``"minibatch"`` streams the partitions through the same
descent code as ``partial_fit``. Lasso and ElasticNet run the in-memory coordinate descent
or FISTA on the Gram form built from the same one pass of statistics
(:mod:`glassbox.distributed.enet`). LogisticRegression (``"newton"``, ``"lbfgs"``) finds its
classes in a first pass over y, then runs the in-memory iteration on per-partition sums of
the loss, gradient and Hessian (:mod:`glassbox.distributed.logistic`); its ``"minibatch"``
streams the partitions through the driver, standardized and stepped by statistics of all
rows (:mod:`glassbox.distributed.logistic_stream`). Its predictions on Dask collections are
lazy Dask arrays, as LinearRegression's are.

Inputs: NumPy arrays (with ``backend="dask"``), Dask arrays and Dask DataFrames (chosen
automatically for those, whatever ``backend`` says, unless it names another engine). With
no cluster active, a LocalCluster is started for the fit and closed after it
(:func:`glassbox.distributed.cluster`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from glassbox.registry import (
    BackendFit,
    Implementation,
    register_absent,
    register_implementation,
)


@contextmanager
def engine_for(X: Any, Y: Any, sample_weight: Any) -> Iterator[Any]:
    """An :class:`~glassbox.distributed.engine.Engine` over (X, Y, w) on the active cluster
    (or a LocalCluster started for it: worker threads when the data is already in memory,
    worker processes when it is a Dask collection)."""
    from glassbox.distributed._dask import is_dask_collection
    from glassbox.distributed.cluster import cluster
    from glassbox.distributed.data import Partitions, as_partitions
    from glassbox.distributed.engine import Engine

    if isinstance(X, Partitions):
        partitions, lazy = X, True
    else:
        partitions, lazy = as_partitions(X, Y, sample_weight), is_dask_collection(X)
    with cluster(None, processes=lazy) as client:
        yield Engine(partitions, client)


def _warn_empty(statistics: Any) -> None:
    if statistics.empty_partitions:
        from glassbox.distributed.data import ChunkAlignmentWarning

        listed = list(statistics.empty_partitions)
        warnings.warn(
            f"{len(listed)} partition(s) of the data were empty ({listed[:10]}"
            f"{' ...' if len(listed) > 10 else ''}) and contributed nothing; repartition to "
            "drop them (ddf.repartition(partition_size=...)) if that was not intended.",
            ChunkAlignmentWarning,
            stacklevel=4,
        )


def _linear_regression(method: str) -> Callable[..., BackendFit]:
    def fit(estimator: Any, X: Any, Y: Any, sample_weight: Any) -> BackendFit:
        from glassbox.distributed.lstsq import least_squares

        if getattr(estimator, "precision", "double") != "double":
            raise ValueError(
                "precision='extended' solves in memory in decimal arithmetic; the Dask "
                "backend runs in float64 with refinement passes. Use precision='double'."
            )
        with engine_for(X, Y, sample_weight) as engine:
            if method == "minibatch":
                return _stream_minibatch(estimator, engine)
            solution = least_squares(engine, bool(estimator.fit_intercept), method)
        _warn_empty(solution.statistics)
        n_features = solution.coef.shape[0]
        redundant = np.setdiff1d(np.arange(n_features), solution.kept)
        if redundant.size:
            from glassbox.exceptions import RankDeficientWarning

            warnings.warn(
                f"X is rank deficient (rank {solution.kept.size} of {n_features} features): "
                f"column(s) {redundant.tolist()} are constant or linear combinations of earlier "
                "columns and were given coefficient 0.",
                RankDeficientWarning,
                stacklevel=3,
            )
        return BackendFit(
            solution.coef.T,
            solution.intercept,
            {
                "solver_": solution.solver,
                "solver_reason_": solution.reason,
                "cond_": solution.cond,
                "rank_": int(solution.kept.size),
                "redundant_features_": redundant,
                "refinement_steps_": solution.refinement_steps,
                "singular_": None,
                "n_passes_": engine.passes,
                "n_partitions_": len(engine.partitions),
            },
        )

    return fit


def _stream_minibatch(estimator: Any, engine: Any) -> BackendFit:
    """Mini-batch descent streaming the partitions, one epoch per pass, via ``partial_fit``'s
    code (the first partition fixes the standardization and the step size, as there).

    Stops when an epoch moves the (standardized) parameters by less than ``tol`` relative to
    their size, or after ``max_epochs``; the next partition is fetched while one is used.
    """
    from glassbox.distributed._dask import require
    from glassbox.distributed.data import load_partition
    from glassbox.distributed.engine import Guarded, result_of
    from glassbox.linear.descent import partial_fit_descent

    delayed = require("dask").delayed
    parts = engine.partitions
    options = estimator._descent_options()
    state = None
    converged = False
    epochs = 0

    def fetch(index: int) -> Any:
        x, y, w = parts.blocks[index]
        task = delayed(Guarded(load_partition))(
            x, y, w, index, parts.n_features, parts.feature_names
        )
        return engine.client.compute(task)

    while epochs < int(estimator.max_epochs) and not converged:
        before = None if state is None else state.params[0].copy()
        pending = fetch(0)
        for index in range(len(parts)):
            X, Y, weights = result_of(pending)
            if index + 1 < len(parts):
                pending = fetch(index + 1)  # read the next partition while this one is used
            if len(X) == 0:
                continue
            target = Y[:, 0] if parts.y_ndim == 1 else Y
            state = partial_fit_descent(
                X, target, weights, state=state, method="minibatch", **options
            )
        epochs += 1
        engine.passes += 1
        if state is None:
            raise ValueError("Every partition of the data is empty; nothing to fit.")
        if before is not None:
            change = float(np.linalg.norm(state.params[0] - before))
            converged = change <= float(estimator.tol) * max(
                1.0, float(np.linalg.norm(state.params[0]))
            )
    if state is None:
        raise ValueError("max_epochs must be at least 1.")
    coef, intercept = state.standardizer.to_original(
        state.params[0].reshape(len(state.params[0]), -1)
    )
    return BackendFit(
        coef,
        intercept,
        {
            "solver_": "minibatch",
            "solver_reason_": "chosen by the user",
            # a stream has no full gradient for SVRG: optimizer="auto" is plain steps here
            "optimizer_": state.optimizer,
            "variance_reduction_": None,
            "n_iter_": epochs,
            "converged_": converged,
            "n_passes_": engine.passes,
            "n_partitions_": len(parts),
        },
    )


def _ridge(estimator: Any, X: Any, Y: Any, sample_weight: Any) -> BackendFit:
    from glassbox.distributed.lstsq import ridge
    from glassbox.linear.ridge import check_alpha

    with engine_for(X, Y, sample_weight) as engine:
        alphas = check_alpha(estimator.alpha, engine.partitions.n_targets)
        if np.any(alphas == 0):
            raise ValueError(
                "Ridge with alpha=0 is least squares; on the Dask backend use "
                "LinearRegression(backend='dask'), which handles rank-deficient designs."
            )
        coef, intercept = ridge(engine, bool(estimator.fit_intercept), alphas)
    return BackendFit(coef.T, intercept, {"solver_": "cholesky", "n_passes_": engine.passes})


def _elastic_net(estimator: Any, X: Any, Y: Any, sample_weight: Any) -> BackendFit:
    """Lasso / ElasticNet: one statistics pass, then the in-memory solver on the Gram form
    (:mod:`glassbox.distributed.enet`): the same problem, so the same iterates."""
    from glassbox.distributed.enet import gram_problem
    from glassbox.distributed.lstsq import statistics_pass
    from glassbox.linear.lasso import as_generator, check_solver_params, solve_all_targets

    alpha, l1_ratio = check_solver_params(estimator)
    with engine_for(X, Y, sample_weight) as engine:
        statistics = statistics_pass(engine)
    _warn_empty(statistics)
    problem = gram_problem(statistics, bool(estimator.fit_intercept))
    start = None
    if estimator.warm_start and hasattr(estimator, "coef_"):
        previous = np.atleast_2d(estimator.coef_)
        if previous.shape == (problem.Xty.shape[1], problem.n_features):
            start = previous
    coef, gaps, n_iters = solve_all_targets(
        problem,
        alpha,
        l1_ratio,
        solver=estimator.solver,
        max_iter=int(estimator.max_iter),
        tol=float(estimator.tol),
        selection=estimator.selection,
        rng=as_generator(estimator.random_state),
        coef_init=start,
    )
    intercept = problem.y_offset - coef @ problem.X_offset
    attributes = {
        "dual_gap_": gaps,
        "n_iter_": n_iters,
        "precompute_": True,
        "n_passes_": engine.passes,
        "n_partitions_": len(engine.partitions),
    }
    return BackendFit(coef, intercept, attributes)


def _logistic_fit(
    estimator: Any, method: str, X: Any, Y: Any, sample_weight: Any, class_weight: Any
) -> tuple[np.ndarray, BackendFit]:
    """(classes, fit) of LogisticRegression by ``method`` in passes over (X, Y, w)."""
    if method == "minibatch":
        return _logistic_minibatch(estimator, X, Y, sample_weight, class_weight)
    from glassbox.distributed.logistic import fit_logistic

    with engine_for(X, Y, sample_weight) as engine:
        solution = fit_logistic(
            engine,
            method,
            C=float(estimator.C),
            penalized=estimator.penalty is not None,
            fit_intercept=bool(estimator.fit_intercept),
            max_iter=int(estimator.max_iter),
            tol=float(estimator.tol),
            class_weight=class_weight,
            owner=type(estimator).__name__,
        )
    if solution.empty_partitions:
        _warn_empty(solution)
    W = solution.coef
    if estimator.fit_intercept:
        coef, intercept = W[:, :-1], W[:, -1]
    else:
        coef, intercept = W, np.zeros(W.shape[0])
    attributes = {
        "n_iter_": np.array([solution.n_iter]),
        "converged_": solution.converged,
        "n_passes_": engine.passes,
        "n_partitions_": len(engine.partitions),
    }
    return solution.classes, BackendFit(coef, intercept, attributes)


def _logistic_minibatch(
    estimator: Any, X: Any, Y: Any, sample_weight: Any, class_weight: Any
) -> tuple[np.ndarray, BackendFit]:
    """Mini-batch descent streaming the partitions (:mod:`glassbox.distributed.logistic_stream`):
    standardization and step size from merged statistics of all rows, seeded row order."""
    from glassbox.distributed.logistic_stream import stream_logistic

    with engine_for(X, Y, sample_weight) as engine:
        solution = stream_logistic(
            engine,
            C=float(estimator.C),
            penalized=estimator.penalty is not None,
            fit_intercept=bool(estimator.fit_intercept),
            batch_size=estimator.batch_size,
            learning_rate=estimator.learning_rate,
            max_epochs=int(estimator.max_iter),
            tol=float(estimator.tol),
            random_state=estimator.random_state,
            class_weight=class_weight,
            owner=type(estimator).__name__,
        )
    if solution.empty_partitions:
        _warn_empty(solution)
    attributes = {
        "n_iter_": np.array([solution.n_epochs]),
        "converged_": solution.converged,
        "history_": solution.history,
        "n_passes_": engine.passes,
        "n_partitions_": len(engine.partitions),
    }
    return solution.classes, BackendFit(solution.coef, solution.intercept, attributes)


def _logistic(method: str) -> Callable[..., BackendFit]:
    def fit(estimator: Any, X: Any, Y: Any, sample_weight: Any) -> BackendFit:
        # In-memory data: Y holds class indices and w the sample x class weights already.
        return _logistic_fit(estimator, method, X, Y, sample_weight, None)[1]

    return fit


# --- Dask inputs reach the estimators without being materialized ----------------------------


def _partitions_for(estimator: Any, X: Any, y: Any, sample_weight: Any) -> Any:
    """The partitions of a Dask fit; sets ``n_features_in_`` (and ``feature_names_in_``)."""
    from glassbox.distributed.data import as_partitions

    partitions = as_partitions(X, y, sample_weight)
    estimator.n_features_in_ = partitions.n_features
    if partitions.feature_names is not None:
        estimator.feature_names_in_ = partitions.feature_names
    elif hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_
    return partitions


def fit_logistic_collection(
    estimator: Any, X: Any, y: Any, sample_weight: Any
) -> tuple[np.ndarray, BackendFit]:
    """LogisticRegression on Dask inputs: (classes, fit), the classes found in a first pass
    over y (any labels: strings, integers, booleans), class weights applied per partition."""
    from glassbox.registry import get_implementation

    get_implementation("LogisticRegression", estimator.solver, "dask")  # a clear error if absent
    partitions = _partitions_for(estimator, X, y, sample_weight)
    if partitions.n_targets != 1:
        raise ValueError(
            f"y has {partitions.n_targets} columns; {type(estimator).__name__} takes one "
            "column of class labels (multi-output classification is not supported)."
        )
    return _logistic_fit(
        estimator, estimator.solver, partitions, None, None, estimator.class_weight
    )


def fit_collection(
    estimator: Any, model: str, method: str, X: Any, y: Any, sample_weight: Any
) -> tuple[BackendFit, int]:
    """Fit ``model`` on Dask inputs: metadata checks now, data checks per partition as read.

    Sets ``n_features_in_`` and ``feature_names_in_`` as ``validate_data`` would; returns
    the backend's answer and the number of dimensions of y.
    """
    from glassbox.registry import get_implementation

    implementation = get_implementation(model, method, "dask")
    partitions = _partitions_for(estimator, X, y, sample_weight)
    if implementation.fit is None:  # pragma: no cover - every dask implementation has one
        raise ValueError(f"{implementation.key} has no fit function")
    return implementation.fit(estimator, partitions, None, None), partitions.y_ndim


def predict_collection(estimator: Any, X: Any) -> Any:
    """ŷ = b + X β as a lazy Dask array (one task per partition; nothing is computed)."""
    from glassbox.distributed._dask import is_dask_dataframe

    if is_dask_dataframe(X):
        names = getattr(estimator, "feature_names_in_", None)
        if names is not None and list(X.columns) != list(names):
            raise ValueError(
                f"X's columns {list(X.columns)} differ from the features seen in fit "
                f"{list(names)}; select them in the same order."
            )
        X = X.to_dask_array()
    if X.ndim != 2 or X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has shape {X.shape}, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input."
        )
    coef = np.asarray(estimator.coef_, dtype=np.float64)
    return X.astype(np.float64) @ coef.T + estimator.intercept_


def classify_collection(estimator: Any, X: Any, output: str) -> Any:
    """A classifier's ``output`` ("decision_function", "predict_proba", "predict_log_proba"
    or "predict") as a lazy Dask array, computed block by block from the margins."""
    from functools import partial

    from glassbox.linear import logistic

    scores = predict_collection(estimator, X)  # (n, K') margins, one chunk of columns
    if output == "decision_function":
        return scores[:, 0] if scores.shape[1] == 1 else scores
    classes = estimator.classes_
    if output == "predict":
        return scores.map_blocks(
            partial(logistic.labels_from_scores, classes=classes),
            drop_axis=1,
            dtype=classes.dtype,
            meta=np.empty(0, dtype=classes.dtype),
        )
    function = {
        "predict_proba": logistic.probabilities,
        "predict_log_proba": logistic.log_probabilities,
    }[output]
    return scores.map_blocks(function, chunks=(scores.chunks[0], (len(classes),)), dtype=np.float64)


# --- registration ---------------------------------------------------------------------------

_LINEAR = {
    "auto": (True, "one pass of merged statistics, Cholesky when cond ≤ 1e4, else TSQR"),
    "normal": (True, "Cholesky on the Gram matrix merged from per-partition statistics"),
    "qr": (True, "tall-skinny QR of [A | b], refinement passes with double-double residuals"),
    "minibatch": (False, "mini-batch descent streaming the partitions (partial_fit's code)"),
}
for _method, (_exact, _note) in _LINEAR.items():
    register_implementation(
        Implementation(
            "LinearRegression",
            _method,
            "dask",
            task="regression",
            exact=_exact,
            fit=_linear_regression(_method),
            note=_note,
        )
    )
for _method, _reason in [
    ("beta", "the textbook formula is one feature in memory; 'normal' gives the same slope"),
    ("svd", "minimum-norm solutions need the whole design; 'qr' reports redundant columns"),
    ("bgd", "a full pass per step; use 'minibatch' (streaming) or the exact solvers"),
    ("sgd", "per-sample steps over a cluster cost a round trip each; use 'minibatch'"),
]:
    register_absent("LinearRegression", _method, "dask", _reason)

for _method in ("auto", "cholesky"):
    register_implementation(
        Implementation(
            "Ridge",
            _method,
            "dask",
            task="regression",
            exact=True,
            fit=_ridge,
            note="Cholesky on (AᵀA + α D⁻²) from one pass of merged statistics",
        )
    )
for _method in ("qr", "svd"):
    register_absent(
        "Ridge", _method, "dask", "the penalty bounds the conditioning: 'cholesky' is exact here"
    )

for _method in ("bgd", "minibatch", "sgd"):
    register_absent(
        "Ridge",
        _method,
        "dask",
        "exact from one pass of merged statistics ('cholesky'); descent would take many "
        "passes to reach it",
    )

_ENET = {
    "cd": "coordinate descent on the Gram form, from one pass of merged statistics",
    "fista": "FISTA on the Gram form, from one pass of merged statistics",
}
for _model in ("Lasso", "ElasticNet"):
    for _method, _note in _ENET.items():
        register_implementation(
            Implementation(
                _model,
                _method,
                "dask",
                task="regression",
                exact=False,
                fit=_elastic_net,
                note=_note,
            )
        )

_LOGISTIC = {
    "newton": "Newton-Cholesky: per-partition (loss, gradient, Hessian) sums, one pass a step",
    "lbfgs": "L-BFGS with the loss and gradient summed over the partitions in one pass",
    "minibatch": "mini-batch descent streaming the partitions in a seeded order; the "
    "standardization and step size from one pass of merged statistics of all rows",
}
for _method, _note in _LOGISTIC.items():
    register_implementation(
        Implementation(
            "LogisticRegression",
            _method,
            "dask",
            task="classification",
            exact=False,
            fit=_logistic(_method),
            note=_note,
        )
    )
for _method, _reason in [
    ("fista", "L1 penalties are not distributed yet; fit in memory with solver='fista'"),
    ("bgd", "a full pass per step; 'lbfgs' takes one pass per evaluation and converges faster"),
    ("sgd", "per-sample steps over a cluster cost a round trip each; use 'newton' or 'lbfgs'"),
]:
    register_absent("LogisticRegression", _method, "dask", _reason)
