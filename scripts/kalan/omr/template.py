"""The printed answer sheet's geometry, per variant: read from the JSON template that
`kalan quiz imprimer` writes next to the PDF (``dist/impression/PP1/PP1-PRE-feuille-reponses.json``),
or computed by the same code when the print set has not been built on this computer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kalan.errors import KalanError
from kalan.quiz.forms import Form, Variant
from kalan.quiz.sheet import template as sheet_template

HEADER_FIELDS = ("phase", "langue", "mode")
CODE_FIELDS = ("code.prefixe", "code.chiffre1", "code.chiffre2", "code.chiffre3")


@dataclass(frozen=True)
class Bubble:
    value: str
    x: float  # centre, millimetres from the page's top-left corner
    y: float
    r: float


@dataclass(frozen=True)
class SheetTemplate:
    form_id: str
    variant_id: str
    phase: str
    version: int
    qr: str
    page: tuple[float, float]
    markers: dict[int, tuple[float, float, float]]  # id → x, y of the top-left corner, size (mm)
    qr_box: tuple[float, float, float]  # x, y, size (mm)
    fields: dict[str, tuple[Bubble, ...]]  # field → bubbles in printed order

    @property
    def items(self) -> list[str]:
        return [f for f in self.fields if f not in CODE_FIELDS and f not in HEADER_FIELDS]

    def marker_corners(self) -> dict[int, list[tuple[float, float]]]:
        """The four corners of each marker, clockwise from its top-left (as ArUco reports them)."""
        return {i: [(x, y), (x + s, y), (x + s, y + s), (x, y + s)] for i, (x, y, s) in self.markers.items()}


def parse_template(data: dict, form: Form, variant: Variant) -> SheetTemplate:
    fields = {name: tuple(Bubble(str(b["valeur"]), float(b["centre_mm"][0]), float(b["centre_mm"][1]),
                                 float(b["rayon_mm"])) for b in bubbles)
              for name, bubbles in data["champs"].items()}
    markers = {int(i): (float(m["x"]), float(m["y"]), float(m["taille"])) for i, m in data["reperes_mm"].items()}
    qr = data["qr_mm"]
    return SheetTemplate(form.id, variant.id, variant.phase, int(data["version"]), str(data["qr"]),
                         (float(data["page_mm"][0]), float(data["page_mm"][1])), markers,
                         (float(qr["x"]), float(qr["y"]), float(qr["taille"])), fields)


def sheet_for(form: Form, variant: Variant, prefixes: tuple[str, ...], print_dir: Path | None) -> SheetTemplate:
    """The template printed for `variant`: the JSON beside the PDF when it matches the current form
    (same QR payload, same fields), else the geometry computed by the code that prints the sheet."""
    computed = sheet_template(form, variant, prefixes)
    if print_dir is not None:
        path = print_dir / form.id / f"{variant.id}-feuille-reponses.json"
        if path.is_file():
            try:
                printed = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise KalanError(f"{path} : gabarit de feuille illisible ({exc})") from None
            if printed.get("qr") == computed["qr"] and set(printed.get("champs", {})) == set(computed["champs"]):
                return parse_template(printed, form, variant)
    return parse_template(computed, form, variant)


def all_sheets(forms: list[Form], prefixes: tuple[str, ...], print_dir: Path | None) -> dict[str, SheetTemplate]:
    """Every variant's template, by variant id (PP1-PRE)."""
    return {variant.id: sheet_for(form, variant, prefixes, print_dir) for form in forms for variant in form.variants}


def reference_layout() -> SheetTemplate:
    """Marker and QR positions, the same on every sheet: enough to straighten a photo before the QR
    code has said which form it is."""
    from kalan.quiz.sheet import MARKER_AT, MARKER_SIZE, PAGE_H, PAGE_W, QR_AT, QR_SIZE

    return SheetTemplate("", "", "", 0, "", (PAGE_W, PAGE_H),
                         {i: (x, y, MARKER_SIZE) for i, (x, y) in MARKER_AT.items()},
                         (QR_AT[0], QR_AT[1], QR_SIZE), {})
