"""Loading scored results from the database into arrays, and computing every figure of the report."""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from kalan.errors import KalanError

GROUPS = (("cohort", "Cohorte"), ("sex", "Sexe"), ("cercle", "Cercle"), ("category", "Catégorie"),
          ("language", "Langue du test (post)"), ("mode", "Mode (post)"))
MIN_GROUP = 5  # groups smaller than this are shown with their size only
TOO_EASY = 0.90
MANY_BLANKS = 0.20


@dataclass
class Phase:
    codes: list[str]
    correct: np.ndarray  # persons × items, 0/1
    marks: np.ndarray  # persons × items, raw marks (str)
    language: dict[str, str]
    mode: dict[str, str]
    dates: dict[str, str] = field(default_factory=dict)  # code → date of the sitting (AAAA-MM-JJ), when known
    # persons × items, True where the item was on the person's form: only for the pooled dataset of
    # parallel forms (kalan.scoring.parallel.pooled_dataset), whose columns are the items of every form.
    asked: np.ndarray | None = None

    @cached_property
    def scores(self) -> np.ndarray:
        return self.correct.sum(axis=1)

    def index(self) -> dict[str, int]:
        return self._index

    @cached_property
    def _index(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.codes)}


@dataclass
class Dataset:
    form_id: str
    items: list[tuple[str, str]]  # (item id, objective) in paper order
    pass_mark: int
    participants: dict[str, dict[str, str]]
    pre: Phase
    post: Phase
    imports: list[tuple] = field(default_factory=list)
    suivi: Phase | None = None  # the retention test (same form, post variant), months after the post-test
    # Parallel forms pooled (kalan.scoring.parallel): each person answers one form of `max_score` items,
    # and `unpaired` holds who sat the same form at pre- and post-test (their gain is not pooled).
    max_score: int | None = None
    unpaired: frozenset[str] = frozenset()
    # (code, phase) sat on two forms of the family: left out of that phase, listed « à vérifier ».
    doubled: frozenset[tuple[str, str]] = frozenset()

    @property
    def cohorts(self) -> list[str]:
        """The cohorts this dataset reports on (the skills section follows them)."""
        return sorted({person["cohort"] for person in self.participants.values()})

    @property
    def pooled(self) -> bool:
        """Several parallel forms in one dataset (kalan.scoring.parallel.pooled_dataset)."""
        return self.max_score is not None

    @property
    def n_items(self) -> int:
        """Questions a person answers (one form's worth, also when several forms are pooled)."""
        return self.max_score or len(self.items)

    @cached_property
    def paired_codes(self) -> list[str]:
        """People who sat both tests, in code order (computed once per report)."""
        post = set(self.post.codes)
        return [c for c in self.pre.codes if c in post and c not in self.unpaired]


def _phase(conn: sqlite3.Connection, form_id: str, phase: str, codes: set[str], items: list[str]) -> Phase:
    sittings = [row for row in conn.execute(
        "SELECT participant, language, mode, variant_id, marks, taken_on FROM sittings "
        "WHERE form_id = ? AND phase = ? "
        "ORDER BY participant", (form_id, phase)) if row[0] in codes]
    keys = {variant: [k for (k,) in conn.execute(
        "SELECT key FROM variant_keys WHERE variant_id = ? ORDER BY position", (variant,))]
        for variant in {row[3] for row in sittings}}
    n = len(items)
    marks = np.array([[m.get(item, "") for item in items] for m in (json.loads(row[4]) for row in sittings)],
                     dtype=object).reshape(len(sittings), n)
    key_rows = np.array([keys[row[3]] for row in sittings], dtype=object).reshape(len(sittings), n)
    correct = (marks == key_rows).astype(np.int8)
    return Phase([row[0] for row in sittings], correct, marks,
                 {row[0]: row[1] for row in sittings}, {row[0]: row[2] for row in sittings},
                 {row[0]: row[5] for row in sittings if row[5]})


