"""Parallel forms of one blueprint (issue 13 §4): PP2A and PP2B, sat counterbalanced.

A *family* is the blueprint id (PP2) whose forms are its id + A / B (PP2A, PP2B). Each person's pre-test
and post-test may be on different forms; the paired figures are computed on the person's two scores,
whatever the forms, because both forms have the same number of items and the same pass mark (checked).
The plan (`kalan.quiz.compose.counterbalance`): a code ending in an even digit sits A then B, odd B then A.
Nobody is dropped silently: who sat the same form twice, or the two forms in the order the plan did not
give them, is counted and listed. Per-item statistics stay per form (one item set each).

Every view that works on scores — groups, objectives and modules, cohorts, retention at the follow-up test,
the follow-up list — runs on one *pooled* dataset (`pooled_dataset`), so the family's report is the ordinary
report plus the sections of the forms: the same code, the same figures, whichever forms were sat.
"""

from __future__ import annotations

import html
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kalan.errors import KalanError
from kalan.scoring.dataset import MIN_GROUP, Dataset, Phase, item_rows, load_dataset
from kalan.scoring.report import (
    PHASE_LABELS,
    ReportFiles,
    Sheet,
    _fmt,
    _p_text,
    compute,
    observed_skills,
    workbook_sheets,
    write_report,
)
from kalan.scoring.stats import Paired, kr20

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


@dataclass(frozen=True)
class FamilyFigures:
    pooled: object  # stats.Paired over every counterbalanced pair (A→B and B→A)
    by_order: list[tuple[str, int, object | None]]  # order, n, stats.Paired (None below MIN_GROUP)
    by_form: list[tuple[str, str, int, float, float, float, float]]  # form, phase, n, mean, sd, % ≥ pass, KR-20
    counts: dict[str, int]


def pooled_dataset(family: Family) -> Dataset:
    """The whole family as one dataset: its columns are the items of every form, a person's row holds the
    answers of the form they sat and the other columns are marked not asked (`Phase.asked`); scores stay out
    of `n_items` = one form's questions. Left out: a phase a person sat on two forms (listed in
    « personnes »); not paired: who sat the same form at pre- and post-test (their gain is not pooled)."""
    forms = list(family.forms.values())
    items = [item for data in forms for item in data.items]
    starts = np.cumsum([0, *(data.n_items for data in forms)])

    def phase(name: str) -> Phase:
        sat: dict[str, list[tuple[int, int]]] = {}
        for k, data in enumerate(forms):
            sitting = getattr(data, name)
            for code, row in (sitting.index().items() if sitting is not None else ()):
                sat.setdefault(code, []).append((k, row))
        codes = sorted(code for code, rows in sat.items() if len(rows) == 1)
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

    participants = {code: person for data in forms for code, person in data.participants.items()}
    return Dataset(family.plan.family_id, items, family.plan.pass_mark, participants, phase("pre"),
                   phase("post"), forms[0].imports, phase("suivi"), family.plan.n_items,
                   frozenset(p.code for p in family.people if p.status == SAME_FORM))


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
    forms = {letter: load_dataset(conn, cohorts, f"{family_id}{letter}") for letter in FORMS
             if f"{family_id}{letter}" in present}
    shapes = {(d.n_items, d.pass_mark) for d in forms.values()}
    if len(shapes) > 1:
        shown = ", ".join(f"{d.form_id} : {d.n_items} questions, note de passage {d.pass_mark}"
                          for d in forms.values())
        raise KalanError(f"{family_id} : les formes ne sont pas comparables ({shown}) — recomposez-les "
                         "depuis le même plan (kalan quiz composer)")
    (n_items, pass_mark), = shapes
    participants = {code: person for data in forms.values() for code, person in data.participants.items()}
    people = []
    for code in sorted(participants):
        sat = {phase: [(letter, int(getattr(d, phase).scores[getattr(d, phase).index()[code]]))
                       for letter, d in forms.items() if code in getattr(d, phase).index()]
               for phase in ("pre", "post")}
        if not sat["pre"] and not sat["post"]:
            continue
        planned = counterbalance(code) if code[-1:].isdigit() else None
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


