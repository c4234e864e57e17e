"""Pipeline weighting (成交热度): stage probabilities, weighted pipeline, coverage, forecast categories, lead classes."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from salesdeck.errors import CalcError

from ._coerce import (
    _describe, _is_blank, parse_number, position, to_date, to_dates, to_float_array, to_object_array,
    to_language, to_scalar, to_vector,
)

__all__ = [
    "DEFAULT_STAGES",
    "StageTable",
    "stage_table",
    "stage_probability",
    "weighted_pipeline",
    "pipeline_coverage",
    "forecast_category",
    "FORECAST_LABELS",
    "lead_class",
]

#: Default stage table (seed 003): (zh name, en name, probability, category open/won/lost).
DEFAULT_STAGES = (
    ("已提供报价", "Quote sent", 0.4, "open"),
    ("合同条款谈判", "Negotiating terms", 0.6, "open"),
    ("通过初审", "Passed first review", 0.8, "open"),
    ("已确定签单步骤", "Signing steps agreed", 0.9, "open"),
    ("赢单", "Won", 1.0, "won"),
    ("输单", "Lost", 0.0, "lost"),
)
_NUMBER_TYPES = {float, int, np.float64, np.int64}
_CATEGORIES = {
    "open": "open", "进行中": "open", "won": "won", "赢单": "won", "成交": "won", "closed won": "won",
    "lost": "lost", "输单": "lost", "丢单": "lost", "closed lost": "lost",
}
#: Forecast category labels by language, in order closed, commit, best case, pipeline, lost.
FORECAST_LABELS = {
    "en": ("closed", "commit", "best case", "pipeline", "lost"),
    "zh": ("已成交", "承诺", "最佳情况", "管道", "输单"),
}


def _key(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


@dataclass(frozen=True)
class StageTable:
    """Stage names (normalised) -> (probability, category); ``names`` keeps the display names."""

    lookup: dict[str, tuple[float, str]]
    names: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        return ", ".join(self.names)


def _probability_cell(value: Any, argument: str, where: str) -> float | None:
    """A cell meant as a probability: number or numeric text; None if it is not numeric text."""
    if isinstance(value, (bool, np.bool_)):
        raise CalcError(argument, f"{_describe(value)} at {where} is not a probability")
    if isinstance(value, str):
        number = parse_number(value)
        if number is None:
            return None
    elif isinstance(value, (int, float, np.number)):
        number = float(value)
    else:
        raise CalcError(argument, f"{_describe(value)} at {where} is not a stage or a probability")
    if not 0 <= number <= 1 or math.isnan(number):
        if number > 1:
            raise CalcError(argument, f"{number:g} at {where} is above 1; >1 means a typo: "
                                      f"enter {number / 100:g} or {number:g}% for {number:g}%")
        raise CalcError(argument, f"{number:g} at {where} is not a probability between 0 and 1")
    return number


def stage_table(table: Any = None) -> StageTable:
    """Build a stage table from a 2-D range, or the defaults when ``table`` is None.

    Rows are (name, probability), (zh name, en name, probability) or
    (zh name, en name, probability, category open/won/lost, zh or en).
    A first row whose probability is text is taken as a header; blank rows
    are skipped. Without a category, probability 1 means won and 0 lost.

    >>> stage_table([["Demo", "30%"], ["Won", 1]]).lookup["demo"]
    (0.3, 'open')
    """
    if table is None:
        rows = [list(r) for r in DEFAULT_STAGES]
    elif isinstance(table, StageTable):
        return table
    else:
        arr = to_object_array(table, "stage_table")
        if arr.ndim < 2:
            arr = arr.reshape(1, -1)
        rows = [list(r) for r in arr]
    width = len(rows[0])
    if width not in (2, 3, 4):
        raise CalcError("stage_table", f"rows have {width} columns; use (name, probability), "
                                       "(zh name, en name, probability) or add a category column")
    p_col = 1 if width == 2 else 2
    lookup: dict[str, tuple[float, str]] = {}
    names: list[str] = []
    for r, row in enumerate(rows):
        where = f"row {r + 1}"
        if all(_is_blank(c) for c in row):
            continue
        prob = None if _is_blank(row[p_col]) else _probability_cell(row[p_col], "stage_table", where)
        if prob is None:
            if r == 0 and not _is_blank(row[p_col]):
                continue  # a header row
            raise CalcError("stage_table", f"{where} has no probability ({_describe(row[p_col])})")
        labels = [c for c in row[:p_col] if not _is_blank(c)]
        if not labels:
            raise CalcError("stage_table", f"{where} has a probability but no stage name")
        if width == 4 and not _is_blank(row[3]):
            category = _CATEGORIES.get(str(row[3]).strip().lower())
            if category is None:
                raise CalcError("stage_table", f"'{row[3]}' at {where} is not a category; use open, won or lost")
        else:
            category = "won" if prob == 1 else "lost" if prob == 0 else "open"
        for label in labels:
            key = _key(str(label))
            if key in lookup and lookup[key] != (prob, category):
                raise CalcError("stage_table", f"stage '{label}' is listed twice with different probabilities")
            lookup[key] = (prob, category)
        names.append("/".join(str(x) for x in labels))
    if not lookup:
        raise CalcError("stage_table", "has no stages")
    return StageTable(lookup, tuple(names))


def _resolve(stages: Any, table: Any, argument: str = "stages") -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and categories ("open"/"won"/"lost") for each stage cell, shaped like ``stages``."""
    arr = stages if isinstance(stages, np.ndarray) and stages.dtype.kind in "fiu" else \
        to_object_array(stages, argument)
    if arr.dtype.kind in "fiu" or set(map(type, arr.ravel())) <= _NUMBER_TYPES:
        probs = to_float_array(arr, argument)
        bad = (probs < 0) | (probs > 1)
        if bad.any():
            i = int(np.flatnonzero(bad.ravel())[0])
            _probability_cell(float(probs.ravel()[i]), argument, position(i, probs.shape))
        cats = np.where(probs == 1, "won", np.where(probs == 0, "lost", "open")).astype(object)
        return probs, cats
    arr = arr.astype(object)
    flat = arr.ravel()
    codes, uniques = pd.factorize(flat, use_na_sentinel=True)

    if (codes < 0).any():
        i = int(np.flatnonzero(codes < 0)[0])
        raise CalcError(argument, f"blank cell at {position(i, arr.shape)}; give a stage or a probability")
    _, first = np.unique(codes, return_index=True)  # first row of each distinct value
    known = None
    probs_u = np.empty(len(uniques))
    cats_u = np.empty(len(uniques), dtype=object)
    for u, value in enumerate(uniques):
        at = position(int(first[u]), arr.shape)
        if _is_blank(value):
            raise CalcError(argument, f"blank cell at {at}; give a stage or a probability")
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (str, int, float, np.number)):
            raise CalcError(argument, f"{_describe(value)} at {at} is not a stage or a probability")
        prob = _probability_cell(value, argument, at)
        if prob is not None:
            probs_u[u], cats_u[u] = prob, ("won" if prob == 1 else "lost" if prob == 0 else "open")
            continue
        known = known or stage_table(table)
        hit = known.lookup.get(_key(value))
        if hit is None:
            raise CalcError(argument, f"unknown stage '{value}' at {at}; known stages: {known.describe()}")
        probs_u[u], cats_u[u] = hit
    return probs_u[codes].reshape(arr.shape), cats_u[codes].reshape(arr.shape)


