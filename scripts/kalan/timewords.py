"""Time words in scripts come from the computed agenda, never from the author's memory of it.

A script that says « ce matin » about a session that the agenda puts the day before
misleads the trainer. Authors write ``<!-- kalan:quand M2-S2 -->`` inside a sentence;
it becomes « ce matin », « tout à l'heure », « hier », « le jour 1 »… seen from the
session of the page being read. `check_time_words` reports the training-time phrases
typed by hand in session pages (a role card's story keeps its own time words: the
phrases checked are the ones that only speak of the training day).
"""

from __future__ import annotations

import re

from kalan.config import Break, Project
from kalan.errors import Finding, KalanError
from kalan.manifests import Curriculum, Session, load_curriculum
from kalan.schedule import Day, build_agenda
from kalan.texts import page_lines

CODE_SPAN = re.compile(r"(`+[^`]*`+)")
INLINE = re.compile(r"<!--\s*kalan:quand\s+([A-Z0-9]+-S\d+)\s*-->")
SENTENCE_START = re.compile(r"(^|[.!?:»]\s+|^\s*(?:[-*]|\d+\.)\s+|\*\*)$")
HAND_TYPED = re.compile(r"(?<!\w)(ce matin|cet après-midi|cette après-midi|cette journée|cette matinée|"
                        r"l'après-midi est|la matinée est|après cette journée)(?!\w)", re.IGNORECASE)

PHRASES = {
    "fr": {"earlier_morning": "ce matin", "earlier": "tout à l'heure", "later_afternoon": "cet après-midi",
           "later": "plus tard aujourd'hui", "yesterday": "hier", "tomorrow": "demain", "day": "le jour {n}"},
    "bm": {"earlier_morning": "bi sɔgɔma", "earlier": "sɔɔni", "later_afternoon": "bi wulafɛ",
           "later": "bi, a kɔfɛ", "yesterday": "kunun", "tomorrow": "sini", "day": "don {n} la"},
}


def _position(days: list[Day], session_id: str) -> tuple[int, int, bool]:
    """(day number, start minute, after lunch) of a session; lunch is the day's longest break."""
    for day in days:
        breaks = [s for s in day.slots if isinstance(s.pause, Break)]  # not the day's opening/closing rounds
        lunch = max(breaks, key=lambda s: s.end - s.start).start if breaks else 24 * 60
        for slot in day.slots:
            if slot.session and slot.session.id == session_id:
                return day.number, slot.start, slot.start >= lunch
    raise KeyError(session_id)


def when(days: list[Day], from_session: str, to_session: str, lang: str) -> str:
    """How the trainer of `from_session` names the time of `to_session`."""
    words = PHRASES.get(lang, PHRASES["fr"])
    here_day, here_start, here_pm = _position(days, from_session)
    there_day, there_start, there_pm = _position(days, to_session)
    if there_day == here_day:
        if there_start < here_start:
            return words["earlier_morning"] if here_pm and not there_pm else words["earlier"]
        return words["later_afternoon"] if there_pm and not here_pm else words["later"]
    if there_day == here_day - 1:
        return words["yesterday"]
    if there_day == here_day + 1:
        return words["tomorrow"]
    return words["day"].format(n=there_day)


def page_session(curriculum: Curriculum, page: str) -> Session | None:
    """The session a page belongs to (a module's landing page counts as its first session)."""
    module = curriculum.module_of_page(page)
    if module is None:
        return None
    if page == module.index_page and module.sessions:
        return module.sessions[0]
    return next((s for s in module.sessions if s.page == page), None)


def expand_time_words(line: str, *, project: Project, curriculum: Curriculum, page: str, lang: str,
                      source: str) -> str:
    """Expand the markers of one line, leaving inline code (`` `…` ``) alone so docs can show one."""
    if "kalan:quand" not in line:
        return line
    parts = CODE_SPAN.split(line)
    if len(parts) > 1:
        return "".join(part if i % 2 else expand_time_words(part, project=project, curriculum=curriculum,
                                                            page=page, lang=lang, source=source)
                       for i, part in enumerate(parts))
    here = page_session(curriculum, page)
    if here is None:
        raise KalanError(f"{source} : « kalan:quand » sur une page qui n'est ni une séance ni l'accueil "
                         "d'un module")
    days = build_agenda(curriculum.modules, project.day)
    known = {s.session.id for d in days for s in d.slots if s.session}

    def replace(match: re.Match[str]) -> str:
        target = match.group(1)
        if target not in known:
            raise KalanError(f"{source} : « kalan:quand {target} » : séance inconnue")
        phrase = when(days, here.id, target, lang)
        if SENTENCE_START.search(line[: match.start()]):
            phrase = phrase[0].upper() + phrase[1:]
        return phrase

    return INLINE.sub(replace, line)


def check_time_words(project: Project) -> list[Finding]:
    """Training-time phrases typed by hand in session and module pages (both languages)."""
    curriculum = load_curriculum(project)
    findings = []
    for module in curriculum.modules:
        for rel in [module.index_page, *(s.page for s in module.sessions)]:
            for lang in project.langs:
                path = project.lang_dir(lang) / rel
                if not path.is_file():
                    continue
                for text in page_lines(project, path):
                    for match in HAND_TYPED.finditer(text.text):
                        findings.append(Finding(
                            text.path, "", f"« {match.group(0)} » ne suit pas l'agenda calculé : écrire "
                            "« <!-- kalan:quand Mx-Sy --> » ou nommer la séance", "avertissement",
                            text.line, text.column + match.start()))
    return findings
