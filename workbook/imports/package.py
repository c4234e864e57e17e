"""The fast way to import into an .xlsx/.xlsm: read with the safe reader, write by editing the package.

:class:`PackageTarget` does what :class:`~salesdeck.workbook.imports.target.TargetWorkbook`
does, without openpyxl: cells come from :func:`~salesdeck.workbook.read.raw.read_raw`
(python-calamine), and the append rewrites only the Table's sheet, the Table
part and, when the report month is filled in, the Settings sheet
(:mod:`~salesdeck.ooxml.package_edit`): a few seconds for a workbook of
100,000 orders, where an openpyxl round trip takes about 20. :func:`open_target` picks
this way when it can and openpyxl otherwise; so does ``append`` when the
package has something the direct edit does not handle.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from salesdeck.atomic import atomic_path
from salesdeck.workbook import contract
from salesdeck.workbook.imports.target import MONTH_KEYS, NO_CELL, Target, TargetWorkbook
from salesdeck.ooxml.package_edit import CannotEdit, Edit, PackageTable, date_epoch, date_styles, find_table, \
    first_row_styles, write_edit
from salesdeck.errors import NotAWorkbookError
from salesdeck.ooxml.xml import column_letter
from salesdeck.workbook.read.raw import check_package, read_raw
from salesdeck.workbook.read.tables import grid_array

__all__ = ["PackageTarget", "open_target"]

EDITABLE = (".xlsx", ".xlsm")


def open_target(path: Path, table: str) -> Target:
    """The workbook an import writes into: :class:`PackageTarget` when it applies, else openpyxl's."""
    try:
        return PackageTarget.open(path, table)
    except CannotEdit:
        return TargetWorkbook.open(path, table)


class PackageTarget(Target):
    """One Table of an .xlsx/.xlsm, read with python-calamine and appended to by editing the package."""

    #: The other Tables an import reads (their sheets are the only others parsed).
    OTHER_TABLES = ("tbl_settings", "tbl_stages")

    def __init__(self, path: Path, table: str, located: PackageTable, others: dict[str, PackageTable | None],
                 grids: dict[str, list[list]]) -> None:
        self.located, self._others, self._grids = located, others, grids
        self._new_month: str | None = None
        self._setup(path, table, located.sheet)

    @classmethod
    def open(cls, path: Path, table: str) -> "PackageTarget":
        if path.suffix.lower() not in EDITABLE:
            read_raw(path)  # a file the reader refuses (an .ods bomb...) is refused in its words
            raise CannotEdit("not an .xlsx/.xlsm workbook")
        try:
            check_package(path)  # sizes and kind first: the Tables are looked up in parts not yet read
            located = find_table(path, f"tbl_{table}")
            others = {name: find_table(path, name) for name in cls.OTHER_TABLES}
        except (NotAWorkbookError, CannotEdit, OSError, KeyError, zipfile.BadZipFile):
            read_raw(path)  # a file the reader refuses is refused in its words, before openpyxl could see it
            raise CannotEdit("the package's Tables could not be looked up") from None
        wanted = {t.sheet for t in (located, *others.values()) if t}
        grids = read_raw(path, sheets=wanted).sheets  # the whole file is checked; only these sheets are parsed
        if located is None:
            raise CannotEdit(f"no Table tbl_{table}")
        located.bounds  # noqa: B018 - raises CannotEdit for a range it cannot grow
        return cls(path, table, located, others, grids)

    # ------------------------------------------------------------ reading
    def _bounds(self) -> tuple[int, int, int, int]:
        return self.located.bounds

    def _grid_values(self, sheet: str, min_row: int, max_row: int, min_col: int, max_col: int) -> list[tuple]:
        grid = self._grids.get(sheet) or []
        width = max_col - min_col + 1
        out = [tuple(row[min_col - 1:max_col]) for row in grid[min_row - 1:max_row]]
        out = [row if len(row) == width else row + (None,) * (width - len(row)) for row in out]
        return out + [(None,) * width] * max(0, max_row - min_row + 1 - len(out))

    def _values(self, min_row: int, max_row: int, min_col: int, max_col: int) -> list[tuple]:
        return self._grid_values(self.located.sheet, min_row, max_row, min_col, max_col)

    def _columns(self, min_row: int, max_row: int, min_col: int, max_col: int) -> list:
        """Columns straight from the sheet as one array, when its rows are even (no per-row tuples)."""
        grid = self._grids.get(self.located.sheet) or []
        array = grid_array(grid)
        if array is None or array.shape[1] < max_col or len(grid) < max_row:
            return super()._columns(min_row, max_row, min_col, max_col)
        return [array[min_row - 1:max_row, c] for c in range(min_col - 1, max_col)]

    def _table_values(self, name: str, width: int) -> list[tuple] | None:
        other = self._others.get(name)
        if other is None:
            return None
        min_col, min_row, _, max_row = other.bounds
        return self._grid_values(other.sheet, min_row + 1, max_row, min_col, min_col + width - 1)

    def _month_address(self) -> tuple[str, str, object] | None:
        """(sheet part, address, value) of the Settings report month cell, or None."""
        settings = self._others["tbl_settings"]
        if settings is None:
            return None
        grid = self._grids.get(settings.sheet) or []
        for r in range(1, len(grid)):
            row = grid[r]
            if row and contract.normalize_header(row[0]) in MONTH_KEYS:
                return settings.sheet_part, f"B{r + 1}", row[1] if len(row) > 1 else None
        return None

    def _month_value(self):
        found = self._month_address()
        return NO_CELL if found is None else found[2]

    def set_settings_month(self, month: pd.Timestamp) -> bool:
        """Fill an empty Settings report month; False when the workbook has no such cell."""
        if self._month_address() is None:
            return False
        self._new_month = f"{month:%Y-%m}"
        return True

    # ------------------------------------------------------------ writing
    def append(self, frame: pd.DataFrame, output: Path) -> Path:
        """Write ``frame`` below the table's rows by editing the package; openpyxl when that cannot be done."""
        try:
            edit = self._edit(frame)
            with atomic_path(output) as tmp:
                write_edit(self.path, tmp, edit)
            return output
        except CannotEdit:
            with TargetWorkbook.open(self.path, self.table) as general:
                if self._new_month:
                    general.set_settings_month(pd.Timestamp(self._new_month))
                return general.append(frame, output)

    def _edit(self, frame: pd.DataFrame) -> Edit:
        min_row = self._bounds()[1]
        placed = self._placed(frame)
        styles = first_row_styles(self.path, self.located.sheet_part, min_row + 1, [c for c, _ in placed])
        dates = date_styles(self.path)
        for c, col in placed:
            if col.type in ("date", "month") and styles.get(c) not in dates:
                raise CannotEdit(f"column {column_letter(c - 1)} has no date format for new dates")
        start, new_last, rows = self._new_rows(frame, placed)
        month_cell = None
        if self._new_month:
            part, address, _ = self._month_address()
            month_cell = (part, address, self._new_month)
        return Edit(self.located, start, rows, styles, min_row + 1, new_last, month_cell, date_epoch(self.path))
