"""Site build benchmark: prints figures, asserts nothing.

    .venv/bin/python bench/build.py

Clean build = first build in a fresh process into an empty folder; rebuild =
the same build again in the same process (mkdocs always rewrites every page).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from kalan.config import load_project
from kalan.sitebuild import build_site


def main() -> None:
    project = load_project(Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        started = time.perf_counter()
        result = build_site(project, site_dir=site)
        clean = time.perf_counter() - started
        started = time.perf_counter()
        build_site(project, site_dir=site)
        rebuild = time.perf_counter() - started
        files = [p for p in site.rglob("*") if p.is_file()]
        pages = [p for p in files if p.suffix == ".html"]
        largest = max(pages, key=lambda p: p.stat().st_size)
        figures = {
            "clean build (s)": f"{clean:.2f}",
            "rebuild (s)": f"{rebuild:.2f}",
            "pages rendered": result.pages,
            "html files": len(pages),
            "bundle bytes": sum(p.stat().st_size for p in files),
            "largest page bytes": f"{largest.stat().st_size} ({largest.relative_to(site)})",
            "search index bytes": (site / "search" / "search_index.js").stat().st_size,
        }
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    sys.exit(main())
