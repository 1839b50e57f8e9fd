"""glassbox's HistGradientBoostingClassifier against scikit-learn's, in the same run.

    python benchmarks/hist_boosting.py            # make_classification(100000, 20, ...)
    python benchmarks/hist_boosting.py --quick    # 20,000 rows
    python benchmarks/hist_boosting.py --profile  # where glassbox's fit spends its time

Both fit 100 iterations (``early_stopping=False``, the other parameters at their defaults) on
the same 80 % of the rows; the table gives the median fit time of ``--repeats`` runs, the test
accuracy on the other 20 %, and the ratio glassbox / scikit-learn (the issue's target: at most
3). scikit-learn runs with its OpenMP threads (all cores); glassbox is NumPy, one core.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def timed(make, X_train, y_train, repeats: int):
    times, model = [], None
    for _ in range(repeats):
        model = make()
        start = time.perf_counter()
        model.fit(X_train, y_train)
        times.append(time.perf_counter() - start)
    return statistics.median(times), model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows instead of 100,000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile glassbox's fit")
    args = parser.parse_args()

    from sklearn.datasets import make_classification
    from sklearn.ensemble import HistGradientBoostingClassifier as SklearnHGB
    from sklearn.model_selection import train_test_split

    from glassbox.trees import HistGradientBoostingClassifier

    n_samples = 20_000 if args.quick else 100_000
    X, y = make_classification(n_samples, 20, n_informative=10, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    params = {"max_iter": 100, "early_stopping": False, "random_state": 0}

    if args.profile:
        import cProfile
        import pstats

        model = HistGradientBoostingClassifier(**params)
        cProfile.runctx("model.fit(X_train, y_train)", globals(), locals(), "/tmp/hgb.prof")
        pstats.Stats("/tmp/hgb.prof").sort_stats("tottime").print_stats(15)
        return

    ours_time, ours = timed(
        lambda: HistGradientBoostingClassifier(**params), X_train, y_train, args.repeats
    )
    theirs_time, theirs = timed(lambda: SklearnHGB(**params), X_train, y_train, args.repeats)
    ours_accuracy = ours.score(X_test, y_test)
    theirs_accuracy = theirs.score(X_test, y_test)
    agreement = float(np.mean(ours.predict(X_test) == theirs.predict(X_test)))
    print(
        f"make_classification({n_samples}, 20, n_informative=10), 80/20 split, "
        f"100 iterations, median of {args.repeats}"
    )
    print(f"{'':14}{'fit (s)':>10}{'accuracy':>10}")
    print(f"{'glassbox':14}{ours_time:>10.2f}{ours_accuracy:>10.4f}")
    print(f"{'scikit-learn':14}{theirs_time:>10.2f}{theirs_accuracy:>10.4f}")
    print(f"ratio glassbox / scikit-learn: {ours_time / theirs_time:.2f} (target <= 3)")
    print(f"same predicted class on {agreement:.1%} of the test rows")


if __name__ == "__main__":
    main()
