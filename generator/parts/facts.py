"""Aggregates several parts share: the month's orders, monthly sales, targets by unit.

Only selection and summing happen here; ratios, RAG, changes and splits come
from :mod:`salesdeck.calc`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesdeck.generator.parts.context import Ctx

__all__ = [
    "months_of", "orders_in", "month_orders", "history_in", "history_orders", "monthly_sales", "sum_by", "targets_by",
    "activities_in", "TARGET_RULE",
]

#: How a unit's target is read from the Targets sheet (stated in the speaker notes).
TARGET_RULE = {
    "zh": "区域目标 = 该区域的汇总行(销售代表、产品线、客户类型均为空);没有汇总行时取该区域各行之和",
    "en": "Region target = the region's total row (rep, product line and customer type blank); "
          "without one, the sum of the region's rows",
}


def months_of(values: pd.Series) -> pd.Series:
    """Dates as monthly periods (NaT stays NaT)."""
    return values.dt.to_period("M")


def orders_in(frame: pd.DataFrame, *periods: pd.Period) -> pd.DataFrame:
    """Orders dated in any of ``periods`` (compared as timestamps: no period conversion per row)."""
    dates = frame["date"].to_numpy(dtype="datetime64[ns]")
    mask = np.zeros(len(dates), dtype=bool)
    for period in set(periods):
        start = period.start_time.to_datetime64()
        end = (period + 1).start_time.to_datetime64()
        mask |= (dates >= start) & (dates < end)
    return frame[mask]


def month_orders(ctx: Ctx, *periods: pd.Period) -> pd.DataFrame:
    """This workbook's orders in ``periods`` (default: the report month), selected once per run."""
    periods = periods or (ctx.month,)
    return ctx.memo(("orders", periods), lambda: orders_in(ctx.model.orders, *periods))


def history_in(ctx: Ctx, *periods: pd.Period) -> pd.DataFrame:
    """:func:`history_orders` in ``periods``, selected once per run."""
    return ctx.memo(("history", periods), lambda: orders_in(history_orders(ctx), *periods))


def history_orders(ctx: Ctx) -> pd.DataFrame:
    """This workbook's orders, plus last month's workbook's orders for months this one lacks."""
    return ctx.memo("history", lambda: _history_orders(ctx))


def _history_orders(ctx: Ctx) -> pd.DataFrame:
    orders = ctx.model.orders
    if ctx.previous is None or ctx.previous.orders.empty:
        return orders
    have = set(months_of(orders["date"]).dropna())
    prev = ctx.previous.orders
    extra = prev[~months_of(prev["date"]).isin(have)]
    if extra.empty:
        return orders
    return pd.concat([orders, extra], ignore_index=True)


def monthly_sales(orders: pd.DataFrame) -> pd.Series:
    """Sales per month (PeriodIndex, ascending)."""
    if orders.empty:
        return pd.Series(dtype=float, index=pd.PeriodIndex([], freq="M"))
    return orders.groupby(months_of(orders["date"]))["amount"].sum().sort_index()


def sum_by(frame: pd.DataFrame, key: str, value: str = "amount") -> pd.Series:
    """``value`` summed per ``key`` (blank keys dropped), largest first, ties by name."""
    data = frame[frame[key].notna()]
    if data.empty:
        return pd.Series(dtype=float)
    sums = data.groupby(key)[value].sum()
    return _sorted(sums)


def _sorted(values: pd.Series, ascending: bool = False) -> pd.Series:
    """Sort by value, ties by name: deterministic order for equal numbers."""
    frame = pd.DataFrame({"v": values.to_numpy(dtype=float), "k": [str(k) for k in values.index]},
                         index=values.index)
    frame = frame.sort_values(["v", "k"], ascending=[ascending, True], kind="stable")
    return frame["v"].rename(values.name)


def targets_by(targets: pd.DataFrame, period: pd.Period, dim: str) -> pd.Series:
    """Targets of one month per region, rep or product line (see :data:`TARGET_RULE`)."""
    rows = targets[months_of(targets["month"]) == period]
    if rows.empty:
        return pd.Series(dtype=float)
    if dim == "region":
        is_total = rows["rep"].isna() & rows["product_line"].isna() & rows["customer_type"].isna()
        with_total = set(rows.loc[is_total, "region"])
        picked = rows[is_total | ~rows["region"].isin(with_total)]
        return picked.groupby("region")["target"].sum().sort_index()
    picked = rows[rows[dim].notna()]
    if picked.empty:
        return pd.Series(dtype=float)
    return picked.groupby(dim)["target"].sum().sort_index()


def activities_in(ctx: Ctx, period: pd.Period | None = None) -> pd.DataFrame:
    """Activity rows of one month (the report month by default)."""
    acts = ctx.model.activities
    return acts[months_of(acts["month"]) == (period or ctx.month)]
