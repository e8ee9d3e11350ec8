"""Facilitation cards (``cartes/mN.yml``): role, sorting, statement and situation cards.

One source for two views: the facilitator's session page shows a series through
``<!-- kalan:cartes M2-S5-A -->`` (with the expected answers), and
`kalan.pdf.card_sheets` prints every card of a module as cut-out sheets
(without them). Participant documents never include either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kalan.config import Project
from kalan.datafile import load_yaml, yaml_finding
from kalan.errors import Finding, KalanError
from kalan.i18n import LANGS, pick
from kalan.manifests import Curriculum

SERIES_KEYS = {"id", "seance", "titre", "secret", "colonnes", "cartes"}
CARD_KEYS = {"id", "titre", "texte", "attendu"}
FILE_KEYS = {"series", "questions_relecture"}


@dataclass(frozen=True)
class Card:
    id: str
    text: dict[str, str]
    title: dict[str, str] = field(default_factory=dict)
    expected: dict[str, str] = field(default_factory=dict)  # trainer only, never printed on the card


@dataclass(frozen=True)
class CardSeries:
    id: str
    session: str
    title: dict[str, str]
    cards: tuple[Card, ...]
    secret: bool = False  # each player reads only their own card
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # carte / attendu headings
    source: str = ""  # cartes/m2.yml

    @property
    def module_id(self) -> str:
        return self.session.split("-", 1)[0]

    @property
    def sorting(self) -> bool:
        return any(card.expected for card in self.cards)


@dataclass
class CardSet:
    series: list[CardSeries]
    findings: list[Finding]
    questions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # file → reviewer questions

    def by_id(self, series_id: str) -> CardSeries | None:
        return next((s for s in self.series if s.id == series_id), None)

    def of_module(self, module_id: str) -> list[CardSeries]:
        return [s for s in self.series if s.module_id == module_id]

    def of_session(self, session_id: str) -> list[CardSeries]:
        return [s for s in self.series if s.session == session_id]


def _text(value: object, place: str, shown: str, findings: list[Finding], required: bool) -> dict[str, str]:
    """A ``{fr, bm}`` text; French is required, a missing Bambara is left to `card_findings`."""
    if value is None:
        if required:
            findings.append(Finding(shown, place, "champ obligatoire manquant"))
        return {}
    if isinstance(value, str):
        value = {"fr": value}
    if not isinstance(value, dict):
        findings.append(Finding(shown, place, "doit donner le texte par langue : « fr: … » et « bm: … »"))
        return {}
    result = {lang: " ".join(str(text).split()) for lang, text in value.items()
              if lang in LANGS and isinstance(text, str | int) and str(text).strip()}
    for extra in sorted(set(value) - set(LANGS)):
        findings.append(Finding(shown, f"{place}.{extra}", "langue inconnue", "avertissement"))
    if required and "fr" not in result:
        findings.append(Finding(shown, f"{place}.fr", "texte français manquant"))
    return result


def _read_file(path: Path, shown: str, findings: list[Finding]) -> tuple[list[CardSeries], tuple[str, ...]]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        findings.append(yaml_finding(exc, shown))
        return [], ()
    if not isinstance(data, dict) or not isinstance(data.get("series"), list):
        findings.append(Finding(shown, "series", "le fichier de cartes est une table avec une liste « series: »"))
        return [], ()
    for key in sorted(set(data) - FILE_KEYS):
        findings.append(Finding(shown, key, "champ inconnu (champs possibles : series, questions_relecture)",
                                "avertissement"))
    result = []
    for i, raw in enumerate(data["series"], 1):
        where = f"series[{i}]"
        if not isinstance(raw, dict):
            findings.append(Finding(shown, where, "chaque série est une table (id, seance, titre, cartes)"))
            continue
        for key in sorted(set(raw) - SERIES_KEYS):
            findings.append(Finding(shown, f"{where}.{key}", f"champ inconnu (champs possibles : "
                                                            f"{', '.join(sorted(SERIES_KEYS))})", "avertissement"))
        session = str(raw.get("seance") or "")
        sid = str(raw.get("id") or "")
        if not re.fullmatch(r"M\d+-S\d+", session):
            findings.append(Finding(shown, f"{where}.seance", f"séance invalide {session!r} (ex. M2-S5)"))
        if not re.fullmatch(rf"{re.escape(session)}-[A-Z0-9]+", sid):
            findings.append(Finding(shown, f"{where}.id", f"identifiant {sid!r} : attendu « {session or 'M?-S?'}-» "
                                                          "suivi de majuscules ou de chiffres (ex. M2-S5-A)"))
        columns = {}
        for key, label in (raw.get("colonnes") or {}).items():
            columns[str(key)] = _text(label, f"{where}.colonnes.{key}", shown, findings, True)
        cards = []
        raw_cards = raw.get("cartes")
        if not isinstance(raw_cards, list) or not raw_cards:
            findings.append(Finding(shown, f"{where}.cartes", "une série a au moins une carte (liste « - id: … »)"))
            raw_cards = []
        for j, card in enumerate(raw_cards, 1):
            cwhere = f"{where}.cartes[{j}]"
            if not isinstance(card, dict):
                findings.append(Finding(shown, cwhere, "chaque carte est une table (id, texte…)"))
                continue
            for key in sorted(set(card) - CARD_KEYS):
                findings.append(Finding(shown, f"{cwhere}.{key}", f"champ inconnu (champs possibles : "
                                                                  f"{', '.join(sorted(CARD_KEYS))})", "avertissement"))
            cid = str(card.get("id") or "")
            if not cid.startswith(f"{session}-"):
                findings.append(Finding(shown, f"{cwhere}.id",
                                        f"identifiant {cid!r} : doit commencer par « {session}- »"))
            cards.append(Card(cid, _text(card.get("texte"), f"{cwhere}.texte", shown, findings, True),
                              _text(card.get("titre"), f"{cwhere}.titre", shown, findings, False),
                              _text(card.get("attendu"), f"{cwhere}.attendu", shown, findings, False)))
        result.append(CardSeries(sid, session, _text(raw.get("titre"), f"{where}.titre", shown, findings, True),
                                 tuple(cards), bool(raw.get("secret", False)), columns, shown))
    questions = data.get("questions_relecture") or []
    return result, tuple(str(q) for q in questions) if isinstance(questions, list) else ()


def load_cards(project: Project, curriculum: Curriculum | None = None) -> CardSet:
    """Every ``cartes/*.yml``; with `curriculum`, sessions must exist and ids be unique."""
    findings: list[Finding] = []
    series: list[CardSeries] = []
    questions: dict[str, tuple[str, ...]] = {}
    folder = project.root / "cartes"
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        shown = path.relative_to(project.root).as_posix()
        found, asked = _read_file(path, shown, findings)
        series += found
        if asked:
            questions[shown] = asked
    seen: dict[str, str] = {}
    for s in series:
        for ident in (s.id, *(c.id for c in s.cards)):
            if ident in seen:
                findings.append(Finding(s.source, ident, f"identifiant déjà utilisé dans {seen[ident]}"))
            seen[ident] = s.source
    if curriculum is not None:
        sessions = {session.id for m in curriculum.modules for session in m.sessions}
        for s in series:
            if s.session and s.session not in sessions:
                findings.append(Finding(s.source, s.id, f"séance inconnue {s.session} (aucun manifeste ne la déclare)"))
    return CardSet(series, findings, questions)


_CACHE: dict[tuple[Path, tuple[tuple[str, int], ...]], CardSet] = {}


def cards_for(project: Project) -> CardSet:
    """The card set, read once per build while the files do not change (pages ask for it many times)."""
    folder = project.root / "cartes"
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.yml"))) if folder.is_dir() else ()
    key = (project.root, stamp)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = load_cards(project)
    return _CACHE[key]


def require_series(project: Project, series_id: str, source: str) -> CardSeries:
    found = cards_for(project).by_id(series_id)
    if found is None:
        raise KalanError(f"{source} : série de cartes inconnue « {series_id} » (voir le dossier cartes/)")
    return found


def card_findings(cards: CardSet, langs: tuple[str, ...]) -> list[Finding]:
    """Cards are read by participants: every text must exist in every language."""
    findings = list(cards.findings)
    for s in cards.series:
        texts = [(f"{s.id} › titre", s.title)]
        for card in s.cards:
            texts.append((f"{card.id} › texte", card.text))
            if card.title:
                texts.append((f"{card.id} › titre", card.title))
        for where, text in texts:
            findings += [Finding(s.source, where, f"texte de carte manquant en « {lang} » (les participants lisent "
                                                  "les cartes)", "avertissement")
                         for lang in langs if not text.get(lang)]
    return findings


def series_markdown(series: CardSeries, lang: str, pdf_link: str | None) -> str:
    """The series as the facilitator's page shows it: table with expected answers, or one paragraph per card."""
    lines: list[str] = []
    if series.sorting:
        head_card = pick(series.columns.get("carte", {}), lang) if series.columns.get("carte") else "Carte"
        head_expected = (pick(series.columns.get("attendu", {}), lang) if series.columns.get("attendu")
                         else "Réponse attendue")
        lines += [f"| {head_card} | {head_expected} |", "|---|---|"]
        for card in series.cards:
            text = _cell(pick(card.text, lang))
            if card.title:
                text = f"**{_cell(pick(card.title, lang))}** — {text}"
            lines.append(f"| {text} | {_cell(pick(card.expected, lang)) if card.expected else ''} |")
    elif all(card.title for card in series.cards):
        for card in series.cards:
            lines += [f"**{pick(card.title, lang)}.** {pick(card.text, lang)}", ""]
    else:
        lines += [f"- {pick(card.text, lang)}" for card in series.cards]
    if pdf_link:
        lines += ["", f'<p class="kalan-cartes-lien"><a href="{pdf_link}" type="application/pdf">'
                      f"{_label(lang, series)}</a></p>"]
    return "\n".join(lines).rstrip() + "\n"


def _label(lang: str, series: CardSeries) -> str:
    from kalan.messages import t

    return t(lang, "cartes_lien", serie=series.id, n=len(series.cards))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
