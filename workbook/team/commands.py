"""The team's month as library calls on files: merge workbooks into one, roll one over to next month.

Both check every input first (as ``salesdeck check`` does), refuse an output
that is one of the inputs, never modify an input, and write atomically.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from salesdeck.gc_tuning import fewer_passes
from salesdeck.timing import step
from salesdeck.workbook import contract
from salesdeck.workbook.model import SalesWorkbook
from salesdeck.workbook.team.files import find_workbooks, refuse_output_among_inputs
from salesdeck.workbook.team.load import Input, read_inputs, read_one
from salesdeck.workbook.team.merge import MergeReport, merge_inputs
from salesdeck.workbook.team.rollover import Rollover, next_month

__all__ = ["header_language", "merge_files", "roll_over_file"]


def header_language(book: SalesWorkbook) -> str:
    """The language of the workbook's sheet names (zh or en), so what is written from it reads the same."""
    for key in ("settings", "orders"):
        loc = book.locations.get(key)
        if loc is not None:
            return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in loc.sheet) else "en"
    return book.settings.language if book.settings.language in contract.LANGS else "zh"


@fewer_passes
def merge_files(inputs: Iterable[str | os.PathLike], output: str | os.PathLike | None,
                jobs: int | None = None) -> MergeReport:
    """Merge the workbooks ``inputs`` names (files, folders, globs) and write the team workbook to ``output``.

    Nothing is written unless the report is ok; ``output`` None only merges.
    Raises InputError (exit 2) for a file given twice or an output that is an input.
    """
    from salesdeck.workbook.author.writer import write_workbook

    paths = find_workbooks(inputs)
    if output is not None:
        refuse_output_among_inputs(output, paths)
    with step("check inputs"):
        inputs = read_inputs(paths, jobs=jobs)
    with step("merge"):
        report = merge_inputs(inputs)
    if report.ok and output is not None:
        with step("write"):
            write_workbook(report.book, output, lang=header_language(report.inputs[0].book))
    return report


@fewer_passes
def roll_over_file(workbook: str | os.PathLike, output: str | os.PathLike | None = None,
                   per_rep: str | os.PathLike | None = None) -> tuple[Input, Rollover | None, list[Path]]:
    """Check ``workbook`` and write next month's workbook to ``output``, or one per rep into the folder ``per_rep``.

    Returns the checked input, the rollover (None when the check failed) and the files written.
    """
    from salesdeck.workbook.author.writer import write_workbook
    from salesdeck.workbook.team.split import per_rep_files

    if output is not None:
        refuse_output_among_inputs(output, [workbook])
    item = read_one(Path(workbook))
    if not item.ok:
        return item, None, []
    result = next_month(item.book)
    lang = header_language(item.book)
    if per_rep is None:
        return item, result, [write_workbook(result.book, output, lang=lang)]
    files = per_rep_files(result.book, per_rep, lang)
    for path, _ in files:
        refuse_output_among_inputs(path, [workbook])
    return item, result, [write_workbook(part, path, lang=lang) for path, part in files]
