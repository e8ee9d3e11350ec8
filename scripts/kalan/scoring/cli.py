"""The M&E commands: participants, results, report, follow-up, example. French output."""

from __future__ import annotations

from pathlib import Path

import typer

from kalan.config import load_project
from kalan.errors import KalanError
from kalan.scoring.db import open_project_db
from kalan.terminal import ProjectOption, console, fail

DbOption = typer.Option(None, "--db", help="Base de résultats SQLite (par défaut data/kalan.sqlite).")


def _print_summary(summary, what: str) -> None:
    for warning in summary.warnings:
        console.print(f"[yellow]attention[/] {warning}", highlight=False)
    if summary.already_imported:
        console.print(f"[cyan]Déjà importé[/] le {summary.already_imported} : rien n'a changé ({summary.file}).")
        return
    verb = "serait" if summary.dry_run else "a été"
    prefix = "[bold]Essai[/] (rien n'est enregistré) : " if summary.dry_run else "[green]✓[/] "
    console.print(f"{prefix}{summary.file} : {summary.rows} {what} lu(e)s ; {summary.added} ajout(s), "
                  f"{summary.updated} mise(s) à jour, {summary.unchanged} inchangé(s) — la base {verb} "
                  f"{'modifiée' if summary.changes else 'laissée telle quelle'}.", highlight=False)


participants_app = typer.Typer(help="Liste des premiers répondants formés.", no_args_is_help=True)
resultats_app = typer.Typer(help="Réponses des tests pré, post et de suivi.", no_args_is_help=True)


