"""`kalan feuilles …`: answer sheets read from phone photos (thin wrappers around kalan.omr)."""

from __future__ import annotations

from pathlib import Path

import typer

from kalan.config import load_project
from kalan.errors import KalanError
from kalan.terminal import ProjectOption, console, err, fail, progress

feuilles_app = typer.Typer(help="Feuilles de réponses photographiées : lecture, vérification, corrections.",
                           no_args_is_help=True)
DbOption = typer.Option(None, "--db", help="Base de résultats SQLite (par défaut data/kalan.sqlite).")


@feuilles_app.command("lire")
def read_command(
    dossier: Path = typer.Argument(..., help="Dossier des photos (JPEG, PNG) ou des PDF du scanner."),
    formulaire: str | None = typer.Option(None, "--formulaire", help="Formulaire (ex. PP1), si le QR code est abîmé."),
    phase: str | None = typer.Option(None, "--phase", help="pre, post ou suivi, si le QR code est abîmé "
                                     "(suivi : le test de suivi passé sur la feuille du post-test)."),
    essai: bool = typer.Option(False, "--essai", help="Lit et montre ce qui changerait, sans rien enregistrer."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Lit les feuilles de réponses photographiées d'un dossier : les feuilles sûres sont importées comme
    un fichier saisi (une transaction pour le dossier), les lectures douteuses attendent une vérification.

    Exemple :  kalan feuilles lire /tmp/essai/photos --db /tmp/essai/kalan.sqlite
    """
    from kalan.omr.photos import input_files
    from kalan.omr.queue import import_pages, known_photos, read_folder
    from kalan.omr.template import all_sheets
    from kalan.quiz.build import load_quizzes
    from kalan.scoring.db import open_project_db

    if phase is not None and phase not in ("pre", "post", "suivi"):
        raise fail(KalanError(f"--phase {phase!r} : « pre », « post » ou « suivi »"))
    try:
        project = load_project(projet)
        data = load_quizzes(project)
        if formulaire:
            data.form(formulaire)
        sheets = all_sheets(data.forms, project.code_prefixes, project.print_dir)
        conn = open_project_db(project, db)
        files = input_files(dossier)
        if not files:
            raise KalanError(f"{dossier} : aucune photo (JPEG, PNG) ni PDF dans ce dossier")
        with progress() as bar:
            task = bar.add_task("Lecture des photos", total=len(files))
            pages, skipped = read_folder(dossier, data, sheets, known_photos(conn), formulaire, phase,
                                            on_file=lambda _p: bar.advance(task))
        summary = import_pages(conn, dossier, pages, data, dry_run=essai)
    except KalanError as exc:
        raise fail(exc) from None
    for problem in summary.refused:
        err.print(f"[bold red]refusée[/] {problem} — rien n'est enregistré pour cette photo", highlight=False)
    for warning in summary.warnings:
        console.print(f"[yellow]attention[/] {warning}", highlight=False)
    read = len(pages) - len(summary.refused)
    prefix = "[bold]Essai[/] (rien n'est enregistré) : " if essai else ("[green]✓[/] " if not summary.refused else "")
    console.print(f"{prefix}{len(files)} fichier(s), {read} feuille(s) lue(s) : {summary.added} importée(s), "
                  f"{summary.unchanged} déjà dans la base, {summary.queued} à vérifier, "
                  f"{len(summary.refused)} refusée(s) ; {skipped} photo(s) déjà lue(s) avant.", highlight=False)
    if summary.queued:
        console.print("À vérifier : kalan feuilles verifier --sortie DOSSIER, puis kalan feuilles corriger "
                      "DOSSIER/corrections.xlsx", highlight=False)
    if summary.refused:
        raise typer.Exit(1)


@feuilles_app.command("verifier")
def review_command(
    sortie: Path = typer.Option(..., "--sortie", help="Dossier où écrire la page de vérification et le fichier "
                                "de corrections."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Écrit la page hors ligne des lectures douteuses (la photo de chaque bulle à côté de la lecture
    proposée) et le fichier de corrections à remplir.

    Exemple :  kalan feuilles verifier --sortie /tmp/essai/verification --db /tmp/essai/kalan.sqlite
    """
    from kalan.omr.review import write_review
    from kalan.quiz.build import load_quizzes
    from kalan.scoring.db import open_project_db

    try:
        project = load_project(projet)
        files = write_review(open_project_db(project, db), sortie, load_quizzes(project),
                             project.code_prefixes)
    except KalanError as exc:
        raise fail(exc) from None
    console.print(f"[green]✓[/] {files.pages} feuille(s), {files.doubts} point(s) à vérifier\n"
                  f"[green]✓[/] {files.page}\n[green]✓[/] {files.corrections}", highlight=False)


@feuilles_app.command("corriger")
def correct_command(
    fichier: Path = typer.Argument(..., help="Le fichier de corrections rempli (corrections.xlsx ou CSV)."),
    essai: bool = typer.Option(False, "--essai", help="Montre ce qui changerait, sans rien enregistrer."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Importe les corrections des lectures douteuses (tout ou rien) ; les feuilles complètes comptent
    ensuite comme les autres.

    Exemple :  kalan feuilles corriger /tmp/essai/verification/corrections.xlsx --db /tmp/essai/kalan.sqlite
    """
    from kalan.omr.corrections import import_corrections
    from kalan.quiz.build import load_quizzes
    from kalan.scoring.db import open_project_db

    try:
        project = load_project(projet)
        summary = import_corrections(open_project_db(project, db), fichier, load_quizzes(project),
                                     project.code_prefixes, dry_run=essai)
    except KalanError as exc:
        raise fail(exc) from None
    if summary.already_imported:
        console.print(f"[cyan]Déjà importé[/] le {summary.already_imported} : rien n'a changé ({summary.file}).")
        return
    prefix = "[bold]Essai[/] (rien n'est enregistré) : " if essai else "[green]✓[/] "
    console.print(f"{prefix}{summary.file} : {summary.corrected} feuille(s) corrigée(s) ({summary.added} "
                  f"importée(s), {summary.unchanged} déjà dans la base), {summary.discarded} écartée(s), "
                  f"{summary.waiting} encore incomplète(s).", highlight=False)
