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

    objectives = load_curriculum(project).objective_ids()
    bank = load_bank(project, objectives)
    _, form_findings = load_forms(project, bank)
    findings = bank.findings + form_findings
    if bank.items:
        missing = uncovered_objectives(objectives, bank)
        if missing:
            findings.append(Finding("quizzes/banque.yml", "objectifs",
                                    f"{len(missing)} objectif(s) sans question : {', '.join(missing)}", "info"))
    return findings


def check_termbase(project: Project) -> list[Finding]:
    from kalan.termbase import load_termbase

    return load_termbase(project).findings


CHECKERS: dict[str, Callable[[Project], list[Finding]]] = {
    "Manifestes des modules": lambda project: load_curriculum(project).findings,
    "Pages en bambara (statut de traduction)": check_pages,
    "Banque de questions et formulaires de test": check_quizzes,
    "Termbase (referentiels/termes.yml)": check_termbase,
    "Mots de temps des séances (agenda calculé)": lambda project: _time_words(project),
}


def _time_words(project: Project) -> list[Finding]:
    from kalan.timewords import check_time_words

    return check_time_words(project)


def run_checks(project: Project, *, terms: bool = False, placeholders_detail: bool = False) -> CheckReport:
    """Every checker; `terms` adds the scan of all texts for the termbase's deprecated variants."""
    from kalan.placeholders import placeholder_findings
    from kalan.terms_check import check_terms

    groups = {name: checker(project) for name, checker in CHECKERS.items()}
    if terms:
        groups["Termbase (referentiels/termes.yml)"] = check_terms(project)
    groups["Espaces réservés (à compléter, à vérifier)"] = placeholder_findings(project, placeholders_detail)
    return CheckReport(groups)
