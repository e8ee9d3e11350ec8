"""The pre/post report: an Excel workbook (numbers as numbers), charts and a printable PDF, in French."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path

from kalan.errors import KalanError, os_error_fr
from kalan.scoring.charts import build_charts
from kalan.scoring.dataset import (
    GROUPS,
    MANY_BLANKS,
    MIN_GROUP,
    Dataset,
    FollowUp,
    GroupRow,
    ItemRow,
    follow_up,
    groups,
    item_rows,
    overall,
    post_pass_pct,
)
from kalan.scoring.progress import CohortRow, ObjectiveRow, Retention, cohort_rows, objective_rows, retention
from kalan.scoring.stats import Paired, Summary, summary
from kalan.scoring.xlsx import write_xlsx

TARGET_PCT = 80.0  # programme target: 80 % of trained responders at or above the pass mark


@dataclass(frozen=True)
class Figures:
    """Every number of the report, computed once and shared by the workbook, the charts and the PDF."""

    pre: Summary
    post: Summary
    paired: Paired
    indicator: float
    groups: list[GroupRow]
    items: list[ItemRow]
    follow_up: list[FollowUp]
    quality: list[list]
    retention: Retention | None = None
    objectives: list[ObjectiveRow] = ()
    cohorts: list[CohortRow] = ()


def compute(data: Dataset, delay_days: int | None = None, today=None, items: list[ItemRow] | None = None) -> Figures:
    """`delay_days`: the follow-up list adds whoever is overdue for the retention test. `items`: the
    per-question rows when they cannot come from `data` (parallel forms pooled: each form's own rows)."""
    one_form = data.pre.asked is None and data.post.asked is None
    return Figures(summary(data.pre.correct, one_form), summary(data.post.correct, one_form), overall(data),
                   post_pass_pct(data), groups(data), item_rows(data) if items is None else items,
                   follow_up(data, delay_days, today), _quality_rows(data), retention(data), objective_rows(data),
                   cohort_rows(data))


PHASE_LABELS = {"pre": "Pré-test", "post": "Post-test", "suivi": "Suivi"}


def retention_rows(r: Retention | None) -> list[list]:
    """The indicators sheet's retention block (empty without follow-up test)."""
    if r is None:
        return []
    p = r.paired
    return [
        ["Suivi : personnes avec post-test et test de suivi (n)", r.n],
        ["Suivi : moyenne au post-test", p.mean_pre], ["Suivi : moyenne au test de suivi", p.mean_post],
        ["Suivi : variation moyenne (suivi − post)", p.mean_gain], ["Suivi : variation, écart-type", p.sd_gain],
        ["Suivi : variation, IC 95 % bas", p.ci_low], ["Suivi : variation, IC 95 % haut", p.ci_high],
        ["Suivi : test t apparié, t", p.t], ["Suivi : test t apparié, p", p.p_t],
        ["Suivi : Wilcoxon, p", p.p_wilcoxon],
        ["Suivi : % ≥ note de passage au test de suivi", r.passed_suivi_pct],
        ["Suivi : au-dessus de la note de passage au post-test (n)", r.n_passed_post],
        ["Suivi : % encore ≥ note de passage (parmi eux)", r.still_passing_pct],
    ]


@dataclass(frozen=True)
class ReportFiles:
    workbook: Path
    pdf: Path
    charts: list[Path]


def _fmt(value: float, digits: int = 2, suffix: str = "") -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.{digits}f}{suffix}".replace(".", ",")


def _p(value: float) -> str:
    """A p-value for a table: « < 0,0001 » rather than « 0,0000 »."""
    if value is None or math.isnan(value):
        return "—"
    return "< 0,0001" if value < 0.0001 else _fmt(value, 4)


def _p_text(value: float) -> str:
    shown = _p(value)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


Sheet = tuple[str, list[str], list[list]]  # name, header, rows


def build_workbook(data: Dataset, figures: Figures, path: Path, with_names: bool = False,
                   skills: list | None = None) -> Path:
    return write_xlsx(path, workbook_sheets(data, figures, with_names, skills))


