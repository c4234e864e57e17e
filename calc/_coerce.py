"""Turn what people and Excel pass (scalars, lists, 2-D lists, arrays) into numpy arrays.

Every function keeps the shape of its input: a scalar gives a 0-d array, a
1-D list a 1-D array, a 2-D list (a row ``[[1, 2]]`` or a column
``[[1], [2]]``) a 2-D array. Anything that is not a clean value raises
:class:`~salesdeck.errors.CalcError` naming the argument, the position and
the offending value, so nothing is ever silently turned into a number.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from salesdeck.errors import CalcError

__all__ = [
    "parse_number",
    "to_float_array",
    "to_vector",
    "to_scalar",
    "to_object_array",
    "to_dates",
    "to_date",
    "position",
    "check_rate",
    "to_language",
]

_PLAIN_NUMBER_TYPES = {float, int, np.float64, np.float32, np.int64, np.int32, np.int16, np.int8,
                       np.uint64, np.uint32, np.uint16, np.uint8}
_NESTED_TYPES = {list, tuple, np.ndarray}
_DATE_TYPES = {dt.date, dt.datetime, pd.Timestamp}
_NONE = type(None)
_NUMBER_TEXT = re.compile(
    r"""^(?P<sign>[+-]?)\s*
        (?:[¥$€£]|rmb|cny)?\s*
        (?P<int>\d{1,3}(?:,\d{3})+|\d*)
        (?P<frac>\.\d+)?
        (?P<exp>e[+-]?\d+)?
        \s*(?P<unit>%|‰|万元|万|亿元|亿|元)?$""",
    re.IGNORECASE | re.VERBOSE,
)
# unit -> (multiplier, divisor); dividing by 100 keeps "70%" at exactly 0.7
_UNIT_FACTOR = {None: (1.0, 1.0), "%": (1.0, 100.0), "‰": (1.0, 1000.0), "元": (1.0, 1.0), "万": (1e4, 1.0),
                "万元": (1e4, 1.0), "亿": (1e8, 1.0), "亿元": (1e8, 1.0)}
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
# Excel's 1900 date system: serial 1 is 1900-01-01; serial 60 is the fictional 1900-02-29.
_EXCEL_BEFORE_60 = np.datetime64("1899-12-31", "D")
_EXCEL_FROM_61 = np.datetime64("1899-12-30", "D")
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_DATE_TEXT = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)


def position(index: int | tuple, shape: tuple) -> str:
    """Human position of an element: "item 3" (1-D) or "row 2, column 1" (2-D); 1-based."""
    if len(shape) == 2:
        r, c = index if isinstance(index, tuple) else divmod(int(index), shape[1])
        if shape[1] == 1:
            return f"row {r + 1}"
        if shape[0] == 1:
            return f"column {c + 1}"
        return f"row {r + 1}, column {c + 1}"
    if len(shape) == 1:
        i = index[0] if isinstance(index, tuple) else index
        return f"item {int(i) + 1}"
    return "the value"


def parse_number(text: str) -> float | None:
    """The number meant by ``text``, or None when it is not a number.

    Accepts thousands separators, percent, 万/亿 and a currency sign:

    >>> parse_number("12,000"), parse_number("12%"), parse_number("¥1.2万")
    (12000.0, 0.12, 12000.0)
    >>> parse_number("1,2") is None, parse_number("abc") is None
    (True, True)
    """
    s = unicodedata.normalize("NFKC", text).strip()
    m = _NUMBER_TEXT.match(s)
    if not m or not (m.group("int") or m.group("frac")):
        return None
    body = (m.group("int") or "0").replace(",", "") + (m.group("frac") or "") + (m.group("exp") or "")
    multiplier, divisor = _UNIT_FACTOR[m.group("unit")]
    value = float(Decimal(body) * Decimal(int(multiplier)) / Decimal(int(divisor)))  # exact, then one rounding
    if math.isinf(value):
        return None
    return -value if m.group("sign") == "-" else value


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.date, np.datetime64, pd.Timestamp)):
        return f"the date {str(value)[:10]}"
    return repr(value)


def _is_blank(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, np.floating):
        return bool(np.isnan(value))
    return False


def _scalar_number(value: Any, argument: str, where: str) -> float:
    """One cell to a float; NaN for a blank cell; CalcError for anything else."""
    if _is_blank(value):
        return math.nan
    if isinstance(value, (bool, np.bool_)):
        raise CalcError(argument, f"{_describe(value)} at {where} is not a number")
    if isinstance(value, (Real, Decimal, np.number)):
        number = float(value)
        if math.isinf(number):
            raise CalcError(argument, f"infinite value at {where}")
        return number
    if isinstance(value, str):
        number = parse_number(value)
        if number is None:
            raise CalcError(argument, f"{_describe(value)} at {where} is not a number")
        return number
    raise CalcError(argument, f"{_describe(value)} at {where} is not a number")


def _as_object_array(value: Any, argument: str) -> np.ndarray:
    """Lists/tuples/arrays/Series to an array (object dtype for lists), at most 2-D, never ragged."""
    if isinstance(value, (pd.Series, pd.Index)):
        return value.to_numpy()
    if isinstance(value, pd.DataFrame):
        return value.to_numpy()
    if isinstance(value, np.ndarray):
        arr = value
    elif isinstance(value, (list, tuple)):
        try:
            arr = np.array(value, dtype=object)
        except ValueError:
            arr = None
        if arr is None or (arr.size and not _NESTED_TYPES.isdisjoint(map(type, arr.ravel()))):
            raise CalcError(argument, "rows have different lengths; give a single rectangular range")
    else:
        arr = np.array(value, dtype=object)
    if arr.ndim > 2:
        raise CalcError(argument, f"expected a cell, a row, a column or a table, got {arr.ndim} dimensions")
    return arr


def to_float_array(value: Any, argument: str, *, allow_blank: bool = False,
                   minimum: float | None = None, allow_empty: bool = False) -> np.ndarray:
    """Numbers of ``value`` as a float array of the same shape.

    Blank cells (None, "", NaN) become NaN when ``allow_blank`` else raise;
    numeric text ("12,000", "12%") is accepted; other text raises quoting it;
    ``minimum`` rejects values below it.

    >>> to_float_array([[1], ["2,000"]], "weights").tolist()
    [[1.0], [2000.0]]
    >>> to_float_array("12%", "rate").item()
    0.12
    """
    if value is None:
        if allow_blank:
            return np.array(np.nan)
        raise CalcError(argument, "is required")
    arr = _as_object_array(value, argument)
    kind = arr.dtype.kind
    if kind in "fiu":
        out = arr.astype(float, copy=True)
        if kind == "f" and np.isinf(out).any():
            bad = int(np.flatnonzero(np.isinf(out).ravel())[0])
            raise CalcError(argument, f"infinite value at {position(bad, out.shape)}")
    elif kind == "O" and set(map(type, arr.ravel())) <= _PLAIN_NUMBER_TYPES:
        out = arr.astype(float)
        if np.isinf(out).any():
            bad = int(np.flatnonzero(np.isinf(out).ravel())[0])
            raise CalcError(argument, f"infinite value at {position(bad, out.shape)}")
    else:
        flat = arr.ravel()
        out = np.fromiter(
            (_scalar_number(x, argument, position(i, arr.shape)) for i, x in enumerate(flat)),
            dtype=float, count=flat.size,
        ).reshape(arr.shape)
    if out.size == 0 and not allow_empty:
        raise CalcError(argument, "is empty; give at least one value")
    if not allow_blank:
        nan = np.isnan(out)
        if nan.any():
            bad = int(np.flatnonzero(nan.ravel())[0])
            raise CalcError(argument, f"blank cell at {position(bad, out.shape)}; a number is required")
    if minimum is not None:
        low = out < minimum
        if low.any():
            bad = int(np.flatnonzero(low.ravel())[0])
            word = "negative" if minimum == 0 else f"below {minimum:g}"
            raise CalcError(argument, f"{out.ravel()[bad]:g} at {position(bad, out.shape)} is {word}")
    return out


def to_vector(value: Any, argument: str, **kwargs: Any) -> np.ndarray:
    """Like :func:`to_float_array` but always 1-D (a row, a column or a block read row by row).

    >>> to_vector([[1, 2]], "weights").tolist()
    [1.0, 2.0]
    """
    return to_float_array(value, argument, **kwargs).ravel()


def to_scalar(value: Any, argument: str, *, default: float | None = None,
              minimum: float | None = None) -> float:
    """One number; ``default`` when omitted (None or blank); a single-cell range is unwrapped.

    >>> to_scalar("12,000", "total"), to_scalar(None, "unit", default=1.0)
    (12000.0, 1.0)
    """
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        arr = _as_object_array(value, argument)
        if arr.size != 1:
            raise CalcError(argument, f"expected a single value, got {arr.size} cells")
        value = arr.ravel()[0]
    if _is_blank(value):
        if default is None:
            raise CalcError(argument, "is required")
        return float(default)
    number = _scalar_number(value, argument, "the value")
    if minimum is not None and number < minimum:
        word = "negative" if minimum == 0 else f"below {minimum:g}"
        raise CalcError(argument, f"{number:g} is {word}")
    return number


def to_object_array(value: Any, argument: str) -> np.ndarray:
    """Cells as an object array of the input's shape (text and numbers kept as given)."""
    if value is None:
        raise CalcError(argument, "is required")
    arr = _as_object_array(value, argument)
    if arr.dtype != object:
        arr = arr.astype(object)
    if arr.size == 0:
        raise CalcError(argument, "is empty; give at least one value")
    return arr


