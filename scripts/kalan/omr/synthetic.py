"""Filled sheets and phone photos made from the real printed sheet, for tests, the benchmark and
`kalan exemple`: pencil and pen marks of varying darkness (full, partial, tick, cross, scribble),
erasures, double marks, blanks and deliberately faint marks, then what a phone does to a page
(perspective, any rotation, shadows and uneven light, blur, noise, JPEG, low resolution, a table
underneath). Every sheet comes with the truth it was made from."""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from kalan.errors import KalanError
from kalan.omr.template import SheetTemplate

RENDER_DPI = 200
MARK_STYLES = ("plein", "partiel", "griffonnage", "coche", "croix")
STYLE_WEIGHTS = (0.45, 0.15, 0.12, 0.14, 0.14)  # most people fill, as the sheet asks
PEN, PENCIL = "stylo", "crayon"


@dataclass
class Truth:
    """What the participant wrote, and what a careful reader must do with it."""

    code: str
    phase: str
    language: str
    mode: str
    marks: dict[str, str]  # item → letter, "vide" or "multiple"
    ambiguous: set[str] = field(default_factory=set)  # fields a reader must send to review
    kind: str = "ordinaire"  # "ordinaire", "pieges" (traps), "code-douteux"
    notes: list[str] = field(default_factory=list)


