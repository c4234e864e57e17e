"""Import exported rows into a workbook table: map, parse, skip with reasons, append without duplicates.

Python API for scheduled jobs; ``salesdeck import`` is a thin layer over
:func:`import_rows`. The target workbook is never modified unless the output
is the same file (``in_place``); the result is written atomically.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from salesdeck.atomic import atomic_path
from salesdeck.errors import NotAWorkbookError, SalesdeckError
from salesdeck.workbook import contract, values
from salesdeck.workbook.import_mapping import IMPORTABLE, Mapping, load_mapping, match_columns, save_mapping
from salesdeck.workbook.import_sources import SourceTable, read_source
from salesdeck.workbook.import_values import StageMapper, UnknownStage, load_lookup, month_columns, widen_to_long

__all__ = ["ImportReport", "Skipped", "import_rows"]

#: Fields that identify a row; a re-import skips rows whose key is already there.
KEYS = {
    "orders": None,  # line items share an order id: the whole row is the key
    "pipeline": ("opportunity_id",),
    "receivables": ("invoice",),
    "targets": ("month", "region", "rep", "product_line", "customer_type"),
    "activities": ("rep", "month"),
}
DATE_FIELDS = {"orders": "date", "pipeline": "expected_close", "receivables": "due_date", "targets": "month",
               "activities": "month"}
MONTHS_BACK = 24
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


@dataclass
class Skipped:
    file: str
    row: int
    reason: str


@dataclass
class ImportReport:
    """What an import did."""

    table: str
    output: Path | None
    imported: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    matched: dict[str, str] = field(default_factory=dict)  # field -> source header (first source)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def reasons(self) -> Counter:
        return Counter(s.reason.split(":", 1)[0] for s in self.skipped)


def import_rows(sources: list[str | Path], into: str | Path, as_table: str, *, mapping: str | Path | Mapping | None = None,
                columns: dict[str, str] | None = None, fixed: dict[str, str] | None = None,
                lookup: str | Path | None = None, out: str | Path | None = None, in_place: bool = False,
                save_map: str | Path | None = None, dry_run: bool = False) -> ImportReport:
    """Append the rows of ``sources`` to table ``as_table`` of workbook ``into``.

    ``columns`` (field -> source header) and ``fixed`` (field -> value) add to
    or override the mapping file. Output: ``out``, or ``into`` itself with
    ``in_place``, else ``<stem>-imported<suffix>`` beside it.
    """
    if as_table not in IMPORTABLE:
        raise SalesdeckError(f"cannot import as {as_table!r}: expected one of {', '.join(IMPORTABLE)}")
    into = Path(into)
    if not into.is_file():
        raise SalesdeckError(f"workbook {into} does not exist (make one with `salesdeck template`)")
    output = into if in_place else Path(out) if out else into.with_name(f"{into.stem}-imported{into.suffix}")
    if output.resolve() == into.resolve() and not in_place:
        raise SalesdeckError(f"{into.name} would be overwritten: pass --in-place to change it, or -o for a new file")
    plan = mapping if isinstance(mapping, Mapping) else (load_mapping(mapping) if mapping else Mapping())
    plan.columns.update(columns or {})
    plan.values.update(fixed or {})
    target = _Target.open(into, as_table)
    owners = load_lookup(lookup) if lookup else {}
    stages = StageMapper(target.stage_names(), plan.stages) if as_table == "pipeline" else None
    report = ImportReport(table=as_table, output=None)
    frames = []
    for source_path in sorted((Path(s) for s in sources), key=lambda p: p.name):
        source = read_source(source_path)
        if as_table == "targets" and month_columns(source.headers):
            source = widen_to_long(source)
        matched = match_columns(as_table, source.headers, plan)
        if not report.matched:
            report.matched = {key: source.headers[i] for key, i in matched.items()}
            if save_map:
                save_mapping(plan, source.headers, matched, save_map)
        frames.append(_parse(source, matched, plan, as_table, stages, owners, target.month, report))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    frame = _drop_duplicates(frame, as_table, target.existing_keys(), report)
    if not len(frame) and report.skipped and all(s.reason.endswith("already in the workbook") for s in report.skipped):
        report.notes.append(f"nothing new: all {len(report.skipped)} row(s) are already in {into.name}; nothing written")
        return report
    if not len(frame):
        raise SalesdeckError("nothing to import: every row was skipped ("
                             + ", ".join(f"{n} {r}" for r, n in report.reasons().most_common()) + ")"
                             if report.skipped else "nothing to import: the sources have no data rows")
    frame = frame.sort_values(["__file", "__row"], kind="stable") if DATE_FIELDS[as_table] not in frame else \
        frame.sort_values([DATE_FIELDS[as_table], "__file", "__row"], kind="stable")
    report.imported = len(frame)
    report.preview = [target.display({k: v for k, v in row.items() if not k.startswith("__")})
                      for row in frame.head(5).to_dict("records")]
    if dry_run:
        return report
    if target.month is None and as_table == "orders":
        latest = pd.Timestamp(frame["date"].max())
        if target.set_settings_month(latest):
            report.notes.append(f"Settings report month was empty: set to {latest:%Y-%m}, the latest order")
    report.output = target.append(frame.drop(columns=["__file", "__row"]), output)
    return report


# ---------------------------------------------------------------- parsing rows
def _parse(source: SourceTable, matched: dict[str, int], plan: Mapping, table: str, stages, owners: dict,
           month: pd.Timestamp | None, report: ImportReport) -> pd.DataFrame:
    spec = contract.TABLES[table]
    n = len(source.rows)
    bad: dict[int, str] = {}
    raw = {key: [row[i] if i < len(row) else None for row in source.rows] for key, i in matched.items()}
    for index in range(n):
        if all(values.is_blank(raw[k][index]) for k in raw):
            bad[index] = "blank row"
    for key, text in plan.values.items():
        if key not in raw and key in spec.keys:
            raw[key] = [text] * n
    if stages is not None and "stage" in raw:
        mapped = [stages.map(v) for v in raw["stage"]]
        for index, value in enumerate(mapped):
            if isinstance(value, UnknownStage):
                if "probability" in raw and not values.is_blank(raw["probability"][index]):
                    mapped[index] = None  # an open stage of the CRM's own: its probability is used
                else:
                    bad.setdefault(index, f"unknown stage: {value!r} is not in the stage table; map it under "
                                          f'[stages] in the mapping file, e.g. "{value}" = "{stages.first_open}"')
        raw["stage"] = mapped
    if owners and "rep" in raw and "region" not in matched and "region" not in plan.values:
        raw["region"] = [owners.get(str(v).strip()) for v in raw["rep"]]
    for key, index in matched.items():  # "Probability (%)": 80 means 80%
        if spec.column(key).type == "rate" and "%" in source.headers[index]:
            raw[key] = [f"{v}%" if isinstance(v, (int, float)) or (isinstance(v, str) and _NUMBER.fullmatch(v.strip()))
                        else v for v in raw[key]]
    parsed = {}
    for column in spec.columns:
        if column.key not in raw:
            continue
        result = values.parse_column(raw[column.key], column)
        if column.required:
            for problem in result.problems:
                bad.setdefault(problem.pos, f"{_reason(column)}: {column.key} {problem.value!r} ({problem.message})")
        elif result.problems:  # an optional field that does not parse is left blank, not a lost row
            first = result.problems[0]
            report.warnings.append(f"{source.path.name}: {column.key} left blank in {len(result.problems)} row(s), "
                                   f"e.g. row {source.row_number(first.pos)}: {first.message}")
        if column.required:
            for index in range(n):
                if result.blank[index]:
                    bad.setdefault(index, f"missing {column.key}")
        parsed[column.key] = result.values
    frame = pd.DataFrame(parsed)
    date_key = DATE_FIELDS[table]
    if date_key in frame:
        low, high = _window(month)
        dates = pd.to_datetime(frame[date_key])
        for index in frame.index[(dates < low) | (dates > high)]:
            bad.setdefault(int(index), f"date far outside the reported month: {dates[index]:%Y-%m-%d}")
    for index, reason in sorted(bad.items()):
        report.skipped.append(Skipped(source.path.name, source.row_number(index), reason))
    frame["__file"] = source.path.name
    frame["__row"] = [source.row_number(i) for i in range(n)]
    return frame.drop(index=list(bad)).reset_index(drop=True)


def _reason(column: contract.Column) -> str:
    if column.type in ("date", "month"):
        return "unparseable date"
    if column.type in ("money", "number", "int"):
        return "amount not a number" if column.type == "money" else "not a number"
    return "invalid value"


def _window(month: pd.Timestamp | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Dates accepted: 24 months before the Settings month to the end of the month after it.

    Without a month in Settings: from 1990 to a year from today.
    """
    if month is None:
        return pd.Timestamp(1990, 1, 1), pd.Timestamp(dt.date.today()) + pd.DateOffset(years=1)
    return month - pd.DateOffset(months=MONTHS_BACK), month + pd.DateOffset(months=2) - pd.Timedelta(days=1)


