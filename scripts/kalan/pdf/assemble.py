"""One PDF document as a self-contained HTML string: cover, contents, pages.

Pages are rendered from the same Markdown as the site (markers, banners and
extensions included); participant documents drop the facilitator blocks first.
"""

from __future__ import annotations

import datetime as dt
import html
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from kalan.blocks import duration, notice
from kalan.config import Project, minutes_to_clock
from kalan.i18n import LANG_NAMES, pick
from kalan.manifests import Curriculum, Module
from kalan.markdown_render import MarkdownRenderer
from kalan.messages import t
from kalan.participant import summary_markdown
from kalan.pdf.card_sheets import card_sheets_html
from kalan.pdf.documents import CARDS, FACILITATOR, INTERPRETERS, PICTURES, PdfDocument, is_summary
from kalan.pdf.facilitator import drop_facilitator_blocks
from kalan.placeholders import count_placeholders
from kalan.provenance import Provenance
from kalan.schedule import build_agenda
from kalan.site.pages import prepare_page
from kalan.translations import is_reviewed, read_page

ID_ATTR = re.compile(r'\bid="([^"]+)"')
HREF = re.compile(r'<a href="([^"]*)"')
SRC = re.compile(r'\bsrc="([^":#]+)"')
TABBED = re.compile(r'<div class="tabbed-set[^"]*"[^>]*>(.*?)<div class="tabbed-content">', re.S)
TAB_LABEL = re.compile(r"<label[^>]*>(.*?)</label>", re.S)
TAB_BLOCK = '<div class="tabbed-block">'


@dataclass
class SourcePage:
    rel: str
    anchor: str
    title: str
    html: str
    lang: str  # language the text is written in (French for a fallback page)
    reviewed: bool


@dataclass(frozen=True)
class PrintContext:
    project: Project
    curriculum: Curriculum
    renderer: MarkdownRenderer
    provenance: Provenance
    # A page appears in several documents (module handout, guide, manual): render it once.
    rendered: dict[tuple[str, str, bool, str], SourcePage] = field(default_factory=dict)


def anchor_for(rel: str) -> str:
    return "p-" + re.sub(r"[^a-z0-9]+", "-", rel.removesuffix(".md").lower()).strip("-")


def load_page(ctx: PrintContext, rel: str, lang: str, for_participants: bool, edition: str = "") -> SourcePage:
    key = (rel, lang, for_participants, edition)
    if key not in ctx.rendered:
        ctx.rendered[key] = _render_page(ctx, rel, lang, for_participants, edition)
    return ctx.rendered[key]


def _page_markdown(ctx: PrintContext, rel: str, lang: str, for_participants: bool,
                   edition: str) -> tuple[str, str, Path, dict]:
    """(Markdown, language it is written in, its folder, front matter) of a page of a document.

    A participant document never falls back to French: a page missing in its language prints
    a notice in its place. A module's SUMMARY page is generated from the manifest."""
    project = ctx.project
    if is_summary(rel):
        module = ctx.curriculum.module_of_page(rel)
        assert module is not None
        return summary_markdown(module, lang), lang, project.lang_dir(lang), {}
    path = project.lang_dir(lang) / rel
    src_lang = lang
    if not path.is_file() and for_participants and lang != project.default_lang:
        title = read_page(project.lang_dir(project.default_lang) / rel)[1].split("\n", 1)[0].lstrip("# ")
        markdown = f"# {title}\n\n" + notice("absente", t(lang, "page_absente_titre"),
                                                t(lang, "page_absente_texte"), lang)
        return markdown, lang, path.parent, {}
    if not path.is_file():
        path, src_lang = project.lang_dir(project.default_lang) / rel, project.default_lang
    meta, body = read_page(path)
    markdown = prepare_page(body, meta=meta, src_lang=src_lang, build_lang=lang, rel=rel,
                            project=project, curriculum=ctx.curriculum, medium="print", edition=edition)
    return markdown, src_lang, path.parent, meta


