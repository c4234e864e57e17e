"""How far each table of an OpenDocument spreadsheet reaches, measured from content.xml as it streams by.

An .ods cell has no reference: it sits after the cells before it, and
``table:number-rows-repeated`` / ``table:number-columns-repeated`` repeat a
row or a cell. python-calamine lays every table out as one block, repeats
expanded (up to 1,048,576 rows and 16,384 columns, then 100 million cells),
so an 816-byte file whose one valued cell is repeated 90 times across
1,048,000 rows takes it past 8 GB. :class:`OdsExtent` follows calamine's
reading (only ``table:``-prefixed elements count, as there) and applies the
rules of :class:`~salesdeck.workbook.read.extent.Reach` to each table when it
ends, the size bound as soon as it is passed.
"""

from __future__ import annotations

import re

from salesdeck.workbook.read.extent import Reach, cell_name

__all__ = ["OdsExtent"]

_ODS_ROWS, _ODS_COLUMNS = 1_048_576, 16_384  # calamine's own caps on repeats
_TAG = re.compile(rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_NAME = re.compile(rb"""\btable:name\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REPEAT = {
    b"table-row": re.compile(rb"""\btable:number-rows-repeated\s*=\s*["']\s*(\d+)"""),
    b"table-cell": re.compile(rb"""\btable:number-columns-repeated\s*=\s*["']\s*(\d+)"""),
}
_REPEAT[b"covered-table-cell"] = _REPEAT[b"table-cell"]
_VALUED = re.compile(rb"\b(?:office:value-type|office:value|office:string-value|office:date-value|office:time-value|"
                     rb"office:boolean-value|table:formula)\s*=")


class OdsExtent:
    """Measures content.xml fed chunk by chunk, table by table; NotAWorkbookError when one reaches too far."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.table: Reach | None = None
        self.last_table: Reach | None = None   # the table measured last (for tests and messages)
        self._pending = b""
        self._row = self._col = 0      # 0-based position of the next row / cell in the current table
        self._row_repeat = 1

    def feed(self, chunk: bytes) -> None:
        buf = self._pending + chunk
        cut = buf.rfind(b">") + 1
        self._pending = buf[cut:][-(4 << 20):]
        for match in _TAG.finditer(buf, 0, cut):
            self._tag(match.group(1) == b"/", match.group(2), match.group(3))

    def finish(self) -> None:
        self._pending = b""
        if self.table is not None:
            self.table._check(final=True)

    def _tag(self, closing: bool, name: bytes, attrs: bytes) -> None:
        if name == b"table":
            if closing:
                if self.table is not None:
                    self.table._check(final=True)
                self.last_table, self.table = self.table, None
            else:
                found = _NAME.search(attrs)
                title = (found.group(1) or found.group(2)).decode("utf-8", "replace") if found else "?"
                self.table = Reach(self.file_name, lambda: f"sheet '{title}'")
                self._row = 0
            return
        if self.table is None or closing:
            if closing and name == b"table-row":
                self._end_row()
            return
        repeat = _REPEAT[name].search(attrs)
        times = int(repeat.group(1)) if repeat else 1
        if name == b"table-row":
            self._row_repeat = min(times, max(_ODS_ROWS - self._row, 0))
            self._col = 0
            if attrs.rstrip().endswith(b"/"):
                self._end_row()
            return
        times = min(times, max(_ODS_COLUMNS - self._col, 0))
        if _VALUED.search(attrs) or not attrs.rstrip().endswith(b"/"):  # a value, or content: counted as filled
            last = self._col + times - 1
            self.table.filled += times * self._row_repeat
            self.table._note(self._row + self._row_repeat, last + 1,
                             cell_name(self._row + self._row_repeat - 1, last))
            self.table._check(final=False)
        self._col += times

    def _end_row(self) -> None:
        self._row += self._row_repeat
        self._row_repeat, self._col = 1, 0
