"""Observed skills: importing checklist scores into a real SQLite file, every refusal, the figures
(checked against a direct computation), Cohen's kappa (against a hand-worked example and an
independent computation), the report's sheet and PDF section, and the command line."""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import sqlite3
import string
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from kalan.errors import KalanError
from kalan.quiz.build import load_quizzes
from kalan.quiz.observation import require_checklists, write_observation_workbook, write_observation_xlsform
from kalan.scoring.agreement import cohen_kappa, contingency, pooled_kappa
from kalan.scoring.db import open_db
from kalan.scoring.example import write_example
from kalan.scoring.participants import import_roster
from kalan.scoring.skills import compute_skills, import_skills, load_skills, skills_tables
from tests.test_pdf import text_of

pytestmark = pytest.mark.slow
SAISIE, KOBO = "observations-saisie.xlsx", "observations-kobo.csv"


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    lines = list(conn.iterdump())
    conn.close()
    return lines


@pytest.fixture(scope="module")
def checklists(repo):
    return require_checklists(repo)


@pytest.fixture(scope="module")
def ids(checklists) -> list[str]:
    return [b.id for b in checklists[0].behaviours]


@pytest.fixture(scope="module")
def prepared(repo, tmp_path_factory):
    """The example cohort written by `kalan exemple`, and a database holding its roster only."""
    folder = tmp_path_factory.mktemp("competences")
    write_example(load_quizzes(repo).form("PP1"), folder / "exemple", repo.code_prefixes)
    conn = open_db(folder / "liste.sqlite")
    import_roster(conn, folder / "exemple" / "participants.xlsx", repo.code_prefixes)
    conn.close()
    return folder


@pytest.fixture
def empty(prepared, tmp_path):
    """A fresh copy of the roster-only database."""
    db = tmp_path / "kalan.sqlite"
    shutil.copy(prepared / "liste.sqlite", db)
    return open_db(db), db


@pytest.fixture
def loaded(empty, prepared, checklists):
    """The roster and both example observation files imported."""
    conn, db = empty
    for name in (SAISIE, KOBO):
        import_skills(conn, prepared / "exemple" / name, checklists)
    return conn, db


def _csv(path: Path, header: list[str], *rows: list[object], delimiter: str = ",") -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------ import


def test_example_observations_are_imported_once(loaded, prepared, checklists, ids):
    conn, db = loaded
    kinds = [row[0] for row in conn.execute("SELECT format FROM imports WHERE kind = 'competences' ORDER BY id")]
    assert kinds == ["xlsx", "csv-utf8"]
    workbook = load_workbook(prepared / "exemple" / SAISIE)["observations"]
    typed = [row for row in workbook.iter_rows(min_row=2, values_only=True) if row[0]]
    kobo = list(csv.reader((prepared / "exemple" / KOBO).open(encoding="utf-8"), delimiter=";"))[1:]
    stored = conn.execute("SELECT COUNT(*) FROM skill_observations").fetchone()[0]
    assert stored == len(typed) + len(kobo) and len(kobo) >= 5  # the second observer's sheets came from Kobo
    # Every stored sheet holds exactly the checklist's behaviours, each 0, 1, 2 or null.
    for (scores,) in conn.execute("SELECT scores FROM skill_observations"):
        parsed = json.loads(scores)
        assert list(parsed) == ids and set(parsed.values()) <= {0, 1, 2, None}
    # The Kobo columns use underscores, and the calculated total is not stored.
    first = kobo[0]
    code, observer = first[2], first[3]
    parsed = json.loads(conn.execute("SELECT scores FROM skill_observations WHERE participant = ? AND observer = ?",
                                     (code, observer)).fetchone()[0])
    assert [("" if v is None else str(v)) for v in parsed.values()] == first[5:5 + len(ids)]
    before = dump(db)
    for name in (SAISIE, KOBO):
        assert import_skills(conn, prepared / "exemple" / name, checklists).already_imported
    copy = prepared / "copie.csv"
    copy.write_bytes((prepared / "exemple" / KOBO).read_bytes())
    assert import_skills(conn, copy, checklists).already_imported  # same bytes under another name
    assert dump(db) == before


