"""`salesdeck sample --per-rep` and `salesdeck merge`: the reps' workbooks rolled up into the team's.

The round trip is checked figure for figure against `salesdeck sample` with the
same seed: the tables as the reader reads them and the decks as built.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from salesdeck.workbook import contract
from salesdeck.workbook.read.reader import read_workbook
from tests.team import deck_content, header_columns, set_setting, slide_titles

SEED = 11
REPS = ["刘洋", "吴婷", "周杰", "孙丽", "张伟", "徐明", "朱琳", "李娜", "杨帆", "王芳", "赵磊", "陈静", "马超", "黄敏"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """The sample as one file and as one workbook per rep (same seed), and their merge."""
    folder = tmp_path_factory.mktemp("team")
    single = folder / "sample.xlsx"
    assert run("sample", "--seed", SEED, "-o", single).exit_code == 0
    reps = folder / "reps"
    result = run("sample", "--seed", SEED, "--per-rep", reps)
    assert result.exit_code == 0, result.output
    merged = folder / "team.xlsx"
    before = {p.name: digest(p) for p in reps.iterdir()}
    result = run("merge", reps, "-o", merged)
    assert result.exit_code == 0, result.output
    assert {p.name: digest(p) for p in reps.iterdir()} == before  # inputs never modified
    return single, reps, merged, result


@pytest.fixture
def reps_copy(team, tmp_path):
    return shutil.copytree(team[1], tmp_path / "reps")


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """A table's records in a fixed order, without where they came from (row numbers, source file)."""
    frame = frame.drop(columns=[c for c in ("_row", "source") if c in frame.columns]).astype(str)
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


# ------------------------------------------------------------------ the round trip
def test_one_workbook_per_rep_and_one_for_the_team(team):
    _, reps, _, _ = team
    assert sorted(p.stem for p in reps.iterdir()) == sorted(REPS + ["团队"])
    for rep in REPS:
        orders = read_workbook(reps / f"{rep}.xlsx").orders
        assert set(orders["rep"]) == {rep}
    team_rows = read_workbook(reps / "团队.xlsx")
    assert team_rows.orders.empty and len(team_rows.satisfaction) == 6


def test_merged_tables_equal_the_single_sample_record_for_record(team):
    single, _, merged, _ = team
    expected, got = read_workbook(single), read_workbook(merged)
    assert got.settings == expected.settings
    for key in contract.TABLES:
        pd.testing.assert_frame_equal(comparable(got.tables[key]), comparable(expected.tables[key]), obj=key)
    assert len(got.orders) == 4800


def test_merged_deck_shows_the_same_figures_as_the_single_samples(team, tmp_path):
    single, _, merged, _ = team
    for workbook in (single, merged):
        assert run("build", workbook, "-o", tmp_path / f"{workbook.stem}.pptx").exit_code == 0
    expected, got = deck_content(tmp_path / "sample.pptx"), deck_content(tmp_path / "team.pptx")
    assert len(got) == len(expected) > 150
    assert got == expected  # every title, text, table cell and chart series


def test_each_row_keeps_the_file_it_came_from(team):
    _, _, merged, _ = team
    book = openpyxl.load_workbook(merged, read_only=True)
    rows = list(book["订单"].iter_rows(values_only=True))
    header = list(rows[0])
    rep, source = header.index("销售代表"), header.index("来源文件")
    assert header[-1] == "来源文件"
    assert {(r[rep], r[source]) for r in rows[1:]} == {(name, f"{name}.xlsx") for name in REPS}
    plan = list(book["反馈"].iter_rows(max_row=2, values_only=True))
    assert plan[0].count("来源文件") == 3  # complaints, satisfaction and NPS each carry it


def test_speaker_notes_name_the_source_files(team, tmp_path):
    from pptx import Presentation

    _, _, merged, _ = team
    deck = tmp_path / "team.pptx"
    assert run("build", merged, "-o", deck).exit_code == 0
    notes = [s.notes_slide.notes_text_frame.text for s in Presentation(str(deck)).slides if s.has_notes_slide]
    assert any("来源文件: 刘洋.xlsx、吴婷.xlsx、周杰.xlsx、孙丽.xlsx、张伟.xlsx 等共 14 个" in n for n in notes)


