"""The safety scan of a zip workbook: every part streamed once, each sheet passed on to be parsed.

:func:`scan_zip` streams every member through :func:`salesdeck.ooxml.safety.member_chunks`
(sizes, DTDs, well-formed XML), measures every worksheet with
:class:`~salesdeck.workbook.read.extent.SheetExtent` (an .ods file's tables with
:class:`~salesdeck.workbook.read.extent_ods.OdsExtent`), notes the cells stored
as Excel error values, and feeds the big sheet's chunks to the splitter.
Each part it passes is announced on a :class:`Gate`; the thread running
calamine parses a sheet only once its part has come through.
"""

from __future__ import annotations

import queue
import re
import zipfile
from pathlib import Path
from typing import Callable, Iterator

from salesdeck.errors import NotAWorkbookError
from salesdeck.ooxml.parts import sheet_parts
from salesdeck.ooxml.safety import CHUNK, is_xml_part, member_chunks, open_zip
from salesdeck.ooxml.xml import column_index
from salesdeck.workbook.read.extent import SheetExtent
from salesdeck.workbook.read.extent_ods import OdsExtent

__all__ = ["Gate", "ScanRefused", "scan_zip"]

_ERROR_CELL = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
#: Parts calamine parses as data, each with its own error reporting: not parsed a second time here.
_DATA_PARTS = ("xl/sharedStrings.xml", "content.xml")


class ScanRefused(Exception):
    """Raised in the thread waiting on a :class:`Gate` when the scan refused the file (its reason is shown)."""


class Gate:
    """The parts the scan has passed, in the order it passed them, for another thread to act on."""

    _END, _REFUSED = object(), object()

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()

    def passed(self, part: str) -> None:
        self._queue.put(part)

    def close(self, refused: bool) -> None:
        self._queue.put(self._REFUSED if refused else self._END)

    def __iter__(self) -> Iterator[str]:
        """Each passed part as it comes; ScanRefused when the scan refused the file."""
        while (item := self._queue.get()) is not self._END:
            if item is self._REFUSED:
                raise ScanRefused
            yield item


def scan_zip(path: Path, fmt: str, gate: Gate, split_member: str | None = None,
             split: Callable | None = None) -> tuple[dict, object | None]:
    """Stream every member once; return the error cells per sheet name, and the splitter fed ``split_member``.

    ``split(zf)`` makes the splitter. The gate is closed however this ends.
    """
    name = path.name
    splitter = None
    refused = True
    try:
        with open_zip(path, NotAWorkbookError) as zf:
            sheets = {part: sheet for sheet, part in sheet_parts(zf).items()} if fmt == "xlsx" else {}
            errors: dict[str, dict[tuple[int, int], str]] = {}
            # smallest first: the small sheets are passed (and parsed) while the big one still streams
            for info in sorted(zf.infolist(), key=lambda i: i.file_size):
                if info.is_dir():
                    continue
                sink = None
                if split is not None and info.filename == split_member:
                    splitter = sink = _start(split, zf)
                found = _scan_member(name, zf, info, fmt, sheets.get(info.filename), sink)
                if found:
                    errors[info.filename] = found
                gate.passed(info.filename)
            refused = False
            return {sheets[part]: cells for part, cells in errors.items() if part in sheets}, splitter
    finally:
        gate.close(refused)
        if refused and splitter is not None:
            splitter.abandon("the scan refused the file")
            splitter.close()


def _scan_member(name: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, fmt: str, sheet: str | None,
                 sink) -> dict:
    """One member through every check; the error cells it holds (worksheets only)."""
    part = info.filename
    is_sheet = sheet is not None or part.startswith("xl/worksheets/") and part.endswith(".xml")
    if fmt == "xlsx":
        extent = SheetExtent(name, lambda: f"sheet '{sheet}'" if sheet is not None else f"part {part}")
    else:
        extent = OdsExtent(name) if part == "content.xml" else None
    cells = _ErrorCells() if is_sheet else None
    well_formed = is_xml_part(part) and not is_sheet and part not in _DATA_PARTS
    for chunk in member_chunks(name, zf, info, well_formed=well_formed, error=NotAWorkbookError):
        if extent is not None:
            extent.feed(chunk)   # before the splitter sees the chunk: no piece holds an unmeasured cell
        if cells is not None:
            cells.feed(chunk)
        if sink is not None and not sink.abandoned:
            _feed(sink, chunk)
    if extent is not None:
        extent.finish()
    if sink is not None and not sink.abandoned:
        _feed(sink, None)
    return cells.finish() if cells is not None else {}


def _start(split: Callable, zf: zipfile.ZipFile):
    """The splitter, or None when its temporary files cannot even be started (the sheet is read whole)."""
    try:
        return split(zf)
    except OSError:
        return None


def _feed(splitter, chunk: bytes | None) -> None:
    """Hand a chunk on (None: the end); a full disk or any failure writing the pieces abandons the split,
    and the sheet is parsed whole instead, needing no temporary space."""
    try:
        if chunk is None:
            splitter.finish()
        else:
            splitter.feed(chunk)
    except OSError as exc:
        splitter.abandon(f"its pieces could not be written ({exc.strerror or exc}: {exc.filename or ''})")


class _ErrorCells:
    """Cells stored as Excel error values (t="e"), found in a worksheet's chunks as they pass."""

    def __init__(self) -> None:
        self.found: dict[tuple[int, int], str] = {}
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        buf = self._tail + chunk
        cut = buf.rfind(b"<c ")
        scan, self._tail = (buf[:cut], buf[min(cut, len(buf) - 32):]) if cut > 0 else (buf, buf[-32:])
        if b"#" in scan and b't="e"' in scan:  # every error value starts with '#'; memchr first
            _collect_errors(scan, self.found)
        if len(self._tail) > CHUNK:
            self._tail = b""

    def finish(self) -> dict:
        if b't="e"' in self._tail:
            _collect_errors(self._tail, self.found)
        return self.found


def _collect_errors(data: bytes, found: dict) -> None:
    for match in _ERROR_CELL.finditer(data):
        ref = _CELL_REF.search(match.group(1))
        value = _VALUE.search(match.group(2))
        if ref and value:
            found[(int(ref.group(2)) - 1, column_index(ref.group(1).decode()))] = value.group(1).decode("utf-8", "replace")
