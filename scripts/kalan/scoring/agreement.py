"""Agreement between two observers on 0/1/2 scores: Cohen's kappa, unweighted and linearly weighted,
and the pooled kappa over several behaviours (de Vries, Elliott, Kanouse and Teleki 2008, « Using pooled
kappa to summarize interrater agreement across many items », Field Methods 20(3))."""

from __future__ import annotations

import math

import numpy as np

CATEGORIES = (0, 1, 2)


def contingency(first: list[int], second: list[int]) -> np.ndarray:
    """3 × 3 table of counts: rows the first observer's score 0/1/2, columns the second's."""
    table = np.zeros((len(CATEGORIES), len(CATEGORIES)))
    np.add.at(table, (np.asarray(first, dtype=int), np.asarray(second, dtype=int)), 1)
    return table


def _agreement_weights(weighting: str) -> np.ndarray:
    k = len(CATEGORIES)
    i, j = np.indices((k, k))
    if weighting == "linear":
        return 1 - np.abs(i - j) / (k - 1)  # 1 on the diagonal, 0.5 one score apart, 0 for 0 against 2
    return (i == j).astype(float)


def observed_expected(table: np.ndarray, weighting: str = "none") -> tuple[float, float]:
    """Observed and chance agreement (weighted) of a contingency table; NaN for an empty table."""
    n = table.sum()
    if n == 0:
        return math.nan, math.nan
    p = table / n
    weights = _agreement_weights(weighting)
    return float((weights * p).sum()), float((weights * np.outer(p.sum(axis=1), p.sum(axis=0))).sum())


def kappa_from(observed: float, expected: float) -> float:
    if math.isnan(observed) or math.isnan(expected) or expected >= 1:
        return math.nan  # both observers always gave the same single score: kappa is undefined
    return (observed - expected) / (1 - expected)


def cohen_kappa(table: np.ndarray, weighting: str = "none") -> float:
    """Cohen's kappa of a table; ``weighting="linear"`` gives the linearly weighted kappa."""
    return kappa_from(*observed_expected(table, weighting))


def pooled_kappa(tables: list[np.ndarray], weighting: str = "none") -> float:
    """De Vries et al. (2008): (mean observed − mean chance agreement) / (1 − mean chance agreement)."""
    pairs = [observed_expected(t, weighting) for t in tables if t.sum() > 0]
    if not pairs:
        return math.nan
    return kappa_from(float(np.mean([o for o, _ in pairs])), float(np.mean([e for _, e in pairs])))
