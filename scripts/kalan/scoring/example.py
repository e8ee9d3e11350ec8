"""An invented cohort for trying the whole flow (`kalan exemple DOSSIER`).

Everything here is fictitious: people, names and answers. The answers are
spread over the four formats an M&E officer meets — the kalan workbook, a
KoboToolbox XLSX export (XML headers, group prefixes), a KoboToolbox CSV
export with labels, and a CSV saved by a French-locale Excel (semicolons,
Windows-1252) — each holding the pre- and post-test of a quarter of the people —,
a follow-up test saved as Excel's « Texte Unicode » (UTF-16, tabs), and the attendance of each cohort,
with a few absences.
"""

from __future__ import annotations

import csv
import io
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

from kalan.quiz.capture import (
    BLANK,
    LANG_CHOICES,
    MARK_LABELS,
    MODE_CHOICES,
    MULTIPLE,
    PHASE_CHOICES,
    SURVEY_META,
    write_workbook,
)
from kalan.quiz.forms import Form

FIRST_NAMES = ("Aminata", "Hamadoun", "Fatoumata", "Boureima", "Mariam", "Ousmane", "Kadiatou", "Amadou",
               "Aïssata", "Sékou", "Hawa", "Moussa", "Oumou", "Souleymane", "Djénéba", "Ibrahim")
FAMILY_NAMES = ("Guindo", "Dolo", "Togo", "Diallo", "Barry", "Cissé", "Maïga", "Touré", "Kassogué", "Ongoïba")
COMMUNES = {"KOR": ("Koro", ("Koro", "Bondo", "Dinangourou", "Madougou", "Yoro")),
            "DOU": ("Douentza", ("Douentza", "Boni", "Hombori", "Mondoro", "Dallah"))}
CATEGORIES = ("mairie", "service technique", "relais communautaire", "OSC")
FILES = ("reponses-saisie.xlsx", "kobo-export.xlsx", "kobo-export-libelles.csv", "excel-francais.csv")
# The retention test, four months after the post-test, saved by Excel as « Texte Unicode (*.txt) »
# (UTF-16, tabs): three people in four sat it, the others are overdue.
SUIVI_FILE = "suivi-texte-unicode.txt"
SUIVI_DAY = "2027-02-08"


@dataclass
class Person:
    code: str
    name: str
    sex: str
    category: str
    cercle: str
    commune: str
    organisation: str
    cohort: str
    ability: float


@dataclass
class Answer:
    person: Person
    phase: str
    language: str
    mode: str
    date: str
    marks: dict[str, str]


