"""Write refresh results into a copy of a workbook: one sheet of titled tables.

``layout(tables)`` turns result tables into a grid (values from A1, number
formats, title and header rows); ``write_results`` here (for files) and the
Excel ribbon (through xlwings) both write that same grid, so a file refreshed
from the command line and one refreshed in Excel look alike.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from xml.sax.saxutils import escape
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from salesdeck.atomic import atomic_path
from salesdeck.errors import OutputError
from salesdeck.ziputil import copy_member, fixed_member
from salesdeck.workbook import contract
from salesdeck.workbook.package_edit import part_path, rels_path

#: Every name a result sheet may have (both languages): replaced on refresh, never read as input.
RESULT_SHEET_NAMES = frozenset(contract.RESULT_SHEET.values())
FIXED_MODIFIED = "2000-01-01T00:00:00Z"
_CORE_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)([^<]*)(</dcterms:modified>)")


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


# ---------------------------------------------------------------- writing into a package
# The result sheet is added to the .xlsx/.xlsm package directly: every other
# part (input sheets, VBA, tables, comments) is copied byte for byte, which is
# both the strongest "input untouched" guarantee and ~30x faster than an
# openpyxl round trip on a 100k-row workbook.
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_REL = REL_NS + "/worksheet"
CALC_CHAIN_REL = REL_NS + "/calcChain"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
HEADER_FILL = "FFDDEBF7"
NOTE_COLOR = "FF666666"
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(data: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)
    return etree.fromstring(data, parser)


def _bytes(root) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _q(tag: str, ns: str = NS) -> str:
    return f"{{{ns}}}{tag}"


def _same(a, b) -> bool:
    """Equal elements: tag, attributes and children (text and namespace declarations ignored)."""
    return (a.tag == b.tag and dict(a.attrib) == dict(b.attrib) and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b)))


class _Styles:
    """Adds the few styles the result sheet needs to the workbook's styles.xml."""

    def __init__(self, data: bytes):
        self.root = _xml(data)
        self.xfs: dict[tuple, int] = {}
        self.fonts: dict[str, int] = {}
        self.fill: int | None = None
        self.formats: dict[str, int] = {}

    def _child(self, tag: str, before: tuple[str, ...]):
        el = self.root.find(_q(tag))
        if el is None:
            from lxml import etree

            el = etree.Element(_q(tag))
            anchor = next((self.root.find(_q(t)) for t in before if self.root.find(_q(t)) is not None), None)
            if anchor is not None:
                anchor.addprevious(el)
            else:
                self.root.append(el)
        return el

    @staticmethod
    def _append(parent, child) -> int:
        """Index of an identical existing entry (so refreshing again adds nothing), else of ``child`` appended."""
        siblings = parent.findall(child.tag)
        for i, existing in enumerate(siblings):
            if _same(existing, child):
                return i
        parent.append(child)
        parent.set("count", str(len(siblings) + 1))
        return len(siblings)

    def _num_fmt(self, code: str) -> int:
        if code not in self.formats:
            from lxml import etree

            fmts = self._child("numFmts", ("fonts", "fills", "borders", "cellStyleXfs", "cellXfs"))
            ids = [int(f.get("numFmtId")) for f in fmts.findall(_q("numFmt"))]
            same = [f for f in fmts.findall(_q("numFmt")) if f.get("formatCode") == code]
            if same:
                self.formats[code] = int(same[0].get("numFmtId"))
            else:
                new_id = max([163, *ids]) + 1
                self._append(fmts, etree.Element(_q("numFmt"), numFmtId=str(new_id), formatCode=code))
                self.formats[code] = new_id
        return self.formats[code]

    def _font(self, kind: str) -> int:
        if kind not in self.fonts:
            import copy

            from lxml import etree

            fonts = self._child("fonts", ("fills", "borders", "cellStyleXfs", "cellXfs"))
            base = fonts.find(_q("font"))
            font = copy.deepcopy(base) if base is not None else etree.Element(_q("font"))
            for tag in ("b", "i", "color"):
                for old in font.findall(_q(tag)):
                    font.remove(old)
            font.insert(0, etree.Element(_q("i" if kind == "note" else "b")))
            if kind == "note":
                font.append(etree.Element(_q("color"), rgb=NOTE_COLOR))
            if kind == "title":
                size = font.find(_q("sz"))
                if size is None:
                    size = etree.SubElement(font, _q("sz"))
                size.set("val", "12")
            self.fonts[kind] = self._append(fonts, font)
        return self.fonts[kind]

    def _header_fill(self) -> int:
        if self.fill is None:
            from lxml import etree

            fills = self._child("fills", ("borders", "cellStyleXfs", "cellXfs"))
            fill = etree.Element(_q("fill"))
            pattern = etree.SubElement(fill, _q("patternFill"), patternType="solid")
            etree.SubElement(pattern, _q("fgColor"), rgb=HEADER_FILL)
            etree.SubElement(pattern, _q("bgColor"), indexed="64")
            self.fill = self._append(fills, fill)
        return self.fill

    def xf(self, kind: str = "", fmt: str | None = None) -> int:
        """The cellXfs index for a cell of ``kind`` (title/note/header or data) with number format ``fmt``."""
        key = (kind, fmt)
        if key not in self.xfs:
            from lxml import etree

            attrs = {"numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0", "xfId": "0"}
            if fmt:
                attrs.update(numFmtId=str(self._num_fmt(fmt)), applyNumberFormat="1")
            if kind:
                attrs.update(fontId=str(self._font(kind)), applyFont="1")
            if kind == "header":
                attrs.update(fillId=str(self._header_fill()), applyFill="1", applyAlignment="1")
            xf = etree.Element(_q("xf"), **attrs)
            if kind == "header":
                etree.SubElement(xf, _q("alignment"), horizontal="center")
            self.xfs[key] = self._append(self._child("cellXfs", ("cellStyles", "dxfs", "tableStyles")), xf)
        return self.xfs[key]

    def to_bytes(self) -> bytes:
        return _bytes(self.root)


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _serial(value: dt.datetime, date1904: bool) -> float:
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    delta = value - epoch
    return delta.days + delta.seconds / 86400


