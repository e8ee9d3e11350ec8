"""Figures beyond one pre/post comparison (issue 13): retention at the follow-up test, results by
objective and by module, and the headline indicator per cohort in date order."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kalan.scoring.dataset import MIN_GROUP, Dataset, Phase, parse_day


@dataclass(frozen=True)
class Retention:
    """Post → suivi for the people who sat both (same form, post variant: same items and key)."""

    n: int  # people with a post-test and a follow-up test
    paired: object  # stats.Paired with pre = post-test score, post = follow-up score
    n_passed_post: int  # of those, how many were at the pass mark at the post-test
    still_passing_pct: float  # % of them still at the pass mark at the follow-up
    passed_suivi_pct: float  # % of the n at the pass mark at the follow-up


def retention(data: Dataset) -> Retention | None:
    """None when the database holds no follow-up test of the chosen people."""
    from kalan.scoring import stats

    if data.suivi is None or not data.suivi.codes:
        return None
    qi, si = data.post.index(), data.suivi.index()
    codes = [c for c in data.post.codes if c in si]
    post = data.post.scores[[qi[c] for c in codes]].astype(float)
    suivi = data.suivi.scores[[si[c] for c in codes]].astype(float)
    paired = stats.paired(post, suivi, data.n_items, data.pass_mark)
    passed = post >= data.pass_mark
    still = 100 * float((suivi[passed] >= data.pass_mark).mean()) if passed.any() else math.nan
    return Retention(len(codes), paired, int(passed.sum()), still,
                     100 * float((suivi >= data.pass_mark).mean()) if codes else math.nan)


@dataclass(frozen=True)
class ObjectiveRow:
    level: str  # "objectif" or "module"
    id: str  # M2-O3, or M2
    items: int  # questions of this objective a person answers (one form's, when parallel forms are pooled)
    pct: dict[str, float]  # phase → % of correct answers (all answers of the phase's sitters to these items)
    n: dict[str, int]  # phase → people who sat it


def module_of(objective: str) -> str:
    """M2-O3 → M2 (an objective id starts with its module)."""
    return objective.split("-", 1)[0].split(".", 1)[0]


def phases(data: Dataset) -> list[tuple[str, Phase]]:
    out = [("pre", data.pre), ("post", data.post)]
    if data.suivi is not None and data.suivi.codes:
        out.append(("suivi", data.suivi))
    return out


def objective_rows(data: Dataset) -> list[ObjectiveRow]:
    """% correct per objective then per module, for each phase (blank and multiple count as wrong)."""
    objectives = [objective for _, objective in data.items]
    rows = []
    for level, labels in (("objectif", objectives), ("module", [module_of(o) for o in objectives])):
        for name in dict.fromkeys(sorted(labels)):
            columns = [j for j, label in enumerate(labels) if label == name]
            pct, n, per_person = {}, {}, len(columns)
            for phase, sitting in phases(data):
                block = sitting.correct[:, columns]
                if sitting.asked is None:
                    asked, n[phase] = block.size, len(sitting.codes)
                else:  # parallel forms pooled: only the questions each person had
                    mask = sitting.asked[:, columns]
                    asked, n[phase] = int(mask.sum()), int(mask.any(axis=1).sum())
                    if len(mask):
                        per_person = int(mask.sum(axis=1).max())
                pct[phase] = 100 * float(block.sum()) / asked if asked else math.nan
            rows.append(ObjectiveRow(level, name, per_person, pct, n))
    return rows


@dataclass(frozen=True)
class CohortRow:
    cohort: str
    start: str  # earliest test date of the cohort (AAAA-MM-JJ), "" when no date was captured
    n_post: int
    indicator: float  # % at the pass mark at the post-test (NaN under MIN_GROUP people)
    mean_gain: float  # paired, NaN under MIN_GROUP pairs
    n_suivi: int
    still_passing_pct: float  # retention (NaN without follow-up or under MIN_GROUP)


def cohort_rows(data: Dataset) -> list[CohortRow]:
    """The headline indicator per cohort, in the order the cohorts were trained (first test date)."""
    by_cohort: dict[str, list[str]] = {}
    for code, person in data.participants.items():
        by_cohort.setdefault(person["cohort"], []).append(code)
    qi, pi = data.post.index(), data.pre.index()
    si = data.suivi.index() if data.suivi is not None else {}
    paired = set(data.paired_codes)
    rows = []
    for cohort, members in by_cohort.items():
        days = [d for phase in (data.pre, data.post) for c in members
                if (d := parse_day(phase.dates.get(c, ""))) is not None]
        post = np.array([data.post.scores[qi[c]] for c in members if c in qi], dtype=float)
        pairs = [c for c in members if c in paired]
        gain = np.array([data.post.scores[qi[c]] - data.pre.scores[pi[c]] for c in pairs], dtype=float)
        followed = [c for c in members if c in qi and c in si and data.post.scores[qi[c]] >= data.pass_mark]
        kept = np.array([data.suivi.scores[si[c]] >= data.pass_mark for c in followed]) if followed else None
        rows.append(CohortRow(
            cohort, min(days).isoformat() if days else "", len(post),
            100 * float((post >= data.pass_mark).mean()) if len(post) >= MIN_GROUP else math.nan,
            float(gain.mean()) if len(pairs) >= MIN_GROUP else math.nan,
            sum(1 for c in members if c in si),
            100 * float(kept.mean()) if kept is not None and len(followed) >= MIN_GROUP else math.nan))
    return sorted(rows, key=lambda r: (r.start == "", r.start, r.cohort))
