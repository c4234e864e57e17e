"""Next month's target and its splits: by region, product line, rep and 旬; the funnel each rep needs.

Rules:

- Next month's total target is Settings' 下月目标 / next month target when
  filled, else the sum of next month's region targets on the Targets sheet;
  without either there is no next-month target, and nothing is split.
- Split weights along a dimension (region, product line) are next month's
  targets along it when the Targets sheet has any, else the sales of the
  last 3 months (ending with the report month; negative totals count 0),
  else this month's targets.
- Parts add up exactly to the total at Settings' split unit (round down, the
  leftover units to the largest remainders; see calc.split_by_weights).
- Reps: each region's part is split over the region's reps, weighted by next
  month's rep targets in the region when set, else by each rep's sales in
  the region over the last 3 months. A region without either keeps one row
  for the whole region (no rep).
- 旬: the total over 上旬 (1-10), 中旬 (11-20), 下旬 (21-end) by working days.
- Funnel per rep: orders = ceil(target / average order), then proposals,
  visits and calls by Settings' ratios (rounded up at every stage). The
  average order is the rep's sales / orders over the last 3 months (orders
  counted as in :mod:`.orders`), else the team's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from salesdeck import calc
from salesdeck.errors import CalcError
from salesdeck.metrics.orders import months_of, order_ids
from salesdeck.metrics.targets import targets_by

if TYPE_CHECKING:
    from salesdeck.metrics.book import Metrics

__all__ = ["WEIGHT_MONTHS", "Total", "next_total", "weights", "Split", "split", "rep_plan", "xun_split", "new_order_value",
           "gap_plan"]

#: Split weights come from this many months of sales, ending with the report month.
WEIGHT_MONTHS = 3


@dataclass(frozen=True)
class Total:
    amount: float
    source: str  # "setting" or "next_targets"


def next_total(m: "Metrics") -> Total | None:
    """Next month's total target (see the module docstring); None when there is none."""
    s = m.settings
    if s.next_month_target is not None and not pd.isna(s.next_month_target) and s.next_month_target > 0:
        return Total(float(s.next_month_target), "setting")
    amount = float(targets_by(m.model.targets, m.next_month, "region").sum())
    return Total(amount, "next_targets") if amount > 0 else None


def _window(m: "Metrics") -> pd.DataFrame:
    return m.history_in(*pd.period_range(m.month - (WEIGHT_MONTHS - 1), m.month, freq="M"))


def weights(m: "Metrics", dim: str) -> tuple[pd.Series, str]:
    """Split weights per region or product line and their basis: next_targets, sales or this_targets."""
    planned = targets_by(m.model.targets, m.next_month, dim)
    planned = planned[planned > 0]
    if len(planned):
        return planned.sort_index(), "next_targets"
    sales = _window(m).groupby(dim)["amount"].sum().clip(lower=0)
    sales = sales[sales > 0]
    if len(sales):
        return sales.sort_index(), "sales"
    current = targets_by(m.model.targets, m.month, dim)
    current = current[current > 0]
    return current.sort_index(), "this_targets"


@dataclass(frozen=True)
class Split:
    total: Total
    basis: str                 # what the weights are: next_targets, sales or this_targets
    parts: pd.DataFrame        # index unit; weight, target; largest target first (ties by name)


def split(m: "Metrics", dim: str) -> Split | None:
    """Next month's total split along ``dim``; None without a total or without weights."""
    total = next_total(m)
    if total is None:
        return None
    w, basis = weights(m, dim)
    if w.empty:
        return None
    parts = calc.split_by_weights(total.amount, w, m.settings.split_unit)
    frame = pd.DataFrame({"weight": w, "target": parts})
    frame["name"] = [str(i) for i in frame.index]
    frame = frame.sort_values(["target", "name"], ascending=[False, True], kind="stable")
    return Split(total, basis, frame)


