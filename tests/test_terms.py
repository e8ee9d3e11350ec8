"""Termbase: the glossary comes from it, and `kalan check --termes` finds every deprecated form."""

from __future__ import annotations

import subprocess
import sys

from kalan.glossary import glossary_markdown
from kalan.termbase import load_termbase
from kalan.terms_check import check_terms
from tests.conftest import edit_file


def _check(project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kalan", "check", "--termes", *args, "--projet", str(project.root)],
                          capture_output=True, text=True, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})


def test_real_curriculum_has_no_deprecated_variant(repo):
    termbase = load_termbase(repo)
    assert termbase.findings == []
    assert len(termbase.entries) >= 90 and termbase.variants
    assert check_terms(repo, termbase) == []


def test_real_termbase_gives_a_spoken_form_for_every_acronym(repo):
    termbase = load_termbase(repo)
    for acronym in ("VBG", "VIH", "CSCom", "CSRef", "PSEA", "ONG", "SMSPS", "point focal"):
        entries = [e for e in termbase.entries if acronym.lower() in e.fr.lower() or acronym in e.bm]
        assert entries, acronym
        assert any(e.spoken.get("bm") for e in entries), f"{acronym} : pas de forme orale"


def test_clean_mini_project_passes_strict(mini):
    result = _check(mini, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr


def test_deprecated_bambara_form_is_located_and_fails_strict(mini):
    page = mini.lang_dir("bm") / "m1" / "fiche-01-essai.md"
    edit_file(page, "Kalandenw ka sɛbɛnnin.", "Kalandenw ka sɛbɛnnin, A sɔnni  kɔ.")
    loose = _check(mini)
    assert loose.returncode == 0  # reported, but only --strict fails on it
    strict = _check(mini, "--strict")
    assert strict.returncode == 1
    assert "docs/bm/m1/fiche-01-essai.md:9:24" in strict.stdout
    assert "« ni a sɔnna »" in strict.stdout


def test_variants_in_data_files_name_line_column_and_field(mini):
    edit_file(mini.root / "quizzes" / "banque.yml", "bm: Sijiri", "bm: Sijiri mako")
    edit_file(mini.modules_dir / "m1.yml", "fr: Première séance", "fr: Première séance par permission tacite")
    findings = check_terms(mini)
    by_path = {f.path: f for f in findings}
    bank = by_path["quizzes/banque.yml"]
    assert (bank.line, bank.field) == (14, "questions[1].options[3].texte.bm")
    assert "« mago »" in bank.message
    line = (mini.root / "quizzes" / "banque.yml").read_text(encoding="utf-8").split("\n")[13]
    assert line[bank.column - 1:].startswith("mako")
    manifest = by_path["modules/m1.yml"]
    assert manifest.field.endswith("titre.fr") and "permission tacite" in manifest.message


def test_other_source_variant_and_variant_lists_are_not_reported(mini):
    edit_file(mini.lang_dir("fr") / "index.md", "\n", "\nL'assentiment est un mot d'une autre source.\n")
    assert check_terms(mini) == []


def test_glossary_is_generated_in_each_language(mini):
    termbase = load_termbase(mini)
    fr, bm = glossary_markdown(termbase, "fr"), glossary_markdown(termbase, "bm")
    assert "## Essai" in fr and "| Français |" in fr and "**sɔnni**" in fr
    assert "## Kɔrɔbɔli" in bm and "| Faransikan |" in bm and "Ɔwɔ hɔrɔn." in bm
    assert "« a sɔnni kɔ »" in fr and "se lit « sans son accord »" in fr
    assert "À dire en bambara" in fr


def test_broken_termbase_entry_is_a_finding(mini):
    edit_file(mini.root / "referentiels" / "termes.yml", "        bm: sɔnni\n", "")
    findings = load_termbase(mini).findings
    assert any(f.field == "sections[1].termes[1] (accord).bm" for f in findings), findings


def test_an_acronym_heard_in_bambara_needs_a_spoken_form(mini):
    from kalan.terms_check import unspoken_acronyms

    edit_file(mini.lang_dir("fr") / "m1" / "fiche-01-essai.md", "Une fiche pour les participants.",
              "Une fiche pour les participants, selon le guide IASC.")
    edit_file(mini.lang_dir("bm") / "m1" / "fiche-01-essai.md", "Kalandenw ka sɛbɛnnin.",
              "Kalandenw ka sɛbɛnnin, IASC ka gafe kɔnɔ. A kɛ ABADA.")
    found = [str(f) for f in unspoken_acronyms(mini, load_termbase(mini))]
    # IASC is in the French texts too: an acronym without a spoken form; ABADA is a Bambara word in capitals
    assert len(found) == 1 and found[0].startswith("docs/bm/m1/fiche-01-essai.md:") and "« IASC »" in found[0]
    assert _check(mini, "--strict").returncode != 0
    edit_file(mini.root / "referentiels" / "termes.yml", "        oral: {bm: sɔnni}",
              "        oral: {bm: sɔnni}\n      - id: iasc\n        fr: IASC\n        bm: IASC\n"
              "        definition: {fr: Comité d'essai., bm: Jɛkulu kɔrɔbɔlan.}\n        oral: {bm: jɛkulu kɔrɔbɔlan}")
    assert unspoken_acronyms(mini, load_termbase(mini)) == []
