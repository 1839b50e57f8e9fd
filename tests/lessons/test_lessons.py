"""The lessons run top to bottom in a fresh kernel, and lesson 1 reproduces its known results."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import numpy as np
import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))


@functools.cache
def execute(path: Path):
    """Run the notebook once per test session in a fresh kernel (later tests read its outputs).

    The kernel imports glassbox from this checkout's ``src`` and draws figures off-screen.
    """
    notebook = nbformat.read(path, as_version=4)
    paths = [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    environment = {"MPLBACKEND": "Agg", "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)  # the kernel inherits the environment when it starts
    try:
        client = nbclient.NotebookClient(
            notebook,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": path.parent}},
        )
        client.execute()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return notebook


def lesson(prefix: str) -> Path:
    return next(p for p in LESSONS if p.name.startswith(prefix))


def number(pattern: str, text: str) -> float:
    """The number captured by ``pattern`` in the printed text (fails if it is missing)."""
    match = re.search(pattern, text)
    assert match, f"expected a line matching {pattern!r} in the lesson's output"
    return float(match.group(1))


def printed(notebook) -> str:
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.get("name") == "stdout"
    )


def test_there_are_lessons():
    assert LESSONS


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name}: strip outputs before committing (python lessons/render.py --strip)"
            )


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_top_to_bottom(path):
    execute(path)  # any error in any cell fails here, with the cell's traceback


def test_lesson_one_reproduces_the_classic_numbers():
    text = printed(execute(lesson("01_")))
    assert "train MSE 0.03, test MSE 0.01" in text
    assert "slope 3.4242, intercept 7.7823" in text
    exact = re.search(r"exact least squares: y = ([\d.]+) x \+ ([\d.]+)", text)
    descent = re.search(r"glassbox batch GD:   y = ([\d.]+) x \+ ([\d.]+)", text)
    assert exact and descent
    assert exact.groups() == ("3.4242", "7.7823") == descent.groups()


def test_lesson_two_pytorch_lands_near_lesson_one_and_the_backends_agree():
    text = printed(execute(lesson("02_")))
    # Lesson 1's numbers, recomputed in the lesson: its GD and the exact least-squares line.
    assert "exact least squares: y = 3.4242 x + 7.7823" in text
    assert "lesson 1 (GD):       y = 3.4242 x + 7.7823" in text
    # autograd's gradient is lesson 1's hand-derived one (both printed to 6 decimals).
    for name in ("W", "b"):
        autograd = number(rf"∂J/∂{name}: autograd (\S+),", text)
        assert autograd == number(rf"∂J/∂{name}: autograd \S+, by hand (\S+)\n", text)
    # Adam after 100 epochs (float32) sits near lesson 1's line, not on it: 0.02 off in the
    # slope and 0.4 in the intercept here; the bounds leave room for other platforms' rounding.
    slope = number(r"PyTorch \(Adam\): +y = ([\d.]+) x", text)
    intercept = number(r"PyTorch \(Adam\): +y = [\d.]+ x \+ ([\d.]+)", text)
    assert abs(slope - 3.4242) < 0.05 and abs(intercept - 7.7823) < 1.0
    # GD contracts by 0.8 per epoch (0.8^100 ≈ 2e-10); Adam is still 5e-3 away.
    assert number(r"gradient descent (\S+), Adam", text) < 1e-8
    assert number(r"gradient descent \S+, Adam (\S+)\n", text) > 1e-4
    # glassbox's two engines: plain GD agrees to rounding (float64, 100 epochs, ~1e-15 seen);
    # under Adam the slope does too, while the intercept follows each engine's rounding of a
    # zero gradient, amplified by Adam (0.5% in the loss seen; 5% would be a real mismatch).
    assert number(r"GD: numpy vs torch training loss, .* epochs (\S+)\n", text) <= 1e-10
    assert number(r"Adam: numpy vs torch slope, relative difference (\S+)\n", text) <= 1e-10
    assert number(r"Adam: numpy vs torch training loss, .* epochs (\S+)\n", text) <= 0.05
    assert "glassbox GD, numpy:   y = 3.4242 x + 7.7823" in text
    assert "glassbox GD, torch:   y = 3.4242 x + 7.7823" in text


def test_lesson_three_diverges_on_raw_features_and_converges_standardized():
    from glassbox.datasets import house_prices, train_val_test_split

    text = printed(execute(lesson("03_")))
    assert re.search(
        r"raw features, learning rate 0\.05: DIVERGED in epoch \d+ \(training MSE (nan|inf)\)", text
    )
    assert "glassbox on raw features: Gradient descent diverged" in text
    constant = number(
        r"standardized features, learning rate 0\.05: converged, training RMSE ([\d.]+)", text
    )
    decaying = number(
        r"standardized, decaying learning rate: converged, training RMSE ([\d.]+)", text
    )

    # Independent reference: the least-squares RMSE of the same houses by numpy's lstsq.
    houses = house_prices(n_samples=200, random_state=0)
    X_train, _, _, y_train, _, _ = train_val_test_split(
        houses.X, houses.y, val_size=0.0, test_size=0.2, random_state=0
    )
    design = np.column_stack([X_train, np.ones(len(X_train))])
    solution = np.linalg.lstsq(design, y_train, rcond=None)[0]
    best = float(np.sqrt(np.mean((y_train - design @ solution) ** 2)))  # root of the MEAN
    # The table prints three decimals (rounding ≤ 5e-4); SVRG stops at its tol, 1e-3 further.
    assert number(r"exact least squares .* ([\d.]+) +[\d.]+\n", text) == pytest.approx(
        best, abs=6e-4
    )
    assert number(r"glassbox svrg .* ([\d.]+) +[\d.]+\n", text) == pytest.approx(best, abs=2e-3)
    # Constant steps stall at a noise floor above the minimum (5% above it here, 10% allowed);
    # the decaying step gets within 0.1% in 40 epochs. Both print two decimals (0.01).
    assert best - 0.01 <= constant <= 1.10 * best
    assert best - 0.01 <= decaying <= 1.001 * best
    # The chain-rule gradient passes the finite-difference check; error x weights fails it.
    assert number(r"chain rule e·x vs finite differences: relative error (\S+) \(w\)", text) < 1e-6
    assert number(r"error × weights vs finite differences: relative error (\S+)\n", text) > 0.1


def test_lesson_five_lasso_is_sparse_and_matches_coordinate_descent():
    text = printed(execute(lesson("05_")))
    assert number(r"Ridge vs eq\. \(4\): +max \|difference\| (\S+)\n", text) < 1e-8
    assert number(r"Ridge vs ElasticNet\(α/n, ρ=0\): max \|difference\| (\S+)\n", text) < 1e-6
    assert number(r"max \|difference\| (\S+); exact zeros", text) < 1e-6
    table = re.findall(r"^ *([\d.]+) +(\d+) +(\d+) +(\d+)$", text, flags=re.MULTILINE)
    counts = np.array([[int(c) for c in row[1:]] for row in table])
    assert len(counts) >= 5
    assert np.all(counts[:, 0] == 10)  # ridge never zeroes a coefficient
    assert counts[0, 1] == 10 and counts[-1, 1] == 0  # the lasso goes from all to none
    assert np.all(np.diff(counts[:, 1]) <= 0)  # and, on this data, drops them as α grows
    lasso_kept = number(r"LassoCV: +α = \S+, (\d+) non-zero", text)
    assert 0 < lasso_kept < 10
    assert number(r"RidgeCV: .*, (\d+) non-zero", text) == 10


def test_lesson_seven_newton_converges_fast_and_glassbox_agrees():
    text = printed(execute(lesson("07_")))
    assert number(r"gradient: relative error (\S+)\n", text) < 1e-6
    assert number(r"Hessian: +relative error (\S+)\n", text) < 1e-6
    assert number(r"Newton converged in (\d+) iterations", text) <= 12
    assert number(r"IRLS step vs Newton step: max \|difference\| (\S+)\n", text) < 1e-8
    # Newton's iterates agree to rounding; L-BFGS stops at tol=1e-8 on a gradient scaled by
    # 1/n, which leaves about 1e-6 in the coefficients.
    assert number(r"glassbox newton: .* = (\S+)\n", text) < 1e-8
    assert number(r"glassbox lbfgs : .* = (\S+)\n", text) < 1e-5
    assert number(r"Newton \(ours\) +([\d.]+)", text) >= 0.95  # test accuracy
    assert number(r"Newton \(ours\) +[\d.]+ +[\d.]+ +([\d.]+)", text) >= 0.99  # ROC AUC


def test_lesson_four_tables_every_existing_cell_and_the_exact_methods_agree():
    from glassbox.registry import available

    text = printed(execute(lesson("04_")))
    methods = ("beta", "normal", "bgd", "sgd", "minibatch")
    engines = ("numpy", "torch", "sklearn")
    rows = re.findall(
        r"^LinearRegression +(\w+) +(\w+) +(\w+) +\S+ +\S+ +\S+ +(\S+)$", text, flags=re.MULTILINE
    )
    expected = {
        (i.method, i.backend)
        for i in available(model="LinearRegression")
        if i.method in methods and i.backend in engines
    }
    assert len(rows) == len(expected)
    assert {(method, engine) for method, engine, _, _ in rows} == expected
    assert all(status == "ok" for _, _, status, _ in rows)
    # Exact methods keep (nearly) all of float64's ~15.9 digits against the reference.
    assert all(float(d) >= 12 for method, _, _, d in rows if method in ("beta", "normal"))
    # Coefficients near 3.5 and 3: rounding differences between solvers are ~1e-14.
    assert number(r"on every engine: max \|coefficient difference\| (\S+)\n", text) < 1e-10
    assert number(r"vs eq\. \(1\) by hand: max \|coefficient difference\| (\S+)\n", text) < 1e-10
    textbook = re.search(r"textbook estimates: +y = (\S+) x \+ (\S+)\n", text)
    normal = re.search(r"normal equation: +y = (\S+) x \+ (\S+)\n", text)
    assert textbook and normal and textbook.groups() == normal.groups()
    # The three combinations scikit-learn lacks are listed, not substituted.
    for method in ("beta", "bgd", "minibatch"):
        assert re.search(rf"^ *{method} sklearn +scikit-learn has no", text, flags=re.MULTILINE)
    assert re.search(r"diverged: .*bs=60,lr=3\.0", text)  # the full batch diverges past η = 2/L


def test_lesson_nine_backprop_by_hand_equals_autograd_and_torch_and_the_network_learns():
    text = printed(execute(lesson("09_")))
    # Hand-written and autodiff gradients are the same formulas in another order: ~1e-17.
    hand = re.findall(r"largest difference autograd vs hand = (\S+)\n", text)
    torch_diffs = re.findall(r"largest difference autograd vs PyTorch = (\S+)\n", text)
    assert len(hand) == 4 and all(float(d) < 1e-14 for d in hand)
    assert len(torch_diffs) == 4 and all(float(d) < 1e-12 for d in torch_diffs)
    assert number(r"hand-written vs finite differences: (\S+)\n", text) < 1e-5
    # 25 epochs of Adam on 1,258 digits: a 64-32-10 network reaches ~97% held out.
    assert number(r"test accuracy after \d+ epochs: (\S+)\n", text) > 0.95
    he_last = re.search(r"He: N\(0, 2/d\): std after layers 1, 5, 10 = \S+, \S+, (\S+)\n", text)
    naive_last = re.search(r"N\(0, 1\): std after layers 1, 5, 10 = \S+, \S+, (\S+)\n", text)
    assert he_last and naive_last and float(naive_last.group(1)) > 1e4 * float(he_last.group(1))


def test_lesson_eight_trees_split_prune_bag_and_boost_like_scikit_learn():
    text = printed(execute(lesson("08_")))
    # Impurity by hand equals scikit-learn's root impurity (printed to 12 decimals).
    for name in ("gini", "entropy"):
        ours = number(rf"root +{name}: ours (\S+),", text)
        assert ours == number(rf"root +{name}: ours \S+, scikit-learn (\S+)\n", text)
    # The cumulative-sum split search finds scikit-learn's root split.
    by_hand = re.search(r"best split: (x\d) <= (\S+),", text)
    reference = re.search(r"scikit-learn: +(x\d) <= (\S+)\n", text)
    assert by_hand and reference and by_hand.groups() == reference.groups()
    assert "every depth: the same tree as scikit-learn" in text
    # Overfitting: the full tree is perfect on its training data, not on the test set.
    assert number(r"max_depth=None: +\d+ nodes, train accuracy (\S+),", text) == 1.0
    # Eq. (4)'s weakest link is the first effective alpha; the pruning paths agree exactly
    # (same tree, same sums in the same order).
    assert number(r"weakest link by hand: g = (\S+);", text) == number(
        r"first effective alpha on the path: (\S+)\n", text
    )
    assert (
        number(r"pruning path: \d+ alphas, max \|glassbox − scikit-learn\| = (\S+)\n", text) < 1e-12
    )
    assert number(r"chosen alpha \S+: (\d+) leaves", text) < number(
        r"leaves instead of (\d+);", text
    )
    # Bagging helps a deep tree; the two forests differ tree by tree but not in accuracy.
    assert number(r"bagged trees \(by hand\): (\S+)\n", text) >= number(
        r"one full tree: test accuracy (\S+);", text
    )
    assert number(r"random forest test accuracy: glassbox (\S+),", text) > 0.85
    # Boosting by hand is glassbox's, which is scikit-learn's, to rounding (~1e-16 seen).
    assert number(r"by hand vs glassbox: +max \|difference\| (\S+)\n", text) < 1e-10
    assert number(r"glassbox vs scikit-learn: max \|difference\| (\S+)\n", text) < 1e-10
    assert number(r"max \|probability difference\| (\S+)\n", text) < 1e-10


def test_lesson_zero_checks_each_foundation_against_an_independent_reference():
    text = printed(execute(lesson("00_")))
    # Factorizations leave rounding-level residuals; the computed inverse does not.
    lu = number(r"LU by hand: relative error \S+, max residual (\S+)\n", text)
    inverse = number(r"inverse: relative error \S+, max residual (\S+)\n", text)
    assert lu < 1e-14 and inverse > 100 * lu
    # Every method is within 10 κ ε of the exact (rational) solution of the stored system.
    kappa_epsilon = number(r"κ · ε = (\S+):", text)
    for error in re.findall(r"relative error (\S+), max residual", text):
        assert float(error) < 10 * kappa_epsilon
    power = number(r"power iteration: λ₁ = (\S+),", text)
    assert power == pytest.approx(number(r"eigh: (\S+)\n", text), abs=1e-10)  # 12 decimals
    # Central differences at h = 1e-5: O(h²) + O(ε/h) ≈ 1e-10 at worst for this loss.
    assert number(r"chain rule vs finite differences \(h = 1e-5\): max error (\S+);", text) < 1e-9
    assert number(r"KS distance to N\(0, 1\) (\S+)\n", text) < 0.05
    assert "Var = 35/12 exactly" in text
    # Maximum likelihood under Gaussian noise is least squares; under Bernoulli, the log loss.
    # BFGS stops at a gradient of 1e-8 (~1e-7 in w); 1e-5 leaves room for the rounding.
    mle = re.search(r"maximum likelihood w: \[(.*)\]\n", text)
    lstsq = re.search(r"least squares w: +\[(.*)\] \(glassbox", text)
    assert mle and lstsq
    assert np.allclose(
        np.fromstring(mle.group(1), sep=" "), np.fromstring(lstsq.group(1), sep=" "), atol=1e-5
    )
    assert number(r"log loss: max \|difference\| (\S+)\n", text) < 1e-4


def test_lesson_ten_sequence_layers_equal_hand_and_torch_and_the_lstm_remembers():
    text = printed(execute(lesson("10_")))
    # The layers and the hand-written loops compute the same sums: rounding only.
    for what in (
        "conv1d vs PyTorch",
        "conv1d vs hand",
        "glassbox RNN vs hand",
        "glassbox RNN vs PyTorch",
        "glassbox LSTM vs hand",
        "glassbox LSTM vs PyTorch",
    ):
        assert number(rf"largest difference {what}\s*= (\S+)\n", text) < 1e-12
    assert number(r"largest gradient difference vs PyTorch = (\S+)\n", text) < 1e-11
    # Central differences at h = 1e-6 carry ~1e-9 relative error on these sums of squares.
    assert number(r"BPTT vs finite differences: (\S+)\n", text) < 1e-6
    # Vanishing gradients: the tanh RNN loses far more over 100 steps than the LSTM.
    rnn = number(r"RNN : gradient at t=0 / at t=T-1 = (\S+)\n", text)
    lstm = number(r"LSTM: gradient at t=0 / at t=T-1 = (\S+)\n", text)
    assert rnn < 1e-8 and lstm > 1e4 * rnn
    assert number(r"Conv1D test accuracy: (\S+) ", text) > 0.95
    # Predicting the mean scores 1/6; a memory of the two marked numbers scores far less.
    assert number(r"adding problem test MSE: (\S+) ", text) < 0.05


def test_lesson_twelve_sweep_checks_itself_and_the_pareto_front_is_the_brute_force_one():
    text = printed(execute(lesson("12_")))
    sweep = re.search(r"validation loss: sweep (\S+), recomputed (\S+)\n", text)
    assert sweep and float(sweep.group(1)) == pytest.approx(float(sweep.group(2)), rel=1e-9)
    # 20 epochs of the best setting on noisy, well-conditioned data: close to the exact fit.
    assert number(r"relative coefficient gap = (\S+)\n", text) < 0.05
    scores = re.search(r"test R²: best descent (\S+), exact (\S+)\n", text)
    assert scores and abs(float(scores.group(1)) - float(scores.group(2))) < 0.01
    assert "front equals the brute-force check: True" in text
    # The exact solvers reach ≥ 12 digits on diabetes; the front holds one of them at least.
    front = re.findall(r"on the front: +\S+ +\S+ ms +(\S+) digits", text)
    assert front and max(float(d) for d in front) >= 12
    assert len(re.findall(r"test R² = \S+ ± \S+ \(mean ± sd over \d+ seeds\)", text)) == 2


def test_lesson_eleven_attention_equals_hand_and_torch_and_the_tiny_gpt_learns():
    text = printed(execute(lesson("11_")))
    for what in ("glassbox vs hand", "glassbox vs PyTorch", "MultiHeadAttention vs PyTorch"):
        assert number(rf"largest difference {what}\s*= (\S+)\n", text) < 1e-12
    assert number(r"sinusoidal table vs eq\. \(3\) =\s*(\S+)\n", text) < 1e-12
    # Central differences at h = 1e-6 carry ~1e-9 relative error.
    assert number(r"attention vs finite differences: (\S+)\n", text) < 1e-6
    # The trained model beats a model that knows only character frequencies.
    unigram = number(r"unigram entropy = (\S+)\n", text)
    assert number(r"final validation loss: (\S+)\n", text) < unigram - 0.5
    assert "same seed, same text: True" in text
