"""Plans and reference tables: resource requests, key-account actions, the improvement timeline, the
commission plan, the product catalogue, the stage and holiday tables.

Statuses agree with dates as of the report month's end: done requests were due
this month, delayed ones are past their due date, the rest are due later.
Next month's actions follow the deck's story: the biggest overdue debtor, the
customers whose orders fall or stopped, then the largest key accounts; each
is owned by the account's rep and due on a working day of next month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesdeck.workbook import contract
from salesdeck.workbook.author.holidays import HOLIDAYS
from salesdeck.workbook.author.sample import names as N
from salesdeck.workbook.author.sample.customers import Customers
from salesdeck.workbook.author.sample.orders import Orders
from salesdeck.workbook.author.sample.world import World

__all__ = ["resources", "actions", "timeline", "commission_metrics", "commission_tiers", "products", "stages",
           "holidays"]


def resources(world: World) -> pd.DataFrame:
    rng = world.rng
    return pd.DataFrame([
        {"request": world.text((zh, en)), "type": kind, "requested_by": world.reps[int(rng.integers(len(world.reps)))],
         "owner": world.text((owner_zh, owner_en)), "due_date": world.report + pd.Timedelta(days=due - 1),
         "priority": priority, "status": status}
        for kind, zh, en, owner_zh, owner_en, priority, status, due in N.RESOURCES])


def actions(world: World, cust: Customers, orders: Orders) -> pd.DataFrame:
    story = cust.story
    year = orders.month >= len(world.months) - 12
    sales = np.bincount(orders.customer[year], weights=orders.amount[year], minlength=len(cust.frame))
    key = np.flatnonzero(cust.frame["tier"].to_numpy() == 0)
    top = key[np.argsort(-sales[key], kind="stable")]
    pools = {"overdue_big": list(story.overdue_big), "falling": list(story.falling), "stopped": list(story.stopped[::-1]),
             "top": [c for c in top if c not in set(story.overdue_big) | set(story.falling)]}
    due = world.days.working_dates(len(world.months))
    names = cust.names(world.li)
    rows = []
    for i, (who, zh, en, started) in enumerate(N.ACTIONS):
        if not pools[who]:
            continue
        c = int(pools[who].pop(0))
        rows.append({"account": names[c], "action": world.text((zh, en)), "owner": world.reps[cust.frame.at[c, "rep"]],
                     "due_date": due[min(2 + 2 * i, len(due) - 1)], "status": "in_progress" if started else "not_started"})
    return pd.DataFrame(rows, columns=["account", "action", "owner", "due_date", "status"])


def timeline(world: World) -> pd.DataFrame:
    nm = world.next_month
    milestone = (f"{nm.month}月10日检查进度;{nm.month}月20日复盘" if world.li == 0
                 else f"Check-in {nm:%b} 10; review {nm:%b} 20")
    rows = []
    for item, owner, start, months, status in N.TIMELINE:
        rows.append({"item": world.text(item), "owner": world.reps[owner] if isinstance(owner, int) else world.text(owner),
                     "start": world.report + pd.Timedelta(days=start), "end": world.month_end + pd.offsets.MonthEnd(months),
                     "milestone": milestone, "status": status})
    return pd.DataFrame(rows)


def commission_metrics() -> pd.DataFrame:
    return pd.DataFrame([
        {"metric": "revenue", "weight": 0.5, "threshold": 0.8, "cap": 1.5, "gate": 0.6},
        {"metric": "new_customers", "weight": 0.2, "threshold": 0.6, "cap": 1.5, "gate": None},
        {"metric": "collections", "weight": 0.2, "threshold": 0.8, "cap": 1.2, "gate": None},
        {"metric": "activity", "weight": 0.1, "threshold": 0.7, "cap": 1.2, "gate": None},
    ])


def commission_tiers() -> pd.DataFrame:
    return pd.DataFrame({"from_amount": [0.0, 100000.0, 300000.0], "rate": [0.02, 0.03, 0.05]})


def products(world: World) -> pd.DataFrame:
    return pd.DataFrame([{"product": p[world.li], "product_line": world.lines[p[2]], "lifecycle": p[4],
                          "launch_date": pd.Timestamp(p[5])} for p in N.PRODUCTS])


def stages() -> pd.DataFrame:
    return pd.DataFrame([{"stage_zh": zh, "stage_en": en, "probability": p, "category": c}
                         for zh, en, p, c in contract.DEFAULT_STAGES])


def holidays(world: World) -> pd.DataFrame:
    """The holidays and make-up working days from the first month to the end of next month."""
    first, last = world.months[0], world.next_month + pd.offsets.MonthEnd(0)
    return pd.DataFrame([{"date": pd.Timestamp(d), "kind": kind, "note": world.text((zh, en))}
                         for d, kind, zh, en in HOLIDAYS if first <= pd.Timestamp(d) <= last])
