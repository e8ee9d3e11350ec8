"""Recordings made in the field: a slot per text to be heard and per language, filled from phones.

``referentiels/enregistrements.yml`` lists the languages (``fr``, ``bm`` and, for audio only,
``ffm`` Maasina Fulfulde, ``djm`` Jamsay, ``hmb`` Humburi Senni — ISO 639-3) and the slots:
a page or one section of it, a termbase entry, and every test item (added automatically).
`recording_sheet_html` prints what to read and the file name to give each recording;
`import_recordings` takes what a phone produces (.opus/.ogg voice notes, .m4a, .mp3, .wav),
normalises loudness and converts to mono Opus (Ogg, 32 kbit/s, which Chromium and Firefox
play) with ffmpeg, all or nothing. Recordings of texts live in ``docs/assets/audio/<lang>/``
(the site plays them with ``<!-- kalan:ecouter SLOT -->``); recordings of test items live in
``quizzes/audio/<lang>/`` (the trainers' print set, never the site).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from kalan.config import Project
from kalan.datafile import load_yaml, yaml_finding
from kalan.errors import Finding, KalanError, raise_on_errors
from kalan.i18n import pick

SLOTS_FILE = "referentiels/enregistrements.yml"
TEXT_AUDIO = "docs/assets/audio"
ITEM_AUDIO = "quizzes/audio"
SOURCES = "sources.json"  # per audio folder: what each recording was made from (imports are idempotent)
PHONE_FORMATS = (".opus", ".ogg", ".oga", ".m4a", ".mp3", ".wav", ".aac", ".3gp", ".amr")
OUTPUT_SUFFIX = ".ogg"
FFMPEG_ARGS = ("-ac", "1", "-ar", "48000", "-af", "loudnorm=I=-16:TP=-1.5:LRA=11", "-c:a", "libopus",
               "-b:a", "32k", "-application", "voip", "-map_metadata", "-1", "-fflags", "+bitexact",
               "-flags:a", "+bitexact")
NAME = re.compile(r"^(?P<lang>[a-z]{2,3})-(?P<slot>[A-Za-z0-9\-]+)$")


@dataclass(frozen=True)
class Slot:
    id: str
    title: dict[str, str]
    kind: str  # "page" | "terme" | "item"
    source: str  # page path, termbase id or item id
    section: dict[str, str] | None = None  # the heading, per language, of the only section read
    quote: dict[str, str] | None = None  # the first words, per language, of the « … » passage read

    @property
    def folder(self) -> str:
        return ITEM_AUDIO if self.kind == "item" else TEXT_AUDIO


@dataclass
class SlotPlan:
    languages: dict[str, str]  # code → name (in French)
    text_languages: tuple[str, ...]  # languages with a written text (fr, bm); the others are audio only
    slots: dict[str, Slot]
    findings: list[Finding]


def load_slots(project: Project) -> SlotPlan | None:
    path = project.root / SLOTS_FILE
    if not path.is_file():
        return None
    findings: list[Finding] = []
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        return SlotPlan({}, (), {}, [yaml_finding(exc, SLOTS_FILE)])
    languages = {str(k): str(v) for k, v in (data.get("langues") or {}).items()}
    text_languages = tuple(lang for lang in languages if lang in project.langs)
    slots: dict[str, Slot] = {}
    for i, raw in enumerate(data.get("creneaux") or [], 1):
        where = f"creneaux[{i}]"
        if not isinstance(raw, dict) or not re.fullmatch(r"[a-z0-9\-]+", str(raw.get("id", ""))):
            findings.append(Finding(SLOTS_FILE, where, "chaque créneau a un « id » (minuscules, chiffres, tirets)"))
            continue
        kinds = [k for k in ("page", "terme") if raw.get(k)]
        if len(kinds) != 1:
            findings.append(Finding(SLOTS_FILE, where, "un créneau lit soit une « page », soit un « terme »"))
            continue
        kind = kinds[0]
        source = str(raw[kind])
        if kind == "page" and not (project.lang_dir(project.default_lang) / source).is_file():
            findings.append(Finding(SLOTS_FILE, f"{where}.page", f"page introuvable : docs/fr/{source}"))
        title = raw.get("titre") if isinstance(raw.get("titre"), dict) else {"fr": str(raw["id"])}
        section = raw.get("section")
        if section is not None and not isinstance(section, dict):
            findings.append(Finding(SLOTS_FILE, f"{where}.section", "le titre de la section par langue : fr, bm"))
            section = None
        quote = raw.get("citation")
        if quote is not None and not isinstance(quote, dict):
            findings.append(Finding(SLOTS_FILE, f"{where}.citation", "les premiers mots par langue : fr, bm"))
            quote = None
        slots[raw["id"]] = Slot(raw["id"], title, kind, source, section, quote)
    from kalan.quiz.bank import bank_files

    for bank_path in bank_files(project) if data.get("items_du_test", True) else []:
        if not bank_path.is_file():
            continue
        bank = load_yaml(bank_path.read_text(encoding="utf-8")) or {}
        for item in bank.get("questions") or []:
            slots[item["id"]] = Slot(item["id"], {"fr": f"Question {item['id']}", "bm": f"Ɲininkali {item['id']}"},
                                     "item", item["id"])
    return SlotPlan(languages, text_languages, slots, findings)


def require_slots(project: Project) -> SlotPlan:
    plan = load_slots(project)
    if plan is None:
        raise KalanError(f"{SLOTS_FILE} introuvable : il définit les langues et les textes à enregistrer")
    raise_on_errors(plan.findings, "Créneaux d'enregistrement invalides")
    return plan


def recording_path(project: Project, slot: Slot, lang: str) -> Path:
    return project.root / slot.folder / lang / f"{slot.id}{OUTPUT_SUFFIX}"


def recorded_slots(project: Project) -> set[tuple[str, str]]:
    """(language, slot id) of every recording present."""
    plan = load_slots(project)
    if plan is None:
        return set()
    return {(lang, slot.id) for slot in plan.slots.values() for lang in plan.languages
            if recording_path(project, slot, lang).is_file()}


# --- The text to read -------------------------------------------------------------------------------------

MARKUP = re.compile(r"<[^>]+>|\*\*|__|`|^#+\s*|^\s*[-*]\s+|^\s*\d+\.\s+", re.M)


def _plain(markdown: str) -> list[str]:
    from kalan.pdf.facilitator import drop_facilitator_blocks
    from kalan.placeholders import PLACEHOLDER

    lines = []
    for line in drop_facilitator_blocks(markdown).split("\n"):
        text = line.strip()
        if PLACEHOLDER.search(text):  # a recording never says « à compléter »
            continue
        if not text or text.startswith(("<!--", "---", "!!!", "???", "|---")) or set(text) <= {"|", "-", " "}:
            continue
        text = " — ".join(c.strip() for c in text.strip("|").split("|") if c.strip()) if "|" in text else text
        text = MARKUP.sub("", text).strip()
        if text:
            lines.append(text)
    return lines


def slot_text(project: Project, slot: Slot, lang: str) -> list[str]:
    """The exact text to read for `slot` in `lang` (a written language), as lines."""
    from kalan.translations import read_page

    if slot.kind == "item":
        from kalan.quiz.bank import load_bank

        bank = load_bank(project, _objectives(project))
        item = bank.items[slot.source]
        lines = [item.stem.get(lang) or item.stem["fr"]]
        lines += [f"{o.id}) {pick(o.text, lang)}" for o in item.options]
        return lines
    if slot.kind == "terme":
        from kalan.termbase import require_termbase

        entry = next((e for e in require_termbase(project).entries if e.id == slot.source), None)
        if entry is None:
            raise KalanError(f"{SLOTS_FILE} : terme inconnu « {slot.source} » (referentiels/termes.yml)")
        term = entry.bm if lang == "bm" else entry.fr
        return [f"{term} : {pick(entry.definition, lang)}"]
    path = project.lang_dir(lang) / slot.source
    if not path.is_file():
        return []
    _, body = read_page(path)
    if slot.quote:
        if lang not in slot.quote:
            raise KalanError(f"{SLOTS_FILE} : créneau {slot.id}, début de citation absent en « {lang} »")
        start = body.find(f"« {slot.quote[lang]}")
        end = body.find("»", start)
        if start < 0 or end < 0:
            raise KalanError(f"{SLOTS_FILE} : créneau {slot.id}, citation « {slot.quote[lang]}… » introuvable "
                             f"dans docs/{lang}/{slot.source}")
        return _plain(body[start + 2:end])
    if slot.section:
        if lang not in slot.section:
            raise KalanError(f"{SLOTS_FILE} : créneau {slot.id}, titre de section absent en « {lang} »")
        body = _section(body, slot.section[lang], lang)
    return _plain(body)


def _section(body: str, heading: str, lang: str) -> str:
    """The part of `body` from the ``## heading`` line to the next ``## `` heading."""
    lines = body.split("\n")
    heads = [i for i, line in enumerate(lines) if line.startswith("## ")]
    start = next((i for i in heads if lines[i][3:].strip() == heading), None)
    if start is None:
        raise KalanError(f"{SLOTS_FILE} : section « {heading} » introuvable dans la page ({lang})")
    end = next((i for i in heads if i > start), len(lines))
    return "\n".join(lines[start:end])


