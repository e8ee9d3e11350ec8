"""Per-language catalogs of the strings kalan itself writes (headings, labels, notices)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kalan.datafile import load_yaml

HERE = Path(__file__).parent


@cache
def catalog(lang: str) -> dict[str, str]:
    return load_yaml((HERE / f"{lang}.yml").read_text(encoding="utf-8"))


def t(lang: str, key: str, **values: object) -> str:
    """The string `key` in `lang` (French when the Bambara catalog lacks it)."""
    text = catalog(lang).get(key) or catalog("fr")[key]
    return text.format(**values) if values else text
