"""Scoring benchmark: prints import + report times, asserts nothing.

    .venv/bin/python bench/scoring.py
    .venv/bin/python bench/scoring.py --reference /tmp/ancien/scripts   # side by side with an older checkout

For 274 responders (the programme) and 100 000 synthetic responders: the
roster and answers are written as CSV files, imported, then the full report
(workbook, charts, PDF) is built. Times are given twice: through the `kalan`
command (separate processes, Python start-up included) and as library calls.
First, the tracking flow of issue 13 (attendance, follow-up test, skills imports, `kalan suivi`)
is timed step by step on the example cohort grown to 274 people.
"""

from __future__ import annotations

import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kalan.config import load_project
from kalan.quiz.build import load_quizzes
from kalan.quiz.forms import Form
from kalan.scoring.dataset import load_dataset
from kalan.scoring.db import open_db
from kalan.scoring.participants import import_roster
from kalan.scoring.report import build_report
from kalan.scoring.results import import_results

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = ("mairie", "service technique", "relais communautaire", "OSC")


def synthetic_project(folder: Path, prefixes: list[str]) -> Path:
    """A copy of the project whose participant codes may use `prefixes` (codes have three digits,
    so 100 000 people need a hundred prefixes)."""
    root = folder / "projet"
    root.mkdir()
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = text.replace('prefixes_code = ["KOR", "DOU"]', f"prefixes_code = {prefixes!r}".replace("'", '"'))
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    for name in ("modules", "quizzes", "docs", "scripts", "mkdocs.yml"):
        (root / name).symlink_to(ROOT / name)
    return root


def write_files(form: Form, prefixes: list[str], n: int, folder: Path, seed: int = 7) -> tuple[Path, Path]:
    rng = random.Random(seed)
    roster, answers = folder / "participants.csv", folder / "reponses.csv"
    codes = [f"{prefixes[i % len(prefixes)]}-{i // len(prefixes):03d}" for i in range(n)]
    with roster.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["code", "sexe", "categorie", "cercle", "commune", "organisation", "cohorte"])
        for i, code in enumerate(codes):
            out.writerow([code, "FM"[i % 2], CATEGORIES[i % 4], ("Koro", "Douentza")[i % 2],
                          f"Commune {i % 9}", f"Structure {i % 40}", f"C{i % 12:02d}"])
    with answers.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["code", "phase", "langue", "mode", *(item.id for item in form.items)])
        for code in codes:
            for phase, p in (("pre", 0.5), ("post", 0.8)):
                variant = form.variant(phase)
                marks = [variant.key(item) if rng.random() < p else
                         rng.choice([letter for letter, _ in variant.choices(item)]) for item in form.items]
                out.writerow([code, phase, rng.choice(["fr", "bm"]), rng.choice(["ecrit", "oral"]), *marks])
    return roster, answers


