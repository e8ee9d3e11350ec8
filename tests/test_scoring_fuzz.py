"""Property-based tests: malformed CSV and XLSX files never give a traceback or partial data."""

from __future__ import annotations

import sqlite3
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kalan.errors import KalanError
from kalan.quiz.build import load_quizzes
from kalan.scoring.db import open_db
from kalan.scoring.participants import import_roster
from kalan.scoring.results import import_results

pytestmark = pytest.mark.slow
HEADER = ["code", "phase", "langue", "mode", *(f"Q{n:02d}" for n in range(1, 21))]
CELLS = st.one_of(st.sampled_from(["A", "B", "C", "V", "F", "vide", "multiple", "illisible", "", "KOR-001",
                                   "KOR-002", "pre", "post", "fr", "bm", "oral", "ecrit", "=1+1", "@x", "ɛɔɲŋ"]),
                  st.text(alphabet=string.printable + "ɛɔɲŋ«»é", max_size=12))
ROWS = st.lists(st.lists(CELLS, min_size=0, max_size=26), min_size=0, max_size=6)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def setup(repo, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "k.sqlite"
    conn = open_db(db)
    roster = folder / "liste.csv"
    roster.write_text("code,sexe,categorie,cercle,commune,organisation,cohorte\n"
                      "KOR-001,F,mairie,Koro,Koro,Mairie,C1\nKOR-002,M,OSC,Koro,Bondo,Asso,C1\n", encoding="utf-8")
    import_roster(conn, roster, repo.code_prefixes)
    return conn, db, folder, load_quizzes(repo)


def _state(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    rows = [line for line in conn.iterdump() if not line.startswith("INSERT INTO \"imports\"")]
    conn.close()
    return rows


def _attempt(action) -> None:
    try:
        action()
    except KalanError as exc:
        assert str(exc)  # a message for the user, nothing else escapes


@given(rows=ROWS, delimiter=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig"]),
       keep_header=st.booleans())
@SETTINGS
def test_malformed_csv_answers(setup, rows, delimiter, encoding, keep_header):
    conn, db, folder, quiz = setup
    lines = ([HEADER] if keep_header else []) + rows
    path = folder / "fuzz.csv"
    path.write_bytes("\n".join(delimiter.join(c.replace(delimiter, " ").replace("\n", " ") for c in row)
                               for row in lines).encode(encoding))
    before = _state(db)
    changed = []
    _attempt(lambda: changed.append(import_results(conn, path, quiz, dry_run=True)))
    assert _state(db) == before  # a dry run never writes, whatever the file
    _attempt(lambda: import_results(conn, path, quiz))
    after = _state(db)
    if after != before:  # a successful import adds whole sittings only: 20 responses each
        sittings = conn.execute("SELECT COUNT(*) FROM sittings").fetchone()[0]
        responses = conn.execute("SELECT COUNT(*) FROM item_results").fetchone()[0]
        assert responses == 20 * sittings


@given(data=st.binary(max_size=400), prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xef\xbb\xbf"]))
@SETTINGS
def test_random_bytes_as_xlsx_or_csv(setup, data, prefix):
    conn, db, folder, quiz = setup
    before = _state(db)
    for suffix in (".xlsx", ".csv"):
        path = folder / f"bruit{suffix}"
        path.write_bytes(prefix + data)
        _attempt(lambda p=path: import_results(conn, p, quiz))
        _attempt(lambda p=path: import_roster(conn, p, ("KOR", "DOU")))
    assert _state(db) == before  # random bytes are never a valid answer file


@given(rows=st.lists(st.lists(CELLS, min_size=0, max_size=26), min_size=1, max_size=5))
@SETTINGS
def test_malformed_xlsx_answers(setup, rows):
    from openpyxl import Workbook

    conn, db, folder, quiz = setup
    book = Workbook()
    sheet = book.active
    sheet.title = "pre"
    sheet.append(HEADER)
    for row in rows:
        sheet.append([c for c in row if not any(ord(ch) < 32 for ch in c)])
    path = folder / "fuzz.xlsx"
    book.save(path)
    before = _state(db)
    _attempt(lambda: import_results(conn, path, quiz, dry_run=True))
    assert _state(db) == before