def _render_page(ctx: PrintContext, rel: str, lang: str, for_participants: bool, edition: str) -> SourcePage:
    project = ctx.project
    markdown, src_lang, folder, meta = _page_markdown(ctx, rel, lang, for_participants, edition)
    if for_participants:
        markdown = drop_facilitator_blocks(markdown)
    page_html = ctx.renderer.render(markdown)
    title_match = re.search(r"<h1[^>]*>(.*?)</h1>", page_html, re.S)
    title = re.sub(r"<[^>]+>", "", title_match.group(1)) if title_match else rel
    title = html.unescape(title).replace("¶", "").strip()
    anchor = anchor_for(rel)
    page_html = _localise_ids(page_html, anchor)
    page_html = _resolve_images(page_html, folder)
    return SourcePage(rel, anchor, title, page_html, src_lang,
                      src_lang == project.default_lang or is_reviewed(meta))


def _localise_ids(page_html: str, anchor: str) -> str:
    """Prefix heading ids with the page's anchor so pages joined in one document don't clash."""
    page_html = ID_ATTR.sub(lambda m: f'id="{anchor}--{m.group(1)}"', page_html)
    return page_html.replace('href="#', f'href="#{anchor}--')


def _resolve_images(page_html: str, folder: Path) -> str:
    return SRC.sub(lambda m: f'src="{(folder / m.group(1)).resolve().as_uri()}"', page_html)


def _link_pages(body: str, doc_pages: dict[str, str], current: str) -> str:
    """Links to pages in this document become internal; links to other pages lose their href."""

    def fix(match: re.Match[str]) -> str:
        href = match.group(1)
        if href.startswith(("#", "http://", "https://", "mailto:")):
            return match.group(0)
        target, _, fragment = href.partition("#")
        if not target.endswith(".md"):
            return match.group(0)
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
        if rel in doc_pages:
            anchor = doc_pages[rel]
            return f'<a href="#{anchor}--{fragment}"' if fragment else f'<a href="#{anchor}"'
        return "<a"

    return HREF.sub(fix, body)


def _expand_tabs(body: str) -> str:
    """Content tabs print one after the other, each block under its label."""
    out: list[str] = []
    pos = 0
    while match := TABBED.search(body, pos):
        out.append(body[pos:match.start()])
        out.append('<div class="tabbed-set tabbed-print"><div class="tabbed-content">')
        pos = match.end()
        for label in TAB_LABEL.findall(match.group(1)):
            block = body.find(TAB_BLOCK, pos)
            if block < 0:
                break
            out.append(body[pos:block])
            out.append(f'{TAB_BLOCK}<p class="tabbed-print__label">{label}</p>')
            pos = block + len(TAB_BLOCK)
    out.append(body[pos:])
    return "".join(out)


def session_plan(module: Module, lang: str, ctx: PrintContext) -> str:
    """HTML table of the module's sessions with day, clock time, minutes and materials."""
    slots = {slot.session.id: (day.number, slot) for day in build_agenda(ctx.curriculum.modules,
                                                                        ctx.project.day)
             for slot in day.slots if slot.session}
    rows = []
    for session in module.sessions:
        day, slot = slots[session.id]
        when = f"{t(lang, 'jour')} {day}, {minutes_to_clock(slot.start)}–{minutes_to_clock(slot.end)}"
        materials = "; ".join(pick(m, lang) for m in session.materials) or "—"
        cells = (session.id, pick(session.title, lang), when, duration(session.minutes, lang),
                 pick(session.method, lang), materials)
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{t(lang, k)}</th>" for k in
                   ("seance", "activite", "jour_heure", "duree", "methode", "materiel"))
    return (f'<section class="plan"><h2>{t(lang, "plan_seances")}</h2>'
            f'<table class="plan-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}'
            "</tbody></table></section>")


def translation_status(document: PdfDocument, pages: list[SourcePage], default_lang: str) -> str:
    lang = document.lang
    if lang == default_lang:
        return t(lang, "traduction_source")
    own = [p for p in pages if p.lang == lang]
    fallback = len(pages) - len(own)
    reviewed = sum(p.reviewed for p in own)
    status = (t(lang, "traduction_relue") if own and reviewed == len(own)
              else t(lang, "traduction_brouillon", relues=reviewed, total=len(own)))
    if fallback:
        status += " ; " + t(lang, "traduction_repli", n=fallback)
    return status


