"""Importing the roster of trained responders (XLSX or CSV)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from kalan.scoring.importing import ImportRefused, ImportSummary, run_import
from kalan.scoring.normalise import CATEGORIES, CERCLES, SEX, header_key, lookup
from kalan.scoring.tables import Sheet, Workbook, read_table

COLUMNS = {  # field → accepted header names (after normalisation)
    "code": ("code", "code participant", "code du participant"),
    "sexe": ("sexe", "sex", "genre"),
    "categorie": ("categorie", "category", "type de structure"),
    "cercle": ("cercle",),
    "commune": ("commune",),
    "organisation": ("organisation", "structure", "organisme"),
    "cohorte": ("cohorte", "cohort", "session", "groupe"),
    "nom": ("nom", "nom complet", "name", "prenom et nom"),
}
OPTIONAL = {"nom"}
FIELDS = ("code", "sexe", "categorie", "cercle", "commune", "organisation", "cohorte", "nom")


def _columns(book: Workbook, sheet: Sheet, problems: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(sheet.header):
        for field, names in COLUMNS.items():
            if header_key(name) in names and field not in found:
                found[field] = index
    for field in COLUMNS:
        if field not in found and field not in OPTIONAL:
            problems.append(f"{book.where(sheet)} : colonne « {field} » manquante "
                            f"(colonnes lues : {', '.join(h for h in sheet.header if h) or 'aucune'})")
    return found


def read_roster(path: Path, prefixes: tuple[str, ...]) -> tuple[Workbook, list[dict[str, str]]]:
    """The roster rows, validated; raises ImportRefused listing every problem."""
    book = read_table(path)
    sheet = next((s for s in book.sheets if any(header_key(h) in COLUMNS["code"] for h in s.header)),
                 book.sheets[0])
    problems: list[str] = []
    columns = _columns(book, sheet, problems)
    if problems:
        raise ImportRefused(path.name, problems)
    code_pattern = re.compile(rf"^({'|'.join(map(re.escape, prefixes))})-\d{{3}}$")
    rows: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    for number, cells in sheet.rows:
        if not any(cells):
            continue

        def cell(field: str, cells: list[str] = cells) -> str:
            index = columns.get(field)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        def bad(field: str, message: str, number: int = number) -> None:
            problems.append(f"{book.where(sheet, number, columns[field])} : {message}")

        record = {field: cell(field) for field in FIELDS}
        code = record["code"].upper()
        if not code_pattern.match(code):
            bad("code", f"code {record['code']!r} invalide : attendu {prefixes[0]}-023 "
                        f"({' ou '.join(prefixes)}, un tiret, trois chiffres)")
        elif code in seen:
            bad("code", f"le code {code} figure déjà ligne {seen[code]}")
        else:
            seen[code] = number
        record["code"] = code
        for field, table, hint in (("sexe", SEX, "F ou M"),
                                   ("categorie", CATEGORIES, "mairie, service technique, relais communautaire, OSC"),
                                   ("cercle", CERCLES, "Koro ou Douentza")):
            value = lookup(table, record[field])
            if value is None:
                bad(field, f"valeur {record[field]!r} inconnue (attendu : {hint})")
            else:
                record[field] = value
        for field in ("commune", "organisation", "cohorte"):
            if not record[field]:
                bad(field, "valeur manquante")
        rows.append(record)
    if not rows and not problems:
        problems.append(f"{book.where(sheet)} : aucune ligne de participant")
    if problems:
        raise ImportRefused(path.name, problems)
    return book, rows


def import_roster(conn: sqlite3.Connection, path: Path, prefixes: tuple[str, ...],
                  dry_run: bool = False) -> ImportSummary:
    book, rows = read_roster(path, prefixes)
    summary = ImportSummary(path.name, "participants", rows=len(rows), warnings=list(book.warnings))

    def apply(conn: sqlite3.Connection, import_id: int, summary: ImportSummary) -> None:
        for row in rows:
            conn.execute("INSERT OR IGNORE INTO cohorts (code) VALUES (?)", (row["cohorte"],))
            values = (row["sexe"], row["categorie"], row["cercle"], row["commune"], row["organisation"],
                      row["cohorte"], row["nom"] or None)
            current = conn.execute("SELECT sex, category, cercle, commune, organisation, cohort, name "
                                   "FROM participants WHERE code = ?", (row["code"],)).fetchone()
            if current == values:
                summary.unchanged += 1
                continue
            conn.execute("INSERT INTO participants (code, sex, category, cercle, commune, organisation, cohort, "
                         "name, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
                         "sex = excluded.sex, category = excluded.category, cercle = excluded.cercle, "
                         "commune = excluded.commune, organisation = excluded.organisation, "
                         "cohort = excluded.cohort, name = excluded.name, import_id = excluded.import_id",
                         (row["code"], *values, import_id))
            if current is None:
                summary.added += 1
            else:
                summary.updated += 1

    return run_import(conn, path, "participants", book.format, dry_run, apply, summary)
