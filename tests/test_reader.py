"""read_workbook / parse_sheets: the typed model, issues with real cell addresses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from salesdeck.errors import WorkbookInvalidError
from salesdeck.workbook import contract
from salesdeck.workbook.read.reader import check_workbook, parse_sheets, read_workbook
from tests.corpus import build


@pytest.fixture(scope="module", params=["zh", "en"])
def minimal(request, tmp_path_factory) -> Path:
    return build.write_minimal(tmp_path_factory.mktemp("wb") / f"minimal-{request.param}.xlsx", request.param)


def test_minimal_workbook_reads_into_the_typed_model(minimal):
    book = read_workbook(minimal)
    assert book.settings.month == dt.date(2026, 10, 1)
    assert book.settings.rag_red == 0.8 and book.settings.next_month_target == 1_200_000
    assert len(book.orders) == 28
    assert book.orders["amount"].iloc[0] == 10000.0
    assert book.orders["date"].dtype == "datetime64[ns]"
    assert book.orders["channel"].iloc[:3].tolist() == ["direct", "distribution", "ecommerce"]
    assert book.orders["_row"].iloc[0] == 2
    assert book.commission_tiers["rate"].tolist() == [0.02, 0.03, 0.05]
    assert book.pipeline["category"].tolist() == ["open", "open", "open"]
    assert book.locations["orders"].range_of("amount") == f"{book.locations['orders'].sheet}!M2:M29"
    assert book.issues == []


def _grids(lang="zh"):
    return build.grids(lang)


def _set(grids, sheet, row, header, value):
    """Set a cell in a grid by its header text (row is the worksheet row)."""
    rows = grids[sheet]
    col = next(j for j, h in enumerate(rows[0]) if h == header)
    while len(rows) < row:
        rows.append([None] * len(rows[0]))
    rows[row - 1][col] = value


def test_parse_sheets_takes_xlwings_style_grids():
    grids = _grids()
    for rows in grids.values():
        for row in rows:
            row[:] = [None if v == "" else v for v in row]
    _set(grids, "订单", 3, "金额", "12,000元")
    book = parse_sheets(grids, source="ribbon")
    assert book.orders.loc[book.orders["_row"] == 3, "amount"].item() == 12000.0
    assert book.source == "ribbon"


def test_errors_name_sheet_cell_column_value_and_expected():
    grids = _grids()
    _set(grids, "订单", 14, "金额", "abc")
    with pytest.raises(WorkbookInvalidError) as exc:
        parse_sheets(grids)
    (issue,) = [i for i in exc.value.issues if i.severity == "error"]
    assert (issue.where, issue.column, issue.value) == ("订单!M14", "金额", "abc")
    assert "amount" in issue.expected and "'abc' is not a number" in issue.message
    assert "订单!M14" in str(exc.value)


def test_non_strict_drops_bad_rows_and_keeps_errors():
    grids = _grids()
    _set(grids, "订单", 14, "金额", "abc")
    book = parse_sheets(grids, strict=False)
    assert len(book.orders) == 27 and 14 not in book.orders["_row"].tolist()
    assert [i.where for i in book.issues if i.severity == "error"] == ["订单!M14"]


def test_issues_are_capped_per_column():
    grids = _grids()
    for row in range(2, 30):
        _set(grids, "订单", row, "金额", "abc")
    book = parse_sheets(grids, strict=False)
    amount = [i for i in book.issues if i.column == "金额"]
    assert len(amount) == 21
    assert amount[-1].message == "and 8 more errors in this column"


def test_stage_names_probabilities_and_overrides():
    grids = _grids()
    _set(grids, "商机", 2, "阶段", "Won")
    _set(grids, "商机", 2, "成交概率", None)
    _set(grids, "商机", 3, "阶段", "45%")
    _set(grids, "商机", 3, "成交概率", None)
    _set(grids, "商机", 4, "阶段", "通过初审")
    _set(grids, "商机", 4, "成交概率", 0.7)
    book = parse_sheets(grids)
    assert book.pipeline["probability"].tolist() == [1.0, 0.45, 0.7]
    assert book.pipeline["category"].tolist() == ["won", "open", "open"]


def test_stage_table_of_the_workbook_is_used():
    grids = _grids()
    _set(grids, "设置", 2, "成交概率", 0.3)  # 已提供报价 now 30%
    _set(grids, "商机", 2, "成交概率", None)
    book = parse_sheets(grids)
    assert book.pipeline["probability"].iloc[0] == 0.3


def test_default_stages_when_the_stage_table_is_absent():
    grids = _grids()
    rows = grids["设置"]
    stage_cols = range(4, 8)
    for row in rows:
        for j in stage_cols:
            row[j] = None
    _set(grids, "商机", 2, "成交概率", None)
    book = parse_sheets(grids)
    assert book.pipeline["probability"].iloc[0] == 0.4
    assert len(book.stages) == 6
    assert any("default stages" in i.message for i in book.warnings)


@pytest.mark.parametrize("stage, message", [
    ("随便聊聊", "unknown stage '随便聊聊': not in the stage table"),
    ("150%", "probability 150% is not between 0% and 100%"),
    (40.0, "40 looks like 40%"),
])
def test_bad_stages(stage, message):
    grids = _grids()
    _set(grids, "商机", 3, "阶段", stage)
    book = parse_sheets(grids, strict=False)
    (issue,) = [i for i in book.issues if i.severity == "error"]
    assert issue.where == "商机!F3" and message in issue.message


def test_settings_rates_as_percent_text_and_language_names():
    grids = _grids()
    rows = grids["设置"]
    rows[4][1] = "75%"      # 红灯线
    rows[3][1] = "English"  # 语言
    rows[2][1] = "2026年9月"
    book = parse_sheets(grids)
    assert (book.settings.rag_red, book.settings.language, book.settings.month) == (0.75, "en", dt.date(2026, 9, 1))


def test_report_month_missing_is_an_error():
    grids = _grids()
    grids["设置"][2][1] = None
    book = parse_sheets(grids, strict=False)
    assert any(i.severity == "error" and "report month" in i.message for i in book.issues)


def test_warnings_duplicates_paid_over_amount_and_short_history():
    grids = _grids()
    _set(grids, "订单", 3, "订单号", "SO0001")   # a second line of order SO0001: another product
    for header in ("订单号", "产品", "数量", "金额"):  # row 5 repeats row 2's line
        _set(grids, "订单", 5, header, grids["订单"][1][grids["订单"][0].index(header)])
    _set(grids, "回款", 2, "回款金额", 999999.0)
    grids["订单"][:] = grids["订单"][:10]
    book = parse_sheets(grids)
    messages = [(i.where, i.message) for i in book.warnings]
    duplicates = [(w, m) for w, m in messages if "duplicate" in m]
    assert duplicates == [("订单!A5", "duplicate order line: 订单号 'SO0001' with the same 产品 '产品1', quantity, amount "
                                     "as row 2 (each row is still counted)")]
    assert any(w == "回款!G2" and "more than the amount due" in m for w, m in messages)
    assert any(w == "订单" and m.startswith("orders cover 5 month(s)") for w, m in messages)


def test_missing_optional_sheet_is_a_warning_and_empty_table():
    grids = _grids()
    del grids["反馈"]
    book = parse_sheets(grids)
    assert book.nps.empty and list(book.nps.columns)[:3] == ["customer", "date", "score"]
    assert any("满意度" in i.message and "no data" in i.message for i in book.warnings)


def test_missing_orders_sheet_is_an_error():
    grids = _grids()
    del grids["订单"]
    with pytest.raises(WorkbookInvalidError, match="sheet '订单' / 'Orders' not found"):
        parse_sheets(grids)


def test_table_found_on_another_sheet_when_its_sheet_is_renamed():
    grids = _grids()
    grids["2026 orders"] = grids.pop("订单")
    book = parse_sheets(grids)
    assert len(book.orders) == 28 and book.locations["orders"].sheet == "2026 orders"


def test_sheet_names_match_loosely():
    grids = _grids("en")
    grids[" ORDERS "] = grids.pop("Orders")
    grids["commission"] = grids.pop("Commission plan")
    book = parse_sheets(grids)
    assert book.locations["orders"].sheet == " ORDERS " and len(book.commission_tiers) == 3


def test_commission_weights_must_add_up_to_100_percent():
    grids = _grids()
    _set(grids, "提成方案", 2, "权重", 0.5)
    book = parse_sheets(grids, strict=False)
    (issue,) = [i for i in book.issues if i.severity == "error"]
    assert issue.where == "提成方案!B2:B3"
    assert issue.message == "weights in 提成方案!B2:B3 add up to 90%; they must add up to 100%"


def test_headers_below_a_title_reordered_and_blank_rows_inside():
    grids = _grids()
    rows = grids["订单"]
    reordered = [list(reversed(r)) for r in rows]
    reordered[0] = [f" {h}  " for h in reordered[0]]
    body = reordered[1:5] + [[None] * len(rows[0])] * 2 + reordered[5:]
    grids["订单"] = [["2026 订单明细"], [], [None] + reordered[0]] + [[None] + r for r in body]
    book = parse_sheets(grids)
    assert len(book.orders) == 28
    loc = book.locations["orders"]
    assert (loc.header_row, loc.columns["amount"], loc.columns["order_id"]) == (3, "B", "N")
    assert book.orders["_row"].iloc[4] == 10  # after the two blank rows


def test_check_workbook_counts_rows_per_table(minimal):
    result = check_workbook(minimal)
    assert result.ok and result.tables["orders"] == 28 and result.tables["settings"] == 6


def test_unknown_setting_is_a_warning_and_ignored():
    grids = _grids()
    grids["设置"][1][0] = "幸运数字"
    book = parse_sheets(grids)
    (warning,) = [i for i in book.warnings if i.where == "设置!A2"]
    assert warning.message.startswith("'幸运数字' is not one of: 公司名称/Company") and warning.message.endswith("the row is ignored")
    assert book.settings.company == ""


def test_tables_stacked_in_the_same_columns_end_where_the_next_begins():
    grids = _grids()
    plan = grids["计划"]
    width = len(build.typed_columns(contract.TABLES["actions"]))
    actions = [row[:width] for row in plan]
    timeline = [row[width + 1:] for row in plan]
    grids["计划"] = [["下月行动计划"], *actions, [], ["改进时间表"], *timeline]
    book = parse_sheets(grids)
    assert len(book.actions) == 3 and len(book.timeline) == 3
    assert book.locations["actions"].last_row == 5
    assert book.locations["timeline"].header_row == 8


@pytest.fixture(scope="module", params=["zh", "en"])
def sample(request, tmp_path_factory):
    from salesdeck.workbook.author.sample import generate, write_sample

    path = write_sample(tmp_path_factory.mktemp("sample") / f"sample-{request.param}.xlsx", lang=request.param)
    return generate(lang=request.param), path


def test_sample_reads_back_exactly_as_generated(sample):
    generated, path = sample
    book = read_workbook(path)
    assert book.issues == []
    assert book.settings == generated.settings
    for key, frame in generated.tables.items():
        ignore = ["_row", "note"] if key == "settings" else ["_row"]  # the writer adds help notes to Settings
        got = book.tables[key].drop(columns=ignore)
        pd.testing.assert_frame_equal(got, frame.drop(columns=ignore).reset_index(drop=True), check_dtype=False, obj=key)
    assert (book.orders["_row"].diff().dropna() > 0).all()


def test_frames_the_reader_built_conform_as_they_are(tmp_path):
    """conform() leaves a frame that already matches the contract alone; converting it again changes nothing."""
    from salesdeck.workbook import model
    from salesdeck.workbook.author.sample import write_sample

    book = read_workbook(write_sample(tmp_path / "sample.xlsx", rows=500))
    for key, frame in book.tables.items():
        if key not in contract.TABLES:
            continue
        has_month = any(c.type == "month" for c in contract.TABLES[key].columns)  # always normalised again
        assert (model.conform(key, frame, typed=True) is frame) == (not has_month), key
        shifted = frame.set_axis(pd.RangeIndex(1, len(frame) + 1))  # not a fresh index: converted the long way
        pd.testing.assert_frame_equal(model.conform(key, shifted, typed=True), frame, check_index_type=True)
