"""Observed skills: importing the PFA competency checklist scores, and what the report shows of them.

A trained observer scores each behaviour of the checklist (``quizzes/observation/*.yml``) 0, 1 or 2
during the standard role-play. **Score 2 means the behaviour was demonstrated** (done in full, as the
anchor of 2 describes); 1 is « in part », 0 « not done, or a harmful gesture ». A behaviour the
observer did not score is stored as null and counts as not demonstrated.

Input: the kalan capture workbook (`write_observation_workbook`: sheet « observations », columns
code, observateur, scenario, date, then one column per behaviour id) or a KoboToolbox export of the
XLSForm (`write_observation_xlsform`: code, observateur, date, one column per behaviour id with
underscores, total), in XLSX or CSV, with XML-value or label headers. Same rules as every import: one
transaction per file, nothing written at the first problem, importing twice changes nothing.

When two observers scored the same person, the person's score on a behaviour is the **lower** of the
two (the checklist's own rule: « when in doubt, take the lower score »); their agreement is measured
apart, by Cohen's kappa per behaviour and pooled over the behaviours (de Vries et al. 2008: the mean
observed and mean chance agreement across behaviours), unweighted and with linear weights.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kalan.errors import KalanError
from kalan.quiz.observation import SCORES, Checklist
from kalan.scoring.agreement import CATEGORIES, cohen_kappa, contingency, observed_expected, pooled_kappa
from kalan.scoring.importing import ImportRefused, ImportSummary, resubmission_warnings, run_import, split_repeats
from kalan.scoring.normalise import header_key, key
from kalan.scoring.tables import Sheet, Workbook, read_table

DEMONSTRATED = 2
SKIPPED_SHEETS = {"instructions", "grille", "participants"}
# The first questions of the XLSForm (write_observation_xlsform), French and Bambara labels:
# a label export has these as headers.
FIELD_NAMES = {
    "code": ("code", "code participant", "code du participant", "Code participant (ex. KOR-023)",
             "Kalanden ka kode (misali: KOR-023)", "Kalanden ka kode"),
    "observateur": ("observateur", "code de l'observateur", "observer", "Filɛbaga ka kode"),
    "scenario": ("scenario", "scénario", "Ko min bɛ ɲɛjira"),
    "date": ("date", "date de l'observation", "Don"),
}
# Columns of a KoboToolbox export that are not scores: form metadata, and the calculated total
# (ignored — a total edited in KoboToolbox's table is not recomputed; kalan sums the scores itself).
IGNORED = {"start", "end", "today", "deviceid", "username", "phonenumber", "simserial", "subscriberid",
           "audit", "rootuuid", "total", "a bɛɛ lajɛlen"}
DATE_FORMS = (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$"),
              re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"))
KOBO_SHEET = re.compile(r"^kalan_([A-Z][A-Z0-9]{1,7})_v(\d+)", re.IGNORECASE)


@dataclass
class Observation:
    code: str
    observer: str
    scenario: str
    date: str | None
    scores: dict[str, int | None]  # behaviour id → 0, 1, 2, or None when not scored
    sheet: str
    row: int
    uuid: str = ""


@dataclass
class SkillsRead:
    book: Workbook
    checklist: Checklist
    observations: list[Observation]
    duplicate_submissions: int = 0
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- reading


def choose_checklist(book: Workbook, checklists: list[Checklist], checklist_id: str | None) -> Checklist:
    """The checklist named by --grille, by the workbook's « grille » sheet, by the KoboToolbox sheet
    name (kalan_OPSP_v1), or the only one there is; a version that differs is refused."""
    by_id = {c.id: c for c in checklists}
    known = ", ".join(by_id) or "aucune"
    named, version = None, None
    meta = next((s for s in book.sheets if s.name == "grille"), None)
    if meta is not None:
        values = {header_key(row[0]): row[1] for row in [meta.header, *(cells for _, cells in meta.rows)]
                  if len(row) > 1 and row[0]}
        named, version = values.get("grille") or None, values.get("version") or None
    for sheet in book.sheets:
        match = KOBO_SHEET.match(sheet.name)
        if match and named is None:
            named, version = match.group(1).upper(), match.group(2)
    if checklist_id:
        chosen = by_id.get(checklist_id.upper())
        if chosen is None:
            raise KalanError(f"grille {checklist_id!r} inconnue (grilles : {known})")
        if named and named.upper() != chosen.id:
            raise ImportRefused(book.path.name, [f"le fichier est pour la grille {named}, pas {chosen.id}"])
    elif named:
        chosen = by_id.get(named.upper())
        if chosen is None:
            raise ImportRefused(book.path.name, [f"grille {named} inconnue (grilles : {known})"])
    elif len(checklists) == 1:
        chosen = checklists[0]
    else:
        raise ImportRefused(book.path.name, [f"grille inconnue : précisez-la avec --grille ({known})"])
    if version is not None and str(version) != str(chosen.version):
        raise ImportRefused(book.path.name, [
            f"le fichier a été préparé pour la version {version} de la grille {chosen.id}, "
            f"la grille actuelle est la version {chosen.version} : ressaisissez-le sur le classeur à jour"])
    return chosen


def _header_names(checklist: Checklist) -> dict[str, str]:
    """Normalised header → field name or behaviour id."""
    names = {key(name): target for target, aliases in FIELD_NAMES.items() for name in aliases}
    for n, b in enumerate(checklist.behaviours, 1):
        names[key(b.id)] = b.id  # key() makes « se-presente » and « se_presente » the same
        for text in b.text.values():
            names[key(f"{n}. {text}")] = b.id
            names[key(text)] = b.id
    return names


def _score_labels(checklist: Checklist) -> dict[str, dict[str, int]]:
    """Per behaviour: the XLSForm choice labels (« 2 — Salue, dit son nom… », fr and bm), normalised → score."""
    values = {}
    for b in checklist.behaviours:
        table = {}
        for s in SCORES:
            for text in b.anchors[s].values():
                table[key(f"{s} — {text}")] = int(s)
        values[b.id] = table
    return values


def _columns(book: Workbook, sheet: Sheet, checklist: Checklist, problems: list[str]) -> dict[str, int] | None:
    names = _header_names(checklist)
    columns: dict[str, int] = {}
    for index, raw in enumerate(sheet.header):
        if not raw.strip():
            if any(index < len(cells) and cells[index].strip() for _, cells in sheet.rows):
                problems.append(f"{book.where(sheet, 1, index)} : colonne remplie mais sans nom")
            continue
        bare = header_key(raw)
        target = names.get(bare) or names.get(key(raw))
        if raw.strip().rsplit("/", 1)[-1].lower() in ("_uuid", "instanceid"):
            if "_uuid" in columns:
                continue  # both _uuid and meta/instanceID: the same identifier
            target = "_uuid"
        elif target is None and (raw.strip().rsplit("/", 1)[-1].startswith("_") or bare in IGNORED):
            continue  # KoboToolbox metadata (_id, _submission_time, __version__…), start, end, total
        if target is None:
            problems.append(f"{book.where(sheet, 1, index)} : colonne inconnue « {raw.strip()} » — ni un champ "
                            f"(code, observateur, scenario, date) ni un comportement de la grille {checklist.id}")
        elif target in columns:
            problems.append(f"{book.where(sheet, 1, index)} : colonne en double ({target}, déjà "
                            f"{sheet.column_label(columns[target])})")
        else:
            columns[target] = index
    missing = [f for f in ("code", "observateur") if f not in columns]
    missing += [b.id for b in checklist.behaviours if b.id not in columns]
    if missing:
        problems.append(f"{book.where(sheet)} : colonne(s) manquante(s) : {', '.join(missing)}")
        return None
    return columns


def _date(raw: str) -> str | None:
    for n, pattern in enumerate(DATE_FORMS):
        match = pattern.match(raw)
        if match:
            parts = [int(x) for x in match.groups()]
            year, month, day = parts if n == 0 else parts[::-1]
            try:
                return dt.date(year, month, day).isoformat()
            except ValueError:
                return None
    return None


def _observation_sheets(book: Workbook) -> list[Sheet]:
    named = [s for s in book.sheets if s.name == "observations"]
    return named or [s for s in book.sheets if s.name not in SKIPPED_SHEETS and s.header]


def read_skills(path: Path, checklists: list[Checklist], known_codes: set[str],
                checklist_id: str | None = None) -> SkillsRead:
    """Every observation row of the file, validated; raises ImportRefused listing every problem."""
    book = read_table(path)
    checklist = choose_checklist(book, checklists, checklist_id)
    result = SkillsRead(book, checklist, [], warnings=list(book.warnings))
    problems: list[str] = []
    values = _score_labels(checklist)
    for sheet in _observation_sheets(book):
        columns = _columns(book, sheet, checklist, problems)
        if columns is None:
            continue
        for number, cells in sheet.rows:
            observation = _read_row(book, sheet, number, cells, columns, checklist, values, known_codes, problems)
            if observation:
                result.observations.append(observation)
    if not result.observations and not problems:
        problems.append(f"{path.name} : aucune ligne d'observation")
    _check_duplicates(result, problems)
    if problems:
        raise ImportRefused(path.name, problems)
    return result


def _read_row(book: Workbook, sheet: Sheet, number: int, cells: list[str], columns: dict[str, int],
              checklist: Checklist, values: dict[str, dict[str, int]], known_codes: set[str],
              problems: list[str]) -> Observation | None:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def bad(name: str, message: str) -> None:
        problems.append(f"{book.where(sheet, number, columns.get(name))} : {message}")

    raw_scores = {b.id: cell(b.id) for b in checklist.behaviours}
    if not cell("code") and not cell("observateur") and not any(raw_scores.values()):
        return None  # an empty line of the template
    code = cell("code").upper()
    if not code:
        bad("code", "code participant manquant")
    elif code not in known_codes:
        bad("code", f"code inconnu {code} : importez d'abord la liste des participants "
                    "(kalan participants importer)")
    observer = " ".join(cell("observateur").split()).upper()
    if not observer:
        bad("observateur", "code de l'observateur manquant")
    date = None
    if cell("date"):
        date = _date(cell("date"))
        if date is None:
            bad("date", f"date {cell('date')!r} illisible (attendu JJ/MM/AAAA ou AAAA-MM-JJ)")
    scores: dict[str, int | None] = {}
    for b in checklist.behaviours:
        raw = raw_scores[b.id]
        if not raw:
            scores[b.id] = None
            continue
        # The digit itself, or a choice label (never key(raw) alone: it would read « -1 » as 1).
        score = int(raw) if raw in SCORES else values[b.id].get(key(raw))
        if score is None:
            bad(b.id, f"note {raw!r} impossible pour {b.id} (attendu : 0, 1 ou 2, ou vide si non observé)")
        scores[b.id] = score
    if all(v is None for v in scores.values()) and not any(raw_scores.values()):
        problems.append(f"{book.where(sheet, number)} : aucune note sur cette ligne "
                        f"({code or 'code manquant'}) — une ligne par feuille d'observation remplie")
    scenario = cell("scenario") or str(checklist.scenario.get("id", ""))
    return Observation(code, observer, scenario, date, scores, sheet.name, number, cell("_uuid"))


def _differences(a: dict[str, int | None], b: dict[str, int | None]) -> list[str]:
    def shown(v: int | None) -> str:
        return "vide" if v is None else str(v)

    return [f"{bid} : {shown(a.get(bid))} / {shown(b.get(bid))}" for bid in dict.fromkeys([*a, *b])
            if a.get(bid) != b.get(bid)]


def _check_duplicates(result: SkillsRead, problems: list[str]) -> None:
    """Same KoboToolbox submission twice: keep one. Same person and observer twice: an error."""
    kept, repeats, result.duplicate_submissions = split_repeats(result.observations, lambda o: (o.code, o.observer))
    for earlier, obs in repeats:
        where = f"{result.book.path.name}, " + (f"feuille « {obs.sheet} », " if obs.sheet else "") + f"ligne {obs.row}"
        differences = _differences(earlier.scores, obs.scores)
        if not differences:
            problems.append(f"{where} : observation en double ({obs.code}, observateur {obs.observer}), "
                            f"identique à la ligne {earlier.row}")
        for difference in differences:
            problems.append(f"{where} : {obs.code} noté deux fois par l'observateur {obs.observer} avec des "
                            f"notes différentes — {difference} (ligne {earlier.row})")
    result.warnings += resubmission_warnings(result.duplicate_submissions)
    result.observations = kept


def import_skills(conn: sqlite3.Connection, path: Path, checklists: list[Checklist],
                  checklist_id: str | None = None, dry_run: bool = False) -> ImportSummary:
    """Import one file of observations into ``skill_observations`` (one transaction: all or nothing)."""
    known = {row[0] for row in conn.execute("SELECT code FROM participants")}
    read = read_skills(path, checklists, known, checklist_id)
    checklist = read.checklist
    summary = ImportSummary(path.name, "competences", rows=len(read.observations), warnings=read.warnings)

    def apply(conn: sqlite3.Connection, import_id: int, summary: ImportSummary) -> None:
        existing = {(code, observer): json.loads(scores) for code, observer, scores in conn.execute(
            "SELECT participant, observer, scores FROM skill_observations WHERE checklist_id = ?", (checklist.id,))}
        problems, rows = [], []
        for obs in read.observations:
            before = existing.get((obs.code, obs.observer))
            if before is not None:
                differences = _differences(before, obs.scores)
                if differences:
                    where = f"{path.name}, " + (f"feuille « {obs.sheet} », " if obs.sheet else "") + f"ligne {obs.row}"
                    problems += [f"{where} : {obs.code} (observateur {obs.observer}) déjà importé avec d'autres "
                                 f"notes — {d}" for d in differences]
                else:
                    summary.unchanged += 1
                continue
            rows.append((obs.code, checklist.id, checklist.version, obs.scenario, obs.observer, obs.date,
                         json.dumps(obs.scores, separators=(",", ":")), import_id, obs.sheet, obs.row))
            summary.added += 1
        if problems:
            raise ImportRefused(path.name, problems)
        conn.executemany("INSERT INTO skill_observations (participant, checklist_id, checklist_version, scenario, "
                         "observer, observed_on, scores, import_id, source_sheet, source_row) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    return run_import(conn, path, "competences", read.book.format, dry_run, apply, summary)


# ------------------------------------------------------------------------------------------- reporting


@dataclass(frozen=True)
class SkillData:
    checklist_id: str
    versions: list[int]
    behaviours: list[tuple[str, str]]  # (id, French text), in checklist order
    participants: dict[str, dict[str, str]]  # observed people only
    observations: dict[str, dict[str, dict[str, int | None]]]  # code → observer → scores


def has_observations(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM skill_observations LIMIT 1").fetchone() is not None


def load_skills(conn: sqlite3.Connection, checklists: list[Checklist] | None = None,
                checklist_id: str | None = None, cohorts: list[str] | None = None) -> SkillData:
    ids = [row[0] for row in conn.execute("SELECT DISTINCT checklist_id FROM skill_observations ORDER BY 1")]
    if not ids:
        raise KalanError("aucune observation dans la base : importez d'abord les notes "
                         "(kalan competences importer)")
    if checklist_id is None:
        if len(ids) > 1:
            raise KalanError(f"plusieurs grilles dans la base ({', '.join(ids)}) : précisez --grille")
        checklist_id = ids[0]
    checklist_id = checklist_id.upper()
    if checklist_id not in ids:
        raise KalanError(f"aucune observation pour la grille {checklist_id} (grilles : {', '.join(ids)})")
    people = {}
    for code, sex, category, cercle, commune, organisation, cohort, name in conn.execute(
            "SELECT code, sex, category, cercle, commune, organisation, cohort, name FROM participants"):
        if not cohorts or cohort in cohorts:
            people[code] = {"sex": sex, "category": category, "cercle": cercle, "commune": commune,
                            "organisation": organisation, "cohort": cohort, "name": name or ""}
    observations: dict[str, dict[str, dict[str, int | None]]] = {}
    versions, order = set(), {}
    for code, observer, version, scores in conn.execute(
            "SELECT participant, observer, checklist_version, scores FROM skill_observations "
            "WHERE checklist_id = ? ORDER BY participant, observer", (checklist_id,)):
        if code not in people:
            continue
        parsed = json.loads(scores)
        observations.setdefault(code, {})[observer] = parsed
        versions.add(version)
        order.update(dict.fromkeys(parsed))
    known = next((c for c in checklists or [] if c.id == checklist_id), None)
    if known is not None:
        behaviours = [(b.id, b.text.get("fr", b.id)) for b in known.behaviours]
        behaviours += [(bid, bid) for bid in order if bid not in {b for b, _ in behaviours}]
    else:
        behaviours = [(bid, bid) for bid in order]
    return SkillData(checklist_id, sorted(versions), behaviours,
                     {code: people[code] for code in sorted(observations)}, observations)


def retained_scores(data: SkillData) -> np.ndarray:
    """Persons × behaviours: the lowest score any observer gave (NaN when nobody scored it)."""
    ids = [bid for bid, _ in data.behaviours]
    matrix = np.full((len(data.participants), len(ids)), np.nan)
    for i, code in enumerate(data.participants):
        for j, bid in enumerate(ids):
            given = [s[bid] for s in data.observations[code].values() if s.get(bid) is not None]
            if given:
                matrix[i, j] = min(given)
    return matrix


@dataclass(frozen=True)
class BehaviourRow:
    id: str
    text: str
    n: int
    mean: float  # mean score, 0 to 2
    pct: tuple[float, float, float]  # % scored 0, 1, 2 among those scored
    demonstrated_pct: float  # % scored 2


@dataclass(frozen=True)
class PersonRow:
    code: str
    observers: tuple[str, ...]  # observer codes, in order
    scored: int
    total: int
    mean: float
    demonstrated: int
    meets: bool


@dataclass(frozen=True)
class SkillGroupRow:
    dimension: str
    label: str
    value: str
    n: int
    suppressed: bool
    mean: float
    mean_demonstrated: float
    indicator: float


@dataclass(frozen=True)
class AgreementRow:
    id: str  # behaviour id, or "ensemble" for the pooled row
    pairs: int
    exact_pct: float
    kappa: float
    kappa_linear: float


@dataclass(frozen=True)
class SkillTables:
    """Every figure of the skills section, computed once for the workbook, the PDF and the terminal."""

    checklist_id: str
    versions: list[int]
    behaviours: list[tuple[str, str]]
    minimum: int
    n_persons: int
    n_observations: int
    n_double: int  # people scored by two observers or more
    incomplete: int  # people with at least one behaviour nobody scored
    indicator: float  # % of observed people demonstrating at least `minimum` behaviours
    behaviour_rows: list[BehaviourRow]
    person_rows: list[PersonRow]
    group_rows: list[SkillGroupRow]
    agreement_rows: list[AgreementRow]
    participants: dict[str, dict[str, str]]

    @property
    def n_behaviours(self) -> int:
        return len(self.behaviours)


def _skill_groups() -> tuple[tuple[str, str], ...]:
    """The report's groups that describe a person (not a test sitting), and the cohort."""
    from kalan.scoring.dataset import GROUPS

    groups = [(d, label) for d, label in GROUPS if d in ("sex", "category", "cercle", "cohort")]
    if "cohort" not in {d for d, _ in groups}:
        groups.append(("cohort", "Cohorte"))
    return tuple(groups)


