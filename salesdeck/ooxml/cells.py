"""Stream table rows into worksheet XML: the fast path for large sheets.

A :class:`Column` holds one table column's values (text, numbers or dates as
Excel serials, or a few pre-typed cells); :class:`SheetRows` turns the columns
of one sheet into ``<row>`` elements chunk by chunk, so memory stays flat for a
million rows. :func:`inject_rows` copies a package written by XlsxWriter and
puts those rows into its worksheets, with fixed zip timestamps.
"""

from __future__ import annotations

import dataclasses
import os
import re
import zipfile
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import pandas as pd

from salesdeck.ooxml.xml import ILLEGAL_XML, escape_text
from salesdeck.ooxml.zips import fixed_member

CHUNK_ROWS = 20_000
SST_PART = "xl/sharedStrings.xml"
EXCEL_EPOCH = np.datetime64("1899-12-30", "ns")
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')
_SST_COUNTS = re.compile(r'<sst ([^>]*?)count="(\d+)" uniqueCount="(\d+)"')
_TABLE_NAME = re.compile(r'<table [^>]*\bdisplayName="([^"]+)"')
_REF = re.compile(r'(<(?:table|autoFilter) [^>]*?\bref=")[^"]*(")')


def _number_text(v: float) -> str:
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def _t(v: str) -> str:
    """A ``<t>`` element holding ``v``."""
    if "&" in v or "<" in v or ">" in v:
        v = escape_text(v)
    space = ' xml:space="preserve"' if v[:1].isspace() or v[-1:].isspace() else ""
    return f"<t{space}>{v}</t>"


def _text_tail(v: str) -> str:
    return f' t="inlineStr"><is>{_t(v)}</is></c>'


class SharedStrings:
    """The streamed text cells' strings, appended after XlsxWriter's own shared strings.

    Shared strings keep a million-row sheet small and quick to read back.
    """

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.strings: list[str] = []
        self.references = 0

    def codes(self, values: np.ndarray) -> np.ndarray:
        """Each value's position in this table (-1 for blanks)."""
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        mapping = np.array([self._add(u) for u in uniques] + [-1], dtype=np.int64)
        self.references += int((codes >= 0).sum())
        return mapping[codes]  # -1 picks the trailing -1

    def _add(self, value: str) -> int:
        position = self.index.get(value)
        if position is None:
            position = self.index[value] = len(self.strings)
            self.strings.append(value)
        return position

    def merge_into(self, sst: str) -> str:
        """XlsxWriter's sharedStrings.xml with these strings appended (counts updated)."""
        match = _SST_COUNTS.search(sst)
        count, unique = int(match.group(2)), int(match.group(3))
        head = sst[: match.start()] + f'<sst {match.group(1)}count="{count + self.references}" ' \
            f'uniqueCount="{unique + len(self.strings)}"' + sst[match.end():]
        body, end = head.rsplit("</sst>", 1)
        return body + "".join(f"<si>{_t(v)}</si>" for v in self.strings) + "</sst>" + end

    @staticmethod
    def base_of(sst: str) -> int:
        """How many strings XlsxWriter stored (ours are numbered after them)."""
        return int(_SST_COUNTS.search(sst).group(3))


@dataclass(frozen=True)
class Cell:
    """One pre-typed cell (used for the Settings value column, whose type varies by row)."""

    tail: str
    text_value: str | None = None  # what a text cell shows, for fitting the column width

    @classmethod
    def text(cls, value: str) -> "Cell":
        value = ILLEGAL_XML.sub("", value)
        return cls(_text_tail(value), value)

    @classmethod
    def number(cls, value: float, style: int | None = None) -> "Cell":
        s = f' s="{style}"' if style else ""
        return cls(f"{s}><v>{_number_text(float(value))}</v></c>")


