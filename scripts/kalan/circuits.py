"""Local referral pathways: the services of each commune, as data kept in the repository.

``referentiels/communes.yml`` lists the service types (the rows of Fiche 12) and the
communes of each cercle; ``referentiels/circuits/<commune>.yml`` lists the services
verified in that commune — services only, never a person helped. Each service carries
the date it was last verified and the structure that verified it: past three months
it prints « à revérifier », and `kalan check` lists it.

From this data the build prints Fiche 12 filled for each commune
(``pdf/<lang>/circuits/<commune>.pdf``) and the pocket guide with the « qui appeler »
box of each cercle (``pdf/<lang>/circuits/guide-de-poche-<cercle>.pdf``). The fiche
pages hold the markers ``<!-- kalan:circuit-entete -->``, ``<!-- kalan:circuit -->``
and ``<!-- kalan:qui-appeler -->``; without an edition they print the blank template.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field

import yaml

from kalan.config import Project
from kalan.datafile import load_yaml, yaml_finding
from kalan.errors import Finding, KalanError, raise_on_errors
from kalan.i18n import pick
from kalan.messages import t

COMMUNES_FILE = "referentiels/communes.yml"
CIRCUITS_DIR = "referentiels/circuits"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SERVICE_KEYS = {"type", "nom", "lieu", "jours_heures", "contact", "cout", "accessible", "recoit", "langues",
                "portee", "verifie_le", "verifie_par"}
REQUIRED = ("type", "nom", "verifie_le", "verifie_par")
ACCESSIBLE = ("oui", "non", "inconnu")
SCOPES = ("commune", "cercle")
STALE_MONTHS = 3
# Environment variable that fixes « today » for the « à revérifier » rule (tests, reprints).
DATE_ENV = "KALAN_DATE_REFERENCE"


@dataclass(frozen=True)
class ServiceType:
    id: str
    label: dict[str, str]


@dataclass(frozen=True)
class Service:
    type: str
    name: str
    verified_on: dt.date
    verified_by: str
    place: str = ""
    hours: str = ""
    contact: str = ""
    cost: str = ""
    accessible: str = "inconnu"
    receives: str = ""
    languages: str = ""
    scope: str = "commune"

    def stale(self, today: dt.date) -> bool:
        return add_months(self.verified_on, STALE_MONTHS) < today


@dataclass(frozen=True)
class Commune:
    id: str
    name: str
    cercle: str
    services: tuple[Service, ...] = ()
    source: str = ""  # its file under referentiels/circuits/, when there is one
    verification: str = ""  # a note when the name or the cercle must be checked locally


@dataclass(frozen=True)
class Cercle:
    id: str
    name: str
    communes: tuple[str, ...]
    verification: str = ""  # a note when the cercle's extent must be checked locally (2023 reform)


@dataclass
class Circuits:
    types: list[ServiceType] = field(default_factory=list)
    cercles: list[Cercle] = field(default_factory=list)
    communes: dict[str, Commune] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def type_label(self, type_id: str, lang: str) -> str:
        found = next((ty for ty in self.types if ty.id == type_id), None)
        return pick(found.label, lang) if found else type_id

    def cercle(self, cercle_id: str) -> Cercle | None:
        return next((c for c in self.cercles if c.id == cercle_id), None)

    def cercle_services(self, cercle_id: str) -> list[tuple[Commune, Service]]:
        """Services that serve the whole cercle (portee: cercle), in the cercle's commune order."""
        cercle = self.cercle(cercle_id)
        return [(self.communes[c], s) for c in (cercle.communes if cercle else ())
                for s in self.communes[c].services if s.scope == "cercle"]


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def reference_date() -> dt.date:
    """« Today » for the three-month rule; `KALAN_DATE_REFERENCE=AAAA-MM-JJ` fixes it."""
    value = os.environ.get(DATE_ENV)
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise KalanError(f"{DATE_ENV}={value!r} : date attendue au format AAAA-MM-JJ") from exc
    return dt.date.today()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):  # a {fr, bm} text: the build picks the language later
        return " / ".join(str(v) for v in value.values())
    return " ".join(str(value).split())


def _read(path, shown: str, findings: list[Finding]) -> object:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        findings.append(yaml_finding(exc, shown))
    except UnicodeDecodeError:
        findings.append(Finding(shown, "", "le fichier doit être enregistré en UTF-8"))
    return None


