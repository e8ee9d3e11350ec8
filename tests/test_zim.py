"""The phone edition: the mini project's ZIM files read back with libzim, checked by zimcheck,
served by kiwix-serve and opened in real Chromium at a phone's size."""

from __future__ import annotations

import io
import json
import posixpath
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kalan.errors import KalanError
from kalan.zim import METADATA_TEXT, build_zims, plan_zim, read_page, write_zim

pytestmark = pytest.mark.slow  # builds the mini site and its PDFs

MINI_PAGES = {
    "fr": ["agenda.html", "index.html", "m1/fiche-01-essai.html", "m1/fiche-02-circuit.html",
           "m1/index.html", "m1/s1-premiere.html", "m1/s2-deuxieme.html"],
    "bm": ["bm/agenda.html", "bm/index.html", "bm/m1/fiche-01-essai.html", "bm/m1/fiche-02-circuit.html",
           "bm/m1/index.html", "bm/m1/s1-premiere.html", "bm/m1/s2-deuxieme.html"],
}
# Every check zimcheck has, except -I: zim-tools ≤ 3.6 (libzim 8) reports « Full Title index
# table outside ZIM file » for every file written by libzim ≥ 9.2, which no longer writes the
# v0 title index (openzim/zim-tools#484, openzim/libzim#969). Integrity is checked with
# the libzim that wrote the file instead (Archive.check).
ZIMCHECK = ["zimcheck", "-C", "-0", "-M", "-F", "-P", "-R", "-U", "-X", "-L", "-D"]


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} manque : sudo apt-get install {package} (ou lancez ./kalan.sh test en root)")
    return path


@pytest.fixture(scope="module")
def zims(mini_bundle, tmp_path_factory) -> dict[str, Path]:
    project, site, _printed = mini_bundle
    built = build_zims(project, site_dir=site, out_dir=tmp_path_factory.mktemp("zim"))
    return {zim.lang: zim.path for zim in built}


@pytest.fixture(scope="module")
def archives(zims):
    from libzim.reader import Archive

    return {lang: Archive(path) for lang, path in zims.items()}


def _text(archive, path: str) -> str:
    return bytes(archive.get_entry_by_path(path).get_item().content).decode("utf-8")


def _search(archive, query: str) -> list[str]:
    from libzim.search import Query, Searcher

    found = Searcher(archive).search(Query().set_query(query))
    return sorted(found.getResults(0, found.getEstimatedMatches()))


def _suggest(archive, query: str) -> list[str]:
    from libzim.suggestion import SuggestionSearcher

    found = SuggestionSearcher(archive).suggest(query)
    return sorted(found.getResults(0, found.getEstimatedMatches()))


@pytest.mark.parametrize("lang, main, absent", [
    ("fr", "index.html", ["bm/index.html", "pdf/bm/m1-participant.pdf", "search/search_index.js"]),
    ("bm", "bm/index.html", ["index.html", "m1/index.html", "pdf/fr/m1-participant.pdf"]),
])
def test_every_page_of_the_language_and_nothing_of_the_other(archives, lang, main, absent):
    archive = archives[lang]
    assert archive.main_entry.get_item().path == main
    assert archive.article_count == len(MINI_PAGES[lang])
    for path in MINI_PAGES[lang]:
        item = archive.get_entry_by_path(path).get_item()
        assert item.mimetype == "text/html"
    for path in ("assets/stylesheets/fonts.css", "assets/stylesheets/kalan.css",
                 f"pdf/{lang}/m1-participant.pdf", f"pdf/{lang}/pack-participant.pdf"):
        assert archive.has_entry_by_path(path), path
    assert archive.get_entry_by_path(f"pdf/{lang}/m1-participant.pdf").get_item().mimetype == "application/pdf"
    for path in absent:
        assert not archive.has_entry_by_path(path), path


def test_page_titles_are_the_page_headings(archives):
    assert archives["fr"].get_entry_by_path("m1/s1-premiere.html").title == "Séance 1 — Première"
    assert archives["bm"].get_entry_by_path("bm/m1/s1-premiere.html").title == "Kalansen 1 — Fɔlɔ"


