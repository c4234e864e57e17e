"""The result sheet as a grid: titled tables stacked top to bottom, with formats and widths.

``layout(tables)`` turns result tables into a grid (values from A1, number
formats, title and header rows); the file writer (:mod:`salesdeck.results.write`)
and the Excel ribbon (through xlwings) both write that same grid, so a file
refreshed from the command line and one refreshed in Excel look alike.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from salesdeck.workbook import contract

__all__ = ["RESULT_SHEET_NAMES", "ResultTable", "SheetLayout", "cell_value", "layout", "result_sheet_name"]

#: Every name a result sheet may have (both languages): replaced on refresh, never read as input.
RESULT_SHEET_NAMES = frozenset(contract.RESULT_SHEET.values())


@dataclass
class ResultTable:
    """One titled block of results: a frame whose columns are display headers."""

    key: str
    title: str
    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)  # header -> Excel number format
    note: str = ""


@dataclass
class SheetLayout:
    """What goes on the result sheet, 1-based rows and columns."""

    rows: list[list]
    formats: list[tuple[int, int, int, str]]  # (first row, last row, column, number format)
    title_rows: list[int]
    header_rows: list[int]
    note_rows: list[int]
    widths: list[float]


def cell_value(value: object) -> object:
    """A value Excel can hold: plain Python numbers/str/datetime, None for blanks."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).to_pydatetime()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _width(value: object) -> float:
    text = value if isinstance(value, str) else (f"{value:,.2f}" if isinstance(value, float) else str(value or ""))
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2


def layout(tables: list[ResultTable], heading: str = "") -> SheetLayout:
    """Stack the tables top to bottom: title, optional note, header, data, one blank row."""
    rows: list[list] = []
    out = SheetLayout(rows, [], [], [], [], [])
    if heading:
        rows.append([heading])
        out.title_rows.append(len(rows))
        rows.append([])
    for table in tables:
        rows.append([table.title])
        out.title_rows.append(len(rows))
        if table.note:
            rows.append([table.note])
            out.note_rows.append(len(rows))
        headers = [str(c) for c in table.frame.columns]
        rows.append(headers)
        out.header_rows.append(len(rows))
        first = len(rows) + 1
        for record in table.frame.itertuples(index=False, name=None):
            rows.append([cell_value(v) for v in record])
        last = len(rows)
        if last >= first:
            for j, header in enumerate(headers, start=1):
                if header in table.formats:
                    out.formats.append((first, last, j, table.formats[header]))
        rows.append([])
    widths: dict[int, float] = {}
    titles = set(out.title_rows) | set(out.note_rows)
    for i, row in enumerate(rows, start=1):
        if i in titles:
            continue
        for j, value in enumerate(row):
            widths[j] = max(widths.get(j, 8.0), min(_width(value), 40.0))
    out.widths = [widths.get(j, 8.0) for j in range(max(widths, default=-1) + 1)]
    return out


def result_sheet_name(lang: str) -> str:
    return contract.RESULT_SHEET.get(lang, contract.RESULT_SHEET["zh"])
