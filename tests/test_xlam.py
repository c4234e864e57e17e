"""The built salesdeck.xlam: functions, ribbon callbacks, no machine paths, config values, a loadable package."""

from __future__ import annotations

import getpass
import importlib
import inspect
import io
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlwings
from click.testing import CliRunner
from lxml import etree
from oletools.olevba import VBA_Parser

from salesdeck.addin import udfs, xlam
from salesdeck.cli import cli
from salesdeck.ooxml.vba.compression import decompress
from salesdeck.ooxml.vba.project import VBA_PROJECT_NO_CACHE, VbaProject

CUI = "{http://schemas.microsoft.com/office/2006/01/customui}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SD_FUNCTIONS = sorted(udfs.__all__)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return xlam.build_addin(tmp_path_factory.mktemp("addin"))


@pytest.fixture(scope="module")
def parts(built) -> dict[str, bytes]:
    with zipfile.ZipFile(built) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.fixture(scope="module")
def vba_modules(built) -> dict[str, str]:
    """VBA module name -> source code, read back with olevba."""
    parser = VBA_Parser(str(built))
    try:
        return {Path(name).stem: code for _file, _stream, name, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def project(parts) -> VbaProject:
    return VbaProject.read(parts["xl/vbaProject.bin"])


@pytest.fixture(scope="module")
def ribbon(parts):
    return etree.fromstring(parts["customUI/customUI.xml"])


def _procedures(code: str) -> dict[str, tuple[str, str]]:
    """Sub/Function name -> (parameter list, body), for every procedure in a module."""
    found = re.finditer(r"^(?:Public |Private )?(Sub|Function) (\w+)\(([^)]*)\)[^\n]*\n(.*?)^End \1", code, re.M | re.S)
    return {m.group(2): (m.group(3), m.group(4)) for m in found}


def _params(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


# ---------------------------------------------------------------- building
def test_cli_builds_salesdeck_xlam_in_the_given_folder(tmp_path):
    result = CliRunner().invoke(cli, ["addin", "build", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "salesdeck.xlam").is_file()
    assert result.stdout.splitlines()[0] == str(tmp_path / "out" / "salesdeck.xlam")
    assert f"pip install xlwings=={xlwings.__version__}" in result.output
    assert result.stderr == ""


def test_build_is_deterministic(tmp_path, built):
    again = xlam.build_addin(tmp_path)
    assert again.read_bytes() == built.read_bytes()


# ---------------------------------------------------------------- functions
def test_the_addin_carries_a_wrapper_for_every_sd_function(vba_modules):
    code = vba_modules["xlwings_udfs"]
    procedures = _procedures(code)
    assert sorted(procedures) == SD_FUNCTIONS
    for name in SD_FUNCTIONS:
        python = inspect.signature(getattr(udfs, name)).parameters.values()
        expected = [("Optional " if p.default is not p.empty else "") + p.name for p in python if p.name != "caller"]
        params, body = procedures[name]
        assert _params(params) == expected, name
        call = re.search(rf'{name} = XLPy\.CallUDF\("salesdeck\.addin\.udfs", "{name}", Array\(([^)]*)\), '
                         r"ActiveWorkbook, Application\.Caller\)", body)
        assert call, name
        passed = [p.strip() for p in call.group(1).split(",")]
        assert passed == [p.name if p.name != "caller" else "Nothing" for p in python], name


def test_only_the_today_dependent_functions_are_volatile(vba_modules):
    procedures = _procedures(vba_modules["xlwings_udfs"])
    volatile = {name for name, (_p, body) in procedures.items() if "Application.Volatile" in body}
    assert volatile == {"SD_LEAD_CLASS", "SD_AGING"}


def test_the_udf_module_is_the_one_xlwings_would_import_and_names_its_python_module(project, parts):
    """A later "Import Functions" from xlwings replaces the module instead of doubling every function."""
    assert project.source("xlwings_udfs").startswith('Attribute VB_Name = "xlwings_udfs"\r\n')
    assert xlam.UDF_MODULES == udfs.__name__
    book = openpyxl.load_workbook(_as_xlsm(parts))[xlam.CONFIG_SHEET]
    assert (book["A1"].value, book["B1"].value) == ("UDF Modules", udfs.__name__)


def test_every_function_gets_its_description_and_argument_help(vba_modules):
    register = _procedures(vba_modules["SalesdeckRibbon"])["SalesdeckRegisterFunctions"][1]
    for name in SD_FUNCTIONS:
        assert f'Macro:=book & "{name}", Description:=d, Category:="salesdeck", ArgumentDescriptions:=a' in register
    assert "SalesdeckRibbon.SalesdeckRegisterFunctions" in _procedures(vba_modules["ThisWorkbook"])["Workbook_Open"][1]


# ---------------------------------------------------------------- ribbon
def test_ribbon_has_the_sales_tools_tab_with_three_large_buttons_with_icons(ribbon):
    tab = ribbon.find(f".//{CUI}tab")
    assert tab.get("label") == "销售工具 Sales Tools"
    buttons = tab.findall(f".//{CUI}button")
    assert [b.get("id") for b in buttons] == ["salesdeckRefresh", "salesdeckCheck", "salesdeckDeck"]
    assert all(b.get("size") == "large" and b.get("imageMso") for b in buttons)


def _callbacks(ribbon) -> dict[str, str]:
    """callback attribute value -> attribute name, for every control."""
    found = {}
    for el in ribbon.iter():
        for attr, value in el.attrib.items():
            if attr in ("onAction", "onLoad") or attr.startswith("get"):
                found[value] = attr
    return found


def test_every_ribbon_callback_is_a_sub_with_the_ribbon_signature(ribbon, vba_modules):
    callbacks = _callbacks(ribbon)
    assert len(callbacks) == 7  # onLoad, three onAction, getLabel, getScreentip, getSupertip
    for callback, attr in callbacks.items():
        module, sub = callback.split(".")
        procedures = _procedures(vba_modules[module])
        assert sub in procedures, f"{callback} is not a procedure of the VBA module {module}"
        params = _params(procedures[sub][0])
        if attr == "onLoad":
            assert re.fullmatch(r"\w+ As IRibbonUI", params[0]) and len(params) == 1
        elif attr == "onAction":
            assert params == ["control As IRibbonControl"]
        else:
            assert params[0] == "control As IRibbonControl" and re.fullmatch(r"ByRef \w+", params[1])


def test_every_button_runs_a_python_entry_point_that_exists(ribbon, vba_modules):
    procedures = _procedures(vba_modules["SalesdeckRibbon"])
    for button in ribbon.iter(f"{CUI}button"):
        sub = button.get("onAction").split(".")[1]
        command = re.search(r'SalesdeckRun "([^"]+)"', procedures[sub][1]).group(1)
        module, call = re.fullmatch(r"import ([\w.]+) as m; m\.(\w+)\(\)", command).groups()
        assert callable(getattr(importlib.import_module(module), call)), command
    run = procedures["SalesdeckRun"][1]
    assert "ActiveWorkbook Is Nothing" in run and "RunPython pythonCode" in run
    assert "Function RunPython(PythonCommand As String)" in vba_modules["xlwings"]


def test_labels_exist_for_every_button_in_both_languages(ribbon, vba_modules):
    text = vba_modules["SalesdeckRibbon"]
    for button in ribbon.iter(f"{CUI}button"):
        for field in ("label", "screentip", "supertip"):
            for lang in ("zh", "en"):
                assert f'Case "{button.get("id")}.{field}.{lang}"' in text
    # the Chinese label of Build deck, spelled as character codes the VBA decodes with ChrW
    codes = ",".join(str(ord(c)) for c in "生成月例会")
    assert f'SalesdeckText = U("{codes}") & "PPT"' in text


def test_ribbon_is_relabelled_when_another_workbook_is_activated(vba_modules):
    this = vba_modules["ThisWorkbook"]
    assert "Private WithEvents SalesdeckApp As Application" in this
    assert "SalesdeckRibbon.SalesdeckInvalidate" in _procedures(this)["SalesdeckApp_WorkbookActivate"][1]


def test_vba_sources_are_plain_ascii(project):
    for module in project.modules():
        source = project.source(module.name)
        assert source.isascii(), module.name


# ---------------------------------------------------------------- the VBA project
def test_project_is_compiled_from_source_when_opened(project):
    assert project.streams["VBA/_VBA_PROJECT"] == VBA_PROJECT_NO_CACHE  # version 0xFFFF, no cache
    modules = {m.name: (m.kind, m.offset) for m in project.modules()}
    for written in ("xlwings_udfs", "SalesdeckRibbon", "ThisWorkbook"):
        assert modules[written][1] == 0
    assert modules["xlwings_udfs"][0] == modules["SalesdeckRibbon"][0] == "standard"
    text = project.streams["PROJECT"].decode("cp1252")
    assert "Module=xlwings_udfs\r\n" in text and "Module=SalesdeckRibbon\r\n" in text
    assert project.references() == ["Office"]  # IRibbonControl; the unused MSForms reference is gone


# ---------------------------------------------------------------- no machine paths
def _every_text(parts: dict[str, bytes]) -> dict[str, str]:
    """Every zip part, and every stream of the VBA project (dir and module sources decompressed)."""
    texts = {name: data.decode("latin-1") for name, data in parts.items()}
    project = VbaProject.read(parts["xl/vbaProject.bin"])
    with olefile.OleFileIO(io.BytesIO(parts["xl/vbaProject.bin"])) as ole:
        for path in ole.listdir():
            texts["vbaProject.bin/" + "/".join(path)] = ole.openstream(path).read().decode("latin-1")
    texts["vbaProject.bin/VBA/dir (decompressed)"] = decompress(project.streams["VBA/dir"]).decode("latin-1")
    for module in project.modules():
        texts[f"vbaProject.bin/{module.name} (source)"] = project.source(module.name)
    return texts


def _this_machine(built: Path) -> list[str]:
    names = [sys.executable, sys.prefix, str(Path.home()), os.getcwd(), str(built.parent)]
    user = getpass.getuser()
    if len(user) > 3:
        names.append(user)
    return [n for n in names if n and n != os.sep]


#: A user's folder or temp folder written out (xlwings' own "/Users/<User>/..." comment is a placeholder).
USER_FOLDER = re.compile(r"(?i)[a-z]:\\users\\|\\users\\|/home/|/users/(?!<user>)|appdata\\local\\temp")


def test_no_part_of_the_addin_names_a_machine_or_user_folder(parts, built):
    offenders = []
    for where, text in _every_text(parts).items():
        for match in USER_FOLDER.finditer(text):
            offenders.append(f"{where}: {text[max(0, match.start() - 30):match.end() + 30]!r}")
        # a whole path or name, not a prefix of another word (the clone may sit in /tmp/x, and xlwings'
        # own VBA writes to /tmp/xlwings...)
        offenders += [f"{where}: {name}" for name in _this_machine(built)
                      if re.search(re.escape(name) + r"(?![\w.-])", text)]
    assert offenders == []


def test_the_path_scan_finds_what_the_template_had(parts):
    """The scan is not blind: the template's MSForms reference named its author's folder."""
    with zipfile.ZipFile(xlam.TEMPLATE) as zf:
        template = {name: zf.read(name) for name in zf.namelist()}
    found = [where for where, text in _every_text(template).items() if USER_FOLDER.search(text)]
    assert "vbaProject.bin/VBA/dir (decompressed)" in found and "xl/workbook.xml" in found


def test_builder_python_never_goes_in_by_default(parts):
    settings = _settings(parts)
    assert "Interpreter_Win" not in settings and "Interpreter_Mac" not in settings


# ---------------------------------------------------------------- config values
def _as_xlsm(parts: dict[str, bytes]) -> io.BytesIO:
    """The same package presented as .xlsm (openpyxl does not know the add-in content type)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name, member in parts.items():
            if name == "[Content_Types].xml":
                member = member.replace(b"application/vnd.ms-excel.addin.macroEnabled.main+xml",
                                        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            dst.writestr(name, member)
    out.seek(0)
    return out


def _settings(parts: dict[str, bytes]) -> dict[str, str]:
    sheet = openpyxl.load_workbook(_as_xlsm(parts))[xlam.CONFIG_SHEET]
    settings = {}
    for row in sheet.iter_rows(min_row=1, values_only=True):
        if not row[0]:
            break  # the VBA stops at the first blank cell in column A
        settings[row[0]] = row[1]
    return settings


def test_config_sheet_is_the_one_the_vba_reads(parts, vba_modules):
    code = vba_modules["xlwings"]
    project = re.search(r'Public Const PROJECT_NAME As String = "([^"]+)"', code).group(1)
    assert 'Set sht = wb.Sheets(PROJECT_NAME & ".conf")' in code
    assert xlam.CONFIG_SHEET == f"{project}.conf"
    book = etree.fromstring(parts["xl/workbook.xml"])
    assert [s.get("name") for s in book.iter(f"{MAIN}sheet")] == [xlam.CONFIG_SHEET]


def test_config_values_expand_environment_variables_in_the_vba(vba_modules):
    """An interpreter given as %LOCALAPPDATA%\\... works for every user: GetConfig expands it."""
    get_config = _procedures(vba_modules["xlwings"])["GetConfig"][1]
    assert get_config.count("GetConfig = ExpandEnvironmentStrings(GetConfig)") >= 4
    assert "WScript.ExpandEnvironmentStrings(s)" in _procedures(vba_modules["xlwings"])["ExpandEnvironmentStrings"][1]


def test_config_sheet_sets_only_udf_modules_and_the_title(parts):
    assert _settings(parts) == {"UDF Modules": "salesdeck.addin.udfs"}
    book = openpyxl.load_workbook(_as_xlsm(parts), keep_vba=True)
    assert book.properties.title == xlam.TITLE
    book.vba_archive.close()  # openpyxl leaves it open


def test_interpreter_goes_into_the_config_sheet_exactly_as_given(tmp_path):
    given = r"%LOCALAPPDATA%\Programs\Python\Python312\python.exe"
    result = CliRunner().invoke(cli, ["addin", "build", "-o", str(tmp_path), "--interpreter", given])
    assert result.exit_code == 0 and result.stderr == ""
    with zipfile.ZipFile(tmp_path / "salesdeck.xlam") as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    assert _settings(parts) == {"UDF Modules": "salesdeck.addin.udfs", "Interpreter_Win": given}


def test_a_user_folder_as_interpreter_is_written_but_warned_about(tmp_path):
    given = r"C:\Users\zhang\AppData\Local\Programs\Python\Python312\python.exe"
    result = CliRunner().invoke(cli, ["addin", "build", "-o", str(tmp_path), "--interpreter", given,
                                                      "--interpreter-mac", "/opt/homebrew/bin/python3"])
    assert result.exit_code == 0
    assert "Warning: C:\\Users\\zhang" in result.stderr and "%LOCALAPPDATA%" in result.stderr
    assert "/opt/homebrew" not in result.stderr
    with zipfile.ZipFile(tmp_path / "salesdeck.xlam") as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    assert _settings(parts)["Interpreter_Win"] == given
    assert _settings(parts)["Interpreter_Mac"] == "/opt/homebrew/bin/python3"


def test_other_template_parts_are_unchanged(parts):
    with zipfile.ZipFile(xlam.TEMPLATE) as zf:
        template = {name: zf.read(name) for name in zf.namelist()}
    assert list(parts) == list(template)
    rewritten = {"customUI/customUI.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                 "docProps/core.xml", "xl/vbaProject.bin"}
    for name in set(template) - rewritten:
        assert parts[name] == template[name], name


# ---------------------------------------------------------------- a real reader
@pytest.mark.office
def test_libreoffice_opens_the_addin_and_reads_every_vba_module(built, office, tmp_path):
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run([office.SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--infilter=Calc MS Excel 2007 VBA XML", "--convert-to", "ods", "--outdir", str(tmp_path),
                        str(built)], capture_output=True, timeout=240)
    ods = tmp_path / "salesdeck.ods"
    assert ods.exists(), "LibreOffice could not open salesdeck.xlam"
    with zipfile.ZipFile(ods) as zf:
        basic = {Path(n).stem: zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("Basic/MyAddin/")}
        content = zf.read("content.xml").decode("utf-8")
    assert {"xlwings", "xlwings_udfs", "SalesdeckRibbon", "ThisWorkbook"} <= set(basic)
    for name in SD_FUNCTIONS:
        assert f"Function {name}(" in basic["xlwings_udfs"]
    assert "Sub SalesdeckRefresh(control As IRibbonControl)" in basic["SalesdeckRibbon"]
    assert "salesdeck.addin.udfs" in content  # the settings sheet
