"""Attendance per half-day of the agenda: the half-days, the typing workbook, the importer,
attendance rates and completion of the training.

The half-days come from the agenda (`kalan.schedule.build_agenda`), never typed: each
training day has a « matin » (up to the lunch break) and an « apres-midi ». A person
completes the training when they attended at least `[tool.kalan.suivi] presence_minimale`
of the half-days and took both the pre-test and the post-test.
"""

from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kalan.config import Break, Project, minutes_to_clock
from kalan.errors import KalanError
from kalan.schedule import Day
from kalan.scoring.importing import ImportRefused, ImportSummary, run_import
from kalan.scoring.normalise import header_key, key
from kalan.scoring.tables import Sheet, Workbook, read_table

HALVES = ("matin", "apres-midi")
HALF_NAMES = {"fr": {"matin": "matin", "apres-midi": "après-midi"},
              "bm": {"matin": "sɔgɔma", "apres-midi": "tilelafɛ"}}  # Bambara: draft, to be reviewed
LUNCH_MINUTES = 30  # the longest break of at least this length splits the day; else 13:00
NOON = 13 * 60
SHEET = "presence"
META_SHEETS = {"instructions", "listes", "cohorte"}
CODE_HEADERS = ("code", "code participant", "code du participant")
IGNORED_HEADERS = {"nom", "nom complet", "prenom et nom", "name", "cohorte", "commune", "organisation",
                   "remarque", "remarques", "observation", "observations"}
VALUES = {"p": 1, "present": 1, "presente": 1, "present(e)": 1, "a": 0, "absent": 0, "absente": 0,
          "absent(e)": 0}
COLUMN = re.compile(r"^(?:j|jour)\s*(\d{1,3})\s+(matin|apres midi)$")
EXTRA_ROWS = 30  # empty validated rows below the cohort's codes, for a late registration


@dataclass(frozen=True)
class HalfDay:
    day: int
    half: str  # "matin" or "apres-midi"
    start: int  # minutes after midnight: first slot of the half-day (check-in included)
    end: int  # end of its last slot (closing round included)
    teaching_minutes: int
    modules: tuple[str, ...]  # ids of the modules taught, in order

    @property
    def column(self) -> str:
        """The workbook header: « J1 matin », « J1 apres-midi »."""
        return f"J{self.day} {self.half}"

    def label(self, lang: str = "fr") -> str:
        return f"J{self.day} {HALF_NAMES.get(lang, HALF_NAMES['fr'])[self.half]}"

    def hours(self) -> str:
        return f"{minutes_to_clock(self.start)}–{minutes_to_clock(self.end)}"


def _lunch(day: Day) -> tuple[int, int] | None:
    """(start, end) of the day's longest break, if it is long enough to be lunch."""
    breaks = [s for s in day.slots if isinstance(s.pause, Break) and s.end - s.start >= LUNCH_MINUTES]
    if not breaks:
        return None
    longest = max(breaks, key=lambda s: s.end - s.start)
    return longest.start, longest.end


def half_days(agenda: list[Day]) -> list[HalfDay]:
    """The half-days that hold at least one session, in agenda order."""
    out = []
    for day in agenda:
        lunch = _lunch(day)
        split = lunch[0] if lunch else NOON
        for half in HALVES:
            if lunch:
                slots = [s for s in day.slots if (s.end <= lunch[0] if half == "matin" else s.start >= lunch[1])]
            else:
                slots = [s for s in day.slots if (s.start < split) == (half == "matin")]
            sessions = [s for s in slots if s.session is not None]
            if not sessions:
                continue
            modules: list[str] = []
            for s in sessions:
                if s.module is not None and s.module.id not in modules:
                    modules.append(s.module.id)
            out.append(HalfDay(day.number, half, slots[0].start, slots[-1].end,
                               sum(s.end - s.start for s in sessions), tuple(modules)))
    return out


