"""Printed test documents: question papers, answer sheets, answer keys, oral-administration guide.

They go to ``dist/impression/<FORM>/``, never into the site: the keys and the
sheets are for facilitators and M&E staff only.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

from kalan.i18n import LANG_NAMES
from kalan.quiz.bank import CHOICE, Bank, Item
from kalan.quiz.forms import Form, Variant
from kalan.quiz.sheet import sheet_html, template

QUIZ_CSS = """
body.doc-quiz { font-size: 13pt; line-height: 1.45; }
.quiz-head { border: 0.8pt solid #000; padding: 4pt 8pt; margin-bottom: 10pt; }
.quiz-head p { margin: 2pt 0; }
.item { break-inside: avoid; margin: 0 0 12pt; padding-bottom: 6pt; border-bottom: 0.5pt solid #000; }
.item .stem { font-weight: bold; margin: 0 0 4pt; }
.item ol { list-style: none; padding-left: 0; margin: 0; }
.item li { margin: 3pt 0 3pt 0; padding-left: 10mm; text-indent: -10mm; }
.item .letter { display: inline-block; width: 8mm; font-weight: bold; text-indent: 0; }
.item img { max-height: 35mm; float: right; margin-left: 6pt; }
table.key td.letter { font-weight: bold; font-size: 13pt; text-align: center; }
.oral-note { font-size: 11pt; }
.oral-card { margin: 2pt 0 6pt; }
.oral-card .kalan-image { display: inline-block; width: 55mm; margin: 0; }
.oral-card svg, .oral-card img { width: 50mm; height: 26mm; }
.oral-card figcaption { font-size: 9.5pt; }
.oral-label, .oral-audio { font-size: 9.5pt; font-style: italic; margin: 1pt 0; }
"""

TEXT = {
    "fr": {
        "questionnaire": "Questionnaire", "corrige": "Corrigé — réservé au formateur",
        "consigne": "Pour chaque question, choisissez une seule réponse et noircissez sa bulle sur la "
                    "feuille de réponses. Ne rien écrire sur ce questionnaire.",
        "duree": "Durée", "note": "Note de passage", "sur": "sur", "vrai": "Vrai", "faux": "Faux",
        "question": "Question", "reponse": "Réponse", "objectif": "Objectif",
        "guide": "Guide pour faire passer le test à l'oral",
        "carte_image": "Carte-image à montrer :",
        "enregistrement_oui": "Enregistrement dans cette langue : oui (dossier audio du test).",
        "enregistrement_non": "Enregistrement dans cette langue : pas encore (lire le texte).",
        "min": "minutes",
    },
    "bm": {
        "questionnaire": "Ɲininkaliw", "corrige": "Jaabi ɲumanw — kalanfa dɔrɔn ta",
        "consigne": "Ɲininkali kelen kelen bɛɛ la, jaabi kelen dɔrɔn sugandi ka a bilen fa jaabi sɛbɛn kan. "
                    "I kana foyi sɛbɛn nin papiye in kan.",
        "duree": "Waati", "note": "Tɛmɛni hakɛ", "sur": "kɔnɔ", "vrai": "Tiɲɛ", "faux": "Nkalon",
        "question": "Ɲininkali", "reponse": "Jaabi", "objectif": "Laɲini",
        "guide": "Kɔrɔbɔli kɛcogo da la",
        "carte_image": "Ja karati min ka kan ka jira:",
        "enregistrement_oui": "Kumakan sɛbɛnnen bɛ nin kan na: ɔwɔ (kɔrɔbɔli kumakanw).",
        "enregistrement_non": "Kumakan sɛbɛnnen tɛ nin kan na fɔlɔ: sɛbɛn kalan.",
        "min": "miniti",
    },
}


@dataclass(frozen=True)
class QuizDocument:
    output: Path
    html: str


def _option_text(item: Item, option: str, lang: str) -> str:
    if item.type == CHOICE:
        return item.option(option).text[lang]
    return TEXT[lang][option]


def _document(title: str, running: str, lang: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{QUIZ_CSS}</style></head><body class='doc-quiz'>"
            f"<div class='running'>{html.escape(running)}</div>{body}</body></html>")


def _draft_notice(bank: Bank, lang: str) -> str:
    if lang == "bm" and bank.draft:
        return ("<p class='kalan-avis'>Bamanankan sɛbɛn in ma lajɛ fɔlɔ. — Traduction en attente de "
                "relecture par un locuteur natif.</p>")
    return ""


def question_paper(form: Form, variant: Variant, lang: str, bank: Bank) -> str:
    t = TEXT[lang]
    items = []
    for n, item in enumerate(form.items, 1):
        picture = (f"<img src='{item.pictogram.resolve().as_uri()}' alt=''>" if item.pictogram else "")
        options = "".join(f"<li><span class='letter'>{letter}</span>{html.escape(_option_text(item, o, lang))}</li>"
                          for letter, o in variant.choices(item))
        items.append(f"<div class='item'>{picture}<p class='stem'>{n}. {html.escape(item.stem[lang])}</p>"
                     f"<ol>{options}</ol></div>")
    head = (f"<div class='quiz-head'><p><b>{html.escape(form.title[lang])}</b> — {t['questionnaire']} "
            f"<b>{variant.id}</b> (v{form.version}, {LANG_NAMES[lang]})</p>"
            f"<p>{t['consigne']}</p><p>{t['duree']} : {form.minutes} {t['min']}.</p></div>")
    return _document(f"{variant.id} {t['questionnaire']}", f"{variant.id} · v{form.version} · {LANG_NAMES[lang]}",
                     lang, head + _draft_notice(bank, lang) + "".join(items))


def answer_key(form: Form, variant: Variant, lang: str, bank: Bank) -> str:
    t = TEXT[lang]
    rows = "".join(
        f"<tr><td>{n}</td><td>{item.id}</td><td class='letter'>{variant.key(item)}</td>"
        f"<td>{html.escape(_option_text(item, item.key, lang))}</td><td>{item.objective}</td></tr>"
        for n, item in enumerate(form.items, 1))
    body = (f"<h1>{t['corrige']}</h1><div class='quiz-head'><p><b>{variant.id}</b> · v{form.version} · "
            f"{html.escape(form.title[lang])}</p><p>{t['note']} : {form.pass_mark} {t['sur']} "
            f"{len(form.items)}</p></div>"
            f"<table class='key'><thead><tr><th>N°</th><th>{t['question']}</th><th>{t['reponse']}</th>"
            f"<th></th><th>{t['objectif']}</th></tr></thead><tbody>{rows}</tbody></table>")
    return _document(f"{variant.id} {t['corrige']}", f"{variant.id} · {t['corrige']}", lang,
                     _draft_notice(bank, lang) + body)


ORAL_STEPS = {
    "fr": [
        "Expliquez le but : mesurer ce que la formation apporte, pas juger les personnes. Les résultats "
        "sont anonymes : on utilise le code participant, jamais le nom.",
        "Faites passer le test à une personne à la fois, ou à un petit groupe, dans un endroit calme, "
        "dans la langue choisie par la personne (français, bambara, ou interprétation en fulfulde, "
        "jamsay, songhay).",
        "Lisez chaque question et toutes ses options deux fois, sur le même ton : votre voix ne doit pas "
        "montrer la bonne réponse. Montrez la carte-pictogramme si elle existe.",
        "La personne répond par la lettre ou en répétant l'option. Vous noircissez la bulle pour elle "
        "sur sa feuille de réponses, et vous cochez « Oral » et la langue utilisée.",
        "Si la personne ne sait pas, laissez la question vide : n'aidez pas, ne reformulez pas la réponse.",
        "Ne donnez pas les bonnes réponses après un pré-test : elles viennent pendant la formation.",
    ],
    "bm": [
        "A fɔ kalandenw ye ko kɔrɔbɔli in bɛ kalan nafa jira, a tɛ mɔgɔ jalaki. Tɔgɔ tɛ sɛbɛn: kode dɔrɔn.",
        "Kɔrɔbɔli kɛ ni mɔgɔ kelen ye walima jɛkulu fitinin ye, yɔrɔ sumalen na, kan min ka di mɔgɔ ye.",
        "Ɲininkali ni a jaabiw bɛɛ kalan siɲɛ fila, kan kelen na: i kana jaabi ɲuman jira i kan na.",
        "Mɔgɔ bɛ jaabi ni a lɛtɛrɛ ye walima ka jaabi segin. I bɛ bilen fa a ye, ka « Da la » ani kan sugandi.",
        "Ni mɔgɔ ma a dɔn, ɲininkali to lankolon: i kana a dɛmɛ.",
        "Kɔrɔbɔli fɔlɔ kɔfɛ, i kana jaabi ɲumanw fɔ: u bɛ fɔ kalan senfɛ.",
    ],
}


def oral_guide(form: Form, lang: str, bank: Bank, pictures: dict[tuple[str, str], str] | None = None,
               recorded: set[tuple[str, str]] | None = None) -> str:
    """How to give the test aloud; each item shows its picture card and says whether it has a recording
    in this language (`recorded`: (language, slot id) pairs, slot id = item id)."""
    t = TEXT[lang]
    pictures = pictures or {}
    steps = "".join(f"<li>{html.escape(s)}</li>" for s in ORAL_STEPS[lang])

    def extras(item_id: str) -> str:
        card = pictures.get((item_id, lang), "")
        card = f"<div class='oral-card'><p class='oral-label'>{t['carte_image']}</p>{card}</div>" if card else ""
        if recorded is None:
            return card
        audio = t["enregistrement_oui"] if (lang, item_id) in recorded else t["enregistrement_non"]
        return f"{card}<p class='oral-audio'>{audio}</p>"

    notes = "".join(
        f"<div class='item'><p class='stem'>{n}. {html.escape(item.stem[lang])}</p>"
        f"<p class='oral-note'>{html.escape(item.oral.get(lang, ''))}</p>{extras(item.id)}</div>"
        for n, item in enumerate(form.items, 1))
    body = f"<h1>{t['guide']} — {form.id}</h1><ol>{steps}</ol>{notes}"
    return _document(t["guide"], f"{form.id} · {t['guide']}", lang, _draft_notice(bank, lang) + body)


def print_set(form: Form, bank: Bank, out_dir: Path, prefixes: tuple[str, ...],
              langs: tuple[str, ...], pictures: dict[tuple[str, str], str] | None = None,
              recorded: set[tuple[str, str]] | None = None) -> list[QuizDocument]:
    """Every printed document of one form, plus the answer-sheet templates (written now)."""
    folder = out_dir / form.id
    docs: list[QuizDocument] = []
    for variant in form.variants:
        docs.append(QuizDocument(folder / f"{variant.id}-feuille-reponses.pdf",
                                 sheet_html(form, variant, prefixes)))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{variant.id}-feuille-reponses.json").write_text(
            json.dumps(template(form, variant, prefixes), ensure_ascii=False, indent=1), encoding="utf-8")
        for lang in langs:
            docs.append(QuizDocument(folder / f"{variant.id}-questionnaire-{lang}.pdf",
                                     question_paper(form, variant, lang, bank)))
            docs.append(QuizDocument(folder / f"{variant.id}-corrige-{lang}.pdf",
                                     answer_key(form, variant, lang, bank)))
    for lang in langs:
        docs.append(QuizDocument(folder / f"{form.id}-guide-oral-{lang}.pdf",
                                 oral_guide(form, lang, bank, pictures, recorded)))
    return docs
