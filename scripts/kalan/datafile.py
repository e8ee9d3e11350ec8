"""Reading the project's YAML data files (manifests, item bank, forms, front matter) with
errors that name the file, the line and the field."""

from __future__ import annotations

from typing import Any

import yaml

from kalan.errors import Finding
from kalan.i18n import LANGS


def load_yaml(text: str) -> Any:
    """Plain YAML (no tags) with libyaml's C parser when installed, which is several times faster."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def yaml_finding(exc: yaml.YAMLError, shown: str) -> Finding:
    """The parser's complaint about `shown`, located at its line and column when known."""
    mark = getattr(exc, "problem_mark", None)
    where = f"ligne {mark.line + 1}, colonne {mark.column + 1}" if mark else ""
    return Finding(shown, where, f"YAML illisible : {getattr(exc, 'problem', exc)}")


def read_localized(value: object, place: str, shown: str) -> tuple[dict[str, str], list[Finding]]:
    """Validate a ``{fr: …, bm: …}`` text from a data file: (texts found, findings for `shown`)."""
    if value is None:
        return {}, [Finding(shown, place, "champ obligatoire manquant")]
    if not isinstance(value, dict):
        return {}, [Finding(shown, place, "doit donner le texte par langue : « fr: … » et « bm: … »")]
    result: dict[str, str] = {}
    findings = []
    for lang in LANGS:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            findings.append(Finding(shown, f"{place}.{lang}", "texte manquant dans cette langue"))
        else:
            result[lang] = text.strip()
    for extra in sorted(set(value) - set(LANGS)):
        findings.append(Finding(shown, f"{place}.{extra}", f"langue inconnue (langues : {', '.join(LANGS)})",
                                "avertissement"))
    return result, findings
