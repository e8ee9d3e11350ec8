"""Side-by-side review sheets for Bambara translators, printed to work on paper offline.

One PDF per Bambara page (A4 landscape): the author's questions for the native
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
from kalan.manifests import Curriculum
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


def review_html(project: Project, renderer: MarkdownRenderer, rel: str) -> str:
    _, fr_body = read_page(project.lang_dir("fr") / rel)
    bm_meta, bm_body = read_page(project.lang_dir("bm") / rel)
    french, bambara = split_blocks(fr_body), split_blocks(bm_body)
    rows = []
    for i in range(max(len(french), len(bambara))):
        cells = [renderer.render(blocks[i]) if i < len(blocks) else "" for blocks in (french, bambara)]
        rows.append(f"<tr><td>{cells[0]}</td><td lang='bm'>{cells[1]}</td><td class='corrections'></td>"
                    "<td class='corrections'></td></tr>")
    warning = ""
    if len(french) != len(bambara):
        warning = (f"<p class='kalan-avis'>Le texte français a {len(french)} paragraphes, le texte bambara "
                   f"{len(bambara)} : vérifiez l'alignement des lignes.</p>")
    status = bm_meta.get("traduction", "?")
    questions = ""
    if asked := reviewer_questions(bm_meta):
        items = "".join(f"<li>{html.escape(q)}<br>Réponse : …………………………………………………………………………………………</li>"
                        for q in asked)
        questions = (f"<section class='questions-relecture'><h2>Questions pour la relecture</h2>"
                     f"<ol>{items}</ol></section>")
    return (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>Relecture — {html.escape(rel)}</title></head><body class='doc-revue'>"
        f"<div class='running'>Relecture du bambara — docs/bm/{html.escape(rel)}</div>"
        f"<h1>Relecture : {html.escape(rel)}</h1>"
        f"<p>Fichier : <code>docs/bm/{html.escape(rel)}</code> — état actuel : <strong>{html.escape(status)}"
        "</strong>. Corrigez le bambara dans la colonne de droite ; ne modifiez pas le français.</p>"
        f"{questions}{warning}<table class='revue'><thead><tr><th>Français</th><th>Bamanankan</th>"
        "<th>Retraduction en français (par une 2<sup>e</sup> personne, sans lire le français)</th>"
        f"<th>Corrections</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "<div class='signature'><p><strong>Relecture (à remplir par la relectrice ou le relecteur)</strong>"
        "</p><p>Relu par : ……………………………………………… Langue maternelle : ……………………</p>"
        "<p>Date : ……… / ……… / ………………   Signature : ………………………………</p>"
        "<p>☐ Relu, aucune correction   ☐ Relu, corrections à saisir</p></div></body></html>"
    )


def review_jobs(project: Project, curriculum: Curriculum, out_dir: Path, style: PrintStyle,
                module_id: str | None = None) -> list[PrintJob]:
    renderer = MarkdownRenderer(project.root / "mkdocs.yml")
    jobs = []
    for rel in pages_to_review(project, curriculum, module_id):
        if not (project.lang_dir("fr") / rel).is_file():
            continue
        name = rel.removesuffix(".md").replace("/", "-") + ".pdf"
        jobs.append(style.job(out_dir / name, review_html(project, renderer, rel)))
    return jobs
