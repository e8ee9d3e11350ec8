"""The `kalan` command: thin wrappers over the library, French output, rich progress."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from kalan.config import Project, load_project
from kalan.errors import KalanError
from kalan.terminal import ProjectOption, console, err, fail, progress

app = typer.Typer(
    help="kalan — curriculum bilingue des premiers répondants (site hors ligne, vérifications).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
@app.command("check")
def check_command(
    traductions: bool = typer.Option(
        False, "--traductions", help="Affiche aussi pages et mots par module en fr, en bm et relus."),
    enregistrements: bool = typer.Option(
        False, "--enregistrements", help="Affiche aussi, par langue, les créneaux enregistrés et à faire."),
    termes: bool = typer.Option(
        False, "--termes", help="Cherche aussi dans tous les textes les variantes que la termbase déconseille."),
    espaces: bool = typer.Option(
        False, "--espaces", help="Liste chaque espace réservé ([à compléter], [ka fa]…) avec sa ligne."),
    strict: bool = typer.Option(False, "--strict", help="Échoue aussi sur les avertissements."),
    projet: Path | None = ProjectOption,
) -> None:
    """Vérifie les manifestes, les pages en bambara, la banque de questions et la termbase.

    Exemple :  kalan check --termes --strict
    """
    from kalan.check import run_checks

    try:
        project = load_project(projet)
        report = run_checks(project, terms=termes, placeholders_detail=espaces)
    except KalanError as exc:
        raise fail(exc) from None
    for name, findings in report.groups.items():
        if not findings:
            console.print(f"[green]✓[/] {name}")
            continue
        console.print(f"[bold]{name}[/]")
        for finding in findings:
            colour = {"erreur": "red", "avertissement": "yellow"}.get(finding.severity, "cyan")
            console.print(f"  [{colour}]{finding.severity}[/] {finding}", highlight=False, soft_wrap=True)
    if traductions:
        _print_coverage(project)
    if enregistrements:
        from kalan.audio_cli import print_recording_status

        try:
            print_recording_status(project)
        except KalanError as exc:
            raise fail(exc) from None
    n_err, n_warn = len(report.errors), len(report.warnings)
    if n_err or (strict and n_warn):
        err.print(f"[bold red]{n_err} erreur(s), {n_warn} avertissement(s).[/]")
        raise typer.Exit(1)
    console.print(f"[green]Tout est en ordre[/] ({n_warn} avertissement(s)).")


def _print_coverage(project: Project) -> None:
    from rich.table import Table

    from kalan.manifests import load_curriculum
    from kalan.quiz.bank import bank_coverage, load_bank
    from kalan.translations import coverage

    table = Table(title="Traductions : pages (mots)", title_justify="left")
    for column in ("Module", "Français", "Bambara", "Bambara relu", "Sans bambara"):
        table.add_column(column, justify="left" if column == "Module" else "right")
    curriculum = load_curriculum(project)
    rows = coverage(project, curriculum)
    bank = load_bank(project, curriculum.objective_ids())
    if bank.items:
        rows.append(bank_coverage(bank))
    for row in rows:
        table.add_row(row.label, f"{row.fr.pages} ({row.fr.words})", f"{row.bm.pages} ({row.bm.words})",
                      f"{row.reviewed.pages} ({row.reviewed.words})", str(len(row.missing_bm)))
    total = [sum(getattr(r, k).pages for r in rows) for k in ("fr", "bm", "reviewed")]
    words = [sum(getattr(r, k).words for r in rows) for k in ("fr", "bm", "reviewed")]
    table.add_row("[bold]Total[/]", *(f"{p} ({w})" for p, w in zip(total, words, strict=True)),
                  str(sum(len(r.missing_bm) for r in rows)))
    console.print(table)


@app.command("build")
def build_command(
    sans_pdf: bool = typer.Option(False, "--sans-pdf", help="Construit seulement le site (plus rapide)."),
    processus: int = typer.Option(
        0, "--processus", help="Processus d'impression en parallèle (0 = un par cœur)."),
    projet: Path | None = ProjectOption,
) -> None:
    """Construit le site hors ligne (français et bambara), tous les PDF dans dist/site/
    et un fichier ZIM par langue pour Kiwix (téléphones) dans dist/zim/.

    Les PDF déjà imprimés dont rien n'a changé sont repris du cache (dist/.cache/pdf).
    Exemple :  kalan build   puis ouvrir dist/site/index.html
    """
    from kalan.i18n import LANG_NAMES
    from kalan.manifests import load_curriculum
    from kalan.messages import t
    from kalan.pdf.build import build_pdfs, trainee_pages
    from kalan.sitebuild import build_site, count_sources
    from kalan.zim import build_zims

    try:
        project = load_project(projet)
        started = time.perf_counter()
        with progress() as bar:
            task = bar.add_task("Site : pages", total=count_sources(project))
            result = build_site(project, on_page=lambda _dest: bar.advance(task))
        for warning in result.warnings:
            console.print(f"[yellow]avertissement[/] {warning}", highlight=False)
        console.print(f"[green]✓[/] Site : {result.pages} pages en {time.perf_counter() - started:.1f} s "
                      f"→ {result.site_dir.relative_to(project.root)}/index.html")
        if sans_pdf:
            return
        started = time.perf_counter()
        out_dir = result.site_dir / "pdf"
        with progress() as bar:
            tasks: dict[Path, object] = {}

            def planned(documents: list) -> None:
                for doc in documents:
                    tasks[out_dir / doc.output] = bar.add_task(f"PDF {doc.output}", total=1)

            def done(printed: object) -> None:
                bar.update(tasks[printed.output], completed=1, visible=False)

            printed = build_pdfs(project, load_curriculum(project), out_dir,
                                 project.out_dir / ".cache" / "pdf", processus or None,
                                 on_planned=planned, on_done=done)
        fresh = [p for p in printed if not p.cached]
        console.print(f"[green]✓[/] PDF : {len(printed)} documents ({sum(p.pages for p in printed)} pages ; "
                      f"{len(fresh)} imprimés, {len(printed) - len(fresh)} repris du cache) "
                      f"en {time.perf_counter() - started:.1f} s → "
                      f"{out_dir.relative_to(project.root)}/")
        for pack in trainee_pages(project, printed, out_dir):
            values = {"langue": LANG_NAMES[pack.lang], "pages": pack.pages,
                      "copies": f"{pack.copies:,}".replace(",", " "), "cohorte": project.cohort_size,
                      "budget": pack.budget}
            if pack.over_budget:
                console.print(f"[yellow]avertissement[/] {t('fr', 'budget_depasse', **values)}", highlight=False)
            console.print(f"[green]✓[/] {t('fr', 'pages_par_participant', **values)}", highlight=False)
        started = time.perf_counter()
        with progress() as bar:
            zim_tasks: dict[str, object] = {}

            def zim_planned(plan: object) -> None:
                zim_tasks[plan.lang] = bar.add_task(f"ZIM kalan-{plan.lang}.zim", total=len(plan.entries) + 1)

            def zim_done(zim: object) -> None:
                bar.update(zim_tasks[zim.lang], completed=zim.entries + 1, visible=False)

            zims = build_zims(project, result.site_dir, on_planned=zim_planned,
                              on_entry=lambda lang, _path: bar.advance(zim_tasks[lang]), on_done=zim_done)
        sizes = " ; ".join(f"{z.path.name} {z.size / 1e6:.1f} Mo ({z.pages} pages)" for z in zims)
        console.print(f"[green]✓[/] ZIM : {sizes} en {time.perf_counter() - started:.1f} s → "
                      f"{zims[0].path.parent.relative_to(project.root)}/ (Kiwix, sur téléphone)")
        quiz = _quiz_print_set(project, workers=processus or None)
    except KalanError as exc:
        raise fail(exc) from None
    console.print(f"[green]✓[/] Tests : {len(quiz)} documents, classeurs de saisie et XLSForm → "
                  f"{project.print_dir.relative_to(project.root)}/ (réservé aux formateurs et au S&E)")


quiz_app = typer.Typer(help="Tests pré/post : impression, classeur de saisie, formulaire KoboToolbox.",
                       no_args_is_help=True)
app.add_typer(quiz_app, name="quiz")


def _quiz_print_set(project: Project, form_id: str | None = None, workers: int | None = None) -> list:
    """Print one form (or all) with a progress bar; also write the capture forms."""
    from kalan.quiz.build import capture_forms, load_quizzes, print_quizzes

    data = load_quizzes(project)
    # one form: its documents only; all (None): also the oral checks, the A/B plan and the observation sheets
    forms = [data.form(form_id)] if form_id else None
    with progress() as bar:
        task = bar.add_task("Tests : documents", total=None)
        printed = print_quizzes(project, data, forms=forms, workers=workers,
                                on_planned=lambda n: bar.update(task, total=n),
                                on_done=lambda _p: bar.advance(task))
    for form in forms or data.forms:
        capture_forms(project, form)
    return printed


@quiz_app.command("imprimer")
def quiz_print_command(
    formulaire: str | None = typer.Argument(None, help="Identifiant du formulaire (ex. PP1) ; tous si absent."),
    projet: Path | None = ProjectOption,
) -> None:
    """Imprime questionnaires (fr, bm), feuilles de réponses, corrigés et guide oral dans dist/impression/.

    Exemple :  kalan quiz imprimer PP1
    """
    try:
        project = load_project(projet)
        printed = _quiz_print_set(project, formulaire)
    except KalanError as exc:
        raise fail(exc) from None
    console.print(f"[green]✓[/] Tests : {len(printed)} documents → "
                  f"{project.print_dir.relative_to(project.root)}/ (réservé aux formateurs et au S&E)")


def _write_capture_form(formulaire: str, sortie: Path | None, projet: Path | None, kind: str) -> Path:
    from kalan.quiz.build import capture_path, load_quizzes
    from kalan.quiz.capture import WRITERS

    try:
        project = load_project(projet)
        form = load_quizzes(project).form(formulaire)
        return WRITERS[kind](form, sortie or capture_path(project, form, kind), project.code_prefixes)
    except KalanError as exc:
        raise fail(exc) from None


@quiz_app.command("composer")
def quiz_compose_command(
    plan: Path = typer.Argument(..., help="Plan du test (quizzes/plans/….yml)."),
    projet: Path | None = ProjectOption,
) -> None:
    """Tire les questions d'un plan (nombre par module, graine) et écrit les formulaires A et B et les
    vérifications orales de fin de module : un formulaire n'est jamais choisi à la main.

    Exemple :  kalan quiz composer quizzes/plans/pp2.yml
    """
    from kalan.quiz.bank import load_bank
    from kalan.quiz.compose import compose, load_blueprint, reserved_items, write_composition

    try:
        project = load_project(projet)
        blueprint = load_blueprint(project, plan if plan.is_absolute() else Path.cwd() / plan)
        from kalan.manifests import load_curriculum

        bank = load_bank(project, load_curriculum(project).objective_ids())
        composition = compose(blueprint, bank, reserved_items(project, bank, blueprint))
        written = write_composition(project, blueprint, composition)
    except KalanError as exc:
        raise fail(exc) from None
    for path in written:
        console.print(f"[green]✓[/] {path.relative_to(project.root)}")


@quiz_app.command("modele")
def quiz_workbook_command(
    formulaire: str = typer.Argument(..., help="Identifiant du formulaire, ex. PP1."),
    sortie: Path | None = typer.Option(None, "--sortie", help="Fichier .xlsx à écrire."),
    projet: Path | None = ProjectOption,
) -> None:
    """Écrit le classeur Excel de saisie des réponses (listes déroulantes, codes des participants).

    Exemple :  kalan quiz modele PP1 --sortie saisie-PP1.xlsx
    """
    console.print(f"[green]✓[/] Classeur de saisie → {_write_capture_form(formulaire, sortie, projet, 'saisie')}")


@quiz_app.command("xlsform")
def quiz_xlsform_command(
    formulaire: str = typer.Argument(..., help="Identifiant du formulaire, ex. PP1."),
    sortie: Path | None = typer.Option(None, "--sortie", help="Fichier .xlsx à écrire."),
    projet: Path | None = ProjectOption,
) -> None:
    """Écrit le XLSForm (KoboToolbox / ODK Collect) pour saisir les feuilles de réponses sur téléphone.

    Exemple :  kalan quiz xlsform PP1 --sortie PP1-kobo.xlsx
    """
    console.print(f"[green]✓[/] XLSForm → {_write_capture_form(formulaire, sortie, projet, 'xlsform')}")


from kalan.scoring import cli as scoring_cli  # noqa: E402  (M&E commands live with their library)

app.add_typer(scoring_cli.participants_app, name="participants")
app.add_typer(scoring_cli.resultats_app, name="resultats")
app.command("rapport")(scoring_cli.rapport_command)
app.command("suivi")(scoring_cli.suivi_command)
app.command("exemple")(scoring_cli.exemple_command)

traduction_app = typer.Typer(help="Relecture des traductions en bambara.", no_args_is_help=True)
app.add_typer(traduction_app, name="traduction")


@traduction_app.command("fiches")
def review_sheets_command(
    module: str | None = typer.Option(None, "--module", help="Seulement les pages de ce module (ex. M2)."),
    sortie: Path | None = typer.Option(
        None, "--sortie", help="Dossier des PDF (par défaut dist/traduction)."),
    projet: Path | None = ProjectOption,
) -> None:
    """Imprime une fiche de relecture par page en bambara : français | bambara | corrections.

    Après relecture, saisissez les corrections dans docs/bm/… et mettez dans l'en-tête
    « traduction: relue », « relu_par: … » et « date: AAAA-MM-JJ ».
    Exemple :  kalan traduction fiches --module M2
    """
    from kalan.manifests import load_curriculum
    from kalan.pdf.render import print_all, print_style
    from kalan.pdf.review import review_jobs

    try:
        project = load_project(projet)
        out_dir = sortie or project.out_dir / "traduction"
        style = print_style(project.fonts_dir)
        jobs = review_jobs(project, load_curriculum(project), out_dir, style, module)
        with progress() as bar:
            task = bar.add_task("Fiches de relecture", total=len(jobs))
            printed = print_all(jobs, style.css, project.docs_dir, project.out_dir / ".cache" / "pdf",
                                on_done=lambda _p: bar.advance(task))
    except KalanError as exc:
        raise fail(exc) from None
    console.print(f"[green]✓[/] {len(printed)} fiche(s) de relecture → {out_dir}")


@app.command("serve")
def serve_command(
    adresse: str = typer.Option("127.0.0.1:8000", "--adresse", help="Adresse et port de l'aperçu."),
    projet: Path | None = ProjectOption,
) -> None:
    """Aperçu en direct pendant la rédaction (se recharge à chaque enregistrement).

    Exemple :  kalan serve   puis ouvrir http://127.0.0.1:8000
    """
    import os

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.serve import serve

    project = load_project(projet)
    console.print(f"Aperçu sur http://{adresse}/ — Ctrl+C pour arrêter.")
    serve(config_file=str(project.root / "mkdocs.yml"), dev_addr=adresse, livereload=True)


@app.command("polices")
def fonts_command(projet: Path | None = ProjectOption) -> None:
    """Régénère les polices embarquées (sous-ensemble de DejaVu Sans couvrant le bambara).

    Réservé aux mainteneurs ; nécessite fonts-dejavu-core et l'extra « fonts ».
    Exemple :  kalan polices
    """
    from kalan.fonts import make_fonts

    project = load_project(projet)
    for path in make_fonts(project.fonts_dir,
                           project.docs_dir / "assets" / "stylesheets" / "fonts.css"):
        console.print(f"[green]✓[/] {path.relative_to(project.root)}")


def _register_audio() -> None:
    from kalan.audio_cli import audio_app

    app.add_typer(audio_app, name="audio")


_register_audio()


def _register_tracking() -> None:  # issue 13: attendance and certificates
    from kalan.scoring import tracking_cli

    app.add_typer(tracking_cli.presence_app, name="presence")
    app.command("attestations")(tracking_cli.attestations_command)


_register_tracking()


def _register_skills_and_merge() -> None:  # issue 13: observed skills, merging two offices' databases
    from kalan.scoring import skills_cli

    app.add_typer(skills_cli.competences_app, name="competences")
    app.add_typer(skills_cli.base_app, name="base")


_register_skills_and_merge()


def _register_answer_sheet_photos() -> None:  # issue 14: answer sheets read from phone photos
    from kalan.omr.cli import feuilles_app

    app.add_typer(feuilles_app, name="feuilles")


_register_answer_sheet_photos()
