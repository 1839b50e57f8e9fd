"""Histogram gradient boosting against scikit-learn's and against the equations.

* binning: the same thresholds and codes as scikit-learn's ``_BinMapper``;
* the split gain and leaf values: against a brute-force search written from the equations;
* the histogram subtraction: parent − child equals the sibling counted directly;
* accuracy / R² on breast cancer, wine, digits and diabetes within 1 point / 0.01 of
  scikit-learn's HistGradientBoosting* with the same parameters, averaged over 5 seeds;
* NaN: learned as a value of its own, accuracy close to scikit-learn's on the same NaNs;
* early stopping, the scikit-learn backend, and bad input.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import datasets
from sklearn.ensemble import HistGradientBoostingClassifier as SklearnClassifier
from sklearn.ensemble import HistGradientBoostingRegressor as SklearnRegressor
from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper

import glassbox
from glassbox.trees import HistGradientBoostingClassifier, HistGradientBoostingRegressor, histogram
from glassbox.trees.binning import bin_data, find_bins
from glassbox.trees.histogram import HistogramBuilder, SplitFinder
from seed_averages import mean_scores


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """scikit-learn's OpenMP threads on a shared 2-core machine only slow the tests down."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(1):
        yield


def with_nan(X: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = X.copy()
    X[rng.random(X.shape) < fraction] = np.nan
    return X


# --- binning ------------------------------------------------------------------------------


@pytest.mark.parametrize("max_bins", [255, 16])
@pytest.mark.parametrize("missing", [False, True])
def test_bins_are_scikit_learns(max_bins, missing):
    # Features with few distinct values (midpoints) and many (quantiles), with and without NaN.
    rng = np.random.default_rng(0)
    X = np.column_stack(
        [
            rng.standard_normal(3000),  # 3000 distinct values: quantiles
            rng.integers(0, 7, 3000).astype(float),  # 7 distinct values: midpoints
            np.round(rng.exponential(size=3000), 2),  # many ties
            np.full(3000, 4.0),  # constant: no threshold
        ]
    )
    if missing:
        X = with_nan(X, 0.1, 1)
    bins = find_bins(X, max_bins, rng=np.random.default_rng(0))
    mapper = _BinMapper(n_bins=max_bins + 1, random_state=0).fit(X)
    for j, expected in enumerate(mapper.bin_thresholds_):
        np.testing.assert_array_equal(bins.of(j), expected)  # the same float64 values
    np.testing.assert_array_equal(bin_data(X, bins), mapper.transform(X))
    np.testing.assert_array_equal(bins.n_bins_non_missing, mapper.n_bins_non_missing_)
    assert bins.missing_bin == mapper.missing_values_bin_idx_


def test_weighted_bins_equal_repeated_rows():
    # Integer weights are repeated rows: the weighted quantiles must be the repeated data's.
    rng = np.random.default_rng(3)
    X = rng.standard_normal((800, 2))
    weights = rng.integers(0, 4, 800).astype(float)
    weighted = find_bins(X, 32, sample_weight=weights, rng=rng)
    repeated = find_bins(np.repeat(X, weights.astype(int), axis=0), 32, rng=rng)
    np.testing.assert_allclose(weighted.thresholds, repeated.thresholds, rtol=0, atol=0)


# --- histograms, gain and leaf values against the equations ----------------------------------


def eq1_histograms(codes, missing_bin, n_slots, rows, g, h, w):
    """Eq. (1) written out: per feature, per slot, the sums over the node's samples in row
    order (``np.add.at`` adds one sample after another)."""
    rows = np.arange(len(g)) if rows is None else rows
    w = np.ones(len(g)) if w is None else w
    channels = [g, w] if h is None else [g, h, w]
    sums = np.zeros((codes.shape[1], n_slots, len(channels)))
    for j in range(codes.shape[1]):
        slots = np.where(codes[rows, j] == missing_bin, n_slots - 1, codes[rows, j])
        for c, values in enumerate(channels):
            np.add.at(sums[j, :, c], slots, values[rows])
    return sums


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("squared_error", [False, True])
@pytest.mark.parametrize("kernel", [True, False])
def test_histogram_builder_sums_eq1_in_row_order(weighted, squared_error, kernel, monkeypatch):
    """Chunked or not, at the root and at nodes, with SciPy's kernel or without it: the sums
    of eq. (1) added in row order, so equal to the last bit."""
    if not kernel:
        monkeypatch.setattr(histogram, "csc_matvecs", None)
    rng = np.random.default_rng(1)
    codes = np.asfortranarray(rng.integers(0, 12, (600, 4)).astype(np.uint8))
    codes[rng.random(600) < 0.1, 2] = 255  # missing values: the last slot
    weight = rng.uniform(0.5, 2.0, 600) if weighted else None
    # 97 rows per call of the kernel: several chunks and a ragged last one
    build = HistogramBuilder(codes, 255, 13, weight, chunk_cells=4 * 97)
    g = rng.standard_normal(600)
    h = None if squared_error else rng.random(600)
    values = build.values(g, h)
    for rows in (None, np.flatnonzero(codes[:, 0] < 8), np.array([5, 3, 599])):
        expected = eq1_histograms(codes, 255, 13, rows, g, h, weight)
        np.testing.assert_array_equal(build(rows, values).sums, expected)


def test_histogram_builder_with_more_cells_than_16_bits_stores_them_wide():
    # 260 features x 256 slots = 66,560 cells: stored as the kernel's int32, the same sums.
    rng = np.random.default_rng(3)
    codes = np.asfortranarray(rng.integers(0, 255, (300, 260)).astype(np.uint8))
    build = HistogramBuilder(codes, 255, 256, None, chunk_cells=260 * 64)
    assert build.cells.dtype == np.int32
    assert HistogramBuilder(codes[:, :256], 255, 256, None).cells.dtype == np.uint16
    g, h = rng.standard_normal(300), rng.random(300)
    rows = np.flatnonzero(codes[:, 0] < 128)
    expected = eq1_histograms(codes, 255, 256, rows, g, h, None)
    np.testing.assert_array_equal(build(rows, build.values(g, h)).sums, expected)


def test_scatter_add_without_scipys_kernel_gives_the_same_sums(monkeypatch):
    # One bincount per channel where SciPy's private kernel is missing: the same order.
    rng = np.random.default_rng(2)
    keys = rng.integers(0, 50, (300, 4)).astype(np.int32)
    values = rng.standard_normal((300, 3))
    with_kernel = np.zeros((50, 3))
    histogram.scatter_add(keys, values, with_kernel)
    monkeypatch.setattr(histogram, "csc_matvecs", None)
    without = np.zeros((50, 3))
    histogram.scatter_add(keys, values, without)
    np.testing.assert_array_equal(with_kernel, without)
    reference = np.zeros((50, 3))
    np.add.at(reference, keys.ravel(), np.repeat(values, 4, axis=0))
    np.testing.assert_array_equal(with_kernel, reference)


def test_histogram_subtraction_equals_counting_the_sibling():
    rng = np.random.default_rng(0)
    codes = np.asfortranarray(rng.integers(0, 10, (500, 3)).astype(np.uint8))
    g, h = rng.standard_normal(500), rng.random(500)
    build = HistogramBuilder(codes, 255, 11, None)
    values = build.values(g, h)
    rows = np.flatnonzero(codes[:, 1] <= 4)
    others = np.flatnonzero(codes[:, 1] > 4)
    parent, child, sibling = (build(r, values) for r in (None, rows, others))
    both, left, right = build.siblings(rows, values, parent, counted=0)
    np.testing.assert_array_equal(both, np.concatenate([left.sums, right.sums]))
    np.testing.assert_array_equal(left.sums, child.sums)
    # Sums of the same numbers in another order: equal to rounding (1e-12 on sums of ~100).
    np.testing.assert_allclose(right.sums, sibling.sums, rtol=0, atol=1e-12)
    # Eq. (1) directly for one feature and bin; G + iH and N as views.
    in_bin = codes[others, 2] == 3
    assert sibling.gradient_hessian[2, 3] == pytest.approx(
        g[others][in_bin].sum() + 1j * h[others][in_bin].sum(), abs=1e-12
    )
    assert sibling.counts[2, 3] == in_bin.sum()


def test_sibling_arrays_are_reused_only_once_both_children_let_go():
    rng = np.random.default_rng(3)
    codes = np.asfortranarray(rng.integers(0, 10, (200, 2)).astype(np.uint8))
    build = HistogramBuilder(codes, 255, 11, None)
    values = build.values(rng.standard_normal(200), rng.random(200))
    root = build.root(values)
    rows = np.flatnonzero(codes[:, 0] < 5)
    _, left, right = build.siblings(rows, values, root, counted=0)
    build.release(left)
    kept = right.sums.copy()
    _, other, _ = build.siblings(rows[:50], values, root, counted=0)
    assert other.pair is not left.pair  # right still uses the first array
    np.testing.assert_array_equal(right.sums, kept)
    build.release(right)
    _, again, _ = build.siblings(rows, values, root, counted=1)
    assert again.pair is left.pair  # both let go: reused, and filled afresh
    np.testing.assert_array_equal(again.sums, kept)  # root − rows, now on the left
    build.release_all()  # a tree is done: every array is free, none is lost
    assert {id(a) for a in build._free} == {id(left.pair), id(other.pair)}


def scanned_best_split(sums, n_bins, has_missing, l2, min_leaf, min_hessian):
    """scikit-learn's scans written as loops over one node's (F, S, 3) histograms: thresholds
    left to right with NaN right, then right to left with NaN left; a later candidate wins
    only with a strictly larger gain. Returns (feature, bin, missing_left) or None."""
    best, best_gain = None, -np.inf
    G, H, N = sums[0].sum(axis=0)
    for j in range(len(n_bins)):
        cumulative = np.cumsum(sums[j], axis=0)  # left to right, as scikit-learn adds them
        scans = [(range(n_bins[j] - 1 + has_missing[j]), False)]
        if has_missing[j]:
            scans.append((range(n_bins[j] - 2, -1, -1), True))
        for thresholds, missing_left in scans:
            for k in thresholds:
                G_L, H_L, N_L = cumulative[k] + missing_left * sums[j, -1]
                G_R, H_R, N_R = G - G_L, H - H_L, N - N_L
                if min(N_L, N_R) < min_leaf or min(H_L, H_R) < min_hessian:
                    continue
                gain = G_L * G_L / (H_L + l2) + G_R * G_R / (H_R + l2)
                if gain > best_gain:
                    best, best_gain = (j, k, missing_left), gain
    return best


def test_split_finder_scans_each_features_own_thresholds_as_scikit_learn_does():
    # Features with 3 to 30 bins, some with NaN: every threshold a feature has, none it lacks;
    # bins left empty (odd codes of feature 3, codes 2, 4, 5 of feature 4) make exact ties.
    n_bins = np.array([30, 3, 17, 30, 8])
    has_missing = np.array([False, True, False, True, True])
    kwargs = {"l2_regularization": 1.0, "min_samples_leaf": 15, "min_hessian": 1e-3}
    finder = SplitFinder(n_bins, has_missing, 31, **kwargs)
    for seed in range(20):
        rng = np.random.default_rng(seed)
        codes = np.stack([rng.integers(0, b, 400) for b in n_bins], axis=1).astype(np.uint8)
        codes[:, 3] &= 0xFE
        codes[:, 4] = rng.choice([0, 1, 3, 6, 7], 400)
        codes[(rng.random((400, 5)) < 0.15) & has_missing] = 255
        g = rng.standard_normal(400) + np.isin(codes[:, seed % 5], [1, 255]) * 0.8
        build = HistogramBuilder(np.asfortranarray(codes), 255, 31, None)
        histograms = build(None, build.values(g, np.full(400, 0.5)))
        (split,) = finder(histograms.sums, [(g.sum(), 200.0, 400.0)])
        expected = scanned_best_split(histograms.sums, n_bins, has_missing, 1.0, 15, 1e-3)
        found = None if split is None else (split.feature, split.bin, split.missing_left)
        assert found == expected


def test_split_finder_with_integer_counts_finds_the_float_counts_splits():
    # Whole-number counts summed as integers: the same comparisons, so the same splits.
    rng = np.random.default_rng(5)
    codes = np.asfortranarray(rng.integers(0, 30, (2000, 5)).astype(np.uint8))
    codes[rng.random(2000) < 0.2, 4] = 255
    has_missing = np.array([False] * 4 + [True])
    build = HistogramBuilder(codes, 255, 31, None)
    kwargs = {"l2_regularization": 0.5, "min_samples_leaf": 20, "min_hessian": 1e-3}
    finders = [
        SplitFinder(np.full(5, 30), has_missing, 31, integer_counts=flag, **kwargs)
        for flag in (False, True)
    ]
    for seed in range(10):
        g = np.random.default_rng(seed).standard_normal(2000) + codes[:, seed % 5] / 30
        values = build.values(g, np.full(2000, 0.25))
        nodes = [np.flatnonzero(codes[:, 0] < 12), np.flatnonzero(codes[:, 0] >= 12)]
        hists = [build(rows, values) for rows in nodes]
        totals = [(g[r].sum(), 0.25 * len(r), float(len(r))) for r in nodes]
        both = np.concatenate([h.sums for h in hists])
        as_floats, as_integers = (finder(both, totals) for finder in finders)
        assert as_floats == as_integers
        assert all(split is not None for split in as_floats)


def brute_force_first_split(X, gradient, hessian, l2, min_samples_leaf):
    """The best (gain, feature, threshold) over every midpoint, from eq. (2) written out."""
    best = (-np.inf, None, None)
    G, H = gradient.sum(), hessian.sum()
    for j in range(X.shape[1]):
        values = np.unique(X[:, j])
        for threshold in (values[:-1] + values[1:]) / 2:
            left = X[:, j] <= threshold
            if min(left.sum(), (~left).sum()) < min_samples_leaf:
                continue
            GL, HL = gradient[left].sum(), hessian[left].sum()
            GR, HR = G - GL, H - HL
            gain = GL**2 / (HL + l2) + GR**2 / (HR + l2) - G**2 / (H + l2)
            if gain > best[0] + 1e-9:
                best = (gain, j, threshold)
    return best


def test_first_split_and_leaf_values_follow_the_equations():
    rng = np.random.default_rng(4)
    X = np.round(rng.standard_normal((300, 3)), 1)  # ~60 distinct values: each its own bin
    y = (X[:, 1] + 0.5 * rng.standard_normal(300) > 0.2).astype(int)
    l2, rate = 2.0, 0.3
    model = HistGradientBoostingClassifier(
        max_iter=1, max_leaf_nodes=2, l2_regularization=l2, learning_rate=rate, min_samples_leaf=5
    ).fit(X, y)
    # Log loss at the baseline f0 = logit(mean y): g = p0 - y, h = p0 (1 - p0).
    p0 = y.mean()
    gradient, hessian = p0 - y, np.full(300, p0 * (1 - p0))
    _, feature, threshold = brute_force_first_split(X, gradient, hessian, l2, 5)
    assert model.nodes_feature_[0] == feature
    assert model.nodes_threshold_[0] == pytest.approx(threshold, abs=1e-12)
    left = X[:, feature] <= threshold
    for side, child in [(left, model.nodes_left_[0]), (~left, model.nodes_right_[0])]:
        expected = -rate * gradient[side].sum() / (hessian[side].sum() + l2)  # leaf value
        assert model.nodes_value_[child] == pytest.approx(expected, rel=1e-12)
    assert model.baseline_prediction_[0] == pytest.approx(np.log(p0 / (1 - p0)), rel=1e-12)


def test_one_tree_is_scikit_learns_tree():
    # One iteration of squared error: the same tree, so the same predictions. scikit-learn
    # keeps gradients in float32, hence rtol 1e-6 rather than rounding level.
    X, y = datasets.load_diabetes(return_X_y=True)
    ours = HistGradientBoostingRegressor(max_iter=1, random_state=0).fit(X, y)
    theirs = SklearnRegressor(max_iter=1, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6)


# --- accuracy against scikit-learn -----------------------------------------------------------


@pytest.mark.parametrize(
    "loader, params",
    [
        # Fewer iterations than the default 100 keep the test fast (the same for both).
        (datasets.load_breast_cancer, {"max_iter": 40}),
        (datasets.load_wine, {"max_iter": 40}),
        (datasets.load_digits, {"max_iter": 15}),  # ten classes: ten trees per iteration
    ],
    ids=["breast_cancer", "wine", "digits"],
)
def test_classifier_accuracy_matches_scikit_learn(loader, params):
    # Within 1 percentage point on average over 5 seeds (the bar). The trees differ
    # only where scikit-learn's float32 gradients break near-ties another way.
    X, y = loader(return_X_y=True)
    ours, theirs = mean_scores(HistGradientBoostingClassifier, SklearnClassifier, X, y, params)
    assert abs(ours - theirs) <= 0.01, (ours, theirs)


@pytest.mark.parametrize("loss", ["squared_error", "absolute_error"])
def test_regressor_r2_matches_scikit_learn(loss):
    X, y = datasets.load_diabetes(return_X_y=True)
    params = {"loss": loss, "max_iter": 40}
    ours, theirs = mean_scores(
        HistGradientBoostingRegressor, SklearnRegressor, X, y, params, stratify=False
    )
    assert abs(ours - theirs) <= 0.01, (ours, theirs)


def test_missing_values_are_learned_like_scikit_learn():
    # 20 % of the entries NaN (the same NaNs for both): within 1.5 points on average. NaN
    # sends samples to the better side, so the model beats imputing nothing at all.
    X, y = datasets.load_breast_cancer(return_X_y=True)
    X = with_nan(X, 0.2, 0)
    params = {"max_iter": 40}
    ours, theirs = mean_scores(HistGradientBoostingClassifier, SklearnClassifier, X, y, params)
    assert abs(ours - theirs) <= 0.015, (ours, theirs)
    assert ours > 0.9


def test_nan_goes_to_the_better_side():
    # y is 1 exactly where x is NaN: the only good split separates NaN from the values.
    rng = np.random.default_rng(0)
    x = rng.standard_normal(400)
    missing = rng.random(400) < 0.3
    x[missing] = np.nan
    X = np.column_stack([x, rng.standard_normal(400)])
    y = missing.astype(int)
    model = HistGradientBoostingClassifier(max_iter=5).fit(X, y)
    assert model.score(X, y) == 1.0
    root = 0
    assert model.nodes_feature_[root] == 0 and np.isinf(model.nodes_threshold_[root])


def test_nan_at_predict_without_nan_in_fit_goes_to_the_larger_child():
    X, y = datasets.load_breast_cancer(return_X_y=True)
    ours = HistGradientBoostingClassifier(max_iter=10, random_state=0).fit(X, y)
    theirs = SklearnClassifier(max_iter=10, random_state=0).fit(X, y)
    X_test = with_nan(X, 0.3, 2)
    agreement = np.mean(ours.predict(X_test) == theirs.predict(X_test))
    assert agreement >= 0.98  # the same rule; the trees themselves differ on near-ties


# --- early stopping, backends, persistence --------------------------------------------------


def test_early_stopping_stops_by_scikit_learns_rule():
    X, y = datasets.make_classification(3000, 10, n_informative=4, flip_y=0.2, random_state=0)
    model = HistGradientBoostingClassifier(
        max_iter=500, early_stopping=True, n_iter_no_change=5, learning_rate=0.5, random_state=0
    ).fit(X, y)
    assert model.do_early_stopping_ and 5 < model.n_iter_ < 500
    scores = model.validation_score_
    assert len(scores) == model.n_iter_ + 1 == len(model.train_score_)
    # Stopped: none of the last 5 scores beats the one before them by more than tol ...
    assert np.all(scores[-5:] <= scores[-6] + model.tol)
    # ... and not earlier.
    for end in range(6, len(scores)):
        assert np.any(scores[end - 5 : end] > scores[end - 6] + model.tol)
    theirs = SklearnClassifier(
        max_iter=500, early_stopping=True, n_iter_no_change=5, learning_rate=0.5, random_state=0
    ).fit(X, y)
    assert theirs.n_iter_ < 500  # scikit-learn stops too (its validation split differs)


def test_auto_early_stopping_only_above_10000_samples():
    X, y = datasets.make_regression(2000, 5, random_state=0)
    model = HistGradientBoostingRegressor(max_iter=5).fit(X, y)
    assert not model.do_early_stopping_ and model.n_iter_ == 5
    assert model.train_score_.shape == (0,)


@pytest.mark.parametrize("nan", [False, True])
def test_sklearn_backend_predicts_as_scikit_learn(nan):
    # Its trees copied into glassbox's flat arrays and walked by glassbox's predict: the same
    # floating-point sums in the same order, so equal to rounding.
    X, y = datasets.load_wine(return_X_y=True)
    if nan:
        X = with_nan(X, 0.1, 0)
    ours = HistGradientBoostingClassifier(max_iter=20, backend="sklearn", random_state=0)
    theirs = SklearnClassifier(max_iter=20, random_state=0)
    ours.fit(X, y)
    theirs.fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-12)
    assert ours.n_iter_ == theirs.n_iter_ == 20


