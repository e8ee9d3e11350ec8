"""Issue 13, « done when »: a newcomer who types the README's M&E walk-through, command after command, gets
every step to work — the example cohort, its imports, the report, attendance and attestations, skills, the
second office on parallel forms and its merge, the photographed sheets. The commands are read from the
README itself (its ```bash blocks), so the README cannot drift from what kalan does."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from tests.test_pdf import text_of

pytestmark = pytest.mark.slow

# Commands whose exit code is not 0 on purpose, as the README says: a photo that is not a sheet is refused.
EXPECTED_FAILURES = {"feuilles lire": 1}


def walkthrough(readme: str) -> list[str]:
    """The kalan commands of the « Suivi-évaluation » part, in order, without their comments."""
    part = readme[readme.index("## Suivi-évaluation"):readme.index("## Termes")]
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", part, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith(".venv/bin/kalan "):
                commands.append(line)
    return commands


def test_the_readme_walkthrough_runs_as_written(repo, tmp_path):
    readme = (repo.root / "README.md").read_text(encoding="utf-8")
    commands = walkthrough(readme)
    assert len(commands) >= 30 and any("base fusionner" in c for c in commands)
    folder = tmp_path / "essai"
    outputs = {}
    for command in commands:
        args = shlex.split(command.replace("/tmp/essai", str(folder)))[1:]
        result = subprocess.run([sys.executable, "-m", "kalan", *args], capture_output=True, text=True,
                                cwd=repo.root, env={**os.environ, "COLUMNS": "200"})
        step = " ".join(args[:2])
        assert result.returncode == EXPECTED_FAILURES.get(step, 0), f"{command}\n{result.stdout}{result.stderr}"
        assert "Traceback" not in result.stdout + result.stderr, command
        outputs.setdefault(step, []).append(result.stdout)
    # The second office's cohort arrived with its parallel forms, its follow-up test and its breaches.
    book = load_workbook(folder / "rapport-pp2" / "rapport-PP2.xlsx", read_only=True)
    values = {row[0]: (*row, None)[1] for row in book["formes parallèles"].iter_rows(min_row=2, values_only=True)}
    assert values["Personnes : même forme deux fois"] == 1 and values["Personnes : contre le plan"] == 1
    indicators = {row[0]: (*row, None)[1] for row in book["indicateurs"].iter_rows(min_row=2, values_only=True)}
    assert indicators["Suivi : personnes avec post-test et test de suivi (n)"] > 10
    cohorts = [row[0] for row in book["cohortes"].iter_rows(min_row=2, values_only=True)]
    assert cohorts == ["C03-DOU"]  # the PP1 cohorts are not « without a test » on PP2
    text = text_of(folder / "rapport-pp2" / "rapport-PP2.pdf")
    assert "Formes parallèles PP2" in text and "Rétention (test de suivi)" in text
    assert "formulaire PP2" in outputs["suivi --formulaire"][0]
    pp1 = load_workbook(folder / "rapport" / "rapport-PP1.xlsx", read_only=True)
    assert not any("DOU-03" in str(row) for row in pp1["participants"].iter_rows(values_only=True))
    assert any((folder / "attestations").glob("attestation-*-fr.pdf"))
    # Each report's skills are those of its own cohorts: C03-DOU was not observed, the PP1 cohorts were.
    assert "competences" in pp1.sheetnames and "competences" not in book.sheetnames
    for form, cohort, message in (
            ("PP1", "C03-DOU", "aucun test PP1 pour la cohorte C03-DOU (formulaire(s) de cette cohorte : PP2A, PP2B)"),
            ("PP2", "C01-KOR", "aucun test PP2A ni PP2B pour la cohorte C01-KOR")):
        refused = subprocess.run([sys.executable, "-m", "kalan", "suivi", "--formulaire", form, "--cohorte", cohort,
                                  "--db", str(folder / "kalan.sqlite")], capture_output=True, text=True, cwd=repo.root)
        assert refused.returncode != 0 and "Traceback" not in refused.stdout + refused.stderr
        assert message in " ".join((refused.stdout + refused.stderr).split())
