"""`kalan audio …`: recording sheets and the import of recordings made on phones (thin wrappers)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from kalan.config import Project, load_project
from kalan.errors import KalanError
from kalan.terminal import ProjectOption, console, fail, progress

audio_app = typer.Typer(help="Enregistrements faits sur le terrain : fiches d'enregistrement, import.",
                        no_args_is_help=True)


@audio_app.command("fiche")
def sheet_command(
    sortie: Path | None = typer.Option(None, "--sortie", help="Dossier des fiches (défaut : dist/enregistrements)."),
    projet: Path | None = ProjectOption,
) -> None:
    """Imprime une fiche d'enregistrement par langue : comment enregistrer, le nom de chaque fichier,
    le texte exact à dire (les sigles avec leur forme dite en bambara).

    Exemple :  kalan audio fiche   puis dist/enregistrements/fiche-bm.pdf
    """
    from kalan.pdf.render import print_all, print_style
    from kalan.recordings import recording_sheet_html, require_slots

    try:
        project = load_project(projet)
        plan = require_slots(project)
        out_dir = sortie or project.out_dir / "enregistrements"
        style = print_style(project.fonts_dir)
        jobs = [style.job(out_dir / f"fiche-{lang}.pdf", recording_sheet_html(project, lang))
                for lang in plan.languages]
        with progress() as bar:
            task = bar.add_task("Fiches d'enregistrement", total=len(jobs))
            printed = print_all(jobs, style.css, project.docs_dir, None, on_done=lambda _p: bar.advance(task))
    except KalanError as exc:
        raise fail(exc) from None
    for result in sorted(printed, key=lambda p: p.output.name):
        shown = result.output.relative_to(project.root) if result.output.is_relative_to(project.root) else result.output
        console.print(f"[green]✓[/] {shown} ({result.pages} pages)")


@audio_app.command("importer")
def import_command(
    dossier: Path = typer.Argument(..., help="Dossier des fichiers reçus des téléphones (bm-fiche-03.m4a…)."),
    projet: Path | None = ProjectOption,
) -> None:
    """Importe des enregistrements (.opus, .ogg, .m4a, .mp3, .wav…) : volume égalisé, converti en Opus
    mono, rangé à sa place. Tout ou rien ; un fichier déjà importé n'est pas refait.

    Exemple :  kalan audio importer ~/Téléchargements/enregistrements-koro
    """
    from kalan.recordings import import_recordings

    try:
        project = load_project(projet)
        with progress() as bar:
            task = bar.add_task("Conversion", total=None)
            results = import_recordings(project, dossier, on_file=lambda _p: bar.advance(task))
    except KalanError as exc:
        raise fail(exc) from None
    for r in results:
        state = "importé" if r.changed else "déjà importé, inchangé"
        console.print(f"[green]✓[/] {r.source.name} → {r.target.relative_to(project.root)} "
                      f"({r.seconds:.1f} s, {state})", highlight=False)


def print_recording_status(project: Project) -> None:
    """`kalan check --enregistrements`: per language, slots recorded and missing."""
    from kalan.recordings import load_slots, recording_status

    plan = load_slots(project)
    if plan is None:
        console.print("Aucun créneau d'enregistrement (referentiels/enregistrements.yml absent).")
        return
    table = Table(title="Enregistrements : créneaux enregistrés / à faire", title_justify="left")
    for column in ("Langue", "Enregistrés", "Créneaux", "À faire (premiers)"):
        table.add_column(column, justify="left" if column in ("Langue", "À faire (premiers)") else "right")
    for code, done, total, missing in recording_status(project):
        more = f" … (+{len(missing) - 6})" if len(missing) > 6 else ""
        table.add_row(f"{plan.languages[code]} ({code})", str(done), str(total), ", ".join(missing[:6]) + more)
    console.print(table)
