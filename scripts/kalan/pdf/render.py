"""Printing documents with WeasyPrint: parallel processes and a content-hash cache.

WeasyPrint is single-threaded (about 0.1 s per page here), so documents are
printed in separate processes, largest first. A document whose inputs — its
HTML, the stylesheet, the fonts and any image it shows — have not changed is
copied from the cache instead of being printed again.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from kalan.fonts import FACES, FAMILY

HERE = Path(__file__).parent
IMAGE_SRC = re.compile(r'\bsrc="(file://[^"]+)"')


@dataclass(frozen=True)
class PrintJob:
    output: Path  # final location of the PDF
    html: str
    key: str  # content hash of every input


@dataclass(frozen=True)
class Printed:
    output: Path
    pages: int
    seconds: float
    cached: bool


def stylesheet(fonts_dir: Path) -> str:
    """The print CSS with the bundled fonts declared from their files."""
    faces = []
    for stem, (_, weight, style) in FACES.items():
        faces.append(f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; font-style: {style}; '
                     f'src: url("{(fonts_dir / f"{stem}.woff2").resolve().as_uri()}"); }}')
    return "\n".join(faces) + "\n" + (HERE / "print.css").read_text(encoding="utf-8")


def _weasyprint_version() -> str:
    from importlib.metadata import version

    return version("weasyprint")


def input_fingerprint(fonts_dir: Path, css: str) -> str:
    """What every document shares: the renderer's version, the stylesheet and the fonts."""
    digest = hashlib.sha256(_weasyprint_version().encode() + css.encode())
    for font in sorted(fonts_dir.glob("*.woff2")):
        digest.update(font.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class PrintStyle:
    """The print stylesheet with the bundled fonts, and the fingerprint of both for the cache."""

    css: str
    shared: str

    def job(self, output: Path, html: str) -> PrintJob:
        return job_for(output, html, self.shared)


def print_style(fonts_dir: Path) -> PrintStyle:
    css = stylesheet(fonts_dir)
    return PrintStyle(css, input_fingerprint(fonts_dir, css))


def job_for(output: Path, html: str, shared: str) -> PrintJob:
    digest = hashlib.sha256(shared.encode() + html.encode())
    for uri in sorted(set(IMAGE_SRC.findall(html))):
        path = Path(unquote(urlparse(uri).path))
        digest.update(path.read_bytes() if path.is_file() else b"missing:" + uri.encode())
    return PrintJob(output, html, digest.hexdigest())


def _print(html: str, css: str, base: str, target: Path) -> int:
    from weasyprint import CSS, HTML

    document = HTML(string=html, base_url=base).render(stylesheets=[CSS(string=css)])
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    document.write_pdf(partial)
    partial.replace(target)  # never leave half a PDF behind
    return len(document.pages)


def _worker_args(job: PrintJob, css: str, base: Path) -> tuple[str, str, str, str]:
    """What `_worker` needs, as plain strings for another process (a relative `base` made absolute)."""
    return job.html, css, base.resolve().as_uri(), str(job.output)


def _worker(html: str, css: str, base: str, target: str) -> tuple[int, float]:
    started = time.perf_counter()
    pages = _print(html, css, base, Path(target))
    return pages, time.perf_counter() - started


def print_all(jobs: Iterable[PrintJob], css: str, base: Path, cache_dir: Path | None,
              workers: int | None = None,
              on_done: Callable[[Printed], None] | None = None) -> list[Printed]:
    """Print every job (or copy it from `cache_dir`); `workers=1` prints in this process."""
    jobs = list(jobs)
    done: list[Printed] = []

    def finish(result: Printed) -> None:
        done.append(result)
        if on_done:
            on_done(result)

    todo: list[PrintJob] = []
    for job in jobs:
        cached = cache_dir / f"{job.key}.pdf" if cache_dir else None
        if cached and cached.is_file():
            job.output.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cached, job.output)
            finish(Printed(job.output, int(cached.with_suffix(".pages").read_text()), 0.0, True))
        else:
            todo.append(job)
    todo.sort(key=lambda j: len(j.html), reverse=True)  # longest first balances the processes

    def remember(job: PrintJob, pages: int) -> None:
        if cache_dir:
            cache_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(job.output, cache_dir / f"{job.key}.pdf")
            (cache_dir / f"{job.key}.pages").write_text(str(pages))

    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(todo) <= 1:
        for job in todo:
            pages, seconds = _worker(*_worker_args(job, css, base))
            remember(job, pages)
            finish(Printed(job.output, pages, seconds, False))
        return done
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_worker, *_worker_args(job, css, base)): job
                   for job in todo}
        for future in as_completed(futures):
            job = futures[future]
            pages, seconds = future.result()
            remember(job, pages)
            finish(Printed(job.output, pages, seconds, False))
    return done


