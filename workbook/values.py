"""Parse what people type into cells, one column type at a time.

``parse_column`` takes a column of raw cell values (as calamine or xlwings give
them) and returns typed values plus the cells that could not be read. The
common case is vectorised (real numbers, real dates); only the cells that fail
the fast path go through the per-cell parsers below, memoised per distinct
value. Range rules (minimum, maximum, required) live in ``validate``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesdeck.workbook import contract
from salesdeck.workbook.rawread import EXCEL_ERRORS

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


@dataclass
class ParsedColumn:
    values: pd.Series          # float64, datetime64[ns] or object (None when blank)
    blank: np.ndarray          # True where the cell was empty
    problems: list[Problem]


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
    """Text from a cell; whole numbers lose their '.0', dates become ISO text."""
    _error_check(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


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


# ------------------------------------------------------------------ whole columns
_BLANK = object()
_NUMERIC_TYPES = [float, int, np.float64, np.int64]


def _types(values: list) -> pd.Series:
    return pd.Series(list(map(type, values)), dtype=object)


def parse_column(values, column: contract.Column) -> ParsedColumn:
    """Parse one column's raw values (a list or object array): each distinct value once."""
    kind = column.type
    if kind in ("int", "number", "money", "rate", "ratio"):
        plain = _plain_numeric_column(values, column) if set(map(type, values)) <= _PLAIN_NUMBERS else None
        if plain is not None:
            return plain
        series = pd.Series(values, dtype=object)
        blank = (series.isna() | series.isin([""])).to_numpy(copy=True)
        return _numeric_column(values, series, blank, column)
    if kind in ("date", "month"):
        return _date_column(values, column)
    if kind == "choice":
        return _generic_column(values, column, lambda v: parse_choice(v, column.choices))
    if kind == "stage":
        return _generic_column(values, column, parse_stage)
    if _plain_text(values):
        return ParsedColumn(pd.Series(_object_array(values), dtype=object), np.zeros(len(values), dtype=bool), [])
    return _generic_column(values, column, _fast_text)


def _plain_text(values) -> bool:
    """A mostly-unique column (order numbers) whose every cell is already final text: a non-blank str,
    nothing to strip, not an error value. Columns of repeating names go through the factorising
    path instead: its repeated cells come out as one object each, which the analysis groups faster."""
    try:
        if len(set(values[:256])) <= 128:
            return False
    except TypeError:
        return False
    return all(type(v) is str and v and v[0] != "#" and v.strip() is v for v in values)


_PLAIN_NUMBERS = {float, int}


def _plain_numeric_column(values, column: contract.Column) -> ParsedColumn | None:
    """A column of finite Python floats and ints that all fit the type, checked with numpy alone; else None."""
    try:
        out = np.array(values, dtype=np.float64)
    except OverflowError:
        return None
    with np.errstate(invalid="ignore"):
        if not np.isfinite(out).all() or _numeric_suspects(out, column).any():
            return None
    if column.type == "int":
        out = np.round(out)  # within 1e-9 of a whole number: that number, as parse_int gives it
    return ParsedColumn(pd.Series(out, dtype="float64"), np.zeros(len(out), dtype=bool), [])


def _numeric_suspects(out: np.ndarray, column: contract.Column) -> np.ndarray:
    """Cells that parse as numbers but break the column's type: fractions in whole-number columns, rates above 1."""
    if column.type == "int":
        return np.abs(out - np.round(out)) > 1e-9
    if column.type == "rate":
        return out > 1
    return np.zeros(len(out), dtype=bool)


_OK, _PROBLEM, _BLANKED = 0, 1, 2


@dataclass
class _Distinct:
    """A column factorised: each cell's code, and per distinct value its status and parsed value."""

    cells: np.ndarray         # the raw values (object array)
    codes: np.ndarray         # per cell: index into the per-value lists, -1 for None/NaN
    status: np.ndarray        # per cell: _OK, _PROBLEM or _BLANKED
    parsed: list              # per distinct value (None unless parsed)
    messages: list            # per distinct value (message when it is a problem)

    def problems(self, column: contract.Column, offset: np.ndarray | None = None) -> list[Problem]:
        expected = expected_for(column)
        found = []
        for k in np.flatnonzero(self.status == _PROBLEM):
            pos = int(offset[k]) if offset is not None else int(k)
            found.append(Problem(pos, self.cells[k], expected, self.messages[self.codes[k]]))
        return found


def _distinct(cells, parser) -> _Distinct:
    """Factorise ``cells`` and parse each distinct value once (whitespace-only text counts as blank)."""
    cells = cells if isinstance(cells, np.ndarray) and cells.dtype == object else _object_array(cells)
    codes, uniques = _factorize(cells)
    # (status, parsed, message) per distinct value; plain text (most of them) inline
    results = _text_results(uniques) if parser is _fast_text else [_parse_one(v, parser) for v in uniques]
    status = np.array([r[0] for r in results] + [_BLANKED], dtype=np.int8)[codes]
    parsed = [r[1] for r in results]
    messages = [r[2] for r in results]
    return _Distinct(cells, codes, status, parsed, messages)


