"""Markdown blocks derived from the manifests: module header, session card, agenda.

Authors place markers in their pages (``<!-- kalan:entete -->``,
``<!-- kalan:seance -->``, ``<!-- kalan:agenda -->``, ``<!-- kalan:glossaire -->``); `expand_markers` swaps
them for Markdown in the page's language. Inside a sentence,
``<!-- kalan:quand M2-S2 -->`` becomes a time word computed from the agenda
(`kalan.timewords`). The output is plain Markdown (plus
one HTML notice), so it does not depend on the site generator and the PDF step
renders exactly what the site shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from kalan.config import Project, minutes_to_clock
from kalan.errors import KalanError
from kalan.i18n import pick
from kalan.manifests import Curriculum, Module
from kalan.messages import t
from kalan.schedule import build_agenda

# A marker stands alone on its line, outside code blocks (so docs can show one in backticks);
# some take an argument: ``<!-- kalan:cartes M2-S5-A -->``.
MARKER = re.compile(r"^\s*<!--\s*kalan:([a-z\-]+)(?:\s+([A-Za-z0-9\- ]+?))?\s*-->\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def site_root(page: str, build_lang: str, project: Project) -> str:
    """From a page of the site (``use_directory_urls: false``) back to the site's root: one ``../`` per
    folder of the page, one more for a language other than the default (which lives under ``bm/``)."""
    return "../" * (page.count("/") + (build_lang != project.default_lang))


@dataclass(frozen=True)
class PageContext:
    """What a block needs to know about the page it is written into."""

    project: Project
    curriculum: Curriculum
    lang: str
    page: str  # path relative to docs/<lang>/, e.g. "m2/s1-aider.md"
    source: str  # shown in error messages
    build_lang: str = ""  # language of the site or document being built ("" = the page's own)
    medium: str = "site"  # "site" or "print": links to PDFs exist only on the site
    edition: str = ""  # a commune or cercle id: the local edition of a fiche (kalan.circuits)
    argument: str = ""  # the marker's argument, e.g. the card series of ``kalan:cartes M2-S5-A``

    def site_link(self, target: str) -> str | None:
        """Relative link from this page of the site to `target` under the site root; None in print."""
        if self.medium != "site":
            return None
        return site_root(self.page, self.build_lang or self.lang, self.project) + target


def duration(minutes: int, lang: str) -> str:
    """90 → ``1 h 30`` ; 45 → ``45 min`` (``lɛrɛ`` / ``miniti`` in Bambara)."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} {t(lang, 'minutes')}"
    text = f"{hours} {t(lang, 'heures')}"
    return f"{text} {rest:02d}" if rest else text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def module_header(ctx: PageContext) -> str:
    module = _module(ctx)
    lang = ctx.lang
    lines = [
        f"**{t(lang, 'duree')} :** {duration(module.minutes, lang)} · "
        f"**{t(lang, 'public')} :** {pick(module.audience, lang)}",
        "",
        f"## {t(lang, 'objectifs')}",
        "",
        t(lang, "objectifs_intro"),
        "",
    ]
    lines += [f"- **{o.id}** — {pick(o.text, lang)}" for o in module.objectives]
    lines += ["", f"## {t(lang, 'seances')}", "",
              f"| {t(lang, 'seance')} | {t(lang, 'duree')} | {t(lang, 'methode')} |",
              "|---|---|---|"]
    for session in module.sessions:
        link = _relative_link(ctx.page, session.page)
        lines.append(f"| [{_cell(pick(session.title, lang))}]({link}) | "
                     f"{duration(session.minutes, lang)} | {_cell(pick(session.method, lang))} |")
    lines.append(f"| **{t(lang, 'total')}** | **{duration(module.minutes, lang)}** | |")
    if module.handouts:
        lines += ["", f"## {t(lang, 'fiches')}", ""]
        for handout in module.handouts:
            link = _relative_link(ctx.page, handout.page)
            lines.append(f"- [{t(lang, 'fiche')} {handout.number} — "
                         f"{pick(handout.title, lang)}]({link})")
    return "\n".join(lines) + "\n"


