"""Issue 13 §4: parallel forms PP2A / PP2B of the blueprint PP2, sat counterbalanced — a real SQLite database
filled by the real importer from real CSV files, figures checked against an independent computation (the
database's own score view, scipy), and the real command writing a real workbook and PDF."""

from __future__ import annotations

import csv
import random
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook
from scipy import stats as sps

from kalan.errors import KalanError
from kalan.quiz.build import load_quizzes
from kalan.quiz.compose import counterbalance
from kalan.scoring.dataset import follow_up, groups, item_rows, overall
from kalan.scoring.db import open_db
from kalan.scoring.example import invent_people, simulate
from kalan.scoring.family import (
    AGAINST_PLAN,
    DOUBLE,
    INCOMPLETE,
    PLANNED,
    SAME_FORM,
    is_family,
    load_family,
    plan_source,
    pooled_dataset,
)
from kalan.scoring.parallel import family_figures
from kalan.scoring.participants import import_roster
from kalan.scoring.progress import cohort_rows, objective_rows, retention
from kalan.scoring.results import import_results
from tests.test_pdf import text_of

pytestmark = pytest.mark.slow

# Deliberate breaches of the plan, by position in the invented roster (simulate() already leaves
# people 3 and 17 without a post-test and person 11 without a pre-test).
SAME, AGAINST, TWO_PRE = 0, 1, 2


@pytest.fixture(scope="module")
def database(repo, tmp_path_factory):
    folder = tmp_path_factory.mktemp("paralleles")
    quiz = load_quizzes(repo)
    rng = random.Random(13)
    people = invent_people(40, rng, repo.code_prefixes)
    book = Workbook()
    sheet = book.active
    sheet.title = "participants"
    sheet.append(["code", "nom", "sexe", "categorie", "cercle", "commune", "organisation", "cohorte"])
    for p in people:
        sheet.append([p.code, p.name, p.sex, p.category, p.cercle, p.commune, p.organisation, p.cohort])
    book.save(folder / "participants.xlsx")
    conn = open_db(folder / "kalan.sqlite")
    import_roster(conn, folder / "participants.xlsx", repo.code_prefixes)
    forms = {letter: quiz.form(f"PP2{letter}") for letter in "AB"}
    answers = {letter: simulate(people, form, random.Random(letter)) for letter, form in forms.items()}
    chosen = {letter: [] for letter in "AB"}
    for k, person in enumerate(people):
        pre, post = counterbalance(person.code)
        if k == SAME:
            post = pre
        elif k == AGAINST:
            pre, post = post, pre
        for letter in "AB":
            for a in answers[letter]:
                if a.person is person and ((a.phase == "pre" and (letter == pre or k == TWO_PRE))
                                           or (a.phase == "post" and letter == post)):
                    chosen[letter].append(a)
    for letter, form in forms.items():
        path = write_answers(folder / f"pp2{letter.lower()}.csv", form, chosen[letter])
        import_results(conn, path, quiz, f"PP2{letter}")
    return conn, folder, people


def write_answers(path: Path, form, answers) -> Path:
    """The answers as a plain CSV file of one form (code, phase, langue, mode, date, Q…)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "phase", "langue", "mode", "date", *(item.id for item in form.items)])
        for a in answers:
            writer.writerow([a.person.code, a.phase, a.language, a.mode, a.date,
                             *(a.marks[item.id] for item in form.items)])
    return path


def raw_pairs(conn: sqlite3.Connection) -> dict[str, dict[str, list[tuple[str, int]]]]:
    """code → phase → [(form, score)], straight from the database's own view (marks joined to stored keys)."""
    out: dict[str, dict[str, list[tuple[str, int]]]] = {}
    for code, form, phase, score in conn.execute(
            "SELECT participant, form_id, phase, score FROM sitting_scores WHERE form_id IN ('PP2A', 'PP2B')"):
        out.setdefault(code, {"pre": [], "post": []})[phase].append((form[-1], score))
    return out


def test_pooled_and_per_order_gain_equal_an_independent_computation(database):
    conn, _, _ = database
    family = load_family(conn, "PP2")
    figures = family_figures(family)
    raw = raw_pairs(conn)
    pairs = {code: (s["pre"][0], s["post"][0]) for code, s in raw.items()
             if len(s["pre"]) == 1 and len(s["post"]) == 1}
    pooled = [(pre, post) for (fa, pre), (fb, post) in pairs.values() if fa != fb]
    pre, post = np.array(pooled, dtype=float).T
    t = sps.ttest_rel(post, pre)
    assert figures.pooled.n == len(pooled) == 40 - 3 - 2  # 3 with one test, 1 same form, 1 two pre-tests
    assert figures.pooled.mean_gain == pytest.approx((post - pre).mean(), abs=1e-12)
    assert figures.pooled.t == pytest.approx(t.statistic, rel=1e-9)
    assert figures.pooled.p_t == pytest.approx(t.pvalue, rel=1e-9)
    assert figures.pooled.passed_post_pct == pytest.approx(100 * (post >= 15).mean())
    for order, n, paired in figures.by_order:
        members = [(a, b) for (fa, a), (fb, b) in pairs.values() if f"{fa}→{fb}" == order]
        assert n == len(members)
        if n >= 5:
            diff = np.diff(np.array(members, dtype=float), axis=1)
            assert paired.mean_gain == pytest.approx(diff.mean(), abs=1e-12)
    assert {order for order, _, _ in figures.by_order} == {"A→B", "B→A", "A→A" if counterbalance(
        family.people[0].code)[0] == "A" else "B→B"}


