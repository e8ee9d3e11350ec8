"""Module manifests: valid ones load, bad ones are rejected with file and field."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kalan.manifests import load_curriculum
from tests.conftest import edit_file


def test_mini_curriculum_loads_clean(mini):
    curriculum = load_curriculum(mini)
    assert curriculum.findings == []
    module = curriculum.modules[0]
    assert module.id == "M1"
    assert [s.minutes for s in module.sessions] == [45, 30]
    assert module.pages() == ["m1/index.md", "m1/s1-premiere.md", "m1/s2-deuxieme.md",
                              "m1/fiche-01-essai.md", "m1/fiche-02-circuit.md"]




@pytest.mark.parametrize("old, new, field, message", [
    ("minutes: 45", "minutes: quarante", "seances[1].minutes", "nombre entier"),
    ("duree_minutes: 75", "duree_minutes: 80", "duree_minutes", "totalisent 75 min"),
    ("page: s2-deuxieme.md", "page: s2-absente.md", "seances[2].page", "page introuvable"),
    ("titre: {fr: Première séance, bm: Kalansen fɔlɔ}", "titre: {fr: Première séance}",
     "seances[1].titre.bm", "texte manquant"),
    ("objectifs: [M1-O1]", "objectifs: [M1-O9]", "seances[1].objectifs", "objectif inconnu"),
    ("id: M1-S2", "id: M1-S1", "seances", "en double"),
    ("  - id: M1-O1", "  - id: M2-O1", "objectifs[1].id", "M1-O"),
])
def test_bad_manifest_names_file_and_field(mini, old, new, field, message):
    edit_file(mini.modules_dir / "m1.yml", old, new)
    errors = load_curriculum(mini).errors
    assert any(e.path == "modules/m1.yml" and e.field == field and message in e.message
               for e in errors), errors


def test_unknown_key_is_a_warning(mini):
    edit_file(mini.modules_dir / "m1.yml", "ordre: 1", "ordre: 1\nobjetifs: []")
    curriculum = load_curriculum(mini)
    assert curriculum.errors == []
    assert [w.field for w in curriculum.warnings] == ["objetifs"]


def test_yaml_syntax_error_gives_line_and_column(mini):
    edit_file(mini.modules_dir / "m1.yml", "ordre: 1", "ordre: [1")
    (error,) = load_curriculum(mini).errors
    assert error.field.startswith("ligne ") and "colonne" in error.field


def test_duplicate_handout_number_across_modules(mini):
    second = (mini.modules_dir / "m1.yml").read_text(encoding="utf-8")
    second = second.replace("id: M1", "id: M3").replace("M1-", "M3-").replace("ordre: 1", "ordre: 3")
    second = second.replace("dossier: m1", "dossier: m3")
    (mini.modules_dir / "m3.yml").write_text(second, encoding="utf-8")
    (mini.docs_dir / "fr" / "m3").mkdir()
    for page in (mini.docs_dir / "fr" / "m1").glob("*.md"):
        (mini.docs_dir / "fr" / "m3" / page.name).write_text(page.read_text(encoding="utf-8"))
    errors = load_curriculum(mini).errors
    assert any(e.field == "fiches[1].numero" and "Fiche 1" in e.message for e in errors), errors


def test_cli_check_fails_with_clear_message(mini):
    edit_file(mini.modules_dir / "m1.yml", "minutes: 30", "minutes: -5")
    result = subprocess.run([sys.executable, "-m", "kalan", "check", "--projet", str(mini.root)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    out = " ".join((result.stdout + result.stderr).split())
    assert "modules/m1.yml › seances[2].minutes" in out
    assert "doit être au moins 1" in out
    assert "Traceback" not in out


def test_cli_build_refuses_bad_manifest_without_traceback(mini):
    edit_file(mini.modules_dir / "m1.yml", "page: s1-premiere.md", "page: S1.md")
    result = subprocess.run([sys.executable, "-m", "kalan", "build", "--projet", str(mini.root)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    out = " ".join((result.stdout + result.stderr).split())
    assert "modules/m1.yml › seances[1].page" in out
    assert "Traceback" not in out
    assert not (mini.site_dir / "index.html").exists()
