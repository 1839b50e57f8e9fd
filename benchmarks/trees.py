"""glassbox's trees and ensembles against scikit-learn's, in the same run.

    python benchmarks/trees.py            # the issue's sizes (100,000 and 20,000 rows)
    python benchmarks/trees.py --quick    # a fifth of the rows, 20 trees / stages
    python benchmarks/trees.py --profile DecisionTreeClassifier   # cProfile glassbox's fit

Data: ``make_classification(n, 20, n_informative=10, random_state=0)``, fitted on 80 % of the
rows and scored (accuracy) on the other 20 %. ``DecisionTreeClassifier`` and
``HistGradientBoostingClassifier`` (100 iterations, ``early_stopping=False``) see 100,000 rows;
``RandomForestClassifier`` (100 trees, ``n_jobs=2``) and ``GradientBoostingClassifier``
(100 stages) see 20,000. Each row prints both fit times (median of ``--repeats``), both test
accuracies, and the ratio glassbox / scikit-learn against the issue's target. scikit-learn's
histogram boosting uses its OpenMP threads (all cores); glassbox is NumPy.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

CASES: dict[str, dict[str, Any]] = {
    "DecisionTreeClassifier": {
        "module": "sklearn.tree",
        "rows": 100_000,
        "params": {"random_state": 0},
        "target": 2.0,
    },
    "HistGradientBoostingClassifier": {
        "module": "sklearn.ensemble",
        "rows": 100_000,
        "params": {"max_iter": 100, "early_stopping": False, "random_state": 0},
        "quick": {"max_iter": 20},
        "target": 3.0,
    },
    "RandomForestClassifier": {
        "module": "sklearn.ensemble",
        "rows": 20_000,
        "params": {"n_estimators": 100, "n_jobs": 2, "random_state": 0},
        "quick": {"n_estimators": 20},
        "target": 2.0,
    },
    "GradientBoostingClassifier": {
        "module": "sklearn.ensemble",
        "rows": 20_000,
        "params": {"n_estimators": 100, "random_state": 0},
        "quick": {"n_estimators": 20},
        "target": 1.5,
    },
}


def data(n_samples: int) -> tuple[Any, Any, Any, Any]:
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    X, y = make_classification(n_samples, 20, n_informative=10, random_state=0)
    return tuple(train_test_split(X, y, test_size=0.2, random_state=0))  # type: ignore[return-value]


def timed(make: Callable[[], Any], X: Any, y: Any, repeats: int) -> tuple[float, Any]:
    times, model = [], None
    for _ in range(repeats):
        model = make()
        start = time.perf_counter()
        model.fit(X, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times), model


def estimators(name: str, quick: bool) -> tuple[Callable[[], Any], Callable[[], Any], int]:
    import importlib

    import glassbox.trees

    case = CASES[name]
    params = {**case["params"], **(case.get("quick", {}) if quick else {})}
    ours = getattr(glassbox.trees, name)
    theirs = getattr(importlib.import_module(case["module"]), name)
    rows = case["rows"] // 5 if quick else case["rows"]
    return (lambda: ours(**params)), (lambda: theirs(**params)), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fifth of the rows, 20 trees")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--only", nargs="*", choices=list(CASES), help="run only these")
    parser.add_argument("--profile", choices=list(CASES), help="cProfile glassbox's fit")
    args = parser.parse_args()

    if args.profile:
        import cProfile
        import pstats

        make_ours, _, rows = estimators(args.profile, args.quick)
        X_train, _, y_train, _ = data(rows)
        model = make_ours()
        cProfile.runctx("model.fit(X_train, y_train)", globals(), locals(), "/tmp/trees.prof")
        pstats.Stats("/tmp/trees.prof").sort_stats("tottime").print_stats(20)
        return

    print(f"make_classification(n, 20, n_informative=10), 80/20 split, median of {args.repeats}")
    header = f"{'estimator':32}{'rows':>8}{'glassbox s':>12}{'sklearn s':>11}"
    print(header + f"{'ratio':>7}{'target':>8}{'acc glassbox':>14}{'acc sklearn':>13}")
    for name in args.only or CASES:
        make_ours, make_theirs, rows = estimators(name, args.quick)
        X_train, X_test, y_train, y_test = data(rows)
        ours_time, ours = timed(make_ours, X_train, y_train, args.repeats)
        theirs_time, theirs = timed(make_theirs, X_train, y_train, args.repeats)
        ratio = ours_time / theirs_time
        verdict = "ok" if ratio <= CASES[name]["target"] else "MISSED"
        print(
            f"{name:32}{rows:>8}{ours_time:>12.2f}{theirs_time:>11.2f}{ratio:>7.2f}"
            f"{'<= ' + str(CASES[name]['target']):>8}{ours.score(X_test, y_test):>14.4f}"
            f"{theirs.score(X_test, y_test):>13.4f}  {verdict}",
            flush=True,
        )


if __name__ == "__main__":
    main()