def session_card(ctx: PageContext) -> str:
    module = _module(ctx)
    session = next((s for s in module.sessions if s.page == ctx.page), None)
    if session is None:
        raise KalanError(f"{ctx.source} : « kalan:seance » sur une page qui n'est la page "
                         f"d'aucune séance de {module.source.name}")
    lang = ctx.lang
    rows = [
        (t(lang, "module"), f"[{module.label(lang)}]({_relative_link(ctx.page, module.index_page)})"),
        (t(lang, "duree"), duration(session.minutes, lang)),
        (t(lang, "methode"), pick(session.method, lang)),
    ]
    if session.materials:
        rows.append((t(lang, "materiel"), "; ".join(pick(m, lang) for m in session.materials)))
    if session.objectives:
        texts = {o.id: pick(o.text, lang) for o in module.objectives}
        rows.append((t(lang, "objectifs_vises"),
                     "; ".join(f"**{oid}** {texts[oid]}" for oid in session.objectives)))
    lines = [f"| {t(lang, 'seance')} {session.id} | |", "|---|---|"]
    lines += [f"| **{_cell(k)}** | {_cell(v)} |" for k, v in rows]
    return "\n".join(lines) + "\n"


def agenda(ctx: PageContext) -> str:
    lang = ctx.lang
    days = build_agenda(ctx.curriculum.modules, ctx.project.day)
    teaching = sum(d.teaching_minutes for d in days)
    lines = [t(lang, "agenda_resume", jours=len(days), heures=duration(teaching, lang)), ""]
    for day in days:
        lines += [f"## {t(lang, 'jour')} {day.number}", "",
                  f"| {t(lang, 'horaire')} | {t(lang, 'activite')} | {t(lang, 'duree')} |",
                  "|---|---|---|"]
        for slot in day.slots:
            hours = f"{minutes_to_clock(slot.start)}–{minutes_to_clock(slot.end)}"
            if slot.pause:
                lines.append(f"| {hours} | *{pick(slot.pause.name, lang)}* | "
                             f"{duration(slot.end - slot.start, lang)} |")
            else:
                assert slot.module and slot.session
                link = _relative_link(ctx.page, slot.session.page)
                lines.append(f"| {hours} | {slot.module.id} · [{_cell(pick(slot.session.title, lang))}]"
                             f"({link}) | {duration(slot.end - slot.start, lang)} |")
        end = day.slots[-1].end
        lines += [f"| {minutes_to_clock(end)} | *{t(lang, 'fin_journee')}* | |", ""]
    return "\n".join(lines)


def key_points(ctx: PageContext) -> str:
    """The session's « À retenir » as the trainer sees it on the session page."""
    module = _module(ctx)
    session = next((s for s in module.sessions if s.page == ctx.page), None)
    if session is None:
        raise KalanError(f"{ctx.source} : « kalan:a-retenir » sur une page qui n'est la page d'aucune séance "
                         f"de {module.source.name}")
    lines = session.key_points.get(ctx.lang) or session.key_points.get(ctx.project.default_lang)
    if not lines:
        raise KalanError(f"{ctx.source} : « kalan:a-retenir » mais {module.source.name} ne donne pas "
                         f"« a_retenir » pour {session.id}")
    body = "\n".join(f"    - {line}" for line in lines)
    return f'!!! retenir "{t(ctx.lang, "a_retenir_formateur")}"\n\n{body}\n'


def key_messages(ctx: PageContext) -> str:
    module = _module(ctx)
    lines = module.participant.key_messages
    chosen = lines.get(ctx.lang) or lines.get(ctx.project.default_lang)
    if not chosen:
        raise KalanError(f"{ctx.source} : « kalan:messages-cles » mais {module.source.name} ne donne pas "
                         "« participant: messages_cles »")
    return f"## {t(ctx.lang, 'messages_cles')}\n\n" + "\n".join(
        f"{n}. {line}" for n, line in enumerate(chosen, 1)) + "\n"


