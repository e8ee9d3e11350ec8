"""Importing rosters and answers into a real SQLite file: every format, every refusal, nothing lost."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kalan.errors import KalanError
from kalan.quiz.build import load_quizzes
from kalan.scoring.db import open_db
from kalan.scoring.example import FILES, write_example
from kalan.scoring.participants import import_roster
from kalan.scoring.results import import_results

pytestmark = pytest.mark.slow


def dump(db: Path) -> list[str]:
    """Every row of every table, to prove that a refused import changed nothing."""
    conn = sqlite3.connect(db)
    lines = list(conn.iterdump())
    conn.close()
    return lines


@pytest.fixture(scope="module")
def quiz(repo):
    return load_quizzes(repo)


@pytest.fixture
def example(repo, quiz, tmp_path) -> Path:
    folder = tmp_path / "exemple"
    write_example(quiz.form("PP1"), folder, repo.code_prefixes)
    return folder


@pytest.fixture
def loaded(repo, quiz, example, tmp_path):
    """A database with the example roster and all four answer files imported."""
    db = tmp_path / "kalan.sqlite"
    conn = open_db(db)
    import_roster(conn, example / "participants.xlsx", repo.code_prefixes)
    for name in FILES:
        import_results(conn, example / name, quiz)
    return conn, db


def test_schema_is_created_and_migrations_are_recorded(tmp_path):
    db = tmp_path / "k.sqlite"
    conn = open_db(db)
    names = [row[0] for row in conn.execute("SELECT name FROM schema_migrations")]
    assert names == ["0001_schema_initial", "0002_suivi_presence_competences", "0003_feuilles_photographiees"]
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"participants", "cohorts", "variants", "variant_keys", "sittings", "imports", "attendance",
            "skill_observations"} <= tables
    conn.close()
    assert [row[0] for row in open_db(db).execute("SELECT name FROM schema_migrations")] == names


def test_every_format_is_imported(loaded, example):
    conn, _ = loaded
    sittings = dict(conn.execute("SELECT phase, COUNT(*) FROM sittings GROUP BY phase"))
    assert sittings == {"pre": 39, "post": 38}  # the example leaves out one pre-test and two post-tests
    formats = [row[0] for row in conn.execute("SELECT format FROM imports WHERE kind = 'resultats' ORDER BY id")]
    assert formats == ["xlsx", "xlsx", "csv-utf8", "csv-cp1252"]
    warnings = [row[0] for row in conn.execute("SELECT message FROM import_warnings")]
    # The French-Excel CSV holds codes, letters and « écrit »: nothing lost, so no Windows-1252 warning (§9).
    assert not any("Windows-1252" in w for w in warnings)
    assert any("même _uuid" in w for w in warnings)  # the Kobo export holds one submission twice


def test_scores_are_derived_from_marks_and_keys(loaded, quiz):
    conn, _ = loaded
    form = quiz.form("PP1")
    code, phase, score = conn.execute(
        "SELECT participant, phase, score FROM sitting_scores WHERE phase = 'post' ORDER BY participant").fetchone()
    marks = dict(conn.execute("SELECT item_id, mark FROM item_results WHERE participant = ? AND phase = ?",
                              (code, phase)))
    variant = form.variant(phase)
    assert score == sum(marks[item.id] == variant.key(item) for item in form.items)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(sittings)")]
    assert "score" not in columns and "correct" not in columns  # never stored, always derived
    assert conn.execute("SELECT COUNT(*) FROM item_results").fetchone()[0] == 20 * 77


def test_same_file_twice_changes_nothing(loaded, repo, quiz, example):
    conn, db = loaded
    before = dump(db)
    summary = import_results(conn, example / FILES[1], quiz)
    assert summary.already_imported and summary.changes == 0
    copy = example / "copie.xlsx"
    shutil.copy(example / FILES[1], copy)
    copy.write_bytes(copy.read_bytes())  # same bytes under another name: still already imported
    assert import_results(conn, copy, quiz).already_imported
    assert import_roster(conn, example / "participants.xlsx", repo.code_prefixes).already_imported
    assert dump(db) == before


def _csv(path: Path, header: str, *rows: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


ITEMS = ",".join(f"Q{n:02d}" for n in range(1, 21))
GOOD = ",".join(["A"] * 6 + ["F"] + ["B"] * 6 + ["F"] + ["C"] * 6)


@pytest.mark.parametrize("header, row, message", [
    (f"code,phase,langue,mode,{ITEMS}", f"KOR-999,pre,fr,ecrit,{GOOD}",
     "ligne 2, colonne 1 (code) : code inconnu KOR-999"),
    (f"code,phase,langue,{ITEMS}", f"KOR-001,pre,fr,{GOOD}", "colonne(s) manquante(s) : mode"),
    (f"code,phase,langue,mode,{ITEMS}", f"KOR-001,pre,fr,ecrit,D,{GOOD[2:]}",
     "ligne 2, colonne 5 (Q01) : réponse 'D' impossible pour Q01"),
    (f"code,phase,langue,mode,{ITEMS}", f"KOR-001,pre,fr,ecrit,{GOOD.replace('F', 'A', 1)}",
     "colonne 11 (Q07) : réponse 'A' impossible pour Q07 (attendu : V, F"),
    (f"code,phase,langue,mode,{ITEMS}", f"KOR-001,avant,fr,ecrit,{GOOD}", "phase 'avant' inconnue"),
    (f"code,phase,langue,mode,{ITEMS}", f"KOR-001,pre,wolof,ecrit,{GOOD}", "langue 'wolof' inconnue"),
])
def test_bad_answer_file_is_refused_with_its_cell(loaded, quiz, tmp_path, header, row, message):
    conn, db = loaded
    before = dump(db)
    bad = _csv(tmp_path / "mauvais.csv", header, row)
    with pytest.raises(KalanError) as refused:
        import_results(conn, bad, quiz)
    assert "mauvais.csv" in str(refused.value) and message in str(refused.value)
    assert "rien n'a été importé" in str(refused.value) or "colonne" in str(refused.value)
    assert dump(db) == before


def test_duplicates_and_double_entry_disagreements(loaded, quiz, tmp_path):
    conn, db = loaded
    before = dump(db)
    same = _csv(tmp_path / "double.csv", f"code,phase,langue,mode,{ITEMS}",
                f"KOR-005,pre,fr,ecrit,{GOOD}", f"KOR-005,pre,fr,ecrit,{GOOD}")
    with pytest.raises(KalanError, match=r"ligne 3 : ligne en double \(KOR-005, pre\), identique à la ligne 2"):
        import_results(conn, same, quiz)
    other = GOOD.replace("A", "B", 2)
    differing = _csv(tmp_path / "saisie2.csv", f"code,phase,langue,mode,{ITEMS}",
                     f"KOR-005,pre,fr,ecrit,{GOOD}", f"KOR-005,pre,fr,ecrit,{other}")
    with pytest.raises(KalanError) as refused:
        import_results(conn, differing, quiz)
    text = str(refused.value)
    assert "Q01 : A / B (ligne 2)" in text and "Q02 : A / B (ligne 2)" in text
    # Against what is already stored: a second typing of an imported sheet that disagrees.
    stored = dict(conn.execute(
        "SELECT item_id, mark FROM item_results WHERE participant = 'KOR-001' AND phase = 'pre'"))
    changed = {**stored, "Q03": "C" if stored["Q03"] != "C" else "A"}
    row = ",".join(changed[f"Q{n:02d}"] for n in range(1, 21))
    language, mode = conn.execute("SELECT language, mode FROM sittings WHERE participant = 'KOR-001' "
                                  "AND phase = 'pre'").fetchone()
    retyped = _csv(tmp_path / "reprise.csv", f"code,phase,langue,mode,{ITEMS}", f"KOR-001,pre,{language},{mode},{row}")
    with pytest.raises(KalanError, match=rf"KOR-001 pre déjà importé avec d'autres réponses — Q03 : {stored['Q03']}"):
        import_results(conn, retyped, quiz)
    assert dump(db) == before


def test_broken_files_are_refused(loaded, quiz, tmp_path):
    conn, db = loaded
    before = dump(db)
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    corrupt = tmp_path / "abime.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 not really a workbook")
    protected = tmp_path / "protege.xlsx"
    protected.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    for path, message in ((empty, "le fichier est vide"), (corrupt, "illisible ou abîmé"),
                          (protected, "protégé par mot de passe")):
        with pytest.raises(KalanError, match=message):
            import_results(conn, path, quiz)
    assert dump(db) == before


@pytest.mark.parametrize("delimiter, encoding, bom", [
    (",", "utf-8", False), (";", "utf-8", True), ("\t", "utf-8", False), (";", "cp1252", False),
])
def test_csv_delimiters_and_encodings(repo, quiz, tmp_path, delimiter, encoding, bom):
    db = tmp_path / "k.sqlite"
    conn = open_db(db)
    roster = tmp_path / "liste.csv"
    names = "Kɔnɛ Aminata" if encoding == "utf-8" else "Kone Aminata"
    text = delimiter.join(["code", "nom", "sexe", "catégorie", "cercle", "commune", "organisation", "cohorte"]) + \
        "\n" + delimiter.join(["DOU-007", names, "f", "Relais", "douentza", "Boni", "Relais de Boni", "C9"]) + "\n"
    roster.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    summary = import_roster(conn, roster, repo.code_prefixes)
    assert summary.added == 1
    row = conn.execute("SELECT name, sex, category, cercle FROM participants").fetchone()
    assert row == (names, "F", "relais communautaire", "Douentza")
    answers = tmp_path / "reponses.csv"
    items = delimiter.join(f"Q{n:02d}" for n in range(1, 21))
    marks = delimiter.join(GOOD.split(","))
    answers.write_bytes(f"code{delimiter}phase{delimiter}langue{delimiter}mode{delimiter}{items}\n"
                        f"DOU-007{delimiter}pré{delimiter}bm{delimiter}écrit{delimiter}{marks}\n".encode(encoding))
    assert import_results(conn, answers, quiz).added == 1


def test_roster_errors_name_row_and_column(repo, tmp_path):
    db = tmp_path / "k.sqlite"
    conn = open_db(db)
    roster = _csv(tmp_path / "liste.csv", "code,sexe,categorie,cercle,commune,organisation,cohorte",
                  "KOR-001,F,mairie,Koro,Koro,Mairie,C1", "KOR-1,X,mairie,Mopti,Koro,Mairie,C1",
                  "KOR-001,M,ong,Koro,,Mairie,C1")
    with pytest.raises(KalanError) as refused:
        import_roster(conn, roster, repo.code_prefixes)
    text = str(refused.value)
    for expected in ("ligne 3, colonne 1 (code) : code 'KOR-1' invalide",
                     "ligne 3, colonne 2 (sexe) : valeur 'X' inconnue",
                     "ligne 3, colonne 4 (cercle) : valeur 'Mopti' inconnue",
                     "ligne 4, colonne 1 (code) : le code KOR-001 figure déjà ligne 2",
                     "ligne 4, colonne 3 (categorie) : valeur 'ong' inconnue",
                     "ligne 4, colonne 5 (commune) : valeur manquante"):
        assert expected in text
    assert conn.execute("SELECT COUNT(*) FROM participants").fetchone() == (0,)


def test_cli_dry_run_writes_nothing_and_errors_exit_non_zero(repo, example, tmp_path):
    db = tmp_path / "k.sqlite"
    run = [sys.executable, "-m", "kalan"]
    common = ["--db", str(db), "--projet", str(repo.root)]
    dry = subprocess.run([*run, "participants", "importer", str(example / "participants.xlsx"), "--essai", *common],
                         capture_output=True, text=True)
    assert dry.returncode == 0 and "Essai" in dry.stdout
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM participants").fetchone() == (0,)
    refused = subprocess.run([*run, "resultats", "importer", str(example / FILES[0]), *common],
                             capture_output=True, text=True)
    assert refused.returncode == 1
    assert "code inconnu" in refused.stderr and "Traceback" not in refused.stderr + refused.stdout


def test_a_database_of_the_first_schema_is_migrated_with_its_rows(tmp_path, example, repo, quiz):
    """A Koro or Douentza office's existing database keeps every row and id through migration 0002."""
    import sqlite3

    from kalan.scoring import db as dbmodule
    from kalan.scoring.migrations import MIGRATIONS

    path = tmp_path / "ancienne.sqlite"
    old = MIGRATIONS[:1]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    original = dbmodule.MIGRATIONS
    try:
        dbmodule.MIGRATIONS = old
        dbmodule.migrate(conn)
    finally:
        dbmodule.MIGRATIONS = original
    import_roster(conn, example / "participants.xlsx", repo.code_prefixes)  # imported under the first schema
    for name in FILES:
        import_results(conn, example / name, quiz)
    before_conn = conn
    before = {t: before_conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
              for t in ("imports", "participants", "variants", "sittings")}
    before_conn.close()
    conn = open_db(path)
    after = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in before}
    assert after == before and after["sittings"]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("SELECT COUNT(*) FROM sitting_scores").fetchone()[0] == len(after["sittings"])
