"""Numbers as a zh or en reader expects them: 万/亿, K/M, percentages, signed changes, months."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from salesdeck.generator.parts import numfmt


@pytest.mark.parametrize("value, zh, en", [
    (1_234_567, "123.5万", "1.23M"),
    (234_567_890, "2.35亿", "234.57M"),
    (234_567, "23.5万", "234.6K"),
    (9_999, "9,999", "10.0K"),
    (999, "999", "999"),
    (12_345_678, "1,234.6万", "12.35M"),
    (99_999_999, "1.00亿", "100.00M"),   # rounding carries into the next unit
    (9_999.6, "1.0万", "10.0K"),
    (999_999, "100.0万", "1.00M"),
    (2_500_000_000, "25.00亿", "2.50B"),
    (-1_234_567, "-123.5万", "-1.23M"),
    (-5_000, "-5,000", "-5.0K"),
    (0, "0", "0"),
    (-0.2, "0", "0"),
    (None, "—", "—"),
    (math.nan, "—", "—"),
])
def test_money(value, zh, en):
    assert numfmt.money(value, "zh") == zh
    assert numfmt.money(value, "en") == en


@pytest.mark.parametrize("call, expected", [
    (lambda: numfmt.pct(1.12), "112%"),
    (lambda: numfmt.pct(1.1234, 1), "112.3%"),
    (lambda: numfmt.pct(0), "0%"),
    (lambda: numfmt.pct(-0.05), "-5%"),
    (lambda: numfmt.pct(math.nan), "—"),
    (lambda: numfmt.pct(math.inf), "—"),
    (lambda: numfmt.delta(0.123), "+12.3%"),
    (lambda: numfmt.delta(-0.04), "-4.0%"),
    (lambda: numfmt.delta(0.0), "0.0%"),
    (lambda: numfmt.delta(-0.00001), "0.0%"),
    (lambda: numfmt.delta(None), "—"),
    (lambda: numfmt.delta_points(0.4), "+0.4"),
    (lambda: numfmt.delta_points(-2), "-2.0"),
    (lambda: numfmt.delta_points(22, 0), "+22"),
    (lambda: numfmt.number(12345.6), "12,346"),
    (lambda: numfmt.number(2.345, 2), "2.35"),
    (lambda: numfmt.count(1234), "1,234"),
    (lambda: numfmt.count(math.nan), "—"),
])
def test_percentages_and_numbers(call, expected):
    assert call() == expected


@pytest.mark.parametrize("value, zh, en", [
    (dt.date(2026, 10, 15), "2026年10月", "October 2026"),
    ("2026-01-01", "2026年1月", "January 2026"),
    (None, "—", "—"),
])
def test_month_label(value, zh, en):
    assert numfmt.month_label(value, "zh") == zh
    assert numfmt.month_label(value, "en") == en


def test_date_is_iso_and_blank_is_dash():
    assert numfmt.date(dt.datetime(2026, 11, 5, 13, 0)) == "2026-11-05"
    assert numfmt.date(float("nan")) == "—"


@pytest.mark.parametrize("values, lang, divisor, unit, fmt", [
    ([1_234_567, 5_000], "zh", 1e4, "万元", '#,##0.0"万"'),
    ([3e8], "zh", 1e8, "亿元", '#,##0.00"亿"'),
    ([900], "zh", 1.0, "元", "#,##0"),
    ([1_234_567], "en", 1e6, "CNY M", '#,##0.00"M"'),
    ([234_567], "en", 1e3, "CNY K", '#,##0.0"K"'),
])
def test_money_scale_for_charts(values, lang, divisor, unit, fmt):
    scale = numfmt.money_scale(values, lang)
    assert (scale.divisor, scale.unit, scale.number_format) == (divisor, unit, fmt)
    assert scale.values([values[0], None]) == [values[0] / divisor, None]
