"""Time words in scripts are computed from the agenda; hand-typed ones are reported."""

from __future__ import annotations

import pytest

from kalan.config import Break, DayPlan, load_project
from kalan.errors import KalanError
from kalan.manifests import Module, Session, load_curriculum
from kalan.schedule import build_agenda
from kalan.timewords import check_time_words, when
from tests.conftest import edit_file

DAY = DayPlan(start=8 * 60, end=12 * 60 + 30, tolerance=0, breaks=(Break(10 * 60, 60, {"fr": "Déjeuner"}),))


def _days():
    sessions = tuple(Session(f"M1-S{i}", {"fr": f"S{i}"}, 60, {"fr": "x"}, (), f"m1/s{i}.md") for i in range(1, 7))
    module = Module("M1", 1, "m1", {"fr": "M"}, {"fr": "p"}, 360, (), sessions, (), None)
    # day 1: S1 08:00, S2 09:00, lunch 10:00, S3 11:00 ; day 2: S4 S5, lunch, S6
    return build_agenda([module], DAY)


@pytest.mark.parametrize("here, there, lang, expected", [
    ("M1-S2", "M1-S1", "fr", "tout à l'heure"),
    ("M1-S3", "M1-S1", "fr", "ce matin"),
    ("M1-S1", "M1-S3", "fr", "cet après-midi"),
    ("M1-S4", "M1-S2", "fr", "hier"),
    ("M1-S2", "M1-S5", "fr", "demain"),
    ("M1-S3", "M1-S1", "bm", "bi sɔgɔma"),
])
def test_time_word_seen_from_a_session(here, there, lang, expected):
    assert when(_days(), here, there, lang) == expected


def test_marker_becomes_time_word_on_the_built_page(mini):
    from kalan.sitebuild import build_site

    page = mini.lang_dir("fr") / "m1" / "s2-deuxieme.md"
    page.write_text(page.read_text(encoding="utf-8") +
                    "\n<!-- kalan:quand M1-S1 -->, nous avons vu le baobab.\n", encoding="utf-8")
    site = build_site(load_project(mini.root)).site_dir
    html = (site / "m1" / "s2-deuxieme.html").read_text(encoding="utf-8")
    assert "Tout à l'heure, nous avons vu le baobab." in html


def test_unknown_session_in_marker_is_a_clear_error(mini):
    from kalan.blocks import PageContext, expand_markers

    ctx = PageContext(mini, load_curriculum(mini), "fr", "m1/s2-deuxieme.md", "docs/fr/m1/s2-deuxieme.md")
    with pytest.raises(KalanError, match="kalan:quand M9-S1 » : séance inconnue"):
        expand_markers("Vu <!-- kalan:quand M9-S1 -->.", ctx)


def test_hand_typed_training_time_is_reported_with_line(mini):
    assert check_time_words(mini) == []
    edit_file(mini.lang_dir("fr") / "m1" / "s1-premiere.md", "\n", "\nCe matin, nous avons appris.\n")
    (finding,) = check_time_words(mini)
    assert (finding.path, finding.line, finding.column) == ("docs/fr/m1/s1-premiere.md", 2, 1)
    assert "kalan:quand" in finding.message and finding.severity == "avertissement"


def test_marker_shown_as_inline_code_is_left_alone(mini):
    from kalan.blocks import PageContext, expand_markers

    ctx = PageContext(mini, load_curriculum(mini), "fr", "index.md", "docs/fr/index.md")
    text = "Écrivez `<!-- kalan:quand M1-S1 -->` dans la phrase."
    assert expand_markers(text, ctx) == text
