"""Dates as exports write them: each date column's format is found from all of its values.

ISO and Chinese dates (2026-10-05, 2026/10/05, 2026年10月5日, 20261005) and
real spreadsheet dates are left to the workbook reader's own parser. Dates
written with the day and the month as numbers before the year (6/8/14,
25.10.2026) are read the way their column says: a column in which some first
number is above 12 is day first, one in which some second number is above 12
is month first. A column with neither is ambiguous, and the import stops
with the question (``--date-format mdy`` or ``dmy``); one with both is mixed
and stops too. Month names (5 Oct 2026, Oct 5, 2026, 05-Oct-26) need no
question. ``--date-format`` forces an order (``mdy``, ``dmy``, ``ymd``) or a
``strptime`` pattern such as ``%d.%m.%Y``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable

from salesdeck.errors import SalesdeckError

__all__ = ["ACCEPTED", "ORDERS", "check_format", "read_dates"]

#: The forced orders ``--date-format`` takes, and what each means.
ORDERS = {"mdy": "month/day/year", "dmy": "day/month/year", "ymd": "year/month/day with a 2-digit year"}
#: The formats a date column may hold, for messages.
ACCEPTED = ("2026-10-05, 2026/10/05, 2026年10月5日, 20261005, 10/5/2026 or 5/10/2026 (month or day first, "
            "found from the column or given with --date-format mdy|dmy), 5 Oct 2026, Oct 5, 2026, 05-Oct-26, "
            "each with or without a time, and dates typed as dates in a spreadsheet")

_TIME = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?)?"
_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})" + _TIME, re.I)
_NAME_FIRST = re.compile(r"([A-Za-z]{3,9})\.?[\s\-./]*(\d{1,2})(?:st|nd|rd|th)?,?[\s\-./]*(\d{4}|\d{2})" + _TIME, re.I)
_DAY_FIRST = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-./]*([A-Za-z]{3,9})\.?,?[\s\-./]*(\d{4}|\d{2})" + _TIME, re.I)
_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}


def check_format(fmt: str | None) -> str | None:
    """``--date-format`` as given, checked: an order (mdy, dmy, ymd) or a strptime pattern with a %."""
    if fmt is None or not fmt.strip():
        return None
    fmt = fmt.strip()
    if fmt.lower() in ORDERS:
        return fmt.lower()
    if "%" in fmt:
        try:
            dt.datetime(2026, 10, 5).strftime(fmt)
        except ValueError:
            raise SalesdeckError(f"--date-format {fmt!r} is not a date pattern") from None
        return fmt
    raise SalesdeckError(f"--date-format {fmt!r}: expected mdy (6/8/14 = 2014-06-08), dmy (6/8/14 = 2014-08-06), "
                         "ymd, or a pattern such as %d.%m.%Y")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # as strptime's %y reads them: 69-99 are 1969-1999, 00-68 are 2000-2068
        year += 1900 if year >= 69 else 2000
    return year


def _date(year: int, month: int, day: int) -> dt.datetime | None:
    try:
        return dt.datetime(year, month, day)
    except ValueError:
        return None


def _named(text: str) -> dt.datetime | None:
    """A date with its month's name: 'Oct 5, 2026', '5 Oct 2026', '05-Oct-26'."""
    match = _NAME_FIRST.fullmatch(text)
    if match and match.group(1).lower() in _MONTHS:
        return _date(_year(match.group(3)), _MONTHS[match.group(1).lower()], int(match.group(2)))
    match = _DAY_FIRST.fullmatch(text)
    if match and match.group(2).lower() in _MONTHS:
        return _date(_year(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)))
    return None


def _numeric(match: re.Match, order: str) -> dt.datetime | None:
    a, b, c = match.group(1), match.group(2), match.group(3)
    if order == "ymd":
        return _date(_year(a), int(b), int(c)) if len(c) == 2 else None
    month, day = (a, b) if order == "mdy" else (b, a)
    return _date(_year(c), int(month), int(day))


def _order(texts: dict[str, int], header: str, where: str, row: Callable[[int], int]) -> str | None:
    """The order of a column's numeric dates: day first, month first, or None when none is numeric."""
    day_first = month_first = ambiguous = None
    count = 0
    for text, pos in texts.items():
        match = _NUMERIC.fullmatch(text)
        if not match:
            continue
        count += 1
        a, b = int(match.group(1)), int(match.group(2))
        if a > 12 >= b:
            day_first = day_first or (text, pos)
        elif b > 12 >= a:
            month_first = month_first or (text, pos)
        elif a != b and a <= 12 and b <= 12:
            ambiguous = ambiguous or (text, pos)
    if day_first and month_first:
        raise SalesdeckError(
            f"{where}: column {header!r} mixes day-first dates ({day_first[0]!r}, row {row(day_first[1])}) and "
            f"month-first dates ({month_first[0]!r}, row {row(month_first[1])}); say which it is with "
            "--date-format dmy or --date-format mdy (the dates written the other way are then skipped)")
    if day_first:
        return "dmy"
    if month_first:
        return "mdy"
    if ambiguous:
        text, pos = ambiguous
        match = _NUMERIC.fullmatch(text)
        as_mdy, as_dmy = _numeric(match, "mdy"), _numeric(match, "dmy")
        raise SalesdeckError(
            f"{where}: column {header!r} has dates like {text!r} (row {row(pos)}) that read either month first or "
            f"day first, and none of its {count:,} such dates has a day above 12 to tell which. Which is it? "
            f"Add --date-format mdy ({text} = {as_mdy:%Y-%m-%d}) or --date-format dmy ({text} = {as_dmy:%Y-%m-%d})")
    return "mdy" if count else None


def read_dates(values: list, header: str, where: str, row: Callable[[int], int], forced: str | None = None) -> list:
    """``values`` with every date written in a CRM's way turned into a datetime; anything else as it was.

    ``header`` and ``where`` (the file) name the column in a question; ``row(index)`` gives a value's file row.
    Raises SalesdeckError when the column's day/month order is ambiguous or mixed and not ``forced``.
    """
    texts: dict[str, int] = {}
    for pos, value in enumerate(values):
        if isinstance(value, str) and value.strip() and value not in texts:
            texts[value] = pos
    if not texts:
        return values
    stripped = {text: text.strip() for text in texts}
    if forced and "%" in forced:
        found = {text: _strptime(clean, forced) for text, clean in stripped.items()}
    else:
        order = forced or _order({stripped[t]: p for t, p in texts.items()}, header, where, row)
        found = {}
        for text, clean in stripped.items():
            match = _NUMERIC.fullmatch(clean)
            found[text] = _numeric(match, order) if match and order else _named(clean)
    if not any(found.values()):
        return values
    return [(found.get(v) or v) if isinstance(v, str) else v for v in values]


def _strptime(text: str, pattern: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, pattern)
    except ValueError:
        return None