def _objectives(project: Project) -> set[str]:
    from kalan.manifests import load_curriculum

    return load_curriculum(project).objective_ids()


# --- Importing what phones produce -----------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    lang: str
    slot: str
    source: Path
    target: Path
    seconds: float
    changed: bool  # False when this very file had already been imported


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _duration(path: Path) -> float:
    result = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                             "default=noprint_wrappers=1:nokey=1", str(path)], capture_output=True, text=True)
    try:
        return float(result.stdout.strip())
    except ValueError:
        return 0.0


def _require_ffmpeg() -> None:
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        raise KalanError("ffmpeg est nécessaire pour convertir les enregistrements : sudo apt-get install ffmpeg")


def valid_names(plan: SlotPlan) -> list[str]:
    return [f"{lang}-{slot}" for lang in plan.languages for slot in plan.slots]


def import_recordings(project: Project, folder: Path, on_file=None) -> list[Imported]:
    """Every recording of `folder`, named ``<langue>-<créneau>.<ext>`` (e.g. ``bm-fiche-03.m4a``).

    All or nothing: names are checked first (an unknown name is refused with the valid ones),
    every file is converted into a temporary folder, and only when all succeeded are they moved
    into place. A file already imported (same bytes) is left as it is."""
    plan = require_slots(project)
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) \
        if folder.is_dir() else None
    if files is None:
        raise KalanError(f"{folder} : dossier introuvable")
    if not files:
        raise KalanError(f"{folder} : aucun fichier à importer")
    problems = []
    chosen: list[tuple[Path, str, Slot]] = []
    for path in files:
        match = NAME.match(path.stem)
        if path.suffix.lower() not in PHONE_FORMATS:
            problems.append(f"{path.name} : format inconnu (formats : {', '.join(PHONE_FORMATS)})")
        elif not match or match["lang"] not in plan.languages or match["slot"] not in plan.slots:
            problems.append(f"{path.name} : aucun créneau ne porte ce nom")
        else:
            chosen.append((path, match["lang"], plan.slots[match["slot"]]))
    seen: dict[tuple[str, str], Path] = {}
    for path, lang, slot in chosen:
        if (lang, slot.id) in seen:
            problems.append(f"{path.name} : même créneau que {seen[(lang, slot.id)].name}")
        seen[(lang, slot.id)] = path
    if problems:
        names = ", ".join(valid_names(plan)[:12])
        raise KalanError("Enregistrements refusés, rien n'a été importé :\n" + "\n".join(f"  - {p}" for p in problems)
                         + f"\nNoms valides : <langue>-<créneau>.<ext>, par exemple {names}… "
                           "(liste complète : kalan audio fiche)")
    _require_ffmpeg()
    results: list[Imported] = []
    with tempfile.TemporaryDirectory(prefix="kalan-audio-") as tmp:
        staged: list[tuple[Path, Path, Imported]] = []
        for path, lang, slot in chosen:
            target = recording_path(project, slot, lang)
            digest = _sha256(path)
            sources = _read_sources(target.parent)
            if target.is_file() and sources.get(slot.id, {}).get("sha256") == digest:
                results.append(Imported(lang, slot.id, path, target, _duration(target), False))
                continue
            out = Path(tmp) / f"{lang}-{slot.id}{OUTPUT_SUFFIX}"
            run = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(path), *FFMPEG_ARGS, str(out)],
                                 capture_output=True, text=True)
            seconds = _duration(out) if run.returncode == 0 and out.is_file() else 0.0
            if seconds <= 0:
                detail = (run.stderr.strip().splitlines() or ["fichier vide ou illisible"])[-1]
                raise KalanError(f"{path.name} : conversion impossible, rien n'a été importé ({detail})")
            staged.append((out, target, Imported(lang, slot.id, path, target, seconds, True)))
            if on_file:
                on_file(path)
        for out, target, imported in staged:  # every conversion succeeded: now write
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(out), target)
            sources = _read_sources(target.parent)
            sources[imported.slot] = {"sha256": _sha256(imported.source), "fichier": imported.source.name}
            (target.parent / SOURCES).write_text(json.dumps(sources, ensure_ascii=False, indent=1, sort_keys=True)
                                                 + "\n", encoding="utf-8")
            results.append(imported)
    return results


