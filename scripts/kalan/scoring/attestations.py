"""The printed tracking documents that carry names: the daily attendance sheets of a cohort,
the certificates of participation, and the list of who did not qualify.

Names are personal data: these documents are written only into the folder the user names,
never into the site (`dist/site`) nor a tracked folder of the repository, and never through
the PDF cache. Each certificate carries a short verification code: the first 8 hexadecimal
characters of SHA-256(« kalan-attestation-v1|CODE|COHORTE »). There is no secret in it: it
ties the paper to one participant code and cohort (a certificate copied onto another name or
cohort shows a code that does not match), and `kalan attestations --verifier CODE` finds whose
it is in the M&E database and whether that person did complete.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import io
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kalan.config import Project
from kalan.errors import KalanError
from kalan.messages import t
from kalan.scoring.attendance import HALF_NAMES, Completion, TrainingPlan, cohort_codes, completions

CONSTANT = "kalan-attestation-v1"
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
MAX_SPAN_DAYS = 60  # pre- and post-test dates further apart than this are not the training's dates


def verification_code(code: str, cohort: str) -> str:
    """« 3F2A9C1B »: SHA-256 of a fixed text, the participant code and the cohort (no secret)."""
    return hashlib.sha256(f"{CONSTANT}|{code}|{cohort}".encode()).hexdigest()[:8].upper()


def check_output_folder(folder: Path, project: Project) -> Path:
    """`folder`, resolved; refused inside the site or inside a part of the repository that git tracks."""
    target = folder.expanduser().resolve()
    site = project.site_dir.resolve()
    if target == site or site in target.parents:
        raise KalanError(f"{folder} est dans le site ({project.site_dir}) : les documents avec des noms n'y vont "
                         "jamais — choisissez un dossier hors du site, par exemple hors du dépôt")
    root = project.root.resolve()
    ignored = [project.out_dir.resolve()] + ([project.results_db.parent.resolve()] if project.results_db else [])
    inside_repo = target == root or root in target.parents
    if inside_repo and not any(target == d or d in target.parents for d in ignored):
        raise KalanError(f"{folder} est dans le dépôt git : des noms y seraient versionnés — choisissez un dossier "
                         f"hors du dépôt, ou sous {project.out_dir.name}/ ou data/ (ignorés par git)")
    return target


# --- Dates and wording ---------------------------------------------------------------------------


def parse_date(text: str | None) -> dt.date | None:
    """A test date as stored: ISO (« 2026-10-05 ») or typed the French way (« 05/10/2026 »)."""
    if not text:
        return None
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text[:10] if pattern == "%Y-%m-%d" else text, pattern).date()
        except ValueError:
            continue
    return None


def training_dates(conn: sqlite3.Connection, cohort: str, n_days: int, start: dt.date | None = None,
                   end: dt.date | None = None) -> tuple[dt.date, dt.date, str]:
    """(first day, last day, where they come from). Without --debut: the most frequent pre-test date
    of the cohort; without --fin: its most frequent post-test date, else first day + days − 1."""
    if start is None:
        dates = _test_dates(conn, cohort, "pre")
        if not dates:
            raise KalanError(f"dates de la formation inconnues pour la cohorte {cohort} (aucune date de pré-test "
                             "dans la base) : précisez --debut AAAA-MM-JJ (et --fin si les jours ne se suivent pas)")
        start, source = dates.most_common(1)[0][0], "dates des pré-tests et post-tests"
        if end is None:
            post = _test_dates(conn, cohort, "post")
            end = post.most_common(1)[0][0] if post else start + dt.timedelta(days=n_days - 1)
    else:
        source = "--debut" + (" et --fin" if end else "")
        end = end or start + dt.timedelta(days=n_days - 1)
    if end < start or (end - start).days > MAX_SPAN_DAYS:
        raise KalanError(f"dates de la formation incohérentes pour la cohorte {cohort} : du {start.isoformat()} "
                         f"au {end.isoformat()} ({source}) — précisez --debut et --fin (AAAA-MM-JJ)")
    return start, end, source


def _test_dates(conn: sqlite3.Connection, cohort: str, phase: str) -> Counter:
    found: Counter = Counter()
    for (taken_on,) in conn.execute("SELECT s.taken_on FROM sittings s JOIN participants p ON p.code = s.participant "
                                    "WHERE p.cohort = ? AND s.phase = ? ORDER BY s.taken_on",
                                    (cohort, phase)):
        date = parse_date(taken_on)
        if date:
            found[date] += 1
    return found


def _day(date: dt.date) -> str:
    return "1er" if date.day == 1 else str(date.day)


def dates_text(start: dt.date, end: dt.date, lang: str = "fr") -> str:
    """« du 5 au 8 octobre 2026 » ; in Bambara, numeric dates (no month name is invented)."""
    if lang != "fr":
        return start.strftime("%d/%m/%Y") if start == end else f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"
    if start == end:
        return f"le {_day(start)} {MONTHS[start.month - 1]} {start.year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"du {_day(start)} au {_day(end)} {MONTHS[end.month - 1]} {end.year}"
    first = f"{_day(start)} {MONTHS[start.month - 1]}" + ("" if start.year == end.year else f" {start.year}")
    return f"du {first} au {_day(end)} {MONTHS[end.month - 1]} {end.year}"


def hours_text(minutes: int, lang: str = "fr") -> str:
    """1590 → « 26 h 30 » (fr), « lɛrɛ 26 ni miniti 30 » (bm)."""
    hours, rest = divmod(minutes, 60)
    if lang == "fr":
        return f"{hours} h {rest:02d}" if rest else f"{hours} h"
    return f"{t(lang, 'heures')} {hours}" + (f" ni {t(lang, 'minutes')} {rest}" if rest else "")


# Certificate wording. Bambara: draft, to be reviewed by a native speaker like every Bambara text.
WORDS = {
    "fr": {
        "titre": "Attestation de participation",
        "atteste": "Nous attestons que",
        "de": "de l'organisation « {organisation} », commune de {commune},",
        "a_suivi": "a participé à la formation des premiers répondants, {dates}, soit {heures} de séances "
                   "(pauses non comprises), et a passé le test de début et le test de fin de formation.",
        "modules": "Modules de la formation",
        "formateur": "Le formateur ou la formatrice",
        "responsable": "Le ou la responsable de la formation",
        "nom_date": "Nom et date",
        "signature": "Signature",
        "code": "Code participant",
        "cohorte": "Cohorte",
        "verification": "Code de vérification",
        "verifier": "vérifiable auprès du service de suivi-évaluation",
    },
    "bm": {
        "titre": "Kalan seereya sɛbɛn",
        "atteste": "An bɛ seereya kɛ ko",
        "de": "min bɛ baara kɛ « {organisation} » la, {commune} komini na,",
        "a_suivi": "ye dɛmɛbaga fɔlɔw ka kalan kɛ ({dates}), kalan waati {heures} (lafiɲɛ tɛ o la), "
                   "ka kalan ɲɛ kɔrɔbɔli ni kalan kɔfɛ kɔrɔbɔli kɛ.",
        "modules": "Kalanw",
        "formateur": "Kalanfa",
        "responsable": "Kalan ɲɛmɔgɔ",
        "nom_date": "Tɔgɔ ni don",
        "signature": "Bolonɔ",
        "code": "Kalanden ka kode",
        "cohorte": "Jɛkulu",
        "verification": "Lajɛli kode",
        "verifier": "S&E baarada bɛ se k'a lajɛ",
    },
}


# --- Certificates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    code: str
    cohort: str
    name: str
    organisation: str
    commune: str

    @property
    def verification(self) -> str:
        return verification_code(self.code, self.cohort)


@dataclass
class AttestationPlan:
    cohort: str
    plan: TrainingPlan
    start: dt.date
    end: dt.date
    dates_source: str
    share: float
    certificates: list[Certificate]
    not_qualified: list[Completion]
    without_name: list[Completion]  # completed, but the roster has no name: no certificate
    names: dict[str, str]


def plan_attestations(conn: sqlite3.Connection, plan: TrainingPlan, share: float, cohort: str,
                      start: dt.date | None = None, end: dt.date | None = None) -> AttestationPlan:
    """Who gets a certificate in `cohort`, who does not and why."""
    cohort_codes(conn, cohort)
    first, last, source = training_dates(conn, cohort, plan.n_days, start, end)
    people = {code: (name or "", organisation, commune) for code, name, organisation, commune in conn.execute(
        "SELECT code, name, organisation, commune FROM participants WHERE cohort = ?", (cohort,))}
    certificates, not_qualified, without_name = [], [], []
    for completion in completions(conn, plan.halves, share, cohort):
        name, organisation, commune = people[completion.code]
        if not completion.completed:
            not_qualified.append(completion)
        elif not name.strip():
            without_name.append(completion)
        else:
            certificates.append(Certificate(completion.code, cohort, " ".join(name.split()), organisation, commune))
    return AttestationPlan(cohort, plan, first, last, source, share, certificates, not_qualified, without_name,
                           {code: values[0] for code, values in people.items()})


CERTIFICATE_CSS = """
@page attestation { size: A4; margin: 16mm 18mm; @top-center { content: none; } @bottom-center { content: none; } }
body.doc-attestation { page: attestation; }
.cadre { border: 2.2pt double #000; padding: 12mm 14mm; min-height: 240mm; box-sizing: border-box;
  display: flex; flex-direction: column; }
