"""Picture cards (« cartes-images »): a simple picture and one line, for people who read little.

Data: ``referentiels/cartes-images.yml``. A picture is composed from 1–5 icons kept in the
repository (``referentiels/cartes-images/icones/``, with their licences), drawn side by side in
black on white so it survives a photocopier; ``interdit: true`` draws a crossed circle over it
(« à ne pas faire »). A field team replaces a picture with a local drawing by setting
``image: dessins/<id>.jpg`` — no code changes. Like a translation, a card has a status:
``provisoire`` until it has been tested with 6–10 relays (``teste: {par, le, relais}``).

Pages show cards with ``<!-- kalan:images ID ID -->``, a one-page version of a fiche with
``<!-- kalan:planche ID -->``; the build prints every card as A5 halves of A4
(``pdf/<lang>/cartes-images.pdf``) and the oral test guide shows each item's card. The
pictures are inline SVG (or a data: URI for a drawing), so they show from file:// at any
folder depth and in print alike.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kalan.config import Project
from kalan.datafile import load_yaml, yaml_finding
from kalan.errors import Finding, KalanError, raise_on_errors
from kalan.i18n import LANGS, pick

CARDS_FILE = "referentiels/cartes-images.yml"
ASSETS_DIR = "referentiels/cartes-images"
ICONS_DIR = f"{ASSETS_DIR}/icones"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STATUSES = ("provisoire", "testée")
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
SVG_BODY = re.compile(r"<svg[^>]*>(.*)</svg>", re.S)
ICON_SIZE, GAP = 24, 3


@dataclass(frozen=True)
class PictureCard:
    id: str
    caption: dict[str, str]
    icons: tuple[str, ...] = ()
    forbidden: bool = False
    image: str = ""  # a local drawing under referentiels/cartes-images/, replacing the icons
    status: str = "provisoire"
    tested: dict[str, object] = field(default_factory=dict)
    group: str = ""
    item: str = ""  # the test item this card goes with


@dataclass(frozen=True)
class Plate:
    """A one-page « picture + one line » version of a fiche."""

    id: str
    title: dict[str, str]
    cards: tuple[str, ...]


@dataclass
class PictureCards:
    cards: dict[str, PictureCard] = field(default_factory=dict)
    plates: dict[str, Plate] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def for_item(self, item_id: str) -> PictureCard | None:
        return next((c for c in self.cards.values() if c.item == item_id), None)


def _texts(value: object, place: str, findings: list[Finding]) -> dict[str, str]:
    if not isinstance(value, dict) or not isinstance(value.get("fr"), str):
        findings.append(Finding(CARDS_FILE, place, "texte attendu par langue : « fr: … » et « bm: … »"))
        return {}
    return {lang: " ".join(str(value[lang]).split()) for lang in LANGS if value.get(lang)}


def load_picture_cards(project: Project) -> PictureCards | None:
    """The picture cards, or None when the project has none."""
    path = project.root / CARDS_FILE
    if not path.is_file():
        return None
    result = PictureCards()
    findings = result.findings
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        findings.append(yaml_finding(exc, CARDS_FILE))
        return result
    if not isinstance(data, dict):
        findings.append(Finding(CARDS_FILE, "", "table attendue (cartes, planches)"))
        return result
    for i, raw in enumerate(data.get("cartes") or [], 1):
        where = f"cartes[{i}]"
        if not isinstance(raw, dict) or not SLUG.match(str(raw.get("id", ""))):
            findings.append(Finding(CARDS_FILE, where, "chaque carte a un « id » (minuscules, chiffres, tirets)"))
            continue
        cid = raw["id"]
        where = f"{where} ({cid})"
        if cid in result.cards:
            findings.append(Finding(CARDS_FILE, where, "identifiant déjà utilisé"))
            continue
        icons = tuple(str(i) for i in raw.get("icones") or [])
        image = str(raw.get("image") or "")
        if image:
            if not (project.root / ASSETS_DIR / image).is_file() or Path(image).suffix.lower() not in IMAGE_TYPES:
                findings.append(Finding(CARDS_FILE, f"{where}.image", f"dessin introuvable ou de type inconnu : "
                                                                      f"{ASSETS_DIR}/{image} (png, jpg, svg)"))
        elif not 1 <= len(icons) <= 5:
            findings.append(Finding(CARDS_FILE, f"{where}.icones", "de 1 à 5 icônes (ou un « image: »)"))
        for icon in icons if not image else ():
            if not (project.root / ICONS_DIR / f"{icon}.svg").is_file():
                findings.append(Finding(CARDS_FILE, f"{where}.icones", f"icône introuvable : {ICONS_DIR}/{icon}.svg"))
        status = str(raw.get("statut", "provisoire"))
        tested = raw.get("teste") or {}
        if status not in STATUSES:
            findings.append(Finding(CARDS_FILE, f"{where}.statut", f"« {status} » : provisoire ou testée"))
        elif status == "testée":
            relays = tested.get("relais") if isinstance(tested, dict) else None
            if (not isinstance(tested, dict) or not tested.get("par") or not isinstance(tested.get("le"), dt.date)
                    or not isinstance(relays, int) or not 6 <= relays <= 10):
                findings.append(Finding(CARDS_FILE, f"{where}.teste",
                                        "une carte « testée » dit par qui, quand (AAAA-MM-JJ) et avec combien "
                                        "de relais (6 à 10)"))
        caption = _texts(raw.get("legende"), f"{where}.legende", findings)
        if caption and "bm" not in caption:
            findings.append(Finding(CARDS_FILE, f"{where}.legende.bm", "légende bambara absente", "avertissement"))
        result.cards[cid] = PictureCard(cid, caption, icons, bool(raw.get("interdit", False)), image, status,
                                        tested if isinstance(tested, dict) else {}, str(raw.get("groupe") or ""),
                                        str(raw.get("item") or ""))
    for i, raw in enumerate(data.get("planches") or [], 1):
        where = f"planches[{i}]"
        if not isinstance(raw, dict) or not SLUG.match(str(raw.get("id", ""))):
            findings.append(Finding(CARDS_FILE, where, "chaque planche a un « id », un « titre » et ses « cartes »"))
            continue
        cards = tuple(str(c) for c in raw.get("cartes") or [])
        for unknown in [c for c in cards if c not in result.cards]:
            findings.append(Finding(CARDS_FILE, f"{where}.cartes", f"carte inconnue : {unknown}"))
        if not 1 <= len(cards) <= 8:
            findings.append(Finding(CARDS_FILE, f"{where}.cartes", "une planche tient sur une page : 1 à 8 cartes"))
        result.plates[raw["id"]] = Plate(raw["id"], _texts(raw.get("titre"), f"{where}.titre", findings), cards)
    return result


def require_picture_cards(project: Project) -> PictureCards:
    cards = load_picture_cards(project)
    if cards is None:
        raise KalanError(f"{CARDS_FILE} introuvable")
    raise_on_errors(cards.findings, "Cartes-images invalides")
    return cards


def _icon_body(project: Project, icon: str) -> str:
    text = (project.root / ICONS_DIR / f"{icon}.svg").read_text(encoding="utf-8")
    match = SVG_BODY.search(text)
    return match.group(1) if match else ""


def picture(project: Project, card: PictureCard, lang: str) -> str:
    """The card's picture as inline HTML: composed SVG, or the local drawing as a data: URI."""
    label = html.escape(pick(card.caption, lang), quote=True)
    if card.image:
        path = project.root / ASSETS_DIR / card.image
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return (f'<img class="kalan-image__dessin" alt="{label}" '
                f'src="data:{IMAGE_TYPES[path.suffix.lower()]};base64,{data}">')
    width = len(card.icons) * ICON_SIZE + (len(card.icons) - 1) * GAP
    side = max(width, ICON_SIZE) + 8 if card.forbidden else 0
    canvas_w, canvas_h = (side, side) if card.forbidden else (width, ICON_SIZE)
    x0, y0 = (canvas_w - width) / 2, (canvas_h - ICON_SIZE) / 2
    parts = [f'<g transform="translate({x0 + n * (ICON_SIZE + GAP):g} {y0:g})">{_icon_body(project, icon)}</g>'
             for n, icon in enumerate(card.icons)]
    if card.forbidden:
        r = side / 2 - 1.5
        c = side / 2
        d = r * 0.7071
        parts.append(f'<circle cx="{c:g}" cy="{c:g}" r="{r:g}" fill="none" stroke="#000" stroke-width="2.4"/>'
                     f'<line x1="{c - d:g}" y1="{c - d:g}" x2="{c + d:g}" y2="{c + d:g}" stroke="#000" '
                     'stroke-width="2.4"/>')
    return (f'<svg class="kalan-image__svg" role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {canvas_w:g} {canvas_h:g}" fill="#000">{"".join(parts)}</svg>')