def family_figures(family: Family) -> FamilyFigures:
    from kalan.scoring import stats

    def paired(rows: list[PersonPair]):
        pre = np.array([p.pre for p in rows], dtype=float)
        post = np.array([p.post for p in rows], dtype=float)
        return stats.paired(pre, post, family.plan.n_items, family.plan.pass_mark)

    by_order = []
    for order in ORDERS:
        rows = family.pairs(order, counterbalanced=False)
        if rows or order in ("A→B", "B→A"):
            by_order.append((order, len(rows), paired(rows) if len(rows) >= MIN_GROUP else None))
    by_form = []
    for data in family.forms.values():
        for phase in ("pre", "post"):
            scores = getattr(data, phase).scores.astype(float)
            n = len(scores)
            by_form.append((data.form_id, phase, n, float(scores.mean()) if n else float("nan"),
                            float(scores.std(ddof=1)) if n > 1 else float("nan"),
                            100 * float((scores >= family.plan.pass_mark).mean()) if n else float("nan"),
                            kr20(getattr(data, phase).correct)))
    return FamilyFigures(paired(family.pairs()), by_order, by_form, family.counts())

# -- The report: `kalan rapport --formulaire PP2` (workbook rapport-PP2.xlsx, PDF rapport-PP2.pdf) ---------

QUESTION_HEADER = ["Question", "N°", "Objectif", "Réussite pré", "Réussite post", "Différence", "Discrimination pré",
                   "Discrimination post", "Indice haut-bas pré", "Indice haut-bas post", "Faux→juste (b)",
                   "Juste→faux (c)", "McNemar exact p", "Vides pré", "Vides post", "Multiples pré",
                   "Multiples post", "Illisibles", "Alertes"]


def _question_rows(data: Dataset) -> list[list]:
    return [[r.item, r.position, r.objective, r.p_pre, r.p_post, r.p_post - r.p_pre, r.r_pre, r.r_post, r.d_pre,
             r.d_post, r.b, r.c, r.p_mcnemar, r.blank_pre, r.blank_post, r.multiple_pre, r.multiple_post,
             r.illegible, " ; ".join(r.flags)] for r in item_rows(data)]


def _paired_rows(label: str, p: Paired | None) -> list[list]:
    if p is None:
        return [[f"{label} : moins de {MIN_GROUP} personnes, non calculé", None]]
    return [[f"{label} : n", p.n], [f"{label} : moyenne pré", p.mean_pre], [f"{label} : moyenne post", p.mean_post],
            [f"{label} : gain moyen", p.mean_gain], [f"{label} : gain, IC 95 % bas", p.ci_low],
            [f"{label} : gain, IC 95 % haut", p.ci_high], [f"{label} : test t apparié, t", p.t],
            [f"{label} : test t apparié, p", p.p_t], [f"{label} : Wilcoxon, p", p.p_wilcoxon],
            [f"{label} : taille d'effet d_z", p.effect_dz],
            [f"{label} : % ≥ note de passage au post-test", p.passed_post_pct]]