@dataclass(frozen=True)
class Column:
    """One table column: its values and how each cell is written."""

    key: str
    kind: str  # "text", "number" or "mixed"
    values: object  # object ndarray (text, None = blank), float ndarray (NaN = blank) or list[Cell | None]
    style: int | None = None
    letter: str = ""
    codes: np.ndarray | None = None  # text: positions in the SharedStrings (-1 = blank)

    def at(self, letter: str) -> "Column":
        return dataclasses.replace(self, letter=letter)

    def __len__(self) -> int:
        return len(self.values)

    @classmethod
    def text(cls, key: str, series: pd.Series, strings: SharedStrings) -> "Column":
        values = [None if v is None or (isinstance(v, float) and v != v) or v == "" else
                  (v if isinstance(v, str) else _number_text(v) if isinstance(v, float) else str(v))
                  for v in series.to_numpy(dtype=object).tolist()]
        if ILLEGAL_XML.search("\n".join(v for v in values if v is not None)):
            values = [None if v is None else ILLEGAL_XML.sub("", v) for v in values]
        array = np.array(values, dtype=object)
        return cls(key, "text", array, codes=strings.codes(array))

    @classmethod
    def numbers(cls, key: str, series: pd.Series, style: int | None) -> "Column":
        return cls(key, "number", pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64"), style)

    @classmethod
    def dates(cls, key: str, series: pd.Series, style: int | None) -> "Column":
        stamps = pd.to_datetime(series).to_numpy(dtype="datetime64[ns]")
        serial = (stamps - EXCEL_EPOCH) / np.timedelta64(1, "D")
        return cls(key, "number", np.where(np.isnat(stamps), np.nan, serial), style)

    @classmethod
    def mixed(cls, key: str, cells: list[Cell | None]) -> "Column":
        return cls(key, "mixed", list(cells))

    def texts(self, limit: int) -> list[str]:
        """The first ``limit`` texts of the column (for fitting its width)."""
        if self.kind == "text":
            return [v for v in self.values[:limit] if v is not None]
        if self.kind == "mixed":
            return [c.text_value for c in self.values[:limit] if c is not None and c.text_value]
        return []

    def tails(self, start: int, stop: int, base: int = 0) -> list[str | None]:
        """What follows ``<c r="A2"`` for rows ``start``..``stop`` (0-based data rows); None = blank.

        ``base`` is where this workbook's shared strings start.
        """
        part = self.values[start:stop]
        if self.kind == "text":
            out = [None if c < 0 else f' t="s"><v>{c + base}</v></c>' for c in self.codes[start:stop].tolist()]
        elif self.kind == "number":
            s = f' s="{self.style}"' if self.style else ""
            out = [None if v != v else f"{s}><v>{_number_text(v)}</v></c>" for v in part.tolist()]
        else:
            out = [None if c is None else c.tail for c in part]
        return out + [None] * (stop - start - len(out))


@dataclass
class SheetRows:
    """The data rows of one sheet (row 2 on), from its tables' columns left to right."""

    columns: list[Column]
    n_rows: int
    dimension: str = "A1"
    chunk_rows: int = field(default=CHUNK_ROWS)

    def chunks(self, base: int = 0) -> Iterator[str]:
        for start in range(0, self.n_rows, self.chunk_rows):
            stop = min(self.n_rows, start + self.chunk_rows)
            tails = [c.tails(start, stop, base) for c in self.columns]
            letters = [c.letter for c in self.columns]
            lines = []
            for i, row_tails in enumerate(zip(*tails)):
                r = start + i + 2
                cells = "".join(f'<c r="{L}{r}"{t}' for L, t in zip(letters, row_tails) if t is not None)
                if cells:
                    lines.append(f'<row r="{r}">{cells}</row>')
            yield "".join(lines)


def inject_rows(source: str | os.PathLike, target: str | os.PathLike, rows: dict[str, SheetRows],
                table_refs: dict[str, str] | None = None, strings: SharedStrings | None = None) -> None:
    """Copy the package ``source`` to ``target``, adding ``rows`` to the named worksheet parts.

    ``table_refs`` (table display name -> range such as ``A1:M4801``) stretches
    Excel tables over the streamed rows. Every member gets the same fixed
    timestamp, so the same rows give the same bytes.
    """
    table_refs = table_refs or {}
    strings = strings or SharedStrings()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zout:
        sst = zin.read(SST_PART).decode("utf-8")  # XlsxWriter always stores the headers there
        base = SharedStrings.base_of(sst)
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == SST_PART:
                data = strings.merge_into(sst).encode("utf-8")
            member = fixed_member(info.filename)
            sheet_rows = rows.get(info.filename)
            if info.filename.startswith("xl/tables/") and table_refs:
                data = _stretch_table(data, table_refs)
            if sheet_rows is None:
                zout.writestr(member, data)
                continue
            text = data.decode("utf-8").replace("<sheetData/>", "<sheetData></sheetData>")
            head, tail = text.split("</sheetData>", 1)
            head = _DIMENSION.sub(f'<dimension ref="{sheet_rows.dimension}"/>', head, count=1)
            with zout.open(member, "w", force_zip64=True) as out:
                out.write(head.encode("utf-8"))
                for chunk in sheet_rows.chunks(base):
                    out.write(chunk.encode("utf-8"))
                out.write(("</sheetData>" + tail).encode("utf-8"))


def _stretch_table(data: bytes, table_refs: dict[str, str]) -> bytes:
    """A table part with its range (and its autofilter's) set from ``table_refs``."""
    text = data.decode("utf-8")
    name = _TABLE_NAME.search(text)
    if name is None or name.group(1) not in table_refs:
        return data
    ref = table_refs[name.group(1)]
    return _REF.sub(lambda m: f"{m.group(1)}{ref}{m.group(2)}", text).encode("utf-8")
