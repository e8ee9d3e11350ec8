"""The termbase (``referentiels/termes.yml``): one entry per concept, one preferred Bambara term.

It is the single source of the glossary pages (marker ``<!-- kalan:glossaire -->``) and
of the variant check (`kalan.terms_check`). Reading it never raises for content
problems: they become findings naming the section, entry and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from kalan.config import Project
from kalan.datafile import load_yaml, read_localized, yaml_finding
from kalan.errors import Finding, raise_on_errors

TERMBASE = Path("referentiels") / "termes.yml"
ENTRY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SECTION_KEYS = {"id", "titre", "intro", "sous_section", "termes"}
ENTRY_KEYS = {"id", "fr", "bm", "tons", "definition", "oral", "interpretes", "variantes_bm", "variantes_fr",
              "question_relecture"}
FR_STATUSES = ("deconseille", "autre_source")


@dataclass(frozen=True)
class Variant:
    """A form the pages should not use (or, ``autre_source``, one other sources use)."""

    form: str
    reason: str
    replacement: str
    lang: str
    status: str = "deconseille"
    entry: str = ""  # entry id, or "graphies"

    @property
    def reported(self) -> bool:
        return self.status == "deconseille"


@dataclass(frozen=True)
class Entry:
    id: str
    fr: str
    bm: str
    definition: dict[str, str]
    tones: str = ""
    spoken: dict[str, str] = field(default_factory=dict)
    interpreters: dict[str, str] = field(default_factory=dict)
    variants: tuple[Variant, ...] = ()
    question: str = ""


@dataclass(frozen=True)
class Section:
    id: str
    title: dict[str, str]
    intro: dict[str, str]
    subsection: bool
    entries: tuple[Entry, ...]


@dataclass
class Termbase:
    sections: list[Section]
    spellings: list[Variant]
    path: Path
    findings: list[Finding] = field(default_factory=list)

    @property
    def entries(self) -> list[Entry]:
        return [e for s in self.sections for e in s.entries]

    @cached_property
    def variants(self) -> list[Variant]:
        """Every reported variant, both languages, spellings included."""
        return [v for e in self.entries for v in e.variants if v.reported] + self.spellings

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)


class _Reader:
    def __init__(self, shown: str):
        self.shown = shown
        self.findings: list[Finding] = []

    def error(self, where: str, message: str) -> None:
        self.findings.append(Finding(self.shown, where, message))

    def text(self, value: object, where: str, langs: tuple[str, ...] = ("fr", "bm"),
             required: bool = True) -> dict[str, str]:
        if value is None and not required:
            return {}
        if langs == ("fr", "bm"):
            result, found = read_localized(value, where, self.shown)
            self.findings += found
            return result
        if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) for lang in langs):
            self.error(where, f"doit donner {' et '.join(f'« {lang}: … »' for lang in langs)}")
            return {}
        return {lang: value[lang].strip() for lang in langs}

    def string(self, data: dict, key: str, where: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.error(f"{where}.{key}", "texte obligatoire manquant")
            return ""
        return value.strip()

    def variant(self, data: object, where: str, lang: str, entry: str, default: str) -> Variant | None:
        if not isinstance(data, dict) or "forme" not in data:
            self.error(where, "une variante s'écrit « - forme: … » avec « raison: … »")
            return None
        status = data.get("statut", "deconseille")
        if lang == "fr" and status not in FR_STATUSES:
            self.error(f"{where}.statut", f"valeur {status!r} : « deconseille » ou « autre_source »")
        unknown = set(data) - {"forme", "raison", "remplacer_par", "statut", "correct"}
        if unknown:
            self.error(where, f"champ(s) inconnu(s) : {', '.join(sorted(unknown))}")
        replacement = data.get("remplacer_par") or data.get("correct") or default
        return Variant(self.string(data, "forme", where), self.string(data, "raison", where),
                       str(replacement).strip(), lang, str(status), entry)


def _read_entry(reader: _Reader, data: object, where: str) -> Entry | None:
    if not isinstance(data, dict):
        reader.error(where, "chaque terme est un dictionnaire (id, fr, bm, definition…)")
        return None
    entry_id = str(data.get("id", ""))
    where = f"{where} ({entry_id})" if entry_id else where
    if not ENTRY_ID.match(entry_id):
        reader.error(f"{where}.id", "identifiant en minuscules ASCII et tirets (ex. « consentement-eclaire »)")
    unknown = set(data) - ENTRY_KEYS
    if unknown:
        reader.error(where, f"champ(s) inconnu(s) : {', '.join(sorted(unknown))}")
    fr, bm = reader.string(data, "fr", where), reader.string(data, "bm", where)
    variants: list[Variant] = []
    for lang in ("bm", "fr"):
        listed = data.get(f"variantes_{lang}") or []
        if not isinstance(listed, list):
            reader.error(f"{where}.variantes_{lang}", "doit être une liste")
            continue
        for i, item in enumerate(listed, 1):
            variant = reader.variant(item, f"{where}.variantes_{lang}[{i}]", lang, entry_id, bm if lang == "bm" else fr)
            if variant:
                variants.append(variant)
    return Entry(
        id=entry_id, fr=fr, bm=bm,
        definition=reader.text(data.get("definition"), f"{where}.definition"),
        tones=str(data.get("tons") or "").strip(),
        spoken=reader.text(data.get("oral"), f"{where}.oral", ("bm",), required=False),
        interpreters=reader.text(data.get("interpretes"), f"{where}.interpretes", ("fr",), required=False),
        variants=tuple(variants),
        question=str(data.get("question_relecture") or "").strip(),
    )


def load_termbase(project: Project) -> Termbase:
    """Read and validate the termbase; a missing file is an empty termbase."""
    path = project.root / TERMBASE
    shown = TERMBASE.as_posix()
    if not path.is_file():
        return Termbase([], [], path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        return Termbase([], [], path, [yaml_finding(exc, shown)])
    reader = _Reader(shown)
    sections: list[Section] = []
    seen: set[str] = set()
    for i, sec in enumerate(data.get("sections") or [], 1):
        where = f"sections[{i}]"
        if not isinstance(sec, dict):
            reader.error(where, "chaque section est un dictionnaire (id, titre, termes)")
            continue
        unknown = set(sec) - SECTION_KEYS
        if unknown:
            reader.error(where, f"champ(s) inconnu(s) : {', '.join(sorted(unknown))}")
        entries = []
        for j, raw in enumerate(sec.get("termes") or [], 1):
            entry = _read_entry(reader, raw, f"{where}.termes[{j}]")
            if entry is None:
                continue
            if entry.id in seen:
                reader.error(f"{where}.termes[{j}]", f"identifiant « {entry.id} » déjà utilisé")
            seen.add(entry.id)
            entries.append(entry)
        sections.append(Section(str(sec.get("id", "")), reader.text(sec.get("titre"), f"{where}.titre"),
                                reader.text(sec.get("intro"), f"{where}.intro", required=False),
                                bool(sec.get("sous_section")), tuple(entries)))
    spellings = []
    for i, item in enumerate(data.get("graphies") or [], 1):
        where = f"graphies[{i}]"
        if isinstance(item, dict) and not item.get("correct"):
            reader.error(f"{where}.correct", "la graphie correcte est obligatoire")
        variant = reader.variant(item, where, "bm", "graphies", "")
        if variant:
            spellings.append(variant)
    return Termbase(sections, spellings, path, reader.findings)


def require_termbase(project: Project) -> Termbase:
    """The termbase for a build: content errors stop it with every finding listed."""
    termbase = load_termbase(project)
    raise_on_errors(termbase.findings, "Termbase invalide")
    return termbase
