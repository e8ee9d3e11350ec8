"""The phone edition: one Kiwix ZIM file per language, made from the built site.

Entries keep the site's own paths (``m1/index.html``, ``bm/m1/index.html``,
``assets/…``, ``pdf/bm/…``), so every relative link of a page resolves inside
the ZIM without rewriting it: a Bambara page's ``../../assets/…`` and
``../../pdf/bm/…`` land on entries of the same file. A page keeps everything
except what cannot work in a single-language ZIM read by Kiwix:

* the language switch and ``<link rel="alternate">`` (the other language is in
  the other ZIM file; Material would also fetch ``sitemap.xml`` for them);
* Material's search box and the scripts that serve it (Kiwix has its own
  full-text search, built here by libzim).

Every internal link and asset of every page is then checked against the
entries: a link that leaves the language, or points at a missing file, stops
the build with the page and the link, like mkdocs' strict mode does.

Indexing: libzim turns the ISO 639-3 code given to ``config_indexing`` into a
Xapian stemmer through ICU (``fra`` → ``fr``, ``bam`` → ``bm``) and looks up a
stop-word list. ``fra`` gets the French Snowball stemmer (« baobabiers » finds
« baobabier »). Xapian has no ``bm`` stemmer and libzim no Bambara stop words,
so Bambara words are indexed as written, only lower-cased: « sa » (death) and
« ni » stay searchable, and no French stemmer cuts Bambara words (indexed as
``fra``, the Bambara pages would answer « baobabiers »). Pages are indexed from
their article only (not the navigation, which lists every title on every page),
folded the way libzim folds queries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import posixpath
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from kalan.config import Project
from kalan.errors import KalanError

#: ISO 639-3 codes, for the ``Language`` metadata and libzim's indexer.
ZIM_LANGUAGE = {"fr": "fra", "bm": "bam"}

#: Metadata shown by Kiwix in its library (Title ≤ 30 characters, Description ≤ 80).
#: The Bambara texts are drafts, like every Bambara text of the project.
METADATA_TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "Title": "kalan — premiers répondants",
        "Description": "Premiers répondants de Koro et Douentza : PSP, protection, orientation sûre",
        "LongDescription": (
            "Programme de formation des premiers répondants des cercles de Koro et de Douentza "
            "(région de Mopti, Mali) : premiers secours psychologiques, approche psychosociale, "
            "monitoring de protection, orientation sûre des survivantes et survivants de violences, "
            "vulnérabilités spécifiques. Pages des séances, fiches, agenda, glossaire et PDF à imprimer."
        ),
    },
    "bm": {
        "Title": "kalan — dɛmɛbaga fɔlɔw",
        "Description": "Koro ni Douentza dɛmɛbaga fɔlɔw ka kalan (bamanankan, sɛbɛn fɔlɔ)",
        "LongDescription": (
            "Koro ni Douentza sɛrɛkiliw (Mopti mara) dɛmɛbaga fɔlɔw ka kalan porogaramu : "
            "kalansenw, sɛbɛnninw, kalan waatiw, daɲɛgafe ani sɛbɛn minnu bɛ se ka gosi (PDF)."
        ),
    },
}
CREATOR = "kalan"
PUBLISHER = "kalan"
FLAVOUR = "maxi"  # every page, its assets and every PDF of the language
TAGS = ("kalan", "formation", "protection", "premiers secours psychologiques",
        "_category:other", "_pictures:yes", "_videos:no", "_details:yes", "_ftindex:yes")

# Scripts that only serve Material's search or file:// browsing (see mkdocs.yml, extra.polyfills).
_DROPPED_SCRIPTS = ("iframe-worker-shim.js", "kalan-file-guard.js", "kalan-search-input.js",
                    "kalan-search-lang.js")

# Explicit types: the system's mimetypes table differs between machines (woff2, js),
# and Kiwix treats only "text/html" as a page.
_MIMETYPES = {
    ".html": "text/html", ".css": "text/css", ".js": "application/javascript",
    ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
    ".ico": "image/x-icon", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
    ".pdf": "application/pdf", ".txt": "text/plain", ".xml": "application/xml",
    # field recordings (kalan:ecouter) are Ogg Opus; the others are what phones record
    ".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg", ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4", ".wav": "audio/wav", ".webm": "audio/webm", ".mp4": "video/mp4",
}
_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


@dataclass(frozen=True)
class ZimBuild:
    """One written ZIM file."""

    lang: str
    path: Path
    pages: int
    entries: int
    size: int  # bytes


@dataclass
class ZimEntry:
    """One entry of a ZIM file: a page (rewritten, indexed) or a file copied as it is."""

    path: str  # inside the ZIM, same as in the site
    source: Path
    mimetype: str
    title: str = ""
    content: bytes | None = None  # rewritten page; None: the file as it is
    text: str = ""  # what the full-text index reads (a page's article)

    @property
    def is_page(self) -> bool:
        return self.mimetype == "text/html"


@dataclass
class ZimPlan:
    """What goes into one language's ZIM, with every link already checked."""

    lang: str
    main_path: str
    entries: list[ZimEntry] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return sum(1 for e in self.entries if e.is_page)


