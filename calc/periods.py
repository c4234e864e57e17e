"""Working days and the split of a month's target into 旬 (ten-day periods), weeks or days."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from salesdeck.errors import CalcError

from ._coerce import to_date, to_dates, to_language
from .split import split_total

__all__ = ["month_bounds", "working_day_mask", "working_days", "period_split", "PERIOD_KINDS"]

#: Accepted spellings of each period kind.
PERIOD_KINDS = {
    "xun": ("xun", "旬", "ten-day", "ten day", "10-day", "dekad"),
    "week": ("week", "weeks", "周", "星期", "wk"),
    "day": ("day", "days", "日", "天", "daily"),
}
_XUN_LABELS = {"zh": ("上旬", "中旬", "下旬"), "en": ("Early", "Mid", "Late")}
_MONTH_TEXT = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?$")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_bounds(month: Any) -> tuple[np.datetime64, np.datetime64]:
    """First and last day of the month containing ``month`` (a date, serial, "2026-10" or "2026年10月").

    >>> [str(d) for d in month_bounds("2026-02-14")]
    ['2026-02-01', '2026-02-28']
    """
    if isinstance(month, pd.Period):
        month = month.start_time
    if isinstance(month, str):
        m = _MONTH_TEXT.match(unicodedata.normalize("NFKC", month).strip())
        if m:
            if not 1 <= int(m.group(2)) <= 12:
                raise CalcError("month", f"'{month}' is not a month")
            month = f"{m.group(1)}-{int(m.group(2)):02d}-01"
    day = to_date(month, "month")
    first = day.astype("datetime64[M]").astype("datetime64[D]")
    last = (day.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    return first, last


def _date_set(value: Any, argument: str) -> np.ndarray:
    if value is None:
        return np.array([], dtype="datetime64[D]")
    dates = to_dates(value, argument, allow_blank=True).ravel()
    return np.unique(dates[~np.isnat(dates)])


def working_day_mask(first: np.datetime64, last: np.datetime64, holidays: Any = None,
                     extra_workdays: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Days from ``first`` to ``last`` and whether each is a working day.

    A working day is Monday to Friday, not in ``holidays``, or any day listed
    in ``extra_workdays`` (调休 make-up days, often a Saturday or Sunday).
    A date in both lists is an error.

    >>> days, mask = working_day_mask(np.datetime64("2026-10-09"), np.datetime64("2026-10-12"),
    ...                               extra_workdays=["2026-10-10"])
    >>> mask.tolist()   # Fri, Sat (make-up day), Sun, Mon
    [True, True, False, True]
    """
    off = _date_set(holidays, "holidays")
    extra = _date_set(extra_workdays, "extra_workdays")
    both = np.intersect1d(off, extra)
    if both.size:
        raise CalcError("extra_workdays", f"{both[0]} is also listed as a holiday; a day is one or the other")
    days = np.arange(first, last + 1, dtype="datetime64[D]")
    mask = np.is_busday(days, holidays=off) | np.isin(days, extra)
    return days, mask


def working_days(start: Any, end: Any, holidays: Any = None, extra_workdays: Any = None) -> int:
    """Number of working days from ``start`` to ``end`` inclusive (Mon-Fri - holidays + make-up days).

    >>> working_days("2026-10-01", "2026-10-31", holidays=["2026-10-01", "2026-10-02", "2026-10-05",
    ...              "2026-10-06", "2026-10-07"], extra_workdays=["2026-10-10"])
    18
    """
    first, last = to_date(start, "start"), to_date(end, "end")
    if last < first:
        raise CalcError("end", f"{last} is before start {first}")
    _, mask = working_day_mask(first, last, holidays, extra_workdays)
    return int(mask.sum())


def _period_kind(period: Any) -> str:
    if period is None or (isinstance(period, str) and not period.strip()):
        return "xun"
    text = str(period).strip().lower()
    for kind, names in PERIOD_KINDS.items():
        if text in names:
            return kind
    raise CalcError("period", f"'{period}' is not a period; use \"xun\" (旬), \"week\" (周) or \"day\" (日)")


def _ranges(kind: str, first: np.datetime64, last: np.datetime64) -> list[tuple[np.datetime64, np.datetime64]]:
    if kind == "xun":
        return [(first, first + 9), (first + 10, first + 19), (first + 20, last)]
    if kind == "day":
        return [(d, d) for d in np.arange(first, last + 1, dtype="datetime64[D]")]
    out, start = [], first
    while start <= last:
        weekday = int((start.astype("int64") + 3) % 7)  # 1970-01-01 was a Thursday; Monday = 0
        end = min(start + (6 - weekday), last)
        out.append((start, end))
        start = end + 1
    return out


def _label(kind: str, lang: str, i: int, start: np.datetime64) -> str:
    if kind == "xun":
        return _XUN_LABELS[lang][i]
    if kind == "week":
        return f"第{i + 1}周" if lang == "zh" else f"Week {i + 1}"
    d = start.astype(dt.date)
    return f"{d.month}月{d.day}日" if lang == "zh" else f"{_EN_MONTHS[d.month - 1]} {d.day}"


def period_split(total: Any, month: Any, period: Any = "xun", holidays: Any = None,
                 extra_workdays: Any = None, unit: Any = 1, lang: Any = "zh") -> pd.DataFrame:
    """Split a month's ``total`` over 旬, weeks or days in proportion to working days.

    Periods: "xun"/"旬" = 上旬 1-10, 中旬 11-20, 下旬 21-end; "week"/"周" =
    calendar weeks Monday-Sunday cut at the month's edges; "day"/"日" = each
    day. Working days are Monday-Friday minus ``holidays`` plus
    ``extra_workdays`` (调休). Targets come from :func:`split_total` (exact sum,
    multiples of ``unit``). Labels are Chinese unless ``lang="en"``
    (Early/Mid/Late, Week 1, Oct 5).

    Returns a DataFrame with columns label, start, end, working_days, target.

    >>> t = period_split(220000, "2026-06-15", "xun")     # June 2026: 8 + 7 + 7 working days
    >>> t[["label", "working_days", "target"]].values.tolist()
    [['上旬', 8, 80000.0], ['中旬', 7, 70000.0], ['下旬', 7, 70000.0]]
    """
    kind = _period_kind(period)
    language = to_language(lang, "zh")
    first, last = month_bounds(month)
    days, mask = working_day_mask(first, last, holidays, extra_workdays)
    if not mask.any():
        raise CalcError("holidays", f"the month {str(first)[:7]} has no working day left to carry a target")
    ranges = _ranges(kind, first, last)
    counts = np.array([int(mask[(days >= s) & (days <= e)].sum()) for s, e in ranges])
    targets = split_total(total, counts, unit)
    return pd.DataFrame({
        "label": [_label(kind, language, i, s) for i, (s, _) in enumerate(ranges)],
        "start": [s.astype(dt.date) for s, _ in ranges],
        "end": [e.astype(dt.date) for _, e in ranges],
        "working_days": counts.astype(int),
        "target": targets,
    })
