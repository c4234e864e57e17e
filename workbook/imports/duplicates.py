"""Rows an import must not add twice, and targets finer than the workbook's grain summed to it.

Each table has a key (:data:`KEYS`). Orders use the order line of the
validator (:data:`~salesdeck.workbook.read.validate.ORDER_LINE`: order id,
product, quantity, amount), so the lines of one order are all imported and
``check`` agrees; without order ids the whole row is the key. A source
column that numbers its rows (Row ID, Line ID, 行号, 序号...) with a value
unique to each row tells the lines of one file apart: two rows with their own
row ids are never duplicates of each other. Rows already in the workbook
count, so a re-import adds nothing.

Targets whose source rows differ but land on one key (cities under one
region, months across) are a finer grain than the workbook's: they are summed
into one target, with a note; the same source row twice is a duplicate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from salesdeck.workbook import contract
from salesdeck.workbook.read.validate import ORDER_LINE

__all__ = ["KEYS", "ROW_ID_HEADERS", "row_ids", "drop_duplicates", "sum_to_grain"]

#: Fields that identify a row; a re-import skips rows whose key is already there.
KEYS = {
    "orders": ORDER_LINE,  # when the rows have order ids, else the whole row
    "pipeline": ("opportunity_id",),
    "receivables": ("invoice",),
    "targets": ("month", "region", "rep", "product_line", "customer_type"),
    "activities": ("rep", "month"),
}
#: Source headers of a column that numbers the export's rows (used only when unique per row).
ROW_ID_HEADERS = {contract.normalize_header(h) for h in (
    "Row ID", "RowID", "Row Number", "Row No", "Line ID", "Line Item ID", "Line Number", "Line No", "Line",
    "行号", "行ID", "明细ID", "明细编号", "明细行号", "序号")}


@dataclass
class Duplicate:
    """A row left out as a duplicate: where it is and why."""

    file: str
    row: int
    reason: str


def row_ids(headers: list[str], rows: list[list]) -> list[object] | None:
    """The values of the source's row-id column, when it has one whose every value is its own; else None."""
    for index, header in enumerate(headers):
        if contract.normalize_header(header) not in ROW_ID_HEADERS:
            continue
        ids = [row[index] if index < len(row) else None for row in rows]
        filled = [str(v).strip() for v in ids if v not in (None, "")]
        if filled and len(filled) == len(ids) and len(set(filled)) == len(filled):
            return [str(v).strip() for v in ids]
    return None


def _key_columns(table: str, frame: pd.DataFrame) -> list[str]:
    fields = KEYS[table]
    if fields is None or fields[0] not in frame or not frame[fields[0]].notna().any():
        return [c for c in frame.columns if not c.startswith("__")]
    return [f for f in fields if f in frame]


def _row_keys(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Each row's key: :func:`_canonical` of its cells in ``columns``."""
    return list(zip(*(_column_keys(frame[c]) for c in columns))) if len(frame) else []


def _column_keys(values: pd.Series) -> list:
    """:func:`_canonical` of every cell of a column, computed once per distinct value (and type)."""
    if values.dtype.kind == "M":
        return values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna(), None).tolist()
    if values.dtype.kind == "f":
        return [None if x != x else round(x, 6) for x in values.tolist()]
    if values.dtype == object and len(values):
        codes, uniques = pd.factorize(values.to_numpy(), use_na_sentinel=True)
        if all(type(u) is str for u in uniques):  # text only: no 1 == 1.0 == True merging in the factorising
            table = [u.strip() for u in uniques] + [None]
            return [table[c] for c in codes.tolist()]
    known: dict[tuple[type, object], object] = {}
    out = []
    append = out.append
    for value in values.tolist():
        key = (type(value), value)
        try:
            found = known[key]
        except KeyError:
            found = known[key] = _canonical(value)
        except TypeError:  # unhashable
            found = _canonical(value)
        append(found)
    return out


def _canonical(value) -> object:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, float):
        return round(value, 6)
    return str(value).strip()


