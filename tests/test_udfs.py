"""The Excel functions, called as Python: registration metadata, argument shapes, result shapes, errors."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest

from salesdeck.addin.excel_errors import ExcelError

udfs = importlib.import_module("salesdeck.addin.udfs")


def assert_error(value, kind, pattern):
    """``value`` is the Excel error ``kind`` (as COM sends it: VT_ERROR and Excel's code) with a matching message."""
    assert isinstance(value, ExcelError), value
    assert (value.text, value.varianttype) == (kind, 10)
    assert value.value == {"#VALUE!": -2146826273, "#NUM!": -2146826252}[kind]
    assert re.search(pattern, value.message), value.message

CONTRACT = {
    "SD_SPLIT": ["total", "weights", "unit"],
    "SD_PERIOD_SPLIT": ["total", "month", "period", "holidays", "extra_workdays", "unit"],
    "SD_CROSS_SPLIT": ["total", "shares", "avg_orders", "unit"],
    "SD_NEW_CUSTOMERS": ["visits", "close_rate", "challenge"],
    "SD_FUNNEL": ["target", "avg_order", "ratios"],
    "SD_GAP_PLAN": ["target", "open_orders", "repeat_orders", "weighted_forecast", "new_avg_order",
                    "success_ratio", "visits_per_success", "working_days"],
    "SD_STAGE_PROB": ["stages", "stage_table"],
    "SD_WEIGHTED_PIPELINE": ["amounts", "stages_or_probs", "stage_table"],
    "SD_COVERAGE": ["open_pipeline", "target", "closed"],
    "SD_FORECAST_CATEGORY": ["stages_or_probs", "stage_table", "commit_min", "best_case_min", "lang"],
    "SD_LEAD_CLASS": ["expected_close", "as_of"],
    "SD_COMMISSION": ["amount", "tiers", "mode", "cap"],
    "SD_SCORECARD": ["attainments", "weights", "thresholds", "caps", "gates"],
    "SD_ATTAINMENT": ["actual", "target"],
    "SD_RAG": ["attainment", "bands", "lang"],
    "SD_CHURN": ["values"],
    "SD_AGING": ["due_dates", "paid_dates", "as_of"],
    "SD_NPS": ["scores"],
    "SD_ERROR": ["cell"],
}
#: xlwings fills an argument called ``caller`` with the calling cell; it is not an argument in Excel.
RESERVED = "caller"


def excel_args(name):
    return [a for a in getattr(udfs, name).__xlfunc__["args"] if a["name"] != RESERVED]


# ---------------------------------------------------------------- registration
@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_every_function_is_registered_in_the_salesdeck_category(name):
    func = getattr(udfs, name)
    meta = func.__xlfunc__
    assert meta["name"] == name
    assert meta["category"] == "salesdeck"
    assert meta["sub"] is False


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_argument_order_is_the_public_contract(name):
    args = [a["name"] for a in excel_args(name)]
    assert args[: len(CONTRACT[name])] == CONTRACT[name]
    # anything beyond the contract is an optional extra at the end (lang)
    assert all("optional" in a for a in excel_args(name)[len(CONTRACT[name]):])


@pytest.mark.parametrize("name", sorted(set(CONTRACT) - {"SD_ERROR"}))
def test_every_calculation_receives_its_calling_cell_last(name):
    """The calling cell keys the message SD_ERROR shows; xlwings passes it to an argument named caller."""
    args = getattr(udfs, name).__xlfunc__["args"]
    assert args[-1]["name"] == RESERVED and args[-1]["optional"] is None


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_every_function_and_argument_is_documented_for_the_wizard(name):
    meta = getattr(udfs, name).__xlfunc__
    assert 20 < len(meta["ret"]["doc"]) <= 255           # Excel's function description limit
    for a in excel_args(name):
        assert not a["doc"].startswith("Positional argument"), f"{name}({a['name']}) has no doc"
        assert len(a["doc"]) <= 255


def test_range_arguments_arrive_two_dimensional():
    meta = udfs.SD_SPLIT.__xlfunc__["argmap"]
    assert meta["weights"]["options"]["ndim"] == 2
    assert "ndim" not in meta["total"]["options"]


def test_module_exports_exactly_the_contract():
    assert sorted(udfs.__all__) == sorted(CONTRACT)


# ---------------------------------------------------------------- target setting
def test_split_shapes():
    assert udfs.SD_SPLIT(100, [[1], [1], [1]]) == [[34.0], [33.0], [33.0]]      # column in, column out
    assert udfs.SD_SPLIT(100, [[1, 1, 1]]) == [[34.0, 33.0, 33.0]]              # row in, row out
    assert udfs.SD_SPLIT(100, [1, 1, 1]) == [34.0, 33.0, 33.0]                  # 1-D list
    assert udfs.SD_SPLIT(100, 5) == 100.0                                        # scalar
    assert udfs.SD_SPLIT(1000, [[5], [3], [2]], None) == [[500.0], [300.0], [200.0]]   # omitted unit
    assert udfs.SD_SPLIT(1050, [[1], [2]], 100) == [[300.0], [750.0]]


def test_split_errors_name_the_argument():
    assert_error(udfs.SD_SPLIT(100, [[0], [0]]), "#NUM!", "^weights: .*all weights are zero")
    assert_error(udfs.SD_SPLIT(100, [[1], ["#N/A"]]), "#VALUE!", "^weights: .*'#N/A'")
    assert_error(udfs.SD_SPLIT(100, [[1], [-1]]), "#NUM!", "^weights: .*negative")


def test_period_split_table():
    rows = udfs.SD_PERIOD_SPLIT(220_000, dt.datetime(2026, 6, 15), None, None, None, None)
    assert rows == [
        ["上旬", dt.date(2026, 6, 1), dt.date(2026, 6, 10), 8, 80_000.0],
        ["中旬", dt.date(2026, 6, 11), dt.date(2026, 6, 20), 7, 70_000.0],
        ["下旬", dt.date(2026, 6, 21), dt.date(2026, 6, 30), 7, 70_000.0],
    ]
    weeks = udfs.SD_PERIOD_SPLIT(100_000, "2026-10-01", "week", [["2026-10-01"], ["2026-10-02"], [None]],
                                 [["2026-10-10"]], 100, "en")
    assert [r[0] for r in weeks] == ["Week 1", "Week 2", "Week 3", "Week 4", "Week 5"]
    assert [r[3] for r in weeks] == [0, 6, 5, 5, 5]     # Oct 1-2 off; week 2 has the make-up Saturday
    assert sum(r[4] for r in weeks) == 100_000


def test_cross_split_shapes():
    assert udfs.SD_CROSS_SPLIT(200_000, [[0.5], [0.5]], [[20_000], [5_000]]) == [[100_000.0, 5], [100_000.0, 20]]
    assert udfs.SD_CROSS_SPLIT(200_000, [[0.5, 0.5]], [[20_000, 5_000]], None) == [[100_000.0, 100_000.0], [5, 20]]
    assert udfs.SD_CROSS_SPLIT(200_000, [0.5, 0.5], 20_000) == [[100_000.0, 5], [100_000.0, 5]]


def test_new_customers():
    assert udfs.SD_NEW_CUSTOMERS(60, 0.12, 1.1) == pytest.approx(7.92)
    assert udfs.SD_NEW_CUSTOMERS(60, "12%", None) == pytest.approx(7.92)
    out = udfs.SD_NEW_CUSTOMERS([[60], [100]], 0.1, 1)
    assert len(out) == 2 and out[0][0] == pytest.approx(6.0) and out[1][0] == pytest.approx(10.0)
    assert_error(udfs.SD_NEW_CUSTOMERS(60, 12), "#NUM!", "^close_rate: 12 looks like 12%: enter 0.12")


def test_funnel_shapes():
    assert udfs.SD_FUNNEL(1_000_000, 200_000, [[3], [4], [5]]) == [[5], [15], [60], [300]]
    assert udfs.SD_FUNNEL(1_000_000, 200_000, [3, 4, 5]) == [[5], [15], [60], [300]]
    assert udfs.SD_FUNNEL(1_000_000, 200_000, [[3, 4, 5]]) == [[5, 15, 60, 300]]
    assert udfs.SD_FUNNEL(1_000_000, 200_000, 3) == [[5], [15]]


def test_gap_plan_table():
    # A 1,000,000 - C (150,000 + 200,000 + 250,000) = D 400,000; E 60,000 -> F 7; G 3 -> H 21;
    # I 2.5 -> J 53; 53 / 21 working days = 2.52 visits a day
    rows = udfs.SD_GAP_PLAN(1_000_000, 150_000, 200_000, 250_000, 60_000, 3, 2.5, 21)
    values = dict((label.split(" ")[0], value) for label, value in rows[:-1])
    assert values == {"A": 1_000_000, "B1": 150_000, "B2": 200_000, "B3": 250_000, "C": 600_000, "D": 400_000,
                      "E": 60_000, "F": 7, "G": 3, "H": 21, "I": 2.5, "J": 53}
    assert rows[-1][1] == pytest.approx(53 / 21)
    assert all(len(r) == 2 for r in rows)
    assert udfs.SD_GAP_PLAN(1_000_000, 0, 0, 0, 100_000, 3, 4, 20, "en")[0] == ["A Territory target", 1_000_000.0]


# ---------------------------------------------------------------- pipeline
def test_stage_prob_shapes_and_table():
    assert udfs.SD_STAGE_PROB([["已提供报价"], ["Negotiating terms"], ["80%"]]) == [[0.4], [0.6], [0.8]]
    assert udfs.SD_STAGE_PROB([["通过初审", "Signing steps agreed"]], None) == [[0.8, 0.9]]
    assert udfs.SD_STAGE_PROB("Won") == 1.0
    table = [["阶段", "Stage", "概率"], ["演示", "Demo", "25%"]]
    assert udfs.SD_STAGE_PROB([["demo"]], table) == [[0.25]]
    assert_error(udfs.SD_STAGE_PROB([["Won"], [40]]), "#NUM!", "^stages: 40 at row 2 is above 1; >1 means a typo")
    assert_error(udfs.SD_STAGE_PROB([["Pitch"]]), "#VALUE!", "^stages: unknown stage 'Pitch' at row 1; known stages: 已提供报价")


def test_weighted_pipeline_and_coverage():
    assert udfs.SD_WEIGHTED_PIPELINE([[100_000], [50_000]], [["Quote sent"], ["已确定签单步骤"]]) == pytest.approx(85_000)
    assert udfs.SD_WEIGHTED_PIPELINE([[100_000, 50_000]], [[0.4, 0.9]], None) == pytest.approx(85_000)
    assert_error(udfs.SD_WEIGHTED_PIPELINE([[100_000], [50_000]], [["Won"]]), "#VALUE!", "^stages_or_probs: 1 stages do not match 2 amounts")
    assert udfs.SD_COVERAGE(900_000, 1_000_000, 400_000) == 1.5
    assert udfs.SD_COVERAGE([[600_000], [300_000]], 1_000_000, None) == 0.9
    assert_error(udfs.SD_COVERAGE(900_000, 1_000_000, 1_200_000), "#NUM!", "^target: target already met")


def test_forecast_category_and_lead_class():
    # labels in Chinese unless asked otherwise, like every SD_* function (Excel passes None for an omitted argument)
    assert udfs.SD_FORECAST_CATEGORY([["Won"], [0.85], ["合同条款谈判"], [0.3], ["输单"]], None, None, None, "en") == [
        ["closed"], ["commit"], ["best case"], ["pipeline"], ["lost"]]
    assert udfs.SD_FORECAST_CATEGORY([[0.85, 1]], None, None, None, None) == [["承诺", "已成交"]]
    as_of = dt.datetime(2026, 10, 1)
    closes = [[dt.datetime(2026, 10, 2)], [dt.datetime(2026, 10, 6)], [dt.datetime(2026, 11, 1)]]
    assert udfs.SD_LEAD_CLASS(closes, as_of) == [["A"], ["B"], ["C"]]
    assert udfs.SD_LEAD_CLASS(dt.date.today() + dt.timedelta(days=1), None) == "A"


# ---------------------------------------------------------------- commission
def test_commission_and_scorecard():
    tiers = [[0, 0.03], [100_000, 0.05], [200_000, 0.08]]
    assert udfs.SD_COMMISSION([[250_000], [50_000]], tiers, None, None) == [[12_000.0], [1_500.0]]
    assert udfs.SD_COMMISSION([[250_000, 50_000]], tiers, "retro", 15_000) == [[15_000.0, 1_500.0]]
    assert udfs.SD_COMMISSION(250_000, tiers) == pytest.approx(12_000)
    assert_error(udfs.SD_COMMISSION(1, [[0, 0.03], [0, 0.05]]), "#NUM!", "^tiers: tier thresholds not ascending")
    assert udfs.SD_SCORECARD([[1.2, 0.9, 0.5]], [[0.5, 0.3, 0.2]], [[0, 0, 0.6]], 1.5, None) == pytest.approx(0.87)
    assert udfs.SD_SCORECARD([[1.2, 0.9], [0.5, 1.1]], [[0.6, 0.4]], None, None, [[0.6, 0]]) == [
        [pytest.approx(1.08)], [0.0]]
    assert_error(udfs.SD_SCORECARD([[1, 1]], [[0.5, 0.4]]), "#NUM!", "^weights: weights sum to 0.9")


# ---------------------------------------------------------------- diagnosis
def test_attainment_and_rag_shapes():
    assert udfs.SD_ATTAINMENT([[112], [90]], [[100], [100]]) == [[1.12], [0.9]]
    assert udfs.SD_ATTAINMENT([[112, 90]], 100) == [[1.12, 0.9]]
    assert_error(udfs.SD_ATTAINMENT([[112], [90]], [[100], [0]]), "#NUM!", "^target: 0 at row 2 must be above 0")
    assert udfs.SD_RAG([[0.75], [0.9], [1.1]], None, "en") == [["red"], ["amber"], ["green"]]
    assert udfs.SD_RAG([[0.75, 1.1]], [[0.8, 1.0]], None) == [["红", "绿"]]
    assert udfs.SD_RAG(0.95) == "黄"


def test_churn_shapes():
    assert udfs.SD_CHURN([[10], [8], [5]]) is True          # a column of months
    assert udfs.SD_CHURN([[10, 8, 9]]) is False             # a row of months
    assert udfs.SD_CHURN([10, 8, 5]) is True
    assert udfs.SD_CHURN([[10, 8, 5], [5, 5, 4]]) == [[True], [False]]   # customers x months
    assert_error(udfs.SD_CHURN([[10], [8]]), "#VALUE!", "^values: needs at least 3 months")


def test_aging_shapes():
    due = [[dt.datetime(2026, 9, 20)], [dt.datetime(2026, 6, 1)], [dt.datetime(2026, 6, 1)]]
    paid = [[None], [dt.datetime(2026, 6, 1)], [None]]
    assert udfs.SD_AGING(due, paid, dt.datetime(2026, 10, 1)) == [["1-30"], ["current"], ["90+"]]
    assert udfs.SD_AGING(due, None, "2026-10-01") == [["1-30"], ["90+"], ["90+"]]
    assert_error(udfs.SD_AGING([["soon"]], None, "2026-10-01"), "#VALUE!", "^due_dates: 'soon' at row 1 is not a date")


def test_nps():
    assert udfs.SD_NPS([[10, 9, 8, 7, 6, 3]]) == 0.0
    assert udfs.SD_NPS([[10], [10], [9], [5]]) == 50.0
    assert_error(udfs.SD_NPS([[10], [8.5]]), "#NUM!", "^scores: 8.5 at row 2 is not a whole number")


# ---------------------------------------------------------------- Excel behaviour
def test_only_the_today_dependent_functions_are_volatile():
    volatile = {name for name in udfs.__all__ if getattr(udfs, name).__xlfunc__["volatile"]}
    assert volatile == {"SD_LEAD_CLASS", "SD_AGING"}


class FakeRange:
    """What xlwings passes for a range argument or for ``caller``: book, sheet, first and last cell."""

    class _Sheet:
        def __init__(self, book, name):
            self.book, self.name = type("Book", (), {"name": book})(), name

    def __init__(self, book, sheet, first, last=None):
        self.sheet = FakeRange._Sheet(book, sheet)
        (self.row, self.column), last = first, last or first
        self.last_cell = type("Cell", (), {"row": last[0], "column": last[1]})()


def test_sd_error_shows_the_message_of_an_error_in_any_cell_of_the_result():
    spill = FakeRange("Plan.xlsx", "拆分", (2, 2), (4, 2))           # B2:B4, a spilled or array result
    value = udfs.SD_SPLIT(100, [[1], [-1], [1]], None, spill)         # xlwings passes caller last
    assert_error(value, "#NUM!", "^weights: -1 at row 2 is negative")
    assert udfs.SD_ERROR(FakeRange("Plan.xlsx", "拆分", (3, 2))) == "weights: -1 at row 2 is negative"
    assert udfs.SD_ERROR(FakeRange("Plan.xlsx", "拆分", (5, 2))) == ""      # below the result
    assert udfs.SD_ERROR(FakeRange("Plan.xlsx", "Other", (3, 2))) == ""     # same cell, other sheet
    assert udfs.SD_ERROR(FakeRange("Else.xlsx", "拆分", (3, 2))) == ""      # other workbook


def test_a_later_error_in_the_same_cell_replaces_the_message():
    cell = FakeRange("Plan.xlsx", "Plan", (8, 3))
    udfs.SD_NPS([[10], [8.5]], cell)
    assert udfs.SD_ERROR(cell).startswith("scores: 8.5")
    assert_error(udfs.SD_ATTAINMENT(1, 0, caller=cell), "#NUM!", "^target: ")
    assert udfs.SD_ERROR(cell).startswith("target: ")


def test_an_unexpected_failure_is_an_error_value_too(monkeypatch):
    def broken(*args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(udfs, "nps", broken)
    cell = FakeRange("Plan.xlsx", "Plan", (1, 1))
    assert_error(udfs.SD_NPS([[10]], cell), "#VALUE!", "^SD_NPS failed: ZeroDivisionError: division by zero")
    assert udfs.SD_ERROR(cell) == "SD_NPS failed: ZeroDivisionError: division by zero"


def test_period_split_returns_real_dates_not_numbers():
    rows = udfs.SD_PERIOD_SPLIT(100_000, "2026-10", "xun")
    assert all(type(r[1]) is dt.date and type(r[2]) is dt.date for r in rows)  # xlwings sends them as dates