def rep_plan(m: "Metrics") -> pd.DataFrame | None:
    """Per (rep, region): next month's target, average order, and the orders, proposals, visits and calls
    it takes (see the module docstring); rep None for a region without reps. None without a region split."""
    regions = split(m, "region")
    if regions is None:
        return None
    s = m.settings
    window = _window(m)
    targets = m.model.targets
    planned = targets[(months_of(targets["month"]) == m.next_month) & targets["rep"].notna()]
    planned = planned.groupby(["region", "rep"])["target"].sum()
    sales = window.groupby(["region", "rep"])["amount"].sum().clip(lower=0)
    ids = order_ids(window)
    counts = window.assign(_id=ids).groupby("rep")["_id"].nunique()
    rep_sales = window.groupby("rep")["amount"].sum()
    team_orders = ids.nunique()
    team_avg = float(window["amount"].sum() / team_orders) if team_orders and window["amount"].sum() > 0 else None
    planned_in = {region: w.droplevel(0) for region, w in planned.groupby(level=0)}
    sales_in = {region: w.droplevel(0) for region, w in sales.groupby(level=0)}
    rows = []
    for region, r in regions.parts.iterrows():
        w = planned_in.get(region)
        if w is None or w.sum() <= 0:
            w = sales_in.get(region)
        if w is None or (w > 0).sum() == 0:
            rows.append({"rep": None, "region": region, "target": r["target"]})
            continue
        w = w[w > 0].sort_index()
        for rep, amount in calc.split_by_weights(r["target"], w, s.split_unit).items():
            rows.append({"rep": rep, "region": region, "target": float(amount)})
    plan = pd.DataFrame(rows)
    avgs, funnels = [], []
    for _, p in plan.iterrows():
        avg = rep_sales.get(p["rep"], 0.0) / counts[p["rep"]] if p["rep"] in counts.index else None
        avg = avg if avg and avg > 0 else team_avg
        avgs.append(avg)
        try:
            funnels.append(calc.funnel_back(p["target"], avg, s.funnel_ratios) if avg else [None] * 4)
        except CalcError:
            funnels.append([None] * 4)
    plan["avg_order"] = avgs
    plan[["orders", "proposals", "visits", "calls"]] = pd.DataFrame(funnels, index=plan.index)
    return plan


def xun_split(m: "Metrics", lang: str = "zh") -> pd.DataFrame | None:
    """Next month's total over its 旬 by working days; None without a total. Raises CalcError when the
    holiday table leaves a 旬 without working days."""
    total = next_total(m)
    if total is None:
        return None
    return m.calendar.xun_split(total.amount, m.next_month, m.settings.split_unit, lang)


def new_order_value(m: "Metrics") -> float | None:
    """The average new-business order: Settings' 新客户平均订单 when filled, else the new-business sales
    of the last 12 months / their orders, else every order's average over those months."""
    s = m.settings
    if s.new_avg_order is not None and not pd.isna(s.new_avg_order) and s.new_avg_order > 0:
        return float(s.new_avg_order)
    year = m.history_in(*pd.period_range(m.month - 11, m.month, freq="M"))
    for rows in (year[year["deal_type"] == "new"], year):
        orders = order_ids(rows).nunique()
        if orders and rows["amount"].sum() > 0:
            return float(rows["amount"].sum() / orders)
    return None


def gap_plan(m: "Metrics") -> pd.DataFrame | None:
    """The gap plan (循后计划, seed 003) for each row of :func:`rep_plan`: what new customers must bring.

    A = next month's target; B1 = won deals expected to close next month;
    B2 = the average monthly renewal sales of the last 3 months; B3 = the
    weighted open deals expected to close next month (each for the rep, or
    the region on a whole-region row); E = :func:`new_order_value`; G and I
    from Settings; working days of next month. None without a rep plan or E.
    """
    plan = rep_plan(m)
    e = new_order_value(m)
    if plan is None or e is None:
        return None
    s = m.settings
    days = m.calendar.working_days(m.next_month)
    deals = m.model.pipeline
    closing = deals[months_of(deals["expected_close"]) == m.next_month]
    recent = _window(m)
    renewals = recent[recent["deal_type"] == "renewal"]
    rows = []
    for _, p in plan.iterrows():
        key, value = ("rep", p["rep"]) if p["rep"] is not None else ("region", p["region"])
        mine = closing[closing[key] == value]
        won = float(mine.loc[mine["category"] == "won", "amount"].sum())
        live = mine[mine["category"] == "open"]
        weighted = float((live["amount"] * live["probability"]).sum())
        repeat = max(float(renewals.loc[renewals[key] == value, "amount"].sum()) / WEIGHT_MONTHS, 0.0)
        figures = calc.gap_plan(p["target"], won, repeat, weighted, e, s.success_ratio, s.visits_per_prospect, days)
        rows.append({"rep": p["rep"], "region": p["region"], **figures})
    return pd.DataFrame(rows)
