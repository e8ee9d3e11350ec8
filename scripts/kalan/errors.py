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
    line: int | None = None  # 1-based, when the finding points into a text file
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        path = self.path
        if self.line is not None:
            path += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        where = f"{path} › {self.field}" if self.field else path
        return f"{where} : {self.message}"


class ManifestError(KalanError):
    """A module manifest cannot be used; carries every finding, not only the first."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(str(f) for f in findings))


def raise_on_errors(findings: list[Finding], title: str) -> None:
    """Stop a build on a data file's errors, listing every one (warnings and information pass)."""
    errors = [f for f in findings if f.severity == "erreur"]
    if errors:
        raise KalanError(f"{title} :\n" + "\n".join(f"  - {f}" for f in errors))


# What the system says of a file it could not write, in French (its own words are in English).
OS_ERRORS_FR = {
    "EACCES": "permission refusée", "EPERM": "permission refusée", "EISDIR": "c'est un dossier",
    "ENOTDIR": "un élément du chemin n'est pas un dossier", "ENOENT": "dossier ou fichier introuvable",
    "ENOSPC": "plus de place sur le disque", "EROFS": "support en lecture seule (clé verrouillée ?)",
    "EEXIST": "existe déjà",
}


def os_error_fr(exc: OSError) -> str:
    """« chemin : raison » for an OSError, the reason in French when known."""
    import errno

    reason = OS_ERRORS_FR.get(errno.errorcode.get(exc.errno or 0, ""), exc.strerror or str(exc))
    where = str(exc.filename).removesuffix(".part") + (".pdf" if str(exc.filename).endswith(".part") else "") \
        if exc.filename else ""
    return f"{where} : {reason}" if where else reason
