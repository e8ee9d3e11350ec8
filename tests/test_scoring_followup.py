"""Issue 13 §3, §6, §7, §9: the follow-up phase, retention, results by objective and by cohort, and
Excel's « Texte Unicode » export — on real files and a real SQLite database, figures checked against an
independent computation (SQL views over the stored marks, scipy)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from scipy import stats as sps

from kalan.errors import KalanError
from kalan.quiz.build import load_quizzes
from kalan.scoring.dataset import follow_up, load_dataset
from kalan.scoring.db import open_db
from kalan.scoring.example import FILES, SUIVI_DAY, SUIVI_FILE, write_example
from kalan.scoring.participants import import_roster
from kalan.scoring.progress import cohort_rows, module_of, objective_rows, retention
from kalan.scoring.report import build_report
from kalan.scoring.results import import_results
from kalan.scoring.tables import read_table
from tests.test_pdf import text_of


@pytest.fixture(scope="module")
def quiz(repo):
    return load_quizzes(repo)


@pytest.fixture(scope="module")
def loaded(repo, quiz, tmp_path_factory):
    folder = tmp_path_factory.mktemp("suivi")
    write_example(quiz.form("PP1"), folder / "exemple", repo.code_prefixes)
    conn = open_db(folder / "kalan.sqlite")
    import_roster(conn, folder / "exemple" / "participants.xlsx", repo.code_prefixes)
    for name in FILES:
        import_results(conn, folder / "exemple" / name, quiz)
    summary = import_results(conn, folder / "exemple" / SUIVI_FILE, quiz, phase="suivi")
    return conn, folder, summary


def scores(conn, phase: str) -> dict[str, int]:
    """Scores straight from the database's own view (marks joined to the stored keys)."""
    return dict(conn.execute("SELECT participant, score FROM sitting_scores WHERE phase = ?", (phase,)))


# -- §9 Texte Unicode, and the cp1252 warning only when text was lost ----------------------------------------

def test_utf16_unicode_text_is_read_like_a_csv(tmp_path):
    path = tmp_path / "liste.txt"
    path.write_bytes(b"\xff\xfe" + "code\tnom\r\nDOU-007\tKɔnɛ Ɲɛlɛ Siŋ\r\n".encode("utf-16-le"))
    book = read_table(path)
    assert book.format == "txt-utf16" and not book.warnings
    assert book.sheets[0].header == ["code", "nom"]
    assert book.sheets[0].rows == [(2, ["DOU-007", "Kɔnɛ Ɲɛlɛ Siŋ"])]
    broken = tmp_path / "casse.txt"
    broken.write_bytes(b"\xff\xfe" + "code\t".encode("utf-16-le") + b"\x00\xd8")  # lone surrogate
    with pytest.raises(KalanError, match=r"casse\.txt : fichier marqué UTF-16"):
        read_table(broken)


def test_cp1252_warning_only_when_text_was_lost(tmp_path):
    plain = tmp_path / "codes.csv"
    plain.write_bytes("code;phase;mode\nKOR-001;pré;écrit\n".encode("cp1252"))
    assert read_table(plain).format == "csv-cp1252" and read_table(plain).warnings == []
    lost = tmp_path / "noms.csv"
    lost.write_bytes("code;nom;mode\nKOR-001;K?n? Aminata;écrit\n".encode("cp1252"))  # Excel wrote ? for ɔ ɛ
    assert any("Windows-1252" in w for w in read_table(lost).warnings)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.text(alphabet="abcɛɔɲŋéè ;,-'\"0123456789", max_size=12), min_size=3, max_size=3),
                min_size=1, max_size=6))
def test_utf16_round_trip_any_cells(tmp_path, rows):
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows([["a", "b", "c"], *rows])
    path = tmp_path / "t.txt"
    path.write_bytes(b"\xff\xfe" + out.getvalue().encode("utf-16-le"))
    book = read_table(path)
    assert book.sheets[0].header == ["a", "b", "c"]
    assert [cells for _, cells in book.sheets[0].rows] == [[c.strip() for c in row] for row in rows]


