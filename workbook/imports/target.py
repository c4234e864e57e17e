"""The workbook an import writes into: its table, Settings month, stage table, rows already there, and the append.

Opened with openpyxl, which keeps what the template relies on (Excel Tables,
data validation with input messages, column formats and widths, frozen
panes, print setup, notes); the one thing it drops, the size of the notes'
boxes, is read back from the file's VML and restored. Appended rows extend
the Table's ``ref`` and every data validation that covered the old rows.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from salesdeck.atomic import atomic_path
from salesdeck.errors import NotAWorkbookError, SalesdeckError
from salesdeck.workbook import contract
from salesdeck.workbook.read import columns, values
from salesdeck.ooxml.package_edit import grow_sqref
from salesdeck.ooxml.xml import column_letter
from salesdeck.ooxml.parts import part_rels, sheet_parts

__all__ = ["Target", "TargetWorkbook", "StageRow", "NO_CELL", "MONTH_KEYS"]

StageRow = tuple[str, str, float, str]  # zh, en, probability, category
MONTH_KEYS = {contract.normalize_header(h) for h in ("month", "月份", "报告月份", "汇报月份", "report month")}


class Target:
    """What an import needs from the workbook it writes into, whichever way the workbook is read.

    Subclasses give the cell values of a rectangle (``_values``), the Table's
    bounds, other Tables' cells, the Settings month cell, and the append.
    """

    path: Path
    table: str

    def _setup(self, path: Path, table: str, sheet_name: str) -> None:
        self.path, self.table, self.sheet_name = path, table, sheet_name
        self.lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in sheet_name) else "en"
        self._labels: dict[tuple[str, object], object] = {}
        self.month = self._settings_month()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release what the reader holds (nothing by default)."""

    # ------------------------------------------------------------ for subclasses
    def _bounds(self) -> tuple[int, int, int, int]:
        """The Table's min_col, min_row, max_col, max_row (1-based)."""
        raise NotImplementedError

    def _values(self, min_row: int, max_row: int, min_col: int, max_col: int) -> list[tuple]:
        """Cell values of a rectangle of the Table's sheet, a tuple per row (1-based, inclusive)."""
        raise NotImplementedError

    def _columns(self, min_row: int, max_row: int, min_col: int, max_col: int) -> list:
        """The same rectangle as ``_values``, a sequence per column."""
        return list(zip(*self._values(min_row, max_row, min_col, max_col)))

    def _table_values(self, name: str, width: int) -> list[tuple] | None:
        """The data rows (first ``width`` columns) of another Table, or None when there is none."""
        raise NotImplementedError

    def _month_value(self):
        """The Settings report month cell's value (None when empty), or ``NO_CELL``."""
        raise NotImplementedError

    # ------------------------------------------------------------ settings and stages
    def _settings_month(self) -> pd.Timestamp | None:
        value = self._month_value()
        if value is NO_CELL or values.is_blank(value):
            return None
        try:
            return values.parse_month(value)
        except values.ParseError:
            return None

    def stage_table(self) -> list[StageRow]:
        """This workbook's stage table (zh, en, probability, category), else the defaults."""
        rows: list[StageRow] = []
        for zh, en, probability, category in self._table_values("tbl_stages", 4) or []:
            if values.is_blank(zh):
                continue
            try:
                rate = values.parse_rate(probability)
            except values.ParseError:
                continue
            kind = contract.find_choice(contract.STAGE_CATEGORIES, category) if category else None
            rows.append((str(zh).strip(), "" if en is None else str(en).strip(), rate, kind.key if kind else "open"))
        return rows or [tuple(s) for s in contract.DEFAULT_STAGES]

    # ------------------------------------------------------------ the table
    def _fields(self) -> list[str | None]:
        """The field of each Table column, by its header (zh or en)."""
        min_col, min_row, max_col, _ = self._bounds()
        spec = contract.TABLES[self.table]
        lookup = {contract.normalize_header(h): c.key for c in spec.columns for h in c.headers()}
        (headers,) = self._values(min_row, min_row, min_col, max_col)
        return [lookup.get(contract.normalize_header(h)) for h in headers]

    def header_fields(self) -> set[str]:
        """The fields the Table has a column for."""
        return {key for key in self._fields() if key is not None}

    def check_header(self) -> None:
        """Refuse a Table whose header row lacks a required column (a merged or blank header cell) with the
        errors ``check`` gives for the same file: its header row is read the way the reader reads it."""
        from salesdeck.workbook.read import validate
        from salesdeck.workbook.read.tables import find_tables

        min_col, min_row, max_col, _ = self._bounds()
        spec = contract.TABLES[self.table]
        grid = [list(row) for row in self._values(1, min_row + 1, 1, max_col)]
        found = [f for f in find_tables(grid, spec) if f.header_index == min_row - 1]
        log = validate.IssueLog()
        if found:
            if not validate.missing_required_columns(spec, self.sheet_name, found[0], log):
                return
            messages = [f"{i.where}: {i.message}" for i in log.issues]
        elif all(c.key in self.header_fields() for c in spec.required):
            return
        else:
            messages = [f"{self.sheet_name}!{column_letter(min_col - 1)}{min_row}: table {spec.zh}/{spec.en}: the "
                        "header row has too few of the table's columns"]
        raise SalesdeckError(f"{self.path.name}: " + f"\n{self.path.name}: ".join(messages)
                             + "\nnothing imported: fix the table's header row (`salesdeck check` lists the same)")

    def _last_data_row(self) -> int:
        """The last row of the Table with a value in one of its columns (the header row when none has)."""
        min_col, min_row, max_col, max_row = self._bounds()
        stop = max_row
        while stop > min_row:  # from the end, a block at a time: the data usually ends at the Table's end
            first = max(min_row + 1, stop - 255)
            rows = self._values(first, stop, min_col, max_col)
            for offset in range(len(rows) - 1, -1, -1):
                if any(v not in (None, "") for v in rows[offset]):
                    return first + offset
            stop = first - 1
        return min_row

    def existing_rows(self) -> pd.DataFrame:
        """The rows already in the table, parsed like imported ones (for duplicate detection)."""
        min_col, min_row, max_col, _ = self._bounds()
        spec = contract.TABLES[self.table]
        last = self._last_data_row()
        cells = self._columns(min_row + 1, last, min_col, max_col) if last > min_row else \
            [()] * (max_col - min_col + 1)
        frame = {}
        for key, raw in zip(self._fields(), cells):
            if key is None:
                continue
            result = columns.parse_column(raw if isinstance(raw, np.ndarray) else list(raw), spec.column(key))
            parsed = result.values
            if result.problems:
                parsed = parsed.astype(object)
                for problem in result.problems:  # kept as typed: it still counts for duplicates
                    parsed.iat[problem.pos] = raw[problem.pos]
            frame[key] = parsed
        return pd.DataFrame(frame)

    def display(self, record: dict) -> dict:
        """A parsed row as the workbook will show it (choice labels in its language)."""
        spec = contract.TABLES[self.table]
        return {k: self.cell_value(spec.column(k), v) if k in spec.keys else v for k, v in record.items()}

    def cell_value(self, column: contract.Column, value):
        """What goes into the cell for a parsed value."""
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
            return None
        if column.type in ("date", "month"):
            return pd.Timestamp(value).to_pydatetime().date()
        if column.type == "choice":
            key = (column.key, value)
            if key not in self._labels:
                choice = contract.find_choice(column.choices, value)
                self._labels[key] = choice.label(self.lang) if choice else value
            return self._labels[key]
        if column.type == "int":
            return int(value)
        return value

    def _placed(self, frame: pd.DataFrame) -> list[tuple[int, contract.Column]]:
        """(1-based column, contract column) of each Table column the frame fills."""
        min_col = self._bounds()[0]
        spec = contract.TABLES[self.table]
        return [(min_col + i, spec.column(key)) for i, key in enumerate(self._fields())
                if key is not None and key in frame]

    def _new_rows(self, frame: pd.DataFrame, placed: list[tuple[int, contract.Column]]):
        """Where ``frame`` goes and what its cells hold: (first row, the Table's new last row, per row the
        (1-based column, cell value) pairs), the same for every way of writing."""
        old_last = self._bounds()[3]
        start = self._last_data_row() + 1
        columns = {col.key: frame[col.key].tolist() for _, col in placed}
        rows = [[(c, self.cell_value(col, columns[col.key][offset])) for c, col in placed]
                for offset in range(len(frame))]
        return start, max(start + len(frame) - 1, old_last), rows


