"""The validated, typed model that calc/ and generator/ consume.

Nothing downstream of the reader touches cells again: every table is a pandas
DataFrame whose columns are the contract's column keys, with fixed dtypes:

- text          -> object (str, or None when blank)
- choice        -> object (the choice's canonical key, e.g. "direct"; None when blank)
- stage         -> object (the stage as typed; see pipeline's "probability")
- int, number, money, rate, ratio -> float64 (NaN when blank)
- date, month   -> datetime64[ns] (month: first day of the month; NaT when blank)

Every frame also carries ``_row``: the 1-based worksheet row the record came
from (0 for records that did not come from a sheet), so messages and speaker
notes can point at cells. The pipeline frame additionally has ``category``
(open/won/lost), resolved from its stage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from salesdeck.errors import Issue
from salesdeck.workbook import contract

NUMERIC_TYPES = ("int", "number", "money", "rate", "ratio")
DATE_TYPES = ("date", "month")


@dataclass
class Settings:
    """The Settings table as typed values (defaults from the contract)."""

    company: str = ""
    month: dt.date | None = None
    presenter: str = ""
    currency: str = "CNY"
    language: str = "zh"
    rag_red: float = 0.8
    rag_green: float = 1.0
    challenge: float = 1.1
    ratio_proposal_order: float = 3.0
    ratio_visit_proposal: float = 4.0
    ratio_call_visit: float = 5.0
    commit_min: float = 0.8
    best_case_min: float = 0.6
    split_unit: float = 100.0
    next_month_target: float | None = None
    commission_mode: str = "marginal"
    commission_cap: float | None = None
    bonus_base: float = 5000.0
    new_avg_order: float | None = None
    success_ratio: float = 3.0
    visits_per_prospect: float = 4.0

    @property
    def rag_bands(self) -> tuple[float, float]:
        return (self.rag_red, self.rag_green)

    @property
    def funnel_ratios(self) -> tuple[float, float, float]:
        """Upstream ratios, order -> proposal -> visit -> call."""
        return (self.ratio_proposal_order, self.ratio_visit_proposal, self.ratio_call_visit)

    @property
    def next_month(self) -> dt.date | None:
        if self.month is None:
            return None
        return (pd.Timestamp(self.month) + pd.offsets.MonthBegin(1)).date()

    @classmethod
    def keys(cls) -> list[str]:
        return [f.name for f in fields(cls)]


@dataclass(frozen=True)
class TableLocation:
    """Where a table was found: sheet name, header row, column letters."""

    sheet: str
    header_row: int
    columns: dict[str, str]  # column key -> letter
    last_row: int

    def range_of(self, key: str) -> str:
        """A1 range of one column's data, e.g. ``订单!M2:M1234``."""
        letter = self.columns.get(key)
        if not letter:
            return self.sheet
        first = self.header_row + 1
        return f"{self.sheet}!{letter}{first}:{letter}{max(first, self.last_row)}"


def _already_conforms(table: contract.Table, frame: pd.DataFrame) -> bool:
    """The reader's frame when it already has exactly the contract's columns and dtypes (nothing to convert)."""
    wanted = [c.key for c in table.columns] + ["_row"] + (["category"] if table.key == "pipeline" else [])
    if list(frame.columns) != wanted or not frame.index.equals(pd.RangeIndex(len(frame))):
        return False
    if any(c.type == "month" for c in table.columns):
        return False
    dtypes = frame.dtypes
    return dtypes["_row"] == "int64" and all(str(dtypes[c.key]) == _dtype_for(c) for c in table.columns)


def _dtype_for(column: contract.Column) -> str:
    if column.type in NUMERIC_TYPES:
        return "float64"
    if column.type in DATE_TYPES:
        return "datetime64[ns]"
    return "object"


