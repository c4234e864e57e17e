"""`salesdeck next-month`: next month's workbook from this month's, checked against the input as read here."""

from __future__ import annotations

import datetime as dt
import hashlib

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from salesdeck.workbook import contract
from salesdeck.workbook.read.reader import read_workbook
from tests.team import deck_content, header_columns, slide_titles

SEED = 5
DONE_ACTION_ROW = 3  # worksheet row of the action marked done in the input


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def rolled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rollover")
    workbook = folder / "2026-10.xlsx"
    assert run("sample", "--seed", SEED, "-o", workbook).exit_code == 0
    book = openpyxl.load_workbook(workbook)
    plan = book["计划"]
    plan.cell(DONE_ACTION_ROW, header_columns(plan, ["状态"])["状态"]).value = "已完成"
    pipe = book["商机"]
    cols = header_columns(pipe, ["商机编号", "预计成交日期", "阶段"])
    stages = {r: pipe.cell(r, cols["阶段"]).value for r in range(2, pipe.max_row + 1)}
    lost = next(r for r, stage in stages.items() if stage == "输单")  # moved to an old close date: dropped
    still_open = next(r for r, stage in stages.items() if stage == "已提供报价")  # long past due: carried
    for row in (lost, still_open):
        pipe.cell(row, cols["预计成交日期"]).value = dt.date(2025, 6, 15)
    book.save(workbook)
    open_stages = {zh for zh, _, _, category in contract.DEFAULT_STAGES if category == "open"}
    deals = {"lost": pipe.cell(lost, 1).value, "open": pipe.cell(still_open, 1).value,
             "open_count": sum(stage in open_stages for stage in stages.values())}
    before = hashlib.sha256(workbook.read_bytes()).hexdigest()
    nxt = folder / "2026-11.xlsx"
    result = run("next-month", workbook, "-o", nxt)
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(workbook.read_bytes()).hexdigest() == before  # the input is never modified
    return workbook, nxt, read_workbook(workbook), read_workbook(nxt), result, deals


def test_next_month_passes_check_and_reports_the_next_month(rolled):
    _, nxt, _, new, result, deals = rolled
    assert run("check", nxt).exit_code == 0
    assert new.settings.month == dt.date(2026, 11, 1)
    assert result.stdout.startswith(f"2026-10 -> 2026-11: carried {deals['open_count']} open deals, 7 actions")


def test_no_open_deal_is_dropped_and_each_is_unchanged(rolled):
    _, _, old, new, _, deals = rolled
    columns = ["opportunity_id", "opportunity", "customer", "rep", "stage", "probability", "amount", "expected_close"]
    open_before = old.pipeline[old.pipeline["category"] == "open"][columns]
    carried = new.pipeline[new.pipeline["opportunity_id"].isin(open_before["opportunity_id"])][columns]
    assert len(open_before) == deals["open_count"]  # the open stages counted on the sheet
    pd.testing.assert_frame_equal(carried.reset_index(drop=True), open_before.reset_index(drop=True))
    assert deals["open"] in set(new.pipeline["opportunity_id"])  # past due and still open: carried


def test_closed_deals_stay_a_year_for_the_win_rates(rolled):
    _, _, old, new, _, deals = rolled
    closed = old.pipeline[old.pipeline["category"] != "open"]
    recent = set(closed.loc[closed["expected_close"] >= pd.Timestamp(2025, 11, 1), "opportunity_id"])
    assert deals["lost"] not in recent and len(recent) == len(closed) - 1
    assert set(new.pipeline.loc[new.pipeline["category"] != "open", "opportunity_id"]) == recent


def test_history_stays(rolled):
    _, _, old, new, _, _ = rolled
    assert len(new.orders) == len(old.orders) == 4800
    assert new.orders["amount"].sum() == old.orders["amount"].sum()
    assert len(new.targets) == len(old.targets)
    assert len(new.activities) == len(old.activities)
    assert not (new.activities["month"] == pd.Timestamp(2026, 11, 1)).any()  # the new month's start empty
    assert len(new.receivables) == len(old.receivables)


def test_next_months_targets_become_the_report_months(rolled):
    _, _, old, new, _, _ = rolled
    november = old.targets[old.targets["month"] == pd.Timestamp(2026, 11, 1)]
    assert len(november) > 0
    assert new.targets.loc[new.targets["month"] == pd.Timestamp(2026, 11, 1), "target"].sum() == november["target"].sum()
    assert new.settings.next_month_target is None  # nothing planned for December yet


