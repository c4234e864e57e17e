"""Many workbooks of the contract into one: the team's workbook.

Rules, each in one place:

- Every input must be usable (no errors, as ``salesdeck check`` says); the
  report month and the currency must be the same in all of them. Any other
  setting comes from the first file; each difference becomes a warning.
- Row tables (orders, pipeline, targets, ...) are appended, file after file;
  every row keeps where it came from in the automatic ``source`` column (the
  file name, or the source an earlier merge already gave it).
- Team-wide tables (:data:`~salesdeck.workbook.contract.SHARED_TABLES`) are
  kept once: stages, holidays and products by their key, the first file's row
  winning; the commission plan as a whole from the first file that has one.
  Differences become warnings.
- A record must not be in two files (:data:`CONFLICT_KEYS`): the same order
  line, opportunity, invoice or target would be counted twice, so it is
  refused with both files and rows. The same bytes under two names is refused
  as well, since nothing else would show that every row is doubled.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import pandas as pd

from salesdeck.workbook import contract, model
from salesdeck.workbook.model import SalesWorkbook, Settings
from salesdeck.workbook.team.load import Input

__all__ = ["CONFLICT_KEYS", "MAX_CONFLICTS", "Conflict", "Mismatch", "MergeReport", "merge_inputs",
           "setting_name"]

#: What identifies a record across files: the same key in two files is the same record twice.
#: Rows whose first key column is blank cannot be matched and are appended as they are.
CONFLICT_KEYS: dict[str, tuple[str, ...]] = {
    "orders": ("order_id", "product"),
    "pipeline": ("opportunity_id",),
    "receivables": ("invoice",),
    "targets": ("month", "region", "rep", "product_line", "customer_type"),
}
#: Settings that must agree, since every figure depends on them.
MUST_AGREE = ("month", "currency")
#: Team-wide tables merged row by row (by this key); the others are taken whole from one file.
SHARED_KEYS: dict[str, tuple[str, ...]] = {"stages": ("stage_zh",), "holidays": ("date",), "products": ("product",)}
#: Conflicts listed per table (all are counted): bounded output for two copies of a million lines.
MAX_CONFLICTS = 50


@dataclass
class Conflict:
    """One record found in more than one file: its key and each (file, sheet!cell) holding it."""

    table: str
    key: dict[str, object]
    places: list[tuple[str, str]]


@dataclass
class Mismatch:
    """A setting that must agree but does not: shown value -> the files with it."""

    setting: str
    values: dict[str, list[str]]


@dataclass
class MergeReport:
    """Everything a merge found; ``book`` is the merged workbook when nothing stopped it."""

    inputs: list[Input]
    book: SalesWorkbook | None = None
    mismatches: list[Mismatch] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    conflict_counts: dict[str, int] = field(default_factory=dict)
    identical: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """As ``salesdeck check``: 2 when an input is not a workbook, 1 for any other problem, else 0."""
        if any(i.fatal for i in self.inputs):
            return 2
        if any(i.errors for i in self.inputs) or self.mismatches or self.conflict_counts or self.identical:
            return 1
        return 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.book is not None

    def rows(self) -> dict[str, int]:
        """Rows per table of the merged workbook."""
        return {key: len(frame) for key, frame in self.book.tables.items()} if self.book else {}


def merge_inputs(inputs: list[Input]) -> MergeReport:
    """Merge checked inputs (see :mod:`.load`); the report says why when ``book`` is None."""
    report = MergeReport(list(inputs))
    if not inputs or any(not i.ok for i in inputs):
        return report  # every input is checked first: fix the files, then merge
    report.identical = _identical(inputs)
    report.mismatches = _mismatches(inputs)
    for table, key in CONFLICT_KEYS.items():
        conflicts, count = _conflicts(inputs, table, key)
        report.conflicts += conflicts
        if count:
            report.conflict_counts[table] = count
    if report.exit_code:
        return report
    report.warnings = _setting_warnings(inputs)
    tables: dict[str, pd.DataFrame] = {}
    for key in contract.TABLES:
        if key in contract.SHARED_TABLES:
            tables[key] = _shared(inputs, key, report.warnings)
        else:
            tables[key] = _appended(inputs, key)
    first = inputs[0].book
    report.book = SalesWorkbook(settings=dataclasses.replace(first.settings), tables=tables, source=None)
    return report


# ---------------------------------------------------------------- checks
def _identical(inputs: list[Input]) -> list[tuple[str, str]]:
    """(first, later) names of files with the same bytes: one workbook given twice under two names."""
    first: dict[str, str] = {}
    pairs = []
    for item in inputs:
        if item.digest in first:
            pairs.append((first[item.digest], item.name))
        else:
            first[item.digest] = item.name
    return pairs


def _shown(value: object) -> str:
    """A setting or key value as a person reads it (months as 2026-10)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m")
    if isinstance(value, float) and value.is_integer():
        return f"{value:.0f}"
    return str(value)


def _mismatches(inputs: list[Input]) -> list[Mismatch]:
    out = []
    for key in MUST_AGREE:
        values: dict[str, list[str]] = {}
        for item in inputs:
            values.setdefault(_shown(getattr(item.book.settings, key)), []).append(item.name)
        if len(values) > 1:
            out.append(Mismatch(key, values))
    return out


