"""Sales against target: the month's KPIs, attainment by unit, the MoM bridge, channels, tiers, products.

Rules:

- Sales of the month = the sum of its order amounts. The target = the sum
  of the region targets (see :mod:`.targets`).
- Attainment = sales / target; RAG from Settings' bands (red below the red
  band, green at or above the green band, amber between).
- MoM / YoY: this month's sales against last month's and the same month last
  year; blank when the month compared with has no sales.
- One average per deck: the company's attainment (all of the month's sales
  / the sum of the region targets). A unit's deviation is its attainment
  minus the company's, in percentage points; units below it are "below
  average".
- Attainment by unit covers the units with a target above 0.
- Shares (tiers, top products) are of the month's positive sales.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesdeck import calc
from salesdeck.metrics.orders import months_of, sum_by
from salesdeck.metrics.targets import targets_by

if TYPE_CHECKING:
    from salesdeck.metrics.book import Metrics

__all__ = ["Kpis", "kpis", "Units", "attainment_by", "Ranking", "units_with_target", "bridge", "channels", "tiers", "top_products",
           "last_two_months", "TOP_PRODUCTS"]

TOP_PRODUCTS = 3


def _value(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


@dataclass(frozen=True)
class Kpis:
    sales: float
    target: float | None
    attainment: float | None
    rag: str | None
    variance: float | None
    mom: float | None
    yoy: float | None
    previous_month: float | None
    last_year: float | None


def kpis(m: "Metrics") -> Kpis:
    """The month's sales, target, attainment, RAG, MoM and YoY."""
    actual = float(m.month_orders["amount"].sum())
    targets = targets_by(m.model.targets, m.month, "region")
    target = float(targets.sum()) if len(targets) else None
    att = calc.attainment(actual, target) if target else None
    rag = calc.rag(att, m.settings.rag_bands) if att is not None else None
    history = m.history
    monthly = history.groupby(months_of(history["date"]))["amount"].sum().sort_index() if len(history) \
        else pd.Series(dtype=float, index=pd.PeriodIndex([], freq="M"))
    if m.month not in monthly.index:
        monthly.loc[m.month] = 0.0
        monthly = monthly.sort_index()
    change = calc.mom_yoy(monthly).loc[m.month]
    return Kpis(actual, target, att, rag, actual - target if target else None, _value(change["mom"]),
                _value(change["yoy"]), _value(change["previous_month"]), _value(change["last_year"]))


@dataclass(frozen=True)
class Units:
    """Sales against target of every unit along one dimension (region, rep, product line)."""

    table: pd.DataFrame        # index unit (by name): actual, target, attainment, variance, rag
    actual: float              # all of the month's sales
    target: float | None       # the sum of the units' targets
    attainment: float | None
    rag: str | None


def attainment_by(m: "Metrics", dim: str) -> Units:
    """Every unit with sales or a target this month, sorted by name, and the totals.

    Units without a target above 0 have NaN attainment and variance and no RAG.
    """
    actual = m.month_orders.groupby(dim)["amount"].sum()
    target = targets_by(m.model.targets, m.month, dim)
    keys = sorted(set(actual.index) | set(target.index), key=str)
    act = actual.reindex(keys).fillna(0.0).to_numpy(dtype=float)
    tgt = target.reindex(keys).to_numpy(dtype=float)
    has = np.isfinite(tgt) & (tgt > 0)
    att = np.full(len(keys), np.nan)
    rag = np.full(len(keys), None, dtype=object)
    if has.any():
        att[has] = calc.attainment(act[has], tgt[has])
        rag[has] = np.asarray(calc.rag(att[has], m.settings.rag_bands), dtype=object).ravel()
    table = pd.DataFrame({"actual": act, "target": tgt, "attainment": att, "variance": act - tgt, "rag": rag},
                         index=pd.Index(keys, name=dim))
    total_actual = float(m.month_orders["amount"].sum())
    total_target = float(np.nansum(tgt)) if np.isfinite(tgt).any() else None
    total_att = calc.attainment(total_actual, total_target) if total_target else None
    total_rag = calc.rag(total_att, m.settings.rag_bands) if total_att is not None else None
    return Units(table, total_actual, total_target, total_att, total_rag)


@dataclass(frozen=True)
class Ranking:
    table: pd.DataFrame        # units with a target, best first: actual, target, attainment, rag, deviation, name
    overall: float | None      # the company's attainment (the KPI): what deviations are measured from
    overall_rag: str | None

    @property
    def empty(self) -> bool:
        return self.table.empty