@pytest.mark.parametrize("lang", ["fr", "bm"])
def test_metadata_kiwix_shows(archives, lang):
    from PIL import Image

    archive = archives[lang]

    def meta(name: str) -> str:
        return bytes(archive.get_metadata(name)).decode("utf-8")

    assert meta("Language") == {"fr": "fra", "bm": "bam"}[lang]
    assert meta("Name") == f"kalan_{lang}_all"
    assert meta("Title") == METADATA_TEXT[lang]["Title"] and len(meta("Title")) <= 30
    assert meta("Description") == METADATA_TEXT[lang]["Description"] and len(meta("Description")) <= 80
    assert meta("Creator") and meta("Publisher") and meta("Flavour") == "maxi"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta("Date"))
    assert "_ftindex:yes" in meta("Tags").split(";")
    assert archive.has_fulltext_index and archive.has_title_index
    assert archive.has_illustration(48)
    icon = Image.open(io.BytesIO(bytes(archive.get_illustration_item(48).content)))
    assert (icon.format, icon.size) == ("PNG", (48, 48))


def test_pages_lose_only_the_language_switch_and_the_theme_search(archives):
    html = _text(archives["bm"], "bm/m1/s1-premiere.html")
    for gone in ('hreflang="fr"', 'class="md-select"', 'data-md-component="search"', 'for="__search"',
                 "iframe-worker-shim.js", "kalan-search-lang.js"):
        assert gone not in html, gone
    for kept in ("Ŋaniya", "../../assets/stylesheets/fonts.css", "../../assets/javascripts/bundle.",
                 'class="md-nav md-nav--primary"', "md-footer__link--next"):
        assert kept in html, kept


@pytest.mark.parametrize("lang", ["fr", "bm"])
def test_every_link_and_asset_resolves_to_an_entry(archives, lang):
    """Read back from the ZIM, independently of the planner: href, src, and the CSS's url()."""
    archive = archives[lang]
    checked = 0
    for page in MINI_PAGES[lang]:
        for ref in read_page(_text(archive, page)).kept_refs():
            if re.match(r"^(#|[a-z][a-z0-9+.-]*:|//)", ref):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), ref.split("#")[0]))
            assert archive.has_entry_by_path(target), f"{page} → {ref}"
            checked += 1
    for css in ("assets/stylesheets/main.57a0d79d.min.css", "assets/stylesheets/kalan.css"):
        if archive.has_entry_by_path(css):
            for ref in re.findall(r"url\(['\"]?([^'\")]+)", _text(archive, css)):
                if not ref.startswith(("data:", "#", "http")):
                    assert archive.has_entry_by_path(posixpath.normpath(posixpath.join(posixpath.dirname(css), ref)))
    assert checked > 100


@pytest.mark.parametrize("lang, query, expected", [
    ("fr", "baobabier", ["m1/s1-premiere.html"]),              # the page's own rare word
    ("fr", "baobabiers", ["m1/s1-premiere.html"]),             # French stemming
    ("fr", "kinkéliba", ["m1/index.html", "m1/s1-premiere.html"]),
    ("fr", "kinkeliba", ["m1/index.html", "m1/s1-premiere.html"]),  # accents folded, as Kiwix folds queries
    ("fr", "herbier", ["m1/s2-deuxieme.html"]),                # only ever written « l’herbier »
    ("fr", "l'ordonnancier", ["m1/s2-deuxieme.html"]),
    ("bm", "Ŋaniya", ["bm/m1/s1-premiere.html"]),
    ("bm", "ŋaniya", ["bm/m1/s1-premiere.html"]),
    ("bm", "ɛɛ", ["bm/m1/index.html"]),
    ("bm", "ɲɛnajɛbaro", ["bm/m1/s1-premiere.html"]),          # only after the contraction « k' »
    ("bm", "sa", ["bm/m1/s1-premiere.html"]),                  # a French stop word, a Bambara word
    ("bm", "baobabiers", []),                                  # no French stemming of Bambara
])
def test_full_text_index_finds_words_in_each_language(archives, lang, query, expected):
    assert _search(archives[lang], query) == expected


