"""Open a spreadsheet file safely and return its sheets as raw grids.

Before anything is handed to python-calamine the file is sniffed and, for zip
based formats (xlsx, xlsm, ods), the package goes through the checks every
package salesdeck opens goes through (:mod:`salesdeck.ooxml.safety`): member
count, declared sizes and compression ratio (zip bombs), then every member
streamed once with bounded memory: actual sizes must match the declared ones,
any XML part that declares a ``<!DOCTYPE`` is refused (so no entity is ever
resolved), the XML parts other than the sheets and shared strings must be
well-formed. While it streams, each worksheet is measured
(:class:`~salesdeck.workbook.read.extent.SheetExtent`): a sheet whose cells
reach too far is refused before calamine lays it out, so calamine parses a
sheet only once the scan has passed it, in a thread of its own while the scan
goes on with the next parts. Cells stored as Excel error values (``t="e"``,
which calamine returns as ``''``) are noted so the grid can show them as
``#DIV/0!``, ``#N/A``, ... A sheet big enough to dominate the read (over
``SPLIT_MIN_BYTES`` of XML) is handed, chunk by chunk as the scan passes it,
to :class:`~salesdeck.workbook.read.split.SheetSplitter`, which has calamine
parse it in pieces on every core and joins them into the same grid.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from salesdeck.errors import NotAWorkbookError
from salesdeck.ooxml.parts import sheet_parts
from salesdeck.ooxml.safety import ZIP_MAGIC, check_directory, open_zip
from salesdeck.workbook.read.scan import Gate, ScanRefused, scan_zip
from salesdeck.workbook.read.split import SheetSplitter

#: Values Excel shows for a failed formula; the reader refuses them in any column.
EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!",
})

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass
class RawWorkbook:
    """Every sheet of a file as rows from A1 (values as calamine gives them)."""

    path: str
    format: str  # "xlsx", "xls" or "ods"
    sheets: dict[str, list[list]] = field(default_factory=dict)


def read_raw(path: str | Path, sheets: Iterable[str] | None = None) -> RawWorkbook:
    """Open ``path`` (read only) and return its sheets (only those named in ``sheets``, when given);
    refuse anything unsafe. The safety checks always cover the whole file.

    Raises NotAWorkbookError with a message a person can act on.
    """
    wanted = None if sheets is None else set(sheets)
    path = Path(path)
    name = path.name
    if not path.exists():
        raise NotAWorkbookError(f"{name}: file not found")
    if path.is_dir():
        raise NotAWorkbookError(f"{name}: is a folder, not a workbook")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise NotAWorkbookError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    if size == 0:
        raise NotAWorkbookError(f"{name}: the file is empty (0 bytes), not a workbook")
    if head.startswith(_OLE_MAGIC):
        _check_ole(path)
        return RawWorkbook(str(path), "xls", _calamine_grids(path, wanted=wanted))
    if head[:4] in ZIP_MAGIC:
        fmt = _zip_format(path)
        return RawWorkbook(str(path), fmt, _with_errors(*_read_zip(path, fmt, wanted)))
    raise NotAWorkbookError(f"{name}: {_describe_other(path)}; save it from Excel as .xlsx")


def _describe_other(path: Path) -> str:
    with path.open("rb") as fh:
        sample = fh.read(4096)
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = sample.decode("gb18030")
        except UnicodeDecodeError:
            return "not a spreadsheet (unknown binary content)"
    if "\x00" in text:
        return "not a spreadsheet (unknown binary content)"
    if text.lstrip().startswith("<"):
        return "a text/HTML/XML file, not an Excel workbook"
    if "," in text or "\t" in text or ";" in text:
        return "a text/CSV file, not an Excel workbook"
    return "a plain text file, not an Excel workbook"


def _check_ole(path: Path) -> None:
    """Refuse encrypted (password-protected) Office files."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s) for s in ole.listdir(streams=True, storages=True)}
    except Exception as exc:  # noqa: BLE001 - any parser failure means "not a workbook"
        raise NotAWorkbookError(f"{path.name}: damaged Office file ({exc})") from exc
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise NotAWorkbookError(
            f"{path.name}: the workbook is password-protected (encrypted); "
            "open it in Excel, remove the password (File > Info > Protect Workbook) and save it again")
    if "Workbook" not in streams and "Book" not in streams:
        raise NotAWorkbookError(f"{path.name}: an Office file that is not an Excel workbook (e.g. a Word document)")


def _open_zip(path: Path):
    return open_zip(path, NotAWorkbookError)


def check_package(path: str | Path) -> str:
    """The directory checks of :func:`read_raw` alone (zip sizes, kind of document), before reading any part:
    "xlsx" or "ods", else NotAWorkbookError."""
    return _zip_format(Path(path))


def _zip_format(path: Path) -> str:
    """Check a zip container's directory (sizes, kind of document); return "xlsx" or "ods"."""
    name = path.name
    with _open_zip(path) as zf:
        infos = zf.infolist()
        check_directory(name, infos, NotAWorkbookError)
        names = {i.filename for i in infos}
        if "mimetype" in names and zf.read("mimetype").strip() == _ODS_MIME:
            return "ods"
        if "xl/workbook.bin" in names:
            raise NotAWorkbookError(f"{name}: binary workbooks (.xlsb) are not supported; save it as .xlsx")
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names or "ppt/presentation.xml" in names:
            raise NotAWorkbookError(f"{name}: a Word or PowerPoint file, not an Excel workbook")
        raise NotAWorkbookError(f"{name}: a zip archive that is not an Excel workbook")


