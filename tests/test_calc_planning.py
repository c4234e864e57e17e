"""Planning: new-customer targets, cross split, funnel back-calculation, gap plan (DOMAIN.md worked numbers)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdeck.calc import ceil_count, cross_split, funnel_back, gap_plan, gap_plan_rows, new_customer_target
from salesdeck.errors import CalcError


# ---------------------------------------------------------------- new customers
def test_new_customers_domain_example():
    # 60 effective visits x 12% close rate x 1.1 challenge = 7.92 new customers
    assert new_customer_target(60, 0.12, 1.1) == pytest.approx(7.92, abs=1e-12)
    assert new_customer_target(60, "12%") == pytest.approx(7.92, abs=1e-12)   # challenge defaults to 1.1
    assert new_customer_target(60, 0.12, None) == pytest.approx(7.92, abs=1e-12)


def test_new_customers_vectorised():
    out = new_customer_target([[60], [100]], [[0.12], [0.1]], 1.0)
    assert out.shape == (2, 1)
    assert out.ravel().tolist() == pytest.approx([7.2, 10.0])
    assert new_customer_target([60, 100], 0.1, 1).tolist() == pytest.approx([6.0, 10.0])


@pytest.mark.parametrize("args, argument, words", [
    ((60, 12), "close_rate", "12 looks like 12%: enter 0.12"),
    ((60, -0.1), "close_rate", "negative"),
    ((-60, 0.12), "visits", "negative"),
    (("sixty", 0.12), "visits", "'sixty'"),
    ((60, 0.12, 110), "challenge", "looks like 110%"),
    ((60, 0.12, 0), "challenge", "above 0"),
    (([60, 70], [0.1, 0.2, 0.3]), "close_rate", "do not match"),
])
def test_new_customers_bad_inputs(args, argument, words):
    with pytest.raises(CalcError) as err:
        new_customer_target(*args)
    assert err.value.argument == argument and words in str(err.value)


# ---------------------------------------------------------------- ceil
def test_ceil_count_ignores_float_noise_only():
    assert ceil_count(0.1 * 3 * 10) == 3          # 3.0000000000000004
    assert ceil_count(5.0000001) == 6             # a real excess above the 1e-9 relative tolerance counts
    assert ceil_count(5.01) == 6
    assert ceil_count(0) == 0
    assert ceil_count(np.array([1.2, 2.0])).tolist() == [2, 2]


# ---------------------------------------------------------------- cross split
def test_cross_split_domain_example():
    # 200,000: product A 50% at 20,000 per order = 5 orders; product B 50% at 5,000 per order = 20 orders
    table = cross_split(200_000, [0.5, 0.5], [20_000, 5_000])
    assert table["amount"].tolist() == [100_000.0, 100_000.0]
    assert table["orders"].tolist() == [5, 20]


def test_cross_split_rounds_orders_up_but_not_float_noise():
    # 100,000 x 0.3 / 0.3 share structure: 30,000 at 10,000 = exactly 3 orders, 70,000 at 30,000 = 2.33 -> 3
    table = cross_split(100_000, [0.3, 0.7], [10_000, 30_000])
    assert table["orders"].tolist() == [3, 3]
    # an amount that is an exact multiple in decimal but not in binary: 0.3 / 0.1
    assert cross_split(0.3, [1], [0.1], unit=0.1)["orders"].tolist() == [3]
    assert cross_split(90_000, [1, 1, 1], 10_000)["orders"].tolist() == [3, 3, 3]   # one average for all


@pytest.mark.parametrize("args, argument", [
    ((200_000, [0.5, 0.5], [20_000, 5_000, 1]), "avg_orders"),
    ((200_000, [0.5, 0.5], [20_000, 0]), "avg_orders"),
    ((200_000, [0.5, 0.5], [20_000, "abc"]), "avg_orders"),
    ((200_000, [0.5, -0.5], [20_000, 5_000]), "shares"),
    ((200_000, [0, 0], [20_000, 5_000]), "shares"),
])
def test_cross_split_bad_inputs(args, argument):
    with pytest.raises(CalcError) as err:
        cross_split(*args)
    assert err.value.argument == argument


# ---------------------------------------------------------------- funnel
def test_funnel_domain_example():
    # 1,000,000 / 200,000 = 5 orders; proposal:order 3:1 -> 15; visit:proposal 4:1 -> 60; call:visit 5:1 -> 300
    assert funnel_back(1_000_000, 200_000, [3, 4, 5]) == [5, 15, 60, 300]


def test_funnel_rounds_up_at_every_stage():
    # 900,000 / 200,000 = 4.5 -> 5 orders; x 2.5 = 12.5 -> 13; x 1.5 = 19.5 -> 20
    assert funnel_back(900_000, 200_000, [2.5, 1.5]) == [5, 13, 20]
    assert funnel_back(1_000_000, 200_000, None) == [5]


def test_funnel_float_noise_never_adds_a_unit():
    assert funnel_back(0.3, 0.1, [3]) == [3, 9]               # 0.3 / 0.1 = 2.9999999999999996
    assert funnel_back(1, 1, [1.1, 1.1]) == [1, 2, 3]        # 1.1 -> 2 (real), 2 x 1.1 = 2.2 -> 3
    assert funnel_back(100, 10, [0.7]) == [10, 7]            # 10 x 0.7 = 7.000000000000001


@pytest.mark.parametrize("args, argument", [
    ((1_000_000, 0, [3]), "avg_order"),
    ((1_000_000, 200_000, [3, 0]), "ratios"),
    ((1_000_000, 200_000, [3, "x"]), "ratios"),
    ((-1, 200_000, [3]), "target"),
    ((1_000_000, 200_000, [3, None]), "ratios"),
])
def test_funnel_bad_inputs(args, argument):
    with pytest.raises(CalcError) as err:
        funnel_back(*args)
    assert err.value.argument == argument


@settings(max_examples=300, deadline=None)
@given(target=st.floats(0, 1e9), avg=st.floats(1, 1e7),
       ratios=st.lists(st.floats(0.1, 20), max_size=5))
def test_funnel_counts_are_between_exact_and_exact_plus_one(target, avg, ratios):
    counts = funnel_back(target, avg, ratios)
    exacts = [target / avg] + [c * r for c, r in zip(counts, ratios)]
    for count, exact in zip(counts, exacts):
        assert isinstance(count, int)
        # never below the exact value (a noise tolerance of 1e-9 relative is allowed), never a unit above
        assert count >= exact - 1e-9 * max(1.0, exact)
        assert count < exact + 1


# ---------------------------------------------------------------- gap plan
def test_gap_plan_by_hand():
    # A target 1,000,000; B1 open orders 150,000 + B2 repeat 200,000 + B3 weighted forecast 250,000
    # C = 600,000; D = 1,000,000 - 600,000 = 400,000
    # E = 60,000 -> F = ceil(400,000 / 60,000 = 6.67) = 7 orders
    # G = 3 (3:1)  -> H = ceil(7 x 3) = 21 prospects
    # I = 2.5      -> J = ceil(21 x 2.5 = 52.5) = 53 visits; 21 working days -> 53 / 21 = 2.5238 per day
    plan = gap_plan(1_000_000, 150_000, 200_000, 250_000, 60_000, 3, 2.5, 21)
    assert plan["existing_total"] == 600_000
    assert plan["gap"] == 400_000
    assert plan["orders_needed"] == 7
    assert plan["prospects_needed"] == 21
    assert plan["visits_needed"] == 53
    assert plan["visits_per_day"] == pytest.approx(53 / 21)


def test_gap_plan_when_the_base_covers_the_target():
    plan = gap_plan(500_000, 300_000, 200_000, 100_000, 50_000, 3, 4, 22)
    assert plan["gap"] == 0 and plan["orders_needed"] == 0 and plan["visits_needed"] == 0
    assert plan["visits_per_day"] == 0


def test_gap_plan_rows_are_lettered():
    rows = gap_plan_rows(gap_plan(1_000_000, 150_000, 200_000, 250_000, 60_000, 3, 2.5, 21), "en")
    letters = [label.split(" ")[0] for label, _ in rows[:-1]]
    assert letters == ["A", "B1", "B2", "B3", "C", "D", "E", "F", "G", "H", "I", "J"]
    assert rows[5] == ("D Gap for new customers", 400_000.0)
    assert rows[-1][0] == "Visits per working day"
    zh = gap_plan_rows(gap_plan(1_000_000, 0, 0, 0, 100_000, 3, 4, 20))
    assert zh[0] == ("A 区域销售指标", 1_000_000.0)


@pytest.mark.parametrize("position, value, argument", [
    (0, -1, "target"),
    (1, "n/a", "open_orders"),
    (3, -5, "weighted_forecast"),
    (4, 0, "new_avg_order"),
    (5, 0.33, "success_ratio"),
    (6, 0, "visits_per_success"),
    (7, 0, "working_days"),
    (7, 22.5, "working_days"),
])
def test_gap_plan_bad_inputs(position, value, argument):
    args = [1_000_000, 150_000, 200_000, 250_000, 60_000, 3, 2.5, 21]
    args[position] = value
    with pytest.raises(CalcError) as err:
        gap_plan(*args)
    assert err.value.argument == argument


def test_gap_plan_accepts_numeric_text():
    plan = gap_plan("1,000,000", "150,000", 0, 0, "85,000", 3, 4, 20)
    assert plan["gap"] == 850_000 and plan["orders_needed"] == 10 and math.isclose(plan["visits_per_day"], 6.0)
