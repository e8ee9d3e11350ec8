"""Site and phone-edition (Kiwix ZIM) build benchmark: prints figures, asserts nothing.

    .venv/bin/python bench/build.py

Clean build = first build in a fresh process into an empty folder; rebuild =
the same build again in the same process (mkdocs always rewrites every page).
The ZIM files need the PDFs the pages link to: they are taken from the PDF cache
(dist/.cache/pdf) like `kalan build` does, so run `kalan build` first or this
step also prints every PDF (minutes). "zim build" times both ZIM files, from the
built site to the written files.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from kalan.config import load_project
from kalan.manifests import load_curriculum
from kalan.pdf.build import build_pdfs
from kalan.sitebuild import build_site
from kalan.zim import build_zims


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
        build_pdfs(project, load_curriculum(project), site / "pdf", project.out_dir / ".cache" / "pdf")
        pdf_bytes = sum(p.stat().st_size for p in (site / "pdf").rglob("*.pdf"))
        started = time.perf_counter()
        zims = build_zims(project, site_dir=site, out_dir=Path(tmp) / "zim")
        figures["zim build, both languages (s)"] = f"{time.perf_counter() - started:.2f}"
        figures["pdf bytes (both languages)"] = pdf_bytes
        for zim in zims:
            figures[f"{zim.path.name} bytes"] = f"{zim.size} ({zim.pages} pages, {zim.entries} entries)"
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    sys.exit(main())