def workbook_sheets(data: Dataset, figures: Figures, with_names: bool = False,
                    skills: list | None = None) -> list[Sheet]:
    """The report's sheets in order; the parallel-forms report adds its own around them."""
    sheets: list[Sheet] = []
    pre_s, post_s, pair, indicator = figures.pre, figures.post, figures.paired, figures.indicator
    rows = [
        ["Formulaire", data.form_id], ["Questions", data.n_items], ["Note de passage", data.pass_mark],
        ["Pré-test : n", pre_s.n], ["Pré-test : moyenne", pre_s.mean], ["Pré-test : écart-type", pre_s.sd],
        ["Pré-test : KR-20", pre_s.kr20], ["Pré-test : erreur type de mesure", pre_s.sem],
        ["Post-test : n", post_s.n], ["Post-test : moyenne", post_s.mean], ["Post-test : écart-type", post_s.sd],
        ["Post-test : KR-20", post_s.kr20], ["Post-test : erreur type de mesure", post_s.sem],
        ["Appariés (pré et post) : n", pair.n], ["Gain moyen", pair.mean_gain], ["Gain : écart-type", pair.sd_gain],
        ["Gain : IC 95 % bas", pair.ci_low], ["Gain : IC 95 % haut", pair.ci_high],
        ["Test t apparié : t", pair.t], ["Test t apparié : ddl", pair.df], ["Test t apparié : p", pair.p_t],
        ["Wilcoxon : W", pair.wilcoxon_w], ["Wilcoxon : p", pair.p_wilcoxon],
        ["Taille d'effet d_z", pair.effect_dz], ["Corrélation bisériale de rang", pair.rank_biserial],
        ["Gain normalisé de Hake ⟨g⟩ (moyennes)", pair.hake_class],
        ["Gain normalisé moyen (individuel)", pair.hake_mean],
        ["Exclus du gain individuel (déjà au maximum)", pair.hake_excluded],
        ["% qui progressent (appariés)", pair.improved_pct],
        ["Indicateur : % ≥ note de passage au post-test", indicator], ["Cible (%)", TARGET_PCT],
        ["% ≥ note de passage au post-test (appariés)", pair.passed_post_pct],
        *retention_rows(figures.retention),
    ]
    sheets.append(("indicateurs", ["Indicateur", "Valeur"], rows))

    group_rows = []
    labels = dict(GROUPS)
    for g in figures.groups:
        p = g.paired
        group_rows.append([labels[g.dimension], g.value, g.n_paired, g.n_post,
                           None if p is None else p.mean_pre, None if p is None else p.mean_post,
                           None if p is None else p.mean_gain, None if p is None else p.ci_low,
                           None if p is None else p.ci_high, None if p is None else p.improved_pct,
                           g.passed_post_pct, f"moins de {MIN_GROUP} personnes : non calculé" if g.suppressed else ""])
    sheets.append(("groupes", ["Dimension", "Groupe", "n appariés", "n post", "Moyenne pré", "Moyenne post",
                       "Gain moyen", "IC 95 % bas", "IC 95 % haut", "% qui progressent",
                       "% ≥ note de passage (post)", "Remarque"], group_rows))

    pi, qi = data.pre.index(), data.post.index()
    follow = {f.code: f.reason for f in figures.follow_up}
    people = []
    for code, person in sorted(data.participants.items()):
        pre = int(data.pre.scores[pi[code]]) if code in pi else None
        post = int(data.post.scores[qi[code]]) if code in qi else None
        gain = post - pre if pre is not None and post is not None else None
        g = None
        if gain is not None and pre < data.n_items:
            g = (post - pre) / (data.n_items - pre)
        row = [code, person["cohort"], person["sex"], person["category"], person["cercle"], person["commune"],
               person["organisation"], pre, post, gain, g,
               None if post is None else ("oui" if post >= data.pass_mark else "non"), follow.get(code, "")]
        if with_names:
            row.insert(1, person["name"])
        people.append(row)
    header = ["Code", "Cohorte", "Sexe", "Catégorie", "Cercle", "Commune", "Organisation", "Score pré",
              "Score post", "Gain", "Gain normalisé", "Réussite post", "Suivi"]
    if with_names:
        header.insert(1, "Nom")
    sheets.append(("participants", header, people))

    sheets.append(("questions", [
        "Question", "N°", "Objectif", "Réussite pré", "Réussite post", "Différence", "Discrimination pré",
        "Discrimination post", "Indice haut-bas pré", "Indice haut-bas post", "Faux→juste (b)",
        "Juste→faux (c)", "McNemar exact p", "Vides pré", "Vides post", "Multiples pré", "Multiples post",
        "Illisibles", "Alertes"],
        [[r.item, r.position, r.objective, r.p_pre, r.p_post, r.p_post - r.p_pre, r.r_pre, r.r_post, r.d_pre,
          r.d_post, r.b, r.c, r.p_mcnemar, r.blank_pre, r.blank_post, r.multiple_pre, r.multiple_post,
          r.illegible, " ; ".join(r.flags)] for r in figures.items]))

    phases = [p for p in PHASE_LABELS if figures.objectives and p in figures.objectives[0].pct]
    sheets.append(("objectifs", ["Niveau", "Objectif ou module", "Questions",
                                 *(f"% juste {PHASE_LABELS[p].lower()}" for p in phases),
                                 *(f"n {PHASE_LABELS[p].lower()}" for p in phases)],
                   [[r.level, r.id, r.items, *(r.pct[p] for p in phases), *(r.n[p] for p in phases)]
                    for r in figures.objectives]))
    sheets.append(("cohortes", ["Cohorte", "Premier test", "n post", "Indicateur : % ≥ note de passage (post)",
                                "Gain moyen (appariés)", "n suivi", "% encore ≥ note de passage au suivi",
                                "Remarque"],
                   [[c.cohort, c.start or None, c.n_post, c.indicator, c.mean_gain, c.n_suivi, c.still_passing_pct,
                     f"moins de {MIN_GROUP} personnes : non calculé" if math.isnan(c.indicator) else ""]
                    for c in figures.cohorts]))
    sheets.append(("qualité des données", ["Contrôle", "Valeur"], figures.quality))
    sheets.append(("imports", ["N°", "Type", "Fichier", "Format", "Date", "Lignes", "Changements"],
                   [list(row) for row in data.imports]))
    sheets += [skills_sheet(t, with_names, len(skills) > 1) for t in skills or []]
    return sheets


