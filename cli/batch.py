"""``salesdeck batch``: many workbooks to decks in parallel, with progress and a summary."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from salesdeck.jobs.batch import BatchOptions, BatchUsageError, JobResult, run_batch, write_report
from salesdeck.stopping import exit_status
from salesdeck.texttable import text_table

STATUS = {"ok": "ok", "failed": "FAILED", "skipped": "skipped", "interrupted": "stopped"}


class _Progress:
    """click's progress bar on a terminal; one plain line per file otherwise (a log, a CI run)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.failed = 0
        self.bar = None

    def __call__(self, result: JobResult, done: int, total: int) -> None:
        self.failed += result.status == "failed"
        if not self.tty:
            target = ", ".join(result.outputs) if result.outputs else result.error
            self.stream.write(f"[{done}/{total}] {STATUS[result.status]:<7} {result.file} -> {target} "
                              f"({result.seconds:.1f} s)\n")
            self.stream.flush()
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="decks", file=self.stream, show_pos=True, show_eta=True,
                                         item_show_func=lambda _: f"{self.failed} failed" if self.failed else None)
            self.bar.__enter__()
        self.bar.update(1, current_item=result)
        if done == total:
            self.bar.__exit__(None, None, None)


def _summary(results: list[JobResult]) -> str:
    rows = [(Path(r.file).name, STATUS[r.status], str(len(r.outputs)), f"{r.seconds:.1f}", r.error) for r in results]
    return text_table(rows, ("file", "status", "decks", "seconds", "problem"))


@click.command("batch")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the decks (created if missing).")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
              help="Parallel processes [default: number of CPU cores].")
@click.option("--split-by", type=click.Choice(["region", "rep", "product_line"]), default=None,
              help="One deck per region, rep (one page per part) or product line: <name>-<value>.pptx.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Deck language [default: each workbook's].")
@click.option("--template", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Company .pptx/.potx for every deck.")
@click.option("--narrative", type=click.Path(exists=True, file_okay=False), default=None,
              help="Folder of .j2 files overriding the packaged slide titles.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a report of every file: .json or .csv.")
@click.option("--pdf", is_flag=True, help="Also write a PDF of each deck (needs LibreOffice).")
@click.option("--force", is_flag=True, help="Rebuild decks even when they are up to date.")
@click.option("--merge", "merge", is_flag=True,
              help="Merge the workbooks into OUTDIR/team.xlsx (as `salesdeck merge`) and build the team's deck(s) from it.")
def batch(inputs: tuple[str, ...], outdir: Path, jobs: int | None, split_by: str | None, lang: str | None,
          template: str | None, narrative: str | None, report: Path | None, pdf: bool, force: bool,
          merge: bool) -> None:
    """Build the decks of many workbooks: INPUTS are files, folders or glob patterns.

    A workbook that fails never stops the others, even one that crashes its
    process. Decks already built from the same workbook, template, narrative
    folder and options are skipped unless --force. With --split-by, values
    that are not safe in a file name are made safe and get a short hash; the
    report lists each value's deck. With --merge, the workbooks (a team's
    reps) are first merged into one, which must succeed, and one team deck is
    built (with --split-by region, one per region of the merged data).
    Ctrl-C or SIGTERM stops every worker at once, prints what was finished
    and writes the report. Exit status: 0 all built or up to date, 1 any
    failed (with --merge: or the merge found problems), 2 usage errors
    (nothing to build, bad option, an output that is an input; with --merge:
    an input is not a workbook or given twice), 130/143 stopped by
    Ctrl-C/SIGTERM.
    """
    if report is not None and report.suffix.lower() not in (".json", ".csv"):
        raise BatchUsageError(f"report {report.name}: expected a .json or .csv file name")
    options = BatchOptions(lang=lang, template=str(Path(template).resolve()) if template else None, split_by=split_by,
                           pdf=pdf, narrative=str(Path(narrative).resolve()) if narrative else None)
    progress = _Progress(sys.stderr if sys.stderr.isatty() else sys.stdout)
    if merge:
        summary = _merged(inputs, outdir, jobs, options, force, progress, report)
    else:
        summary = run_batch(inputs, outdir, jobs=jobs, options=options, force=force, progress=progress, report=report)
    click.echo("")
    click.echo(_summary(summary.results))
    ok = sum(r.status == "ok" for r in summary.results)
    skipped = sum(r.status == "skipped" for r in summary.results)
    stopped = sum(r.status == "interrupted" for r in summary.results)
    unfinished = f", {stopped} not finished (stopped)" if summary.interrupted else ""
    click.echo(f"\n{ok} built, {skipped} up to date, {len(summary.failed)} failed{unfinished} in {summary.seconds:.1f} s")
    if report is not None:
        click.echo(f"report: {write_report(summary, report)}")
    if summary.interrupted is not None:
        raise SystemExit(exit_status(summary.interrupted))
    raise SystemExit(0 if summary.ok else 1)


def _merged(inputs, outdir: Path, jobs: int | None, options: BatchOptions, force: bool, progress, report):
    """Merge, then build from the merged workbook; a failed merge ends the command with its exit code."""
    from salesdeck.jobs.team import merge_then_build
    from salesdeck.workbook.team import report as merge_report

    def show(merged) -> None:
        click.echo(merge_report.as_messages(merged), err=not merged.ok)

    merged, summary = merge_then_build(inputs, outdir, jobs=jobs, options=options, force=force, progress=progress,
                                       merged=show, report=report)
    if summary is None:
        raise SystemExit(merged.exit_code)
    return summary


COMMANDS: list = [batch]
