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
        return [f for fs in self.groups.values() for f in fs if f.severity != "erreur"]


CHECKERS: dict[str, Callable[[Project], list[Finding]]] = {
    "Manifestes des modules": lambda project: load_curriculum(project).findings,
    "Pages en bambara (statut de traduction)": check_pages,
}


def run_checks(project: Project) -> CheckReport:
    return CheckReport({name: checker(project) for name, checker in CHECKERS.items()})