def _service(raw: object, where: str, shown: str, types: set[str], findings: list[Finding]) -> Service | None:
    if not isinstance(raw, dict):
        findings.append(Finding(shown, where, "chaque service est une table (type, nom, verifie_le…)"))
        return None
    for key in sorted(set(raw) - SERVICE_KEYS):
        findings.append(Finding(shown, f"{where}.{key}", f"champ inconnu (champs possibles : "
                                                         f"{', '.join(sorted(SERVICE_KEYS))})", "avertissement"))
    ok = True
    for key in REQUIRED:
        if raw.get(key) in (None, ""):
            findings.append(Finding(shown, f"{where}.{key}", "champ obligatoire manquant"))
            ok = False
    if raw.get("type") not in (None, "") and raw["type"] not in types:
        findings.append(Finding(shown, f"{where}.type", f"type inconnu {raw['type']!r} (types : "
                                                        f"{', '.join(sorted(types))}, dans {COMMUNES_FILE})"))
        ok = False
    verified = raw.get("verifie_le")
    if isinstance(verified, str):
        try:
            verified = dt.date.fromisoformat(verified)
        except ValueError:
            verified = None
    if raw.get("verifie_le") not in (None, "") and not isinstance(verified, dt.date):
        findings.append(Finding(shown, f"{where}.verifie_le", f"date invalide {raw['verifie_le']!r} "
                                                              "(attendu : AAAA-MM-JJ)"))
        ok = False
    accessible = str(raw.get("accessible", "inconnu")).lower()
    accessible = {"true": "oui", "false": "non"}.get(accessible, accessible)
    if accessible not in ACCESSIBLE:
        findings.append(Finding(shown, f"{where}.accessible",
                                f"valeur {raw.get('accessible')!r} : oui, non ou inconnu"))
        ok = False
    scope = str(raw.get("portee", "commune"))
    if scope not in SCOPES:
        findings.append(Finding(shown, f"{where}.portee", f"valeur {scope!r} : commune ou cercle"))
        ok = False
    if not ok:
        return None
    return Service(str(raw["type"]), _text(raw["nom"]), verified, _text(raw["verifie_par"]), _text(raw.get("lieu")),
                   _text(raw.get("jours_heures")), _text(raw.get("contact")), _text(raw.get("cout")), accessible,
                   _text(raw.get("recoit")), _text(raw.get("langues")), scope)


def load_circuits(project: Project) -> Circuits | None:
    """The referral data, or None when the project has no ``referentiels/communes.yml``."""
    path = project.root / COMMUNES_FILE
    if not path.is_file():
        return None
    circuits = Circuits()
    findings = circuits.findings
    data = _read(path, COMMUNES_FILE, findings)
    if not isinstance(data, dict):
        if data is not None:
            findings.append(Finding(COMMUNES_FILE, "", "table attendue (types_service, cercles)"))
        return circuits
    for i, raw in enumerate(data.get("types_service") or [], 1):
        if not isinstance(raw, dict) or not SLUG.match(str(raw.get("id", ""))) or not raw.get("fr"):
            findings.append(Finding(COMMUNES_FILE, f"types_service[{i}]", "chaque type a un « id » (minuscules, "
                                                                          "tirets) et un libellé « fr » (et « bm »)"))
            continue
        circuits.types.append(ServiceType(raw["id"], {k: str(v) for k, v in raw.items() if k in ("fr", "bm")}))
    type_ids = {ty.id for ty in circuits.types}
    for i, raw in enumerate(data.get("cercles") or [], 1):
        where = f"cercles[{i}]"
        if not isinstance(raw, dict) or not SLUG.match(str(raw.get("id", ""))) or not raw.get("nom"):
            findings.append(Finding(COMMUNES_FILE, where, "chaque cercle a un « id », un « nom » et ses « communes »"))
            continue
        ids = []
        for j, commune in enumerate(raw.get("communes") or [], 1):
            cwhere = f"{where}.communes[{j}]"
            cid = str(commune.get("id", "")) if isinstance(commune, dict) else ""
            if not SLUG.match(cid) or not commune.get("nom"):
                findings.append(Finding(COMMUNES_FILE, cwhere, "chaque commune a un « id » (minuscules, tirets) "
                                                               "et un « nom »"))
                continue
            if cid in circuits.communes:
                findings.append(Finding(COMMUNES_FILE, cwhere, f"commune {cid!r} déjà déclarée"))
                continue
            ids.append(cid)
            circuits.communes[cid] = Commune(cid, str(commune["nom"]), raw["id"],
                                             verification=str(commune.get("verification") or ""))
        circuits.cercles.append(Cercle(raw["id"], str(raw["nom"]), tuple(ids), str(raw.get("verification") or "")))
    folder = project.root / CIRCUITS_DIR
    for file in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        shown = file.relative_to(project.root).as_posix()
        data = _read(file, shown, findings)
        if not isinstance(data, dict):
            if data is not None:
                findings.append(Finding(shown, "", "table attendue (commune, services)"))
            continue
        cid = str(data.get("commune", ""))
        if cid not in circuits.communes:
            findings.append(Finding(shown, "commune", f"commune inconnue {cid!r} (absente de {COMMUNES_FILE})"))
            continue
        if file.stem != cid:
            findings.append(Finding(shown, "commune", f"le fichier devrait s'appeler {cid}.yml", "avertissement"))
        raw_services = data.get("services") or []
        if not isinstance(raw_services, list):
            findings.append(Finding(shown, "services", "doit être une liste (« - type: … »)"))
            continue
        services = [s for i, raw in enumerate(raw_services, 1)
                    if (s := _service(raw, f"services[{i}]", shown, type_ids, findings))]
        commune = circuits.communes[cid]
        circuits.communes[cid] = Commune(commune.id, commune.name, commune.cercle, tuple(services), shown,
                                         commune.verification)
    return circuits


