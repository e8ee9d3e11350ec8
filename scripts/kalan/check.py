"""`kalan check`: every content checker, all findings at once, grouped by checker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kalan.config import Project
from kalan.errors import Finding
from kalan.manifests import load_curriculum
from kalan.translations import check_pages


@dataclass(frozen=True)
class CheckReport:
    groups: dict[str, list[Finding]]

    @property
    def errors(self) -> list[Finding]:
        return [f for fs in self.groups.values() for f in fs if f.severity == "erreur"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for fs in self.groups.values() for f in fs if f.severity == "avertissement"]


def check_quizzes(project: Project) -> list[Finding]:
    """Item bank and test forms; objectives that no item measures are reported as information."""
    from kalan.quiz.bank import load_bank
    from kalan.quiz.forms import load_forms, uncovered_objectives

    curriculum = load_curriculum(project)
    objectives = curriculum.objective_ids()
    bank = load_bank(project, objectives)
    _, form_findings = load_forms(project, bank)
    findings = bank.findings + form_findings
    if bank.items:
        from kalan.cards import cards_for
        from kalan.quiz.cues import bank_cues, copied_practice

        missing = uncovered_objectives(objectives, bank)
        if missing:
            findings.append(Finding("quizzes/", "objectifs",
                                    f"{len(missing)} objectif(s) sans aucune question : {', '.join(missing)}", "info"))
        findings += bank_cues(bank, objectives)
        pages = [s.page for m in curriculum.modules for s in m.sessions]
        cards = [(s.source, c.text.get("fr", "")) for s in cards_for(project).series for c in s.cards]
        findings += copied_practice(project, bank, pages, cards)
    return findings


def check_participants(project: Project) -> list[Finding]:
    from kalan.participant_check import check_participant_text

    return check_participant_text(project)


def check_circuits(project: Project) -> list[Finding]:
    from kalan.circuits import circuit_findings

    return circuit_findings(project)


def check_picture_cards(project: Project) -> list[Finding]:
    from kalan.picture_cards import picture_card_findings

    return picture_card_findings(project)


CHECKERS: dict[str, Callable[[Project], list[Finding]]] = {
    "Manifestes des modules": lambda project: load_curriculum(project).findings,
    "Texte des participants et cartes (toutes les langues)": check_participants,
    "Circuits de référencement (services des communes)": check_circuits,
    "Cartes-images (images et légendes)": check_picture_cards,
    "Pages en bambara (statut de traduction)": check_pages,
    "Banque de questions et formulaires de test": check_quizzes,
}


def run_checks(project: Project, *, terms: bool = False, placeholders_detail: bool = False) -> CheckReport:
    """Every checker; `terms` adds the scan of all texts for the termbase's deprecated variants
    (the termbase itself is validated either way, and read once)."""
    from kalan.placeholders import placeholder_findings
    from kalan.termbase import load_termbase
    from kalan.terms_check import check_terms
    from kalan.timewords import check_time_words

    groups = {name: checker(project) for name, checker in CHECKERS.items()}
    termbase = load_termbase(project)
    groups["Termbase (referentiels/termes.yml)"] = check_terms(project, termbase) if terms else termbase.findings
    groups["Mots de temps des séances (agenda calculé)"] = check_time_words(project)
    groups["Espaces réservés (à compléter, à vérifier)"] = placeholder_findings(project, placeholders_detail)
    return CheckReport(groups)
