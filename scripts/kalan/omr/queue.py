"""Photos into the results database: sure sheets go in through the import path of typed files,
doubtful ones wait in a review queue with the crops a person needs to decide.

One batch (a folder) is one transaction, recorded in `imports` like any file (kind « resultats »,
format « photos ») through `kalan.scoring.importing.run_import`; every sitting keeps the photo's
file name (and page) as its source and `omr_pages` keeps the photo's SHA-256. A photo already read
(same bytes) is skipped, so reading the same folder twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from kalan.errors import KalanError
from kalan.omr.photos import Page, input_files, load_pages
from kalan.omr.reader import Doubt, PageReading, Refusal, read_page
from kalan.omr.template import SheetTemplate
from kalan.quiz.bank import CHOICE
from kalan.quiz.build import QuizData
from kalan.quiz.capture import CHOICE_MARKS, TRUE_FALSE_MARKS
from kalan.quiz.forms import Form
from kalan.scoring.db import now
from kalan.scoring.importing import ImportRefused, ImportSummary, run_import
from kalan.scoring.results import ReadResult, Sitting, _differences, _read_row, register_form
from kalan.scoring.tables import Sheet, Workbook

KIND, FORMAT = "resultats", "photos"
AWAITING, IMPORTED, CORRECTED, DISCARDED = "a-verifier", "importee", "corrigee", "ecartee"
CROP_PX_PER_MM = 6.0


@dataclass
class PhotoSummary(ImportSummary):
    pages: int = 0
    queued: int = 0
    already_read: int = 0  # pages whose photo was read before (same bytes)
    refused: list[str] = field(default_factory=list)  # "file: reason", nothing written for them

    @property
    def changes(self) -> int:
        return self.added + self.updated + self.queued


@dataclass
class ReadPage:
    page: Page
    sha256: str
    result: PageReading | Refusal


def photo_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def known_photos(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT DISTINCT sha256 FROM omr_pages")}


def read_folder(folder: Path, data: QuizData, sheets: dict[str, SheetTemplate], known: set[str],
                form_hint: str | None = None, phase_hint: str | None = None,
                on_file: Callable[[Path], None] | None = None) -> tuple[list[ReadPage], int]:
    """Every page of every photo of `folder` not read before, and how many photos were skipped as read before."""
    forms = {form.id: form for form in data.forms}
    read: list[ReadPage] = []
    skipped_files = 0
    for path in input_files(folder):
        blob = path.read_bytes()
        digest = photo_hash(blob)
        if digest in known:
            skipped_files += 1
        else:
            try:
                pages = load_pages(path, blob)
            except KalanError as exc:  # a damaged file is refused with its name, never a traceback
                empty = Page(path.name, 1, np.zeros((1, 1), np.uint8))
                read.append(ReadPage(empty, digest, Refusal(empty, str(exc).split(" : ", 1)[-1])))
                pages = []
            for page in pages:
                read.append(ReadPage(page, digest, read_page(page, forms, sheets, form_hint, phase_hint)))
            known.add(digest)
        if on_file:
            on_file(path)
    return read, skipped_files


def _crop(sheet: np.ndarray, box: tuple[float, float, float, float]) -> bytes:
    h, w = sheet.shape
    x0, y0, x1, y1 = box
    x0, x1 = max(0, int(x0 * CROP_PX_PER_MM)), min(w, int(x1 * CROP_PX_PER_MM))
    y0, y1 = max(0, int(y0 * CROP_PX_PER_MM)), min(h, int(y1 * CROP_PX_PER_MM))
    ok, png = cv2.imencode(".png", sheet[y0:y1, x0:x1])
    return png.tobytes() if ok else b""


def _thumbnail(sheet: np.ndarray) -> bytes:
    small = cv2.resize(sheet, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    ok, jpeg = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return jpeg.tobytes() if ok else b""


def reading_json(r: PageReading) -> str:
    return json.dumps({"code": r.code, "phase": r.phase, "langue": r.language, "mode": r.mode, "marks": r.marks,
                       "qr": r.qr}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _allowed(form: Form) -> dict[str, tuple[str, ...]]:
    return {item.id: (CHOICE_MARKS if item.type == CHOICE else TRUE_FALSE_MARKS) for item in form.items}


def validate(sitting_values: dict[str, str], form: Form, known_codes: set[str], file: str, page: int,
             ) -> tuple[Sitting | None, list[str]]:
    """The checks a typed row goes through (code on the roster, phase, language, mode, allowed marks),
    run by the same code (`kalan.scoring.results`), on one sheet read from a photo."""
    header = ["code", "phase", "langue", "mode", *(item.id for item in form.items)]
    cells = [sitting_values.get(h, "") for h in header]
    sheet = Sheet("", header, [(page, cells)], True)
    book = Workbook(Path(file), FORMAT, [sheet])
    problems: list[str] = []
    holder = ReadResult(book, form, [])
    columns = {name: i for i, name in enumerate(header)}
    sitting = _read_row(book, sheet, page, cells, columns, form, known_codes, None, None, _allowed(form), problems,
                        holder)
    if sitting is not None:
        sitting.sheet, sitting.row = file, page
    return (None if problems else sitting), problems


def _values(r: PageReading) -> dict[str, str]:
    return {"code": r.code, "phase": r.phase, "langue": r.language, "mode": r.mode, **r.marks}


def import_pages(conn: sqlite3.Connection, folder: Path, pages: list[ReadPage], data: QuizData,
                 dry_run: bool = False) -> PhotoSummary:
    """Sure sheets into `sittings`, doubtful ones into the review queue, all in one transaction."""
    summary = PhotoSummary(folder.name, KIND, rows=len(pages), pages=len(pages))
    known_codes = {row[0] for row in conn.execute("SELECT code FROM participants")}
    forms = {form.id: form for form in data.forms}
    existing = {(code, form_id, phase): json.loads(marks) | {"langue": language, "mode": mode}
                for code, form_id, phase, language, mode, marks in conn.execute(
                    "SELECT participant, form_id, phase, language, mode, marks FROM sittings")}
    sure: list[tuple[ReadPage, Sitting]] = []
    queued: list[ReadPage] = []
    seen: dict[tuple[str, str, str], tuple[ReadPage, Sitting]] = {}
    for item in pages:
        r = item.result
        if isinstance(r, Refusal):
            summary.refused.append(f"{r.page.label} : {r.reason}")
            continue
        form = forms[r.form_id]
        if r.sure and r.code not in known_codes:
            r.doubts.append(Doubt("code", r.code, f"code {r.code} absent de la liste des participants "
                                  "(erreur de lecture, ou liste à compléter avant la correction)", {},
                                  _code_box()))
        if r.doubts:
            queued.append(item)
            continue
        sitting, problems = validate(_values(r), form, known_codes, r.page.file, r.page.number)
        if problems or sitting is None:
            raise ImportRefused(folder.name, problems)
        key = (sitting.code, form.id, sitting.phase)
        earlier = existing.get(key)
        if earlier is not None:
            before = Sitting(sitting.code, sitting.phase, earlier["langue"], earlier["mode"], "",
                             {k: v for k, v in earlier.items() if k not in ("langue", "mode")}, "", 0)
            differences = _differences(before, sitting)
            if differences:
                r.doubts.append(Doubt("code", r.code, f"{sitting.code} {sitting.phase} déjà importé avec d'autres "
                                      "réponses — " + " ; ".join(differences[:4]), {}, _code_box()))
                queued.append(item)
            else:
                summary.unchanged += 1
            continue
        twin = seen.get(key)
        if twin is not None:
            differences = _differences(twin[1], sitting)
            if not differences:
                summary.warnings.append(f"{r.page.label} : même feuille que {twin[0].page.label} "
                                        f"({sitting.code} {sitting.phase}), photographiée deux fois")
                summary.unchanged += 1
                continue
            r.doubts.append(Doubt("code", r.code, f"même code et même phase que {twin[0].page.label}, avec "
                                  "d'autres réponses — " + " ; ".join(differences[:4]), {}, _code_box()))
            queued.append(item)
            continue
        seen[key] = (item, sitting)
        sure.append((item, sitting))
    summary.added = len(sure)
    summary.queued = len(queued)
    if not sure and not queued:
        return summary
    with tempfile.TemporaryDirectory(prefix="kalan-photos-") as tmp:
        manifest = Path(tmp) / folder.name
        manifest.write_text(json.dumps(sorted([p.sha256, p.page.file, p.page.number] for p, _ in sure)
                                       + sorted([p.sha256, p.page.file, p.page.number] for p in queued)),
                            encoding="utf-8")

        def apply(conn: sqlite3.Connection, import_id: int, summary: ImportSummary) -> None:
            for form_id in sorted({p.result.form_id for p, _ in sure} | {p.result.form_id for p in queued}):
                register_form(conn, forms[form_id])
            for item, sitting in sure:
                r = item.result
                page_id = _store_page(conn, item, IMPORTED, import_id)
                sitting_id = insert_sitting(conn, forms[r.form_id], sitting, import_id)
                conn.execute("UPDATE omr_pages SET sitting_id = ? WHERE id = ?", (sitting_id, page_id))
            for item in queued:
                page_id = _store_page(conn, item, AWAITING, import_id)
                r = item.result
                conn.executemany("INSERT INTO omr_doubts (page_id, field, proposed, reason, fills, crop) "
                                 "VALUES (?, ?, ?, ?, ?, ?)",
                                 [(page_id, d.field, d.proposed, d.reason, json.dumps(d.fills, ensure_ascii=False),
                                   _crop(r.sheet, d.box_mm)) for d in _merged(r.doubts)])

        return run_import(conn, manifest, KIND, FORMAT, dry_run, apply, summary)  # type: ignore[return-value]


def _code_box() -> tuple[float, float, float, float]:
    from kalan.omr.reader import CODE_BOX

    return CODE_BOX


def _merged(doubts: list[Doubt]) -> list[Doubt]:
    """One doubt per field (a code can be doubtful twice: badly marked and absent from the roster)."""
    out: dict[str, Doubt] = {}
    for d in doubts:
        if d.field in out:
            out[d.field].reason += " ; " + d.reason
        else:
            out[d.field] = Doubt(d.field, d.proposed, d.reason, dict(d.fills), d.box_mm)
    return list(out.values())


def _store_page(conn: sqlite3.Connection, item: ReadPage, status: str, import_id: int) -> int:
    r = item.result
    cursor = conn.execute(
        "INSERT INTO omr_pages (file, sha256, page, form_id, variant_id, reading, status, read_at, import_id, "
        "thumbnail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (r.page.file, item.sha256, r.page.number, r.form_id, r.variant_id, reading_json(r), status, now(), import_id,
         _thumbnail(r.sheet) if status == AWAITING else None))
    return int(cursor.lastrowid)


def insert_sitting(conn: sqlite3.Connection, form: Form, s: Sitting, import_id: int) -> int:
    """The same row a typed file's import writes, with the photo's name and page as its source."""
    cursor = conn.execute(
        "INSERT INTO sittings (participant, form_id, phase, variant_id, language, mode, taken_on, marks, import_id, "
        "source_sheet, source_row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (s.code, form.id, s.phase, form.variant("post" if s.phase == "suivi" else s.phase).id, s.language, s.mode,
         s.date or None,
         json.dumps(s.marks, separators=(",", ":")), import_id, s.sheet, s.row))
    return int(cursor.lastrowid)
