"""Capture forms generated from the item bank, so nothing is typed twice:
an Excel workbook to type paper answers into, and an XLSForm for KoboToolbox/ODK.

Both record the mark *as written on the paper* (the printed letter, or « vide »,
« multiple », « illisible »); scoring maps letters back to options through the
variant's derived key.
"""

from __future__ import annotations

from pathlib import Path

from kalan.quiz.bank import CHOICE
from kalan.quiz.forms import LETTERS, Form

BLANK, MULTIPLE, ILLEGIBLE = "vide", "multiple", "illisible"
CHOICE_MARKS = (*LETTERS, BLANK, MULTIPLE, ILLEGIBLE)
TRUE_FALSE_MARKS = ("V", "F", BLANK, MULTIPLE, ILLEGIBLE)
LANG_CHOICES = (("fr", "Français", "Tubabukan"), ("bm", "Bamanankan", "Bamanankan"),
                ("autre", "Autre (oral interprété)", "Kan wɛrɛ"))
MODE_CHOICES = (("ecrit", "Écrit", "Sɛbɛnni"), ("oral", "Oral", "Da la"))
PHASE_CHOICES = (("pre", "Pré-test", "Kalan ɲɛ kɔrɔbɔli"), ("post", "Post-test", "Kalan kɔfɛ kɔrɔbɔli"))
FIXED_COLUMNS = ("code", "langue", "mode", "date")
ROWS = 400  # rows prepared with validation in each phase sheet
FR, BM = "Français (fr)", "Bamanankan (bm)"
# The XLSForm's first questions: (type, name, French label, Bambara label).
SURVEY_META = (
    ("text", "code", "Code participant (ex. KOR-023)", "Kalanden ka kode (misali: KOR-023)"),
    ("select_one phase", "phase", "Phase du test", "Kɔrɔbɔli waati"),
    ("select_one langue", "langue", "Langue du test", "Kɔrɔbɔli kan"),
    ("select_one mode", "mode", "Mode (écrit ou oral)", "Cogo (sɛbɛnni walima da la)"),
    # The day the test was sat (not the day it is typed in): the follow-up list counts the months from it.
    ("date", "date", "Date du test", "Kɔrɔbɔli don"),
)
MARK_LABELS = {BLANK: ("Vide (aucune bulle)", "Lankolon"), MULTIPLE: ("Plusieurs bulles", "Bilen caman"),
               ILLEGIBLE: ("Illisible", "A tɛ se ka kalan")}


def code_regex(prefixes: tuple[str, ...]) -> str:
    return f"^({'|'.join(prefixes)})-[0-9]{{3}}$"


def marks_for(item_type: str) -> tuple[str, ...]:
    return CHOICE_MARKS if item_type == CHOICE else TRUE_FALSE_MARKS


