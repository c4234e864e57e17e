"""The ``salesdeck`` command: a thin layer over the library.

Each command lives in a small module beside this one and is registered here.
Library errors become ``Error: ...`` with an exit code, never a traceback.
"""

from __future__ import annotations

import sys

import click

from salesdeck import __version__
from salesdeck.errors import SalesdeckError


class SalesdeckGroup(click.Group):
    """Translate library errors into messages and exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SalesdeckError as exc:
            click.echo(f"Error: {exc}", err=True)
            if exc.hint:
                click.echo(f"Hint: {exc.hint}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted; no output was half-written.", err=True)
            ctx.exit(130)


@click.group(cls=SalesdeckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="salesdeck")
def cli() -> None:
    """Monthly sales workbooks, Excel functions and meeting decks."""


def _register() -> None:
    from salesdeck.cli import author, batch, check, deck, excel, importing, metrics, preflight

    for module in (author, check, importing, metrics, excel, deck, preflight, batch):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="salesdeck")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
