"""Translators' side-by-side review sheets, printed through the CLI with the real WeasyPrint."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pypdf import PdfReader

from kalan.pdf.review import split_blocks
from kalan.translations import check_pages
from tests.conftest import edit_file
from tests.test_pdf import text_of

pytestmark = pytest.mark.slow


def test_blocks_keep_admonitions_whole_and_skip_markers():
    text = "# T\n\n<!-- kalan:entete -->\n\nUn\ndeux.\n\n!!! formateur \"N\"\n    a\n\n    b\n\nFin."
    assert split_blocks(text) == ["# T", "Un\ndeux.", '!!! formateur "N"\n    a\n\n    b', "Fin."]


def _kalan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kalan", *args], capture_output=True, text=True)


def test_review_sheet_pairs_french_and_bambara(mini, tmp_path):
    result = _kalan("traduction", "fiches", "--module", "M1", "--projet", str(mini.root),
                    "--sortie", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == [
        "m1-fiche-01-essai.pdf", "m1-fiche-02-circuit.pdf", "m1-index.pdf", "m1-s1-premiere.pdf",
        "m1-texte-participants.pdf"]
    text = " ".join(text_of(tmp_path / "m1-s1-premiere.pdf").split())
    assert "Le mot rare de cette page est baobabier." in text
    assert "Ŋaniya bɛ baobabier kɔnɔ." in text
    assert "Relu par" in text and "brouillon" in text


def test_review_sheet_prints_reviewer_questions_and_back_translation_column(mini, tmp_path):
    edit_file(mini.lang_dir("bm") / "m1" / "s1-premiere.md", "traduction: brouillon",
              'traduction: brouillon\nquestions_relecture:\n  - "« ni a sɔnna » est-il naturel à Koro ?"')
    result = _kalan("traduction", "fiches", "--module", "M1", "--projet", str(mini.root),
                    "--sortie", str(tmp_path))
    assert result.returncode == 0, result.stderr
    text = " ".join(text_of(tmp_path / "m1-s1-premiere.pdf").split())
    assert "Questions pour la relecture" in text and "« ni a sɔnna » est-il naturel à Koro ?" in text
    assert "Retraduction en français" in text
    assert "Questions pour la relecture" not in " ".join(text_of(tmp_path / "m1-index.pdf").split())
    width, height = PdfReader(tmp_path / "m1-s1-premiere.pdf").pages[0].mediabox.upper_right
    assert width > height  # landscape: four columns


def test_malformed_reviewer_questions_are_reported(mini):
    edit_file(mini.lang_dir("bm") / "m1" / "s1-premiere.md", "traduction: brouillon",
              "traduction: brouillon\nquestions_relecture: une seule phrase")
    findings = check_pages(mini)
    assert [f.field for f in findings] == ["questions_relecture"]


def test_unknown_module_is_a_clear_error(mini, tmp_path):
    result = _kalan("traduction", "fiches", "--module", "M9", "--projet", str(mini.root),
                    "--sortie", str(tmp_path))
    assert result.returncode == 1
    assert "module inconnu : M9" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.glob("*.pdf"))


def test_participant_text_and_cards_have_their_own_review_sheet(mini, tmp_path):
    result = _kalan("traduction", "fiches", "--module", "M1", "--projet", str(mini.root), "--sortie", str(tmp_path))
    assert result.returncode == 0, result.stderr
    text = " ".join(text_of(tmp_path / "m1-texte-participants.pdf").split())
    for words in ("Le karité se garde au frais.", "Situlu bɛ mara yɔrɔ sumalen na.", "M1-S2 À retenir",
                  "Vous êtes vendeur de calebasses au marché.", "I ye filen feerebaga ye sugu la.", "M1-S1-A1",
                  "Retraduction en français"):
        assert words in text, words
    assert "zanzibar" not in text  # the trainer's expected answers are not participant text
