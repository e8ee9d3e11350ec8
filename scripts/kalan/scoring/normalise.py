"""Turning what people type into the values the database holds."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SPACES = re.compile(r"[\s_\-]+")


@lru_cache(maxsize=65536)  # the same few values come back on every row of an import
def key(text: str) -> str:
    """Accent-, case- and spacing-insensitive form of a header or a category: « Catégorie » → categorie."""
    # Drop accents and tone marks (combining marks) but keep letters such as ɛ ɔ ɲ ŋ.
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c) != "Mn")
    return SPACES.sub(" ", bare).strip().lower()


def header_key(text: str) -> str:
    """A column name without KoboToolbox group prefixes: « reponses/Q01 » → q01."""
    return key(text.rsplit("/", 1)[-1])


SEX = {"f": "F", "femme": "F", "feminin": "F", "m": "M", "h": "M", "homme": "M", "masculin": "M"}
CATEGORIES = {
    "mairie": "mairie", "mairies": "mairie",
    "service technique": "service technique", "services techniques": "service technique",
    "relais communautaire": "relais communautaire", "relais communautaires": "relais communautaire",
    "relais": "relais communautaire",
    "osc": "OSC", "societe civile": "OSC", "organisation de la societe civile": "OSC",
}
CERCLES = {"koro": "Koro", "douentza": "Douentza"}
def _with_labels(base: dict[str, str], labelled: tuple[tuple[str, ...], ...]) -> dict[str, str]:
    """Add the XLSForm choice labels (French and Bambara) of each value, normalised."""
    table = dict(base)
    for name, *labels in labelled:
        for label in labels:
            table[key(label)] = name
            table[label.strip().lower()] = name
    return table


def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    from kalan.quiz.capture import LANG_CHOICES, MARK_LABELS, MODE_CHOICES, PHASE_CHOICES

    languages = _with_labels({"fr": "fr", "francais": "fr", "bm": "bm", "bambara": "bm", "autre": "autre"},
                             LANG_CHOICES)
    modes = _with_labels({"ecrit": "ecrit", "oral": "oral"}, MODE_CHOICES)
    phases = _with_labels({"pre": "pre", "pretest": "pre", "post": "post", "posttest": "post"}, PHASE_CHOICES)
    marks = _with_labels({"a": "A", "b": "B", "c": "C", "v": "V", "f": "F", "vrai": "V", "faux": "F",
                          "": "vide", "vide": "vide", "multiple": "multiple", "illisible": "illisible"},
                         tuple((name, *labels) for name, labels in MARK_LABELS.items()))
    return languages, modes, phases, marks


LANGUAGES, MODES, PHASES, MARKS = _tables()


def lookup(table: dict[str, str], raw: str) -> str | None:
    return table.get(key(raw)) or table.get(raw.strip().lower())
