"""The team's month: ``salesdeck merge`` and ``salesdeck next-month``."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("merge")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The team workbook to write (never one of the inputs).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (stable keys).")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
              help="Workbooks read in parallel [default: number of CPU cores].")
def merge(inputs: tuple[str, ...], output: Path, as_json: bool, jobs: int | None) -> None:
    """Roll the reps' workbooks up into one team workbook: INPUTS are files, folders or glob patterns.

    Every table of every input is appended into one workbook of the contract,
    each row keeping the file it came from (the 来源文件/Source file column);
    check, refresh, build and import all work on the result. Every input is
    checked first and problems are listed per file with their sheet!cell. The
    report month and currency must agree; other settings come from the first
    file and each difference is a warning. The same order line, opportunity,
    invoice or target in two files is a conflict, listed with both files and
    rows. Nothing is written unless all is well.

    Exit status, as `check`: 0 merged (warnings allowed); 1 an input has
    errors, settings disagree or records conflict; 2 an input is not a
    workbook, a file is given twice, or the output is one of the inputs.
    """
    from salesdeck.workbook.team import report as merge_report
    from salesdeck.workbook.team.commands import merge_files

    result = merge_files(inputs, output, jobs=jobs)
    if as_json:
        click.echo(merge_report.as_json(result, str(output)))
    else:
        click.echo(merge_report.as_messages(result), err=not result.ok)
        if result.ok:
            click.echo(str(output))
    raise SystemExit(result.exit_code)


@click.command("next-month")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Next month's workbook to write (never WORKBOOK itself).")
@click.option("--per-rep", "per_rep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Instead, write next month's workbook of each rep (and the team's own rows) into this folder.")
def next_month(workbook: Path, output: Path | None, per_rep: Path | None) -> None:
    """Start next month's workbook from WORKBOOK (give -o NEXT.xlsx or --per-rep DIR).

    The report month advances by one. Order history, targets, activity
    history and receivables stay; every open deal is carried as it is (won and
    lost ones stay a year for the win rates); plan actions, improvement items
    and resource requests not done yet are carried with their status, so
    `salesdeck build NEXT.xlsx --previous WORKBOOK` reviews them; complaints,
    satisfaction and NPS start empty. With --per-rep, each rep gets their own
    part of it to fill in, ready for next month's `salesdeck merge`. WORKBOOK
    is checked first and never modified.

    Exit status, as `check`: 0 written; 1 WORKBOOK has errors; 2 it is not a
    workbook, or an output would be WORKBOOK.
    """
    from salesdeck.workbook.team.commands import roll_over_file
    from salesdeck.workbook.team.report import file_lines

    if (output is None) == (per_rep is None):
        raise click.UsageError("give either -o NEXT.xlsx or --per-rep DIR")
    item, result, written = roll_over_file(workbook, output, per_rep)
    if result is None:
        click.echo("\n".join(file_lines(item)), err=True)
        click.echo(f"nothing written: fix {item.name} first (`salesdeck check {workbook}` lists every problem)", err=True)
        raise SystemExit(2 if item.fatal else 1)
    kept, dropped = result.kept, result.dropped
    open_deals = int((result.book.pipeline["category"] == "open").sum())
    click.echo(f"{result.previous_month:%Y-%m} -> {result.month:%Y-%m}: carried {open_deals:,} open deals, "
               f"{kept['actions']:,} actions, {kept['timeline']:,} improvement items and {kept['resources']:,} "
               f"resource requests not done yet; kept {kept['orders']:,} order lines; "
               f"{dropped['complaints'] + dropped['satisfaction'] + dropped['nps']:,} feedback rows start afresh")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for path in written:
        click.echo(str(path))


COMMANDS: list = [merge, next_month]
