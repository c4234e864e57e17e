"""``salesdeck metrics``: the figures a meeting is about, read or as JSON for scripts."""

from __future__ import annotations

import json
from pathlib import Path

import click

from salesdeck.cli.deck import echo_issues
from salesdeck.errors import WorkbookInvalidError

_existing = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("metrics")
@click.argument("workbook", type=_existing)
@click.option("--previous", type=_existing, default=None,
              help="Last month's workbook: fills in months this workbook lacks (and compares the pipeline).")
@click.option("--json", "as_json", is_flag=True, help="Print the documented JSON object (docs/metrics.md).")
def metrics(workbook: Path, previous: Path | None, as_json: bool) -> None:
    """Print the month's figures of WORKBOOK: sales against target, next month's split, pipeline,
    receivables, churn, NPS. The deck and the refreshed result sheet show the same figures.

    Exit status as `salesdeck check`: 0 on success, 1 when the workbook has
    errors (each listed with its sheet!cell), 2 when the file is not a workbook.
    """
    from salesdeck.metrics import Metrics
    from salesdeck.metrics.export import summary, to_json
    from salesdeck.workbook.read.reader import read_workbook

    try:
        model = read_workbook(workbook)
        last = read_workbook(previous) if previous else None
    except WorkbookInvalidError as exc:
        echo_issues(exc)
        raise
    figures = Metrics(model, last)
    if as_json:
        click.echo(json.dumps(to_json(figures), ensure_ascii=False, indent=2))
    else:
        click.echo(summary(figures))


COMMANDS: list = [metrics]
