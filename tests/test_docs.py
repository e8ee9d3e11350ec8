"""Every command has help with a runnable example, and the README mentions it."""

from __future__ import annotations

import typer

from kalan.cli import app
from tests.conftest import ROOT


def _commands(group, prefix: str = "kalan"):
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            yield from _commands(command, path)
        else:
            yield path, command


def test_every_command_has_an_example_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = list(_commands(typer.main.get_command(app)))
    assert len(commands) >= 13
    for path, command in commands:
        assert command.help and "Exemple :" in command.help, path
        example = command.help.split("Exemple :", 1)[1].strip().split()
        assert " ".join(example[: len(path.split())]) == path, (path, example)
        assert f"`{path}" in readme or f"{path} " in readme, f"{path} missing from README.md"
