"""Markdown → HTML with exactly the extensions the site uses (read from mkdocs.yml).

The PDFs and the translators' sheets render pages themselves, without running
mkdocs, so they survive a change of site generator; reading the extension list
from mkdocs.yml keeps admonitions, tables, tabs and anchors identical to the site.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import markdown


def extensions_from_mkdocs(config_file: Path) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The ``markdown_extensions`` of mkdocs.yml as (names, configs)."""
    from mkdocs.utils.yaml import yaml_load  # understands the !!python tags mkdocs.yml may hold

    with config_file.open(encoding="utf-8") as stream:
        data = yaml_load(stream)
    names: list[str] = []
    configs: dict[str, dict[str, Any]] = {}
    for item in data.get("markdown_extensions", []):
        if isinstance(item, str):
            names.append(item)
        else:
            (name, options), = item.items()
            names.append(name)
            configs[name] = options or {}
    return names, configs


class MarkdownRenderer:
    """Reusable converter; `render` resets it between pages."""

    def __init__(self, config_file: Path):
        names, configs = extensions_from_mkdocs(config_file)
        self._md = markdown.Markdown(extensions=names, extension_configs=configs)

    def render(self, text: str) -> str:
        self._md.reset()
        return self._md.convert(text)
