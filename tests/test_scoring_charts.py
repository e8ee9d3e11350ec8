"""The report's charts drawn with Pillow: bars, dashed lines and sizes measured on the pixels."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from kalan.scoring import charts
from kalan.scoring.charts import (
    DARK,
    DASH,
    HEIGHT,
    LIGHT,
    LINE,
    MID,
    WIDTH,
    build_charts,
    cohort_line,
    group_bars,
    item_bars,
    objective_bars,
    objective_height,
    score_histogram,
)
from kalan.scoring.dataset import load_dataset
from kalan.scoring.report import compute
from tests.test_scoring_report import database  # noqa: F401  (the example database, reused)

NAN = float("nan")


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L"))


def runs(line: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each stretch of True."""
    padded = np.concatenate(([False], line, [False])).astype(int)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def longest(line: np.ndarray) -> tuple[int, int]:
    return max(runs(line), key=lambda r: r[1] - r[0])


def length(run: tuple[int, int]) -> int:
    """A bar's extent from the inside of its fill: the black outline adds LINE on each side."""
    return run[1] - run[0] + 1 + 2 * LINE


def extent(line: np.ndarray) -> tuple[int, int]:
    """First and last True: a bar's fill, even where a dashed line crosses it."""
    where = np.flatnonzero(line)
    return int(where[0]), int(where[-1])


def spines(image: np.ndarray) -> tuple[int, int]:
    """Left and right columns of the axes box: the longest black runs of the picture."""
    black = image == 0
    tallest = [np.diff(longest(black[:, x]))[0] if black[:, x].any() else 0 for x in range(image.shape[1])]
    columns = [x for x, h in enumerate(tallest) if h >= 0.95 * max(tallest)]
    return columns[0], columns[-1]


def dashes(line: np.ndarray) -> int:
    """How many short black stretches: a dashed line crossing the plot makes dozens."""
    return len([r for r in runs(line == 0) if r[1] - r[0] + 1 <= DASH[0] + 1])


def dashed_columns(image: np.ndarray) -> list[int]:
    """Columns inside the axes crossed by a vertical dashed line."""
    left, right = spines(image)
    return [x for x in range(left + 3, right - 2) if dashes(image[:, x]) >= 10]