def test_same_scores_typed_again_change_nothing(loaded, checklists, ids, tmp_path):
    conn, db = loaded
    before = dump(db)
    rows = conn.execute("SELECT participant, observer, scenario, observed_on, scores FROM skill_observations "
                        "ORDER BY id LIMIT 5").fetchall()
    again = _csv(tmp_path / "ressaisie.csv", ["code", "observateur", "scenario", "date", *ids],
                 *([code, observer.lower(), scenario, date, *("" if v is None else v for v in json.loads(s).values())]
                   for code, observer, scenario, date, s in rows))
    summary = import_skills(conn, again, checklists)
    assert summary.unchanged == 5 and summary.changes == 0
    assert dump(db) == before  # a file that changes nothing leaves no trace, not even in the log


def _good(ids: list[str], code: str = "KOR-001", observer: str = "OBS-Z") -> list[object]:
    return [code, observer, "standard-1", "08/10/2026", *([2] * len(ids))]


@pytest.mark.parametrize("change, message", [
    (lambda h, r: (h, [["KOR-999", *r[0][1:]]]), "ligne 2, colonne 1 (code) : code inconnu KOR-999"),
    (lambda h, r: (h, [[*r[0][:4], 3, *r[0][5:]]]), "ligne 2, colonne 5 ({b0}) : note '3' impossible pour {b0}"),
    (lambda h, r: (h, [[*r[0][:5], "bien", *r[0][6:]]]), "colonne 6 ({b1}) : note 'bien' impossible"),
    (lambda h, r: (h, [[*r[0][:5], -1, *r[0][6:]]]), "note '-1' impossible"),
    (lambda h, r: (h, [[*r[0][:5], "1.5", *r[0][6:]]]), "note '1.5' impossible"),
    (lambda h, r: ([*h, "sourit"], [[*r[0], 2]]), "colonne {last} (sourit) : colonne inconnue « sourit »"),
    (lambda h, r: (h[:-1], [r[0][:-1]]), "colonne(s) manquante(s) : {blast}"),
    (lambda h, r: ([h[0], *h[2:]], [[r[0][0], *r[0][2:]]]), "colonne(s) manquante(s) : observateur"),
    (lambda h, r: (h, [[r[0][0], "", *r[0][2:]]]), "colonne 2 (observateur) : code de l'observateur manquant"),
    (lambda h, r: (h, [r[0], r[0]]), "ligne 3 : observation en double (KOR-001, observateur OBS-Z), "
                                     "identique à la ligne 2"),
    (lambda h, r: (h, [r[0], [*r[0][:4], 1, *r[0][5:]]]), "ligne 3 : KOR-001 noté deux fois par l'observateur "
                                                          "OBS-Z avec des notes différentes — {b0} : 2 / 1 (ligne 2)"),
    (lambda h, r: (h, [[*r[0][:3], "31/02/2026", *r[0][4:]]]), "colonne 4 (date) : date '31/02/2026' illisible"),
    (lambda h, r: (h, [[*r[0][:4], *([""] * (len(h) - 4))]]), "ligne 2 : aucune note sur cette ligne (KOR-001)"),
    (lambda h, r: (h, [["", *r[0][1:]]]), "colonne 1 (code) : code participant manquant"),
    (lambda h, r: (h, []), "aucune ligne d'observation"),
])
def test_bad_observation_file_is_refused_with_its_cell(empty, checklists, ids, tmp_path, change, message):
    conn, db = empty
    before = dump(db)
    header, rows = change(["code", "observateur", "scenario", "date", *ids], [_good(ids)])
    bad = _csv(tmp_path / "mauvais.csv", header, *rows)
    with pytest.raises(KalanError) as refused:
        import_skills(conn, bad, checklists)
    expected = message.format(b0=ids[0], b1=ids[1], blast=ids[-1], last=len(ids) + 5)
    assert "mauvais.csv" in str(refused.value) and expected in str(refused.value), str(refused.value)
    assert "rien n'a été importé" in str(refused.value)
    assert dump(db) == before


