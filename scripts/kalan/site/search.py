"""One search index per language for the offline site.

static-i18n writes a single index for every language, and Material's French
search pipeline (trimmer, stemmer) mangles Bambara words. Under file:// the
theme loads ``search/search_index.js`` with a script tag and reads the global
``__index``; we rewrite that file so it holds one index per language and picks
the one matching ``<html lang>`` of the page that loads it. The Bambara index
uses no trimmer, stop words or stemmer, so words made only of ɛ ɔ ɲ ŋ survive.
Served over http (``kalan serve``) the theme downloads the JSON index instead:
one JSON file per language is written beside it for that case.
"""

from __future__ import annotations

import json
from pathlib import Path

# Pipeline functions Material may apply; an empty list removes all three.
RAW_PIPELINE: list[str] = []


def split_by_language(index: dict, langs: tuple[str, ...], default: str) -> dict[str, dict]:
    """{lang: index} where each index holds only that language's pages."""
    result: dict[str, dict] = {}
    for lang in langs:
        if lang == default:
            others = tuple(f"{other}/" for other in langs if other != default)
            docs = [d for d in index["docs"] if not d["location"].startswith(others)]
            config = dict(index["config"])
        else:
            docs = [d for d in index["docs"] if d["location"].startswith(f"{lang}/")]
            # "en" loads no lunr-languages stemmer; the empty pipeline removes
            # lunr's English trimmer, stop-word filter and stemmer.
            config = {**index["config"], "lang": ["en"], "pipeline": RAW_PIPELINE}
        result[lang] = {**index, "config": config, "docs": docs}
    return result


def write_offline_index(site_dir: Path, langs: tuple[str, ...], default: str) -> Path | None:
    """Rewrite ``search/search_index.js`` as per-language indexes; None if there is no index.

    Also writes ``search/search_index.<lang>.json`` for the served preview, where the
    theme downloads the index over http (``kalan-search-lang.js`` picks the file).
    """
    source = site_dir / "search" / "search_index.json"
    if not source.is_file():
        return None
    indexes = split_by_language(json.loads(source.read_text(encoding="utf-8")), langs, default)
    for lang, index in indexes.items():
        source.with_name(f"search_index.{lang}.json").write_text(
            json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    target = source.with_suffix(".js")
    payload = json.dumps(indexes, ensure_ascii=False, separators=(",", ":"))
    target.write_text(
        "/* kalan: one search index per language, chosen by <html lang>. */\n"
        f"var __kalan_index = {payload};\n"
        "var __index = __kalan_index[document.documentElement.lang]"
        f" || __kalan_index[{json.dumps(default)}];\n",
        encoding="utf-8",
    )
    return target