@dataclass(frozen=True)
class TrainingPlan:
    """What the agenda says of the training: its days, half-days and modules."""

    days: list[Day]
    halves: list[HalfDay]
    modules: list  # kalan.manifests.Module, in curriculum order

    @property
    def n_days(self) -> int:
        return len(self.days)

    @property
    def teaching_minutes(self) -> int:
        return sum(day.teaching_minutes for day in self.days)

    def on_day(self, number: int) -> list[HalfDay]:
        return [h for h in self.halves if h.day == number]


def training_plan(project: Project) -> TrainingPlan:
    from kalan.manifests import load_curriculum
    from kalan.schedule import build_agenda

    curriculum = load_curriculum(project)
    agenda = build_agenda(curriculum.modules, project.day)
    if not agenda:
        raise KalanError("l'agenda est vide : aucune séance dans les manifestes des modules")
    return TrainingPlan(agenda, half_days(agenda), list(curriculum.modules))


def cohort_codes(conn: sqlite3.Connection, cohort: str) -> list[str]:
    """The participant codes of `cohort`, or a KalanError naming the known cohorts."""
    codes = [row[0] for row in conn.execute("SELECT code FROM participants WHERE cohort = ? ORDER BY code",
                                            (cohort,))]
    if not codes:
        known = [row[0] for row in conn.execute("SELECT code FROM cohorts ORDER BY code")]
        raise KalanError(f"cohorte inconnue : {cohort} (cohortes : {', '.join(known) or 'aucune'} — "
                         "importez d'abord la liste des participants : kalan participants importer)")
    return codes


# --- The typing workbook -------------------------------------------------------------------------


def _text_cell(sheet, row: int, column: int, value: str):
    """A cell that stays text even if `value` starts with « = » (a cohort name comes from a roster)."""
    cell = sheet.cell(row, column, value)
    cell.data_type = "s"
    return cell


def write_attendance_workbook(path: Path, cohort: str, codes: list[str], halves: list[HalfDay]) -> Path:
    """The workbook to type the paper attendance sheets into: codes of the cohort (no names),
    one column per half-day with the list P / A."""
    from openpyxl import Workbook as OpenpyxlWorkbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = OpenpyxlWorkbook()
    guide = book.active
    guide.title = "instructions"
    lines = [
        f"Saisie de la présence — cohorte {cohort}",
        "",
        "1. Onglet « presence » : une ligne par participant (les codes de la cohorte sont déjà là ; "
        "aucun nom dans ce fichier).",
        "2. Pour chaque demi-journée (J1 matin, J1 apres-midi…), recopiez la feuille de présence signée : "
        "P = présent, A = absent.",
        "3. Laissez vide une demi-journée pas encore saisie : kalan garde ce qui a déjà été importé, "
        "et une demi-journée jamais saisie compte comme une absence.",
        "4. Un code ajouté à la main doit exister dans la liste des participants (kalan participants importer).",
        "5. Enregistrez en .xlsx, puis : kalan presence importer CE-FICHIER.xlsx",
        "",
        f"Demi-journées de l'agenda : {', '.join(h.column for h in halves)}.",
    ]
    for row, text in enumerate(lines, 1):
        _text_cell(guide, row, 1, text)
    guide["A1"].font = Font(bold=True, size=13)
    guide.column_dimensions["A"].width = 110

    meta = book.create_sheet("cohorte")
    for row, (name, value) in enumerate((("cohorte", cohort), ("jours", str(max(h.day for h in halves))),
                                         ("demi-journees", str(len(halves))),
                                         ("valeurs", "P = présent, A = absent")), 1):
        _text_cell(meta, row, 1, name)
        _text_cell(meta, row, 2, value)

    lists = book.create_sheet("listes")
    _text_cell(lists, 1, 1, "presence")
    lists.cell(2, 1, "P")
    lists.cell(3, 1, "A")
    _text_cell(lists, 1, 2, "codes")
    for row, code in enumerate(codes, 2):
        _text_cell(lists, row, 2, code)
    lists.sheet_state = "hidden"

    sheet = book.create_sheet(SHEET)
    fill = PatternFill("solid", fgColor="DDDDDD")
    for col, name in enumerate(["code", *(h.column for h in halves)], 1):
        cell = sheet.cell(1, col, name)
        cell.font, cell.fill, cell.alignment = Font(bold=True), fill, Alignment(horizontal="center")
        sheet.column_dimensions[cell.column_letter].width = 14
    for row, code in enumerate(codes, 2):
        _text_cell(sheet, row, 1, code)
    sheet.freeze_panes = "B2"
    last = len(codes) + 1 + EXTRA_ROWS
    marks = DataValidation(type="list", formula1="=listes!$A$2:$A$3", allow_blank=True, showErrorMessage=True,
                           errorTitle="Valeur refusée", error="P (présent) ou A (absent), ou vide si pas encore saisi.")
    marks.add(f"B2:{sheet.cell(1, len(halves) + 1).column_letter}{last}")
    known = DataValidation(type="list", formula1=f"=listes!$B$2:$B${len(codes) + 1}", allow_blank=True,
                           showErrorMessage=True, errorStyle="warning", errorTitle="Code inconnu",
                           error="Ce code n'est pas dans la cohorte : vérifiez-le (il doit être dans la liste "
                                 "des participants).")
    known.add(f"A2:A{last}")
    sheet.add_data_validation(marks)
    sheet.add_data_validation(known)
    book.active = book.sheetnames.index(SHEET)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