# -- §3 follow-up phase ------------------------------------------------------------------------------------

def test_follow_up_sittings_use_the_post_variant_and_import_once(loaded, quiz):
    conn, folder, summary = loaded
    assert summary.added == 29 and summary.updated == 0
    assert dict(conn.execute("SELECT phase, COUNT(*) FROM sittings GROUP BY phase")) == {
        "pre": 39, "post": 38, "suivi": 29}
    assert {row[0] for row in conn.execute("SELECT DISTINCT variant_id FROM sittings WHERE phase = 'suivi'")} == \
        {quiz.form("PP1").variant("post").id}
    assert conn.execute("SELECT format FROM imports ORDER BY id DESC LIMIT 1").fetchone()[0] == "txt-utf16"
    again = import_results(conn, folder / "exemple" / SUIVI_FILE, quiz, phase="suivi")
    assert again.changes == 0


def test_follow_up_with_contradicting_phase_is_refused(loaded, quiz):
    conn, folder, _ = loaded
    before = conn.execute("SELECT COUNT(*) FROM sittings").fetchone()
    with pytest.raises(KalanError, match=r"ligne 2.*la ligne est « suivi » mais --phase dit « post »"):
        import_results(conn, folder / "exemple" / SUIVI_FILE, quiz, phase="post")
    assert conn.execute("SELECT COUNT(*) FROM sittings").fetchone() == before


def test_retention_against_an_independent_computation(loaded):
    conn, _, _ = loaded
    data = load_dataset(conn)
    post, suivi = scores(conn, "post"), scores(conn, "suivi")
    codes = sorted(set(post) & set(suivi))
    a, b = np.array([post[c] for c in codes]), np.array([suivi[c] for c in codes])
    r = retention(data)
    reference = sps.ttest_rel(b, a)
    assert r.n == len(codes) == 29  # every follow-up sitter had a post-test
    assert r.paired.mean_gain == pytest.approx((b - a).mean(), abs=1e-9)
    assert r.paired.t == pytest.approx(reference.statistic, abs=1e-9)
    assert r.paired.p_t == pytest.approx(reference.pvalue, abs=1e-9)
    low, high = sps.t.interval(0.95, len(codes) - 1, loc=(b - a).mean(), scale=sps.sem(b - a))
    assert (r.paired.ci_low, r.paired.ci_high) == pytest.approx((low, high), abs=1e-9)
    passed = a >= data.pass_mark
    assert r.n_passed_post == int(passed.sum()) > 0
    assert r.still_passing_pct == pytest.approx(100 * np.mean(b[passed] >= data.pass_mark), abs=1e-9)
    assert r.passed_suivi_pct == pytest.approx(100 * np.mean(b >= data.pass_mark), abs=1e-9)


def test_overdue_follow_up_is_listed(loaded):
    conn, _, _ = loaded
    data = load_dataset(conn)
    post, suivi = scores(conn, "post"), scores(conn, "suivi")
    late = {r.code for r in follow_up(data, 120, dt.date(2027, 3, 1)) if "suivi en retard" in r.reason}
    assert late == set(post) - set(suivi) and late
    # Every sitting of the example has its day, the KoboToolbox exports too (the XLSForm's « date »).
    undated = conn.execute("SELECT COUNT(*) FROM sittings WHERE taken_on IS NULL OR taken_on = ''").fetchone()[0]
    assert undated == 0
    assert not any("suivi en retard" in r.reason for r in follow_up(data, 120, dt.date(2026, 12, 1)))
    assert not any("suivi en retard" in r.reason for r in follow_up(data))  # no delay given: nothing overdue