def figure(project: Project, card: PictureCard, lang: str, size: str = "") -> str:
    caption = html.escape(pick(card.caption, lang))
    extra = f" kalan-image--{size}" if size else ""
    return (f'<figure class="kalan-image{extra}" id="image-{card.id}">{picture(project, card, lang)}'
            f"<figcaption>{caption}</figcaption></figure>")


def images_block(project: Project, ids: list[str], lang: str, source: str) -> str:
    """``<!-- kalan:images A B -->``: the cards in a row, as one raw HTML block."""
    cards = require_picture_cards(project)
    unknown = [i for i in ids if i not in cards.cards]
    if not ids or unknown:
        raise KalanError(f"{source} : « kalan:images » attend des identifiants de {CARDS_FILE}"
                         + (f" (inconnus : {', '.join(unknown)})" if unknown else ""))
    return '<div class="kalan-images">' + "".join(figure(project, cards.cards[i], lang) for i in ids) + "</div>\n"


def plate_block(project: Project, plate_id: str, lang: str, source: str) -> str:
    """``<!-- kalan:planche ID -->``: a one-page grid of large pictures with one line each."""
    cards = require_picture_cards(project)
    plate = cards.plates.get(plate_id)
    if plate is None:
        raise KalanError(f"{source} : planche inconnue « {plate_id} » ({CARDS_FILE})")
    return ('<div class="kalan-planche">' + "".join(figure(project, cards.cards[c], lang, "grande")
                                                   for c in plate.cards) + "</div>\n")