def invent_people(n: int, rng: random.Random, prefixes: tuple[str, ...], first: int = 1,
                  cohort: str | None = None) -> list[Person]:
    """`first`: the number of the first code of each prefix; `cohort`: everyone's cohort (by default two,
    C01-<prefix> and C02-<prefix>, alternately)."""
    people = []
    for i in range(n):
        prefix = prefixes[i % len(prefixes)]
        cercle, communes = COMMUNES.get(prefix, (prefix.title(), (prefix.title(),)))
        category = CATEGORIES[i % len(CATEGORIES)]
        commune = communes[(i // len(prefixes)) % len(communes)]
        organisation = {"mairie": f"Mairie de {commune}", "service technique": "Service local du développement social",
                        "relais communautaire": f"Relais de {commune}", "OSC": f"Association des femmes de {commune}"}
        people.append(Person(
            code=f"{prefix}-{i // len(prefixes) + first:03d}",
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(FAMILY_NAMES)}",
            sex=rng.choice("FM"), category=category, cercle=cercle, commune=commune,
            organisation=organisation[category], cohort=cohort or f"C{1 + i % 2:02d}-{prefix}",
            ability=rng.gauss(0.5, 0.15)))
    return people


def simulate(people: list[Person], form: Form, rng: random.Random,
             days: tuple[str, str] = ("2026-10-05", "2026-10-08")) -> list[Answer]:
    """Pre- and post-test marks on `days`; a few people miss one of the two tests."""
    answers = []
    for k, person in enumerate(people):
        language = "bm" if k % 3 == 0 else "fr"
        mode = "oral" if person.category == "relais communautaire" else "ecrit"
        for phase, boost, day in (("pre", 0.0, days[0]), ("post", 0.3, days[1])):
            if (phase == "post" and k in (3, 17)) or (phase == "pre" and k == 11):
                continue
            variant = form.variant(phase)
            marks = {}
            for n, item in enumerate(form.items):
                chance = min(0.97, max(0.05, person.ability + boost - 0.02 * (n % 5)))
                roll = rng.random()
                letters = [letter for letter, _ in variant.choices(item)]
                if roll < 0.03:
                    marks[item.id] = BLANK
                elif roll < 0.04:
                    marks[item.id] = MULTIPLE
                elif rng.random() < chance:
                    marks[item.id] = variant.key(item)
                else:
                    marks[item.id] = rng.choice([x for x in letters if x != variant.key(item)])
            answers.append(Answer(person, phase, language, mode, day, marks))
    return answers


def _roster(people: list[Person], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "participants"
    sheet.append(["code", "nom", "sexe", "categorie", "cercle", "commune", "organisation", "cohorte"])
    for p in people:
        sheet.append([p.code, p.name, p.sex, p.category, p.cercle, p.commune, p.organisation, p.cohort])
    book.save(path)


def _kalan_workbook(form: Form, answers: list[Answer], people: list[Person], path: Path,
                    prefixes: tuple[str, ...]) -> None:
    import datetime as dt

    from openpyxl import load_workbook

    write_workbook(form, path, prefixes)
    book = load_workbook(path)
    for row, person in enumerate(people, 2):
        book["participants"].cell(row, 1, person.code)
    for phase in ("pre", "post"):
        sheet = book[phase]
        for row, answer in enumerate([a for a in answers if a.phase == phase], 2):
            sheet.cell(row, 1, answer.person.code)
            sheet.cell(row, 2, answer.language)
            sheet.cell(row, 3, answer.mode)
            sheet.cell(row, 4, dt.date.fromisoformat(answer.date))
            for col, item in enumerate(form.items, 5):
                sheet.cell(row, col, answer.marks[item.id])
    book.save(path)


def _kobo_xlsx(form: Form, answers: list[Answer], path: Path, rng: random.Random) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"kalan_{form.id}_v{form.version}"
    sheet.append(["start", "end", "code", "phase", "langue", "mode", "date",
                  *(f"reponses/{item.id.lower()}" for item in form.items),
                  "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
                  "__version__", "_tags", "_index"])
    for n, answer in enumerate(answers, 1):
        stamp = f"{answer.date}T09:{n % 60:02d}:00.000+00:00"
        row = [stamp, stamp, answer.person.code, answer.phase, answer.language, answer.mode, answer.date,
               *(answer.marks[item.id] for item in form.items),
               1000 + n, str(uuid.UUID(int=rng.getrandbits(128))), stamp, "", "", "submitted_via_web", "",
               "vX3kP", "", n]
        sheet.append(row)
        if n == 2:  # the same submission exported twice: kalan keeps one (same _uuid)
            sheet.append(row)
    book.save(path)


def _kobo_labels_csv(form: Form, answers: list[Answer], path: Path) -> None:
    labels = {name: fr for _, name, fr, _ in SURVEY_META}
    values = {"phase": {n: fr for n, fr, _ in PHASE_CHOICES}, "langue": {n: fr for n, fr, _ in LANG_CHOICES},
              "mode": {n: fr for n, fr, _ in MODE_CHOICES}}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow([labels["code"], labels["phase"], labels["langue"], labels["mode"], labels["date"],
                     *(f"{n}. {item.stem['fr']}" for n, item in enumerate(form.items, 1)), "_uuid", "_index"])
    for n, a in enumerate(answers, 1):
        writer.writerow([a.person.code, values["phase"][a.phase], values["langue"][a.language],
                         values["mode"][a.mode], a.date,
                         *(MARK_LABELS.get(a.marks[item.id], (a.marks[item.id],))[0] for item in form.items),
                         f"00000000-0000-4000-8000-{n:012d}", n])
    path.write_text(out.getvalue(), encoding="utf-8")


def _french_excel_csv(form: Form, answers: list[Answer], path: Path) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["code", "phase", "langue", "mode", "date", *(item.id for item in form.items)])
    for a in answers:
        day = "/".join(reversed(a.date.split("-")))
        mode = {"ecrit": "écrit", "oral": "oral"}[a.mode]  # typed by hand, with its accent
        writer.writerow([a.person.code, a.phase, a.language, mode, day, *(a.marks[item.id] for item in form.items)])
    path.write_bytes(out.getvalue().encode("cp1252"))


def _follow_up_file(form: Form, people: list[Person], path: Path, rng: random.Random, day: str = SUIVI_DAY) -> Path:
    """The follow-up sitting (post variant of the same form) of every fourth person but one in four,
    a little forgetting since the post-test."""
    variant = form.variant("post")
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\r\n")
    writer.writerow(["code", "phase", "langue", "mode", "date", *(item.id for item in form.items)])
    for k, person in enumerate(people):
        if k % 4 == 3 or k in (3, 17):  # not seen again yet, or no post-test
            continue
        marks = []
        for n, item in enumerate(form.items):
            chance = min(0.95, max(0.05, person.ability + 0.2 - 0.02 * (n % 5)))
            letters = [letter for letter, _ in variant.choices(item)]
            marks.append(variant.key(item) if rng.random() < chance else
                         rng.choice([x for x in letters if x != variant.key(item)]))
        writer.writerow([person.code, "suivi", "bm" if k % 3 == 0 else "fr",
                         "oral" if person.category == "relais communautaire" else "ecrit", day, *marks])
    path.write_bytes(b"\xff\xfe" + out.getvalue().encode("utf-16-le"))
    return path


# Half-days missed in the example (index of the person → how many, from the last one back):
# some people fall under the attendance minimum and get no certificate.
ABSENCES = {4: 3, 8: 1, 12: 2, 5: 1, 9: 4}


def _attendance(people: list[Person], folder: Path, halves: list) -> list[Path]:
    """One attendance file per cohort: the first the workbook of `kalan presence modele`, filled in,
    the others a CSV as a French-locale Excel saves it (semicolons)."""
    from openpyxl import load_workbook

    from kalan.scoring.attendance import write_attendance_workbook

    cohorts = list(dict.fromkeys(p.cohort for p in people))
    paths = []
    for n, cohort in enumerate(cohorts):
        members = [(i, p) for i, p in enumerate(people) if p.cohort == cohort]
        marks = {p.code: ["P"] * (len(halves) - ABSENCES.get(i, 0)) + ["A"] * ABSENCES.get(i, 0) for i, p in members}
        if n == 0:
            path = write_attendance_workbook(folder / f"presence-{cohort}.xlsx", cohort, [p.code for _, p in members],
                                             halves)
            book = load_workbook(path)
            sheet = book["presence"]
            for row in range(2, len(members) + 2):
                for col, mark in enumerate(marks[sheet.cell(row, 1).value], 2):
                    sheet.cell(row, col, mark)
            book.save(path)
        else:
            out = io.StringIO()
            writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
            writer.writerow(["code", *(h.column for h in halves)])
            writer.writerows([p.code, *marks[p.code]] for _, p in members)
            path = folder / f"presence-{cohort}.csv"
            path.write_bytes(out.getvalue().encode("cp1252"))
        paths.append(path)
    return paths


def write_example(form: Form, folder: Path, prefixes: tuple[str, ...], n: int = 40, seed: int = 2026,
                  halves: list | None = None) -> list[Path]:
    """The roster, four answer files and the attendance files of an invented cohort of `n` responders
    (`halves`: the agenda's half-days, by default those of the project the form belongs to)."""
    if halves is None:
        from kalan.config import load_project
        from kalan.scoring.attendance import training_plan

        halves = training_plan(load_project(form.source.parent)).halves
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    people = invent_people(n, rng, prefixes)
    answers = simulate(people, form, rng)
    roster = folder / "participants.xlsx"
    _roster(people, roster)
    quarters = [people[i::4] for i in range(4)]
    batches = [[a for a in answers if a.person in quarter] for quarter in quarters]
    paths = [folder / name for name in FILES]
    _kalan_workbook(form, batches[0], people, paths[0], prefixes)
    _kobo_xlsx(form, batches[1], paths[1], rng)
    _kobo_labels_csv(form, batches[2], paths[2])
    _french_excel_csv(form, batches[3], paths[3])
    from kalan.scoring.skills import write_example_skills  # observed skills (issue 13 §5)

    paths.append(_follow_up_file(form, people, folder / SUIVI_FILE, rng))
    from kalan.omr.demo import write_example_photos  # answer sheets photographed (issue 14)

    return [roster, *paths, *_attendance(people, folder, halves),
            *write_example_skills(people, folder, prefixes, seed, form.source.parent),
            *write_example_photos(form, people, answers, folder, prefixes, seed)]


# -- The second office of the README (issue 13 §4 and §8): parallel forms, then a merge ------------------

OTHER_OFFICE = "autre-bureau"
OTHER_DAYS = ("2027-01-11", "2027-01-14")
OTHER_SUIVI_DAY = "2027-05-10"
OTHER_FILES = ("pp2a-saisie.xlsx", "pp2b-kobo.xlsx")
OTHER_SUIVI_FILE = "suivi-pp2a-texte-unicode.txt"
# Breaches of the counterbalancing, by position in the office's roster, as they happen on the ground.
SAME_FORM_TWICE, ORDER_REVERSED = 0, 1


def write_other_office(forms: dict[str, Form], folder: Path, prefix: str, n: int = 24, seed: int = 2027,
                       first: int = 21) -> list[Path]:
    """A later cohort kept by another office (C03-<prefix>, codes <prefix>-021… from `first`): its roster, the tests
    on the parallel forms `forms` ({"A": PP2A, "B": PP2B}) sat as the plan says — a code ending in an even
    digit A then B, odd B then A — except one person given the same form twice and one the reverse order,
    and a follow-up test on form A for three in four (the form of their post-test for some, the other
    form for the others). The office imports them into its own database, then the README merges it."""
    from kalan.quiz.compose import counterbalance

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    people = invent_people(n, rng, (prefix,), first=first, cohort=f"C03-{prefix}")
    roster = folder / "participants.xlsx"
    _roster(people, roster)
    answers = {letter: simulate(people, form, rng, OTHER_DAYS) for letter, form in forms.items()}
    chosen: dict[str, list[Answer]] = {letter: [] for letter in forms}
    for k, person in enumerate(people):
        pre, post = counterbalance(person.code)
        if k == SAME_FORM_TWICE:
            post = pre
        elif k == ORDER_REVERSED:
            pre, post = post, pre
        for letter in forms:
            chosen[letter] += [a for a in answers[letter] if a.person is person
                               and (a.phase, letter) in (("pre", pre), ("post", post))]
    paths = [folder / name for name in OTHER_FILES]
    _kalan_workbook(forms["A"], chosen["A"], people, paths[0], (prefix,))
    _kobo_xlsx(forms["B"], chosen["B"], paths[1], rng)
    suivi = _follow_up_file(forms["A"], people, folder / OTHER_SUIVI_FILE, rng, OTHER_SUIVI_DAY)
    return [roster, *paths, suivi]