def test_cli_follow_up_phase_and_overdue_list(repo, loaded):
    _, folder, _ = loaded
    run = [sys.executable, "-m", "kalan"]
    common = ["--db", str(folder / "kalan.sqlite"), "--projet", str(repo.root)]
    same = subprocess.run([*run, "resultats", "importer", str(folder / "exemple" / SUIVI_FILE), "--phase", "suivi",
                           *common], capture_output=True, text=True)
    assert same.returncode == 0 and "Déjà importé" in same.stdout
    wrong = subprocess.run([*run, "resultats", "importer", "x.csv", "--phase", "retention", *common],
                           capture_output=True, text=True)
    assert wrong.returncode == 1 and "« suivi »" in wrong.stderr and "Traceback" not in wrong.stderr
    listed = subprocess.run([*run, "suivi", "--date", "2027-03-01", *common], capture_output=True, text=True,
                            env={"COLUMNS": "250", "PATH": ""})
    assert listed.returncode == 0 and "test de suivi en retard" in listed.stdout
    assert dt.date(2027, 3, 1) > dt.date.fromisoformat(SUIVI_DAY)


# -- §6 by objective and by module, §7 by cohort -----------------------------------------------------------

def test_objectives_and_modules_against_sql(loaded):
    conn, _, _ = loaded
    data = load_dataset(conn)
    rows = objective_rows(data)
    expected = {}
    for phase in ("pre", "post", "suivi"):
        for objective, pct in conn.execute(
                "SELECT objective, 100.0 * AVG(correct) FROM item_results WHERE phase = ? GROUP BY objective",
                (phase,)):
            expected[("objectif", objective, phase)] = pct
        by_module: dict[str, list[int]] = {}
        for objective, correct in conn.execute("SELECT objective, correct FROM item_results WHERE phase = ?",
                                               (phase,)):
            by_module.setdefault(objective.split("-")[0], []).append(correct)
        for module, values in by_module.items():
            expected[("module", module, phase)] = 100 * np.mean(values)
    got = {(r.level, r.id, phase): pct for r in rows for phase, pct in r.pct.items()}
    assert got.keys() == expected.keys()
    for k, value in expected.items():
        assert got[k] == pytest.approx(value, abs=1e-9), k
    assert module_of("M2-O3") == "M2"


def test_cohorts_in_date_order_with_their_indicator(loaded):
    conn, _, _ = loaded
    data = load_dataset(conn)
    rows = cohort_rows(data)
    post = scores(conn, "post")
    assert [r.cohort for r in rows] == sorted(r.cohort for r in rows)  # same dates: then by code
    for r in rows:
        members = [c for c, p in data.participants.items() if p["cohort"] == r.cohort and c in post]
        assert r.n_post == len(members)
        assert r.indicator == pytest.approx(100 * np.mean([post[c] >= data.pass_mark for c in members]), abs=1e-9)
        assert r.start == "2026-10-05"


def test_report_has_retention_objective_and_cohort_views(repo, loaded):
    conn, folder, _ = loaded
    data = load_dataset(conn)
    files = build_report(data, folder / "rapport", repo)
    book = load_workbook(files.workbook)
    assert {"objectifs", "cohortes"} <= set(book.sheetnames)
    indicators = {row[0].value: row[1].value for row in book["indicateurs"].iter_rows(min_row=2)}
    assert indicators["Suivi : personnes avec post-test et test de suivi (n)"] == 29
    header = [c.value for c in book["objectifs"][1]]
    assert header[3:6] == ["% juste pré-test", "% juste post-test", "% juste suivi"]
    groups = {row[0] for row in book["groupes"].iter_rows(min_row=2, values_only=True)}
    assert "Cohorte" in groups
    assert [p.name for p in files.charts][-2:] == ["objectifs.png", "indicateur-par-cohorte.png"]
    text = " ".join(text_of(files.pdf).split())
    assert "Rétention (test de suivi)" in text and "Par objectif et par module" in text
    assert "Par cohorte, dans l'ordre des dates" in text