def render_pdf(pdf: Path, dpi: int = RENDER_DPI) -> np.ndarray:
    """First page of `pdf` as a grey image (poppler's pdftoppm)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise KalanError("pdftoppm introuvable : installez poppler-utils (sudo apt-get install poppler-utils)")
    with tempfile.TemporaryDirectory(prefix="kalan-feuille-") as tmp:
        subprocess.run([tool, "-r", str(dpi), "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", str(pdf),
                        str(Path(tmp) / "page")], check=True, capture_output=True)
        image = cv2.imread(str(Path(tmp) / "page.png"), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise KalanError(f"{pdf} : page illisible")
    return image


# ── marks ────────────────────────────────────────────────────────────────────────────────────────

def _tool(rng: np.random.Generator, tool: str) -> float:
    return float(rng.uniform(0.80, 0.96) if tool == PEN else rng.uniform(0.50, 0.78))


def _stroke_width_mm(rng: np.random.Generator, tool: str) -> float:
    return float(rng.uniform(0.35, 0.6) if tool == PEN else rng.uniform(0.4, 0.8))


def _shape(style: str, rng: np.random.Generator, r: float, width: float, size: int) -> np.ndarray:
    """Coverage (0–1, anti-aliased) of one mark in a square patch of side `size` centred on the bubble."""
    shift = 4  # sub-pixel drawing
    k = 1 << shift
    canvas = np.zeros((size, size), np.uint8)
    c = size / 2

    def pt(x: float, y: float) -> tuple[int, int]:
        return int((c + x) * k), int((c + y) * k)

    thick = max(1, round(width))
    angle = rng.uniform(-0.35, 0.35)
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])

    def poly(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return [tuple(rot @ np.array(p)) for p in points]

    if style in ("plein", "partiel"):
        if style == "plein":
            dx, dy = rng.uniform(-0.12, 0.12, 2) * r
            ax, ay = rng.uniform(0.88, 1.12, 2) * r
        else:
            offset = rng.uniform(0.18, 0.32) * r
            theta = rng.uniform(0, 2 * math.pi)
            dx, dy = offset * math.cos(theta), offset * math.sin(theta)
            ax, ay = rng.uniform(0.62, 0.82, 2) * r
        cv2.ellipse(canvas, pt(dx, dy), (int(ax * k), int(ay * k)), float(rng.uniform(0, 180)), 0, 360, 255,
                    -1, cv2.LINE_AA, shift)
        for _ in range(int(rng.integers(2, 6))):  # the hand goes over the edge now and then
            a = rng.uniform(0, 2 * math.pi)
            p0 = (dx + 0.5 * ax * math.cos(a), dy + 0.5 * ay * math.sin(a))
            p1 = (dx + 1.05 * ax * math.cos(a + rng.uniform(0.3, 1.0)), dy + 1.05 * ay * math.sin(a + 0.6))
            cv2.line(canvas, pt(*p0), pt(*p1), 255, thick, cv2.LINE_AA, shift)
    elif style == "griffonnage":
        n = int(rng.integers(7, 14))
        points = [(rng.uniform(-0.8, 0.8) * r, rng.uniform(-0.8, 0.8) * r) for _ in range(n)]
        cv2.polylines(canvas, [np.array([pt(*p) for p in points], np.int32)], False, 255, thick, cv2.LINE_AA, shift)
    elif style == "coche":
        s = rng.uniform(0.85, 1.25) * r
        points = poly([(-0.55 * s, -0.05 * s), (-0.12 * s, 0.5 * s), (0.75 * s, -0.8 * s)])
        cv2.polylines(canvas, [np.array([pt(*p) for p in points], np.int32)], False, 255, thick, cv2.LINE_AA, shift)
    elif style == "croix":
        s = rng.uniform(0.8, 1.15) * r
        for a, b in (((-0.75, -0.75), (0.75, 0.75)), ((0.75, -0.75), (-0.75, 0.75))):
            jitter = rng.uniform(-0.1, 0.1, 4) * s
            p0 = poly([(a[0] * s + jitter[0], a[1] * s + jitter[1])])[0]
            p1 = poly([(b[0] * s + jitter[2], b[1] * s + jitter[3])])[0]
            cv2.line(canvas, pt(*p0), pt(*p1), 255, thick, cv2.LINE_AA, shift)
    else:
        raise ValueError(style)
    return canvas.astype(np.float32) / 255.0


def draw_mark(sheet: np.ndarray, px_per_mm: float, x_mm: float, y_mm: float, r_mm: float, style: str,
              darkness: float, rng: np.random.Generator, tool: str = PEN) -> None:
    """Darken `sheet` in place with one mark (multiplicative, like ink or graphite on paper)."""
    r = r_mm * px_per_mm
    size = int(4 * r) | 1
    width = _stroke_width_mm(rng, tool) * px_per_mm
    coverage = _shape(style, rng, r, width, size)
    if tool == PENCIL:  # graphite is grainy
        grain = cv2.GaussianBlur(rng.random((size, size)).astype(np.float32), (0, 0), 0.8)
        coverage *= 0.75 + 0.5 * grain
    cx, cy = round(x_mm * px_per_mm), round(y_mm * px_per_mm)
    half = size // 2
    y0, x0 = cy - half, cx - half
    region = sheet[y0:y0 + size, x0:x0 + size].astype(np.float32)
    region *= 1.0 - np.clip(darkness * coverage, 0, 1)
    sheet[y0:y0 + size, x0:x0 + size] = np.clip(region, 0, 255).astype(np.uint8)


def _random_style(rng: np.random.Generator) -> str:
    return str(rng.choice(MARK_STYLES, p=STYLE_WEIGHTS))


def _mark_bubble(sheet: np.ndarray, ppm: float, layout: SheetTemplate, field_name: str, value: str,
                 rng: np.random.Generator, tool: str, style: str | None = None, darkness: float | None = None,
                 ) -> None:
    bubble = next(b for b in layout.fields[field_name] if b.value == value)
    draw_mark(sheet, ppm, bubble.x, bubble.y, bubble.r, style or _random_style(rng),
              _tool(rng, tool) if darkness is None else darkness, rng, tool)


def fill_sheet(blank: np.ndarray, layout: SheetTemplate, truth: Truth, rng: np.random.Generator,
               traps: dict[str, str] | None = None, dpi: int = RENDER_DPI, tool: str | None = None) -> np.ndarray:
    """The blank sheet with the truth's marks; `traps` maps a field to a trap kind:
    ``faible`` (a faint mark that nobody can call), ``double`` (two clear marks), ``gomme`` (an
    erased mark beside the real one), ``gomme-vide`` (an erased mark and nothing else)."""
    sheet = blank.copy()
    ppm = dpi / 25.4
    tool = tool or (PEN if rng.random() < 0.5 else PENCIL)
    traps = traps or {}
    prefix, digits = truth.code.split("-")
    header = {"code.prefixe": prefix, "code.chiffre1": digits[0], "code.chiffre2": digits[1],
              "code.chiffre3": digits[2], "phase": truth.phase, "langue": truth.language, "mode": truth.mode}
    for name, value in header.items():
        trap = traps.get(name)
        if trap == "faible":
            _mark_bubble(sheet, ppm, layout, name, value, rng, tool, "plein", float(rng.uniform(0.18, 0.32)))
        elif trap == "vide":
            continue
        else:
            style = str(rng.choice(("plein", "plein", "partiel", "griffonnage", "croix")))
            _mark_bubble(sheet, ppm, layout, name, value, rng, tool, style)
        if trap == "double":
            other = next(b.value for b in layout.fields[name] if b.value != value)
            _mark_bubble(sheet, ppm, layout, name, other, rng, tool, "plein")
    for item in layout.items:
        letters = [b.value for b in layout.fields[item]]
        mark = truth.marks[item]
        trap = traps.get(item)
        if trap == "faible":
            style = str(rng.choice(("plein", "partiel", "griffonnage")))
            _mark_bubble(sheet, ppm, layout, item, str(rng.choice(letters)), rng, tool, style,
                         float(rng.uniform(0.18, 0.32)))
            continue
        if trap in ("gomme", "gomme-vide"):
            erased = [v for v in letters if v != mark]
            _mark_bubble(sheet, ppm, layout, item, str(rng.choice(erased)), rng, PENCIL, "plein",
                         float(rng.uniform(0.04, 0.11)))
        if mark == "multiple" or trap == "double":
            for value in rng.choice(letters, 2, replace=False):
                _mark_bubble(sheet, ppm, layout, item, str(value), rng, tool)
        elif mark != "vide":
            _mark_bubble(sheet, ppm, layout, item, mark, rng, tool)
    return sheet


def random_truth(layout: SheetTemplate, rng: np.random.Generator, codes: list[str], blank_rate: float = 0.06,
                 ) -> Truth:
    marks = {}
    for item in layout.items:
        letters = [b.value for b in layout.fields[item]]
        marks[item] = "vide" if rng.random() < blank_rate else str(rng.choice(letters))
    language = str(rng.choice(("fr", "bm", "autre"), p=(0.55, 0.4, 0.05)))
    mode = "oral" if rng.random() < 0.2 else "ecrit"
    return Truth(str(rng.choice(codes)), layout.phase, language, mode, marks)


def with_traps(truth: Truth, layout: SheetTemplate, rng: np.random.Generator) -> dict[str, str]:
    """Turn an ordinary truth into a sheet with 1–3 traps; the truth says which fields need review."""
    truth.kind = "pieges"
    traps: dict[str, str] = {}
    items = list(rng.choice(layout.items, int(rng.integers(1, 4)), replace=False))
    for item in items:
        kind = str(rng.choice(("faible", "double", "gomme", "gomme-vide"), p=(0.4, 0.25, 0.2, 0.15)))
        traps[str(item)] = kind
        if kind == "faible":
            truth.ambiguous.add(str(item))
            truth.marks[str(item)] = "?"
        elif kind == "double":
            truth.marks[str(item)] = "multiple"
            truth.ambiguous.add(str(item))
        elif kind == "gomme-vide":
            truth.marks[str(item)] = "vide"
        elif truth.marks[str(item)] == "vide":
            truth.marks[str(item)] = str(layout.fields[str(item)][0].value)
        truth.notes.append(f"{item}:{kind}")
    return traps


def code_traps(truth: Truth, rng: np.random.Generator) -> dict[str, str]:
    """A doubtful code: a faint, missing or doubled bubble in one column of the code."""
    truth.kind = "code-douteux"
    column = str(rng.choice(("code.prefixe", "code.chiffre1", "code.chiffre2", "code.chiffre3")))
    kind = str(rng.choice(("faible", "vide", "double")))
    truth.ambiguous.add("code")
    truth.notes.append(f"{column}:{kind}")
    return {column: kind}


# ── the phone ────────────────────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class PhotoParams:
    px_per_mm: float  # resolution of the sheet in the photo
    rotation: float  # degrees, any
    tilt: float  # degrees of perspective (camera not square to the page)
    blur: float  # Gaussian sigma in photo pixels
    noise: float  # grey levels (sigma)
    jpeg: int  # quality
    light: float  # darkest / brightest light on the page
    shadow: float  # darkness of a cast shadow (0: none)
    background: int  # grey level of the table


def random_params(rng: np.random.Generator, hard: bool = False) -> PhotoParams:
    return PhotoParams(
        px_per_mm=float(rng.uniform(3.6, 5.0) if hard else rng.uniform(4.2, 9.0)),
        rotation=float(rng.uniform(0, 360)),
        tilt=float(rng.uniform(8, 15) if hard else rng.uniform(0, 15)),
        blur=float(rng.uniform(0.8, 1.5) if hard else rng.uniform(0.0, 1.2)),
        noise=float(rng.uniform(6, 10) if hard else rng.uniform(1, 7)),
        jpeg=int(rng.integers(35, 55) if hard else rng.integers(50, 92)),
        light=float(rng.uniform(0.5, 0.7) if hard else rng.uniform(0.65, 1.0)),
        shadow=float(rng.uniform(0.35, 0.55) if hard else (rng.uniform(0.15, 0.45) if rng.random() < 0.5 else 0.0)),
        background=int(rng.integers(40, 200)),
    )


def _table(h: int, w: int, rng: np.random.Generator, level: int) -> np.ndarray:
    """A wooden-table-like background: grain stripes, knots of darker tone, noise."""
    sh, sw = max(4, h // 2), max(4, w // 2)
    yy, xx = np.ogrid[0:sh, 0:sw]
    yy, xx = yy.astype(np.float32), xx.astype(np.float32)
    angle = rng.uniform(0, math.pi)
    u = xx * math.cos(angle) + yy * math.sin(angle)
    v = -xx * math.sin(angle) + yy * math.cos(angle)
    grain = np.sin(u / rng.uniform(3, 9) + 3 * np.sin(v / rng.uniform(40, 100)))
    table = (level + 18 * grain + rng.normal(0, 6, grain.shape)).astype(np.float32)
    return cv2.resize(table, (w, h), interpolation=cv2.INTER_LINEAR)


def _light(out_h: int, out_w: int, params: PhotoParams, rng: np.random.Generator) -> np.ndarray:
    """Light on the page: a slope, vignetting, a soft cast shadow (a hand, the phone); computed small."""
    h, w = max(8, out_h // 8), max(8, out_w // 8)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    direction = rng.uniform(0, 2 * math.pi)
    ramp = xx * math.cos(direction) + yy * math.sin(direction)
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1.0)
    light = params.light + (1 - params.light) * ramp
    light *= 1 - 0.18 * (((xx - w / 2) / w) ** 2 + ((yy - h / 2) / h) ** 2)
    if params.shadow > 0:
        shadow = np.zeros((h, w), np.float32)
        centre = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        axes = (int(rng.uniform(0.2, 0.5) * w), int(rng.uniform(0.15, 0.4) * h))
        cv2.ellipse(shadow, centre, axes, float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
        shadow = cv2.GaussianBlur(shadow, (0, 0), 0.03 * max(w, h) * 1.0 + 0.5)
        light *= 1 - params.shadow * shadow
    return cv2.resize(light.astype(np.float32), (out_w, out_h), interpolation=cv2.INTER_LINEAR)


def photograph(sheet: np.ndarray, params: PhotoParams, rng: np.random.Generator,
               dpi: int = RENDER_DPI) -> bytes:
    """A JPEG 'phone photo' of `sheet` (grey, rendered at `dpi`) taken as `params` say."""
    h_px, w_px = sheet.shape
    ppm_src = dpi / 25.4
    scale = params.px_per_mm / ppm_src
    w_mm, h_mm = w_px / ppm_src, h_px / ppm_src
    # The page as a plane in 3-D, tilted about a random axis, seen by a pinhole camera.
    corners = np.array([[-w_mm / 2, -h_mm / 2], [w_mm / 2, -h_mm / 2], [w_mm / 2, h_mm / 2], [-w_mm / 2, h_mm / 2]])
    rot = math.radians(params.rotation)
    r2 = np.array([[math.cos(rot), -math.sin(rot)], [math.sin(rot), math.cos(rot)]])
    pts = corners @ r2.T
    axis = rng.uniform(0, 2 * math.pi)
    tilt = math.radians(params.tilt)
    ax = np.array([math.cos(axis), math.sin(axis), 0.0])
    k = np.array([[0, -ax[2], ax[1]], [ax[2], 0, -ax[0]], [-ax[1], ax[0], 0]])
    rot3 = np.eye(3) + math.sin(tilt) * k + (1 - math.cos(tilt)) * (k @ k)
    distance = 1.3 * math.hypot(w_mm, h_mm)
    p3 = np.c_[pts, np.zeros(4)] @ rot3.T + np.array([0, 0, distance])
    focal = params.px_per_mm * distance
    projected = focal * p3[:, :2] / p3[:, 2:3]
    margin = rng.uniform(0.04, 0.14, 4) * params.px_per_mm * max(w_mm, h_mm)
    projected -= projected.min(axis=0)
    projected += margin[:2]
    out_w = int(projected[:, 0].max() + margin[2])
    out_h = int(projected[:, 1].max() + margin[3])
    src = np.float32([[0, 0], [w_px, 0], [w_px, h_px], [0, h_px]])
    transform = cv2.getPerspectiveTransform(src, np.float32(projected))
    # Shrink the page first when the photo is much smaller (a camera integrates, it does not sample).
    source = sheet
    if scale < 0.7:
        pre = min(1.0, 1.6 * scale)
        source = cv2.resize(sheet, None, fx=pre, fy=pre, interpolation=cv2.INTER_AREA)
        transform = transform @ np.diag([1 / pre, 1 / pre, 1.0])
    page = cv2.warpPerspective(source.astype(np.float32), transform, (out_w, out_h), flags=cv2.INTER_LINEAR,
                               borderValue=-1.0)
    photo = _table(out_h, out_w, rng, params.background)
    on_page = page >= 0
    photo[on_page] = page[on_page]
    photo *= _light(out_h, out_w, params, rng)
    if params.blur > 0.05:
        photo = cv2.GaussianBlur(photo, (0, 0), params.blur)
    noise = np.empty_like(photo)
    cv2.setRNGSeed(int(rng.integers(1 << 30)))
    cv2.randn(noise, 0.0, params.noise)
    photo += noise
    np.clip(photo, 0, 255, out=photo)
    gray = photo.astype(np.uint8)
    tint = (rng.uniform(0.85, 1.0), rng.uniform(0.93, 1.0), 1.0)  # B, G, R: warm indoor light
    colour = cv2.merge([cv2.convertScaleAbs(gray, alpha=float(t)) for t in tint])
    ok, data = cv2.imencode(".jpg", colour, [cv2.IMWRITE_JPEG_QUALITY, params.jpeg])
    assert ok
    return data.tobytes()


def not_a_sheet(rng: np.random.Generator, page: np.ndarray | None = None) -> bytes:
    """A photo that is no answer sheet: a table, or another printed page lying on it."""
    h, w = int(rng.integers(900, 1600)), int(rng.integers(900, 1600))
    photo = _table(h, w, rng, int(rng.integers(60, 200)))
    if page is not None:
        scale = 0.8 * min(h / page.shape[0], w / page.shape[1])
        small = cv2.resize(page, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA).astype(np.float32)
        y0, x0 = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
        photo[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
    photo = cv2.GaussianBlur(photo, (0, 0), 0.8) + rng.normal(0, 4, photo.shape)
    ok, data = cv2.imencode(".jpg", np.clip(photo, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return data.tobytes()


def cut_corner(sheet: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The sheet with one corner (and its marker) torn or folded away."""
    out = sheet.copy()
    h, w = out.shape
    size = int(0.16 * min(h, w))
    corner = int(rng.integers(0, 4))
    ys = slice(0, size) if corner in (0, 1) else slice(h - size, h)
    xs = slice(0, size) if corner in (0, 3) else slice(w - size, w)
    out[ys, xs] = 255
    return out
