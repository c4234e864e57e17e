"""Append rows to an Excel Table by editing the .xlsx package directly.

openpyxl turns every cell of every sheet into an object and writes them all
back: adding one row to a workbook of 100,000 orders takes it about 20 s.
Here every part of the package is copied as it is, except three:

- the Table's sheet, streamed once: the new rows go in before
  ``</sheetData>``, the ``<dimension>`` and the data validations that
  covered the old rows grow to the new last row;
- the Table part, whose ``ref`` (and its AutoFilter's) grows;
- the Settings sheet, when the report month is filled in.

Everything else (styles, notes and their boxes, macros, extensions openpyxl
does not know) stays byte for byte. Whatever this does not handle, such as
rows already below the table, a totals row, or a date column without a date
format, raises :class:`CannotEdit`, and the caller uses openpyxl instead.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence
from xml.sax.saxutils import unescape

from salesdeck.ooxml.parts import part_rels, sheet_parts
from salesdeck.ooxml.xml import ILLEGAL_XML, column_index, column_letter, escape_text, excel_serial

__all__ = ["CannotEdit", "PackageTable", "Edit", "find_table", "first_row_styles", "date_styles", "write_edit", "grow_sqref",
           "date_epoch"]

_SHEET_DATA = re.compile(rb"<(?:(\w+):)?sheetData(\s*/?)>")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(/?)>")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_REF = re.compile(rb"^([A-Z]+)(\d+):([A-Z]+)(\d+)$")
#: The sheet's last rows are looked for in this much XML before ``</sheetData>``.
TAIL_BYTES = 4 << 20
CHUNK = 1 << 20
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Workbooks from old Mac Excel count days from 1904 (``<workbookPr date1904="1"/>``).
EPOCH_1904 = dt.date(1904, 1, 1)


class CannotEdit(Exception):
    """The package has something the direct edit does not handle; use openpyxl."""


@dataclass
class PackageTable:
    """Where an Excel Table lives in the package."""

    name: str
    sheet: str            # sheet name as the user sees it
    sheet_part: str       # e.g. xl/worksheets/sheet4.xml
    table_part: str       # e.g. xl/tables/table5.xml
    ref: str              # e.g. A1:M5001

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        """(min_col, min_row, max_col, max_row), 1-based."""
        match = _REF.match(self.ref.encode())
        if not match:
            raise CannotEdit(f"table {self.name} has an unusual range {self.ref!r}")
        return (column_index(match.group(1).decode()) + 1, int(match.group(2)),
                column_index(match.group(3).decode()) + 1, int(match.group(4)))


@dataclass
class Edit:
    """What to write: rows of (1-based column, value) from ``start``, the styles, and the new table end."""

    table: PackageTable
    start: int
    rows: Sequence[Sequence[tuple[int, object]]]
    styles: dict[int, int | None]          # column -> cell style index for the new cells
    first_data_row: int
    new_last: int
    set_cell: tuple[str, str, str] | None = None   # (sheet part, A1 address, text) to fill
    epoch: dt.date = EXCEL_EPOCH                    # day 0 of the workbook's date serials


def _attr(tag: bytes, name: str) -> str | None:
    match = re.search(rb"\b" + name.encode() + rb'="([^"]*)"', tag)
    return match.group(1).decode("utf-8") if match else None


def find_table(path: Path, name: str) -> PackageTable | None:
    """The Excel Table called ``name``, or None when the package has none by that name."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for sheet, part in sheet_parts(archive).items():
            for target in part_rels(archive, part).values():
                if not target.startswith("xl/tables/") or target not in names:
                    continue
                head = archive.read(target)[:4096]
                tag = re.search(rb"<(?:\w+:)?table\b[^>]*>", head)
                if tag and (_attr(tag.group(0), "name") == name or _attr(tag.group(0), "displayName") == name):
                    if _attr(tag.group(0), "totalsRowCount") not in (None, "0"):
                        raise CannotEdit(f"table {name} has a totals row")
                    return PackageTable(name, sheet, part, target, _attr(tag.group(0), "ref") or "")
    return None


