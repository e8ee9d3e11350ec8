"""Shared fixtures: the real repository, a mini curriculum in tmp, built sites, Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kalan.config import Project, load_project
from kalan.sitebuild import build_site

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM = "/usr/bin/chromium"


def edit_file(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a fixture file by `new` (failing if `old` is not there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def make_project(dest: Path, content: Path = FIXTURES / "mini") -> Project:
    """A throw-away kalan project: the repo's config and toolchain, the given content."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, dest / name)
    (dest / "scripts").symlink_to(ROOT / "scripts", target_is_directory=True)
    shutil.copytree(content, dest, dirs_exist_ok=True)
    shutil.copytree(ROOT / "docs" / "assets", dest / "docs" / "assets")
    return load_project(dest)


@pytest.fixture(scope="session")
def repo() -> Project:
    return load_project(ROOT)


@pytest.fixture
def mini(tmp_path: Path) -> Project:
    return make_project(tmp_path / "projet")


@pytest.fixture(scope="session")
def mini_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("mini") / "projet")
    return build_site(project).site_dir


@pytest.fixture(scope="session")
def real_site(repo: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(repo, site_dir=tmp_path_factory.mktemp("site") / "site").site_dir


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium manque : sudo apt-get install chromium (ou lancez ./kalan.sh test en root)")
    with sync_playwright() as p:
        # Flags from this machine's notes: without background networking off,
        # Chromium tries to reach Google's hosts at start-up.
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def mini_bundle(tmp_path_factory):
    """The mini project built like `kalan build`: site, then every PDF into site/pdf."""
    from kalan.manifests import load_curriculum
    from kalan.pdf.build import build_pdfs
    from kalan.sitebuild import build_site

    project = make_project(tmp_path_factory.mktemp("bundle") / "projet")
    site = build_site(project).site_dir
    printed = build_pdfs(project, load_curriculum(project), site / "pdf", project.out_dir / "cache")
    return project, site, printed
