"""Which month a workbook reports on, and the calendar around it.

Rules:

- The report month is Settings' 报告月份 / report month. A workbook without
  one reports on the month of its latest order; without orders, the latest
  month of its activities, targets, complaints or receivables (in that order).
- Working days are Monday to Friday, minus the holidays and plus the make-up
  working days listed in Settings' holiday table (节假日 / 调休).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesdeck import calc
from salesdeck.errors import CalcError
from salesdeck.workbook.model import SalesWorkbook

__all__ = ["report_month", "Calendar"]

#: Where the report month is looked for when Settings has none, in order.
FALLBACK_COLUMNS = (("orders", "date"), ("activities", "month"), ("targets", "month"),
                    ("complaints", "date"), ("receivables", "due_date"))


def report_month(model: SalesWorkbook) -> pd.Period:
    """The month the workbook reports on (see the module docstring)."""
    if model.settings.month is not None:
        return pd.Period(model.settings.month, freq="M")
    for table, column in FALLBACK_COLUMNS:
        values = model.tables[table][column].dropna()
        if len(values):
            return pd.Period(values.max(), freq="M")
    raise CalcError("month", "the report month is missing in Settings and there is no dated row to infer it from")


class Calendar:
    """Holidays and make-up working days of a workbook; working days of any month."""

    def __init__(self, holidays: pd.DataFrame):
        self.holidays = _dates(holidays, "holiday")
        self.workdays = _dates(holidays, "workday")

    def working_days(self, month: pd.Period) -> int:
        """Working days in ``month`` (Monday to Friday, minus holidays, plus make-up days)."""
        return calc.working_days(month.start_time.date(), month.end_time.date(), self.holidays, self.workdays)

    def xun_split(self, total: float, month: pd.Period, unit: float, lang: str = "zh") -> pd.DataFrame:
        """``total`` over the month's 旬 by working days (label, start, end, working_days, target)."""
        return calc.period_split(total, month.start_time.date(), "xun", self.holidays, self.workdays, unit, lang)


def _dates(holidays: pd.DataFrame, kind: str) -> np.ndarray | None:
    """Dates of one kind from the holiday table, or None when there are none."""
    dates = holidays.loc[holidays["kind"] == kind, "date"].dropna()
    return dates.to_numpy() if len(dates) else None
