"""Diagnosis: attainment and RAG, MoM/YoY, churn, aging, NPS, deviation and top share."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from salesdeck.calc import (
    AGING_BUCKETS, aging_bucket, aging_buckets, attainment, attainment_table, churn, churn_flags,
    deviation_from_average, mom_yoy, nps, overdue_days, rag, top_share,
)
from salesdeck.errors import CalcError


# ---------------------------------------------------------------- attainment and RAG
def test_attainment_elementwise_and_shape():
    assert attainment([112, 90], [100, 100]).tolist() == pytest.approx([1.12, 0.9])
    assert attainment([[112], [45]], [[100], [50]]).tolist() == [[1.12], [0.9]]
    assert attainment([112, 90], 100).tolist() == pytest.approx([1.12, 0.9])
    assert attainment(-10, 100) == -0.1   # returns can make actuals negative


@pytest.mark.parametrize("actual, target, argument, words", [
    ([1, 2], [100, 0], "target", "0 at item 2 must be above 0"),
    ([1, 2], [100, -5], "target", "above 0"),
    ([1, 2], [100, 100, 100], "target", "do not match"),
    ([1, None], [100, 100], "actual", "blank"),
    ([1, 2], [100, "n/a"], "target", "'n/a'"),
])
def test_attainment_bad_inputs(actual, target, argument, words):
    with pytest.raises(CalcError) as err:
        attainment(actual, target)
    assert err.value.argument == argument and words in str(err.value)


def test_rag_bands_and_languages():
    assert rag([0.75, 0.8, 0.99, 1.0, 1.3]).tolist() == ["red", "amber", "amber", "green", "green"]
    assert rag([[0.75], [1.0]], lang="zh").tolist() == [["红"], ["绿"]]
    assert rag(0.85, [0.9, 1.1]) == "red"
    assert rag(0.95, ["90%", "110%"], None) == "amber"
    assert rag(0.95, None, "zh") == "黄"


@pytest.mark.parametrize("bands, words", [
    ([80, 100], "80 looks like 80%"),
    ([1.0, 0.8], "ascending"),
    ([0.8], "two values"),
    ([0.8, None], "blank"),
])
def test_rag_bad_bands(bands, words):
    with pytest.raises(CalcError) as err:
        rag([0.9], bands)
    assert err.value.argument == "bands" and words in str(err.value)


def test_attainment_table():
    actual = pd.Series({"华东": 112.0, "华南": 70.0, "华北": 95.0})
    target = pd.Series({"华北": 100.0, "华南": 100.0, "华东": 100.0, "西南": 50.0})
    table = attainment_table(actual, target)
    assert list(table.index) == ["华东", "华南", "华北"]
    assert list(table.columns) == ["actual", "target", "attainment", "rag"]
    assert table["attainment"].tolist() == pytest.approx([1.12, 0.7, 0.95])
    assert table["rag"].tolist() == ["green", "red", "amber"]
    with pytest.raises(CalcError, match="no target for") as err:
        attainment_table(pd.Series({"东北": 1.0}), target)
    assert err.value.argument == "target"


# ---------------------------------------------------------------- MoM / YoY
def test_mom_yoy_over_13_months():
    months = pd.period_range("2025-10", "2026-10", freq="M")
    values = pd.Series(np.arange(100.0, 230.0, 10.0), index=months.strftime("%Y-%m"))  # 100, 110, ..., 220
    table = mom_yoy(values)
    last = table.loc["2026-10"]
    assert last["value"] == 220 and last["previous_month"] == 210 and last["last_year"] == 100
    assert last["mom"] == pytest.approx(220 / 210 - 1)
    assert last["yoy"] == pytest.approx(1.2)
    assert np.isnan(table.loc["2025-10", "mom"]) and np.isnan(table.loc["2026-09", "yoy"])


def test_mom_compares_with_the_calendar_month_not_the_previous_row():
    values = pd.Series([100.0, 130.0], index=[pd.Timestamp("2026-07-01"), pd.Timestamp("2026-09-01")])
    table = mom_yoy(values)
    assert np.isnan(table.loc["2026-09", "mom"])      # August is missing
    periods = pd.Series([100.0, 0.0, 50.0], index=pd.period_range("2026-01", periods=3, freq="M"))
    out = mom_yoy(periods)
    assert out["mom"].iloc[1] == -1.0 and np.isnan(out["mom"].iloc[2])   # from 0 is undefined


def test_mom_yoy_bad_index():
    with pytest.raises(CalcError, match="month"):
        mom_yoy(pd.Series([1.0], index=["last spring"]))
    with pytest.raises(CalcError, match="twice"):
        mom_yoy(pd.Series([1.0, 2.0], index=["2026-01", "2026-01-15"]))


# ---------------------------------------------------------------- churn
def test_churn_two_declines_in_a_row():
    assert churn([10, 8, 5]) is True
    assert churn([10, 8, 9]) is False
    assert churn([10, 10, 5]) is False        # flat then down is one decline
    assert churn([3, 50, 40, 30]) is True     # only the last two changes count
    assert churn([[10, 8, 5], [5, 5, 4], [9, 7, 6]]).tolist() == [True, False, True]


def test_churn_flags_on_a_frame():
    frame = pd.DataFrame({"2026-08": [10, 3, 6], "2026-09": [8, None, 5], "2026-10": [5, 4, None]},
                         index=["甲公司", "乙公司", "丙公司"])
    assert churn_flags(frame).to_dict() == {"甲公司": True, "乙公司": False, "丙公司": True}


def test_churn_bad_inputs():
    with pytest.raises(CalcError, match="at least 3"):
        churn([1, 2])
    with pytest.raises(CalcError, match="blank") as err:
        churn([1, None, 2])
    assert err.value.argument == "values"
    with pytest.raises(CalcError, match="at least 3"):
        churn_flags(pd.DataFrame({"a": [1], "b": [2]}))


# ---------------------------------------------------------------- aging
AS_OF = "2026-10-01"


def test_aging_buckets_and_boundaries():
    due = ["2026-10-10", "2026-10-01", "2026-09-30", "2026-09-01", "2026-08-31", "2026-08-02", "2026-08-01",
           "2026-07-03", "2026-07-02"]
    # overdue days: -, 0, 1, 30, 31, 60, 61, 90, 91
    assert overdue_days(due, None, AS_OF).tolist() == [0, 0, 1, 30, 31, 60, 61, 90, 91]
    assert aging_bucket(due, None, AS_OF).tolist() == [
        "current", "current", "1-30", "1-30", "31-60", "31-60", "61-90", "61-90", "90+"]


def test_paid_items_use_the_paid_date():
    due = [[dt.date(2026, 6, 1)], [dt.date(2026, 6, 1)], [dt.date(2026, 6, 1)]]
    paid = [[dt.date(2026, 5, 30)], [dt.date(2026, 7, 15)], [None]]
    # paid early -> current; paid 44 days late -> 31-60; unpaid on Oct 1 -> 122 days -> 90+
    assert aging_bucket(due, paid, AS_OF).tolist() == [["current"], ["31-60"], ["90+"]]
    assert aging_bucket("2026-09-20", None, AS_OF) == "1-30"


def test_aging_defaults_to_today():
    assert aging_bucket([dt.date.today() - dt.timedelta(days=45)]).tolist() == ["31-60"]


def test_aging_series_is_an_ordered_categorical():
    due = pd.Series(pd.to_datetime(["2026-09-15", "2026-05-01"]), index=["INV-1", "INV-2"])
    paid = pd.Series([None], index=["INV-1"], dtype=object)
    out = aging_buckets(due, paid, AS_OF)
    assert out.to_dict() == {"INV-1": "1-30", "INV-2": "90+"}
    assert list(out.cat.categories) == list(AGING_BUCKETS) and out.cat.ordered


@pytest.mark.parametrize("due, paid, as_of, argument", [
    (["2026-02-30"], None, AS_OF, "due_dates"),
    ([None], None, AS_OF, "due_dates"),
    (["2026-01-01"], ["paid"], AS_OF, "paid_dates"),
    (["2026-01-01", "2026-01-02"], ["2026-01-01", None, None], AS_OF, "paid_dates"),
    (["2026-01-01"], None, "someday", "as_of"),
])
def test_aging_bad_inputs(due, paid, as_of, argument):
    with pytest.raises(CalcError) as err:
        aging_bucket(due, paid, as_of)
    assert err.value.argument == argument


# ---------------------------------------------------------------- NPS
def test_nps():
    assert nps([10, 9, 8, 7, 6, 3]) == 0.0                 # 2 promoters - 2 detractors of 6
    assert nps([10, 10, 9, 5]) == 50.0                     # 75% - 25%
    assert nps([[0], [6]]) == -100.0
    assert nps([9] * 3) == 100.0
    assert nps([10, 8, 8]) == pytest.approx(100 / 3)


@pytest.mark.parametrize("scores, words", [
    ([10, 8.5], "8.5 at item 2 is not a whole number"),
    ([11], "11"),
    ([-1], "-1"),
    ([10, None], "blank"),
    ([10, "great"], "'great'"),
])
def test_nps_bad_scores(scores, words):
    with pytest.raises(CalcError) as err:
        nps(scores)
    assert err.value.argument == "scores" and words in str(err.value)


# ---------------------------------------------------------------- deviation and top share
def test_deviation_and_top_share():
    assert deviation_from_average(pd.Series({"华东": 120.0, "华南": 80.0, "华北": 100.0})).to_dict() == {
        "华东": 0.2, "华南": -0.2, "华北": 0.0}
    top = top_share(pd.Series({"A": 20.0, "B": 50.0, "C": 30.0, "D": 0.0}), 2)
    assert list(top.index) == ["B", "C"] and top["share"].tolist() == [0.5, 0.3]
    with pytest.raises(CalcError, match="total is 0"):
        top_share(pd.Series({"A": 0.0}))


def test_aging_series_with_datetime_columns_and_missing_paid_dates():
    due = pd.Series(pd.to_datetime(["2026-09-15", "2026-05-01", "2026-09-01"]), index=["a", "b", "c"])
    paid = pd.Series(pd.to_datetime([None, "2026-05-20", "2026-08-30"]), index=["a", "b", "c"])
    assert aging_buckets(due, paid, AS_OF).tolist() == ["1-30", "1-30", "current"]
