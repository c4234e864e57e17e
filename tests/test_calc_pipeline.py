"""Pipeline weighting: stage defaults (seed 003), weighted pipeline, coverage, forecast categories, lead classes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from salesdeck.calc import (
    DEFAULT_STAGES, forecast_category, lead_class, pipeline_coverage, stage_probability, stage_table,
    weighted_pipeline,
)
from salesdeck.errors import CalcError


@pytest.mark.parametrize("zh, en, probability", [
    ("已提供报价", "Quote sent", 0.4),
    ("合同条款谈判", "Negotiating terms", 0.6),
    ("通过初审", "Passed first review", 0.8),
    ("已确定签单步骤", "Signing steps agreed", 0.9),
    ("赢单", "Won", 1.0),
    ("输单", "Lost", 0.0),
])
def test_default_stage_probabilities(zh, en, probability):
    assert stage_probability([zh, en, en.upper(), f"  {en.lower()} "]).tolist() == [probability] * 4


def test_defaults_match_the_contract_table():
    assert [(zh, en, p) for zh, en, p, _ in DEFAULT_STAGES] == [
        ("已提供报价", "Quote sent", 0.4), ("合同条款谈判", "Negotiating terms", 0.6),
        ("通过初审", "Passed first review", 0.8), ("已确定签单步骤", "Signing steps agreed", 0.9),
        ("赢单", "Won", 1.0), ("输单", "Lost", 0.0)]


def test_names_match_ignoring_case_spaces_and_full_width():
    assert stage_probability(["negotiating   TERMS", "Quote\u3000sent", "ＷＯＮ"]).tolist() == [0.6, 0.4, 1.0]


def test_probabilities_pass_through_and_keep_shape():
    assert stage_probability([[0.4], ["40%"], ["0.55"], [1]]).tolist() == [[0.4], [0.4], [0.55], [1.0]]
    assert stage_probability(0.3).item() == 0.3
    assert stage_probability(np.array([0.1, 0.9])).tolist() == [0.1, 0.9]


@pytest.mark.parametrize("value, words", [
    (40, ">1 means a typo"),
    ("40", ">1 means a typo"),
    (-0.1, "between 0 and 1"),
    ("Maybe later", "unknown stage 'Maybe later'"),
    (None, "blank"),
    (True, "TRUE"),
])
def test_bad_stages(value, words):
    with pytest.raises(CalcError) as err:
        stage_probability(["Won", value])
    assert err.value.argument == "stages" and words in str(err.value)
    assert "item 2" in str(err.value) or value is None


def test_unknown_stage_lists_the_known_stages():
    with pytest.raises(CalcError) as err:
        stage_probability(["Closing soon"])
    message = str(err.value)
    for zh, en, _, _ in DEFAULT_STAGES:
        assert f"{zh}/{en}" in message


def test_custom_two_column_table_replaces_the_defaults():
    table = [["Demo", "30%"], ["Trial", 0.5], ["Won", 1]]
    assert stage_probability(["demo", "TRIAL", "won"], table).tolist() == [0.3, 0.5, 1.0]
    with pytest.raises(CalcError, match="known stages: Demo, Trial, Won"):
        stage_probability(["Quote sent"], table)


def test_three_and_four_column_tables_with_header_and_blank_rows():
    three = [["阶段名称", "Stage", "成交概率"], ["已提供报价", "Quote sent", 0.3], [None, None, None],
             ["谈判", "Negotiation", "70%"]]
    assert stage_probability(["quote sent", "谈判", "Negotiation"], three).tolist() == [0.3, 0.7, 0.7]
    four = [["试用", "Trial", 0.5, "进行中"], ["签约", "Signed", 0.95, "won"], ["放弃", "Dropped", 0.1, "lost"]]
    assert forecast_category(["Trial", "Signed", "Dropped"], four).tolist() == ["pipeline", "closed", "lost"]


@pytest.mark.parametrize("table, words", [
    ([["A", 0.5], ["a", 0.6]], "listed twice"),
    ([["A", 5]], ">1 means a typo"),
    ([["A", 0.5, "x", "y", "z"]], "columns"),
    ([["A", 0.5, "maybe"], ["B", 0.2, "open"]], "probability"),
    ([["甲", "A", 0.2, "pending"]], "not a category"),
    ([[None, 0.5]], "no stage name"),
    ([["Stage", "Probability"]], "has no stages"),
])
def test_bad_stage_tables(table, words):
    with pytest.raises(CalcError) as err:
        stage_table(table)
    assert err.value.argument == "stage_table" and words in str(err.value)


def test_weighted_pipeline():
    # 100,000 x 40% + 50,000 x 90% + 80,000 x 60% + 30,000 x 0 = 40,000 + 45,000 + 48,000 = 133,000
    assert weighted_pipeline([100_000, 50_000, 80_000, 30_000],
                             ["Quote sent", "已确定签单步骤", 0.6, "输单"]) == pytest.approx(133_000)
    assert weighted_pipeline([[100_000], [50_000]], [["40%"], ["90%"]]) == pytest.approx(85_000)
    assert weighted_pipeline([100_000], ["Demo"], [["Demo", 0.25]]) == pytest.approx(25_000)


@pytest.mark.parametrize("amounts, stages, argument", [
    ([1, 2, 3], ["Won", "Lost"], "stages_or_probs"),
    ([1, -2], ["Won", "Lost"], "amounts"),
    ([1, "lots"], ["Won", "Lost"], "amounts"),
    ([1, None], ["Won", "Lost"], "amounts"),
    ([1, 2], ["Won", 60], "stages_or_probs"),
])
def test_weighted_pipeline_bad_inputs(amounts, stages, argument):
    with pytest.raises(CalcError) as err:
        weighted_pipeline(amounts, stages)
    assert err.value.argument == argument


def test_coverage():
    # open pipeline 900,000 against remaining 1,000,000 - 400,000 = 600,000 -> 1.5x
    assert pipeline_coverage(900_000, 1_000_000, 400_000) == 1.5
    assert pipeline_coverage([[500_000], [400_000]], 1_000_000, None) == 0.9
    with pytest.raises(CalcError, match="target already met") as err:
        pipeline_coverage(900_000, 1_000_000, 1_000_000)
    assert err.value.argument == "target"
    with pytest.raises(CalcError, match="closed"):
        pipeline_coverage(900_000, 1_000_000, -5)


def test_forecast_categories():
    stages = ["Won", 0.9, "通过初审", "合同条款谈判", 0.59, "Lost", 0.0, 1.0]
    assert forecast_category(stages).tolist() == [
        "closed", "commit", "commit", "best case", "pipeline", "lost", "lost", "closed"]
    assert forecast_category(stages, lang="zh").tolist() == [
        "已成交", "承诺", "承诺", "最佳情况", "管道", "输单", "输单", "已成交"]
    assert forecast_category(["通过初审"], None, 0.85, None).tolist() == ["best case"]
    assert forecast_category([[0.5], [0.7]], best_case_min=0.5).tolist() == [["best case"], ["best case"]]
    assert forecast_category(0.95) == "commit"


@pytest.mark.parametrize("kwargs, argument", [
    (dict(commit_min=80), "commit_min"),
    (dict(best_case_min=0.9, commit_min=0.8), "best_case_min"),
    (dict(lang="de"), "lang"),
])
def test_forecast_category_bad_inputs(kwargs, argument):
    with pytest.raises(CalcError) as err:
        forecast_category(["Won"], **kwargs)
    assert err.value.argument == argument


def test_lead_classes_and_boundaries():
    as_of = dt.date(2026, 10, 1)
    closes = [as_of + dt.timedelta(days=d) for d in (-2, 0, 3, 4, 7, 8, 60)]
    assert lead_class(closes, as_of).tolist() == ["A", "A", "A", "B", "B", "C", "C"]
    # Excel serials and ISO text: 46300 is 2026-10-05 (4 days after as_of)
    assert lead_class([[46300], ["2026-10-04"]], "2026-10-01").tolist() == [["B"], ["A"]]
    assert lead_class(dt.datetime(2026, 10, 9, 18, 0), dt.datetime(2026, 10, 1, 9, 0)) == "C"


def test_lead_class_defaults_to_today():
    today = dt.date.today()
    assert lead_class([today + dt.timedelta(days=5)]).tolist() == ["B"]


def test_lead_class_bad_dates():
    with pytest.raises(CalcError) as err:
        lead_class(["2026-02-30"], "2026-01-01")
    assert err.value.argument == "expected_close" and "'2026-02-30'" in str(err.value)
    with pytest.raises(CalcError) as err:
        lead_class(["2026-02-03"], "tomorrow")
    assert err.value.argument == "as_of"
