"""Working days and the month -> 旬 / week / day split."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdeck.calc import month_bounds, period_split, working_days
from salesdeck.errors import CalcError

# October 2026 starts on a Thursday and has 22 weekdays. A National-Day-style
# week off (Oct 1, 2, 5, 6, 7 are weekdays) with a make-up Saturday (Oct 10).
HOLIDAYS = ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"]
MAKEUP = ["2026-10-10"]


def test_month_bounds_from_any_form():
    for month in ("2026-02-14", "2026-02", "2026年2月", dt.date(2026, 2, 28), 46072):
        first, last = month_bounds(month)
        assert (str(first), str(last)) == ("2026-02-01", "2026-02-28"), month
    with pytest.raises(CalcError, match="month"):
        month_bounds("2026-13")


def test_working_days_weekdays_minus_holidays_plus_makeup_days():
    assert working_days("2026-10-01", "2026-10-31") == 22
    assert working_days("2026-10-01", "2026-10-31", HOLIDAYS) == 17
    assert working_days("2026-10-01", "2026-10-31", HOLIDAYS, MAKEUP) == 18
    # a holiday on a Saturday changes nothing; a make-up day on a weekday is already a working day
    assert working_days("2026-10-01", "2026-10-31", ["2026-10-03"], ["2026-10-12"]) == 22
    with pytest.raises(CalcError, match="end"):
        working_days("2026-10-31", "2026-10-01")


def test_xun_split_june_2026():
    # June 2026: 1st is a Monday. 上旬 1-10: 8 working days; 中旬 11-20: 7; 下旬 21-30: 7 (22 in all)
    table = period_split(220_000, "2026-06-15", "xun")
    assert table["label"].tolist() == ["上旬", "中旬", "下旬"]
    assert table["start"].tolist() == [dt.date(2026, 6, 1), dt.date(2026, 6, 11), dt.date(2026, 6, 21)]
    assert table["end"].tolist() == [dt.date(2026, 6, 10), dt.date(2026, 6, 20), dt.date(2026, 6, 30)]
    assert table["working_days"].tolist() == [8, 7, 7]
    assert table["target"].tolist() == [80_000.0, 70_000.0, 70_000.0]


def test_xun_split_with_holidays_and_english_labels():
    # Oct 2026 with the holidays: 上旬 Oct 1-10: Oct 8, 9 + make-up Sat Oct 10 = 3;
    # 中旬 Oct 11-20: 12-16 and 19-20 = 7; 下旬 Oct 21-31: 21-23 and 26-30 = 8 (18 in all)
    # 180,000 over 3:7:8 in hundreds: 1800 units -> quotas 300, 700, 800 exactly
    table = period_split(180_000, "2026-10-01", "旬", HOLIDAYS, MAKEUP, unit=100, lang="en")
    assert table["label"].tolist() == ["Early", "Mid", "Late"]
    assert table["working_days"].tolist() == [3, 7, 8]
    assert table["target"].tolist() == [30_000.0, 70_000.0, 80_000.0]
    assert table["end"].iloc[-1] == dt.date(2026, 10, 31)


def test_february_late_period_ends_on_the_28th():
    table = period_split(100, "2026-02-01")
    assert table["end"].tolist()[-1] == dt.date(2026, 2, 28)
    # Feb 2026 starts on a Sunday: 1-10 -> 2-6, 9-10 = 7; 11-20 -> 11-13, 16-20 = 8; 21-28 -> 23-27 = 5
    assert table["working_days"].tolist() == [7, 8, 5]
    assert table["target"].tolist() == [35.0, 40.0, 25.0]


def test_week_split_clips_calendar_weeks_to_the_month():
    table = period_split(100_000, "2026-10", "week", HOLIDAYS, ["2026-09-28", "2026-10-11"], lang="en")
    assert table["label"].tolist() == ["Week 1", "Week 2", "Week 3", "Week 4", "Week 5"]
    assert table["start"].tolist()[:2] == [dt.date(2026, 10, 1), dt.date(2026, 10, 5)]
    assert table["end"].tolist()[:2] == [dt.date(2026, 10, 4), dt.date(2026, 10, 11)]
    # week 1 (Thu-Sun) is all holiday; week 2: Oct 8, 9 and make-up Sunday Oct 11; Sept 28 is outside
    assert table["working_days"].tolist() == [0, 3, 5, 5, 5]
    # 100,000 over 0:3:5:5:5 (18): quotas 0, 16666.67, 27777.78 x3 -> 3 leftover units to the .78s
    assert table["target"].tolist() == [0.0, 16_666.0, 27_778.0, 27_778.0, 27_778.0]
    zh = period_split(100_000, "2026-10", "周")
    assert zh["label"].tolist()[0] == "第1周"


def test_day_split_labels_and_weekends():
    table = period_split(22_000, "2026-10-20", "day")
    assert len(table) == 31
    assert table["label"].tolist()[:3] == ["10月1日", "10月2日", "10月3日"]
    assert table["working_days"].tolist()[:4] == [1, 1, 0, 0]
    assert table["target"].tolist()[:4] == [1000.0, 1000.0, 0.0, 0.0]
    en = period_split(22_000, "2026-10-20", "day", lang="en")
    assert en["label"].tolist()[0] == "Oct 1"


def test_blank_holiday_cells_are_ignored():
    table = period_split(220_000, "2026-06", "xun", [None, "2026-06-01", ""], [None])
    assert table["working_days"].tolist() == [7, 7, 7]


@pytest.mark.parametrize("kwargs, argument", [
    (dict(period="month"), "period"),
    (dict(lang="fr"), "lang"),
    (dict(holidays=["2026-10-10"], extra_workdays=["2026-10-10"]), "extra_workdays"),
    (dict(holidays=["not a day"]), "holidays"),
    (dict(month="soon"), "month"),
    (dict(total=-1), "total"),
])
def test_bad_inputs_name_the_argument(kwargs, argument):
    args = dict(total=1000, month="2026-10-01") | kwargs
    with pytest.raises(CalcError) as err:
        period_split(**args)
    assert err.value.argument == argument


def test_a_month_without_working_days_is_an_error():
    all_days = [str(d) for d in np.arange(np.datetime64("2026-10-01"), np.datetime64("2026-11-01"))]
    with pytest.raises(CalcError, match="no working day"):
        period_split(1000, "2026-10", holidays=all_days)


@settings(max_examples=100, deadline=None)
@given(total=st.integers(0, 10**8), year=st.integers(2000, 2040), month=st.integers(1, 12),
       period=st.sampled_from(["xun", "week", "day"]))
def test_period_targets_sum_to_the_total_and_cover_the_month(total, year, month, period):
    table = period_split(total, dt.date(year, month, 1), period)
    assert table["target"].sum() == total
    assert table["start"].iloc[0] == dt.date(year, month, 1)
    days = sum((e - s).days + 1 for s, e in zip(table["start"], table["end"]))
    first, last = month_bounds(dt.date(year, month, 1))
    assert days == int((last - first).astype(int)) + 1
    assert table["working_days"].sum() == working_days(first, last)