def test_a_bar_of_50_is_half_a_bar_of_100_and_the_target_line_sits_at_80(tmp_path):
    image = pixels(group_bars([("Koro", 100.0), ("Douentza", 50.0)], 80.0, tmp_path / "g.png"))
    assert image.shape == (HEIGHT, WIDTH)
    rows_with_bars = runs((image == MID).sum(axis=1) > 20)  # text edges have a few MID pixels too
    assert len(rows_with_bars) == 2  # one bar per group
    full, half = (length(extent(image[(a + b) // 2] == MID)) for a, b in rows_with_bars)
    assert abs(half - full / 2) <= 2
    left, right = spines(image)
    assert abs(full - (right - left + 1)) <= 2  # 100 % reaches the right edge of the axes
    line = dashed_columns(image)
    assert line and abs(np.mean(line) - (left + 0.8 * (right - left))) <= 2


def test_question_bars_one_per_item_and_phase_heights_in_proportion(tmp_path):
    image = pixels(item_bars(["Q01", "Q02", "Q03"], [50.0, 100.0, 25.0], [100.0, 50.0, 75.0], tmp_path / "q.png"))
    low_row = image[np.flatnonzero((image == LIGHT).sum(axis=1) > 20).max() - 1]  # just above the x axis
    assert len(runs(low_row == LIGHT)) == 3 and len(runs(low_row == DARK)) == 3
    heights = [length(longest(image[:, (a + b) // 2] == LIGHT)) for a, b in runs(low_row == LIGHT)]
    assert abs(heights[0] - heights[1] / 2) <= 2 and abs(heights[2] - heights[1] / 4) <= 2
    posts = [length(longest(image[:, (a + b) // 2] == DARK)) for a, b in runs(low_row == DARK)]
    assert abs(posts[0] - heights[1]) <= 1 and abs(posts[2] - 0.75 * heights[1]) <= 2


def test_pass_mark_line_sits_between_the_failing_and_the_passing_scores(tmp_path):
    # 10 people at 5/10 before, all at 10/10 after; pass mark 8: the line is at 7.5 on the score axis.
    image = pixels(score_histogram([5] * 10, [10] * 10, 10, 8, tmp_path / "h.png"))
    middle = image[HEIGHT // 2]
    (pre,), (post,) = runs(middle == LIGHT), runs(middle == DARK)
    centre_pre, centre_post = (pre[0] + pre[1]) / 2, (post[0] + post[1]) / 2  # scores 4.8 and 10.2
    unit = (centre_post - centre_pre) / 5.4
    line = dashed_columns(image)
    assert line and abs(np.mean(line) - (centre_pre + 2.7 * unit)) <= 2
    assert abs(length(longest(image[:, round(centre_pre)] == LIGHT))
               - length(longest(image[:, round(centre_post)] == DARK))) <= 1  # same count, same height


def test_objectives_chart_grows_with_the_objectives_and_shows_every_bar(tmp_path):
    assert objective_height(5) == HEIGHT
    for n in (5, 18, 30):
        ids = [f"M1-O{i}" for i in range(n)]
        path = objective_bars(ids, [("Pré-test", [40.0] * n), ("Post-test", [90.0] * n)], tmp_path / f"{n}.png")
        image = pixels(path)
        assert image.shape == (objective_height(n), WIDTH)
        column = image[:, spines(image)[0] + 2 * LINE + 2]  # just right of the 0 % axis: crosses every bar
        assert len(runs(column == LIGHT)) == n and len(runs(column == DARK)) == n
    assert objective_height(30) == round((0.22 * 30 + 1) * 150) > objective_height(18) > HEIGHT


def test_cohort_line_has_the_target_at_80_and_one_dot_per_cohort(tmp_path):
    image = pixels(cohort_line(["C01\n2025-01-10", "C02\n2025-03-02"], [20.0, 20.0], 80.0, tmp_path / "c.png"))
    left, right = spines(image)
    top, bottom = longest(image[:, left] == 0)  # the left spine
    dashed_rows = [y for y in range(top + 3, bottom - 2) if dashes(image[y, left + 3:right - 2]) >= 10]
    assert dashed_rows and abs(np.mean(dashed_rows) - (bottom - 0.8 * (bottom - top))) <= 2
    dot_row = round(bottom - 0.2 * (bottom - top))  # both dots at 20 %, joined by the line
    first, last = longest(image[dot_row, left + 3:right - 2] == 0)
    assert abs((last - first + 1) - ((right - left) / 2 + 15)) <= 3  # slots at ¼ and ¾, plus a dot's width


def fake(cohort_indicators: tuple[float, ...] = (90.0, 70.0), objectives: bool = True):
    """Just what build_charts reads of a Dataset and of the report's Figures."""
    data = SimpleNamespace(n_items=4, pass_mark=3, pre=SimpleNamespace(scores=np.array([1, 2, 2, 3])),
                           post=SimpleNamespace(scores=np.array([3, 4, 4, 2])))
    figures = SimpleNamespace(
        items=[SimpleNamespace(item=f"Q{i}", p_pre=0.5, p_post=0.75) for i in range(1, 5)],
        groups=[SimpleNamespace(dimension="sex", value="F", passed_post_pct=90.0),
                SimpleNamespace(dimension="sex", value="M", passed_post_pct=NAN),
                SimpleNamespace(dimension="commune", value="Koro", passed_post_pct=50.0)],
        objectives=[SimpleNamespace(level="objectif", id="M1-O1", pct={"pre": 50.0, "post": 80.0}),
                    SimpleNamespace(level="module", id="M1", pct={"pre": 50.0, "post": 80.0})] if objectives else [],
        cohorts=[SimpleNamespace(cohort=f"C0{i}", start=f"2025-0{i + 1}-01", indicator=v)
                 for i, v in enumerate(cohort_indicators)],
    )
    return data, figures


def test_build_charts_names_order_and_identical_bytes(tmp_path):
    first, second = (build_charts(*fake(), tmp_path / name) for name in ("a", "b"))
    assert [p.name for p in first] == ["scores-pre-post.png", "questions-pre-post.png", "indicateur-par-groupe.png",
                                       "objectifs.png", "indicateur-par-cohorte.png"]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    for path in first:
        data = path.read_bytes()
        assert b"tIME" not in data and b"tEXt" not in data and b"iTXt" not in data
        with Image.open(path) as image:
            assert image.width == WIDTH and image.height >= HEIGHT
            assert [round(d) for d in image.info["dpi"]] == [150, 150]  # Word pastes them at 7 inches


def test_build_charts_leaves_out_empty_cohorts_and_objectives(tmp_path):
    paths = build_charts(*fake((NAN, NAN), objectives=False), tmp_path)
    assert [p.name for p in paths] == ["scores-pre-post.png", "questions-pre-post.png", "indicateur-par-groupe.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    groups = pixels(paths[2])
    assert len(runs((groups == MID).sum(axis=1) > 20)) == 1  # F only: M is NaN, communes are not shown


def test_signs_missing_from_the_bundled_subset_come_from_a_font_that_has_them():
    label = "% ≥ note de passage (post)"
    font = charts._font(label)
    assert font is charts._fonts()[0]  # the bundled subset holds ≥ (kalan polices)
    assert all(charts._has(font, c) for c in label)
    assert charts._has(charts._fonts()[0], "ɛ") and not charts._has(charts._fonts()[0], "\U0001f600")


@pytest.mark.slow
def test_example_report_charts_are_reproducible(database, tmp_path):  # noqa: F811
    conn, _ = database
    data = load_dataset(conn)
    figures = compute(data)
    first, second = (build_charts(data, figures, tmp_path / name) for name in ("a", "b"))
    assert [p.name for p in first][-2:] == ["objectifs.png", "indicateur-par-cohorte.png"]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    objectives = [r for r in figures.objectives if r.level == "objectif"]
    assert Image.open(first[3]).height == objective_height(len(objectives))
    image = pixels(first[1])
    low_row = image[np.flatnonzero((image == LIGHT).sum(axis=1) > 20).max() - 1]
    drawn = [r for r in figures.items if not math.isnan(r.p_pre) and r.p_pre > 0]
    assert len(runs(low_row == LIGHT)) == len(drawn) == data.n_items  # one pre-test bar per question


def test_long_group_and_cohort_names_are_shortened_not_a_crash(tmp_path):
    """Cohort and group names are free text from the roster: 8 cohorts of 38 letters once inverted the plot
    box (Pillow's ValueError, a traceback from kalan rapport)."""
    names = [f"Session {k} — formation des relais, Koro" for k in range(8)]
    line = charts.cohort_line([f"{n}\n2026-10-0{k + 1}" for k, n in enumerate(names)], [50.0] * 8, 80.0,
                              tmp_path / "cohortes.png")
    bars = charts.group_bars([(n * 3, 40.0 + k) for k, n in enumerate(names)], 80.0, tmp_path / "groupes.png")
    for path in (line, bars):
        image = pixels(path)
        left, right = spines(image)
        assert image.shape[1] == charts.WIDTH and 0 < left < right < image.shape[1]
    assert charts._shorten(names[0] * 3, 200).endswith("…") and charts._width(charts._shorten(names[0] * 3, 200)) <= 200
    assert charts._shorten("C01-KOR", 200) == "C01-KOR"