def _read_zip(path: Path, fmt: str, wanted: set[str] | None = None) -> tuple[dict[str, list[list]], dict]:
    """The scan in this thread and calamine in another, each sheet parsed once the scan has passed it;
    the biggest sheet in pieces on every core when it is big.

    Returns (grids of the ``wanted`` sheets, default all; error cells per sheet).
    """
    with _open_zip(path) as zf:
        parts = sheet_parts(zf) if fmt == "xlsx" else {}
        big = _big_sheet(zf, parts)
    if big and wanted is not None and big[0] not in wanted:
        big = None
    pieces = _piece_count(big[1].file_size) if big else 1
    if pieces < 2:
        big = None
    gate = Gate()
    splitter = None
    with ThreadPoolExecutor(max_workers=1 + (pieces if big else 0), thread_name_prefix="calamine") as pool:
        # calamine reads every table of an .ods file as it opens it: only once the scan has passed the file
        grids = pool.submit(_calamine_grids, path, big[0] if big else None, wanted=wanted, gate=gate,
                            parts=parts) if fmt == "xlsx" else None
        split = (lambda zf: SheetSplitter(zf, big[1], big[0], pool, pieces)) if big else None
        try:
            errors, splitter = scan_zip(path, fmt, gate, big[1].filename if big else None, split)
            sheets = grids.result() if grids is not None else _calamine_grids(path, wanted=wanted)
            if big:
                rows = splitter.rows() if splitter is not None else None
                sheets[big[0]] = rows if rows is not None else _calamine_grids(path, only=big[0])[big[0]]
        finally:
            if splitter is not None:
                splitter.close()
    return sheets, errors


#: A sheet whose XML unpacks to more than this is parsed in pieces, one per core (see splitread).
SPLIT_MIN_BYTES = 16 << 20
#: Each piece at least this big, and at most this many pieces.
SPLIT_PIECE_BYTES = 8 << 20
SPLIT_MAX_PIECES = 8


#: Cores one read may use for a big sheet (None: all of them); batch workers set their share.
READ_CORES: int | None = None


def share_cores(cores: int | None) -> None:
    """Parse big sheets on at most ``cores`` cores in this process (None: all; 1: never split)."""
    global READ_CORES
    READ_CORES = None if cores is None else max(1, cores)


def _piece_count(size: int) -> int:
    cores = READ_CORES or os.cpu_count() or 1
    if cores < 2 or size < SPLIT_MIN_BYTES:
        return 1
    # a few more pieces than cores: converting one piece to Python overlaps parsing the next
    return max(2, min(2 * cores, size // max(1, SPLIT_PIECE_BYTES), SPLIT_MAX_PIECES))


def _big_sheet(zf, parts: dict[str, str]):
    """(sheet name, zip member) of the biggest worksheet when it is worth splitting, else None."""
    sheets = [i for i in zf.infolist() if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
    if not sheets:
        return None
    biggest = max(sheets, key=lambda i: i.file_size)
    if biggest.file_size < SPLIT_MIN_BYTES:
        return None
    names = {part: sheet for sheet, part in parts.items()}
    return (names[biggest.filename], biggest) if biggest.filename in names else None


def _calamine_grids(path: Path, skip: str | None = None, only: str | None = None,
                    wanted: set[str] | None = None, gate: Gate | None = None,
                    parts: dict[str, str] | None = None) -> dict[str, list[list] | None] | None:
    """Every sheet (or ``only`` one, or those ``wanted``) as calamine reads it (error cells come back
    as ''); ``skip`` keeps its place, as None. With a ``gate``, each sheet waits until the scan has
    passed its part (sheets whose part is not known wait for the whole file); None when the scan
    refused the file."""
    from python_calamine import CalamineWorkbook

    name = path.name
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = [only] if only is not None else [n for n in book.sheet_names if wanted is None or n in wanted]

        def grid(sheet: str) -> list[list] | None:
            return None if sheet == skip else book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

        if gate is None:
            return {sheet: grid(sheet) for sheet in names}
        waiting: dict[str | None, list[str]] = {}
        for sheet in names:
            waiting.setdefault((parts or {}).get(sheet), []).append(sheet)
        out = {}
        for part in gate:
            for sheet in waiting.pop(part, ()):
                out[sheet] = grid(sheet)
        for rest in waiting.values():
            for sheet in rest:
                out[sheet] = grid(sheet)
        return {sheet: out[sheet] for sheet in names}
    except ScanRefused:
        return None
    except Exception as exc:  # noqa: BLE001 - calamine raises many types; all mean "cannot read"
        kind = type(exc).__name__
        if "Password" in kind:
            raise NotAWorkbookError(f"{name}: the workbook is password-protected; remove the password and save it again") from exc
        raise NotAWorkbookError(f"{name}: cannot be read as a workbook ({kind}: {str(exc)[:200]})") from exc


def _with_errors(sheets: dict[str, list[list]], errors: dict) -> dict[str, list[list]]:
    """Put the error codes the scan found back into the cells calamine left empty."""
    for sheet_name, cells in errors.items():
        rows = sheets.get(sheet_name)
        if rows is None:
            continue
        for (r, c), code in cells.items():
            if r < len(rows) and c < len(rows[r]):
                rows[r][c] = code
    return sheets