def picture_cards_html(project: Project, lang: str, version: str, date: dt.datetime) -> str:
    """Every card, one per A5 half of an A4 sheet, large picture and caption (the printed set)."""
    from kalan.messages import t

    cards = require_picture_cards(project)
    halves = []
    for card in cards.cards.values():
        status = t(lang, "image_statut_" + ("testee" if card.status == "testée" else "provisoire"))
        halves.append(f'<section class="demi-a4"><div class="demi-a4__image">{picture(project, card, lang)}</div>'
                      f'<p class="demi-a4__legende">{html.escape(pick(card.caption, lang))}</p>'
                      f'<p class="demi-a4__id">{html.escape(card.id)} · {html.escape(status)}'
                      f"{' · ' + html.escape(card.item) if card.item else ''}</p></section>")
    title = html.escape(t(lang, "doc_cartes_images"))
    stamp = date.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="dcterms.created" content="{stamp}"><meta name="dcterms.modified" content="{stamp}">'
            f'<meta name="generator" content="kalan {version}"></head>'
            f'<body class="doc-cartes-images">{"".join(halves)}</body></html>')


def picture_card_findings(project: Project) -> list[Finding]:
    """Data errors, and which test items ask for a card in their oral note but have none."""
    cards = load_picture_cards(project)
    if cards is None:
        return []
    findings = list(cards.findings)
    from kalan.manifests import load_curriculum
    from kalan.quiz.bank import load_bank

    bank = load_bank(project, load_curriculum(project).objective_ids())
    for item in bank.items.values():
        if "carte" in item.oral.get("fr", "").lower() and cards.for_item(item.id) is None:
            findings.append(Finding(item.source, item.id, "la consigne orale montre une carte-image, mais "
                                                                   f"aucune carte de {CARDS_FILE} n'a « item: "
                                                                   f"{item.id} »", "avertissement"))
    provisional = sum(c.status == "provisoire" for c in cards.cards.values())
    findings.append(Finding(CARDS_FILE, "", f"{len(cards.cards)} carte(s)-image(s), dont {provisional} provisoire(s) "
                                            "(pas encore testées avec 6 à 10 relais)", "info"))
    return findings


def item_pictures(project: Project, langs: tuple[str, ...]) -> dict[tuple[str, str], str]:
    """(item id, language) → the card's figure, for the oral test guide."""
    cards = load_picture_cards(project)
    if cards is None:
        return {}
    return {(card.item, lang): figure(project, card, lang) for card in cards.cards.values() if card.item
            for lang in langs}