def cards(ctx: PageContext) -> str:
    from kalan.cards import require_series, series_markdown

    if not ctx.argument:
        raise KalanError(f"{ctx.source} : « kalan:cartes » demande l'identifiant d'une série, "
                         "ex. <!-- kalan:cartes M2-S5-A -->")
    series = require_series(ctx.project, ctx.argument, ctx.source)
    module = ctx.curriculum.by_id(series.module_id)
    folder = module.folder if module else series.module_id.lower()
    link = ctx.site_link(f"pdf/{ctx.build_lang or ctx.lang}/{folder}-cartes.pdf")
    return series_markdown(series, ctx.lang, link)


def notice(kind: str, title: str, text: str, lang: str) -> str:
    """An HTML notice (draft banner, fallback notice) that the print step keeps too."""
    return (f'<div class="kalan-avis kalan-avis--{kind}" role="note" lang="{lang}">'
            f"<p><strong>{title}</strong></p><p>{text}</p></div>")


def glossary(ctx: PageContext) -> str:
    from kalan.glossary import glossary_markdown
    from kalan.termbase import require_termbase

    return glossary_markdown(require_termbase(ctx.project), ctx.lang)


MARKERS: dict[str, Callable[[PageContext], str]] = {
    "entete": module_header,
    "seance": session_card,
    "agenda": agenda,
    "glossaire": glossary,
    "a-retenir": key_points,
    "messages-cles": key_messages,
    "cartes": cards,
    "circuit-entete": lambda ctx: _circuits("circuit_header", ctx),
    "circuit": lambda ctx: _circuits("circuit_table", ctx),
    "qui-appeler": lambda ctx: _circuits("who_to_call", ctx),
    "images": lambda ctx: _pictures("images_block", ctx),
    "planche": lambda ctx: _pictures("plate_block", ctx),
    "ecouter": lambda ctx: _recording(ctx),
}


def _pictures(name: str, ctx: PageContext) -> str:
    """Picture cards (kalan.picture_cards): a row of cards, or a fiche's one-page picture version."""
    from kalan import picture_cards

    argument = ctx.argument.split() if name == "images_block" else ctx.argument
    return getattr(picture_cards, name)(ctx.project, argument, ctx.lang, ctx.source)


def _recording(ctx: PageContext) -> str:
    """A player for the recording of slot `argument` in the page's language, if there is one."""
    from kalan.recordings import player

    link = ctx.site_link("") if ctx.medium == "site" else None
    return player(ctx.project, ctx.argument, ctx.build_lang or ctx.lang, link, ctx.source)


def _circuits(name: str, ctx: PageContext) -> str:
    """Blocks of the referral fiches, filled for the page's edition (commune or cercle) if any."""
    from kalan import circuits

    return getattr(circuits, name)(ctx.project, ctx.edition, ctx.lang)


def expand_markers(markdown: str, ctx: PageContext) -> str:
    """Replace every ``<!-- kalan:NAME -->`` line; an unknown NAME is an error naming the page."""
    if "kalan:" not in markdown:
        return markdown
    from kalan.timewords import expand_time_words

    out: list[str] = []
    in_code = False
    for line in markdown.split("\n"):
        if FENCE.match(line):
            in_code = not in_code
        match = None if in_code else MARKER.match(line)
        if match and match.group(1) == "quand":  # a time word alone on its line is still inline
            match = None
        if match is None:
            out.append(line if in_code else expand_time_words(
                line, project=ctx.project, curriculum=ctx.curriculum, page=ctx.page, lang=ctx.lang,
                source=ctx.source))
            continue
        handler = MARKERS.get(match.group(1))
        if handler is None:
            raise KalanError(f"{ctx.source} : marqueur inconnu « kalan:{match.group(1)} » "
                             f"(connus : {', '.join(sorted(MARKERS))})")
        out.append(handler(replace(ctx, argument=match.group(2) or "")))
    return "\n".join(out)


def _module(ctx: PageContext) -> Module:
    module = ctx.curriculum.module_of_page(ctx.page)
    if module is None:
        raise KalanError(f"{ctx.source} : cette page n'appartient à aucun module "
                         "(son dossier n'est le « dossier » d'aucun manifeste)")
    return module


def _relative_link(from_page: str, to_page: str) -> str:
    """Markdown link from one docs page to another (both relative to docs/<lang>/)."""
    depth = from_page.count("/")
    return "../" * depth + to_page