def family_sheets(family: Family, figures: FamilyFigures, with_names: bool = False) -> list[Sheet]:
    """The sheets only a family has: « formes parallèles » (plan, pooled and per-order gain, per-form scores),
    « personnes » (each person's forms, scores and status) and one « questions » sheet per form."""
    plan = family.plan
    rows: list[list] = [
        ["Plan", plan.source or f"aucun plan {plan.family_id} dans quizzes/plans : formes reconnues par leur nom"],
        ["Formes", ", ".join(d.form_id for d in family.forms.values())], ["Questions (chaque forme)", plan.n_items],
        ["Note de passage (chaque forme)", plan.pass_mark],
        ["Contrebalancement prévu",
         "dernier chiffre du code pair : A au pré-test, B au post-test ; impair : l'inverse"],
        *([f"Personnes : {status}", n] for status, n in figures.counts.items()),
        *_paired_rows("Regroupé (A→B et B→A)", figures.pooled),
    ]
    for order, _, p in figures.by_order:
        rows += _paired_rows(f"Ordre {order}", p)
    for form_id, phase, n, mean, sd, passed, reliability in figures.by_form:
        label = f"{form_id} au {PHASE_LABELS[phase].lower()}"
        rows += [[f"{label} : n", n], [f"{label} : moyenne", mean], [f"{label} : écart-type", sd],
                 [f"{label} : % ≥ note de passage", passed], [f"{label} : KR-20", reliability]]
    header = ["Code", *(["Nom"] if with_names else []), "Cohorte", "Forme pré", "Score pré", "Forme post",
              "Score post", "Gain", "Plan (pré→post)", "Statut", "Dans le regroupé"]
    participants = {code: person for data in family.forms.values() for code, person in data.participants.items()}
    people = [[p.code, *([participants[p.code]["name"]] if with_names else []), p.cohort, p.pre_form or None,
               p.pre, p.post_form or None, p.post,
               None if p.pre is None or p.post is None else p.post - p.pre,
               "→".join(p.planned) if p.planned else None, p.status,
               "oui" if p.order and p.status != SAME_FORM else "non"] for p in family.people]
    return [("formes parallèles", ["Indicateur", "Valeur"], rows), ("personnes", header, people),
            *((f"questions {d.form_id}", QUESTION_HEADER, _question_rows(d)) for d in family.forms.values())]


def family_workbook_sheets(common: list[Sheet], family: list[Sheet]) -> list[Sheet]:
    """The ordinary sheets of the pooled dataset with the family's own: « formes parallèles » after the
    indicators, « personnes » after « participants », and the per-form questions instead of « questions »."""
    forms, people, *questions = family
    out: list[Sheet] = []
    for sheet in common:
        if sheet[0] == "questions":
            out += questions
            continue
        out.append(sheet)
        if sheet[0] == "indicateurs":
            out.append(forms)
        elif sheet[0] == "participants":
            out.append(people)
    return out


