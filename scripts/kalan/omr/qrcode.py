"""The sheet's QR code (``kalan|PP1-PRE|v1``): read where the page prints it, with OpenCV's detector."""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from kalan.omr.locate import PX_PER_MM
from kalan.omr.template import SheetTemplate

PAYLOAD = re.compile(r"^kalan\|([A-Z][A-Z0-9]{1,7})-([A-Z]+)\|v(\d+)$")
MARGIN_MM = 5.0
MATCH_MIN = 0.55  # correlation a blurred QR code must reach with one printed candidate …
MATCH_GAP = 0.25  # … and by how much it must beat every other candidate

_DETECTOR = cv2.QRCodeDetector()


@dataclass(frozen=True)
class SheetId:
    form_id: str
    variant_id: str  # PP1-PRE
    phase: str  # pre
    version: int


def parse_payload(text: str) -> SheetId | None:
    match = PAYLOAD.match(text.strip())
    if not match:
        return None
    form_id, phase, version = match.groups()
    return SheetId(form_id, f"{form_id}-{phase}", phase.lower(), int(version))


def _decode(image: np.ndarray) -> str:
    try:
        text, points, _ = _DETECTOR.detectAndDecode(image)
    except cv2.error:
        return ""
    return text if points is not None else ""


def read_qr(sheet: np.ndarray, layout: SheetTemplate) -> str | None:
    """The QR text, or None when no QR code can be decoded (damaged, hidden, too blurred)."""
    x, y, size = layout.qr_box
    x0, y0 = (max(0, int((v - MARGIN_MM) * PX_PER_MM)) for v in (x, y))
    x1, y1 = (int((v + size + MARGIN_MM) * PX_PER_MM) for v in (x, y))
    crop = sheet[y0:y1, x0:x1]
    attempts = [cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)]
    attempts.append(cv2.threshold(attempts[0], 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1])
    attempts.append(cv2.resize(cv2.GaussianBlur(crop, (3, 3), 0), None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC))
    attempts.append(crop)
    for image in attempts:
        text = _decode(image)
        if text:
            return text
    return None


def _modules(payload: str) -> np.ndarray:
    import segno

    return np.array(segno.make(payload, error="m", micro=False).matrix, dtype=np.float32)


def match_printed(sheet: np.ndarray, layout: SheetTemplate, payloads: list[str]) -> str | None:
    """When no decoder can read a blurred QR code: which of the codes this project prints it is, by
    comparing it module by module with each of them (the sheet is already straightened, so every
    module is where the page put it). None unless one candidate fits well and clearly better."""
    x, y, size = layout.qr_box
    darkness = 255.0 - sheet.astype(np.float32)
    scores = []
    for payload in payloads:
        modules = _modules(payload)
        n = modules.shape[0]
        step = size / n * PX_PER_MM
        centres = (np.arange(n) + 0.5) * step
        xs = np.clip(np.round(x * PX_PER_MM + centres).astype(int), 0, sheet.shape[1] - 1)
        ys = np.clip(np.round(y * PX_PER_MM + centres).astype(int), 0, sheet.shape[0] - 1)
        seen = darkness[np.ix_(ys, xs)]
        if seen.std() < 1e-3:
            return None
        scores.append((float(np.corrcoef(seen.ravel(), modules.ravel())[0, 1]), payload))
    scores.sort(reverse=True)
    if not scores or scores[0][0] < MATCH_MIN:
        return None
    if len(scores) > 1 and scores[0][0] - scores[1][0] < MATCH_GAP:
        return None
    return scores[0][1]
