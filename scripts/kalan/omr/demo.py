"""A few phone photos for `kalan exemple`: the answer sheets of the invented people whose test was not
typed (they photographed their sheet instead), one of them with a faint mark to check, and a photo
that is no answer sheet. Everything is invented."""

from __future__ import annotations

import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from kalan.omr import synthetic
from kalan.omr.template import sheet_for
from kalan.quiz.forms import Form
from kalan.quiz.sheet import sheet_html

PHOTOS = "photos"


@lru_cache(maxsize=8)
def _blank(html: str) -> np.ndarray:
    """The printed sheet (WeasyPrint, like `kalan quiz imprimer`), rendered as an image."""
    import weasyprint

    with tempfile.TemporaryDirectory(prefix="kalan-exemple-") as tmp:
        pdf = Path(tmp) / "feuille.pdf"
        weasyprint.HTML(string=html).write_pdf(pdf)
        return synthetic.render_pdf(pdf)


def write_example_photos(form: Form, people: list, answers: list, folder: Path, prefixes: tuple[str, ...],
                         seed: int = 2026) -> list[Path]:
    """Photos in `folder/photos/` of the pre- and post-test sheets missing from `answers`
    (nothing if poppler's pdftoppm, which renders the sheet, is not installed)."""
    if shutil.which("pdftoppm") is None:
        return []
    rng = np.random.default_rng(seed)
    taken = {(a.person.code, a.phase) for a in answers}
    missing = [(p, phase) for p in people for phase in ("pre", "post") if (p.code, phase) not in taken]
    out = folder / PHOTOS
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for n, (person, phase) in enumerate(missing, 1):
        variant = form.variant(phase)
        layout = sheet_for(form, variant, prefixes, None)
        truth = synthetic.random_truth(layout, rng, [person.code], blank_rate=0.04)
        traps = {layout.items[4]: "faible"} if n == 1 else {}  # one faint mark: that sheet goes to review
        sheet = synthetic.fill_sheet(_blank(sheet_html(form, variant, prefixes)), layout, truth, rng, traps)
        params = synthetic.random_params(rng)
        path = out / f"IMG_20261008_{n:04d}.jpg"
        path.write_bytes(synthetic.photograph(sheet, params, rng))
        written.append(path)
    decoy = out / "IMG_20261008_0099.jpg"  # the table, not a sheet: kalan refuses it
    decoy.write_bytes(synthetic.not_a_sheet(rng))
    return [*written, decoy]
