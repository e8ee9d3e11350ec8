"""The interpreters' sheet: the safety terms an interpreter must always say the same way.

``referentiels/interpretes.yml`` lists ~20 termbase entries and, per oral language (Fulfulde,
Jamsay, Humburi Senni), the expression agreed with an interpreter — usually none yet. One sheet
per language pair prints French, Bambara, the spoken Bambara form and the meaning, and the agreed
expression or « à établir avec un interprète ». Nothing is ever invented.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import yaml

from kalan.config import Project
from kalan.datafile import load_yaml, yaml_finding
from kalan.errors import Finding, KalanError
from kalan.i18n import pick

SHEET_FILE = "referentiels/interpretes.yml"
EMPTY = "[à établir avec un interprète]"


@dataclass(frozen=True)
class InterpreterTerm:
    term: str  # termbase id
    agreed: dict[str, dict]  # language → {expression, par, le}


def load_interpreter_terms(project: Project) -> tuple[dict[str, str], list[InterpreterTerm], list[Finding]]:
    path = project.root / SHEET_FILE
    if not path.is_file():
        return {}, [], []
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        return {}, [], [yaml_finding(exc, SHEET_FILE)]
    from kalan.termbase import load_termbase

    known = {e.id for e in load_termbase(project).entries}
    languages = {str(k): str(v) for k, v in (data.get("langues") or {}).items()}
    terms, findings = [], []
    for i, raw in enumerate(data.get("termes") or [], 1):
        term = str(raw.get("terme", "")) if isinstance(raw, dict) else ""
        if term not in known:
            findings.append(Finding(SHEET_FILE, f"termes[{i}]", f"terme inconnu de la termbase : {term!r}"))
            continue
        agreed = {}
        for lang in languages:
            value = raw.get(lang)
            if value is None:
                continue
            if not isinstance(value, dict) or not value.get("expression") or not value.get("par"):
                findings.append(Finding(SHEET_FILE, f"termes[{i}].{lang}", "une expression convenue dit aussi par qui "
                                                                           "(« expression », « par », « le »)"))
                continue
            agreed[lang] = value
        terms.append(InterpreterTerm(term, agreed))
    return languages, terms, findings


def interpreter_sheet_html(project: Project, lang: str) -> str:
    """The French–Bambara–`lang` sheet (A4 landscape)."""
    from kalan.termbase import require_termbase

    languages, terms, findings = load_interpreter_terms(project)
    if findings:
        raise KalanError("Fiche des interprètes invalide :\n" + "\n".join(f"  - {f}" for f in findings))
    entries = {e.id: e for e in require_termbase(project).entries}
    rows = []
    for item in terms:
        entry = entries[item.term]
        spoken = entry.spoken.get("bm", "")
        agreed = item.agreed.get(lang)
        cell = (f"{html.escape(str(agreed['expression']))}<br><small>{html.escape(str(agreed['par']))}, "
                f"{html.escape(str(agreed.get('le', '')))}</small>" if agreed else f"<em>{EMPTY}</em>")
        rows.append(f"<tr><td><strong>{html.escape(entry.fr)}</strong><br><small>"
                    f"{html.escape(pick(entry.definition, 'fr'))}</small></td>"
                    f"<td lang='bm'><strong>{html.escape(entry.bm)}</strong>"
                    + (f"<br><small>À dire : {html.escape(spoken)}</small>" if spoken else "")
                    + f"</td><td>{cell}</td></tr>")
    name = html.escape(languages[lang])
    return ("<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
            f"<title>Interprètes — français, bambara, {name}</title></head><body class='doc-revue'>"
            f"<h1>Fiche des interprètes — français · bambara · {name}</h1>"
            "<p>Ces termes protègent les personnes : dites-les toujours de la même façon. Une case vide se remplit "
            "avec un interprète de confiance, et une deuxième personne vérifie le sens ; ne traduisez pas au hasard. "
            "Quand une expression est convenue, elle est ajoutée à <code>referentiels/interpretes.yml</code>.</p>"
            f"<table class='revue'><thead><tr><th>Français (sens)</th><th>Bamanankan</th><th>{name}</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></body></html>")
