"""Two offices, one picture: merging another office's results database into this one.

Koro and Douentza each keep their own SQLite file offline. `merge_database` copies into this
database what the other holds — participants, test definitions (variants and their keys),
sittings, attendance, observed skills, and the import log with its warnings — in one transaction.

A row already here with the same values is left alone, so merging twice changes nothing. A row
here and there with **different** values is a conflict (the same person and phase with other
answers, a person whose commune differs, an observer's other scores…): the merge is refused,
every conflict listed with the person and what differs, and nothing is changed. The merge is
recorded in ``imports`` with kind ``fusion`` and the SHA-256 of the other file; rows copied keep
their provenance (the other office's import record, sheet and row).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from kalan.errors import KalanError
from kalan.scoring.importing import MAX_SHOWN, ImportSummary, run_import


@dataclass(frozen=True)
class TableSpec:
    name: str
    label: str  # French, for the summary
    key: tuple[str, ...]  # what identifies a row in both databases
    compared: tuple[str, ...]  # must be equal when the key is in both: else a conflict
    kept: tuple[str, ...] = ()  # copied with a new row, never compared (provenance, dates)
    serial: str | None = None  # INTEGER PRIMARY KEY: renumbered here
    json_columns: tuple[str, ...] = ()


# In foreign-key order. `imports` and `import_warnings` are handled apart (their ids are renumbered).
TABLES = (
    TableSpec("cohorts", "cohortes", ("code",), ()),
    TableSpec("participants", "participants", ("code",),
              ("sex", "category", "cercle", "commune", "organisation", "cohort", "name"), ("import_id",)),
    TableSpec("variants", "variantes de test", ("id",), ("form_id", "version", "phase", "items", "pass_mark")),
    TableSpec("variant_keys", "corrigés", ("variant_id", "item_id"), ("position", "key", "objective")),
    TableSpec("sittings", "tests passés", ("participant", "form_id", "phase"),
              ("variant_id", "language", "mode", "marks"),
              ("taken_on", "import_id", "source_sheet", "source_row"), "id", ("marks",)),
    TableSpec("attendance", "présences", ("participant", "day", "half"), ("present",),
              ("import_id", "source_sheet", "source_row")),
    TableSpec("skill_observations", "observations de compétences", ("participant", "checklist_id", "observer"),
              ("checklist_version", "scores"), ("scenario", "observed_on", "import_id", "source_sheet", "source_row"),
              "id", ("scores",)),
)
IMPORT_COLUMNS = ("kind", "file", "sha256", "format", "imported_at", "rows", "changes")
# Tables each office keeps for itself: the photographed answer sheets and their review queue (photos and
# crops stay where the sheets were read); the sittings they produced are merged like any other.
LOCAL_TABLES = {
    "omr_pages": ("id", "file", "sha256", "page", "form_id", "variant_id", "reading", "status", "read_at",
                  "import_id", "sitting_id", "thumbnail"),
    "omr_doubts": ("page_id", "field", "proposed", "reason", "fills", "crop", "correction", "corrected_by"),
}
HANDLED = {"imports": ("id", *IMPORT_COLUMNS), "import_warnings": ("import_id", "message"),
           "schema_migrations": ("name", "applied_at"), **LOCAL_TABLES,
           **{t.name: tuple(c for c in (t.serial, *t.key, *t.compared, *t.kept) if c) for t in TABLES}}
FIELD_LABELS = {"sex": "sexe", "category": "catégorie", "cercle": "cercle", "commune": "commune",
                "organisation": "organisation", "cohort": "cohorte", "name": "nom", "form_id": "formulaire",
                "version": "version", "phase": "phase", "items": "questions", "pass_mark": "note de passage",
                "position": "position", "key": "clé", "objective": "objectif", "variant_id": "variante",
                "language": "langue", "mode": "mode", "present": "présence",
                "checklist_version": "version de la grille"}
HALVES = {"matin": "matin", "apres-midi": "après-midi"}


class MergeRefused(KalanError):
    """Conflicts between the two databases: nothing was merged. Carries every conflict."""

    def __init__(self, file: str, conflicts: list[str]):
        self.conflicts = conflicts
        shown = conflicts[:MAX_SHOWN]
        more = f"\n  … et {len(conflicts) - MAX_SHOWN} autre(s)" if len(conflicts) > MAX_SHOWN else ""
        super().__init__(f"{file} : {len(conflicts)} conflit(s) avec cette base, rien n'a été fusionné :\n"
                         + "\n".join(f"  - {c}" for c in shown) + more
                         + "\n  Corrigez la base qui se trompe (ou réimportez le bon fichier), puis recommencez.")


@dataclass
class MergeSummary(ImportSummary):
    tables: dict[str, list[int]] = field(default_factory=dict)  # label → [added, unchanged]


def _database_file(conn: sqlite3.Connection) -> Path | None:
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file).resolve()
    return None


def _check_other(conn: sqlite3.Connection, other: Path) -> None:
    """A kalan database that exists, is not this one, and that this kalan can read."""
    from kalan.scoring.migrations import MIGRATIONS

    if not other.is_file():
        raise KalanError(f"{other} : fichier introuvable")
    if _database_file(conn) == other.resolve():
        raise KalanError(f"{other.name} : c'est la base ouverte elle-même — indiquez la base de l'autre bureau")
    try:
        probe = sqlite3.connect(f"{other.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = {row[0] for row in probe.execute("SELECT name FROM schema_migrations")}
        finally:
            probe.close()
    except sqlite3.DatabaseError:
        raise KalanError(f"{other.name} : ce n'est pas une base de résultats kalan "
                         "(il faut le fichier .sqlite de l'autre bureau, par exemple data/kalan.sqlite)") from None
    unknown = sorted(names - {name for name, _ in MIGRATIONS})
    if unknown:
        raise KalanError(f"{other.name} : base tenue par une version plus récente de kalan (migration "
                         f"{', '.join(unknown)}) — mettez kalan à jour ici avant de fusionner")


def _columns(conn: sqlite3.Connection) -> dict[str, list[str]]:
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: [row[1] for row in conn.execute(f'PRAGMA table_info("{t}")')] for t in tables}


def _read_other(other: Path) -> tuple[dict[str, list[dict]], list[str]]:
    """Every row of the tables the merge knows, and a warning for each other table that holds rows."""
    from kalan.scoring.db import open_db

    oconn = open_db(other)  # migrated to this kalan's schema, like ours
    try:
        columns = _columns(oconn)
        for table, names in columns.items():
            extra = [c for c in names if table in HANDLED and c not in HANDLED[table]]
            if extra:
                raise KalanError(f"{other.name} : la fusion ne sait pas encore traiter la colonne "
                                 f"{', '.join(extra)} de la table {table} (kalan à mettre à jour)")
        warnings = [f"{other.name} : table « {table} » non fusionnée ({count} ligne(s))"
                    for table in columns if table not in HANDLED
                    for (count,) in oconn.execute(f'SELECT COUNT(*) FROM "{table}"') if count]
        oconn.row_factory = sqlite3.Row
        data = {table: [dict(row) for row in oconn.execute(f'SELECT * FROM "{table}" ORDER BY rowid')]
                for table in ("imports", "import_warnings", *(t.name for t in TABLES))}
    finally:
        oconn.close()  # checkpoints the write-ahead log: the file's hash is then its whole content
    return data, warnings


def _who(spec: TableSpec, row: dict) -> str:
    """The row named for a person: « KOR-012, PP1 post », « KOR-012, jour 2 matin »."""
    if spec.name == "participants":
        return row["code"]
    if spec.name == "sittings":
        return f"{row['participant']}, {row['form_id']} {row['phase']}"
    if spec.name == "attendance":
        return f"{row['participant']}, jour {row['day']} {HALVES.get(row['half'], row['half'])}"
    if spec.name == "skill_observations":
        return f"{row['participant']}, grille {row['checklist_id']}, observateur {row['observer']}"
    if spec.name == "variant_keys":
        return f"variante {row['variant_id']}, question {row['item_id']}"
    if spec.name == "variants":
        return f"variante {row['id']}"
    return f"{spec.label} {' '.join(str(row[k]) for k in spec.key)}"


def _shown(column: str, value: object) -> str:
    if column == "present":
        return "présent" if value == 1 else "absent" if value == 0 else str(value)
    return "vide" if value is None or value == "" else str(value)


def _differences(spec: TableSpec, here: dict, there: dict) -> list[str]:
    """What differs, as « commune : Koro / Bondo » (here / there); names are never printed."""
    out = []
    for column in spec.compared:
        a, b = here[column], there[column]
        if column in spec.json_columns:
            a, b = json.loads(a), json.loads(b)
            out += [f"{k} : {_shown(k, a.get(k))} / {_shown(k, b.get(k))}" for k in dict.fromkeys([*a, *b])
                    if a.get(k) != b.get(k)]
        elif a != b:
            label = FIELD_LABELS.get(column, column)
            out.append(f"{label} : différent" if column == "name" else f"{label} : {_shown(column, a)} / "
                                                                         f"{_shown(column, b)}")
    return out


def _conflict_heading(spec: TableSpec) -> str:
    return {"participants": "données du participant différentes", "sittings": "réponses différentes",
            "attendance": "présence différente", "skill_observations": "notes différentes",
            "variants": "définition différente", "variant_keys": "corrigé différent"}.get(spec.name, "différent")


def merge_database(conn: sqlite3.Connection, other: Path, dry_run: bool = False) -> MergeSummary:
    """Merge the database file `other` into `conn` (one transaction; refused whole on any conflict)."""
    _check_other(conn, other)
    data, warnings = _read_other(other)
    summary = MergeSummary(other.name, "fusion", warnings=warnings)
    summary.rows = sum(len(rows) for table, rows in data.items() if table != "import_warnings")

    def apply(conn: sqlite3.Connection, import_id: int, summary: MergeSummary) -> None:
        conflicts: list[str] = []
        imports = _merge_imports(conn, data, summary)
        for spec in TABLES:
            _merge_table(conn, spec, data[spec.name], imports, other.name, conflicts, summary)
        if conflicts:
            raise MergeRefused(other.name, conflicts)

    try:
        return run_import(conn, other, "fusion", "sqlite", dry_run, apply, summary)
    except sqlite3.DatabaseError as exc:  # a constraint the checks above did not foresee: nothing was written
        raise KalanError(f"{other.name} : fusion impossible, rien n'a été modifié ({exc})") from None


def _merge_imports(conn: sqlite3.Connection, data: dict[str, list[dict]], summary: MergeSummary) -> dict[int, int]:
    """The other office's import log, added here (an import already recorded here is not repeated);
    returns other id → id here."""
    here = {tuple(row[1:]): row[0] for row in conn.execute(f"SELECT id, {', '.join(IMPORT_COLUMNS)} FROM imports")}
    warnings: dict[int, list[str]] = {}
    for row in data["import_warnings"]:
        warnings.setdefault(row["import_id"], []).append(row["message"])
    mapping, counts = {}, summary.tables.setdefault("journal des imports", [0, 0])
    for row in data["imports"]:
        values = tuple(row[c] for c in IMPORT_COLUMNS)
        if values in here:
            mapping[row["id"]] = here[values]
            counts[1] += 1
            summary.unchanged += 1
            continue
        cursor = conn.execute(f"INSERT INTO imports ({', '.join(IMPORT_COLUMNS)}) VALUES "
                              f"({', '.join('?' * len(IMPORT_COLUMNS))})", values)
        mapping[row["id"]] = here[values] = cursor.lastrowid
        conn.executemany("INSERT INTO import_warnings VALUES (?, ?)",
                         [(cursor.lastrowid, message) for message in warnings.get(row["id"], [])])
        counts[0] += 1
        summary.added += 1
    return mapping


def _merge_table(conn: sqlite3.Connection, spec: TableSpec, rows: list[dict], imports: dict[int, int],
                 other_name: str, conflicts: list[str], summary: MergeSummary) -> None:
    columns = (*spec.key, *spec.compared)
    conn.row_factory = sqlite3.Row
    try:
        here = {tuple(r[k] for k in spec.key): dict(r)
                for r in conn.execute(f"SELECT {', '.join(columns)} FROM {spec.name}")}
    finally:
        conn.row_factory = None
    counts = summary.tables.setdefault(spec.label, [0, 0])
    new = []
    for row in rows:
        current = here.get(tuple(row[k] for k in spec.key))
        if current is None:
            new.append(row)
            continue
        differences = _differences(spec, current, row)
        if differences:
            conflicts.append(f"{_who(spec, row)} : {_conflict_heading(spec)} — " + " ; ".join(differences)
                             + f" (ici / dans {other_name})")
        else:
            counts[1] += 1
            summary.unchanged += 1
    if conflicts or not new:
        return
    written = (*columns, *spec.kept)
    conn.executemany(
        f"INSERT INTO {spec.name} ({', '.join(written)}) VALUES ({', '.join('?' * len(written))})",
        [tuple(imports[row[c]] if c == "import_id" else row[c] for c in written) for row in new])
    counts[0] += len(new)
    summary.added += len(new)
