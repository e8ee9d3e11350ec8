"""The glossary pages, written from the termbase in the page's language.

The page keeps its own introduction; the marker ``<!-- kalan:glossaire -->``
becomes one table per section. Each definition cell also carries what a trainer
or an interpreter needs: how to say the term aloud, the forms not to write (and
why), the forms other sources use, the open question for the native reviewer.
"""

from __future__ import annotations

from kalan.i18n import pick
from kalan.messages import t
from kalan.termbase import Entry, Termbase


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _notes(entry: Entry, lang: str) -> list[str]:
    notes = []
    if entry.spoken:
        notes.append(f"*{t(lang, 'glossaire_oral')}* « {entry.spoken['bm']} »")
    if entry.interpreters:
        notes.append(f"*{t(lang, 'glossaire_interpretes')}* {entry.interpreters['fr']}")
    for variant in entry.variants:
        label = t(lang, "glossaire_eviter") if variant.reported else t(lang, "glossaire_autre_source")
        notes.append(f"*{label}* « {variant.form} » — {variant.reason}")
    if entry.question:
        notes.append(f"*{t(lang, 'glossaire_question')}* {entry.question}")
    return notes


def glossary_markdown(termbase: Termbase, lang: str) -> str:
    columns = t(lang, "glossaire_colonnes").split("|")
    lines: list[str] = []
    for section in termbase.sections:
        level = "###" if section.subsection else "##"
        lines += [f"{level} {pick(section.title, lang)}", ""]
        if section.intro:
            lines += [pick(section.intro, lang), ""]
        lines += ["| " + " | ".join(columns) + " |", "|---|---|---|---|"]
        for entry in section.entries:
            definition = "<br>".join([pick(entry.definition, lang), *_notes(entry, lang)])
            cells = (entry.fr, f"**{entry.bm}**", entry.tones, definition)
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)
