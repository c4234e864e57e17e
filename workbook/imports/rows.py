"""One source's rows parsed into the table's fields, each bad row with every reason it has.

The cells of the matched columns go through the workbook reader's own
parsers (:func:`~salesdeck.workbook.read.columns.parse_column`), after the
CRM's ways of writing are turned into the workbook's: stage names
(:class:`~.values.StageMapper`), owners (the lookup), dates in the column's
own format (:func:`~.dates.read_dates`), "80" under a "(%)" header.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from salesdeck.ooxml.xml import ILLEGAL_XML
from salesdeck.workbook import contract
from salesdeck.workbook.imports.dates import read_dates
from salesdeck.workbook.imports.duplicates import row_ids
from salesdeck.workbook.imports.mapping import Mapping
from salesdeck.workbook.imports.sources import SourceTable
from salesdeck.workbook.imports.values import OwnerLookup, StageMapper, UnknownStage
from salesdeck.workbook.read import columns, values

__all__ = ["DATE_FIELDS", "ParsedRows", "parse_rows"]

DATE_FIELDS = {"orders": "date", "pipeline": "expected_close", "receivables": "due_date", "targets": "month",
               "activities": "month"}
MONTHS_BACK = 24
#: Months after the reported month a date may fall in (one, except where a table looks further ahead).
MONTHS_AHEAD = {"pipeline": 12}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


@dataclass
class ParsedRows:
    """The good rows as a frame (with ``__file``, ``__row``, ``__line``, ``__sig``), and the bad ones' reasons."""

    frame: pd.DataFrame
    bad: dict[int, list[str]] = field(default_factory=dict)   # source row index -> reasons
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unknown_stages: Counter = field(default_factory=Counter)

    def add(self, index: int, reason: str) -> None:
        reasons = self.bad.setdefault(index, [])
        if reason not in reasons:
            reasons.append(reason)


def parse_rows(source: SourceTable, matched: dict[str, int], plan: Mapping, table: str, stages: StageMapper | None,
               owners: OwnerLookup, month: pd.Timestamp | None, unknown_rows: dict[int, str]) -> ParsedRows:
    """Parse ``source``'s rows for ``table``; ``unknown_rows`` are deals already known to have an unknown stage."""
    spec = contract.TABLES[table]
    n = len(source.rows)
    out = ParsedRows(pd.DataFrame())
    raw = {key: [row[i] if i < len(row) else None for row in source.rows] for key, i in matched.items()}
    blank = [all(values.is_blank(raw[k][index]) for k in raw) for index in range(n)]
    for index in range(n):
        if blank[index]:
            out.add(index, "blank row")
    for index, stage in unknown_rows.items():
        out.add(index, f"unknown stage: {stage!r} is not in the stage table")
        out.unknown_stages[stage] += 1
    _control_characters(raw, source, matched, out)
    for key, text in plan.values.items():
        if key in spec.keys:
            raw[key] = [text] * n
    for key, index in matched.items():  # "Probability (%)": 80 means 80%
        if spec.column(key).type == "rate" and "%" in source.headers[index]:
            raw[key] = [f"{v}%" if isinstance(v, (int, float)) or (isinstance(v, str) and _NUMBER.fullmatch(v.strip()))
                        else v for v in raw[key]]
        if spec.column(key).type in ("date", "month"):
            raw[key] = read_dates(raw[key], source.headers[index], source.path.name, source.row_number,
                                  plan.date_format)
    if stages is not None and "stage" in raw:
        raw["stage"] = _map_stages(raw["stage"], raw.get("probability"), stages, source, out)
    if owners and "rep" in raw:
        _apply_owners(raw, owners, n, out)
    parsed = {}
    for column in spec.columns:
        if column.key not in raw:
            continue
        result = columns.parse_column(raw[column.key], column)
        if column.required:
            for problem in result.problems:
                out.add(problem.pos, f"{_reason(column)}: {column.key} {problem.value!r} ({problem.message})")
            for index in range(n):
                if result.blank[index] and not blank[index]:
                    out.add(index, _missing(column.key, index, raw, owners))
        elif result.problems:  # an optional field that does not parse is left blank, not a lost row
            first = result.problems[0]
            out.warnings.append(f"{source.path.name}: {column.key} left blank in {len(result.problems)} row(s), "
                                f"e.g. row {source.row_number(first.pos)}: {first.message}")
        parsed[column.key] = result.values
    frame = pd.DataFrame(parsed)
    date_key = DATE_FIELDS[table]
    if date_key in frame:
        low, high = _window(month, table)
        dates = pd.to_datetime(frame[date_key])
        for index in frame.index[(dates < low) | (dates > high)]:
            out.add(int(index), f"date far outside the reported month: {dates[index]:%Y-%m-%d}")
    frame["__file"] = source.path.name
    frame["__row"] = [source.row_number(i) for i in range(n)]
    frame["__line"] = row_ids(source.headers, source.rows) or [None] * n
    if table == "targets":  # tells a finer grain (rows that differ) from the same row twice
        frame["__sig"] = ["\x1f".join("" if v is None else str(v) for v in row) for row in source.rows]
    out.frame = frame.drop(index=list(out.bad)).reset_index(drop=True)
    return out


