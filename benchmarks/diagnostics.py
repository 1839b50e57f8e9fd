"""glassbox.diagnose beside statsmodels: time for the full inference + assumption tests, and
agreement of the numbers.

    python benchmarks/diagnostics.py [--quick]

Both sides get the same least-squares problem; statsmodels fits OLS and runs the same tests
(Breusch-Pagan, White, Jarque-Bera, omnibus, Durbin-Watson, Breusch-Godfrey, RESET, VIF,
influence). Printed: seconds per side, the ratio, and the largest relative difference of
the HC3 standard errors.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def run_glassbox(model, X, y):
    from glassbox.diagnostics import diagnose

    results = diagnose(model, X, y, cov_type="HC3")
    results.assumption_tests()
    results.influence  # noqa: B018
    return results.bse


def run_statsmodels(X, y):
    import statsmodels.api as sm
    from statsmodels.stats import diagnostic, stattools
    from statsmodels.stats.outliers_influence import OLSInfluence, variance_inflation_factor

    exog = sm.add_constant(X)
    fit = sm.OLS(y, exog).fit(cov_type="HC3")
    diagnostic.het_breuschpagan(fit.resid, exog)
    diagnostic.het_white(fit.resid, exog)
    stattools.jarque_bera(fit.resid)
    stattools.omni_normtest(fit.resid)
    stattools.durbin_watson(fit.resid)
    diagnostic.acorr_breusch_godfrey(fit, result_object=True)
    diagnostic.linear_reset(fit, power=3, use_f=True)
    [variance_inflation_factor(exog, j) for j in range(1, exog.shape[1])]
    influence = OLSInfluence(fit)
    influence.cooks_distance  # noqa: B018
    influence.dffits  # noqa: B018
    return fit.bse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small problem, one repeat")
    args = parser.parse_args()
    from sklearn.linear_model import LinearRegression

    sizes = [(1000, 5)] if args.quick else [(1000, 5), (2000, 10), (5000, 10)]
    repeats = 1 if args.quick else 3
    header = ["n".rjust(6), "p".rjust(3), "glassbox s".rjust(11), "statsmodels s".rjust(14)]
    print(" ".join([*header, "ratio".rjust(6), "max rel bse".rjust(12)]))
    for n_samples, n_features in sizes:
        rng = np.random.default_rng(0)
        X = rng.normal(size=(n_samples, n_features))
        y = X @ rng.normal(size=n_features) + rng.normal(size=n_samples) * np.exp(X[:, 0] / 2)
        model = LinearRegression().fit(X, y)
        ours_times, theirs_times = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            ours = run_glassbox(model, X, y)
            ours_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            theirs = run_statsmodels(X, y)
            theirs_times.append(time.perf_counter() - start)
        ours_s, theirs_s = min(ours_times), min(theirs_times)
        difference = float(np.max(np.abs(ours - theirs) / np.abs(theirs)))
        print(
            f"{n_samples:>6} {n_features:>3} {ours_s:>11.3f} {theirs_s:>14.3f} "
            f"{ours_s / theirs_s:>6.2f} {difference:>12.1e}"
        )


if __name__ == "__main__":
    main()
