"""Churn warnings (流失预警): customers whose orders are falling.

Rules:

- Monthly sales per customer for the report month and the two before it
  (a month without orders counts 0), from the order history.
- Warning: sales fell two months in a row (seed 000: 订单量连续两个月下降).
- A customer's rep is the rep who sold the most to it in those three months
  (ties by name).
- Change = the report month's sales / the first month's - 1.
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

__all__ = ["Churn", "churn", "CHURN_MONTHS"]

CHURN_MONTHS = 3


@dataclass(frozen=True)
class Churn:
    months: list               # the three periods, oldest first
    monthly: pd.DataFrame      # every customer with orders in the window x months
    flagged: pd.DataFrame      # warned customers x months, worst change first
    owner: pd.Series           # customer -> rep
    change: pd.Series          # warned customer -> change over the window (NaN when the first month is 0)
    lost: float                # first month's sales - last month's, over warned customers


def churn(m: "Metrics") -> Churn:
    """Customers whose sales fell two months running, with their rep and the sales lost."""
    months = [m.month - k for k in range(CHURN_MONTHS - 1, -1, -1)]
    window = m.history_in(*months)
    frame = window.assign(period=months_of(window["date"]))
    grid = frame.pivot_table(index="customer", columns="period", values="amount", aggfunc="sum", fill_value=0.0)
    grid = grid.reindex(columns=months, fill_value=0.0)
    flags = calc.churn_flags(grid) if len(grid) else pd.Series([], dtype=bool)
    flagged = grid[flags]
    first, last = flagged[months[0]], flagged[months[-1]]
    change = pd.Series(np.where(first > 0, last / first.where(first > 0) - 1, np.nan), index=flagged.index)
    by_rep = frame.groupby(["customer", "rep"])["amount"].sum().reset_index()
    by_rep = by_rep.sort_values(["customer", "amount", "rep"], ascending=[True, False, True], kind="stable")
    owner = by_rep.drop_duplicates("customer").set_index("customer")["rep"]
    order = sorted(flagged.index, key=lambda c: (change[c] if not np.isnan(change[c]) else 0.0, str(c)))
    flagged = flagged.loc[order]
    lost = float((flagged[months[0]] - flagged[months[-1]]).sum())
    return Churn(months, grid, flagged, owner, change.reindex(order), lost)
