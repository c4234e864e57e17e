"""How far a worksheet's cells reach, measured while its XML streams by, before anything lays it out.

python-calamine lays a sheet out as one block from its first to its last
filled cell, and the reader asks for it from A1: a sheet with one value in
A1 and one in XFD1048576 is 17 billion cells, which no machine can hold (the
process aborts). So before calamine sees a sheet, :class:`SheetExtent` finds
the last row and column that hold a value and how many cells are filled, and
refuses a sheet that is

- bigger than :data:`MAX_SHEET_CELLS` laid out from A1 (the memory bound), or
- sparse: bigger than :data:`SPARSE_FREE_CELLS` and more than
  :data:`SPARSE_RATIO` times its filled cells (a stray far-away cell).

It follows calamine's own rules: a cell's place is its ``r`` reference, or
the next column in the current row when it has none; rows are numbered by
their ``r`` or count on from the previous one; empty ``<c .../>`` cells are
not laid out. Files as Excel, LibreOffice, openpyxl and xlsxwriter write
them (every cell with an ``r``, rows in order) are measured with a few
C-speed searches per chunk; anything else is followed tag by tag.
"""

from __future__ import annotations

import functools
import re
from typing import Callable

from salesdeck.errors import NotAWorkbookError

__all__ = ["Reach", "SheetExtent", "MAX_SHEET_CELLS", "SPARSE_FREE_CELLS", "SPARSE_RATIO", "cell_name"]

#: At most this many cells laid out from A1 per sheet (1,048,576 rows x 32 columns; about 2 GB at worst).
MAX_SHEET_CELLS = 1 << 25
#: A sheet up to this many cells (from A1) is read however sparse it is (about 250 MB at worst).
SPARSE_FREE_CELLS = 1 << 22
#: The fewest bytes a filled cell takes in a sheet's XML ('<c r="A1"><v>1</v></c>' is 22): while a sheet is far
#: below SPARSE_FREE_CELLS its cells are not counted, and its bytes / this bound how many it can hold.
MIN_CELL_BYTES = 20
#: A bigger sheet may lay out at most this many cells per filled cell.
SPARSE_RATIO = 16
#: Text after the last '>' of a chunk kept for the next one; more than this is not a worksheet.
_MAX_PENDING = 4 << 20

_CELL = b'<c r="'
_ROW = b'<row r="'
# a cell not written the common way ('<c r="A1" ...'), or a prefixed cell or row tag
_ODD_CELL = re.compile(rb'<c(?! r="[A-Z])[\s/>]')
_PREFIXED = re.compile(rb':(?:c|row)[\s/>]')
_FILLED_REF = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*(?<!/)>')
_CELL_REF = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*>')
_ANY_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF_TEXT = re.compile(rb"([A-Za-z]*)(\d+)")


class Reach:
    """How far one sheet's filled cells reach (1-based last row and column, the cells that set them, how many
    are filled) and the two rules on it."""

    def __init__(self, file_name: str, where: Callable[[], str]) -> None:
        self.file_name, self.where = file_name, where
        self.rows = self.cols = 0
        self.row_ref = self.col_ref = ""
        self.filled = 0
        self.unmeasured = 0  # bytes of cells not counted one by one (each filled cell takes at least MIN_CELL_BYTES)

    @property
    def cells(self) -> int:
        """Cells laid out from A1."""
        return self.rows * self.cols

    def _note(self, row: int, col: int, ref: str) -> None:
        """A filled cell at 1-based (row, col)."""
        if row > self.rows:
            self.rows, self.row_ref = row, ref
        if col > self.cols:
            self.cols, self.col_ref = col, ref

    def _check(self, final: bool) -> None:
        """Refuse past MAX_SHEET_CELLS at once; a sparse sheet once it is all measured (``final``)."""
        if self.cells > MAX_SHEET_CELLS:
            raise NotAWorkbookError(
                f"{self.file_name}: refused, {self.where()} reaches {self._far_cells()}: laid out from A1 that is "
                f"{self.rows:,} rows x {self.cols:,} columns = {self.cells:,} cells, more than the "
                f"{MAX_SHEET_CELLS:,} salesdeck reads per sheet. {_HOW_TO_FIX}")
        most = self.filled + self.unmeasured // MIN_CELL_BYTES
        if final and self.cells > SPARSE_FREE_CELLS and self.cells > SPARSE_RATIO * most:
            count = f"at most {most:,}" if self.unmeasured else f"{most:,}"
            raise NotAWorkbookError(
                f"{self.file_name}: refused, {self.where()} has a value at {self._far_cells()}, far from the rest: "
                f"laid out from A1 that is {self.cells:,} cells for {count} filled ones. {_HOW_TO_FIX}")

    def _far_cells(self) -> str:
        if self.row_ref == self.col_ref:
            return f"cell {self.row_ref}"
        return f"cells {self.col_ref} (column) and {self.row_ref} (row)"


