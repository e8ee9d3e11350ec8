"""Quizzes: bank and form checks, derived keys, printed papers (real WeasyPrint),
answer-sheet markers read back with OpenCV, capture workbook and XLSForm."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from kalan.quiz.bank import load_bank
from kalan.quiz.build import capture_forms, load_quizzes, print_quizzes
from kalan.quiz.forms import load_forms
from kalan.quiz.sheet import qr_payload
from tests.conftest import edit_file
from tests.test_pdf import BAMBARA_LETTERS, fonts_of, text_of

pytestmark = pytest.mark.slow




def _findings(project):
    bank = load_bank(project, {"M1-O1"})
    return bank.findings + load_forms(project, bank)[1]


@pytest.mark.parametrize("file, old, new, field, message", [
    ("banque.yml", "cle: b", "cle: d", "Q01.cle", "n'est pas une option"),
    ("banque.yml", "objectif: M1-O1\n    type: vrai-faux", "objectif: M9-O1\n    type: vrai-faux",
     "Q02.objectif", "objectif inconnu"),
    ("banque.yml", "id: Q03", "id: Q01", "Q01.id", "en double"),
    ("banque.yml", ', bm: "Ɔ bɛ Koro."', "", "Q02.enonce.bm", "texte manquant"),
    ("banque.yml", "cle: vrai", "cle: oui", "Q02.cle", "« vrai » ou « faux »"),
    ("formulaires/essai.yml", "Q03]", "Q04]", "questions[3]", "question inconnue"),
    ("formulaires/essai.yml", "id: ESS", "id: ess-1", "id", "majuscules ASCII"),
    ("formulaires/essai.yml", "graine: 7", "graine: sept", "variantes.post.graine", "entier"),
])
def test_bad_bank_or_form_names_file_item_and_field(mini, file, old, new, field, message):
    edit_file(mini.root / "quizzes" / file, old, new)
    findings = _findings(mini)
    assert any(f.path == f"quizzes/{file}" and f.field == field and message in f.message
               for f in findings), findings


def test_check_command_fails_on_a_bad_key(mini):
    edit_file(mini.root / "quizzes" / "banque.yml", "cle: b", "cle: z")
    result = subprocess.run([sys.executable, "-m", "kalan", "check", "--projet", str(mini.root)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "quizzes/banque.yml › Q01.cle" in " ".join(result.stdout.split())


def test_real_bank_measures_every_objective_twice_without_cues(repo):
    from collections import Counter

    from kalan.check import check_quizzes
    from kalan.manifests import load_curriculum
    from kalan.quiz.bank import load_bank

    objectives = load_curriculum(repo).objective_ids()
    per_objective = Counter(i.objective for i in load_bank(repo, objectives).items.values())
    assert {o: per_objective[o] for o in objectives if per_objective[o] < 2} == {}
    assert len(per_objective) == len(objectives) and sum(per_objective.values()) >= 80
    assert [str(f) for f in check_quizzes(repo) if f.severity != "info"] == []


def test_keys_are_derived_per_variant(mini):
    form = load_quizzes(mini).form("ESS")
    pre, post = form.variant("pre"), form.variant("post")
    items = {item.id: item for item in form.items}
    assert [pre.key(i) for i in form.items] == ["B", "V", "A"]  # bank order: keys b, vrai, a
    for item in form.items:
        letter = post.key(item)
        assert dict(post.choices(item))[letter] == item.key  # the letter points at the right option
    assert [o for _, o in post.choices(items["Q01"])] != ["a", "b", "c"] or \
        [o for _, o in post.choices(items["Q03"])] != ["a", "b", "c"]  # the seed shuffled something
    again = load_quizzes(mini).form("ESS").variant("post")
    assert [again.key(i) for i in form.items] == [post.key(i) for i in form.items]  # same seed, same paper


@pytest.fixture(scope="module")
def printed_mini(tmp_path_factory):
    from tests.conftest import make_project

    project = make_project(tmp_path_factory.mktemp("quiz") / "projet")
    data = load_quizzes(project)
    out = project.print_dir
    return project, data, out, print_quizzes(project, data, out)


def test_print_set_is_complete(printed_mini):
    _, _, out, printed = printed_mini
    names = sorted(p.output.name for p in printed)
    assert names == sorted([
        "ESS-PRE-feuille-reponses.pdf", "ESS-POST-feuille-reponses.pdf",
        *(f"ESS-{v}-{kind}-{lang}.pdf" for v in ("PRE", "POST") for kind in ("questionnaire", "corrige")
          for lang in ("fr", "bm")),
        "ESS-guide-oral-fr.pdf", "ESS-guide-oral-bm.pdf",
        # the PFA competency checklist of the fixture: observation sheets and scenario cards
        *(f"OESSAI-{kind}-{lang}.pdf" for kind in ("observation", "scenario") for lang in ("fr", "bm"))])
    assert all(p.pages >= 1 for p in printed)
    assert not list(out.parent.glob("site/**/*corrige*"))  # keys never go into the site


def test_question_paper_shows_items_and_options_in_variant_order(printed_mini):
    _, data, out, _ = printed_mini
    form = data.form("ESS")
    for variant in form.variants:
        text = " ".join(text_of(out / "ESS" / f"{variant.id}-questionnaire-fr.pdf").split())
        assert variant.id in text
        stems = [text.index(item.stem["fr"]) for item in form.items]
        assert stems == sorted(stems)
        q1 = form.items[0]
        order = [text.index(q1.option(o).text["fr"]) for _, o in variant.choices(q1)]
        assert order == sorted(order)


def test_key_pdf_matches_derived_key(printed_mini):
    _, data, out, _ = printed_mini
    form = data.form("ESS")
    for variant in form.variants:
        for lang in ("fr", "bm"):
            text = text_of(out / "ESS" / f"{variant.id}-corrige-{lang}.pdf")
            rows = [line.split() for line in text.splitlines() if line.split()[:1] in (["1"], ["2"], ["3"])]
            assert [(r[1], r[2]) for r in rows] == [(i.id, variant.key(i)) for i in form.items]


def test_bambara_papers_keep_letters_and_embed_fonts(printed_mini):
    _, _, out, _ = printed_mini
    pdf = out / "ESS" / "ESS-POST-questionnaire-bm.pdf"
    text = text_of(pdf)
    assert "\ufffd" not in text and all(c in text for c in "ɛɲƆŊ")
    assert all(fonts_of(pdf).values())


def test_answer_sheet_markers_and_qr_can_be_read(printed_mini, tmp_path):
    import cv2
    import numpy as np

    _, data, out, _ = printed_mini
    form = data.form("ESS")
    variant = form.variant("post")
    pdf = out / "ESS" / f"{variant.id}-feuille-reponses.pdf"
    assert len(PdfReader(pdf).pages) == 1
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "sheet")],
                   check=True)
    image = cv2.imread(str(tmp_path / "sheet.png"), cv2.IMREAD_GRAYSCALE)
    # A crude "phone photo": perspective tilt, blur and noise.
    h, w = image.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[40, 25], [w - 10, 0], [w - 45, h - 20], [0, h - 5]])
    photo = cv2.warpPerspective(image, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=255)
    photo = cv2.GaussianBlur(photo, (3, 3), 0)
    photo = np.clip(photo + np.random.default_rng(1).normal(0, 6, photo.shape), 0, 255).astype(np.uint8)
    detector = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50))
    _, ids, _ = detector.detectMarkers(photo)
    assert ids is not None and sorted(ids.flatten().tolist()) == [0, 1, 2, 3]
    payload, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    assert payload == qr_payload(form, variant) == "kalan|ESS-POST|v2"
    template = json.loads((out / "ESS" / f"{variant.id}-feuille-reponses.json").read_text(encoding="utf-8"))
    assert template["formulaire"] == "ESS-POST"
    assert [b["valeur"] for b in template["champs"]["Q01"]] == ["A", "B", "C"]
    assert [b["valeur"] for b in template["champs"]["Q02"]] == ["V", "F"]


def test_transcription_workbook_validations(mini, tmp_path):
    from openpyxl import load_workbook

    form = load_quizzes(mini).form("ESS")
    workbook, _ = capture_forms(mini, form, tmp_path)
    book = load_workbook(workbook)
    assert book.sheetnames == ["instructions", "formulaire", "participants", "listes", "pre", "post"]
    for phase in ("pre", "post"):
        sheet = book[phase]
        assert [c.value for c in sheet[1]] == ["code", "langue", "mode", "date", "Q01", "Q02", "Q03"]
        assert sheet.freeze_panes == "B2"
        rules = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
        assert rules["A2:A401"] == "=participants!$A$2:$A$401"
        assert rules["E2:E401"] == "=listes!$A$2:$A$7"  # Q01: A, B, C, vide, multiple, illisible
        assert rules["F2:F401"] == "=listes!$B$2:$B$6"  # Q02: V, F, vide, multiple, illisible
        assert all(v.showErrorMessage for v in sheet.data_validations.dataValidation)
    lists = book["listes"]
    assert [c.value for c in lists["A"]][1:7] == ["A", "B", "C", "vide", "multiple", "illisible"]
    meta = {row[0].value: row[1].value for row in book["formulaire"].iter_rows()}
    assert meta["pre"] == "ESS-PRE" and meta["post"] == "ESS-POST" and meta["version"] == 2


def test_xlsform_converts_with_pyxform_without_warnings(repo, tmp_path):
    from pyxform.xls2xform import convert

    form = load_quizzes(repo).form("PP1")
    _, xlsform = capture_forms(repo, form, tmp_path)
    result = convert(xlsform=str(xlsform), validate=False)
    assert result.warnings == []
    xform = result.xform
    assert 'lang="Français (fr)"' in xform and 'lang="Bamanankan (bm)"' in xform
    used = {c for item in form.items for c in item.stem["bm"] if c in BAMBARA_LETTERS}
    assert len(used) >= 3 and all(letter in xform for letter in used)
    assert "regex(., '^(KOR|DOU)-[0-9]{3}$')" in xform
    assert all(f"/{item.id.lower()}" in xform for item in form.items)
    assert '<bind nodeset="/data/date" type="date" required="true()"/>' in xform  # the day of the test


def test_translation_report_counts_the_item_bank(mini):
    result = subprocess.run([sys.executable, "-m", "kalan", "check", "--traductions", "--projet", str(mini.root)],
                            capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "Banque de questions (" in line)
    cells = [c.strip() for c in re.split(r"[│|┃]", row) if c.strip()]
    assert cells[1].startswith("1 (") and cells[2].startswith("1 (") and cells[3] == "0 (0)"  # draft: none reviewed