def _pct(values: np.ndarray) -> float:
    return 100 * float(values.mean()) if values.size else math.nan


def agreement(data: SkillData) -> list[AgreementRow]:
    """Per behaviour and pooled: every pair of observers who scored the same person (in code order)."""
    ids = [bid for bid, _ in data.behaviours]
    pairs: dict[str, tuple[list[int], list[int]]] = {bid: ([], []) for bid in ids}
    for by_observer in data.observations.values():
        for first, second in itertools.combinations(sorted(by_observer), 2):
            for bid in ids:
                a, b = by_observer[first].get(bid), by_observer[second].get(bid)
                if a is not None and b is not None:
                    pairs[bid][0].append(a)
                    pairs[bid][1].append(b)
    tables = {bid: contingency(*pairs[bid]) for bid in ids}
    rows = [AgreementRow(bid, int(t.sum()), 100 * observed_expected(t)[0] if t.sum() else math.nan,
                         cohen_kappa(t), cohen_kappa(t, "linear")) for bid, t in tables.items()]
    used = [t for t in tables.values() if t.sum()]
    exact = [observed_expected(t)[0] for t in used]
    rows.append(AgreementRow("ensemble", int(sum(t.sum() for t in used)),
                             100 * float(np.mean(exact)) if exact else math.nan,
                             pooled_kappa(used), pooled_kappa(used, "linear")))
    return rows


