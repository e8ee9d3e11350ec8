"""Assessment: cues in the bank, forms composed from a blueprint, oral checks, observed skills.

Real files in temporary projects, real WeasyPrint and pyxform; the fixture items are invented.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kalan.check import run_checks
from kalan.cli import app
from kalan.manifests import load_curriculum
from kalan.quiz.bank import load_bank
from kalan.quiz.build import load_quizzes, print_quizzes
from kalan.quiz.compose import compose, counterbalance, load_blueprint, write_composition
from kalan.quiz.cues import bank_cues, bank_figures
from tests.conftest import edit_file
from tests.test_pdf import text_of

GROUP = "Banque de questions et formulaires de test"


def flat(text: str) -> str:
    return " ".join(text.split())


def choice(item_id: str, objective: str, stem: str, options: tuple[str, str, str], key: str = "a") -> dict:
    """An invented multiple-choice item; the Bambara repeats the French (the fixture is not a translation)."""
    return {"id": item_id, "objectif": objective, "type": "choix", "enonce": {"fr": stem, "bm": stem},
            "options": [{"id": oid, "texte": {"fr": text, "bm": text}}
                        for oid, text in zip("abc", options, strict=True)],
            "cle": key, "oral": {"fr": "Lire deux fois.", "bm": "A kalan siɲɛ fila."}}


def write_items(project, name: str, items: list[dict]) -> Path:
    path = project.root / "quizzes" / "banque" / f"{name}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"traduction": "brouillon", "questions": items}, allow_unicode=True), "utf-8")
    return path


def test_each_cue_is_reported_with_file_and_item(mini):
    write_items(mini, "indices", [
        choice("Q50", "M1-O1", "Où pousse le rônier ?",
               ("Au bord du fleuve, dans le sable humide, près des villages", "En ville", "Sur la lune"), "a"),
        {"id": "Q51", "objectif": "M1-O1", "type": "vrai-faux", "cle": "faux",
         "enonce": {"fr": "Le néré pousse toujours en ville.", "bm": "Nɛrɛ bɛ falen dugu belebele la tuma bɛɛ."}},
        choice("Q52", "M1-O1", "Que fait le tisserand avec le coton ?",
               ("Il tisse le coton", "Il vend du mil", "Il garde les ânes"), "a"),
    ])
    findings = [str(f) for f in run_checks(mini).groups[GROUP]]
    assert any(f.startswith("quizzes/banque/indices.yml › Q50 : (fr) la clé est la réponse la plus longue")
               for f in findings), findings
    assert any(f.startswith("quizzes/banque/indices.yml › Q51 : (fr) vrai-faux avec un mot absolu : toujours")
               for f in findings)
    assert any(f.startswith("quizzes/banque/indices.yml › Q51 : (bm) vrai-faux avec un mot absolu : tuma bɛɛ")
               for f in findings)
    assert any(f.startswith("quizzes/banque/indices.yml › Q52 : (fr) seule la clé reprend un mot de l'énoncé")
               for f in findings)
    # strict fails, and says why
    result = CliRunner().invoke(app, ["check", "--strict", "--projet", str(mini.root)])
    assert result.exit_code != 0 and "Q51" in flat(result.output)


def test_under_covered_objectives_and_copied_practice_are_reported(mini):
    assert not [f for f in run_checks(mini).groups[GROUP] if f.severity != "info"]  # the fixture bank is clean
    _second_objective(mini)
    write_items(mini, "une", [choice("Q55", "M1-O2", "Quel fleuve passe à Mopti ?", ("Le Niger", "Le Bani", "La Volta"),
                                     "a")])
    findings = [str(f) for f in run_checks(mini).groups[GROUP]]
    assert any("objectif(s) mesuré(s) par moins de 2 questions : M1-O2" in f for f in findings), findings
    page = mini.lang_dir("fr") / "m1" / "s1-premiere.md"
    edit_file(page, "Le mot rare de cette page est baobabier.",
              "Le mot rare de cette page est baobabier.\n\nExercice : quelle plante donne donc le kinkéliba ?")
    copied = [f for f in run_checks(mini).groups[GROUP] if "recopie presque" in f.message]
    assert len(copied) == 1 and copied[0].path == "docs/fr/m1/s1-premiere.md" and copied[0].field == "Q01"
    assert copied[0].line is not None


def test_bank_figures_count_longest_keys_letters_and_true_false(mini):
    bank = load_bank(mini, load_curriculum(mini).objective_ids())
    figures = bank_figures(bank)
    assert figures["items"] == len(bank.items) and figures["choix"] + figures["vrai-faux"] == len(bank.items)
    assert sum(figures["cles"].values()) == figures["choix"]
    assert any(f.severity == "info" and "questions ; clé la plus longue" in f.message
               for f in bank_cues(bank, {"M1-O1"}))


def _second_objective(mini) -> None:
    objective = "objectifs:\n  - id: M1-O1\n    texte: {fr: reconnaître le kinkéliba, bm: ka ɲɛnajɛ dɔn}"
    edit_file(mini.modules_dir / "m1.yml", objective,
              objective + "\n  - id: M1-O2\n    texte: {fr: nommer les fleuves, bm: ka bajiw tɔgɔ fɔ}")


def _bank_for_forms(mini) -> None:
    """Twelve invented items over two objectives of one module: enough for parallel forms and checks."""
    _second_objective(mini)
    fruits = ["mangue", "goyave", "papaye", "tamarin", "jujube", "karité"]
    items = [choice(f"Q{60 + n}", "M1-O1" if n < 6 else "M1-O2",
                    f"Question d'essai numéro {n} sur la {fruits[n % 6]} ?",
                    ("Réponse une", "Réponse deux", "Réponse trois"), "abc"[n % 3]) for n in range(12)]
    write_items(mini, "formes", items)


def test_composed_forms_are_reproducible_parallel_and_leave_the_checks_apart(mini, tmp_path):
    _bank_for_forms(mini)
    plan = mini.root / "quizzes" / "plans" / "essai.yml"
    plan.parent.mkdir(parents=True)
    plan.write_text(yaml.safe_dump({"id": "PE", "version": 1, "titre": {"fr": "Essai", "bm": "Kɔrɔbɔli"},
                                    "par_module": {"M1": 4}, "note_de_passage": 3, "duree_minutes": 10,
                                    "graine": 7, "formes_paralleles": True, "verifications_orales": 3}), "utf-8")
    bank = load_bank(mini, load_curriculum(mini).objective_ids())
    blueprint = load_blueprint(mini, plan)
    reserved = frozenset({"Q01", "Q02", "Q03"})  # the other form (ESS) asks these
    first = compose(blueprint, bank, reserved)
    assert compose(blueprint, bank, reserved) == first  # same seed, same forms
    a, b = first.forms["PEA"], first.forms["PEB"]
    assert len(a) == len(b) == 4 and not set(a) & set(b)
    assert Counter(bank.items[i].objective for i in a) == Counter(bank.items[i].objective for i in b)
    assert not set(first.oral_checks["M1"]) & (set(a) | set(b) | reserved) and len(first.oral_checks["M1"]) == 3
    other = compose(load_blueprint(mini, plan).__class__(**{**blueprint.__dict__, "seed": 8}), bank, reserved)
    assert other.forms != first.forms
    result = CliRunner().invoke(app, ["quiz", "composer", str(plan), "--projet", str(mini.root)])
    assert result.exit_code == 0, result.output
    written = {p.name: p.read_bytes() for p in (mini.root / "quizzes" / "formulaires").glob("pe*.yml")}
    assert sorted(written) == ["pea.yml", "peb.yml"]
    bank = load_bank(mini, load_curriculum(mini).objective_ids())
    again = write_composition(mini, blueprint, compose(blueprint, bank, reserved))
    assert {p.name: p.read_bytes() for p in again if p.parent.name == "formulaires"} == written
    forms = {f.id: f for f in load_quizzes(mini).forms}
    assert [i.id for i in forms["PEA"].items] == a  # the written file is a valid form
    assert counterbalance("KOR-012") == ("A", "B") and counterbalance("DOU-007") == ("B", "A")


def test_a_plan_the_bank_cannot_fill_is_refused(mini):
    plan = mini.root / "quizzes" / "plans" / "trop.yml"
    plan.parent.mkdir(parents=True)
    plan.write_text(yaml.safe_dump({"id": "PT", "titre": {"fr": "Essai", "bm": "Kɔrɔbɔli"}, "par_module": {"M1": 9},
                                    "note_de_passage": 5, "duree_minutes": 10, "graine": 1,
                                    "formes_paralleles": True}), "utf-8")
    result = CliRunner().invoke(app, ["quiz", "composer", str(plan), "--projet", str(mini.root)])
    assert result.exit_code != 0 and "M1 : 9 question(s) demandée(s)" in flat(result.output)
    assert "Traceback" not in result.output
    assert not list((mini.root / "quizzes" / "formulaires").glob("pt*.yml"))


@pytest.mark.slow
def test_print_set_has_ab_plan_oral_checks_and_observation_sheets(mini, tmp_path):
    _bank_for_forms(mini)
    plan = mini.root / "quizzes" / "plans" / "essai.yml"
    plan.parent.mkdir(parents=True)
    plan.write_text(yaml.safe_dump({"id": "PE", "titre": {"fr": "Essai", "bm": "Kɔrɔbɔli"}, "par_module": {"M1": 4},
                                    "note_de_passage": 3, "duree_minutes": 10, "graine": 7,
                                    "formes_paralleles": True, "verifications_orales": 3}), "utf-8")
    CliRunner().invoke(app, ["quiz", "composer", str(plan), "--projet", str(mini.root)])
    print_quizzes(mini, load_quizzes(mini), tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    for lang in ("fr", "bm"):
        assert f"PE-plan-de-passation-{lang}.pdf" in names
        assert f"verifications/pe-verifications-orales-{lang}.pdf" in names
        assert f"OESSAI/OESSAI-observation-{lang}.pdf" in names and f"OESSAI/OESSAI-scenario-{lang}.pdf" in names
    assert {"PEA/PEA-PRE-questionnaire-fr.pdf", "PEB/PEB-POST-corrige-bm.pdf", "OESSAI/OESSAI-saisie.xlsx",
            "OESSAI/OESSAI-xlsform.xlsx"} <= names
    plan_text = flat(text_of(tmp_path / "PE-plan-de-passation-fr.pdf"))
    assert "PEA-PRE" in plan_text and "PEB-POST" in plan_text and "0, 2, 4, 6 ou 8" in plan_text
    checks = flat(text_of(tmp_path / "verifications" / "pe-verifications-orales-fr.pdf"))
    assert "Réponse attendue" in checks and checks.count("Question d'essai numéro") == 3
    sheet = flat(text_of(tmp_path / "OESSAI" / "OESSAI-observation-bm.pdf"))
    assert "Sira fo" in sheet and "A ye Ba filɛ kɛ ka ɲɛ" in sheet and "/ 16" in sheet and "KOR" in sheet


def test_observation_capture_files_validate(mini, tmp_path):
    from openpyxl import load_workbook
    from pyxform.xls2xform import convert

    from kalan.quiz.observation import require_checklists, write_observation_workbook, write_observation_xlsform

    checklist = require_checklists(mini)[0]
    xlsform = write_observation_xlsform(checklist, tmp_path / "obs-kobo.xlsx", mini.code_prefixes)
    result = convert(xlsform=str(xlsform), validate=False)
    assert result.warnings == []
    assert "geste_8" in result.xform and "A ye Ba filɛ kɛ ka ɲɛ" in result.xform
    book = load_workbook(write_observation_workbook(checklist, tmp_path / "obs.xlsx", mini.code_prefixes))
    rules = book["observations"].data_validations.dataValidation
    assert any('"0,1,2"' in (r.formula1 or "") for r in rules)
    assert [c.value for c in book["observations"][1]][:5] == ["code", "observateur", "scenario", "date", "geste-1"]


def test_a_checklist_outside_8_to_12_behaviours_is_refused(mini):
    path = mini.root / "quizzes" / "observation" / "essai.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["comportements"] = data["comportements"][:5]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    from kalan.quiz.observation import load_checklists

    _, findings = load_checklists(mini)
    assert [str(f) for f in findings] == ["quizzes/observation/essai.yml › comportements : 5 comportement(s) : "
                                          "8 à 12 attendus"]


def test_real_parallel_forms_are_the_composition_of_their_plan(repo):
    """The committed PP2A / PP2B were drawn by `kalan quiz composer`, never hand-picked or edited."""
    from kalan.quiz.compose import reserved_items

    bank = load_bank(repo, load_curriculum(repo).objective_ids())
    blueprint = load_blueprint(repo, repo.root / "quizzes" / "plans" / "pp2.yml")
    composition = compose(blueprint, bank, reserved_items(repo, bank, blueprint))
    forms = {f.id: [i.id for i in f.items] for f in load_quizzes(repo).forms}
    assert forms["PP2A"] == composition.forms["PP2A"] and forms["PP2B"] == composition.forms["PP2B"]
    checks = yaml.safe_load((repo.root / "quizzes" / "verifications" / "pp2.yml").read_text(encoding="utf-8"))
    assert checks["modules"] == composition.oral_checks
    asked = {i for ids in forms.values() for i in ids}
    assert not asked & {i for ids in checks["modules"].values() for i in ids}  # practice never reuses a test item
    per_module = Counter(bank.items[i].objective.split("-")[0] for i in forms["PP2A"])
    assert dict(per_module) == blueprint.per_module


@pytest.mark.slow
def test_the_print_command_prints_the_whole_assessment_set(mini):
    """`kalan quiz imprimer` without a form (what `kalan build` runs) also prints the observation sheets."""
    result = CliRunner().invoke(app, ["quiz", "imprimer", "--projet", str(mini.root)])
    assert result.exit_code == 0, result.output
    out = mini.print_dir
    assert (out / "OESSAI" / "OESSAI-observation-fr.pdf").is_file()
    assert (out / "OESSAI" / "OESSAI-xlsform.xlsx").is_file()
    assert (out / "ESS" / "ESS-PRE-corrige-fr.pdf").is_file()
