"""The report's charts, drawn with Pillow into greyscale PNG files.

matplotlib took ~0.9 s of `kalan rapport` (import, then tight_layout) for five plain charts; Pillow is
already a dependency and imports in ~20 ms. The charts stay grey with black outlines (they are
photocopied in black and white), 7 × 3.2 inches at 150 dpi, in the bundled DejaVu Sans. Legends sit
above the plot area, so they never hide a bar.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from kalan import fonts

if TYPE_CHECKING:
    from kalan.scoring.dataset import Dataset
    from kalan.scoring.report import Figures

DPI = 150
WIDTH, HEIGHT = 7 * DPI, round(3.2 * DPI)  # 1050 × 480 px, the size of the former matplotlib figures
FONT_PX = round(9 * DPI / 72)  # 9 pt
BLACK, DARK, MID, LIGHT, WHITE = 0x00, 0x33, 0x66, 0xBB, 0xFF  # 8-bit greys ("L" images)
PAD, TICK, LINE, GAP = 10, 7, 2, 4  # outer padding, tick length, line width, text gap (px)
DASH = (8, 4)  # dashed lines: on, off (px)
SWATCH = (28, 14)  # legend box (px)
PERCENT_TICKS = [(v, str(v)) for v in range(0, 101, 20)]

Ticks = Sequence[tuple[float, str]]  # (value, label); a label may hold one "\n"


@lru_cache(maxsize=1)
def _fonts() -> tuple[ImageFont.FreeTypeFont, ...]:
    """The bundled subset (it holds the report's signs ≥ ≤ since `kalan polices` added them), the full
    system DejaVu Sans for any other sign, then Pillow's own font: a chart never fails for want of a font."""
    paths = (fonts.BUNDLED_DIR / "kalan-sans.woff2", fonts.SOURCE_DIR / fonts.FACES["kalan-sans"][0])
    found = [ImageFont.truetype(str(p), FONT_PX) for p in paths if p.is_file()]
    return (*found, ImageFont.load_default(FONT_PX))


@lru_cache(maxsize=4096)
def _has(font: ImageFont.FreeTypeFont, char: str) -> bool:
    """FreeType draws a character the font lacks as its .notdef glyph: compare with a sure miss."""
    if char.isspace():
        return True
    drawn, missing = font.getmask(char), font.getmask("\uffff")
    return drawn.size != missing.size or bytes(drawn) != bytes(missing)


def _font(text: str) -> ImageFont.FreeTypeFont:
    """The first font with every character of `text` (both files are DejaVu Sans: same metrics)."""
    candidates = _fonts()
    return next((f for f in candidates[:-1] if all(_has(f, c) for c in set(text))), candidates[0])


def _width(text: str) -> int:
    return max((math.ceil(_font(line).getlength(line)) for line in text.split("\n")), default=0)


LINE_HEIGHT = sum(_fonts()[0].getmetrics())


def _shorten(text: str, most: float) -> str:
    """Each line of `text` cut to `most` pixels, with « … »: group and cohort names are free text from the
    roster, and a long one must not push the plot area out of the image."""
    lines = []
    for line in text.split("\n"):
        if _width(line) > most:
            while line and _width(line + "…") > most:
                line = line[:-1]
            line = line.rstrip() + "…"
        lines.append(line)
    return "\n".join(lines)


def _steps(top: float, most: int) -> list[tuple[float, str]]:
    """0, s, 2s … up to `top`, with the smallest s among 1, 2, 5, 10, 20 … giving at most `most` steps."""
    step = next(s for s in (m * 10**k for k in range(12) for m in (1, 2, 5)) if top / s <= most)
    return [(v, str(v)) for v in range(0, int(top) + 1, step)]


class Chart:
    """One PNG: a white image, a plot area inside margins fitted to the labels, value → pixel mappings.

    `frame` lays out and draws everything around the plot area; the caller then draws the data with
    `bar`, `dashed` and `draw`; `save` draws the axes box on top (as matplotlib did) and writes the file.
    """

    def __init__(self, height: int = HEIGHT) -> None:
        self.image = Image.new("L", (WIDTH, height), WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.box = (0, 0, WIDTH - 1, height - 1)  # left, top, right, bottom of the plot area
        self.x_range = self.y_range = (0.0, 1.0)

    def px(self, x: float) -> float:
        left, _, right, _ = self.box
        return left + (x - self.x_range[0]) / (self.x_range[1] - self.x_range[0]) * (right - left)

    def py(self, y: float) -> float:
        _, top, _, bottom = self.box
        return bottom - (y - self.y_range[0]) / (self.y_range[1] - self.y_range[0]) * (bottom - top)

    def text(self, xy: tuple[float, float], text: str, anchor: str = "la") -> None:
        self.draw.text(xy, text, fill=BLACK, font=_font(text), anchor=anchor)

    def vertical_text(self, x: float, y: float, text: str, middle: bool = False) -> None:
        """`text` turned a quarter left (read bottom to top), centred on `x`; its top at `y`, or its
        middle with `middle`. Pillow has no rotated text: draw it on a mask, turn the mask, paint through."""
        lines = text.split("\n")
        mask = Image.new("L", (max(1, _width(text)), len(lines) * LINE_HEIGHT), 0)
        for k, line in enumerate(lines):
            ImageDraw.Draw(mask).text((mask.width / 2, k * LINE_HEIGHT), line, fill=255, font=_font(line), anchor="ma")
        mask = mask.transpose(Image.Transpose.ROTATE_90)
        top = y - mask.height / 2 if middle else y
        self.image.paste(BLACK, (round(x - mask.width / 2), round(top)), mask)

    def frame(self, x_range: tuple[float, float], y_range: tuple[float, float], xticks: Ticks, yticks: Ticks,
              xlabel: str = "", ylabel: str = "", legend: Sequence[tuple[str, int]] = (),
              rotate: bool | None = False) -> None:
        """Fit the plot area to the labels, then draw ticks, tick labels, axis labels and the legend.
        `rotate`: x tick labels turned a quarter; None turns them only when they would overlap."""
        self.x_range, self.y_range = x_range, y_range
        width, height = self.image.size
        yticks = [(v, _shorten(t, 0.35 * width)) for v, t in yticks]
        xticks = [(v, _shorten(t, 0.35 * height)) for v, t in xticks]
        left = PAD + (LINE_HEIGHT + GAP if ylabel else 0) + max((_width(t) for _, t in yticks), default=0)
        left += TICK + GAP
        right = width - PAD
        if rotate is None:  # room for each label: the plot width shared by the ticks
            rotate = max((_width(t) for _, t in xticks), default=0) + 2 * GAP > (right - left) / max(1, len(xticks))
        if xticks and not rotate:  # the last label centred on its tick may pass the right edge: make room
            self.box = (left, 0, right, 0)
            right -= max(0, math.ceil(self.px(xticks[-1][0]) + _width(xticks[-1][1]) / 2 - right))
        lines = max((t.count("\n") + 1 for _, t in xticks), default=0)
        ticks_height = max((_width(t) for _, t in xticks), default=0) if rotate else lines * LINE_HEIGHT
        bottom = height - PAD - (LINE_HEIGHT + GAP if xlabel else 0) - ticks_height - TICK - GAP
        top = PAD + (LINE_HEIGHT + GAP if legend else 0) + LINE_HEIGHT // 2
        self.box = (left, top, max(right, left + PAD), max(bottom, top + PAD))  # never an inverted box
        for value, label in yticks:
            y = round(self.py(value))
            self.draw.line([(left - TICK, y), (left, y)], fill=BLACK, width=LINE)
            self.text((left - TICK - GAP, y), label, "rm")
        for value, label in xticks:
            x = round(self.px(value))
            self.draw.line([(x, bottom), (x, bottom + TICK)], fill=BLACK, width=LINE)
            if rotate:
                self.vertical_text(x, bottom + TICK + GAP, label)
                continue
            for k, line in enumerate(label.split("\n")):
                self.text((x, bottom + TICK + GAP + k * LINE_HEIGHT), line, "ma")
        if xlabel:
            self.text(((left + right) / 2, height - PAD), xlabel, "md")
        if ylabel:
            self.vertical_text(PAD + LINE_HEIGHT / 2, (top + bottom) / 2, ylabel, middle=True)
        entries = [(label, grey, SWATCH[0] + GAP + _width(label)) for label, grey in legend]
        x = right - sum(w for *_, w in entries) - 3 * GAP * (len(entries) - 1)
        y = PAD + LINE_HEIGHT / 2
        for label, grey, entry_width in entries:
            self.draw.rectangle((x, y - SWATCH[1] / 2, x + SWATCH[0], y + SWATCH[1] / 2), fill=grey,
                                outline=BLACK, width=LINE)
            self.text((x + SWATCH[0] + GAP, y), label, "lm")
            x += entry_width + 3 * GAP

    def bar(self, x0: float, x1: float, y0: float, y1: float, grey: int) -> None:
        """A rectangle between data coordinates, black outline; nothing for NaN or zero size."""
        if any(math.isnan(v) for v in (x0, x1, y0, y1)) or x0 == x1 or y0 == y1:
            return
        xs = sorted((round(self.px(x0)), round(self.px(x1))))
        ys = sorted((round(self.py(y0)), round(self.py(y1))))
        self.draw.rectangle((xs[0], ys[0], xs[1], ys[1]), fill=grey, outline=BLACK, width=LINE)

    def dashed(self, x: float | None = None, y: float | None = None) -> None:
        """A dashed line across the plot area at data value `x` (vertical) or `y` (horizontal)."""
        left, top, right, bottom = self.box
        start, end = (top, bottom) if x is not None else (left, right)
        at = round(self.px(x)) if x is not None else round(self.py(y))
        for a in range(start, end, sum(DASH)):
            b = min(a + DASH[0], end)
            self.draw.line([(at, a), (at, b)] if x is not None else [(a, at), (b, at)], fill=BLACK, width=LINE)

    def save(self, path: Path) -> Path:
        """Axes box, then the PNG: no text chunks, so the same chart gives the same bytes."""
        self.draw.rectangle(self.box, outline=BLACK, width=LINE)
        self.image.save(path, format="PNG", dpi=(DPI, DPI))
        return path


def score_histogram(pre: Sequence[int], post: Sequence[int], n_items: int, pass_mark: int, path: Path) -> Path:
    """People per score, pre-test and post-test side by side; dashed line between pass and fail."""
    bins = np.arange(-0.5, n_items + 1.5, 1)
    counts = [np.histogram(np.asarray(scores), bins)[0] for scores in (pre, post)]
    most = max([1, *(int(c.max()) for c in counts if c.size)])
    margin = 0.05 * (n_items + 1)
    chart = Chart()
    chart.frame((-0.5 - margin, n_items + 0.5 + margin), (0, most * 1.05), _steps(n_items, 6), _steps(most * 1.05, 8),
                f"Score (sur {n_items}) — trait pointillé : note de passage", "Personnes",
                [("Pré-test", LIGHT), ("Post-test", DARK)])
    for score in range(n_items + 1):
        chart.bar(score - 0.4, score, 0, counts[0][score], LIGHT)
        chart.bar(score, score + 0.4, 0, counts[1][score], DARK)
    chart.dashed(x=pass_mark - 0.5)
    return chart.save(path)


def item_bars(items: Sequence[str], pre: Sequence[float], post: Sequence[float], path: Path) -> Path:
    """% of right answers per question, pre and post, question ids turned a quarter under the bars."""
    chart = Chart()
    chart.frame((-0.6, len(items) - 0.4), (0, 100), list(enumerate(items)), PERCENT_TICKS,
                ylabel="% de bonnes réponses", legend=[("Pré-test", LIGHT), ("Post-test", DARK)], rotate=True)
    for i, (p_pre, p_post) in enumerate(zip(pre, post, strict=True)):
        chart.bar(i - 0.4, i, 0, p_pre, LIGHT)
        chart.bar(i, i + 0.4, 0, p_post, DARK)
    return chart.save(path)


def group_bars(rows: Sequence[tuple[str, float]], target: float, path: Path) -> Path:
    """The indicator per group, one horizontal bar each, first group on top; dashed line at the target."""
    chart = Chart()
    chart.frame((0, 100), (len(rows) - 0.4, -0.6), PERCENT_TICKS, [(i, label) for i, (label, _) in enumerate(rows)],
                f"% au-dessus de la note de passage au post-test (trait : cible {target:.0f} %)")
    for i, (_, value) in enumerate(rows):
        chart.bar(0, value, i - 0.4, i + 0.4, MID)
    chart.dashed(x=target)
    return chart.save(path)


def objective_height(n: int) -> int:
    """Pixels: 0.22 inch per objective and 1 inch for the axes, at least the usual 3.2 inches."""
    return round(max(3.2, 0.22 * n + 1) * DPI)


def objective_bars(ids: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], path: Path) -> Path:
    """% of right answers per objective, one bar per phase (light grey, dark grey, white), first on top."""
    chart = Chart(objective_height(len(ids)))
    greys = (LIGHT, DARK, WHITE)[:len(series)]
    chart.frame((0, 100), (len(ids) - 0.4, -0.6), PERCENT_TICKS, list(enumerate(ids)),
                "% de bonnes réponses, par objectif",
                legend=[(label, grey) for (label, _), grey in zip(series, greys, strict=False)])
    height = 0.8 / max(1, len(series))
    for k, ((_, values), grey) in enumerate(zip(series, greys, strict=False)):
        for i, value in enumerate(values):
            y = i + (k - (len(series) - 1) / 2) * height
            chart.bar(0, value, y - height / 2, y + height / 2, grey)
    return chart.save(path)


def cohort_line(labels: Sequence[str], values: Sequence[float], target: float, path: Path) -> Path:
    """The indicator per cohort in date order: black line and dots, dashed line at the target."""
    chart = Chart()
    chart.frame((-0.5, len(labels) - 0.5), (0, 100), list(enumerate(labels)), PERCENT_TICKS,
                f"Cohortes dans l'ordre des dates de formation (trait : cible {target:.0f} %)",
                "% ≥ note de passage (post)", rotate=None)
    chart.dashed(y=target)
    points = [(chart.px(i), chart.py(v)) for i, v in enumerate(values)]
    chart.draw.line(points, fill=BLACK, width=3, joint="curve")
    for x, y in points:
        chart.draw.ellipse((x - 7, y - 7, x + 7, y + 7), fill=BLACK)
    return chart.save(path)


def build_charts(data: Dataset, figures: Figures, folder: Path) -> list[Path]:
    """The report's PNG charts in `folder`, in the PDF's order; objectives and cohorts only when there
    are some to show."""
    from kalan.scoring.report import PHASE_LABELS, TARGET_PCT  # lazily: report.py imports this module

    folder.mkdir(parents=True, exist_ok=True)
    items = figures.items
    paths = [
        score_histogram(data.pre.scores, data.post.scores, data.n_items, data.pass_mark,
                        folder / "scores-pre-post.png"),
        item_bars([r.item for r in items], [100 * r.p_pre for r in items], [100 * r.p_post for r in items],
                  folder / "questions-pre-post.png"),
        group_bars([(f"{g.value}", g.passed_post_pct) for g in figures.groups
                    if g.dimension in ("cohort", "sex", "cercle", "category") and not math.isnan(g.passed_post_pct)],
                   TARGET_PCT, folder / "indicateur-par-groupe.png"),
    ]
    objectives = [r for r in figures.objectives if r.level == "objectif"]
    if objectives:
        phases = [p for p in PHASE_LABELS if p in objectives[0].pct]
        paths.append(objective_bars([r.id for r in objectives],
                                    [(PHASE_LABELS[p], [r.pct[p] for r in objectives]) for p in phases],
                                    folder / "objectifs.png"))
    cohorts = [c for c in figures.cohorts if not math.isnan(c.indicator)]
    if cohorts:
        paths.append(cohort_line([f"{c.cohort}\n{c.start}" if c.start else c.cohort for c in cohorts],
                                 [c.indicator for c in cohorts], TARGET_PCT, folder / "indicateur-par-cohorte.png"))
    return paths
