"""Every piece of curriculum text in one language, located by file, line and column.

Checks that read prose (termbase variants, placeholders, time words) use this
one walk instead of each parsing pages and data files: Markdown pages line by
line (front matter, code blocks and marker lines left out), and in YAML files
the scalars under the language's key (``bm: …``), found with PyYAML's node
marks so a finding points at the exact place an author must edit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from kalan.config import Project
from kalan.translations import FRONT_MATTER

FENCE = ("```", "~~~")
MARKER_PREFIX = "<!-- kalan:"
# Keys whose values quote forms on purpose (the termbase's own variant lists).
QUOTING_KEYS = {"variantes_bm", "variantes_fr", "graphies", "question_relecture"}
INTERFACE = {
    "bm": ["scripts/kalan/messages/bm.yml", "scripts/kalan/site/overrides/partials/languages/bm.html"],
    "fr": ["scripts/kalan/messages/fr.yml"],
}


@dataclass(frozen=True)
class TextLine:
    path: str  # relative to the project root
    line: int  # 1-based
    column: int  # 1-based column where `text` starts on that line
    text: str
    field: str = ""  # YAML path of the value ("seances[2].titre.bm"), empty for pages


def page_lines(project: Project, path: Path) -> Iterator[TextLine]:
    """Prose lines of a Markdown page."""
    shown = path.relative_to(project.root).as_posix()
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    skip = text[: match.end()].count("\n") if match else 0
    in_code = False
    for number, line in enumerate(text.split("\n"), 1):
        if number <= skip:
            continue
        if line.strip().startswith(FENCE):
            in_code = not in_code
            continue
        if in_code or line.strip().startswith(MARKER_PREFIX):
            continue
        yield TextLine(shown, number, 1, line)


def yaml_lines(project: Project, path: Path, lang: str | None) -> Iterator[TextLine]:
    """Text of the scalars under key `lang` (every scalar value when `lang` is None)."""
    shown = path.relative_to(project.root).as_posix()
    source = path.read_text(encoding="utf-8")
    raw = source.split("\n")
    try:
        root = yaml.compose(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return  # the file's own loader reports the syntax error
    if root is None:
        return

    def walk(node: yaml.Node, where: str, inside: bool) -> Iterator[TextLine]:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = str(key.value)
                if name in QUOTING_KEYS:
                    continue
                yield from walk(value, f"{where}.{name}" if where else name, inside or lang is None or name == lang)
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value, 1):
                yield from walk(value, f"{where}[{i}]", inside)
        elif isinstance(node, yaml.ScalarNode) and inside and isinstance(node.value, str):
            start, end = node.start_mark, node.end_mark
            for number in range(start.line, min(end.line, len(raw) - 1) + 1):
                first = start.column if number == start.line else 0
                last = end.column if number == end.line else len(raw[number])
                yield TextLine(shown, number + 1, first + 1, raw[number][first:last], where)

    yield from walk(root, "", False)


def curriculum_texts(project: Project, lang: str) -> Iterator[TextLine]:
    """Pages, manifests, cards, item bank, test forms, termbase and interface strings in `lang`."""
    root = project.root
    for page in sorted(project.lang_dir(lang).rglob("*.md")):
        yield from page_lines(project, page)
    data_files = [*sorted((root / "modules").glob("*.yml")), *sorted((root / "cartes").glob("*.yml")),
                  root / "quizzes" / "banque.yml", *sorted((root / "quizzes" / "banque").glob("*.yml")),
                  *sorted((root / "quizzes" / "formulaires").glob("*.yml")),
                  *sorted((root / "referentiels").rglob("*.yml"))]
    for path in data_files:
        if path.is_file():
            yield from yaml_lines(project, path, lang)
    for name in INTERFACE.get(lang, []):
        path = root / name
        if not path.is_file():
            continue
        if path.suffix == ".yml":
            yield from yaml_lines(project, path, None)
        else:
            shown = path.relative_to(root).as_posix()
            for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
                yield TextLine(shown, number, 1, line)
