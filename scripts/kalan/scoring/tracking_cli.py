"""Tracking commands: attendance sheets, typing workbook, attendance import and summary,
certificates of participation. Thin wrappers over kalan.scoring.attendance and .attestations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.table import Table

from kalan.config import load_project
from kalan.errors import KalanError
from kalan.scoring.cli import DbOption, _print_summary
from kalan.scoring.db import open_project_db
from kalan.terminal import ProjectOption, console, fail, progress

presence_app = typer.Typer(help="Présence aux demi-journées : feuilles à signer, saisie, import, bilan.",
                           no_args_is_help=True)


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise KalanError(f"{option} {text!r} : date attendue sous la forme AAAA-MM-JJ (ex. 2026-10-05)") from None


@presence_app.command("feuilles")
def sheets_command(
    cohorte: str = typer.Option(..., "--cohorte", help="Cohorte (ex. C01-KOR)."),
    sortie: Path = typer.Option(..., "--sortie", help="Dossier où écrire le PDF (jamais dans dist/site)."),
    debut: str | None = typer.Option(None, "--debut", help="Date du jour 1 (AAAA-MM-JJ), imprimée sur chaque jour."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Imprime les feuilles de présence d'une cohorte (une page par jour de l'agenda, une ligne par
    personne, P / A et signature par demi-journée). Document du formateur : il contient les noms.

    Exemple :  kalan presence feuilles --cohorte C01-KOR --sortie ~/formation/C01-KOR
    """
    from kalan.scoring.attendance import training_plan
    from kalan.scoring.attestations import print_sheets

    try:
        project = load_project(projet)
        start = _date(debut, "--debut")
        plan = training_plan(project)
        with console.status(f"Impression des feuilles de présence de {cohorte}…"):
            path = print_sheets(open_project_db(project, db), plan, cohorte, sortie, project, start)
    except KalanError as exc:
        raise fail(exc) from None
    console.print(f"[green]✓[/] Feuilles de présence ({plan.n_days} jour(s), {len(plan.halves)} demi-journées) → "
                  f"{path}\n[yellow]attention[/] ce document contient des noms : ne le diffusez pas.",
                  highlight=False)