def load_dataset(conn: sqlite3.Connection, cohorts: list[str] | None = None,
                 form_id: str | None = None, require_sittings: bool = True) -> Dataset:
    """One form's sittings. The participants are those of the cohorts tested on this form, and of the
    cohorts not tested yet on any form (their people are « without a test »); a cohort tested only on
    other forms is left out. `require_sittings`: refuse `cohorts` that sat no test of this form."""
    forms = [row[0] for row in conn.execute("SELECT DISTINCT form_id FROM sittings ORDER BY form_id")]
    if not forms:
        raise KalanError("aucun résultat dans la base : importez d'abord des réponses (kalan resultats importer)")
    if form_id is None:
        if len(forms) > 1:
            families = sorted({f[:-1] for f in forms if f[-1:] in "AB" and f[:-1] not in forms})
            hint = f" (ou {', '.join(families)} pour regrouper ses formes parallèles)" if families else ""
            raise KalanError(f"plusieurs formulaires dans la base ({', '.join(forms)}) : précisez --formulaire{hint}")
        form_id = forms[0]
    elif form_id.upper() not in forms:
        raise KalanError(f"aucun résultat pour le formulaire {form_id} (formulaires : {', '.join(forms)})")
    form_id = form_id.upper()
    participants = {}
    for code, sex, category, cercle, commune, organisation, cohort, name in conn.execute(
            "SELECT code, sex, category, cercle, commune, organisation, cohort, name FROM participants"):
        if cohorts and cohort not in cohorts:
            continue
        participants[code] = {"sex": sex, "category": category, "cercle": cercle, "commune": commune,
                              "organisation": organisation, "cohort": cohort, "name": name or ""}
    if cohorts and not participants:
        known = [row[0] for row in conn.execute("SELECT code FROM cohorts ORDER BY code")]
        raise KalanError(f"cohorte inconnue : {', '.join(cohorts)} (cohortes : {', '.join(known)})")
    variant = conn.execute("SELECT id, pass_mark FROM variants WHERE form_id = ? AND phase = 'pre'",
                           (form_id,)).fetchone()
    items = list(conn.execute("SELECT item_id, objective FROM variant_keys WHERE variant_id = ? ORDER BY position",
                              (variant[0],)))
    codes = set(participants)
    imports = list(conn.execute("SELECT id, kind, file, format, imported_at, rows, changes FROM imports ORDER BY id"))
    pre, post, suivi = (_phase(conn, form_id, phase, codes, [item for item, _ in items])
                        for phase in ("pre", "post", "suivi"))
    # A cohort tested only on other forms is not « without a test » on this one.
    tested = {participants[c]["cohort"] for phase in (pre, post, suivi) for c in phase.codes}
    elsewhere: dict[str, set[str]] = {}
    for cohort, other in conn.execute(
            "SELECT DISTINCT p.cohort, s.form_id FROM sittings s JOIN participants p ON p.code = s.participant "
            "WHERE s.form_id != ?", (form_id,)):
        elsewhere.setdefault(cohort, set()).add(other)
    participants = {c: p for c, p in participants.items() if p["cohort"] in tested or p["cohort"] not in elsewhere}
    if cohorts and require_sittings and not participants:
        sat = sorted({f for c in cohorts for f in elsewhere.get(c, ())})
        raise KalanError(f"aucun test {form_id} pour la cohorte {', '.join(cohorts)} (formulaire(s) de cette "
                         f"cohorte : {', '.join(sat)})")
    return Dataset(form_id, items, variant[1], participants, pre, post, imports, suivi)


@dataclass(frozen=True)
class GroupRow:
    dimension: str
    value: str
    n_paired: int
    n_post: int
    suppressed: bool
    paired: object | None  # stats.Paired
    passed_post_pct: float