class SheetExtent(Reach):
    """Measures one worksheet part fed chunk by chunk; raises NotAWorkbookError as soon as it is too big.

    ``where()`` names the sheet for messages (called only when refusing).
    """

    def __init__(self, file_name: str, where: Callable[[], str]) -> None:
        super().__init__(file_name, where)
        self.active = False        # inside the part once <sheetData is seen
        self._pending = b""
        self._row_index = self._col_index = 0  # calamine's running position (0-based), for cells without r

    # ------------------------------------------------------------ streaming
    def feed(self, chunk: bytes) -> None:
        buf = self._pending + chunk
        if not self.active:
            at = buf.find(b"sheetData")
            if at < 0:
                self._pending = buf[-16:]
                return
            self.active = True
            buf = buf[at:]
        cut = buf.rfind(b">") + 1
        self._pending = buf[cut:]
        if len(self._pending) > _MAX_PENDING:
            raise NotAWorkbookError(f"{self.file_name}: refused, {self.where()} has an XML tag or text run "
                                    f"longer than {_MAX_PENDING:,} bytes")
        if cut:
            self._measure(buf[:cut])
            self._check(final=False)

    def finish(self) -> None:
        if self.active and self._pending:
            self._measure(self._pending + b">")
        self._pending = b""
        self._check(final=True)

    # ------------------------------------------------------------ measuring
    def _measure(self, buf: bytes) -> None:
        if _prefixed(buf):
            self._follow_tags(buf)
            return
        self._take_last_cell(buf)
        if _outside(self.rows, self.cols).search(buf) is not None:  # one pass over every cell tag
            if _ODD_CELL.search(buf) is not None:
                self._follow_tags(buf)
                return
            self._every_cell(buf)
        if self.cells > SPARSE_FREE_CELLS:  # the sparse rule may come into play: count them
            self.filled += buf.count(b"</c>")
        else:
            self.unmeasured += len(buf)
        self._follow_regular(buf)

    def _take_last_cell(self, buf: bytes) -> None:
        """The last filled cell with a reference: where the sheet reaches when rows come in order."""
        end = len(buf)
        for _ in range(8):
            at = buf.rfind(_CELL, 0, end)
            if at < 0:
                return
            match = _CELL_REF.match(buf, at)
            if match and not match.group(0).endswith(b"/>"):
                self._note(int(match.group(2)), _column_number(match.group(1)), _ref(match.group(1), match.group(2)))
                return
            end = at

    def _every_cell(self, buf: bytes) -> None:
        refs = _FILLED_REF.findall(buf)
        if not refs:
            return
        last_row = max(map(int, {digits for _, digits in refs}))
        widest = max({letters for letters, _ in refs}, key=lambda letters: (len(letters), letters))
        for letters, digits in refs:
            if int(digits) == last_row:
                self._note(last_row, _column_number(letters), _ref(letters, digits))
                break
        for letters, digits in refs:
            if letters == widest:
                self._note(int(digits), _column_number(letters), _ref(letters, digits))
                break

    def _follow_regular(self, buf: bytes) -> None:
        """calamine's running position after a chunk whose every cell has its r (rows may lack theirs)."""
        row_at = buf.rfind(_ROW)
        if row_at >= 0:
            number = _REF_TEXT.match(buf, row_at + len(_ROW))
            if number:
                self._row_index = int(number.group(2)) - 1 + buf.count(b"</row>", row_at)
        else:
            self._row_index += buf.count(b"</row>")
        end_at, cell_at = buf.rfind(b"</row>"), buf.rfind(_CELL)
        if cell_at > end_at:
            match = _CELL_REF.match(buf, cell_at)
            if match:
                self._col_index = _column_number(match.group(1))
        elif end_at >= 0:
            self._col_index = 0

    def _follow_tags(self, buf: bytes) -> None:
        """calamine's walk through the cells, tag by tag (cells without r, odd attribute order, prefixes)."""
        for match in _ANY_TAG.finditer(buf):
            closing, name, attrs = match.group(1), match.group(2), match.group(3)
            if closing:
                if name == b"row":
                    self._row_index += 1
                    self._col_index = 0
                continue
            if attrs.rstrip().endswith(b"/"):
                continue  # an empty element: calamine neither places nor counts it
            refs = [a or b for a, b in _R_ATTR.findall(attrs)]
            if name == b"row":
                for ref in refs:
                    found = _REF_TEXT.fullmatch(ref.strip())
                    if found:
                        self._row_index = int(found.group(2)) - 1
                continue
            row, col = self._row_index, self._col_index
            for ref in refs:
                found = _REF_TEXT.fullmatch(ref.strip())
                if found and found.group(1):
                    row, col = int(found.group(2)) - 1, _column_number(found.group(1).upper()) - 1
            self._col_index = col + 1
            self.filled += 1
            self._note(row + 1, col + 1, cell_name(row, col))


