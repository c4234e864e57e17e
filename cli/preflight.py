"""CLI command that checks a built deck as LibreOffice draws it: ``salesdeck preflight``."""

from __future__ import annotations

from pathlib import Path

import click

_existing = click.Path(exists=True, dir_okay=False, path_type=Path)


def echo_report(report, as_json: bool = False, err: bool = False) -> None:
    click.echo(report.as_json() if as_json else report.as_text(), err=err)


@click.command("preflight")
@click.argument("deck", type=_existing)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (stable keys).")
def preflight(deck: Path, as_json: bool) -> None:
    """Render DECK with LibreOffice and list every defect, slide by slide.

    Checks text outside its box or the slide, table rows not drawn, numbers
    or number+unit split across lines, titles over two lines or with an
    orphan last line, data labels and cell text under 4.5:1 contrast,
    legends that do not match their bars, value axes not starting at zero.
    Exit status: 0 when clean, 1 when there are defects, 2 when LibreOffice
    is missing or DECK is not a PowerPoint file.
    """
    from salesdeck.generator.preflight import preflight as run

    report = run(deck)
    echo_report(report, as_json)
    raise SystemExit(0 if report.ok else 1)


COMMANDS: list = [preflight]