def test_save_load_with_nan_and_many_classes(tmp_path):
    X, y = datasets.load_iris(return_X_y=True)
    X = with_nan(X, 0.2, 0)
    model = HistGradientBoostingClassifier(max_iter=15).fit(X, y)
    loaded = glassbox.load(glassbox.save(model, tmp_path / "hgb.gbx"))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert model.n_trees_per_iteration_ == 3 and len(model.tree_offsets_) == 3 * 15 + 1


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, message",
    [
        ({"max_iter": 0}, r"max_iter must be an int >= 1; got 0"),
        ({"max_bins": 256}, r"max_bins must be <= 255"),
        ({"learning_rate": 0.0}, r"learning_rate must be a finite number > 0"),
        ({"max_leaf_nodes": 1}, r"max_leaf_nodes must be an int >= 2 or None"),
        ({"max_depth": 0}, r"max_depth must be an int >= 1 or None"),
        ({"min_samples_leaf": 0}, r"min_samples_leaf must be an int >= 1"),
        ({"l2_regularization": -1.0}, r"l2_regularization must be a finite number >= 0"),
        ({"loss": "hinge"}, r"loss must be one of \['log_loss'\]"),
        ({"early_stopping": "yes"}, r"early_stopping must be 'auto', True or False"),
        ({"validation_fraction": 1.5}, r"validation_fraction must be None, a float in \(0, 1\)"),
        ({"scoring": "accuracy"}, r"scoring must be 'loss'"),
        ({"backend": "torch"}, r"backend must be one of \['numpy', 'sklearn'\]"),
    ],
)
def test_bad_parameters_get_clear_errors(params, message):
    X, y = datasets.load_iris(return_X_y=True)
    with pytest.raises(ValueError, match=message):
        HistGradientBoostingClassifier(**params).fit(X, y)