def stage_probability(stages: Any, stage_table: Any = None) -> np.ndarray:
    """Win probability for each stage cell (same shape as ``stages``).

    A cell is a stage name (zh or en, case and spaces ignored) looked up in
    ``stage_table`` (or :data:`DEFAULT_STAGES`), or a probability (0.4, "40%").
    40 is an error (">1 means a typo"); an unknown name lists the known stages.

    >>> stage_probability(["已提供报价", "negotiating  TERMS", "90%", 0.5]).tolist()
    [0.4, 0.6, 0.9, 0.5]
    """
    return _resolve(stages, stage_table)[0]


def weighted_pipeline(amounts: Any, stages_or_probs: Any, stage_table: Any = None) -> float:
    """Weighted pipeline = sum of amount x win probability (amounts and stages must match in length).

    >>> weighted_pipeline([100000, 50000], ["Quote sent", "Signing steps agreed"])
    85000.0
    """
    amount = to_vector(amounts, "amounts", minimum=0)
    probs = _resolve(stages_or_probs, stage_table, "stages_or_probs")[0].ravel()
    if probs.size != amount.size:
        raise CalcError("stages_or_probs", f"{probs.size} stages do not match {amount.size} amounts")
    return float(np.dot(amount, probs))


def pipeline_coverage(open_pipeline: Any, target: Any, closed: Any = 0) -> float:
    """Pipeline coverage = open pipeline / (target - closed); a range of open deals is summed.

    >>> pipeline_coverage(900000, 1000000, 400000)
    1.5
    """
    pipe = float(to_vector(open_pipeline, "open_pipeline", minimum=0).sum())
    t = to_scalar(target, "target", minimum=0)
    done = to_scalar(closed, "closed", default=0.0, minimum=0)
    remaining = t - done
    if remaining <= 0:
        raise CalcError("target", f"target already met: closed {done:,.0f} >= target {t:,.0f}, "
                                  "so there is no remaining target to cover")
    return pipe / remaining


