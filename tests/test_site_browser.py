"""The offline site opened from file:// in real Chromium, as a trainer would use it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import Visit, open_page, search

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_home_offers_both_languages(browser, real_site: Path):
    visit = open_page(browser, real_site / "index.html")
    page = visit.page
    assert page.get_attribute("html", "lang") == "fr"
    links = page.eval_on_selector_all("a[hreflang]", "els => els.map(e => [e.hreflang, e.href])")
    langs = {lang for lang, _ in links}
    assert {"fr", "bm"} <= langs
    bm_href = next(href for lang, href in links if lang == "bm")
    page.goto(bm_href)
    assert page.get_attribute("html", "lang") == "bm"
    assert page.url.endswith("/bm/index.html")


@pytest.mark.parametrize("start, target, lang", [
    ("m2/s1-aider-responsable.html", "bm/m2/s1-aider-responsable.html", "bm"),
    ("bm/m2/s1-aider-responsable.html", "m2/s1-aider-responsable.html", "fr"),
])
def test_language_switch_lands_on_same_page(browser, real_site: Path, start, target, lang):
    visit = open_page(browser, real_site / start)
    page = visit.page
    page.hover(".md-header__option .md-select")
    page.click(f".md-select__link[hreflang={lang}]")
    page.wait_for_load_state("load")
    assert page.url == (real_site / target).as_uri()
    assert page.get_attribute("html", "lang") == lang


def test_search_stays_in_french_on_french_pages(browser, mini_site: Path):
    visit = open_page(browser, mini_site / "m1" / "index.html")
    assert search(visit, "baobabier") == ["m1/s1-premiere.html"]
    assert search(visit, "kinkéliba") == ["m1/index.html", "m1/s1-premiere.html"]


def test_search_stays_in_bambara_on_bambara_pages(browser, mini_site: Path):
    visit = open_page(browser, mini_site / "bm" / "m1" / "index.html")
    assert search(visit, "baobabier") == ["bm/m1/s1-premiere.html"]
    # the index, and the blank referral fiche (« ☐ Koro ☐ Douentza »)
    assert search(visit, "Koro") == ["bm/m1/fiche-02-circuit.html", "bm/m1/index.html"]


@pytest.mark.parametrize("query, expected", [
    ("ɛɛ", ["bm/m1/index.html"]),           # two letters, both outside ASCII
    # starts with ɲ; the session page shows the objective that uses the word
    ("ɲɛnajɛ", ["bm/m1/index.html", "bm/m1/s1-premiere.html"]),
    ("Ŋaniya", ["bm/m1/s1-premiere.html"]),  # capital Ŋ
    ("sa", ["bm/m1/s1-premiere.html"]),      # a French stop word, a Bambara word ("death")
])
def test_search_finds_words_made_of_bambara_letters(browser, mini_site: Path, query, expected):
    visit = open_page(browser, mini_site / "bm" / "index.html")
    assert search(visit, query) == expected


@pytest.mark.parametrize("page_path", [
    "index.html", "agenda.html", "m2/index.html", "m2/s1-aider-responsable.html",
    "bm/index.html", "bm/m2/index.html", "bm/m2/s1-aider-responsable.html",
])
def test_no_network_and_no_failed_request(browser, real_site: Path, page_path):
    visit = open_page(browser, real_site / page_path)
    search(visit, "formation")  # loads the index, the worker shim and lunr
    visit.page.wait_for_timeout(300)
    assert visit.external == []
    assert visit.failures == []
    assert visit.console_errors == []


def test_bundled_font_draws_bambara_letters(browser, real_site: Path):
    visit = open_page(browser, real_site / "bm" / "m2" / "index.html")
    loaded = visit.page.evaluate(
        "async () => (await document.fonts.load('16px \"Kalan Sans\"', 'ɛɔɲŋƐƆƝŊ')).length")
    assert loaded >= 1
    family = visit.page.evaluate("getComputedStyle(document.querySelector('article')).fontFamily")
    assert "Kalan Sans" in family


@pytest.mark.parametrize("page_path", ["index.html", "m2/index.html", "bm/m2/s1-aider-responsable.html"])
def test_accessibility_has_no_serious_violation(browser, real_site: Path, page_path):
    from axe_playwright_python.sync_playwright import Axe

    visit = open_page(browser, real_site / page_path)
    results = Axe().run(visit.page)
    serious = [f"{v['id']}: {v['help']} ({len(v['nodes'])})"
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


@pytest.mark.parametrize("start, query, expected", [
    ("m1/index.html", "ordonnancier", ["m1/s2-deuxieme.html"]),   # only ever written « l'ordonnancier »
    ("m1/index.html", "herbier", ["m1/s2-deuxieme.html"]),        # typographic apostrophe: « l’herbier »
    ("m1/index.html", "l'ordonnancier", ["m1/s2-deuxieme.html"]),  # the query is split the same way
    ("bm/m1/index.html", "ɲɛnajɛbaro", ["bm/m1/s1-premiere.html"]),  # after the contraction « k' »
    ("bm/m1/index.html", "k'ɲɛnajɛbaro", ["bm/m1/s1-premiere.html"]),
])
def test_search_finds_words_after_an_elision(browser, mini_site: Path, start, query, expected):
    visit = open_page(browser, mini_site / start)
    assert search(visit, query) == expected


def test_real_site_finds_a_word_written_only_after_an_elision(browser, real_site: Path):
    visit = open_page(browser, real_site / "index.html")
    assert "m2/fiche-04-phrases-utiles.html" in search(visit, "ordonne")  # « on n'ordonne pas »


@pytest.fixture(scope="module")
def served_mini_site(mini_site: Path):
    """The built mini site served over http on 127.0.0.1, as an author's preview is."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(mini_site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("page, expected", [
    ("bm/m1/index.html", ["bm/m1/s1-premiere.html"]),
    ("m1/index.html", ["m1/s1-premiere.html"]),
])
def test_served_preview_searches_in_the_page_language(browser, served_mini_site: str, page, expected):
    context = browser.new_context()
    tab = context.new_page()
    requested: list[str] = []
    tab.on("request", lambda r: requested.append(r.url))
    tab.goto(f"{served_mini_site}/{page}")
    visit = Visit(tab)
    found = search(visit, "baobabier")
    assert [p.split(served_mini_site + "/", 1)[-1] for p in found] == expected
    lang = "bm" if page.startswith("bm/") else "fr"
    assert any(url.endswith(f"search/search_index.{lang}.json") for url in requested), requested
    context.close()
