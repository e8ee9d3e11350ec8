"""Classical test theory and pre/post statistics, as pure functions over numpy arrays.

Conventions (stated in the report too): standard deviations of scores and of
gains are sample SDs (n − 1); KR-20 and SEM use population variances (n), as
in the classical formula; item difficulty is the share of correct answers
among those who sat the test, a blank or multiple mark counting as wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special  # distribution functions; scipy.stats costs three times more to import


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float
    sd: float
    kr20: float
    sem: float


@dataclass(frozen=True)
class Paired:
    n: int
    mean_pre: float
    mean_post: float
    mean_gain: float
    sd_gain: float
    ci_low: float
    ci_high: float
    t: float
    df: int
    p_t: float
    wilcoxon_w: float
    p_wilcoxon: float
    effect_dz: float
    rank_biserial: float
    hake_class: float
    hake_mean: float
    hake_excluded: int
    improved_pct: float
    passed_post_pct: float


def kr20(matrix: np.ndarray) -> float:
    """KR-20 of a persons × items 0/1 matrix (population variances)."""
    n, k = matrix.shape
    if n < 2 or k < 2:
        return math.nan
    p = matrix.mean(axis=0)
    total_var = matrix.sum(axis=1).var()
    if total_var == 0:
        return math.nan
    return (k / (k - 1)) * (1 - float((p * (1 - p)).sum()) / float(total_var))


def summary(matrix: np.ndarray, reliability: bool = True) -> Summary:
    """`reliability=False` when the columns are not one form (parallel forms pooled): KR-20 and the
    standard error of measurement are then given per form, not here."""
    totals = matrix.sum(axis=1).astype(float)
    n = len(totals)
    if n == 0:
        return Summary(0, math.nan, math.nan, math.nan, math.nan)
    reliability = kr20(matrix) if reliability else math.nan
    sd = float(totals.std(ddof=1)) if n > 1 else math.nan
    sem = float(totals.std() * math.sqrt(1 - reliability)) if not math.isnan(reliability) and reliability <= 1 \
        else math.nan
    return Summary(n, float(totals.mean()), sd, reliability, sem)


def hake(pre: np.ndarray, post: np.ndarray, maximum: int) -> tuple[float, float, int]:
    """Hake's normalised gain: class-average ⟨g⟩, mean of individual g, and people excluded
    from the individual mean because they already had the maximum at pre-test."""
    pre_pct, post_pct = 100 * pre / maximum, 100 * post / maximum
    class_g = (post_pct.mean() - pre_pct.mean()) / (100 - pre_pct.mean()) if pre_pct.mean() < 100 else math.nan
    room = pre_pct < 100
    individual = (post_pct[room] - pre_pct[room]) / (100 - pre_pct[room])
    return float(class_g), float(individual.mean()) if individual.size else math.nan, int((~room).sum())


@dataclass(frozen=True)
class Wilcoxon:
    w: float  # min(R+, R−)
    z: float
    p: float  # two-sided, normal approximation with tie correction, no continuity correction
    rank_biserial: float  # (R+ − R−) / (R+ + R−)


def rankdata(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties given their average rank (as scipy.stats.rankdata)."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - counts + 1 + ends) / 2)[inverse]


def binom_two_sided_half(b: int, n: int) -> float:
    """Exact two-sided binomial test of b successes in n trials with p = 1/2."""
    if n == 0:
        return 1.0
    return min(1.0, 2 * float(special.bdtr(min(b, n - b), n, 0.5)))


def wilcoxon(pre: np.ndarray, post: np.ndarray) -> Wilcoxon:
    """Wilcoxon signed-rank test on the non-zero differences (zeros dropped, average ranks for ties).

    Integer scores give many ties, where an exact p-value is not available; the
    normal approximation with tie correction is used for every n (scipy's
    ``method="approx"``), and stated in the report.
    """
    d = (post - pre).astype(float)
    d = d[d != 0]
    n = d.size
    if n == 0:
        return Wilcoxon(math.nan, math.nan, math.nan, math.nan)
    ranks = rankdata(np.abs(d))
    plus, minus = float(ranks[d > 0].sum()), float(ranks[d < 0].sum())
    _, ties = np.unique(np.abs(d), return_counts=True)
    variance = n * (n + 1) * (2 * n + 1) / 24 - float((ties ** 3 - ties).sum()) / 48
    z = (plus - n * (n + 1) / 4) / math.sqrt(variance) if variance > 0 else math.nan
    p = float(2 * special.ndtr(-abs(z))) if not math.isnan(z) else math.nan
    return Wilcoxon(min(plus, minus), z, p, (plus - minus) / (plus + minus))


def paired(pre: np.ndarray, post: np.ndarray, maximum: int, pass_mark: int) -> Paired:
    """Pre vs post for the people who sat both (arrays aligned person by person)."""
    pre, post = pre.astype(float), post.astype(float)
    n = len(pre)
    d = post - pre
    mean_gain = float(d.mean()) if n else math.nan
    sd_gain = float(d.std(ddof=1)) if n > 1 else math.nan
    if n > 1 and sd_gain > 0:
        se = sd_gain / math.sqrt(n)
        margin = float(special.stdtrit(n - 1, 0.975)) * se
        t = mean_gain / se
        p_t = float(2 * special.stdtr(n - 1, -abs(t)))
        dz = mean_gain / sd_gain
    else:
        margin = t = p_t = dz = math.nan
    signed = wilcoxon(pre, post)
    g_class, g_mean, g_excluded = hake(pre, post, maximum) if n else (math.nan, math.nan, 0)
    return Paired(
        n=n, mean_pre=float(pre.mean()) if n else math.nan, mean_post=float(post.mean()) if n else math.nan,
        mean_gain=mean_gain, sd_gain=sd_gain, ci_low=mean_gain - margin, ci_high=mean_gain + margin,
        t=t, df=n - 1, p_t=p_t, wilcoxon_w=signed.w, p_wilcoxon=signed.p, effect_dz=dz,
        rank_biserial=signed.rank_biserial,
        hake_class=g_class, hake_mean=g_mean, hake_excluded=g_excluded,
        improved_pct=100 * float((d > 0).mean()) if n else math.nan,
        passed_post_pct=100 * float((post >= pass_mark).mean()) if n else math.nan,
    )


def item_rest(matrix: np.ndarray) -> np.ndarray:
    """Corrected item–rest correlation per item (NaN when the item or the rest is constant)."""
    totals = matrix.sum(axis=1)
    out = np.full(matrix.shape[1], math.nan)
    for j in range(matrix.shape[1]):
        item, rest = matrix[:, j].astype(float), (totals - matrix[:, j]).astype(float)
        if item.std() > 0 and rest.std() > 0:
            out[j] = float(np.corrcoef(item, rest)[0, 1])
    return out


def upper_lower(matrix: np.ndarray, fraction: float = 0.27) -> np.ndarray:
    """p(upper group) − p(lower group); groups are the top and bottom round(27 % × n) by total,
    ties broken by a stable sort on the total (so the rule is the same in every run)."""
    n = matrix.shape[0]
    size = round(fraction * n)
    if size < 1:
        return np.full(matrix.shape[1], math.nan)
    order = np.argsort(matrix.sum(axis=1), kind="stable")
    lower, upper = matrix[order[:size]], matrix[order[-size:]]
    return upper.mean(axis=0) - lower.mean(axis=0)


def mcnemar_exact(pre_correct: np.ndarray, post_correct: np.ndarray) -> tuple[int, int, float]:
    """b = wrong→right, c = right→wrong, and the exact two-sided p-value on the discordant pairs."""
    b = int(((pre_correct == 0) & (post_correct == 1)).sum())
    c = int(((pre_correct == 1) & (post_correct == 0)).sum())
    if b + c == 0:
        return b, c, 1.0
    return b, c, binom_two_sided_half(b, b + c)
