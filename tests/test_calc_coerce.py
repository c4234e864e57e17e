"""Input coercion: what Excel and people pass becomes numbers and dates, or a CalcError naming the argument."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib

import numpy as np
import pandas as pd
import pytest

from salesdeck.calc._coerce import (
    check_rate, parse_number, to_date, to_dates, to_float_array, to_language, to_scalar, to_vector,
)
from salesdeck.errors import CalcError


@pytest.mark.parametrize("text, expected", [
    ("12,000", 12000.0),
    ("1,234,567.5", 1234567.5),
    ("12%", 0.12),
    ("12.5 %", 0.125),
    ("¥12,000", 12000.0),
    ("12000元", 12000.0),
    ("1.2万", 12000.0),
    ("3亿", 3e8),
    ("-4.5", -4.5),
    ("１２％", 0.12),        # full-width digits and percent sign
    ("1e3", 1000.0),
    (".5", 0.5),
])
def test_parse_number_accepts_what_people_type(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["abc", "1,2", "12,00", "nan", "inf", "1e400", "", "%", "1.2.3", "#DIV/0!", "12 34"])
def test_parse_number_refuses_what_cannot_be_meant(text):
    assert parse_number(text) is None


def test_float_array_keeps_shape():
    assert to_float_array(5, "x").shape == ()
    assert to_float_array([1, 2], "x").tolist() == [1.0, 2.0]
    assert to_float_array([[1], [2]], "x").tolist() == [[1.0], [2.0]]
    assert to_float_array([[1, "2,000"]], "x").tolist() == [[1.0, 2000.0]]
    assert to_float_array(np.array([1, 2], dtype=np.int64), "x").dtype == float
    assert to_float_array(pd.Series([1.5, 2.5]), "x").tolist() == [1.5, 2.5]


def test_text_is_quoted_with_its_position():
    with pytest.raises(CalcError) as err:
        to_float_array([[1], ["abc"]], "weights")
    assert err.value.argument == "weights"
    assert "'abc'" in str(err.value) and "row 2" in str(err.value)


def test_excel_error_text_is_quoted():
    with pytest.raises(CalcError, match="'#DIV/0!'"):
        to_float_array([1, "#DIV/0!"], "amounts")


@pytest.mark.parametrize("value", [[1, None, 3], [1, float("nan")], [[1], [""]], np.array([1.0, np.nan])])
def test_blank_inside_required_range_is_an_error(value):
    with pytest.raises(CalcError, match="blank") as err:
        to_float_array(value, "amounts")
    assert str(err.value).startswith("amounts:")


def test_blank_allowed_becomes_nan():
    out = to_float_array([1, None, ""], "thresholds", allow_blank=True)
    assert out[0] == 1 and np.isnan(out[1]) and np.isnan(out[2])


def test_booleans_are_not_numbers():
    with pytest.raises(CalcError, match="TRUE"):
        to_float_array([1.0, True], "weights")
    with pytest.raises(CalcError):
        to_float_array(np.array([True, False]), "weights")


def test_ragged_and_deep_inputs_are_refused():
    with pytest.raises(CalcError, match="different lengths"):
        to_float_array([[1], [2, 3]], "weights")
    with pytest.raises(CalcError, match="dimensions"):
        to_float_array([[[1]]], "weights")


def test_infinite_and_empty_and_missing():
    with pytest.raises(CalcError, match="infinite"):
        to_float_array([1, float("inf")], "x")
    with pytest.raises(CalcError, match="empty"):
        to_float_array([], "x")
    with pytest.raises(CalcError, match="required"):
        to_float_array(None, "x")


def test_minimum_names_the_value():
    with pytest.raises(CalcError, match="-2 at item 2 is negative"):
        to_float_array([1, -2], "weights", minimum=0)


def test_scalar_and_vector():
    assert to_scalar([[7]], "total") == 7.0
    assert to_scalar(None, "unit", default=1) == 1.0
    assert to_vector([[1, 2], [3, 4]], "x").tolist() == [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(CalcError, match="single value"):
        to_scalar([1, 2], "total")
    with pytest.raises(CalcError, match="total: is required"):
        to_scalar(None, "total")


def test_check_rate_flags_percent_typed_as_whole_number():
    with pytest.raises(CalcError, match="12 looks like 12%: enter 0.12"):
        check_rate(np.array([12.0]), "close_rate")
    assert check_rate(np.array([0.0, 1.0]), "close_rate").tolist() == [0.0, 1.0]


def test_excel_serials_follow_the_1900_system():
    days = to_dates([1, 59, 61, 45931], "d").tolist()
    assert days == [dt.date(1900, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(2025, 10, 1)]
    with pytest.raises(CalcError, match="not a valid Excel date serial"):
        to_dates([60], "d")  # Excel's fictional 1900-02-29
    with pytest.raises(CalcError, match="serial"):
        to_dates([0.5], "d")


def test_dates_from_every_form():
    values = [dt.date(2026, 10, 5), dt.datetime(2026, 10, 5, 17, 30), pd.Timestamp("2026-10-05"),
              np.datetime64("2026-10-05"), "2026-10-05", "2026/10/5", "2026年10月5日", "2026-10-05 09:00", 46300]
    out = to_dates(values, "due_dates")
    assert out[:-1].tolist() == [dt.date(2026, 10, 5)] * 8
    assert out[-1] == np.datetime64("2026-10-05")


def test_dates_with_blanks_when_allowed():
    out = to_dates([[dt.datetime(2026, 1, 1)], [None]], "paid_dates", allow_blank=True)
    assert out.shape == (2, 1) and out[0, 0] == np.datetime64("2026-01-01") and np.isnat(out[1, 0])
    with pytest.raises(CalcError, match="due_dates: blank cell at row 2"):
        to_dates([[dt.datetime(2026, 1, 1)], [None]], "due_dates")


@pytest.mark.parametrize("bad", ["2026-02-30", "next week", "45000", True])
def test_bad_dates_are_quoted(bad):
    with pytest.raises(CalcError) as err:
        to_dates([bad], "due_dates")
    assert err.value.argument == "due_dates"


def test_single_date_and_language():
    assert to_date(None, "as_of", default=dt.date(2026, 1, 2)) == np.datetime64("2026-01-02")
    assert to_language("中文") == "zh" and to_language(None, "zh") == "zh" and to_language("EN") == "en"
    with pytest.raises(CalcError, match="lang"):
        to_language("fr")


@pytest.mark.parametrize("module", ["split", "periods", "planning", "pipeline", "commission", "diagnosis", "_coerce"])
def test_docstring_examples_are_true(module):
    """Every worked example in the calc docstrings runs and gives the stated result."""
    mod = importlib.import_module(f"salesdeck.calc.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
