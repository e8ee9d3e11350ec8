"""mkdocs hooks: event functions only, each delegating to the kalan library.

Declared in mkdocs.yml (``hooks:``). Manifests are re-read at every build, so
``kalan serve`` picks up edits to modules/*.yml; edits to Python need a restart.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from kalan.config import Project, load_project
from kalan.errors import KalanError
from kalan.i18n import lang_of_path
from kalan.manifests import Curriculum, load_curriculum
from kalan.site.navigation import order_navigation
from kalan.site.pages import pdf_links, prepare_page
from kalan.site.progress import page_done
from kalan.site.search import write_offline_index

_loaded: dict[str, tuple[Project, Curriculum]] = {}


def on_config(config: MkDocsConfig) -> None:
    project = load_project(Path(config.config_file_path).parent)
    curriculum = load_curriculum(project)
    if curriculum.errors:
        raise PluginError("Manifestes de modules invalides :\n" +
                          "\n".join(f"  - {f}" for f in curriculum.errors))
    _loaded["current"] = (project, curriculum)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    project, curriculum = _loaded["current"]
    src_lang, rel = lang_of_path(page.file.src_uri)
    build_lang = config.theme["language"]
    try:
        markdown = prepare_page(markdown, meta=page.meta, src_lang=src_lang, build_lang=build_lang,
                                rel=rel, project=project, curriculum=curriculum)
    except KalanError as exc:
        raise PluginError(str(exc)) from None
    return markdown + pdf_links(build_lang=build_lang, rel=rel, project=project, curriculum=curriculum)


@event_priority(-110)  # after static-i18n (-100) has reduced the nav to one language
def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    _, curriculum = _loaded["current"]
    order = config.extra.get("kalan", {}).get("navigation", {})
    return order_navigation(nav, curriculum, config.theme["language"],
                            order.get("avant", []), order.get("apres", []))


@event_priority(-200)  # after static-i18n merged the indexes and offline wrote its script
def on_post_build(config: MkDocsConfig) -> None:
    project, _ = _loaded["current"]
    write_offline_index(Path(config.site_dir), project.langs, project.default_lang)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    page_done(page.file.dest_uri)
    return output