def test_workbook_errors_name_the_sheet_and_a_stored_sheet_cannot_change(loaded, checklists, ids, tmp_path):
    conn, db = loaded
    before = dump(db)
    path = write_observation_workbook(checklists[0], tmp_path / "saisie.xlsx", ("KOR", "DOU"))
    book = load_workbook(path)
    sheet = book["observations"]
    code, observer, scores = conn.execute("SELECT participant, observer, scores FROM skill_observations "
                                          "ORDER BY id LIMIT 1").fetchone()
    stored = json.loads(scores)
    changed = {bid: (v if bid != ids[2] else (1 if v != 1 else 2)) for bid, v in stored.items()}
    for col, value in enumerate([code, observer, "standard-1", None, *changed.values()], 1):
        sheet.cell(2, col, value)
    for col, value in enumerate(["DOU-001", "OBS-Q", "standard-1", None, 7, *([2] * (len(ids) - 1))], 1):
        sheet.cell(3, col, value)
    book.save(path)
    with pytest.raises(KalanError) as refused:
        import_skills(conn, path, checklists)
    text = str(refused.value)
    assert "saisie.xlsx, feuille « observations », ligne 3, colonne E (" + ids[0] + ") : note '7' impossible" in text
    sheet.cell(3, 5, 2)  # corrected: what remains is the disagreement with the stored sheet
    book.save(path)
    with pytest.raises(KalanError) as refused:
        import_skills(conn, path, checklists)
    text = str(refused.value)
    assert (f"saisie.xlsx, feuille « observations », ligne 2 : {code} (observateur {observer}) déjà importé avec "
            f"d'autres notes — {ids[2]} : {stored[ids[2]] if stored[ids[2]] is not None else 'vide'} / "
            f"{changed[ids[2]]}") in text
    assert dump(db) == before


def test_checklist_choice_and_version(empty, checklists, ids, tmp_path):
    conn, db = empty
    path = write_observation_workbook(checklists[0], tmp_path / "saisie.xlsx", ("KOR", "DOU"))
    book = load_workbook(path)
    book["grille"]["B2"] = checklists[0].version + 1
    for col, value in enumerate(_good(ids), 1):
        book["observations"].cell(2, col, value)
    book.save(path)
    before = dump(db)
    with pytest.raises(KalanError, match=rf"préparé pour la version {checklists[0].version + 1} de la grille "
                                         rf"{checklists[0].id}, la grille actuelle est la version"):
        import_skills(conn, path, checklists)
    with pytest.raises(KalanError, match="grille 'XYZ' inconnue"):
        import_skills(conn, path, checklists, "XYZ")
    assert dump(db) == before


def test_kobo_label_export_is_read_through_the_xlsform(empty, checklists, ids, tmp_path):
    """Every question of the real XLSForm is recognised from its label, and choice labels are scores."""
    conn, _ = empty
    checklist = checklists[0]
    form = load_workbook(write_observation_xlsform(checklist, tmp_path / "form.xlsx", ("KOR", "DOU")))["survey"]
    header_row = [c.value for c in form[1]]
    label = header_row.index("label::Français (fr)")
    labels = [row[label] for row in form.iter_rows(min_row=2, values_only=True)]
    choices = {b.id: {s: f"{s} — {b.anchors[s]['fr']}" for s in ("0", "1", "2")} for b in checklist.behaviours}
    values = ["KOR-003", "obs-l", "2026-10-08", *(choices[b][s] for b, s in zip(ids, "0120" * 3, strict=False)),
              "9"]
    assert len(labels) == len(values)
    path = _csv(tmp_path / "kobo-libelles.csv", [*labels, "_uuid", "_index"], [*values, "u-1", 1],
                [*values, "u-1", 2], delimiter=";")  # the same submission twice: kept once
    summary = import_skills(conn, path, checklists)
    assert summary.added == 1 and any("même _uuid" in w for w in summary.warnings)
    scores = json.loads(conn.execute("SELECT scores FROM skill_observations").fetchone()[0])
    assert list(scores.values()) == [int(s) for s in ("0120" * 3)[: len(ids)]]
    assert conn.execute("SELECT observer, observed_on FROM skill_observations").fetchone() == ("OBS-L", "2026-10-08")


# --------------------------------------------------------------------------------------------- agreement


