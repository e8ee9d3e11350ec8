"""A synthetic corpus of phone photos with their truth, and how well a reading of it went:
shared by the tests (small corpus) and `bench/omr.py` (the full goals)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kalan.omr import synthetic
from kalan.omr.reader import PageReading, Refusal
from kalan.omr.synthetic import Truth
from kalan.omr.template import SheetTemplate


@dataclass
class Photo:
    name: str
    data: bytes  # JPEG
    truth: Truth | None  # None: not a readable sheet (must be refused)
    kind: str  # "ordinaire", "pieges", "code-douteux", "pas-une-feuille", "coin-coupe"
    hard: bool = False


def make_corpus(blanks: dict[str, np.ndarray], layouts: dict[str, SheetTemplate], codes: list[str], seed: int,
                ordinary: int, traps: int, code_doubts: int, non_sheets: int, cut_corners: int,
                hard_share: float = 0.25, other_page: np.ndarray | None = None) -> list[Photo]:
    """`blanks`: the rendered blank sheet of each variant (RENDER_DPI); `other_page`: a printed page
    that is no answer sheet (a question paper), photographed as a decoy."""
    rng = np.random.default_rng(seed)
    variants = sorted(blanks)
    photos: list[Photo] = []
    plan = (["ordinaire"] * ordinary + ["pieges"] * traps + ["code-douteux"] * code_doubts
            + ["pas-une-feuille"] * non_sheets + ["coin-coupe"] * cut_corners)
    for n, kind in enumerate(plan, 1):
        name = f"photo-{n:04d}.jpg"
        if kind == "pas-une-feuille":
            page = other_page if other_page is not None and rng.random() < 0.6 else None
            photos.append(Photo(name, synthetic.not_a_sheet(rng, page), None, kind))
            continue
        variant = variants[int(rng.integers(len(variants)))]
        layout = layouts[variant]
        truth = synthetic.random_truth(layout, rng, codes)
        trap_map: dict[str, str] = {}
        if kind == "pieges":
            trap_map = synthetic.with_traps(truth, layout, rng)
        elif kind == "code-douteux":
            trap_map = synthetic.code_traps(truth, rng)
        filled = synthetic.fill_sheet(blanks[variant], layout, truth, rng, trap_map)
        if kind == "coin-coupe":
            filled = synthetic.cut_corner(filled, rng)
        hard = bool(rng.random() < hard_share)
        data = synthetic.photograph(filled, synthetic.random_params(rng, hard), rng)
        photos.append(Photo(name, data, None if kind == "coin-coupe" else truth, kind, hard))
    return photos


@dataclass
class Score:
    sheets: int = 0
    refused_right: int = 0  # non-sheets and cut corners refused
    not_refused: list[str] = field(default_factory=list)  # non-sheets that were read: must stay empty
    sheets_refused: list[str] = field(default_factory=list)  # real sheets refused (QR or markers not found)
    ordinary: int = 0  # ordinary sheets photographed in ordinary conditions
    ordinary_sure: int = 0
    ordinary_hard: int = 0  # ordinary sheets, every defect of the photo at its worst at once
    ordinary_hard_sure: int = 0
    answers_auto: int = 0  # answers taken without anyone looking: sure fields of every read sheet
    answers_auto_right: int = 0
    wrong_answers: list[str] = field(default_factory=list)
    codes_auto: int = 0
    wrong_codes: list[str] = field(default_factory=list)
    ambiguous: int = 0
    ambiguous_missed: list[str] = field(default_factory=list)
    headers_wrong: list[str] = field(default_factory=list)
    reviewed_sheets: int = 0
    answers_total: int = 0

    @property
    def accuracy(self) -> float:
        return self.answers_auto_right / self.answers_auto if self.answers_auto else 0.0

    @property
    def ordinary_without_review(self) -> float:
        return self.ordinary_sure / self.ordinary if self.ordinary else 0.0

    @property
    def hard_without_review(self) -> float:
        return self.ordinary_hard_sure / self.ordinary_hard if self.ordinary_hard else 0.0

    @property
    def review_rate(self) -> float:
        return self.reviewed_sheets / self.sheets if self.sheets else 0.0


def score(photos: list[Photo], results: dict[str, list[PageReading | Refusal]]) -> Score:
    s = Score()
    for photo in photos:
        outcome = results[photo.name]
        if photo.truth is None:
            if all(isinstance(r, Refusal) for r in outcome):
                s.refused_right += 1
            else:
                s.not_refused.append(photo.name)
            continue
        s.sheets += 1
        reading = outcome[0]
        if isinstance(reading, Refusal):
            s.sheets_refused.append(f"{photo.name}: {reading.reason}")
            continue
        truth = photo.truth
        doubtful = {d.field for d in reading.doubts}
        if doubtful:
            s.reviewed_sheets += 1
        if photo.kind == "ordinaire" and photo.hard:
            s.ordinary_hard += 1
            s.ordinary_hard_sure += not doubtful
        elif photo.kind == "ordinaire":
            s.ordinary += 1
            s.ordinary_sure += not doubtful
        for item, mark in truth.marks.items():
            s.answers_total += 1
            if item in doubtful:
                continue
            s.answers_auto += 1
            if reading.marks[item] == mark:
                s.answers_auto_right += 1
            else:
                s.wrong_answers.append(f"{photo.name} {item}: lu {reading.marks[item]}, écrit {mark} "
                                       f"({photo.kind}, {', '.join(truth.notes)})")
        if "code" not in doubtful:
            s.codes_auto += 1
            if reading.code != truth.code:
                s.wrong_codes.append(f"{photo.name}: lu {reading.code}, écrit {truth.code}")
        for name, value in (("langue", truth.language), ("mode", truth.mode), ("phase", truth.phase)):
            got = {"langue": reading.language, "mode": reading.mode, "phase": reading.phase}[name]
            if name not in doubtful and got != value:
                s.headers_wrong.append(f"{photo.name} {name}: lu {got}, écrit {value}")
        for name in truth.ambiguous:
            s.ambiguous += 1
            if name not in doubtful:
                s.ambiguous_missed.append(f"{photo.name} {name} ({', '.join(truth.notes)})")
    return s


def print_sheets(project, data, form_id: str, out_dir):
    """The real answer sheets (and one question paper, a decoy) of `form_id`, printed by the same path as
    `kalan quiz imprimer` into `out_dir` (PDF and JSON template), then rendered as images:
    (blank sheet image per variant, templates per variant, question-paper image)."""
    from kalan.omr.template import all_sheets
    from kalan.pdf.render import print_all, print_style
    from kalan.quiz.paper import print_set

    form = data.form(form_id)
    style = print_style(project.fonts_dir)
    docs = [d for d in print_set(form, data.bank, out_dir, project.code_prefixes, ("fr",))
            if d.output.name.endswith(("feuille-reponses.pdf", "PRE-questionnaire-fr.pdf"))]
    print_all([style.job(d.output, d.html) for d in docs], style.css, project.root / "quizzes", None, workers=1)
    blanks = {v.id: synthetic.render_pdf(out_dir / form.id / f"{v.id}-feuille-reponses.pdf") for v in form.variants}
    paper = synthetic.render_pdf(out_dir / form.id / f"{form.variants[0].id}-questionnaire-fr.pdf", 100)
    return blanks, all_sheets([form], project.code_prefixes, out_dir), paper
