"""Customer feedback: complaints of the last two months, the satisfaction survey, one NPS survey wave.

Complaints come from customers who bought in the last three months, 12-23 a
month, late deliveries first; a complaint about an order held up by the holiday
only in a month with a holiday before it. Each is handled by the customer's rep
and resolved when it is old enough (as of the report month's end). The NPS
survey asks 40-55 customers that bought in the last six months (key accounts
more likely) in the report month's second half; customers with falling orders
or unpaid debts answer lower.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesdeck.workbook.author.sample import names as N
from salesdeck.workbook.author.sample.customers import Customers
from salesdeck.workbook.author.sample.orders import Orders, largest_remainder
from salesdeck.workbook.author.sample.world import World

__all__ = ["complaints", "satisfaction", "nps"]

#: Complaints in the month before the report month and in the report month: (from, to).
PER_MONTH = ((12, 19), (15, 24))
#: The delivery complaint that names the holiday (index into its texts).
HOLIDAY_TEXT = 1
NPS_ANSWERS = (40, 56)
NPS_SCORES = np.array([0.005, 0.005, 0.01, 0.02, 0.03, 0.045, 0.065, 0.16, 0.2, 0.22, 0.24])
NPS_UNHAPPY = np.array([0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.17, 0.2, 0.12, 0.05, 0.03])
NPS_TIER_WEIGHT = np.array([4.0, 2.0, 1.0])


def _buyers(orders: Orders, first: int, last: int, n_cust: int) -> np.ndarray:
    """Orders per customer in months first..last."""
    rows = (orders.month >= first) & (orders.month <= last)
    return np.bincount(orders.customer[rows], minlength=n_cust).astype(float)


def complaints(world: World, cust: Customers, orders: Orders) -> pd.DataFrame:
    """The last two months' complaints (see the module docstring), by date."""
    rng, last = world.rng, len(world.months) - 1
    f = cust.frame
    categories = [c[0] for c in N.COMPLAINTS]
    shares = np.array([c[1] for c in N.COMPLAINTS])
    records = []
    for k, (low, high) in zip((last - 1, last), PER_MONTH):
        weight = _buyers(orders, k - 2, k, len(f))
        if weight.sum() == 0:
            continue
        n = int(rng.integers(low, high))
        counts = largest_remainder(n, shares * rng.uniform(0.8, 1.2, len(shares)))
        working = world.days.working_dates(k)
        for category, count, (_, _, texts) in zip(categories, counts, N.COMPLAINTS):
            for _ in range(count):
                c = int(rng.choice(len(f), p=weight / weight.sum()))
                date = pd.Timestamp(rng.choice(working))
                choices = [i for i in range(len(texts)) if category != "delivery" or i != HOLIDAY_TEXT
                           or _holiday_before(world, k, date)]
                records.append([date, c, category, int(rng.choice(choices)), _status(rng, world, date)])
    falling = cust.story.falling
    late = [r for r in records if r[0] >= world.report and r[2] == "delivery"]
    if late and len(falling) > 1:
        late[0][1] = int(falling[1])  # the falling customer's delivery complaint (an action follows it up)
    texts = {c[0]: c[2] for c in N.COMPLAINTS}
    names = cust.names(world.li)
    records.sort(key=lambda r: (r[0], r[1]))
    return pd.DataFrame({
        "date": [r[0] for r in records],
        "customer": [names[r[1]] for r in records],
        "category": [r[2] for r in records],
        "description": [world.text(texts[r[2]][r[3]]) for r in records],
        "status": [r[4] for r in records],
        "owner": [world.reps[f.at[r[1], "rep"]] for r in records],
    }, columns=["date", "customer", "category", "description", "status", "owner"])


def _holiday_before(world: World, k: int, date: pd.Timestamp) -> bool:
    days = world.days
    return bool((days.holiday & (days.month == k) & (days.dates < date)).any())


def _status(rng: np.random.Generator, world: World, date: pd.Timestamp) -> str:
    """Resolved when old enough as of the report month's end; recent ones open or in progress."""
    age = (world.month_end - date).days
    resolved = 0.95 if age > 20 else 0.65 if age > 9 else 0.2
    if rng.random() < resolved:
        return "resolved"
    return "open" if age <= 5 and rng.random() < 0.6 else "in_progress"


def satisfaction(world: World) -> pd.DataFrame:
    return pd.DataFrame([{"dimension": world.text((zh, en)), "score": s, "previous": p}
                         for zh, en, s, p in N.SATISFACTION])


def nps(world: World, cust: Customers, orders: Orders) -> pd.DataFrame:
    """One survey wave in the report month (see the module docstring), by date."""
    rng, last = world.rng, len(world.months) - 1
    f = cust.frame
    bought = np.flatnonzero(_buyers(orders, last - 5, last, len(f)) > 0)
    n = min(len(bought), int(rng.integers(*NPS_ANSWERS)))
    w = NPS_TIER_WEIGHT[f["tier"].to_numpy()[bought]]
    asked = np.sort(rng.choice(bought, size=n, replace=False, p=w / w.sum())) if n else np.array([], dtype=np.int64)
    unhappy = np.isin(asked, np.concatenate([cust.story.falling, cust.story.overdue_big]))
    scores = rng.permutation(np.repeat(np.arange(11), largest_remainder(n, NPS_SCORES)))  # the survey's usual mix
    scores[unhappy] = rng.choice(11, size=int(unhappy.sum()), p=NPS_UNHAPPY)
    window = world.days.working_dates(last)
    window = window[(window.day >= 12) & (window.day <= 23)]
    dates = pd.DatetimeIndex(rng.choice(window, size=n)) if n else pd.DatetimeIndex([])
    order = np.lexsort((asked, dates.to_numpy()))
    return pd.DataFrame({"customer": cust.names(world.li)[asked][order], "date": dates[order],
                         "score": scores[order].astype(float)})