def test_bad_data_gets_clear_errors():
    X, y = datasets.load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="only one class: 0"):
        HistGradientBoostingClassifier().fit(X, np.zeros(len(X), dtype=int))
    with pytest.raises(TypeError, match="y has a string dtype"):
        HistGradientBoostingRegressor().fit(X, np.array(["a", "b", "c"] * 50))
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        HistGradientBoostingClassifier().fit(X, X[:, 0])
    with pytest.raises(ValueError, match=r"fits one target; y has shape \(150, 2\)"):
        HistGradientBoostingRegressor().fit(X, X[:, :2])
    X_inf = X.copy()
    X_inf[0, 1] = np.inf
    with pytest.raises(ValueError, match="NaN is accepted here as a missing value, but infin"):
        HistGradientBoostingRegressor().fit(X_inf, y)
    with pytest.raises(ValueError, match="leaves 0 training sample"):
        HistGradientBoostingClassifier(early_stopping=True, validation_fraction=150).fit(X, y)


def test_other_estimators_point_to_the_nan_aware_ones():
    X, y = datasets.load_diabetes(return_X_y=True)
    X = with_nan(X, 0.1, 0)
    with pytest.raises(ValueError, match="HistGradientBoostingRegressor, which handle NaN"):
        glassbox.LinearRegression().fit(X, y)


