"""Test forms (``quizzes/formulaires/*.yml``): which items, in which order, with which option
order per phase. The key of each printed variant is derived here — never typed.

Each phase (pré, post) is a printed *variant* with its own short ASCII id
(``PP1-PRE``) printed on every page, so a sheet always says which key applies.
Options are shuffled with a seed stored in the form file, so the same form
always prints the same paper.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from kalan.config import Project
from kalan.datafile import load_yaml
from kalan.errors import Finding
from kalan.i18n import LANGS
from kalan.quiz.bank import CHOICE, Bank, Item

FORM_ID = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
PHASES = ("pre", "post")
LETTERS = ("A", "B", "C")
FORM_KEYS = {"id", "version", "titre", "questions", "note_de_passage", "duree_minutes", "variantes"}


@dataclass(frozen=True)
class Variant:
    form_id: str
    phase: str
    shuffle_seed: int | None

    @property
    def id(self) -> str:
        return f"{self.form_id}-{self.phase.upper()}"

    def choices(self, item: Item) -> list[tuple[str, str]]:
        """Printed letters and what they stand for: [("A", "c"), ("B", "a"), …] or V/F."""
        if item.type != CHOICE:
            return [("V", "vrai"), ("F", "faux")]
        ids = [o.id for o in item.options]
        if self.shuffle_seed is not None:
            random.Random(f"{self.shuffle_seed}:{item.id}").shuffle(ids)
        return list(zip(LETTERS, ids, strict=True))

    def key(self, item: Item) -> str:
        """The letter a participant must mark on this variant."""
        return next(letter for letter, option in self.choices(item) if option == item.key)


@dataclass(frozen=True)
class Form:
    id: str
    version: int
    title: dict[str, str]
    items: tuple[Item, ...]
    pass_mark: int
    minutes: int
    variants: tuple[Variant, ...]
    source: Path

    def variant(self, phase: str) -> Variant:
        return next(v for v in self.variants if v.phase == phase)


def load_forms(project: Project, bank: Bank) -> tuple[list[Form], list[Finding]]:
    forms: list[Form] = []
    findings: list[Finding] = []
    seen: dict[str, str] = {}
    for path in sorted((project.root / "quizzes" / "formulaires").glob("*.yml")):
        form, found = _read_form(path, project, bank)
        findings += found
        if form:
            if form.id in seen:
                findings.append(Finding(path.relative_to(project.root).as_posix(), "id",
                                        f"{form.id} est déjà l'identifiant de {seen[form.id]}"))
                continue
            seen[form.id] = path.name
            forms.append(form)
    return forms, findings


def _read_form(path: Path, project: Project, bank: Bank) -> tuple[Form | None, list[Finding]]:
    shown = path.relative_to(project.root).as_posix()
    findings: list[Finding] = []

    def err(field: str, message: str) -> None:
        findings.append(Finding(shown, field, message))

    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return None, [Finding(shown, "", f"YAML illisible : {exc}")]
    if not isinstance(data, dict):
        return None, [Finding(shown, "", "table de champs attendue (id, version, questions, …)")]
    for unknown in sorted(set(data) - FORM_KEYS):
        findings.append(Finding(shown, unknown, "champ inconnu", "avertissement"))
    form_id = data.get("id")
    if not isinstance(form_id, str) or not FORM_ID.match(form_id):
        err("id", f"identifiant court en majuscules ASCII attendu, ex. PP1 (reçu : {form_id!r})")
    version = data.get("version")
    if not isinstance(version, int) or version < 1:
        err("version", "nombre entier ≥ 1 attendu")
    title = data.get("titre") or {}
    for lang in LANGS:
        if not isinstance(title, dict) or not str(title.get(lang) or "").strip():
            err(f"titre.{lang}", "texte manquant dans cette langue")
    item_ids = data.get("questions")
    items: list[Item] = []
    if not isinstance(item_ids, list) or not item_ids:
        err("questions", "liste des identifiants de questions attendue")
        item_ids = []
    for i, item_id in enumerate(item_ids):
        if item_id not in bank.items:
            err(f"questions[{i + 1}]", f"question inconnue {item_id!r} dans quizzes/banque.yml")
        elif bank.items[item_id] in items:
            err(f"questions[{i + 1}]", f"{item_id} est déjà dans le formulaire")
        else:
            items.append(bank.items[item_id])
    pass_mark = data.get("note_de_passage", 15)
    if not isinstance(pass_mark, int) or not 0 < pass_mark <= max(len(items), 1):
        err("note_de_passage", f"entier entre 1 et le nombre de questions ({len(items)}) attendu")
    minutes = data.get("duree_minutes")
    if not isinstance(minutes, int) or minutes < 1:
        err("duree_minutes", "durée en minutes attendue")
    variants: list[Variant] = []
    raw_variants = data.get("variantes")
    if not isinstance(raw_variants, dict) or set(raw_variants) != set(PHASES):
        err("variantes", "une variante « pre » et une variante « post » attendues")
        raw_variants = {}
    for phase in PHASES:
        spec = raw_variants.get(phase) or {}
        seed = spec.get("graine") if isinstance(spec, dict) else None
        if spec and (not isinstance(seed, int) or isinstance(seed, bool)):
            err(f"variantes.{phase}.graine", "nombre entier attendu (ou rien pour garder l'ordre de la banque)")
            seed = None
        variants.append(Variant(form_id if isinstance(form_id, str) else "?", phase, seed))
    if findings and any(f.severity == "erreur" for f in findings):
        return None, findings
    return Form(form_id, version, dict(title), tuple(items), pass_mark, minutes, tuple(variants), path), findings


def uncovered_objectives(objective_ids: set[str], bank: Bank) -> list[str]:
    """Objectives that no item of the bank measures."""
    measured = {item.objective for item in bank.items.values()}
    return sorted(objective_ids - measured, key=lambda o: (int(o[1:].split("-")[0]), o))
