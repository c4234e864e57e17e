"""Scoping one workbook to a region, rep or product line, and the one-page-per-part review."""

from __future__ import annotations

import pytest

from salesdeck.errors import SalesdeckError
from salesdeck.generator.parts.analysis import analyze
from salesdeck.jobs.scope import compact, restrict, split_values
from salesdeck.workbook.author.sample import generate


@pytest.fixture(scope="module")
def model():
    return generate(seed=7, rows=1200)


def test_split_values_are_the_regions_reps_and_lines_in_the_orders(model):
    assert split_values(model, "region") == sorted(set(model.orders["region"]))
    assert split_values(model, "product_line") == sorted(set(model.orders["product_line"]))
    assert set(model.orders["rep"]) <= set(split_values(model, "rep"))


def test_region_scope_keeps_only_that_regions_orders_and_targets(model):
    east = restrict(model, "region", "华东")
    assert set(east.orders["region"]) == {"华东"}
    assert east.orders["amount"].sum() == pytest.approx(model.orders.loc[model.orders["region"] == "华东", "amount"].sum())
    assert set(east.targets["region"].dropna()) == {"华东"}
    assert len(east.targets) > 0
    assert east.settings.company.endswith(" · 华东")


def test_regions_partition_the_orders(model):
    total = sum(restrict(model, "region", r).orders["amount"].sum() for r in split_values(model, "region"))
    assert total == pytest.approx(model.orders["amount"].sum())


def test_rep_scope_keeps_that_reps_pipeline_and_activities(model):
    rep = model.orders["rep"].iloc[0]
    scoped = restrict(model, "rep", rep)
    assert set(scoped.orders["rep"]) == {rep}
    assert set(scoped.pipeline["rep"]) <= {rep} and len(scoped.pipeline) == (model.pipeline["rep"] == rep).sum()
    assert set(scoped.activities["rep"]) == {rep}
    customers = set(scoped.orders["customer"])
    assert set(scoped.receivables["customer"]) <= customers | set(model.receivables.loc[model.receivables["rep"] == rep, "customer"])


def test_original_model_is_untouched(model):
    before = len(model.orders)
    restrict(model, "product_line", model.orders["product_line"].iloc[0])
    assert len(model.orders) == before


def test_unknown_split_key_is_a_clear_error(model):
    with pytest.raises(SalesdeckError, match="cannot split by 'team'"):
        split_values(model, "team")


def test_compact_keeps_one_slide_per_part(model):
    spec = analyze(restrict(model, "rep", model.orders["rep"].iloc[0]), "zh")
    short = compact(spec)
    assert [p.title for p in short.parts] == [p.title for p in spec.parts]
    for full, one in zip(spec.parts, short.parts):
        assert len(one.slides) == min(1, len(full.slides))
        if one.slides and any(s.kind != "empty" for s in full.slides):
            assert one.slides[0].kind != "empty"
