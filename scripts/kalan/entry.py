"""The `kalan` command's entry point.

`kalan rapport` ends by printing one PDF, and importing WeasyPrint takes about half a second. When the
command line asks for a report, the printer's process (`kalan.pdf.render.WarmPrinter`) is started here,
before Python spends its first quarter of a second importing typer, rich and kalan's commands, so that
WeasyPrint is ready by the time the figures are. Every other command starts exactly as before.
"""

from __future__ import annotations

import sys

COMMANDS_THAT_PRINT_EARLY = ("rapport",)


def main() -> None:
    if sys.argv[1:2] and sys.argv[1] in COMMANDS_THAT_PRINT_EARLY and not {"--help", "-h"} & set(sys.argv):
        from kalan.pdf import render

        render.start_early_printer()
    from kalan.cli import app

    app(prog_name="kalan")
