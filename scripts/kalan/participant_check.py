"""`kalan check`: is everything a participant reads written in every language?

The participant handout is never completed with another language, so a missing
Bambara block is reported here (a warning; `kalan check --strict` fails on it),
naming the file and the block: the plain objectives and key messages of a module,
each session's « À retenir », each fiche or participant page, each card.
"""

from __future__ import annotations

from kalan.cards import card_findings, cards_for
from kalan.config import Project
from kalan.errors import Finding
from kalan.manifests import load_curriculum
from kalan.participant import KEY_POINTS_MAX, KEY_POINTS_MIN, lines_findings


def check_participant_text(project: Project) -> list[Finding]:
    curriculum = load_curriculum(project)
    langs = project.langs
    findings: list[Finding] = []
    for module in curriculum.modules:
        shown = module.source.relative_to(project.root).as_posix()
        if not module.participant.present:
            findings.append(Finding(shown, "participant", "aucun texte des participants (objectifs, messages "
                                                          "clés) : le document des participants sera vide",
                                    "avertissement"))
        else:
            findings += lines_findings(module.participant.objectives, shown, "participant.objectifs", langs)
            findings += lines_findings(module.participant.key_messages, shown, "participant.messages_cles", langs)
        for session in module.sessions:
            findings += lines_findings(session.key_points, shown, f"{session.id} › a_retenir", langs,
                                       (KEY_POINTS_MIN, KEY_POINTS_MAX))
        for page in module.participant_pages():
            for lang in langs:
                if not (project.lang_dir(lang) / page).is_file():
                    findings.append(Finding(f"docs/{lang}/{page}", "",
                                            "page des participants absente dans cette langue "
                                            "(le document imprime un avis à sa place)", "avertissement"))
    cards = cards_for(project)
    findings += card_findings(cards, langs)
    known = {s.id for m in curriculum.modules for s in m.sessions}
    shown_on_pages = ""
    for module in curriculum.modules:
        for session in module.sessions:
            page = project.lang_dir(project.default_lang) / session.page
            if page.is_file():
                shown_on_pages += page.read_text(encoding="utf-8")
    for series in cards.series:
        if series.session in known and f"kalan:cartes {series.id}" not in shown_on_pages:
            findings.append(Finding(series.source, series.id, "série affichée sur aucune page de séance "
                                                              f"(ajoutez <!-- kalan:cartes {series.id} --> à sa page)",
                                    "avertissement"))
        elif series.session not in known:
            findings.append(Finding(series.source, series.id, f"séance inconnue {series.session}"))
    return findings