# --- Reading and importing -----------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    code: str
    day: int
    half: str
    present: int
    sheet: str
    row: int


@dataclass
class AttendanceRead:
    book: Workbook
    marks: list[Mark]
    people: int  # rows with a code
    blanks: int  # half-day cells left empty


def parse_column(name: str) -> tuple[int, str] | None:
    """« J2 après-midi », « jour 2 apres-midi », « reponses/J2_matin » → (2, "apres-midi")."""
    match = COLUMN.match(header_key(name))
    if not match:
        return None
    return int(match.group(1)), "matin" if match.group(2) == "matin" else "apres-midi"


def _sheet(book: Workbook) -> Sheet:
    candidates = [s for s in book.sheets if s.name not in META_SHEETS and s.header]
    named = [s for s in candidates if s.name == SHEET]
    with_code = [s for s in candidates if any(header_key(h) in CODE_HEADERS for h in s.header)]
    chosen = named or with_code or candidates or book.sheets
    return chosen[0]


def _columns(book: Workbook, sheet: Sheet, halves: list[HalfDay],
             problems: list[str]) -> tuple[int | None, dict[int, tuple[int, str]]]:
    planned = {(h.day, h.half) for h in halves}
    expected = f"code, {halves[0].column} … {halves[-1].column}"
    code: int | None = None
    columns: dict[int, tuple[int, str]] = {}
    seen: dict[tuple[int, str], int] = {}
    for index, raw in enumerate(sheet.header):
        name = header_key(raw)
        where = f"{book.where(sheet)}, {sheet.column_label(index)}"
        if not name or name in IGNORED_HEADERS or raw.strip().startswith("_"):
            continue
        if name in CODE_HEADERS:
            if code is None:
                code = index
            else:
                problems.append(f"{where} : deuxième colonne « code »")
            continue
        half = parse_column(raw)
        if half is None:
            problems.append(f"{where} : en-tête inconnu {raw.strip()!r} (attendu : {expected})")
        elif half not in planned:
            days = max(h.day for h in halves)
            problems.append(f"{where} : {raw.strip()!r} n'est pas une demi-journée de l'agenda "
                            f"({days} jour(s) : {expected})")
        elif half in seen:
            problems.append(f"{where} : {raw.strip()!r} figure déjà en {sheet.column_label(seen[half])}")
        else:
            seen[half] = index
            columns[index] = half
    if code is None:
        problems.append(f"{book.where(sheet)} : colonne « code » manquante "
                        f"(colonnes lues : {', '.join(h for h in sheet.header if h) or 'aucune'})")
    if not columns and not any(p.startswith(f"{book.where(sheet)}, colonne") for p in problems):
        problems.append(f"{book.where(sheet)} : aucune colonne de demi-journée (attendu : {expected})")
    return code, columns


