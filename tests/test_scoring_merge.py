"""Merging two offices' databases: real SQLite files filled by the real imports, the union checked
table by table, conflicts refused with nothing changed, merging twice changing nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kalan.errors import KalanError
from kalan.quiz.build import load_quizzes
from kalan.quiz.observation import require_checklists
from kalan.scoring.attendance import import_attendance, training_plan
from kalan.scoring.db import open_db
from kalan.scoring.example import FILES, write_example
from kalan.scoring.merge import HANDLED, TABLES, MergeRefused, merge_database
from kalan.scoring.participants import import_roster
from kalan.scoring.results import import_results
from kalan.scoring.skills import import_skills

pytestmark = pytest.mark.slow
# What each office typed: Koro and Douentza share the roster and one answer file (typed in both).
KORO = (FILES[0], FILES[1], "presence-C01-KOR.xlsx", "observations-saisie.xlsx")
DOUENTZA = (FILES[2], FILES[3], FILES[1], "presence-C02-DOU.csv", "observations-kobo.csv")


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    lines = list(conn.iterdump())
    conn.close()
    return lines


def _fill(repo, folder: Path, db: Path, files: tuple[str, ...]) -> None:
    quiz, checklists, halves = load_quizzes(repo), require_checklists(repo), training_plan(repo).halves
    conn = open_db(db)
    import_roster(conn, folder / "participants.xlsx", repo.code_prefixes)
    for name in files:
        if name.startswith("presence"):
            import_attendance(conn, folder / name, halves)
        elif name.startswith("observations"):
            import_skills(conn, folder / name, checklists)
        else:
            import_results(conn, folder / name, quiz, "PP1")
    conn.close()


@pytest.fixture(scope="module")
def offices(repo, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bureaux")
    write_example(load_quizzes(repo).form("PP1"), folder / "exemple", repo.code_prefixes)
    _fill(repo, folder / "exemple", folder / "koro.sqlite", KORO)
    _fill(repo, folder / "exemple", folder / "douentza.sqlite", DOUENTZA)
    return folder


@pytest.fixture
def pair(offices, tmp_path):
    """Fresh copies: this office's database (Koro, opened) and the other office's file (Douentza)."""
    here, other = tmp_path / "koro.sqlite", tmp_path / "douentza.sqlite"
    shutil.copy(offices / "koro.sqlite", here)
    shutil.copy(offices / "douentza.sqlite", other)
    return open_db(here), here, other


def picture(db: Path, provenance: bool = True) -> dict[str, dict[tuple, tuple]]:
    """Every row of every merged table by its key, ids replaced by what they mean (an import by
    its kind, file and hash), so that two databases can be compared whatever their numbering;
    without `provenance`, only what the rows say (not which import, sheet and row they came from)."""
    conn = sqlite3.connect(db)
    imports = {row[0]: row[1:] for row in conn.execute("SELECT id, kind, file, sha256, imported_at FROM imports")}
    out = {}
    for spec in TABLES:
        columns = [*spec.key, *spec.compared, *(spec.kept if provenance else ())]
        rows = {}
        for row in conn.execute(f"SELECT {', '.join(columns)} FROM {spec.name}"):
            values = dict(zip(columns, row, strict=True))
            if "import_id" in values:
                values["import_id"] = imports[values["import_id"]]
            for column in spec.json_columns:
                values[column] = json.loads(values[column])
            rows[tuple(values[k] for k in spec.key)] = tuple(json.dumps(values[c], sort_keys=True)
                                                             for c in columns[len(spec.key):])
        out[spec.name] = rows
    out["imports"] = {row: () for row in conn.execute(
        "SELECT kind, file, sha256, format, imported_at, rows, changes FROM imports WHERE kind != 'fusion'")}
    out["import_warnings"] = {row: () for row in conn.execute(
        "SELECT i.kind, i.file, i.sha256, i.imported_at, w.message FROM import_warnings w "
        "JOIN imports i ON i.id = w.import_id")}
    conn.close()
    return out


def test_merge_brings_every_table_and_records_the_merge(pair):
    conn, here, other = pair
    koro, douentza = picture(here), picture(other)
    summary = merge_database(conn, other)
    merged = picture(here)
    for table, rows in merged.items():
        assert rows == {**douentza[table], **koro[table]}, table  # the union; a row in both is kept as it was here
        assert set(koro[table]) <= set(rows) and set(douentza[table]) <= set(rows)
    for table in ("sittings", "attendance", "skill_observations", "imports"):
        assert set(douentza[table]) - set(koro[table]), table  # the other office brought rows of every kind
    assert conn.execute("SELECT COUNT(*) FROM sittings").fetchone()[0] == 77  # 39 pre + 38 post, all four files
    sha, rows, changes = conn.execute(
        "SELECT sha256, rows, changes FROM imports WHERE kind = 'fusion'").fetchone()
    assert sha == hashlib.sha256(other.read_bytes()).hexdigest()
    assert changes == summary.added > 0 and rows == summary.rows
    # Rows that came from Douentza keep their provenance: Douentza's import of the file they came from.
    files = {f for (f,) in conn.execute(
        "SELECT DISTINCT i.file FROM skill_observations s JOIN imports i ON i.id = s.import_id")}
    assert files == {"observations-saisie.xlsx", "observations-kobo.csv"}
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_merging_twice_changes_nothing(pair, repo, offices, tmp_path):
    conn, here, other = pair
    merge_database(conn, other)
    before = dump(here)
    assert merge_database(conn, other).already_imported
    renamed = tmp_path / "copie-douentza.sqlite"
    shutil.copy(other, renamed)
    assert merge_database(conn, renamed).already_imported  # the same bytes under another name
    assert dump(here) == before
    # The other office goes on working: merging its new file adds its new rows only, once.
    oconn = open_db(other)
    import_results(oconn, offices / "exemple" / FILES[0], load_quizzes(repo), "PP1")  # a file Koro already holds
    newcomer = tmp_path / "nouveau.csv"
    newcomer.write_text("code,sexe,categorie,cercle,commune,organisation,cohorte\n"
                        "DOU-099,F,OSC,Douentza,Boni,Association,C03-DOU\n", encoding="utf-8")
    import_roster(oconn, newcomer, repo.code_prefixes)
    oconn.close()
    summary = merge_database(conn, other)
    assert summary.tables["tests passés"][0] == 0 and summary.tables["participants"][0] == 1
    assert summary.tables["cohortes"][0] == 1 and summary.tables["journal des imports"][0] >= 1
    again = dump(here)
    assert merge_database(conn, other).already_imported and dump(here) == again


def test_a_database_already_contained_leaves_no_trace(pair):
    conn, here, other = pair
    merge_database(conn, other)
    conn.close()
    shutil.copy(here, other)  # the other office received our merged file back
    conn = open_db(here)
    before = dump(here)
    summary = merge_database(conn, other)
    assert summary.changes == 0 and summary.unchanged > 0 and dump(here) == before


def test_both_directions_give_the_same_picture(offices, tmp_path):
    a, b = tmp_path / "a" / "koro.sqlite", tmp_path / "b" / "douentza.sqlite"
    for source, dest in ((offices / "koro.sqlite", a), (offices / "douentza.sqlite", b)):
        dest.parent.mkdir()
        shutil.copy(source, dest)
    b_copy, a_copy = tmp_path / "douentza.sqlite", tmp_path / "koro.sqlite"
    shutil.copy(b, b_copy)
    shutil.copy(a, a_copy)
    merge_database(open_db(a), b_copy)
    merge_database(open_db(b), a_copy)
    left, right = picture(a, provenance=False), picture(b, provenance=False)
    assert left == right  # the same rows and the same import log (each office keeps its own provenance)
    assert left["sittings"] and left["attendance"] and left["skill_observations"]


CONFLICTS = [
    ("UPDATE sittings SET marks = json_set(marks, '$.Q03', 'illisible') WHERE participant = "
     "(SELECT participant FROM sittings s JOIN imports i ON i.id = s.import_id WHERE i.file = 'kobo-export.xlsx' "
     "ORDER BY participant LIMIT 1) AND phase = 'pre'",
     r"{code}, PP1 pre : réponses différentes — Q03 : \w+ / illisible \(ici / dans douentza.sqlite\)"),
    ("UPDATE sittings SET language = 'autre' WHERE participant = (SELECT participant FROM sittings s JOIN imports "
     "i ON i.id = s.import_id WHERE i.file = 'kobo-export.xlsx' ORDER BY participant LIMIT 1) AND phase = 'pre'",
     r"{code}, PP1 pre : réponses différentes — langue : \w+ / autre"),
    ("UPDATE participants SET commune = 'Boni-Nord' WHERE code = (SELECT MIN(code) FROM participants)",
     r"DOU-001 : données du participant différentes — commune : \w+ / Boni-Nord \(ici / dans douentza.sqlite\)"),
    ("UPDATE participants SET name = 'Une Autre Personne' WHERE code = 'KOR-004'",
     r"KOR-004 : données du participant différentes — nom : différent \(ici"),
    ("UPDATE variant_keys SET key = 'X' WHERE variant_id = 'PP1-POST' AND item_id = 'Q02'",
     r"variante PP1-POST, question Q02 : corrigé différent — clé : \w / X"),
]


@pytest.mark.parametrize("sql, message", CONFLICTS)
def test_a_conflict_is_refused_and_nothing_changes(pair, sql, message):
    import re

    conn, here, other = pair
    oconn = sqlite3.connect(other)
    code = oconn.execute("SELECT participant FROM sittings s JOIN imports i ON i.id = s.import_id "
                         "WHERE i.file = 'kobo-export.xlsx' ORDER BY participant LIMIT 1").fetchone()[0]
    assert oconn.execute(sql).rowcount == 1
    oconn.commit()
    oconn.close()
    before = dump(here)
    with pytest.raises(MergeRefused) as refused:
        merge_database(conn, other)
    text = str(refused.value)
    assert re.search(message.format(code=code), text), text
    assert "rien n'a été fusionné" in text and "Une Autre Personne" not in text  # never a name in a message
    assert dump(here) == before


def test_conflicts_on_attendance_and_observed_skills(pair, offices):
    """Both offices recorded the same half-day and the same observation, with other values."""
    conn, here, other = pair
    day, half, present, code = conn.execute("SELECT day, half, present, participant FROM attendance "
                                            "ORDER BY participant, day, half LIMIT 1").fetchone()
    observer, scores = conn.execute("SELECT observer, scores FROM skill_observations WHERE participant = ?",
                                    (code,)).fetchone()
    changed = {k: (2 if v != 2 else 1) for k, v in json.loads(scores).items()}
    oconn = sqlite3.connect(other)
    oconn.execute("INSERT INTO attendance VALUES (?, ?, ?, ?, 1, 'presence', 2)", (code, day, half, 1 - present))
    oconn.execute("INSERT INTO skill_observations (participant, checklist_id, checklist_version, scenario, observer, "
                  "observed_on, scores, import_id, source_sheet, source_row) VALUES (?, 'OPSP', 1, 's', ?, NULL, ?, 1, "
                  "'observations', 2)", (code, observer, json.dumps(changed)))
    oconn.commit()
    oconn.close()
    before = dump(here)
    with pytest.raises(MergeRefused) as refused:
        merge_database(conn, other)
    text = str(refused.value)
    shown = {1: "présent", 0: "absent"}
    halves = {"matin": "matin", "apres-midi": "après-midi"}
    assert (f"{code}, jour {day} {halves[half]} : présence différente — présence : {shown[present]} / "
            f"{shown[1 - present]}") in text
    first = next(iter(changed))
    assert f"{code}, grille OPSP, observateur {observer} : notes différentes — {first} : " in text
    assert dump(here) == before


def test_what_cannot_be_merged_is_refused(pair, tmp_path):
    conn, here, _ = pair
    before = dump(here)
    missing = tmp_path / "absente.sqlite"
    with pytest.raises(KalanError, match="fichier introuvable"):
        merge_database(conn, missing)
    assert not missing.exists()  # never created by trying to open it
    text = tmp_path / "notes.sqlite"
    text.write_text("ceci n'est pas une base", encoding="utf-8")
    foreign = tmp_path / "autre-logiciel.sqlite"
    other_app = sqlite3.connect(foreign)
    other_app.execute("CREATE TABLE t (x)")
    other_app.commit()
    other_app.close()
    foreign_bytes = foreign.read_bytes()
    for path in (text, foreign):
        with pytest.raises(KalanError, match="ce n'est pas une base de résultats kalan"):
            merge_database(conn, path)
    assert foreign.read_bytes() == foreign_bytes  # another program's database is left untouched
    with pytest.raises(KalanError, match="c'est la base ouverte elle-même"):
        merge_database(conn, here)
    newer = tmp_path / "recente.sqlite"
    shutil.copy(here, newer)
    future = sqlite3.connect(newer)
    future.execute("INSERT INTO schema_migrations VALUES ('0099_future', '2030-01-01')")
    future.commit()
    future.close()
    with pytest.raises(KalanError, match=r"version plus récente de kalan \(migration 0099_future\)"):
        merge_database(conn, newer)
    assert dump(here) == before


def test_an_office_database_of_the_first_schema_is_migrated_then_merged(pair, repo, offices, tmp_path):
    from kalan.scoring import db as dbmodule
    from kalan.scoring.migrations import MIGRATIONS

    conn, _, _ = pair
    old = tmp_path / "ancienne.sqlite"
    raw = sqlite3.connect(old, isolation_level=None)
    raw.execute("PRAGMA foreign_keys = ON")
    original = dbmodule.MIGRATIONS
    try:
        dbmodule.MIGRATIONS = MIGRATIONS[:1]
        dbmodule.migrate(raw)
    finally:
        dbmodule.MIGRATIONS = original
    import_roster(raw, offices / "exemple" / "participants.xlsx", repo.code_prefixes)
    import_results(raw, offices / "exemple" / FILES[3], load_quizzes(repo), "PP1")
    raw.close()
    summary = merge_database(conn, old)
    assert summary.tables["tests passés"][0] > 0
    assert {row[0] for row in sqlite3.connect(old).execute("SELECT name FROM schema_migrations")} == \
        {name for name, _ in MIGRATIONS}


def test_the_merge_knows_every_table_and_column_of_the_schema(tmp_path):
    """A new migration that adds a table or a column must teach the merge what to do with it."""
    conn = open_db(tmp_path / "k.sqlite")
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for table in tables:
        columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
        assert table in HANDLED, table
        assert sorted(columns) == sorted(HANDLED[table]), table


def test_cli_merge(repo, pair):
    conn, here, other = pair
    conn.close()
    run = [sys.executable, "-m", "kalan", "base", "fusionner", str(other), "--db", str(here), "--projet",
           str(repo.root)]
    dry = subprocess.run([*run, "--essai"], capture_output=True, text=True)
    assert dry.returncode == 0 and "Essai" in dry.stdout and "tests passés" in dry.stdout
    done = subprocess.run(run, capture_output=True, text=True)
    assert done.returncode == 0 and "ajoutée(s)" in done.stdout
    again = subprocess.run(run, capture_output=True, text=True)
    assert again.returncode == 0 and "Déjà fusionnée" in again.stdout
    oconn = sqlite3.connect(other)
    oconn.execute("UPDATE participants SET cercle = 'Koro' WHERE code = 'DOU-002'")
    oconn.commit()
    oconn.close()
    refused = subprocess.run(run, capture_output=True, text=True)
    assert refused.returncode == 1 and "DOU-002 : données du participant différentes" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
