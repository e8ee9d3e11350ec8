"""Attendance and certificates from a real SQLite file, real XLSX/CSV and real PDFs:
half-days from the agenda, the typing workbook, refused files, completion, attestations."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import os
import shutil
import sqlite3
import string
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from kalan.config import load_project
from kalan.errors import KalanError
from kalan.quiz.build import load_quizzes
from kalan.schedule import build_agenda
from kalan.scoring.attendance import (
    cohort_attendance,
    completions,
    half_days,
    import_attendance,
    person_attendance,
    training_plan,
    write_attendance_workbook,
)
from kalan.scoring.attestations import (
    check_output_folder,
    dates_text,
    hours_text,
    parse_date,
    plan_attestations,
    print_certificates,
    print_sheets,
    training_dates,
    verification_code,
    verify,
    write_not_qualified,
)
from kalan.scoring.db import open_db
from kalan.scoring.example import FILES, write_example
from kalan.scoring.participants import import_roster
from kalan.scoring.results import import_results
from tests.conftest import ROOT
from tests.test_pdf import text_of

pytestmark = pytest.mark.slow
RUN = [sys.executable, "-m", "kalan"]
WIDE = {**os.environ, "COLUMNS": "250"}  # rich wraps at 80 columns otherwise


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    lines = list(conn.iterdump())
    conn.close()
    return lines


@pytest.fixture(scope="module")
def plan(repo):
    return training_plan(repo)


@pytest.fixture(scope="module")
def base(repo, plan, tmp_path_factory):
    """The example written once, and a database with its roster and all its answers."""
    folder = tmp_path_factory.mktemp("presence")
    example = folder / "exemple"
    write_example(load_quizzes(repo).form("PP1"), example, repo.code_prefixes)
    db = folder / "base.sqlite"
    conn = open_db(db)
    import_roster(conn, example / "participants.xlsx", repo.code_prefixes)
    quiz = load_quizzes(repo)
    for name in FILES:
        import_results(conn, example / name, quiz, "PP1")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return example, db


@pytest.fixture
def loaded(base, tmp_path):
    """A fresh copy of the base database (roster and answers, no attendance yet)."""
    example, db = base
    copy = tmp_path / "kalan.sqlite"
    shutil.copy(db, copy)
    return open_db(copy), copy, example


@pytest.fixture
def attended(loaded, plan):
    conn, db, example = loaded
    for name in ("presence-C01-KOR.xlsx", "presence-C02-DOU.csv"):
        import_attendance(conn, example / name, plan.halves)
    return conn, db, example


def _csv(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


# --- Half-days ------------------------------------------------------------------------------------


def test_half_days_come_from_the_agenda(repo, plan):
    from kalan.manifests import load_curriculum

    curriculum = load_curriculum(repo)
    agenda = build_agenda(curriculum.modules, repo.day)
    assert plan.n_days == len(agenda) >= 2
    assert [h.column for h in plan.halves[:2]] == ["J1 matin", "J1 apres-midi"]
    for day in agenda:
        halves = plan.on_day(day.number)
        assert [h.half for h in halves] == ["matin", "apres-midi"]
        assert sum(h.teaching_minutes for h in halves) == day.teaching_minutes
        lunch = max((s for s in day.slots if s.pause is not None), key=lambda s: s.end - s.start)
        assert halves[0].end == lunch.start and halves[1].start == lunch.end
    assert plan.teaching_minutes == sum(s.minutes for m in curriculum.modules for s in m.sessions)
    assert plan.halves[0].modules[0] == curriculum.modules[0].id
    assert (hours_text(1590), hours_text(120), hours_text(1590, "bm")) == ("26 h 30", "2 h", "lɛrɛ 26 ni miniti 30")


def test_a_day_without_lunch_is_split_at_one_o_clock(repo):
    from kalan.manifests import load_curriculum

    agenda = build_agenda(load_curriculum(repo).modules, dataclasses.replace(repo.day, breaks=()))
    halves = half_days(agenda)
    sessions = {(d.number, s.start) for d in agenda for s in d.slots if s.session}
    for h in halves:
        inside = [start for day, start in sessions if day == h.day and h.start <= start < h.end]
        assert inside and all((start < 13 * 60) == (h.half == "matin") for start in inside)


# --- The typing workbook and the import -----------------------------------------------------------


def test_workbook_has_the_cohort_codes_and_p_a_lists(loaded, plan, tmp_path):
    conn, _, _ = loaded
    codes = [c for (c,) in conn.execute("SELECT code FROM participants WHERE cohort = 'C01-KOR' ORDER BY code")]
    path = write_attendance_workbook(tmp_path / "saisie.xlsx", "C01-KOR", codes, plan.halves)
    book = load_workbook(path)
    sheet = book["presence"]
    assert [c.value for c in sheet[1]] == ["code", *(h.column for h in plan.halves)]
    assert [sheet.cell(r, 1).value for r in range(2, len(codes) + 2)] == codes
    names = {row[0] for row in conn.execute("SELECT name FROM participants")}
    assert not any(c.value in names for row in book.worksheets for line in row.iter_rows() for c in line)
    rules = {r.formula1.lstrip("="): str(r.sqref) for r in sheet.data_validations.dataValidation}
    assert rules["listes!$A$2:$A$3"].startswith("B2:") and [book["listes"].cell(r, 1).value for r in (2, 3)] == \
        ["P", "A"]
    assert book["listes"].sheet_state == "hidden"


def test_a_cohort_name_never_becomes_a_formula(plan, tmp_path):
    path = write_attendance_workbook(tmp_path / "s.xlsx", "=HYPERLINK(\"x\")", ["KOR-001"], plan.halves)
    cell = load_workbook(path)["cohorte"]["B1"]
    assert cell.value == "=HYPERLINK(\"x\")" and cell.data_type == "s"


def _independent(example: Path, conn: sqlite3.Connection, share: float) -> dict[str, tuple[int, bool]]:
    """From the raw files and the sittings table: code → (half-days present, completed)."""
    present: dict[str, int] = {}
    book = load_workbook(example / "presence-C01-KOR.xlsx", read_only=True)
    for row in list(book["presence"].iter_rows(values_only=True))[1:]:
        if row[0]:
            present[row[0]] = sum(v == "P" for v in row[1:])
    with open(example / "presence-C02-DOU.csv", encoding="cp1252", newline="") as handle:
        for row in list(csv.reader(handle, delimiter=";"))[1:]:
            present[row[0]] = sum(v == "P" for v in row[1:])
    pre = {c for (c,) in conn.execute("SELECT participant FROM sittings WHERE phase = 'pre'")}
    post = {c for (c,) in conn.execute("SELECT participant FROM sittings WHERE phase = 'post'")}
    total = 8
    return {code: (n, n / total >= share and code in pre and code in post) for code, n in present.items()}


def test_example_attendance_and_completion(attended, plan, repo):
    conn, _, example = attended
    assert len(plan.halves) == 8  # the independent computation below counts 8 half-days
    expected = _independent(example, conn, repo.attendance_share)
    done = completions(conn, plan.halves, repo.attendance_share)
    assert {c.code: (c.attendance.present, c.completed) for c in done} == expected
    not_done = {c.code: c.reasons for c in done if not c.completed}
    assert set(not_done) == {"KOR-003", "KOR-007", "DOU-005", "DOU-002", "DOU-006", "DOU-009"}
    assert not_done["KOR-003"] == ["présence 62,5 % (5 demi-journée(s) sur 8), sous le minimum de 80 %"]
    assert not_done["DOU-006"] == ["pré-test manquant"] and not_done["DOU-009"] == ["post-test manquant"]
    assert next(c for c in done if c.code == "KOR-005").completed  # 7 of 8 half-days: above 80 %
    by_cohort = {c.cohort: c for c in cohort_attendance([c.attendance for c in done], repo.attendance_share)}
    for cohort, row in by_cohort.items():
        members = [code for code in expected if (code.startswith("KOR") == (cohort == "C01-KOR"))]
        assert row.rate == pytest.approx(sum(expected[c][0] for c in members) / (8 * len(members)), abs=1e-12)
        assert row.at_or_above == sum(expected[c][0] >= 6.4 for c in members)


def test_importing_twice_changes_nothing(attended, plan, tmp_path):
    conn, db, example = attended
    before = dump(db)
    again = import_attendance(conn, example / "presence-C01-KOR.xlsx", plan.halves)
    assert again.already_imported and again.changes == 0
    copy = tmp_path / "copie.csv"
    copy.write_bytes((example / "presence-C02-DOU.csv").read_bytes().replace(b"\r\n", b"\n"))
    same = import_attendance(conn, copy, plan.halves)  # same content, other bytes: nothing to change
    assert not same.already_imported and same.changes == 0 and same.unchanged == 160
    assert dump(db) == before


def test_a_corrected_sheet_updates_and_an_empty_cell_keeps(attended, plan, tmp_path):
    conn, _, _ = attended
    assert conn.execute("SELECT present FROM attendance WHERE participant = 'KOR-003' AND day = 4 "
                        "AND half = 'apres-midi'").fetchone() == (0,)
    fix = _csv(tmp_path / "correction.csv", "Code;J4 après-midi;J4 matin;Jour 1 matin", "kor-003;présent;;p")
    summary = import_attendance(conn, fix, plan.halves)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 1, 1)
    assert any("KOR-003 J4 apres-midi : A → P (ligne 2)" in w for w in summary.warnings)
    assert any("1 case(s) vide(s)" in w for w in summary.warnings)
    rows = dict(((d, h), p) for d, h, p in conn.execute(
        "SELECT day, half, present FROM attendance WHERE participant = 'KOR-003'"))
    assert rows[(4, "apres-midi")] == 1 and rows[(4, "matin")] == 0  # the empty cell kept the stored A


def test_dry_run_writes_nothing(loaded, plan):
    conn, db, example = loaded
    before = dump(db)
    summary = import_attendance(conn, example / "presence-C01-KOR.xlsx", plan.halves, dry_run=True)
    assert summary.dry_run and summary.added == 160
    assert dump(db) == before


HEADER = "code,J1 matin,J1 apres-midi,J2 matin"


@pytest.mark.parametrize("lines, message", [
    ((HEADER, "KOR-999,P,P,P"), "ligne 2, colonne 1 (code) : code inconnu KOR-999"),
    ((HEADER, "KOR-001,P,X,P"), "ligne 2, colonne 3 (J1 apres-midi) : valeur 'X' impossible (attendu : P"),
    ((HEADER, "KOR-001,P,1,P"), "ligne 2, colonne 3 (J1 apres-midi) : valeur '1' impossible"),
    ((HEADER, ",P,A,P"), "ligne 2, colonne 1 (code) : code participant manquant"),
    ((HEADER, "KOR-001,P,P,P", "KOR-001,P,P,P"), "ligne 3, colonne 1 (code) : le code KOR-001 figure déjà ligne 2"),
    (("code,J1 matim,J1 apres-midi", "KOR-001,P,P"), "colonne 2 (J1 matim) : en-tête inconnu 'J1 matim'"),
    (("code,J9 matin", "KOR-001,P"), "colonne 2 (J9 matin) : 'J9 matin' n'est pas une demi-journée de l'agenda"),
    (("code,J1 matin,Jour 1 matin", "KOR-001,P,P"), "colonne 3 (Jour 1 matin) : 'Jour 1 matin' figure déjà en "
                                                    "colonne 2"),
    (("participant,J1 matin", "KOR-001,P"), "colonne « code » manquante"),
    (("code,nom", "KOR-001,Awa"), "aucune colonne de demi-journée"),
    ((HEADER,), "aucune ligne de présence"),
])
def test_bad_files_are_refused_with_their_cell(attended, plan, tmp_path, lines, message):
    conn, db, _ = attended
    before = dump(db)
    with pytest.raises(KalanError) as refused:
        import_attendance(conn, _csv(tmp_path / "mauvais.csv", *lines), plan.halves)
    assert f"mauvais.csv, {message}" in str(refused.value) or f"mauvais.csv : {message}" in str(refused.value)
    assert dump(db) == before


def test_bad_workbook_names_sheet_row_and_column(attended, plan, tmp_path):
    conn, db, example = attended
    book = load_workbook(example / "presence-C01-KOR.xlsx")
    book["presence"]["C3"] = "présente ?"
    book["presence"]["A5"] = "KOR-500"
    path = tmp_path / "abime.xlsx"
    book.save(path)
    before = dump(db)
    with pytest.raises(KalanError) as refused:
        import_attendance(conn, path, plan.halves)
    text = str(refused.value)
    assert "abime.xlsx : 2 problème(s), rien n'a été importé" in text
    assert "abime.xlsx, feuille « presence », ligne 3, colonne C (J1 apres-midi) : valeur 'présente ?'" in text
    assert "feuille « presence », ligne 5, colonne A (code) : code inconnu KOR-500" in text
    assert dump(db) == before


def test_cli_errors_exit_non_zero_without_traceback(attended, repo, tmp_path):
    _, db, _ = attended
    common = ["--db", str(db), "--projet", str(repo.root)]
    bad = _csv(tmp_path / "faux.csv", HEADER, "KOR-001,P,Z,P")
    result = subprocess.run([*RUN, "presence", "importer", str(bad), *common], capture_output=True, text=True)
    assert result.returncode == 1 and "faux.csv" in result.stderr and "valeur 'Z' impossible" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    before = dump(db)
    fix = _csv(tmp_path / "bon.csv", "code;J1 matin", "KOR-003;A")
    dry = subprocess.run([*RUN, "presence", "importer", str(fix), "--essai", *common], capture_output=True, text=True)
    assert dry.returncode == 0 and "Essai" in dry.stdout and dump(db) == before
    unknown = subprocess.run([*RUN, "presence", "modele", "--cohorte", "C77", "--sortie", str(tmp_path / "m.xlsx"),
                              *common], capture_output=True, text=True)
    assert unknown.returncode == 1 and "cohorte inconnue : C77" in unknown.stderr
    summary = subprocess.run([*RUN, "presence", "bilan", *common], capture_output=True, text=True,
                             env=WIDE)
    assert summary.returncode == 0 and "C01-KOR" in summary.stdout and "KOR-003" in summary.stdout


# --- Fuzzing the new reader -----------------------------------------------------------------------

CELLS = st.one_of(st.sampled_from(["P", "A", "p", "a", "présent", "absente", "", "X", "1", "KOR-001", "KOR-002",
                                   "KOR-999", "=1+1", "ɛɔɲŋ"]),
                  st.text(alphabet=string.printable + "ɛɔɲŋ«»é", max_size=10))
HEADERS = st.lists(st.sampled_from(["code", "J1 matin", "J1 apres-midi", "J2 matin", "J4 après-midi", "J9 matin",
                                    "nom", "", "x", "Jour 3 matin"]), min_size=0, max_size=6)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def fuzz_db(plan, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-presence")
    conn = open_db(folder / "k.sqlite")
    roster = folder / "liste.csv"
    roster.write_text("code,sexe,categorie,cercle,commune,organisation,cohorte\n"
                      "KOR-001,F,mairie,Koro,Koro,Mairie,C1\nKOR-002,M,OSC,Koro,Bondo,Asso,C1\n", encoding="utf-8")
    import_roster(conn, roster, ("KOR", "DOU"))
    return conn, folder / "k.sqlite", folder


def _state(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    rows = [line for line in conn.iterdump() if not line.startswith('INSERT INTO "imports"')]
    conn.close()
    return rows


def _attempt(action) -> None:
    try:
        action()
    except KalanError as exc:
        assert str(exc)


def _valid_rows(conn: sqlite3.Connection) -> None:
    for code, day, half, present in conn.execute("SELECT participant, day, half, present FROM attendance"):
        assert code in ("KOR-001", "KOR-002") and 1 <= day <= 4 and half in ("matin", "apres-midi")
        assert present in (0, 1)


@given(header=HEADERS, rows=st.lists(st.lists(CELLS, max_size=7), max_size=5),
       delimiter=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
@SETTINGS
def test_malformed_csv_attendance(fuzz_db, plan, header, rows, delimiter, encoding):
    conn, db, folder = fuzz_db
    text = "\n".join(delimiter.join(c.replace(delimiter, " ").replace("\n", " ") for c in line)
                     for line in [header, *rows])
    path = folder / "fuzz.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    before = _state(db)
    _attempt(lambda: import_attendance(conn, path, plan.halves, dry_run=True))
    assert _state(db) == before  # a dry run never writes
    _attempt(lambda: import_attendance(conn, path, plan.halves))
    _valid_rows(conn)


@given(rows=st.lists(st.lists(CELLS, max_size=7), min_size=1, max_size=5), header=HEADERS)
@SETTINGS
def test_malformed_xlsx_attendance(fuzz_db, plan, rows, header):
    conn, db, folder = fuzz_db
    book = Workbook()
    sheet = book.active
    sheet.title = "presence"
    sheet.append(header)
    for row in rows:
        sheet.append([c for c in row if not any(ord(ch) < 32 for ch in c)])
    for line in sheet.iter_rows():
        for cell in line:
            cell.data_type = "s" if isinstance(cell.value, str) else cell.data_type
    path = folder / "fuzz.xlsx"
    book.save(path)
    before = _state(db)
    _attempt(lambda: import_attendance(conn, path, plan.halves, dry_run=True))
    assert _state(db) == before
    _attempt(lambda: import_attendance(conn, path, plan.halves))
    _valid_rows(conn)


@given(data=st.binary(max_size=300), prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xef\xbb\xbf"]))
@SETTINGS
def test_random_bytes_are_never_attendance(fuzz_db, plan, data, prefix):
    conn, db, folder = fuzz_db
    before = _state(db)
    for suffix in (".xlsx", ".csv"):
        path = folder / f"bruit{suffix}"
        path.write_bytes(prefix + data)
        _attempt(lambda p=path: import_attendance(conn, p, plan.halves))
    assert _state(db) == before


# --- Settings -------------------------------------------------------------------------------------


def _project_with(tmp_path: Path, line: str):
    root = tmp_path / "projet"
    root.mkdir(parents=True)
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "presence_minimale = 0.8" in text
    (root / "pyproject.toml").write_text(text.replace("presence_minimale = 0.8", line), encoding="utf-8")
    return root


def test_minimum_share_is_read_from_pyproject(attended, plan, tmp_path, repo):
    conn, _, _ = attended
    assert repo.attendance_share == 0.8
    lower = load_project(_project_with(tmp_path / "a", "presence_minimale = 0.75")).attendance_share
    assert lower == 0.75
    done = {c.code: c.completed for c in completions(conn, plan.halves, lower, "C01-KOR")}
    assert done["KOR-007"] and not done["KOR-003"]  # 6/8 reaches 75 %, 5/8 does not
    for n, bad in enumerate(("presence_minimale = 80", "presence_minimale = 0", 'presence_minimale = "0,8"')):
        with pytest.raises(KalanError, match=r"\[tool.kalan.suivi\] presence_minimale .* une part entre 0 et 1"):
            load_project(_project_with(tmp_path / str(n), bad))


# --- Attestations ---------------------------------------------------------------------------------


def test_dates_of_the_training(attended, plan):
    conn, _, _ = attended
    assert parse_date("05/10/2026") == parse_date("2026-10-05") == dt.date(2026, 10, 5)
    assert parse_date("2026-10-05T09:01:00.000+00:00") == dt.date(2026, 10, 5) and parse_date("demain") is None
    start, end, _ = training_dates(conn, "C02-DOU", plan.n_days)  # this cohort's dates were typed 05/10/2026
    assert (start, end) == (dt.date(2026, 10, 5), dt.date(2026, 10, 8))
    assert training_dates(conn, "C01-KOR", 4, dt.date(2027, 1, 30))[:2] == (dt.date(2027, 1, 30), dt.date(2027, 2, 2))
    assert dates_text(dt.date(2026, 10, 5), dt.date(2026, 10, 8)) == "du 5 au 8 octobre 2026"
    assert dates_text(dt.date(2026, 9, 30), dt.date(2026, 10, 1)) == "du 30 septembre au 1er octobre 2026"
    assert dates_text(dt.date(2026, 12, 30), dt.date(2027, 1, 2)) == "du 30 décembre 2026 au 2 janvier 2027"
    assert dates_text(dt.date(2026, 10, 5), dt.date(2026, 10, 8), "bm") == "05/10/2026 – 08/10/2026"
    with pytest.raises(KalanError, match="dates de la formation incohérentes"):
        training_dates(conn, "C01-KOR", 4, dt.date(2026, 10, 8), dt.date(2026, 10, 5))


def test_attestations_only_for_those_who_completed(attended, plan, repo, tmp_path):
    conn, _, _ = attended
    att = plan_attestations(conn, plan, repo.attendance_share, "C01-KOR")
    completed = {c.code for c in completions(conn, plan.halves, repo.attendance_share, "C01-KOR") if c.completed}
    assert {c.code for c in att.certificates} == completed and len(completed) == 18
    folder = tmp_path / "attestations"
    paths = print_certificates(att, folder, repo, ("fr", "bm"), workers=2)
    assert sorted(p.name for p in folder.glob("*.pdf")) == sorted(
        f"attestation-{code}-{lang}.pdf" for code in completed for lang in ("fr", "bm"))
    assert len(paths) == 36
    name, organisation, commune = conn.execute(
        "SELECT name, organisation, commune FROM participants WHERE code = 'KOR-001'").fetchone()
    fr = " ".join(text_of(folder / "attestation-KOR-001-fr.pdf").split())
    for expected in ("Attestation de participation", name, f"« {organisation} »", f"commune de {commune}",
                     "du 5 au 8 octobre 2026", f"{hours_text(plan.teaching_minutes)} de séances",
                     "M0 — Ouverture, cadre et pré-test", plan.modules[-1].label("fr"), "Signature",
                     f"Code de vérification : {verification_code('KOR-001', 'C01-KOR')}"):
        assert expected in fr, expected
    bm = " ".join(text_of(folder / "attestation-KOR-001-bm.pdf").split())
    assert "Kalan seereya sɛbɛn" in bm and name in bm and plan.modules[1].label("bm") in bm
    assert "05/10/2026 – 08/10/2026" in bm
    other = conn.execute("SELECT name FROM participants WHERE code = 'KOR-002'").fetchone()[0]
    assert other not in fr  # one person per certificate


def test_not_qualified_list_says_why_and_names_only_when_asked(attended, plan, repo, tmp_path):
    conn, _, _ = attended
    att = plan_attestations(conn, plan, repo.attendance_share, "C02-DOU")
    path = write_not_qualified(att, tmp_path / "nq.csv", repo)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8")), delimiter=";"))
    assert {r["code"]: r["motif"] for r in rows} == {
        "DOU-002": "post-test manquant", "DOU-006": "pré-test manquant", "DOU-009": "post-test manquant",
        "DOU-005": "présence 50 % (4 demi-journée(s) sur 8), sous le minimum de 80 %"}
    assert "nom" not in rows[0] and rows[0]["présence (%)"] in ("100,0", "50,0")
    names = {n for (n,) in conn.execute("SELECT name FROM participants")}
    assert not any(n in raw.decode("utf-8") for n in names)
    conn.execute("UPDATE participants SET name = '=HYPERLINK(\"http://x.invalid\")' WHERE code = 'DOU-002'")
    named = write_not_qualified(plan_attestations(conn, plan, repo.attendance_share, "C02-DOU"),
                                tmp_path / "nq2.csv", repo, with_names=True)
    rows = list(csv.DictReader(io.StringIO(named.read_bytes()[3:].decode("utf-8")), delimiter=";"))
    assert next(r for r in rows if r["code"] == "DOU-002")["nom"] == "'=HYPERLINK(\"http://x.invalid\")"


def test_a_person_without_a_name_gets_a_message_not_an_empty_certificate(attended, repo, tmp_path):
    conn, db, example = attended
    roster = load_workbook(example / "participants.xlsx")
    roster.active["B2"] = None  # KOR-001 (completed) loses its name
    path = tmp_path / "liste-sans-nom.xlsx"
    roster.save(path)
    assert import_roster(conn, path, repo.code_prefixes).updated == 1
    out = tmp_path / "sortie"
    out.mkdir()
    (out / "attestation-KOR-003-fr.pdf").write_bytes(b"%PDF-1.7 from an earlier run")  # KOR-003 no longer qualifies
    (out / "autre.pdf").write_bytes(b"%PDF-1.7 not ours")
    result = subprocess.run([*RUN, "attestations", "--cohorte", "C01-KOR", "--sortie", str(out), "--db", str(db),
                             "--projet", str(repo.root), "--processus", "2"], capture_output=True, text=True,
                            env=WIDE)
    assert result.returncode == 0, result.stderr
    assert "KOR-001 a terminé la formation mais n'a pas de nom dans la liste des participants" in result.stdout
    assert not (out / "attestation-KOR-001-fr.pdf").exists() and (out / "attestation-KOR-002-fr.pdf").exists()
    assert "attestation-KOR-003-fr.pdf, imprimée auparavant pour une personne qui n'est plus qualifiée" in result.stdout
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(
        ["autre.pdf", *(f"attestation-KOR-{n:03d}-fr.pdf" for n in range(2, 21) if n not in (3, 7))])
    listing = (out / "non-qualifies-C01-KOR.csv").read_text(encoding="utf-8-sig")
    assert "KOR-001;" in listing and "nom absent de la liste des participants" in listing
    assert "KOR-003;" in listing and "KOR-007;" in listing


def test_verification_code_and_its_check(attended, plan, repo, tmp_path):
    conn, db, _ = attended
    code = verification_code("KOR-005", "C01-KOR")
    assert code == hashlib.sha256(b"kalan-attestation-v1|KOR-005|C01-KOR").hexdigest()[:8].upper()
    codes = {verification_code(c, k) for c, k in conn.execute("SELECT code, cohort FROM participants")}
    assert len(codes) == 40  # no collision in the example
    found = verify(conn, plan, repo.attendance_share, f"{code[:4].lower()}-{code[4:]}")
    assert [(v.code, v.cohort, v.completion.completed) for v in found] == [("KOR-005", "C01-KOR", True)]
    failed = verify(conn, plan, repo.attendance_share, verification_code("KOR-003", "C01-KOR"))
    assert not failed[0].completion.completed
    assert verify(conn, plan, repo.attendance_share, verification_code("KOR-005", "C02-DOU")) == []
    with pytest.raises(KalanError, match="8 caractères"):
        verify(conn, plan, repo.attendance_share, "XYZ")
    common = ["--db", str(db), "--projet", str(repo.root)]
    ok = subprocess.run([*RUN, "attestations", "--verifier", code, *common], capture_output=True, text=True,
                        env=WIDE)
    assert ok.returncode == 0 and "KOR-005, cohorte C01-KOR — a terminé la formation" in ok.stdout
    forged = subprocess.run([*RUN, "attestations", "--verifier", "00000000", *common], capture_output=True,
                            text=True)
    assert forged.returncode == 1 and "ne correspond à aucun participant" in forged.stderr


def test_names_never_go_into_the_site_or_the_repository(repo, tmp_path):
    for refused in (repo.site_dir, repo.site_dir / "pdf" / "attestations", repo.root / "docs", repo.root):
        with pytest.raises(KalanError, match=r"site|dépôt git"):
            check_output_folder(refused, repo)
    assert check_output_folder(tmp_path / "x", repo) == (tmp_path / "x").resolve()
    assert check_output_folder(repo.out_dir / "attestations", repo)
    assert check_output_folder(repo.root / "data" / "attestations", repo)


def test_attendance_sheets_pdf(attended, plan, repo, tmp_path):
    conn, _, _ = attended
    path = print_sheets(conn, plan, "C01-KOR", tmp_path / "feuilles", repo, dt.date(2026, 10, 5))
    from pypdf import PdfReader

    assert path.name == "presence-C01-KOR.pdf" and len(PdfReader(path).pages) == plan.n_days  # 20 people a day
    text = " ".join(text_of(path).split())
    for number in range(1, plan.n_days + 1):
        assert f"Feuille de présence — jour {number} — {dt.date(2026, 10, 4 + number):%d/%m/%Y}" in text
    for code, name in conn.execute("SELECT code, name FROM participants WHERE cohort = 'C01-KOR'"):
        assert code in text and name in text
    assert "DOU-001" not in text and "contient des noms" in text
    assert "matin 08:00–" in text and "après-midi" in text
    with pytest.raises(KalanError, match="site"):
        print_sheets(conn, plan, "C01-KOR", repo.site_dir, repo)
    with pytest.raises(KalanError, match="cohorte inconnue : C9"):
        print_sheets(conn, plan, "C9", tmp_path, repo)


def test_person_attendance_ignores_half_days_outside_the_agenda(attended, plan):
    conn, _, _ = attended
    conn.execute("INSERT INTO attendance SELECT participant, 9, half, 1, import_id, source_sheet, source_row "
                 "FROM attendance WHERE participant = 'KOR-003' AND day = 1")
    person = next(p for p in person_attendance(conn, plan.halves, "C01-KOR") if p.code == "KOR-003")
    assert (person.present, person.absent, person.total) == (5, 3, 8)
