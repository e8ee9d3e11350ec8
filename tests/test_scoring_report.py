"""The report from a real database: workbook contents, formula safety, PDF, charts, follow-up."""

from __future__ import annotations

import subprocess
import sys

import pytest
from openpyxl import load_workbook

from kalan.quiz.build import load_quizzes
from kalan.scoring.dataset import follow_up, load_dataset
from kalan.scoring.db import open_db
from kalan.scoring.example import FILES, write_example
from kalan.scoring.participants import import_roster
from kalan.scoring.report import build_report, compute
from kalan.scoring.results import import_results
from tests.test_pdf import text_of

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def database(repo, tmp_path_factory):
    folder = tmp_path_factory.mktemp("rapport")
    quiz = load_quizzes(repo)
    write_example(quiz.form("PP1"), folder / "exemple", repo.code_prefixes)
    roster = (folder / "exemple" / "participants.xlsx")
    # A hostile commune name: must stay text in the report, never become a formula.
    book = load_workbook(roster)
    for ref, text in (("F2", '=HYPERLINK("http://example.invalid","clic")'), ("G3", "@SUM(1,2)")):
        book.active[ref] = text
        book.active[ref].data_type = "s"  # typed as text in the roster, as Excel stores '=… typed after a quote
    book.save(roster)
    conn = open_db(folder / "kalan.sqlite")
    import_roster(conn, roster, repo.code_prefixes)
    for name in FILES:
        import_results(conn, folder / "exemple" / name, quiz)
    return conn, folder


@pytest.fixture(scope="module")
def report(repo, database):
    conn, folder = database
    data = load_dataset(conn)
    return data, build_report(data, folder / "rapport", repo)


def test_workbook_sheets_hold_numbers_as_numbers(report):
    data, files = report
    book = load_workbook(files.workbook)
    assert book.sheetnames == ["indicateurs", "groupes", "participants", "questions", "objectifs", "cohortes",
                               "qualité des données", "imports"]
    indicators = {row[0].value: row[1].value for row in book["indicateurs"].iter_rows(min_row=2)}
    assert indicators["Appariés (pré et post) : n"] == len(data.paired_codes) == 37
    assert isinstance(indicators["Gain moyen"], float)
    assert isinstance(indicators["Indicateur : % ≥ note de passage au post-test"], float)
    questions = list(book["questions"].iter_rows(min_row=2, values_only=True))
    assert [q[0] for q in questions] == [item for item, _ in data.items]
    assert all(isinstance(q[3], float) and 0 <= q[3] <= 1 for q in questions)


def test_text_from_inputs_never_becomes_a_formula(report):
    _, files = report
    sheet = load_workbook(files.workbook)["participants"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value and c.value[0] in "=@"]
    assert {c.value for c in cells} == {'=HYPERLINK("http://example.invalid","clic")', "@SUM(1,2)"}
    assert all(c.data_type == "s" for c in cells)


def test_names_only_when_asked(repo, database, tmp_path):
    conn, _ = database
    data = load_dataset(conn)
    anonymous = load_workbook(build_report(data, tmp_path / "a", repo).workbook)["participants"]
    named = load_workbook(build_report(data, tmp_path / "b", repo, with_names=True).workbook)["participants"]
    assert "Nom" not in [c.value for c in anonymous[1]]
    assert [c.value for c in named[1]][1] == "Nom"


def test_small_groups_are_not_computed(report):
    data, _ = report
    figures = compute(data)
    for group in figures.groups:
        assert (group.paired is None) == (group.n_paired < 5)


def test_pdf_report_and_charts(report):
    data, files = report
    text = " ".join(text_of(files.pdf).split())
    assert "Rapport des tests pré et post — PP1" in text
    assert "Indicateur" in text and "cible 80 %" in text
    assert all(item in text for item, _ in data.items)
    assert [p.name for p in files.charts] == ["scores-pre-post.png", "questions-pre-post.png",
                                             "indicateur-par-groupe.png", "objectifs.png",
                                             "indicateur-par-cohorte.png"]
    assert all(p.stat().st_size > 5000 for p in files.charts)


def test_follow_up_lists_missing_and_failed(report):
    data, _ = report
    rows = follow_up(data)
    listed = {r.code: r.reason for r in rows}
    no_post = set(data.participants) - set(data.post.codes)
    no_pre = set(data.participants) - set(data.pre.codes)
    assert no_post and no_pre  # the example leaves some tests out
    assert all(listed[code] == "post-test manquant" for code in no_post)
    assert no_pre <= set(listed)
    index = data.post.index()
    for row in rows:
        if row.reason.startswith("sous la note"):
            assert data.post.scores[index[row.code]] < data.pass_mark


def test_cohort_filter_and_cli(repo, database, tmp_path):
    conn, folder = database
    only = load_dataset(conn, ["C01-KOR"])
    assert {p["cohort"] for p in only.participants.values()} == {"C01-KOR"}
    run = [sys.executable, "-m", "kalan"]
    common = ["--db", str(folder / "kalan.sqlite"), "--projet", str(repo.root)]
    result = subprocess.run([*run, "suivi", "--cohorte", "C01-KOR", *common], capture_output=True, text=True)
    assert result.returncode == 0 and "C01-KOR" in result.stdout and "C02-KOR" not in result.stdout
    missing = subprocess.run([*run, "rapport", "--sortie", str(tmp_path), "--cohorte", "C99", *common],
                             capture_output=True, text=True)
    assert missing.returncode == 1 and "cohorte inconnue : C99" in missing.stderr
