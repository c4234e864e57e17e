"""docs/excel-setup.md, followed as an IT admin would: its smoke-test values are what the sample gives."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

from salesdeck.addin import check, udfs
from salesdeck.jobs.refresh import refresh_file
from salesdeck.workbook.author.sample import write_sample
from tests.fake_excel import fake_book_from

DOCS = (Path(__file__).resolve().parents[1] / "docs" / "excel-setup.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return write_sample(tmp_path_factory.mktemp("smoke") / "sample.xlsx")


def _shown(cell) -> str:
    """A cell as Excel shows it with the number formats the result sheet uses."""
    value, fmt = cell.value, cell.number_format
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if fmt == "0.0%":
            return f"{value:.1%}"
        if fmt == "#,##0":
            return f"{value:,.0f}"
        return f"{value:g}"
    return str(value)


def _smoke_table() -> dict[str, str]:
    section = DOCS.split("**刷新计算 Refresh**", 1)[1].split("Then check the rest", 1)[0]
    return dict(re.findall(r"^\| `([A-Z]+\d+)` \| (.+?) \|$", section, re.M))


def test_the_smoke_test_cells_are_what_refresh_writes_for_the_sample(sample):
    """The ribbon writes the same cells as this file (tests/test_ribbon.py compares every cell)."""
    cells = _smoke_table()
    assert len(cells) >= 15
    sheet = openpyxl.load_workbook(refresh_file(sample).path)["计算结果"]
    assert {ref: _shown(sheet[ref]) for ref in cells} == cells


def test_check_on_the_sample_says_no_problems_as_the_docs_say(sample):
    book = fake_book_from(sample)
    assert check.check_book(book) == 0
    assert book.app.alerts == [("salesdeck", "没有发现问题。")]
    assert "没有发现问题。" in DOCS


def test_the_documented_function_examples(sample):
    assert udfs.SD_SPLIT(100, [[1], [1], [1]]) == [[34.0], [33.0], [33.0]]
    assert udfs.SD_FUNNEL(1_000_000, 200_000, [[3], [4], [5]]) == [[5], [15], [60], [300]]
    error = udfs.SD_SPLIT(100, [[1], [-1], [1]])
    assert error.text == "#NUM!" and error.message == "weights: -1 at row 2 is negative"
    rows = udfs.SD_PERIOD_SPLIT(100_000, "2026-10")
    assert [r[0] for r in rows] == ["上旬", "中旬", "下旬"] and [r[3] for r in rows] == [7, 7, 8]
    assert [f"{r[4]:,.0f}" for r in rows] == ["31,818", "31,818", "36,364"]
    for text in ("| `=SD_SPLIT(100,{1;1;1})` | 34, 33, 33 downwards |", "| `=SD_SPLIT(100,{1;-1;1})` in `B2` | `#NUM!` |",
                 "| `=SD_ERROR(B2)` | weights: -1 at row 2 is negative |", "7 / 7 / 8 working days, 31,818 / 31,818 / 36,364",
                 "| `=SD_FUNNEL(1000000,200000,{3;4;5})` | 5, 15, 60, 300 |"):
        assert text in DOCS


def test_the_docs_name_every_button_and_its_python_entry_point():
    from salesdeck.addin.xlam import BUTTONS

    for button in BUTTONS:
        assert button.label["zh"] in DOCS and button.label["en"] in DOCS
        module, call = re.fullmatch(r"import ([\w.]+) as m; m\.(\w+)\(\)", button.python).groups()
        assert f"{module}.{call}()" in DOCS