def test_merged_workbook_is_a_normal_workbook(team, tmp_path):
    _, _, merged, _ = team
    assert run("check", merged).exit_code == 0
    refreshed = tmp_path / "refreshed.xlsx"
    assert run("refresh", merged, "-o", refreshed).exit_code == 0, "refresh"
    csv = tmp_path / "new.csv"
    csv.write_text("订单号,日期,销售代表,区域,渠道,客户,产品,产品线,金额\n"
                   "NEW-1,2026-10-30,张伟,华东,直营,新客户公司,智能终端 X2,智能终端,8800\n", encoding="utf-8")
    imported = tmp_path / "imported.xlsx"
    result = run("import", csv, "--into", merged, "--as", "orders", "-o", imported)
    assert result.exit_code == 0, result.output
    book = read_workbook(imported)
    assert len(book.orders) == 4801
    assert book.orders.loc[book.orders["order_id"] == "NEW-1", "source"].isna().all()  # typed in, not merged


def test_english_reps_merge_into_an_english_workbook(tmp_path):
    reps = tmp_path / "reps"
    assert run("sample", "--per-rep", reps, "--lang", "en", "--rows", 600).exit_code == 0
    assert (reps / "Wei Zhang.xlsx").exists() and (reps / "team.xlsx").exists()
    assert run("merge", reps, "-o", tmp_path / "team.xlsx").exit_code == 0
    book = openpyxl.load_workbook(tmp_path / "team.xlsx", read_only=True)
    assert "Orders" in book.sheetnames
    assert next(book["Orders"].iter_rows(max_row=1, values_only=True))[-1] == "Source file"