def forecast_category(stages_or_probs: Any, stage_table: Any = None, commit_min: Any = 0.8,
                      best_case_min: Any = 0.6, lang: Any = "en") -> np.ndarray:
    """Forecast category per deal: closed / commit / best case / pipeline / lost.

    closed: won stage or probability 1; lost: lost stage or probability 0;
    commit: probability >= ``commit_min``; best case: >= ``best_case_min``;
    pipeline: the rest. ``lang="zh"`` gives 已成交/承诺/最佳情况/管道/输单.
    Same shape as the input (a string for a single value).

    >>> forecast_category(["Won", 0.9, "合同条款谈判", 0.4, "Lost"]).tolist()
    ['closed', 'commit', 'best case', 'pipeline', 'lost']
    """
    labels = FORECAST_LABELS[to_language(lang)]
    commit = to_scalar(commit_min, "commit_min", default=0.8)
    best = to_scalar(best_case_min, "best_case_min", default=0.6)
    for name, value in (("commit_min", commit), ("best_case_min", best)):
        if not 0 <= value <= 1:
            raise CalcError(name, f"{value:g} is not a probability between 0 and 1"
                            + (f"; enter {value / 100:g} for {value:g}%" if value > 1 else ""))
    if best > commit:
        raise CalcError("best_case_min", f"{best:g} is above commit_min {commit:g}")
    probs, cats = _resolve(stages_or_probs, stage_table, "stages_or_probs")
    eps = 1e-12
    code = np.select(
        [cats == "won", cats == "lost", probs >= commit - eps, probs >= best - eps],
        [0, 4, 1, 2], default=3,
    )
    return labels[int(code)] if code.ndim == 0 else np.asarray(labels, dtype=object)[code]


def lead_class(expected_close: Any, as_of: Any = None) -> np.ndarray:
    """Lead class by days to the expected close: A within 3 days, B within 7, C later (long-term nurture).

    Days are ``expected_close - as_of`` (``as_of`` defaults to today). A close
    date already past counts as A: the deal is due now. Dates may be date
    objects, Excel serials or text like "2026-10-05". Same shape as the input
    (a string for a single date).

    >>> lead_class(["2026-10-03", "2026-10-08", "2026-10-20"], "2026-10-01").tolist()
    ['A', 'B', 'C']
    """
    close = to_dates(expected_close, "expected_close")
    today = to_date(as_of, "as_of", default=dt.date.today())
    days = (close - today).astype(np.int64)
    code = np.select([days <= 3, days <= 7], [0, 1], default=2)
    return "ABC"[int(code)] if code.ndim == 0 else np.asarray(["A", "B", "C"], dtype=object)[code]
