"""Receivables as of the report month's last day: outstanding, days overdue, aging, slow payers.

Rules:

- Everything is judged as of the last day of the report month; a payment
  dated after it has not happened yet.
- Paid = the paid amount; a paid date without an amount means paid in full;
  a payment dated after the month end counts 0. Outstanding = amount - paid
  (never below 0).
- Days overdue: for an invoice paid in full, paid date - due date; otherwise
  month end - due date; never below 0. Aging buckets: current (not yet due,
  or paid on time), 1-30, 31-60, 61-90, 90+ days.
- A customer pays abnormally when its invoices are on average at least twice
  as late as everyone's (and at least 30 days), or when one of its unpaid
  invoices is more than 60 days overdue. Its rep is the alphabetically first
  rep named on its invoices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesdeck import calc

if TYPE_CHECKING:
    from salesdeck.metrics.book import Metrics

__all__ = ["LATE_FACTOR", "LATE_MIN_DAYS", "OVERDUE_ALERT_DAYS", "invoices", "Receivables", "receivables"]

#: Abnormal payer: average days late >= LATE_FACTOR x everyone's average and >= LATE_MIN_DAYS ...
LATE_FACTOR = 2.0
LATE_MIN_DAYS = 30
#: ... or any unpaid invoice more than this many days overdue.
OVERDUE_ALERT_DAYS = 60


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
    average_days: float        # every invoice's days overdue, averaged
    abnormal: pd.DataFrame     # abnormal payers (see the module docstring), longest overdue first


def _first_rep(status: pd.DataFrame) -> pd.Series:
    reps = status.loc[status["rep"].notna(), ["customer", "rep"]].astype({"rep": str})
    first = reps.sort_values("rep", kind="stable").groupby("customer")["rep"].first()
    customers = status.groupby("customer")["rep"].size().index
    return first.reindex(customers).astype(object).where(lambda s: s.notna(), None)


def _abnormal(status: pd.DataFrame) -> pd.DataFrame:
    overall = status["days"].mean()
    open_days = status["days"].where(~status["settled"])
    per = pd.DataFrame({
        "outstanding": status.groupby("customer")["outstanding"].sum(),
        "avg_days": status.groupby("customer")["days"].mean(),
        "max_open_days": open_days.groupby(status["customer"]).max(),
        "rep": _first_rep(status),
    })
    slow = (per["avg_days"] >= LATE_FACTOR * overall) & (per["avg_days"] >= LATE_MIN_DAYS) if overall > 0 else False
    overdue = per["max_open_days"].fillna(0) > OVERDUE_ALERT_DAYS
    per["slow"], per["overdue"] = slow, overdue
    per = per[per["slow"] | per["overdue"]].copy()
    per["name"] = [str(i) for i in per.index]
    return per.sort_values(["max_open_days", "avg_days", "name"], ascending=[False, False, True], kind="stable")


def receivables(m: "Metrics") -> Receivables:
    """Outstanding by aging bucket and the customers who pay abnormally."""
    inv = invoices(m)
    grouped = inv.groupby("bucket")
    order = list(calc.AGING_BUCKETS)
    by_bucket = grouped["outstanding"].sum().reindex(order, fill_value=0.0).astype(float)
    counts = grouped.size().reindex(order, fill_value=0).astype(int)
    amounts = grouped["amount"].sum().reindex(order, fill_value=0.0).astype(float)
    return Receivables(inv, by_bucket, counts, amounts, float(by_bucket.sum()), float(by_bucket.drop("current").sum()),
                       float(by_bucket[["61-90", "90+"]].sum()), float(inv["days"].mean()) if len(inv) else np.nan,
                       _abnormal(inv) if len(inv) else pd.DataFrame())