.programme { text-align: center; font-size: 11pt; text-transform: uppercase; letter-spacing: 0.05em; margin: 0; }
h1.titre { text-align: center; font-size: 24pt; margin: 10mm 0 8mm; }
.atteste { text-align: center; font-size: 12pt; margin: 0; }
.nom { text-align: center; font-size: 20pt; font-weight: bold; margin: 4mm 0; }
.qui, .suivi { text-align: center; font-size: 12pt; margin: 2mm 0; }
h2.modules { font-size: 11.5pt; border: none; margin: 8mm 0 2mm; }
ol.modules { font-size: 10.5pt; margin: 0; padding-left: 8mm; }
ol.modules li { margin: 1mm 0; }
table.signatures { margin-top: auto; width: 100%; border-collapse: collapse; }
table.signatures td { width: 50%; height: 32mm; vertical-align: top; border: 0.8pt solid #000; padding: 3mm;
  font-size: 10pt; background: none; }
.verification { font-size: 9pt; margin: 4mm 0 0; text-align: center; }
"""


def certificate_html(cert: Certificate, att: AttestationPlan, lang: str) -> str:
    words = WORDS[lang]
    e = html.escape
    modules = "".join(f"<li>{e(m.label(lang))}</li>" for m in att.plan.modules)
    values = {"organisation": e(cert.organisation), "commune": e(cert.commune),
              "dates": e(dates_text(att.start, att.end, lang)),
              "heures": e(hours_text(att.plan.teaching_minutes, lang))}
    sign = (f"<td><strong>{e(words['formateur'])}</strong><br>{e(words['nom_date'])} :<br><br>"
            f"{e(words['signature'])} :</td><td><strong>{e(words['responsable'])}</strong><br>"
            f"{e(words['nom_date'])} :<br><br>{e(words['signature'])} :</td>")
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{e(words['titre'])}</title>"
            f"<style>{CERTIFICATE_CSS}</style></head><body class='doc-attestation'><div class='cadre'>"
            f"<p class='programme'>{e(t(lang, 'programme'))}</p><h1 class='titre'>{e(words['titre'])}</h1>"
            f"<p class='atteste'>{e(words['atteste'])}</p><p class='nom'>{e(cert.name)}</p>"
            f"<p class='qui'>{words['de'].format(**values)}</p><p class='suivi'>{words['a_suivi'].format(**values)}</p>"
            f"<h2 class='modules'>{e(words['modules'])}</h2><ol class='modules'>{modules}</ol>"
            f"<table class='signatures'><tr>{sign}</tr></table>"
            f"<p class='verification'>{e(words['code'])} : {e(cert.code)} · {e(words['cohorte'])} : "
            f"{e(cert.cohort)} · {e(words['verification'])} : <strong>{cert.verification}</strong> "
            f"({e(words['verifier'])})</p></div></body></html>")


def certificate_path(folder: Path, cert: Certificate, lang: str) -> Path:
    return folder / f"attestation-{cert.code}-{lang}.pdf"


def print_certificates(att: AttestationPlan, folder: Path, project: Project, langs: tuple[str, ...] = ("fr",),
                       workers: int | None = None, on_planned: Callable[[int], None] | None = None,
                       on_done: Callable[[object], None] | None = None) -> list[Path]:
    """One A4 PDF per person who completed and per language; never cached (names)."""
    from kalan.pdf.render import print_all, print_style

    folder = check_output_folder(folder, project)
    folder.mkdir(parents=True, exist_ok=True)
    style = print_style(project.fonts_dir)
    jobs = [style.job(certificate_path(folder, cert, lang), certificate_html(cert, att, lang))
            for cert in att.certificates for lang in langs]
    if on_planned:
        on_planned(len(jobs))
    print_all(jobs, style.css, folder, None, workers=workers, on_done=on_done)
    return [job.output for job in jobs]


def remove_stale(att: AttestationPlan, folder: Path, langs: tuple[str, ...] = ("fr", "bm")) -> list[Path]:
    """Remove the certificates an earlier run printed in `folder` for people of the cohort who no
    longer qualify (a corrected attendance sheet, a test found to be someone else's)."""
    keep = {cert.code for cert in att.certificates}
    removed = []
    for completion in [*att.not_qualified, *att.without_name]:
        for lang in langs:
            path = folder / f"attestation-{completion.code}-{lang}.pdf"
            if completion.code not in keep and path.is_file():
                path.unlink()
                removed.append(path)
    return removed


def _safe(value: object) -> object:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe (CSV has no types)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_not_qualified(att: AttestationPlan, path: Path, project: Project, with_names: bool = False) -> Path:
    """The people of the cohort without a certificate and why: CSV for a French Excel
    (UTF-8 with BOM, « ; », decimal comma); names only with `with_names`."""
    check_output_folder(path.parent, project)
    header = ["code", *(["nom"] if with_names else []), "cohorte", "demi-journées présent", "demi-journées absent",
              "demi-journées non saisies", "demi-journées prévues", "présence (%)", "pré-test", "post-test", "motif"]
    rows = []
    for completion, reasons in [*((c, c.reasons) for c in att.not_qualified),
                                *((c, ["nom absent de la liste des participants : attestation non imprimée "
                                       "(ajoutez le nom et réimportez la liste)"]) for c in att.without_name)]:
        a = completion.attendance
        rate = f"{100 * a.rate:.1f}".replace(".", ",")
        rows.append([a.code, *([att.names.get(a.code, "")] if with_names else []), a.cohort, a.present, a.absent,
                     a.unrecorded, a.total, rate, "oui" if completion.pre else "non",
                     "oui" if completion.post else "non", " ; ".join(reasons)])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_safe(v) for v in row] for row in rows])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return path


