"""How dark each bubble is, measured on the straightened sheet against the paper around it.

The paper's own brightness is estimated everywhere (a large maximum filter ignores ink), so
shadows and uneven light cancel out; darkness is then expressed as a share of the black of the
markers of the same photo, so pencil on a dim photo and pen on a bright one are compared
fairly. Two numbers per bubble: the mean darkness inside the printed ring (how much is there)
and the share of that area that is really inked (a tick or a cross is thin but dark; an erasure
or a faint smudge covers more but is pale).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kalan.omr.locate import PX_PER_MM
from kalan.omr.template import HEADER_FIELDS, SheetTemplate

INNER = 0.72  # share of the bubble radius measured: inside the printed ring, clear of a neighbour's spill
GLYPH_W, GLYPH_H = 0.62, 1.0  # half-width per character and half-height (mm) of the grey text printed in a
#                               bubble (« A », « 7 », « KOR »): darkness is measured around it
INK_LEVEL = 0.42  # a pixel darker than this share of the markers' black counts as ink
SPILL = 1.35  # a mark may overflow its ring up to this share of the radius: a close neighbour is measured
#               away from the side it could reach (the code's digit bubbles touch each other)
BACKGROUND_MM = 7.0  # paper brightness estimated over this size (larger than any mark)


@dataclass(frozen=True)
class Fill:
    darkness: float  # mean darkness inside the ring, around the printed letter: 0 (paper) … 1 (marker black)
    ink: float  # share of the inner disk that is inked
    peak: float  # darkness of the darkest strokes (95th percentile): pale smudges stay low


@dataclass(frozen=True)
class Measured:
    fills: dict[str, tuple[Fill, ...]]  # field → one per bubble, template order
    black: float  # darkness of the markers' black against the paper (contrast of the photo)
    darkness_map: np.ndarray  # normalised darkness of the whole sheet (for crops and checks)


def paper_brightness(sheet: np.ndarray) -> np.ndarray:
    small = cv2.resize(sheet, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    size = int(BACKGROUND_MM * PX_PER_MM * 0.25) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)  # unbiased on a slope of light, unlike a max
    paper = cv2.GaussianBlur(paper, (0, 0), size / 2)
    paper = cv2.resize(paper, (sheet.shape[1], sheet.shape[0]), interpolation=cv2.INTER_LINEAR)
    return np.maximum(paper.astype(np.float32), 1.0)


def _marker_black(darkness: np.ndarray, layout: SheetTemplate) -> float:
    values = []
    for x, y, size in layout.markers.values():
        x0, y0, x1, y1 = (int(v * PX_PER_MM) for v in (x + 1, y + 1, x + size - 1, y + size - 1))
        values.append(darkness[y0:y1, x0:x1].ravel())
    inked = np.concatenate(values)
    return float(np.clip(np.percentile(inked, 80), 0.25, 1.0))  # markers are about 60 % black cells


_DISKS: dict[int, np.ndarray] = {}


def _disk(radius_px: int) -> np.ndarray:
    if radius_px not in _DISKS:
        yy, xx = np.mgrid[-radius_px:radius_px + 1, -radius_px:radius_px + 1]
        _DISKS[radius_px] = (xx * xx + yy * yy) <= radius_px * radius_px
    return _DISKS[radius_px]


_AREAS: dict[tuple, np.ndarray] = {}


def _around_text(radius_px: int, characters: int) -> np.ndarray:
    """The square patch less the box of the text printed in the bubble."""
    yy, xx = np.mgrid[-radius_px:radius_px + 1, -radius_px:radius_px + 1]
    half_w = characters * GLYPH_W * PX_PER_MM
    return ~((np.abs(xx) <= half_w) & (np.abs(yy) <= GLYPH_H * PX_PER_MM))


def _measured_area(bubble, bubbles: tuple, radius_px: int) -> np.ndarray:
    """The inner disk, less what an overflowing mark in a touching neighbour could reach."""
    near = tuple(sorted((round((o.x - bubble.x) * PX_PER_MM, 1), round((o.y - bubble.y) * PX_PER_MM, 1),
                         o.r * SPILL * PX_PER_MM) for o in bubbles
                        if o is not bubble
                        and math.hypot(o.x - bubble.x, o.y - bubble.y) < bubble.r * INNER + o.r * SPILL))
    key = (radius_px, near)
    if key not in _AREAS:
        yy, xx = np.mgrid[-radius_px:radius_px + 1, -radius_px:radius_px + 1].astype(np.float32)
        mask = _disk(radius_px).copy()
        for dx, dy, reach in near:
            mask &= (xx - dx) ** 2 + (yy - dy) ** 2 > reach * reach
        _AREAS[key] = mask
    return _AREAS[key]


def measure(sheet: np.ndarray, layout: SheetTemplate) -> Measured:
    darkness = 1.0 - sheet.astype(np.float32) / paper_brightness(sheet)
    np.clip(darkness, 0.0, 1.0, out=darkness)
    black = _marker_black(darkness, layout)
    darkness /= black
    np.clip(darkness, 0.0, 1.0, out=darkness)
    smooth = cv2.GaussianBlur(darkness, (0, 0), 0.8)  # ink is counted on strokes, not on single noisy pixels
    fills: dict[str, tuple[Fill, ...]] = {}
    for field, bubbles in layout.fields.items():
        out = []
        printed_text = field not in HEADER_FIELDS  # phase, language and mode bubbles are empty circles
        for b in bubbles:
            r = round(b.r * INNER * PX_PER_MM)
            cx, cy = round(b.x * PX_PER_MM), round(b.y * PX_PER_MM)
            patch = darkness[cy - r:cy + r + 1, cx - r:cx + r + 1]
            if patch.shape != (2 * r + 1, 2 * r + 1):
                out.append(Fill(0.0, 0.0, 0.0))
                continue
            mask = _measured_area(b, bubbles, r)
            around = mask & _around_text(r, len(b.value) if printed_text else 0)
            smoothed = smooth[cy - r:cy + r + 1, cx - r:cx + r + 1]
            out.append(Fill(float(patch[around].mean()), float(np.mean(smoothed[mask] > INK_LEVEL)),
                            float(np.percentile(smoothed[around], 95))))
        fills[field] = tuple(out)
    return Measured(fills, black, darkness)