def _cell_xml(ref: str, value: object, style: int, date1904: bool) -> str:
    s = f' s="{style}"' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{repr(float(value)) if isinstance(value, float) else value}</v></c>'
    if isinstance(value, dt.datetime):
        return f'<c r="{ref}"{s}><v>{_serial(value, date1904)!r}</v></c>'
    text = _ILLEGAL_XML.sub("", str(value))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def sheet_xml(grid: SheetLayout, styles: _Styles, date1904: bool = False) -> bytes:
    """The worksheet part for ``grid``: inline strings, styles from ``styles``, printed one page wide."""
    kinds = {**{r: "note" for r in grid.note_rows}, **{r: "title" for r in grid.title_rows},
             **{r: "header" for r in grid.header_rows}}
    formats = {}
    for first, last, col, fmt in grid.formats:
        for r in range(first, last + 1):
            formats[(r, col)] = fmt
    width = max((len(r) for r in grid.rows), default=1)
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}" xmlns:r="{REL_NS}">',
           '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
           f'<dimension ref="A1:{_column_letter(width)}{max(1, len(grid.rows))}"/>',
           '<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>']
    if grid.widths:
        cols = "".join(f'<col min="{j}" max="{j}" width="{round(w, 1)}" customWidth="1"/>'
                       for j, w in enumerate(grid.widths, start=1))
        out.append(f"<cols>{cols}</cols>")
    out.append("<sheetData>")
    for i, row in enumerate(grid.rows, start=1):
        kind = kinds.get(i, "")
        cells = []
        for j, value in enumerate(row, start=1):
            if value is None or (kind in ("title", "note") and j > 1):
                continue
            style = styles.xf(kind, formats.get((i, j)))
            cells.append(_cell_xml(f"{_column_letter(j)}{i}", value, style, date1904))
        if cells:
            out.append(f'<row r="{i}">{"".join(cells)}</row>')
    out.append("</sheetData>")
    out.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
    out.append('<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>')
    return "".join(out).encode("utf-8")


