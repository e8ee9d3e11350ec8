"""Which PDFs exist: one list, derived from the manifests, that the build, the site links
and the tests all read."""

from __future__ import annotations

from dataclasses import dataclass

from kalan.config import Project
from kalan.i18n import pick
from kalan.manifests import Curriculum, Module
from kalan.messages import t

PARTICIPANT, FACILITATOR, MANUAL, HANDOUT = "participant", "formateur", "manuel", "fiche"

# Pages of the complete manual that sit outside the modules, in reading order.
MANUAL_BEFORE = ("introduction.md", "agenda.md")
MANUAL_AFTER = ("glossaire.md", "references.md")


@dataclass(frozen=True)
class PdfDocument:
    lang: str
    kind: str  # participant | formateur | manuel | fiche
    output: str  # path under the site's pdf/ folder, e.g. "fr/m2-participant.pdf"
    title: str
    subtitle: str
    pages: tuple[str, ...]  # pages relative to docs/<lang>/
    module: Module | None = None

    @property
    def for_participants(self) -> bool:
        return self.kind in (PARTICIPANT, HANDOUT)

    @property
    def has_cover(self) -> bool:
        return self.kind != HANDOUT


def module_documents(module: Module, lang: str) -> list[PdfDocument]:
    return [
        PdfDocument(lang, PARTICIPANT, f"{lang}/{module.folder}-participant.pdf", module.label(lang),
                    t(lang, "doc_participant"), tuple(module.pages()), module),
        PdfDocument(lang, FACILITATOR, f"{lang}/{module.folder}-formateur.pdf", module.label(lang),
                    t(lang, "doc_formateur"), tuple(module.pages()), module),
    ]


def handout_document(module: Module, number: int, lang: str) -> PdfDocument:
    handout = next(h for h in module.handouts if h.number == number)
    return PdfDocument(lang, HANDOUT, f"{lang}/fiches/fiche-{number:02d}.pdf",
                       f"{t(lang, 'fiche')} {number} — {pick(handout.title, lang)}", module.label(lang),
                       (handout.page,), module)


def plan_documents(project: Project, curriculum: Curriculum) -> list[PdfDocument]:
    """Every PDF of the build, for every language."""
    documents: list[PdfDocument] = []
    for lang in project.langs:
        fr_dir = project.lang_dir(project.default_lang)
        manual_pages = [p for p in MANUAL_BEFORE if (fr_dir / p).is_file()]
        for module in curriculum.modules:
            manual_pages += module.pages()
        manual_pages += [p for p in MANUAL_AFTER if (fr_dir / p).is_file()]
        documents.append(PdfDocument(lang, MANUAL, f"{lang}/manuel-formateur.pdf", t(lang, "programme"),
                                     t(lang, "doc_manuel"), tuple(manual_pages)))
        for module in curriculum.modules:
            documents += module_pdfs(module, lang)
    return documents


def module_pdfs(module: Module, lang: str) -> list[PdfDocument]:
    """A module's documents in one language: handout, facilitator guide, each fiche (the ones its
    landing page links to)."""
    return [*module_documents(module, lang),
            *(handout_document(module, h.number, lang) for h in module.handouts)]
