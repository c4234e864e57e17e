"""Targets per month x rep x product line, and the Settings that go with them.

A month's targets follow the sales the reps were expected to make there (70%
the cell's own sales, 30% its average month), scaled per region so that each
region's attainment is a chosen value: around 96% in past months, and in the
report month the values of ``names.REGIONS`` (two regions green, two amber,
the Southwest red). Next month asks the report month's targets again, grown by
the months' weights (more working days, the stronger season).
Settings' funnel ratios (proposals per deal, visits per proposal, calls per
visit) are the team's own over the last six months.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from salesdeck.workbook import contract, model
from salesdeck.workbook.author.sample import names as N
from salesdeck.workbook.author.sample.activities import Funnel
from salesdeck.workbook.author.sample.orders import Orders
from salesdeck.workbook.author.sample.world import World

__all__ = ["targets", "settings", "settings_table"]

UNIT = 1000.0
#: Settings' funnel ratios are the team's over this many months.
RATIO_MONTHS = 6


def targets(world: World, orders: Orders) -> pd.DataFrame:
    """One row per month x rep x product line (next month included), whole thousands, never zero."""
    rng = world.rng
    n_m, n_r, n_l = len(world.months), len(world.reps), len(world.lines)
    key = (orders.month * n_r + orders.rep) * n_l + orders.line
    actual = np.bincount(key, weights=orders.amount, minlength=n_m * n_r * n_l).reshape(n_m, n_r, n_l).clip(min=0)
    typical = actual.mean(axis=0, keepdims=True)
    plan = np.where(actual > 0, 0.7 * actual + 0.3 * typical, typical)
    plan = plan * rng.normal(1.0, 0.08, plan.shape).clip(0.8, 1.2)
    design = rng.normal(0.96, 0.07, (n_m, len(N.REGIONS))).clip(0.8, 1.12)
    design[-1] = [r[2] for r in N.REGIONS]
    target = np.empty_like(plan)
    for region in range(len(N.REGIONS)):
        reps = world.rep_region == region
        sold = actual[:, reps].sum(axis=(1, 2))
        planned = plan[:, reps].sum(axis=(1, 2))
        factor = np.where(planned > 0, sold / design[:, region] / np.where(planned > 0, planned, 1), 0.0)
        target[:, reps] = plan[:, reps] * factor[:, None, None]
    target = np.maximum(np.round(target / UNIT), 1) * UNIT
    weights = world.month_weights(n_m + 1)
    upcoming = np.round(target[-1] * weights[-1] / weights[-2] / UNIT) * UNIT
    cells = np.concatenate([target, upcoming[None]]).reshape(-1)
    month = np.repeat(np.arange(n_m + 1), n_r * n_l)
    rep = np.tile(np.repeat(np.arange(n_r), n_l), n_m + 1)
    line = np.tile(np.arange(n_l), (n_m + 1) * n_r)
    months = world.months.append(pd.DatetimeIndex([world.next_month]))
    return pd.DataFrame({"month": months[month], "region": world.regions[world.rep_region[rep]], "rep": world.reps[rep],
                         "product_line": world.lines[line], "target": cells})


def settings(world: World, targets: pd.DataFrame, orders: Orders, funnel: Funnel) -> model.Settings:
    """Company, month and presenter; next month's target is the Targets sheet's; the new-business
    average order is the report month's; the funnel ratios are the team's over the last six months."""
    nxt = float(targets.loc[targets["month"] == world.next_month, "target"].sum())
    new = orders.new & (orders.month == len(world.months) - 1) & (orders.amount > 0)
    new_avg = float(orders.amount[new].mean()) if new.any() else 20000.0
    defaults = model.Settings()
    return model.Settings(
        company=world.text(N.COMPANY), month=world.report.date(), presenter=world.text(N.PRESENTER),
        currency="CNY", language=world.lang, split_unit=UNIT, next_month_target=nxt,
        commission_cap=60000.0, bonus_base=5000.0, new_avg_order=round(new_avg, -2),
        ratio_proposal_order=_ratio(funnel, "proposals", "deals", defaults.ratio_proposal_order),
        ratio_visit_proposal=_ratio(funnel, "visits", "proposals", defaults.ratio_visit_proposal),
        ratio_call_visit=_ratio(funnel, "calls", "visits", defaults.ratio_call_visit),
    )


def _ratio(funnel: Funnel, upper: str, lower: str, default: float) -> float:
    """The team's ``upper`` per ``lower`` over the last six months, to one decimal (the default without any)."""
    below = funnel.counts[lower][:, -RATIO_MONTHS:].sum()
    return round(float(funnel.counts[upper][:, -RATIO_MONTHS:].sum() / below), 1) if below else default


def settings_table(values: model.Settings) -> pd.DataFrame:
    """The Settings sheet: every setting with its value."""
    rows = [{"setting": c.key, "value": _setting_text(getattr(values, c.key)), "note": None}
            for c in contract.SETTING_KEYS]
    return model.conform("settings", pd.DataFrame(rows))


def _setting_text(value: object) -> object:
    """A Settings value as stored in the settings table's value column."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
