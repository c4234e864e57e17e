"""Read a sales workbook into the validated model: the public entry points.

``read_workbook(path)`` opens a file (safely, fast, read only);
``parse_sheets(grids)`` does the same from raw grids (e.g. the Excel ribbon via
xlwings), so both share one code path: locate tables, parse cells, check the
rules, build ``model.SalesWorkbook``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from salesdeck.errors import Issue, WorkbookInvalidError
from salesdeck.gc_tuning import fewer_passes
from salesdeck.timing import step
from salesdeck.workbook import contract, model
from salesdeck.workbook.read import validate, values
from salesdeck.workbook.read.raw import read_raw
from salesdeck.workbook.read.tables import FoundTable, Grid, cut_below, find_tables, header_like_rows, shared_arrays
from salesdeck.workbook.read.validate import ERROR, WARNING, IssueLog, TableRead

__all__ = ["read_workbook", "parse_sheets", "check_workbook", "CheckResult", "locate_tables", "match_sheet_names"]

#: Tables the deck cannot do without.
REQUIRED_TABLES = ("settings", "orders")
#: How many rows of a sheet to scan when looking for a table away from its own sheet.
FOREIGN_SCAN_ROWS = 2000


@fewer_passes
def read_workbook(path: str | Path, *, strict: bool = True) -> model.SalesWorkbook:
    """Read and validate a workbook file (xlsx, xlsm, xls, ods).

    Raises NotAWorkbookError when the file is not a spreadsheet, and (with
    ``strict``) WorkbookInvalidError listing every error. With ``strict=False``
    the rows with errors are dropped and the errors kept in ``issues``.
    """
    with step("read"):
        raw = read_raw(path)
    with step("validate"):
        return parse_sheets(raw.sheets, source=str(path), strict=strict)


def parse_sheets(sheets: dict[str, Grid], source: str | None = None, *, strict: bool = True) -> model.SalesWorkbook:
    """Validate raw grids (sheet name -> rows from A1) into the model."""
    book, log = _build(sheets, source)
    issues = log.finish()
    if strict and log.has_errors:
        raise WorkbookInvalidError(issues, path=source)
    book.issues = issues
    return book


# ------------------------------------------------------------------ check
@dataclass
class CheckResult:
    """What ``salesdeck check`` reports: every issue and the rows read per table."""

    file: str
    issues: list[Issue]
    tables: dict[str, int] = field(default_factory=dict)       # table key -> rows read
    labels: dict[str, str] = field(default_factory=dict)       # table key -> sheet name in the file
    letters: dict[str, dict[str, str]] = field(default_factory=dict)  # table key -> column key -> letter

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == WARNING)

    @property
    def ok(self) -> bool:
        return self.errors == 0


@fewer_passes
def check_workbook(path: str | Path) -> CheckResult:
    """Read ``path`` without stopping at the first error; NotAWorkbookError still propagates."""
    raw = read_raw(path)
    book, log = _build(raw.sheets, str(path))
    tables = {key: len(frame) for key, frame in book.tables.items() if key in book.locations}
    labels = {key: loc.sheet for key, loc in book.locations.items()}
    letters = {key: dict(loc.columns) for key, loc in book.locations.items()}
    return CheckResult(Path(path).name, log.finish(), tables, labels, letters)


# ------------------------------------------------------------------ the pipeline
def _build(sheets: dict[str, Grid], source: str | None) -> tuple[model.SalesWorkbook, IssueLog]:
    with shared_arrays():
        return _build_tables(sheets, source)


def _build_tables(sheets: dict[str, Grid], source: str | None) -> tuple[model.SalesWorkbook, IssueLog]:
    log = IssueLog()
    located, sheet_names = locate_tables(sheets)
    _report_missing(located, sheet_names, log)
    reads: dict[str, TableRead] = {}
    for key, (sheet, found) in located.items():
        table = contract.TABLES[key]
        if validate.missing_required_columns(table, sheet, found, log):
            continue
        reads[key] = validate.read_table(table, sheets[sheet], sheet, found, log)
    settings = _read_settings(reads.get("settings"), log, settings_found="settings" in located)
    _table_rules(reads, log)
    frames: dict[str, pd.DataFrame] = {}
    for key, read in reads.items():
        kept = read.frame[~read.bad] if read.bad.any() else read.frame
        frames[key] = model.conform(key, kept, typed=True)
    if "stages" not in frames or frames["stages"].empty:
        frames["stages"] = _default_stages()
    locations = {
        key: model.TableLocation(sheet, found.header_row, found.letters(), found.last_row)
        for key, (sheet, found) in located.items()
    }
    book = model.SalesWorkbook(settings=settings, tables=frames, issues=[], locations=locations, source=source)
    return book, log


def _table_rules(reads: dict[str, TableRead], log: IssueLog) -> None:
    if "orders" in reads:
        validate.rule_duplicate_order_lines(reads["orders"], log)
        validate.rule_months_covered(reads["orders"], log)
    if "receivables" in reads:
        validate.rule_duplicate_ids(reads["receivables"], "invoice", log)
        validate.rule_paid_not_above_amount(reads["receivables"], log)
    if "commission_metrics" in reads:
        validate.rule_weights_sum(reads["commission_metrics"], log)
    if "commission_tiers" in reads:
        validate.rule_tiers_ascending(reads["commission_tiers"], log)
    if "timeline" in reads:
        validate.rule_end_after_start(reads["timeline"], log)
    if "pipeline" in reads:
        stages = reads.get("stages")
        good_stages = stages.frame[~stages.bad] if stages is not None else None
        validate.resolve_stages(reads["pipeline"], validate.stage_lookup(good_stages), log)


def _default_stages() -> pd.DataFrame:
    rows = [{"stage_zh": zh, "stage_en": en, "probability": p, "category": c, "_row": 0}
            for zh, en, p, c in contract.DEFAULT_STAGES]
    return model.conform("stages", pd.DataFrame(rows))


def _report_missing(located: dict, sheet_names: dict[str, str], log: IssueLog) -> None:
    for sheet in contract.SHEETS:
        actual = sheet_names.get(sheet.key)
        for table in sheet.tables:
            if table.key in located:
                continue
            headers = ", ".join(f"{c.zh}/{c.en}" for c in table.required)
            where = actual or f"{sheet.zh}/{sheet.en}"
            if actual is None and all(t.key not in located for t in sheet.tables):
                what = f"sheet '{sheet.zh}' / '{sheet.en}' not found (and no table {table.zh}/{table.en} on another sheet)"
            else:
                what = f"no table {table.zh}/{table.en} found on sheet '{where}' (looked for a header row with {headers})"
            if table.key in REQUIRED_TABLES:
                extra = "; the report month is set there" if table.key == "settings" else ""
                log.add(ERROR, where, None, None, None, f"a table with the headers {headers}", f"required: {what}{extra}")
            elif table.key == "stages":
                log.add(WARNING, where, None, None, None, f"a table with the headers {headers}",
                        f"{what}: the default stages (40/60/80/90%) are used")
            else:
                log.add(WARNING, where, None, None, None, f"a table with the headers {headers}",
                        f"{what}: the deck parts that use it will show \"no data\"")


# ------------------------------------------------------------------ settings
#: What people type in Settings for each deck language (compared lower-case).
LANGUAGE_NAMES = {"zh": ("zh", "中文", "简体中文", "汉语", "chinese", "cn", "zh-cn"), "en": ("en", "english", "英文", "英语")}


def _read_settings(read: TableRead | None, log: IssueLog, settings_found: bool) -> model.Settings:
    """The Settings table as ``model.Settings``; the report month is required.

    The settings frame's ``value`` column gets the typed value of each row
    (e.g. 0.8, "zh", "marginal", "2026-10-01").
    """
    result: dict[str, object] = {}
    seen: dict[str, int] = {}
    if read is not None:
        keys = read.frame["setting"].tolist()
        raw_values = read.raw.get("value") or [None] * len(keys)
        for pos, key in enumerate(keys):
            if key is None or read.bad[pos]:
                continue
            row = int(read.frame["_row"].iat[pos])
            if key in seen:
                log.add(WARNING, read.sheet, read.cell("setting", pos), read.header("setting"), key, "each setting once",
                        f"setting '{key}' appears again (row {seen[key]} is used)")
                continue
            seen[key] = row
            value = raw_values[pos]
            if values.is_blank(value) or "value" not in read.found.columns:
                continue
            try:
                result[key] = _setting_value(key, value)
                typed = result[key]
                read.frame.at[pos, "value"] = typed.isoformat() if isinstance(typed, dt.date) else typed
            except values.ParseError as exc:
                default, type_ = contract.SETTING_DEFAULTS[key]
                log.add(ERROR, read.sheet, read.cell("value", pos), read.header("value"), value,
                        exc.expected or values.EXPECTED.get(type_, type_), f"setting '{_setting_name(key)}': {exc.message}")
    if result.get("month") is None and settings_found:
        where_sheet = read.sheet if read is not None else contract.sheet("settings").zh
        cell = f"{read.found.letter('value')}{read.found.header_row}" if read is not None and "value" in read.found.columns else None
        log.add(ERROR, where_sheet, cell, None, None, "a report month, e.g. 2026-10",
                "the report month (报告月份 / Report month) is missing in Settings")
    settings = model.Settings()
    for key, val in result.items():
        if hasattr(settings, key):
            setattr(settings, key, val)
    return settings


def _setting_name(key: str) -> str:
    choice = next(c for c in contract.SETTING_KEYS if c.key == key)
    return f"{choice.zh}/{choice.en}"


def _setting_value(key: str, value: object) -> object:
    default, type_ = contract.SETTING_DEFAULTS[key]
    if key == "language":
        text = values.parse_text(value).casefold()
        for lang, names in LANGUAGE_NAMES.items():
            if text in names:
                return lang
        raise values.ParseError(f"{value!r} is not a language", "zh or en (中文 or English)")
    if key == "commission_mode":
        from salesdeck.calc.commission import COMMISSION_MODES

        text = values.parse_text(value).strip().lower()
        for mode, names in COMMISSION_MODES.items():
            if text in names:
                return mode
        raise values.ParseError(f"{value!r} is not a commission mode", "marginal (累进) or retro (全额)")
    parsed = values.parse_value(value, type_)
    if type_ == "month":
        return parsed.date()
    if type_ in ("number", "money", "ratio") and parsed < 0:
        raise values.ParseError(f"{value!r} cannot be negative", ">= 0")
    return parsed


# ------------------------------------------------------------------ locating tables
def match_sheet_names(names: list[str]) -> dict[str, str]:
    """Contract sheet key -> actual sheet name, matching zh, en, key and aliases loosely."""
    norm: dict[str, str] = {}
    for name in names:
        norm.setdefault(contract.normalize_header(name), name)
    out: dict[str, str] = {}
    for sheet in contract.SHEETS:
        for candidate in sheet.names():
            actual = norm.get(contract.normalize_header(candidate))
            if actual is not None and actual not in out.values():
                out[sheet.key] = actual
                break
    return out


def locate_tables(sheets: dict[str, Grid]) -> tuple[dict[str, tuple[str, FoundTable]], dict[str, str]]:
    """Every contract table found: table key -> (sheet name, FoundTable); and sheet key -> sheet name.

    Tables are looked for on their own sheet first; a table not found there is
    looked for (all required headers present) on every other sheet.
    """
    names = match_sheet_names(list(sheets))
    claimed: dict[str, set[tuple[int, int]]] = {name: set() for name in sheets}
    located: dict[str, tuple[str, FoundTable]] = {}
    for sheet in contract.SHEETS:
        actual = names.get(sheet.key)
        if actual is not None:
            _assign(sheets[actual], actual, sheet.tables, claimed[actual], located, foreign=False)
    for name, grid in sheets.items():
        cut_below(grid, [found for sheet_name, found in located.values() if sheet_name == name])
    header_rows: dict[str, list[int]] = {}
    for sheet in contract.SHEETS:
        for table in sheet.tables:
            for name, grid in sheets.items():
                if table.key in located:
                    break
                if name == names.get(sheet.key) or contract.normalize_header(name) in _NOT_INPUT:
                    continue
                if name not in header_rows:
                    header_rows[name] = header_like_rows(grid, _ALL_SPELLINGS, FOREIGN_SCAN_ROWS)
                if header_rows[name]:
                    _assign(grid, name, (table,), claimed[name], located, foreign=True, rows=header_rows[name])
    return located, names


#: Sheets never read as input: refresh results and the instructions.
_NOT_INPUT = {contract.normalize_header(n) for n in (*contract.RESULT_SHEET.values(), *contract.INSTRUCTIONS_SHEET.names())}
_ALL_SPELLINGS = {contract.normalize_header(h) for t in contract.TABLES.values() for c in t.columns for h in c.headers()}


def _assign(grid: Grid, name: str, tables, claimed: set, located: dict, *, foreign: bool,
            rows: list[int] | None = None) -> None:
    """Give each table its best header match whose header cells no other table has claimed."""
    candidates = []
    for table in tables:
        for found in find_tables(grid, table, rows=rows):
            if foreign and any(c.key not in found.columns for c in table.required):
                continue
            candidates.append((table, found))
    candidates.sort(key=lambda tf: (-len(tf[1].columns), tf[1].header_index, tf[1].first_column))
    for table, found in candidates:
        if table.key in located:
            continue
        cells = {(found.header_index, j) for j in found.columns.values()}
        if cells & claimed:
            continue
        found.sheet = name
        claimed |= cells
        located[table.key] = (name, found)
