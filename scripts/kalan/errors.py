"""Errors that reach the user: one clear French message, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass


class KalanError(Exception):
    """Base for every error the CLI turns into a message and a non-zero exit."""


@dataclass(frozen=True)
class Finding:
    """One problem found in a source file, located as precisely as we can."""

    path: str
    field: str
    message: str
    severity: str = "erreur"  # "erreur", "avertissement" or "info"

    def __str__(self) -> str:
        where = f"{self.path} › {self.field}" if self.field else self.path
        return f"{where} : {self.message}"


class ManifestError(KalanError):
    """A module manifest cannot be used; carries every finding, not only the first."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(str(f) for f in findings))
