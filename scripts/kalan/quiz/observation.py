"""Observed skills: the PFA competency checklist (``quizzes/observation/*.yml``).

A knowledge test overstates practical skill, so a trained observer scores 8–12 observable
behaviours 0 / 1 / 2 during one standard role-play, with anchors describing each score (the
WHO–UNICEF EQUIP approach). From the data: the printed observation sheet (participant code,
scenario, the behaviours with their anchors and score boxes), the scenario cards, and the same
capture routes as the tests — an Excel workbook with validations and an XLSForm for KoboToolbox.
Scoring and reports belong to the tracking side.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from kalan.config import Project
from kalan.datafile import load_yaml, yaml_finding
from kalan.errors import Finding, raise_on_errors
from kalan.i18n import LANGS, pick
from kalan.quiz.capture import BM, FR, code_regex

OBSERVATION_DIR = "quizzes/observation"
SCORES = ("0", "1", "2")
ROWS = 400


@dataclass(frozen=True)
class Behaviour:
    id: str
    text: dict[str, str]
    anchors: dict[str, dict[str, str]]  # score → text per language


@dataclass(frozen=True)
class Checklist:
    id: str
    version: int
    title: dict[str, str]
    scenario: dict[str, dict[str, str] | str]
    behaviours: tuple[Behaviour, ...]
    source: str

    @property
    def max_score(self) -> int:
        return 2 * len(self.behaviours)


def _texts(value: object, place: str, shown: str, findings: list[Finding]) -> dict[str, str]:
    if not isinstance(value, dict):
        findings.append(Finding(shown, place, "texte attendu par langue : fr, bm"))
        return {}
    for lang in LANGS:
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            findings.append(Finding(shown, f"{place}.{lang}", "texte manquant dans cette langue"))
    return {lang: " ".join(str(value[lang]).split()) for lang in LANGS if value.get(lang)}


def load_checklists(project: Project) -> tuple[list[Checklist], list[Finding]]:
    folder = project.root / OBSERVATION_DIR
    checklists, findings = [], []
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        shown = path.relative_to(project.root).as_posix()
        try:
            data = load_yaml(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            findings.append(yaml_finding(exc, shown))
            continue
        before = len(findings)
        cid = str(data.get("id", ""))
        if not re.fullmatch(r"[A-Z][A-Z0-9]{1,7}", cid):
            findings.append(Finding(shown, "id", f"{cid!r} : majuscules et chiffres, 2 à 8 signes"))
        behaviours = []
        raw_behaviours = data.get("comportements") or []
        if not 8 <= len(raw_behaviours) <= 12:
            findings.append(Finding(shown, "comportements", f"{len(raw_behaviours)} comportement(s) : 8 à 12 attendus"))
        for i, raw in enumerate(raw_behaviours, 1):
            where = f"comportements[{i}]"
            bid = str(raw.get("id", "")) if isinstance(raw, dict) else ""
            if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", bid):
                findings.append(Finding(shown, where, "chaque comportement a un « id » (minuscules, tirets)"))
                continue
            anchors = raw.get("ancres") or {}
            anchors = {str(k): v for k, v in anchors.items()} if isinstance(anchors, dict) else {}
            if sorted(anchors) != list(SCORES):
                findings.append(Finding(shown, f"{where}.ancres", "une ancre pour chaque note : 0, 1 et 2"))
            behaviours.append(Behaviour(bid, _texts(raw.get("texte"), f"{where}.texte", shown, findings),
                                        {s: _texts(anchors.get(s), f"{where}.ancres.{s}", shown, findings)
                                         for s in SCORES}))
        scenario = data.get("scenario") or {}
        for key in ("titre", "consigne_observateur", "carte_aidant", "carte_personne"):
            _texts(scenario.get(key), f"scenario.{key}", shown, findings)
        if len(findings) == before:
            checklists.append(Checklist(cid, int(data.get("version", 1)),
                                        _texts(data.get("titre"), "titre", shown, findings),
                                        scenario, tuple(behaviours), shown))
    return checklists, findings


def require_checklists(project: Project) -> list[Checklist]:
    checklists, findings = load_checklists(project)
    raise_on_errors(findings, "Grilles d'observation invalides")
    return checklists


WORDS = {
    "fr": {"code": "Code du participant", "observateur": "Code de l'observateur", "date": "Date",
           "scenario": "Scénario", "comportement": "Comportement observé", "total": "Total",
           "notes": "Remarques (sans nom de personne)", "consigne": "Entourez une note par ligne : 0, 1 ou 2.",
           "aidant": "Carte de l'aidant (le participant)", "personne": "Carte de la personne (jouée par un formateur)",
           "observateur_titre": "Pour l'observateur"},
    "bm": {"code": "Kalanden ka kode", "observateur": "Filɛbaga ka kode", "date": "Don",
           "scenario": "Ko min bɛ ɲɛjira", "comportement": "Kɛwale min filɛra", "total": "A bɛɛ lajɛlen",
           "notes": "Hakilinaw (mɔgɔ tɔgɔ tɛ sɛbɛn)",
           "consigne": "Nimɔrɔ kelen sugandi sira kelen kelen na: 0, 1 walima 2.",
           "aidant": "Dɛmɛbaga ka karati (kalanden)", "personne": "Mɔgɔ ka karati (kalanfa b'a kɛ)",
           "observateur_titre": "Filɛbaga ye"},
}


def observation_sheet_html(checklist: Checklist, lang: str, prefixes: tuple[str, ...]) -> str:
    """One printed observation sheet: code boxes, scenario, behaviours with anchors and 0/1/2 boxes."""
    w = WORDS[lang]
    rows = "".join(
        f"<tr><td><strong>{n}. {html.escape(pick(b.text, lang))}</strong></td>"
        + "".join(f"<td class='ancre'><span class='note'>{s}</span> {html.escape(pick(b.anchors[s], lang))}</td>"
                  for s in SCORES) + "</tr>"
        for n, b in enumerate(checklist.behaviours, 1))
    boxes = " ".join("☐ " + p for p in prefixes) + " — ☐☐☐"
    scenario = checklist.scenario
    return ("<!DOCTYPE html><html lang='" + lang + "'><head><meta charset='utf-8'>"
            f"<title>{html.escape(checklist.id)}</title></head><body class='doc-revue'>"
            f"<h1>{html.escape(pick(checklist.title, lang))} — {html.escape(checklist.id)} v{checklist.version}</h1>"
            f"<p><strong>{w['code']} :</strong> {boxes}   <strong>{w['observateur']} :</strong> ………   "
            f"<strong>{w['date']} :</strong> …/…/……</p>"
            f"<p><strong>{w['scenario']} :</strong> {html.escape(str(scenario.get('id', '')))} — "
            f"{html.escape(pick(scenario['titre'], lang))}. {w['consigne']}</p>"
            f"<table class='revue observation'><thead><tr><th>{w['comportement']}</th><th>0</th><th>1</th><th>2</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
            f"<p><strong>{w['total']} :</strong> ……… / {checklist.max_score}</p>"
            f"<div class='signature'><p><strong>{w['notes']}</strong></p><p> </p><p> </p></div></body></html>")


def scenario_cards_html(checklist: Checklist, lang: str) -> str:
    """The standard scenario: the observer's instructions and the two cards, to cut apart."""
    w = WORDS[lang]
    s = checklist.scenario
    parts = [(w["observateur_titre"], s["consigne_observateur"]), (w["aidant"], s["carte_aidant"]),
             (w["personne"], s["carte_personne"])]
    body = "".join(f"<section class='carte-scenario'><h2>{html.escape(title)}</h2>"
                   f"<p>{html.escape(pick(text, lang))}</p></section>" for title, text in parts)
    return ("<!DOCTYPE html><html lang='" + lang + "'><head><meta charset='utf-8'>"
            f"<title>{html.escape(checklist.id)}</title></head><body class='doc-revue'>"
            f"<h1>{html.escape(pick(s['titre'], lang))} — {html.escape(checklist.id)}</h1>{body}</body></html>")


