"""The bubble answer sheet: geometry computed here, printed as HTML, described as JSON.

Everything is placed in millimetres on an A4 page so a later step can read a
phone photo of a filled sheet: four ArUco markers (OpenCV's DICT_4X4_50, ids
0–3, clockwise from top left) fix the perspective, a QR code says which form
variant and version the sheet belongs to, and the JSON template written next to
the PDF gives the centre of every bubble relative to the page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from kalan.quiz.forms import Form, Variant

PAGE_W, PAGE_H = 210.0, 297.0
MARKER_SIZE = 15.0
# Bit patterns of DICT_4X4_50 markers 0–3, 6×6 cells including the black border
# (1 = black), read once from cv2.aruco.generateImageMarker; tests detect them with OpenCV.
ARUCO_4X4_50 = {
    0: ("111111", "101001", "110101", "111001", "111011", "111111"),
    1: ("111111", "111111", "100001", "101101", "101011", "111111"),
    2: ("111111", "111001", "111001", "111011", "100101", "111111"),
    3: ("111111", "101101", "101101", "110111", "110011", "111111"),
}
MARKER_AT = {0: (12.0, 12.0), 1: (183.0, 12.0), 2: (183.0, 270.0), 3: (12.0, 270.0)}
QR_AT, QR_SIZE = (150.0, 12.0), 24.0
BUBBLE_R = 2.8
DIGITS = tuple(str(d) for d in range(10))
LANGUAGES = (("fr", "Français"), ("bm", "Bamanankan"), ("autre", "Autre / Wɛrɛ"))
MODES = (("ecrit", "Écrit / Sɛbɛnni"), ("oral", "Oral / Da la"))
PHASES = (("pre", "Pré / Ɲɛ"), ("post", "Post / Kɔ"))


@dataclass(frozen=True)
class Bubble:
    field: str
    value: str
    x: float
    y: float


def qr_payload(form: Form, variant: Variant) -> str:
    return f"kalan|{variant.id}|v{form.version}"


def layout(form: Form, variant: Variant, prefixes: tuple[str, ...]) -> list[Bubble]:
    """Every bubble of the sheet, in reading order."""
    bubbles: list[Bubble] = []
    # Participant code: prefix column, then three digit columns.
    for row, prefix in enumerate(prefixes):
        bubbles.append(Bubble("code.prefixe", prefix, 30.0, 62.0 + row * 6.0))
    for col in range(3):
        for row, digit in enumerate(DIGITS):
            bubbles.append(Bubble(f"code.chiffre{col + 1}", digit, 50.0 + col * 9.0, 62.0 + row * 5.0))
    for group, choices, x0 in (("phase", PHASES, 112.0), ("langue", LANGUAGES, 112.0),
                               ("mode", MODES, 112.0)):
        y0 = {"phase": 62.0, "langue": 80.0, "mode": 104.0}[group]
        for row, (value, _) in enumerate(choices):
            bubbles.append(Bubble(group, value, x0, y0 + row * 6.0))
    # Answers: two columns of up to ten rows.
    for n, item in enumerate(form.items):
        col, row = divmod(n, 10)
        for k, (letter, _) in enumerate(variant.choices(item)):
            bubbles.append(Bubble(item.id, letter, 42.0 + col * 92.0 + k * 11.0, 137.0 + row * 11.5))
    return bubbles


def template(form: Form, variant: Variant, prefixes: tuple[str, ...]) -> dict:
    """JSON-ready description of the sheet for an optical reader."""
    fields: dict[str, list[dict]] = {}
    for bubble in layout(form, variant, prefixes):
        fields.setdefault(bubble.field, []).append(
            {"valeur": bubble.value, "centre_mm": [bubble.x, bubble.y], "rayon_mm": BUBBLE_R})
    return {
        "formulaire": variant.id, "version": form.version, "qr": qr_payload(form, variant),
        "page_mm": [PAGE_W, PAGE_H], "dictionnaire_aruco": "DICT_4X4_50",
        "reperes_mm": {str(i): {"x": x, "y": y, "taille": MARKER_SIZE} for i, (x, y) in MARKER_AT.items()},
        "qr_mm": {"x": QR_AT[0], "y": QR_AT[1], "taille": QR_SIZE},
        "champs": fields,
    }


def _marker_svg(marker_id: int) -> str:
    cells = "".join(f'<rect x="{c}" y="{r}" width="1.02" height="1.02"/>'
                    for r, row in enumerate(ARUCO_4X4_50[marker_id])
                    for c, bit in enumerate(row) if bit == "1")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 6 6" width="{MARKER_SIZE}mm" '
            f'height="{MARKER_SIZE}mm" shape-rendering="crispEdges" fill="#000">{cells}</svg>')


def _qr_svg(payload: str) -> str:
    import segno

    uri = segno.make(payload, error="m", micro=False).svg_data_uri(scale=4, border=0)
    return f'<img src="{uri}" alt="" style="width:{QR_SIZE}mm;height:{QR_SIZE}mm">'



def _at(x: float, y: float, inner: str, cls: str = "") -> str:
    return f'<div class="abs {cls}" style="left:{x:.2f}mm;top:{y:.2f}mm">{inner}</div>'


def sheet_html(form: Form, variant: Variant, prefixes: tuple[str, ...]) -> str:
    parts = [_at(x, y, _marker_svg(i)) for i, (x, y) in MARKER_AT.items()]
    parts.append(_at(*QR_AT, _qr_svg(qr_payload(form, variant))))
    title = html.escape(form.title["fr"])
    parts.append(_at(32.0, 12.0, f"<p class='t1'>Feuille de réponses — {title}</p>"
                                 f"<p class='t2'>Jaabi sɛbɛn — {html.escape(form.title['bm'])}</p>"
                                 f"<p class='t3'>Formulaire <b>{variant.id}</b> · version {form.version}</p>",
                     "head"))
    parts.append(_at(20.0, 39.5, "<p class='lbl'>Code participant / Kalanden ka kode :</p>"
                     "<p class='boxes'><span></span><span></span><span></span><i>-</i>"
                     "<span></span><span></span><span></span></p>", "code"))
    parts.append(_at(20.0, 55.0, "<p class='hint'>Noircissez aussi le code / A kode fana fa :</p>"))
    parts.append(_at(106.0, 55.0, "<p class='lbl'>Phase / Waati</p>"))
    parts.append(_at(106.0, 73.0, "<p class='lbl'>Langue du test / Kan</p>"))
    parts.append(_at(106.0, 97.0, "<p class='lbl'>Mode / Cogo</p>"))
    labels = dict(PHASES + LANGUAGES + MODES)
    for bubble in layout(form, variant, prefixes):
        text = bubble.value if bubble.field.startswith(("code", "Q")) else ""
        parts.append(_at(bubble.x - BUBBLE_R, bubble.y - BUBBLE_R, f"<span class='bubble'>{text}</span>"))
        if bubble.field in ("phase", "langue", "mode"):
            parts.append(_at(bubble.x + 5.0, bubble.y - 2.2, html.escape(labels[bubble.value]), "opt"))
    for n in range(len(form.items)):
        col, row = divmod(n, 10)
        parts.append(_at(22.0 + col * 92.0, 137.0 + row * 11.5 - 2.4, f"<b>{n + 1}.</b>", "num"))
    parts.append(_at(20.0, 124.0, "<p class='lbl'>Réponses : noircissez une seule bulle par question / "
                                  "Jaabiw : bilen kelen dɔrɔn fa ɲininkali kelen kelen na</p>"))
    parts.append(_at(32.0, 262.0, "<p class='hint'>Ne pliez pas la feuille. Crayon ou stylo noir. "
                                  "Pour corriger : barrez la bulle d'une croix et noircissez la bonne. "
                                  "<br>Kana papiye in kuru. Bic finman ta.</p>"))
    return ("<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
            f"<title>Feuille de réponses {variant.id}</title><style>{SHEET_CSS}</style></head>"
            f"<body>{''.join(parts)}</body></html>")


SHEET_CSS = f"""
@page {{ size: A4; margin: 0; @top-center {{ content: none; }} @bottom-center {{ content: none; }} }}
html {{ font-family: "Kalan Sans", "DejaVu Sans", sans-serif; font-size: 9pt; }}
body {{ margin: 0; width: {PAGE_W}mm; height: {PAGE_H - 1}mm; position: relative; }}
.abs {{ position: absolute; }}
.abs p {{ margin: 0; }}
.head {{ width: 114mm; }}
.t1 {{ font-size: 12pt; font-weight: bold; }}
.t2 {{ font-size: 10.5pt; }}
.t3 {{ font-size: 10pt; margin-top: 1.5mm !important; }}
.lbl {{ font-weight: bold; font-size: 9.5pt; }}
.hint {{ font-size: 8.5pt; }}
.boxes span {{ display: inline-block; width: 8mm; height: 9mm; border: 0.3mm solid #000; margin-right: 1mm;
  vertical-align: middle; }}
.boxes i {{ display: inline-block; width: 5mm; text-align: center; font-style: normal; font-size: 14pt; }}
.bubble {{ display: block; width: {2 * BUBBLE_R}mm; height: {2 * BUBBLE_R}mm; border: 0.25mm solid #000;
  border-radius: 50%; box-sizing: border-box; font-size: 6.5pt; line-height: {2 * BUBBLE_R - 0.5}mm;
  text-align: center; color: #777; }}
.opt {{ font-size: 9pt; }}
.num {{ font-size: 11pt; }}
"""