NO_CELL = object()


class TargetWorkbook(Target):
    """One table of a workbook made by ``salesdeck template``, opened with openpyxl for appending.

    The general way, for any workbook openpyxl reads; :class:`PackageTarget`
    is the fast way for the common case.
    """

    def __init__(self, path: Path, table: str, book, sheet, excel_table) -> None:
        self.book, self.sheet, self.excel_table = book, sheet, excel_table
        self._setup(path, table, sheet.title)

    def close(self) -> None:
        """Release the in-memory copy of an .xlsm's macros (openpyxl leaves it open)."""
        archive = getattr(self.book, "vba_archive", None)
        if archive is not None:
            archive.close()
            self.book.vba_archive = None

    @classmethod
    def open(cls, path: Path, table: str) -> "TargetWorkbook":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm", keep_links=True)
        except Exception as exc:  # openpyxl raises many types for files that are not workbooks
            raise NotAWorkbookError(f"{path.name}: cannot be opened as an .xlsx workbook ({type(exc).__name__})") from None
        _restore_note_sizes(path, book)
        name = f"tbl_{table}"
        for sheet in book.worksheets:
            if name in sheet.tables:
                return cls(path, table, book, sheet, sheet.tables[name])
        sheet_name = contract.SHEET_OF[table].name("zh")
        raise SalesdeckError(f"{path.name} has no {table} table ({name}); import into a workbook made by "
                             f"`salesdeck template` (sheet {sheet_name})")

    def _bounds(self) -> tuple[int, int, int, int]:
        from openpyxl.utils.cell import range_boundaries

        return range_boundaries(self.excel_table.ref)

    def _values(self, min_row: int, max_row: int, min_col: int, max_col: int) -> list[tuple]:
        return list(self.sheet.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col,
                                         values_only=True))

    def _table_values(self, name: str, width: int) -> list[tuple] | None:
        from openpyxl.utils.cell import range_boundaries

        for sheet in self.book.worksheets:
            if name in sheet.tables:
                min_col, min_row, _, max_row = range_boundaries(sheet.tables[name].ref)
                return list(sheet.iter_rows(min_row=min_row + 1, max_row=max_row, min_col=min_col,
                                            max_col=min_col + width - 1, values_only=True))
        return None

    def _month_cell(self):
        """The Settings value cell of the report month, or None."""
        for sheet in self.book.worksheets:
            if "tbl_settings" in sheet.tables:
                for row in sheet.iter_rows(min_row=2, max_col=2):
                    if contract.normalize_header(row[0].value) in MONTH_KEYS:
                        return row[1]
        return None

    def _month_value(self):
        cell = self._month_cell()
        return NO_CELL if cell is None else cell.value

    def set_settings_month(self, month: pd.Timestamp) -> bool:
        """Fill an empty Settings report month; False when the workbook has no such cell."""
        cell = self._month_cell()
        if cell is None:
            return False
        cell.value = f"{month:%Y-%m}"
        return True

    def append(self, frame: pd.DataFrame, output: Path) -> Path:
        """Write ``frame`` below the table's rows, grow the Table and validations, save atomically to ``output``."""
        from openpyxl.utils import get_column_letter

        min_col, min_row, max_col, _ = self._bounds()
        placed = self._placed(frame)
        formats = {c: self._number_format(c, min_row + 1) for c, _ in placed}
        start, new_last, rows = self._new_rows(frame, placed)
        for offset, cells in enumerate(rows):
            for c, value in cells:
                cell = self.sheet.cell(start + offset, c)
                cell.value = value
                if isinstance(value, str):  # text stays text: never a formula (=, +, -, @) or an error code
                    cell.data_type = "s"
                if formats[c]:
                    cell.number_format = formats[c]
        self.excel_table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{new_last}"
        if self.excel_table.autoFilter is not None:
            self.excel_table.autoFilter.ref = self.excel_table.ref
        self._extend_validation(min_row + 1, new_last)
        with atomic_path(output) as tmp:
            self.book.save(tmp)
        return output

    def _number_format(self, col: int, first_row: int) -> str | None:
        """The format new cells of a column get: the first data cell's if styled, else the column's."""
        first = self.sheet.cell(first_row, col)
        if first.has_style:
            return first.number_format
        for dimension in self.sheet.column_dimensions.values():
            if dimension.min and dimension.max and dimension.min <= col <= dimension.max:
                return dimension.number_format
        return None

    def _extend_validation(self, first: int, last: int) -> None:
        """Validations that start at the first data row reach the new last row."""
        for validation in self.sheet.data_validations.dataValidation:
            validation.sqref = grow_sqref(" ".join(str(r) for r in validation.sqref.ranges), first, last)


