"""Build ``salesdeck.xlam`` from xlwings' custom-add-in template, on any OS.

The template (``quickstart_addin_ribbon.xlam`` in the xlwings wheel) brings
xlwings' VBA (RunPython, XLPy, the settings lookup). The build rewrites the
ribbon XML, the settings sheet and the document title, and writes three VBA
modules into ``xl/vbaProject.bin`` (``vba_source``; stored as source only,
which Office compiles when it opens the add-in, as it does with the
template's own ``xlwings`` module):

- ``xlwings_udfs``: a wrapper for every SD_* function, so the functions work
  as soon as the add-in is installed (no "Import Functions" step);
- ``SalesdeckRibbon``: the 销售工具 / Sales Tools buttons (Refresh, Check,
  Build deck), labels in the active workbook's language, and the functions'
  descriptions for Insert Function;
- ``ThisWorkbook``: registers those descriptions when the add-in opens and
  relabels the ribbon when another workbook is activated.

Facts read from the template's VBA (tests re-check them with olevba):

- settings are looked up in a sheet called ``PROJECT_NAME & ".conf"`` where
  ``PROJECT_NAME`` is the constant ``"myaddin"``; the template's
  ``_myaddin.conf`` is the *inactive* spelling. We name the sheet
  ``myaddin.conf`` so the add-in really reads it;
- the sheet is read from A1 down to the first blank cell in column A, and a
  key present there (even blank) hides the same key in the user's config file
  ``%USERPROFILE%\\.myaddin\\myaddin.conf``, so only keys with values are written;
- every value goes through ``ExpandEnvironmentStrings``, so an interpreter
  given as ``%LOCALAPPDATA%\\...\\python.exe`` works for every user.

Nothing of the machine that builds goes in: no interpreter unless one is
given, and the template's unused MSForms reference (whose type-library cache
path names the template author's user folder) is dropped.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from pathlib import Path

import xlwings

from salesdeck.addin import udfs, vba_source
from salesdeck.addin.vba_source import Button
from salesdeck.atomic import atomic_path
from salesdeck.errors import OutputError
from salesdeck.ooxml.vba.project import VbaProject
from salesdeck.ooxml.xml import escape_attr, escape_text
from salesdeck.ooxml.zips import normalize_zip
from salesdeck.workbook import contract
from salesdeck.workbook.read.reader import LANGUAGE_NAMES

ADDIN_NAME = "salesdeck"
#: The add-in is built from this xlwings; the same version must be installed where Excel runs.
XLWINGS_VERSION = xlwings.__version__
FILE_NAME = f"{ADDIN_NAME}.xlam"
TEMPLATE = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
#: The VBA constant PROJECT_NAME in the template.
VBA_PROJECT_NAME = "myaddin"
CONFIG_SHEET = f"{VBA_PROJECT_NAME}.conf"
TEMPLATE_CONFIG_SHEET = f"_{VBA_PROJECT_NAME}.conf"
UDF_MODULES = "salesdeck.addin.udfs"
#: A template reference no code uses; its path names the template author's user folder.
UNUSED_REFERENCE = "MSForms"

TAB_LABEL = "销售工具 Sales Tools"
GROUP_LABEL = "salesdeck"
BUTTONS = [
    Button("salesdeckRefresh", "RefreshAll", "SalesdeckRefresh",
           "import salesdeck.addin.ribbon as m; m.refresh_caller()",
           {"zh": "刷新计算", "en": "Refresh"},
           {"zh": "刷新计算 / Refresh", "en": "Refresh / 刷新计算"},
           {"zh": "重新计算目标拆解、加权商机、提成等,结果写入“计算结果”工作表。",
            "en": "Recalculate target splits, weighted pipeline, commission and more; "
                  "the results go to the Results sheet."}),
    Button("salesdeckCheck", "FileDocumentInspect", "SalesdeckCheck",
           "import salesdeck.addin.check as m; m.check_caller()",
           {"zh": "检查", "en": "Check"},
           {"zh": "检查 / Check", "en": "Check / 检查"},
           {"zh": "检查工作簿:每个问题列在“问题”工作表,可点击跳到单元格,问题单元格标上颜色。",
            "en": "Check the workbook: every problem is listed on the Problems sheet with a link to its cell, "
                  "and the cells are coloured."}),
    Button("salesdeckDeck", "MicrosoftPowerPoint", "SalesdeckBuildDeck",
           "import salesdeck.addin.deck as m; m.deck_caller()",
           {"zh": "生成月例会PPT", "en": "Build deck"},
           {"zh": "生成月例会PPT / Build deck", "en": "Build deck / 生成月例会PPT"},
           {"zh": "生成销售月例会PPT,保存在工作簿所在文件夹并打开。",
            "en": "Build the monthly sales-meeting deck beside the workbook and open it."}),
]
MESSAGES = {"no_workbook": {"zh": "请先打开一个销售工作簿。", "en": "Open a sales workbook first."}}


def _callback(name: str) -> str:
    return f"{vba_source.RIBBON_MODULE}.{name}"


def custom_ui() -> str:
    """The ribbon XML: one tab, one group, a large button per entry of BUTTONS."""
    buttons = "".join(
        f'\n          <button id="{b.id}" size="large" imageMso="{b.image}" '
        f'getLabel="{_callback("SalesdeckGetLabel")}" getScreentip="{_callback("SalesdeckGetScreentip")}" '
        f'getSupertip="{_callback("SalesdeckGetSupertip")}" onAction="{_callback(b.sub)}" />'
        for b in BUTTONS)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui" '
            f'onLoad="{_callback("SalesdeckOnLoad")}">\n'
            '  <ribbon>\n    <tabs>\n'
            f'      <tab id="salesdeckTab" label="{escape_attr(TAB_LABEL)}">\n'
            f'        <group id="salesdeckGroup" label="{GROUP_LABEL}">{buttons}\n        </group>\n'
            '      </tab>\n    </tabs>\n  </ribbon>\n</customUI>\n')


TITLE = "salesdeck 销售工具 add-in (Sales Tools)"
FIXED_DATE = "2000-01-01T00:00:00Z"
INTERPRETER_NOTES = {"Interpreter_Win": "python.exe 路径 / path of python.exe",
                     "Interpreter_Mac": "python 路径 / path of python"}
#: Where a path names one person's folder (or this machine's temp folder), it would break for everyone else.
USER_PATH = re.compile(r"(?i)([a-z]:)?[\\/](users|home|documents and settings)[\\/]|[\\/]tmp[\\/]|appdata")


def user_specific(path: str) -> bool:
    """True when ``path`` names a user's own folder literally (not through %USERPROFILE% and the like)."""
    return bool(USER_PATH.search(re.sub(r"%[A-Za-z_]+%", "", path)))


