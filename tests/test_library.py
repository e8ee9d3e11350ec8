"""Small pure parts of the library: catalogs, markers, word counts, search split."""

from __future__ import annotations

import datetime as dt

import pytest

from kalan.blocks import PageContext, duration, expand_markers
from kalan.errors import KalanError
from kalan.manifests import load_curriculum
from kalan.messages import catalog
from kalan.site.search import split_by_language
from kalan.translations import check_front_matter, count_words


def test_catalogs_have_the_same_keys():
    assert set(catalog("fr")) == set(catalog("bm"))


@pytest.mark.parametrize("minutes, lang, text", [
    (45, "fr", "45 min"), (60, "fr", "1 h"), (90, "fr", "1 h 30"), (75, "bm", "1 lɛrɛ 15"),
])
def test_duration(minutes, lang, text):
    assert duration(minutes, lang) == text


def test_unknown_marker_is_an_error_naming_the_page(mini):
    ctx = PageContext(mini, load_curriculum(mini), "fr", "m1/index.md", "docs/fr/m1/index.md")
    with pytest.raises(KalanError, match=r"docs/fr/m1/index.md.*kalan:horaire"):
        expand_markers("# T\n\n<!-- kalan:horaire -->\n", ctx)


def test_markers_in_code_are_left_alone(mini):
    ctx = PageContext(mini, load_curriculum(mini), "fr", "index.md", "docs/fr/index.md")
    text = "```\n<!-- kalan:entete -->\n```\nVoir `<!-- kalan:entete -->`.\n"
    assert expand_markers(text, ctx) == text


def test_count_words_ignores_markup_and_counts_bambara():
    assert count_words("# Ɲɛnajɛ\n\n<!-- kalan:entete -->\nA b'a fɔ [lien](x.md) `code` 12.") == 5


@pytest.mark.parametrize("meta, fields", [
    ({"traduction": "brouillon"}, []),
    ({}, ["traduction"]),
    ({"traduction": "fini"}, ["traduction"]),
    ({"traduction": "relue"}, ["relu_par", "date"]),
    ({"traduction": "relue", "relu_par": "A. K.", "date": dt.date(2027, 1, 5)}, []),
])
def test_translation_front_matter(meta, fields):
    assert [f.field for f in check_front_matter(meta, "docs/bm/x.md")] == fields


def test_search_split_keeps_each_page_in_its_language():
    index = {"config": {"lang": ["fr"], "pipeline": ["stopWordFilter"], "separator": " "},
             "docs": [{"location": "a.html"}, {"location": "bm/a.html"}, {"location": "m1/b.html"}]}
    split = split_by_language(index, ("fr", "bm"), "fr")
    assert [d["location"] for d in split["fr"]["docs"]] == ["a.html", "m1/b.html"]
    assert [d["location"] for d in split["bm"]["docs"]] == ["bm/a.html"]
    assert split["bm"]["config"]["pipeline"] == [] and split["bm"]["config"]["lang"] == ["en"]
    assert split["fr"]["config"] == index["config"]
