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
- What each rep's target takes in new deals, visits and calls: see
  :mod:`.workload`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from salesdeck import calc
from salesdeck.metrics.orders import months_of
from salesdeck.metrics.targets import targets_by

if TYPE_CHECKING:
    from salesdeck.metrics.book import Metrics

__all__ = ["WEIGHT_MONTHS", "Total", "next_total", "weights", "Split", "split", "rep_plan", "xun_split"]

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
    """Per (rep, region): next month's target (see the module docstring); rep None for a region without
    reps. None without a region split."""
    regions = split(m, "region")
    if regions is None:
        return None
    targets = m.model.targets
    planned = targets[(months_of(targets["month"]) == m.next_month) & targets["rep"].notna()]
    planned = planned.groupby(["region", "rep"])["target"].sum()
    sales = _window(m).groupby(["region", "rep"])["amount"].sum().clip(lower=0)
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
        for rep, amount in calc.split_by_weights(r["target"], w, m.settings.split_unit).items():
            rows.append({"rep": rep, "region": region, "target": float(amount)})
    return pd.DataFrame(rows, columns=["rep", "region", "target"])


def xun_split(m: "Metrics", lang: str = "zh") -> pd.DataFrame | None:
    """Next month's total over its 旬 by working days; None without a total. Raises CalcError when the
    holiday table leaves a 旬 without working days."""
    total = next_total(m)
    if total is None:
        return None
    return m.calendar.xun_split(total.amount, m.next_month, m.settings.split_unit, lang)