@pytest.mark.parametrize("lang, query, expected", [
    ("fr", "Première", ["m1/s1-premiere.html"]),
    ("bm", "Kalansen", ["bm/m1/s1-premiere.html"]),
    ("bm", "Sɛbɛnnin", ["bm/m1/fiche-01-essai.html", "bm/m1/fiche-02-circuit.html"]),
])
def test_title_index_suggests_pages(archives, lang, query, expected):
    assert _suggest(archives[lang], query) == expected


@pytest.mark.parametrize("lang", ["fr", "bm"])
def test_zimcheck_passes_and_libzim_finds_the_file_sound(archives, zims, lang):
    _tool("zimcheck", "zim-tools")
    done = subprocess.run([*ZIMCHECK, str(zims[lang])], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Overall Test Status: Pass" in done.stdout
    assert archives[lang].check()


def test_zimcheck_would_catch_a_broken_link(mini_bundle, tmp_path):
    """The same check fails on a ZIM whose page links to a missing entry: zimcheck really looks."""
    _tool("zimcheck", "zim-tools")
    project, site, _printed = mini_bundle
    plan = plan_zim(site, "fr", project.default_lang, project.langs)
    page = next(e for e in plan.entries if e.path == "m1/index.html")
    page.content = page.content.replace(b"</article>", b'<a href="nulle-part.html">x</a></article>', 1)
    broken = write_zim(plan, tmp_path / "casse.zim").path
    done = subprocess.run([*ZIMCHECK, str(broken)], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "nulle-part.html" in done.stdout


def test_a_link_to_the_other_language_stops_the_build(mini_bundle, tmp_path):
    project, site, _printed = mini_bundle
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    page = copy / "bm" / "m1" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</article>", '<a href="../../m1/s1-premiere.html">fr</a></article>', 1), encoding="utf-8")
    with pytest.raises(KalanError, match=r"bm/m1/index\.html → m1/s1-premiere\.html \(page d'une autre langue\)"):
        plan_zim(copy, "bm", project.default_lang, project.langs)


def test_an_unbuilt_site_gives_a_french_message(mini, tmp_path):
    with pytest.raises(KalanError, match="Le site n'est pas construit"):
        build_zims(mini, site_dir=tmp_path / "rien", out_dir=tmp_path)


# ---- kiwix-serve and Chromium -----------------------------------------------------------


@pytest.fixture(scope="module")
def kiwix(zims) -> Iterator[str]:
    """kiwix-serve on 127.0.0.1 and a free port, serving both files; stopped at teardown."""
    binary = _tool("kiwix-serve", "kiwix-tools")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([binary, "--address", "127.0.0.1", "--port", str(port), str(zims["fr"]),
                               str(zims["bm"])], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            if server.poll() is not None:
                pytest.fail(f"kiwix-serve s'est arrêté : {server.stderr.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(base + "/", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("kiwix-serve ne répond pas")
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _kiwix_search(base: str, book: str, pattern: str) -> list[str]:
    query = urllib.parse.urlencode({"content": book, "pattern": pattern})
    with urllib.request.urlopen(f"{base}/search?{query}", timeout=10) as response:
        html = response.read().decode("utf-8")
    prefix = f"/{book}/"
    return sorted({h[len(prefix):] for h in re.findall(r'href="([^"#?]+)"', html)
                   if h.startswith(prefix) and h.endswith(".html")})


@pytest.mark.parametrize("book, pattern, expected", [
    ("kalan-bm", "Ŋaniya", ["bm/m1/s1-premiere.html"]),
    ("kalan-bm", "ɲɛnajɛbaro", ["bm/m1/s1-premiere.html"]),
    ("kalan-fr", "baobabier", ["m1/s1-premiere.html"]),
])
def test_kiwix_serve_search_finds_the_word(kiwix, book, pattern, expected):
    assert _kiwix_search(kiwix, book, pattern) == expected


@pytest.mark.browser
def test_every_page_renders_in_kiwix_serve_on_a_phone(browser, kiwix):
    """Every page of both files, at a phone's size: no failed request, no console error."""
    context = browser.new_context(viewport={"width": 412, "height": 860}, is_mobile=True)
    tab = context.new_page()
    problems: list[str] = []
    requests: list[str] = []
    pending: set[object] = set()
    last_activity = [time.monotonic()]

    def started(request) -> None:
        requests.append(request.url)
        pending.add(request)
        last_activity[0] = time.monotonic()

    def ended(request, failure: str | None = None) -> None:
        pending.discard(request)
        last_activity[0] = time.monotonic()
        if failure:
            problems.append(f"échec {request.url} ({failure})")

    tab.on("request", started)
    tab.on("requestfinished", lambda r: ended(r))
    tab.on("requestfailed", lambda r: ended(r, r.failure or "?"))
    tab.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    tab.on("console", lambda m: m.type == "error" and problems.append(f"console : {m.text}"))

    def settle() -> None:
        """Wait for a quiet network: Chromium asks for the favicon after "load", and leaving
        the page before it arrives would abort it (a failure of the test, not of the ZIM)."""
        deadline = time.monotonic() + 5
        while (pending or time.monotonic() - last_activity[0] < 0.25) and time.monotonic() < deadline:
            tab.wait_for_timeout(20)
        assert not pending, [r.url for r in pending]

    try:
        for book, lang in (("kalan-fr", "fr"), ("kalan-bm", "bm")):
            tab.goto(f"{kiwix}/{book}/")  # the main page, through libzim's W/mainPage redirection
            settle()
            assert tab.url == f"{kiwix}/{book}/" + ("index.html" if lang == "fr" else "bm/index.html")
            for path in MINI_PAGES[lang]:
                tab.goto(f"{kiwix}/{book}/{path}")
                tab.wait_for_load_state("load")
                settle()
                assert tab.get_attribute("html", "lang") == lang
        tab.goto(f"{kiwix}/kalan-bm/bm/m1/index.html")
        settle()
        pdfs = tab.eval_on_selector_all("a[href$='.pdf']", "els => els.map(e => e.href)")
        assert pdfs
        for href in pdfs:
            response = tab.request.get(href)
            assert response.status == 200 and response.body().startswith(b"%PDF"), href
        assert problems == []
        assert [url for url in requests if not url.startswith(kiwix)] == []
    finally:
        context.close()


@pytest.mark.browser
def test_bambara_letters_are_drawn_with_the_bundled_font_in_kiwix_serve(browser, kiwix):
    context = browser.new_context(viewport={"width": 412, "height": 860}, is_mobile=True)
    tab = context.new_page()
    try:
        tab.goto(f"{kiwix}/kalan-bm/bm/m1/s1-premiere.html")
        tab.wait_for_load_state("load")
        loaded = tab.evaluate("async () => (await document.fonts.load('16px \"Kalan Sans\"', 'ɛɔɲŋƐƆƝŊ')).length")
        assert loaded >= 1
        assert tab.evaluate("getComputedStyle(document.querySelector('article')).fontFamily").startswith(
            '"Kalan Sans"')
        # Drawn with Kalan Sans, not a fallback: with the glyphs missing, the width would be monospace's.
        widths = json.loads(tab.evaluate("""() => {
            const c = document.createElement('canvas').getContext('2d'), text = 'ɛɔɲŋƐƆƝŊ';
            c.font = '40px "Kalan Sans", monospace'; const ours = c.measureText(text).width;
            c.font = '40px monospace'; return JSON.stringify([ours, c.measureText(text).width]); }"""))
        assert widths[0] > 0 and abs(widths[0] - widths[1]) > 1
        assert "Ŋaniya" in tab.inner_text("article")
    finally:
        context.close()
