"""Translation status of the Bambara pages, and word counts per module and language.

Every Bambara page declares in its front matter ``traduction: brouillon`` or
``traduction: relue`` (then also ``relu_par`` and ``date``), and may list
``questions_relecture``: what the author could not decide and asks the native
reviewer (printed on the review sheets). Until a native
speaker has reviewed it, the site and the PDFs show a draft banner.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kalan.config import Project
from kalan.datafile import load_yaml
from kalan.errors import Finding
from kalan.manifests import Curriculum

STATUSES = ("brouillon", "relue")
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)---\s*\n", re.S)
WORD = re.compile(r"[^\W\d_]+(?:[’ʼ'\-][^\W\d_]+)*", re.U)
NOT_PROSE = re.compile(r"<!--.*?-->|<[^>]+>|\]\([^)]*\)|`[^`]*`", re.S)


def read_page(path: Path) -> tuple[dict, str]:
    """Front matter (empty when absent) and body of a Markdown page."""
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = load_yaml(match.group(1)) or {}
    return (meta if isinstance(meta, dict) else {}), text[match.end():]


def count_words(markdown: str) -> int:
    return len(WORD.findall(NOT_PROSE.sub(" ", markdown)))


def is_reviewed(meta: dict) -> bool:
    return meta.get("traduction") == "relue"


def reviewer_questions(meta: dict) -> list[str]:
    """The author's questions for the native reviewer (front matter ``questions_relecture``)."""
    questions = meta.get("questions_relecture") or []
    return [str(q).strip() for q in questions if str(q).strip()] if isinstance(questions, list) else []


def check_front_matter(meta: dict, shown: str) -> list[Finding]:
    """Problems with the translation fields of one Bambara page."""
    questions = meta.get("questions_relecture")
    if questions is not None and not (isinstance(questions, list)
                                      and all(isinstance(q, str) and q.strip() for q in questions)):
        return [Finding(shown, "questions_relecture", "une liste de questions : « - \"…\" » par ligne")]
    status = meta.get("traduction")
    if status is None:
        return [Finding(shown, "traduction", "champ manquant : « brouillon » ou « relue »")]
    if status not in STATUSES:
        return [Finding(shown, "traduction", f"valeur {status!r} : « brouillon » ou « relue »")]
    findings = []
    if status == "relue":
        if not str(meta.get("relu_par") or "").strip():
            findings.append(Finding(shown, "relu_par", "qui a relu la page ? (obligatoire si relue)"))
        date = meta.get("date")
        if not isinstance(date, dt.date):
            findings.append(Finding(shown, "date", "date de relecture AAAA-MM-JJ obligatoire si relue"))
    return findings


@dataclass
class Tally:
    pages: int = 0
    words: int = 0

    def add(self, words: int) -> None:
        self.pages += 1
        self.words += words


@dataclass
class Coverage:
    """Pages and words per language for one group of pages (a module or the rest)."""

    label: str
    fr: Tally = field(default_factory=Tally)
    bm: Tally = field(default_factory=Tally)
    reviewed: Tally = field(default_factory=Tally)
    missing_bm: list[str] = field(default_factory=list)


def coverage(project: Project, curriculum: Curriculum) -> list[Coverage]:
    """One row per module in training order, then one for pages outside modules."""
    rows = {m.folder: Coverage(m.label("fr")) for m in curriculum.modules}
    other = Coverage("Hors modules (accueil, agenda, glossaire…)")
    fr_dir, bm_dir = project.lang_dir("fr"), project.lang_dir("bm")
    for fr_page in sorted(fr_dir.rglob("*.md")):
        rel = fr_page.relative_to(fr_dir).as_posix()
        row = rows.get(rel.split("/", 1)[0], other) if "/" in rel else other
        row.fr.add(count_words(read_page(fr_page)[1]))
        bm_page = bm_dir / rel
        if bm_page.is_file():
            meta, body = read_page(bm_page)
            words = count_words(body)
            row.bm.add(words)
            if is_reviewed(meta):
                row.reviewed.add(words)
        else:
            row.missing_bm.append(rel)
    return [*rows.values(), other]


def check_pages(project: Project) -> list[Finding]:
    """Front matter of every Bambara page; Bambara pages without a French original."""
    findings: list[Finding] = []
    fr_dir, bm_dir = project.lang_dir("fr"), project.lang_dir("bm")
    for bm_page in sorted(bm_dir.rglob("*.md")):
        shown = bm_page.relative_to(project.root).as_posix()
        try:
            meta, _ = read_page(bm_page)
        except yaml.YAMLError as exc:
            findings.append(Finding(shown, "en-tête", f"YAML illisible : {exc}"))
            continue
        findings += check_front_matter(meta, shown)
        if not (fr_dir / bm_page.relative_to(bm_dir)).is_file():
            findings.append(Finding(shown, "", "aucune page française correspondante "
                                    f"({(fr_dir / bm_page.relative_to(bm_dir)).relative_to(project.root)})",
                                    "avertissement"))
    return findings
