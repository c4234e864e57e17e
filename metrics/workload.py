"""Next month's workload per rep: what the target leaves to new business, and the visits and calls it takes.

Rules (one funnel: the same activity records give the deal counts and the ratios):

- A = the rep's target for next month (the rep split of :mod:`.plan`).
- Existing business C = B1 won deals expected to close next month + B2 the
  rep's average monthly renewal sales over the last 3 months, times the
  season (the company's sales in next month's month last year / its average
  month over the same 3 months last year; 1 without last year's orders) + B3
  open deals expected to close next month, weighted by stage probability.
- Gap D = max(A - C, 0): what new business must bring.
- E = the average new-business order: Settings' 新客户平均单额 when filled,
  else the rep's new-business sales / new-business orders over the last 6
  months when they are enough (see sufficiency), else the team's over the
  last 12 months.
- New deals F = ceil(D / E).
- Ratios from the Activities sheet over the last 6 months: proposals per
  deal, visits per deal and calls per visit, the rep's own when the rep won
  enough deals there (see sufficiency), else the team's, else Settings' (方案:成交;
  潜在客户:成交 x 每个潜在客户拜访次数; 电话:拜访). The deals the Activities
  sheet counts are the new-business orders won.
- Proposals = ceil(F x proposals per deal), visits = ceil(F x visits per
  deal), calls = ceil(visits x calls per visit); per working day of next
  month (Settings' holidays and make-up days).
- Over capacity: a plan needing more than 1.5 x the rep's most visits in
  one of the last 6 months; the deck's title says so.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from salesdeck.metrics.orders import monthly_sales, months_of, order_ids
from salesdeck.metrics.plan import rep_plan
from salesdeck.metrics.sufficiency import enough_cases

if TYPE_CHECKING:
    from salesdeck.metrics.book import Metrics

__all__ = ["HISTORY_MONTHS", "CAPACITY_FACTOR", "new_order_value", "season", "workload"]

#: Ratios and the best month come from this many months of activity, ending with the report month.
HISTORY_MONTHS = 6
#: A plan above this multiple of the rep's best month of visits is over capacity.
CAPACITY_FACTOR = 1.5
REPEAT_MONTHS = 3


def _ceil(x: float) -> int:
    return int(math.ceil(x - 1e-9)) if x > 0 else 0


def _average_order(orders: pd.DataFrame) -> tuple[float | None, int]:
    count = order_ids(orders).nunique() if len(orders) else 0
    total = float(orders["amount"].sum())
    return (total / count if count and total > 0 else None), count


def new_order_value(m: "Metrics", rep: str | None) -> tuple[float | None, str]:
    """E for one rep and where it came from: setting, rep, team or all_orders."""
    s = m.settings
    if s.new_avg_order is not None and not pd.isna(s.new_avg_order) and s.new_avg_order > 0:
        return float(s.new_avg_order), "setting"
    own = m.memo("new orders by rep", lambda: _new_orders_by_rep(m)).get(rep)
    if own is not None and own[0] is not None and enough_cases(own[1]):
        return own[0], "rep"
    return m.memo("team new order value", lambda: _team_new_order_value(m))


def _new_orders_by_rep(m: "Metrics") -> dict:
    """rep -> (average new-business order, new-business orders) over the last 6 months."""
    recent = m.history_in(*pd.period_range(m.month - (HISTORY_MONTHS - 1), m.month, freq="M"))
    new = recent[recent["deal_type"] == "new"]
    return {rep: _average_order(rows) for rep, rows in new.groupby("rep")}


def _team_new_order_value(m: "Metrics") -> tuple[float | None, str]:
    year = m.history_in(*pd.period_range(m.month - 11, m.month, freq="M"))
    value, _ = _average_order(year[year["deal_type"] == "new"])
    if value is not None:
        return value, "team"
    value, _ = _average_order(year)
    return value, "all_orders"


def season(m: "Metrics") -> float:
    """Next month against the last 3 months, as last year went (see the module docstring); 1 without data."""
    ago = [m.month - 12 - k for k in range(REPEAT_MONTHS)]
    sales = monthly_sales(m.history_in(*ago, m.next_month - 12))
    base = sales.reindex(ago).fillna(0.0)
    if (base <= 0).any() or (m.next_month - 12) not in sales.index:
        return 1.0
    return float(sales[m.next_month - 12] / base.mean())


def _ratios(acts: pd.DataFrame, settings) -> tuple[float, float, float] | None:
    """(proposals per deal, visits per deal, calls per visit) from activity rows; None from fewer than 5 deals."""
    sums = acts[["deals", "proposals", "visits", "calls"]].sum()
    if not enough_cases(sums["deals"]) or sums["visits"] <= 0:
        return None
    proposals = sums["proposals"] / sums["deals"] if sums["proposals"] > 0 else settings.ratio_proposal_order
    calls = sums["calls"] / sums["visits"] if sums["calls"] > 0 else settings.ratio_call_visit
    return proposals, sums["visits"] / sums["deals"], calls


def workload(m: "Metrics") -> pd.DataFrame | None:
    """Per row of the rep split: A..F, the ratios and their basis, proposals, visits, calls, per working day,
    the best month of visits and whether the plan is over capacity. None without a rep split."""
    plan = rep_plan(m)
    if plan is None:
        return None
    s = m.settings
    days = m.calendar.working_days(m.next_month)
    months = pd.period_range(m.month - (HISTORY_MONTHS - 1), m.month, freq="M")
    acts = m.model.activities
    acts = acts[months_of(acts["month"]).isin(months)]
    deals = m.model.pipeline
    closing = deals[months_of(deals["expected_close"]) == m.next_month]
    recent = m.history_in(*pd.period_range(m.month - (REPEAT_MONTHS - 1), m.month, freq="M"))
    renewals = recent[recent["deal_type"] == "renewal"]
    seasonal = season(m)
    team_ratios = _ratios(acts, s)
    fallback = (s.ratio_proposal_order, s.success_ratio * s.visits_per_prospect, s.ratio_call_visit)
    monthly_visits = acts.groupby(["rep", months_of(acts["month"])])["visits"].sum()
    # each sum once per rep and per region (a whole-region row has no rep), looked up in the loop
    closing = closing.assign(won=closing["amount"].where(closing["category"] == "won", 0.0),
                             weighted=(closing["amount"] * closing["probability"]).where(closing["category"] == "open",
                                                                                         0.0))
    sums = {key: (closing.groupby(key)[["won", "weighted"]].sum(), renewals.groupby(key)["amount"].sum())
            for key in ("rep", "region")}
    acts_of = dict(tuple(acts.groupby("rep")))
    rows = []
    for _, p in plan.iterrows():
        rep = p["rep"]
        key, value = ("rep", rep) if rep is not None else ("region", p["region"])
        pipeline_sums, renewal_sums = sums[key]
        won = float(pipeline_sums["won"].get(value, 0.0))
        weighted = float(pipeline_sums["weighted"].get(value, 0.0))
        repeat = max(float(renewal_sums.get(value, 0.0)) / REPEAT_MONTHS, 0.0) * seasonal
        existing = won + repeat + weighted
        gap = max(p["target"] - existing, 0.0)
        e, e_basis = new_order_value(m, rep)
        new_deals = _ceil(gap / e) if e else None
        own = _ratios(acts_of[rep], s) if rep in acts_of else None
        ratios, basis = (own, "rep") if own else (team_ratios, "team") if team_ratios else (fallback, "settings")
        per_deal_proposals, per_deal_visits, per_visit_calls = ratios
        proposals = _ceil(new_deals * per_deal_proposals) if new_deals is not None else None
        visits = _ceil(new_deals * per_deal_visits) if new_deals is not None else None
        calls = _ceil(visits * per_visit_calls) if visits is not None else None
        best = monthly_visits.get(rep) if rep is not None else None
        best = float(best.max()) if best is not None and len(best) and best.max() > 0 else None
        rows.append({
            "rep": rep, "region": p["region"], "target": float(p["target"]), "won_closing": won, "repeat": repeat,
            "season": seasonal,
            "weighted_closing": weighted, "existing": existing, "gap": gap, "new_order_value": e,
            "new_order_basis": e_basis, "new_deals": new_deals, "proposals_per_deal": per_deal_proposals,
            "visits_per_deal": per_deal_visits, "calls_per_visit": per_visit_calls, "ratio_basis": basis,
            "proposals": proposals, "visits": visits, "calls": calls, "working_days": days,
            "visits_per_day": visits / days if visits is not None and days else None,
            "calls_per_day": calls / days if calls is not None and days else None,
            "best_month_visits": best,
            "over_capacity": bool(best and visits is not None and visits > CAPACITY_FACTOR * best),
        })
    return pd.DataFrame(rows)
