"""Parallel forms of one blueprint (issue 13 §4): PP2A and PP2B, sat counterbalanced.

A *family* is the blueprint id (PP2) whose forms are its id + A / B (PP2A, PP2B). Each person's pre-test
and post-test may be on different forms; the paired figures are computed on the person's two scores,
whatever the forms, because both forms have the same number of items and the same pass mark (checked).
The plan (`kalan.quiz.compose.counterbalance`): a code ending in an even digit sits A then B, odd B then A.
Nobody is dropped silently: who sat the same form twice, or the two forms in the order the plan did not
give them, is counted and listed. Per-item statistics stay per form (one item set each).
"""

from __future__ import annotations

import html
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kalan.errors import KalanError
from kalan.scoring.dataset import MIN_GROUP, Dataset, item_rows, load_dataset
from kalan.scoring.report import PHASE_LABELS, REPORT_CSS, ReportFiles, _fmt, _p_text
from kalan.scoring.stats import Paired
from kalan.scoring.xlsx import write_xlsx

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
    by_form: list[tuple[str, str, int, float, float, float]]  # form, phase, n, mean, sd, % ≥ pass mark
    counts: dict[str, int]


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
    participants = next(iter(forms.values())).participants
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
                            100 * float((scores >= family.plan.pass_mark).mean()) if n else float("nan")))
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


def family_workbook(family: Family, figures: FamilyFigures, path: Path, with_names: bool = False) -> Path:
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
    for form_id, phase, n, mean, sd, passed in figures.by_form:
        label = f"{form_id} au {PHASE_LABELS[phase].lower()}"
        rows += [[f"{label} : n", n], [f"{label} : moyenne", mean], [f"{label} : écart-type", sd],
                 [f"{label} : % ≥ note de passage", passed]]
    sheets: list[tuple[str, list[str], list[list]]] = [("formes parallèles", ["Indicateur", "Valeur"], rows)]
    header = ["Code", *(["Nom"] if with_names else []), "Cohorte", "Forme pré", "Score pré", "Forme post",
              "Score post", "Gain", "Plan (pré→post)", "Statut", "Dans le regroupé"]
    participants = next(iter(family.forms.values())).participants
    people = [[p.code, *([participants[p.code]["name"]] if with_names else []), p.cohort, p.pre_form or None,
               p.pre, p.post_form or None, p.post,
               None if p.pre is None or p.post is None else p.post - p.pre,
               "→".join(p.planned) if p.planned else None, p.status,
               "oui" if p.order and p.status != SAME_FORM else "non"] for p in family.people]
    sheets.append(("personnes", header, people))
    sheets += [(f"questions {d.form_id}", QUESTION_HEADER, _question_rows(d)) for d in family.forms.values()]
    return write_xlsx(path, sheets)