def test_a_tree_that_cannot_split_is_one_leaf_over_every_sample():
    # No thresholds at all (one value per feature): the root is the only leaf, it holds every
    # sample (the training predictions move with it) and its value is eq. (5)'s Newton step.
    from glassbox.trees.hist_grower import GrowthLimits, grow_tree

    X = np.ones((50, 2))
    bins = find_bins(X, 255, rng=np.random.default_rng(0))
    codes = np.asfortranarray(bin_data(X, bins))
    g, h = np.linspace(-1.0, 2.0, 50), np.full(50, 0.25)
    limits = GrowthLimits(31, None, 5, l2_regularization=1.0, learning_rate=0.1)
    finder = SplitFinder(
        bins.n_bins_non_missing,
        np.zeros(2, bool),
        2,
        **{"l2_regularization": 1.0, "min_samples_leaf": 5, "min_hessian": 1e-3},
    )
    build = HistogramBuilder(codes, bins.missing_bin, 2, None)
    tree = grow_tree(codes, build, g, h, None, bins, np.zeros(2, bool), limits, finder)
    assert tree.leaf_nodes == [0]
    np.testing.assert_array_equal(tree.leaf_rows[0], np.arange(50))
    assert tree.value[0] == pytest.approx(-0.1 * g.sum() / (h.sum() + 1.0), rel=1e-12)
