"""CLI commands that make decks: ``salesdeck build`` and ``salesdeck demo``."""

from __future__ import annotations

from pathlib import Path

import click

from salesdeck.errors import WorkbookInvalidError

MAX_LISTED_ISSUES = 20

_existing = click.Path(exists=True, dir_okay=False, path_type=Path)


def echo_issues(exc: WorkbookInvalidError) -> None:
    """Every error (up to a screenful) with its sheet!cell, before the one-line summary."""
    errors = [i for i in exc.issues if i.severity == "error"]
    for issue in errors[:MAX_LISTED_ISSUES]:
        click.echo(f"  {issue}", err=True)
    if len(errors) > MAX_LISTED_ISSUES:
        click.echo(f"  ... and {len(errors) - MAX_LISTED_ISSUES} more; run `salesdeck check` for the full list",
                   err=True)


def _report(result) -> None:
    click.echo(str(result.deck))
    if result.pdf:
        click.echo(str(result.pdf))
    if result.warnings:
        click.echo(f"{len(result.warnings)} warning(s) in the workbook; run `salesdeck check` to see them", err=True)


@click.command("build")
@click.argument("workbook", type=_existing)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Deck to write [default: <workbook name>-deck.pptx in the current folder].")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Deck language [default: the workbook's Settings language].")
@click.option("--template", type=_existing, default=None,
              help="Company .pptx/.potx whose master, layouts, theme and slide size to use.")
@click.option("--previous", type=_existing, default=None,
              help="Last month's workbook: reviews its action plan and fills in earlier months.")
@click.option("--pdf", is_flag=True, help="Also write a PDF beside the deck (needs LibreOffice).")
@click.option("--narrative", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of .j2 files overriding the packaged slide titles.")
@click.option("--timings", is_flag=True, help="Also print how long each step took (read, validate, compute, render).")
@click.option("--preflight", "check", is_flag=True,
              help="Then render the deck with LibreOffice and list any defect (see `salesdeck preflight`).")
def build(workbook: Path, output: Path | None, lang: str | None, template: Path | None, previous: Path | None,
          pdf: bool, narrative: Path | None, timings: bool, check: bool) -> None:
    """Turn a filled WORKBOOK into the six-part monthly sales-meeting deck.

    Prints the path of the deck (and of the PDF with --pdf). With
    --preflight the deck is then checked as LibreOffice draws it and the
    report goes to stderr. Exit status: 0 on success, 1 when the workbook
    has errors (each listed with its sheet!cell) or the preflight found
    defects, 2 when the file is not a workbook or LibreOffice is missing.
    """
    import time

    from salesdeck import timing
    from salesdeck.jobs.build import build_deck

    start = time.perf_counter()
    try:
        with timing.recording() as steps:
            result = build_deck(workbook, output, lang=lang, template=template, previous=previous, pdf=pdf,
                                narrative_dir=narrative)
    except WorkbookInvalidError as exc:
        echo_issues(exc)
        raise
    _report(result)
    if timings:
        click.echo(timing.describe(steps, time.perf_counter() - start), err=True)
    if check:
        from salesdeck.cli.preflight import echo_report
        from salesdeck.generator.preflight import preflight

        report = preflight(result.deck)
        echo_report(report, err=True)
        if not report.ok:
            raise SystemExit(1)


@click.command("demo")
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for the sample workbook and its deck.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--pdf", is_flag=True, help="Also write a PDF of the deck (needs LibreOffice).")
def demo(outdir: Path, lang: str, pdf: bool) -> None:
    """Write the built-in sample workbook and build its deck into OUTDIR."""
    from salesdeck.jobs.build import build_deck
    from salesdeck.workbook.author.sample import write_sample

    workbook = write_sample(outdir / f"salesdeck-sample-{lang}.xlsx", lang=lang)
    click.echo(str(workbook))
    _report(build_deck(workbook, outdir / f"salesdeck-sample-{lang}.pptx", lang=lang, pdf=pdf))


COMMANDS: list = [build, demo]
