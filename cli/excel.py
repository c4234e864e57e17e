"""CLI commands for Excel: ``salesdeck refresh`` and ``salesdeck addin build``."""

from __future__ import annotations

from pathlib import Path

import click

from salesdeck.errors import WorkbookInvalidError


@click.command("refresh")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the refreshed workbook (default: <name>-refreshed.xlsx beside it).")
@click.option("--in-place", is_flag=True,
              help="Change WORKBOOK itself: atomically, under an exclusive lock, keeping its permissions.")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Last month's workbook: also shows what changed in the pipeline since then.")
def refresh(workbook: Path, out: Path | None, in_place: bool, previous: Path | None) -> None:
    """Recalculate WORKBOOK like the ribbon's Refresh button.

    Writes the 计算结果 / Results sheet (attainment, next-month splits, pipeline,
    workload, commission, churn, aging; with --previous, pipeline changes) into
    a copy of the workbook; input sheets are not changed.
    """
    from salesdeck.jobs.refresh import refresh_file

    if out is not None and in_place:
        raise click.UsageError("use either -o/--output or --in-place, not both")
    try:
        done = refresh_file(workbook, out, in_place=in_place, previous=previous)
    except WorkbookInvalidError as exc:
        errors = [i for i in exc.issues if i.severity == "error"]
        click.echo(f"Error: {workbook.name} has {len(errors)} error(s); nothing was written.", err=True)
        for issue in errors:
            click.echo(f"  {issue}", err=True)
        raise SystemExit(1) from None
    click.echo(str(done.path))
    click.echo(done.summary)


@click.group("addin")
def addin() -> None:
    """Build the Excel add-in (salesdeck.xlam)."""


@addin.command("build")
@click.option("-o", "--output-dir", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder to write salesdeck.xlam into.")
@click.option("--interpreter", help="python.exe for Windows, written as given, e.g. "
                                    "%LOCALAPPDATA%\\Programs\\Python\\Python312\\python.exe "
                                    "[default: none: python on PATH, or each user's myaddin.conf].")
@click.option("--interpreter-mac", help="python for macOS, written as given [default: none].")
def build(out_dir: Path, interpreter: str | None, interpreter_mac: str | None) -> None:
    """Build salesdeck.xlam: the 销售工具 / Sales Tools ribbon (Refresh, Check,
    Build deck) and every SD_* function.

    Install it in Excel via File > Options > Add-ins > Manage Excel Add-ins >
    Browse (see docs/excel-setup.md). Nothing of this machine is written into
    the add-in: without --interpreter it runs the python found on PATH.
    """
    from salesdeck.addin.xlam import XLWINGS_VERSION, build_addin, user_specific

    path = build_addin(out_dir, interpreter, interpreter_mac)
    click.echo(str(path))
    click.echo(f"Built from xlwings {XLWINGS_VERSION}: install the same version where Excel runs "
               f"(pip install xlwings=={XLWINGS_VERSION}).")
    for given in (interpreter, interpreter_mac):
        if given and user_specific(given):
            click.echo(f"Warning: {given} names one user's folder; for an add-in handed to others use "
                       "%LOCALAPPDATA% or %USERPROFILE% in the path, or leave --interpreter out.", err=True)


COMMANDS: list = [refresh, addin]
