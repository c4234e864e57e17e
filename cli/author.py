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
@click.option("--per-rep", "per_rep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Instead of one file, write one workbook per rep (and one with the team's own rows) into this folder.")
def sample(output: Path | None, lang: str, seed: int, rows: int | None, per_rep: Path | None) -> None:
    """Write a filled sample workbook for a fictitious company.

    Sixteen months of orders up to 2026-10, targets, pipeline, activities,
    receivables, feedback and plans, ready for a refresh or a deck. Prints
    the path written. With --per-rep DIR, the same sample as a team: one
    workbook per rep with the rep's own rows and the shared settings, plus
    the team's own rows (团队.xlsx / team.xlsx); `salesdeck merge DIR` gives
    back the figures of the single file with the same --seed and --rows.
    """
    from salesdeck.workbook.author.sample import generate, write_sample

    if per_rep is not None:
        if output is not None:
            raise click.UsageError("give either -o FILE or --per-rep DIR, not both")
        from salesdeck.workbook.team.split import write_per_rep

        for path in write_per_rep(generate(seed=seed, rows=rows, lang=lang), per_rep, lang=lang):
            click.echo(str(path))
        return
    path = write_sample(output or Path(f"salesdeck-sample-{lang}.xlsx"), seed=seed, rows=rows, lang=lang)
    click.echo(str(path))


COMMANDS: list = [template, sample]