def check_rate(values: np.ndarray, argument: str, *, maximum: float = 1.0) -> np.ndarray:
    """Reject rates above ``maximum`` (12 meaning 12%) and below 0; return ``values``."""
    if values.size:
        if (values < 0).any():
            bad = float(values[values < 0].ravel()[0])
            raise CalcError(argument, f"{bad:g} is negative; a rate is between 0 and {maximum:g}")
        if (values > maximum).any():
            bad = float(values[values > maximum].ravel()[0])
            raise CalcError(argument, f"{bad:g} looks like {bad:g}%: enter {bad / 100:g} (a rate above "
                                      f"{maximum:g} is almost always a typing error)")
    return values


def to_language(lang: Any, default: str = "en") -> str:
    """"zh" or "en" from the usual spellings; ``default`` when omitted.

    >>> to_language("中文"), to_language(None, "zh"), to_language("EN")
    ('zh', 'zh', 'en')
    """
    if lang is None or (isinstance(lang, str) and not lang.strip()):
        return default
    text = str(lang).strip().lower()
    if text in ("zh", "cn", "zh-cn", "zh_cn", "chinese", "中文"):
        return "zh"
    if text in ("en", "english", "英文"):
        return "en"
    raise CalcError("lang", f"'{lang}' is not a language; use \"zh\" or \"en\"")


