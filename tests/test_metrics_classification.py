"""Classification metrics against sklearn.metrics."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from glassbox import metrics as gm

RNG = np.random.default_rng(0)
N = 200
Y_BIN = RNG.integers(0, 2, N)
P_BIN = np.clip(0.35 * Y_BIN + 0.65 * RNG.uniform(size=N), 0.0, 1.0)
PRED_BIN = (P_BIN > 0.5).astype(int)
Y_MULTI = RNG.integers(0, 4, N)
SCORES = RNG.dirichlet(np.ones(4), N) + 0.5 * np.eye(4)[Y_MULTI]
PROBA = SCORES / SCORES.sum(axis=1, keepdims=True)
PRED_MULTI = np.where(RNG.uniform(size=N) < 0.6, Y_MULTI, RNG.integers(0, 4, N))
WEIGHTS = RNG.uniform(0.1, 3.0, N)
NAMES = np.array(["ant", "bee", "cat", "dog"])

# Every metric here is a finite sum of the same terms in a different order: 1e-12.
TOL = 1e-12


@pytest.mark.parametrize("weights", [None, WEIGHTS])
def test_accuracy_and_confusion_matrix(weights):
    assert gm.accuracy_score(Y_MULTI, PRED_MULTI, sample_weight=weights) == pytest.approx(
        skm.accuracy_score(Y_MULTI, PRED_MULTI, sample_weight=weights), abs=TOL
    )
    assert gm.accuracy_score(Y_MULTI, PRED_MULTI, normalize=False) == skm.accuracy_score(
        Y_MULTI, PRED_MULTI, normalize=False
    )
    ours = gm.confusion_matrix(NAMES[Y_MULTI], NAMES[PRED_MULTI], sample_weight=weights)
    theirs = skm.confusion_matrix(NAMES[Y_MULTI], NAMES[PRED_MULTI], sample_weight=weights)
    np.testing.assert_allclose(ours, theirs, atol=TOL)
    for normalize in ["true", "pred", "all"]:
        np.testing.assert_allclose(
            gm.confusion_matrix(Y_MULTI, PRED_MULTI, normalize=normalize),
            skm.confusion_matrix(Y_MULTI, PRED_MULTI, normalize=normalize),
            atol=TOL,
        )
    np.testing.assert_array_equal(
        gm.confusion_matrix(Y_MULTI, PRED_MULTI, labels=[3, 1]),
        skm.confusion_matrix(Y_MULTI, PRED_MULTI, labels=[3, 1]),
    )


@pytest.mark.parametrize("name", ["precision_score", "recall_score", "f1_score"])
@pytest.mark.parametrize("average", ["macro", "micro", "weighted", None])
@pytest.mark.parametrize("weights", [None, WEIGHTS])
def test_precision_recall_f1_multiclass(name, average, weights):
    ours = getattr(gm, name)(Y_MULTI, PRED_MULTI, average=average, sample_weight=weights)
    theirs = getattr(skm, name)(Y_MULTI, PRED_MULTI, average=average, sample_weight=weights)
    np.testing.assert_allclose(ours, theirs, atol=TOL)


@pytest.mark.parametrize("name", ["precision_score", "recall_score", "f1_score"])
def test_precision_recall_f1_binary(name):
    ours = getattr(gm, name)(Y_BIN, PRED_BIN, sample_weight=WEIGHTS)
    theirs = getattr(skm, name)(Y_BIN, PRED_BIN, sample_weight=WEIGHTS)
    assert ours == pytest.approx(theirs, abs=TOL)
    labels = np.array(["no", "yes"])
    ours = getattr(gm, name)(labels[Y_BIN], labels[PRED_BIN], pos_label="no")
    theirs = getattr(skm, name)(labels[Y_BIN], labels[PRED_BIN], pos_label="no")
    assert ours == pytest.approx(theirs, abs=TOL)


def test_zero_division_and_bad_average():
    y_true = np.array([0, 0, 1, 1])
    y_pred = np.zeros(4, dtype=int)
    assert gm.precision_score(y_true, y_pred, zero_division=0.0) == 0.0
    with pytest.warns(UserWarning, match="ill-defined"):
        gm.precision_score(y_true, y_pred)
    with pytest.raises(ValueError, match="Target is multiclass but average='binary'"):
        gm.f1_score(Y_MULTI, PRED_MULTI)


@pytest.mark.parametrize("weights", [None, WEIGHTS])
def test_log_loss(weights):
    assert gm.log_loss(Y_BIN, P_BIN, sample_weight=weights) == pytest.approx(
        skm.log_loss(Y_BIN, y_proba=P_BIN, sample_weight=weights), rel=TOL
    )
    assert gm.log_loss(NAMES[Y_MULTI], PROBA, sample_weight=weights) == pytest.approx(
        skm.log_loss(NAMES[Y_MULTI], y_proba=PROBA, sample_weight=weights), rel=TOL
    )
    # probabilities of exactly 0 and 1 are clipped, never -inf
    assert np.isfinite(gm.log_loss([0, 1], [1.0, 0.0]))
    with pytest.raises(ValueError, match="do not sum to one"):
        gm.log_loss(Y_MULTI, PROBA * 2)


@pytest.mark.parametrize("weights", [None, WEIGHTS])
def test_roc_auc(weights):
    assert gm.roc_auc_score(Y_BIN, P_BIN, sample_weight=weights) == pytest.approx(
        skm.roc_auc_score(Y_BIN, P_BIN, sample_weight=weights), abs=TOL
    )
    tied = np.round(P_BIN, 1)  # many ties: each tie counts one half
    assert gm.roc_auc_score(Y_BIN, tied) == pytest.approx(skm.roc_auc_score(Y_BIN, tied), abs=TOL)
    for average in ["macro", "weighted"]:
        ours = gm.roc_auc_score(
            Y_MULTI, PROBA, multi_class="ovr", average=average, sample_weight=weights
        )
        theirs = skm.roc_auc_score(
            Y_MULTI, PROBA, multi_class="ovr", average=average, sample_weight=weights
        )
        assert ours == pytest.approx(theirs, abs=TOL)


def test_roc_auc_errors():
    with pytest.raises(ValueError, match="Only one class is present"):
        gm.roc_auc_score(np.zeros(5), np.arange(5.0))
    with pytest.raises(ValueError, match="multi_class must be in"):
        gm.roc_auc_score(Y_MULTI, PROBA)
