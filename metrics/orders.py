"""Selecting and summing orders: one month's, a window's, the history's; orders counted once.

Rules:

- An order belongs to the month of its date.
- History: this workbook's orders, plus the previous workbook's (``--previous``)
  for months this workbook has no orders in, so MoM/YoY, churn and averages
  still work when a rep's workbook keeps only recent months.
- Orders are counted by distinct order ID per month; a row without an ID
  counts as one order (so a multi-line order counts once).
- Sums by a column skip rows where that column is blank; ranked largest
  first, ties by name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["months_of", "orders_in", "with_history", "monthly_sales", "sum_by", "ranked", "order_counts",
           "order_ids"]


def months_of(values: pd.Series) -> pd.Series:
    """Dates as monthly periods (NaT stays NaT)."""
    return values.dt.to_period("M")


def orders_in(frame: pd.DataFrame, *periods: pd.Period, column: str = "date") -> pd.DataFrame:
    """Rows dated in any of ``periods`` (compared as timestamps: no period conversion per row)."""
    dates = frame[column].to_numpy(dtype="datetime64[ns]")
    mask = np.zeros(len(dates), dtype=bool)
    for period in set(periods):
        start = period.start_time.to_datetime64()
        end = (period + 1).start_time.to_datetime64()
        mask |= (dates >= start) & (dates < end)
    return frame[mask]


def with_history(orders: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """``orders`` plus ``previous``' orders for months ``orders`` has none in."""
    if previous is None or previous.empty:
        return orders
    have = set(months_of(orders["date"]).dropna())
    extra = previous[~months_of(previous["date"]).isin(have)]
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
    return ranked(data.groupby(key)[value].sum())


def ranked(values: pd.Series, ascending: bool = False) -> pd.Series:
    """Sorted by value, ties by name: a deterministic order for equal numbers."""
    frame = pd.DataFrame({"v": values.to_numpy(dtype=float), "k": [str(k) for k in values.index]},
                         index=values.index)
    frame = frame.sort_values(["v", "k"], ascending=[ascending, True], kind="stable")
    return frame["v"].rename(values.name)


def order_ids(orders: pd.DataFrame) -> pd.Series:
    """Each row's order ID; rows without one get an ID of their own."""
    ids = orders["order_id"]
    if ids.isna().any():
        ids = ids.where(ids.notna(), "#row" + orders.index.astype(str))
    return ids


def order_counts(orders: pd.DataFrame) -> pd.Series:
    """Orders per month: distinct order IDs (see :func:`order_ids`)."""
    return pd.DataFrame({"m": months_of(orders["date"]), "id": order_ids(orders)}).groupby("m")["id"].nunique()