def test_breaches_of_the_plan_are_counted_not_dropped(database):
    conn, _, people = database
    family = load_family(conn, "PP2")
    status = {p.code: p.status for p in family.people}
    assert status[people[SAME].code] == SAME_FORM
    assert status[people[AGAINST].code] == AGAINST_PLAN
    assert status[people[TWO_PRE].code] == DOUBLE
    assert [status[people[k].code] for k in (3, 11, 17)] == [INCOMPLETE] * 3
    counts = family.counts()
    assert counts == {PLANNED: 34, AGAINST_PLAN: 1, SAME_FORM: 1, "code hors plan": 0, DOUBLE: 1, INCOMPLETE: 3}
    assert sum(counts.values()) == len(people)  # everyone who sat something is in the list
    two = next(p for p in family.people if p.status == DOUBLE)
    assert two.pre_form == "A+B" and two.pre is None


def test_item_tables_stay_per_form(database):
    conn, _, _ = database
    family = load_family(conn, "PP2")
    for letter, data in family.forms.items():
        rows = item_rows(data)
        expected = dict(conn.execute(
            "SELECT item_id, AVG(correct) FROM item_results WHERE form_id = ? AND phase = 'pre' GROUP BY item_id",
            (f"PP2{letter}",)))
        assert [r.item for r in rows] == [i for i, _ in data.items] and len(rows) == family.plan.n_items
        assert {r.item: r.p_pre for r in rows} == pytest.approx(expected, abs=1e-12)
    assert not {i for i, _ in family.forms["A"].items} & {i for i, _ in family.forms["B"].items}


def test_forms_that_do_not_match_are_refused(database, tmp_path):
    conn, _, _ = database
    assert is_family(conn, "pp2") and not is_family(conn, "PP2A") and not is_family(conn, "PP1")
    other = sqlite3.connect(tmp_path / "copie.sqlite")
    conn.backup(other)  # a copy, WAL included
    other.execute("UPDATE variants SET pass_mark = 14 WHERE form_id = 'PP2B'")
    other.commit()
    with pytest.raises(KalanError, match="les formes ne sont pas comparables"):
        load_family(other, "PP2")
    with pytest.raises(KalanError, match="aucun résultat sur les formes parallèles PP9A / PP9B"):
        load_family(conn, "PP9")


