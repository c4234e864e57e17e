"""Parse one big worksheet in pieces, on every core, while the safety scan streams it.

python-calamine parses a sheet on one core. For a sheet of hundreds of
thousands of rows that parse is most of a build, and on a machine with two or
more cores the others sit idle. The scan in :mod:`rawread` already streams
every part of the file once; for the biggest sheet it also hands each chunk to
a :class:`SheetSplitter`, which cuts the sheet's XML at row boundaries into
pieces (each the sheet's own header, a run of whole rows, a closing tag),
writes each piece as the only sheet of a small stored workbook (with the
original's workbook, styles and shared strings, so dates and shared text read
the same) and has calamine parse it as soon as it is complete. The pieces'
rows carry their original row numbers (``<row r="...">``), so calamine puts
every cell where it was; :meth:`SheetSplitter.rows` joins them into exactly
the grid the whole sheet gives. Anything unexpected (no ``r`` on a row at a
cut, rows out of order, a piece calamine cannot read) abandons the split and
the caller parses the whole sheet as before.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor

from salesdeck.tempfiles import private_tempdir

__all__ = ["SheetSplitter", "COMMON_PARTS"]

#: What calamine reads besides the sheet itself: the package, the workbook, its styles (dates) and shared strings.
COMMON_PARTS = ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                "xl/styles.xml", "xl/sharedStrings.xml")
_MAX_PREFIX = 4 << 20          # the sheet's header (views, columns...) before <sheetData>
_SHEET_DATA = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?sheetData(\s*/?)>")
_ROW_START = re.compile(rb"\s*<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\sr=\"(\d+)\"")


class SheetSplitter:
    """Cuts one worksheet's XML into ``pieces`` and parses each on ``pool`` once written.

    ``feed`` every decompressed chunk of the sheet in order, then ``finish``;
    ``rows()`` gives the joined grid (as ``to_python(skip_empty_area=False)``
    of the whole sheet would), or None when the split was abandoned.
    """

    def __init__(self, source: zipfile.ZipFile, member: zipfile.ZipInfo, sheet: str,
                 pool: ThreadPoolExecutor, pieces: int) -> None:
        self.member, self.sheet, self.pool = member, sheet, pool
        self.target = max(1, member.file_size // pieces)
        self.pieces_left = pieces
        self._dir = private_tempdir("read")  # removed by close(), else at exit; a killed run's by the next one
        self._common = self._dir / "common.zip"
        with zipfile.ZipFile(self._common, "w", compression=zipfile.ZIP_STORED) as out:
            names = set(source.namelist())
            for name in COMMON_PARTS:
                if name in names:
                    out.writestr(name, source.read(name))
        self._head = b""           # bytes before the rows are found
        self._prefix: bytes | None = None
        self._row_end = self._closing = b""
        self._writer = self._zip = None
        self._written = 0
        self._count = 0
        self._pending = b""        # start of a piece not yet checked for its row number
        self.futures: list[Future] = []
        self.abandoned: str | None = None

    # ------------------------------------------------------------ streaming
    def feed(self, chunk: bytes) -> None:
        if self.abandoned:
            return
        if self._prefix is None:
            self._find_rows(chunk)
            return
        self._write_rows(chunk)

    def finish(self) -> None:
        if self.abandoned:
            return
        if self._prefix is None:
            self.abandon("no rows found")
            return
        if self._pending:
            self._flush_pending(final=True)
        if not self.abandoned:
            self._close_piece(b"")

    def abandon(self, reason: str) -> None:
        self.abandoned = reason
        if self._writer is not None:
            self._writer.close()
            self._zip.close()
            self._writer = self._zip = None

    def _find_rows(self, chunk: bytes) -> None:
        self._head += chunk
        match = _SHEET_DATA.search(self._head)
        if match is None:
            if len(self._head) > _MAX_PREFIX:
                self.abandon("sheet header too long")
            return
        if match.group(2).strip() == b"/":
            self.abandon("empty sheet")
            return
        ns = match.group(1) + b":" if match.group(1) else b""
        self._row_end = b"</" + ns + b"row>"
        self._closing = b"</" + ns + b"sheetData></" + ns + b"worksheet>"
        self._prefix = self._head[:match.end()]
        rest = self._head[match.end():]
        self._head = b""
        self._open_piece()
        self._write_rows(rest)

    def _write_rows(self, data: bytes) -> None:
        if self._pending:
            self._pending += data
            self._flush_pending()
            return
        if not data or self.abandoned:
            return
        if self.pieces_left > 1 and self._written + len(data) >= self.target:
            cut = data.find(self._row_end, max(0, self.target - self._written))
            if cut >= 0:  # the piece ends after this row; the next one starts with the rest
                cut += len(self._row_end)
                self._write(data[:cut])
                self._close_piece(self._closing)
                self._open_piece()
                self._pending = data[cut:]
                self._flush_pending()
                return
        self._write(data)

    def _flush_pending(self, final: bool = False) -> None:
        """Write the start of a new piece once its first row's number (r=) is known to be there."""
        head = self._pending.lstrip()
        if not final and (not head or b">" not in head):
            return  # wait until the first tag is complete
        if head and not head.startswith(b"</") and _ROW_START.match(head) is None:
            self.abandon("a row without its number (r=) where the sheet was cut")
            return
        data, self._pending = self._pending, b""
        self._write_rows(data)

    def _write(self, data: bytes) -> None:
        self._writer.write(data)
        self._written += len(data)

    def _open_piece(self) -> None:
        path = self._dir / f"piece{self._count}.xlsx"
        shutil.copyfile(self._common, path)
        self._zip = zipfile.ZipFile(path, "a", compression=zipfile.ZIP_STORED)
        self._writer = self._zip.open(self.member.filename, "w", force_zip64=True)
        self._writer.write(self._prefix)
        self._written = 0
        self._path = path

    def _close_piece(self, closing: bytes) -> None:
        self._writer.write(closing)
        self._writer.close()
        self._zip.close()
        self._writer = self._zip = None
        self._count += 1
        self.pieces_left -= 1
        self.futures.append(self.pool.submit(_parse_piece, str(self._path), self.sheet))

    # ------------------------------------------------------------ results
    def rows(self) -> list[list] | None:
        """The whole sheet's grid from A1, or None when the split was abandoned or a piece failed."""
        if self.abandoned:
            return None
        parts = []
        for future in self.futures:
            try:
                parts.append(future.result())
            except Exception as exc:  # noqa: BLE001 - the whole-sheet parse will report it properly
                self.abandoned = f"piece unreadable ({type(exc).__name__})"
                return None
        return _join(parts)

    def close(self) -> None:
        """Wait for the pieces still being parsed, then remove their files."""
        for future in self.futures:
            future.cancel()
        for future in self.futures:
            if not future.cancelled():
                try:
                    future.exception()
                except Exception:  # noqa: BLE001 - only waiting so the files can go
                    pass
        shutil.rmtree(self._dir, ignore_errors=True)


def _parse_piece(path: str, sheet: str) -> tuple[tuple[int, int] | None, list[list]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(path)
    try:
        found = book.get_sheet_by_name(sheet)
        rows = found.to_python(skip_empty_area=True)
        return (tuple(found.start) if rows and found.start is not None else None), rows
    finally:
        book.close()


def _join(parts: list[tuple[tuple[int, int] | None, list[list]]]) -> list[list] | None:
    """Pieces (start, rows) in sheet order -> one grid from A1; None when they overlap."""
    placed = [(start, rows) for start, rows in parts if start is not None and rows]
    if not placed:
        return []
    width = max(col + len(rows[0]) for (row, col), rows in placed)
    grid: list[list] = []
    for (row, col), rows in placed:
        if row < len(grid):
            return None  # rows out of order across pieces
        grid.extend([""] * width for _ in range(row - len(grid)))
        if col == 0 and len(rows[0]) == width:
            grid.extend(rows)
        else:
            left, right = [""] * col, width - col - len(rows[0])
            grid.extend(left + r + [""] * right for r in rows)
    return grid