def test_unfinished_plans_and_requests_are_carried_with_their_status(rolled):
    _, _, old, new, _, _ = rolled
    for table in ("actions", "timeline", "resources"):
        before = old.tables[table]
        expected = before[before["status"] != "done"].drop(columns=["_row"]).reset_index(drop=True)
        got = new.tables[table].drop(columns=["_row"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected, obj=table)
    assert len(new.actions) == len(old.actions) - 1
    assert (old.resources["status"] == "done").any() and len(new.resources) < len(old.resources)


def test_feedback_starts_empty(rolled):
    _, _, old, new, _, _ = rolled
    assert len(old.complaints) and len(old.satisfaction) and len(old.nps)
    assert new.complaints.empty and new.satisfaction.empty and new.nps.empty


def test_next_months_deck_reviews_last_months_actions(rolled, tmp_path):
    workbook, nxt, _, _, _, _ = rolled
    deck = tmp_path / "next.pptx"
    result = run("build", nxt, "--previous", workbook, "-o", deck)
    assert result.exit_code == 0, result.output
    assert slide_titles(deck)[0] == "2026年11月销售月例会"
    tables = [item[2] for item in deck_content(deck) if item[0] == 4 and item[1] == "table"]
    (review,) = tables
    header, rows = review[0], review[1:]
    assert header == ["重点客户", "行动", "负责人", "截止日期", "状态"]
    sheet = openpyxl.load_workbook(workbook)["计划"]
    cols = header_columns(sheet, ["行动", "状态"])
    actions = {sheet.cell(r, cols["行动"]).value: sheet.cell(r, cols["状态"]).value for r in range(2, 10)}
    assert {row[1]: row[4] for row in rows} == actions  # every action of October with its status


def test_the_output_may_not_be_the_input(rolled, monkeypatch):
    workbook = rolled[0]
    monkeypatch.chdir(workbook.parent)
    before = workbook.read_bytes()
    result = run("next-month", workbook.name, "-o", f"./{workbook.name}")
    assert result.exit_code == 2 and "(the same file): salesdeck never writes over its inputs" in result.stderr
    assert workbook.read_bytes() == before


def test_a_workbook_with_errors_is_reported_and_nothing_written(tmp_path):
    workbook = tmp_path / "bad.xlsx"
    assert run("sample", "--rows", 300, "-o", workbook).exit_code == 0
    book = openpyxl.load_workbook(workbook)
    ws = book["商机"]
    ws.cell(4, header_columns(ws, ["金额"])["金额"]).value = "很多"
    book.save(workbook)
    result = run("next-month", workbook, "-o", tmp_path / "next.xlsx")
    assert result.exit_code == 1
    assert "bad.xlsx: NOT USABLE (1 error" in result.stderr and "error: 商机!H4 [金额]: found '很多';" in result.stderr
    assert not (tmp_path / "next.xlsx").exists()
    (tmp_path / "plain.xlsx").write_text("hello", encoding="utf-8")
    assert run("next-month", tmp_path / "plain.xlsx", "-o", tmp_path / "next.xlsx").exit_code == 2


def test_a_merged_workbook_rolls_over_keeping_each_rows_source(tmp_path):
    reps = tmp_path / "reps"
    assert run("sample", "--per-rep", reps, "--rows", 600, "--lang", "en").exit_code == 0
    assert run("merge", reps, "-o", tmp_path / "team.xlsx").exit_code == 0
    assert run("next-month", tmp_path / "team.xlsx", "-o", tmp_path / "next.xlsx").exit_code == 0
    book = openpyxl.load_workbook(tmp_path / "next.xlsx", read_only=True)
    assert "Pipeline" in book.sheetnames  # written in the input's language
    new = read_workbook(tmp_path / "next.xlsx")
    assert set(zip(new.pipeline["rep"], new.pipeline["source"])) <= {(r, f"{r}.xlsx") for r in new.pipeline["rep"]}


@pytest.mark.office
def test_libreoffice_renders_next_months_deck(rolled, office, tmp_path):
    import re

    workbook, nxt, _, _, _, _ = rolled
    deck = tmp_path / "next.pptx"
    assert run("build", nxt, "--previous", workbook, "-o", deck).exit_code == 0
    pdf = office.convert(deck, tmp_path)
    assert office.pdf_pages(pdf) >= len(slide_titles(deck))
    text = re.sub(r"\s+", "", office.pdf_text(pdf))
    review = slide_titles(deck)[3]
    assert review.startswith("2026年10月计划8项行动") and re.sub(r"\s+", "", review) in text
    assert "本月无数据" in text  # the new month's orders are not in yet


def test_next_month_per_rep_gives_each_rep_their_part_and_merges_back(rolled, tmp_path):
    workbook, nxt, _, new, _, _ = rolled
    folder = tmp_path / "2026-11"
    result = run("next-month", workbook, "--per-rep", folder)
    assert result.exit_code == 0, result.output
    assert (folder / "张伟.xlsx").exists() and (folder / "团队.xlsx").exists()
    zhang = read_workbook(folder / "张伟.xlsx")
    assert zhang.settings.month == dt.date(2026, 11, 1)
    assert set(zhang.pipeline["rep"]) == {"张伟"} and zhang.pipeline["source"].isna().all()
    merged = tmp_path / "team-2026-11.xlsx"
    assert run("merge", folder, "-o", merged).exit_code == 0
    again = read_workbook(merged)
    for table in ("orders", "pipeline", "targets", "actions", "resources", "timeline", "activities"):
        expected = new.tables[table].drop(columns=["_row", "source"]).astype(str)
        got = again.tables[table].drop(columns=["_row", "source"]).astype(str)
        columns = list(expected.columns)
        pd.testing.assert_frame_equal(got.sort_values(columns).reset_index(drop=True),
                                      expected.sort_values(columns).reset_index(drop=True), obj=table)


def test_next_month_needs_exactly_one_output(rolled, tmp_path):
    workbook = rolled[0]
    assert run("next-month", workbook).exit_code == 2
    assert run("next-month", workbook, "-o", tmp_path / "a.xlsx", "--per-rep", tmp_path / "d").exit_code == 2


def test_next_month_per_rep_never_writes_over_the_input(tmp_path):
    reps = tmp_path / "reps"
    assert run("sample", "--per-rep", reps, "--rows", 600).exit_code == 0
    before = (reps / "张伟.xlsx").read_bytes()
    result = run("next-month", reps / "张伟.xlsx", "--per-rep", reps)
    assert result.exit_code == 2 and "(the same file): salesdeck never writes over its inputs" in result.stderr
    assert (reps / "张伟.xlsx").read_bytes() == before
