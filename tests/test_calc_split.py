"""Largest-remainder split: exact sums, multiples of the unit, documented tie-breaks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdeck.calc import split_by_weights, split_total
from salesdeck.errors import CalcError


def test_three_equal_parts_leftover_goes_to_the_first_row():
    assert split_total(100, [1, 1, 1]).tolist() == [34.0, 33.0, 33.0]


def test_ties_go_to_earlier_rows():
    # 10 units over 4 equal weights: quotas 2.5 each, 2 leftover units -> rows 1 and 2
    assert split_total(10, [1, 1, 1, 1]).tolist() == [3.0, 3.0, 2.0, 2.0]


def test_leftover_goes_to_largest_remainder_not_largest_weight():
    # 10 units, weights 1:2:3:4 of 10 -> quotas 1, 2, 3, 4 exactly; with 11 units:
    # quotas 1.1, 2.2, 3.3, 4.4 -> floors 1, 2, 3, 4 (10) -> 1 leftover to remainder .4 (row 4)
    assert split_total(11, [1, 2, 3, 4]).tolist() == [1.0, 2.0, 3.0, 5.0]
    # 7 units over 5:3:2 -> quotas 3.5, 2.1, 1.4 -> floors 3, 2, 1 -> leftover 1 to .5 (row 1)
    assert split_total(700, [5, 3, 2], unit=100).tolist() == [400.0, 200.0, 100.0]


def test_region_split_in_hundreds():
    assert split_total(1_000_000, [0.35, 0.25, 0.2, 0.2], unit=100).tolist() == [350000.0, 250000.0, 200000.0,
                                                                                  200000.0]
    # 123,456 in hundreds over 1:1:1: 1234 units -> 412, 411, 411; the odd 56 to the first (largest, earliest)
    assert split_total(123_456, [1, 1, 1], unit=100).tolist() == [41256.0, 41100.0, 41100.0]


def test_odd_amount_goes_to_largest_weight_earliest_if_tied():
    assert split_total(1050, [1, 2], unit=100).tolist() == [300.0, 750.0]
    assert split_total(1050, [2, 2, 1], unit=100).tolist() == [450.0, 400.0, 200.0]


def test_zero_weight_gets_nothing_and_zero_total_gives_zeros():
    assert split_total(10, [0, 1, 0, 1]).tolist() == [0.0, 5.0, 0.0, 5.0]
    assert split_total(0, [1, 2]).tolist() == [0.0, 0.0]


def test_float_noise_never_moves_a_unit():
    assert split_total(10, [0.1, 0.2, 0.7]).tolist() == [1.0, 2.0, 7.0]
    assert split_total(0.3, [1, 2], unit=0.1).tolist() == [0.1, 0.2]
    # 1/3-ish weights typed as percentages tie exactly: the earlier row wins the odd unit
    assert split_total(100, [0.3333, 0.3333, 0.3333]).tolist() == [34.0, 33.0, 33.0]


def test_fractional_unit_rounds_to_cents():
    parts = split_total(100, [1, 1, 1], unit=0.01)
    assert parts.tolist() == [33.34, 33.33, 33.33]
    assert math.isclose(parts.sum(), 100, abs_tol=1e-9)


def test_shape_of_weights_is_kept():
    assert split_total(100, [[1], [1]]).tolist() == [[50.0], [50.0]]
    assert split_total(100, [[1, 3]]).tolist() == [[25.0, 75.0]]
    assert split_total(100, 7).shape == ()


def test_numeric_text_is_accepted():
    assert split_total("12,000", ["50%", "50%"], "1,000").tolist() == [6000.0, 6000.0]


def test_split_by_weights_keeps_the_index():
    weights = pd.Series({"华东": 5, "华南": 3, "华北": 2}, name="weight")
    parts = split_by_weights(1000, weights, 100)
    assert parts.to_dict() == {"华东": 500.0, "华南": 300.0, "华北": 200.0}
    assert parts.name == "weight"
    with pytest.raises(CalcError, match="weights"):
        split_by_weights(1000, [5, 3, 2], 100)


@pytest.mark.parametrize("kwargs, argument, words", [
    (dict(total=100, weights=[1, -1]), "weights", "negative"),
    (dict(total=100, weights=[0, 0]), "weights", "all weights are zero"),
    (dict(total=100, weights=[1, None]), "weights", "blank"),
    (dict(total=100, weights=[1, float("nan")]), "weights", "blank"),
    (dict(total=100, weights=[1, "abc"]), "weights", "'abc'"),
    (dict(total=100, weights=[]), "weights", "empty"),
    (dict(total=-100, weights=[1]), "total", "negative"),
    (dict(total="lots", weights=[1]), "total", "'lots'"),
    (dict(total=None, weights=[1]), "total", "required"),
    (dict(total=100, weights=[1], unit=0), "unit", "above 0"),
    (dict(total=100, weights=[1], unit=-5), "unit", "above 0"),
    (dict(total=1e20, weights=[1], unit=1), "unit", "too many"),
])
def test_bad_inputs_name_the_argument(kwargs, argument, words):
    with pytest.raises(CalcError) as err:
        split_total(**kwargs)
    assert err.value.argument == argument
    assert words in str(err.value)


weights_lists = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
                         min_size=1, max_size=40).filter(lambda w: sum(w) > 0)
units = st.sampled_from([1, 10, 100, 1000])


@settings(max_examples=300, deadline=None)
@given(total_units=st.integers(0, 10**9), unit=units, weights=weights_lists)
def test_split_sums_exactly_never_negative_and_in_units(total_units, unit, weights):
    total = total_units * unit
    parts = split_total(total, weights, unit)
    assert parts.sum() == total
    assert (parts >= 0).all()
    assert (np.mod(parts, unit) == 0).all()
    # largest remainder: every part is within one unit of its exact share
    exact = total * np.array(weights) / math.fsum(weights)
    assert (np.abs(parts - exact) < unit * (1 + 1e-9)).all()


@settings(max_examples=200, deadline=None)
@given(total=st.integers(0, 10**9), unit=units, weights=weights_lists)
def test_odd_totals_still_sum_exactly(total, unit, weights):
    parts = split_total(total, weights, unit)
    assert parts.sum() == total
    assert (parts >= 0).all()
    off_unit = np.mod(parts, unit) != 0
    assert off_unit.sum() <= 1  # only the largest weight carries the odd amount
    if off_unit.any():
        assert int(np.flatnonzero(off_unit)[0]) == int(np.argmax(weights))


@settings(max_examples=200, deadline=None)
@given(total_units=st.integers(0, 10**7), unit=units, n=st.integers(1, 50), weight=st.floats(0.01, 1e4))
def test_equal_weights_differ_by_at_most_one_unit(total_units, unit, n, weight):
    parts = split_total(total_units * unit, [weight] * n, unit)
    assert parts.max() - parts.min() <= unit
    # and the larger parts come first (ties go to earlier rows)
    assert (np.diff(parts) <= 0).all()
