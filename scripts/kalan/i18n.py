"""Languages of the curriculum and the text type that carries them.

Localised text is always a mapping ``{"fr": ..., "bm": ...}``; `pick` returns
the requested language or falls back to French, which callers may report.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGS: tuple[str, ...] = ("fr", "bm")
DEFAULT_LANG = "fr"
LANG_NAMES = {"fr": "Français", "bm": "Bamanankan"}

Localized = Mapping[str, str]


def pick(text: Localized, lang: str) -> str:
    """Text in `lang`, or the French text when that language is missing."""
    value = text.get(lang)
    if value:
        return value
    return text.get(DEFAULT_LANG, "")


def lang_of_path(path: str) -> tuple[str, str]:
    """Split ``bm/m2/index.md`` into ``("bm", "m2/index.md")``; default language otherwise."""
    head, _, rest = path.partition("/")
    if head in LANGS and rest:
        return head, rest
    return DEFAULT_LANG, path

