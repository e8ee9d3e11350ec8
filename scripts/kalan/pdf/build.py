"""`kalan build`'s PDF step: plan the documents, assemble their HTML, print them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kalan.config import Project
from kalan.manifests import Curriculum
from kalan.markdown_render import MarkdownRenderer
from kalan.pdf.assemble import PrintContext, assemble
from kalan.pdf.documents import PdfDocument, pack_document_output, plan_documents
from kalan.pdf.render import Printed, print_all, print_style
from kalan.provenance import provenance


def print_context(project: Project, curriculum: Curriculum) -> PrintContext:
    return PrintContext(project, curriculum, MarkdownRenderer(project.root / "mkdocs.yml"),
                        provenance(project.root))


def build_pdfs(project: Project, curriculum: Curriculum, out_dir: Path,
               cache_dir: Path | None, workers: int | None = None,
               documents: list[PdfDocument] | None = None,
               on_planned: Callable[[list[PdfDocument]], None] | None = None,
               on_done: Callable[[Printed], None] | None = None) -> list[Printed]:
    """Every PDF into `out_dir` (normally dist/site/pdf); `cache_dir=None` disables the cache."""
    documents = documents if documents is not None else plan_documents(project, curriculum)
    if on_planned:
        on_planned(documents)
    ctx = print_context(project, curriculum)
    style = print_style(project.fonts_dir)
    jobs = [style.job(out_dir / doc.output, assemble(doc, ctx)) for doc in documents]
    return print_all(jobs, style.css, project.docs_dir, cache_dir, workers, on_done)


@dataclass(frozen=True)
class TraineePages:
    """What one trainee takes home in one language, and what a cohort costs in photocopies."""

    lang: str
    pages: int
    copies: int
    budget: int

    @property
    def over_budget(self) -> bool:
        return self.pages > self.budget


def trainee_pages(project: Project, printed: list[Printed], out_dir: Path) -> list[TraineePages]:
    """Pages of each language's participant pack (``pdf/<lang>/pack-participant.pdf``)."""
    by_output = {p.output: p.pages for p in printed}
    result = []
    for lang in project.langs:
        pages = by_output.get(out_dir / pack_document_output(lang))
        if pages is not None:
            result.append(TraineePages(lang, pages, pages * project.cohort_size, project.participant_page_budget))
    return result
