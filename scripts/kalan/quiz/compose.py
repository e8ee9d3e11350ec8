"""Forms drawn from a blueprint, never hand-picked: ``kalan quiz composer``.

A blueprint (``quizzes/plans/<name>.yml``) says how many items each module gets, the duration,
the pass mark and a seed. The composer draws the items and writes the form files, so the same
blueprint and seed always give the same forms. With ``formes_paralleles: true`` it writes two
parallel forms A and B of the same blueprint: items are drawn in pairs from the same objective,
one to each form, so both measure the same objectives. The counterbalanced plan (half the cohort
takes A at the pre-test and B at the post-test, the other half the reverse) is printed with the
test set. The end-of-module oral checks are drawn from the items left over, so a practice
question is never a test question.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from kalan.config import Project
from kalan.datafile import load_yaml, yaml_finding
from kalan.errors import KalanError
from kalan.quiz.bank import Bank
from kalan.quiz.forms import FORM_ID

PLANS_DIR = "quizzes/plans"
FORMS_DIR = "quizzes/formulaires"
CHECKS_DIR = "quizzes/verifications"
PLAN_KEYS = {"id", "version", "titre", "par_module", "note_de_passage", "duree_minutes", "graine",
             "formes_paralleles", "verifications_orales"}


@dataclass(frozen=True)
class Blueprint:
    id: str
    version: int
    title: dict[str, str]
    per_module: dict[str, int]
    pass_mark: int
    minutes: int
    seed: int
    parallel: bool
    oral_checks: int  # items per module for the end-of-module oral check (0: none)
    source: str

    @property
    def total(self) -> int:
        return sum(self.per_module.values())


def load_blueprint(project: Project, path: Path) -> Blueprint:
    shown = path.relative_to(project.root).as_posix() if path.is_relative_to(project.root) else str(path)
    if not path.is_file():
        raise KalanError(f"{shown} : plan introuvable")
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise KalanError(str(yaml_finding(exc, shown))) from None
    problems = [f"{shown} › {key} : champ inconnu" for key in sorted(set(data) - PLAN_KEYS)]
    form_id = str(data.get("id", ""))
    if not FORM_ID.match(form_id) or len(form_id) > 7:
        problems.append(f"{shown} › id : {form_id!r} (majuscules et chiffres, 2 à 7 signes : la forme ajoute A/B)")
    per_module = data.get("par_module")
    if not isinstance(per_module, dict) or not all(isinstance(v, int) and v >= 0 for v in per_module.values()):
        problems.append(f"{shown} › par_module : nombre de questions par module, ex. « M2: 4 »")
        per_module = {}
    for key in ("note_de_passage", "duree_minutes", "graine"):
        if not isinstance(data.get(key), int):
            problems.append(f"{shown} › {key} : nombre entier attendu")
    total = sum(per_module.values())
    if isinstance(data.get("note_de_passage"), int) and not 0 < data["note_de_passage"] <= total:
        problems.append(f"{shown} › note_de_passage : entre 1 et {total}")
    if problems:
        raise KalanError("Plan de test invalide :\n" + "\n".join(f"  - {p}" for p in problems))
    return Blueprint(form_id, int(data.get("version", 1)), dict(data.get("titre") or {}),
                     {str(k): int(v) for k, v in per_module.items()}, data["note_de_passage"],
                     data["duree_minutes"], data["graine"], bool(data.get("formes_paralleles", False)),
                     int(data.get("verifications_orales", 0)), shown)


@dataclass(frozen=True)
class Composition:
    forms: dict[str, list[str]]  # form id → item ids, in print order
    oral_checks: dict[str, list[str]]  # module id → item ids


def compose(blueprint: Blueprint, bank: Bank, reserved: frozenset[str] = frozenset()) -> Composition:
    """Draw the items. Same blueprint, same bank, same seed → same composition. `reserved`: items of
    other test forms, which the oral checks must not use either."""
    rng = random.Random(f"{blueprint.id}:{blueprint.seed}")
    by_module: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for item in sorted(bank.items.values(), key=lambda i: i.id):
        by_module[item.objective.split("-")[0]][item.objective].append(item.id)
    copies = 2 if blueprint.parallel else 1
    names = [f"{blueprint.id}A", f"{blueprint.id}B"] if blueprint.parallel else [blueprint.id]
    forms: dict[str, list[str]] = {name: [] for name in names}
    leftover: dict[str, list[str]] = {}
    problems = []
    for module, wanted in blueprint.per_module.items():
        objectives = by_module.get(module, {})
        pools = {objective: rng.sample(items, len(items)) for objective, items in sorted(objectives.items())}
        order = rng.sample(sorted(pools), len(pools))
        drawn: list[list[str]] = []  # groups of `copies` items of the same objective
        while len(drawn) < wanted:
            progressed = False
            for objective in order:
                if len(drawn) == wanted:
                    break
                if len(pools[objective]) >= copies:
                    drawn.append([pools[objective].pop() for _ in range(copies)])
                    progressed = True
            if not progressed:
                break
        if len(drawn) < wanted:
            have = sum(len(v) for v in objectives.values())
            problems.append(f"{module} : {wanted} question(s) demandée(s) par forme ({wanted * copies} en tout, "
                            f"par paires d'un même objectif si les formes sont parallèles) ; la banque n'en fournit "
                            f"que {len(drawn)} (questions du module : {have})")
            continue
        for group in drawn:
            for name, item_id in zip(names, rng.sample(group, len(group)), strict=True):
                forms[name].append(item_id)
        leftover[module] = sorted(i for items in pools.values() for i in items)
    if problems:
        raise KalanError("Le plan ne peut pas être composé avec la banque actuelle :\n"
                         + "\n".join(f"  - {p}" for p in problems))
    module_order = {m: n for n, m in enumerate(blueprint.per_module)}
    for name in names:  # print order: modules in training order, items shuffled within a module
        forms[name].sort(key=lambda i: (module_order[bank.items[i].objective.split("-")[0]], rng.random()))
    checks = {}
    if blueprint.oral_checks:
        all_modules = sorted({o.split("-")[0] for o in (i.objective for i in bank.items.values())},
                             key=lambda m: int(m[1:]))
        for module in all_modules:
            used = {i for ids in forms.values() for i in ids} | reserved
            pool = [i for i in (leftover.get(module) or sorted(i for o in by_module[module].values() for i in o))
                    if i not in used]
            checks[module] = sorted(rng.sample(pool, min(blueprint.oral_checks, len(pool))))
    return Composition(forms, checks)


def write_composition(project: Project, blueprint: Blueprint, composition: Composition) -> list[Path]:
    """The form files (and the oral checks), with a header saying they are generated."""
    header = (f"# Composé par « kalan quiz composer {blueprint.source} » (graine {blueprint.seed}).\n"
              "# Ne pas modifier à la main : changez le plan ou la banque, puis recomposez.\n")
    written = []
    folder = project.root / FORMS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    parallel = len(composition.forms) > 1
    for n, (name, items) in enumerate(composition.forms.items()):
        title = {lang: f"{text} — {'forme ' if lang == 'fr' else 'cogo '}{name[-1]}" if parallel else text
                 for lang, text in blueprint.title.items()}
        data = {"id": name, "version": blueprint.version, "titre": title, "questions": items,
                "note_de_passage": blueprint.pass_mark, "duree_minutes": blueprint.minutes,
                "variantes": {"pre": {}, "post": {"graine": blueprint.seed + n + 1}}}
        path = folder / f"{name.lower()}.yml"
        path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100),
                        encoding="utf-8")
        written.append(path)
    if composition.oral_checks:
        checks = project.root / CHECKS_DIR / f"{blueprint.id.lower()}.yml"
        checks.parent.mkdir(parents=True, exist_ok=True)
        checks.write_text(header + "# Vérifications orales de fin de module : questions que les formes ne posent pas.\n"
                          + yaml.safe_dump({"modules": composition.oral_checks}, allow_unicode=True, sort_keys=False,
                                           width=100), encoding="utf-8")
        written.append(checks)
    return written


def counterbalance(code: str) -> tuple[str, str]:
    """Which form a participant takes at the pre-test and at the post-test: codes ending in an even
    digit take A then B, odd ones B then A — half the cohort each way, decided by the code alone."""
    return ("A", "B") if int(code[-1]) % 2 == 0 else ("B", "A")


def reserved_items(project: Project, bank: Bank, blueprint: Blueprint) -> frozenset[str]:
    """Items of the test forms this blueprint does not write: never used for practice."""
    from kalan.quiz.forms import load_forms

    own = {blueprint.id, f"{blueprint.id}A", f"{blueprint.id}B"}
    forms, _ = load_forms(project, bank)
    return frozenset(item.id for form in forms if form.id not in own for item in form.items)