def _key_columns(table: str, frame: pd.DataFrame) -> list[str]:
    fields = KEYS[table]
    if fields is None or not all(f in frame for f in fields[:1]):
        return [c for c in frame.columns if not c.startswith("__")]
    return [f for f in fields if f in frame]


def _row_keys(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    out = []
    for row in frame[columns].itertuples(index=False):
        out.append(tuple(_canonical(v) for v in row))
    return out


def _canonical(value) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, float):
        return round(value, 6)
    return str(value).strip()


def _drop_duplicates(frame: pd.DataFrame, table: str, existing: list[dict], report: ImportReport) -> pd.DataFrame:
    if not len(frame):
        return frame
    columns = _key_columns(table, frame)
    keys = _row_keys(frame, columns)
    present = set()
    if existing:
        existing_frame = pd.DataFrame(existing)
        for column in columns:
            if column not in existing_frame:
                existing_frame[column] = None
        present = set(_row_keys(existing_frame, columns))
    seen: set[tuple] = set()
    keep = []
    for index, key in enumerate(keys):
        file, row = frame.at[index, "__file"], int(frame.at[index, "__row"])
        if key in present:
            report.skipped.append(Skipped(file, row, "duplicate: already in the workbook"))
        elif key in seen:
            report.skipped.append(Skipped(file, row, f"duplicate: same {', '.join(columns) if KEYS[table] else 'row'} as an earlier row"))
        else:
            seen.add(key)
            keep.append(index)
    return frame.loc[keep].reset_index(drop=True)


