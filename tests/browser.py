"""Helpers to drive the built site in Chromium like a trainer would, recording every request."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
RESULT_DONE = re.compile(r"trouvé|Aucun|sɔrɔ|Foyi", re.I)


@dataclass
class Visit:
    page: object
    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    @property
    def external(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]


def open_page(browser: object, path: Path) -> Visit:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    visit = Visit(page)
    page.on("request", lambda r: visit.requests.append(r.url))
    page.on("requestfailed", lambda r: visit.failures.append(f"{r.url} ({r.failure})"))
    page.on("console", lambda m: m.type == "error" and visit.console_errors.append(m.text))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return visit


def search(visit: Visit, query: str) -> list[str]:
    """Type `query` in the search box; return the result pages as site-relative paths."""
    page = visit.page
    page.click("input.md-search__input")
    page.fill("input.md-search__input", "")
    page.type("input.md-search__input", query, delay=20)
    page.wait_for_function(
        "re => new RegExp(re, 'i').test(document.querySelector('.md-search-result__meta').textContent)",
        arg=RESULT_DONE.pattern, timeout=15000)
    hrefs = page.eval_on_selector_all(
        ".md-search-result__item > a.md-search-result__link", "els => els.map(e => e.href)")
    return sorted({_site_path(h) for h in hrefs})


def _site_path(href: str) -> str:
    path = href.split("#", 1)[0].split("?", 1)[0]
    marker = "/site/"
    return path.rsplit(marker, 1)[1] if marker in path else path
