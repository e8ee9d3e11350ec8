"""Unfilled placeholders: what an author could not know and left visible on purpose.

A placeholder is a bracketed note that says something is still to be filled or
checked locally — ``[à compléter]``, ``[numéro à compléter]``, ``[à vérifier]``,
``[ka fa]``, ``[nimɔrɔ, ka dafa]``, ``[à établir avec un interprète]`` — never
an invented phone number, service or translation. `kalan check` lists them by
file and line; a printed document says on its cover how many it still holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kalan.config import Project
from kalan.errors import Finding
from kalan.texts import TextLine, curriculum_texts

PLACEHOLDER = re.compile(
    r"\[[^\[\]\n]*?(?<!\w)(?:à compléter|à vérifier|à obtenir|à établir|ka fa|ka dafa)(?!\w)[^\[\]\n]*\]",
    re.IGNORECASE)


@dataclass(frozen=True)
class Placeholder:
    path: str
    line: int
    column: int
    text: str


def count_placeholders(text: str) -> int:
    return len(PLACEHOLDER.findall(text))


def find_placeholders(lines: Iterable[TextLine]) -> list[Placeholder]:
    return [Placeholder(t.path, t.line, t.column + m.start(), m.group(0))
            for t in lines for m in PLACEHOLDER.finditer(t.text)]


def curriculum_placeholders(project: Project) -> list[Placeholder]:
    """Placeholders of the content; the interface strings are left out: theirs are templates
    (the blank contact cell of Fiche 12, the notice for a text not yet written)."""
    return [p for lang in project.langs for p in find_placeholders(curriculum_texts(project, lang))
            if not p.path.startswith("scripts/")]


def placeholder_findings(project: Project, detail: bool) -> list[Finding]:
    """One information line per file (its lines), or per placeholder when `detail` is asked."""
    found = curriculum_placeholders(project)
    if detail:
        return [Finding(p.path, "", p.text, "info", p.line, p.column) for p in found]
    by_file: dict[str, dict[int, int]] = {}
    for p in found:
        lines = by_file.setdefault(p.path, {})
        lines[p.line] = lines.get(p.line, 0) + 1
    findings = [Finding(path, "", f"{sum(lines.values())} à compléter — ligne(s) "
                        + ", ".join(f"{n}" + (f" (×{k})" if k > 1 else "") for n, k in lines.items()), "info")
                for path, lines in by_file.items()]
    if found:
        findings.append(Finding("total", "", f"{len(found)} espace(s) réservé(s) dans {len(by_file)} fichier(s) "
                                "(détail : kalan check --espaces)", "info"))
    return findings