def _drop_sheet(parts: dict[str, bytes], book, rels, types, sheet_el, index: int) -> None:
    """Remove one sheet (element, part, its rels, content type, defined names, calc chain)."""
    rid = sheet_el.get(_q("id", REL_NS))
    rel = next((r for r in rels if r.get("Id") == rid), None)
    if rel is not None:
        part = part_path("xl/workbook.xml", rel.get("Target"))
        for name in (part, rels_path(part)):
            parts.pop(name, None)
        for override in types.findall(_q("Override", CT_NS)):
            if override.get("PartName") == "/" + part:
                types.remove(override)
        rels.remove(rel)
    sheet_el.getparent().remove(sheet_el)
    names = book.find(_q("definedNames"))
    for dn in list(names) if names is not None else []:
        local = dn.get("localSheetId")
        if local is not None and int(local) == index:
            names.remove(dn)
        elif local is not None and int(local) > index:
            dn.set("localSheetId", str(int(local) - 1))
    for view in book.iter(_q("workbookView")):
        for attr in ("activeTab", "firstSheet"):
            if view.get(attr) is not None and int(view.get(attr)) >= index:
                view.set(attr, str(max(0, int(view.get(attr)) - 1)))
    for rel in [r for r in rels if r.get("Type") == CALC_CHAIN_REL]:  # Excel rebuilds it
        part = part_path("xl/workbook.xml", rel.get("Target"))
        parts.pop(part, None)
        for override in types.findall(_q("Override", CT_NS)):
            if override.get("PartName") == "/" + part:
                types.remove(override)
        rels.remove(rel)


def add_result_sheet(parts: MutableMapping[str, bytes], name: str, grid: SheetLayout) -> MutableMapping[str, bytes]:
    """``parts`` (changed in place and returned) with sheet ``name`` (re)written from ``grid``; other parts unchanged."""
    from lxml import etree

    book_part = "xl/workbook.xml"
    rels_part = rels_path(book_part)
    if book_part not in parts or rels_part not in parts or "[Content_Types].xml" not in parts:
        raise OutputError("not a workbook package this writer understands (no xl/workbook.xml)")
    book, rels, types = _xml(parts[book_part]), _xml(parts[rels_part]), _xml(parts["[Content_Types].xml"])
    sheets = book.find(_q("sheets"))
    if sheets is None:
        raise OutputError("unsupported workbook format (Strict Open XML?): save it as a normal .xlsx first")
    for index, sheet_el in reversed(list(enumerate(sheets.findall(_q("sheet"))))):
        if sheet_el.get("name") in RESULT_SHEET_NAMES:
            _drop_sheet(parts, book, rels, types, sheet_el, index)
    styles_rel = next((r for r in rels if r.get("Type") == REL_NS + "/styles"), None)
    if styles_rel is None:
        raise OutputError("the workbook has no styles part")
    styles_part = part_path(book_part, styles_rel.get("Target"))
    styles = _Styles(parts[styles_part])
    pr = book.find(_q("workbookPr"))
    date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
    n = 1
    while f"xl/worksheets/sheet{n}.xml" in parts:
        n += 1
    part = f"xl/worksheets/sheet{n}.xml"
    parts[part] = sheet_xml(grid, styles, date1904)
    parts[styles_part] = styles.to_bytes()
    ids = {r.get("Id") for r in rels}
    k = len(ids) + 1
    while f"rId{k}" in ids:
        k += 1
    etree.SubElement(rels, _q("Relationship", PKG_REL_NS), Id=f"rId{k}", Type=WORKSHEET_REL,
                     Target=f"/{part}")
    sheet_ids = [int(s.get("sheetId")) for s in sheets.findall(_q("sheet"))]
    etree.SubElement(sheets, _q("sheet"), {"name": name, "sheetId": str(max([0, *sheet_ids]) + 1),
                                           _q("id", REL_NS): f"rId{k}"})
    etree.SubElement(types, _q("Override", CT_NS), PartName=f"/{part}", ContentType=WORKSHEET_CT)
    parts[book_part], parts[rels_part], parts["[Content_Types].xml"] = _bytes(book), _bytes(rels), _bytes(types)
    return parts


