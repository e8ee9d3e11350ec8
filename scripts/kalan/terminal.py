"""What every `kalan` command shares: the French console, the error exit, the progress bar,
and the --projet option."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kalan.errors import KalanError

console = Console()
err = Console(stderr=True, soft_wrap=True)  # long messages stay on one line (logs, grep)

ProjectOption = typer.Option(
    None, "--projet", help="Dossier du projet (par défaut : le dossier courant ou un parent).")


def fail(exc: KalanError) -> typer.Exit:
    """Print the error in French and return the exit to raise (code 1, no traceback)."""
    from rich.markup import escape

    # escape: a message quoting « [tool.kalan.suivi] » or a cell « [à compléter] » must print as written
    err.print(f"[bold red]Erreur[/] : {escape(str(exc))}", highlight=False)
    return typer.Exit(1)


def progress() -> Progress:
    """A progress display that disappears when done, leaving the command's summary line."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)
