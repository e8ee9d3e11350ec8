"""The offline site opened from file:// in Debian's Firefox ESR (trainers' laptops), driven through Marionette."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import LOCAL_SCHEMES
from tests.firefox import FIREFOX, Firefox, launch

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not Path(FIREFOX).exists(),
                       reason=f"{FIREFOX} absent : sudo apt-get install firefox-esr (ou ./kalan.sh test en root)"),
    # marionette_driver's own imports (mozinfo, mozrunner) on Python 3.11
    pytest.mark.filterwarnings("ignore:distro.linux_distribution:DeprecationWarning",
                               "ignore:'telnetlib' is deprecated:DeprecationWarning"),
]

BAMBARA_LETTERS = "ɛɔɲŋƐƆƝŊ"


@pytest.fixture(scope="module")
def firefox() -> Iterator[Firefox]:
    with launch() as instance:
        yield instance


def _external(firefox: Firefox) -> list[str]:
    """What the Performance API saw leave file:. Firefox lists only network fetches there (never file:
    ones), so any entry at all is a request to the outside."""
    return [url for url in firefox.resources() if not url.startswith(LOCAL_SCHEMES)]


def _pause(firefox: Firefox, ms: int) -> None:
    firefox.client.execute_async_script(f"setTimeout(arguments[0], {ms})")


FONT_REPORT = """return (async () => {
  await document.fonts.ready;
  const faces = Array.from(document.fonts)
    .filter(f => f.family.replace(/["']/g, '') === 'Kalan Sans')
    .map(f => `${f.weight} ${f.style} ${f.status}`);
  const forLetters = (await document.fonts.load('16px "Kalan Sans"', arguments[0])).length;
  // A letter the bundled font lacked would be drawn by the generic fallback, which differs between
  // monospace and serif: equal widths mean Kalan Sans drew it.
  const ctx = document.createElement('canvas').getContext('2d');
  const width = (font, ch) => { ctx.font = font; return ctx.measureText(ch).width; };
  const fallback = Array.from(arguments[0]).filter(
    ch => width('40px "Kalan Sans", monospace', ch) !== width('40px "Kalan Sans", serif', ch));
  return {faces, forLetters, fallback,
          check: document.fonts.check('16px "Kalan Sans"', arguments[0]),
          family: getComputedStyle(document.querySelector('article')).fontFamily,
          text: document.querySelector('article').innerText};
})();"""


@pytest.mark.parametrize("page, words", [
    ("index.html", ["Accueil d'essai"]),
    ("bm/index.html", ["Bisimila"]),
    ("bm/m1/s1-premiere.html", ["Ŋaniya bɛ baobabier kɔnɔ", "ɲɛnajɛbaro"]),  # ŋ ɛ ɔ ɲ, one folder down
])
def test_pages_render_in_the_bundled_font(firefox: Firefox, mini_site: Path, page, words):
    firefox.open(mini_site / page)
    report = firefox.js(FONT_REPORT, BAMBARA_LETTERS)
    # the four data: faces are known to the page, the regular one (at least) drawn
    assert len(report["faces"]) == 4 and "400 normal loaded" in report["faces"], report["faces"]
    assert report["forLetters"] >= 1
    assert report["check"]  # (Firefox also answers true for a family that does not exist)
    assert report["fallback"] == []
    assert report["family"].startswith('"Kalan Sans"')
    for word in words:
        assert word in report["text"]


@pytest.mark.parametrize("start, query, expected", [
    ("m1/index.html", "baobabier", ["m1/s1-premiere.html"]),                   # also on a Bambara page
    ("m1/index.html", "kinkéliba", ["m1/index.html", "m1/s1-premiere.html"]),  # only ever French
    ("bm/m1/index.html", "Ŋaniya", ["bm/m1/s1-premiere.html"]),
    ("bm/m1/index.html", "baobabier", ["bm/m1/s1-premiere.html"]),
    ("bm/m1/index.html", "kinkéliba", []),
    ("bm/index.html", "ɲɛnajɛ", ["bm/m1/index.html", "bm/m1/s1-premiere.html"]),
    ("bm/index.html", "sa", ["bm/m1/s1-premiere.html"]),  # a French stop word, a Bambara word
])
def test_search_answers_in_the_page_language(firefox: Firefox, mini_site: Path, start, query, expected):
    firefox.open(mini_site / start)
    assert firefox.search(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("Ŋaniya", ["bm/m1/s1-premiere.html"]),
    ("ɲɛnajɛ", ["bm/m1/index.html", "bm/m1/s1-premiere.html"]),
])
def test_search_runs_on_input_without_key_events(firefox: Firefox, mini_site: Path, query, expected):
    """An on-screen keyboard or a paste gives only an `input` event: kalan-search-input.js starts the search."""
    firefox.open(mini_site / "bm" / "index.html")
    assert firefox.search(query, typed=False) == expected


@pytest.mark.parametrize("start, query", [("bm/m1/index.html", "Ŋaniya"), ("m1/index.html", "herbier")])
def test_a_result_opens_its_page_with_the_word_marked(firefox: Firefox, mini_site: Path, start, query):
    from marionette_driver import Wait
    from marionette_driver.by import By

    firefox.open(mini_site / start)
    firefox.search(query)
    firefox.client.find_element(By.CSS_SELECTOR, ".md-search-result__item > a.md-search-result__link").click()
    Wait(firefox.client, timeout=10).until(
        lambda _: firefox.js("return [document.readyState, document.querySelectorAll('article mark').length]")
        [1] > 0, message="no highlighted word")
    assert set(firefox.js("return Array.from(document.querySelectorAll('article mark'), m => m.textContent)")) \
        == {query}


def _switch_language(firefox: Firefox, start: Path, lang: str) -> str:
    """Open the language menu with the mouse, click `lang`; return the URL it lands on."""
    from marionette_driver import Wait
    from marionette_driver.by import By

    client = firefox.client
    firefox.open(start)
    button = client.find_element(By.CSS_SELECTOR, ".md-header__option .md-select > button")
    client.actions.sequence("pointer", "mouse", {"pointerType": "mouse"}).pointer_move(
        0, 0, origin=button).perform()  # the menu opens on hover
    Wait(client, timeout=5).until(lambda _: firefox.js(
        "return getComputedStyle(document.querySelector('.md-select__inner')).opacity") == "1")
    client.find_element(By.CSS_SELECTOR, f".md-select__link[hreflang={lang}]").click()
    Wait(client, timeout=10).until(
        lambda _: client.get_url() != start.as_uri() and firefox.js("return document.readyState") == "complete")
    client.actions.release()
    assert firefox.js("return document.documentElement.lang") == lang
    return client.get_url()


@pytest.mark.parametrize("start, target, lang", [
    ("m1/s1-premiere.html", "bm/m1/s1-premiere.html", "bm"),
    ("bm/m1/s1-premiere.html", "m1/s1-premiere.html", "fr"),
])
def test_language_switch_lands_on_the_twin_page(firefox: Firefox, mini_site: Path, start, target, lang):
    assert _switch_language(firefox, mini_site / start, lang) == (mini_site / target).as_uri()


@pytest.mark.parametrize("start, target, lang", [
    ("m2/s1-aider-responsable.html", "bm/m2/s1-aider-responsable.html", "bm"),
    ("bm/m2/index.html", "m2/index.html", "fr"),
])
def test_real_site_language_switch(firefox: Firefox, real_site: Path, start, target, lang):
    assert _switch_language(firefox, real_site / start, lang) == (real_site / target).as_uri()


def test_nothing_leaves_file(firefox: Firefox, mini_site: Path, real_site: Path):
    firefox.trap.clear()
    since = len(firefox.console_lines())
    seen: dict[str, list[str]] = {}
    for page, query in [(mini_site / "m1/index.html", "kinkéliba"), (mini_site / "bm/index.html", "Ŋaniya"),
                        (real_site / "index.html", "formation"), (real_site / "m2/index.html", "écoute"),
                        (real_site / "bm/m2/s1-aider-responsable.html", "lakana")]:
        firefox.open(page)
        firefox.search(query)  # loads the index, the worker shim and lunr
        _pause(firefox, 300)
        unstyled = firefox.js("return Array.from(document.querySelectorAll('link[rel=stylesheet]'))"
                              ".filter(l => !l.sheet).map(l => l.href)")
        seen[page.as_uri()] = _external(firefox) + unstyled  # not loaded: a style sheet without .sheet
    assert seen == {page: [] for page in seen}  # the Performance API of each page and of its frames
    assert firefox.trap.seen == []  # every connection Firefox opened, from any page, worker or frame
    assert firefox.page_errors(since) == []


def test_the_checks_are_not_blind(firefox: Firefox, mini_site: Path):
    """A page asking for an outside URL is seen by the Performance API and by the trap; its errors are read."""
    firefox.open(mini_site / "index.html")
    firefox.trap.clear()
    since = len(firefox.console_lines())
    firefox.page_js("""const img = new Image(); img.src = 'http://kalan-probe.invalid/pixel.png';
                       document.body.append(img); console.error('kalan-probe console');
                       const s = document.createElement('script');
                       s.src = "data:text/javascript,throw new Error('kalan-probe error')"; document.head.append(s);""")
    _pause(firefox, 1000)
    assert any("kalan-probe.invalid" in url for url in _external(firefox))
    assert any("kalan-probe.invalid" in line for line in firefox.trap.seen)
    errors = firefox.page_errors(since)
    assert any("kalan-probe console" in line for line in errors) and any("kalan-probe error" in e for e in errors)