# ---------------------------------------------------------------- the workbook
class _Target:
    """The workbook being imported into, opened with openpyxl (tables, validation and notes kept)."""

    def __init__(self, path: Path, table: str, book, sheet, excel_table) -> None:
        self.path, self.table, self.book, self.sheet, self.excel_table = path, table, book, sheet, excel_table
        self.lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in sheet.title) else "en"
        self.month = self._settings_month()

    @classmethod
    def open(cls, path: Path, table: str) -> "_Target":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm", keep_links=True)
        except Exception as exc:  # openpyxl raises many types for files that are not workbooks
            raise NotAWorkbookError(f"{path.name}: cannot be opened as an .xlsx workbook ({type(exc).__name__})") from None
        name = f"tbl_{table}"
        for sheet in book.worksheets:
            if name in sheet.tables:
                return cls(path, table, book, sheet, sheet.tables[name])
        sheet_name = contract.SHEET_OF[table].name("zh")
        raise SalesdeckError(f"{path.name} has no {table} table ({name}); import into a workbook made by "
                             f"`salesdeck template` (sheet {sheet_name})")

    def _month_cell(self):
        """The Settings value cell of the report month, or None."""
        names = {contract.normalize_header(h) for h in ("month", "月份", "报告月份", "汇报月份", "report month")}
        for sheet in self.book.worksheets:
            if "tbl_settings" in sheet.tables:
                for row in sheet.iter_rows(min_row=2, max_col=2):
                    if contract.normalize_header(row[0].value) in names:
                        return row[1]
        return None

    def _settings_month(self) -> pd.Timestamp | None:
        cell = self._month_cell()
        if cell is None or values.is_blank(cell.value):
            return None
        try:
            return values.parse_month(cell.value)
        except values.ParseError:
            return None

    def set_settings_month(self, month: pd.Timestamp) -> bool:
        cell = self._month_cell()
        if cell is None:
            return False
        cell.value = f"{month:%Y-%m}"
        return True

    def stage_names(self) -> list[str]:
        """The stage names of this workbook's stage table (zh and en), else the defaults."""
        from openpyxl.utils.cell import range_boundaries

        names = []
        for sheet in self.book.worksheets:
            if "tbl_stages" in sheet.tables:
                min_col, min_row, _, max_row = range_boundaries(sheet.tables["tbl_stages"].ref)
                for row in sheet.iter_rows(min_row=min_row + 1, max_row=max_row, min_col=min_col,
                                           max_col=min_col + 1, values_only=True):
                    names += [str(v).strip() for v in row if not values.is_blank(v)]
        return names or [s[0] for s in contract.DEFAULT_STAGES] + [s[1] for s in contract.DEFAULT_STAGES]

    def display(self, record: dict) -> dict:
        """A parsed row as the workbook will show it (choice labels in its language)."""
        spec = contract.TABLES[self.table]
        return {k: self._cell_value(spec.column(k), v) if k in spec.keys else v for k, v in record.items()}

    def _bounds(self):
        from openpyxl.utils.cell import range_boundaries

        return range_boundaries(self.excel_table.ref)  # min_col, min_row, max_col, max_row

    def _fields(self) -> list[str | None]:
        min_col, min_row, max_col, _ = self._bounds()
        spec = contract.TABLES[self.table]
        lookup = {contract.normalize_header(h): c.key for c in spec.columns for h in c.headers()}
        return [lookup.get(contract.normalize_header(self.sheet.cell(min_row, c).value))
                for c in range(min_col, max_col + 1)]

    def _last_data_row(self) -> int:
        min_col, min_row, max_col, max_row = self._bounds()
        for row in range(max_row, min_row, -1):
            if any(self.sheet.cell(row, c).value not in (None, "") for c in range(min_col, max_col + 1)):
                return row
        return min_row

    def existing_keys(self) -> list[dict]:
        min_col, min_row, max_col, _ = self._bounds()
        fields = self._fields()
        spec = contract.TABLES[self.table]
        rows = []
        for row in self.sheet.iter_rows(min_row=min_row + 1, max_row=self._last_data_row(), min_col=min_col,
                                        max_col=max_col, values_only=True):
            record = {}
            for key, value in zip(fields, row):
                if key is None:
                    continue
                try:
                    record[key] = values.parse_value(value, spec.column(key).type, spec.column(key).choices) \
                        if not values.is_blank(value) else None
                except values.ParseError:
                    record[key] = value
            rows.append(record)
        return rows

    def append(self, frame: pd.DataFrame, output: Path) -> Path:
        min_col, min_row, max_col, _ = self._bounds()
        fields = self._fields()
        spec = contract.TABLES[self.table]
        start = self._last_data_row() + 1
        for offset, record in enumerate(frame.to_dict("records")):
            for position, key in enumerate(fields):
                if key is None or key not in record:
                    continue
                cell = self.sheet.cell(start + offset, min_col + position)
                cell.value = self._cell_value(spec.column(key), record[key])
                above = self.sheet.cell(min_row + 1, min_col + position)
                if above.has_style and cell.row != above.row:
                    cell.number_format = above.number_format
        last = start + len(frame) - 1
        from openpyxl.utils import get_column_letter

        old_last = self._bounds()[3]
        new_last = max(last, old_last)
        self.excel_table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{new_last}"
        if self.excel_table.autoFilter is not None:
            self.excel_table.autoFilter.ref = self.excel_table.ref
        self._extend_validation(min_row + 1, new_last)
        with atomic_path(output) as tmp:
            self.book.save(tmp)
        return output

    def _extend_validation(self, first: int, last: int) -> None:
        for validation in self.sheet.data_validations.dataValidation:
            ranges = [str(r) for r in validation.sqref.ranges]
            grown = []
            for text in ranges:
                match = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", text)
                if match and int(match.group(2)) <= first and int(match.group(4)) < last:
                    text = f"{match.group(1)}{match.group(2)}:{match.group(3)}{last}"
                grown.append(text)
            validation.sqref = " ".join(grown)

    def _cell_value(self, column: contract.Column, value):
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
            return None
        if column.type in ("date", "month"):
            return pd.Timestamp(value).to_pydatetime().date()
        if column.type == "choice":
            choice = contract.find_choice(column.choices, value)
            return choice.label(self.lang) if choice else value
        if column.type == "int":
            return int(value)
        return value