def read_attendance(path: Path, halves: list[HalfDay], known_codes: set[str]) -> AttendanceRead:
    """Every typed half-day of the file, validated; raises ImportRefused listing every problem."""
    book = read_table(path)
    sheet = _sheet(book)
    problems: list[str] = []
    code_column, columns = _columns(book, sheet, halves, problems)
    if problems:
        raise ImportRefused(path.name, problems)
    assert code_column is not None
    result = AttendanceRead(book, [], 0, 0)
    first: dict[str, int] = {}
    for number, cells in sheet.rows:
        def cell(index: int, cells: list[str] = cells) -> str:
            return cells[index].strip() if index < len(cells) else ""

        raw_code = cell(code_column)
        typed = {index: cell(index) for index in columns}
        if not raw_code and not any(typed.values()):
            continue
        code = raw_code.upper()
        if not code:
            problems.append(f"{book.where(sheet, number, code_column)} : code participant manquant")
        elif code not in known_codes:
            problems.append(f"{book.where(sheet, number, code_column)} : code inconnu {code} : importez d'abord "
                            "la liste des participants (kalan participants importer)")
        elif code in first:
            problems.append(f"{book.where(sheet, number, code_column)} : le code {code} figure déjà "
                            f"ligne {first[code]}")
        else:
            first[code] = number
        result.people += 1
        for index, value in typed.items():
            if not value:
                result.blanks += 1
                continue
            present = VALUES.get(key(value))
            if present is None:
                problems.append(f"{book.where(sheet, number, index)} : valeur {value!r} impossible "
                                "(attendu : P pour présent, A pour absent, ou vide)")
                continue
            day, half = columns[index]
            result.marks.append(Mark(code, day, half, present, sheet.name, number))
    if not result.people and not problems:
        problems.append(f"{book.where(sheet)} : aucune ligne de présence")
    if problems:
        raise ImportRefused(path.name, problems)
    return result


def import_attendance(conn: sqlite3.Connection, path: Path, halves: list[HalfDay],
                      dry_run: bool = False) -> ImportSummary:
    """Import one attendance file in one transaction. A half-day typed again with another value
    is updated (a corrected sheet), with a warning; an empty cell keeps what is stored."""
    known = {row[0] for row in conn.execute("SELECT code FROM participants")}
    read = read_attendance(path, halves, known)
    summary = ImportSummary(path.name, "presence", rows=len(read.marks), warnings=list(read.book.warnings))
    if read.blanks:
        summary.warnings.append(f"{read.blanks} case(s) vide(s) : demi-journées pas encore saisies (ce qui est "
                                "déjà dans la base est gardé ; jamais saisie, une demi-journée compte comme "
                                "une absence)")

    def apply(conn: sqlite3.Connection, import_id: int, summary: ImportSummary) -> None:
        existing = {(p, d, h): v for p, d, h, v in conn.execute(
            "SELECT participant, day, half, present FROM attendance")}
        changed: list[str] = []
        rows = []
        for m in read.marks:
            before = existing.get((m.code, m.day, m.half))
            if before == m.present:
                summary.unchanged += 1
                continue
            if before is None:
                summary.added += 1
            else:
                summary.updated += 1
                changed.append(f"{m.code} J{m.day} {m.half} : {'P' if before else 'A'} → "
                               f"{'P' if m.present else 'A'} (ligne {m.row})")
            rows.append((m.code, m.day, m.half, m.present, import_id, m.sheet, m.row))
        conn.executemany(
            "INSERT INTO attendance (participant, day, half, present, import_id, source_sheet, source_row) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (participant, day, half) DO UPDATE SET "
            "present = excluded.present, import_id = excluded.import_id, source_sheet = excluded.source_sheet, "
            "source_row = excluded.source_row", rows)
        if changed:
            shown = "; ".join(changed[:10]) + (f" … et {len(changed) - 10} autre(s)" if len(changed) > 10 else "")
            summary.warnings.append(f"{len(changed)} demi-journée(s) déjà saisie(s) autrement, corrigée(s) : {shown}")

    return run_import(conn, path, "presence", read.book.format, dry_run, apply, summary)


# --- Rates and completion ------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonAttendance:
    code: str
    cohort: str
    present: int
    absent: int
    total: int  # half-days of the agenda

    @property
    def unrecorded(self) -> int:
        return self.total - self.present - self.absent

    @property
    def rate(self) -> float:
        return self.present / self.total if self.total else math.nan