def compute_skills(data: SkillData, minimum: int) -> SkillTables:
    from kalan.scoring.dataset import MIN_GROUP

    m = len(data.behaviours)
    if not 1 <= minimum <= m:
        raise KalanError(f"competences_minimales = {minimum} dans [tool.kalan.suivi] : la grille {data.checklist_id} "
                         f"a {m} comportements (choisissez entre 1 et {m})")
    scores = retained_scores(data)
    scored = ~np.isnan(scores)
    demonstrated = (scores == DEMONSTRATED).sum(axis=1)
    meets = demonstrated >= minimum
    behaviour_rows = []
    for j, (bid, text) in enumerate(data.behaviours):
        column = scores[scored[:, j], j]
        behaviour_rows.append(BehaviourRow(
            bid, text, int(column.size), float(column.mean()) if column.size else math.nan,
            tuple(_pct(column == s) for s in CATEGORIES), _pct(column == DEMONSTRATED)))
    codes = list(data.participants)
    person_rows = []
    for i, code in enumerate(codes):
        row = scores[i, scored[i]]
        person_rows.append(PersonRow(code, tuple(sorted(data.observations[code])), int(row.size), int(row.sum()),
                                     float(row.mean()) if row.size else math.nan, int(demonstrated[i]),
                                     bool(meets[i])))
    group_rows = []
    for dimension, label in _skill_groups():
        for value in sorted({p[dimension] for p in data.participants.values()}):
            members = np.array([data.participants[c][dimension] == value for c in codes])
            small = int(members.sum()) < MIN_GROUP
            means = np.array([r.mean for r, member in zip(person_rows, members, strict=True) if member])
            group_rows.append(SkillGroupRow(
                dimension, label, value, int(members.sum()), small,
                math.nan if small else float(np.nanmean(means)),
                math.nan if small else float(demonstrated[members].mean()),
                math.nan if small else _pct(meets[members])))
    return SkillTables(
        data.checklist_id, data.versions, data.behaviours, minimum, len(codes),
        sum(len(v) for v in data.observations.values()),
        sum(1 for v in data.observations.values() if len(v) > 1), int((~scored).any(axis=1).sum()),
        _pct(meets), behaviour_rows, person_rows, group_rows, agreement(data), data.participants)