def first_row_styles(path: Path, part: str, row: int, columns: Iterable[int]) -> dict[int, int | None]:
    """Per column, the style of its cell in ``row`` when that cell has one, else the column's style."""
    wanted = set(columns)
    found: dict[int, int | None] = {}
    col_styles: dict[int, int] = {}
    with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
        head = b""
        while len(head) < (8 << 20):
            chunk = stream.read(CHUNK)
            head += chunk
            if not chunk or re.search(rb'<(?:\w+:)?row\b[^>]*\br="' + str(row + 1).encode() + rb'"', head):
                break
    for tag in re.findall(rb"<(?:\w+:)?col\b[^>]*>", head.split(b"sheetData", 1)[0]):
        style, low, high = _attr(tag, "style"), _attr(tag, "min"), _attr(tag, "max")
        if style and low and high:
            for c in range(int(low), int(high) + 1):
                col_styles[c] = int(style)
    match = re.search(rb'<(?:\w+:)?row\b[^>]*\br="' + str(row).encode() + rb'"[^>]*?(/?)>', head)
    if match and not match.group(1):
        body = head[match.end():head.find(b"row>", match.end())]
        for cell in _CELL_TAG.finditer(body):
            ref, style = _attr(cell.group(0), "r"), _attr(cell.group(0), "s")
            if ref and style:
                c = column_index(re.match(r"[A-Z]+", ref).group(0)) + 1
                if c in wanted:
                    found[c] = int(style)
    return {c: found.get(c, col_styles.get(c)) for c in wanted}


_DATE_CODE = re.compile(r"[dmyDMY]")
_BUILTIN_DATES = set(range(14, 23)) | {45, 46, 47} | set(range(27, 37)) | set(range(50, 59))


def date_styles(path: Path) -> set[int]:
    """The cell styles (cellXfs indices) whose number format shows a date."""
    with zipfile.ZipFile(path) as archive:
        try:
            styles = archive.read("xl/styles.xml").decode("utf-8")
        except KeyError:
            return set()
    custom = {}
    for tag in re.findall(r"<(?:\w+:)?numFmt\b[^>]*>", styles):
        fid, code = re.search(r'numFmtId="(\d+)"', tag), re.search(r'formatCode="([^"]*)"', tag)
        if fid and code:
            text = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", unescape(code.group(1), {"&quot;": '"', "&apos;": "'"}))
            custom[int(fid.group(1))] = bool(_DATE_CODE.search(text))
    xfs = re.search(r"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", styles, re.S)
    out = set()
    for index, tag in enumerate(re.findall(r"<(?:\w+:)?xf\b[^>]*>", xfs.group(1) if xfs else "")):
        fid = re.search(r'numFmtId="(\d+)"', tag)
        number = int(fid.group(1)) if fid else 0
        if custom.get(number, number in _BUILTIN_DATES):
            out.add(index)
    return out


# ---------------------------------------------------------------- cells
def _cell(prefix: bytes, ref: str, value, style: int | None, epoch: dt.date = EXCEL_EPOCH) -> bytes:
    """One ``<c>`` element (``prefix`` being the sheet's namespace prefix, e.g. ``x:``, or empty)."""
    p = prefix.decode()
    s = f' s="{style}"' if style is not None else ""
    if isinstance(value, bool):
        kind, inner = ' t="b"', f"<{p}v>{int(value)}</{p}v>"
    elif isinstance(value, numbers.Integral):
        kind, inner = "", f"<{p}v>{int(value)}</{p}v>"
    elif isinstance(value, numbers.Real):
        if not math.isfinite(value):
            raise CannotEdit(f"{ref}: {value} cannot be stored in a cell")
        kind, inner = "", f"<{p}v>{float(value)!r}</{p}v>"
    elif isinstance(value, dt.date):
        serial = excel_serial(value, date1904=epoch == EPOCH_1904)
        kind, inner = "", f"<{p}v>{int(serial) if serial.is_integer() else serial!r}</{p}v>"
    else:
        text = str(value)
        if ILLEGAL_XML.search(text):
            raise CannotEdit(f"{ref}: text with control characters")
        space = ' xml:space="preserve"' if text != text.strip() else ""
        kind, inner = ' t="inlineStr"', f"<{p}is><{p}t{space}>{escape_text(text)}</{p}t></{p}is>"
    return f'<{p}c r="{ref}"{s}{kind}>{inner}</{p}c>'.encode("utf-8")


