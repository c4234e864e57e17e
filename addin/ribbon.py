"""The ribbon's Refresh button: read the calling workbook through xlwings, compute, write back.

Only cells cross this boundary: every sheet's values go to the same reader
and the same ``compute_results`` as ``salesdeck refresh``, and the same
``layout`` decides where each result cell goes.
"""

from __future__ import annotations

from salesdeck.results.tables import compute_results, heading
from salesdeck.errors import SalesdeckError, WorkbookInvalidError
from salesdeck.metrics import Metrics
from salesdeck.workbook.read import reader
from salesdeck.results.sheet import RESULT_SHEET_NAMES, layout, result_sheet_name

MAX_SHOWN_ERRORS = 15


def sheet_grid(sheet) -> list[list]:
    """A sheet's values as rows from A1 (the used range may start lower or further right)."""
    used = sheet.used_range
    rows = used.options(ndim=2).value or []
    pad_left = [None] * (used.column - 1)
    return [[] for _ in range(used.row - 1)] + [pad_left + list(row) for row in rows]


def write_grid(book, name: str, grid) -> None:
    """Clear (or add) the result sheet ``name`` and write ``grid`` (a SheetLayout) into it."""
    names = [s.name for s in book.sheets]
    sheet = book.sheets[name] if name in names else book.sheets.add(name, after=book.sheets[len(names) - 1])
    sheet.clear()
    width = max((len(r) for r in grid.rows), default=1)
    for row in grid.title_rows + grid.note_rows + grid.header_rows:
        # Text format first, or Excel would read a header such as "2026-08" as a date.
        sheet.range((row, 1), (row, width)).number_format = "@"
    sheet.range("A1").value = [list(r) + [None] * (width - len(r)) for r in grid.rows]
    for first, last, col, fmt in grid.formats:
        sheet.range((first, col), (last, col)).number_format = fmt
    for row in grid.title_rows + grid.header_rows:
        sheet.range((row, 1), (row, max(1, len(grid.rows[row - 1])))).font.bold = True
    for col, w in enumerate(grid.widths, start=1):
        sheet.range((1, col)).column_width = w
    sheet.activate()


def error_message(exc: SalesdeckError) -> str:
    """The message box text: every error with its sheet!cell (the first few)."""
    if not isinstance(exc, WorkbookInvalidError):
        return f"salesdeck: {exc}"
    errors = [i for i in exc.issues if i.severity == "error"]
    lines = [f"工作簿有 {len(errors)} 个错误 / The workbook has {len(errors)} error(s):"]
    lines += [str(i) for i in errors[:MAX_SHOWN_ERRORS]]
    if len(errors) > MAX_SHOWN_ERRORS:
        lines.append(f"... {len(errors) - MAX_SHOWN_ERRORS} more: run `salesdeck check <file>`")
    return "\n".join(lines)


def refresh_book(book) -> bool:
    """Refresh an xlwings Book; False (after a message box) when its input is invalid."""
    sheets = {s.name: sheet_grid(s) for s in book.sheets if s.name not in RESULT_SHEET_NAMES}
    try:
        model = reader.parse_sheets(sheets, source=book.name)
        metrics = Metrics(model)
        tables = compute_results(metrics)
    except SalesdeckError as exc:
        book.app.alert(error_message(exc), title="salesdeck")
        return False
    lang = "en" if model.settings.language == "en" else "zh"
    for stale in RESULT_SHEET_NAMES - {result_sheet_name(lang)}:
        if stale in [s.name for s in book.sheets]:
            book.sheets[stale].delete()
    write_grid(book, result_sheet_name(lang), layout(tables, heading(metrics)))
    return True


def refresh_caller() -> None:
    """Entry point of the Refresh button (``salesdeck.main``): refresh the calling workbook."""
    import xlwings as xw

    refresh_book(xw.Book.caller())
