"""Write a workbook (template or filled) laid out exactly as the contract says.

XlsxWriter draws the frame of every sheet: Excel tables (ListObjects) with
the contract's headers, column widths and number formats, drop-downs and other
data validation with input messages, a note on every header, frozen header
rows and the generated 说明 / Instructions sheet. The data rows are then
streamed straight into the worksheet XML (:mod:`.cells`), which is what makes a
million order lines take seconds. The result is written atomically and is
byte-identical for the same model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import quote_sheetname, xl_col_to_name

from salesdeck.atomic import atomic_path
from salesdeck.ooxml import cells
from salesdeck.ooxml.xml import excel_serial
from salesdeck.workbook import contract, model
from salesdeck.workbook.author import instructions
from salesdeck.workbook.author.holidays import HOLIDAYS_2026

MAX_ROW = 1_048_576
#: Validation and formats reach at least this far, so rows typed below still get drop-downs.
MIN_VALIDATED_ROWS = 5000
SPARE_ROWS = 1000
FIXED_CREATED = dt.datetime(2000, 1, 1)
LISTS_SHEET = "_lists"
LIST_LIMIT = 255  # Excel's limit for a typed drop-down list
FIT_ROWS = 500  # text columns widen to fit their first rows ...
MAX_FIT_WIDTH = 40  # ... up to this width
PARAGRAPH_WIDTH = 130  # characters of a merged A:E instructions line before it wraps

NUMBER_FORMATS = {
    "money": "#,##0", "rate": "0.0%", "ratio": "0%", "date": "yyyy-mm-dd", "month": "yyyy-mm", "int": "0",
}
SETTING_FORMATS = {"month": "yyyy-mm", "ratio": "0%", "rate": "0%", "money": "#,##0"}
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
MODE_NAMES = {"zh": {"marginal": "累进", "retro": "全额"}, "en": {"marginal": "marginal", "retro": "retroactive"}}


def write_workbook(book: model.SalesWorkbook | None, path: str | os.PathLike, lang: str = "zh") -> Path:
    """Write ``book`` (None: the blank template) to ``path`` in ``lang``; returns the path."""
    if lang not in contract.LANGS:
        raise ValueError(f"lang must be one of {contract.LANGS}, not {lang!r}")
    book = book if book is not None else _template_model(lang)
    target = Path(path)
    with atomic_path(target) as tmp:
        frame_path = tmp.with_name(tmp.name + ".frame")
        try:
            writer = _Writer(book, lang)
            rows = writer.write(frame_path)
            cells.inject_rows(frame_path, tmp, rows, writer.table_refs, writer.strings)
        finally:
            frame_path.unlink(missing_ok=True)
    return target


def _template_model(lang: str) -> model.SalesWorkbook:
    """Blank input tables, default settings and stages, this year's holidays."""
    holidays = pd.DataFrame([{"date": pd.Timestamp(d), "kind": kind, "note": (zh, en)[lang != "zh"]}
                             for d, kind, zh, en in HOLIDAYS_2026])
    tables = {"holidays": model.conform("holidays", holidays)}
    return model.SalesWorkbook(settings=model.Settings(language=lang), tables=tables)


@dataclass(frozen=True)
class _Placed:
    """A table on its sheet: first column and number of data rows."""

    table: contract.Table
    first_col: int
    rows: int

    @property
    def last_col(self) -> int:
        return self.first_col + len(self.table.columns) - 1


def shown(sheet: contract.Sheet, tables: dict[str, pd.DataFrame] | None = None) -> contract.Sheet:
    """``sheet`` without the automatic columns (a merge's source) that no row of ``tables`` fills."""
    kept = []
    for table in sheet.tables:
        frame = (tables or {}).get(table.key)
        columns = tuple(c for c in table.columns if not c.automatic or (
            frame is not None and c.key in frame and frame[c.key].notna().any()))
        kept.append(table if len(columns) == len(table.columns) else dataclasses.replace(table, columns=columns))
    return dataclasses.replace(sheet, tables=tuple(kept))


def layout(sheet: contract.Sheet, sizes: dict[str, int]) -> list[_Placed]:
    """Tables side by side from A1, one blank column between them."""
    placed, col = [], 0
    for table in sheet.tables:
        placed.append(_Placed(table, col, sizes.get(table.key, 0)))
        col += len(table.columns) + 1
    return placed


