"""Oral delivery: picture cards, recordings made on phones (real ffmpeg, espeak-ng, WeasyPrint, Chromium).

The stand-in « recordings » are French speech synthesised by espeak-ng in a temporary folder,
converted to the formats phones produce; nothing synthetic is ever written to the repository.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kalan.check import run_checks
from kalan.cli import app
from kalan.errors import KalanError
from kalan.manifests import load_curriculum
from kalan.pdf.build import build_pdfs
from kalan.pdf.documents import plan_documents
from kalan.quiz.build import load_quizzes, print_quizzes
from kalan.recordings import import_recordings, recorded_slots, recording_status
from kalan.sitebuild import build_site
from tests.browser import open_page
from tests.conftest import edit_file
from tests.test_pdf import text_of

pytestmark = pytest.mark.slow
needs_tools = pytest.mark.skipif(not (shutil.which("ffmpeg") and shutil.which("espeak-ng")),
                                 reason="ffmpeg et espeak-ng (paquets Debian) sont nécessaires")
# What phones produce: WhatsApp voice notes (Opus in Ogg), Android recorder (AAC in M4A), MP3, WAV.
PHONE_CODECS = {".opus": ["-c:a", "libopus"], ".m4a": ["-c:a", "aac"], ".mp3": ["-c:a", "libmp3lame"],
                ".wav": []}


def flat(text: str) -> str:
    return " ".join(text.split())


def speak(folder: Path, name: str, words: str = "Bonjour. Ceci est un essai d'enregistrement.") -> Path:
    """A stand-in recording: espeak-ng speaks French, ffmpeg converts it to the phone format of `name`."""
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / f".{name}.source.wav"
    subprocess.run(["espeak-ng", "-v", "fr", "-w", str(wav), words], check=True)
    target = folder / name
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), *PHONE_CODECS[target.suffix], str(target)],
                   check=True)
    wav.unlink()
    return target


def duration(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return float(out)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- Picture cards ----------------------------------------------------------------------------------------


def test_picture_cards_show_on_pages_and_print(mini, tmp_path):
    site = build_site(mini).site_dir
    page = (site / "m1" / "s1-premiere.html").read_text(encoding="utf-8")
    assert page.count('class="kalan-image"') == 2 and 'role="img"' in page
    assert 'aria-label="Jamais de photo du néflier"' in page and "<circle" in page  # the crossed circle
    curriculum = load_curriculum(mini)
    docs = [d for d in plan_documents(mini, curriculum) if d.output.endswith("cartes-images.pdf")]
    assert sorted(d.output for d in docs) == ["bm/cartes-images.pdf", "fr/cartes-images.pdf"]
    build_pdfs(mini, curriculum, tmp_path, None, documents=docs)
    fr = flat(text_of(tmp_path / "fr" / "cartes-images.pdf"))
    assert "Regarder le fromager" in fr and "Jamais de photo du néflier" in fr and "Trois nuits de veille" in fr
    assert "provisoire" in fr and "testée avec des relais" in fr
    bm = flat(text_of(tmp_path / "bm" / "cartes-images.pdf"))
    assert "Bana filɛ" in bm and "Su saba" in bm


def test_field_drawing_replaces_the_icons_without_code(mini):
    from PIL import Image

    drawing = mini.root / "referentiels" / "cartes-images" / "dessins" / "regarder.png"
    drawing.parent.mkdir(parents=True)
    Image.new("RGB", (100, 100), "white").save(drawing)  # a field drawing, scanned
    edit_file(mini.root / "referentiels" / "cartes-images.yml", "    icones: [material/eye]\n",
              "    image: dessins/regarder.png\n")
    page = (build_site(mini).site_dir / "m1" / "s1-premiere.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in page and 'alt="Regarder le fromager"' in page


def test_oral_guide_shows_the_item_card_and_check_asks_for_missing_ones(mini, tmp_path):
    data = load_quizzes(mini)
    print_quizzes(mini, data, tmp_path)
    guide = flat(text_of(next(tmp_path.rglob("*-guide-oral-fr.pdf"))))
    assert "Carte-image à montrer" in guide and "Regarder le fromager" in guide
    assert "Enregistrement dans cette langue : pas encore" in guide
    group = "Cartes-images (images et légendes)"
    assert not [f for f in run_checks(mini).groups[group] if f.severity != "info"]
    edit_file(mini.root / "quizzes" / "banque.yml", "Sikasso, bm: Sikaso mara la}\n    cle: a",
              "Sikasso, bm: Sikaso mara la}\n    cle: a\n    oral: {fr: Montrer la carte-image., bm: Ja karati jira.}")
    warnings = [str(f) for f in run_checks(mini).groups[group] if f.severity == "avertissement"]
    assert warnings == [w for w in warnings if "Q03" in w] and len(warnings) == 1, warnings


# --- Recordings -------------------------------------------------------------------------------------------


@needs_tools
def test_import_converts_every_phone_format_and_files_it_under_its_slot(mini, tmp_path):
    inbox = tmp_path / "recus"
    for name in ("fr-fiche-01.m4a", "bm-fiche-01.opus", "ffm-fiche-01.mp3", "fr-Q01.wav"):
        speak(inbox, name)
    results = import_recordings(mini, inbox)
    assert sorted((r.lang, r.slot) for r in results) == [("bm", "fiche-01"), ("ffm", "fiche-01"), ("fr", "Q01"),
                                                         ("fr", "fiche-01")]
    text_audio = mini.root / "docs" / "assets" / "audio"
    for lang in ("fr", "bm", "ffm"):
        converted = text_audio / lang / "fiche-01.ogg"
        assert duration(converted) > 1.0
        codec = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                                "stream=codec_name,channels", "-of", "csv=p=0", str(converted)],
                               capture_output=True, text=True, check=True).stdout.strip()
        assert codec == "opus,1"
    assert (mini.root / "quizzes" / "audio" / "fr" / "Q01.ogg").is_file()  # test items never go to the site
    assert not (text_audio / "fr" / "Q01.ogg").exists()
    assert recorded_slots(mini) >= {("fr", "fiche-01"), ("bm", "fiche-01"), ("ffm", "fiche-01"), ("fr", "Q01")}
    status = {code: (done, total) for code, done, total, _ in recording_status(mini)}
    assert status["fr"][0] == 2 and status["bm"][0] == 1 and status["ffm"][0] == 1
    # importing the same files again changes nothing
    before = snapshot(mini.root / "docs" / "assets" / "audio")
    again = import_recordings(mini, inbox)
    assert not any(r.changed for r in again)
    assert snapshot(mini.root / "docs" / "assets" / "audio") == before


@needs_tools
def test_a_bad_name_or_a_broken_file_imports_nothing(mini, tmp_path):
    inbox = tmp_path / "recus"
    speak(inbox, "fr-fiche-01.m4a")
    speak(inbox, "fr-fiche-99.m4a")
    audio = mini.root / "docs" / "assets" / "audio"
    with pytest.raises(KalanError) as refused:
        import_recordings(mini, inbox)
    message = str(refused.value)
    assert "fr-fiche-99.m4a : aucun créneau ne porte ce nom" in message and "rien n'a été importé" in message
    assert "bm-fiche-01" in message  # the valid names are listed
    assert not audio.exists()
    (inbox / "fr-fiche-99.m4a").unlink()
    (inbox / "bm-fiche-01.opus").write_bytes(b"OggS pas vraiment du son")
    with pytest.raises(KalanError, match=r"bm-fiche-01\.opus : conversion impossible"):
        import_recordings(mini, inbox)
    assert not audio.exists()  # the good file was not written either
    result = CliRunner().invoke(app, ["audio", "importer", str(inbox), "--projet", str(mini.root)])
    assert result.exit_code != 0 and "Traceback" not in result.output


@needs_tools
@pytest.mark.browser
def test_site_plays_the_recording_from_file(mini, tmp_path, browser):
    speak(tmp_path / "recus", "bm-fiche-01.opus")
    speak(tmp_path / "recus", "ffm-fiche-01.m4a")
    import_recordings(mini, tmp_path / "recus")
    site = build_site(mini).site_dir
    visit = open_page(browser, site / "bm" / "m1" / "fiche-01-essai.html")
    players = visit.page.eval_on_selector_all("audio", "els => els.map(e => e.getAttribute('src'))")
    assert players == ["../../assets/audio/bm/fiche-01.ogg", "../../assets/audio/ffm/fiche-01.ogg"]
    durations = visit.page.evaluate("""() => Promise.all([...document.querySelectorAll('audio')].map(a =>
        new Promise(done => { if (a.readyState >= 1) return done(a.duration);
                              a.addEventListener('loadedmetadata', () => done(a.duration));
                              a.addEventListener('error', () => done(-1)); a.load(); })))""")
    assert all(d > 1.0 for d in durations), durations
    assert not visit.failures and not visit.external
    french = (site / "m1" / "fiche-01-essai.html").read_text(encoding="utf-8")
    assert "assets/audio/ffm/fiche-01.ogg" in french and "assets/audio/fr/" not in french  # no French yet
    assert "<audio" not in text_of_print(mini, tmp_path)


def text_of_print(project, tmp_path: Path) -> str:
    """The printed fiche: players exist only on the site."""
    curriculum = load_curriculum(project)
    docs = [d for d in plan_documents(project, curriculum) if d.output == "bm/fiches/fiche-01.pdf"]
    build_pdfs(project, curriculum, tmp_path / "pdf", None, documents=docs)
    return text_of(tmp_path / "pdf" / "bm" / "fiches" / "fiche-01.pdf")


def test_recording_sheets_and_status(mini, tmp_path):
    result = CliRunner().invoke(app, ["audio", "fiche", "--sortie", str(tmp_path), "--projet", str(mini.root)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["fiche-bm.pdf", "fiche-ffm.pdf", "fiche-fr.pdf"]
    bm = flat(text_of(tmp_path / "fiche-bm.pdf"))
    assert "bm-fiche-01" in bm and "Kalandenw ka sɛbɛnnin." in bm and "bm-Q01" in bm and "Ɲɛnajɛ jiri" in bm
    assert "[ka fa]" not in bm and "à compléter" not in bm  # a recording never reads a placeholder
    ffm = flat(text_of(tmp_path / "fiche-ffm.pdf"))
    assert "ffm-fiche-01" in ffm and "Une fiche pour les participants." in ffm and "langue orale" in ffm
    status = CliRunner().invoke(app, ["check", "--enregistrements", "--projet", str(mini.root)])
    assert status.exit_code == 0, status.output
    assert "fulfulde (Maasina) (ffm)" in flat(status.output)


def test_interpreters_sheet_per_language_pair_never_invents(mini, tmp_path):
    curriculum = load_curriculum(mini)
    docs = [d for d in plan_documents(mini, curriculum) if "/interpretes/" in d.output]
    assert sorted(d.output for d in docs) == ["fr/interpretes/interpretes-djm.pdf",
                                              "fr/interpretes/interpretes-ffm.pdf"]
    build_pdfs(mini, curriculum, tmp_path, None, documents=docs)
    ffm = flat(text_of(tmp_path / "fr" / "interpretes" / "interpretes-ffm.pdf"))
    assert "accord" in ffm and "sɔnni" in ffm and "EXPRESSION-DE-TEST" in ffm and "Structure Kapokier" in ffm
    djm = flat(text_of(tmp_path / "fr" / "interpretes" / "interpretes-djm.pdf"))
    assert "EXPRESSION-DE-TEST" not in djm and "[à établir avec un interprète]" in djm