@dataclass(frozen=True)
class CohortAttendance:
    cohort: str
    persons: int
    present: int
    total: int  # persons × half-days
    at_or_above: int  # persons whose rate reaches the minimum share

    @property
    def rate(self) -> float:
        return self.present / self.total if self.total else math.nan


def _participants(conn: sqlite3.Connection, cohort: str | None) -> list[tuple[str, str]]:
    if cohort is not None:
        cohort_codes(conn, cohort)
        return list(conn.execute("SELECT code, cohort FROM participants WHERE cohort = ? ORDER BY code", (cohort,)))
    return list(conn.execute("SELECT code, cohort FROM participants ORDER BY cohort, code"))


def person_attendance(conn: sqlite3.Connection, halves: list[HalfDay],
                      cohort: str | None = None) -> list[PersonAttendance]:
    """Attendance of every participant (of `cohort`, or all), over the agenda's half-days only."""
    planned = {(h.day, h.half) for h in halves}
    counts: dict[str, list[int]] = {}
    for code, day, half, present in conn.execute("SELECT participant, day, half, present FROM attendance"):
        if (day, half) in planned:
            counts.setdefault(code, [0, 0])[0 if present else 1] += 1
    return [PersonAttendance(code, cohort_, *counts.get(code, [0, 0]), len(halves))
            for code, cohort_ in _participants(conn, cohort)]


def reaches(present: int, total: int, share: float) -> bool:
    """present / total ≥ share, without a float rounding a 4/5 below 0.8."""
    return total > 0 and present >= share * total - 1e-9


def cohort_attendance(people: list[PersonAttendance], share: float) -> list[CohortAttendance]:
    by_cohort: dict[str, list[PersonAttendance]] = {}
    for person in people:
        by_cohort.setdefault(person.cohort, []).append(person)
    return [CohortAttendance(cohort, len(members), sum(p.present for p in members), sum(p.total for p in members),
                             sum(reaches(p.present, p.total, share) for p in members))
            for cohort, members in sorted(by_cohort.items())]


@dataclass(frozen=True)
class Completion:
    attendance: PersonAttendance
    pre: bool
    post: bool
    share: float

    @property
    def code(self) -> str:
        return self.attendance.code

    @property
    def attended_enough(self) -> bool:
        return reaches(self.attendance.present, self.attendance.total, self.share)

    @property
    def completed(self) -> bool:
        return self.attended_enough and self.pre and self.post

    @property
    def reasons(self) -> list[str]:
        """Why the person did not complete, in French (empty when completed)."""
        a = self.attendance
        out = []
        if not self.attended_enough:
            if a.unrecorded == a.total:
                detail = "présence jamais saisie"
            else:
                detail = f"{a.present} demi-journée(s) sur {a.total}"
                if a.unrecorded:
                    detail += f", {a.unrecorded} non saisie(s)"
            out.append(f"présence {percent(a.rate)} ({detail}), sous le minimum de {percent(self.share)}")
        if not self.pre:
            out.append("pré-test manquant")
        if not self.post:
            out.append("post-test manquant")
        return out


def percent(value: float) -> str:
    """0.875 → « 87,5 % », 0.8 → « 80 % »."""
    if math.isnan(value):
        return "—"
    shown = f"{100 * value:.1f}".rstrip("0").rstrip(".")
    return f"{shown.replace('.', ',')} %"


def completions(conn: sqlite3.Connection, halves: list[HalfDay], share: float,
                cohort: str | None = None) -> list[Completion]:
    """Who completed the training: attendance ≥ `share` of the half-days and both tests taken
    (a sitting of phase « pre » and one of phase « post », whatever the form)."""
    phases: dict[str, set[str]] = {}
    for code, phase in conn.execute("SELECT DISTINCT participant, phase FROM sittings"):
        phases.setdefault(code, set()).add(phase)
    return [Completion(p, "pre" in phases.get(p.code, ()), "post" in phases.get(p.code, ()), share)
            for p in person_attendance(conn, halves, cohort)]