def empty_frame(table_key: str) -> pd.DataFrame:
    """An empty frame with the table's columns and dtypes."""
    table = contract.TABLES[table_key]
    data = {c.key: pd.Series([], dtype=_dtype_for(c)) for c in table.columns}
    data["_row"] = pd.Series([], dtype="int64")
    if table_key == "pipeline":
        data["category"] = pd.Series([], dtype="object")
    return pd.DataFrame(data)


def conform(table_key: str, frame: pd.DataFrame, *, typed: bool = False) -> pd.DataFrame:
    """Give ``frame`` exactly the contract's columns and dtypes.

    Missing optional columns are added blank; values are converted (numbers to
    float, dates to datetime64, month columns to the first of the month).
    Used by the reader after validation (``typed``: its text columns already
    hold None, never NaN, for blanks) and by the sample generator.
    """
    table = contract.TABLES[table_key]
    if typed and _already_conforms(table, frame):
        return frame
    n = len(frame)
    out: dict[str, pd.Series] = {}
    index = pd.RangeIndex(n)
    for col in table.columns:
        if col.key in frame.columns:
            values = frame[col.key].reset_index(drop=True)
        else:
            values = pd.Series([None] * n, index=index, dtype="object")
        if col.type in NUMERIC_TYPES:
            if values.dtype != "float64":  # the reader's columns already are
                values = pd.to_numeric(values, errors="raise").astype("float64")
        elif col.type in DATE_TYPES:
            if values.dtype != "datetime64[ns]":
                values = pd.to_datetime(values).astype("datetime64[ns]")
            if col.type == "month":
                values = values.dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")
        elif not (typed and values.dtype == object):
            values = values.astype("object").where(values.notna(), None)
        out[col.key] = values
    rows = frame["_row"].reset_index(drop=True) if "_row" in frame.columns else pd.Series(np.zeros(n, dtype="int64"))
    out["_row"] = rows.astype("int64")
    if table_key == "pipeline":
        cat = frame["category"].reset_index(drop=True) if "category" in frame.columns else pd.Series([None] * n)
        out["category"] = cat.astype("object")
    return pd.DataFrame(out, index=index)


@dataclass
class SalesWorkbook:
    """A validated workbook: settings, stage table and one frame per table."""

    settings: Settings
    tables: dict[str, pd.DataFrame]
    issues: list[Issue] = field(default_factory=list)
    locations: dict[str, TableLocation] = field(default_factory=dict)
    source: str | None = None

    def __post_init__(self) -> None:
        for key in contract.TABLES:
            if key not in self.tables or self.tables[key] is None:
                self.tables[key] = empty_frame(key)

    def table(self, key: str) -> pd.DataFrame:
        return self.tables[key]

    # Convenience accessors, one per table.
    orders = property(lambda self: self.tables["orders"])
    targets = property(lambda self: self.tables["targets"])
    pipeline = property(lambda self: self.tables["pipeline"])
    activities = property(lambda self: self.tables["activities"])
    receivables = property(lambda self: self.tables["receivables"])
    complaints = property(lambda self: self.tables["complaints"])
    satisfaction = property(lambda self: self.tables["satisfaction"])
    nps = property(lambda self: self.tables["nps"])
    resources = property(lambda self: self.tables["resources"])
    actions = property(lambda self: self.tables["actions"])
    timeline = property(lambda self: self.tables["timeline"])
    commission_metrics = property(lambda self: self.tables["commission_metrics"])
    commission_tiers = property(lambda self: self.tables["commission_tiers"])
    products = property(lambda self: self.tables["products"])
    stages = property(lambda self: self.tables["stages"])
    holidays = property(lambda self: self.tables["holidays"])

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def where(self, table_key: str, column_key: str | None = None) -> str:
        """Where a table (or one column) came from, for speaker notes."""
        loc = self.locations.get(table_key)
        if loc is None:
            sheet = contract.SHEET_OF[table_key]
            return sheet.name(self.settings.language)
        return loc.range_of(column_key) if column_key else loc.sheet
