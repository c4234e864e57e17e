"""Reading exported files as they really come: CSV in any common encoding, or a spreadsheet, header row found.

CSV: UTF-8 with or without BOM, UTF-16 (Excel's "Unicode text"), GBK/GB18030
(Chinese Excel's default), and old Mac line endings; the delimiter is sniffed
(comma, semicolon, tab). A text export is sniffed before it is read (binary
content is refused from its first bytes) and refused above ``MAX_TEXT_BYTES``
without being read. Spreadsheets (.xlsx/.xlsm/.xls/.ods) go through the safe
reader (:func:`~salesdeck.workbook.read.raw.read_raw`: zip bombs, entities and
encrypted files are refused as they are for a workbook); the first sheet with
data is used. The header row is found
among the top rows, passing over title rows above it: the row naming the most
known columns when the caller says what it looks for (``known``), else the
first row of at least two text cells and no numbers.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from salesdeck.errors import NotAWorkbookError, SalesdeckError

__all__ = ["SourceTable", "read_source", "decode_text"]

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
HEADER_SCAN_ROWS = 20
#: A text export bigger than this is refused before it is read (about three million typical CRM rows).
MAX_TEXT_BYTES = 512 << 20
SNIFF_BYTES = 64 << 10


@dataclass
class SourceTable:
    """One source file's table: headers, data rows and the 1-based file row of each data row."""

    path: Path
    headers: list[str]
    rows: list[list[object]]
    first_row: int  # file row number of rows[0]
    numbers: list[int] | None = None  # file row of each data row, when rows were left out or reshaped

    def row_number(self, index: int) -> int:
        return self.numbers[index] if self.numbers is not None else self.first_row + index

    def subset(self, indices: list[int]) -> "SourceTable":
        """The same table with only the data rows at ``indices``; each keeps its file row number."""
        return replace(self, rows=[self.rows[i] for i in indices], numbers=[self.row_number(i) for i in indices])


def decode_text(data: bytes, name: str) -> str:
    """Text of a CSV export, whatever encoding the exporting program chose."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SalesdeckError(f"{name}: cannot tell the text encoding (tried UTF-8, UTF-16 and GB18030/GBK)")


def _csv_rows(path: Path) -> list[list[object]]:
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
            if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise NotAWorkbookError(f"{path.name}: binary data, not a CSV file")
            size = path.stat().st_size
            if size > MAX_TEXT_BYTES:
                raise NotAWorkbookError(f"{path.name}: {size / (1 << 20):,.0f} MB is too big for a text export "
                                        f"(at most {MAX_TEXT_BYTES >> 20} MB); export it in parts, e.g. a month "
                                        "a file, and import them together")
            data = head + stream.read()
    except OSError as exc:
        raise SalesdeckError(f"cannot read {path}: {exc.strerror or exc}") from None
    text = decode_text(data, path.name).replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _sheet_rows(path: Path) -> list[list[object]]:
    from salesdeck.workbook.read.raw import read_raw

    try:
        sheets = read_raw(path).sheets
    except NotAWorkbookError as exc:
        reason = str(exc).removeprefix(f"{path.name}: ")
        raise NotAWorkbookError(f"{path.name}: cannot be read as a spreadsheet ({reason})") from None
    for rows in sheets.values():
        if any(any(v not in ("", None) for v in row) for row in rows):
            return [list(r) for r in rows]
    return []


_NUMBER_TEXT = re.compile(r"[-+(]?[\d,.]+\)?%?")


def _is_header(row: list[object]) -> bool:
    """At least two names, no numbers (text that reads as a number counts as one: CSV cells are all text)."""
    filled = [v for v in row if v not in ("", None)]
    names = [v for v in filled if isinstance(v, str) and not _NUMBER_TEXT.fullmatch(v.strip())]
    return len(filled) >= 2 and bool(names) and all(v in names or hasattr(v, "year") for v in filled)


def _header_index(rows: list[list[object]], known: Callable[[str], bool] | None) -> int | None:
    """Index of the header row among the top rows (see the module docstring)."""
    top = rows[:HEADER_SCAN_ROWS]
    if known is not None:
        scores = [sum(1 for v in row if known(_header_text(v))) if _is_header(row) else 0 for row in top]
        if scores and max(scores) >= 2:
            return scores.index(max(scores))
    return next((i for i, row in enumerate(top) if _is_header(row)), None)


def read_source(path: str | Path, known: Callable[[str], bool] | None = None) -> SourceTable:
    """Read one exported file into headers and rows.

    ``known(header)`` tells whether a header names a column the caller
    expects; it picks the header row out of title and note rows above it.
    """
    path = Path(path)
    if not path.is_file():
        raise SalesdeckError(f"source {path} does not exist")
    rows = _sheet_rows(path) if path.suffix.lower() in SPREADSHEETS else _csv_rows(path)
    index = _header_index(rows, known)
    if index is not None:
        headers = [_header_text(v) for v in rows[index]]
        width = len(headers)
        body = [list(r[:width]) + [""] * (width - len(r)) for r in rows[index + 1:]]
        return SourceTable(path, headers, body, first_row=index + 2)
    raise SalesdeckError(f"{path.name}: no header row found in the first {HEADER_SCAN_ROWS} rows "
                         "(expected a row of column names such as 日期, 客户, 金额 or Date, Customer, Amount)")


def _header_text(value: object) -> str:
    if hasattr(value, "year") and hasattr(value, "month"):
        return f"{value.year:04d}-{value.month:02d}"  # a month heading in a wide table
    return "" if value is None else str(value).strip()