def _rows_xml(prefix: bytes, edit: Edit) -> bytes:
    out = []
    p = prefix.decode()
    for offset, cells in enumerate(edit.rows):
        row = edit.start + offset
        inner = b"".join(_cell(prefix, f"{column_letter(c - 1)}{row}", v, edit.styles.get(c), edit.epoch)
                         for c, v in sorted(cells) if v is not None)
        out.append(f'<{p}row r="{row}">'.encode() + inner + f"</{p}row>".encode())
    return b"".join(out)


# ---------------------------------------------------------------- the sheet
def _grow_ref(ref: str, last_col: int, last_row: int) -> str:
    match = _REF.match(ref.encode())
    if not match:
        return ref
    col = max(column_index(match.group(3).decode()) + 1, last_col)
    row = max(int(match.group(4)), last_row)
    return f"{match.group(1).decode()}{match.group(2).decode()}:{column_letter(col - 1)}{row}"


def _patch_head(head: bytes, edit: Edit) -> bytes:
    """The ``<dimension>`` covers the new rows."""
    def grow(match: re.Match) -> bytes:
        ref = match.group(2).decode()
        ref = ref if ":" in ref else f"{ref}:{ref}"
        return match.group(1) + _grow_ref(ref, edit.table.bounds[2], edit.new_last).encode() + b'"'

    return re.sub(rb'(<(?:\w+:)?dimension\b[^>]*?ref=")([^"]*)"', grow, head, count=1)


def grow_sqref(text: str, first: int, last: int) -> str:
    """Ranges in ``text`` that start at or above row ``first`` and end above ``last`` now end at ``last``."""
    grown = []
    for part in text.split():
        match = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", part)
        if match and int(match.group(2)) <= first and int(match.group(4)) < last:
            part = f"{match.group(1)}{match.group(2)}:{match.group(3)}{last}"
        grown.append(part)
    return " ".join(grown)


def _patch_tail(tail: bytes, edit: Edit) -> bytes:
    """Data validations (and Excel's extended ones) that start at the first data row reach the new last row."""
    def grow(text: bytes) -> bytes:
        return grow_sqref(text.decode(), edit.first_data_row, edit.new_last).encode()

    tail = re.sub(rb'(<(?:\w+:)?dataValidation\b[^>]*?sqref=")([^"]*)"', lambda m: m.group(1) + grow(m.group(2)) + b'"',
                  tail)
    return re.sub(rb"(<(?:\w+:)?sqref>)([^<]*)(</(?:\w+:)?sqref>)", lambda m: m.group(1) + grow(m.group(2)) + m.group(3),
                  tail)


def _last_row_number(window: bytes) -> int | None:
    last = None
    for match in _ROW_TAG.finditer(window):
        last = match
    if last is None:
        return None
    r = _attr(last.group(0), "r")
    if r is None:
        raise CannotEdit("a row of the sheet has no row number")
    return int(r)


def _copy_sheet(src: zipfile.ZipFile, dst: zipfile.ZipFile, info: zipfile.ZipInfo, edit: Edit) -> None:
    with src.open(info) as fin:
        buf = b""
        opened = None
        while opened is None:
            chunk = fin.read(CHUNK)
            if not chunk:
                raise CannotEdit("the sheet has no sheetData")
            if not buf:
                _utf8_only(chunk)
            buf += chunk
            opened = _SHEET_DATA.search(buf)
        prefix = (opened.group(1) + b":") if opened.group(1) else b""
        head, buf = _patch_head(buf[:opened.end()], edit), buf[opened.end():]
        rows = _rows_xml(prefix, edit)
        grows_by = len(rows) + 4096  # the new rows, and refs that grew a few digits
        with dst.open(_member(info, grows_by), "w") as fout:
            if opened.group(2).strip() == b"/":  # <sheetData/>: no rows at all
                fout.write(head[:-2].rstrip() + b">" + rows + b"</" + prefix + b"sheetData>")
                fout.write(_patch_tail(buf + fin.read(), edit))
                return
            fout.write(head)
            closing = b"</" + prefix + b"sheetData>"
            while True:
                at = buf.find(closing)
                if at >= 0:
                    break
                chunk = fin.read(CHUNK)
                if not chunk:
                    raise CannotEdit("the sheet's sheetData is not closed")
                keep = len(buf) - TAIL_BYTES
                if keep > 0:
                    fout.write(buf[:keep])
                    buf = buf[keep:]
                buf += chunk
            last = _last_row_number(buf[:at])
            if last is None and at > TAIL_BYTES:
                raise CannotEdit("the sheet's last row is too long to find")
            if last is not None and last >= edit.start:
                raise CannotEdit(f"the sheet already has row {last}, at or below row {edit.start}")
            fout.write(buf[:at] + rows + closing)
            fout.write(_patch_tail(buf[at + len(closing):] + fin.read(), edit))


