"""Assessment documents beyond the test forms, for trainers and M&E only (``dist/impression/``):
the end-of-module oral checks (with expected answers), the counterbalanced plan of parallel forms,
and the observation sheets, scenario cards and capture files of the PFA competency checklist."""

from __future__ import annotations

import html
from pathlib import Path

from kalan.config import Project
from kalan.datafile import load_yaml
from kalan.errors import KalanError
from kalan.quiz.bank import CHOICE, Bank
from kalan.quiz.compose import CHECKS_DIR
from kalan.quiz.forms import Form
from kalan.quiz.paper import QuizDocument, _document, _draft_notice, _option_text

WORDS = {
    "fr": {"verif": "Vérification orale de fin de module", "attendu": "Réponse attendue",
           "consigne": "Pour le formateur seulement. Posez 4 à 6 questions à voix haute en 10 minutes, à tout le "
                       "groupe ; laissez répondre, puis donnez la réponse et expliquez. Rien n'est noté : ces "
                       "questions ne sont pas celles du test.",
           "plan": "Plan de passation contrebalancé", "pre": "Pré-test", "post": "Post-test",
           "pair": "Codes qui finissent par 0, 2, 4, 6 ou 8", "impair": "Codes qui finissent par 1, 3, 5, 7 ou 9",
           "regle": "La moitié du groupe passe la forme A avant la formation et la forme B après ; l'autre moitié "
                    "fait l'inverse. Le dernier chiffre du code décide : on ne choisit jamais à la main."},
    "bm": {"verif": "Kalan laban ɲininkaliw da la", "attendu": "Jaabi ɲuman",
           "consigne": "Kalanfa dɔrɔn ta. Ɲininkali 4 fo 6 kɛ da la miniti 10 kɔnɔ, jɛkulu bɛɛ ye; u ka jaabi, o kɔ "
                       "jaabi ɲuman fɔ ka a kɔrɔ ɲɛfɔ. Foyi tɛ jate: nin ɲininkaliw tɛ kɔrɔbɔli ta ye.",
           "plan": "Kɔrɔbɔli cogo fila sira", "pre": "Kalan ɲɛ", "post": "Kalan kɔfɛ",
           "pair": "Kode minnu laban ye 0, 2, 4, 6 walima 8 ye", "impair": "Kode minnu laban ye 1, 3, 5, 7 walima 9 ye",
           "regle": "Jɛkulu tilancɛ bɛ cogo A kɛ kalan ɲɛ, ka cogo B kɛ kalan kɔfɛ; tilancɛ tɔ bɛ a kɛ ka a "
                    "falen. Kode laban nimɔrɔ de bɛ a latigɛ."},
}


def oral_check_documents(project: Project, bank: Bank, out_dir: Path, langs: tuple[str, ...]) -> list[QuizDocument]:
    """One document per file of ``quizzes/verifications/`` and language: a section per module."""
    from kalan.manifests import load_curriculum

    folder = project.root / CHECKS_DIR
    modules = {m.id: m for m in load_curriculum(project).modules}
    docs = []
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        checks = data.get("modules") or {}
        unknown = [i for ids in checks.values() for i in ids if i not in bank.items]
        if unknown:
            raise KalanError(f"{path.relative_to(project.root)} : questions inconnues {', '.join(unknown)}")
        for lang in langs:
            w = WORDS[lang]
            sections = []
            for module_id, ids in checks.items():
                title = modules[module_id].label(lang) if module_id in modules else module_id
                items = "".join(
                    f"<div class='item'><p class='stem'>{n}. {html.escape(bank.items[i].stem[lang])}</p>"
                    + ("<ol type='a'>" + "".join(f"<li>{html.escape(o.text[lang])}</li>" for o in bank.items[i].options)
                       + "</ol>" if bank.items[i].type == CHOICE else "")
                    + f"<p class='oral-note'><strong>{w['attendu']} :</strong> "
                      f"{html.escape(_option_text(bank.items[i], bank.items[i].key, lang))}</p></div>"
                    for n, i in enumerate(ids, 1))
                sections.append(f"<section class='verification'><h2>{html.escape(title)}</h2>{items}</section>")
            body = f"<h1>{w['verif']}</h1><p>{w['consigne']}</p>{''.join(sections)}"
            docs.append(QuizDocument(out_dir / "verifications" / f"{path.stem}-verifications-orales-{lang}.pdf",
                                     _document(w["verif"], w["verif"], lang, _draft_notice(bank, lang) + body)))
    return docs


def counterbalance_documents(forms: list[Form], out_dir: Path, langs: tuple[str, ...]) -> list[QuizDocument]:
    """For each pair of parallel forms (PP2A, PP2B): the one-page plan of who takes which, when."""
    ids = {f.id for f in forms}
    docs = []
    for form in forms:
        if not form.id.endswith("A") or f"{form.id[:-1]}B" not in ids:
            continue
        base = form.id[:-1]
        for lang in langs:
            w = WORDS[lang]
            rows = (f"<tr><td>{w['pair']}</td><td>{base}A-PRE</td><td>{base}B-POST</td></tr>"
                    f"<tr><td>{w['impair']}</td><td>{base}B-PRE</td><td>{base}A-POST</td></tr>")
            body = (f"<h1>{w['plan']} — {base}A / {base}B</h1><p>{w['regle']}</p>"
                    f"<table class='key'><thead><tr><th></th><th>{w['pre']}</th><th>{w['post']}</th></tr></thead>"
                    f"<tbody>{rows}</tbody></table>")
            docs.append(QuizDocument(out_dir / f"{base}-plan-de-passation-{lang}.pdf",
                                     _document(w["plan"], f"{base} · {w['plan']}", lang, body)))
    return docs


def observation_documents(project: Project, out_dir: Path, langs: tuple[str, ...]) -> list[QuizDocument]:
    """Observation sheets and scenario cards per checklist and language; writes the capture files now."""
    from kalan.quiz.observation import (
        observation_sheet_html,
        require_checklists,
        scenario_cards_html,
        write_observation_workbook,
        write_observation_xlsform,
    )

    docs = []
    for checklist in require_checklists(project):
        folder = out_dir / checklist.id
        write_observation_workbook(checklist, folder / f"{checklist.id}-saisie.xlsx", project.code_prefixes)
        write_observation_xlsform(checklist, folder / f"{checklist.id}-xlsform.xlsx", project.code_prefixes)
        for lang in langs:
            docs.append(QuizDocument(folder / f"{checklist.id}-observation-{lang}.pdf",
                                     observation_sheet_html(checklist, lang, project.code_prefixes)))
            docs.append(QuizDocument(folder / f"{checklist.id}-scenario-{lang}.pdf",
                                     scenario_cards_html(checklist, lang)))
    return docs

