"""Tiered commission (marginal / retroactive, cap) and the weighted bonus scorecard."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from salesdeck.calc import commission, commission_tiers, scorecard
from salesdeck.errors import CalcError

TIERS = [[0, 0.03], [100_000, 0.05], [200_000, 0.08]]


def test_marginal_like_tax_brackets():
    # 250,000: 100,000 x 3% + 100,000 x 5% + 50,000 x 8% = 3,000 + 5,000 + 4,000 = 12,000
    assert commission(250_000, TIERS) == pytest.approx(12_000)
    assert commission(100_000, TIERS) == pytest.approx(3_000)
    assert commission(0, TIERS) == 0


def test_retroactive_applies_the_reached_rate_to_everything():
    # 250,000 reaches the 8% tier: 250,000 x 8% = 20,000; 150,000 reaches 5%: 7,500
    assert commission(250_000, TIERS, "retro") == pytest.approx(20_000)
    assert commission(150_000, TIERS, "retroactive") == pytest.approx(7_500)
    assert commission(150_000, TIERS, "全额") == pytest.approx(7_500)


def test_cap_limits_the_payout_and_arrays_keep_shape():
    assert commission(250_000, TIERS, None, 10_000) == 10_000
    out = commission([[50_000], [150_000], [250_000]], TIERS, "marginal", 10_000)
    # 1,500; 3,000 + 2,500 = 5,500; 12,000 capped at 10,000
    assert out.shape == (3, 1)
    assert out.ravel().tolist() == pytest.approx([1_500, 5_500, 10_000])


def test_amounts_below_the_first_tier_earn_nothing():
    tiers = [[50_000, 0.04], [100_000, 0.06]]
    assert commission([40_000, 80_000, 120_000], tiers).tolist() == pytest.approx([0, 1_200, 3_200])
    assert commission([40_000, 80_000, 120_000], tiers, "retro").tolist() == pytest.approx([0, 3_200, 7_200])


def test_tiers_accept_percent_text_and_blank_rows():
    starts, rates = commission_tiers([["0", "3%"], [None, None], ["100,000", "5%"]])
    assert starts.tolist() == [0, 100_000] and rates.tolist() == [0.03, 0.05]
    assert commission(1000, [0, 0.1]) == pytest.approx(100)   # a single tier as one row


@pytest.mark.parametrize("args, argument, words", [
    ((100, [[0, 0.03], [0, 0.05]]), "tiers", "not ascending"),
    ((100, [[100, 0.03], [50, 0.05]]), "tiers", "not ascending"),
    ((100, [[0, 3], [100, 5]]), "tiers", "3 looks like 3%"),
    ((100, [[0, -0.01]]), "tiers", "negative"),
    ((100, [[-1, 0.01]]), "tiers", "negative"),
    ((100, [[0, 0.03], [100, None]]), "tiers", "blank"),
    ((100, [[0, 0.03, 1]]), "tiers", "(from, rate)"),
    ((100, [[None, None]]), "tiers", "no tiers"),
    ((-100, TIERS), "amount", "negative"),
    (("much", TIERS), "amount", "'much'"),
    ((100, TIERS, "progressive"), "mode", "not a tier mode"),
    ((100, TIERS, "marginal", -1), "cap", "negative"),
])
def test_commission_bad_inputs(args, argument, words):
    with pytest.raises(CalcError) as err:
        commission(*args)
    assert err.value.argument == argument and words in str(err.value)


@st.composite
def ascending_tiers(draw):
    n = draw(st.integers(1, 6))
    gaps = draw(st.lists(st.floats(1, 1e6), min_size=n - 1, max_size=n - 1))
    starts = np.concatenate(([0.0], np.cumsum(gaps))) if gaps else np.array([0.0])
    rates = sorted(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    return [[s, r] for s, r in zip(starts.tolist(), rates)]


amounts = st.floats(0, 1e8, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(tiers=ascending_tiers(), a=amounts, b=amounts)
def test_marginal_is_monotone_in_amount(tiers, a, b):
    low, high = sorted((a, b))
    assert commission(low, tiers) <= commission(high, tiers) + 1e-9 * max(1.0, high)


@settings(max_examples=300, deadline=None)
@given(tiers=ascending_tiers(), a=amounts, cap=st.floats(0, 1e6))
def test_never_above_the_cap(tiers, a, cap):
    assert commission(a, tiers, "marginal", cap) <= cap
    assert commission(a, tiers, "retro", cap) <= cap


@settings(max_examples=300, deadline=None)
@given(tiers=ascending_tiers(), a=amounts)
def test_marginal_never_above_retro_with_rising_rates(tiers, a):
    assert commission(a, tiers, "marginal") <= commission(a, tiers, "retro") + 1e-9 * max(1.0, a)


# ---------------------------------------------------------------- scorecard
def test_scorecard_weighted_with_threshold_and_cap():
    # revenue 120% x 50% + new customers 90% x 30% + margin 50% (below its 60% threshold -> 0) x 20%
    # = 0.60 + 0.27 + 0 = 0.87
    assert scorecard([1.2, 0.9, 0.5], [0.5, 0.3, 0.2], [0, 0, 0.6], 1.5) == pytest.approx(0.87)
    # caps: revenue 200% counts as 150%: 1.5 x 0.5 + 1.0 x 0.5 = 1.25
    assert scorecard([2.0, 1.0], [0.5, 0.5], None, [1.5, 1.5]) == pytest.approx(1.25)


def test_scorecard_gate_zeroes_everything():
    assert scorecard([1.2, 0.4], [0.7, 0.3], gates=[0.5, 0.5]) == 0.0
    assert scorecard([1.2, 0.5], [0.7, 0.3], gates=[None, 0.5]) == pytest.approx(0.99)


def test_scorecard_blank_options_mean_none_and_percent_text_works():
    assert scorecard(["120%", "80%"], ["60%", "40%"], [None, None], [None, ""], None) == pytest.approx(1.04)


def test_scorecard_one_score_per_person():
    table = [[1.2, 0.9], [0.5, 1.1], [1.0, 1.0]]
    out = scorecard(table, [0.6, 0.4], gates=[0.6, 0])
    # 0.72 + 0.36 = 1.08; gated (0.5 < 0.6) -> 0; 1.0
    assert out.tolist() == pytest.approx([1.08, 0.0, 1.0])
    assert scorecard([[1.1], [0.9]], [[0.5], [0.5]]) == pytest.approx(1.0)   # a column of metrics is one person


@pytest.mark.parametrize("args, argument, words", [
    (([1.0, 1.0], [0.5, 0.6]), "weights", "sum to 1.1, not 1"),
    (([1.0, 1.0], [50, 50]), "weights", "enter 0.5 for 50%"),
    (([1.0, 1.0], [1.2, -0.2]), "weights", "negative"),
    (([1.0, 1.0, 1.0], [0.5, 0.5]), "attainments", "do not match"),
    (([1.0, None], [0.5, 0.5]), "attainments", "blank"),
    (([1.0, "abc"], [0.5, 0.5]), "attainments", "'abc'"),
    (([1.0, 1.0], [0.5, 0.5], [0.5, 0.5, 0.5]), "thresholds", "do not match"),
    (([1.0, 1.0], [0.5, 0.5], None, [-1, 1]), "caps", "negative"),
    (([1.0, 1.0], [0.5, 0.5], None, None, ["x", 1]), "gates", "'x'"),
])
def test_scorecard_bad_inputs(args, argument, words):
    with pytest.raises(CalcError) as err:
        scorecard(*args)
    assert err.value.argument == argument and words in str(err.value)


@st.composite
def plans(draw):
    m = draw(st.integers(1, 6))
    raw = draw(st.lists(st.integers(1, 100), min_size=m, max_size=m))
    weights = [r / sum(raw) for r in raw]
    thresholds = draw(st.lists(st.floats(0, 1), min_size=m, max_size=m))
    caps = draw(st.lists(st.floats(0.5, 3), min_size=m, max_size=m))
    gates = draw(st.lists(st.floats(0, 0.8), min_size=m, max_size=m))
    att = draw(st.lists(st.floats(0, 5), min_size=m, max_size=m))
    bump = draw(st.lists(st.floats(0, 2), min_size=m, max_size=m))
    return weights, thresholds, caps, gates, att, bump


@settings(max_examples=300, deadline=None)
@given(plan=plans())
def test_scorecard_monotone_in_attainment_and_bounded_by_cap(plan):
    weights, thresholds, caps, gates, att, bump = plan
    assume(abs(sum(weights) - 1) <= 1e-9)
    higher = [a + b for a, b in zip(att, bump)]
    low = scorecard(att, weights, thresholds, caps, gates)
    high = scorecard(higher, weights, thresholds, caps, gates)
    assert low <= high + 1e-9
    assert 0 <= high <= max(caps) + 1e-9