def _serve(conn, parent: int) -> None:
    """The printer process: import WeasyPrint at once, then print each job received until told to stop.
    It ends by itself if the command that started it dies (killed, out of memory)."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
    import weasyprint  # noqa: F401  (the half second this process exists for)

    while (job := conn.recv()) is not None:
        try:
            conn.send((True, _worker(*job)))
        except Exception as exc:
            try:
                conn.send((False, exc))
            except Exception:
                conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


class PrinterGone(Exception):
    """The printer process ended before answering (killed): print in this process instead."""


class Printing:
    """A job sent to the printer process; `result()` waits for its (pages, seconds) or raises its error."""

    def __init__(self, conn) -> None:
        self._conn = conn

    def result(self) -> tuple[int, float]:
        try:
            ok, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise PrinterGone(str(exc)) from exc
        if not ok:
            raise value
        return value


class WarmPrinter:
    """One WeasyPrint process, started before it is needed.

    Importing WeasyPrint takes about half a second. A command that prints a single PDF at its end
    (`kalan rapport`) starts this printer first: the second process imports WeasyPrint while the command
    computes its figures, workbook and charts, then prints the PDF it is given. It is *spawned* (a fork
    under threads, such as rich's spinner or a test session's, could deadlock), except when `kalan.entry`
    starts it as the process starts, before any thread: a fork is then safe and saves a fresh Python's
    start. It is a daemon, so a command that stops on an error does not wait for it. Use `start_printer()`.
    """

    def __init__(self, method: str = "spawn") -> None:
        """`method`: how the process starts; "fork" only where the command holds no thread yet."""
        import multiprocessing

        context = multiprocessing.get_context(method)
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, os.getpid()), daemon=True)
        self._process.start()
        child.close()

    def submit(self, job: PrintJob, css: str, base: Path) -> Printing:
        """Send `job` to the printer's process (it prints while this one goes on)."""
        try:
            self._conn.send(_worker_args(job, css, base))
        except OSError as exc:
            raise PrinterGone(str(exc)) from exc
        return Printing(self._conn)

    def __enter__(self) -> WarmPrinter:
        return self

    def __exit__(self, *_) -> None:
        # Whatever was sent has been answered (`Printing.result`), or is no longer wanted (an error): the
        # process is stopped at once rather than left to unload WeasyPrint, which takes a few tenths.
        self._process.terminate()
        self._process.join()
        self._conn.close()


_early: WarmPrinter | None = None


def start_early_printer() -> None:
    """Start the printer as the process starts (`kalan.entry`); `start_printer()` hands it over."""
    global _early
    try:
        _early = WarmPrinter("fork")  # no thread exists yet: kalan.entry calls this before any import
    except (OSError, ImportError, NotImplementedError):
        _early = None


def start_printer():
    """The printer started early, else a new WarmPrinter, or — where a second process cannot be started —
    a context giving None (the PDF is then printed in the command's own process)."""
    from contextlib import nullcontext

    global _early
    if _early is not None:
        printer, _early = _early, None
        return printer
    try:
        return WarmPrinter()
    except (OSError, ImportError, NotImplementedError):
        return nullcontext(None)