# ---------------------------------------------------------------- dates
def _serials_to_dates(serial: np.ndarray, argument: str) -> np.ndarray:
    days = np.floor(serial)
    ok = np.isnan(days) | ((days >= 1) & (days <= _EXCEL_MAX_SERIAL) & (days != 60))
    if not ok.all():
        bad = int(np.flatnonzero(~ok.ravel())[0])
        raise CalcError(argument, f"{serial.ravel()[bad]:g} at {position(bad, serial.shape)} is not a valid "
                                  "Excel date serial")
    out = np.full(serial.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    valid = ~np.isnan(days)
    d = days[valid].astype(np.int64)
    out[valid] = np.where(d < 60, _EXCEL_BEFORE_60 + d, _EXCEL_FROM_61 + d)
    return out


def _date_text(text: str, argument: str, where: str) -> np.datetime64:
    s = unicodedata.normalize("NFKC", text).strip()
    m = _DATE_TEXT.match(s)
    if not m:
        raise CalcError(argument, f"'{text}' at {where} is not a date (use 2026-10-05)")
    try:
        day = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        raise CalcError(argument, f"'{text}' at {where} is not a real date") from None
    return np.datetime64(day, "D")


def _one_date(value: Any, argument: str, where: str) -> np.datetime64:
    if _is_blank(value):
        return np.datetime64("NaT", "D")
    if isinstance(value, dt.date):  # datetime and pd.Timestamp too: the calendar day, time dropped
        return np.datetime64(value.toordinal() - _EPOCH_ORDINAL, "D")
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[D]")
    if isinstance(value, str):
        return _date_text(value, argument, where)
    if isinstance(value, (Real, np.number)) and not isinstance(value, (bool, np.bool_)):
        return _serials_to_dates(np.array([float(value)]), argument)[0]
    raise CalcError(argument, f"{_describe(value)} at {where} is not a date")


def to_dates(value: Any, argument: str, *, allow_blank: bool = False) -> np.ndarray:
    """Dates as a ``datetime64[D]`` array of the input's shape (NaT for blanks when allowed).

    Accepts date/datetime objects, pandas Timestamps, numpy datetime64, Excel
    serial numbers (1900 system) and text like "2026-10-05" or "2026年10月5日".

    >>> to_dates([45931, "2026-10-05"], "due_dates").tolist()
    [datetime.date(2025, 10, 1), datetime.date(2026, 10, 5)]
    """
    if value is None:
        if allow_blank:
            return np.array(np.datetime64("NaT", "D"))
        raise CalcError(argument, "is required")
    if isinstance(value, (dt.date, np.datetime64, str)) or not hasattr(value, "__len__"):
        arr = np.array(_one_date(value, argument, "the value"))
    else:
        raw = _as_object_array(value, argument)
        kind = raw.dtype.kind
        if kind == "M":
            arr = raw.astype("datetime64[D]")
        elif kind in "fiu":
            arr = _serials_to_dates(raw.astype(float), argument)
        else:
            flat = raw.ravel()
            types = set(map(type, flat))
            blank = (flat == None) if _NONE in types else None  # noqa: E711 - element-wise on objects
            if types <= _PLAIN_NUMBER_TYPES | {_NONE}:
                serial = np.where(blank, np.nan, flat) if blank is not None else flat
                arr = _serials_to_dates(serial.astype(float).reshape(raw.shape), argument)
            elif types <= _DATE_TYPES | {_NONE}:
                days = np.full(flat.size, np.datetime64("NaT"), dtype="datetime64[D]")
                present = flat if blank is None else flat[~blank]
                ordinals = np.fromiter(map(dt.date.toordinal, present), dtype=np.int64, count=present.size)
                values = (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]")
                if blank is None:
                    days = values
                else:
                    days[~blank] = values
                arr = days.reshape(raw.shape)
            else:
                arr = np.array([_one_date(x, argument, position(i, raw.shape)) for i, x in enumerate(flat)],
                               dtype="datetime64[D]").reshape(raw.shape)
        if arr.size == 0:
            raise CalcError(argument, "is empty; give at least one date")
    if not allow_blank:
        nat = np.isnat(arr)
        if nat.any():
            bad = int(np.flatnonzero(nat.ravel())[0])
            raise CalcError(argument, f"blank cell at {position(bad, arr.shape)}; a date is required")
    return arr


def to_date(value: Any, argument: str, *, default: dt.date | None = None) -> np.datetime64:
    """One date (``default`` when omitted) as ``datetime64[D]``.

    >>> to_date("2026-10-05", "as_of")
    np.datetime64('2026-10-05')
    """
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        arr = _as_object_array(value, argument)
        if arr.size != 1:
            raise CalcError(argument, f"expected a single date, got {arr.size} cells")
        value = arr.ravel()[0]
    if _is_blank(value):
        if default is None:
            raise CalcError(argument, "is required")
        value = default
    day = _one_date(value, argument, "the value")
    return day
