"""A tiny channel from the mkdocs hooks to whoever shows build progress.

The hooks module is loaded by mkdocs from its file path, so it cannot share
state with the CLI directly; both import this module instead.
"""

from __future__ import annotations

from collections.abc import Callable

listeners: list[Callable[[str], None]] = []


def page_done(dest: str) -> None:
    for listener in listeners:
        listener(dest)
