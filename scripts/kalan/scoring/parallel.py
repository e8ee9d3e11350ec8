"""The figures and the report of a family of parallel forms (issue 13 §4): `kalan rapport --formulaire PP2`.

Who sat which form, and the pooled dataset, are read by `kalan.scoring.family`. The report is the ordinary
report of the pooled dataset plus the sections of the forms: the pooled and per-order gain, the scores per
form, the plan's breaches, and one question table per form (item statistics need one item set each).
"""

from __future__ import annotations

import html
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kalan.scoring.dataset import MIN_GROUP, Dataset, item_rows
from kalan.scoring.family import AGAINST_PLAN, DOUBLE, ORDERS, SAME_FORM, Family, PersonPair, pooled_dataset
from kalan.scoring.report import (
    PHASE_LABELS,
    ReportFiles,
    Sheet,
    _fmt,
    _p_text,
    compute,
    html_table,
    observed_skills,
    workbook_sheets,
    write_report,
)
from kalan.scoring.stats import Paired, kr20


@dataclass(frozen=True)
class FamilyFigures:
    pooled: object  # stats.Paired over every counterbalanced pair (A→B and B→A)
    by_order: list[tuple[str, int, object | None]]  # order, n, stats.Paired (None below MIN_GROUP)
    by_form: list[tuple[str, str, int, float, float, float, float]]  # form, phase, n, mean, sd, % ≥ pass, KR-20
    counts: dict[str, int]


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
    participants = family.participants
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
    orders = html_table(["Ordre pré→post", "n", "Pré", "Post", "Gain [IC 95 %]", "Test t apparié"],
                    [line("Regroupé (A→B et B→A)", pooled.n, pooled),
                     *(line(order, n, p) for order, n, p in figures.by_order)])
    forms = html_table(["Forme", "Phase", "n", "Moyenne (écart-type)", "% ≥ passage", "KR-20"],
                   [[f, PHASE_LABELS[ph], str(n), f"{_fmt(m, 1)} ({_fmt(sd, 1)})", _fmt(ok, 0, " %"), _fmt(r)]
                    for f, ph, n, m, sd, ok, r in figures.by_form])
    counts = html_table(["Personnes", "n"], [[status, str(n)] for status, n in figures.counts.items()])
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
        + html_table(["Question", "Objectif", "Pré", "Post", "Discr. post", "Vides post", "Alertes"],
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
    skills = observed_skills(conn, project, cohorts or pooled.cohorts)
    sheets = family_workbook_sheets(workbook_sheets(pooled, figures, with_names, skills),
                                    family_sheets(family, own, with_names))
    return write_report(pooled, figures, out_dir, project, sheets, cohorts, skills, printer,
                        forms_html=forms_html(family, own), items_html=items_html(family))