def units_with_target(m: "Metrics", dim: str) -> Ranking:
    """The units with a target above 0, best attainment first (ties by name), each with its deviation:
    its attainment minus the company's, in percentage points (as a fraction: 0.183 = 18.3 points)."""
    targets = targets_by(m.model.targets, m.month, dim)
    targets = targets[targets > 0]
    k = m.kpis
    if targets.empty:
        return Ranking(pd.DataFrame(), k.attainment, k.rag)
    actual = m.month_orders.groupby(dim)["amount"].sum().reindex(targets.index, fill_value=0.0)
    table = calc.attainment_table(actual, targets, m.settings.rag_bands)
    table["deviation"] = table["attainment"] - k.attainment if k.attainment is not None else np.nan
    table["name"] = [str(i) for i in table.index]
    table = table.sort_values(["attainment", "name"], ascending=[False, True], kind="stable")
    return Ranking(table, k.attainment, k.rag)


def last_two_months(m: "Metrics", by: str) -> tuple[pd.DataFrame, pd.Period]:
    """Sales per ``by`` (rows) for last month and this month (columns), and last month's period."""
    previous = m.month - 1
    window = m.history_in(previous, m.month)
    frame = window.assign(period=months_of(window["date"]))
    grid = frame.pivot_table(index=by, columns="period", values="amount", aggfunc="sum", fill_value=0.0)
    return grid.reindex(columns=[previous, m.month], fill_value=0.0), previous


@dataclass(frozen=True)
class Bridge:
    previous: pd.Period
    before: float
    now: float
    change: pd.Series  # per region, largest increase first


def bridge(m: "Metrics") -> Bridge | None:
    """Last month's sales, each region's change, this month's sales; None without last month's sales."""
    grid, previous = last_two_months(m, "region")
    before, now = float(grid[previous].sum()), float(grid[m.month].sum())
    if not len(grid) or before == 0:
        return None
    change = (grid[m.month] - grid[previous]).sort_values(ascending=False, kind="stable")
    return Bridge(previous, before, now, change)


def _in_choice_order(sums: pd.Series, table: str, column: str) -> pd.Series:
    from salesdeck.workbook import contract

    order = [c.key for c in contract.TABLES[table].column(column).choices]
    keys = [k for k in order if k in sums.index] + sorted(k for k in sums.index if k not in order)
    return sums.reindex(keys)


@dataclass(frozen=True)
class Channels:
    previous: pd.Period
    grid: pd.DataFrame           # index channel key (choice order), columns now, before
    mom: dict                    # channel -> MoM change or None
    total: float                 # this month's sales over all channels


def channels(m: "Metrics") -> Channels:
    """Sales per channel this month and last month, with MoM change."""
    grid, previous = last_two_months(m, "channel")
    grid = _in_choice_order(grid[m.month], "orders", "channel").to_frame("now").join(grid[previous].rename("before"))
    mom = {}
    for key, row in grid.iterrows():
        pair = pd.Series([row["before"], row["now"]], index=pd.PeriodIndex([previous, m.month]))
        mom[key] = _value(calc.mom_yoy(pair)["mom"].iloc[-1])
    return Channels(previous, grid, mom, float(grid["now"].sum()))


@dataclass(frozen=True)
class Tiers:
    sums: pd.Series    # per tier key ("~" = not filled), choice order
    shares: pd.Series  # share of positive sales, largest first


def tiers(m: "Metrics") -> Tiers:
    """Sales per customer tier (blank tier as "~") and each tier's share."""
    frame = m.month_orders.assign(tier=m.month_orders["tier"].fillna("~"))
    sums = _in_choice_order(frame.groupby("tier")["amount"].sum(), "orders", "tier")
    positive = sums.clip(lower=0)
    shares = calc.top_share(positive, len(positive))["share"] if positive.sum() > 0 else positive * np.nan
    return Tiers(sums, shares)


@dataclass(frozen=True)
class Products:
    sums: pd.Series    # per product, positive sales, largest first
    top: pd.DataFrame  # the top products: value, share
    lines: pd.Series   # product -> product line
    others: float      # sales of the other products


def top_products(m: "Metrics") -> Products | None:
    """The top products of the month and their share; None without positive sales."""
    sums = sum_by(m.month_orders, "product").clip(lower=0)
    if sums.sum() <= 0:
        return None
    top = calc.top_share(sums, TOP_PRODUCTS)
    lines = m.month_orders.groupby("product")["product_line"].first()
    return Products(sums, top, lines, float(sums.sum() - top["value"].sum()))
