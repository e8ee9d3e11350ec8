"""The review queue shown to a person: an offline HTML page (each doubtful item's crop beside the
reading proposed and the reason) and the correction file to fill (XLSX, one line per item)."""

from __future__ import annotations

import base64
import html
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kalan.omr.queue import AWAITING
from kalan.quiz.bank import CHOICE
from kalan.quiz.build import QuizData
from kalan.quiz.capture import CHOICE_MARKS, TRUE_FALSE_MARKS
from kalan.scoring.xlsx import write_xlsx

HTML_NAME, XLSX_NAME = "verification.html", "corrections.xlsx"
COLUMNS = ["page", "fichier", "formulaire", "champ", "lecture proposée", "raison", "valeurs possibles", "correction"]
DISCARD = "ignorer"
FIELD_LABELS = {"code": "code participant", "langue": "langue du test", "mode": "mode", "phase": "phase"}


@dataclass(frozen=True)
class PendingDoubt:
    page_id: int
    file: str
    page: int
    variant_id: str
    field: str
    proposed: str
    reason: str
    fills: dict
    crop: bytes
    thumbnail: bytes | None


@dataclass(frozen=True)
class ReviewFiles:
    page: Path
    corrections: Path
    pages: int
    doubts: int


def pending(conn: sqlite3.Connection) -> list[PendingDoubt]:
    rows = conn.execute(
        "SELECT p.id, p.file, p.page, p.variant_id, d.field, d.proposed, d.reason, d.fills, d.crop, p.thumbnail "
        "FROM omr_doubts d JOIN omr_pages p ON p.id = d.page_id "
        "WHERE p.status = ? AND d.correction IS NULL ORDER BY p.file, p.page, p.id, d.rowid", (AWAITING,))
    return [PendingDoubt(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]), r[8], r[9]) for r in rows]


def allowed_values(field: str, variant_id: str, data: QuizData, prefixes: tuple[str, ...]) -> str:
    if field == "code":
        return f"un code de la liste, ex. {prefixes[0]}-023"
    if field == "phase":
        return "pre, post ou suivi"
    if field == "langue":
        return "fr, bm ou autre"
    if field == "mode":
        return "ecrit ou oral"
    form_id = variant_id.rsplit("-", 1)[0]
    form = next((f for f in data.forms if f.id == form_id), None)
    item = next((i for i in form.items if i.id == field), None) if form else None
    marks = CHOICE_MARKS if item is None or item.type == CHOICE else TRUE_FALSE_MARKS
    return ", ".join(marks)


def _label(field: str) -> str:
    return FIELD_LABELS.get(field, f"question {field}")


def _fills_text(fills: dict) -> str:
    parts = []
    for value, numbers in fills.items():
        excess = numbers[0] if isinstance(numbers, list) else numbers
        parts.append(f"{value} : {max(0.0, float(excess)) * 100:.0f} %")
    return " · ".join(parts)


def write_review(conn: sqlite3.Connection, out_dir: Path, data: QuizData, prefixes: tuple[str, ...]) -> ReviewFiles:
    doubts = pending(conn)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = [[d.page_id, d.file if d.page == 1 else f"{d.file} (page {d.page})", d.variant_id, d.field, d.proposed,
             d.reason, allowed_values(d.field, d.variant_id, data, prefixes) + f" — ou « {DISCARD} »", ""]
            for d in doubts]
    guide = [
        ["Corrections des feuilles photographiées"],
        [""],
        ["1. Ouvrez verification.html (même dossier) : chaque ligne montre la photo de la bulle douteuse."],
        ["2. Dans l'onglet « corrections », tapez dans la colonne « correction » ce qui est écrit sur la feuille"],
        ["   (la lettre, « vide », « multiple », « illisible », le code du participant, fr/bm/autre, ecrit/oral)."],
        [f"3. « {DISCARD} » sur une ligne écarte toute la feuille (photo d'une autre feuille, feuille en double)."],
        ["4. Une feuille est importée quand toutes ses lignes sont remplies ; laissez vides celles à voir plus tard."],
        ["5. Importez : kalan feuilles corriger corrections.xlsx"],
    ]
    corrections = write_xlsx(out_dir / XLSX_NAME, [("corrections", COLUMNS, rows), ("instructions", [""], guide)])
    page = out_dir / HTML_NAME
    page.write_text(_html(doubts, data, prefixes), encoding="utf-8")
    return ReviewFiles(page, corrections, len({d.page_id for d in doubts}), len(doubts))


def _html(doubts: list[PendingDoubt], data: QuizData, prefixes: tuple[str, ...]) -> str:
    sections = []
    line = 1
    current = None
    for d in doubts:
        line += 1
        if d.page_id != current:
            if current is not None:
                sections.append("</tbody></table></section>")
            current = d.page_id
            where = html.escape(d.file if d.page == 1 else f"{d.file}, page {d.page}")
            whole = (f"<details><summary>Toute la feuille redressée</summary><img class='whole' alt='feuille' "
                     f"src='data:image/jpeg;base64,{base64.b64encode(d.thumbnail).decode('ascii')}'></details>"
                     if d.thumbnail else "")
            sections.append(f"<section><h2>Feuille n° {d.page_id} — {where} — {html.escape(d.variant_id)}</h2>{whole}"
                            "<table><thead><tr><th>Ligne du fichier</th><th>Champ</th><th>Photo</th>"
                            "<th>Lecture proposée</th><th>Pourquoi c'est douteux</th><th>Noircissement</th>"
                            "<th>Valeurs possibles</th></tr></thead><tbody>")
        image = base64.b64encode(d.crop).decode("ascii")
        sections.append(
            f"<tr><td class='n'>{line}</td><td>{html.escape(_label(d.field))}</td>"
            f"<td><img alt='{html.escape(_label(d.field))}' src='data:image/png;base64,{image}'></td>"
            f"<td class='p'>{html.escape(d.proposed or '—')}</td><td>{html.escape(d.reason)}</td>"
            f"<td>{html.escape(_fills_text(d.fills))}</td>"
            f"<td>{html.escape(allowed_values(d.field, d.variant_id, data, prefixes))}</td></tr>")
    if current is not None:
        sections.append("</tbody></table></section>")
    pages = len({d.page_id for d in doubts})
    intro = (f"<p>{pages} feuille(s) et {len(doubts)} point(s) à vérifier. Pour chaque ligne, regardez la photo, "
             f"puis écrivez ce qui est sur la feuille dans la colonne « correction » de {XLSX_NAME} (même numéro de "
             f"ligne), et importez avec <code>kalan feuilles corriger {XLSX_NAME}</code>.</p>"
             if doubts else "<p>Rien à vérifier : toutes les feuilles lues ont été importées ou corrigées.</p>")
    return ("<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Feuilles à vérifier</title>"
            f"<style>{CSS}</style></head><body><h1>Feuilles photographiées à vérifier</h1>{intro}"
            + "".join(sections) + "</body></html>")


CSS = """
body { font-family: "DejaVu Sans", sans-serif; margin: 1.5em; color: #111; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 0.4em; vertical-align: middle; text-align: left; }
th { background: #eee; }
td.n { text-align: center; font-weight: bold; }
td.p { font-size: 1.3em; font-weight: bold; text-align: center; }
img { max-width: 420px; image-rendering: auto; }
img.whole { max-width: 100%; width: 630px; margin: 0.5em 0; }
"""
