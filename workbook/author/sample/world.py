"""What every table of the sample shares: the random generator, the language, the months and their days.

Everything is keyed by integer indices (month, rep, region, customer); names in
the workbook's language are attached last, so the zh and en samples hold the
same numbers in the same rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesdeck.workbook.author.holidays import HOLIDAYS
from salesdeck.workbook.author.sample import names as N

__all__ = ["World", "Days"]

#: Offline orders lean towards the month's end (the closing push): weight from 0.85 on the 1st to 1.35 on the last day.
MONTH_END_PUSH = 0.5
#: Online orders per day, against a working day's: weekends and public holidays are quieter.
ONLINE_WEEKEND, ONLINE_HOLIDAY = 0.6, 0.4


class Days:
    """Every day from the first month to the end of the month after the last: working day or not, holiday or not.

    Working days are Monday to Friday minus the public holidays, plus the make-up
    working days (调休), as in the workbook's holiday table.
    """

    def __init__(self, first: pd.Timestamp, months: int):
        self.first = first
        self.dates = pd.date_range(first, first + pd.offsets.MonthBegin(months) - pd.Timedelta(days=1), freq="D")
        holiday = {pd.Timestamp(d) for d, kind, _, _ in HOLIDAYS if kind == "holiday"}
        makeup = {pd.Timestamp(d) for d, kind, _, _ in HOLIDAYS if kind == "workday"}
        self.holiday = self.dates.isin(list(holiday))
        weekday = self.dates.day_of_week < 5
        self.working = (weekday & ~self.holiday) | self.dates.isin(list(makeup))
        self.month = (self.dates.year - first.year) * 12 + self.dates.month - first.month
        day, length = self.dates.day.to_numpy(), self.dates.days_in_month.to_numpy()
        offline = np.where(self.working, 0.85 + MONTH_END_PUSH * (day / length) ** 2, 0.0)
        online = np.where(self.holiday, ONLINE_HOLIDAY, np.where(weekday, 1.0, ONLINE_WEEKEND))
        self._weights = {False: offline, True: online}

    def working_days(self, k: int) -> int:
        """Working days in month ``k`` (0 = the first month)."""
        return int(self.working[self.month == k].sum())

    def draw(self, rng: np.random.Generator, month: np.ndarray, online: np.ndarray) -> np.ndarray:
        """A date for each order in month ``month[i]``: offline orders on working days, online ones on any day."""
        u = rng.random(len(month))
        out = np.empty(len(month), dtype="datetime64[ns]")
        dates = self.dates.to_numpy()
        for k in np.unique(month):
            in_month = self.month == k
            for flag in (False, True):
                rows = np.flatnonzero((month == k) & (online == flag))
                if not len(rows):
                    continue
                weights = self._weights[flag][in_month]
                cdf = np.cumsum(weights) / weights.sum()
                pos = np.minimum(np.searchsorted(cdf, u[rows], side="right"), len(cdf) - 1)
                out[rows] = dates[in_month][pos]
        return out

    def working_dates(self, k: int) -> pd.DatetimeIndex:
        """The working days of month ``k``."""
        return self.dates[(self.month == k) & self.working]


class World:
    """The sample's shared context: generator, language, months, days, regions, reps and product lines."""

    def __init__(self, rng: np.random.Generator, lang: str, scale: float):
        self.rng = rng
        self.lang = lang
        self.li = 0 if lang == "zh" else 1
        self.scale = scale  # new business and activity, against the default sample's (at most 1)
        self.report = pd.Timestamp(N.REPORT_MONTH)
        self.months = pd.date_range(end=self.report, periods=N.HISTORY_MONTHS, freq="MS")
        self.k = N.HISTORY_MONTHS - 1  # the report month's index
        self.next_month = self.report + pd.offsets.MonthBegin(1)
        self.month_end = self.report + pd.offsets.MonthEnd(0)
        self.days = Days(self.months[0], N.HISTORY_MONTHS + 1)
        self.regions = np.array([r[self.li] for r in N.REGIONS], dtype=object)
        self.reps = np.array([r[self.li] for r in N.REPS], dtype=object)
        self.rep_region = np.array([r[2] for r in N.REPS])
        self.lines = np.array([p[self.li] for p in N.PRODUCT_LINES], dtype=object)

    def text(self, pair) -> str:
        """The workbook language's half of a (zh, en) pair."""
        return pair[self.li]

    def month_weights(self, months: int | None = None) -> np.ndarray:
        """Relative order volume of the first ``months`` months (default: the sixteen): demand per working day
        x growth x working days."""
        n = len(self.months) if months is None else months
        cal = pd.date_range(self.months[0], periods=n, freq="MS").month.to_numpy()
        return (np.array([N.DEMAND[c] for c in cal]) * (1 + N.MONTHLY_GROWTH) ** np.arange(n)
                * np.array([self.days.working_days(k) for k in range(n)]))
