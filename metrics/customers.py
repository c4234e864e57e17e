"""Churn warnings (流失预警): customers whose orders are falling, and regular customers who stopped.

Rules:

- Declining: the customer's sales fell two months in a row over the report
  month and the two before it (seed 000: 订单量连续两个月下降), from the
  order history; a month without orders counts 0.
- Stopped: the customer ordered in at least 3 of the 6 months before the
  last two, and ordered nothing in the last two months (the report month and
  the one before).
- A customer's rep is the rep who sold the most to it over the last 8 months
  (ties by name).
- Change = the report month's sales / two months before - 1 (-100% for a
  customer who stopped). Sales at risk per month: for a declining customer
  what it bought two months ago minus this month; for one who stopped, its
  average monthly sales over the 6 months before. Warnings are listed with
  the most sales at risk first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesdeck import calc
from salesdeck.metrics.orders import months_of

if TYPE_CHECKING:
    from salesdeck.metrics.book import Metrics

__all__ = ["Churn", "churn", "CHURN_MONTHS", "REGULAR_MONTHS", "REGULAR_MIN", "QUIET_MONTHS"]

CHURN_MONTHS = 3        # the report month and the two before: two declines in a row
QUIET_MONTHS = 2        # stopped: nothing in the last two months ...
REGULAR_MONTHS = 6      # ... after ordering in at least REGULAR_MIN of the 6 months before
REGULAR_MIN = 3


@dataclass(frozen=True)
class Churn:
    months: list               # the last three periods, oldest first
    monthly: pd.DataFrame      # every customer with orders in the last three months x those months
    warnings: pd.DataFrame     # index customer: reason (declining / stopped), the three months, change, at_risk,
                               # rep, last_order; most at risk first
    lost: float                # sales at risk per month, over the warnings

    @property
    def flagged(self) -> pd.DataFrame:
        """The warned customers' sales over the last three months."""
        return self.warnings[self.months]


def _owners(window: pd.DataFrame) -> pd.Series:
    by_rep = window.groupby(["customer", "rep"])["amount"].sum().reset_index()
    by_rep = by_rep.sort_values(["customer", "amount", "rep"], ascending=[True, False, True], kind="stable")
    return by_rep.drop_duplicates("customer").set_index("customer")["rep"]


def churn(m: "Metrics") -> Churn:
    """Customers down two months running, and regular customers who stopped ordering."""
    recent = [m.month - k for k in range(CHURN_MONTHS - 1, -1, -1)]
    before = [m.month - k for k in range(QUIET_MONTHS + REGULAR_MONTHS - 1, QUIET_MONTHS - 1, -1)]
    window = m.history_in(*before, *recent)
    frame = window.assign(period=months_of(window["date"]))
    by_month = frame.groupby(["customer", "period"])["amount"].agg(["sum", "size"])
    months = before + [p for p in recent if p not in before]
    grid = by_month["sum"].unstack(fill_value=0.0).reindex(columns=months, fill_value=0.0)
    monthly = grid[recent]
    monthly = monthly[(monthly != 0).any(axis=1)]
    declining = calc.churn_flags(monthly) if len(monthly) else pd.Series([], dtype=bool)
    declining = declining[declining].index
    ordered = by_month["size"].unstack(fill_value=0).reindex(columns=months, fill_value=0) > 0
    regular = ordered[before].sum(axis=1) >= REGULAR_MIN
    quiet = ~ordered[recent[-QUIET_MONTHS:]].any(axis=1)
    stopped = ordered.index[regular & quiet]
    rows = []
    owners = _owners(window)
    last_order = frame.groupby("customer")["date"].max()
    for customer in declining:
        first, last = grid.at[customer, recent[0]], grid.at[customer, recent[-1]]
        rows.append((customer, "declining", last / first - 1 if first > 0 else np.nan, first - last))
    for customer in stopped:
        rows.append((customer, "stopped", -1.0, float(grid.loc[customer, before].sum()) / REGULAR_MONTHS))
    warnings = pd.DataFrame(rows, columns=["customer", "reason", "change", "at_risk"]).set_index("customer")
    for period in recent:
        warnings[period] = grid[period].reindex(warnings.index).fillna(0.0)
    warnings["rep"] = owners.reindex(warnings.index)
    warnings["last_order"] = last_order.reindex(warnings.index)
    warnings["name"] = [str(c) for c in warnings.index]
    warnings = warnings.sort_values(["at_risk", "name"], ascending=[False, True], kind="stable").drop(columns="name")
    return Churn(recent, monthly, warnings, float(warnings["at_risk"].sum()))
