"""Printable PDFs with the real WeasyPrint: content, fonts, contents pages, cache, reproducibility."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from kalan.manifests import load_curriculum
from kalan.pdf.build import build_pdfs
from kalan.pdf.documents import plan_documents
from tests.browser import open_page

pytestmark = pytest.mark.slow
BAMBARA_LETTERS = "ɛɔɲŋƐƆƝŊ"


def text_of(pdf: Path) -> str:
    reader = PdfReader(pdf)
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


def fonts_of(pdf: Path) -> dict[str, bool]:
    """Font name → embedded? for every font used on any page."""
    fonts: dict[str, bool] = {}
    for page in PdfReader(pdf).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2",
                                                                         "/FontFile3"))
    return fonts


def test_every_planned_document_is_printed(mini_bundle):
    project, site, printed = mini_bundle
    planned = plan_documents(project, load_curriculum(project))
    assert sorted(str(site / "pdf" / d.output) for d in planned) == sorted(str(p.output) for p in printed)
    kinds = {(d.lang, d.kind) for d in planned}
    assert {(lang, kind) for lang in ("fr", "bm")
            for kind in ("participant", "formateur", "manuel", "fiche")} <= kinds
    for result in printed:
        assert result.pages > 0
        assert len(PdfReader(result.output).pages) == result.pages


def test_participant_document_is_built_from_participant_text_only(mini_bundle):
    _, site, _ = mini_bundle
    participant = " ".join(text_of(site / "pdf" / "fr" / "m1-participant.pdf").split())
    facilitator = " ".join(text_of(site / "pdf" / "fr" / "m1-formateur.pdf").split())
    # plain objectives, key messages, « À retenir » of both sessions, the fiches
    for words in ("fonio sauvage", "sésame", "Le karité se garde au frais", "Le néré fleurit",
                  "Une fiche pour les participants"):
        assert words in participant, words
    # never the session script, the trainer's notes, the cards or their expected answers
    for words in ("baobabier", "tamarinier", "tisane", "Réponses attendues", "calebasses", "Zénabou", "zanzibar"):
        assert words not in participant, words
        assert words in facilitator, words
    assert "Le karité se garde au frais" in facilitator  # the trainer sees what participants take home


def test_facilitator_guide_has_session_plan_with_times(mini_bundle):
    _, site, _ = mini_bundle
    text = " ".join(text_of(site / "pdf" / "fr" / "m1-formateur.pdf").split())
    assert "Plan des séances" in text
    assert "Jour 1, 08:00–08:45" in text and "Jour 1, 08:45–09:15" in text


def test_cover_counts_unfilled_placeholders(mini_bundle):
    _, site, _ = mini_bundle
    cover = " ".join(PdfReader(site / "pdf" / "fr" / "m1-participant.pdf").pages[0].extract_text().split())
    # Fiche 1 holds two; the blank template of Fiche 2 one blank contact per service type (two)
    assert "À compléter 4 information(s) encore à compléter" in cover
    guide = " ".join(PdfReader(site / "pdf" / "fr" / "manuel-formateur.pdf").pages[0].extract_text().split())
    assert "4 information(s)" in guide


def test_tabs_print_expanded(mini_bundle):
    _, site, _ = mini_bundle
    text = text_of(site / "pdf" / "fr" / "m1-formateur.pdf")
    assert "Onglet un" in text and "Texte du premier onglet" in text
    assert "Onglet deux" in text and "Texte du second onglet" in text


def test_bambara_letters_survive_and_fonts_are_embedded(mini_bundle):
    _, site, _ = mini_bundle
    for pdf in (site / "pdf" / "bm").rglob("*.pdf"):
        fonts = fonts_of(pdf)
        assert fonts and all(fonts.values()), (pdf, fonts)
        assert "\ufffd" not in text_of(pdf)
    handout = text_of(site / "pdf" / "bm" / "fiches" / "fiche-01.pdf")
    assert all(letter in handout for letter in BAMBARA_LETTERS)
    assert "dɛ̀mɛ" in handout  # combining grave accent kept


def test_bambara_draft_notice_printed(mini_bundle):
    _, site, _ = mini_bundle
    text = " ".join(text_of(site / "pdf" / "bm" / "m1-participant.pdf").split())
    assert "aucun locuteur natif ne l'a encore relu" in text
    assert "brouillon" in text.split("Sommaire")[0]  # the cover gives the translation status


def test_contents_page_numbers_point_at_the_pages(mini_bundle):
    _, site, _ = mini_bundle
    pdf = site / "pdf" / "fr" / "manuel-formateur.pdf"
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    toc = next(i for i, text in enumerate(pages) if text.lstrip().startswith("Sommaire"))
    entries = re.findall(r"^(.+?)\s*\.{3,}\s*(\d+)\s*$", pages[toc], re.M)
    assert len(entries) >= 5
    for title, number in entries:
        target = pages[int(number) - 1]
        assert title.strip()[:20] in " ".join(target.split()), (title, number)


def test_site_module_pages_link_existing_pdfs(browser, mini_bundle):
    _, site, _ = mini_bundle
    for page in ("m1/index.html", "bm/m1/index.html"):
        visit = open_page(browser, site / page)
        links = visit.page.eval_on_selector_all('a[type="application/pdf"]', "els => els.map(e => e.href)")
        assert len(links) == 5  # participant handout, facilitator guide, card sheets, Fiches 1 and 2
        for link in links:
            assert link.startswith("file://")
            assert Path(link.removeprefix("file://")).is_file(), link
        lang = "bm" if page.startswith("bm/") else "fr"
        assert all(f"/pdf/{lang}/" in link for link in links)


def test_same_sources_give_identical_pdfs(mini, tmp_path):
    curriculum = load_curriculum(mini)
    documents = [d for d in plan_documents(mini, curriculum) if d.output == "bm/m1-formateur.pdf"]
    first = build_pdfs(mini, curriculum, tmp_path / "a", None, workers=1, documents=documents)
    second = build_pdfs(mini, curriculum, tmp_path / "b", None, workers=1, documents=documents)
    assert first[0].output.read_bytes() == second[0].output.read_bytes()


def test_cache_reprints_only_what_changed(mini, tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "pdf"
    cold = build_pdfs(mini, load_curriculum(mini), out, cache)
    assert not any(p.cached for p in cold)
    warm = build_pdfs(mini, load_curriculum(mini), out, cache)
    assert all(p.cached for p in warm)
    page = mini.lang_dir("fr") / "m1" / "fiche-01-essai.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")
    edited = build_pdfs(mini, load_curriculum(mini), out, cache)
    reprinted = sorted(p.output.relative_to(out).as_posix() for p in edited if not p.cached)
    # Fiche 1 is also the cercle's pocket guide (it holds the « qui appeler » box), and the pack
    assert reprinted == ["fr/circuits/guide-de-poche-essai.pdf", "fr/fiches/fiche-01.pdf", "fr/m1-formateur.pdf",
                         "fr/m1-participant.pdf", "fr/manuel-formateur.pdf", "fr/pack-participant.pdf"]
    assert "Une phrase ajoutée" in text_of(out / "fr" / "fiches" / "fiche-01.pdf")


def test_warm_printer_prints_in_its_own_process_with_the_bundled_fonts_and_raises_its_errors(repo, tmp_path):
    """`kalan rapport` prints through a process started early (WeasyPrint imported on the other core). Its
    PDF uses only the bundled fonts, which now hold the report's signs ≥ ≤ ⟨ ⟩; a failed print is raised."""
    import subprocess

    from kalan.pdf.render import WarmPrinter, print_style

    style = print_style(repo.fonts_dir)
    html = "<h1>Rapport</h1><p>≥ 15/20 ; ≤ 0,2 ; Hake ⟨g⟩ ; ɛ ɔ ɲ ŋ</p>"
    with WarmPrinter() as printer:
        pages, _ = printer.submit(style.job(tmp_path / "a.pdf", html), style.css, tmp_path).result()
        (tmp_path / "fichier").write_text("x")
        with pytest.raises(OSError):
            printer.submit(style.job(tmp_path / "fichier" / "b.pdf", html), style.css, tmp_path).result()
    assert pages == 1 and "≥ 15/20 ; ≤ 0,2 ; Hake ⟨g⟩ ; ɛ ɔ ɲ ŋ" in text_of(tmp_path / "a.pdf")
    fonts = subprocess.run(["pdffonts", str(tmp_path / "a.pdf")], capture_output=True, text=True).stdout
    assert {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]} == {"DejaVu-Sans", "DejaVu-Sans-Bold"}
    assert not (tmp_path / "fichier" / "b.pdf").exists()
    from PIL import ImageFont

    from kalan.scoring.charts import _has

    for stem in ("kalan-sans", "kalan-sans-bold"):  # the signs are in the committed subsets themselves
        font = ImageFont.truetype(str(repo.fonts_dir / f"{stem}.woff2"), 20)
        assert all(_has(font, sign) for sign in "≥≤⟨⟩ɛɔɲŋ"), stem


def test_kalan_rapport_starts_its_printer_with_the_process_and_leaves_none_behind(repo, tmp_path):
    """`kalan.entry` forks the printer before typer is imported (no thread yet); whatever the command
    does — a report, an error — no printer process outlives it."""
    import subprocess
    import sys

    script = ("import sys, multiprocessing\n"
              "from kalan.pdf import render\n"
              "sys.argv = ['kalan', 'rapport', '--sortie', sys.argv[1], '--formulaire', 'PP7', '--db', sys.argv[2]]\n"
              "taken = render.start_printer\n"
              "def spy():\n    print('précoce', render._early is not None)\n    return taken()\n"
              "render.start_printer = spy\n"
              "from kalan import entry\n"
              "try:\n    entry.main()\nexcept SystemExit as stop:\n"
              "    print('enfants', len(multiprocessing.active_children()), 'code', stop.code)\n")
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "r"), str(tmp_path / "vide.sqlite")],
                            capture_output=True, text=True, cwd=repo.root)
    assert "aucun résultat dans la base" in result.stdout + result.stderr
    assert "précoce True" in result.stdout  # started by kalan.entry, before the command ran
    assert "enfants 0 code 1" in result.stdout  # then taken by the command, and stopped on its error
