"""Receivables: a monthly statement (月结) per customer for the last six months, plus a few older open items.

Each customer's orders of a month are invoiced on the month's last day and due
60 days later for key accounts, 30 days for the others; small customers buying
direct pay before delivery (款到发货) and online orders are paid up front, so
neither is invoiced. Most customers pay around the due date, a quarter of them
up to a month late, a few habitually later, and some statements due this month
are paid in part so far; a payment dated after the report month's end has not
happened yet, so those statements are open. The story's debtors: two key accounts that stopped paying
in the spring and summer (big), a lapsed customer and a disputed spring
invoice (old).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesdeck.workbook.author.sample.customers import Customers
from salesdeck.workbook.author.sample.orders import Orders
from salesdeck.workbook.author.sample.world import World

__all__ = ["receivables", "LEDGER_MONTHS", "TERMS"]

LEDGER_MONTHS = 6
#: Payment terms in days after the statement, by tier (key, mid, small).
TERMS = np.array([60, 30, 30])
#: Payment habits: share of customers, and the days after the due date they pay (from, to).
HABITS = ((0.76, (-10, 0)), (0.22, (2, 20)), (0.02, (30, 60)))
#: Share of the statements due in the report month that are paid in part so far.
PARTLY_PAID = 0.08
#: Open since this many months before the report month: the big debtors' and the old debts' first unpaid statement.
BIG_SINCE = (5, 4)
OLD_SINCE = 5
DISPUTED_MONTHS_BEFORE = 6


def receivables(world: World, cust: Customers, orders: Orders) -> pd.DataFrame:
    """One row per statement (see the module docstring), numbered in the order issued, listed by due date."""
    rng, last = world.rng, len(world.months) - 1
    f = cust.frame
    n_cust = len(f)
    channel = f["channel"].to_numpy()
    invoiced = (channel != "ecommerce") & ((f["tier"].to_numpy() < 2) | (channel == "distribution"))
    first = last - LEDGER_MONTHS + 1
    story = cust.story
    disputed = story.overdue_old[~np.isin(story.overdue_old, story.stopped)]
    rows = (orders.month >= first) | (np.isin(orders.customer, disputed) & (orders.month == last - DISPUTED_MONTHS_BEFORE))
    key = orders.customer[rows] * len(world.months) + orders.month[rows]
    sums = np.bincount(key, weights=orders.amount[rows], minlength=n_cust * len(world.months))
    cells = np.flatnonzero((sums > 0) & np.repeat(invoiced, len(world.months)))
    c, k, amount = cells // len(world.months), cells % len(world.months), sums[cells]
    statement = (world.months + pd.offsets.MonthEnd(0)).to_numpy()[k]
    due = statement + (TERMS[f["tier"].to_numpy()[c]] * np.timedelta64(1, "D")).astype("timedelta64[ns]")

    habit = rng.choice(len(HABITS), size=n_cust, p=[h[0] for h in HABITS])
    low = np.array([h[1][0] for h in HABITS])[habit[c]]
    high = np.array([h[1][1] for h in HABITS])[habit[c]]
    delay = rng.integers(low, high + 1)
    paid_date = due + (delay * np.timedelta64(1, "D")).astype("timedelta64[ns]")
    unpaid = paid_date > world.month_end.to_datetime64()
    for debtor, since in zip(story.overdue_big, BIG_SINCE):
        unpaid |= (c == debtor) & (k >= last - since)
    unpaid |= np.isin(c, story.stopped[:1]) & (k >= last - OLD_SINCE)
    unpaid |= np.isin(c, disputed)  & (k == last - DISPUTED_MONTHS_BEFORE)
    due_now = (due >= world.report.to_datetime64()) & (due <= world.month_end.to_datetime64())
    share = np.where(due_now & (rng.random(len(c)) < PARTLY_PAID), rng.uniform(0.4, 0.8, len(c)), 1.0)
    paid_amount = np.where(unpaid, np.nan, np.where(share < 1, np.round(amount * share, -2), amount))
    frame = pd.DataFrame({
        "customer": cust.names(world.li)[c],
        "rep": world.reps[f["rep"].to_numpy()[c]],
        "amount": amount,
        "due_date": due,
        "paid_date": pd.Series(paid_date).where(~unpaid),
        "paid_amount": paid_amount,
    })
    issued = np.empty(len(c), dtype=np.int64)
    issued[np.lexsort((c, k))] = np.arange(1, len(c) + 1)  # numbered in the order they were issued
    frame.insert(0, "invoice", [f"INV-{m:%y%m}-{i:04d}" for i, m in zip(issued, pd.DatetimeIndex(statement))])
    return frame.iloc[np.lexsort((c, due))].reset_index(drop=True)