def paired_arrays(data: Dataset, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    pre_index, post_index = data.pre.index(), data.post.index()
    pre = data.pre.scores[[pre_index[c] for c in codes]].astype(float)
    post = data.post.scores[[post_index[c] for c in codes]].astype(float)
    return pre, post


def overall(data: Dataset):
    from kalan.scoring import stats

    pre, post = paired_arrays(data, data.paired_codes)
    return stats.paired(pre, post, data.n_items, data.pass_mark)


def post_pass_pct(data: Dataset, codes: list[str] | None = None) -> float:
    index = data.post.index()
    chosen = [index[c] for c in (codes if codes is not None else data.post.codes) if c in index]
    if not chosen:
        return math.nan
    return 100 * float((data.post.scores[chosen] >= data.pass_mark).mean())


def group_value(data: Dataset, code: str, dimension: str) -> str:
    if dimension == "language":
        return data.post.language.get(code, "")
    if dimension == "mode":
        return data.post.mode.get(code, "")
    return data.participants[code][dimension]


def groups(data: Dataset) -> list[GroupRow]:
    from kalan.scoring import stats

    rows = []
    paired_codes = data.paired_codes
    for dimension, _ in GROUPS:
        values = sorted({group_value(data, c, dimension) for c in data.post.codes} |
                        {group_value(data, c, dimension) for c in paired_codes})
        for value in values:
            members = [c for c in paired_codes if group_value(data, c, dimension) == value]
            post_members = [c for c in data.post.codes if group_value(data, c, dimension) == value]
            small = len(members) < MIN_GROUP
            result = None
            if not small:
                pre, post = paired_arrays(data, members)
                result = stats.paired(pre, post, data.n_items, data.pass_mark)
            rows.append(GroupRow(dimension, value, len(members), len(post_members), small, result,
                                 math.nan if len(post_members) < MIN_GROUP else post_pass_pct(data, post_members)))
    return rows


@dataclass(frozen=True)
class ItemRow:
    item: str
    position: int
    objective: str
    p_pre: float
    p_post: float
    r_pre: float
    r_post: float
    d_pre: float
    d_post: float
    b: int
    c: int
    p_mcnemar: float
    blank_pre: float
    blank_post: float
    multiple_pre: float
    multiple_post: float
    illegible: int
    flags: list[str]


def _share(marks: np.ndarray, column: int, value: str) -> float:
    return float((marks[:, column] == value).mean()) if marks.shape[0] else math.nan


def item_rows(data: Dataset) -> list[ItemRow]:
    from kalan.scoring import stats

    pre, post = data.pre, data.post
    p_pre = pre.correct.mean(axis=0) if len(pre.codes) else np.full(data.n_items, math.nan)
    p_post = post.correct.mean(axis=0) if len(post.codes) else np.full(data.n_items, math.nan)
    r_pre, r_post = stats.item_rest(pre.correct), stats.item_rest(post.correct)
    d_pre, d_post = stats.upper_lower(pre.correct), stats.upper_lower(post.correct)
    paired_codes = data.paired_codes
    pi, qi = pre.index(), post.index()
    pre_rows = pre.correct[[pi[c] for c in paired_codes]] if paired_codes else np.zeros((0, data.n_items))
    post_rows = post.correct[[qi[c] for c in paired_codes]] if paired_codes else np.zeros((0, data.n_items))
    rows = []
    for j, (item, objective) in enumerate(data.items):
        b, c, p = stats.mcnemar_exact(pre_rows[:, j], post_rows[:, j])
        flags = []
        if any(r < 0 for r in (r_pre[j], r_post[j]) if not math.isnan(r)):
            flags.append("discrimination négative : vérifier la clé")
        if not math.isnan(p_pre[j]) and p_pre[j] > TOO_EASY:
            flags.append("trop facile (plus de 90 % de bonnes réponses au pré-test)")
        illegible = int((pre.marks[:, j] == "illisible").sum() + (post.marks[:, j] == "illisible").sum())
        rows.append(ItemRow(item, j + 1, objective, float(p_pre[j]), float(p_post[j]), float(r_pre[j]),
                            float(r_post[j]), float(d_pre[j]), float(d_post[j]), b, c, p,
                            _share(pre.marks, j, "vide"), _share(post.marks, j, "vide"),
                            _share(pre.marks, j, "multiple"), _share(post.marks, j, "multiple"), illegible, flags))
    return rows


PHASE_WORDS = {"pre": "pré-test", "post": "post-test", "suivi": "test de suivi"}


@dataclass(frozen=True)
class FollowUp:
    code: str
    cohort: str
    commune: str
    reason: str
    pre: int | None
    post: int | None
    suivi: int | None = None


def follow_up(data: Dataset, delay_days: int | None = None, today: dt.date | None = None) -> list[FollowUp]:
    """Who needs follow-up: below the pass mark at post-test, a missing pre- or post-test, or — with
    `delay_days` — no retention test although the post-test is more than `delay_days` old."""
    pi, qi = data.pre.index(), data.post.index()
    si = data.suivi.index() if data.suivi is not None else {}
    today = today or dt.date.today()
    rows = []
    for code, person in sorted(data.participants.items(), key=lambda kv: (kv[1]["cohort"], kv[1]["commune"], kv[0])):
        pre = int(data.pre.scores[pi[code]]) if code in pi else None
        post = int(data.post.scores[qi[code]]) if code in qi else None
        suivi = int(data.suivi.scores[si[code]]) if code in si else None
        reasons = []
        twice = [PHASE_WORDS[phase] for phase in ("pre", "post", "suivi") if (code, phase) in data.doubled]
        if twice:
            reasons.append(f"deux formes au {' et au '.join(twice)} : à vérifier")
        elif post is None and pre is None:
            reasons.append("aucun test")
        elif post is None:
            reasons.append("post-test manquant")
        elif post < data.pass_mark:
            reasons.append(f"sous la note de passage au post-test ({post}/{data.n_items})")
        elif pre is None:
            reasons.append("pré-test manquant")
        overdue = _overdue(data, code, delay_days, today) if post is not None and suivi is None else None
        if overdue is not None:
            day = parse_day(data.post.dates[code])
            reasons.append(f"test de suivi en retard (post-test le {day.isoformat()}, il y a {overdue} jours)")
        if reasons:
            rows.append(FollowUp(code, person["cohort"], person["commune"], " ; ".join(reasons), pre, post, suivi))
    return rows


def _overdue(data: Dataset, code: str, delay_days: int | None, today: dt.date) -> int | None:
    """Days since the post-test when more than `delay_days` (None: not overdue, or date unknown)."""
    day = parse_day(data.post.dates.get(code, "")) if delay_days else None
    if day is None:
        return None
    days = (today - day).days
    return days if days > delay_days else None


def parse_day(text: str) -> dt.date | None:
    """A sitting's date as stored: 2026-10-08, 2026-10-08T09:00…, or 08/10/2026 (French Excel)."""
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(x) for x in text.split("/")[:3])
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None
