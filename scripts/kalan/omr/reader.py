"""One page → one reading: straighten, identify by the QR code, measure, decide.

A page that cannot be read at all is *refused* with a French reason (not a sheet, corner cut off,
QR unreadable, another form or version); a page that can be read becomes a `PageReading` whose
doubtful fields (participant code, language, mode, any answer) are listed with the reason and the
place of the crop to show a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kalan.omr.decide import BLANK, MULTIPLE, FieldReading, read_fields
from kalan.omr.fills import measure
from kalan.omr.locate import NotLocated, straighten
from kalan.omr.photos import Page
from kalan.omr.qrcode import SheetId, match_printed, parse_payload, read_qr
from kalan.omr.template import CODE_FIELDS, SheetTemplate, reference_layout
from kalan.quiz.forms import Form

CODE_BOX = (17.0, 36.0, 92.0, 112.0)  # handwritten boxes and code bubbles (mm)


@dataclass
class Doubt:
    field: str  # "code", "langue", "mode", "phase" or an item id (Q07)
    proposed: str
    reason: str
    fills: dict[str, float]  # bubble value → darkness above the empty ones (for the person checking)
    box_mm: tuple[float, float, float, float]  # crop of the straightened sheet to show


@dataclass
class PageReading:
    page: Page
    form_id: str
    variant_id: str
    phase: str
    code: str
    language: str
    mode: str
    marks: dict[str, str]
    doubts: list[Doubt] = field(default_factory=list)
    sheet: np.ndarray | None = None  # the straightened sheet, for crops
    qr: str = ""

    @property
    def sure(self) -> bool:
        return not self.doubts


@dataclass(frozen=True)
class Refusal:
    page: Page
    reason: str


class Refused(Exception):
    pass


def _box(layout: SheetTemplate, names: list[str], left: float = 4.0, right: float = 4.0,
         ) -> tuple[float, float, float, float]:
    bubbles = [b for n in names for b in layout.fields[n]]
    return (min(b.x - b.r for b in bubbles) - left, min(b.y - b.r for b in bubbles) - 3.0,
            max(b.x + b.r for b in bubbles) + right, max(b.y + b.r for b in bubbles) + 3.0)


def _identify(sheet: np.ndarray, forms: dict[str, Form], form_hint: str | None, phase_hint: str | None,
              ) -> tuple[SheetId | None, str]:
    text = read_qr(sheet, reference_layout())
    if text is None:  # too blurred for a decoder: is it, module by module, one of the codes we print?
        known = [f"kalan|{v.id}|v{form.version}" for form in forms.values() for v in form.variants]
        text = match_printed(sheet, reference_layout(), known)
    if text is None:
        return None, ""
    ident = parse_payload(text)
    if ident is None:
        raise Refused(f"le QR code ne vient pas d'une feuille kalan ({text[:40]!r})")
    form = forms.get(ident.form_id)
    if form is None:
        raise Refused(f"feuille du formulaire {ident.form_id}, inconnu de ce projet "
                      f"(formulaires : {', '.join(sorted(forms)) or 'aucun'})")
    if ident.version != form.version:
        raise Refused(f"feuille de la version {ident.version} du formulaire {form.id} ; ce projet a la version "
                      f"{form.version} : lisez-la avec le projet qui l'a imprimée")
    if form_hint and form_hint.upper() != ident.form_id:
        raise Refused(f"la feuille est du formulaire {ident.form_id}, pas {form_hint.upper()} (--formulaire)")
    if phase_hint == "suivi" and ident.phase == "post":  # the retention test is sat on the post-test sheet
        return SheetId(ident.form_id, ident.variant_id, "suivi", ident.version), text
    if phase_hint and phase_hint != ident.phase:
        raise Refused(f"la feuille imprimée est celle du {ident.phase}-test ({ident.variant_id}), "
                      f"mais --phase dit « {phase_hint} »")
    if all(v.id != ident.variant_id for v in form.variants):
        raise Refused(f"variante {ident.variant_id} inconnue du formulaire {form.id}")
    return ident, text


def read_page(page: Page, forms: dict[str, Form], sheets: dict[str, SheetTemplate],
              form_hint: str | None = None, phase_hint: str | None = None) -> PageReading | Refusal:
    try:
        straight = straighten(page.image, reference_layout())
        ident, qr_text = _identify(straight.image, forms, form_hint, phase_hint)
        if ident is None:
            ident = _from_hints(straight.image, forms, sheets, form_hint, phase_hint)
    except (NotLocated, Refused) as exc:
        return Refusal(page, str(exc))
    layout = sheets[ident.variant_id]
    fields = read_fields(measure(straight.image, layout), layout)
    reading = PageReading(page, ident.form_id, ident.variant_id, ident.phase, "", "", "", {}, sheet=straight.image,
                          qr=qr_text)
    _code(reading, fields, layout)
    _phase(reading, fields, layout)
    for name in ("langue", "mode"):
        value = _single(reading, name, fields[name], layout)
        setattr(reading, "language" if name == "langue" else "mode", value)
    for item in layout.items:
        f = fields[item]
        reading.marks[item] = f.value if f.value != "?" else BLANK
        if not f.sure:
            reading.doubts.append(Doubt(item, f.value, f.reason, _fills(f), _box(layout, [item], 23.0, 5.0)))
    return reading


def _fills(f: FieldReading) -> dict[str, float]:
    return {b.value: (round(b.excess, 3), round(b.peak, 3)) for b in f.bubbles}


def _from_hints(sheet: np.ndarray, forms: dict[str, Form], sheets: dict[str, SheetTemplate],
                form_hint: str | None, phase_hint: str | None) -> SheetId:
    """No readable QR code: the officer said which form (and phase) the sheets are."""
    if not form_hint:
        raise Refused("QR code illisible (abîmé, caché ou flou) : reprenez la photo, ou dites le formulaire et la "
                      "phase avec --formulaire et --phase")
    form = forms.get(form_hint.upper())
    if form is None:
        raise Refused(f"formulaire {form_hint} inconnu (formulaires : {', '.join(sorted(forms))})")
    phase = phase_hint
    if phase is None:
        layout = sheets[form.variants[0].id]
        phase_field = read_fields(measure(sheet, layout), layout)["phase"]
        if not phase_field.sure or phase_field.value in (BLANK, MULTIPLE):
            raise Refused("QR code illisible et phase non noircie clairement : précisez --phase pre ou post")
        phase = phase_field.value
    variant = form.variant("post" if phase == "suivi" else phase)
    return SheetId(form.id, variant.id, phase, form.version)


def _single(reading: PageReading, name: str, f: FieldReading, layout: SheetTemplate) -> str:
    if f.sure and f.value not in (BLANK, MULTIPLE):
        return f.value
    reason = f.reason or {BLANK: "aucune bulle noircie", MULTIPLE: "plusieurs bulles noircies"}.get(f.value, "")
    reading.doubts.append(Doubt(name, f.value if f.value not in (BLANK, MULTIPLE) else "", reason, _fills(f),
                                _box(layout, [name], 4.0, 40.0)))
    return f.value if f.value not in (BLANK, MULTIPLE) else ""


def _phase(reading: PageReading, fields: dict[str, FieldReading], layout: SheetTemplate) -> None:
    """The printed variant decides the key; a phase marked otherwise is a question for a person."""
    f = fields["phase"]
    printed = "post" if reading.phase == "suivi" else reading.phase
    if f.value in (printed, BLANK) and (f.sure or f.value == printed):
        return
    if f.sure and f.value == MULTIPLE:
        reason = "les deux phases sont noircies"
    elif f.sure:
        reason = f"la phase noircie ({f.value}) n'est pas celle de la feuille imprimée ({reading.variant_id})"
    else:
        reason = f.reason
    reading.doubts.append(Doubt("phase", reading.phase, reason, _fills(f), _box(layout, ["phase"], 4.0, 40.0)))


def _code(reading: PageReading, fields: dict[str, FieldReading], layout: SheetTemplate) -> None:
    parts = []
    problems = []
    for name in CODE_FIELDS:
        f = fields[name]
        if f.sure and f.value not in (BLANK, MULTIPLE):
            parts.append(f.value)
            continue
        parts.append("?" * (3 if name == "code.prefixe" else 1))
        column = "préfixe" if name == "code.prefixe" else f"chiffre {name[-1]}"
        problems.append(f"{column} : {f.reason or ('aucune bulle noircie' if f.value == BLANK else f.value)}")
    reading.code = f"{parts[0]}-{''.join(parts[1:])}"
    if problems:
        fills = {f"{name.split('.')[-1]}={b.value}": (round(b.excess, 3), round(b.peak, 3)) for name in CODE_FIELDS
                 for b in fields[name].bubbles if b.state != "vide"}
        reading.doubts.append(Doubt("code", reading.code, "code douteux — " + " ; ".join(problems), fills, CODE_BOX))
