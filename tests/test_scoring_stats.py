"""Statistics of the report, checked against scipy on known data (to 1e-9)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from kalan.scoring import stats


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(274)
    ability = rng.normal(0, 1, 274)
    difficulty = rng.normal(0, 1, 20)
    pre = (rng.random((274, 20)) < 1 / (1 + np.exp(-(ability[:, None] - difficulty - 0.3)))).astype(int)
    post = (rng.random((274, 20)) < 1 / (1 + np.exp(-(ability[:, None] - difficulty + 0.9)))).astype(int)
    return pre, post


def test_paired_t_test_and_interval(sample):
    pre, post = (m.sum(axis=1) for m in sample)
    result = stats.paired(pre, post, 20, 15)
    reference = sps.ttest_rel(post, pre)
    low, high = sps.t.interval(0.95, len(pre) - 1, loc=(post - pre).mean(), scale=sps.sem(post - pre))
    assert result.t == pytest.approx(reference.statistic, abs=1e-9)
    assert result.p_t == pytest.approx(reference.pvalue, abs=1e-9)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=1e-9)
    assert result.effect_dz == pytest.approx((post - pre).mean() / (post - pre).std(ddof=1), abs=1e-9)
    assert result.improved_pct == pytest.approx(100 * np.mean(post > pre), abs=1e-9)
    assert result.passed_post_pct == pytest.approx(100 * np.mean(post >= 15), abs=1e-9)


def test_wilcoxon_matches_scipy_normal_approximation(sample):
    pre, post = (m.sum(axis=1) for m in sample)
    ours = stats.wilcoxon(pre, post)
    reference = sps.wilcoxon(post, pre, zero_method="wilcox", method="approx", correction=False)
    assert ours.w == pytest.approx(reference.statistic, abs=1e-9)
    assert ours.p == pytest.approx(reference.pvalue, abs=1e-9)
    assert ours.z == pytest.approx(abs(reference.zstatistic), abs=1e-9)


def test_rankdata_and_exact_mcnemar(sample):
    pre, post = sample
    values = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5])
    assert stats.rankdata(values) == pytest.approx(sps.rankdata(values), abs=1e-12)
    for j in range(5):
        b, c, p = stats.mcnemar_exact(pre[:, j], post[:, j])
        assert b == int(((pre[:, j] == 0) & (post[:, j] == 1)).sum())
        assert p == pytest.approx(sps.binomtest(b, b + c, 0.5).pvalue, abs=1e-9)
    assert stats.mcnemar_exact(np.array([1, 0]), np.array([1, 0])) == (0, 0, 1.0)


def test_kr20_sem_and_item_statistics(sample):
    pre, _ = sample
    k = pre.shape[1]
    p = pre.mean(axis=0)
    expected = k / (k - 1) * (1 - (p * (1 - p)).sum() / pre.sum(axis=1).var())
    alpha = k / (k - 1) * (1 - pre.var(axis=0).sum() / pre.sum(axis=1).var())  # Cronbach, same ddof
    result = stats.summary(pre)
    assert result.kr20 == pytest.approx(expected, abs=1e-9) == pytest.approx(alpha, abs=1e-9)
    assert result.sem == pytest.approx(pre.sum(axis=1).std() * math.sqrt(1 - expected), abs=1e-9)
    assert result.sd == pytest.approx(pre.sum(axis=1).std(ddof=1), abs=1e-9)
    rest = stats.item_rest(pre)
    for j in range(k):
        reference = sps.pearsonr(pre[:, j], pre.sum(axis=1) - pre[:, j]).statistic
        assert rest[j] == pytest.approx(reference, abs=1e-9)


def test_upper_lower_index_on_known_data():
    # 10 people with rising totals; item 0 is right for the 3 best only. With 27 % groups
    # (3 people each), the upper group is all right and the lower group all wrong: D = 1.
    person = np.arange(10)
    other_items = (person[:, None] > np.arange(9)).astype(int)
    item0 = (person >= 7).astype(int)
    matrix = np.column_stack([item0, other_items])
    assert stats.upper_lower(matrix)[0] == pytest.approx(1.0)
    assert stats.upper_lower(matrix[:, ::-1])[-1] == pytest.approx(1.0)


def test_hake_gain_by_hand():
    pre, post = np.array([10.0, 15.0, 20.0]), np.array([16.0, 20.0, 20.0])
    class_g, mean_g, excluded = stats.hake(pre, post, 20)
    assert class_g == pytest.approx((56 / 0.6 - 45 / 0.6) / (100 - 45 / 0.6), abs=1e-9)
    assert mean_g == pytest.approx(np.mean([6 / 10, 5 / 5]), abs=1e-9)
    assert excluded == 1