def test_kappa_on_a_hand_worked_example():
    """Ten people, two observers. Table (rows first observer 0/1/2, columns second):
    [[2, 0, 0], [1, 2, 0], [0, 1, 4]]. Observed agreement 8/10; marginals (2, 3, 5) and (3, 3, 4),
    chance agreement (6 + 9 + 20)/100 = 0.35: kappa = 0.45/0.65 = 9/13. Linear weights (1, ½, 0):
    observed 0.8 + ½·0.2 = 0.9, chance 0.35 + ½·(6 + 9 + 12 + 15)/100 = 0.56: kappa = 0.34/0.44 = 17/22."""
    first = [2, 2, 2, 2, 1, 1, 1, 0, 0, 2]
    second = [2, 2, 2, 1, 1, 1, 0, 0, 0, 2]
    table = contingency(first, second)
    assert table.tolist() == [[2, 0, 0], [1, 2, 0], [0, 1, 4]]
    assert cohen_kappa(table) == pytest.approx(9 / 13, abs=1e-12)
    assert cohen_kappa(table, "linear") == pytest.approx(17 / 22, abs=1e-12)
    assert cohen_kappa(contingency([2, 2], [2, 2])) != cohen_kappa(contingency([2, 2], [2, 2]))  # NaN: undefined
    assert cohen_kappa(contingency([0, 1, 2], [0, 1, 2])) == 1


def _independent_kappa(a: np.ndarray, b: np.ndarray, linear: bool) -> float:
    """Cohen (1968) written with disagreement weights and counts: 1 − Σ v·observed / Σ v·expected."""
    observed = np.zeros((3, 3))
    for x, y in zip(a, b, strict=True):
        observed[x, y] += 1
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    v = np.abs(np.subtract.outer(np.arange(3), np.arange(3))).astype(float)
    if not linear:
        v = (v > 0).astype(float)
    return 1 - (v * observed).sum() / (v * expected).sum()


@pytest.mark.parametrize("seed", range(6))
def test_kappa_against_an_independent_computation(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 60))
    a = rng.integers(0, 3, n)
    b = np.where(rng.random(n) < 0.6, a, rng.integers(0, 3, n))
    table = contingency(list(a), list(b))
    for linear in (False, True):
        assert cohen_kappa(table, "linear" if linear else "none") == pytest.approx(
            _independent_kappa(a, b, linear), abs=1e-12)
    # Pooled over behaviours (de Vries et al. 2008), recomputed here from the pairs with plain loops.
    behaviours = [(rng.integers(0, 3, n), rng.integers(0, 3, n)) for _ in range(4)]
    for weight in (lambda x, y: float(x == y), lambda x, y: 1 - abs(x - y) / 2):
        po, pe = [], []
        for x, y in behaviours:
            po.append(sum(weight(i, j) for i, j in zip(x, y, strict=True)) / n)
            pe.append(sum(weight(i, j) * (list(x).count(i) / n) * (list(y).count(j) / n)
                          for i in range(3) for j in range(3)))
        expected = (sum(po) / 4 - sum(pe) / 4) / (1 - sum(pe) / 4)
        linear = weight(0, 1) == 0.5
        got = pooled_kappa([contingency(list(x), list(y)) for x, y in behaviours], "linear" if linear else "none")
        assert got == pytest.approx(expected, abs=1e-12)


# ----------------------------------------------------------------------------------------------- figures