def _values_workbook(sheets: dict[str, list[list]]) -> dict[str, bytes]:
    """An .xlsx package holding the values of ``sheets`` (for .xls/.ods sources)."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, grid in sheets.items():
        ws = book.create_sheet(name)
        for row in grid:
            ws.append([cell_value(v) if v != "" else None for v in row])
    book.properties.created = book.properties.modified = dt.datetime(2000, 1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    core = parts.get("docProps/core.xml", b"")
    parts["docProps/core.xml"] = _CORE_MODIFIED.sub(lambda m: m.group(1) + FIXED_MODIFIED.encode() + m.group(3),
                                                    core, count=1)
    return parts


def write_results(src: str | Path, out: str | Path, tables: list[ResultTable], lang: str = "zh",
                  heading: str = "", sheets: dict[str, list[list]] | None = None) -> Path:
    """Copy ``src`` to ``out`` with the result sheet (re)written; every other part is copied as is.

    Any earlier result sheet (计算结果 / Results) is replaced. ``sheets`` (raw
    grids) is needed for .xls/.ods sources, which are not zip packages; the
    copy is then a new .xlsx holding their values. Written atomically in one
    streaming pass (the big sheets are never held in memory); the same input
    gives the same bytes.
    """
    src, out = Path(src), Path(out)
    grid = layout(tables, heading)
    if sheets is not None:
        parts = _values_workbook({k: v for k, v in sheets.items() if k not in RESULT_SHEET_NAMES})
        new = add_result_sheet(parts, result_sheet_name(lang), grid)
        with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in new:
                zf.writestr(fixed_member(name), new[name])
        return out
    try:
        source = zipfile.ZipFile(src)
    except (OSError, zipfile.BadZipFile) as exc:
        raise OutputError(f"cannot open {src.name} for writing: {exc}") from exc
    with source:
        parts = _PackageParts(source)
        add_result_sheet(parts, result_sheet_name(lang), grid)
        with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in parts.order():
                if parts.changed(name):
                    zf.writestr(fixed_member(name), parts[name])
                else:
                    copy_member(source, source.getinfo(name), zf)
    return out


class _PackageParts(MutableMapping):
    """A zip package's parts by name, read only when looked at; what is set or removed is remembered."""

    def __init__(self, source: zipfile.ZipFile) -> None:
        self._source = source
        self._names = source.namelist()
        self._present = set(self._names)
        self._set: dict[str, bytes] = {}

    def __getitem__(self, name: str) -> bytes:
        if name in self._set:
            return self._set[name]
        if name not in self._present:
            raise KeyError(name)
        return self._source.read(name)

    def __setitem__(self, name: str, data: bytes) -> None:
        if name not in self._present:  # new, or removed and added again: it goes last, as in a dict
            if name in self._names:
                self._names.remove(name)
            self._names.append(name)
            self._present.add(name)
        self._set[name] = data

    def __delitem__(self, name: str) -> None:
        if name not in self._present:
            raise KeyError(name)
        self._present.discard(name)
        self._set.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._present

    def __iter__(self):
        return iter(self.order())

    def __len__(self) -> int:
        return len(self._present)

    def order(self) -> list[str]:
        """Names in the source's order, new parts last."""
        return [n for n in self._names if n in self._present]

    def changed(self, name: str) -> bool:
        return name in self._set