@presence_app.command("modele")
def workbook_command(
    cohorte: str = typer.Option(..., "--cohorte", help="Cohorte (ex. C01-KOR)."),
    sortie: Path = typer.Option(..., "--sortie", help="Fichier .xlsx à écrire."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Écrit le classeur de saisie de la présence : les codes de la cohorte (sans noms), une colonne
    par demi-journée de l'agenda, listes P / A.

    Exemple :  kalan presence modele --cohorte C01-KOR --sortie presence-C01-KOR.xlsx
    """
    from kalan.scoring.attendance import cohort_codes, training_plan, write_attendance_workbook

    try:
        project = load_project(projet)
        plan = training_plan(project)
        codes = cohort_codes(open_project_db(project, db), cohorte)
        path = write_attendance_workbook(sortie, cohorte, codes, plan.halves)
    except KalanError as exc:
        raise fail(exc) from None
    console.print(f"[green]✓[/] Classeur de présence ({len(codes)} code(s), {len(plan.halves)} demi-journées) → "
                  f"{path}", highlight=False)


@presence_app.command("importer")
def import_command(
    fichier: Path = typer.Argument(..., help="Présence saisie : classeur de kalan presence modele, ou CSV."),
    essai: bool = typer.Option(False, "--essai", help="Montre ce qui changerait, sans rien enregistrer."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Importe la présence saisie (une transaction par fichier : tout ou rien ; deux fois le même
    fichier ne change rien ; une case vide garde ce qui est déjà dans la base).

    Exemple :  kalan presence importer presence-C01-KOR.xlsx --db data/kalan.sqlite
    """
    from kalan.scoring.attendance import import_attendance, training_plan

    try:
        project = load_project(projet)
        conn = open_project_db(project, db)
        with console.status(f"Lecture et vérification de {fichier.name}…"):
            summary = import_attendance(conn, fichier, training_plan(project).halves, dry_run=essai)
    except KalanError as exc:
        raise fail(exc) from None
    _print_summary(summary, "demi-journée(s) de présence")


@presence_app.command("bilan")
def summary_command(
    cohorte: str | None = typer.Option(None, "--cohorte", help="Limiter à une cohorte."),
    tous: bool = typer.Option(False, "--tous", help="Liste chaque personne (sinon : celles qui n'ont pas terminé)."),
    avec_noms: bool = typer.Option(False, "--avec-noms", help="Affiche aussi les noms."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Taux de présence par cohorte et par personne, et qui a terminé la formation (présence
    suffisante et pré-test et post-test passés).

    Exemple :  kalan presence bilan --cohorte C01-KOR
    """
    from kalan.scoring.attendance import cohort_attendance, completions, percent, training_plan

    try:
        project = load_project(projet)
        conn = open_project_db(project, db)
        share = project.attendance_share
        done = completions(conn, training_plan(project).halves, share, cohorte)
    except KalanError as exc:
        raise fail(exc) from None
    names = dict(conn.execute("SELECT code, name FROM participants")) if avec_noms else {}
    table = Table(title=f"Présence par cohorte (minimum {percent(share)} des demi-journées)", title_justify="left")
    for column in ("Cohorte", "Personnes", "Taux de présence", f"≥ {percent(share)}", "Ont terminé"):
        table.add_column(column, justify="left" if column == "Cohorte" else "right")
    finished: dict[str, int] = {}
    for c in done:
        finished[c.attendance.cohort] = finished.get(c.attendance.cohort, 0) + c.completed
    for row in cohort_attendance([c.attendance for c in done], share):
        table.add_row(row.cohort, str(row.persons), percent(row.rate), str(row.at_or_above),
                      str(finished.get(row.cohort, 0)))
    console.print(table)
    listed = done if tous else [c for c in done if not c.completed]
    people = Table(title="Par personne" if tous else f"N'ont pas (encore) terminé : {len(listed)} personne(s)",
                   title_justify="left")
    for column in ("Cohorte", "Code", *(["Nom"] if avec_noms else []), "Présence", "Pré", "Post",
                   *(["Terminé"] if tous else [])):
        people.add_column(column, no_wrap=column != "Nom")
    people.add_column("Motif", min_width=24)
    for c in listed:
        a = c.attendance
        people.add_row(a.cohort, a.code, *([names.get(a.code) or ""] if avec_noms else []),
                       f"{a.present}/{a.total} ({percent(a.rate)})", "oui" if c.pre else "non",
                       "oui" if c.post else "non", *(["oui" if c.completed else "non"] if tous else []),
                       " ; ".join(c.reasons))
    console.print(people)


def attestations_command(
    cohorte: str | None = typer.Option(None, "--cohorte", help="Cohorte (ex. C01-KOR)."),
    sortie: Path | None = typer.Option(None, "--sortie", help="Dossier des PDF et de la liste (hors de dist/site)."),
    bm: bool = typer.Option(False, "--bm", help="Imprime aussi chaque attestation en bambara."),
    avec_noms: bool = typer.Option(False, "--avec-noms", help="Met les noms dans la liste des non-qualifiés."),
    debut: str | None = typer.Option(None, "--debut", help="Premier jour (AAAA-MM-JJ) ; sinon : date des pré-tests."),
    fin: str | None = typer.Option(None, "--fin", help="Dernier jour (AAAA-MM-JJ) ; sinon : date des post-tests."),
    verifier: str | None = typer.Option(None, "--verifier", help="Retrouve à qui appartient un code de vérification."),
    processus: int = typer.Option(0, "--processus", help="Processus d'impression en parallèle (0 = un par cœur)."),
    db: Path | None = DbOption,
    projet: Path | None = ProjectOption,
) -> None:
    """Imprime une attestation de participation A4 par personne qui a terminé la formation (présence
    suffisante, pré-test et post-test), en français (et en bambara avec --bm), chacune avec un code
    de vérification ; écrit la liste de qui n'est pas qualifié et pourquoi (non-qualifies-COHORTE.csv).
    --verifier CODE dit à qui appartient un code imprimé et si la personne a bien terminé.

    Exemple :  kalan attestations --cohorte C01-KOR --sortie ~/formation/attestations --bm
    """
    from kalan.scoring.attendance import training_plan

    try:
        project = load_project(projet)
        conn = open_project_db(project, db)
        plan = training_plan(project)
        if verifier is not None:
            _verify(conn, plan, project.attendance_share, verifier, avec_noms)
            return
        if not cohorte or sortie is None:
            raise KalanError("précisez --cohorte et --sortie (ou --verifier CODE pour vérifier une attestation)")
        _attestations(conn, project, plan, cohorte, sortie, bm, avec_noms, _date(debut, "--debut"),
                      _date(fin, "--fin"), processus or None)
    except KalanError as exc:
        raise fail(exc) from None


def _verify(conn, plan, share: float, typed: str, with_names: bool) -> None:
    from kalan.scoring.attestations import verify

    found = verify(conn, plan, share, typed)
    if not found:
        raise KalanError(f"le code de vérification {typed} ne correspond à aucun participant de cette base "
                         "(attestation fausse, code mal recopié, ou autre base)")
    for v in found:
        who = f"{v.code}" + (f" ({v.name})" if with_names and v.name else "") + f", cohorte {v.cohort}"
        if v.completion is not None and v.completion.completed:
            console.print(f"[green]✓[/] {typed} : {who} — a terminé la formation "
                          f"(présence {v.completion.attendance.present}/{v.completion.attendance.total}, "
                          "pré-test et post-test).", highlight=False)
        else:
            reasons = " ; ".join(v.completion.reasons) if v.completion else "inconnu"
            console.print(f"[red]✗[/] {typed} : {who} — n'a PAS terminé la formation d'après la base : {reasons}.",
                          highlight=False)


def _attestations(conn, project, plan, cohort: str, folder: Path, bm: bool, with_names: bool,
                  start: dt.date | None, end: dt.date | None, workers: int | None) -> None:
    from kalan.scoring.attendance import percent
    from kalan.scoring.attestations import (
        check_output_folder,
        dates_text,
        file_part,
        hours_text,
        plan_attestations,
        print_certificates,
        remove_stale,
        write_not_qualified,
    )

    check_output_folder(folder, project)
    att = plan_attestations(conn, plan, project.attendance_share, cohort, start, end)
    langs = ("fr", "bm") if bm else ("fr",)
    console.print(f"Cohorte {cohort} : formation {dates_text(att.start, att.end)} ({att.dates_source} ; "
                  f"--debut et --fin pour les changer), {hours_text(plan.teaching_minutes)} de séances ; "
                  f"minimum de présence {percent(att.share)}.", highlight=False)
    recorded = conn.execute("SELECT COUNT(*) FROM attendance a JOIN participants p ON p.code = a.participant "
                            "WHERE p.cohort = ?", (cohort,)).fetchone()[0]
    if not recorded:
        console.print("[yellow]attention[/] aucune présence saisie pour cette cohorte : importez d'abord les "
                      "feuilles (kalan presence importer).", highlight=False)
    with progress() as bar:
        task = bar.add_task("Attestations", total=None)
        paths = print_certificates(att, folder, project, langs, workers,
                                   on_planned=lambda n: bar.update(task, total=n),
                                   on_done=lambda _p: bar.advance(task))
    console.print(f"[green]✓[/] {len(att.certificates)} attestation(s) ({', '.join(langs)}, {len(paths)} PDF) → "
                  f"{check_output_folder(folder, project)}", highlight=False)
    for path in remove_stale(att, folder):
        console.print(f"[yellow]attention[/] {path.name}, imprimée auparavant pour une personne qui n'est plus "
                      "qualifiée, a été retirée du dossier.", highlight=False)
    for c in att.without_name:
        console.print(f"[yellow]attention[/] {c.code} a terminé la formation mais n'a pas de nom dans la liste des "
                      "participants : pas d'attestation. Ajoutez le nom (colonne « nom ») et réimportez la liste "
                      "(kalan participants importer), puis relancez cette commande.", highlight=False)
    listing = write_not_qualified(att, folder / f"non-qualifies-{file_part(cohort)}.csv", project, with_names)
    console.print(f"[green]✓[/] Sans attestation : {len(att.not_qualified) + len(att.without_name)} personne(s), "
                  f"avec le motif → {listing}", highlight=False)
    for c in att.not_qualified:
        console.print(f"  {c.code} : {' ; '.join(c.reasons)}", highlight=False)
