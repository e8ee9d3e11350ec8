"""What a trainee takes home: participant text as data, card sheets, local referral editions.

Real WeasyPrint and real text extraction on the mini project (invented words, services and places).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from typer.testing import CliRunner

from kalan.check import run_checks
from kalan.circuits import DATE_ENV, circuit_findings
from kalan.cli import app
from kalan.manifests import load_curriculum
from kalan.pdf.build import build_pdfs, trainee_pages
from kalan.pdf.documents import plan_documents
from tests.test_pdf import text_of

pytestmark = pytest.mark.slow

# French function words that Bambara never uses as words: their share measures how French a page is.
FRENCH_WORDS = frozenset({
    "le", "les", "des", "et", "une", "est", "pour", "dans", "que", "qui", "pas", "vous", "il", "elle", "du", "au",
    "aux", "sur", "avec", "par", "sont", "ce", "cette", "son", "ses", "leur", "ou", "mais", "nous", "on"})


def french_share(text: str) -> float:
    words = re.findall(r"[^\W\d_]+", text.lower())
    return sum(w in FRENCH_WORDS for w in words) / max(len(words), 1)


def page_texts(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def _edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_french_share_tells_french_from_bambara():
    assert french_share("Vous êtes vendeur de calebasses au marché et vous aidez les gens.") > 0.3
    assert french_share("I ye filen feerebaga ye sugu la. A tɛ wajibi mɔgɔ si kan ka a ka ko lakali.") == 0


def test_missing_bambara_block_fails_strict_check_with_file_and_block(mini):
    group = "Texte des participants et cartes (toutes les langues)"
    assert not run_checks(mini).groups[group]
    _edit_yaml(mini.modules_dir / "m1.yml", lambda d: d["seances"][1]["a_retenir"].pop("bm"))
    _edit_yaml(mini.root / "cartes" / "m1.yml", lambda d: d["series"][0]["cartes"][1]["texte"].pop("bm"))
    warnings = [str(f) for f in run_checks(mini).groups[group]]
    assert any(w.startswith("modules/m1.yml › M1-S2 › a_retenir") and "« bm »" in w for w in warnings), warnings
    assert any(w.startswith("cartes/m1.yml › M1-S1-A2 › texte") and "« bm »" in w for w in warnings), warnings
    result = CliRunner().invoke(app, ["check", "--strict", "--projet", str(mini.root)])
    assert result.exit_code != 0
    assert "modules/m1.yml › M1-S2 › a_retenir" in flat(result.output)
    # and the Bambara handout prints a visible placeholder, never the French lines
    curriculum = load_curriculum(mini)
    docs = [d for d in plan_documents(mini, curriculum) if d.output == "bm/m1-participant.pdf"]
    build_pdfs(mini, curriculum, mini.out_dir / "pdf", None, documents=docs)
    text = flat(text_of(mini.out_dir / "pdf" / "bm" / "m1-participant.pdf"))
    assert "Le néré fleurit" not in text and "[ka dafa]" in text


def test_bambara_handout_has_no_french_page(mini_bundle):
    _, site, _ = mini_bundle
    pdf = site / "pdf" / "bm" / "m1-participant.pdf"
    pages = page_texts(pdf)
    body = flat(" ".join(pages))
    assert "Nɛrɛ bɛ falen tilema la" in body and "Situlu bɛ mara" in body and "Bene" in body
    assert "Le néré fleurit" not in body and "baobabier" not in body
    # the cover states the translation status in both languages, by design; every other page is Bambara
    shares = [french_share(p) for p in pages[1:]]
    assert max(shares) < 0.1, shares
    assert any(letter in body for letter in "ɛɔɲŋ")


def test_card_sheets_hold_every_card_but_no_expected_answer(mini_bundle):
    _, site, _ = mini_bundle
    for lang, texts in (("fr", ["Vous êtes vendeur de calebasses au marché.", "Zénabou", "La mangue verte du voisin",
                                "La goyave tombée", "Ne montrez pas cette carte."]),
                        ("bm", ["I ye filen feerebaga ye sugu la.", "Zenabu", "Sigiɲɔgɔn ka mangoro kɛnɛ",
                                "Buyaki benna"])):
        text = flat(text_of(site / "pdf" / lang / "m1-cartes.pdf"))
        for words in texts:
            assert words in text, (lang, words)
        for card_id in ("M1-S1-A1", "M1-S1-A2", "M1-S2-01", "M1-S2-02"):
            assert card_id in text
        assert "zanzibar" not in text and "mozambique" not in text  # expected piles stay on the trainer's page


def test_session_page_shows_cards_and_links_their_sheets(mini_bundle):
    _, site, _ = mini_bundle
    page = site / "m1" / "s2-deuxieme.html"
    source = page.read_text(encoding="utf-8")
    text = flat(re.sub(r"<[^>]+>", " ", source))
    assert "Tas attendu" in text and "La mangue verte du voisin" in text and "Tas zanzibar" in text
    links = re.findall(r'href="([^"]*m1-cartes\.pdf)"', source)
    assert links and all((page.parent / link).resolve().is_file() for link in links)
    bm_page = site / "bm" / "m1" / "s2-deuxieme.html"  # exists only in French
    bm_text = flat(re.sub(r"<[^>]+>", " ", bm_page.read_text(encoding="utf-8")))
    assert "Page du formateur, en français" in bm_text and "Page pas encore traduite" not in bm_text
    bm_links = re.findall(r'href="([^"]*m1-cartes\.pdf)"', bm_page.read_text(encoding="utf-8"))
    assert bm_links and all("/bm/" in (bm_page.parent / link).resolve().as_posix() for link in bm_links)


def test_pack_pages_and_photocopies(mini_bundle):
    project, site, printed = mini_bundle
    packs = {p.lang: p for p in trainee_pages(project, printed, site / "pdf")}
    assert set(packs) == {"fr", "bm"}
    for lang, pack in packs.items():
        pages = len(PdfReader(site / "pdf" / lang / "pack-participant.pdf").pages)
        assert pack.pages == pages and pack.copies == pages * project.cohort_size
        assert not pack.over_budget


@pytest.fixture
def circuits_printed(mini, monkeypatch):
    monkeypatch.setenv(DATE_ENV, "2026-12-01")
    curriculum = load_curriculum(mini)
    docs = [d for d in plan_documents(mini, curriculum) if "/circuits/" in d.output]
    out = mini.out_dir / "pdf"
    build_pdfs(mini, curriculum, out, None, documents=docs)
    return out


def test_commune_fiche_shows_its_services_and_flags_stale_ones(circuits_printed):
    text = flat(text_of(circuits_printed / "fr" / "circuits" / "alpha.pdf"))
    assert "Alphaville" in text and "Cercle-Essai" in text
    assert "Centre de santé Tamarin" in text and "02/11/2026" in text and "Structure Kapokier" in text
    assert "Bureau social Baobab" in text and "15/01/2026" in text
    assert text.count("à revérifier") == 1  # the Baobab row only (verified more than 3 months before)
    assert "À revérifier" in text  # and the notice at the top
    bm = flat(text_of(circuits_printed / "bm" / "circuits" / "alpha.pdf"))
    assert "Centre de santé Tamarin" in bm and "a ka kan ka lajɛ kokura" in bm


def test_commune_without_data_prints_the_blank_template(circuits_printed):
    for commune, name in (("beta", "Bétaville"), ("gamma", "Gammaville")):
        text = flat(text_of(circuits_printed / "fr" / "circuits" / f"{commune}.pdf"))
        assert name in text and "Aucun service vérifié pour cette commune" in text
        assert "Santé — centre d'essai" in text and "[à compléter]" in text
        assert "Tamarin" not in text


def test_pocket_guide_of_the_cercle_lists_cercle_wide_services(circuits_printed):
    text = flat(text_of(circuits_printed / "fr" / "circuits" / "guide-de-poche-essai.pdf"))
    assert "Qui appeler — cercle de Cercle-Essai" in text
    assert "Centre de santé Tamarin" in text and "00 00 00 01" in text
    assert "Baobab" not in text  # a commune service, not one for the whole cercle


def test_check_lists_stale_entries(mini):
    from datetime import date

    found = [str(f) for f in circuit_findings(mini, today=date(2026, 12, 1)) if "à revérifier" in f.message]
    assert found == [f for f in found if "Bureau social Baobab" in f] and len(found) == 1
    assert "referentiels/circuits/alpha.yml › services[2]" in found[0]
    later = [f for f in circuit_findings(mini, today=date(2027, 3, 1)) if "à revérifier" in f.message]
    assert len(later) == 2  # three months after 2 November, the Tamarin centre is due too
