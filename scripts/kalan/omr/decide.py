"""Sure or doubtful: each bubble, then each field, with thresholds calibrated on the sheet itself.

Like Auto Multiple Choice's darkness threshold, a bubble is judged against the empty bubbles
of the same photo: their darkness (the printed ring and letter, blur, light) is measured per
kind of bubble (the same letter in the answers, the same digit in the code, …) and only what
stands clearly above it counts. A mark is *sure* when it has both substance (darkness well above
the empty bubbles) and a real stroke (its darkest strokes are ink, not a pale smudge); a bubble is
*empty* when it has neither. Everything in between — a faint mark, an erasure, a light tick on a
blurred photo — is *doubtful* and goes to a person. A field is sure only when every bubble in it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kalan.omr.fills import Fill, Measured
from kalan.omr.template import CODE_FIELDS, HEADER_FIELDS, SheetTemplate

MARK_PEAK = 0.46  # darkest strokes of a sure mark, as a share of the markers' black …
MARK_PEAK_ABOVE = 0.36  # … and that far above an empty bubble of the same kind (a printed letter is dark too)
MARK_EXCESS = 0.09  # mean darkness above the empty bubbles of the same kind, for a sure mark
EMPTY_PEAK = 0.16  # an empty bubble's darkest strokes stay within this of the empty ones
EMPTY_EXCESS = 0.045  # … and its mean darkness within this
CODE_MARGIN = 1.25  # the code is held to stricter limits: a wrong code is worse than a question to review
BLANK, MULTIPLE = "vide", "multiple"


@dataclass(frozen=True)
class BubbleState:
    value: str
    excess: float  # darkness above the empty bubbles of its kind
    peak: float
    state: str  # "marque", "vide" or "doute"


@dataclass
class FieldReading:
    name: str
    value: str  # the reading proposed (a letter, a digit, "vide", "multiple", or "?" when nothing can be said)
    sure: bool
    reason: str  # why it is doubtful, in French ("" when sure)
    bubbles: list[BubbleState] = field(default_factory=list)


@dataclass(frozen=True)
class Calibration:
    baselines: dict[tuple[str, str], tuple[float, float]]  # (field, value) → empty darkness, empty peak
    noise: float  # spread of the empty bubbles' darkness on this sheet
    empty_excess: float
    mark_excess: float


def _group(field_name: str) -> str:
    if field_name == "code.prefixe":
        return "prefixe"
    if field_name in CODE_FIELDS:
        return "chiffres"
    if field_name in HEADER_FIELDS:
        return "entete"
    return "reponses"


def calibrate(measured: Measured, layout: SheetTemplate) -> Calibration:
    """Empty levels of this sheet, per kind of bubble, from the bubbles that are plainly not marked."""
    quiet: dict[str, list[tuple[str, str, Fill]]] = {}
    for name, bubbles in layout.fields.items():
        for bubble, fill in zip(bubbles, measured.fills[name], strict=True):
            quiet.setdefault(_group(name), []).append((name, bubble.value, fill))
    answers = [f for _, _, f in quiet.get("reponses", []) if f.peak < 0.3]
    if len(answers) < 5:
        answers = sorted((f for _, _, f in quiet.get("reponses", [])), key=lambda f: f.darkness)[:5]
    base_d = float(np.median([f.darkness for f in answers])) if answers else 0.0
    base_p = float(np.median([f.peak for f in answers])) if answers else 0.0
    # spread of the empty bubbles, from those lighter than the median: a faint mark cannot inflate it
    below = [base_d - f.darkness for f in answers if f.darkness <= base_d]
    noise = float(1.4826 * np.median(below)) if below else 0.0
    baselines: dict[tuple[str, str], tuple[float, float]] = {}
    for group, entries in quiet.items():
        unmarked = [f for _, _, f in entries if f.peak < 0.3]
        group_d = float(np.median([f.darkness for f in unmarked])) if len(unmarked) >= 3 else base_d
        group_p = float(np.median([f.peak for f in unmarked])) if len(unmarked) >= 3 else base_p
        by_value: dict[str, list[Fill]] = {}
        for _, value, fill in entries:
            if fill.peak < 0.3:
                by_value.setdefault(value, []).append(fill)
        for name, value, _ in entries:
            same = by_value.get(value, [])
            if group in ("reponses", "chiffres") and len(same) >= 3:
                d = float(np.median([f.darkness for f in same]))
                p = float(np.median([f.peak for f in same]))
            elif group == "prefixe":
                # Two bubbles, one of them marked: the quieter one says how dark an empty one is.
                d = min(f.darkness for _, _, f in entries)
                p = min(f.peak for _, _, f in entries)
            else:
                d, p = group_d, group_p
            # a kind of bubble is never taken as emptier than the sheet's lightest kinds
            baselines[(name, value)] = (max(d, base_d - 0.03), max(p, base_p - 0.05))
    return Calibration(baselines, noise, max(EMPTY_EXCESS, 4.0 * noise), max(MARK_EXCESS, 8.0 * noise))


def _state(fill: Fill, base: tuple[float, float], cal: Calibration, strict: float) -> BubbleState:
    excess = fill.darkness - base[0]
    if fill.peak >= max(MARK_PEAK, base[1] + MARK_PEAK_ABOVE) and excess >= cal.mark_excess * strict:
        state = "marque"
    elif fill.peak < base[1] + EMPTY_PEAK / strict and excess < cal.empty_excess / strict:
        state = "vide"
    else:
        state = "doute"
    return BubbleState("", excess, fill.peak, state)


def read_field(name: str, layout: SheetTemplate, measured: Measured, cal: Calibration) -> FieldReading:
    strict = CODE_MARGIN if name in CODE_FIELDS else 1.0
    states = []
    for bubble, fill in zip(layout.fields[name], measured.fills[name], strict=True):
        s = _state(fill, cal.baselines[(name, bubble.value)], cal, strict)
        states.append(BubbleState(bubble.value, s.excess, s.peak, s.state))
    marked = [s for s in states if s.state == "marque"]
    doubtful = [s for s in states if s.state == "doute"]
    darkest = max(states, key=lambda s: s.excess)
    if doubtful:
        if marked:
            proposal = marked[0].value if len(marked) == 1 else MULTIPLE
        else:
            proposal = darkest.value if darkest.excess > 2 * cal.empty_excess else BLANK
        values = ", ".join(s.value for s in doubtful)
        reason = (f"marque pâle ou effacée sur {values}" if not marked
                  else f"marque nette sur {', '.join(s.value for s in marked)} et marque pâle ou effacée sur {values}")
        return FieldReading(name, proposal, False, reason, states)
    if len(marked) > 1:
        return FieldReading(name, MULTIPLE, False, f"plusieurs bulles noircies ({', '.join(s.value for s in marked)})",
                            states)
    if marked:
        return FieldReading(name, marked[0].value, True, "", states)
    return FieldReading(name, BLANK, True, "", states)


def read_fields(measured: Measured, layout: SheetTemplate) -> dict[str, FieldReading]:
    cal = calibrate(measured, layout)
    return {name: read_field(name, layout, measured, cal) for name in layout.fields}
