"""The built salesdeck.xlam: ribbon, VBA wiring, config sheet, a loadable package."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwings
from click.testing import CliRunner
from lxml import etree
from oletools.olevba import VBA_Parser

import salesdeck
from salesdeck.addin import xlam
from salesdeck.cli import cli

CUI = "{http://schemas.microsoft.com/office/2006/01/customui}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


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
        modules = {}
        for _file, _stream, _vba_name, code in parser.extract_macros():
            name = re.search(r'Attribute VB_Name = "([^"]+)"', code).group(1)
            modules[name] = code
        return modules
    finally:
        parser.close()


def _subs(code: str) -> dict[str, str]:
    """Sub name -> its body, for every Sub in a module."""
    found = re.finditer(r"^(?:Public |Private )?Sub (\w+)\(([^)]*)\)(.*?)^End Sub", code, re.M | re.S)
    return {m.group(1): m.group(2) + "\n" + m.group(3) for m in found}


def test_cli_builds_salesdeck_xlam_in_the_given_folder(tmp_path):
    result = CliRunner().invoke(cli, ["addin", "build", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "salesdeck.xlam").is_file()
    assert result.output.splitlines()[0] == str(tmp_path / "out" / "salesdeck.xlam")
    assert f"pip install xlwings=={xlwings.__version__}" in result.output


def test_build_is_deterministic(tmp_path, built):
    again = xlam.build_addin(tmp_path)
    assert again.read_bytes() == built.read_bytes()


def test_ribbon_has_the_sales_tools_tab_and_a_large_refresh_button(parts):
    ui = etree.fromstring(parts["customUI/customUI.xml"])
    tab = ui.find(f".//{CUI}tab")
    assert tab.get("label") == "销售工具"
    group = tab.find(f"{CUI}group")
    assert group.get("label") == "salesdeck"
    button = group.find(f"{CUI}button")
    assert (button.get("label"), button.get("size")) == ("刷新计算", "large")
    assert "Refresh" in button.get("screentip") and "Sales Tools" in button.get("supertip")


def test_every_ribbon_callback_is_a_ribbon_sub_in_the_vba(parts, vba_modules):
    ui = etree.fromstring(parts["customUI/customUI.xml"])
    actions = [el.get("onAction") for el in ui.iter() if el.get("onAction")]
    assert actions == ["RibbonMyAddin.RunMain"]
    for action in actions:
        module, sub = action.split(".")
        subs = _subs(vba_modules[module])
        assert sub in subs, f"{action} is not a Sub in the VBA module {module}"
        assert re.match(r"\s*control As IRibbonControl\s*$", subs[sub].splitlines()[0])


def test_refresh_macro_imports_the_module_named_like_the_file(vba_modules, built):
    """RunMain runs ``import <file stem>; <file stem>.main()``: our file stem is the package."""
    body = _subs(vba_modules["RibbonMyAddin"])["RunMain"]
    assert "ThisWorkbook.Name" in body and 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in body
    assert built.stem == salesdeck.__name__ and callable(salesdeck.main)


def test_config_sheet_is_the_one_the_vba_reads(parts, vba_modules):
    code = vba_modules["xlwings"]
    project = re.search(r'Public Const PROJECT_NAME As String = "([^"]+)"', code).group(1)
    assert 'Set sht = wb.Sheets(PROJECT_NAME & ".conf")' in code
    assert xlam.CONFIG_SHEET == f"{project}.conf"
    book = etree.fromstring(parts["xl/workbook.xml"])
    assert [s.get("name") for s in book.iter(f"{MAIN}sheet")] == [xlam.CONFIG_SHEET]
    assert b"C:\\Users" not in parts["xl/workbook.xml"]


def _as_xlsm(data: bytes) -> io.BytesIO:
    """The same package presented as .xlsm (openpyxl does not know the add-in content type)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            member = src.read(name)
            if name == "[Content_Types].xml":
                member = member.replace(b"application/vnd.ms-excel.addin.macroEnabled.main+xml",
                                        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            dst.writestr(name, member)
    out.seek(0)
    return out


def test_config_sheet_sets_udf_modules_in_its_first_rows(built):
    book = openpyxl.load_workbook(_as_xlsm(built.read_bytes()), keep_vba=True)
    sheet = book[xlam.CONFIG_SHEET]
    settings = {}
    for row in sheet.iter_rows(min_row=1, values_only=True):
        if not row[0]:
            break  # the VBA stops at the first blank cell in column A
        settings[row[0]] = row[1]
    assert settings == {"UDF Modules": "salesdeck.addin.udfs"}
    assert book.vba_archive is not None
    book.vba_archive.close()  # openpyxl leaves it open
    assert book.properties.title == xlam.TITLE


def test_interpreter_goes_into_the_config_sheet(tmp_path):
    path = xlam.build_addin(tmp_path, interpreter=r"C:\Python312\python.exe")
    sheet = openpyxl.load_workbook(_as_xlsm(path.read_bytes()))[xlam.CONFIG_SHEET]
    assert [sheet["A2"].value, sheet["B2"].value] == ["Interpreter_Win", r"C:\Python312\python.exe"]
    assert sheet["A3"].value is None


def test_mac_interpreter_goes_into_the_config_sheet(tmp_path):
    path = xlam.build_addin(tmp_path, interpreter_mac="/opt/homebrew/bin/python3")
    sheet = openpyxl.load_workbook(_as_xlsm(path.read_bytes()))[xlam.CONFIG_SHEET]
    assert [sheet["A2"].value, sheet["B2"].value] == ["Interpreter_Mac", "/opt/homebrew/bin/python3"]


def test_other_template_parts_are_unchanged(parts):
    with zipfile.ZipFile(xlam.TEMPLATE) as zf:
        template = {name: zf.read(name) for name in zf.namelist()}
    assert list(parts) == list(template)
    rewritten = {"customUI/customUI.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                 "docProps/core.xml"}
    for name in set(template) - rewritten:
        assert parts[name] == template[name], name


@pytest.mark.office
def test_libreoffice_opens_the_addin(built, office):
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile, tempfile.TemporaryDirectory() as out:
        subprocess.run([office.SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--infilter=Calc MS Excel 2007 VBA XML", "--convert-to", "pdf", "--outdir", out, str(built)],
                       capture_output=True, timeout=240)
        pdf = Path(out) / "salesdeck.pdf"
        assert pdf.exists(), "LibreOffice could not open salesdeck.xlam"
        assert "salesdeck.addin.udfs" in office.pdf_text(pdf)