def write_workbook(form: Form, path: Path, prefixes: tuple[str, ...]) -> Path:
    """The transcription workbook (XLSX) for typing the paper answers of one form."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    guide = book.active
    guide.title = "instructions"
    lines = [
        f"Saisie des réponses — formulaire {form.id}, version {form.version}",
        "",
        "1. Onglet « participants » : collez la liste des codes des participants (colonne A), "
        f"sous la forme {prefixes[0]}-023. Aucun nom dans ce fichier.",
        "2. Onglets « pre » et « post » : une ligne par feuille de réponses, en recopiant exactement la feuille.",
        "3. Code : choisissez-le dans la liste (il doit exister dans l'onglet « participants »).",
        "4. Langue : fr, bm ou autre (interprétation orale) ; mode : ecrit ou oral.",
        "5. Pour chaque question, recopiez la lettre noircie (A, B, C ou V, F), même si elle est fausse.",
        f"   « {BLANK} » : aucune bulle noircie ; « {MULTIPLE} » : plusieurs bulles ; "
        f"« {ILLEGIBLE} » : impossible à lire (gardez la feuille pour vérification).",
        "6. Ne tapez jamais de note ni de total : kalan calcule les scores à partir des réponses et du corrigé.",
        "7. Enregistrez au format Excel (.xlsx), pas en CSV : le CSV de l'Excel français perd les lettres "
        "bambara et change les séparateurs.",
        "",
        f"Variantes : pré-test = {form.variant('pre').id}, post-test = {form.variant('post').id}.",
    ]
    for row, text in enumerate(lines, 1):
        guide.cell(row, 1, text)
    guide["A1"].font = Font(bold=True, size=13)
    guide.column_dimensions["A"].width = 120

    meta = book.create_sheet("formulaire")
    for row, (key, value) in enumerate((("formulaire", form.id), ("version", form.version),
                                        ("pre", form.variant("pre").id), ("post", form.variant("post").id),
                                        ("questions", len(form.items))), 1):
        meta.cell(row, 1, key)
        meta.cell(row, 2, value)

    roster = book.create_sheet("participants")
    roster["A1"] = "code"
    roster["A1"].font = Font(bold=True)
    roster.column_dimensions["A"].width = 14

    lists = book.create_sheet("listes")
    columns = {"choix": CHOICE_MARKS, "vf": TRUE_FALSE_MARKS,
               "langue": tuple(c[0] for c in LANG_CHOICES), "mode": tuple(c[0] for c in MODE_CHOICES)}
    ranges = {}
    for col, (name, values) in enumerate(columns.items(), 1):
        letter = chr(64 + col)
        lists.cell(1, col, name)
        for row, value in enumerate(values, 2):
            lists.cell(row, col, value)
        ranges[name] = f"=listes!${letter}$2:${letter}${len(values) + 1}"
    lists.sheet_state = "hidden"

    header_fill = PatternFill("solid", fgColor="DDDDDD")
    for phase in ("pre", "post"):
        sheet = book.create_sheet(phase)
        headers = [*FIXED_COLUMNS, *(item.id for item in form.items)]
        for col, name in enumerate(headers, 1):
            cell = sheet.cell(1, col, name)
            cell.font, cell.fill = Font(bold=True), header_fill
            cell.alignment = Alignment(horizontal="center")
            sheet.column_dimensions[cell.column_letter].width = 12 if col <= 4 else 9
        sheet.freeze_panes = "B2"
        last = ROWS + 1
        rules = [(f"=participants!$A$2:$A${last}", "A",
                  "Code inconnu : ajoutez-le d'abord dans l'onglet « participants »."),
                 (ranges["langue"], "B", "Choisissez fr, bm ou autre."),
                 (ranges["mode"], "C", "Choisissez ecrit ou oral.")]
        for col, item in enumerate(form.items, len(FIXED_COLUMNS) + 1):
            kind = "choix" if item.type == CHOICE else "vf"
            rules.append((ranges[kind], sheet.cell(1, col).column_letter,
                          f"Recopiez la lettre de la feuille ({', '.join(columns[kind])})."))
        for formula, column, message in rules:
            rule = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                  errorTitle="Valeur refusée", error=message)
            rule.add(f"{column}2:{column}{last}")
            sheet.add_data_validation(rule)
        for row in range(2, last + 1):
            sheet.cell(row, 4).number_format = "DD/MM/YYYY"
    book.active = book.sheetnames.index("instructions")
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_xlsform(form: Form, path: Path, prefixes: tuple[str, ...]) -> Path:
    """An XLSForm (KoboToolbox / ODK Collect) to capture one paper answer sheet per submission."""
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", f"label::{FR}", f"label::{BM}", "required", "constraint",
                   f"constraint_message::{FR}", f"constraint_message::{BM}"])
    for kind, name, fr, bm in SURVEY_META:
        check = ("", "", "")
        if name == "code":
            check = (f"regex(., '{code_regex(prefixes)}')",
                     f"Code de la forme {prefixes[0]}-023 : {', '.join(prefixes)}, un tiret, trois chiffres",
                     f"Kode cogo: {prefixes[0]}-023")
        survey.append([kind, name, fr, bm, "yes", *check])
    for n, item in enumerate(form.items, 1):
        kind = "choix" if item.type == CHOICE else "vf"
        survey.append([f"select_one {kind}", item.id.lower(), f"{n}. {item.stem['fr']}",
                       f"{n}. {item.stem['bm']}", "yes", "", "", ""])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", f"label::{FR}", f"label::{BM}"])
    for name, fr, bm in PHASE_CHOICES:
        choices.append(["phase", name, fr, bm])
    for name, fr, bm in LANG_CHOICES:
        choices.append(["langue", name, fr, bm])
    for name, fr, bm in MODE_CHOICES:
        choices.append(["mode", name, fr, bm])
    for list_name, marks in (("choix", CHOICE_MARKS), ("vf", TRUE_FALSE_MARKS)):
        for mark in marks:
            fr, bm = MARK_LABELS.get(mark, (mark, mark))
            choices.append([list_name, mark, fr, bm])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([f"kalan {form.id} — saisie des feuilles de réponses", f"kalan_{form.id}_v{form.version}",
                     str(form.version), FR])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


# Capture forms by kind, as named in their file names (PP1-saisie.xlsx, PP1-xlsform.xlsx).
WRITERS = {"saisie": write_workbook, "xlsform": write_xlsform}
