"""The results database: one SQLite file, created and migrated by kalan."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from kalan.errors import KalanError
from kalan.scoring.migrations import MIGRATIONS


def open_db(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None)  # we manage transactions ourselves
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise KalanError(f"{path} : ce fichier n'est pas une base kalan lisible ({exc})") from None
    return conn


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the pending migrations, each in its own transaction; return their names."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        rebuilds = REBUILD_MARK in sql  # a table rebuild: foreign keys off, then all checked before commit
        if rebuilds:
            conn.execute("PRAGMA foreign_keys = OFF")  # only possible outside a transaction
        conn.execute("BEGIN")
        try:
            for statement in _statements(sql):
                conn.execute(statement)
            if rebuilds and conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise sqlite3.IntegrityError(f"migration {name} : clés étrangères incohérentes")
            conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", (name, now()))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            if rebuilds:
                conn.execute("PRAGMA foreign_keys = ON")
        applied.append(name)
    return applied


REBUILD_MARK = "-- kalan:sans-cles-etrangeres"


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (no semicolons inside our string literals)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def open_project_db(project, db: Path | None = None) -> sqlite3.Connection:
    """The database a command works on: the one `--db` names, else the project's (`data/kalan.sqlite`)."""
    return open_db(db or project.results_db)
