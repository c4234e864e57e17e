"""The workbook embedded in each chart: what PowerPoint's "Edit Data" opens.

python-pptx writes it with xlsxwriter, stamped with the current time, and the
deck then had to rewrite every one to make the same input give the same bytes.
Here it is written once, directly: one sheet laid out exactly as python-pptx
lays it out (categories in column A from row 2, each series' name in row 1 of
its own column and its values below, blanks for missing values), so the
chart's formulas (``Sheet1!$A$2:$A$5``, ``Sheet1!$B$1``...) point at the
right cells. Fixed timestamps, no document properties.
"""

from __future__ import annotations

import io
import math
import zipfile

from pptx.chart.data import CategoryChartData

from salesdeck.ooxml.xml import column_letter, escape_text
from salesdeck.ooxml.zips import fixed_member, normalize_zip_bytes

__all__ = ["ChartData", "workbook_bytes"]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"

_STATIC = {
    "[Content_Types].xml": (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_SML}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SML}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_SML}.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SML}.sharedStrings+xml"/>'
        "</Types>"),
    "_rels/.rels": (
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"),
    "xl/workbook.xml": (
        f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"),
    "xl/styles.xml": (
        f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"),
}


def _number(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def workbook_bytes(categories: list[str], series: list[tuple[str, list[float | None]]]) -> bytes:
    """A one-sheet xlsx: categories down column A from row 2, one column per series (name in row 1)."""
    strings: dict[str, int] = {}

    def shared(text: str) -> int:
        return strings.setdefault(text, len(strings))

    grid: dict[int, list[str]] = {}
    for j, (name, values) in enumerate(series, start=1):
        grid.setdefault(1, []).append(f'<c r="{column_letter(j)}1" t="s"><v>{shared(str(name))}</v></c>')
        for i, value in enumerate(values, start=2):
            if value is None or (isinstance(value, float) and not math.isfinite(value)):
                continue
            grid.setdefault(i, []).append(f'<c r="{column_letter(j)}{i}"><v>{_number(value)}</v></c>')
    for i, category in enumerate(categories, start=2):
        grid.setdefault(i, []).insert(0, f'<c r="A{i}" t="s"><v>{shared(str(category))}</v></c>')
    rows = "".join(f'<row r="{i}">{"".join(grid[i])}</row>' for i in sorted(grid))
    sheet = f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    items = "".join(f'<si><t xml:space="preserve">{escape_text(_xml_safe(s))}</t></si>' for s in strings)
    table = f'{_HEAD}<sst xmlns="{_MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    members = {**_STATIC, "xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": table}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(fixed_member(name), text.encode("utf-8"))
    return out.getvalue()


def _xml_safe(text: str) -> str:
    """Control characters XML 1.0 cannot hold, written the way Excel writes them (_x001B_)."""
    if all(ch >= " " or ch in "\t\n\r" for ch in text):
        return text
    return "".join(ch if ch >= " " or ch in "\t\n\r" else f"_x{ord(ch):04X}_" for ch in text)


class ChartData(CategoryChartData):
    """python-pptx's category chart data, with the embedded workbook written by :func:`workbook_bytes`."""

    @property
    def xlsx_blob(self) -> bytes:
        if self.categories.depth != 1:  # multi-level categories: python-pptx's own writer knows their layout
            return normalize_zip_bytes(super().xlsx_blob)
        labels = [str(c.label) for c in self.categories]
        return workbook_bytes(labels, [(s.name, list(s.values)) for s in self])
