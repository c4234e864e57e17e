"""What people type into cells, parsed per column type."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdeck.workbook import contract
from salesdeck.workbook.read import columns, values
from salesdeck.workbook.read.values import ParseError


@pytest.mark.parametrize("typed, number", [
    (12000, 12000.0), (12000.5, 12000.5), ("12,000", 12000.0), ("12,000元", 12000.0), ("￥12,000", 12000.0),
    ("¥ 12,000.50", 12000.5), (" 8800 ", 8800.0), ("1.2万", 12000.0), ("3亿", 3e8), ("(1,200)", -1200.0),
    ("-500", -500.0), ("１２，０００", 12000.0), ("RMB 5000", 5000.0), ("5k", 5000.0),
])
def test_numbers_people_type(typed, number):
    assert values.parse_number(typed) == pytest.approx(number)


@pytest.mark.parametrize("typed, message", [
    ("abc", "'abc' is not a number"), (True, "TRUE is a yes/no value"), ("#DIV/0!", "Excel error #DIV/0!"),
    ("12%", "is a percentage"), ("1.2.3", "is not a number"), (dt.date(2026, 1, 1), "is a date"),
])
def test_numbers_refused(typed, message):
    with pytest.raises(ParseError, match=message):
        values.parse_number(typed)


@pytest.mark.parametrize("typed, rate", [("12%", 0.12), (0.12, 0.12), ("0.12", 0.12), ("12 %", 0.12), ("100%", 1.0), (0, 0.0)])
def test_rates(typed, rate):
    assert values.parse_rate(typed) == pytest.approx(rate)


def test_rate_twelve_means_twelve_percent_is_refused_with_a_hint():
    with pytest.raises(ParseError) as exc:
        values.parse_rate(12)
    assert exc.value.message == "12 looks like 12%: enter 12% or 0.12"


def test_ratio_may_exceed_one():
    assert values.parse_rate("150%", may_exceed_one=True) == pytest.approx(1.5)
    assert values.parse_rate(1.5, may_exceed_one=True) == pytest.approx(1.5)


@pytest.mark.parametrize("typed, date", [
    (dt.date(2026, 10, 5), "2026-10-05"), (dt.datetime(2026, 10, 5, 14, 30), "2026-10-05 14:30"),
    (46300.0, "2026-10-05"), ("2026-10-05", "2026-10-05"), ("2026/10/5", "2026-10-05"), ("2026年10月5日", "2026-10-05"),
    ("2026.10.05", "2026-10-05"), ("20261005", "2026-10-05"), ("46300", "2026-10-05"), (" 2026-1-5 ", "2026-01-05"),
])
def test_dates(typed, date):
    assert values.parse_date(typed) == pd.Timestamp(date)


@pytest.mark.parametrize("typed, message", [
    ("2026-02-30", "2026-02-30 is not a real date"), ("2026-13-01", "not a real date"), ("next week", "is not a date"),
    ("#N/A", "Excel error #N/A"), (True, "TRUE is not a date"), (-5, "is not a date"),
])
def test_dates_refused(typed, message):
    with pytest.raises(ParseError, match=message):
        values.parse_date(typed)


@pytest.mark.parametrize("typed", [dt.date(2026, 10, 17), "2026-10", "2026/10", "2026年10月", "2026年10月份", "2026-10-31", 46300.0])
def test_months_are_first_days(typed):
    assert values.parse_month(typed) == pd.Timestamp("2026-10-01")


def test_month_13_refused():
    with pytest.raises(ParseError, match="not a real month"):
        values.parse_month("2026-13")


@pytest.mark.parametrize("typed, choices, key", [
    ("直营", contract.CHANNELS, "direct"), ("Direct", contract.CHANNELS, "direct"), ("DIRECT", contract.CHANNELS, "direct"),
    ("直销", contract.CHANNELS, "direct"), ("e-commerce", contract.CHANNELS, "ecommerce"), ("  电商 ", contract.CHANNELS, "ecommerce"),
    ("ka", contract.TIERS, "key"), ("ＫＡ", contract.TIERS, "key"),
])
def test_choices_by_label_key_or_alias(typed, choices, key):
    assert values.parse_choice(typed, choices) == key


def test_unknown_choice_lists_the_allowed_labels():
    with pytest.raises(ParseError) as exc:
        values.parse_choice("火星", contract.CHANNELS)
    assert exc.value.message == "'火星' is not one of: 直营/Direct, 分销/Distribution, 电商/E-commerce"


@pytest.mark.parametrize("typed, flag", [(True, True), ("是", True), ("yes", True), (1, True), ("否", False), ("FALSE", False), (0.0, False)])
def test_booleans(typed, flag):
    assert values.parse_bool(typed) is flag


@pytest.mark.parametrize("typed, text", [(1001.0, "1001"), (" 张三 ", "张三"), (dt.date(2026, 1, 2), "2026-01-02"), (1.5, "1.5")])
def test_text(typed, text):
    assert values.parse_text(typed) == text


def _column(table: str, key: str) -> contract.Column:
    return contract.TABLES[table].column(key)


def test_money_column_fast_path_and_fallback():
    raw = [100.0, "12,000元", None, "", "abc", "1.2万", "   ", float("inf")]
    parsed = columns.parse_column(raw, _column("orders", "amount"))
    got = parsed.values.tolist()
    assert got[:2] == [100.0, 12000.0] and got[5] == 12000.0
    assert np.isnan(got[2]) and np.isnan(got[3]) and np.isnan(got[6])
    assert parsed.blank.tolist() == [False, False, True, True, False, False, True, False]
    assert [(p.pos, p.value) for p in parsed.problems] == [(4, "abc"), (7, float("inf"))]


def test_rate_column_refuses_twelve_but_takes_percent_text():
    parsed = columns.parse_column([0.03, 12.0, "5%"], _column("commission_tiers", "rate"))
    assert parsed.values.tolist()[0] == 0.03 and parsed.values.tolist()[2] == pytest.approx(0.05)
    assert [(p.pos, p.message) for p in parsed.problems] == [(1, "12 looks like 12%: enter 12% or 0.12")]


def test_int_column_refuses_fractions():
    parsed = columns.parse_column([3.0, 2.5, "4"], _column("activities", "visits"))
    assert parsed.values.tolist()[0] == 3.0 and parsed.values.tolist()[2] == 4.0
    assert [p.pos for p in parsed.problems] == [1]


def test_date_column_mixes_real_dates_serials_and_text():
    raw = [dt.date(2026, 10, 5), 46300.0, "2026/10/5", "2026-02-30", None, "#VALUE!"]
    parsed = columns.parse_column(raw, _column("orders", "date"))
    assert parsed.values.iloc[:3].tolist() == [pd.Timestamp("2026-10-05")] * 3
    assert parsed.values.dtype == "datetime64[ns]"
    assert [(p.pos, p.message) for p in parsed.problems] == [
        (3, "2026-02-30 is not a real date"),
        (5, "Excel error #VALUE! in the cell: fix the formula or type the value")]


def test_month_column_gives_first_of_month():
    parsed = columns.parse_column([dt.date(2026, 10, 17), "2026年9月"], _column("targets", "month"))
    assert parsed.values.tolist() == [pd.Timestamp("2026-10-01"), pd.Timestamp("2026-09-01")]


def test_choice_column_gives_keys_and_problems_per_cell():
    parsed = columns.parse_column(["直营", "Distribution", "直营", "火星", "火星"], _column("orders", "channel"))
    assert parsed.values.tolist() == ["direct", "distribution", "direct", None, None]
    assert [p.pos for p in parsed.problems] == [3, 4]


def test_text_column_strips_and_refuses_excel_errors():
    parsed = columns.parse_column([" 张三 ", 1001.0, "#REF!", "  "], _column("orders", "rep"))
    assert parsed.values.tolist() == ["张三", "1001", None, None]
    assert parsed.blank.tolist() == [False, False, False, True]
    assert [(p.pos, p.value) for p in parsed.problems] == [(2, "#REF!")]


CELLS = st.one_of(
    st.none(), st.text(max_size=12), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12),
    st.booleans(), st.dates(), st.datetimes(), st.sampled_from(["#DIV/0!", "12,000元", "1.2万", "12%", "2026-02-30", " "]),
)
ONE_COLUMN_PER_TYPE = {c.type: c for t in contract.TABLES.values() for c in t.columns}


def test_true_and_one_stay_apart_in_a_column():
    # Python counts TRUE == 1, so a factorised column could merge them
    parsed = columns.parse_column([1.0, True, 1, False, 0.0], _column("orders", "rep"))
    assert parsed.values.tolist() == ["1", "True", "1", "False", "0"]
    parsed = columns.parse_column([True, 1.0], _column("pipeline", "stage"))
    assert parsed.values.tolist() == [None, 1.0] and [p.pos for p in parsed.problems] == [0]


@pytest.mark.parametrize("kind", sorted(ONE_COLUMN_PER_TYPE))
@settings(max_examples=60, deadline=None)
@given(cells=st.lists(CELLS, max_size=25))
def test_a_column_reads_every_cell_as_the_single_cell_parser_does(kind, cells):
    column = ONE_COLUMN_PER_TYPE[kind]
    parsed = columns.parse_column(cells, column)
    assert len(parsed.values) == len(cells) == len(parsed.blank)
    bad = {p.pos for p in parsed.problems}
    for pos, cell in enumerate(cells):
        if pos in bad or parsed.blank[pos]:
            assert pd.isna(parsed.values.iloc[pos])
        if parsed.blank[pos]:
            assert values.is_blank(cell)
            continue
        try:
            expected = values.parse_value(cell, column.type, column.choices)
        except values.ParseError:
            assert pos in bad, (pos, cell)
            continue
        assert pos not in bad, (pos, cell)
        got = parsed.values.iloc[pos]
        if isinstance(expected, float):
            assert got == pytest.approx(expected, nan_ok=True), (pos, cell)
        else:
            assert got == expected, (pos, cell)


HOMOGENEOUS = st.one_of(
    st.lists(st.text(max_size=8), max_size=25),
    st.lists(st.sampled_from(["张三", "华东", "Acme", "#N/A", " 李四", "王五\u3000", ""]), max_size=25),
    st.lists(st.one_of(st.floats(), st.integers(-10**20, 10**20)), max_size=25),
    st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 12.0, -3.0, 1e6]), max_size=25),
)


@pytest.mark.parametrize("kind", sorted(ONE_COLUMN_PER_TYPE))
@settings(max_examples=60, deadline=None)
@given(cells=HOMOGENEOUS)
def test_all_text_and_all_number_columns_read_as_the_single_cell_parser_does(kind, cells):
    # the shortcuts for columns of plain text or plain numbers must agree with the careful path
    test_a_column_reads_every_cell_as_the_single_cell_parser_does.hypothesis.inner_test(kind, cells)
