"""Build ``salesdeck.xlam`` from xlwings' custom-add-in template, on any OS.

The template (``quickstart_addin_ribbon.xlam`` in the xlwings wheel) already
holds the compiled VBA: its ribbon callback ``RibbonMyAddin.RunMain`` runs
``import <file stem>; <file stem>.main()``, so the file must be called
``salesdeck.xlam`` and ``salesdeck.main()`` is the Refresh entry point. Only
XML parts are rewritten here; ``xl/vbaProject.bin`` is copied byte for byte.

Facts read from that VBA (tests re-check them with olevba):

- settings are looked up in a sheet called ``PROJECT_NAME & ".conf"`` where
  ``PROJECT_NAME`` is the compiled constant ``"myaddin"``; the template's
  ``_myaddin.conf`` is the *inactive* spelling. We name the sheet
  ``myaddin.conf`` so the add-in really reads it;
- the sheet is read from A1 down to the first blank cell in column A, and a
  key present there (even blank) hides the same key in the user's config file
  ``%USERPROFILE%\\.myaddin\\myaddin.conf``, so only keys with values are written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import xlwings

from salesdeck.atomic import atomic_path
from salesdeck.errors import OutputError
from salesdeck.ooxml.zips import normalize_zip

ADDIN_NAME = "salesdeck"
#: The add-in is built from this xlwings; the same version must be installed where Excel runs.
XLWINGS_VERSION = xlwings.__version__
FILE_NAME = f"{ADDIN_NAME}.xlam"
TEMPLATE = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
#: The VBA constant PROJECT_NAME compiled into the template.
VBA_PROJECT_NAME = "myaddin"
CONFIG_SHEET = f"{VBA_PROJECT_NAME}.conf"
TEMPLATE_CONFIG_SHEET = f"_{VBA_PROJECT_NAME}.conf"
UDF_MODULES = "salesdeck.addin.udfs"
#: The ribbon callback that exists in the template's VBA (module.Sub).
REFRESH_MACRO = "RibbonMyAddin.RunMain"

TAB_LABEL = "销售工具"
GROUP_LABEL = "salesdeck"
BUTTON_LABEL = "刷新计算"
BUTTON_SCREENTIP = "刷新计算 / Refresh"
BUTTON_SUPERTIP = (
    "重新计算当前工作簿的目标拆解、加权商机、提成等,结果写入“计算结果”工作表。\n"
    "Sales Tools: recalculate target splits, weighted pipeline, commission and more; "
    "results go to the 计算结果 / Results sheet."
)

_SUPERTIP_XML = escape(BUTTON_SUPERTIP, {'"': "&quot;", "\n": "&#10;"})

CUSTOM_UI = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui">
  <ribbon>
    <tabs>
      <tab id="salesdeckTab" label="{TAB_LABEL}">
        <group id="salesdeckGroup" label="{GROUP_LABEL}">
          <button id="salesdeckRefresh" label="{BUTTON_LABEL}" size="large" imageMso="RefreshAll"
                  screentip="{BUTTON_SCREENTIP}" supertip="{_SUPERTIP_XML}"
                  onAction="{REFRESH_MACRO}" />
        </group>
      </tab>
    </tabs>
  </ribbon>
</customUI>
"""

TITLE = "salesdeck 销售工具 add-in (Sales Tools)"
FIXED_DATE = "2000-01-01T00:00:00Z"


def default_interpreters() -> dict[str, str]:
    """This Python (it has salesdeck installed) as the setting for the OS we run on."""
    if not sys.executable:
        return {}
    if os.name == "nt":
        return {"Interpreter_Win": sys.executable}
    if sys.platform == "darwin":
        return {"Interpreter_Mac": sys.executable}
    return {}