def _parse_one(value, parser) -> tuple[int, object, str | None]:
    if isinstance(value, str) and not value.strip():
        return _BLANKED, None, None
    try:
        return _OK, parser(value), None
    except ParseError as exc:
        return _PROBLEM, None, exc.message


def _text_results(uniques: list) -> list[tuple[int, object, str | None]]:
    results = []
    append = results.append
    for value in uniques:
        if type(value) is str:
            text = value.strip()
            if text and (text[0] != "#" or text.upper() not in EXCEL_ERRORS):
                append((_OK, text, None))
                continue
        append(_parse_one(value, _fast_text))
    return results


def _object_array(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _factorize(cells: np.ndarray) -> tuple[np.ndarray, list]:
    """pd.factorize, except that TRUE/FALSE stay apart from 1/0 (Python counts them equal)."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    uniques = list(uniques)
    suspects = [k for k, u in enumerate(uniques) if type(u) in _BOOLISH and (u == 0 or u == 1)]
    if not suspects:
        return codes, uniques
    codes = codes.copy()
    seen: dict[tuple[bool, float], int] = {(type(uniques[k]) is bool, float(uniques[k])): k for k in suspects}
    for pos in np.flatnonzero(np.isin(codes, suspects)):
        value = cells[pos]
        key = (type(value) is bool, float(value))
        if key not in seen:
            seen[key] = len(uniques)
            uniques.append(value)
        codes[pos] = seen[key]
    return codes, uniques


_BOOLISH = (bool, int, float, np.bool_, np.int64, np.float64)


def _per_cell(series: pd.Series, positions: np.ndarray, parser, column, blank: np.ndarray) -> tuple[np.ndarray, list, list[Problem]]:
    """Parse the cells at ``positions`` once per distinct value.

    Returns (positions parsed, their values, problems); whitespace-only cells are
    marked blank in ``blank``.
    """
    found = _distinct(series.to_numpy()[positions], parser)
    blank[positions[found.status == _BLANKED]] = True
    ok = np.flatnonzero(found.status == _OK)
    table = np.empty(len(found.parsed), dtype=object)
    table[:] = found.parsed
    return positions[ok], table[found.codes[ok]], found.problems(column, positions)


def _numeric_column(values: list, series: pd.Series, blank: np.ndarray, column: contract.Column) -> ParsedColumn:
    n = len(values)
    out = None
    if not blank.any():
        try:
            out = np.array(values, dtype=np.float64)
        except (ValueError, TypeError):
            out = None
        if out is not None and (any(v is True or v is False for v in values) or any(type(v) is str for v in values)):
            out = None  # yes/no cells and typed text go through the careful path
    if out is not None:
        direct = np.isfinite(out)
    else:
        direct = _types(values).isin(_NUMERIC_TYPES).to_numpy(copy=True) & ~blank
        out = np.full(n, np.nan)
        if direct.any():
            out[direct] = series[direct].astype(np.float64).to_numpy()
        direct &= np.isfinite(out)
    out[~direct] = np.nan
    with np.errstate(invalid="ignore"):
        suspect = direct & _numeric_suspects(out, column)
    out[suspect] = np.nan
    if column.type == "int":
        out = np.round(out)
    slow = np.flatnonzero((~direct | suspect) & ~blank)
    problems: list[Problem] = []
    if len(slow):
        parser = {"int": parse_int, "rate": parse_rate,
                  "ratio": lambda v: parse_rate(v, may_exceed_one=True)}.get(column.type, parse_number)
        done, parsed, problems = _per_cell(series, slow, parser, column, blank)
        out[done] = parsed.astype(np.float64)
    return ParsedColumn(pd.Series(out, dtype="float64"), blank, problems)


def _date_column(values, column: contract.Column) -> ParsedColumn:
    parser = parse_month if column.type == "month" else parse_date
    found = _distinct(values, parser)
    stamps = [p.to_datetime64() if p is not None else np.datetime64("NaT") for p in found.parsed]
    table = np.array(stamps + [np.datetime64("NaT")], dtype="datetime64[ns]")
    out = table[np.where(found.status == _OK, found.codes, -1)]
    return ParsedColumn(pd.Series(out, dtype="datetime64[ns]"), found.status == _BLANKED, found.problems(column))


def _fast_text(value: object) -> str:
    if type(value) is str:
        text = value.strip()
        if text[:1] != "#" or text.upper() not in EXCEL_ERRORS:
            return text
    return parse_text(value)


def _generic_column(values, column: contract.Column, parser) -> ParsedColumn:
    found = _distinct(values, parser)
    table = np.empty(len(found.parsed) + 1, dtype=object)
    table[:] = found.parsed + [None]
    out = table[np.where(found.status == _OK, found.codes, -1)]
    return ParsedColumn(pd.Series(out, dtype=object), found.status == _BLANKED, found.problems(column))
