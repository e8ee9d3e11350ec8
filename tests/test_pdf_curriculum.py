"""The real curriculum printed with the real WeasyPrint (about a minute on two cores)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from kalan.manifests import load_curriculum
from kalan.pdf.build import build_pdfs
from kalan.pdf.facilitator import FACILITATOR_BLOCK
from tests.test_pdf import BAMBARA_LETTERS, fonts_of, text_of

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def printed(repo, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf")
    build_pdfs(repo, load_curriculum(repo), out, out / ".cache")
    return out


def _words(text: str) -> str:
    """Only the words, so markup, quotes and line breaks don't matter when comparing."""
    return " ".join(re.findall(r"\w+", text))


def _facilitator_snippets(page: Path) -> list[str]:
    """The first words of every facilitator note of a page."""
    lines = page.read_text(encoding="utf-8").split("\n")
    snippets = []
    for i, line in enumerate(lines):
        if FACILITATOR_BLOCK.match(line):
            body = next((b.strip() for b in lines[i + 1:] if b.strip()), "")
            words = _words(re.sub(r"\]\([^)]*\)", "", body)).split()[:10]
            if len(words) == 10:
                snippets.append(" ".join(words))
    return snippets


@pytest.mark.parametrize("lang", ["fr", "bm"])
def test_each_module_has_both_audiences(repo, printed, lang):
    for module in load_curriculum(repo).modules:
        for audience in ("participant", "formateur"):
            pdf = printed / lang / f"{module.folder}-{audience}.pdf"
            assert len(PdfReader(pdf).pages) > 1, pdf


@pytest.mark.parametrize("lang", ["fr", "bm"])
def test_pocket_guide_fits_two_pages(printed, lang):
    assert len(PdfReader(printed / lang / "fiches" / "fiche-03.pdf").pages) <= 2


def test_participant_handouts_leave_out_every_facilitator_note(repo, printed):
    found_in_guides = checked = 0
    for module in load_curriculum(repo).modules:
        participant = _words(text_of(printed / "fr" / f"{module.folder}-participant.pdf"))
        guide = _words(text_of(printed / "fr" / f"{module.folder}-formateur.pdf"))
        for rel in module.pages():
            for snippet in _facilitator_snippets(repo.lang_dir("fr") / rel):
                checked += 1
                assert snippet not in participant, (module.id, rel, snippet)
                found_in_guides += snippet in guide
    assert checked > 20
    assert found_in_guides >= 0.8 * checked  # the check reads the PDFs it claims to read


def test_bambara_documents_keep_their_letters(printed):
    text = text_of(printed / "bm" / "manuel-formateur.pdf")
    assert "\ufffd" not in text
    assert all(letter in text for letter in BAMBARA_LETTERS.lower())
    fonts = fonts_of(printed / "bm" / "manuel-formateur.pdf")
    assert fonts and all(fonts.values())
