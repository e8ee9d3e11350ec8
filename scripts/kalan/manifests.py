"""Module manifests (``modules/*.yml``): the data every page, agenda and PDF is derived from.

`load_curriculum` reads every manifest, validates it and returns the modules in
training order together with *all* findings (file + field), so that an author
sees every problem at once. Unknown keys are warnings (a typo such as
``objetifs`` must not pass silently); anything the build cannot use is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kalan.config import Project
from kalan.datafile import load_yaml, read_localized, yaml_finding
from kalan.errors import Finding
from kalan.i18n import pick
from kalan.participant import Lines, ParticipantText, read_lines, read_participant

MODULE_ID = re.compile(r"^M\d+$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9\-]*$")
PAGE = re.compile(r"^[a-z0-9][a-z0-9\-]*\.md$")


@dataclass(frozen=True)
class Objective:
    id: str
    text: dict[str, str]


@dataclass(frozen=True)
class Session:
    id: str
    title: dict[str, str]
    minutes: int
    method: dict[str, str]
    materials: tuple[dict[str, str], ...]
    page: str  # path under docs/<lang>/, e.g. "m2/s1-aider.md"
    objectives: tuple[str, ...] = ()
    key_points: Lines = field(default_factory=dict)  # « À retenir »: participant text, per language


@dataclass(frozen=True)
class Handout:
    number: int
    title: dict[str, str]
    page: str


@dataclass(frozen=True)
class Module:
    id: str
    order: int
    folder: str
    title: dict[str, str]
    audience: dict[str, str]
    minutes: int
    objectives: tuple[Objective, ...]
    sessions: tuple[Session, ...]
    handouts: tuple[Handout, ...]
    source: Path
    participant: ParticipantText = field(default_factory=ParticipantText)

    @property
    def index_page(self) -> str:
        return f"{self.folder}/index.md"

    def pages(self) -> list[str]:
        """Every page of the module, in reading order (landing, sessions, handouts)."""
        ordered = [self.index_page]
        for page in [s.page for s in self.sessions] + [h.page for h in self.handouts]:
            if page not in ordered:
                ordered.append(page)
        return ordered

    def participant_pages(self) -> list[str]:
        """Pages written for participants, in print order: the module's participant pages, then its fiches;
        a page named after a fiche (``fiche-03-images.md``) follows that fiche."""
        ordered = [page for page in self.participant.pages if not _fiche_prefix(page)]
        for handout in self.handouts:
            ordered.append(handout.page)
            ordered += [page for page in self.participant.pages
                        if _fiche_prefix(page) == _fiche_prefix(handout.page)]
        ordered += [page for page in self.participant.pages if page not in ordered]
        return ordered

    def label(self, lang: str) -> str:
        return f"{self.id} — {pick(self.title, lang)}"


def _fiche_prefix(page: str) -> str:
    """« m2/fiche-03-images.md » → « fiche-03 » (empty for a page that is not named after a fiche)."""
    match = re.match(r"fiche-\d+", page.rsplit("/", 1)[-1])
    return match.group(0) if match else ""


@dataclass
class Curriculum:
    modules: list[Module]
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "erreur"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "erreur"]

    def module_of_page(self, page: str) -> Module | None:
        """The module whose folder holds `page` (a path relative to docs/<lang>/)."""
        folder = page.split("/", 1)[0]
        return next((m for m in self.modules if m.folder == folder), None)

    def by_id(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def objective_ids(self) -> set[str]:
        return {o.id for m in self.modules for o in m.objectives}


MODULE_KEYS = {"id", "ordre", "dossier", "titre", "public", "duree_minutes",
               "objectifs", "seances", "fiches", "participant"}
SESSION_KEYS = {"id", "titre", "minutes", "methode", "materiel", "page", "objectifs", "a_retenir"}
OBJECTIVE_KEYS = {"id", "texte"}
HANDOUT_KEYS = {"numero", "titre", "page"}


class _Reader:
    """Walks one manifest, collecting findings instead of stopping at the first."""

    def __init__(self, path: Path, shown: str):
        self.path = path
        self.shown = shown
        self.findings: list[Finding] = []

    def error(self, where: str, message: str) -> None:
        self.findings.append(Finding(self.shown, where, message))

    def warn(self, where: str, message: str) -> None:
        self.findings.append(Finding(self.shown, where, message, "avertissement"))

    def unknown_keys(self, data: dict, allowed: set[str], where: str) -> None:
        for key in sorted(set(data) - allowed):
            prefix = f"{where}." if where else ""
            self.warn(f"{prefix}{key}", f"champ inconnu (champs possibles : {', '.join(sorted(allowed))})")

    def text(self, data: dict, key: str, where: str) -> dict[str, str]:
        return self.localized(data.get(key), f"{where}.{key}" if where else key)

    def localized(self, value: object, place: str) -> dict[str, str]:
        result, findings = read_localized(value, place, self.shown)
        self.findings += findings
        return result

    def integer(self, data: dict, key: str, where: str, minimum: int = 1) -> int:
        value = data.get(key)
        place = f"{where}.{key}" if where else key
        if value is None:
            self.error(place, "champ obligatoire manquant")
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(place, f"doit être un nombre entier (reçu : {value!r})")
            return 0
        if value < minimum:
            self.error(place, f"doit être au moins {minimum} (reçu : {value})")
            return 0
        return value

    def string(self, data: dict, key: str, where: str, pattern: re.Pattern[str], hint: str) -> str:
        value = data.get(key)
        place = f"{where}.{key}" if where else key
        if value is None:
            self.error(place, "champ obligatoire manquant")
            return ""
        if not isinstance(value, str) or not pattern.match(value):
            self.error(place, f"valeur invalide {value!r} ({hint})")
            return ""
        return value

    def tables(self, data: dict, key: str, allowed: set[str], hint: str,
               required: bool = True) -> list[tuple[str, dict]]:
        """(place, entry) for each entry of the list `key` that is a table; others are reported."""
        found = []
        for i, raw in enumerate(self.items(data, key, required)):
            where = f"{key}[{i + 1}]"
            if not isinstance(raw, dict):
                self.error(where, hint)
                continue
            self.unknown_keys(raw, allowed, where)
            found.append((where, raw))
        return found

    def items(self, data: dict, key: str, required: bool = True) -> list[Any]:
        value = data.get(key)
        if value is None:
            if required:
                self.error(key, "champ obligatoire manquant")
            return []
        if not isinstance(value, list):
            self.error(key, "doit être une liste (lignes commençant par « - »)")
            return []
        return value


def _read_module(path: Path, project: Project) -> tuple[Module | None, list[Finding]]:
    shown = path.relative_to(project.root).as_posix()
    reader = _Reader(path, shown)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        reader.findings.append(yaml_finding(exc, shown))
        return None, reader.findings
    except UnicodeDecodeError:
        reader.error("", "le fichier doit être enregistré en UTF-8")
        return None, reader.findings
    if not isinstance(data, dict):
        reader.error("", "le manifeste doit être une table de champs (id, ordre, titre, …)")
        return None, reader.findings

    reader.unknown_keys(data, MODULE_KEYS, "")
    module_id = reader.string(data, "id", "", MODULE_ID, "attendu : M suivi d'un nombre, ex. M2")
    if module_id and path.stem.upper() != module_id:
        reader.warn("id", f"le fichier devrait s'appeler {module_id.lower()}.yml")
    order = reader.integer(data, "ordre", "", minimum=0)
    folder = reader.string(data, "dossier", "", SLUG, "minuscules, chiffres et tirets, ex. m2")
    title = reader.text(data, "titre", "")
    audience = reader.text(data, "public", "")
    declared = reader.integer(data, "duree_minutes", "")

    objectives: list[Objective] = []
    for where, raw in reader.tables(data, "objectifs", OBJECTIVE_KEYS, "chaque objectif a un « id » et un « texte »"):
        oid = reader.string(raw, "id", where, re.compile(rf"^{re.escape(module_id)}-O\d+$"),
                            f"attendu : {module_id or 'M?'}-O suivi d'un nombre")
        objectives.append(Objective(oid, reader.text(raw, "texte", where)))
    _no_duplicates(reader, "objectifs", [o.id for o in objectives])
    known_objectives = {o.id for o in objectives}

    sessions: list[Session] = []
    for where, raw in reader.tables(data, "seances", SESSION_KEYS,
                                    "chaque séance est une table (id, titre, minutes, …)"):
        sid = reader.string(raw, "id", where, re.compile(rf"^{re.escape(module_id)}-S\d+$"),
                            f"attendu : {module_id or 'M?'}-S suivi d'un nombre")
        materials: list[dict[str, str]] = []
        raw_materials = raw.get("materiel", [])
        if not isinstance(raw_materials, list):
            reader.error(f"{where}.materiel", "doit être une liste")
            raw_materials = []
        for j, item in enumerate(raw_materials):
            materials.append(reader.localized(item, f"{where}.materiel[{j + 1}]"))
        refs = raw.get("objectifs", [])
        if not isinstance(refs, list):
            reader.error(f"{where}.objectifs", "doit être une liste d'identifiants d'objectifs")
            refs = []
        for ref in refs:
            if ref not in known_objectives:
                reader.error(f"{where}.objectifs", f"objectif inconnu {ref!r} dans ce module")
        page = reader.string(raw, "page", where, PAGE, "nom de fichier .md en minuscules")
        key_points, found = read_lines(raw.get("a_retenir"), f"{where}.a_retenir", shown)
        reader.findings += found
        sessions.append(Session(
            id=sid,
            title=reader.text(raw, "titre", where),
            minutes=reader.integer(raw, "minutes", where),
            method=reader.text(raw, "methode", where),
            materials=tuple(materials),
            page=f"{folder}/{page}" if page else "",
            objectives=tuple(r for r in refs if isinstance(r, str)),
            key_points=key_points,
        ))
    if not sessions and "seances" in data:
        reader.error("seances", "un module a au moins une séance")
    _no_duplicates(reader, "seances", [s.id for s in sessions])

    handouts: list[Handout] = []
    for where, raw in reader.tables(data, "fiches", HANDOUT_KEYS,
                                    "chaque fiche a un « numero », un « titre » et une « page »", required=False):
        page = reader.string(raw, "page", where, PAGE, "nom de fichier .md en minuscules")
        handouts.append(Handout(reader.integer(raw, "numero", where),
                                reader.text(raw, "titre", where),
                                f"{folder}/{page}" if page else ""))

    participant, found = read_participant(data.get("participant"), folder, shown)
    reader.findings += found

    total = sum(s.minutes for s in sessions)
    if declared and sessions and total != declared:
        reader.error("duree_minutes",
                     f"{declared} min déclarées, mais les séances totalisent {total} min")

    if folder:
        fr_dir = project.lang_dir(project.default_lang)
        pages = [("dossier", f"{folder}/index.md")]
        pages += [(f"seances[{i + 1}].page", s.page) for i, s in enumerate(sessions) if s.page]
        pages += [(f"fiches[{i + 1}].page", h.page) for i, h in enumerate(handouts) if h.page]
        pages += [(f"participant.pages[{i + 1}]", p) for i, p in enumerate(participant.pages)]
        for where, page in pages:
            if not (fr_dir / page).is_file():
                shown_page = (fr_dir / page).relative_to(project.root).as_posix()
                reader.error(where, f"page introuvable : {shown_page}")

    if reader.findings and any(f.severity == "erreur" for f in reader.findings):
        return None, reader.findings
    module = Module(module_id, order, folder, title, audience, declared, tuple(objectives),
                    tuple(sessions), tuple(handouts), path, participant)
    return module, reader.findings


def _no_duplicates(reader: _Reader, where: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for value in ids:
        if value and value in seen:
            reader.error(where, f"identifiant en double : {value}")
        seen.add(value)


def load_curriculum(project: Project) -> Curriculum:
    """Every manifest under ``modules/``, validated, in training order."""
    findings: list[Finding] = []
    modules: list[Module] = []
    paths = sorted(project.modules_dir.glob("*.yml"))
    if not paths:
        findings.append(Finding("modules/", "", "aucun manifeste de module (*.yml)"))
    for path in paths:
        module, found = _read_module(path, project)
        findings.extend(found)
        if module:
            modules.append(module)
    modules.sort(key=lambda m: (m.order, m.id))
    _check_across(modules, findings)
    return Curriculum(modules, findings)


def _check_across(modules: list[Module], findings: list[Finding]) -> None:
    """Rules that span manifests: unique ids, order, folders and handout numbers."""
    for attribute, label in (("id", "id"), ("order", "ordre"), ("folder", "dossier")):
        seen: dict[object, Module] = {}
        for module in modules:
            value = getattr(module, attribute)
            if value in seen:
                findings.append(Finding(
                    f"modules/{module.source.name}", label,
                    f"{value!r} est déjà utilisé par {seen[value].source.name}"))
            seen[value] = module
    numbers: dict[int, Module] = {}
    for module in modules:
        for i, handout in enumerate(module.handouts):
            if handout.number in numbers:
                findings.append(Finding(
                    f"modules/{module.source.name}", f"fiches[{i + 1}].numero",
                    f"la Fiche {handout.number} existe déjà dans {numbers[handout.number].source.name}"))
            numbers[handout.number] = module