@dataclass(frozen=True)
class Verification:
    code: str
    cohort: str
    name: str
    completion: Completion | None


def verify(conn: sqlite3.Connection, plan: TrainingPlan, share: float, typed: str) -> list[Verification]:
    """The participants whose certificate would carry the verification code `typed`
    (spaces, dashes and case ignored), with their completion as the database has it now."""
    wanted = "".join(c for c in typed.upper() if c.isalnum())
    if len(wanted) != 8 or any(c not in "0123456789ABCDEF" for c in wanted):
        raise KalanError(f"code de vérification {typed!r} : 8 caractères 0-9 et A-F attendus (ex. 3F2A9C1B)")
    found = []
    for code, cohort, name in conn.execute("SELECT code, cohort, name FROM participants ORDER BY code"):
        if verification_code(code, cohort) == wanted:
            state = {c.code: c for c in completions(conn, plan.halves, share, cohort)}
            found.append(Verification(code, cohort, name or "", state.get(code)))
    return found


# --- Daily attendance sheets ---------------------------------------------------------------------


SHEET_CSS = """
@page presence { size: A4; margin: 10mm 12mm 14mm 12mm;
  @bottom-center { content: "Document du formateur : contient des noms — ne pas diffuser · page " counter(page)
  " / " counter(pages); } }
body.doc-presence { page: presence; }
section.jour { break-before: page; }
section.jour:first-child { break-before: auto; }
section.jour h1 { font-size: 15pt; margin: 0 0 2mm; }
.entete { font-size: 9.5pt; margin: 0 0 3mm; }
table.presence { font-size: 9pt; table-layout: fixed; margin: 0; }
table.presence th { font-size: 8.5pt; padding: 2pt 3pt; }
table.presence td { height: 7.6mm; padding: 1pt 3pt; vertical-align: middle; }
table.presence col.n { width: 7mm; } table.presence col.code { width: 19mm; }
table.presence col.nom { width: 42mm; } table.presence col.org { width: 32mm; }
table.presence col.pa { width: 17mm; }
td.org { font-size: 7.5pt; }
.pa { text-align: center; white-space: nowrap; }
.formateur { border: 0.8pt solid #000; padding: 3mm; margin-top: 4mm; font-size: 9.5pt; break-inside: avoid; }
"""