def _table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def forms_html(family: Family, figures: FamilyFigures) -> str:
    """The PDF section of the parallel forms: the plan, pooled and per-order gain, scores per form, the plan's
    breaches."""
    plan = family.plan

    def line(label: str, n: int, p: Paired | None) -> list[str]:
        if p is None:
            return [label, str(n), "—", "—", f"moins de {MIN_GROUP} personnes", "—"]
        return [label, str(n), _fmt(p.mean_pre, 1), _fmt(p.mean_post, 1),
                f"{_fmt(p.mean_gain, 2)} [{_fmt(p.ci_low, 2)} ; {_fmt(p.ci_high, 2)}]", _p_text(p.p_t)]

    pooled = figures.pooled
    orders = _table(["Ordre pré→post", "n", "Pré", "Post", "Gain [IC 95 %]", "Test t apparié"],
                    [line("Regroupé (A→B et B→A)", pooled.n, pooled),
                     *(line(order, n, p) for order, n, p in figures.by_order)])
    forms = _table(["Forme", "Phase", "n", "Moyenne (écart-type)", "% ≥ passage", "KR-20"],
                   [[f, PHASE_LABELS[ph], str(n), f"{_fmt(m, 1)} ({_fmt(sd, 1)})", _fmt(ok, 0, " %"), _fmt(r)]
                    for f, ph, n, m, sd, ok, r in figures.by_form])
    counts = _table(["Personnes", "n"], [[status, str(n)] for status, n in figures.counts.items()])
    broke = figures.counts[SAME_FORM] + figures.counts[AGAINST_PLAN] + figures.counts[DOUBLE]
    source = html.escape(plan.source) if plan.source else "aucun plan trouvé dans quizzes/plans (formes reconnues " \
        "par leur nom)"
    return (
        f"<h2>Formes parallèles {plan.family_id}</h2>"
        f"<p>Plan : {source}. Formes : {', '.join(d.form_id for d in family.forms.values())}, {plan.n_items} "
        f"questions chacune, note de passage {plan.pass_mark}. Contrebalancement prévu : code terminé par un chiffre "
        "pair, forme A au pré-test et B au post-test ; impair, l'inverse. Tout ce rapport regroupe les formes : "
        "chaque personne est comptée avec le score de la forme qu'elle a passée.</p>"
        f"<div class='indicateur'><p>Gain moyen regroupé : <strong>{_fmt(pooled.mean_gain, 2)}</strong> point(s) "
        f"sur {pooled.n} personnes ayant passé les deux formes ; {_fmt(pooled.passed_post_pct, 1, ' %')} d'entre "
        f"elles ≥ {plan.pass_mark}/{plan.n_items} au post-test.</p></div>"
        f"<h3>Progression, regroupée et par ordre</h3>{orders}"
        "<p class='note'>Le regroupé compte les personnes qui ont passé deux formes différentes (selon le plan, "
        "contre le plan, ou code hors plan) ; ce sont aussi elles que comptent la progression ci-dessus et les "
        "groupes. Les personnes qui ont passé la même forme deux fois sont montrées à part (ordre A→A ou B→B) et "
        "non regroupées : leur gain mêle apprentissage et mémoire des questions.</p>"
        f"<h3>Scores par forme</h3>{forms}"
        "<p class='note'>La fidélité KR-20 se calcule sur une forme à la fois : elle est donnée ici, pas dans le "
        f"tableau des scores regroupés.</p><h3>Respect du plan</h3>{counts}"
        f"<p>{broke} personne(s) n'ont pas suivi le contrebalancement (même forme deux fois, ordre inverse du plan, "
        "ou deux formes à la même phase) : la liste est dans la feuille « personnes » du classeur.</p>")


def items_html(family: Family) -> str:
    """One question table per form: item statistics need one set of items."""
    return "".join(
        f"<h2>Questions de la forme {d.form_id}</h2><p>Sur les passations de la forme {d.form_id} seulement "
        f"(pré : {len(d.pre.codes)}, post : {len(d.post.codes)}).</p>"
        + _table(["Question", "Objectif", "Pré", "Post", "Discr. post", "Vides post", "Alertes"],
                 [[r.item, r.objective, _fmt(100 * r.p_pre, 0, " %"), _fmt(100 * r.p_post, 0, " %"), _fmt(r.r_post),
                   _fmt(100 * r.blank_post, 0, " %"), " ; ".join(r.flags)] for r in item_rows(d)], "small")
        for d in family.forms.values())


def build_family_report(family: Family, out_dir: Path, project, cohorts: list[str] | None = None,
                        with_names: bool = False, conn: sqlite3.Connection | None = None,
                        printer=None) -> ReportFiles:
    """The report of a family of parallel forms (rapport-PP2.xlsx, rapport-PP2.pdf): the ordinary report of
    the pooled dataset — groups, objectives, cohorts, retention, follow-up list, skills — with the sections
    of the forms and one question table per form."""
    pooled = pooled_dataset(family)
    figures = compute(pooled, project.follow_up_days, items=[r for d in family.forms.values() for r in item_rows(d)])
    own = family_figures(family)
    skills = observed_skills(conn, project, cohorts)
    sheets = family_workbook_sheets(workbook_sheets(pooled, figures, with_names, skills),
                                    family_sheets(family, own, with_names))
    return write_report(pooled, figures, out_dir, project, sheets, cohorts, skills, printer,
                        forms_html=forms_html(family, own), items_html=items_html(family))


def load_pooled(conn: sqlite3.Connection, family_id: str, cohorts: list[str] | None = None) -> Dataset:
    """The pooled dataset of a family, for the commands that need only scores (kalan suivi)."""
    return pooled_dataset(load_family(conn, family_id, cohorts))