def _what(table: str, columns: list[str]) -> str:
    if table == "orders" and columns[0] == "order_id":
        return "order line (" + ", ".join(c.replace("_", " ") for c in columns) + ")"
    if KEYS[table][0] in columns:
        return ", ".join(columns)
    return "row"


def _where(file: str, row: int, other_file: str) -> str:
    return f"row {row}" if file == other_file else f"{file} row {row}"


def drop_duplicates(frame: pd.DataFrame, table: str, existing: pd.DataFrame) -> tuple[pd.DataFrame, list[Duplicate]]:
    """``frame`` without rows already in the workbook or repeating an earlier row, and those left out."""
    if not len(frame):
        return frame, []
    columns = _key_columns(table, frame)
    keys = _row_keys(frame, columns)
    present = set()
    if len(existing):
        existing = existing.copy()
        for column in columns:
            if column not in existing:
                existing[column] = None
        present = set(_row_keys(existing, columns))
    what = _what(table, columns)
    lines = frame["__line"].tolist() if "__line" in frame else [None] * len(frame)
    seen: dict[tuple, tuple[str, int]] = {}
    keep, dropped = [], []
    for index, (key, line, file, row) in enumerate(zip(keys, lines, frame["__file"].tolist(),
                                                       frame["__row"].tolist())):
        if key in present:
            dropped.append(Duplicate(file, int(row), "duplicate: already in the workbook"))
        elif (line, key) in seen:
            first_file, first_row = seen[(line, key)]
            dropped.append(Duplicate(file, int(row), f"duplicate: same {what} as {_where(first_file, first_row, file)}"))
        else:
            seen[(line, key)] = (file, int(row))
            keep.append(index)
    return frame.loc[keep].reset_index(drop=True), dropped


def sum_to_grain(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Duplicate], str | None]:
    """Targets: rows sharing a key summed into one (their source rows differ); the same source row twice dropped.

    Returns the frame, the dropped duplicates and a note saying how many rows were summed (None when none).
    """
    if not len(frame) or "target" not in frame:
        return frame, [], None
    columns = [c for c in KEYS["targets"] if c in frame]
    keys = _row_keys(frame, columns)
    signatures = frame["__sig"].tolist() if "__sig" in frame else [None] * len(frame)
    files, rows = frame["__file"].tolist(), frame["__row"].tolist()
    first: dict[tuple, int] = {}
    seen: dict[tuple, tuple[str, int]] = {}
    members: dict[int, list[int]] = {}
    dropped = []
    for index, (key, signature) in enumerate(zip(keys, signatures)):
        if (key, signature) in seen:
            first_file, first_row = seen[(key, signature)]
            dropped.append(Duplicate(files[index], int(rows[index]),
                                     f"duplicate: same row as {_where(first_file, first_row, files[index])}"))
            continue
        seen[(key, signature)] = (files[index], int(rows[index]))
        if key in first:
            members[first[key]].append(index)
        else:
            first[key] = index
            members[index] = [index]
    summed = {lead: group for lead, group in members.items() if len(group) > 1}
    targets = frame["target"].to_numpy(dtype=float).copy()
    for lead, group in summed.items():
        targets[lead] = targets[group].sum()
    out = frame.assign(target=targets).loc[list(members)].reset_index(drop=True)
    if not summed:
        return out, dropped, None
    lead, group = next(iter(summed.items()))
    example = " ".join(f"{v:%Y-%m}" if isinstance(v, pd.Timestamp) else str(v)
                       for v in frame.loc[lead, columns].tolist() if v is not None and v == v)
    rows_shown = ", ".join(str(rows[i]) for i in group[:6]) + (", ..." if len(group) > 6 else "")
    count = sum(len(g) for g in summed.values())
    note = (f"{count:,} target rows at a finer grain than the workbook's ({', '.join(columns)}) were summed into "
            f"{len(summed):,}: e.g. {files[lead]} rows {rows_shown} -> {example}: {targets[lead]:,.0f}")
    return out, dropped, note
