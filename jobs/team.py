"""``batch --merge``: a folder of rep workbooks to one team workbook and its deck(s).

The merged workbook is written into the output folder beside the decks, so the
decks' speaker notes point at its cells and the team can refresh or import
into it later; the decks are then built from it like any batch workbook
(``--split-by region`` gives the region decks from the merged data).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

from salesdeck.jobs.batch import BatchOptions, BatchSummary, JobResult, run_batch
from salesdeck.workbook.team.commands import merge_files
from salesdeck.workbook.team.merge import MergeReport

__all__ = ["MERGED_STEM", "merge_then_build"]

#: The merged workbook's name in the output folder; its decks are <stem>.pptx or <stem>-<value>.pptx.
MERGED_STEM = "team"


def merge_then_build(inputs: Iterable[str | os.PathLike], outdir: str | os.PathLike, *, jobs: int | None = None,
                     options: BatchOptions = BatchOptions(), force: bool = False,
                     progress: Callable[[JobResult, int, int], None] | None = None,
                     merged: Callable[[MergeReport], None] | None = None,
                     report: str | os.PathLike | None = None) -> tuple[MergeReport, BatchSummary | None]:
    """Merge ``inputs`` into ``outdir``/team.xlsx, then build its deck(s); no decks when the merge failed.

    ``merged(result)`` is called between the two steps; ``report`` is the batch's --report file.
    """
    workbook = Path(outdir) / f"{MERGED_STEM}.xlsx"
    result = merge_files(inputs, workbook, jobs=jobs)
    if merged is not None:
        merged(result)
    if not result.ok:
        return result, None
    return result, run_batch([workbook], outdir, jobs=1, options=options, force=force, progress=progress,
                             report=report)
