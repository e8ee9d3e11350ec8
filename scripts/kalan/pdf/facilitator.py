"""Removing facilitator-only material from Markdown for participant documents."""

from __future__ import annotations

import re

# `!!! formateur "…"`, `??? formateur`, `???+ formateur` — the trainer's notes and answers.
FACILITATOR_BLOCK = re.compile(r"^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]*formateur\b")


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def drop_facilitator_blocks(markdown: str) -> str:
    """The Markdown without any ``formateur`` admonition (and its indented body)."""
    lines = markdown.split("\n")
    kept: list[str] = []
    i = 0
    while i < len(lines):
        match = FACILITATOR_BLOCK.match(lines[i])
        if not match:
            kept.append(lines[i])
            i += 1
            continue
        level = _indent(lines[i])
        i += 1
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > level):
            i += 1
        kept.append("")
    return "\n".join(kept)