class _Writer:
    """One workbook write: formats, sheets, then the rows to stream in."""

    def __init__(self, book: model.SalesWorkbook, lang: str):
        self.book = book
        self.lang = lang
        self.long_lists: list[list[str]] = []
        self.table_refs: dict[str, str] = {}
        self.strings = cells.SharedStrings()

    def write(self, path: Path) -> dict[str, cells.SheetRows]:
        wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                             "strings_to_urls": False})
        wb.set_properties({"title": instructions.text("title", self.lang), "author": "salesdeck",
                           "created": FIXED_CREATED})
        self.wb = wb
        self.formats = _Formats(wb)
        self._instructions(wb.add_worksheet(contract.INSTRUCTIONS_SHEET.name(self.lang)))
        rows: dict[str, cells.SheetRows] = {}
        for index, sheet in enumerate(contract.SHEETS, start=2):
            ws = wb.add_worksheet(sheet.name(self.lang))
            rows[f"xl/worksheets/sheet{index}.xml"] = self._sheet(ws, sheet)
        if self.long_lists:
            lists = wb.add_worksheet(LISTS_SHEET)
            for j, values in enumerate(self.long_lists):
                lists.write_column(0, j, values)
            lists.hide()
        wb.close()
        return rows

    # ------------------------------------------------------------ data sheets
    def _sheet(self, ws, sheet: contract.Sheet) -> cells.SheetRows:
        sheet = shown(sheet, self.book.tables)
        columns = {t.key: self._columns(t) for t in sheet.tables}
        sizes = {key: (len(cols[0].values) if cols else 0) for key, cols in columns.items()}
        placed = layout(sheet, sizes)
        ws.freeze_panes(1, 0)
        ws.set_comments_author("salesdeck")
        _print_setup(ws)
        for p in placed:
            self._table(ws, p, columns[p.table.key])
        last_col = placed[-1].last_col
        n_rows = max(max(p.rows, 1) for p in placed)
        letters = {}
        for p in placed:
            for j, col in enumerate(p.table.columns):
                letters[(p.table.key, col.key)] = xl_col_to_name(p.first_col + j)
        out = [c.at(letters[(key, c.key)]) for p in placed for key in [p.table.key] for c in columns[key]]
        return cells.SheetRows(columns=out, n_rows=max(p.rows for p in placed),
                               dimension=f"A1:{xl_col_to_name(last_col)}{n_rows + 1}")

    def _table(self, ws, p: _Placed, values: list[cells.Column]) -> None:
        table, lang, fmt = p.table, self.lang, self.formats
        # XlsxWriter tracks every cell of a table's range (a gigabyte for a million rows), so the
        # table is added over one row and stretched over the streamed rows when the package is copied.
        name = f"tbl_{table.key}"
        self.table_refs[name] = f"{xl_col_to_name(p.first_col)}1:{xl_col_to_name(p.last_col)}{max(p.rows, 1) + 1}"
        ws.add_table(0, p.first_col, 1, p.last_col, {
            "name": name,
            "style": "Table Style Light 1",
            "columns": [{"header": c.header(lang), "header_format": fmt.header} for c in table.columns],
        })
        reach = min(MAX_ROW - 1, max(MIN_VALIDATED_ROWS, p.rows + SPARE_ROWS))
        for j, col in enumerate(table.columns):
            c = p.first_col + j
            ws.set_column(c, c, _width(col, lang, values[j]), fmt.of(col.type))
            ws.write_comment(0, c, instructions.column_note(col, lang), {"x_scale": 2.2, "y_scale": 1.4})
            ws.data_validation(1, c, reach, c, self._validation(col))

    def _validation(self, col: contract.Column) -> dict:
        """Drop-down, range check or just the input message for one column."""
        lang = self.lang
        rule: dict = {"input_title": col.header(lang)[:32], "input_message": _clip(col.description(lang)),
                      "error_title": col.header(lang)[:32]}
        allowed = instructions.allowed_values(col, lang)
        if col.type == "choice":
            labels = col.choice_labels(lang)
            rule.update(validate="list", source=self._list_source(labels))
        elif col.type == "stage":
            rule.update(validate="list", source=self._stage_source(), error_type="warning")
        elif col.type in ("date", "month"):
            rule.update(validate="date", criteria="between", minimum=dt.date(1990, 1, 1), maximum=dt.date(2099, 12, 31))
            allowed = instructions.type_name(col, lang)
        elif col.minimum is not None or col.maximum is not None:
            rule["validate"] = "integer" if col.type == "int" else "decimal"
            if col.minimum is not None and col.maximum is not None:
                rule.update(criteria="between", minimum=col.minimum, maximum=col.maximum)
            elif col.minimum is not None:
                rule.update(criteria=">=", value=col.minimum)
            else:
                rule.update(criteria="<=", value=col.maximum)
        else:
            rule["validate"] = "any"
        if rule["validate"] != "any":
            rule["error_message"] = _clip(_allowed_message(allowed, lang))
        return rule

    def _list_source(self, labels: list[str]) -> list[str] | str:
        if len(",".join(labels)) <= LIST_LIMIT:
            return labels
        self.long_lists.append(labels)
        letter = xl_col_to_name(len(self.long_lists) - 1)
        return f"={LISTS_SHEET}!${letter}$1:${letter}${len(labels)}"

    def _stage_source(self) -> str:
        settings_sheet = contract.sheet("settings")
        placed = {p.table.key: p for p in layout(settings_sheet, {})}
        stages = placed["stages"]
        key = "stage_zh" if self.lang == "zh" else "stage_en"
        letter = xl_col_to_name(stages.first_col + stages.table.keys.index(key))
        last = max(len(self.book.stages), len(contract.DEFAULT_STAGES)) + 1 + 10
        return f"={quote_sheetname(settings_sheet.name(self.lang))}!${letter}$2:${letter}${last}"

    # ------------------------------------------------------------ values
    def _columns(self, table: contract.Table) -> list[cells.Column]:
        if table.key == "settings":
            return self._settings_columns()
        frame = self._frame(table.key)
        out = []
        for col in table.columns:
            series = frame[col.key]
            if col.type == "choice":
                labels = {c.key: c.label(self.lang) for c in col.choices}
                out.append(cells.Column.text(col.key, series.map(lambda v: labels.get(v, v) if v is not None else None),
                                                self.strings))
            elif col.type in model.DATE_TYPES:
                out.append(cells.Column.dates(col.key, series, self.formats.index(col.type)))
            elif col.type in model.NUMERIC_TYPES:
                out.append(cells.Column.numbers(col.key, series, self.formats.index(col.type)))
            else:
                out.append(cells.Column.text(col.key, series, self.strings))
        return out

    def _frame(self, key: str) -> pd.DataFrame:
        frame = self.book.tables.get(key)
        if key == "stages" and (frame is None or frame.empty):
            frame = pd.DataFrame([{"stage_zh": zh, "stage_en": en, "probability": p, "category": c}
                                  for zh, en, p, c in contract.DEFAULT_STAGES])
        frame = model.conform(key, frame if frame is not None else model.empty_frame(key))
        if key == "pipeline":
            frame = frame.assign(probability=self._explicit_probability(frame))
        return frame

    def _explicit_probability(self, pipeline: pd.DataFrame) -> pd.Series:
        """Pipeline probabilities, blank where they only repeat the stage's (so the stage table rules)."""
        stages = self._frame("stages")
        lookup = {}
        for row in stages.itertuples():
            for name in (row.stage_zh, row.stage_en):
                if name:
                    lookup[contract.normalize_header(name)] = row.probability
        implied = pipeline["stage"].map(lambda s: lookup.get(contract.normalize_header(s), np.nan) if s is not None else np.nan)
        prob = pipeline["probability"].astype("float64")
        same = np.isclose(prob.to_numpy(), implied.astype("float64").to_numpy())
        return prob.mask(same)

    def _settings_columns(self) -> list[cells.Column]:
        settings, lang = self.book.settings, self.lang
        names, values, notes = [], [], []
        for choice in contract.SETTING_KEYS:
            _, type_ = contract.SETTING_DEFAULTS[choice.key]
            names.append(choice.label(lang))
            values.append(self._setting_cell(choice.key, type_, getattr(settings, choice.key, None)))
            notes.append(instructions.setting_note(choice.key, lang))
        return [cells.Column.text("setting", pd.Series(names, dtype=object), self.strings),
                cells.Column.mixed("value", values),
                cells.Column.text("note", pd.Series(notes, dtype=object), self.strings)]

    def _setting_cell(self, key: str, type_: str, value: object) -> cells.Cell | None:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
            return None
        if key == "language":
            return cells.Cell.text(LANGUAGE_NAMES.get(str(value), str(value)))
        if key == "commission_mode":
            return cells.Cell.text(MODE_NAMES[self.lang].get(str(value), str(value)))
        style = self.formats.index_of(SETTING_FORMATS[type_]) if type_ in SETTING_FORMATS else None
        if type_ == "month":
            return cells.Cell.number(excel_serial(pd.Timestamp(value).to_pydatetime()), style)
        if type_ in ("number", "money", "ratio", "rate"):
            return cells.Cell.number(float(value), style)
        return cells.Cell.text(str(value))

    # ------------------------------------------------------------ instructions
    def _instructions(self, ws) -> None:
        fmt = self.formats
        _print_setup(ws)
        ws.set_column(0, 0, 24)
        ws.set_column(1, 1, 10)
        ws.set_column(2, 2, 28)
        ws.set_column(3, 3, 40)
        ws.set_column(4, 4, 56)
        styles = {"title": fmt.title, "heading": fmt.heading, "sheet": fmt.sheet_heading, "table": fmt.table_heading,
                  "columns": fmt.header, "column": fmt.wrap}
        for row, (style, texts) in enumerate(instructions.instruction_lines(self.lang)):
            if style == "text":
                ws.merge_range(row, 0, row, 4, texts[0], fmt.paragraph)
                ws.set_row(row, 16 * max(1, -(-_display_width(texts[0]) // PARAGRAPH_WIDTH)))
            elif style in ("sheet", "table", "title", "heading"):
                ws.write_string(row, 0, texts[0], styles[style])
            else:
                for j, value in enumerate(texts):
                    ws.write_string(row, j, value, styles.get(style))
        ws.activate()


class _Formats:
    """The workbook's cell formats; number formats get fixed style indices for the streamed cells."""

    def __init__(self, wb):
        self.wb = wb
        self._by_number: dict[str, object] = {}
        self.header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                     "valign": "vcenter"})
        self.title = wb.add_format({"bold": True, "font_size": 16})
        self.heading = wb.add_format({"bold": True, "font_size": 12})
        self.sheet_heading = wb.add_format({"bold": True, "font_size": 12, "bg_color": "#DDEBF7"})
        self.table_heading = wb.add_format({"bold": True, "italic": True})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.paragraph = wb.add_format({"text_wrap": True, "valign": "top"})
        for number_format in (*NUMBER_FORMATS.values(), *SETTING_FORMATS.values()):
            self.index_of(number_format)

    def of(self, type_: str):
        number_format = NUMBER_FORMATS.get(type_)
        return self._format(number_format) if number_format else None

    def index(self, type_: str) -> int | None:
        number_format = NUMBER_FORMATS.get(type_)
        return self.index_of(number_format) if number_format else None

    def index_of(self, number_format: str) -> int:
        # The xf index is what a streamed <c s="..."> refers to; asking for it registers the format.
        return self._format(number_format)._get_xf_index()

    def _format(self, number_format: str):
        if number_format not in self._by_number:
            self._by_number[number_format] = self.wb.add_format({"num_format": number_format})
        return self._by_number[number_format]


def _print_setup(ws) -> None:
    """Landscape, one page wide: what a person gets from Print or a PDF export."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)


def _width(col: contract.Column, lang: str, values: cells.Column) -> float:
    """Column width: the contract's, widened for the header and short texts (CJK characters count double)."""
    width = max(col.width, _display_width(col.header(lang)) + 4)
    fitted = max((_display_width(v) + 2 for v in values.texts(FIT_ROWS)), default=0)
    return max(width, min(MAX_FIT_WIDTH, fitted))


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, limit: int = 255) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _allowed_message(allowed: str, lang: str) -> str:
    if lang == "zh":
        return f"允许的值:{allowed}" if allowed else "请输入有效的值"
    return f"Allowed: {allowed}" if allowed else "Enter a valid value"

