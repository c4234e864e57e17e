"""Receivables as of the report month's last day: outstanding, days overdue, aging, who to follow up.

Rules:

- Everything is judged as of the last day of the report month; a payment
  dated after it has not happened yet.
- Paid = the paid amount; a paid date without an amount means paid in full;
  a payment dated after the month end counts 0. Outstanding = amount - paid
  (never below 0).
- Days overdue: for an invoice paid in full, paid date - due date; otherwise
  month end - due date; never below 0. Aging buckets: current (not yet due,
  or paid on time), 1-30, 31-60, 61-90, 90+ days.
- Per customer, over the same invoices (those still unpaid and past due):
  the overdue amount, the average and the longest days overdue, so the
  average never exceeds the longest. Separately, how late the customer paid
  the invoices it settled in the last 6 months (average days late).
- Follow up: customers with an unpaid invoice at least 30 days overdue, and
  customers who pay far later than everyone (their average days late is at
  least twice everyone's and at least 30 days). The biggest old debts lead:
  ranked by overdue amount x days overdue, summed over the overdue invoices.
- A customer's rep is the rep on most of its invoiced amount (ties by name).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesdeck import calc

if TYPE_CHECKING:
    from salesdeck.metrics.book import Metrics

__all__ = ["LATE_FACTOR", "LATE_MIN_DAYS", "FOLLOW_UP_DAYS", "PAID_WINDOW", "invoices", "Receivables", "receivables"]

#: Pays far later than everyone: average days late >= LATE_FACTOR x everyone's and >= LATE_MIN_DAYS ...
LATE_FACTOR = 2.0
LATE_MIN_DAYS = 30
#: ... or has an unpaid invoice at least this many days overdue.
FOLLOW_UP_DAYS = 30
#: How late a customer pays is judged on the invoices it settled in this many months.
PAID_WINDOW = 6


def invoices(m: "Metrics") -> pd.DataFrame:
    """Per invoice, sorted by due date then invoice number: the sheet's columns plus paid_by (the paid
    date unless after the month end), paid, outstanding, days (overdue), bucket (aging) and settled."""
    rec = m.model.receivables.sort_values(["due_date", "invoice"], kind="stable").reset_index(drop=True)
    as_of = m.month_end
    later = rec["paid_date"] > as_of
    paid_by = rec["paid_date"].where(~later)
    given = rec["paid_amount"].where(rec["paid_amount"].notna(), rec["amount"].where(rec["paid_date"].notna(), 0.0))
    paid = given.where(~later, 0.0).fillna(0.0)
    outstanding = (rec["amount"] - paid).clip(lower=0)
    settled = paid_by.where(outstanding <= 0)  # partly paid invoices keep ageing
    if len(rec):
        days = np.asarray(calc.overdue_days(rec["due_date"].to_numpy(), settled.to_numpy(), as_of.date()), dtype=float)
        buckets = calc.aging_buckets(rec["due_date"], settled, as_of.date())
    else:
        days, buckets = np.array([], dtype=float), pd.Series([], dtype=object)
    return rec.assign(paid_by=paid_by, paid=paid, outstanding=outstanding, days=days,
                      bucket=np.asarray(buckets, dtype=object), settled=outstanding <= 0)


@dataclass(frozen=True)
class Receivables:
    invoices: pd.DataFrame     # see :func:`invoices`
    by_bucket: pd.Series       # outstanding per aging bucket (calc.AGING_BUCKETS order)
    count_by_bucket: pd.Series
    amount_by_bucket: pd.Series
    outstanding: float
    overdue: float             # outstanding past its due date
    over60: float              # outstanding more than 60 days overdue
    average_days_late: float   # every invoice settled in the last 6 months: average days late
    follow_up: pd.DataFrame    # customers to follow up, biggest old debt first (see the module docstring)


def _owners(inv: pd.DataFrame) -> pd.Series:
    named = inv[inv["rep"].notna()].astype({"rep": str})
    sums = named.groupby(["customer", "rep"])["amount"].sum().reset_index()
    sums = sums.sort_values(["customer", "amount", "rep"], ascending=[True, False, True], kind="stable")
    return sums.drop_duplicates("customer").set_index("customer")["rep"]


def _follow_up(m: "Metrics", inv: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    overdue = inv[~inv["settled"] & (inv["days"] > 0) & (inv["outstanding"] > 0)]
    window_start = (m.month - (PAID_WINDOW - 1)).start_time
    paid = inv[inv["settled"] & (inv["paid_by"] >= window_start)]
    everyone = float(paid["days"].mean()) if len(paid) else np.nan
    per = pd.DataFrame({
        "overdue": overdue.groupby("customer")["outstanding"].sum(),
        "invoices": overdue.groupby("customer").size(),
        "average_days": overdue.groupby("customer")["days"].mean(),
        "longest_days": overdue.groupby("customer")["days"].max(),
        "priority": (overdue["outstanding"] * overdue["days"]).groupby(overdue["customer"]).sum(),
    })
    per = per.join(paid.groupby("customer")["days"].mean().rename("paid_late_days"), how="outer")
    per[["overdue", "invoices", "priority"]] = per[["overdue", "invoices", "priority"]].fillna(0)
    per["rep"] = _owners(inv).reindex(per.index)
    per["rep"] = per["rep"].astype(object).where(per["rep"].notna(), None)
    per["old_debt"] = per["longest_days"].fillna(0) >= FOLLOW_UP_DAYS
    per["slow"] = (per["paid_late_days"] >= LATE_FACTOR * everyone) & (per["paid_late_days"] >= LATE_MIN_DAYS) \
        if everyone > 0 else False
    per = per[per["old_debt"] | per["slow"]].copy()
    per["name"] = [str(i) for i in per.index]
    per = per.sort_values(["priority", "overdue", "name"], ascending=[False, False, True], kind="stable")
    return per.drop(columns="name"), everyone


def receivables(m: "Metrics") -> Receivables:
    """Outstanding by aging bucket and the customers to follow up."""
    inv = invoices(m)
    grouped = inv.groupby("bucket")
    order = list(calc.AGING_BUCKETS)
    by_bucket = grouped["outstanding"].sum().reindex(order, fill_value=0.0).astype(float)
    counts = grouped.size().reindex(order, fill_value=0).astype(int)
    amounts = grouped["amount"].sum().reindex(order, fill_value=0.0).astype(float)
    follow_up, everyone = _follow_up(m, inv) if len(inv) else (pd.DataFrame(), np.nan)
    return Receivables(inv, by_bucket, counts, amounts, float(by_bucket.sum()), float(by_bucket.drop("current").sum()),
                       float(by_bucket[["61-90", "90+"]].sum()), everyone, follow_up)