def family_html(family: Family, figures: FamilyFigures, cohorts: list[str] | None) -> str:
    plan = family.plan
    scope = f"cohorte(s) {', '.join(cohorts)}" if cohorts else "toutes les cohortes"

    def table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def line(label: str, n: int, p: Paired | None) -> list[str]:
        if p is None:
            return [label, str(n), "—", "—", f"moins de {MIN_GROUP} personnes", "—"]
        return [label, str(n), _fmt(p.mean_pre, 1), _fmt(p.mean_post, 1),
                f"{_fmt(p.mean_gain, 2)} [{_fmt(p.ci_low, 2)} ; {_fmt(p.ci_high, 2)}]", _p_text(p.p_t)]

    pooled = figures.pooled
    orders = table(["Ordre pré→post", "n", "Pré", "Post", "Gain [IC 95 %]", "Test t apparié"],
                   [line("Regroupé (A→B et B→A)", pooled.n, pooled),
                    *(line(order, n, p) for order, n, p in figures.by_order)])
    forms = table(["Forme", "Phase", "n", "Moyenne (écart-type)", "% ≥ passage"],
                  [[f, PHASE_LABELS[ph], str(n), f"{_fmt(m, 1)} ({_fmt(sd, 1)})", _fmt(ok, 0, " %")]
                   for f, ph, n, m, sd, ok in figures.by_form])
    counts = table(["Personnes", "n"], [[status, str(n)] for status, n in figures.counts.items()])
    broke = figures.counts[SAME_FORM] + figures.counts[AGAINST_PLAN] + figures.counts[DOUBLE]
    items = "".join(
        f"<h2>Questions de la forme {d.form_id}</h2><p>Sur les passations de la forme {d.form_id} seulement "
        f"(pré : {len(d.pre.codes)}, post : {len(d.post.codes)}).</p>"
        + table(["Question", "Objectif", "Pré", "Post", "Discr. post", "Vides post", "Alertes"],
                [[r.item, r.objective, _fmt(100 * r.p_pre, 0, " %"), _fmt(100 * r.p_post, 0, " %"), _fmt(r.r_post),
                  _fmt(100 * r.blank_post, 0, " %"), " ; ".join(r.flags)] for r in item_rows(d)], "small")
        for d in family.forms.values())
    source = html.escape(plan.source) if plan.source else "aucun plan trouvé dans quizzes/plans (formes reconnues " \
        "par leur nom)"
    return (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Rapport — formes parallèles</title>"
        f"<style>{REPORT_CSS}</style></head><body>"
        f"<div class='running'>Rapport pré/post — formes parallèles {plan.family_id} — {scope}</div>"
        f"<h1>Rapport des tests pré et post — formes parallèles {plan.family_id}</h1>"
        f"<p>Périmètre : {scope}. Plan : {source}. Formes : "
        f"{', '.join(d.form_id for d in family.forms.values())}, {plan.n_items} questions chacune, note de passage "
        f"{plan.pass_mark}. Contrebalancement prévu : code terminé par un chiffre pair, forme A au pré-test et B au "
        "post-test ; impair, l'inverse.</p>"
        f"<div class='indicateur'><p>Gain moyen regroupé : <strong>{_fmt(pooled.mean_gain, 2)}</strong> point(s) "
        f"sur {pooled.n} personnes ayant passé les deux formes ; {_fmt(pooled.passed_post_pct, 1, ' %')} d'entre "
        f"elles ≥ {plan.pass_mark}/{plan.n_items} au post-test.</p></div>"
        f"<h2>Progression, regroupée et par ordre</h2>{orders}"
        "<p class='note'>Le regroupé compte les personnes qui ont passé deux formes différentes (selon le plan, "
        "contre le plan, ou code hors plan). Les personnes qui ont passé la même forme deux fois sont montrées "
        "à part (ordre A→A ou B→B) et non regroupées : leur gain mêle apprentissage et mémoire des questions.</p>"
        f"<h2>Scores par forme</h2>{forms}<h2>Respect du plan</h2>{counts}"
        f"<p>{broke} personne(s) n'ont pas suivi le contrebalancement (même forme deux fois, ordre inverse du plan, "
        "ou deux formes à la même phase) : la liste est dans la feuille « personnes » du classeur.</p>"
        f"{items}</body></html>")


def build_family_report(family: Family, out_dir: Path, project, cohorts: list[str] | None = None,
                        with_names: bool = False) -> ReportFiles:
    """The report of a family of parallel forms: workbook rapport-PP2.xlsx and PDF rapport-PP2.pdf."""
    from kalan.pdf.render import print_all, print_style
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = family_figures(family)
    workbook = family_workbook(family, figures, out_dir / f"rapport-{family.plan.family_id}.xlsx", with_names)
    style = print_style(project.fonts_dir)
    pdf = out_dir / f"rapport-{family.plan.family_id}.pdf"
    print_all([style.job(pdf, family_html(family, figures, cohorts))], style.css, out_dir, None, workers=1)
    return ReportFiles(workbook, pdf, [])
