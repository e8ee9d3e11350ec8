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
    editions = sorted((printed / lang / "circuits").glob("guide-de-poche-*.pdf"))
    assert [p.stem for p in editions] == ["guide-de-poche-douentza", "guide-de-poche-koro"]
    for pdf in editions:  # the « qui appeler » box of the cercle must not push it onto a second sheet
        assert len(PdfReader(pdf).pages) <= 2, pdf.name


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


def _prose_probes(page: Path) -> list[str]:
    """Eight-word runs from every paragraph and list item of a facilitator page (procedure, notes)."""
    probes = []
    for line in page.read_text(encoding="utf-8").split("\n"):
        text = line.strip()
        if not text or text.startswith(("#", "<!--", "|", "---", "!!!", "???", "===")):
            continue
        words = _words(re.sub(r"\]\([^)]*\)", "", text)).split()
        if len(words) >= 12:
            probes.append(" ".join(words[2:10]))  # skip list numbers and bold step labels
    return probes


def _participant_sources(repo, module) -> str:
    """Everything written for participants of a module, as words: a sentence of the trainer's script
    that is also there (a key message the trainer says aloud) is participant text by design."""
    texts = [line for block in (module.participant.objectives, module.participant.key_messages,
                                *(s.key_points for s in module.sessions)) for lines in block.values()
             for line in lines]
    texts += [title for s in module.sessions for title in s.title.values()]  # headings of the summary
    texts += [(repo.lang_dir(lang) / page).read_text(encoding="utf-8") for page in module.participant_pages()
              for lang in ("fr", "bm") if (repo.lang_dir(lang) / page).is_file()]
    return _words("\n".join(texts))


def test_participant_handouts_hold_no_facilitator_procedure_and_no_card(repo, printed):
    from kalan.cards import load_cards

    cards = load_cards(repo)
    probes_checked = cards_checked = 0
    modules = load_curriculum(repo).modules
    # canonical safety sentences are said by the trainer and printed in several modules' fiches
    shared = " ".join(_participant_sources(repo, module) for module in modules)
    for lang in ("fr", "bm"):
        pack = _words(text_of(printed / lang / "pack-participant.pdf"))
        for module in modules:
            participant = _words(text_of(printed / lang / f"{module.folder}-participant.pdf"))
            for session in module.sessions:
                for probe in _prose_probes(repo.lang_dir("fr") / session.page):
                    if probe in shared:
                        continue
                    probes_checked += 1
                    assert probe not in participant and probe not in pack, (lang, session.page, probe)
            for series in cards.of_module(module.id):
                for card in series.cards:
                    words = " ".join(_words(card.text.get(lang, "")).split()[:8])
                    if len(words.split()) == 8 and words not in shared:  # a fiche may state a sorted rule
                        cards_checked += 1
                        assert words not in participant and words not in pack, (lang, card.id)
    assert probes_checked > 300 and cards_checked > 100


@pytest.mark.parametrize("lang", ["fr", "bm"])
def test_card_sheets_hold_every_card(repo, printed, lang):
    from kalan.cards import load_cards

    cards = load_cards(repo)
    modules = {m.id: m for m in load_curriculum(repo).modules}
    checked = 0
    for module_id in sorted({s.module_id for s in cards.series}):
        sheets = _words(text_of(printed / lang / f"{modules[module_id].folder}-cartes.pdf"))
        for series in cards.of_module(module_id):
            for card in series.cards:
                assert _words(card.id) in sheets, card.id
                words = " ".join(_words(card.text[lang]).split()[:6])
                assert words in sheets, (card.id, words)
                checked += 1
    assert checked > 100


def test_bambara_participant_documents_have_no_french_page(repo, printed):
    from tests.test_participant import french_share, page_texts

    documents = [printed / "bm" / f"{m.folder}-participant.pdf" for m in load_curriculum(repo).modules]
    documents.append(printed / "bm" / "pack-participant.pdf")
    for pdf in documents:
        texts = page_texts(pdf)
        shares = [(n, round(french_share(text), 3)) for n, text in enumerate(texts[1:], 2)]
        assert all(share < 0.1 for _, share in shares), (pdf.name, [s for s in shares if s[1] >= 0.1])
        assert any(letter in "".join(texts) for letter in "ɛɔɲŋ")


@pytest.mark.parametrize("lang", ["fr", "bm"])
def test_participant_pack_holds_the_page_budget(repo, printed, lang):
    pages = len(PdfReader(printed / lang / "pack-participant.pdf").pages)
    assert 20 < pages <= repo.participant_page_budget


@pytest.mark.parametrize("lang", ["fr", "bm"])
def test_picture_cards_print_and_plates_fit_one_page(repo, printed, lang):
    from kalan.picture_cards import require_picture_cards

    cards = require_picture_cards(repo)
    text = _words(text_of(printed / lang / "cartes-images.pdf"))
    for card in cards.cards.values():
        assert _words(card.caption[lang]) in text, card.id
    assert len(PdfReader(printed / lang / "cartes-images.pdf").pages) == (len(cards.cards) + 1) // 2  # A5 halves
    for plate in ("fiche-03-images", "fiche-14-images"):
        assert len(PdfReader(printed / lang / "fiches" / f"{plate}.pdf").pages) == 1, plate


def test_every_test_item_whose_oral_note_shows_a_card_has_one(repo):
    from kalan.picture_cards import picture_card_findings, require_picture_cards
    from kalan.quiz.bank import load_bank

    bank = load_bank(repo, load_curriculum(repo).objective_ids())
    cards = require_picture_cards(repo)
    asking = [item.id for item in bank.items.values() if "carte" in item.oral.get("fr", "").lower()]
    assert len(asking) >= 4
    assert all(cards.for_item(item_id) for item_id in asking)
    assert [f for f in picture_card_findings(repo) if f.severity != "info"] == []