@participants_app.command("importer")
def import_participants(
    fichier: Path = typer.Argument(..., help="Liste des participants (.xlsx ou .csv)."),
    essai: bool = typer.Option(False, "--essai", help="Montre ce qui changerait, sans rien enregistrer."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Importe (ou met à jour) la liste des participants : code, sexe, catégorie, cercle, commune,
    organisation, cohorte, et facultativement le nom.

    Exemple :  kalan participants importer participants.xlsx --db data/kalan.sqlite
    """
    from kalan.scoring.participants import import_roster

    try:
        project = load_project(projet)
        conn = open_project_db(project, db)
        with console.status(f"Import de {fichier.name}…"):
            summary = import_roster(conn, fichier, project.code_prefixes, dry_run=essai)
    except KalanError as exc:
        raise fail(exc) from None
    _print_summary(summary, "participant(s)")


@resultats_app.command("importer")
def import_results_command(
    fichier: Path = typer.Argument(..., help="Réponses : classeur kalan, export KoboToolbox (XLSX/CSV) ou CSV."),
    formulaire: str | None = typer.Option(
        None, "--formulaire", help="Formulaire (ex. PP1), si le fichier ne le dit pas."),
    phase: str | None = typer.Option(None, "--phase", help="pre, post ou suivi, si le fichier ne le dit pas."),
    essai: bool = typer.Option(False, "--essai", help="Montre ce qui changerait, sans rien enregistrer."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Importe les réponses d'un test (une transaction par fichier : tout ou rien).

    Exemple :  kalan resultats importer kobo-export.xlsx --formulaire PP1
    """
    from kalan.quiz.build import load_quizzes
    from kalan.scoring.results import import_results

    if phase is not None and phase not in ("pre", "post", "suivi"):
        raise fail(KalanError(f"--phase {phase!r} : « pre », « post » ou « suivi » (test de suivi, sur la "
                              "variante post du formulaire)"))
    try:
        project = load_project(projet)
        conn = open_project_db(project, db)
        with console.status(f"Lecture et vérification de {fichier.name}…"):
            summary = import_results(conn, fichier, load_quizzes(project), formulaire, phase, dry_run=essai)
    except KalanError as exc:
        raise fail(exc) from None
    _print_summary(summary, "feuille(s) de réponses")


def rapport_command(
    sortie: Path = typer.Option(..., "--sortie", help="Dossier où écrire le classeur, le PDF et les graphiques."),
    cohorte: list[str] | None = typer.Option(None, "--cohorte", help="Limiter à une cohorte (répétable)."),
    formulaire: str | None = typer.Option(
        None, "--formulaire", help="Formulaire, s'il y en a plusieurs ; ou le plan de deux formes parallèles "
        "(PP2 : PP2A et PP2B regroupées)."),
    avec_noms: bool = typer.Option(False, "--avec-noms", help="Ajoute les noms dans le classeur (sinon : codes)."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Écrit le rapport pré/post : classeur Excel (indicateurs, groupes, participants, questions, qualité
    des données), PDF imprimable et graphiques.

    Avec --formulaire PP2 (le plan de deux formes parallèles), le rapport regroupe PP2A et PP2B : chaque
    personne compte avec la forme qu'elle a passée (groupes, objectifs, cohortes, rétention, suivi), plus le
    gain par ordre (A→B, B→A), le respect du contrebalancement et les questions de chaque forme.

    Exemple :  kalan rapport --sortie rapports/octobre --cohorte C01-KOR
    """
    from kalan.pdf.render import start_printer

    # First, before anything else is imported: the printer's process imports WeasyPrint on the other core
    # while this one reads the database and computes the figures, the workbook and the charts.
    with start_printer() as printer:
        from kalan.scoring.dataset import load_dataset
        from kalan.scoring.family import is_family, load_family, plan_source
        from kalan.scoring.parallel import build_family_report
        from kalan.scoring.report import build_report

        try:
            project = load_project(projet)
            conn = open_project_db(project, db)
            with console.status("Calcul du rapport…"):
                if formulaire and is_family(conn, formulaire):
                    family = load_family(conn, formulaire, cohorte or None, plan_source(project, formulaire.upper()))
                    files = build_family_report(family, sortie, project, cohorte or None, avec_noms, conn, printer)
                else:
                    data = load_dataset(conn, cohorte or None, formulaire)
                    files = build_report(data, sortie, project, cohorte or None, avec_noms, conn, printer)
        except KalanError as exc:
            raise fail(exc) from None
    console.print(f"[green]✓[/] Rapport : {files.workbook}\n[green]✓[/] PDF : {files.pdf}")


def suivi_command(
    cohorte: list[str] | None = typer.Option(None, "--cohorte", help="Limiter à une cohorte (répétable)."),
    formulaire: str | None = typer.Option(
        None, "--formulaire", help="Formulaire, s'il y en a plusieurs ; ou le plan de deux formes parallèles (PP2)."),
    avec_noms: bool = typer.Option(False, "--avec-noms", help="Affiche aussi les noms."),
    date: str | None = typer.Option(None, "--date", help="Date du jour AAAA-MM-JJ (par défaut : aujourd'hui)."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Liste les personnes à suivre (sous la note de passage au post-test, test manquant, ou test de
    suivi en retard : post-test plus ancien que delai_suivi_jours de [tool.kalan.suivi]), par cohorte
    et par commune.

    Exemple :  kalan suivi --cohorte C01-KOR
    """
    import datetime as dt

    from kalan.scoring.dataset import follow_up, load_dataset
    from kalan.scoring.family import is_family, load_pooled

    try:
        today = dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise fail(KalanError(f"--date {date!r} : date attendue sous la forme AAAA-MM-JJ")) from None
    try:
        project = load_project(projet)
        conn = open_project_db(project, db)
        if formulaire and is_family(conn, formulaire):
            data = load_pooled(conn, formulaire, cohorte or None)
        else:
            data = load_dataset(conn, cohorte or None, formulaire)
    except KalanError as exc:
        raise fail(exc) from None
    rows = follow_up(data, project.follow_up_days, today)
    from rich.table import Table

    table = Table(title=f"Suivi — formulaire {data.form_id} ({len(rows)} personne(s))", title_justify="left")
    columns = ["Cohorte", "Commune", "Code", *(["Nom"] if avec_noms else []), "Pré", "Post", "Suivi", "Motif"]
    for column in columns:
        table.add_column(column)
    for f in rows:
        name = [data.participants[f.code]["name"]] if avec_noms else []
        table.add_row(f.cohort, f.commune, f.code, *name, "—" if f.pre is None else str(f.pre),
                      "—" if f.post is None else str(f.post), "—" if f.suivi is None else str(f.suivi), f.reason)
    console.print(table)


def exemple_command(
    dossier: Path = typer.Argument(..., help="Dossier où écrire les fichiers d'exemple."),
    formulaire: str = typer.Option("PP1", "--formulaire", help="Formulaire utilisé."),
    projet: Path | None = ProjectOption,
) -> None:
    """Écrit une cohorte inventée (liste des participants, réponses pré et post dans quatre formats, test de
    suivi, présence, compétences observées, photos de feuilles) pour essayer toute la chaîne, et dans
    DOSSIER/autre-bureau celle d'un autre bureau, testée sur les formes parallèles PP2A / PP2B, à fusionner.

    Exemple :  kalan exemple /tmp/essai
    """
    from kalan.quiz.build import load_quizzes
    from kalan.scoring.example import OTHER_OFFICE, write_example, write_other_office

    try:
        project = load_project(projet)
        quiz = load_quizzes(project)
        paths = write_example(quiz.form(formulaire), dossier, project.code_prefixes)
        family = {f.id[-1]: f for f in quiz.forms if f.id in ("PP2A", "PP2B")}
        if len(family) == 2:
            paths += write_other_office(family, dossier / OTHER_OFFICE, project.code_prefixes[-1])
    except KalanError as exc:
        raise fail(exc) from None
    for path in paths:
        console.print(f"[green]✓[/] {path}")
    console.print("Personnes et réponses inventées. Étapes suivantes : voir « Suivi-évaluation » dans le README.")