def _quality_rows(data: Dataset) -> list[list]:
    pre, post = set(data.pre.codes), set(data.post.codes)
    everyone = set(data.participants)
    blanks = []
    for phase in (data.pre, data.post):
        if phase.marks.shape[0]:
            asked = phase.asked.sum(axis=1) if phase.asked is not None else phase.marks.shape[1]
            blanks.append(int(((phase.marks == "vide").sum(axis=1) / asked > MANY_BLANKS).sum()))
        else:
            blanks.append(0)
    illegible = int((data.pre.marks == "illisible").sum() + (data.post.marks == "illisible").sum())
    return [
        ["Participants dans la liste", len(everyone)],
        ["Avec pré-test et post-test", len(pre & post)],
        ["Pré-test seulement", len(pre - post)],
        ["Post-test seulement", len(post - pre)],
        ["Aucun test", len(everyone - pre - post)],
        [f"Pré-tests avec plus de {int(MANY_BLANKS * 100)} % de réponses vides", blanks[0]],
        [f"Post-tests avec plus de {int(MANY_BLANKS * 100)} % de réponses vides", blanks[1]],
        ["Réponses illisibles (à vérifier sur papier)", illegible],
        *([["Personnes qui ont passé deux formes à la même phase (hors de cette phase, à vérifier)",
            len({code for code, _ in data.doubled})]] if data.pooled else []),
    ]


