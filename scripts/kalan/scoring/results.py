"""Importing test answers: the kalan workbook, KoboToolbox exports (XML or label headers,
XLSX or CSV) and any CSV with the same columns. Raw marks are stored as written."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from kalan.quiz.bank import CHOICE
from kalan.quiz.build import QuizData
from kalan.quiz.capture import BLANK, CHOICE_MARKS, SURVEY_META, TRUE_FALSE_MARKS
from kalan.quiz.forms import Form
from kalan.scoring.importing import ImportRefused, ImportSummary, resubmission_warnings, run_import, split_repeats
from kalan.scoring.normalise import LANGUAGES, MARKS, MODES, header_key, key, lookup
from kalan.scoring.normalise import PHASES as TEST_PHASES
from kalan.scoring.tables import Sheet, Workbook, read_table

KALAN_SHEETS = {"instructions", "formulaire", "participants", "listes"}
# The retention test (issue 13 §3) is a third phase: it is sat on the post-test variant of the same form
# (same items, same order, same key), so post → suivi compares like with like.
PHASES = {**TEST_PHASES, "suivi": "suivi", "test de suivi": "suivi", "follow up": "suivi", "retention": "suivi",
          "kalan kɔfɛ kɔrɔbɔli filanan": "suivi"}
PHASE_NAMES = "pre, post ou suivi"


def variant_id(form: Form, phase: str) -> str:
    """The printed variant a sitting of `phase` used: the follow-up reuses the post-test's."""
    return form.variant("post" if phase == "suivi" else phase).id
META_FIELDS = ("code", "phase", "langue", "mode", "date")
META_LABELS = {key(label): name for _, name, *labels in SURVEY_META for label in labels}
META_LABELS.update({"date": "date", "date du test": "date"})


@dataclass
class Sitting:
    code: str
    phase: str
    language: str
    mode: str
    date: str
    marks: dict[str, str]
    sheet: str
    row: int
    uuid: str = ""


@dataclass
class ReadResult:
    book: Workbook
    form: Form
    sittings: list[Sitting]
    blanks_read_as_vide: int = 0
    duplicate_submissions: int = 0
    warnings: list[str] = field(default_factory=list)


def _choose_form(book: Workbook, data: QuizData, form_id: str | None) -> Form:
    if form_id:
        return data.form(form_id)
    meta = next((s for s in book.sheets if s.name == "formulaire"), None)
    if meta is not None:
        values = {row[0]: row[1] for _, row in [(0, meta.header), *meta.rows] if len(row) > 1}
        if values.get("formulaire"):
            return data.form(values["formulaire"])
    if len(data.forms) == 1:
        return data.forms[0]
    # Several forms (PP1, the parallel PP2A / PP2B…): the one whose every item has a column in the file.
    matching = [form for form in data.forms
                if any(len(set(_header_map(sheet, form)) & {i.id for i in form.items}) == len(form.items)
                       for sheet in book.sheets)]
    if len(matching) == 1:
        return matching[0]
    raise ImportRefused(book.path.name, ["formulaire inconnu : précisez-le avec --formulaire "
                                         f"({', '.join(f.id for f in data.forms)})"])


def _header_map(sheet: Sheet, form: Form) -> dict[str, int]:
    """field or item id → column index."""
    by_name = {field: field for field in META_FIELDS}
    by_name.update({"_uuid": "_uuid", "meta/instanceid": "_uuid"})
    for n, item in enumerate(form.items, 1):
        by_name[item.id.lower()] = item.id
        for lang in ("fr", "bm"):
            by_name[key(f"{n}. {item.stem[lang]}")] = item.id
    columns: dict[str, int] = {}
    for index, name in enumerate(sheet.header):
        if not name:
            continue
        raw = name.strip()
        target = by_name.get(header_key(raw)) or META_LABELS.get(key(raw)) or by_name.get(key(raw))
        if raw.lower() in ("_uuid", "meta/instanceid"):
            target = "_uuid"
        if target and target not in columns:
            columns[target] = index
    return columns


