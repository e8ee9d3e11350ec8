"""The pages of one input file as grey images: a phone photo (JPEG, PNG…) is one page, a scanner
PDF gives one image per page (rasterised by poppler's pdftoppm)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from kalan.errors import KalanError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp")
PDF_SUFFIX = ".pdf"
MAX_SIDE = 2600  # larger photos are reduced first: the sheet still gets ≥ 8 pixels per millimetre
PDF_DPI = 150


@dataclass(frozen=True)
class Page:
    file: str  # the file's name
    number: int  # 1 for a photo, the page number in a PDF
    image: np.ndarray  # grey, uint8

    @property
    def label(self) -> str:
        return self.file if self.number == 1 and not self.file.lower().endswith(PDF_SUFFIX) \
            else f"{self.file}, page {self.number}"


def input_files(folder: Path) -> list[Path]:
    """Photos and PDFs of `folder` (not its sub-folders), in name order."""
    if not folder.is_dir():
        raise KalanError(f"{folder} : dossier introuvable")
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in (*IMAGE_SUFFIXES, PDF_SUFFIX) and not p.name.startswith("."))


def _reduce(image: np.ndarray) -> np.ndarray:
    side = max(image.shape[:2])
    if side <= MAX_SIDE:
        return image
    scale = MAX_SIDE / side
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def decode_image(data: bytes) -> np.ndarray | None:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    return None if image is None or image.size == 0 else _reduce(image)


def load_pages(path: Path, data: bytes | None = None) -> list[Page]:
    """Every page of `path`; a KalanError naming the file when it cannot be read as an image."""
    data = path.read_bytes() if data is None else data
    if path.suffix.lower() == PDF_SUFFIX or data[:5] == b"%PDF-":
        return _pdf_pages(path, data)
    image = decode_image(data)
    if image is None:
        raise KalanError(f"{path.name} : ce fichier n'est pas une image lisible (JPEG, PNG…)")
    return [Page(path.name, 1, image)]


def _pdf_pages(path: Path, data: bytes) -> list[Page]:
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise KalanError(f"{path.name} : pour lire un PDF, installez poppler-utils "
                         "(sudo apt-get install poppler-utils), ou donnez les pages en JPEG ou PNG")
    with tempfile.TemporaryDirectory(prefix="kalan-pdf-") as tmp:
        source = Path(tmp) / "source.pdf"
        source.write_bytes(data)
        done = subprocess.run([tool, "-r", str(PDF_DPI), "-gray", "-png", str(source), str(Path(tmp) / "page")],
                              capture_output=True, text=True)
        files = sorted(Path(tmp).glob("page*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[-1]))
        if done.returncode != 0 or not files:
            raise KalanError(f"{path.name} : PDF illisible ou abîmé ({done.stderr.strip()[:200] or 'aucune page'})")
        pages = []
        for n, file in enumerate(files, 1):
            image = decode_image(file.read_bytes())
            if image is not None:
                pages.append(Page(path.name, n, image))
    return pages