def html_table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    """A table of the report's PDF, every cell escaped (text from input files is never markup)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def report_html(data: Dataset, figures: Figures, charts: list[Path], cohorts: list[str] | None,
                skills: list | None = None, forms_html: str = "", items_html: str | None = None) -> str:
    """`forms_html`: a section shown after the progression (the parallel forms); `items_html`: replaces the
    per-question table (parallel forms: one table per form)."""
    pre_s, post_s, pair, indicator = figures.pre, figures.post, figures.paired, figures.indicator
    scope = f"cohorte(s) {', '.join(cohorts)}" if cohorts else "toutes les cohortes"

    main = html_table(["", "Pré-test", "Post-test"], [
        ["Personnes", str(pre_s.n), str(post_s.n)],
        ["Score moyen (écart-type)", f"{_fmt(pre_s.mean, 1)} ({_fmt(pre_s.sd, 1)})",
         f"{_fmt(post_s.mean, 1)} ({_fmt(post_s.sd, 1)})"],
        ["Fidélité KR-20 (erreur type)", *(["par forme (voir Formes parallèles)"] * 2 if data.pooled else
                                           [f"{_fmt(pre_s.kr20)} ({_fmt(pre_s.sem)})",
                                            f"{_fmt(post_s.kr20)} ({_fmt(post_s.sem)})"])]])
    paired_rows = [
        ["Personnes avec pré et post", str(pair.n)],
        ["Gain moyen [IC 95 %]", f"{_fmt(pair.mean_gain, 2)} [{_fmt(pair.ci_low, 2)} ; {_fmt(pair.ci_high, 2)}]"],
        ["Test t apparié", f"t = {_fmt(pair.t)}, ddl = {pair.df}, {_p_text(pair.p_t)}"],
        ["Test de Wilcoxon (rangs signés)", f"W = {_fmt(pair.wilcoxon_w, 1)}, {_p_text(pair.p_wilcoxon)}"],
        ["Taille d'effet d_z", _fmt(pair.effect_dz)],
        ["Gain normalisé de Hake ⟨g⟩", _fmt(pair.hake_class)],
        ["Personnes qui progressent", _fmt(pair.improved_pct, 1, " %")],
    ]
    labels = dict(GROUPS)
    group_table = html_table(["Dimension", "Groupe", "n appariés", "Pré", "Post", "Gain [IC 95 %]", "% ≥ passage"], [
        [labels[g.dimension], g.value, str(g.n_paired),
         "—" if g.paired is None else _fmt(g.paired.mean_pre, 1),
         "—" if g.paired is None else _fmt(g.paired.mean_post, 1),
         f"moins de {MIN_GROUP} personnes" if g.paired is None else
         f"{_fmt(g.paired.mean_gain, 1)} [{_fmt(g.paired.ci_low, 1)} ; {_fmt(g.paired.ci_high, 1)}]",
         _fmt(g.passed_post_pct, 0, " %")] for g in figures.groups], "small")
    items = figures.items
    item_table = html_table(
        ["Question", "Objectif", "Pré", "Post", "Discr. post", "McNemar p", "Vides post", "Alertes"], [
        [r.item, r.objective, _fmt(100 * r.p_pre, 0, " %"), _fmt(100 * r.p_post, 0, " %"), _fmt(r.r_post),
         _p(r.p_mcnemar), _fmt(100 * r.blank_post, 0, " %"), " ; ".join(r.flags)] for r in items], "small")
    quality = html_table(["Contrôle", "Valeur"], [[str(a), str(b)] for a, b in figures.quality])
    extra = _retention_html(data, figures.retention) + _objectives_html(figures) + _cohorts_html(figures)
    follow = figures.follow_up
    counts: dict[tuple[str, str], int] = {}
    for f in follow:
        counts[(f.cohort, f.commune)] = counts.get((f.cohort, f.commune), 0) + 1
    follow_table = html_table(["Cohorte", "Commune", "Personnes à suivre"],
                         [[c, m, str(n)] for (c, m), n in sorted(counts.items())])
    images = "".join(f"<img src='{p.resolve().as_uri()}' alt=''>" for p in charts)
    met = "atteinte" if not math.isnan(indicator) and indicator >= TARGET_PCT else "non atteinte"
    return (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Rapport pré/post</title>"
        f"<style>{REPORT_CSS}</style></head><body>"
        f"<div class='running'>Rapport pré/post — formulaire {data.form_id} — {scope}</div>"
        f"<h1>Rapport des tests pré et post — {data.form_id}</h1>"
        f"<p>Périmètre : {scope}. Note de passage : {data.pass_mark} sur {data.n_items}.</p>"
        f"<div class='indicateur'><p>Indicateur : <strong>{_fmt(indicator, 1, ' %')}</strong> des personnes "
        f"ayant passé le post-test obtiennent au moins {data.pass_mark}/{data.n_items} "
        f"(cible {TARGET_PCT:.0f} % : {met}).</p></div>"
        f"<h2>Scores</h2>{main}<h2>Progression (mêmes personnes)</h2>"
        f"{html_table(['Mesure', 'Valeur'], paired_rows)}{images}{forms_html}"
        f"<h2>Par groupe</h2><p>Les groupes de moins de {MIN_GROUP} personnes ne sont pas calculés.</p>"
        f"{group_table}{extra}{f'<h2>Questions</h2>{item_table}' if items_html is None else items_html}"
        "<p class='note'>Wilcoxon : approximation normale avec correction des ex-aequo. "
        "Discrimination : corrélation question–reste du test (négative : vérifier la clé). "
        "McNemar : test exact sur les personnes qui changent de réponse entre pré et post. Écarts-types "
        "d'échantillon (n − 1) ; KR-20 et erreur type de mesure avec variances de population (n).</p>"
        f"<h2>Qualité des données</h2>{quality}<h2>Suivi</h2>{follow_table}"
        "<p class='note'>La liste nominative du suivi est dans le classeur Excel (feuille « participants ») "
        "et avec la commande kalan suivi.</p>" + "".join(skills_html(t) for t in skills or []) + "</body></html>")


def _retention_html(data: Dataset, r: Retention | None) -> str:
    if r is None:
        return ("<h2>Rétention (test de suivi)</h2><p>Aucun test de suivi dans la base pour ces personnes : "
                "importez-le avec kalan resultats importer FICHIER --phase suivi.</p>")
    p = r.paired
    rows = [
        ["Personnes avec post-test et test de suivi", str(r.n)],
        ["Score moyen au post-test → au suivi", f"{_fmt(p.mean_pre, 1)} → {_fmt(p.mean_post, 1)}"],
        ["Variation moyenne (suivi − post) [IC 95 %]",
         f"{_fmt(p.mean_gain, 2)} [{_fmt(p.ci_low, 2)} ; {_fmt(p.ci_high, 2)}]"],
        ["Test t apparié", f"t = {_fmt(p.t)}, ddl = {p.df}, {_p_text(p.p_t)}"],
        [f"% ≥ {data.pass_mark}/{data.n_items} au suivi", _fmt(r.passed_suivi_pct, 1, " %")],
        [f"Encore ≥ {data.pass_mark}/{data.n_items} parmi les {r.n_passed_post} qui l'étaient au post-test",
         _fmt(r.still_passing_pct, 1, " %")],
    ]
    which = ("l'une des formes parallèles (la même ou l'autre : elles sont comparables)" if data.pooled
             else "la variante post du même formulaire")
    return (f"<h2>Rétention (test de suivi)</h2><p>Le test de suivi reprend {which}, "
            "quelques mois après la formation.</p>" + html_table(["Mesure", "Valeur"], rows))


def _objectives_html(figures: Figures) -> str:
    if not figures.objectives:
        return ""
    phases = [p for p in PHASE_LABELS if p in figures.objectives[0].pct]
    rows = [[r.id if r.level == "objectif" else f"Module {r.id}", str(r.items),
             *(_fmt(r.pct[p], 0, " %") for p in phases)] for r in figures.objectives]
    return ("<h2>Par objectif et par module</h2><p>% de bonnes réponses aux questions de chaque objectif "
            "(une réponse vide ou multiple compte comme fausse).</p>"
            + html_table(["Objectif", "Questions", *(PHASE_LABELS[p] for p in phases)], rows, "small"))


def _cohorts_html(figures: Figures) -> str:
    rows = [[c.cohort, c.start or "—", str(c.n_post),
             f"moins de {MIN_GROUP} personnes" if math.isnan(c.indicator) else _fmt(c.indicator, 0, " %"),
             _fmt(c.mean_gain, 1), str(c.n_suivi), _fmt(c.still_passing_pct, 0, " %")] for c in figures.cohorts]
    return ("<h2>Par cohorte, dans l'ordre des dates</h2>"
            + html_table(["Cohorte", "Premier test", "n post", "% ≥ passage (post)", "Gain moyen", "n suivi",
                     "Encore ≥ passage au suivi"], rows, "small"))


REPORT_CSS = """
table.small { font-size: 8.5pt; }
.indicateur { border: 1.5pt solid #000; padding: 4pt 8pt; margin: 8pt 0; }
img { width: 100%; margin: 6pt 0; break-inside: avoid; }
.note { font-size: 9pt; }
"""


def build_report(data: Dataset, out_dir: Path, project, cohorts: list[str] | None = None,
                 with_names: bool = False, conn=None, printer=None) -> ReportFiles:
    """`conn`, the database `data` was loaded from: given, the report adds the observed skills
    (sheet « competences », a PDF section) when the database holds observations. `printer`: a
    `kalan.pdf.render.WarmPrinter` the caller started early (else the PDF is printed in this process)."""
    figures = compute(data, project.follow_up_days)
    skills = observed_skills(conn, project, cohorts or data.cohorts)
    return write_report(data, figures, out_dir, project, workbook_sheets(data, figures, with_names, skills),
                        cohorts, skills, printer)


def write_report(data: Dataset, figures: Figures, out_dir: Path, project, sheets: list[Sheet],
                 cohorts: list[str] | None, skills: list, printer=None, **sections: str) -> ReportFiles:
    """Charts, PDF and workbook into `out_dir` (`sections`: report_html's forms_html / items_html). With a
    `printer`, the workbook is written while the other process prints the PDF."""
    from kalan.pdf.render import PrinterGone, print_all, print_style

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        charts = build_charts(data, figures, out_dir / "graphiques")
        style = print_style(project.fonts_dir)
        pdf = out_dir / f"rapport-{data.form_id}.pdf"
        job = style.job(pdf, report_html(data, figures, charts, cohorts, skills, **sections))
        try:
            printing = printer.submit(job, style.css, out_dir) if printer else None
        except PrinterGone:
            printing = None
        workbook = write_xlsx(out_dir / f"rapport-{data.form_id}.xlsx", sheets)
        try:
            done = printing is not None and printing.result()
        except PrinterGone:  # the printer process was killed: print here
            done = False
        if not done:
            print_all([job], style.css, out_dir, None, workers=1)
    except OSError as exc:
        raise KalanError(f"rapport non écrit : {os_error_fr(exc)}") from None
    return ReportFiles(workbook, pdf, charts)


# -- Observed skills (issue 13 §5): only when the database holds observations ------------------------------


def observed_skills(conn, project, cohorts: list[str] | None = None) -> list:
    """One SkillTables per checklist with observations of the chosen cohorts (None: every cohort; an
    empty list or no observation: no section)."""
    if conn is None or cohorts == []:
        return []
    from kalan.quiz.observation import load_checklists
    from kalan.scoring.skills import has_observations, skills_tables

    if not has_observations(conn):
        return []
    checklists, _ = load_checklists(project)  # a checklist with errors: behaviours named by their id
    ids = [row[0] for row in conn.execute("SELECT DISTINCT checklist_id FROM skill_observations ORDER BY 1")]
    tables = [skills_tables(conn, checklists, cid, cohorts, project.skills_minimum) for cid in ids]
    return [t for t in tables if t.n_persons]


def _kappa_word(value: float) -> str:
    """Landis & Koch's bands, in French."""
    if math.isnan(value):
        return "—"
    for limit, word in ((0.2, "faible"), (0.4, "passable"), (0.6, "modéré"), (0.8, "bon")):
        if value <= limit:
            return word
    return "très bon"


def skills_sheet(t, with_names: bool = False, several: bool = False) -> tuple[str, list[str], list[list]]:
    """Sheet « competences »: blocks one under the other (indicator, behaviours, groups, agreement, people)."""
    rule = (f"note 2 = comportement démontré ; deux observateurs : la note la plus basse compte ; "
            f"comportement non noté : non démontré ; groupes de moins de {MIN_GROUP} personnes non calculés")
    rows: list[list] = [
        ["Personnes observées", t.n_persons], ["Feuilles d'observation", t.n_observations],
        ["Personnes notées par deux observateurs ou plus", t.n_double],
        ["Personnes avec au moins un comportement non noté", t.incomplete],
        ["Comportements de la grille (M)", t.n_behaviours],
        ["Minimum à démontrer (N, competences_minimales)", t.minimum],
        [f"Indicateur : % qui démontrent au moins {t.minimum} des {t.n_behaviours} comportements", t.indicator],
        ["Version(s) de la grille", ", ".join(map(str, t.versions))], ["Règles", rule], [],
        ["Comportement", "Intitulé", "n notés", "Moyenne (0 à 2)", "% note 0", "% note 1", "% note 2 (démontré)"],
        *([r.id, r.text, r.n, r.mean, *r.pct] for r in t.behaviour_rows), [],
        ["Dimension", "Groupe", "n", "Moyenne (0 à 2)", "Comportements démontrés (moyenne)",
         f"% ≥ {t.minimum} démontrés", "Remarque"],
        *([g.label, g.value, g.n, g.mean, g.mean_demonstrated, g.indicator,
           f"moins de {MIN_GROUP} personnes : non calculé" if g.suppressed else ""] for g in t.group_rows), [],
        ["Accord entre observateurs", "Paires", "% accord exact", "Kappa de Cohen", "Kappa pondéré (linéaire)",
         "Accord (kappa pondéré)"],
        *([("ensemble (kappa groupé)" if a.id == "ensemble" else a.id), a.pairs, a.exact_pct, a.kappa,
           a.kappa_linear, _kappa_word(a.kappa_linear)] for a in t.agreement_rows), [],
        ["Code", *(["Nom"] if with_names else []), "Cohorte", "Sexe", "Catégorie", "Cercle", "Observateurs",
         "Comportements notés", "Total", "Moyenne (0 à 2)", "Comportements démontrés",
         f"Au moins {t.minimum} démontrés"],
    ]
    for r in t.person_rows:
        person = t.participants[r.code]
        rows.append([r.code, *([person["name"]] if with_names else []), person["cohort"], person["sex"],
                     person["category"], person["cercle"], ", ".join(r.observers), r.scored, r.total, r.mean,
                     r.demonstrated, "oui" if r.meets else "non"])
    name = f"competences {t.checklist_id}" if several else "competences"
    return name, [f"Compétences observées — grille {t.checklist_id}", "Valeur"], rows


def skills_html(t) -> str:
    """The PDF's skills section: indicator, behaviours, groups and observer agreement (no names, no codes)."""
    behaviours = html_table(["Comportement", "n", "Moyenne (0 à 2)", "Note 0", "Note 1", "Démontré (note 2)"], [
        [f"{r.id} — {r.text}" if r.text != r.id else r.id, str(r.n), _fmt(r.mean, 2),
         *(_fmt(p, 0, " %") for p in r.pct)] for r in t.behaviour_rows], "small")
    groups = html_table(["Dimension", "Groupe", "n", "Moyenne (0 à 2)", "Démontrés (moyenne)", f"% ≥ {t.minimum}"], [
        [g.label, g.value, str(g.n), *([f"moins de {MIN_GROUP} personnes", "—", "—"] if g.suppressed else
                                        [_fmt(g.mean, 2), _fmt(g.mean_demonstrated, 1), _fmt(g.indicator, 0, " %")])]
        for g in t.group_rows], "small")
    agreement = html_table(["Comportement", "Paires", "Accord exact", "Kappa", "Kappa pondéré", "Accord"], [
        ["ensemble (kappa groupé)" if a.id == "ensemble" else a.id, str(a.pairs), _fmt(a.exact_pct, 0, " %"),
         _fmt(a.kappa), _fmt(a.kappa_linear), _kappa_word(a.kappa_linear)] for a in t.agreement_rows], "small")
    double = (f"{t.n_double} personne(s) notée(s) par deux observateurs." if t.n_double else
              "Aucune personne notée par deux observateurs : l'accord n'est pas mesuré.")
    return (
        f"<h2>Compétences observées — grille {html.escape(t.checklist_id)}</h2>"
        f"<div class='indicateur'><p>Indicateur : <strong>{_fmt(t.indicator, 1, ' %')}</strong> des "
        f"{t.n_persons} personnes observées démontrent au moins {t.minimum} des {t.n_behaviours} "
        "comportements de la grille.</p></div>"
        f"<p>{t.n_observations} feuille(s) d'observation. Un comportement est « démontré » quand il a la note 2 "
        "(fait en entier, selon l'ancre de la grille) ; un comportement non noté compte comme non démontré "
        f"({t.incomplete} personne(s) concernée(s)). Quand deux observateurs ont noté la même personne, "
        "la note la plus basse compte, comme le demande la grille en cas de doute.</p>"
        f"{behaviours}<h3>Par groupe</h3>{groups}<h3>Accord entre observateurs</h3><p>{double}</p>{agreement}"
        "<p class='note'>Kappa de Cohen sur les notes 0, 1, 2 ; pondéré : poids linéaires (une note d'écart compte "
        "pour moitié). Kappa groupé (de Vries et al., 2008) : accord observé moyen et accord dû au hasard moyen "
        "sur les comportements. Lecture (Landis et Koch) : ≤ 0,2 faible, ≤ 0,4 passable, ≤ 0,6 modéré, "
        "≤ 0,8 bon, au-delà très bon.</p>")