def sheets_html(cohort: str, people: list[tuple[str, str, str]], plan: TrainingPlan,
                start: dt.date | None) -> str:
    """One page (or more) per training day: one line per person, a P / A box and a signature
    per half-day. `people`: (code, name, organisation)."""
    e = html.escape
    labels = {m.id: m.label("fr") for m in plan.modules}
    sections = []
    for day in plan.days:
        halves = plan.on_day(day.number)
        date = f" — {(start + dt.timedelta(days=day.number - 1)).strftime('%d/%m/%Y')}" if start else \
            " — date : ……/……/…………"
        hours = " · ".join(f"{HALF_NAMES['fr'][h.half]} {h.hours()}" for h in halves)
        modules = ", ".join(labels.get(m, m) for m in dict.fromkeys(m for h in halves for m in h.modules))
        cols = "<col class='n'><col class='code'><col class='nom'><col class='org'>" + \
            "<col class='pa'><col>" * len(halves)
        head = "<th>N°</th><th>Code</th><th>Nom et prénom</th><th>Organisation</th>" + "".join(
            f"<th>{e(HALF_NAMES['fr'][h.half].capitalize())}</th><th>Signature</th>" for h in halves)
        rows = "".join(
            f"<tr><td>{n}</td><td>{e(code)}</td><td>{e(name) or '<em>(nom à écrire)</em>'}</td>"
            f"<td class='org'>{e(organisation)}</td>" + "<td class='pa'>☐ P ☐ A</td><td></td>" * len(halves) + "</tr>"
            for n, (code, name, organisation) in enumerate(people, 1))
        sections.append(
            f"<section class='jour'><h1>Feuille de présence — jour {day.number}{e(date)}</h1>"
            f"<p class='entete'>Cohorte <strong>{e(cohort)}</strong> · {e(hours)}<br>Modules : {e(modules)}</p>"
            f"<table class='presence'><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            "<div class='formateur'>Cochez P (présent) ou A (absent) à chaque demi-journée ; à saisir ensuite dans "
            "le classeur de <code>kalan presence modele</code>.<br>Formateur ou formatrice — nom : "
            "……………………………………… signature : ………………………</div></section>")
    return (f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Présence {e(cohort)}</title>"
            f"<style>{SHEET_CSS}</style></head><body class='doc-presence'>{''.join(sections)}</body></html>")


def print_sheets(conn: sqlite3.Connection, plan: TrainingPlan, cohort: str, folder: Path, project: Project,
                 start: dt.date | None = None) -> Path:
    """The cohort's attendance sheets as one PDF in `folder` (names included: a trainer's document)."""
    from kalan.pdf.render import print_all, print_style

    cohort_codes(conn, cohort)
    folder = check_output_folder(folder, project)
    folder.mkdir(parents=True, exist_ok=True)
    people = [(code, " ".join((name or "").split()), organisation) for code, name, organisation in conn.execute(
        "SELECT code, name, organisation FROM participants WHERE cohort = ? ORDER BY code", (cohort,))]
    style = print_style(project.fonts_dir)
    target = folder / f"presence-{file_part(cohort)}.pdf"
    print_all([style.job(target, sheets_html(cohort, people, plan, start))], style.css, folder, None, workers=1)
    return target


def file_part(text: str) -> str:
    """A cohort name made safe for a file name."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text) or "cohorte"