def test_figures_against_a_direct_computation(loaded, checklists, ids):
    conn, _ = loaded
    t = skills_tables(conn, checklists, minimum=8)
    by_person: dict[str, dict[str, dict]] = {}
    for code, observer, scores in conn.execute("SELECT participant, observer, scores FROM skill_observations"):
        by_person.setdefault(code, {})[observer] = json.loads(scores)
    assert t.n_persons == len(by_person) and t.n_behaviours == len(ids)
    assert t.n_double == sum(len(v) > 1 for v in by_person.values()) > 0
    kept = {code: {b: min((s[b] for s in obs.values() if s[b] is not None), default=None) for b in ids}
            for code, obs in by_person.items()}
    for row in t.behaviour_rows:
        values = [k[row.id] for k in kept.values() if k[row.id] is not None]
        assert row.n == len(values)
        assert row.mean == pytest.approx(sum(values) / len(values))
        assert row.demonstrated_pct == pytest.approx(100 * values.count(2) / len(values))
        assert sum(row.pct) == pytest.approx(100)
    demonstrated = {code: sum(v == 2 for v in k.values()) for code, k in kept.items()}
    assert t.indicator == pytest.approx(100 * sum(d >= 8 for d in demonstrated.values()) / len(demonstrated))
    assert {r.code: r.demonstrated for r in t.person_rows} == demonstrated
    people = dict(conn.execute("SELECT code, sex FROM participants"))
    women = [c for c in demonstrated if people[c] == "F"]
    row = next(g for g in t.group_rows if g.dimension == "sex" and g.value == "F")
    assert row.n == len(women) and row.indicator == pytest.approx(
        100 * sum(demonstrated[c] >= 8 for c in women) / len(women))
    assert {g.dimension for g in t.group_rows} == {"sex", "category", "cercle", "cohort"}
    # Agreement: pairs of observers on the same person, rebuilt here.
    behaviour = ids[0]
    pairs = [(obs[x][behaviour], obs[y][behaviour]) for obs in by_person.values()
             for x, y in combinations(sorted(obs), 2)
             if obs[x][behaviour] is not None and obs[y][behaviour] is not None]
    row = t.agreement_rows[0]
    assert row.id == behaviour and row.pairs == len(pairs)
    assert row.exact_pct == pytest.approx(100 * sum(a == b for a, b in pairs) / len(pairs))
    a, b = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    if len(set(a) | set(b)) > 1:
        assert row.kappa == pytest.approx(_independent_kappa(a, b, False), abs=1e-12)
        assert row.kappa_linear == pytest.approx(_independent_kappa(a, b, True), abs=1e-12)
    assert t.agreement_rows[-1].id == "ensemble"


def test_minimum_is_configured_and_checked(repo, loaded, checklists):
    conn, _ = loaded
    assert repo.skills_minimum == 8
    data = load_skills(conn, checklists)
    assert compute_skills(data, 1).indicator >= compute_skills(data, 8).indicator >= compute_skills(
        data, len(data.behaviours)).indicator
    with pytest.raises(KalanError, match=rf"competences_minimales = {len(data.behaviours) + 1} .* a "
                                         rf"{len(data.behaviours)} comportements"):
        compute_skills(data, len(data.behaviours) + 1)


def test_small_groups_are_not_computed(loaded, checklists):
    conn, _ = loaded
    t = skills_tables(conn, checklists, cohorts=["C01-KOR"])
    assert {p["cohort"] for p in t.participants.values()} == {"C01-KOR"}
    for g in t.group_rows:
        assert g.suppressed == (g.n < 5) and math.isnan(g.indicator) == g.suppressed
    with pytest.raises(KalanError, match="aucune observation pour la grille XYZ"):
        skills_tables(conn, checklists, "XYZ")


# ------------------------------------------------------------------------------------------------ report


def test_report_gets_a_skills_sheet_and_section(repo, loaded, prepared, checklists, tmp_path):
    from kalan.scoring.dataset import load_dataset
    from kalan.scoring.report import build_report
    from kalan.scoring.results import import_results

    conn, _ = loaded
    quiz = load_quizzes(repo)
    for name in ("reponses-saisie.xlsx", "kobo-export.xlsx"):
        import_results(conn, prepared / "exemple" / name, quiz, "PP1")
    hostile = _csv(tmp_path / "hostile.csv", ["code", "observateur", *(b.id for b in checklists[0].behaviours)],
                   ["DOU-019", '=HYPERLINK("http://example.invalid","x")', *([1] * len(checklists[0].behaviours))])
    import_skills(conn, hostile, checklists)
    data = load_dataset(conn)
    plain = load_workbook(build_report(data, tmp_path / "sans", repo).workbook)
    assert "competences" not in plain.sheetnames  # no connection given: the report as before
    files = build_report(data, tmp_path / "avec", repo, conn=conn)
    book = load_workbook(files.workbook)
    assert book.sheetnames[:len(plain.sheetnames)] == plain.sheetnames and book.sheetnames[-1] == "competences"
    for name in plain.sheetnames:  # the test figures are unchanged by the skills section
        assert [[c.value for c in r] for r in book[name].iter_rows()] == \
            [[c.value for c in r] for r in plain[name].iter_rows()]
    t = skills_tables(conn, checklists, minimum=repo.skills_minimum)
    sheet = book["competences"]
    values = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2) if row and row[0].value}
    assert values[f"Indicateur : % qui démontrent au moins 8 des {t.n_behaviours} comportements"] == \
        pytest.approx(t.indicator)
    assert values["Personnes observées"] == t.n_persons
    formulas = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert formulas and all(c.data_type == "s" for c in formulas)  # the observer's code stays text
    text = " ".join(text_of(files.pdf).split())
    assert "Compétences observées — grille OPSP" in text and "Accord entre observateurs" in text
    assert f"démontrent au moins 8 des {t.n_behaviours} comportements" in text
    section = text.split("Compétences observées — grille OPSP", 1)[1]
    assert "DOU-019" not in section and "HYPERLINK" not in section  # groups and behaviours, not people


