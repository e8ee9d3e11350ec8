"""Commands for observed skills (`kalan competences …`) and for merging databases (`kalan base fusionner`)."""

from __future__ import annotations

import math
from pathlib import Path

import typer
from rich.table import Table

from kalan.config import load_project
from kalan.errors import KalanError
from kalan.scoring.cli import DbOption, _print_summary
from kalan.scoring.db import open_project_db
from kalan.terminal import ProjectOption, console, fail

competences_app = typer.Typer(help="Compétences observées (grille d'observation des PSP).", no_args_is_help=True)
base_app = typer.Typer(help="La base de résultats : fusionner celle d'un autre bureau.", no_args_is_help=True)

GrilleOption = typer.Option(None, "--grille", help="Grille d'observation (ex. OPSP), si le fichier ne le dit pas.")


@competences_app.command("importer")
def import_skills_command(
    fichier: Path = typer.Argument(..., help="Notes : classeur de saisie kalan, export KoboToolbox (XLSX/CSV) ou CSV."),
    grille: str | None = GrilleOption,
    essai: bool = typer.Option(False, "--essai", help="Montre ce qui changerait, sans rien enregistrer."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Importe les notes 0, 1, 2 des feuilles d'observation (une transaction par fichier : tout ou rien).

    Exemple :  kalan competences importer observations-saisie.xlsx --grille OPSP
    """
    from kalan.quiz.observation import require_checklists
    from kalan.scoring.skills import import_skills

    try:
        project = load_project(projet)
        conn = open_project_db(project, db)
        with console.status(f"Lecture et vérification de {fichier.name}…"):
            summary = import_skills(conn, fichier, require_checklists(project), grille, dry_run=essai)
    except KalanError as exc:
        raise fail(exc) from None
    _print_summary(summary, "feuille(s) d'observation")


def _num(value: float, digits: int = 2, suffix: str = "") -> str:
    return "—" if math.isnan(value) else f"{value:.{digits}f}{suffix}".replace(".", ",")


@competences_app.command("resume")
def skills_summary_command(
    grille: str | None = GrilleOption,
    cohorte: list[str] | None = typer.Option(None, "--cohorte", help="Limiter à une cohorte (répétable)."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Affiche l'indicateur (au moins N comportements démontrés sur M), chaque comportement et l'accord
    entre observateurs. Le détail par personne et par groupe est dans le rapport (feuille « competences »).

    Exemple :  kalan competences resume --cohorte C01-KOR
    """
    from kalan.quiz.observation import load_checklists
    from kalan.scoring.skills import skills_tables

    try:
        project = load_project(projet)
        checklists, _ = load_checklists(project)
        t = skills_tables(open_project_db(project, db), checklists, grille, cohorte or None, project.skills_minimum)
    except KalanError as exc:
        raise fail(exc) from None
    console.print(f"[bold]Grille {t.checklist_id}[/] : {t.n_persons} personne(s) observée(s), "
                  f"{t.n_observations} feuille(s), {t.n_double} personne(s) notée(s) par deux observateurs.",
                  highlight=False)
    console.print(f"Indicateur : [bold]{_num(t.indicator, 1, ' %')}[/] démontrent au moins {t.minimum} des "
                  f"{t.n_behaviours} comportements (note 2 = démontré).", highlight=False)
    table = Table(title="Par comportement", title_justify="left")
    for column in ("Comportement", "n", "Moyenne (0-2)", "Note 0", "Note 1", "Démontré (2)"):
        table.add_column(column)
    for r in t.behaviour_rows:
        table.add_row(r.id, str(r.n), _num(r.mean), *(_num(p, 0, " %") for p in r.pct))
    console.print(table)
    if t.n_double:
        agreement = Table(title="Accord entre observateurs (kappa de Cohen)", title_justify="left")
        for column in ("Comportement", "Paires", "Accord exact", "Kappa", "Kappa pondéré"):
            agreement.add_column(column)
        for a in t.agreement_rows:
            agreement.add_row("ensemble (groupé)" if a.id == "ensemble" else a.id, str(a.pairs),
                              _num(a.exact_pct, 0, " %"), _num(a.kappa), _num(a.kappa_linear))
        console.print(agreement)


@base_app.command("fusionner")
def merge_command(
    autre: Path = typer.Argument(..., help="La base de l'autre bureau (fichier .sqlite)."),
    essai: bool = typer.Option(False, "--essai", help="Montre ce qui changerait, sans rien enregistrer."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Fusionne dans cette base celle d'un autre bureau (participants, tests, présences, compétences,
    journal des imports). Au moindre conflit, rien n'est modifié ; fusionner deux fois ne change rien.

    Exemple :  kalan base fusionner douentza.sqlite --db data/kalan.sqlite
    """
    from kalan.scoring.merge import merge_database

    try:
        project = load_project(projet)
        conn = open_project_db(project, db)
        with console.status(f"Fusion de {autre.name}…"):
            summary = merge_database(conn, autre, dry_run=essai)
    except KalanError as exc:
        raise fail(exc) from None
    for warning in summary.warnings:
        console.print(f"[yellow]attention[/] {warning}", highlight=False)
    if summary.already_imported:
        console.print(f"[cyan]Déjà fusionnée[/] le {summary.already_imported} : rien n'a changé ({summary.file}).")
        return
    table = Table(title=f"Fusion de {summary.file}", title_justify="left")
    for column in ("Données", "Ajoutées", "Déjà là"):
        table.add_column(column)
    for label, (added, same) in summary.tables.items():
        table.add_row(label, str(added), str(same))
    console.print(table)
    verb = "serait" if summary.dry_run else "a été"
    prefix = "[bold]Essai[/] (rien n'est enregistré) : " if summary.dry_run else "[green]✓[/] "
    console.print(f"{prefix}{summary.added} ligne(s) ajoutée(s), {summary.unchanged} déjà présente(s) — la base "
                  f"{verb} {'modifiée' if summary.changes else 'laissée telle quelle'}.", highlight=False)
