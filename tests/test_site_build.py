"""The built site, read as files: offline assets, languages, banners, derived blocks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

EXTERNAL_ASSET = re.compile(r'<(?:script|link|img|iframe|source)[^>]+(?:src|href)="(https?:)?//', re.I)


def _html(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def test_no_asset_is_loaded_from_the_network(real_site: Path):
    offenders = [p.relative_to(real_site).as_posix() for p in real_site.rglob("*.html")
                 if EXTERNAL_ASSET.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    assert "unpkg.com" not in "".join(p.read_text(encoding="utf-8") for p in real_site.rglob("*.html"))


def test_every_bambara_page_declares_bm(real_site: Path):
    pages = list((real_site / "bm").rglob("*.html"))
    assert pages
    assert all('<html lang="bm"' in p.read_text(encoding="utf-8") for p in pages)
    french = [p for p in real_site.glob("*.html") if p.name != "404.html"]
    assert all('<html lang="fr"' in p.read_text(encoding="utf-8") for p in french)


def test_search_script_holds_one_index_per_language(real_site: Path):
    script = _html(real_site, "search/search_index.js")
    payload = script.split("var __kalan_index = ", 1)[1].split(";\nvar __index", 1)[0]
    indexes = json.loads(payload)
    assert set(indexes) == {"fr", "bm"}
    assert indexes["bm"]["docs"] and all(d["location"].startswith("bm/") for d in indexes["bm"]["docs"])
    assert indexes["fr"]["docs"] and not any(d["location"].startswith("bm/")
                                             for d in indexes["fr"]["docs"])
    assert indexes["bm"]["config"]["pipeline"] == []


def test_draft_banner_on_unreviewed_bambara_only(mini_site: Path):
    draft = _html(mini_site, "bm/m1/index.html")
    assert "kalan-avis--brouillon" in draft
    assert "aucun locuteur natif ne l'a encore relu" in draft  # French half of the banner
    assert "kalan-avis--brouillon" not in _html(mini_site, "bm/agenda.html")  # traduction: relue
    assert "kalan-avis" not in _html(mini_site, "m1/index.html")


def test_missing_bambara_page_falls_back_to_french_with_notice(mini_site: Path):
    fallback = _html(mini_site, "bm/m1/s2-deuxieme.html")
    assert '<html lang="bm"' in fallback
    assert "tamarinier" in fallback
    # a session page is the trainer's script: labelled as such, not as a page waiting for translation
    assert "kalan-avis--formateur" in fallback and "kalan-avis--repli" not in fallback


def test_module_header_derived_from_manifest(mini_site: Path):
    html = _html(mini_site, "m1/index.html")
    assert "1 h 15" in html  # 45 + 30 minutes
    assert "M1-O1" in html and "reconnaître le kinkéliba" in html
    assert 'href="s1-premiere.html"' in html and "Fiche 1 — Fiche d" in html
    bm = _html(mini_site, "bm/m1/index.html")
    assert "ka ɲɛnajɛ dɔn" in bm and "Kalansenw" in bm


def test_agenda_page_is_computed(mini_site: Path):
    html = _html(mini_site, "agenda.html")
    assert "08:00–08:45" in html and "08:45–09:15" in html and "Bilan du jour" in html


def test_bambara_letters_kept_in_anchors(mini_site: Path):
    assert 'id="kalan-laɲiniw"' in _html(mini_site, "bm/m1/index.html")


def test_navigation_follows_manifest_order(mini_site: Path):
    html = _html(mini_site, "m1/s1-premiere.html")
    nav = re.findall(r'href="([^"]+\.html)"[^>]*class="md-nav__link', html) + \
        re.findall(r'class="md-nav__link[^"]*"[^>]*href="([^"]+\.html)"', html)
    order = [n for n in ("s1-premiere.html", "s2-deuxieme.html", "fiche-01-essai.html")
             if any(n in link for link in nav)]
    assert order == ["s1-premiere.html", "s2-deuxieme.html", "fiche-01-essai.html"]
    assert "Module d'essai" in html  # section titled from the manifest, not the folder name


def test_fallback_pages_join_their_module_section(mini_site: Path):
    """In Bambara, untranslated pages (French fallbacks) sit in the same module section."""
    html = _html(mini_site, "bm/m1/index.html")
    nav = html.split('md-nav--primary', 1)[1].split('md-sidebar--secondary', 1)[0]
    assert nav.count("md-nav__item--nested") == 1  # one section for the one module
    positions = [nav.index(page) for page in ("s1-premiere.html", "s2-deuxieme.html", "fiche-01-essai.html")]
    assert positions == sorted(positions)