def _answer_sheets(book: Workbook) -> list[Sheet]:
    sheets = [s for s in book.sheets if s.name not in KALAN_SHEETS and s.header]
    return [s for s in sheets if any(header_key(h) == "code" or key(h) in META_LABELS for h in s.header)] or sheets


def read_results(path: Path, data: QuizData, known_codes: set[str], form_id: str | None = None,
                 phase: str | None = None) -> ReadResult:
    """Every answer row of the file, validated against the form and the roster."""
    book = read_table(path)
    form = _choose_form(book, data, form_id)
    problems: list[str] = []
    result = ReadResult(book, form, [], warnings=list(book.warnings))
    allowed = {item.id: (CHOICE_MARKS if item.type == CHOICE else TRUE_FALSE_MARKS) for item in form.items}
    for sheet in _answer_sheets(book):
        columns = _header_map(sheet, form)
        sheet_phase = PHASES.get(key(sheet.name)) if sheet.name else None
        missing = [f for f in ("code", "langue", "mode") if f not in columns]
        missing += [item.id for item in form.items if item.id not in columns]
        if "phase" not in columns and not sheet_phase and not phase:
            missing.append("phase (ou l'option --phase pre|post|suivi)")
        if missing:
            problems.append(f"{book.where(sheet)} : colonne(s) manquante(s) : {', '.join(missing)}")
            continue
        for number, cells in sheet.rows:
            sitting = _read_row(book, sheet, number, cells, columns, form, known_codes, sheet_phase or None,
                                phase, allowed, problems, result)
            if sitting:
                result.sittings.append(sitting)
    if not result.sittings and not problems:
        problems.append(f"{path.name} : aucune ligne de réponses")
    _check_duplicates(result, problems)
    if problems:
        raise ImportRefused(path.name, problems)
    if result.blanks_read_as_vide:
        result.warnings.append(f"{result.blanks_read_as_vide} case(s) de réponse vide(s) lue(s) comme « {BLANK} »")
    return result


def _read_row(book: Workbook, sheet: Sheet, number: int, cells: list[str], columns: dict[str, int], form: Form,
              known_codes: set[str], sheet_phase: str | None, phase: str | None,
              allowed: dict[str, tuple[str, ...]], problems: list[str], result: ReadResult) -> Sitting | None:
    """One answer row, or None for an empty template line; problems are appended with their cell."""

    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def bad(name: str, message: str) -> None:
        problems.append(f"{book.where(sheet, number, columns.get(name))} : {message}")

    marks_raw = {item.id: cell(item.id) for item in form.items}
    if not cell("code") and not any(marks_raw.values()):
        return None
    code = cell("code").upper()
    if not code:
        bad("code", "code participant manquant")
    elif code not in known_codes:
        bad("code", f"code inconnu {code} : importez d'abord la liste des participants "
                    "(kalan participants importer)")
    row_phase = sheet_phase or (lookup(PHASES, cell("phase")) if "phase" in columns else None) or phase
    if "phase" in columns and cell("phase") and lookup(PHASES, cell("phase")) is None:
        bad("phase", f"phase {cell('phase')!r} inconnue ({PHASE_NAMES})")
    elif phase and row_phase != phase:
        bad("phase", f"la ligne est « {row_phase} » mais --phase dit « {phase} »")
    language = lookup(LANGUAGES, cell("langue"))
    if language is None:
        bad("langue", f"langue {cell('langue')!r} inconnue (fr, bm ou autre)")
    mode = lookup(MODES, cell("mode"))
    if mode is None:
        bad("mode", f"mode {cell('mode')!r} inconnu (ecrit ou oral)")
    marks: dict[str, str] = {}
    for item in form.items:
        raw = marks_raw[item.id]
        mark = lookup(MARKS, raw)
        if mark is None or mark not in allowed[item.id]:
            bad(item.id, f"réponse {raw!r} impossible pour {item.id} (attendu : {', '.join(allowed[item.id])})")
            continue
        if not raw:
            result.blanks_read_as_vide += 1
        marks[item.id] = mark
    return Sitting(code, row_phase or "", language or "", mode or "", cell("date"), marks, sheet.name, number,
                   cell("_uuid"))


