"""One workbook, many decks: a model scoped to one region, rep or product line.

What each table keeps (``by`` = region / rep / product_line):

- orders, targets: rows of that region / rep / product line. For a rep or a
  region, target rows that name only a rep are matched through the rep's
  region (from the orders and targets).
- pipeline, activities: rows of the scope's reps (and, for a region, rows
  carrying that region). A product line has no pipeline or activity column,
  so those are kept for the reps who sold that line.
- receivables, complaints, NPS, actions: rows of the scope's customers (or,
  for receivables and actions, its reps as owner).
- satisfaction survey, resource requests, improvement timeline, settings,
  stages, holidays, commission plan, products: the whole organisation's,
  because they carry no region, rep or product line.

The deck says what it is scoped to: the company name becomes
``<company> · <value>``.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from salesdeck.errors import SalesdeckError
from salesdeck.generator.spec import DeckSpec, PartSpec
from salesdeck.workbook.model import SalesWorkbook

__all__ = ["SPLIT_KEYS", "compact", "restrict", "split_values"]

SPLIT_KEYS = ("region", "rep", "product_line")


def split_values(model: SalesWorkbook, by: str) -> list[str]:
    """The regions / reps / product lines named in the orders or targets, sorted."""
    _check(by)
    values: set[str] = set()
    for table in ("orders", "targets"):
        column = model.tables[table].get(by)
        if column is not None:
            values.update(str(v) for v in column.dropna() if str(v).strip())
    return sorted(values)


def restrict(model: SalesWorkbook, by: str, value: str) -> SalesWorkbook:
    """A copy of ``model`` holding only what belongs to ``by`` = ``value`` (see the module docstring)."""
    _check(by)
    t = model.tables
    orders = t["orders"]
    own_orders = orders[orders[by] == value]
    reps = set(own_orders["rep"].dropna())
    customers = set(own_orders["customer"].dropna())
    regions = set(own_orders["region"].dropna())
    if by == "rep":
        reps.add(value)
        regions |= set(t["targets"].loc[t["targets"]["rep"] == value, "region"].dropna())
    if by == "region":
        regions.add(value)
        reps |= set(t["targets"].loc[t["targets"]["region"] == value, "rep"].dropna())
        reps |= set(t["activities"].loc[t["activities"]["region"] == value, "rep"].dropna())
    tables = dict(t)
    tables["orders"] = own_orders
    tables["targets"] = _targets(t["targets"], by, value, reps)
    tables["pipeline"] = _rows(t["pipeline"], _in(t["pipeline"], "rep", reps) | _eq(t["pipeline"], "region", value, by))
    tables["activities"] = _rows(t["activities"],
                                 _in(t["activities"], "rep", reps) | _eq(t["activities"], "region", value, by))
    tables["receivables"] = _rows(t["receivables"],
                                  _in(t["receivables"], "customer", customers) | _in(t["receivables"], "rep", reps))
    tables["complaints"] = _rows(t["complaints"], _in(t["complaints"], "customer", customers))
    tables["nps"] = _rows(t["nps"], _in(t["nps"], "customer", customers))
    tables["actions"] = _rows(t["actions"], _in(t["actions"], "account", customers) | _in(t["actions"], "owner", reps))
    tables = {key: frame.reset_index(drop=True) for key, frame in tables.items()}
    company = model.settings.company
    settings = dataclasses.replace(model.settings, company=f"{company} · {value}" if company else value)
    return SalesWorkbook(settings=settings, tables=tables, issues=list(model.issues),
                         locations=dict(model.locations), source=model.source)


def compact(spec: DeckSpec) -> DeckSpec:
    """One page per part: the first slide of each part that has data (a rep's personal review)."""
    parts = []
    for part in spec.parts:
        with_data = [s for s in part.slides if s.kind != "empty"]
        chosen = with_data[:1] or part.slides[:1]
        parts.append(PartSpec(part.number, part.title, chosen))
    return dataclasses.replace(spec, parts=parts)


def _check(by: str) -> None:
    if by not in SPLIT_KEYS:
        raise SalesdeckError(f"cannot split by {by!r}: expected one of {', '.join(SPLIT_KEYS)}")


def _targets(targets: pd.DataFrame, by: str, value: str, reps: set) -> pd.DataFrame:
    mask = targets[by] == value
    if by == "region":  # rows naming only a rep belong to the rep's region
        mask |= targets["region"].isna() & targets["rep"].isin(reps)
    return _rows(targets, mask)


def _in(frame: pd.DataFrame, column: str, values: set) -> pd.Series:
    if column not in frame or not values:
        return pd.Series(False, index=frame.index)
    return frame[column].isin(values).fillna(False).astype(bool)


def _eq(frame: pd.DataFrame, column: str, value: str, by: str) -> pd.Series:
    if column != by or column not in frame:
        return pd.Series(False, index=frame.index)
    return (frame[column] == value).fillna(False).astype(bool)


def _rows(frame: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    return frame[mask.fillna(False).astype(bool)]