def cli_run(root: Path, db: Path, roster: Path, answers: Path, report: Path, env: dict | None = None) -> float:
    """The three commands as separate processes (`env`: e.g. another checkout on PYTHONPATH)."""
    kalan = [sys.executable, "-m", "kalan"]
    common = ["--db", str(db), "--projet", str(root)]
    started = time.perf_counter()
    for args in (["participants", "importer", str(roster)], ["resultats", "importer", str(answers)],
                 ["rapport", "--sortie", str(report)]):
        subprocess.run([*kalan, *args, *common], check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def library_run(project, quiz, db: Path, roster: Path, answers: Path, report: Path) -> tuple[float, float]:
    started = time.perf_counter()
    conn = open_db(db)
    import_roster(conn, roster, project.code_prefixes)
    import_results(conn, answers, quiz)
    imported = time.perf_counter() - started
    build_report(load_dataset(conn), report, project)
    return imported, time.perf_counter() - started - imported


def tracking_run(folder: Path) -> list[tuple[str, float]]:
    """Every import of the tracking flow on the example cohort grown to 274 people (`kalan exemple`
    files: roster, four answer files, follow-up test, attendance, observed skills), then the report —
    one command per step, as the README walks through it — and the second office: 100 more people on the
    parallel forms PP2A / PP2B imported into its own database, merged, and the PP2 report. Returns
    (step, seconds)."""
    from kalan.scoring.example import (
        FILES,
        OTHER_FILES,
        OTHER_SUIVI_FILE,
        SUIVI_FILE,
        write_example,
        write_other_office,
    )

    project = load_project(ROOT)
    quiz = load_quizzes(project)
    example = folder / "exemple"
    paths = write_example(quiz.form("PP1"), example, project.code_prefixes, n=274)
    other = folder / "autre-bureau"
    write_other_office({"A": quiz.form("PP2A"), "B": quiz.form("PP2B")}, other, "DOU", n=100, first=200)
    db, other_db = folder / "suivi.sqlite", other / "kalan.sqlite"
    steps = [("participants importer", ["participants", "importer", str(example / "participants.xlsx")], db)]
    steps += [(f"resultats importer {name}", ["resultats", "importer", str(example / name)], db) for name in FILES]
    steps.append(("resultats importer --phase suivi",
                  ["resultats", "importer", str(example / SUIVI_FILE), "--phase", "suivi"], db))
    steps += [(f"presence importer {p.name}", ["presence", "importer", str(p)], db)
              for p in paths if p.name.startswith("presence-")]
    steps += [(f"competences importer {p.name}", ["competences", "importer", str(p)], db)
              for p in paths if p.name.startswith("observations-")]
    steps += [("suivi", ["suivi"], db), ("rapport", ["rapport", "--sortie", str(folder / "rapport-suivi")], db)]
    steps.append(("autre bureau : participants importer",
                  ["participants", "importer", str(other / "participants.xlsx")], other_db))
    steps += [(f"autre bureau : resultats importer {name}", ["resultats", "importer", str(other / name)], other_db)
              for name in OTHER_FILES]
    steps.append(("autre bureau : resultats importer --phase suivi",
                  ["resultats", "importer", str(other / OTHER_SUIVI_FILE), "--phase", "suivi"], other_db))
    steps += [("base fusionner", ["base", "fusionner", str(other_db)], db),
              ("suivi --formulaire PP2", ["suivi", "--formulaire", "PP2"], db),
              ("rapport --formulaire PP2", ["rapport", "--formulaire", "PP2", "--sortie", str(folder / "r-pp2")], db)]
    times = []
    for label, args, database in steps:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kalan", *args, "--db", str(database), "--projet", str(ROOT)],
                       check=True, capture_output=True)
        times.append((label, time.perf_counter() - started))
    return times


def compare(reference: Path, runs: int = 5) -> None:
    """The three commands for 274 people, this checkout and another (`git worktree add /tmp/ancien REV`),
    alternately: the machine's speed varies by tens of percent within an hour, so only runs side by side
    compare two versions."""
    versions = {"référence": str(reference), "ce dépôt": str(ROOT / "scripts")}
    times: dict[str, list[float]] = {name: [] for name in versions}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        root = synthetic_project(folder, ["KOR", "DOU"])
        roster, answers = write_files(load_quizzes(load_project(root)).form("PP1"), ["KOR", "DOU"], 274, folder)
        for k in range(runs):
            for name, scripts in versions.items():
                times[name].append(cli_run(root, folder / f"{k}-{name}.sqlite", roster, answers,
                                           folder / f"r-{k}-{name}", {**os.environ, "PYTHONPATH": scripts}))
    print(f"Three commands for 274 people, {runs} runs alternately (median, min):")
    for name, values in times.items():
        print(f"  {name:<10} {statistics.median(values):5.2f} s  {min(values):5.2f} s   ({versions[name]})")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--reference":
        compare(Path(sys.argv[2]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        steps = tracking_run(Path(tmp))
    print("Tracking flow, 274 people of the example cohort then 100 of a second office on PP2A/PP2B,")
    print("one command each (Python start-up included):")
    for label, seconds in steps:
        print(f"  {label:<48} {seconds:5.2f} s")
    print(f"  {'total':<48} {sum(s for _, s in steps):5.2f} s")
    rows = []
    for n, prefixes in ((274, ["KOR", "DOU"]), (100_000, [f"S{i:02d}" for i in range(100)])):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            root = synthetic_project(folder, prefixes)
            project = load_project(root)
            quiz = load_quizzes(project)
            roster, answers = write_files(quiz.form("PP1"), prefixes, n, folder)
            cli = cli_run(root, folder / "cli.sqlite", roster, answers, folder / "rapport-cli")
            imported, reported = library_run(project, quiz, folder / "lib.sqlite", roster, answers, folder / "r")
            rows.append((n, cli, imported, reported))
    print("Three commands (participants importer, resultats importer, rapport) as separate processes,")
    print("then the same work as library calls in one process. Goals: 274 ≤ 2 s, 100 000 ≤ 30 s.")
    print(f"{'responders':>10}  {'CLI total (s)':>14}  {'library import (s)':>19}  {'library report (s)':>19}")
    for n, cli, imported, reported in rows:
        print(f"{n:>10}  {cli:>14.2f}  {imported:>19.2f}  {reported:>19.2f}")


if __name__ == "__main__":
    main()
