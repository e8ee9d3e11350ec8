"""Navigation order and titles derived from the module manifests.

mkdocs sorts folders alphabetically and names them after the folder ("M2");
we put the modules in training order, title each section with the module's
title in the page language, and order each module's pages as its manifest
does (landing page, sessions, handouts).
"""

from __future__ import annotations

from mkdocs.structure.nav import (
    Navigation,
    Section,
    _add_previous_and_next_links,
    _get_by_type,
)
from mkdocs.structure.pages import Page

from kalan.i18n import lang_of_path
from kalan.manifests import Curriculum, Module


def _rel_path(item: object) -> str | None:
    if isinstance(item, Page):
        return lang_of_path(item.file.src_uri)[1]
    return None


def _section_module(section: Section, curriculum: Curriculum) -> Module | None:
    for page in _get_by_type(section.children, Page):
        module = curriculum.module_of_page(_rel_path(page) or "")
        if module:
            return module
    return None


def _merge_module_sections(nav: Navigation, curriculum: Curriculum) -> None:
    """One section per module, even when its pages come from two language folders.

    In the Bambara build, pages not yet translated are French fallbacks living
    under ``fr/mN/``; mkdocs makes them a second "mN" section next to the
    Bambara one. Their children are moved into the first section.
    """
    first: dict[str, Section] = {}
    kept: list[object] = []
    for item in nav.items:
        module = _section_module(item, curriculum) if isinstance(item, Section) else None
        if module is None:
            kept.append(item)
        elif module.id not in first:
            first[module.id] = item
            kept.append(item)
        else:
            target = first[module.id]
            for child in item.children:
                child.parent = target
            target.children.extend(item.children)
    nav.items[:] = kept


def order_navigation(nav: Navigation, curriculum: Curriculum, lang: str,
                     before: list[str], after: list[str]) -> Navigation:
    """Reorder `nav` in place: `before` pages, modules in order, others, `after` pages."""

    def top_key(item: object) -> tuple:
        rel = _rel_path(item)
        if rel in before:
            return (0, before.index(rel), "")
        if rel in after:
            return (3, after.index(rel), "")
        if isinstance(item, Section):
            module = _section_module(item, curriculum)
            if module:
                return (1, module.order, module.id)
        return (2, 0, str(getattr(item, "title", "") or rel or ""))

    _merge_module_sections(nav, curriculum)
    for item in nav.items:
        if isinstance(item, Section):
            module = _section_module(item, curriculum)
            if module:
                item.title = module.label(lang)
                wanted = module.pages()

                def page_key(child: object, wanted: list[str] = wanted) -> tuple:
                    rel = _rel_path(child) or ""
                    return (wanted.index(rel), "") if rel in wanted else (len(wanted), rel)

                item.children.sort(key=page_key)
    nav.items.sort(key=top_key)
    nav.pages = _get_by_type(nav.items, Page)
    _add_previous_and_next_links(nav.pages)
    return nav