def _read_sources(folder: Path) -> dict:
    path = folder / SOURCES
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


# --- What users see ----------------------------------------------------------------------------------------


def player(project: Project, slot_id: str, lang: str, site_root: str | None, source: str) -> str:
    """Audio players for a text on the site: its language, and the audio-only languages recorded.
    Nothing in print, nothing when no recording exists yet."""
    from kalan.messages import t

    plan = load_slots(project)
    if plan is None or slot_id not in plan.slots:
        raise KalanError(f"{source} : créneau d'enregistrement inconnu « {slot_id} » ({SLOTS_FILE})")
    if site_root is None:
        return ""
    slot = plan.slots[slot_id]
    langs = [lang, *(code for code in plan.languages if code not in plan.text_languages)]
    players = []
    for code in langs:
        if recording_path(project, slot, code).is_file():
            label = html.escape(t(lang, "ecouter", langue=plan.languages[code]))
            src = f"{site_root}assets/audio/{code}/{slot.id}{OUTPUT_SUFFIX}"
            players.append(f'<p class="kalan-audio"><span>{label}</span> '
                           f'<audio controls preload="metadata" src="{src}" aria-label="{label}"></audio></p>')
    return "".join(players) + ("\n" if players else "")


def recording_status(project: Project) -> list[tuple[str, int, int, list[str]]]:
    """Per language: (code, recorded, slots, missing slot ids)."""
    plan = require_slots(project)
    rows = []
    for code in plan.languages:
        missing = [s.id for s in plan.slots.values() if not recording_path(project, s, code).is_file()]
        rows.append((code, len(plan.slots) - len(missing), len(plan.slots), missing))
    return rows


