"""Parallel forms of one blueprint (issue 13 §4): PP2A and PP2B, sat counterbalanced — who sat what.

A *family* is the blueprint id (PP2) whose forms are its id + A / B (PP2A, PP2B). Each person's pre-test
and post-test may be on different forms; the paired figures are computed on the person's two scores,
whatever the forms, because both forms have the same number of items and the same pass mark (checked).
The plan (`kalan.quiz.compose.counterbalance`): a code ending in an even digit sits A then B, odd B then A.
Nobody is dropped silently: who sat the same form twice, or the two forms in the order the plan did not
give them, is counted and listed.

Every view that works on scores — groups, objectives and modules, cohorts, retention at the follow-up test,
the follow-up list — runs on one *pooled* dataset (`pooled_dataset`). This module only reads and pools
(`kalan suivi` needs no more); the figures and the report of a family are in `kalan.scoring.parallel`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np

from kalan.errors import KalanError
from kalan.scoring.dataset import Dataset, Phase, load_dataset

FORMS = ("A", "B")
# Status of one person's pair of sittings, in the order the report lists them.
PLANNED, AGAINST_PLAN, SAME_FORM, NO_PLAN, DOUBLE, INCOMPLETE = (
    "selon le plan", "contre le plan", "même forme deux fois", "code hors plan", "deux formes à la même phase",
    "un seul test")
ORDERS = ("A→B", "B→A", "A→A", "B→B")


@dataclass(frozen=True)
class Plan:
    family_id: str
    source: str  # quizzes/plans/pp2.yml, or "" when recognised by the form ids alone
    n_items: int
    pass_mark: int


@dataclass(frozen=True)
class PersonPair:
    code: str
    cohort: str
    pre_form: str  # "A", "B", "A+B" (two pre-tests) or "" (none)
    pre: int | None
    post_form: str
    post: int | None
    planned: tuple[str, str] | None  # counterbalance(code), None when the code ends in no digit
    status: str

    @property
    def order(self) -> str:
        return f"{self.pre_form}→{self.post_form}" if self.status in (PLANNED, AGAINST_PLAN, SAME_FORM, NO_PLAN) \
            else ""


@dataclass
class Family:
    plan: Plan
    forms: dict[str, Dataset]  # "A" / "B" → that form's own dataset (its items, its sittings)
    people: list[PersonPair]  # everyone of the chosen cohorts with at least one sitting on the family

    def form_id(self, letter: str) -> str:
        return f"{self.plan.family_id}{letter}"

    @property
    def participants(self) -> dict[str, dict[str, str]]:
        return participants_of(self.forms.values())

    def pairs(self, order: str | None = None, counterbalanced: bool = True) -> list[PersonPair]:
        """People with one pre and one post score; `counterbalanced`: on two different forms only."""
        rows = [p for p in self.people if p.order]
        if counterbalanced:
            rows = [p for p in rows if p.pre_form != p.post_form]
        return [p for p in rows if order is None or p.order == order]

    def counts(self) -> dict[str, int]:
        out = {status: 0 for status in (PLANNED, AGAINST_PLAN, SAME_FORM, NO_PLAN, DOUBLE, INCOMPLETE)}
        for p in self.people:
            out[p.status] += 1
        return out


def participants_of(forms) -> dict[str, dict[str, str]]:
    """Everyone any form of the family reports on: each form keeps the cohorts tested on it."""
    return {code: person for data in forms for code, person in data.participants.items()}


def pooled_dataset(family: Family) -> Dataset:
    """The whole family as one dataset: its columns are the items of every form, a person's row holds the
    answers of the form they sat and the other columns are marked not asked (`Phase.asked`); scores stay out
    of `n_items` = one form's questions. Left out: a phase a person sat on two forms (listed in
    « personnes »); not paired: who sat the same form at pre- and post-test (their gain is not pooled)."""
    forms = list(family.forms.values())
    items = [item for data in forms for item in data.items]
    starts = np.cumsum([0, *(data.n_items for data in forms)])

    doubled: set[tuple[str, str]] = set()

    def phase(name: str) -> Phase:
        sat: dict[str, list[tuple[int, int]]] = {}
        for k, data in enumerate(forms):
            sitting = getattr(data, name)
            for code, row in (sitting.index().items() if sitting is not None else ()):
                sat.setdefault(code, []).append((k, row))
        codes = sorted(code for code, rows in sat.items() if len(rows) == 1)
        doubled.update((code, name) for code, rows in sat.items() if len(rows) > 1)
        shape = (len(codes), len(items))
        correct, marks = np.zeros(shape, dtype=np.int8), np.full(shape, "", dtype=object)
        asked = np.zeros(shape, dtype=bool)
        language, mode, dates = {}, {}, {}
        for r, code in enumerate(codes):
            ((k, row),) = sat[code]
            sitting, columns = getattr(forms[k], name), slice(starts[k], starts[k + 1])
            correct[r, columns], marks[r, columns], asked[r, columns] = sitting.correct[row], sitting.marks[row], True
            language[code], mode[code] = sitting.language[code], sitting.mode[code]
            if code in sitting.dates:
                dates[code] = sitting.dates[code]
        return Phase(codes, correct, marks, language, mode, dates, asked)

    participants = family.participants
    pre, post, suivi = phase("pre"), phase("post"), phase("suivi")
    return Dataset(family.plan.family_id, items, family.plan.pass_mark, participants, pre, post, forms[0].imports,
                   suivi, family.plan.n_items, frozenset(p.code for p in family.people if p.status == SAME_FORM),
                   frozenset(doubled))


def plan_source(project, family_id: str) -> str:
    """The blueprint file with this id and parallel forms, or "" if none (then the form ids decide)."""
    from kalan.quiz.compose import PLANS_DIR, load_blueprint

    folder = project.root / PLANS_DIR
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        try:
            blueprint = load_blueprint(project, path)
        except KalanError:
            continue
        if blueprint.id == family_id and blueprint.parallel:
            return blueprint.source
    return ""


def is_family(conn: sqlite3.Connection, family_id: str) -> bool:
    """True when the database holds no form `family_id` but holds sittings of its A or B form."""
    forms = {row[0] for row in conn.execute("SELECT DISTINCT form_id FROM sittings")}
    family_id = family_id.upper()
    return family_id not in forms and any(f"{family_id}{letter}" in forms for letter in FORMS)


def load_family(conn: sqlite3.Connection, family_id: str, cohorts: list[str] | None = None,
                source: str = "") -> Family:
    """Per person: the pre score (whatever form) and the post score (the other form, by plan), with the
    form of each sitting. `source`: the blueprint file, shown in the report ("" if unknown)."""
    from kalan.quiz.compose import counterbalance

    family_id = family_id.upper()
    if not is_family(conn, family_id):
        raise KalanError(f"{family_id} : aucun résultat sur les formes parallèles {family_id}A / {family_id}B")
    present = {row[0] for row in conn.execute("SELECT DISTINCT form_id FROM sittings")}
    forms = {letter: load_dataset(conn, cohorts, f"{family_id}{letter}", require_sittings=False)
             for letter in FORMS if f"{family_id}{letter}" in present}
    shapes = {(d.n_items, d.pass_mark) for d in forms.values()}
    if len(shapes) > 1:
        shown = ", ".join(f"{d.form_id} : {d.n_items} questions, note de passage {d.pass_mark}"
                          for d in forms.values())
        raise KalanError(f"{family_id} : les formes ne sont pas comparables ({shown}) — recomposez-les "
                         "depuis le même plan (kalan quiz composer)")
    (n_items, pass_mark), = shapes
    participants = participants_of(forms.values())
    if cohorts and not participants:
        raise KalanError(f"aucun test {family_id}A ni {family_id}B pour la cohorte {', '.join(cohorts)}")
    people = []
    for code in sorted(participants):
        sat = {phase: [(letter, int(getattr(d, phase).scores[getattr(d, phase).index()[code]]))
                       for letter, d in forms.items() if code in getattr(d, phase).index()]
               for phase in ("pre", "post")}
        if not sat["pre"] and not sat["post"]:
            continue
        planned = counterbalance(code) if code[-1:].isascii() and code[-1:].isdigit() else None
        pre_form = "+".join(letter for letter, _ in sat["pre"])
        post_form = "+".join(letter for letter, _ in sat["post"])
        pre = sat["pre"][0][1] if len(sat["pre"]) == 1 else None
        post = sat["post"][0][1] if len(sat["post"]) == 1 else None
        if len(sat["pre"]) > 1 or len(sat["post"]) > 1:
            status = DOUBLE
        elif pre is None or post is None:
            status = INCOMPLETE
        elif pre_form == post_form:
            status = SAME_FORM
        elif planned is None:
            status = NO_PLAN
        else:
            status = PLANNED if (pre_form, post_form) == planned else AGAINST_PLAN
        people.append(PersonPair(code, participants[code]["cohort"], pre_form, pre, post_form, post, planned,
                                 status))
    return Family(Plan(family_id, source, n_items, pass_mark), forms, people)


def load_pooled(conn: sqlite3.Connection, family_id: str, cohorts: list[str] | None = None) -> Dataset:
    """The pooled dataset of a family, for the commands that need only scores (kalan suivi)."""
    return pooled_dataset(load_family(conn, family_id, cohorts))
