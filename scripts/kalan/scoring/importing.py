"""What every import shares: file hash, one transaction per file, the import log, dry runs."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kalan.errors import KalanError
from kalan.scoring.db import now

MAX_SHOWN = 40


def split_repeats(rows: Iterable, key: Callable[[object], Hashable]) -> tuple[list, list[tuple], int]:
    """Rows of one file read twice over: (rows kept, [(first, repeat), …], Kobo re-submissions dropped).

    A row whose ``uuid`` was already seen is the same KoboToolbox submission exported twice: dropped
    and counted. A later row with the same `key` as a kept one is a repeat, returned with its first
    row so the caller can say whether it is identical or contradicts it."""
    seen_uuid: set[str] = set()
    first: dict[Hashable, object] = {}
    kept, repeats, resubmitted = [], [], 0
    for row in rows:
        if row.uuid:
            if row.uuid in seen_uuid:
                resubmitted += 1
                continue
            seen_uuid.add(row.uuid)
        earlier = first.get(key(row))
        if earlier is None:
            first[key(row)] = row
            kept.append(row)
        else:
            repeats.append((earlier, row))
    return kept, repeats, resubmitted


def resubmission_warnings(resubmitted: int) -> list[str]:
    """The warning for Kobo submissions `split_repeats` dropped (none when there were none)."""
    return [f"{resubmitted} soumission(s) KoboToolbox en double (même _uuid) ignorée(s)"] if resubmitted else []


class ImportRefused(KalanError):
    """The file has problems: nothing was written. Carries every problem found."""

    def __init__(self, file: str, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_SHOWN]
        more = f"\n  … et {len(problems) - MAX_SHOWN} autre(s)" if len(problems) > MAX_SHOWN else ""
        super().__init__(f"{file} : {len(problems)} problème(s), rien n'a été importé :\n"
                         + "\n".join(f"  - {p}" for p in shown) + more)


@dataclass
class ImportSummary:
    file: str
    kind: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    already_imported: str | None = None  # date of the earlier import of the same file
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return self.added + self.updated


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_import(conn: sqlite3.Connection, path: Path, kind: str, file_format: str, dry_run: bool,
               apply: Callable[[sqlite3.Connection, int, ImportSummary], None],
               summary: ImportSummary) -> ImportSummary:
    """Run `apply` inside one transaction; roll back on any error or on a dry run."""
    digest = file_hash(path)
    earlier = conn.execute("SELECT imported_at FROM imports WHERE kind = ? AND sha256 = ? ORDER BY id LIMIT 1",
                           (kind, digest)).fetchone()
    if earlier:
        summary.already_imported = earlier[0]
        return summary
    conn.execute("BEGIN IMMEDIATE")
    try:
        cursor = conn.execute(
            "INSERT INTO imports (kind, file, sha256, format, imported_at, rows, changes) VALUES (?, ?, ?, ?, ?, 0, 0)",
            (kind, path.name, digest, file_format, now()))
        import_id = cursor.lastrowid
        apply(conn, import_id, summary)
        conn.execute("UPDATE imports SET rows = ?, changes = ? WHERE id = ?",
                     (summary.rows, summary.changes, import_id))
        conn.executemany("INSERT INTO import_warnings VALUES (?, ?)", [(import_id, w) for w in summary.warnings])
        if dry_run or summary.changes == 0:
            conn.execute("ROLLBACK")  # a file that changes nothing leaves no trace
        else:
            conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    summary.dry_run = dry_run
    return summary