def config_rows(interpreters: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """The rows of the config sheet: (key, value, note); a blank key ends the settings."""
    rows = [("UDF Modules", UDF_MODULES, "SD_* 函数所在模块 / Python module with the SD_* functions")]
    notes = {"Interpreter_Win": "python.exe 完整路径 / full path of python.exe",
             "Interpreter_Mac": "python 完整路径 / full path of python"}
    for key, path in (interpreters or {}).items():
        if path:
            rows.append((key, path, notes[key]))
    return rows + [
        ("", "", ""),
        ("说明 Notes (not read: settings stop at the first blank cell in column A)", "", ""),
        ("Interpreter_Win", "", "留空=用 PATH 中的 python / blank: python on PATH; "
                                "or set it in %USERPROFILE%\\.myaddin\\myaddin.conf"),
        ("Conda Path / Conda Env", "", "Anaconda: e.g. %USERPROFILE%\\anaconda3 and base (then leave Interpreter_Win out)"),
        ("PYTHONPATH", "", "only if salesdeck is not installed into that Python"),
        ("xlwings", xlwings.__version__, "built from this xlwings version; pip install the same version"),
    ]


def _shared_strings(strings: list[str]) -> str:
    items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>')


def _config_sheet(template_xml: str, rows: list[tuple[str, str, str]]) -> tuple[str, str]:
    """Rewrite the template's config sheet: (sheet xml, shared strings xml)."""
    strings: list[str] = []
    xml_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for col, text in zip("ABC", row):
            if text:
                strings.append(text)
                cells.append(f'<c r="{col}{r}" s="1" t="s"><v>{len(strings) - 1}</v></c>')
        if cells:
            xml_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    sheet = re.sub(r"<sheetData>.*</sheetData>|<sheetData\s*/>", f"<sheetData>{''.join(xml_rows)}</sheetData>",
                   template_xml, flags=re.S)
    sheet = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:C{len(rows)}" />', sheet)
    sheet = re.sub(r"<cols>.*</cols>",
                   '<cols><col min="1" max="1" width="24" style="1" customWidth="1" />'
                   '<col min="2" max="2" width="28" style="1" customWidth="1" />'
                   '<col min="3" max="3" width="80" style="1" customWidth="1" /></cols>', sheet, flags=re.S)
    return sheet, _shared_strings(strings)


def _workbook(xml: str) -> str:
    if f'name="{TEMPLATE_CONFIG_SHEET}"' not in xml:
        raise OutputError(f"unexpected xlwings add-in template: no sheet {TEMPLATE_CONFIG_SHEET} in workbook.xml")
    xml = xml.replace(f'name="{TEMPLATE_CONFIG_SHEET}"', f'name="{CONFIG_SHEET}"')
    # Drop the template author's absolute path (C:\Users\...) recorded by Excel.
    return re.sub(r"<mc:AlternateContent[^>]*><mc:Choice Requires=\"x15\"><x15ac:absPath[^>]*/></mc:Choice>"
                  r"</mc:AlternateContent>", "", xml)


def _core_props() -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(TITLE)}</dc:title><dc:subject>销售月例会 / monthly sales meeting</dc:subject>"
            "<dc:creator>salesdeck</dc:creator><cp:keywords>salesdeck xlwings</cp:keywords>"
            "<cp:lastModifiedBy>salesdeck</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_DATE}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_DATE}</dcterms:modified>'
            "</cp:coreProperties>")


def addin_parts(template: Path = TEMPLATE, interpreters: dict[str, str] | None = None) -> list[tuple[str, bytes]]:
    """The add-in's zip members in template order, with our parts rewritten."""
    try:
        with zipfile.ZipFile(template) as zf:
            parts = [(info.filename, zf.read(info.filename)) for info in zf.infolist()]
    except (OSError, zipfile.BadZipFile) as exc:
        raise OutputError(f"cannot read the xlwings add-in template {template}: {exc}") from exc
    names = dict(parts)
    sheet, strings = _config_sheet(names["xl/worksheets/sheet1.xml"].decode("utf-8"), config_rows(interpreters))
    replaced = {
        "customUI/customUI.xml": CUSTOM_UI,
        "xl/workbook.xml": _workbook(names["xl/workbook.xml"].decode("utf-8")),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": strings,
        "docProps/core.xml": _core_props(),
    }
    return [(name, replaced[name].encode("utf-8") if name in replaced else data) for name, data in parts]


def build_addin(out_dir: str | os.PathLike = ".", interpreter: str | None = None,
                interpreter_mac: str | None = None) -> Path:
    """Write ``out_dir/salesdeck.xlam`` atomically and return its path.

    ``interpreter`` / ``interpreter_mac`` (full path of Python) go into the
    config sheet as ``Interpreter_Win`` / ``Interpreter_Mac``; without them the
    add-in uses ``python`` on PATH or the user's config file
    (``%USERPROFILE%\\.myaddin\\myaddin.conf``).
    """
    target = Path(out_dir) / FILE_NAME
    parts = addin_parts(interpreters={"Interpreter_Win": interpreter or "", "Interpreter_Mac": interpreter_mac or ""})
    with atomic_path(target) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts:
                zf.writestr(zipfile.ZipInfo(name, date_time=dt.datetime(2000, 1, 1).timetuple()[:6]), data)
        normalize_zip(tmp)
    return target
