"""Version and dates printed on documents, fixed by the sources so outputs are reproducible.

A document's date is the date of the last commit that touched any of its
sources (``SOURCE_DATE_EPOCH`` overrides it for every document). Using the
document's own sources, not the whole repository, keeps the PDF cache valid:
a commit to module 3 does not reprint module 2.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kalan import __version__


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout if done.returncode == 0 else ""


@dataclass(frozen=True)
class Provenance:
    root: Path
    fixed: int | None  # SOURCE_DATE_EPOCH, when given
    last_change: dict[str, int] = field(default_factory=dict)  # repo-relative path → commit time

    @property
    def version(self) -> str:
        return __version__

    def date_of(self, paths: Iterable[Path]) -> dt.datetime:
        """Date of the newest commit among `paths` (today when none is committed)."""
        if self.fixed is not None:
            return dt.datetime.fromtimestamp(self.fixed, dt.UTC)
        times = [self.last_change.get(p.resolve().relative_to(self.root).as_posix(), 0) for p in paths]
        newest = max(times, default=0)
        if newest:
            return dt.datetime.fromtimestamp(newest, dt.UTC)
        return dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def provenance(root: Path) -> Provenance:
    root = root.resolve()
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return Provenance(root, int(epoch))
    last_change: dict[str, int] = {}
    stamp = 0
    # Newest commit first: the first time a path appears is its last change.
    for line in _git(root, "log", "--format=@%ct", "--name-only", "--", "docs", "modules").splitlines():
        if line.startswith("@"):
            stamp = int(line[1:])
        elif line and line not in last_change:
            last_change[line] = stamp
    return Provenance(root, None, last_change)
