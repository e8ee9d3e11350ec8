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
    out_dir = out_dir or project.print_dir
    style = print_style(project.fonts_dir)
    jobs = [style.job(doc.output, doc.html)
            for form in (forms or data.forms)
            for doc in print_set(form, data.bank, out_dir, project.code_prefixes, project.langs)]
    if on_planned:
        on_planned(len(jobs))
    return print_all(jobs, style.css, project.root / "quizzes", project.out_dir / ".cache" / "pdf", workers,
                     on_done)


def capture_path(project: Project, form: Form, kind: str, out_dir: Path | None = None) -> Path:
    return (out_dir or project.print_dir) / form.id / f"{form.id}-{kind}.xlsx"


def capture_forms(project: Project, form: Form, out_dir: Path | None = None) -> list[Path]:
    """The transcription workbook and the XLSForm of `form`."""
    return [writer(form, capture_path(project, form, kind, out_dir), project.code_prefixes)
            for kind, writer in WRITERS.items()]
