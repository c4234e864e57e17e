"""Refresh a workbook file: read and validate it, compute the result tables, write them into a copy."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from salesdeck.errors import OutputError
from salesdeck.filesafety import check_outputs, locked_update, same_file
from salesdeck.gc_tuning import fewer_passes
from salesdeck.metrics import Metrics
from salesdeck.results.sheet import RESULT_SHEET_NAMES, ResultTable
from salesdeck.results.tables import compute_results, heading, summary_line
from salesdeck.results.write import write_results
from salesdeck.timing import step
from salesdeck.workbook.model import SalesWorkbook

__all__ = ["Refreshed", "refresh_file", "refresh_workbook", "default_output"]


def default_output(src: Path) -> Path:
    """``<name>-refreshed.xlsx`` beside the input (.xlsm stays .xlsm)."""
    suffix = ".xlsm" if src.suffix.lower() == ".xlsm" else ".xlsx"
    return src.with_name(f"{src.stem}-refreshed{suffix}")


@dataclass
class Refreshed:
    """What a refresh wrote: the file, the model read and the tables computed."""

    path: Path
    metrics: Metrics
    tables: list[ResultTable]

    @property
    def model(self) -> SalesWorkbook:
        return self.metrics.model

    @property
    def summary(self) -> str:
        return summary_line(self.metrics, self.tables)


@fewer_passes
def refresh_file(src: str | Path, out: str | Path | None = None, in_place: bool = False,
                 previous: str | Path | None = None) -> Refreshed:
    """Read and validate ``src``, compute, and write the result sheet into a copy.

    ``out`` defaults to ``<name>-refreshed.xlsx`` beside ``src``;
    ``in_place`` (or ``out`` naming ``src``) overwrites ``src`` atomically,
    under an exclusive lock, keeping its permissions (.xls/.ods cannot be
    overwritten in place and go to .xlsx beside it). Raises the reader's
    NotAWorkbookError / WorkbookInvalidError for unusable input. ``previous`` is last month's
    workbook: the sheet then also shows what changed in the pipeline.
    """
    from salesdeck.workbook.read import reader
    from salesdeck.workbook.read.raw import read_raw

    src = Path(src)
    openable = src.suffix.lower() in (".xlsx", ".xlsm")
    if out is None:
        out = src if in_place and openable else default_output(src)
    wanted = default_output(src).suffix
    if Path(out).suffix.lower() != wanted:
        raise OutputError(f"{Path(out).name}: a refreshed copy of {src.name} must end in {wanted}")
    if previous is not None:
        check_outputs({"the refreshed workbook": out}, {"--previous": Path(previous)})
        last = reader.read_workbook(previous)
    else:
        last = None
    # the workbook itself (--in-place, or -o naming it in any spelling): locked from the read to the replace
    with locked_update(src) if src.exists() and same_file(out, src) else contextlib.nullcontext():
        with step("read"):
            raw = read_raw(src)
        sheets = {name: grid for name, grid in raw.sheets.items() if name not in RESULT_SHEET_NAMES}
        with step("validate"):
            model = reader.parse_sheets(sheets, source=str(src))
        with step("compute"):
            metrics = Metrics(model, last)
            tables = compute_results(metrics)
        lang = "en" if model.settings.language == "en" else "zh"
        with step("write"):
            write_results(src, out, tables, lang, heading(metrics), sheets=None if openable else raw.sheets)
    return Refreshed(Path(out), metrics, tables)


def refresh_workbook(src: str | Path, out: str | Path | None = None, in_place: bool = False) -> Path:
    """:func:`refresh_file`, returning only the path written."""
    return refresh_file(src, out, in_place).path
