"""Sales data analysis: the activity funnel, win rate by lead channel, new vs renewal, order value, dependency.

Rules:

- The activity funnel sums the month's activity rows per stage (calls,
  visits, effective visits, proposals, quotes, trials, deals), skipping
  stages nobody filled; step conversion = a stage / the stage before it.
- Win rate by lead channel = won / (won + lost) opportunities, over every
  row of the pipeline sheet. Only channels with enough closed
  opportunities are compared (best / worst); see sufficiency.
- Average order value (客单价) per month = sales / orders (orders counted as
  in :mod:`.orders`), for the 13 months ending with the report month.
- Dependency: the share of the last 12 months' positive sales that the top
  20% of customers (at least one) and the top 5 customers bring.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesdeck import calc
from salesdeck.metrics.orders import monthly_sales, order_counts, sum_by
from salesdeck.metrics.sufficiency import enough_cases

if TYPE_CHECKING:
    from salesdeck.metrics.book import Metrics

__all__ = ["FUNNEL_STAGES", "TOP_CUSTOMER_FRACTION", "funnel", "conversion", "new_renewal", "order_value",
           "Funnel", "Conversion", "NewRenewal", "OrderValue"]

#: Activity columns in funnel order (calls -> ... -> deals).
FUNNEL_STAGES = ("calls", "visits", "effective_visits", "proposals", "quotes", "trials", "deals")
#: "Top customers" for the dependency check: the top 20% (80/20 rule).
TOP_CUSTOMER_FRACTION = 0.2


@dataclass(frozen=True)
class Funnel:
    counts: pd.Series           # stage -> total, funnel order
    conversion: list            # per stage: this stage / the one before (None for the first)
    worst: int | None           # index of the stage with the lowest step conversion


def funnel(m: "Metrics") -> Funnel | None:
    """The month's activity funnel; None without two filled stages and a first stage above 0."""
    acts = m.activities_in()
    counts = pd.Series({s: float(acts[s].sum()) for s in FUNNEL_STAGES if acts[s].notna().any()}, dtype=float)
    if acts.empty or len(counts) < 2 or counts.iloc[0] <= 0:
        return None
    conversion = [None] + [float(counts.iloc[i] / counts.iloc[i - 1]) if counts.iloc[i - 1] > 0 else None
                           for i in range(1, len(counts))]
    steps = [(c, i) for i, c in enumerate(conversion) if c is not None]
    worst = min(steps, key=lambda x: (x[0], x[1]))[1] if steps else None
    return Funnel(counts, conversion, worst)


@dataclass(frozen=True)
class Conversion:
    grid: pd.DataFrame      # index lead source key ("~" = not filled), columns open, won, lost
    rate: dict              # source -> win rate or None (nothing closed)
    closed: dict            # source -> closed (won + lost) opportunities: the cases a rate rests on
    won_amount: pd.Series   # source -> won amount
    overall: float | None
    opportunities: int
    best: object | None     # the comparable source with the highest rate (ties by key), None when < 2 comparable
    worst: object | None


def conversion(m: "Metrics") -> Conversion | None:
    """Opportunities, won, lost, open and win rate per lead channel; None without a pipeline."""
    from salesdeck.workbook import contract

    pipe = m.model.pipeline
    if pipe.empty:
        return None
    frame = pipe.assign(source=pipe["lead_source"].fillna("~"))
    grid = pd.crosstab(frame["source"], frame["category"]).reindex(columns=["open", "won", "lost"], fill_value=0)
    order = [c.key for c in contract.TABLES["pipeline"].column("lead_source").choices]
    grid = grid.reindex([k for k in order if k in grid.index] + sorted(k for k in grid.index if k not in order))
    closed = grid["won"] + grid["lost"]
    rate = {k: float(grid.at[k, "won"] / closed[k]) if closed[k] > 0 else None for k in grid.index}
    won_amount = frame[frame["category"] == "won"].groupby("source")["amount"].sum()
    total_closed = int(closed.sum())
    overall = float(grid["won"].sum() / total_closed) if total_closed else None
    comparable = sorted(((rate[k], str(k), k) for k in grid.index if enough_cases(closed[k])),
                        key=lambda x: (-x[0], x[1]))
    best, worst = (comparable[0][2], comparable[-1][2]) if len(comparable) >= 2 else (None, None)
    return Conversion(grid, rate, {k: int(closed[k]) for k in grid.index}, won_amount, overall, len(pipe), best,
                      worst)


@dataclass(frozen=True)
class NewRenewal:
    by_region: pd.DataFrame        # rows region (largest first), columns new / renewal / "~" (not filled)
    by_product_line: pd.DataFrame
    totals: pd.Series              # kind -> sales
    new_share: float | None        # new business share of positive sales
    region_new_share: dict         # region -> new share


def _kind_grid(month_orders: pd.DataFrame, by: str) -> pd.DataFrame:
    frame = month_orders.assign(kind=month_orders["deal_type"].fillna("~"))
    grid = frame.pivot_table(index=by, columns="kind", values="amount", aggfunc="sum", fill_value=0.0)
    kinds = [k for k in ("new", "renewal", "~") if k in grid.columns]
    grid = grid.reindex(columns=kinds)
    return grid.loc[sorted(grid.index, key=lambda k: (-grid.loc[k].sum(), str(k)))]


def new_renewal(m: "Metrics") -> NewRenewal:
    """The month's sales split into new business and renewals, by region and by product line."""
    month_orders = m.month_orders
    regions = _kind_grid(month_orders, "region")
    lines = _kind_grid(month_orders, "product_line")
    totals = month_orders.assign(kind=month_orders["deal_type"].fillna("~")).groupby("kind")["amount"].sum()
    positive = totals.clip(lower=0)
    new_share = float(calc.top_share(positive, len(totals))["share"].get("new", 0.0)) if positive.sum() > 0 else None
    region_share = {}
    if "new" in regions.columns:
        for region, row in regions.iterrows():
            if row.clip(lower=0).sum() > 0:
                region_share[str(region)] = float(calc.top_share(row.clip(lower=0), len(row))["share"]["new"])
    return NewRenewal(regions, lines, totals, new_share, region_share)


@dataclass(frozen=True)
class OrderValue:
    months: pd.PeriodIndex
    aov: pd.Series                 # per month, NaN without orders
    mom: float | None
    customers: int                 # customers with positive sales in the last 12 months
    top20_share: float | None
    top5: pd.DataFrame | None      # the top 5 customers: value, share


def order_value(m: "Metrics") -> OrderValue:
    """Average order value over 13 months, and the top customers' share of the last 12 months."""
    months = pd.period_range(m.month - 12, m.month, freq="M")
    window = m.history_in(*months)
    sales = monthly_sales(window).reindex(months)
    counts = order_counts(window).reindex(months)
    aov = pd.Series(np.where(counts > 0, sales / counts.where(counts > 0), np.nan), index=months)
    change = calc.mom_yoy(aov).loc[m.month]
    year = m.history_in(*pd.period_range(m.month - 11, m.month, freq="M"))
    customers = sum_by(year, "customer").clip(lower=0)
    top20 = top5 = None
    if customers.sum() > 0:
        n20 = max(1, calc.ceil_count(len(customers) * TOP_CUSTOMER_FRACTION))
        top20 = float(calc.top_share(customers, n20)["share"].sum())
        top5 = calc.top_share(customers, 5)
    mom = None if pd.isna(change["mom"]) else float(change["mom"])
    return OrderValue(months, aov, mom, len(customers), top20, top5)