def test_json_report(team, tmp_path):
    _, reps, _, _ = team
    result = run("merge", reps, "-o", tmp_path / "t.xlsx", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["exit_code"] == 0 and data["output"] == str(tmp_path / "t.xlsx")
    assert len(data["files"]) == 15 and data["rows"]["orders"] == 4800
    assert sum(f["rows"].get("orders", 0) for f in data["files"]) == 4800
    assert data["conflicts"] == [] and data["mismatches"] == []


# ------------------------------------------------------------------ refusals
def test_same_order_line_in_two_files_is_a_conflict_naming_both(reps_copy, tmp_path):
    source = openpyxl.load_workbook(reps_copy / "吴婷.xlsx")["订单"]
    cols = header_columns(source, ["订单号", "产品"])
    order_id, product = source.cell(7, cols["订单号"]).value, source.cell(7, cols["产品"]).value
    book = openpyxl.load_workbook(reps_copy / "刘洋.xlsx")
    ws = book["订单"]
    ws.cell(12, cols["订单号"]).value = order_id
    ws.cell(12, cols["产品"]).value = product
    book.save(reps_copy / "刘洋.xlsx")
    out = tmp_path / "team.xlsx"
    result = run("merge", reps_copy, "-o", out)
    assert result.exit_code == 1
    assert (f"conflict: 订单/Orders 订单号/Order ID {order_id}, 产品/Product {product} is in "
            f"刘洋.xlsx 订单!A12 and 吴婷.xlsx 订单!A7") in result.stderr
    assert "nothing merged: 1 conflict" in result.stderr
    assert not out.exists()


def test_same_opportunity_in_two_files_is_a_conflict(reps_copy, tmp_path):
    other = openpyxl.load_workbook(reps_copy / "王芳.xlsx")["商机"]
    opportunity = other.cell(2, 1).value
    book = openpyxl.load_workbook(reps_copy / "张伟.xlsx")
    book["商机"].cell(3, 1).value = opportunity
    book.save(reps_copy / "张伟.xlsx")
    result = run("merge", reps_copy, "-o", tmp_path / "team.xlsx", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["output"] is None and data["conflict_counts"] == {"pipeline": 1}
    (conflict,) = data["conflicts"]
    assert conflict["key"] == {"opportunity_id": opportunity}
    assert conflict["places"] == [{"file": "张伟.xlsx", "where": "商机!A3"}, {"file": "王芳.xlsx", "where": "商机!A2"}]


def test_report_month_must_agree(reps_copy, tmp_path):
    set_setting(reps_copy / "李娜.xlsx", "设置", "报告月份", "2026-09")
    set_setting(reps_copy / "马超.xlsx", "设置", "报告月份", "2026-09")
    result = run("merge", reps_copy, "-o", tmp_path / "team.xlsx")
    assert result.exit_code == 1
    others = ", ".join(n for n in sorted(p.name for p in reps_copy.iterdir()) if n not in ("李娜.xlsx", "马超.xlsx"))
    assert (f"error: the 报告月份/Report month differs between the files: 2026-10 in {others}; "
            f"2026-09 in 李娜.xlsx, 马超.xlsx") in result.stderr
    assert not (tmp_path / "team.xlsx").exists()


def test_currency_must_agree(reps_copy, tmp_path):
    set_setting(reps_copy / "周杰.xlsx", "设置", "币种", "USD")
    result = run("merge", reps_copy, "-o", tmp_path / "team.xlsx")
    assert result.exit_code == 1
    assert "币种/Currency differs between the files" in result.stderr and "USD in 周杰.xlsx" in result.stderr


def test_other_settings_come_from_the_first_file_with_warnings(reps_copy, tmp_path):
    set_setting(reps_copy / "王芳.xlsx", "设置", "汇报人", "华东区经理 李四")
    result = run("merge", reps_copy, "-o", tmp_path / "team.xlsx")
    assert result.exit_code == 0, result.output
    assert ("warning: setting 汇报人/Presenter: 王芳.xlsx has '华东区经理 李四'; 刘洋.xlsx's '销售总监 王磊' is used"
            in result.stdout)
    assert read_workbook(tmp_path / "team.xlsx").settings.presenter == "销售总监 王磊"


def test_an_input_with_errors_is_reported_with_its_cells_and_nothing_is_written(reps_copy, tmp_path):
    book = openpyxl.load_workbook(reps_copy / "陈静.xlsx")
    ws = book["订单"]
    ws.cell(9, header_columns(ws, ["金额"])["金额"]).value = "十二万"
    book.save(reps_copy / "陈静.xlsx")
    result = run("merge", reps_copy, "-o", tmp_path / "team.xlsx")
    assert result.exit_code == 1
    assert "陈静.xlsx: NOT USABLE (1 error, 0 warnings)" in result.stderr
    assert "error: 订单!M9 [金额]: found '十二万';" in result.stderr
    assert not (tmp_path / "team.xlsx").exists()


def test_a_file_that_is_not_a_workbook_exits_2(reps_copy, tmp_path):
    (reps_copy / "notes.xlsx").write_text("not a workbook", encoding="utf-8")
    result = run("merge", reps_copy, "-o", tmp_path / "team.xlsx")
    assert result.exit_code == 2
    assert "notes.xlsx: NOT A WORKBOOK" in result.stderr


@pytest.mark.parametrize("spelling", ["again", "dot", "symlink", "folder"])
def test_the_same_file_given_twice_is_caught(reps_copy, tmp_path, monkeypatch, spelling):
    monkeypatch.chdir(reps_copy)
    if spelling == "symlink":
        os.symlink(reps_copy / "张伟.xlsx", tmp_path / "link.xlsx")
    second = {"again": "张伟.xlsx", "dot": "./张伟.xlsx", "symlink": str(tmp_path / "link.xlsx"), "folder": "."}[spelling]
    result = run("merge", "张伟.xlsx", "王芳.xlsx", second, "-o", tmp_path / "team.xlsx")
    assert result.exit_code == 2
    shown = {"again": "张伟.xlsx", "dot": "./张伟.xlsx", "symlink": str(tmp_path / "link.xlsx"),
             "folder": "张伟.xlsx (in .)"}[spelling]
    assert f"Error: the same file is given twice: 张伟.xlsx and {shown}" in result.stderr
    assert not (tmp_path / "team.xlsx").exists()


def test_a_copy_under_another_name_is_caught(reps_copy, tmp_path):
    shutil.copy(reps_copy / "张伟.xlsx", reps_copy / "张伟 (1).xlsx")
    result = run("merge", reps_copy, "-o", tmp_path / "team.xlsx")
    assert result.exit_code == 1
    assert "error: 张伟.xlsx has exactly the same content as 张伟 (1).xlsx" in result.stderr


@pytest.mark.parametrize("spelling", ["same", "other"])
def test_the_output_may_not_be_an_input(reps_copy, monkeypatch, spelling):
    monkeypatch.chdir(reps_copy)
    before = digest(reps_copy / "张伟.xlsx")
    output = "张伟.xlsx" if spelling == "same" else "../reps/张伟.xlsx"
    result = run("merge", ".", "-o", output)
    assert result.exit_code == 2
    assert f"Error: the output {output} is an input " in result.stderr and "never writes over its inputs" in result.stderr
    assert digest(reps_copy / "张伟.xlsx") == before


def test_nothing_matching_is_a_usage_error(tmp_path):
    result = run("merge", tmp_path / "nope-*.xlsx", "-o", tmp_path / "team.xlsx")
    assert result.exit_code == 2 and "nothing matches" in result.stderr


# ------------------------------------------------------------------ batch --merge
def test_batch_merge_builds_the_team_deck_and_the_region_decks(team, tmp_path):
    single, reps, _, _ = team
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(reps), "--merge", "-o", str(out), "--split-by", "region"])
    assert result.exit_code == 0, result.output
    decks = sorted(p.name for p in out.glob("*.pptx"))
    assert decks == ["team-华东.pptx", "team-华中.pptx", "team-华北.pptx", "team-华南.pptx", "team-西南.pptx"]
    expected = tmp_path / "expected"
    assert CliRunner().invoke(cli, ["batch", str(single), "-o", str(expected), "--split-by", "region"]).exit_code == 0
    for region in ("华东", "西南"):
        assert deck_content(out / f"team-{region}.pptx") == deck_content(expected / f"sample-{region}.pptx")
    whole = tmp_path / "whole"
    assert CliRunner().invoke(cli, ["batch", str(reps), "--merge", "-o", str(whole)]).exit_code == 0
    assert sorted(p.name for p in whole.iterdir() if not p.name.startswith(".")) == ["team.pptx", "team.xlsx"]


