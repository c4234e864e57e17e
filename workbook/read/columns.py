"""Parse a whole column of raw cell values, each distinct value once.

``parse_column`` takes a column of raw values (as calamine or xlwings give
them) and returns typed values plus the cells that could not be read. The
common case is vectorised (real numbers, real dates); only the cells that fail
the fast path go through the per-cell parsers of :mod:`.values`, memoised per
distinct value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesdeck.workbook import contract
from salesdeck.workbook.read.raw import EXCEL_ERRORS
from salesdeck.workbook.read.values import (
    INVISIBLE, ParseError, Problem, expected_for, invisible_character, parse_choice, parse_date, parse_int, parse_month,
    parse_number, parse_rate, parse_stage, parse_text,
)

__all__ = ["ParsedColumn", "parse_column"]


@dataclass
class ParsedColumn:
    values: pd.Series          # float64, datetime64[ns] or object (None when blank)
    blank: np.ndarray          # True where the cell was empty
    problems: list[Problem]


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
    if _plain_text(values):  # every cell a str: one search over the whole column
        parsed = ParsedColumn(pd.Series(_object_array(values), dtype=object), np.zeros(len(values), dtype=bool), [])
        suspect = INVISIBLE.search("\n".join(values)) is not None
    else:  # repeating names: one search over the distinct ones
        found = _distinct(values, _fast_text)
        parsed = _from_distinct(found, column)
        suspect = INVISIBLE.search("\n".join(v for v in found.parsed if type(v) is str)) is not None
    return _visible_text(parsed) if suspect else parsed


def _visible_text(parsed: ParsedColumn) -> ParsedColumn:
    """Texts holding a control or text-direction character are problems, as in parse_text (the fast
    paths keep plain text as it is; this runs when a search found one)."""
    texts = parsed.values.tolist()
    problems = list(parsed.problems)
    out = parsed.values.copy()
    for pos, text in enumerate(texts):
        found = INVISIBLE.search(text) if type(text) is str else None
        if found:
            error = invisible_character(found.group())
            problems.append(Problem(pos, text, error.expected, error.message))
            out.iat[pos] = None
    return ParsedColumn(out, parsed.blank, sorted(problems, key=lambda p: p.pos))


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
    return _from_distinct(_distinct(values, parser), column)


def _from_distinct(found: "_Distinct", column: contract.Column) -> ParsedColumn:
    table = np.empty(len(found.parsed) + 1, dtype=object)
    table[:] = found.parsed + [None]
    out = table[np.where(found.status == _OK, found.codes, -1)]
    return ParsedColumn(pd.Series(out, dtype=object), found.status == _BLANKED, found.problems(column))