def test_rapport_command_with_the_family(repo, database, tmp_path):
    conn, folder, people = database
    assert plan_source(repo, "PP2") == "quizzes/plans/pp2.yml" and plan_source(repo, "PP1") == ""
    run = [sys.executable, "-m", "kalan", "rapport", "--formulaire", "PP2", "--sortie", str(tmp_path / "r"),
           "--db", str(folder / "kalan.sqlite"), "--projet", str(repo.root)]
    result = subprocess.run(run, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    book = load_workbook(tmp_path / "r" / "rapport-PP2.xlsx", read_only=True)
    assert book.sheetnames == ["indicateurs", "formes parallèles", "groupes", "participants", "personnes",
                               "questions PP2A", "questions PP2B", "objectifs", "cohortes", "qualité des données",
                               "imports"]
    values = {row[0]: (*row, None)[1] for row in book["formes parallèles"].iter_rows(min_row=2, values_only=True)}
    assert values["Plan"] == "quizzes/plans/pp2.yml"
    assert values["Regroupé (A→B et B→A) : gain moyen"] == pytest.approx(
        family_figures(load_family(conn, "PP2")).pooled.mean_gain)
    assert values["Personnes : même forme deux fois"] == 1
    rows = list(book["personnes"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 40 and all(c != "Nom" for c in next(book["personnes"].iter_rows(values_only=True)))
    assert not any(p.name in str(row) for p in people for row in rows)  # no names unless --avec-noms
    text = text_of(tmp_path / "r" / "rapport-PP2.pdf")
    for expected in ("Formes parallèles PP2", "quizzes/plans/pp2.yml", "A→B", "B→A", "même forme deux fois",
                     "Questions de la forme PP2A", "Questions de la forme PP2B", "Par objectif et par module",
                     "Par cohorte", "Par groupe", "Rétention (test de suivi)"):
        assert expected in text
    indicators = {row[0]: (*row, None)[1] for row in book["indicateurs"].iter_rows(min_row=2, values_only=True)}
    assert indicators["Formulaire"] == "PP2" and indicators["Questions"] == 20
    assert indicators["Appariés (pré et post) : n"] == values["Regroupé (A→B et B→A) : n"]


def test_suivi_command_pools_the_family_and_the_error_names_it(repo, database):
    _, folder, _ = database
    common = ["--db", str(folder / "kalan.sqlite"), "--projet", str(repo.root)]
    alone = subprocess.run([sys.executable, "-m", "kalan", "suivi", *common], capture_output=True, text=True)
    assert alone.returncode != 0 and "ou PP2 pour regrouper ses formes parallèles" in alone.stdout + alone.stderr
    pooled = subprocess.run([sys.executable, "-m", "kalan", "suivi", "--formulaire", "PP2", "--date", "2026-12-01",
                             *common], capture_output=True, text=True, env={**__import__("os").environ,
                                                                            "COLUMNS": "200"})
    assert pooled.returncode == 0, pooled.stderr
    assert "formulaire PP2" in pooled.stdout and "/20)" in pooled.stdout  # below the pass mark, out of one form


@pytest.fixture(scope="module")
def with_suivi(repo, database, tmp_path_factory):
    """A copy of the database with a follow-up test: half on the post-test's form, half on the other one."""
    conn, _, people = database
    folder = tmp_path_factory.mktemp("suivi")
    copy = open_db(folder / "kalan.sqlite")
    conn.backup(copy)
    quiz = load_quizzes(repo)
    forms = {letter: quiz.form(f"PP2{letter}") for letter in "AB"}
    answers = {letter: simulate(people, form, random.Random(f"suivi{letter}")) for letter, form in forms.items()}
    posts = {code: s["post"][0][0] for code, s in raw_pairs(conn).items() if len(s["post"]) == 1}
    for letter, form in forms.items():
        sat = []
        for k, person in enumerate(people[4:32], 4):
            if person.code in posts and (posts[person.code] == letter) == (k % 2 == 0):
                a = next(a for a in answers[letter] if a.person is person and a.phase == "post")
                sat.append(replace(a, phase="suivi", date="2027-02-08"))
        import_results(copy, write_answers(folder / f"suivi-{letter}.csv", form, sat), quiz, f"PP2{letter}", "suivi")
    return copy


def test_pooled_views_equal_an_independent_computation(with_suivi):
    conn = with_suivi
    family = load_family(conn, "PP2")
    pooled = pooled_dataset(family)
    assert pooled.n_items == 20 and len(pooled.items) == 40
    assert overall(pooled) == family_figures(family).pooled  # the ordinary report's pair = the pooled pair
    # Retention straight from the database's score view: one post and one follow-up sitting, any forms.
    scores: dict[str, dict[str, list[tuple[str, int]]]] = {}
    for code, form, phase, score in conn.execute("SELECT participant, form_id, phase, score FROM sitting_scores"):
        scores.setdefault(code, {}).setdefault(phase, []).append((form, score))
    pairs = [(s["post"][0], s["suivi"][0]) for s in scores.values()
             if len(s.get("post", [])) == 1 and len(s.get("suivi", [])) == 1]
    assert {a[0] == b[0] for a, b in pairs} == {True, False}  # both same-form and other-form follow-ups
    post, suivi = (np.array([x[k][1] for x in pairs], dtype=float) for k in (0, 1))
    r = retention(pooled)
    t = sps.ttest_rel(suivi, post)
    assert r.n == len(pairs) and r.paired.mean_gain == pytest.approx((suivi - post).mean(), abs=1e-12)
    assert r.paired.t == pytest.approx(t.statistic, rel=1e-9) and r.paired.p_t == pytest.approx(t.pvalue, rel=1e-9)
    assert r.still_passing_pct == pytest.approx(100 * (suivi[post >= 15] >= 15).mean(), abs=1e-9)
    # % correct per objective, from the item view; a phase sat on both forms (two pre-tests) is left out.
    for phase in ("pre", "post", "suivi"):
        twice = {c for c, s in scores.items() if len(s.get(phase, [])) > 1}
        expected: dict[str, list[int]] = {}
        for code, objective, correct in conn.execute(
                "SELECT participant, objective, correct FROM item_results WHERE phase = ?", (phase,)):
            if code not in twice:
                expected.setdefault(objective, []).append(correct)
        got = {row.id: row.pct[phase] for row in objective_rows(pooled) if row.level == "objectif"}
        assert got == pytest.approx({o: 100 * np.mean(v) for o, v in expected.items()}, abs=1e-9)
    # Cohorts and groups count each person once, with the form they sat.
    cohorts = cohort_rows(pooled)
    assert sum(c.n_post for c in cohorts) == sum(1 for s in scores.values() if len(s.get("post", [])) == 1)
    assert sum(c.n_suivi for c in cohorts) == sum(1 for s in scores.values() if len(s.get("suivi", [])) == 1)
    assert sum(g.n_paired for g in groups(pooled) if g.dimension == "cohort") == overall(pooled).n
    below = [f for f in follow_up(pooled) if "sous la note" in f.reason]
    assert below and all(f.reason.endswith("/20)") for f in below)


def test_rapport_writes_into_a_relative_folder(repo, database, tmp_path):
    """`--sortie rapports` (relative, as the README types it): the PDF's base address was once made from the
    relative path, a traceback."""
    _, folder, _ = database
    run = [sys.executable, "-m", "kalan", "rapport", "--formulaire", "PP2", "--sortie", "rapports",
           "--db", str(folder / "kalan.sqlite"), "--projet", str(repo.root)]
    result = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert text_of(tmp_path / "rapports" / "rapport-PP2.pdf").count("Questions de la forme") == 2


def test_suivi_imports_nothing_of_the_report(repo, database):
    """Issue 13 §10: `kalan suivi` once loaded WeasyPrint and matplotlib; the family's list must not bring
    the report (scipy, Pillow, WeasyPrint, openpyxl) back either."""
    _, folder, _ = database
    run = [sys.executable, "-X", "importtime", "-m", "kalan", "suivi", "--formulaire", "PP2",
           "--db", str(folder / "kalan.sqlite"), "--projet", str(repo.root)]
    result = subprocess.run(run, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    assert "kalan" in imported and not imported & {"weasyprint", "scipy", "PIL", "openpyxl", "matplotlib"}


def test_review_findings_on_the_pooled_views(repo, database, tmp_path):
    """Objectives count one form's questions; two forms at one phase is « à vérifier », not « manquant »;
    a cohort not tested yet stays « aucun test »; a cohort tested on no form of the family is refused."""
    conn, _, people = database
    pooled = pooled_dataset(load_family(conn, "PP2"))
    objectives = [r for r in objective_rows(pooled) if r.level == "objectif"]
    per_form = {}
    for _item, objective in load_family(conn, "PP2").forms["A"].items:
        per_form[objective] = per_form.get(objective, 0) + 1
    assert {r.id: r.items for r in objectives} == per_form  # not the two forms' questions added up
    assert all(r.n["pre"] == len(pooled.pre.codes) for r in objectives)
    twice = people[TWO_PRE].code
    reasons = {f.code: f.reason for f in follow_up(pooled)}
    assert reasons[twice] == "deux formes au pré-test : à vérifier"
    copy = open_db(tmp_path / "copie.sqlite")
    conn.backup(copy)
    copy.execute("INSERT INTO cohorts (code) VALUES ('C09-KOR')")  # a roster imported before its tests
    copy.execute("INSERT INTO participants (code, sex, category, cercle, commune, organisation, cohort, import_id) "
                 "SELECT 'KOR-099', 'F', 'OSC', 'Koro', 'Koro', 'Association', 'C09-KOR', MIN(id) FROM imports")
    copy.commit()
    later = pooled_dataset(load_family(copy, "PP2"))
    assert "KOR-099" in later.participants
    assert {f.code: f.reason for f in follow_up(later)}["KOR-099"] == "aucun test"
    alone = pooled_dataset(load_family(copy, "PP2", ["C09-KOR"]))  # asked for by name: its people, untested
    assert list(alone.participants) == ["KOR-099"] and not alone.pre.codes


def test_a_report_that_cannot_be_written_is_a_french_message_and_a_killed_printer_is_replaced(
        repo, database, tmp_path):
    from kalan.pdf.render import WarmPrinter
    from kalan.scoring.parallel import build_family_report

    conn, folder, _ = database
    (tmp_path / "r" / "rapport-PP2.pdf").mkdir(parents=True)  # a folder where the PDF should go
    run = [sys.executable, "-m", "kalan", "rapport", "--formulaire", "PP2", "--sortie", str(tmp_path / "r"),
           "--db", str(folder / "kalan.sqlite"), "--projet", str(repo.root)]
    result = subprocess.run(run, capture_output=True, text=True)
    out = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 1 and "Traceback" not in out
    assert f"rapport non écrit : {tmp_path / 'r' / 'rapport-PP2.pdf'} : c'est un dossier" in out
    with WarmPrinter() as printer:
        printer._process.kill()  # the out-of-memory killer, say
        printer._process.join()
        files = build_family_report(load_family(conn, "PP2"), tmp_path / "k", repo, printer=printer)
    assert "Formes parallèles PP2" in text_of(files.pdf)  # printed in this process instead
