"""Every command is in the README's command table."""

from __future__ import annotations

from pathlib import Path

import click

from salesdeck.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def _names(group: click.Group, prefix: str = "") -> list[str]:
    out = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += _names(command, f"{prefix}{name} ")
        else:
            out.append(f"{prefix}{name}")
    return out


def test_every_command_is_in_the_readme():
    text = README.read_text(encoding="utf-8")
    missing = [name for name in _names(cli) if f"`salesdeck {name} " not in text and f"`salesdeck {name}`" not in text]
    assert missing == []