def test_batch_merge_stops_when_the_merge_fails(reps_copy, tmp_path):
    set_setting(reps_copy / "李娜.xlsx", "设置", "报告月份", "2026-09")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(reps_copy), "--merge", "-o", str(out)])
    assert result.exit_code == 1
    assert "nothing merged: settings that differ" in result.stderr
    assert not list(out.glob("*.pptx")) and not (out / "team.xlsx").exists()


@pytest.mark.office
def test_libreoffice_renders_the_team_deck(team, office, tmp_path):
    import re

    _, _, merged, _ = team
    deck = tmp_path / "team.pptx"
    assert run("build", merged, "-o", deck).exit_code == 0
    pdf = office.convert(deck, tmp_path)
    titles = [t for t in slide_titles(deck) if t]
    assert office.pdf_pages(pdf) >= len(slide_titles(deck))  # long tables continue on extra pages
    text = re.sub(r"\s+", "", office.pdf_text(pdf))
    for title in titles[:12]:
        assert re.sub(r"\s+", "", title) in text, title
    assert "CJK" in office.pdf_fonts(pdf)


def test_hostile_files_among_the_inputs_are_each_refused_by_name(team, tmp_path):
    from tests.corpus import hostile

    _, reps, _, _ = team
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(reps / "张伟.xlsx", folder / "张伟.xlsx")
    expected = {}
    for name, (builder, text) in hostile.HOSTILE.items():
        sub = tmp_path / name.replace(" ", "_")
        sub.mkdir()
        path = builder(sub, reps / "张伟.xlsx")
        target = folder / f"{len(expected):02d}-{path.name}"
        shutil.move(path, target)
        expected[target.name] = text
    result = run("merge", folder, "-o", tmp_path / "team.xlsx")
    assert result.exit_code == 2
    for file, text in expected.items():
        line = next(ln for ln in result.stderr.splitlines() if ln.startswith(f"{file}: NOT A WORKBOOK: "))
        assert text in line, line
    assert "Traceback" not in result.output and hostile.SECRET not in result.output
    assert "nothing merged: 10 files not a workbook" in result.stderr
    assert not (tmp_path / "team.xlsx").exists()


def test_the_same_target_row_in_two_files_is_a_conflict_also_with_blank_columns(reps_copy, tmp_path):
    rows = {}
    for rep in ("张伟", "王芳"):
        book = openpyxl.load_workbook(reps_copy / f"{rep}.xlsx")
        ws = book["目标"]
        cols = header_columns(ws, ["月份", "区域", "目标金额"])
        row = ws.max_row + 1
        ws.cell(row, cols["月份"]).value = "2026-10"
        ws.cell(row, cols["区域"]).value = "华东"  # the region's total: no rep, product line or customer type
        ws.cell(row, cols["目标金额"]).value = 5_000_000
        book.save(reps_copy / f"{rep}.xlsx")
        rows[rep] = row
    result = run("merge", reps_copy, "-o", tmp_path / "team.xlsx")
    assert result.exit_code == 1
    assert (f"conflict: 目标/Targets 月份/Month 2026-10, 区域/Region 华东 is in 张伟.xlsx 目标!A{rows['张伟']} "
            f"and 王芳.xlsx 目标!A{rows['王芳']}") in result.stderr