_HOW_TO_FIX = ("Delete what lies beyond your data (in Excel, Ctrl+End goes to the last cell in use) "
               "and save the file again")


def _prefixed(buf: bytes) -> bool:
    """A cell or row tag with a namespace prefix (calamine goes by the local name)."""
    return _PREFIXED.search(buf) is not None


def cell_name(row: int, col: int) -> str:
    """A1-style name of a 0-based cell (R1C1-style past any real column)."""
    return f"{_letters(col + 1).decode()}{row + 1}" if col < 18_278 else f"R{row + 1}C{col + 1}"


def _column_number(letters: bytes | str) -> int:
    """1-based column of ``AB`` (bytes or text), as calamine counts it (no upper bound)."""
    number = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(ch) - 64
    return number


def _ref(letters: bytes, digits: bytes) -> str:
    return (letters + digits).decode()


@functools.lru_cache(maxsize=64)
def _outside(rows: int, cols: int) -> re.Pattern:
    """A search for a cell tag not written '<c r="A1"' within ``cols`` columns and ``rows`` rows.

    Written as one negative look-ahead over nested alternatives (as long as the last, then shorter,
    which do not backtrack), so a cell inside costs one short match: about as fast as finding the cells.
    """
    col = _up_to(_letters(cols), b"[A-Z]", b"A") if cols else b"(?!)"
    row = _up_to(str(rows).encode(), rb"\d", b"0") if rows else b"(?!)"
    return re.compile(rb'<c(?! r="(?:' + col + rb')(?:' + row + rb')")[\s/>]')


def _up_to(text: bytes, any_char: bytes, low: bytes) -> bytes:
    """Strings of ``any_char`` not after ``text`` in its numbering: as long and not bigger, or shorter."""
    same = _same_length_up_to(text, any_char, low)
    return same + b"|" + any_char + b"{1,%d}+" % (len(text) - 1) if len(text) > 1 else same


def _same_length_up_to(text: bytes, any_char: bytes, low: bytes) -> bytes:
    """Strings as long as ``text`` and not after it (digits or letters), as nested alternatives."""
    first, rest = text[:1], text[1:]
    if not rest:
        return b"[" + low + b"-" + first + b"]"
    branches = []
    if first != low:
        branches.append(b"[" + low + b"-" + bytes([first[0] - 1]) + b"]" + any_char * len(rest))
    branches.append(re.escape(first) + b"(?:" + _same_length_up_to(rest, any_char, low) + b")")
    return b"|".join(branches)


def _letters(number: int) -> bytes:
    """Column letters of a 1-based column number (no upper bound)."""
    out = b""
    while number:
        number, rest = divmod(number - 1, 26)
        out = bytes([65 + rest]) + out
    return out