def _control_characters(raw: dict[str, list], source: SourceTable, matched: dict[str, int], out: ParsedRows) -> None:
    """A cell with a control character (a bell, a NUL) is a bad row: a workbook cannot hold it."""
    for key, cells in raw.items():
        if not ILLEGAL_XML.search("\n".join(v for v in cells if isinstance(v, str))):
            continue  # one search per column in the usual case
        for index, value in enumerate(cells):
            found = ILLEGAL_XML.search(value) if isinstance(value, str) else None
            if found:
                out.add(index, f"control character: {key} {value!r} (column {source.headers[matched[key]]!r}) holds "
                               f"U+{ord(found.group(0)):04X}, which a workbook cannot hold; remove it from the export")


def _map_stages(stage_values: list, probabilities: list | None, stages: StageMapper, source: SourceTable,
                out: ParsedRows) -> list:
    """CRM stage names -> workbook stages; an unknown open stage falls back on its probability."""
    mapped = [stages.map(v) for v in stage_values]
    fallback: dict[str, str] = {}
    for index, value in enumerate(mapped):
        if not isinstance(value, UnknownStage):
            continue
        given = probabilities[index] if probabilities is not None else None
        try:
            rate = values.parse_rate(given) if not values.is_blank(given) else None
        except values.ParseError:
            rate = None
        if rate is None:
            out.add(index, f"unknown stage: {str(value)!r} is not in the stage table")
            out.unknown_stages[str(value)] += 1
            continue
        mapped[index] = stages.by_probability(rate)
        fallback.setdefault(str(value), f"stage {mapped[index]} (same probability)" if mapped[index]
                            else "no stage, its probability kept")
    for name, what in fallback.items():
        out.notes.append(f"{source.path.name}: CRM stage {name!r} is not in the stage table: {what}; "
                         f'to choose, add under [stages] in the mapping file: "{name}" = "<workbook stage>"')
    return mapped


def _apply_owners(raw: dict[str, list], owners: OwnerLookup, n: int, out: ParsedRows) -> None:
    """Owner logins to rep names; regions filled from the lookup where the source has none."""
    reps = raw["rep"]
    regions = raw.get("region", [None] * n)
    raw["region"] = [region if not values.is_blank(region) else owners.region(rep)
                     for rep, region in zip(reps, regions)]
    raw["__owner"] = list(reps)
    raw["rep"] = [owners.rep(rep) if not values.is_blank(rep) else rep for rep in reps]


def _missing(key: str, index: int, raw: dict[str, list], owners: OwnerLookup) -> str:
    owner = raw.get("__owner", [None] * (index + 1))[index]
    if key == "region" and owners and not values.is_blank(owner):
        if not owners.knows(owner):
            return f"missing region: owner {str(owner).strip()!r} is not in the lookup {owners.source}"
        return f"missing region: the lookup {owners.source} gives owner {str(owner).strip()!r} no region"
    return f"missing {key}"


def _reason(column: contract.Column) -> str:
    if column.type in ("date", "month"):
        return "unparseable date"
    if column.type in ("money", "number", "int"):
        return "amount not a number" if column.type == "money" else "not a number"
    return f"bad {column.key}"


def _window(month: pd.Timestamp | None, table: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Dates accepted: 24 months before the reported month to the end of the month after it (for the
    pipeline's expected close dates, to the end of the 12th month after it).

    Without a reported month: from 1990 to a year from today.
    """
    if month is None:
        return pd.Timestamp(1990, 1, 1), pd.Timestamp(dt.date.today()) + pd.DateOffset(years=1)
    ahead = MONTHS_AHEAD.get(table, 1)
    return month - pd.DateOffset(months=MONTHS_BACK), month + pd.DateOffset(months=ahead + 1) - pd.Timedelta(days=1)