def skills_tables(conn: sqlite3.Connection, checklists: list[Checklist] | None = None,
                  checklist_id: str | None = None, cohorts: list[str] | None = None,
                  minimum: int = 8) -> SkillTables:
    """The rows a report needs: per behaviour, per person, per group, the indicator « % of
    responders demonstrating at least `minimum` of the M behaviours », and observer agreement."""
    return compute_skills(load_skills(conn, checklists, checklist_id, cohorts), minimum)


# --------------------------------------------------------------------------------------------- example


def write_example_skills(people: list, folder: Path, prefixes: tuple[str, ...], seed: int = 2026,
                         inside: Path | None = None) -> list[Path]:
    """Observation scores for the invented cohort of ``kalan exemple``: the kalan capture workbook
    (one observer per person) and a KoboToolbox CSV export (a second observer for every fourth
    person, to measure agreement). `inside`: a folder of the project whose checklist is used (by
    default the project kalan runs from). Invented people only; nobody's real scores."""
    import csv
    import io
    import random

    from openpyxl import load_workbook

    from kalan.config import load_project
    from kalan.quiz.observation import require_checklists, write_observation_workbook

    checklist = require_checklists(load_project(inside or Path(__file__).parent))[0]
    rng = random.Random(seed + 13)
    observed = [p for k, p in enumerate(people) if k % 10 != 7]  # a few people were not observed
    workbook = write_observation_workbook(checklist, folder / "observations-saisie.xlsx", prefixes)
    book = load_workbook(workbook)
    for row, person in enumerate(people, 2):
        book["participants"].cell(row, 1, person.code)
    sheet = book["observations"]
    second: list[tuple[object, dict[str, int | None]]] = []
    for row, person in enumerate(observed, 2):
        level = min(0.95, max(0.1, person.ability + 0.25))
        scores: dict[str, int | None] = {}
        for n, b in enumerate(checklist.behaviours):
            roll = rng.random()
            scores[b.id] = None if roll < 0.02 else (2 if roll < level - 0.03 * (n % 4) else rng.choice((0, 1, 1)))
        sheet.cell(row, 1, person.code)
        sheet.cell(row, 2, "OBS-A" if row % 2 else "OBS-B")
        sheet.cell(row, 3, str(checklist.scenario.get("id", "")))
        sheet.cell(row, 4, dt.date(2026, 10, 8))
        for col, b in enumerate(checklist.behaviours, 5):
            sheet.cell(row, col, scores[b.id])
        if row % 3 == 0:  # the same role-play scored by a second observer: mostly the same scores
            other = {bid: (s if s is None or rng.random() < 0.8 else max(0, min(2, s + rng.choice((-1, 1)))))
                     for bid, s in scores.items()}
            second.append((person, other))
    book.save(workbook)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    names = [b.id.replace("-", "_") for b in checklist.behaviours]
    writer.writerow(["start", "end", "code", "observateur", "date", *names, "total", "_id", "_uuid",
                     "_submission_time", "_validation_status", "_status", "__version__", "_index"])
    for n, (person, scores) in enumerate(second, 1):
        stamp = f"2026-10-08T1{n % 10}:00:00.000+00:00"
        writer.writerow([stamp, stamp, person.code, "OBS-C", "2026-10-08",
                         *("" if scores[b.id] is None else scores[b.id] for b in checklist.behaviours),
                         sum(v or 0 for v in scores.values()), 2000 + n, f"00000000-0000-4000-9000-{n:012d}",
                         stamp, "", "submitted_via_web", "vK9", n])
    kobo = folder / "observations-kobo.csv"
    kobo.write_text(out.getvalue(), encoding="utf-8")
    return [workbook, kobo]
