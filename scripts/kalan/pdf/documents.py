"""Which PDFs exist: one list, derived from the manifests, the cards and the referral data,
that the build, the site links and the tests all read."""

from __future__ import annotations

from dataclasses import dataclass

from kalan.config import Project
from kalan.i18n import pick
from kalan.manifests import Curriculum, Module
from kalan.messages import t

PARTICIPANT, FACILITATOR, MANUAL, HANDOUT = "participant", "formateur", "manuel", "fiche"
PACK, CARDS, CIRCUIT, POCKET = "pack", "cartes", "circuit", "guide-cercle"
PICTURES, INTERPRETERS = "cartes-images", "interpretes"
PARTICIPANT_KINDS = (PARTICIPANT, HANDOUT, PACK, CIRCUIT, POCKET)

# Pages of the complete manual that sit outside the modules, in reading order.
MANUAL_BEFORE = ("introduction.md", "agenda.md")
MANUAL_AFTER = ("glossaire.md", "references.md")
# Pages outside the modules that are written for trainers (French only is fine).
FACILITATOR_PAGES = ("introduction.md", "contribuer.md")
# The generated page of a module's participant handout (title, objectives, key messages,
# « À retenir » of every session): it has no Markdown source, only manifest data.
SUMMARY = "_participant"


@dataclass(frozen=True)
class PdfDocument:
    lang: str
    kind: str  # one of the kinds above
    output: str  # path under the site's pdf/ folder, e.g. "fr/m2-participant.pdf"
    title: str
    subtitle: str
    pages: tuple[str, ...]  # pages relative to docs/<lang>/ (or a module's SUMMARY)
    module: Module | None = None
    edition: str = ""  # commune (Fiche 12) or cercle (pocket guide) of a local edition

    @property
    def for_participants(self) -> bool:
        return self.kind in PARTICIPANT_KINDS

    @property
    def has_cover(self) -> bool:
        return self.kind in (PARTICIPANT, FACILITATOR, MANUAL, PACK)


def summary_page(module: Module) -> str:
    return f"{module.folder}/{SUMMARY}"


def is_summary(rel: str) -> bool:
    return rel.endswith(f"/{SUMMARY}")


def is_facilitator_page(rel: str, curriculum: Curriculum) -> bool:
    """Session scripts and the trainers' pages: on the Bambara site they may stay in French."""
    return rel in FACILITATOR_PAGES or any(s.page == rel for m in curriculum.modules for s in m.sessions)


def participant_pages(module: Module) -> tuple[str, ...]:
    """What a trainee reads of a module: the generated summary, the participant pages, the fiches."""
    return (summary_page(module), *module.participant_pages())


def module_documents(module: Module, lang: str) -> list[PdfDocument]:
    return [
        PdfDocument(lang, PARTICIPANT, f"{lang}/{module.folder}-participant.pdf", module.label(lang),
                    t(lang, "doc_participant"), participant_pages(module), module),
        PdfDocument(lang, FACILITATOR, f"{lang}/{module.folder}-formateur.pdf", module.label(lang),
                    t(lang, "doc_formateur"), tuple(module.pages()), module),
    ]


def cards_document(module: Module, lang: str) -> PdfDocument:
    return PdfDocument(lang, CARDS, f"{lang}/{module.folder}-cartes.pdf", module.label(lang),
                       t(lang, "doc_cartes"), (), module)


def handout_document(module: Module, number: int, lang: str) -> PdfDocument:
    handout = next(h for h in module.handouts if h.number == number)
    return PdfDocument(lang, HANDOUT, f"{lang}/fiches/fiche-{number:02d}.pdf",
                       f"{t(lang, 'fiche')} {number} — {pick(handout.title, lang)}", module.label(lang),
                       (handout.page,), module)


def pack_document_output(lang: str) -> str:
    return f"{lang}/pack-participant.pdf"


def pack_document(curriculum: Curriculum, lang: str) -> PdfDocument:
    pages = tuple(p for module in curriculum.modules for p in participant_pages(module))
    return PdfDocument(lang, PACK, pack_document_output(lang), t(lang, "programme"),
                       t(lang, "doc_pack"), pages)


def plan_documents(project: Project, curriculum: Curriculum) -> list[PdfDocument]:
    """Every PDF of the build, for every language."""
    from kalan.circuits import edition_documents

    documents: list[PdfDocument] = []
    for lang in project.langs:
        fr_dir = project.lang_dir(project.default_lang)
        manual_pages = [p for p in MANUAL_BEFORE if (fr_dir / p).is_file()]
        for module in curriculum.modules:
            manual_pages += module.pages()
        manual_pages += [p for p in MANUAL_AFTER if (fr_dir / p).is_file()]
        documents.append(PdfDocument(lang, MANUAL, f"{lang}/manuel-formateur.pdf", t(lang, "programme"),
                                     t(lang, "doc_manuel"), tuple(manual_pages)))
        documents.append(pack_document(curriculum, lang))
        for module in curriculum.modules:
            documents += module_pdfs(module, lang, project)
        documents += edition_documents(project, curriculum, lang)
        if lang == project.default_lang:
            from kalan.interpreters import load_interpreter_terms

            languages, _, _ = load_interpreter_terms(project)
            documents += [PdfDocument(lang, INTERPRETERS, f"{lang}/interpretes/interpretes-{code}.pdf",
                                      f"Fiche des interprètes — {name}", t(lang, "programme"), (), edition=code)
                          for code, name in languages.items()]
        if (project.root / "referentiels" / "cartes-images.yml").is_file():
            documents.append(PdfDocument(lang, PICTURES, f"{lang}/cartes-images.pdf", t(lang, "doc_cartes_images"),
                                         t(lang, "programme"), ()))
    return documents


def module_pdfs(module: Module, lang: str, project: Project | None = None) -> list[PdfDocument]:
    """A module's documents in one language: handout, facilitator guide, card sheets (when its
    sessions use cards; needs `project`), each fiche (the ones its landing page links to)."""
    documents = module_documents(module, lang)
    if project is not None:
        from kalan.cards import cards_for

        if cards_for(project).of_module(module.id):
            documents.append(cards_document(module, lang))
    documents += [handout_document(module, h.number, lang) for h in module.handouts]
    # a fiche's picture version (participant page « fiche-03-images.md ») is printed on its own too
    documents += [PdfDocument(lang, HANDOUT, f"{lang}/fiches/{page.rsplit('/', 1)[-1].removesuffix('.md')}.pdf",
                              page.rsplit("/", 1)[-1].removesuffix(".md"), module.label(lang), (page,), module)
                  for page in module.participant.pages if page.rsplit("/", 1)[-1].startswith("fiche-")]
    return documents
