"""Importing the correction file filled by the person who checked the doubtful sheets.

Same rules as any import: every problem is named with its file, line and column and nothing is
written; one transaction for the file; the same file twice changes nothing. A sheet is imported
when every doubtful item of it has a correction (the others wait); « ignorer » sets it aside.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kalan.omr.queue import AWAITING, CORRECTED, DISCARDED, KIND, insert_sitting, validate
from kalan.omr.review import DISCARD
from kalan.quiz.build import QuizData
from kalan.scoring.importing import ImportRefused, ImportSummary, run_import
from kalan.scoring.normalise import LANGUAGES, MARKS, MODES, key, lookup
from kalan.scoring.results import Sitting, _differences
from kalan.scoring.tables import read_table

FORMAT = "correction-photos"
PHASE_VALUES = {"pre": "pre", "post": "post", "suivi": "suivi"}


@dataclass
class CorrectionSummary(ImportSummary):
    corrected: int = 0  # sheets completed (new sittings, or the same as one already imported)
    discarded: int = 0
    waiting: int = 0  # sheets still missing a correction

    @property
    def changes(self) -> int:
        return self.added + self.updated + self.corrected + self.discarded


def _columns(header: list[str]) -> dict[str, int]:
    wanted = {"page": "page", "champ": "champ", "correction": "correction"}
    return {wanted[key(h)]: i for i, h in enumerate(header) if key(h) in wanted}


def _normalise(field: str, raw: str, prefixes: tuple[str, ...]) -> str | None:
    text = raw.strip()
    if field == "code":
        code = text.upper().replace(" ", "")
        prefix, _, digits = code.partition("-")
        return code if prefix in prefixes and len(digits) == 3 and digits.isascii() and digits.isdigit() else None
    if field == "phase":
        return PHASE_VALUES.get(key(text))
    if field == "langue":
        return lookup(LANGUAGES, text)
    if field == "mode":
        return lookup(MODES, text)
    return lookup(MARKS, text) if text else None


def import_corrections(conn: sqlite3.Connection, path: Path, data: QuizData, prefixes: tuple[str, ...],
                       dry_run: bool = False) -> CorrectionSummary:
    book = read_table(path)
    sheet = next((s for s in book.sheets if {"page", "champ", "correction"} <= set(_columns(s.header))), None)
    if sheet is None:
        raise ImportRefused(path.name, ["colonnes « page », « champ » et « correction » introuvables : utilisez le "
                                        "fichier écrit par kalan feuilles verifier"])
    columns = _columns(sheet.header)
    forms = {form.id: form for form in data.forms}
    known_codes = {row[0] for row in conn.execute("SELECT code FROM participants")}
    pages = {row[0]: row[1:] for row in conn.execute(
        "SELECT id, file, page, form_id, reading, status, sitting_id FROM omr_pages")}
    doubts = {(row[0], row[1]): row[2] for row in conn.execute("SELECT page_id, field, correction FROM omr_doubts")}
    problems: list[str] = []
    given: dict[int, dict[str, tuple[str, int]]] = {}
    discard: set[int] = set()
    for number, cells in sheet.rows:
        def cell(name: str, cells: list[str] = cells) -> str:
            index = columns[name]
            return cells[index].strip() if index < len(cells) else ""

        def bad(name: str, message: str, number: int = number) -> None:
            problems.append(f"{book.where(sheet, number, columns[name])} : {message}")

        if not any(c.strip() for c in cells):
            continue
        raw_page, field, raw = cell("page"), cell("champ"), cell("correction")
        if not (raw_page.isascii() and raw_page.isdigit()) or int(raw_page) not in pages:
            bad("page", f"feuille n° {raw_page!r} inconnue de cette base")
            continue
        page_id = int(raw_page)
        if (page_id, field) not in doubts:
            bad("champ", f"la feuille n° {page_id} n'a pas de point à vérifier « {field} »")
            continue
        if not raw:
            continue
        status, earlier = pages[page_id][4], doubts[(page_id, field)]
        if status != AWAITING:  # corrected by an earlier file: the same value again changes nothing
            before = earlier or (DISCARD if status == DISCARDED else "")
            again = _normalise(field, raw, prefixes) if key(raw) != DISCARD else DISCARD
            if again != before:
                bad("correction", f"la feuille n° {page_id} a déjà été corrigée (« {field} » : {before or '—'})")
            continue
        if key(raw) == DISCARD:
            discard.add(page_id)
            given.setdefault(page_id, {})[field] = (DISCARD, number)
            continue
        value = _normalise(field, raw, prefixes)
        if value is None:
            bad("correction", f"« {raw} » impossible pour {field}")
            continue
        if field == "code" and value not in known_codes:
            bad("correction", f"code {value} absent de la liste des participants (kalan participants importer)")
            continue
        given.setdefault(page_id, {})[field] = (value, number)
    summary = CorrectionSummary(path.name, KIND, rows=len(given))
    ready: list[tuple[int, Sitting, dict[str, tuple[str, int]]]] = []
    fresh = 0
    existing = {(c, f, p): (lang, mode, json.loads(m)) for c, f, p, lang, mode, m in conn.execute(
        "SELECT participant, form_id, phase, language, mode, marks FROM sittings")}
    seen: dict[tuple[str, str, str], int] = {}
    for page_id, fields in given.items():
        file, number, form_id, reading_text, _, _ = pages[page_id]
        needed = {f for (p, f), c in doubts.items() if p == page_id and c is None}
        if page_id in discard:
            continue
        if not needed <= set(fields):
            summary.waiting += 1
            continue
        reading = json.loads(reading_text)
        values = {"code": reading["code"], "phase": reading["phase"], "langue": reading["langue"],
                  "mode": reading["mode"], **reading["marks"]}
        values.update({f: v for f, (v, _) in fields.items()})
        form = forms.get(form_id)
        if form is None:
            problems.append(f"{path.name} : feuille n° {page_id} du formulaire {form_id}, inconnu de ce projet")
            continue
        line = min(n for _, n in fields.values())
        sitting, found = validate(values, form, known_codes, file, number)
        problems += [f"{path.name}, ligne {line} (feuille n° {page_id}) : {p.split(' : ', 1)[-1]}" for p in found]
        if sitting is None:
            continue
        k = (sitting.code, form.id, sitting.phase)
        if k in seen:
            problems.append(f"{path.name}, ligne {line} : {sitting.code} {sitting.phase} aussi sur la feuille "
                            f"n° {seen[k]} : écartez l'une des deux (« {DISCARD} »)")
            continue
        seen[k] = page_id
        before = existing.get(k)
        if before is not None:
            differences = _differences(Sitting(sitting.code, sitting.phase, before[0], before[1], "", before[2], "", 0),
                                       sitting)
            if differences:
                problems.append(f"{path.name}, ligne {line} : {sitting.code} {sitting.phase} déjà importé avec "
                                f"d'autres réponses — {' ; '.join(differences[:4])} (« {DISCARD} » si c'est la même "
                                "feuille mal lue)")
                continue
        fresh += before is None
        ready.append((page_id, sitting, fields))
    if problems:
        raise ImportRefused(path.name, problems)
    summary.added, summary.unchanged, summary.discarded = fresh, len(ready) - fresh, len(discard)
    summary.corrected = len(ready)

    def apply(conn: sqlite3.Connection, import_id: int, summary: ImportSummary) -> None:
        for page_id, sitting, fields in ready:
            form = forms[pages[page_id][2]]
            k = (sitting.code, form.id, sitting.phase)
            if k in existing:
                sitting_id = conn.execute("SELECT id FROM sittings WHERE participant = ? AND form_id = ? AND "
                                          "phase = ?", k).fetchone()[0]
            else:
                sitting_id = insert_sitting(conn, form, sitting, import_id)
            _close(conn, page_id, CORRECTED, sitting_id, fields, import_id)
        for page_id in discard:
            _close(conn, page_id, DISCARDED, None, given[page_id], import_id)

    return run_import(conn, path, KIND, FORMAT, dry_run, apply, summary)  # type: ignore[return-value]


def _close(conn: sqlite3.Connection, page_id: int, status: str, sitting_id: int | None,
           fields: dict[str, tuple[str, int]], import_id: int) -> None:
    conn.execute("UPDATE omr_pages SET status = ?, sitting_id = ? WHERE id = ?", (status, sitting_id, page_id))
    conn.executemany("UPDATE omr_doubts SET correction = ?, corrected_by = ? WHERE page_id = ? AND field = ?",
                     [(value, import_id, page_id, field) for field, (value, _) in fields.items()])
