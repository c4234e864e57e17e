"""The ``salesdeck`` command: a thin layer over the library.

Each command lives in a small module beside this one and is registered here.
Library errors become ``Error: ...`` with an exit code, never a traceback.
"""

from __future__ import annotations

import sys

import click

from salesdeck import __version__
from salesdeck.errors import SalesdeckError
from salesdeck.stopping import exit_status, stop_on_signals
from salesdeck.tempfiles import remove_stale_tempdirs


class SalesdeckGroup(click.Group):
    """Translate library errors into messages and exit codes."""

    def invoke(self, ctx: click.Context):
        remove_stale_tempdirs()  # working folders of salesdeck runs that were killed
        try:
            return super().invoke(ctx)
        except SalesdeckError as exc:
            click.echo(f"Error: {exc}", err=True)
            if exc.hint:
                click.echo(f"Hint: {exc.hint}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM/SIGHUP through stop_on_signals
            click.echo("Interrupted; no output was half-written.", err=True)
            ctx.exit(exit_status(stop))


@click.group(cls=SalesdeckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="salesdeck")
def cli() -> None:
    """Monthly sales workbooks, Excel functions and meeting decks."""


def _register() -> None:
    from salesdeck.cli import author, batch, check, deck, excel, importing, metrics, preflight, team

    for module in (author, check, importing, metrics, excel, deck, preflight, batch, team):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point: SIGTERM and SIGHUP stop it like Ctrl-C, cleaning up."""
    stop_on_signals()
    cli(prog_name="salesdeck")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
