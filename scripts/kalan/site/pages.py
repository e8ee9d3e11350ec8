"""What kalan does to a page's Markdown before it is rendered.

1. Markers (``<!-- kalan:… -->``) become blocks derived from the manifests.
2. A Bambara page not yet reviewed gets the bilingual draft banner.
3. A page shown in Bambara but written in French (fallback) gets a notice; a facilitator page
   (session script) says it is the trainer's page in French, not a page waiting for translation.
"""

from __future__ import annotations

import html

from kalan.blocks import PageContext, expand_markers, notice, site_root
from kalan.config import Project
from kalan.manifests import Curriculum
from kalan.messages import t
from kalan.pdf.documents import is_facilitator_page, module_pdfs
from kalan.translations import is_reviewed


def _bilingual_notice(kind: str, title_key: str, text_key: str) -> str:
    return notice(kind, t("bm", title_key), t("bm", text_key), "bm") + "\n" + \
        notice(kind, t("fr", title_key), t("fr", text_key), "fr")


def prepare_page(markdown: str, *, meta: dict, src_lang: str, build_lang: str, rel: str,
                 project: Project, curriculum: Curriculum, medium: str = "site", edition: str = "") -> str:
    ctx = PageContext(project, curriculum, src_lang, rel, f"docs/{src_lang}/{rel}", build_lang=build_lang,
                      medium=medium, edition=edition)
    markdown = expand_markers(markdown, ctx)
    banner = ""
    if build_lang != src_lang and is_facilitator_page(rel, curriculum):
        banner = _bilingual_notice("formateur", "formateur_fr_titre", "formateur_fr_texte")
    elif build_lang != src_lang:
        banner = _bilingual_notice("repli", "repli_titre", "repli_texte")
    elif src_lang != project.default_lang and not is_reviewed(meta):
        banner = _bilingual_notice("brouillon", "brouillon_titre", "brouillon_texte")
    if banner:
        markdown = _insert_after_title(markdown, banner)
    return markdown


def pdf_links(*, build_lang: str, rel: str, project: Project, curriculum: Curriculum) -> str:
    """Links from a module's landing page to its PDFs (site only; empty on other pages).

    Raw HTML, because mkdocs would report Markdown links to files outside docs/.
    """
    module = curriculum.module_of_page(rel)
    if module is None or rel != module.index_page:
        return ""
    up = site_root(rel, build_lang, project)
    items = "".join(
        f'<li><a href="{up}pdf/{doc.output}" type="application/pdf">'
        f"{html.escape(doc.subtitle if doc.kind != 'fiche' else doc.title)} (PDF)</a></li>"
        for doc in module_pdfs(module, build_lang, project))
    return (f'\n\n## {t(build_lang, "documents_imprimer")}\n\n'
            f'<ul class="kalan-pdf">{items}</ul>\n')


def _insert_after_title(markdown: str, block: str) -> str:
    """Put `block` right after the page's first-level heading (or at the top)."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join([*lines[: i + 1], "", block, "", *lines[i + 1:]])
    return f"{block}\n\n{markdown}"
