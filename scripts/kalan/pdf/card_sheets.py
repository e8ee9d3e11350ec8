"""« Matériel d'animation »: every card of a module as cut-out A4 sheets.

One card per cell, dashed cut lines, large type; each card carries its session,
its id and its series title, so a card that falls on the floor goes back to the
right envelope. A secret card (role-play) also says « do not show this card ».
Expected answers (`attendu`) never appear: they are on the trainer's page.
"""

from __future__ import annotations

import html

from kalan.cards import CardSeries, cards_for
from kalan.config import Project
from kalan.i18n import pick
from kalan.messages import t
from kalan.pdf.documents import PdfDocument
from kalan.provenance import Provenance

# A series whose longest card fits this many characters prints 8 cards per sheet, else 4.
SHORT_CARD_CHARS = 170
LONG_CARD_CHARS = 520  # beyond this a big card uses a slightly smaller type


def _card_length(series: CardSeries, lang: str) -> int:
    return max(len(pick(c.text, lang)) + len(pick(c.title, lang) if c.title else "") for c in series.cards)


def _card(series: CardSeries, index: int, lang: str, size: str) -> str:
    card = series.cards[index]
    text = pick(card.text, lang)
    classes = ["carte", f"carte--{size}"]
    if size == "grande" and len(text) > LONG_CARD_CHARS:
        classes.append("carte--longue")
    title = f'<p class="carte-titre">{html.escape(pick(card.title, lang))}</p>' if card.title else ""
    secret = f'<p class="carte-secret">{html.escape(t(lang, "carte_secrete"))}</p>' if series.secret else ""
    return (f'<td class="{" ".join(classes)}"><div class="carte-cadre">'
            f'<p class="carte-entete"><span>{html.escape(series.session)} · {html.escape(pick(series.title, lang))}'
            f'</span><span class="carte-id">{html.escape(card.id)}</span></p>'
            f'{title}<p class="carte-texte">{html.escape(text)}</p>{secret}</div></td>')


def _sheets(series: CardSeries, lang: str) -> list[str]:
    short = _card_length(series, lang) <= SHORT_CARD_CHARS
    size, rows = ("petite", 4) if short else ("grande", 2)
    per_sheet = rows * 2
    sheets = []
    for start in range(0, len(series.cards), per_sheet):
        cells = [_card(series, i, lang, size) for i in range(start, min(start + per_sheet, len(series.cards)))]
        cells += [f'<td class="carte carte--{size} carte--vide"></td>'] * (per_sheet - len(cells))
        body = "".join(f"<tr>{''.join(cells[r * 2:r * 2 + 2])}</tr>" for r in range(rows))
        sheets.append(f'<section class="planche" id="serie-{html.escape(series.id)}">'
                      f'<p class="planche-entete">{html.escape(series.id)} — {html.escape(pick(series.title, lang))}'
                      f' · {len(series.cards)}</p><table class="planche-grille">{body}</table></section>')
    return sheets


def card_sheets_html(document: PdfDocument, project: Project, provenance: Provenance) -> str:
    """The whole HTML of a module's card sheets in `document.lang`."""
    assert document.module is not None
    lang = document.lang
    module = document.module
    card_set = cards_for(project)
    series = card_set.of_module(module.id)
    order = {s.id: i for i, s in enumerate(module.sessions)}
    series.sort(key=lambda s: (order.get(s.session, 99), s.id))
    sources = [project.root / s.source for s in series] + [module.source]
    date = provenance.date_of([p for p in sources if p.is_file()])
    intro = (f'<section class="planches-intro"><h1>{html.escape(document.title)}</h1>'
             f'<p class="cover-subtitle">{html.escape(document.subtitle)}</p>'
             f'<p>{html.escape(t(lang, "cartes_consigne"))}</p><ul>'
             + "".join(f'<li>{html.escape(s.id)} — {html.escape(pick(s.title, lang))} ({len(s.cards)})</li>'
                       for s in series)
             + f'</ul><p class="planches-version">{html.escape(t(lang, "version"))} {provenance.version} — '
               f"{date:%Y-%m-%d}</p></section>")
    sheets = "".join(sheet for s in series for sheet in _sheets(s, lang))
    stamp = date.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(document.title)} — {html.escape(document.subtitle)}</title>"
            f'<meta name="dcterms.created" content="{stamp}"><meta name="dcterms.modified" content="{stamp}">'
            f'<meta name="generator" content="kalan {provenance.version}">'
            f'</head><body class="doc-cartes">{intro}{sheets}</body></html>')