def config_rows(interpreters: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """The rows of the config sheet: (key, value, note); a blank key ends the settings."""
    rows = [("UDF Modules", UDF_MODULES, "SD_* 函数所在模块 / Python module with the SD_* functions")]
    for key, path in (interpreters or {}).items():
        if path:
            rows.append((key, path, INTERPRETER_NOTES[key]))
    return rows + [
        ("", "", ""),
        ("说明 Notes (not read: settings stop at the first blank cell in column A)", "", ""),
        ("Interpreter_Win", "", "留空=用 PATH 中的 python / blank: python on PATH; "
                                "or e.g. %LOCALAPPDATA%\\Programs\\Python\\Python312\\python.exe; "
                                "or per user in %USERPROFILE%\\.myaddin\\myaddin.conf"),
        ("Conda Path / Conda Env", "", "Anaconda: e.g. %USERPROFILE%\\anaconda3 and base (then leave Interpreter_Win out)"),
        ("PYTHONPATH", "", "only if salesdeck is not installed into that Python"),
        ("xlwings", xlwings.__version__, "built from this xlwings version; pip install the same version"),
    ]


def _shared_strings(strings: list[str]) -> str:
    items = "".join(f'<si><t xml:space="preserve">{escape_text(s)}</t></si>' for s in strings)
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
            f"<dc:title>{escape_text(TITLE)}</dc:title><dc:subject>销售月例会 / monthly sales meeting</dc:subject>"
            "<dc:creator>salesdeck</dc:creator><cp:keywords>salesdeck xlwings</cp:keywords>"
            "<cp:lastModifiedBy>salesdeck</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_DATE}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_DATE}</dcterms:modified>'
            "</cp:coreProperties>")


def vba_project(template_bin: bytes) -> bytes:
    """The template's VBA project with the functions, the ribbon callbacks and the add-in's events."""
    project = VbaProject.read(template_bin)
    project.drop_reference(UNUSED_REFERENCE)
    functions = vba_source.udf_functions(udfs)
    project.set_module(vba_source.UDF_MODULE, vba_source.udf_module(udfs, UDF_MODULES))
    settings = contract.sheet("settings")
    language = next(c for c in contract.SETTING_KEYS if c.key == "language")
    project.set_module(vba_source.RIBBON_MODULE, vba_source.ribbon_module(
        BUTTONS, functions, udfs.CATEGORY, MESSAGES,
        settings_sheets=list(settings.names()), language_labels=[language.zh, language.en, *language.aliases],
        english=list(LANGUAGE_NAMES["en"])))
    this_workbook = project.source("ThisWorkbook").rstrip("\r\n") + "\r\n"
    project.set_module("ThisWorkbook", this_workbook + vba_source.this_workbook_code(), kind="class")
    return project.to_bytes()


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
        "customUI/customUI.xml": custom_ui(),
        "xl/vbaProject.bin": vba_project(names["xl/vbaProject.bin"]),
        "xl/workbook.xml": _workbook(names["xl/workbook.xml"].decode("utf-8")),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": strings,
        "docProps/core.xml": _core_props(),
    }
    return [(name, _bytes(replaced[name]) if name in replaced else data) for name, data in parts]


def _bytes(part: str | bytes) -> bytes:
    return part if isinstance(part, bytes) else part.encode("utf-8")


def build_addin(out_dir: str | os.PathLike = ".", interpreter: str | None = None,
                interpreter_mac: str | None = None) -> Path:
    """Write ``out_dir/salesdeck.xlam`` atomically and return its path.

    ``interpreter`` / ``interpreter_mac`` go into the config sheet as
    ``Interpreter_Win`` / ``Interpreter_Mac`` exactly as given (use
    ``%LOCALAPPDATA%``-style paths for an add-in handed to others); without
    them the add-in uses ``python`` on PATH or each user's config file
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
