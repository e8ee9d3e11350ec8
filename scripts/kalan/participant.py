"""Participant text: what a trainee takes home, kept as data in the module manifests.

A session page is the trainer's script. What a participant reads is marked as
participant text in the manifest — the module's ``participant:`` block (plain
objectives, key messages, participant pages) and each session's ``a_retenir:`` —
so the participant handout is built from it, never by stripping a facilitator page.
The same data appears on the trainer's pages through the markers
``<!-- kalan:messages-cles -->`` and ``<!-- kalan:a-retenir -->``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kalan.errors import Finding
from kalan.i18n import LANGS

# Shared shape of a participant block: language → lines.
Lines = dict[str, tuple[str, ...]]

PARTICIPANT_KEYS = {"objectifs", "messages_cles", "pages", "questions_relecture"}
KEY_POINTS_MIN, KEY_POINTS_MAX = 3, 8
KEY_POINT_MAX_CHARS = 120


@dataclass(frozen=True)
class ParticipantText:
    """A module's ``participant:`` block."""

    objectives: Lines = field(default_factory=dict)
    key_messages: Lines = field(default_factory=dict)
    pages: tuple[str, ...] = ()  # other participant pages of the module folder, relative to docs/<lang>/
    reviewer_questions: tuple[str, ...] = ()

    @property
    def present(self) -> bool:
        return bool(self.objectives or self.key_messages or self.pages)


def read_lines(value: object, place: str, shown: str) -> tuple[Lines, list[Finding]]:
    """``{fr: [..], bm: [..]}`` → lines per language. A missing language is not an error here:
    `participant_findings` reports it, so a draft can exist in French first."""
    if value is None:
        return {}, []
    if not isinstance(value, dict):
        return {}, [Finding(shown, place, "doit donner les lignes par langue : « fr: » puis « - … »")]
    lines: Lines = {}
    findings: list[Finding] = []
    for lang, items in value.items():
        where = f"{place}.{lang}"
        if lang not in LANGS:
            findings.append(Finding(shown, where, f"langue inconnue (langues : {', '.join(LANGS)})",
                                    "avertissement"))
            continue
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            findings.append(Finding(shown, where, "doit être une liste de lignes de texte (« - … »)"))
            continue
        lines[lang] = tuple(" ".join(i.split()) for i in items)
    return lines, findings


def read_participant(value: object, folder: str, shown: str) -> tuple[ParticipantText, list[Finding]]:
    if value is None:
        return ParticipantText(), []
    if not isinstance(value, dict):
        return ParticipantText(), [Finding(shown, "participant", "doit être une table (objectifs, messages_cles…)")]
    findings = [Finding(shown, f"participant.{key}",
                        f"champ inconnu (champs possibles : {', '.join(sorted(PARTICIPANT_KEYS))})",
                        "avertissement") for key in sorted(set(value) - PARTICIPANT_KEYS)]
    objectives, found = read_lines(value.get("objectifs"), "participant.objectifs", shown)
    findings += found
    messages, found = read_lines(value.get("messages_cles"), "participant.messages_cles", shown)
    findings += found
    pages = value.get("pages") or []
    if not isinstance(pages, list) or not all(isinstance(p, str) and p.endswith(".md") for p in pages):
        findings.append(Finding(shown, "participant.pages", "doit être une liste de pages .md du dossier du module"))
        pages = []
    questions = value.get("questions_relecture") or []
    if not isinstance(questions, list):
        findings.append(Finding(shown, "participant.questions_relecture", "doit être une liste de questions"))
        questions = []
    return ParticipantText(objectives, messages, tuple(f"{folder}/{p}" for p in pages),
                           tuple(str(q) for q in questions)), findings


def lines_findings(lines: Lines, shown: str, block: str, langs: tuple[str, ...],
                   limits: tuple[int, int] | None = None) -> list[Finding]:
    """A participant block must exist in every language; « À retenir » also has a length."""
    findings = []
    for lang in langs:
        if not lines.get(lang):
            findings.append(Finding(shown, block, f"texte des participants absent en « {lang} » (jamais remplacé "
                                                  "par une autre langue à l'impression)",
                                    "avertissement"))
            continue
        if limits:
            low, high = limits
            if not low <= len(lines[lang]) <= high:
                findings.append(Finding(shown, f"{block}.{lang}",
                                        f"{len(lines[lang])} ligne(s) ; « À retenir » en compte {low} à {high}",
                                        "avertissement"))
            for n, line in enumerate(lines[lang], 1):
                if len(line) > KEY_POINT_MAX_CHARS:
                    findings.append(Finding(shown, f"{block}.{lang}[{n}]",
                                            f"ligne de {len(line)} caractères : « À retenir » veut des lignes "
                                            f"courtes (au plus {KEY_POINT_MAX_CHARS})", "avertissement"))
    return findings


def summary_markdown(module, lang: str) -> str:
    """The first page(s) of a module in the participant handout, from the manifest only:
    title, objectives in plain words, key messages, the « À retenir » of every session.
    A block missing in `lang` prints a visible placeholder, never another language."""
    from kalan.i18n import pick
    from kalan.messages import t

    def block(lines: Lines) -> tuple[str, ...]:
        return lines.get(lang) or (t(lang, "texte_manquant"),)

    text = [f"# {module.label(lang)}", ""]
    participant: ParticipantText = module.participant
    text += [f"## {t(lang, 'objectifs_participant')}", ""]
    text += [f"- {line}" for line in block(participant.objectives)]
    text += ["", f"## {t(lang, 'messages_cles')}", ""]
    text += [f"{n}. {line}" for n, line in enumerate(block(participant.key_messages), 1)]
    text += ["", f"## {t(lang, 'a_retenir')}", ""]
    for session in module.sessions:
        text += [f"### {pick(session.title, lang)}", ""]
        text += [f"- {line}" for line in block(session.key_points)]
        text.append("")
    return "\n".join(text)
