"""Languages of the curriculum and the text type that carries them.

Localised text is always a mapping ``{"fr": ..., "bm": ...}``; `pick` returns
the requested language or falls back to French, which callers may report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

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


def load_yaml(text: str) -> Any:
    """Plain YAML (no tags) with libyaml's C parser when installed, which is several times faster."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def read_localized(value: object, place: str, shown: str) -> tuple[dict[str, str], list]:
    """Validate a ``{fr: …, bm: …}`` text from a data file: (texts found, findings for `shown`)."""
    from kalan.errors import Finding

    if value is None:
        return {}, [Finding(shown, place, "champ obligatoire manquant")]
    if not isinstance(value, dict):
        return {}, [Finding(shown, place, "doit donner le texte par langue : « fr: … » et « bm: … »")]
    result: dict[str, str] = {}
    findings = []
    for lang in LANGS:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            findings.append(Finding(shown, f"{place}.{lang}", "texte manquant dans cette langue"))
        else:
            result[lang] = text.strip()
    for extra in sorted(set(value) - set(LANGS)):
        findings.append(Finding(shown, f"{place}.{extra}", f"langue inconnue (langues : {', '.join(LANGS)})",
                                "avertissement"))
    return result, findings
