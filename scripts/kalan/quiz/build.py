"""The quiz print set and capture forms, for `kalan build` and `kalan quiz …`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kalan.config import Project
from kalan.errors import KalanError
from kalan.manifests import load_curriculum
from kalan.pdf.render import Printed, print_all, print_style
from kalan.quiz.bank import Bank, load_bank
from kalan.quiz.capture import WRITERS
from kalan.quiz.forms import Form, load_forms
from kalan.quiz.paper import print_set


@dataclass(frozen=True)
class QuizData:
    bank: Bank
    forms: list[Form]

    def form(self, form_id: str) -> Form:
        wanted = form_id.upper()
        for form in self.forms:
            if form.id == wanted:
                return form
        known = ", ".join(f.id for f in self.forms) or "aucun"
        raise KalanError(f"formulaire inconnu : {form_id} (formulaires : {known})")


def load_quizzes(project: Project) -> QuizData:
    """Bank and forms, or a KalanError listing every problem (file, item, field)."""
    bank = load_bank(project, load_curriculum(project).objective_ids())
    forms, findings = load_forms(project, bank)
    errors = [f for f in bank.findings + findings if f.severity == "erreur"]
    if errors:
        raise KalanError("banque de questions ou formulaire invalide :\n" +
                         "\n".join(f"  - {e}" for e in errors))
    return QuizData(bank, forms)


def print_quizzes(project: Project, data: QuizData, out_dir: Path | None = None,
                  forms: list[Form] | None = None, workers: int | None = None,
                  on_planned: Callable[[int], None] | None = None,
                  on_done: Callable[[Printed], None] | None = None) -> list[Printed]:
    """Question papers, answer sheets, keys and oral guides of every form, into dist/impression/;
    `on_planned` is told how many documents there are before printing starts."""
    from kalan.picture_cards import item_pictures
    from kalan.recordings import recorded_slots

    out_dir = out_dir or project.print_dir
    style = print_style(project.fonts_dir)
    pictures = item_pictures(project, project.langs)
    recorded = recorded_slots(project)
    jobs = [style.job(doc.output, doc.html)
            for form in (forms or data.forms)
            for doc in print_set(form, data.bank, out_dir, project.code_prefixes, project.langs, pictures, recorded)]
    if forms is None:  # the whole print set: also the oral checks, the A/B plan and the observation sheets
        from kalan.quiz.extras import counterbalance_documents, observation_documents, oral_check_documents

        extra = (oral_check_documents(project, data.bank, out_dir, project.langs)
                 + counterbalance_documents(data.forms, out_dir, project.langs)
                 + observation_documents(project, out_dir, project.langs))
        jobs += [style.job(doc.output, doc.html) for doc in extra]
    if on_planned:
        on_planned(len(jobs))
    write_item_players(project, forms or data.forms, data.bank, out_dir)
    return print_all(jobs, style.css, project.root / "quizzes", project.out_dir / ".cache" / "pdf", workers,
                     on_done)


def capture_path(project: Project, form: Form, kind: str, out_dir: Path | None = None) -> Path:
    return (out_dir or project.print_dir) / form.id / f"{form.id}-{kind}.xlsx"


def capture_forms(project: Project, form: Form, out_dir: Path | None = None) -> list[Path]:
    """The transcription workbook and the XLSForm of `form`."""
    return [writer(form, capture_path(project, form, kind, out_dir), project.code_prefixes)
            for kind, writer in WRITERS.items()]


def write_item_players(project: Project, forms: list[Form], bank, out_dir: Path) -> list[Path]:
    """The test items' recordings, for the oral test: copied into the trainers' print set with one page
    per form and language that plays them (file://, no network). Never on the site."""
    import html
    import shutil

    from kalan.recordings import ITEM_AUDIO, OUTPUT_SUFFIX, load_slots

    plan = load_slots(project)
    source = project.root / ITEM_AUDIO
    if plan is None or not source.is_dir():
        return []
    written = []
    for lang in plan.languages:
        files = {p.stem: p for p in sorted((source / lang).glob(f"*{OUTPUT_SUFFIX}"))}
        if not files:
            continue
        target = out_dir / "audio" / lang
        target.mkdir(parents=True, exist_ok=True)
        for path in files.values():
            shutil.copyfile(path, target / path.name)
        for form in forms:
            rows = []
            for n, item in enumerate(form.items, 1):
                stem = html.escape(item.stem.get(lang) or item.stem["fr"])
                audio = (f'<audio controls preload="metadata" src="../audio/{lang}/{item.id}{OUTPUT_SUFFIX}"></audio>'
                         if item.id in files else "—")
                rows.append(f"<tr><td>{n}</td><td>{stem}</td><td>{audio}</td></tr>")
            page = out_dir / form.id / f"ecouter-{lang}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(f"<!DOCTYPE html><html lang='{lang if lang in ('fr', 'bm') else 'fr'}'><head>"
                            f"<meta charset='utf-8'><title>{form.id} — {html.escape(plan.languages[lang])}</title>"
                            "</head><body><h1>" + html.escape(f"{form.id} — {plan.languages[lang]}") + "</h1>"
                            f"<table>{''.join(rows)}</table></body></html>", encoding="utf-8")
            written.append(page)
    return written