def assemble(document: PdfDocument, ctx: PrintContext) -> str:
    """The complete HTML of `document`, ready for WeasyPrint."""
    lang = document.lang
    if document.kind == CARDS:
        return card_sheets_html(document, ctx.project, ctx.provenance)
    if document.kind == INTERPRETERS:
        from kalan.interpreters import interpreter_sheet_html

        return interpreter_sheet_html(ctx.project, document.edition)
    if document.kind == PICTURES:
        from kalan.picture_cards import CARDS_FILE, picture_cards_html

        date = ctx.provenance.date_of([ctx.project.root / CARDS_FILE])
        return picture_cards_html(ctx.project, lang, ctx.provenance.version, date)
    pages = [load_page(ctx, rel, lang, document.for_participants, document.edition) for rel in document.pages]
    anchors = {p.rel: p.anchor for p in pages}
    sections = []
    for page in pages:
        body = _expand_tabs(_link_pages(page.html, anchors, page.rel))
        body = body.replace("<details", "<details open")
        extra = ""
        if document.kind == FACILITATOR and document.module and page.rel == document.module.index_page:
            extra = session_plan(document.module, lang, ctx)
        module = ctx.curriculum.module_of_page(page.rel)
        running = module.label(lang) if module else document.title
        sections.append(f'<section class="page" id="{page.anchor}" lang="{page.lang}">'
                        f'<div class="running">{html.escape(running)}</div>{body}{extra}</section>')
    date = ctx.provenance.date_of(_sources(document, ctx))
    front = ""
    if document.has_cover:
        front = _cover(document, pages, ctx, date) + _contents(document, pages)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(document.title)} — {html.escape(document.subtitle)}</title>"
            f'<meta name="dcterms.created" content="{date.strftime("%Y-%m-%dT%H:%M:%SZ")}">'
            f'<meta name="dcterms.modified" content="{date.strftime("%Y-%m-%dT%H:%M:%SZ")}">'
            f'<meta name="generator" content="kalan {ctx.provenance.version}">'
            f'</head><body class="doc-{document.kind}">{front}{"".join(sections)}</body></html>')


def _sources(document: PdfDocument, ctx: PrintContext) -> list[Path]:
    """Files whose last commit dates the document: its pages in every language, the manifests."""
    project = ctx.project
    files = [project.lang_dir(lang) / rel for rel in document.pages for lang in project.langs]
    modules = [document.module] if document.module else ctx.curriculum.modules
    files += [m.source for m in modules]
    return [f for f in files if f.is_file()]


def _cover(document: PdfDocument, pages: list[SourcePage], ctx: PrintContext, date: dt.datetime) -> str:
    lang = document.lang
    rows = [
        (t(lang, "langue"), LANG_NAMES[lang]),
        (t(lang, "version"), f"{ctx.provenance.version} — {date:%Y-%m-%d}"),
        (t(lang, "etat_traduction"), translation_status(document, pages, ctx.project.default_lang)),
    ]
    pending = sum(count_placeholders(re.sub(r"<[^>]+>", "", page.html)) for page in pages)
    if pending:
        rows.append((t(lang, "a_completer"), t(lang, "espaces_reserves", n=pending)))
    table = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return (f'<section class="cover"><p class="cover-programme">{html.escape(t(lang, "programme"))}</p>'
            f'<h1 class="cover-title">{html.escape(document.title)}</h1>'
            f'<p class="cover-subtitle">{html.escape(document.subtitle)}</p>'
            f'<table class="cover-facts">{table}</table></section>')


def _contents(document: PdfDocument, pages: list[SourcePage]) -> str:
    items = "".join(f'<li><a href="#{p.anchor}">{html.escape(p.title)}</a></li>' for p in pages)
    return (f'<nav class="toc"><h2>{html.escape(t(document.lang, "sommaire"))}</h2>'
            f"<ol>{items}</ol></nav>")
