"""Build the offline site with mkdocs, as a library call with progress and clear errors."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kalan.config import Project
from kalan.errors import KalanError
from kalan.site import progress


@dataclass(frozen=True)
class SiteBuild:
    site_dir: Path
    pages: int
    warnings: list[str]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def count_sources(project: Project) -> int:
    """Pages mkdocs will render: every French page, once per language (fallbacks included)."""
    return len(list(project.lang_dir(project.default_lang).rglob("*.md"))) * len(project.langs)


def build_site(project: Project, on_page: Callable[[str], None] | None = None,
               site_dir: Path | None = None) -> SiteBuild:
    """Run a clean, strict ``mkdocs build`` of ``mkdocs.yml`` into `site_dir` (``dist/site``)."""
    site_dir = site_dir or project.site_dir
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's end-of-life banner
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    mkdocs_log = logging.getLogger("mkdocs")
    collector = _Collect()
    mkdocs_log.addHandler(collector)
    previous = (mkdocs_log.level, mkdocs_log.propagate)
    mkdocs_log.setLevel(logging.WARNING)
    mkdocs_log.propagate = False  # we report the warnings ourselves
    pages: list[str] = []

    def listener(dest: str) -> None:
        pages.append(dest)
        if on_page:
            on_page(dest)

    progress.listeners.append(listener)
    try:
        config = load_config(str(project.root / "mkdocs.yml"),
                             site_dir=str(site_dir))
        build(config)
    except (Abort, ConfigurationError, PluginError) as exc:
        details = "\n".join(f"  - {m}" for m in collector.messages)
        raise KalanError(f"La construction du site a échoué : {exc}"
                         + (f"\n{details}" if details else "")) from None
    finally:
        progress.listeners.remove(listener)
        mkdocs_log.removeHandler(collector)
        mkdocs_log.level, mkdocs_log.propagate = previous
    return SiteBuild(site_dir, len(pages), collector.messages)
