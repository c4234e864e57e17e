"""Row, table and workbook rules; every problem becomes a cell-addressed Issue.

``read_table`` turns a located table into a frame of typed values (one row per
non-blank worksheet row, ``_row`` = worksheet row) and records each bad cell.
The table rules (weights, tiers, duplicates, paid > amount, 13 months) and the
stage resolution of the pipeline run on those frames.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from salesdeck.errors import Issue
from salesdeck.workbook import contract, model
from salesdeck.workbook.read import columns, values
from salesdeck.ooxml.xml import column_index, column_letter
from salesdeck.workbook.read.tables import FoundTable, Grid, grid_array

ERROR, WARNING = "error", "warning"
CAP_PER_COLUMN = 20


@dataclass
class IssueLog:
    """Collects issues, keeping at most ``cap`` per (sheet, column, severity)."""

    cap: int = CAP_PER_COLUMN
    issues: list[Issue] = field(default_factory=list)
    _counts: Counter = field(default_factory=Counter)

    def add(self, severity: str, sheet: str, cell: str | None, column: str | None, value: object,
            expected: str, message: str) -> None:
        group = (sheet, column, severity)
        self._counts[group] += 1
        if column is None or self._counts[group] <= self.cap:
            self.issues.append(Issue(severity, sheet, cell, column, _shown(value), expected, message))

    def finish(self) -> list[Issue]:
        """All issues sorted by sheet, row and column, with one "and N more" line per capped column."""
        out = list(self.issues)
        for (sheet, column, severity), count in self._counts.items():
            if column is not None and count > self.cap:
                more = count - self.cap
                out.append(Issue(severity, sheet, None, column, None, "",
                                 f"and {more:,} more {severity}s in this column"))
        sheets: dict[str, int] = {}
        for issue in out:
            sheets.setdefault(issue.sheet, len(sheets))
        return sorted(out, key=lambda i: (sheets[i.sheet], *_position(i.cell)))

    @property
    def has_errors(self) -> bool:
        return any(sev == ERROR and n for (_s, _c, sev), n in self._counts.items())


_CELL = re.compile(r"^([A-Z]+)([0-9]+)")


def _position(cell: str | None) -> tuple[int, int]:
    """(row, column) of an A1 address for sorting; sheet-level issues first, summaries last."""
    if cell is None:
        return (10**9, 0)
    match = _CELL.match(cell)
    if not match:
        return (0, 0)
    return (int(match.group(2)), column_index(match.group(1)))


def _shown(value: object) -> object:
    """A cell value as a person would read it in a message."""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        if not np.isfinite(value):
            return str(value)
        return int(value) if value.is_integer() else value
    return value


def fmt_number(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.2f}"


def fmt_percent(x: float) -> str:
    return f"{x * 100:g}%"


@dataclass
class TableRead:
    """A table read from a sheet: typed frame, the location, and which rows had errors."""

    table: contract.Table
    sheet: str
    found: FoundTable
    frame: pd.DataFrame
    bad: np.ndarray           # per frame row: True when the row has an error
    raw: dict[str, list]      # column key -> raw values of the kept rows

    def cell(self, key: str, pos: int) -> str:
        return f"{self.found.letter(key)}{int(self.frame['_row'].iat[pos])}"

    def header(self, key: str) -> str:
        return self.found.headers.get(key) or self.table.column(key).zh


#: Columns whose unreadable cells are only warnings (the row is ignored, not an error).
LENIENT = {("settings", "setting")}


def read_table(table: contract.Table, grid: Grid, sheet: str, found: FoundTable, log: IssueLog) -> TableRead:
    """Parse and check every cell of a located table."""
    start = found.header_index + 1
    n = max(0, found.end_index - start)
    raw = _columns(grid, found, start)
    parsed = {col.key: columns.parse_column(raw[col.key], col) for col in table.columns if col.key in raw}
    all_blank = np.ones(n, dtype=bool)
    for p in parsed.values():
        all_blank &= p.blank
    keep = np.flatnonzero(~all_blank)
    rows = keep + start + 1  # worksheet rows
    bad_full = np.zeros(n, dtype=bool)
    data: dict[str, pd.Series] = {}
    for col in table.columns:
        if col.key not in parsed:
            continue
        p = parsed[col.key]
        header = found.headers[col.key]
        letter = column_letter(found.columns[col.key])
        lenient = (table.key, col.key) in LENIENT
        for prob in p.problems:
            if lenient:
                log.add(WARNING, sheet, f"{letter}{start + prob.pos + 1}", header, prob.value, prob.expected,
                        f"{prob.message}; the row is ignored")
                continue
            bad_full[prob.pos] = True
            log.add(ERROR, sheet, f"{letter}{start + prob.pos + 1}", header, prob.value, prob.expected, prob.message)
        if col.required:
            missing = np.flatnonzero(p.blank & ~all_blank)
            for pos in missing:
                log.add(ERROR, sheet, f"{letter}{start + pos + 1}", header, None, values.expected_for(col),
                        f"'{header}' is required but the cell is blank")
            bad_full[missing] = True
        _check_range(col, p, all_blank, start, letter, header, sheet, log, bad_full)
        data[col.key] = p.values.iloc[keep].reset_index(drop=True)
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(keep)))
    frame["_row"] = rows.astype("int64")
    kept_raw = {k: [v[i] for i in keep] for k, v in raw.items()} if len(keep) < 5000 else {}
    return TableRead(table, sheet, found, frame, bad_full[keep], kept_raw)


def _columns(grid: Grid, found: FoundTable, start: int) -> dict[str, list]:
    """Raw values of each found column for grid rows ``start:end`` (one transpose when rows are even)."""
    array = grid_array(grid)
    if array is not None and array.shape[1] > max(found.columns.values()):
        return {key: array[start:found.end_index, j] for key, j in found.columns.items()}
    block = grid[start:found.end_index]
    if block and len(set(map(len, block))) == 1 and len(block[0]) > max(found.columns.values()):
        array = np.empty((len(block), len(block[0])), dtype=object)
        array[:] = block
        return {key: array[:, j] for key, j in found.columns.items()}
    return {key: found.column_values(grid, key) for key in found.columns}


def _check_range(col, p, all_blank, start, letter, header, sheet, log, bad) -> None:
    if col.type not in model.NUMERIC_TYPES:
        return
    vals = p.values.to_numpy()
    with np.errstate(invalid="ignore"):
        if col.minimum is not None:
            for pos in np.flatnonzero((vals < col.minimum) & ~all_blank):
                shown = _shown_number(col, vals[pos])
                what = "negative" if col.minimum == 0 else f"below {_shown_number(col, col.minimum)}"
                log.add(ERROR, sheet, f"{letter}{start + pos + 1}", header, shown,
                        f">= {_shown_number(col, col.minimum)}", f"'{header}' cannot be {what}: {shown}")
                bad[pos] = True
        if col.maximum is not None:
            for pos in np.flatnonzero((vals > col.maximum) & ~all_blank):
                shown = _shown_number(col, vals[pos])
                limit = _shown_number(col, col.maximum)
                log.add(ERROR, sheet, f"{letter}{start + pos + 1}", header, shown, f"<= {limit}",
                        f"'{header}' is {shown}, above the maximum {limit}")
                bad[pos] = True


def _shown_number(col: contract.Column, x: float) -> str:
    return fmt_percent(x) if col.type in ("rate", "ratio") else fmt_number(x)


def missing_required_columns(table: contract.Table, sheet: str, found: FoundTable, log: IssueLog) -> bool:
    """Record an error per required column absent from the header row; True when any is missing."""
    missing = [c for c in table.required if c.key not in found.columns]
    for col in missing:
        log.add(ERROR, sheet, f"{column_letter(found.first_column)}{found.header_row}", None, None,
                f"a column headed '{col.zh}' or '{col.en}'",
                missing_column_message(table, col, found.header_row, found.headers.values()))
    return bool(missing)


def missing_column_message(table: contract.Table, col: contract.Column, header_row: int, present) -> str:
    """What ``check`` (and ``import``, which refuses such a table) says of a required column missing from a header."""
    return (f"table {table.zh}/{table.en}: required column '{col.zh}' / '{col.en}' is missing from "
            f"header row {header_row} (found: {', '.join(present)})")


# ------------------------------------------------------------------ table rules
#: One order line: an order's lines share its id, so the same id with the same product, quantity and amount
#: is the same line twice. ``check`` warns about such a line; ``import`` does not add it again.
ORDER_LINE = ("order_id", "product", "quantity", "amount")


def rule_duplicate_order_lines(read: TableRead, log: IssueLog) -> None:
    """Warn about an order line that repeats an earlier one (the lines of a multi-line order are fine)."""
    f = read.frame
    if "order_id" not in f or not len(f):
        return
    key = [c for c in ORDER_LINE if c in f]
    dup = (f["order_id"].notna() & f.duplicated(key, keep="first")).to_numpy()
    if not dup.any():
        return
    first = f.groupby(key, dropna=False, sort=False)["_row"].transform("first").to_numpy()
    header = read.header("order_id")
    others = [name for name, key in (("quantity", "quantity"), ("amount", "amount")) if key in read.found.columns]
    for pos in np.flatnonzero(dup):
        product = [f"{read.header('product')} '{f['product'].iat[pos]}'"] if "product" in f else []
        shown = ", ".join(product + others)
        log.add(WARNING, read.sheet, read.cell("order_id", pos), header, f["order_id"].iat[pos], "each order line once",
                f"duplicate order line: {header} '{f['order_id'].iat[pos]}' with the same {shown} as row {first[pos]} "
                "(each row is still counted)")


def rule_duplicate_ids(read: TableRead, key: str, log: IssueLog) -> None:
    """Warn about repeated IDs."""
    if key not in read.frame:
        return
    ids = read.frame[key]
    dup = ids.notna() & ids.duplicated(keep="first")
    header = read.header(key)
    for pos in np.flatnonzero(dup.to_numpy()):
        log.add(WARNING, read.sheet, read.cell(key, pos), header, ids.iat[pos], "a unique ID",
                f"duplicate {header} '{ids.iat[pos]}' (each row is still counted)")


def rule_months_covered(read: TableRead, log: IssueLog, needed: int = 13) -> None:
    dates = read.frame["date"].dropna() if "date" in read.frame else pd.Series([], dtype="datetime64[ns]")
    months = dates.dt.to_period("M").nunique() if len(dates) else 0
    if months < needed:
        span = f" ({dates.min():%Y-%m} to {dates.max():%Y-%m})" if len(dates) else ""
        log.add(WARNING, read.sheet, None, None, months, f"at least {needed} months of orders",
                f"orders cover {months} month(s){span}: month-on-month and year-on-year comparisons will be missing")


def rule_paid_not_above_amount(read: TableRead, log: IssueLog) -> None:
    f = read.frame
    if "paid_amount" not in f or "amount" not in f:
        return
    over = (f["paid_amount"] > f["amount"] + 1e-9).to_numpy()
    header = read.header("paid_amount")
    for pos in np.flatnonzero(over):
        log.add(WARNING, read.sheet, read.cell("paid_amount", pos), header, _shown(f["paid_amount"].iat[pos]),
                f"<= {fmt_number(f['amount'].iat[pos])}",
                f"paid {fmt_number(f['paid_amount'].iat[pos])} is more than the amount due "
                f"{fmt_number(f['amount'].iat[pos])}")


def rule_weights_sum(read: TableRead, log: IssueLog) -> None:
    weights = read.frame["weight"].dropna() if "weight" in read.frame else pd.Series([], dtype=float)
    if weights.empty:
        return
    total = float(weights.sum())
    if abs(total - 1.0) > 1e-6:
        rows = read.frame["_row"]
        letter = read.found.letter("weight")
        where = f"{letter}{rows.min()}:{letter}{rows.max()}"
        log.add(ERROR, read.sheet, where, read.header("weight"), fmt_percent(total), "weights adding up to 100%",
                f"weights in {read.sheet}!{where} add up to {fmt_percent(round(total, 6))}; they must add up to 100%")
        read.bad[:] = True


def rule_tiers_ascending(read: TableRead, log: IssueLog) -> None:
    if "from_amount" not in read.frame:
        return
    starts = read.frame["from_amount"].to_numpy()
    header = read.header("from_amount")
    for pos in range(1, len(starts)):
        prev, cur = starts[pos - 1], starts[pos]
        if np.isfinite(prev) and np.isfinite(cur) and cur <= prev:
            log.add(ERROR, read.sheet, read.cell("from_amount", pos), header, _shown(cur), f"> {fmt_number(prev)}",
                    f"tier starts must go up row by row: {fmt_number(cur)} is not above {fmt_number(prev)}")
            read.bad[pos] = True


def rule_end_after_start(read: TableRead, log: IssueLog) -> None:
    f = read.frame
    if "start" not in f or "end" not in f:
        return
    for pos in np.flatnonzero((f["end"] < f["start"]).to_numpy()):
        log.add(WARNING, read.sheet, read.cell("end", pos), read.header("end"), f"{f['end'].iat[pos]:%Y-%m-%d}",
                f">= {f['start'].iat[pos]:%Y-%m-%d}", "the end date is before the start date")


# ------------------------------------------------------------------ stages
@dataclass(frozen=True)
class Stage:
    name: str
    probability: float
    category: str
    en: str = ""


def stage_lookup(stages: pd.DataFrame | None) -> dict[str, Stage]:
    """Normalized stage name (zh or en) -> Stage; DEFAULT_STAGES when the table is empty."""
    rows: list[tuple[str, str, float, str]] = []
    if stages is not None and len(stages):
        for rec in stages.itertuples(index=False):
            if rec.stage_zh and not pd.isna(rec.probability):
                rows.append((rec.stage_zh, rec.stage_en or "", float(rec.probability), rec.category or "open"))
    if not rows:
        rows = [tuple(s) for s in contract.DEFAULT_STAGES]
    out: dict[str, Stage] = {}
    for zh, en, prob, cat in rows:
        stage = Stage(zh, prob, cat, en)
        for name in (zh, en):
            if name:
                out.setdefault(contract.normalize_header(name), stage)
    return out


def resolve_stages(read: TableRead, lookup: dict[str, Stage], log: IssueLog) -> None:
    """Fill pipeline ``probability`` (stage unless given) and ``category`` (open/won/lost)."""
    f = read.frame
    n = len(f)
    stage_col = f["stage"] if "stage" in f else pd.Series([None] * n, dtype=object)
    given = f["probability"] if "probability" in f else pd.Series(np.nan, index=f.index)
    probs = np.full(n, np.nan)
    cats: list[str | None] = [None] * n
    stages = sorted(set(lookup.values()), key=lambda st: -st.probability)
    header = read.header("stage") if "stage" in f else None
    for pos in range(n):
        value = stage_col.iat[pos]
        stage = None
        if value is not None and not (isinstance(value, float) and np.isnan(value)):
            try:
                stage = _stage_of(value, lookup, stages)
            except values.ParseError as exc:
                log.add(ERROR, read.sheet, read.cell("stage", pos), header, value,
                        "a stage from the stage table or a probability 0%-100%", exc.message)
                read.bad[pos] = True
                continue
        p = given.iat[pos]
        if np.isnan(p):
            if stage is None:
                if "stage" in f:
                    log.add(ERROR, read.sheet, read.cell("stage", pos), header, None,
                            "a stage or a probability", "no stage and no probability: fill one of them")
                else:
                    log.add(ERROR, read.sheet, None, None, None, "a stage or probability column",
                            "the pipeline needs a stage or a probability column")
                read.bad[pos] = True
                continue
            p = stage.probability
        probs[pos] = p
        cats[pos] = stage.category if stage is not None else _category_of(p)
    f["probability"] = probs
    f["category"] = pd.Series(cats, index=f.index, dtype=object)


def _stage_of(value: object, lookup: dict[str, Stage], stages: list[Stage]) -> Stage:
    """The stage a cell names: a stage name (zh or en) or a probability such as 40% or 0.4."""
    if isinstance(value, str):
        stage = lookup.get(contract.normalize_header(value))
        if stage is not None:
            return stage
        if not any(ch.isdigit() for ch in value):
            chinese = any("\u4e00" <= ch <= "\u9fff" for ch in value)
            known = ", ".join(st.name if chinese or not st.en else st.en for st in stages)
            raise values.ParseError(f"unknown stage '{value}': not in the stage table ({known}) and not a probability")
    prob = values.parse_rate(value)
    if not 0 <= prob <= 1:
        raise values.ParseError(f"probability {fmt_percent(prob)} is not between 0% and 100%")
    return Stage(str(value), prob, _category_of(prob))


def _category_of(probability: float) -> str:
    if probability >= 1:
        return "won"
    if probability <= 0:
        return "lost"
    return "open"
