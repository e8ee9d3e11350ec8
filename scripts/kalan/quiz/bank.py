"""The item bank (``quizzes/banque.yml``): questions, options and keys in French and Bambara."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from kalan.config import Project
from kalan.datafile import load_yaml, read_localized, yaml_finding
from kalan.errors import Finding

ITEM_ID = re.compile(r"^Q\d{2,3}$")
CHOICE, TRUE_FALSE = "choix", "vrai-faux"
OPTION_IDS = ("a", "b", "c")
TRUE_FALSE_KEYS = ("vrai", "faux")
ITEM_KEYS = {"id", "objectif", "type", "enonce", "options", "cle", "pictogramme", "oral", "pilote"}


@dataclass(frozen=True)
class Option:
    id: str
    text: dict[str, str]


@dataclass(frozen=True)
class Item:
    id: str
    objective: str
    type: str
    stem: dict[str, str]
    options: tuple[Option, ...]  # empty for vrai-faux
    key: str  # option id, or "vrai" / "faux"
    pictogram: Path | None = None
    oral: dict[str, str] = field(default_factory=dict)
    source: str = "quizzes/banque.yml"  # the file that holds it
    piloted: dict[str, object] = field(default_factory=dict)  # pilot statistics, once a cohort took it

    def option(self, option_id: str) -> Option:
        return next(o for o in self.options if o.id == option_id)


@dataclass
class Bank:
    items: dict[str, Item]
    path: Path
    draft: bool  # Bambara not yet reviewed
    findings: list[Finding] = field(default_factory=list)


def _text(value: object, place: str, shown: str, findings: list[Finding]) -> dict[str, str]:
    result, found = read_localized(value, place, shown)
    findings += found
    return result


BANK_FILE = "quizzes/banque.yml"
BANK_PARTS = "quizzes/banque"  # more items, one file per group of modules, same format


def bank_files(project: Project) -> list[Path]:
    """``quizzes/banque.yml`` then ``quizzes/banque/*.yml``: one bank, several files."""
    parts = project.root / BANK_PARTS
    return [project.root / BANK_FILE, *(sorted(parts.glob("*.yml")) if parts.is_dir() else [])]


def load_bank(project: Project, objective_ids: set[str]) -> Bank:
    """Read and validate the bank; every problem is a finding naming the file, the item and the field.
    The Bambara counts as reviewed only when every file says ``traduction: relue``."""
    path = project.root / BANK_FILE
    findings: list[Finding] = []
    if not path.is_file():
        return Bank({}, path, True, [Finding(BANK_FILE, "", "fichier introuvable")])
    items: dict[str, Item] = {}
    sources: dict[str, str] = {}
    draft = False
    for file in bank_files(project):
        shown = file.relative_to(project.root).as_posix()
        try:
            data = load_yaml(file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            findings.append(yaml_finding(exc, shown))
            continue
        status = data.get("traduction") if isinstance(data, dict) else None
        if status not in ("brouillon", "relue"):
            findings.append(Finding(shown, "traduction", "« brouillon » ou « relue » attendu"))
        draft = draft or status != "relue"
        raw_items = data.get("questions") if isinstance(data, dict) else None
        if not isinstance(raw_items, list) or not raw_items:
            findings.append(Finding(shown, "questions", "liste de questions attendue"))
            raw_items = []
        for i, raw in enumerate(raw_items):
            place = f"questions[{i + 1}]"
            if not isinstance(raw, dict):
                findings.append(Finding(shown, place, "chaque question est une table (id, objectif, …)"))
                continue
            item_id = raw.get("id")
            if not isinstance(item_id, str) or not ITEM_ID.match(item_id):
                findings.append(Finding(shown, f"{place}.id", f"identifiant invalide {item_id!r} (ex. Q07)"))
                continue
            place = item_id
            if item_id in items or item_id in sources:
                findings.append(Finding(shown, f"{place}.id", f"identifiant en double (déjà dans {sources[item_id]})"))
                continue
            sources[item_id] = shown
            for unknown in sorted(set(raw) - ITEM_KEYS):
                findings.append(Finding(shown, f"{place}.{unknown}", "champ inconnu", "avertissement"))
            item = _read_item(raw, place, shown, objective_ids, project, findings)
            if item:
                items[item_id] = replace(item, source=shown)
    return Bank(items, path, draft, findings)


def _read_item(raw: dict, place: str, shown: str, objective_ids: set[str], project: Project,
               findings: list[Finding]) -> Item | None:
    before = len(findings)
    objective = raw.get("objectif")
    if objective not in objective_ids:
        findings.append(Finding(shown, f"{place}.objectif",
                                f"objectif inconnu {objective!r} (voir les manifestes dans modules/)"))
    kind = raw.get("type")
    if kind not in (CHOICE, TRUE_FALSE):
        findings.append(Finding(shown, f"{place}.type", f"« {CHOICE} » ou « {TRUE_FALSE} » attendu"))
    stem = _text(raw.get("enonce"), f"{place}.enonce", shown, findings)
    options: list[Option] = []
    key = raw.get("cle")
    if kind == CHOICE:
        raw_options = raw.get("options")
        if not isinstance(raw_options, list) or len(raw_options) != len(OPTION_IDS):
            findings.append(Finding(shown, f"{place}.options", "exactement trois options (a, b, c)"))
            raw_options = []
        for j, raw_option in enumerate(raw_options):
            option_id = raw_option.get("id") if isinstance(raw_option, dict) else None
            if option_id != OPTION_IDS[j]:
                findings.append(Finding(shown, f"{place}.options[{j + 1}].id",
                                        f"« {OPTION_IDS[j]} » attendu (reçu : {option_id!r})"))
                continue
            options.append(Option(option_id, _text(raw_option.get("texte"),
                                                   f"{place}.options.{option_id}", shown, findings)))
        if key not in OPTION_IDS:
            findings.append(Finding(shown, f"{place}.cle", f"la clé {key!r} n'est pas une option (a, b ou c)"))
    elif kind == TRUE_FALSE:
        if "options" in raw:
            findings.append(Finding(shown, f"{place}.options", "pas d'options pour une question vrai-faux"))
        if key not in TRUE_FALSE_KEYS:
            findings.append(Finding(shown, f"{place}.cle", f"« vrai » ou « faux » attendu (reçu : {key!r})"))
    pictogram = None
    if raw.get("pictogramme"):
        pictogram = project.root / "quizzes" / str(raw["pictogramme"])
        if not pictogram.is_file():
            findings.append(Finding(shown, f"{place}.pictogramme", f"image introuvable : {raw['pictogramme']}"))
    oral = _text(raw["oral"], f"{place}.oral", shown, findings) if "oral" in raw else {}
    if len(findings) > before:
        return None
    piloted = raw.get("pilote") if isinstance(raw.get("pilote"), dict) else {}
    return Item(raw["id"], objective, kind, stem, tuple(options), key, pictogram, oral, piloted=piloted)


def bank_coverage(bank: Bank):
    """The item bank as one row of the translation report (words in French, in Bambara, reviewed)."""
    from kalan.translations import Coverage, count_words

    row = Coverage("Banque de questions (quizzes/banque.yml)")
    texts = {lang: " ".join([i.stem.get(lang, "") for i in bank.items.values()]
                            + [o.text.get(lang, "") for i in bank.items.values() for o in i.options]
                            + [i.oral.get(lang, "") for i in bank.items.values()]) for lang in ("fr", "bm")}
    row.fr.add(count_words(texts["fr"]))
    row.bm.add(count_words(texts["bm"]))
    if not bank.draft:
        row.reviewed.add(count_words(texts["bm"]))
    return row
