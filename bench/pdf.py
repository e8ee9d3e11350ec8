"""PDF build benchmark: prints figures side by side, asserts nothing.

    .venv/bin/python bench/pdf.py

Works on a throw-away copy of the repository's content, in one run:
cold build (empty cache, one process per core), warm no-op build, build after
editing one page, and the sequential baseline (one process, no cache).
The site build is timed too, since a no-op `kalan build` is site + PDF step.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from kalan.config import Project, load_project
from kalan.manifests import load_curriculum
from kalan.pdf.build import build_pdfs
from kalan.sitebuild import build_site

ROOT = Path(__file__).resolve().parents[1]
EDITED_PAGE = "m2/s3-observer-ecouter.md"


def copy_project(dest: Path) -> Project:
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, dest / name)
    for folder in ("docs", "modules", "cartes", "referentiels", "quizzes"):  # every source of a document
        shutil.copytree(ROOT / folder, dest / folder)
    (dest / "scripts").symlink_to(ROOT / "scripts", target_is_directory=True)
    return load_project(dest)


def timed(label: str, figures: dict[str, str], run) -> list:
    started = time.perf_counter()
    result = run()
    figures[label] = f"{time.perf_counter() - started:.2f} s"
    return result


def main() -> None:
    figures: dict[str, str] = {"cores": str(os.cpu_count())}
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp))
        os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # no git in the copy
        timed("site build", figures, lambda: build_site(project))
        out, cache = project.site_dir / "pdf", project.out_dir / ".cache" / "pdf"

        def build(cache_dir=cache, workers=None):
            return build_pdfs(project, load_curriculum(project), out, cache_dir, workers)

        cold = timed("cold build (parallel, empty cache)", figures, build)
        timed("warm no-op build", figures, build)
        page = project.lang_dir("fr") / EDITED_PAGE
        page.write_text(page.read_text(encoding="utf-8") + "\nUne phrase de plus.\n", encoding="utf-8")
        edited = timed(f"after editing {EDITED_PAGE}", figures, build)
        figures["  documents reprinted"] = str(sum(not p.cached for p in edited))
        baseline = timed("sequential baseline (1 process, no cache)", figures,
                         lambda: build(cache_dir=None, workers=1))

    pages = sum(p.pages for p in cold)
    cold_s = float(figures["cold build (parallel, empty cache)"].split()[0])
    base_s = float(figures["sequential baseline (1 process, no cache)"].split()[0])
    figures["documents / pages"] = f"{len(cold)} / {pages}"
    figures["pages per second (cold / baseline)"] = f"{pages / cold_s:.1f} / {pages / base_s:.1f}"
    figures["cold ÷ baseline (goal ≤ 0.6)"] = f"{cold_s / base_s:.2f}"
    assert len(baseline) == len(cold)
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