def setting_name(key: str) -> str:
    """A setting's zh/en name, e.g. 报告月份/Report month."""
    choice = next(c for c in contract.SETTING_KEYS if c.key == key)
    return f"{choice.zh}/{choice.en}"


def _same(a: object, b: object) -> bool:
    blank_a = a is None or (not isinstance(a, str) and pd.isna(a))
    blank_b = b is None or (not isinstance(b, str) and pd.isna(b))
    if blank_a or blank_b:
        return blank_a and blank_b
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _setting_warnings(inputs: list[Input]) -> list[str]:
    first = inputs[0]
    out = []
    for key in Settings.keys():
        if key in MUST_AGREE:
            continue
        used = getattr(first.book.settings, key)
        for item in inputs[1:]:
            value = getattr(item.book.settings, key)
            if not _same(used, value):
                out.append(f"setting {setting_name(key)}: {item.name} has {_shown(value)!r}; "
                           f"{first.name}'s {_shown(used)!r} is used")
    return out


def _where(item: Input, table: str, column: str, row: int) -> str:
    loc = item.book.locations.get(table)
    if loc is None:
        return contract.SHEET_OF[table].name(item.book.settings.language)
    letter = loc.columns.get(column, "")
    return f"{loc.sheet}!{letter}{row}" if letter else f"{loc.sheet} row {row}"


def _conflicts(inputs: list[Input], table: str, key: tuple[str, ...]) -> tuple[list[Conflict], int]:
    """Records of ``table`` whose ``key`` is in more than one file (the first MAX_CONFLICTS) and their count."""
    parts = []
    for index, item in enumerate(inputs):
        frame = item.book.tables[table]
        keyed = frame[frame[key[0]].notna().to_numpy()]
        if not keyed.empty:
            columns = {k: keyed[k].to_numpy() for k in key}  # blanks in the other key columns match each other
            parts.append(pd.DataFrame({**columns, "_file": index, "_row": keyed["_row"].to_numpy()}))
    if len(parts) < 2:
        return [], 0
    every = pd.concat(parts, ignore_index=True)
    every = every[~every.duplicated([*key, "_file"]).to_numpy()]  # repeats inside one file are check's business
    repeated = every[every.duplicated(list(key), keep=False).to_numpy()]
    if repeated.empty:
        return [], 0
    groups = repeated.groupby(list(key), sort=False, dropna=False)
    conflicts = []
    for values, rows in groups:
        if len(conflicts) == MAX_CONFLICTS:
            break
        values = values if isinstance(values, tuple) else (values,)
        places = [(inputs[f].name, _where(inputs[f], table, key[0], int(r))) for f, r in zip(rows["_file"], rows["_row"])]
        conflicts.append(Conflict(table, {k: _shown(v) for k, v in zip(key, values)}, places))
    return conflicts, groups.ngroups


# ---------------------------------------------------------------- tables
def _appended(inputs: list[Input], key: str) -> pd.DataFrame:
    """Every file's rows, in file order; ``source`` names the file unless an earlier merge already did."""
    parts = []
    for item in inputs:
        frame = item.book.tables[key]
        if frame.empty:
            continue
        source = frame["source"]
        parts.append(frame.assign(source=source.where(source.notna(), item.name)))
    if not parts:
        return model.empty_frame(key)
    return pd.concat(parts, ignore_index=True)


def _records(frame: pd.DataFrame) -> pd.DataFrame:
    """A table's content without where it came from (row numbers, source)."""
    return frame.drop(columns=[c for c in ("_row", "source") if c in frame.columns]).reset_index(drop=True)


def _shared(inputs: list[Input], key: str, warnings: list[str]) -> pd.DataFrame:
    """A team-wide table once: by key (first file's row wins) or whole from the first file that has rows."""
    title = f"{contract.TABLES[key].zh}/{contract.TABLES[key].en}"
    with_rows = [i for i in inputs if not i.book.tables[key].empty]
    if not with_rows:
        return inputs[0].book.tables[key]
    first = with_rows[0]
    used = first.book.tables[key]
    by = SHARED_KEYS.get(key)
    first_records = _records(used)
    differ = [i for i in with_rows[1:] if not _records(i.book.tables[key]).equals(first_records)]
    if by is None:
        warnings += [f"{title}: {item.name} differs; {first.name}'s is used" for item in differ]
        return used
    index = {tuple(rec[c] for c in by): rec for rec in first_records.to_dict("records")}
    kept = [used]
    for item in differ:
        other = item.book.tables[key]
        added, differs = [], False
        for pos, rec in enumerate(_records(other).to_dict("records")):
            known = index.get(tuple(rec[c] for c in by))
            if known is None:
                index[tuple(rec[c] for c in by)] = rec
                added.append(pos)
            elif not all(_same(known[c], rec[c]) for c in rec):
                differs = True
        if added:
            kept.append(other.iloc[added])
        if differs:
            warnings.append(f"{title}: {item.name} gives some rows other values; {first.name}'s are used")
    return pd.concat(kept, ignore_index=True) if len(kept) > 1 else used