def recording_sheet_html(project: Project, lang: str) -> str:
    """The recording sheet of one language: how to record, then each slot's file name and text."""
    from kalan.messages import t

    plan = require_slots(project)
    written = lang in plan.text_languages
    text_lang = lang if written else project.default_lang
    spoken = _spoken_forms(project) if lang == "bm" else {}
    rows = []
    for slot in plan.slots.values():
        lines = slot_text(project, slot, text_lang)
        body = ("<br>".join(html.escape(_say(line, spoken)) for line in lines)
                or html.escape(t("fr", "texte_manquant")))
        status = "✓" if recording_path(project, slot, lang).is_file() else "☐"
        name = f"{html.escape(lang)}-{html.escape(slot.id)}"
        rows.append(f"<tr><td class='etat'>{status}</td><td><code>{name}</code><br>"
                    f"<small>{html.escape(pick(slot.title, 'fr'))}</small></td>"
                    f"<td lang='{text_lang}'>{body}</td></tr>")
    intro = "".join(f"<li>{html.escape(s)}</li>" for s in t("fr", "audio_consignes").split("|"))
    note = "" if written else (
        f"<p class='kalan-avis'>{html.escape(t('fr', 'audio_oral_seul', langue=plan.languages[lang]))}</p>")
    return ("<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
            f"<title>Enregistrements — {html.escape(plan.languages[lang])}</title></head><body class='doc-revue'>"
            f"<h1>Fiche d'enregistrement — {html.escape(plan.languages[lang])} ({html.escape(lang)})</h1>"
            f"<ol>{intro}</ol>{note}<table class='enregistrements'><thead><tr><th></th><th>Nom du fichier</th>"
            f"<th>Texte à dire</th></tr></thead><tbody>{''.join(rows)}</tbody></table></body></html>")


def _spoken_forms(project: Project) -> dict[str, str]:
    """Acronyms and foreign words → their spoken Bambara form (termbase ``oral.bm``)."""
    from kalan.termbase import load_termbase

    forms = {}
    for entry in load_termbase(project).entries:
        spoken = entry.spoken.get("bm")
        if spoken:
            for word in re.findall(r"\b[A-Z][A-Za-z]*[A-Z]+[a-z]*\b", f"{entry.fr} {entry.bm}"):
                forms.setdefault(word, spoken)
    return forms


def _say(line: str, spoken: dict[str, str]) -> str:
    """« VBG » → « VBG [à dire : …] » the first time it appears in a line."""
    for word, form in spoken.items():
        if re.search(rf"\b{re.escape(word)}\b", line):
            line = re.sub(rf"\b{re.escape(word)}\b", f"{word} [à dire : {form}]", line, count=1)
    return line
