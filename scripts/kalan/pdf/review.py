"""Side-by-side review sheets for Bambara translators, printed to work on paper offline.

One PDF per Bambara page (A4 landscape), and one per module for the participant text that
lives in data (manifest ``participant:`` and ``a_retenir:``, the module's cards): the author's questions for the native
reviewer (front matter ``questions_relecture``), then French paragraph | Bambara
paragraph | an empty back-translation column, where a second speaker who has not
seen the French writes what the Bambara says (differences show meaning drift) |
room for corrections; then a sign-off box. The reviewer's corrections are typed back
into the page and its front matter set to ``traduction: relue`` with
``relu_par`` and ``date`` — which removes the draft banner on site and in print.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from kalan.config import Project
from kalan.manifests import Curriculum, Module
from kalan.markdown_render import MarkdownRenderer
from kalan.pdf.render import PrintJob, PrintStyle
from kalan.translations import read_page, reviewer_questions

MARKER_LINE = re.compile(r"^\s*<!--.*-->\s*$")
BLOCK_START = re.compile(r"^(!!!|\?\?\?|===)")


def split_blocks(markdown: str) -> list[str]:
    """Paragraph-level blocks; an admonition or tab stays whole with its indented body."""
    blocks: list[str] = []
    current: list[str] = []
    in_fence = container = False

    def flush() -> None:
        nonlocal current, container
        text = "\n".join(current).strip("\n")
        if text.strip():
            blocks.append(text)
        current, container = [], False

    for line in markdown.split("\n"):
        if in_fence or line.strip().startswith(("```", "~~~")):
            if line.strip().startswith(("```", "~~~")):
                in_fence = not in_fence
            current.append(line)
            continue
        if MARKER_LINE.match(line):
            continue
        if container and line.strip() and not line.startswith((" ", "\t")):
            flush()
        if BLOCK_START.match(line):
            flush()
            current, container = [line], True
        elif not line.strip() and not container:
            flush()
        else:
            current.append(line)
    flush()
    return blocks


def pages_to_review(project: Project, curriculum: Curriculum, module_id: str | None) -> list[str]:
    bm_dir = project.lang_dir("bm")
    pages = sorted(p.relative_to(bm_dir).as_posix() for p in bm_dir.rglob("*.md"))
    if module_id:
        module = curriculum.by_id(module_id.upper())
        if module is None:
            from kalan.errors import KalanError

            raise KalanError(f"module inconnu : {module_id} "
                             f"(modules : {', '.join(m.id for m in curriculum.modules)})")
        pages = [p for p in pages if p.startswith(f"{module.folder}/")]
    return pages


def _questions(asked: list[str] | tuple[str, ...]) -> str:
    if not asked:
        return ""
    items = "".join(f"<li>{html.escape(q)}<br>Réponse : …………………………………………………………………………………………</li>" for q in asked)
    return f"<section class='questions-relecture'><h2>Questions pour la relecture</h2><ol>{items}</ol></section>"


def _row(french: str, bambara: str, label: str = "") -> str:
    head = f"<p><strong>{html.escape(label)}</strong></p>" if label else ""
    return (f"<tr><td>{head}{french}</td><td lang='bm'>{bambara}</td><td class='corrections'></td>"
            "<td class='corrections'></td></tr>")


def _sheet(title: str, shown: str, status: str, introduction: str, rows: list[str], before_table: str) -> str:
    return (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>Relecture — {html.escape(title)}</title></head><body class='doc-revue'>"
        f"<div class='running'>Relecture du bambara — {html.escape(shown)}</div>"
        f"<h1>Relecture : {html.escape(title)}</h1>"
        f"<p>Fichier : <code>{html.escape(shown)}</code> — état actuel : <strong>{html.escape(status)}"
        f"</strong>. {introduction}</p>"
        f"{before_table}<table class='revue'><thead><tr><th>Français</th><th>Bamanankan</th>"
        "<th>Retraduction en français (par une 2<sup>e</sup> personne, sans lire le français)</th>"
        f"<th>Corrections</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "<div class='signature'><p><strong>Relecture (à remplir par la relectrice ou le relecteur)</strong>"
        "</p><p>Relu par : ……………………………………………… Langue maternelle : ……………………</p>"
        "<p>Date : ……… / ……… / ………………   Signature : ………………………………</p>"
        "<p>☐ Relu, aucune correction   ☐ Relu, corrections à saisir</p></div></body></html>"
    )


def review_html(project: Project, renderer: MarkdownRenderer, rel: str) -> str:
    _, fr_body = read_page(project.lang_dir("fr") / rel)
    bm_meta, bm_body = read_page(project.lang_dir("bm") / rel)
    french, bambara = split_blocks(fr_body), split_blocks(bm_body)
    rows = [_row(*(renderer.render(blocks[i]) if i < len(blocks) else "" for blocks in (french, bambara)))
            for i in range(max(len(french), len(bambara)))]
    warning = ""
    if len(french) != len(bambara):
        warning = (f"<p class='kalan-avis'>Le texte français a {len(french)} paragraphes, le texte bambara "
                   f"{len(bambara)} : vérifiez l'alignement des lignes.</p>")
    return _sheet(rel, f"docs/bm/{rel}", str(bm_meta.get("traduction", "?")),
                  "Corrigez le bambara dans la colonne de droite ; ne modifiez pas le français.", rows,
                  _questions(reviewer_questions(bm_meta)) + warning)


def participant_text_html(project: Project, renderer: MarkdownRenderer, module: Module) -> str | None:
    """One sheet for what participants read of a module that lives in data: the plain objectives,
    key messages and « À retenir » of the manifest, and the module's cards. None if there is none."""
    from kalan.cards import cards_for

    def lines(block: dict[str, tuple[str, ...]], label: str) -> list[str]:
        fr, bm = block.get("fr", ()), block.get("bm", ())
        return [_row(renderer.render(fr[i]) if i < len(fr) else "", renderer.render(bm[i]) if i < len(bm) else "",
                     f"{label} {i + 1}") for i in range(max(len(fr), len(bm)))]

    rows = lines(module.participant.objectives, "Objectif")
    rows += lines(module.participant.key_messages, "Message clé")
    for session in module.sessions:
        rows += lines(session.key_points, f"{session.id} À retenir")
    card_set = cards_for(project)
    series = card_set.of_module(module.id)
    for entry in series:
        rows.append(_row(html.escape(entry.title.get("fr", "")), html.escape(entry.title.get("bm", "")),
                         f"{entry.id} (titre de la série)"))
        for card in entry.cards:
            text = {lang: (f"<strong>{html.escape(card.title[lang])}.</strong> " if lang in card.title else "")
                    + html.escape(card.text.get(lang, "")) for lang in ("fr", "bm")}
            rows.append(_row(text["fr"], text["bm"], card.id))
    if not rows:
        return None
    asked = list(module.participant.reviewer_questions)
    for entry in {s.source for s in series}:
        asked += card_set.questions.get(entry, ())
    shown = module.source.relative_to(project.root).as_posix()
    files = " et ".join([shown, *sorted({s.source for s in series})])
    return _sheet(f"{module.id} — texte des participants et cartes", files, "brouillon",
                  "Ce texte est imprimé pour les participants (dossier et cartes). Corrigez le bambara dans la "
                  "colonne de droite ; ne modifiez pas le français.", rows, _questions(asked))


def review_jobs(project: Project, curriculum: Curriculum, out_dir: Path, style: PrintStyle,
                module_id: str | None = None) -> list[PrintJob]:
    renderer = MarkdownRenderer(project.root / "mkdocs.yml")
    jobs = []
    for rel in pages_to_review(project, curriculum, module_id):
        if not (project.lang_dir("fr") / rel).is_file():
            continue
        name = rel.removesuffix(".md").replace("/", "-") + ".pdf"
        jobs.append(style.job(out_dir / name, review_html(project, renderer, rel)))
    for module in curriculum.modules:
        if module_id and module.id != module_id.upper():
            continue
        sheet = participant_text_html(project, renderer, module)
        if sheet:
            jobs.append(style.job(out_dir / f"{module.folder}-texte-participants.pdf", sheet))
    return jobs