def _check_duplicates(result: ReadResult, problems: list[str]) -> None:
    """Same KoboToolbox submission twice: keep one. Same person and phase twice: an error."""
    kept, repeats, result.duplicate_submissions = split_repeats(result.sittings, lambda s: (s.code, s.phase))
    for earlier, sitting in repeats:
        where = f"{result.book.path.name}, ligne {sitting.row}" + (f" (feuille « {sitting.sheet} »)"
                                                                  if sitting.sheet else "")
        differences = _differences(earlier, sitting)
        if not differences:
            problems.append(f"{where} : ligne en double ({sitting.code}, {sitting.phase}), "
                            f"identique à la ligne {earlier.row}")
        for difference in differences:
            problems.append(f"{where} : {sitting.code} {sitting.phase} saisi deux fois avec des réponses "
                            f"différentes — {difference} (ligne {earlier.row})")
    result.warnings += resubmission_warnings(result.duplicate_submissions)
    result.sittings = kept


def _differences(a: Sitting, b: Sitting) -> list[str]:
    out = [f"{item} : {a.marks[item]} / {b.marks[item]}" for item in a.marks
           if item in b.marks and a.marks[item] != b.marks[item]]
    if a.language != b.language:
        out.append(f"langue : {a.language} / {b.language}")
    if a.mode != b.mode:
        out.append(f"mode : {a.mode} / {b.mode}")
    return out


def register_form(conn: sqlite3.Connection, form: Form) -> None:
    """Store the form's variants and their derived keys (refreshed at every import)."""
    for variant in form.variants:
        conn.execute("INSERT INTO variants VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                     "version = excluded.version, items = excluded.items, pass_mark = excluded.pass_mark",
                     (variant.id, form.id, form.version, variant.phase, len(form.items), form.pass_mark))
        conn.executemany(
            "INSERT INTO variant_keys VALUES (?, ?, ?, ?, ?) ON CONFLICT (variant_id, item_id) DO UPDATE SET "
            "position = excluded.position, key = excluded.key, objective = excluded.objective",
            [(variant.id, item.id, n, variant.key(item), item.objective) for n, item in enumerate(form.items, 1)])


def import_results(conn: sqlite3.Connection, path: Path, data: QuizData, form_id: str | None = None,
                   phase: str | None = None, dry_run: bool = False) -> ImportSummary:
    known = {row[0] for row in conn.execute("SELECT code FROM participants")}
    read = read_results(path, data, known, form_id, phase)
    form = read.form
    summary = ImportSummary(path.name, "resultats", rows=len(read.sittings), warnings=read.warnings)

    def apply(conn: sqlite3.Connection, import_id: int, summary: ImportSummary) -> None:
        register_form(conn, form)
        existing = {(code, phase_): (language, mode, marks) for code, phase_, language, mode, marks in conn.execute(
            "SELECT participant, phase, language, mode, marks FROM sittings WHERE form_id = ?", (form.id,))}
        problems = []
        new_sittings = []
        for s in read.sittings:
            before = existing.get((s.code, s.phase))
            if before is not None:
                earlier = Sitting(s.code, s.phase, before[0], before[1], "", json.loads(before[2]), "", 0)
                differences = _differences(earlier, s)
                if differences:
                    problems += [f"{read.book.path.name}, ligne {s.row} : {s.code} {s.phase} déjà importé avec "
                                 f"d'autres réponses — {d}" for d in differences]
                else:
                    summary.unchanged += 1
                continue
            new_sittings.append((s.code, form.id, s.phase, variant_id(form, s.phase), s.language, s.mode,
                                 s.date or None, json.dumps(s.marks, separators=(",", ":")), import_id, s.sheet,
                                 s.row))
            summary.added += 1
        if problems:
            raise ImportRefused(path.name, problems)
        conn.executemany("INSERT INTO sittings (participant, form_id, phase, variant_id, language, mode, taken_on, "
                         "marks, import_id, source_sheet, source_row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         new_sittings)

    return run_import(conn, path, "resultats", read.book.format, dry_run, apply, summary)

