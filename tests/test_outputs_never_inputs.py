"""No command writes over one of its inputs, however the output is spelled (issue 15, point 1).

Every case is refused with exit 2 and a message naming both files, and every
input keeps its bytes. Symlinks, hard links, ``..`` and symlinked folders are
the same file; ``-o`` naming the workbook of ``import``/``refresh`` is a
change in place (asked for), not an overwrite.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from salesdeck.workbook.author.sample import write_sample
from salesdeck.workbook.read.reader import read_workbook
from tests.fixtures.templates import four_by_three

NARRATIVE = Path(__file__).resolve().parents[1] / "templates" / "narrative" / "zh" / "deck_title.j2"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The inputs, made once; each test works on a fresh copy."""
    folder = tmp_path_factory.mktemp("inputs")
    write_sample(folder / "book.xlsx", seed=3, rows=200)
    write_sample(folder / "last.xlsx", seed=4, rows=200)
    four_by_three(folder / "company.pptx")
    (folder / "narr").mkdir()
    shutil.copy(NARRATIVE, folder / "narr" / "deck_title.j2")
    (folder / "orders.csv").write_text("订单号,日期,销售代表,区域,渠道,客户,产品,产品线,数量,金额\n"
                                       "SO9001,2026-10-03,代表1,华东,直营,客户1,产品1,产品线1,1,100\n", encoding="utf-8")
    (folder / "users.csv").write_text("用户,区域\n代表1,华东\n", encoding="utf-8")
    (folder / "m.toml").write_text('[columns]\norder_id = "订单号"\n', encoding="utf-8")
    return folder


@pytest.fixture
def work(made, tmp_path):
    folder = tmp_path / "w"
    shutil.copytree(made, folder)
    (folder / "link.xlsx").symlink_to(folder / "book.xlsx")
    os.link(folder / "book.xlsx", folder / "hard.xlsx")
    (folder / "sub").mkdir()
    (tmp_path / "alias").symlink_to(folder, target_is_directory=True)
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


BUILD = [
    # (extra options, -o, what the message names)
    ([], "book.xlsx", "the workbook"),
    ([], "sub/../book.xlsx", "the workbook"),
    ([], "link.xlsx", "the workbook"),
    ([], "hard.xlsx", "the workbook"),
    ([], "../alias/book.xlsx", "the workbook"),
    (["--template", "company.pptx"], "company.pptx", "--template"),
    (["--template", "company.pptx"], "../alias/company.pptx", "--template"),
    (["--previous", "last.xlsx"], "last.xlsx", "--previous"),
    (["--narrative", "narr"], "narr/deck_title.j2", "a file of --narrative"),
    (["--pdf"], "deck.pdf", "the PDF"),
]


@pytest.mark.parametrize("extra, output, named", BUILD, ids=[f"{o} {' '.join(e)}" for e, o, _ in BUILD])
def test_build_refuses_an_output_that_is_an_input(work, monkeypatch, extra, output, named):
    monkeypatch.chdir(work)
    before = _snapshot(work)
    result = run("build", "book.xlsx", "-o", output, *extra)
    assert result.exit_code == 2, result.output
    assert "Error:" in result.stderr and named in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.output
    assert _snapshot(work) == before  # every input as it was, and nothing new


@pytest.mark.parametrize("args, named", [
    (["orders.csv", "-o", "orders.csv"], "a source"),
    (["orders.csv", "--save-map", "orders.csv"], "a source"),
    (["orders.csv", "--save-map", "link.xlsx"], "the workbook"),
    (["orders.csv", "--lookup", "users.csv", "-o", "users.csv"], "--lookup"),
    (["orders.csv", "-o", "new.xlsx", "--save-map", "sub/../new.xlsx"], "name the same file"),
    (["link.xlsx", "--in-place"], "a source"),  # the workbook imported into itself
    (["orders.csv", "--map", "m.toml", "-o", "m.toml"], "--map"),
    (["last.xlsx", "--lookup", "hard.xlsx", "--in-place"], "--lookup"),
])
def test_import_refuses_an_output_that_is_an_input(work, monkeypatch, args, named):
    monkeypatch.chdir(work)
    before = _snapshot(work)
    result = run("import", *args, "--into", "book.xlsx", "--as", "orders")
    assert result.exit_code == 2, result.output
    assert named in result.stderr and "Traceback" not in result.output
    assert _snapshot(work) == before


def test_save_map_may_update_the_map_it_was_given(work, monkeypatch):
    monkeypatch.chdir(work)
    result = run("import", "orders.csv", "--into", "book.xlsx", "--as", "orders", "--map", "m.toml",
                 "--save-map", "m.toml", "--dry-run")
    assert result.exit_code == 0, result.output
    saved = (work / "m.toml").read_text(encoding="utf-8")
    assert 'order_id = "订单号"' in saved and 'amount = "金额"' in saved  # the map given, and what was matched


def test_import_source_in_a_workbook_is_an_input_too(work, monkeypatch):
    """An .xlsx export as the source, and -o naming it through a symlink."""
    monkeypatch.chdir(work)
    (work / "export-link.xlsx").symlink_to(work / "last.xlsx")
    before = _snapshot(work)
    result = run("import", "last.xlsx", "--into", "book.xlsx", "--as", "orders", "-o", "export-link.xlsx")
    assert result.exit_code == 2 and "a source" in result.stderr
    assert _snapshot(work) == before


@pytest.mark.parametrize("command", ["import", "refresh"])
def test_o_naming_the_workbook_by_another_spelling_changes_it_in_place(work, monkeypatch, command):
    """Asked for: the workbook changes, through the locked in-place path; no copy is made beside it."""
    monkeypatch.chdir(work)
    os.unlink(work / "hard.xlsx")  # a second name would be left behind: in-place refuses that (see test_in_place)
    args = (["import", "orders.csv", "--into", "book.xlsx", "--as", "orders"] if command == "import"
            else ["refresh", "book.xlsx"])
    orders_before = len(read_workbook(work / "book.xlsx").orders)
    result = run(*args, "-o", "../alias/sub/../book.xlsx")
    assert result.exit_code == 0, result.output
    assert (work / "link.xlsx").is_symlink()
    names = sorted(p.name for p in work.iterdir())
    assert not any("imported" in n or "refreshed" in n or n.endswith((".tmp", ".salesdeck-lock")) for n in names)
    if command == "import":
        assert len(read_workbook(work / "book.xlsx").orders) == orders_before + 1
    else:
        import openpyxl

        assert "计算结果" in openpyxl.load_workbook(work / "book.xlsx", read_only=True).sheetnames


def test_batch_refuses_a_deck_that_would_replace_the_template(work, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(work / "company.pptx", out / "book.pptx")
    before = (out / "book.pptx").read_bytes()
    result = run("batch", work / "book.xlsx", "-o", out, "--template", out / "book.pptx")
    assert result.exit_code == 2, result.output
    assert "--template" in result.stderr and "same file" in result.stderr
    assert (out / "book.pptx").read_bytes() == before


def test_batch_refuses_a_report_that_is_an_input(work, tmp_path):
    """A file named explicitly is always tried, whatever its name; the report may not replace it."""
    data = work / "data.csv"
    data.write_bytes((work / "book.xlsx").read_bytes())
    result = run("batch", data, "-o", tmp_path / "out", "--report", data)
    assert result.exit_code == 2 and "--report" in result.stderr
    assert data.read_bytes() == (work / "book.xlsx").read_bytes()