def zim_path(project: Project, lang: str) -> Path:
    """``dist/zim/kalan-<lang>.zim``; kiwix-serve names the book after the file (``kalan-bm``)."""
    return project.out_dir / "zim" / f"kalan-{lang}.zim"


def mimetype_of(path: str) -> str:
    return _MIMETYPES.get(posixpath.splitext(path)[1].lower(), "application/octet-stream")


class _PageReader(HTMLParser):
    """One pass over a built page: what to cut, what it links to, its title and its text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self._text = text
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.cuts: list[tuple[int, int]] = []  # [start, end) offsets removed from the page
        self.refs: list[tuple[int, str]] = []  # (offset, href or src)
        self.h1 = ""
        self.title = ""
        self.article: list[str] = []
        self._cutting: tuple[str, int, int] | None = None  # tag, depth, start offset
        self._in_title = self._in_h1 = False
        self._article_depth = 0
        self._skipping: list[str] = []  # inside <script>, <style> or a heading's ¶ link
        self._h1_done = False

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _should_cut(self, tag: str, attrs: dict[str, str]) -> bool:
        classes = attrs.get("class", "").split()
        if tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs:
            return True
        if tag == "div" and ("md-select" in classes or attrs.get("data-md-component") == "search"):
            return True
        if tag == "label" and attrs.get("for") == "__search":
            return True
        return tag == "script" and attrs.get("src", "").endswith(_DROPPED_SCRIPTS)

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attr_list}
        start = self._offset()
        if self._cutting:
            if tag == self._cutting[0]:
                self._cutting = (tag, self._cutting[1] + 1, self._cutting[2])
            return
        if self._should_cut(tag, attrs):
            if tag == "link":  # a void element: the cut ends with its start tag
                self.cuts.append((start, start + len(self.get_starttag_text() or "")))
            else:
                self._cutting = (tag, 1, start)
            return
        for name in ("href", "src", "poster"):
            if attrs.get(name):
                self.refs.append((start, attrs[name]))
        for candidate in attrs.get("srcset", "").split(","):
            if candidate.strip():
                self.refs.append((start, candidate.split()[0]))
        if tag == "title":
            self._in_title = True
        elif tag == "article":
            self._article_depth += 1
        elif tag == "h1" and self._article_depth and not self._h1_done:
            self._in_h1 = True
        if tag in ("script", "style") or (tag == "a" and "headerlink" in attrs.get("class", "").split()):
            self._skipping.append(tag)
        if self._article_depth and tag in ("p", "li", "br", "h1", "h2", "h3", "h4", "td", "th", "div"):
            self.article.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self._cutting and self._cutting[0] == tag:  # <div/> would never close
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._cutting:
            if tag == self._cutting[0]:
                depth = self._cutting[1] - 1
                if depth == 0:
                    end = self._text.index(">", self._offset()) + 1
                    self.cuts.append((self._cutting[2], end))
                    self._cutting = None
                else:
                    self._cutting = (tag, depth, self._cutting[2])
            return
        if tag == "title":
            self._in_title = False
        elif tag == "article":
            self._article_depth = max(0, self._article_depth - 1)
        elif tag == "h1" and self._in_h1:
            self._in_h1, self._h1_done = False, True
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if self._cutting:
            return
        if self._in_title:
            self.title += data
        if self._skipping:
            return
        if self._in_h1:
            self.h1 += data
        if self._article_depth:
            self.article.append(data)

    def cut_text(self) -> str:
        parts, position = [], 0
        for start, end in sorted(self.cuts):
            parts.append(self._text[position:start])
            position = end
        parts.append(self._text[position:])
        return "".join(parts)

    def kept_refs(self) -> list[str]:
        return [ref for offset, ref in self.refs if not any(s <= offset < e for s, e in self.cuts)]


def read_page(text: str) -> _PageReader:
    reader = _PageReader(text)
    reader.feed(text)
    reader.close()
    return reader


def _squash(text: str) -> str:
    return " ".join(text.split())


def fold(text: str) -> str:
    """Lower-case and drop combining marks, as libzim folds every query (« Première » → « premiere »).

    libzim folds the text it extracts from HTML itself, but indexes a custom IndexData
    as given: without this, no accented word of the French pages could be found.
    ɛ ɔ ɲ ŋ carry no combining mark and stay as they are.
    """
    decomposed = unicodedata.normalize("NFD", text.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


_ELIDED = re.compile(r"\w['’ʼ](\w[\w'’ʼ]*)")


def index_text(text: str) -> str:
    """What the full-text index reads for a page: its text, folded, plus each elided word alone.

    Xapian keeps « l'herbier » and « k'ɲɛnajɛbaro » as single words, so a search for
    « herbier » would miss them; the words after the apostrophe are added once more.
    """
    alone = [part for match in _ELIDED.finditer(text) for part in re.split("['’ʼ]", match.group(1)) if part]
    return fold(" ".join([text, *alone]))


def _is_page_of(rel: str, lang: str, default_lang: str, langs: Iterable[str]) -> bool:
    """Whether `rel` (a path in the site) is an HTML page of `lang` (404.html belongs to none)."""
    if not rel.endswith(".html") or rel == "404.html":
        return False
    head = rel.split("/", 1)[0]
    if lang == default_lang:
        return "/" not in rel or head not in langs
    return head == lang and "/" in rel


def _resolve(base: str, ref: str) -> str | None:
    """The site path `ref` points to from the entry `base`; None for external links and anchors.

    ``"\\0"`` stands for a link that climbs above the site's root.
    """
    if not ref or ref.startswith("#") or _EXTERNAL.match(ref):
        return None
    target = unquote(ref.split("#", 1)[0].split("?", 1)[0])
    if not target:
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), target))
    if joined.startswith("../") or joined == "..":
        return "\0"
    return joined


def plan_zim(site_dir: Path, lang: str, default_lang: str, langs: Iterable[str]) -> ZimPlan:
    """Choose the entries of `lang`'s ZIM from the built site and check every link they hold.

    Pages of the language are rewritten (see the module docstring); every file they
    reference (CSS, scripts, images, fonts, PDFs, and what the CSS references in turn)
    is added, then every PDF of ``pdf/<lang>/`` even if no page links to it.
    """
    langs = tuple(langs)
    if not (site_dir / "index.html").is_file():
        raise KalanError(f"Le site n'est pas construit ({site_dir}/index.html manque) : lancez d'abord kalan build.")
    main_path = "index.html" if lang == default_lang else f"{lang}/index.html"
    if not (site_dir / main_path).is_file():
        raise KalanError(f"La page d'accueil {main_path} manque dans {site_dir} : le site {lang} n'est pas construit.")
    plan = ZimPlan(lang, main_path)
    files = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file())
    broken: list[str] = []
    wanted: list[tuple[str, str]] = []  # (referenced path, referencing entry)

    for rel in files:
        if not _is_page_of(rel, lang, default_lang, langs):
            continue
        reader = read_page((site_dir / rel).read_text(encoding="utf-8"))
        title = _squash(reader.h1) or _squash(reader.title)
        plan.entries.append(ZimEntry(rel, site_dir / rel, "text/html", title,
                                   reader.cut_text().encode("utf-8"), _squash("".join(reader.article))))
        wanted.extend((target, rel) for ref in reader.kept_refs() if (target := _resolve(rel, ref)))

    pages = {e.path for e in plan.entries}
    assets: dict[str, ZimEntry] = {}
    pdf_prefix = f"pdf/{lang}/"
    wanted.extend((rel, "") for rel in files if rel.startswith(pdf_prefix))
    while wanted:
        target, origin = wanted.pop()
        if target in pages or target in assets:
            continue
        source = site_dir / target
        if target != "\0" and source.is_dir() and (source / "index.html").is_file():
            target, source = posixpath.join(target, "index.html"), source / "index.html"
            if target in pages:
                continue
        if target == "\0":
            broken.append(f"  - {origin} → un chemin au-dessus de la racine du site")
            continue
        if not source.is_file() or target.endswith(".html"):
            why = "page d'une autre langue" if source.is_file() else "fichier absent du site"
            broken.append(f"  - {origin} → {target} ({why})")
            continue
        entry = ZimEntry(target, source, mimetype_of(target))
        assets[target] = entry
        if entry.mimetype == "text/css":
            css = source.read_text(encoding="utf-8")
            for match in _CSS_URL.finditer(css):
                ref = match.group(2) or match.group(4)
                if (resolved := _resolve(target, ref.strip())):
                    wanted.append((resolved, target))
    if broken:
        raise KalanError(f"ZIM {lang} : {len(broken)} lien(s) ne mènent à aucune entrée du fichier :\n"
                         + "\n".join(sorted(set(broken))))
    plan.entries.extend(assets[k] for k in sorted(assets))
    return plan


def illustration_png(size: int = 48) -> bytes:
    """The square icon Kiwix shows in its library: an open book on the site's indigo."""
    from PIL import Image, ImageDraw

    scale = 8  # drawn large, then reduced: smooth edges without a font or a file
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 6, fill=(63, 81, 181, 255))  # indigo
    mid, top, bottom = big // 2, int(big * 0.27), int(big * 0.76)
    left, right, sag = int(big * 0.16), int(big * 0.84), int(big * 0.06)
    white = (255, 255, 255, 255)
    draw.polygon([(left, top), (mid - sag // 2, top + sag), (mid - sag // 2, bottom), (left, bottom - sag)], fill=white)
    draw.polygon([(right, top), (mid + sag // 2, top + sag), (mid + sag // 2, bottom), (right, bottom - sag)],
                 fill=white)
    draw.line([(mid, top + sag), (mid, bottom + sag // 2)], fill=(255, 112, 67, 255), width=big // 24)  # deep orange
    out = io.BytesIO()
    image.resize((size, size), Image.LANCZOS).save(out, format="PNG", optimize=True)
    return out.getvalue()


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence libzim's C++ progress lines (« ZIM file is ready! »), which it writes to
    file descriptor 1 whatever ``config_verbose`` says and which would break the progress bars."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
            try:
                yield
            finally:
                sys.stdout.flush()
                os.dup2(saved, 1)
    finally:
        os.close(saved)


def _zim_date() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def write_zim(plan: ZimPlan, dest: Path, on_entry: Callable[[str], None] | None = None,
              workers: int | None = None) -> ZimBuild:
    """Write `plan` to `dest` (replaced atomically: a half-written file never takes its name)."""
    from libzim.writer import Creator, FileProvider, Hint, IndexData, Item, StringProvider

    from kalan import __version__

    class PageIndex(IndexData):
        def __init__(self, entry: ZimEntry) -> None:
            super().__init__()
            self.entry = entry

        def has_indexdata(self) -> bool:
            return bool(self.entry.text or self.entry.title)

        def get_title(self) -> str:
            return fold(self.entry.title)

        def get_content(self) -> str:
            return index_text(self.entry.text)

        def get_keywords(self) -> str:
            return ""

        def get_wordcount(self) -> int:
            return len(self.entry.text.split())

        def get_geoposition(self) -> tuple[float, float] | None:
            return None

    class SiteItem(Item):
        def __init__(self, entry: ZimEntry) -> None:
            super().__init__()
            self.entry = entry
            if not entry.is_page:
                self.get_indexdata = None  # libzim's default: only pages are indexed

        def get_path(self) -> str:
            return self.entry.path

        def get_title(self) -> str:
            return self.entry.title

        def get_mimetype(self) -> str:
            return self.entry.mimetype

        def get_contentprovider(self) -> StringProvider | FileProvider:
            if self.entry.content is not None:
                return StringProvider(self.entry.content)
            return FileProvider(str(self.entry.source))

        def get_hints(self) -> dict[Hint, int]:
            return {Hint.FRONT_ARTICLE: self.entry.is_page,
                    Hint.COMPRESS: self.entry.mimetype.startswith(_COMPRESSIBLE)}

        def get_indexdata(self) -> IndexData | None:
            return PageIndex(self.entry)

    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".tmp")
    partial.unlink(missing_ok=True)
    text = METADATA_TEXT[plan.lang]
    metadata = {
        "Name": f"kalan_{plan.lang}_all", "Title": text["Title"], "Description": text["Description"],
        "LongDescription": text["LongDescription"], "Language": ZIM_LANGUAGE[plan.lang],
        "Creator": CREATOR, "Publisher": PUBLISHER, "Date": _zim_date().isoformat(),
        "Flavour": FLAVOUR, "Tags": ";".join(TAGS), "Scraper": f"kalan {__version__}",
    }
    written = False
    try:
        creator = Creator(partial).config_indexing(True, ZIM_LANGUAGE[plan.lang])
        creator.config_nbworkers(workers or os.cpu_count() or 1)
        with _quiet_stdout(), creator:
            creator.set_mainpath(plan.main_path)  # libzim adds the W/mainPage redirection Kiwix opens
            creator.add_illustration(48, illustration_png(48))
            for name, value in metadata.items():
                creator.add_metadata(name, value)
            for entry in plan.entries:
                creator.add_item(SiteItem(entry))
                if on_entry:
                    on_entry(entry.path)
        partial.replace(dest)
        written = True
    except RuntimeError as exc:
        raise KalanError(f"Écriture du ZIM {dest.name} impossible : {exc}") from None
    finally:
        if not written:
            partial.unlink(missing_ok=True)
    return ZimBuild(plan.lang, dest, plan.pages, len(plan.entries), dest.stat().st_size)


def build_zims(project: Project, site_dir: Path | None = None, out_dir: Path | None = None,
               on_planned: Callable[[ZimPlan], None] | None = None,
               on_entry: Callable[[str, str], None] | None = None,
               on_done: Callable[[ZimBuild], None] | None = None) -> list[ZimBuild]:
    """Write ``kalan-<lang>.zim`` for every language of the project, from the built site.

    All plans are made (and their links checked) before any file is written, so a
    broken link leaves the previous ZIM files in place.
    """
    site_dir = site_dir or project.site_dir
    plans = [plan_zim(site_dir, lang, project.default_lang, project.langs) for lang in project.langs]
    for plan in plans:
        if on_planned:
            on_planned(plan)
    built = []
    for plan in plans:
        dest = (out_dir / f"kalan-{plan.lang}.zim") if out_dir else zim_path(project, plan.lang)
        done = write_zim(plan, dest, on_entry=(lambda path, lang=plan.lang: on_entry(lang, path))
                         if on_entry else None)
        built.append(done)
        if on_done:
            on_done(done)
    return built
