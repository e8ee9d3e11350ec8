"""`kalan check --termes`: every deprecated variant of the termbase, wherever it is written.

Bambara variants are looked for in every Bambara text, French ones in every French
text (`kalan.texts`). A form matches as whole words, ignoring case, with ’ and '
taken as the same letter and any run of spaces as one space. Each hit is a warning (an
error under ``--strict``) naming file, line, column, the form, the term to use and why.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from kalan.config import Project
from kalan.errors import Finding
from kalan.termbase import Termbase, Variant, load_termbase
from kalan.texts import TextLine, curriculum_texts

APOSTROPHES = "'’ʼ"


def form_pattern(form: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive pattern for a form of one or more words."""
    parts = []
    for char in unicodedata.normalize("NFC", form.strip()):
        if char in APOSTROPHES:
            parts.append(f"[{APOSTROPHES}]")
        elif char.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
    return re.compile(rf"(?<![\w{APOSTROPHES}])" + "".join(parts) + r"(?!\w)", re.IGNORECASE)


def find_variants(lines: Iterable[TextLine], variants: list[Variant]) -> list[Finding]:
    patterns = [(variant, form_pattern(variant.form)) for variant in variants if variant.form]
    findings = []
    for text in lines:
        normalised = unicodedata.normalize("NFC", text.text)
        for variant, pattern in patterns:
            for match in pattern.finditer(normalised):
                use = f"« {variant.replacement} »" if variant.replacement else "une autre formulation"
                findings.append(Finding(
                    text.path, text.field,
                    f"« {match.group(0)} » → {use} : {variant.reason} [termes : {variant.entry}]",
                    "avertissement", text.line, text.column + match.start()))
    return findings


def check_terms(project: Project, termbase: Termbase | None = None) -> list[Finding]:
    """Termbase problems, then every deprecated variant in Bambara and in French texts."""
    termbase = termbase or load_termbase(project)
    findings = list(termbase.findings)
    for lang in ("bm", "fr"):
        variants = [v for v in termbase.variants if v.lang == lang]
        if variants:
            findings += find_variants(curriculum_texts(project, lang), variants)
    findings += unspoken_acronyms(project, termbase)
    return findings


# Acronyms: two or more capitals, perhaps a short lower-case tail (CSCom, CSRef), perhaps the Bambara plural -w.
ACRONYM = re.compile(r"(?<![\w-])([A-Z]{2,}[a-z]{0,2})w?(?![\w-])")
# What participants read or hear in Bambara: module pages and fiches, manifests, cards, the item bank.
HEARD = re.compile(r"^(docs/bm/m\d+/|modules/|cartes/|quizzes/)")


def spoken_acronyms(termbase: Termbase) -> set[str]:
    """Acronyms that have a spoken Bambara form: those named in an entry that has ``oral.bm``."""
    known: set[str] = set()
    for entry in termbase.entries:
        if entry.spoken.get("bm"):
            known |= {m.group(1) for m in ACRONYM.finditer(f"{entry.fr} {entry.bm} {entry.spoken['bm']}")}
    return known


def unspoken_acronyms(project: Project, termbase: Termbase) -> list[Finding]:
    """Every acronym of the Bambara texts people hear must have a spoken form in the termbase: a trainer
    or an interpreter reading « VBG » aloud says nothing to most listeners. An all-capitals Bambara word
    written for emphasis (« ABADA ») is not an acronym: acronyms are those the French texts use too."""
    french = {m.group(1) for t in curriculum_texts(project, "fr") for m in ACRONYM.finditer(t.text)}
    known = spoken_acronyms(termbase)
    findings = []
    for text in curriculum_texts(project, "bm"):
        if not HEARD.match(text.path):
            continue
        for match in ACRONYM.finditer(text.text):
            word = match.group(1)
            if word in french and word not in known:
                findings.append(Finding(text.path, text.field, f"« {word} » n'a pas de forme dite en bambara dans "
                                                              "la termbase (ajoutez « oral: bm: » à son entrée)",
                                        "avertissement", text.line, text.column + match.start()))
    return findings