# ------------------------------------------------------------------------------------------- command line


def test_cli_import_summary_and_errors(repo, prepared, tmp_path, ids):
    db = tmp_path / "k.sqlite"
    shutil.copy(prepared / "liste.sqlite", db)
    run = [sys.executable, "-m", "kalan"]
    common = ["--db", str(db), "--projet", str(repo.root)]
    ok = subprocess.run([*run, "competences", "importer", str(prepared / "exemple" / SAISIE), *common],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "ajout" in ok.stdout
    bad = _csv(tmp_path / "faux.csv", ["code", "observateur", *ids], ["KOR-001", "O1", 5, *([2] * (len(ids) - 1))])
    refused = subprocess.run([*run, "competences", "importer", str(bad), *common], capture_output=True, text=True)
    assert refused.returncode == 1 and "faux.csv, ligne 2, colonne 3" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
    summary = subprocess.run([*run, "competences", "resume", *common], capture_output=True, text=True)
    assert summary.returncode == 0 and "Indicateur" in summary.stdout and ids[0] in summary.stdout


# ------------------------------------------------------------------------------------------------- fuzzing

CELLS = st.one_of(st.sampled_from(["0", "1", "2", "3", "", "KOR-001", "KOR-002", "DOU-001", "OBS-1", "obs-2",
                                   "=1+1", "ɛɔɲŋ", "08/10/2026", "2026-10-08", "31/31/2026", "-1", "2.0"]),
                  st.text(alphabet=string.printable + "ɛɔɲŋ«»é", max_size=10))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@given(rows=st.lists(st.lists(CELLS, min_size=0, max_size=17), min_size=0, max_size=6),
       delimiter=st.sampled_from([",", ";", "\t"]), keep_header=st.booleans(), drop=st.integers(0, 16))
@SETTINGS
def test_malformed_observation_files(empty, checklists, ids, tmp_path, rows, delimiter, keep_header, drop):
    conn, db = empty
    header = ["code", "observateur", "scenario", "date", *ids]
    if drop < len(header) and drop % 3 == 0:
        header = header[:drop] + header[drop + 1:]
    lines = ([header] if keep_header else []) + rows
    path = tmp_path / "fuzz.csv"
    path.write_bytes("\n".join(delimiter.join(c.replace(delimiter, " ").replace("\n", " ").replace("\r", " ")
                                              for c in row) for row in lines).encode("utf-8"))
    state = [line for line in dump(db) if not line.startswith('INSERT INTO "imports"')]
    try:
        import_skills(conn, path, checklists, dry_run=True)
    except KalanError as exc:
        assert str(exc)
    assert [line for line in dump(db) if not line.startswith('INSERT INTO "imports"')] == state
    try:
        import_skills(conn, path, checklists)
    except KalanError as exc:
        assert str(exc)  # a message for the user, nothing else escapes
    for (scores,) in conn.execute("SELECT scores FROM skill_observations"):
        parsed = json.loads(scores)  # whole sheets only: every behaviour there, every score valid
        assert list(parsed) == ids and set(parsed.values()) <= {0, 1, 2, None}


@given(rows=st.lists(st.lists(CELLS, min_size=0, max_size=17), min_size=1, max_size=4))
@SETTINGS
def test_malformed_observation_workbooks(empty, checklists, ids, tmp_path, rows):
    conn, db = empty
    book = Workbook()
    sheet = book.active
    sheet.title = "observations"
    sheet.append(["code", "observateur", "scenario", "date", *ids])
    for row in rows:
        sheet.append([c for c in row if not any(ord(ch) < 32 for ch in c)])
    path = tmp_path / "fuzz.xlsx"
    book.save(path)
    before = dump(db)
    try:
        import_skills(conn, path, checklists, dry_run=True)
    except KalanError as exc:
        assert str(exc)
    assert dump(db) == before