def circuit_findings(project: Project, today: dt.date | None = None) -> list[Finding]:
    """Errors of the data, and every service whose last verification is older than three months.

    A stale service is information, not a warning: time alone must not make `kalan check --strict`
    (and so CI) fail; the fiche itself prints « à revérifier »."""
    circuits = load_circuits(project)
    if circuits is None:
        return []
    today = today or reference_date()
    findings = list(circuits.findings)
    for commune in circuits.communes.values():
        for i, service in enumerate(commune.services, 1):
            if service.stale(today):
                findings.append(Finding(commune.source, f"services[{i}]",
                                        f"« {service.name} » vérifié le {service.verified_on:%d/%m/%Y} par "
                                        f"{service.verified_by} : plus de {STALE_MONTHS} mois, à revérifier",
                                        "info"))
    empty = [c.name for c in circuits.communes.values() if not c.services]
    if empty:
        findings.append(Finding(CIRCUITS_DIR, "", f"{len(empty)} commune(s) sans aucun service vérifié "
                                                  f"(Fiche 12 imprimée vierge) : {', '.join(empty)}", "info"))
    return findings


def require_circuits(project: Project) -> Circuits:
    circuits = load_circuits(project)
    if circuits is None:
        raise KalanError(f"{COMMUNES_FILE} introuvable : les fiches locales en ont besoin")
    raise_on_errors(circuits.findings, "Circuits de référencement invalides")
    return circuits


# --- What the fiches print --------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _date(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def _note(note: str, project: Project, lang: str) -> str:
    """Verification notes are written in French; other languages print a notice in their own words."""
    return note if lang == project.default_lang else t(lang, "verification_locale")


def circuit_header(project: Project, edition: str, lang: str) -> str:
    """The lines above the table: commune, cercle, last verification (blank lines to fill by hand)."""
    if not edition:
        return t(lang, "circuit_entete_vierge")
    circuits = require_circuits(project)
    commune = circuits.communes.get(edition)
    if commune is None:
        raise KalanError(f"commune inconnue {edition!r} ({COMMUNES_FILE})")
    cercle = circuits.cercle(commune.cercle)
    lines = [t(lang, "circuit_entete_commune", commune=commune.name, cercle=cercle.name if cercle else "")]
    today = reference_date()
    if commune.services:
        oldest = min(commune.services, key=lambda s: s.verified_on)
        lines += ["", t(lang, "circuit_verifie", n=len(commune.services), date=_date(oldest.verified_on),
                        par=oldest.verified_by, aujourdhui=_date(today))]
        stale = sum(s.stale(today) for s in commune.services)
        if stale:
            lines += ["", f'!!! warning "{t(lang, "circuit_a_reverifier_titre")}"',
                      f"    {t(lang, 'circuit_a_reverifier_texte', n=stale, mois=STALE_MONTHS)}"]
    else:
        lines += ["", f'!!! warning "{t(lang, "circuit_vide_titre")}"',
                  f"    {t(lang, 'circuit_vide_texte', commune=commune.name)}"]
    for note in (commune.verification, cercle.verification if cercle else ""):
        if note:
            lines += ["", f"*{_note(note, project, lang)}*"]
    return "\n".join(lines) + "\n"


