"""Answer sheets read from phone photos: prints seconds per sheet (one core), accuracy and review rate
on a synthetic corpus made from the real printed sheet; asserts nothing.

    .venv/bin/python bench/omr.py            # 300 ordinary sheets + traps, decoys, cut corners
    .venv/bin/python bench/omr.py --photos 60 --graine 3

The corpus: the PP1 answer sheets printed by `kalan quiz imprimer`'s path (WeasyPrint) and rendered with
pdftoppm, filled with pencil and pen marks (full, partial, scribble, tick, cross), blanks, and on « trap »
sheets faint marks, double marks and erasures, or a doubtful code; then photographed (perspective up to
15°, any rotation, shadows, uneven light, blur, noise, JPEG, low resolution, a table); a quarter of the
photos combine every defect at its worst (« difficiles »). Non-sheet photos and sheets with a corner cut
off must be refused.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the goal says

import argparse
import tempfile
import time
from pathlib import Path

import cv2

from kalan.config import load_project
from kalan.omr.corpus import make_corpus, print_sheets, score
from kalan.omr.photos import load_pages
from kalan.omr.reader import read_page
from kalan.quiz.build import load_quizzes

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=300, help="ordinary sheets (traps etc. in proportion)")
    parser.add_argument("--graine", type=int, default=14)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    project = load_project(ROOT)
    data = load_quizzes(project)
    n = args.photos
    with tempfile.TemporaryDirectory(prefix="kalan-bench-omr-") as tmp:
        start = time.perf_counter()
        blanks, sheets, paper = print_sheets(project, data, "PP1", Path(tmp))
        codes = [f"{p}-{i:03d}" for p in project.code_prefixes for i in range(1, 138)]
        photos = make_corpus(blanks, sheets, codes, args.graine, ordinary=n, traps=n // 3, code_doubts=n // 6,
                             non_sheets=n // 10, cut_corners=n // 15, other_page=paper)
        made = time.perf_counter() - start
    forms = {form.id: form for form in data.forms}
    results = {}
    start = time.perf_counter()
    for photo in photos:
        pages = load_pages(Path(photo.name), photo.data)
        results[photo.name] = [read_page(page, forms, sheets) for page in pages]
    seconds = (time.perf_counter() - start) / len(photos)
    s = score(photos, results)
    print(f"Corpus : {len(photos)} photos ({s.sheets} feuilles), faites en {made:.0f} s")
    print()
    print(f"{'s / feuille (1 cœur)':>22} | {'exactitude':>10} | {'à vérifier':>10} | {'ordinaires sans vérif.':>22} "
          f"| {'difficiles sans vérif.':>22}")
    print(f"{seconds:>22.3f} | {s.accuracy:>10.3%} | {s.review_rate:>10.1%} | {s.ordinary_without_review:>22.1%} "
          f"| {s.hard_without_review:>22.1%}")
    print()
    print(f"- réponses importées sans vérification : {s.answers_auto} sur {s.answers_total}, justes : "
          f"{s.answers_auto_right} ({s.accuracy:.3%} ; objectif ≥ 99,5 %)")
    print(f"- codes participants lus sans vérification : {s.codes_auto}, faux : {len(s.wrong_codes)} (objectif 0)")
    print(f"- marques ambiguës voulues : {s.ambiguous}, envoyées à la vérification : "
          f"{s.ambiguous - len(s.ambiguous_missed)} (objectif : toutes)")
    print(f"- photos qui ne sont pas des feuilles ou coin coupé : {s.refused_right + len(s.not_refused)}, "
          f"lues quand même : {len(s.not_refused)} (objectif 0)")
    print(f"- feuilles ordinaires sans vérification : {s.ordinary_sure}/{s.ordinary} "
          f"({s.ordinary_without_review:.1%} ; objectif ≥ 90 %) ; photos difficiles : "
          f"{s.ordinary_hard_sure}/{s.ordinary_hard}")
    print(f"- vraies feuilles refusées (repères ou QR introuvables) : {len(s.sheets_refused)}")
    for line in (s.wrong_answers + s.wrong_codes + s.ambiguous_missed + s.not_refused + s.sheets_refused
                 + s.headers_wrong)[:20]:
        print(f"    {line}")


if __name__ == "__main__":
    main()
