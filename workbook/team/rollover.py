"""Next month's workbook from this month's: what carries over and what starts empty.

- The report month advances by one; next month's target setting becomes the
  sum of the target rows for the month after (blank when there are none), so
  the rows already planned for the new month are now its targets.
- History stays: every order line, every target row, activity history,
  receivables (open invoices and the payment record the late-payer analysis
  reads), stages, holidays, commission plan and products.
- Every open deal is carried as it is (id, stage, amount, expected close), so
  next month's pipeline can be compared with this one deal by deal. Won and
  lost deals stay for :data:`CLOSED_DEALS_MONTHS` months after their expected
  close: the win rates by lead channel count them.
- Plan actions, improvement items and resource requests that are not done are
  carried with their status; next month's deck reviews them (``build
  --previous``).
- Complaints, satisfaction scores and NPS answers start empty: each month
  collects its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from salesdeck.workbook import contract
from salesdeck.workbook.model import SalesWorkbook

__all__ = ["CLOSED_DEALS_MONTHS", "Rollover", "next_month"]

#: Won and lost deals are kept this many months after their expected close.
CLOSED_DEALS_MONTHS = 12
#: Tables whose unfinished rows are carried (status not done).
UNFINISHED = ("actions", "timeline", "resources")
#: Tables every month fills afresh.
FRESH = ("complaints", "satisfaction", "nps")


@dataclass
class Rollover:
    """Next month's workbook and what happened to each table's rows."""

    book: SalesWorkbook
    month: dt.date
    previous_month: dt.date
    kept: dict[str, int] = field(default_factory=dict)       # table -> rows carried over
    dropped: dict[str, int] = field(default_factory=dict)    # table -> rows left behind
    warnings: list[str] = field(default_factory=list)


def _month_start(value) -> pd.Timestamp:
    return pd.Timestamp(value).to_period("M").to_timestamp()


def next_month(book: SalesWorkbook) -> Rollover:
    """Roll ``book`` (a validated workbook with a report month) over to the month after."""
    if book.settings.month is None:
        raise ValueError("the workbook has no report month")
    old = _month_start(book.settings.month)
    new = old + pd.offsets.MonthBegin(1)
    tables: dict[str, pd.DataFrame] = {}
    for key, frame in book.tables.items():
        if key == "pipeline":
            tables[key] = _pipeline(frame, new)
        elif key in UNFINISHED:
            tables[key] = frame[(frame["status"] != "done").to_numpy()]
        elif key in FRESH:
            tables[key] = frame.iloc[0:0]
        else:
            tables[key] = frame
    tables = {key: frame.reset_index(drop=True) for key, frame in tables.items()}
    targets = tables["targets"]
    months = targets["month"].dt.to_period("M")
    after = float(targets.loc[(months == (new + pd.offsets.MonthBegin(1)).to_period("M")).to_numpy(), "target"].sum())
    settings = dataclasses.replace(book.settings, month=new.date(), next_month_target=after or None)
    result = Rollover(SalesWorkbook(settings=settings, tables=tables, source=None), new.date(), old.date())
    for key in contract.TABLES:
        if key not in contract.SHARED_TABLES:
            result.kept[key] = len(tables[key])
            result.dropped[key] = len(book.tables[key]) - len(tables[key])
    result.warnings = _warnings(result.book, new)
    return result


def _pipeline(frame: pd.DataFrame, new: pd.Timestamp) -> pd.DataFrame:
    """Open deals, and closed ones whose expected close is within CLOSED_DEALS_MONTHS before ``new``."""
    recent = frame["expected_close"] >= new - pd.DateOffset(months=CLOSED_DEALS_MONTHS)
    return frame[((frame["category"] == "open") | recent).to_numpy()]


def _warnings(book: SalesWorkbook, new: pd.Timestamp) -> list[str]:
    out = []
    targets = book.targets
    if not (targets["month"].dt.to_period("M") == new.to_period("M")).any():
        out.append(f"no target rows for {new:%Y-%m} yet: add them to the targets sheet")
    pipeline = book.pipeline
    open_deals = pipeline[pipeline["category"] == "open"]
    without_id = int(open_deals["opportunity_id"].isna().sum())
    if without_id:
        out.append(f"{without_id} open deal(s) have no opportunity ID: next month's comparison with this one "
                   "cannot follow them")
    return out