def circuit_table(project: Project, edition: str, lang: str) -> str:
    """The services table: one blank row per type in the template, the verified services in an edition."""
    circuits = require_circuits(project)
    heads = t(lang, "circuit_colonnes").split("|")
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    blank_access = t(lang, "circuit_accessible_vierge")
    services = circuits.communes[edition].services if edition in circuits.communes else ()
    today = reference_date()
    for service_type in circuits.types:
        label = _cell(pick(service_type.label, lang))
        found = [s for s in services if s.type == service_type.id]
        if not found:
            lines.append(f"| {label} | | | | {t(lang, 'espace_contact')} | | {blank_access} | | |")
            continue
        for s in found:
            checked = f"{_date(s.verified_on)}, {s.verified_by}"
            if s.stale(today):
                checked = f"**{t(lang, 'a_reverifier')}** — {checked}"
            receives = " · ".join(x for x in (s.receives, s.languages) if x)
            cells = (label, s.name, s.place, s.hours, s.contact or t(lang, "espace_contact"), s.cost,
                     t(lang, f"accessible_{s.accessible}"), receives, checked)
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def who_to_call(project: Project, edition: str, lang: str) -> str:
    """The pocket guide's box: the cercle's services (portee: cercle), or lines to fill in by hand."""
    title = t(lang, "qui_appeler_titre")
    if not edition:
        return f'!!! qui-appeler "{title}"\n    {t(lang, "qui_appeler_vierge")}\n'
    circuits = require_circuits(project)
    cercle = circuits.cercle(edition)
    if cercle is None:
        raise KalanError(f"cercle inconnu {edition!r} ({COMMUNES_FILE})")
    services = circuits.cercle_services(edition)
    today = reference_date()
    body = [f'!!! qui-appeler "{title} — {t(lang, "cercle_nom", nom=cercle.name)}"', ""]
    if not services:  # one paragraph: the pocket guide must stay on one sheet
        body.append(f"    {t(lang, 'qui_appeler_aucun', cercle=cercle.name)} {t(lang, 'qui_appeler_vierge')}")
    for commune, s in services:
        stale = f" **{t(lang, 'a_reverifier')}**" if s.stale(today) else ""
        details = " · ".join(x for x in (s.contact or t(lang, "espace_contact"), s.hours, s.place or commune.name) if x)
        body.append(f"    - **{circuits.type_label(s.type, lang)}** : {s.name} — {details} "
                    f"({t(lang, 'verifie_le', date=_date(s.verified_on))}){stale}")
    return "\n".join(body) + "\n"


def edition_documents(project: Project, curriculum, lang: str) -> list:
    """The local editions of the build: Fiche 12 per commune, the pocket guide per cercle."""
    from kalan.pdf.documents import CIRCUIT, POCKET, PdfDocument

    circuits = load_circuits(project)
    if circuits is None:
        return []
    documents = []
    for module in curriculum.modules:
        for handout in module.handouts:
            source = (project.lang_dir(project.default_lang) / handout.page).read_text(encoding="utf-8")
            title = f"{t(lang, 'fiche')} {handout.number} — {pick(handout.title, lang)}"
            if "kalan:circuit" in source:
                documents += [PdfDocument(lang, CIRCUIT, f"{lang}/circuits/{c.id}.pdf", f"{title} — {c.name}",
                                          module.label(lang), (handout.page,), module, c.id)
                              for c in circuits.communes.values()]
            if "kalan:qui-appeler" in source:
                documents += [PdfDocument(lang, POCKET, f"{lang}/circuits/guide-de-poche-{c.id}.pdf",
                                          f"{title} — {c.name}", module.label(lang), (handout.page,), module, c.id)
                              for c in circuits.cercles]
    return documents
