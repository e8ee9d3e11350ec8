"""Project settings, read from ``[tool.kalan]`` in the repository's pyproject.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from kalan.errors import KalanError


@dataclass(frozen=True)
class Break:
    around: int  # minutes after midnight
    minutes: int
    name: dict[str, str]


@dataclass(frozen=True)
class DayRound:
    """The opening check-in or the closing round of every training day."""

    minutes: int
    name: dict[str, str]
    from_day: int = 1  # day 1 opens with the welcome session itself


@dataclass(frozen=True)
class DayPlan:
    start: int  # minutes after midnight
    end: int
    breaks: tuple[Break, ...]
    tolerance: int
    opening: DayRound | None = None
    closing: DayRound | None = None


@dataclass(frozen=True)
class Project:
    root: Path
    langs: tuple[str, ...]
    default_lang: str
    out_dir: Path
    day: DayPlan
    code_prefixes: tuple[str, ...] = ("KOR", "DOU")
    results_db: Path | None = None
    cohort_size: int = 25  # trainees per cohort: photocopies printed by `kalan build`
    participant_page_budget: int = 70  # A4 pages of the participant pack, per language
    attendance_share: float = 0.8  # completion: share of the agenda's half-days attended ([tool.kalan.suivi])
    skills_minimum: int = 8  # observed skills: behaviours to demonstrate for the indicator ([tool.kalan.suivi])
    follow_up_days: int = 120  # retention test due this many days after the post-test ([tool.kalan.suivi])

    @property
    def modules_dir(self) -> Path:
        return self.root / "modules"

    @property
    def docs_dir(self) -> Path:
        return self.root / "docs"

    def lang_dir(self, lang: str) -> Path:
        return self.docs_dir / lang

    @property
    def fonts_dir(self) -> Path:
        """The bundled fonts, shared by the site and every PDF."""
        return self.docs_dir / "assets" / "fonts"

    @property
    def site_dir(self) -> Path:
        return self.out_dir / "site"

    @property
    def print_dir(self) -> Path:
        """Facilitator-only print set (tests, keys, answer sheets): outside the site."""
        return self.out_dir / "impression"


def clock_to_minutes(text: str) -> int:
    """``"08:30"`` → 510."""
    hours, _, minutes = text.partition(":")
    return int(hours) * 60 + int(minutes)


def minutes_to_clock(value: int) -> str:
    """510 → ``"08:30"``."""
    return f"{value // 60:02d}:{value % 60:02d}"


def find_root(start: Path | None = None) -> Path:
    """The nearest folder, from `start` upwards, whose pyproject.toml has ``[tool.kalan]``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "[tool.kalan]" in candidate.read_text(encoding="utf-8"):
            return folder
    raise KalanError(
        f"Aucun projet kalan trouvé depuis {here} "
        "(il faut un pyproject.toml avec une section [tool.kalan])."
    )


def _day_round(data: dict | None) -> DayRound | None:
    if not data:
        return None
    return DayRound(int(data["minutes"]), dict(data["nom"]), int(data.get("a_partir_du_jour", 1)))


def load_project(root: Path | None = None) -> Project:
    root = find_root(root)
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["kalan"]
    day = data["journee"]
    breaks = tuple(
        Break(clock_to_minutes(b["vers"]), int(b["minutes"]), dict(b["nom"]))
        for b in day.get("pauses", [])
    )
    return Project(
        root=root,
        langs=tuple(data["langues"]),
        default_lang=data["langue_par_defaut"],
        out_dir=root / data.get("dossier_sortie", "dist"),
        day=DayPlan(
            start=clock_to_minutes(day["debut"]),
            end=clock_to_minutes(day["fin"]),
            breaks=breaks,
            tolerance=int(day.get("tolerance_minutes", 15)),
            opening=_day_round(day.get("ouverture")),
            closing=_day_round(day.get("cloture")),
        ),
        code_prefixes=tuple(data.get("quiz", {}).get("prefixes_code", ("KOR", "DOU"))),
        results_db=root / data.get("base_resultats", "data/kalan.sqlite"),
        cohort_size=int(data.get("taille_cohorte", 25)),
        participant_page_budget=int(data.get("budget_pages_participant", 70)),
        attendance_share=_share(data.get("suivi", {}), "presence_minimale", 0.8),
        skills_minimum=_count(data.get("suivi", {}), "competences_minimales", 8),
        follow_up_days=_count(data.get("suivi", {}), "delai_suivi_jours", 120),
    )


def _share(table: dict, name: str, default: float) -> float:
    """A share between 0 and 1 read from ``[tool.kalan.suivi]``, or a clear error."""
    value = table.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise KalanError(f"pyproject.toml, [tool.kalan.suivi] {name} = {value!r} : une part entre 0 et 1 "
                         f"est attendue (ex. {name} = 0.8 pour 80 %)")
    return float(value)


def _count(table: dict, name: str, default: int) -> int:
    """A whole number of at least 1 read from ``[tool.kalan.suivi]``, or a clear error."""
    value = table.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise KalanError(f"pyproject.toml, [tool.kalan.suivi] {name} = {value!r} : un nombre entier d'au moins 1 "
                         f"est attendu (ex. {name} = {default})")
    return value