# ---------------------------------------------------------------- note boxes
# VML is matched loosely: any namespace prefix (Excel writes v:/x:, openpyxl ns0:/ns2:), and not always well-formed.
_SHAPE = re.compile(r"<(\w+:)?shape\b[^>]*?\bstyle=\"([^\"]*)\"(.*?)</\1shape>", re.S)
_SIZE = re.compile(r"(width|height):\s*([\d.]+)(pt|px)")
_ANCHOR = re.compile(r"<(?:\w+:)?Row>(\d+)</(?:\w+:)?Row>\s*<(?:\w+:)?Column>(\d+)</(?:\w+:)?Column>")


def note_sizes(path: Path) -> dict[str, dict[tuple[int, int], tuple[float, float]]]:
    """Sheet name -> (row, column) 0-based -> note box (width, height) in pixels, from the VML drawings."""
    out: dict[str, dict[tuple[int, int], tuple[float, float]]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            for name, sheet_part in sheet_parts(archive).items():
                if sheet_part not in names:
                    continue
                vml = [t for t in part_rels(archive, sheet_part).values() if t.endswith(".vml")]
                for part in vml:
                    for _, style, body in _SHAPE.findall(archive.read(part).decode("utf-8", "replace")):
                        anchor = _ANCHOR.search(body)
                        size = {k: float(v) * (4 / 3 if unit == "pt" else 1) for k, v, unit in _SIZE.findall(style)}
                        if anchor and "width" in size and "height" in size:
                            key = (int(anchor.group(1)), int(anchor.group(2)))
                            out.setdefault(name, {})[key] = (size["width"], size["height"])
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}
    return out


def _restore_note_sizes(path: Path, book) -> None:
    """openpyxl gives every note a default box on save; give them back the sizes they had."""
    sizes = note_sizes(path)
    for sheet in book.worksheets:
        for (row, col), (width, height) in sizes.get(sheet.title, {}).items():
            comment = sheet.cell(row + 1, col + 1).comment
            if comment is not None:
                comment.width, comment.height = round(width), round(height)
