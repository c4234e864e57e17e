"""Parse what people type into one cell: amounts, rates, dates, months, choices, text.

Each parser accepts what people really type ("12,000元", "1.2万", "12%",
"2026年10月5日") and raises :class:`ParseError` saying what was expected for
what cannot be meant. Whole columns are parsed by :mod:`.columns`, which
calls these only for the cells its vectorised fast path cannot read. Range
rules (minimum, maximum, required) live in ``validate``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesdeck.workbook import contract
from salesdeck.workbook.read.raw import EXCEL_ERRORS

_SERIAL_MIN, _SERIAL_MAX = 1, 2958465  # 1900-01-01 .. 9999-12-31

EXPECTED = {
    "text": "text",
    "int": "a whole number",
    "number": "a number",
    "money": "an amount, e.g. 12000, 12,000元 or 1.2万",
    "rate": "a percentage 0%-100%, e.g. 12% or 0.12",
    "ratio": "a percentage, e.g. 80%, 150% or 0.8",
    "date": "a date, e.g. 2026-10-05",
    "month": "a month, e.g. 2026-10",
    "choice": "one of the listed values",
    "stage": "a stage name or a probability",
    "bool": "yes or no",
}


#: No figure salesdeck reads may be bigger than this (in size): sums of a million such values stay exact to
#: the unit and far from overflowing, and no sales amount, target or count comes near it.
MAX_MAGNITUDE = 1e15

#: Characters that cannot be shown, or that show text in another order than it is stored: control
#: characters (tab and line breaks aside), text-direction overrides and isolates, non-characters and
#: unpaired surrogates. They garble slides, file names and the XML a deck is written in.
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


class ParseError(ValueError):
    """A cell value that cannot mean anything of the wanted type."""

    def __init__(self, message: str, expected: str | None = None):
        super().__init__(message)
        self.message = message
        self.expected = expected


@dataclass
class Problem:
    """A cell that could not be parsed: position in the column, value, what was expected."""

    pos: int
    value: object
    expected: str
    message: str


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def expected_for(column: contract.Column) -> str:
    if column.type == "choice":
        return "one of: " + ", ".join(_choice_label(c) for c in column.choices)
    return EXPECTED[column.type]


def _choice_label(choice: contract.Choice) -> str:
    return choice.zh if choice.zh == choice.en else f"{choice.zh}/{choice.en}"


# ------------------------------------------------------------------ per-cell parsers
_CURRENCY = re.compile(r"^(?:rmb|cny|usd|hkd|eur|￥|¥|\$|€|£)|(?:元|块|rmb|cny|usd|hkd|eur)$", re.I)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$", re.I)
_UNITS = {"万": 1e4, "w": 1e4, "亿": 1e8, "千": 1e3, "k": 1e3, "百万": 1e6, "m": 1e6}
_FULLWIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}


def _error_check(value: object) -> None:
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        raise ParseError(f"Excel error {value.strip()} in the cell: fix the formula or type the value")


def parse_number(value: object, *, allow_percent: bool = False, allow_units: bool = True) -> float:
    """A number from a cell: 12000, "12,000", "12,000元", "￥12,000", " 8800 ", "1.2万", "(1,200)"."""
    _error_check(value)
    if isinstance(value, bool):
        raise ParseError(f"{'TRUE' if value else 'FALSE'} is a yes/no value, not a number")
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if not math.isfinite(number):
            raise ParseError("not a finite number")
        return number
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        raise ParseError(f"{value} is a date/time, not a number")
    if not isinstance(value, str):
        raise ParseError(f"{value!r} is not a number")
    text = value.translate(_FULLWIDTH).strip().replace(",", "").replace("，", "").replace(" ", "").replace("_", "")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.startswith(("-", "−")) and not _NUMBER.match(text.replace("−", "-")):
        negative, text = True, text[1:]
    text = _CURRENCY.sub("", text).strip()
    text = _CURRENCY.sub("", text).strip()
    percent = False
    if text.endswith("%"):
        if not allow_percent:
            raise ParseError(f"{value!r} is a percentage, expected an amount")
        percent, text = True, text[:-1]
    factor = 1.0
    for unit in sorted(_UNITS, key=len, reverse=True):
        if allow_units and not percent and text.lower().endswith(unit) and len(text) > len(unit):
            factor, text = _UNITS[unit], text[: -len(unit)]
            break
    text = text.replace("−", "-")
    if not _NUMBER.match(text):
        raise ParseError(f"{value!r} is not a number")
    number = float(text) * factor
    if percent:
        number /= 100
    if not math.isfinite(number):
        raise ParseError(f"{value!r} is not a finite number")
    return -number if negative else number


def parse_rate(value: object, *, may_exceed_one: bool = False) -> float:
    """A fraction: "12%" or 0.12 -> 0.12. For rates a bare number above 1 is refused."""
    text_percent = isinstance(value, str) and value.strip().endswith(("%", "％"))
    number = parse_number(value, allow_percent=True, allow_units=False)
    if not may_exceed_one and not text_percent and number > 1:
        shown = f"{number:g}"
        raise ParseError(f"{shown} looks like {shown}%: enter {shown}% or {number / 100:g}")
    return number


def parse_int(value: object) -> float:
    number = parse_number(value)
    if abs(number - round(number)) > 1e-9:
        raise ParseError(f"{value!r} is not a whole number")
    return float(round(number))


_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MONTH_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _from_serial(number: float) -> pd.Timestamp:
    """An Excel serial day number (1 = 1900-01-01) as a timestamp, to the second."""
    if not (_SERIAL_MIN <= number <= _SERIAL_MAX):
        raise ParseError(f"{number:g} is not a date")
    stamp = dt.datetime(1899, 12, 30) + dt.timedelta(seconds=round(number * 86400))
    return pd.Timestamp(stamp)


FIRST_YEAR, LAST_YEAR = 1900, 2199


def parse_date(value: object) -> pd.Timestamp:
    """A date from a cell: a real date, an Excel serial number, or ISO/Chinese text (years 1900-2199)."""
    if isinstance(value, dt.date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ParseError(f"{value.isoformat()[:10]} is not a plausible date (years {FIRST_YEAR}-{LAST_YEAR}): check the year")
    try:
        stamp = _parse_date(value)
    except (OverflowError, pd.errors.OutOfBoundsDatetime, pd.errors.OutOfBoundsTimedelta):
        raise ParseError(f"{value!r} is not a plausible date (years {FIRST_YEAR}-{LAST_YEAR})") from None
    if not FIRST_YEAR <= stamp.year <= LAST_YEAR:
        raise ParseError(f"{stamp:%Y-%m-%d} is not a plausible date (years {FIRST_YEAR}-{LAST_YEAR}): check the year")
    return stamp


def _parse_date(value: object) -> pd.Timestamp:
    _error_check(value)
    if isinstance(value, bool):
        raise ParseError(f"{'TRUE' if value else 'FALSE'} is not a date")
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value)
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _from_serial(float(value))
    if not isinstance(value, str):
        raise ParseError(f"{value!r} is not a date")
    text = value.translate(_FULLWIDTH).strip()
    match = _DATE_TEXT.match(text) or _COMPACT.match(text)
    if not match:
        try:
            serial = float(text)
        except ValueError:
            raise ParseError(f"{value!r} is not a date") from None
        return _from_serial(serial)
    year, month, day = (int(g) for g in match.groups())
    try:
        return pd.Timestamp(dt.date(year, month, day))
    except ValueError:
        raise ParseError(f"{text} is not a real date") from None


def parse_month(value: object) -> pd.Timestamp:
    """A month (its first day): a date in it, "2026-10", "2026/10", "2026年10月"."""
    if isinstance(value, str):
        text = value.translate(_FULLWIDTH).strip()
        match = _MONTH_TEXT.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if not 1 <= month <= 12:
                raise ParseError(f"{text} is not a real month")
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise ParseError(f"{text} is not a plausible month (years {FIRST_YEAR}-{LAST_YEAR}): check the year")
            return pd.Timestamp(year=year, month=month, day=1)
    stamp = parse_date(value)
    return pd.Timestamp(year=stamp.year, month=stamp.month, day=1)


_TRUE = {"true", "yes", "y", "1", "是", "对", "√", "✓", "x"}
_FALSE = {"false", "no", "n", "0", "否", "不", "×", "✗", ""}


def parse_bool(value: object) -> bool:
    """Yes/no from a cell: TRUE/FALSE, 1/0, yes/no, 是/否."""
    _error_check(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ParseError(f"{value!r} is not yes/no")


def parse_text(value: object) -> str:
    """Text from a cell; whole numbers lose their '.0', dates become ISO text; no invisible characters."""
    _error_check(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    found = INVISIBLE.search(text)
    if found:
        raise invisible_character(found.group())
    return text


def invisible_character(char: str) -> ParseError:
    """The error for text holding one of the INVISIBLE characters."""
    kind = "a text-direction control" if "\u202a" <= char <= "\u2069" else "an invisible control character"
    return ParseError(f"contains {kind} (U+{ord(char):04X}) that garbles slides and file names; "
                      "retype the text without it", "text without control or text-direction characters")


def parse_choice(value: object, choices: tuple[contract.Choice, ...]) -> str:
    """The canonical key of the choice a cell names (zh/en label, key or alias, any case)."""
    _error_check(value)
    found = contract.find_choice(choices, parse_text(value))
    if found is None:
        raise ParseError(f"{value!r} is not one of: " + ", ".join(_choice_label(c) for c in choices))
    return found.key


def parse_stage(value: object) -> object:
    """A stage as typed: text stays text, numbers stay numbers (resolved in validate)."""
    _error_check(value)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        raise ParseError(f"{'TRUE' if value else 'FALSE'} is not a stage")
    if isinstance(value, (int, float)):
        return float(value)
    return parse_text(value)


def parse_value(value: object, type_: str, choices: tuple[contract.Choice, ...] = ()) -> object:
    """One cell of a given contract type (used for Settings values)."""
    if type_ == "text":
        return parse_text(value)
    if type_ in ("number", "money"):
        return parse_number(value)
    if type_ == "int":
        return parse_int(value)
    if type_ == "rate":
        return parse_rate(value)
    if type_ == "ratio":
        return parse_rate(value, may_exceed_one=True)
    if type_ == "date":
        return parse_date(value)
    if type_ == "month":
        return parse_month(value)
    if type_ == "choice":
        return parse_choice(value, choices)
    if type_ == "stage":
        return parse_stage(value)
    if type_ == "bool":
        return parse_bool(value)
    raise ValueError(f"unknown type {type_!r}")