def _utf8_only(start: bytes) -> None:
    """The edits work on UTF-8 (or ASCII) XML, what every spreadsheet program writes."""
    declared = re.match(rb'<\?xml[^>]*encoding="([^"]+)"', start.lstrip(b"\xef\xbb\xbf"))
    if start[:2] in (b"\xff\xfe", b"\xfe\xff") or (declared and declared.group(1).lower() not in (b"utf-8", b"utf8")):
        raise CannotEdit("the sheet's XML is not UTF-8")


def _set_cell(data: bytes, address: str, text: str) -> bytes:
    """Put inline ``text`` into the cell at ``address`` of a (small) sheet part, keeping its style."""
    _utf8_only(data[:200])
    row = int(re.search(r"\d+", address).group(0))
    col = column_index(re.match(r"[A-Z]+", address).group(0))
    match = re.search(rb'<((?:\w+:)?)row\b[^>]*\br="' + str(row).encode() + rb'"[^>]*?(/?)>', data)
    if not match or match.group(2):
        raise CannotEdit(f"no row {row} to put {address} in")
    prefix = match.group(1)
    end = data.find(b"</" + prefix + b"row>", match.end())
    body = data[match.end():end]
    style = None
    insert_at = len(body)
    for cell in re.finditer(rb"<(?:\w+:)?c\b([^>]*?)(/>|>.*?</(?:\w+:)?c>)", body, re.S):
        ref = _attr(cell.group(0)[:cell.group(0).find(b">") + 1], "r")
        if ref is None:
            raise CannotEdit(f"a cell of row {row} has no address")
        c = column_index(re.match(r"[A-Z]+", ref).group(0))
        if c == col:
            style = _attr(cell.group(0)[:cell.group(0).find(b">") + 1], "s")
            new = _cell(prefix, address, text, int(style) if style else None)
            body = body[:cell.start()] + new + body[cell.end():]
            return data[:match.end()] + body + data[end:]
        if c > col:
            insert_at = cell.start()
            break
    body = body[:insert_at] + _cell(prefix, address, text, None) + body[insert_at:]
    return data[:match.end()] + body + data[end:]


def _patch_table(data: bytes, edit: Edit) -> bytes:
    min_col, min_row, max_col, _ = edit.table.bounds
    ref = f"{column_letter(min_col - 1)}{min_row}:{column_letter(max_col - 1)}{edit.new_last}"
    old = edit.table.ref.encode()
    return data.replace(b'ref="' + old + b'"', b'ref="' + ref.encode() + b'"')


def _member(info: zipfile.ZipInfo, grows_by: int = 0) -> zipfile.ZipInfo:
    """A member like ``info``; its expected size lets zipfile add ZIP64 fields only when needed (Excel is
    particular about ZIP64, see Apache POI bug 57342)."""
    out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    out.compress_type = zipfile.ZIP_DEFLATED
    out.external_attr = info.external_attr
    out.file_size = info.file_size + grows_by
    return out


def date_epoch(path: Path) -> dt.date:
    """Day 0 of the workbook's date serials: 1899-12-30, or 1904-01-01 for the 1904 date system."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml")
    tag = re.search(rb"<(?:\w+:)?workbookPr\b[^>]*>", workbook)
    return EPOCH_1904 if tag and _attr(tag.group(0), "date1904") in ("1", "true") else EXCEL_EPOCH


def write_edit(path: Path, out: Path, edit: Edit) -> None:
    """Write ``path`` with ``edit`` applied to ``out`` (a temporary file the caller renames)."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == edit.table.sheet_part:
                _copy_sheet(src, dst, info, edit)
            elif info.filename == edit.table.table_part:
                dst.writestr(_member(info), _patch_table(src.read(info), edit))
            elif edit.set_cell and info.filename == edit.set_cell[0]:
                dst.writestr(_member(info), _set_cell(src.read(info), edit.set_cell[1], edit.set_cell[2]))
            else:
                with src.open(info) as fin, dst.open(_member(info), "w") as fout:
                    shutil.copyfileobj(fin, fout, CHUNK)