def write_observation_workbook(checklist: Checklist, path: Path, prefixes: tuple[str, ...]) -> Path:
    """Excel workbook to type the paper observation sheets: one row per observation, 0/1/2 lists."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    guide = book.active
    guide.title = "instructions"
    for row, text in enumerate([
        f"Saisie des observations — grille {checklist.id}, version {checklist.version}",
        "",
        "1. Onglet « participants » : les codes des participants (colonne A), aucun nom.",
        "2. Onglet « observations » : une ligne par feuille d'observation, en recopiant les notes (0, 1 ou 2).",
        "3. Laissez vide un comportement que l'observateur n'a pas noté ; ne tapez jamais de total.",
        "",
        *(f"{b.id} : {b.text['fr']}" for b in checklist.behaviours),
    ], 1):
        guide.cell(row, 1, text)
    guide["A1"].font = Font(bold=True, size=13)
    guide.column_dimensions["A"].width = 110
    meta = book.create_sheet("grille")
    for row, (key, value) in enumerate((("grille", checklist.id), ("version", checklist.version),
                                        ("comportements", len(checklist.behaviours))), 1):
        meta.cell(row, 1, key)
        meta.cell(row, 2, value)
    roster = book.create_sheet("participants")
    roster["A1"] = "code"
    sheet = book.create_sheet("observations")
    headers = ["code", "observateur", "scenario", "date", *(b.id for b in checklist.behaviours)]
    for col, name in enumerate(headers, 1):
        sheet.cell(1, col, name).font = Font(bold=True)
        sheet.column_dimensions[sheet.cell(1, col).column_letter].width = 14
    last = ROWS + 1
    code = DataValidation(type="list", formula1=f"=participants!$A$2:$A${last}", allow_blank=True,
                          showErrorMessage=True, errorTitle="Valeur refusée",
                          error="Code inconnu : ajoutez-le d'abord dans l'onglet « participants ».")
    code.add(f"A2:A{last}")
    score = DataValidation(type="list", formula1='"0,1,2"', allow_blank=True, showErrorMessage=True,
                           errorTitle="Valeur refusée", error="Note 0, 1 ou 2 (ou vide si non observé).")
    first, end = sheet.cell(1, 5).column_letter, sheet.cell(1, len(headers)).column_letter
    score.add(f"{first}2:{end}{last}")
    sheet.add_data_validation(code)
    sheet.add_data_validation(score)
    for row in range(2, last + 1):
        sheet.cell(row, 4).number_format = "DD/MM/YYYY"
    book.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_observation_xlsform(checklist: Checklist, path: Path, prefixes: tuple[str, ...]) -> Path:
    """XLSForm (KoboToolbox / ODK Collect): one observation per submission, anchors as choice labels."""
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", f"label::{FR}", f"label::{BM}", "required", "constraint",
                   f"constraint_message::{FR}", f"constraint_message::{BM}", "calculation"])
    survey.append(["text", "code", "Code participant (ex. KOR-023)", "Kalanden ka kode (misali: KOR-023)", "yes",
                   f"regex(., '{code_regex(prefixes)}')",
                   f"Code de la forme {prefixes[0]}-023", f"Kode cogo: {prefixes[0]}-023", ""])
    survey.append(["text", "observateur", "Code de l'observateur", "Filɛbaga ka kode", "yes", "", "", "", ""])
    survey.append(["date", "date", "Date", "Don", "yes", "", "", "", ""])
    for n, b in enumerate(checklist.behaviours, 1):
        survey.append([f"select_one {b.id}", b.id.replace("-", "_"), f"{n}. {b.text['fr']}", f"{n}. {b.text['bm']}",
                       "no", "", "", "", ""])
    total = " + ".join(f"coalesce(${{{b.id.replace('-', '_')}}}, 0)" for b in checklist.behaviours)
    survey.append(["calculate", "total", "Total", "A bɛɛ lajɛlen", "", "", "", "", total])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", f"label::{FR}", f"label::{BM}"])
    for b in checklist.behaviours:
        for s in SCORES:
            choices.append([b.id, s, f"{s} — {b.anchors[s]['fr']}", f"{s} — {b.anchors[s]['bm']}"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([f"kalan {checklist.id} — observation des compétences PSP",
                     f"kalan_{checklist.id}_v{checklist.version}", str(checklist.version), FR])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
