"""CLI commands that make workbooks: ``salesdeck template`` and ``salesdeck sample``."""

from __future__ import annotations

from pathlib import Path

import click

from salesdeck.workbook.contract import LANGS

MAX_ROWS = 1_000_000

_lang = click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True,
                     help="Language of sheet names, headers, drop-downs and instructions.")


def _output(default: str):
    return click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
                        default=None, help=f"File to write [default: {default}].")


@click.command("template")
@_output("salesdeck-template-<lang>.xlsx")
@_lang
def template(output: Path | None, lang: str) -> None:
    """Write a blank sales workbook for reps to fill in.

    Every sheet holds Excel tables with drop-downs, number formats and a note
    on each header; the first sheet explains how to fill it in. Prints the
    path written.
    """
    from salesdeck.workbook.author.writer import write_workbook

    path = write_workbook(None, output or Path(f"salesdeck-template-{lang}.xlsx"), lang=lang)
    click.echo(str(path))


@click.command("sample")
@_output("salesdeck-sample-<lang>.xlsx")
@_lang
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed; the same seed gives the same file.")
@click.option("--rows", type=click.IntRange(1, MAX_ROWS), default=None,
              help="Number of order lines (1 to 1,000,000) [default: 4,800].")
def sample(output: Path | None, lang: str, seed: int, rows: int | None) -> None:
    """Write a filled sample workbook for a fictitious company.

    Sixteen months of orders up to 2026-10, targets, pipeline, activities,
    receivables, feedback and plans, ready for a refresh or a deck. Prints
    the path written.
    """
    from salesdeck.workbook.author.sample import write_sample

    path = write_sample(output or Path(f"salesdeck-sample-{lang}.xlsx"), seed=seed, rows=rows, lang=lang)
    click.echo(str(path))


COMMANDS: list = [template, sample]
