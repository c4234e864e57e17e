"""The ribbon's Refresh button: read the calling workbook through xlwings, compute, write back.

Only cells cross this boundary: every sheet's values go to the same reader
and the same ``compute_results`` as ``salesdeck refresh``, and the same
``layout`` decides where each result cell goes. Sheets are read, and results
written, in slices of rows (xlwings' ``chunksize``: one huge COM or
AppleScript call is slow and can time out), and every text cell is formatted
as text before the values go in, so Excel keeps "00123" and "3-4" as typed.
"""

from __future__ import annotations

from salesdeck.results.tables import compute_results, heading
from salesdeck.errors import SalesdeckError, WorkbookInvalidError
from salesdeck.metrics import Metrics
from salesdeck.workbook.read import reader
from salesdeck.results.sheet import RESULT_SHEET_NAMES, layout, result_sheet_name

MAX_SHOWN_ERRORS = 15
#: Rows per COM call when reading a sheet or writing results.
CHUNK_ROWS = 5000
#: The Check button's sheet (addin.check); like the result sheet, never read as input.
PROBLEM_SHEETS = {"zh": "问题", "en": "Problems"}
ADDIN_SHEETS = RESULT_SHEET_NAMES | frozenset(PROBLEM_SHEETS.values())
#: Added to the Problems sheet's name when the user has a sheet of that name.
SUFFIX = " (salesdeck)"


def sheet_grid(sheet) -> list[list]:
    """A sheet's values as rows from A1 (the used range may start lower or further right), read in slices."""
    used = sheet.used_range
    rows = used.options(ndim=2, chunksize=CHUNK_ROWS).value or []
    pad_left = [None] * (used.column - 1)
    return [[] for _ in range(used.row - 1)] + [pad_left + list(row) for row in rows]


def input_grids(book) -> dict[str, list[list]]:
    """Every sheet of the book but the ones the add-in writes, as rows from A1."""
    return {s.name: sheet_grid(s) for s in book.sheets if s.name.removesuffix(SUFFIX) not in ADDIN_SHEETS}


def text_blocks(rows: list[list]) -> list[tuple[int, int, int, int]]:
    """(first row, first column, last row, last column), 1-based, of rectangles holding only text.

    Every text cell is in exactly one block: runs of text down each column,
    then side-by-side runs over the same rows joined (a header row is one block).
    """
    runs: dict[tuple[int, int], list[int]] = {}  # (first row, last row) -> columns
    width = max((len(r) for r in rows), default=0)
    for col in range(width):
        start = None
        for r in range(len(rows) + 1):
            value = rows[r][col] if r < len(rows) and col < len(rows[r]) else None
            is_text = isinstance(value, str) and not value.startswith("=")
            if is_text and start is None:
                start = r
            elif not is_text and start is not None:
                runs.setdefault((start + 1, r), []).append(col + 1)
                start = None
    blocks = []
    for (first, last), cols in sorted(runs.items()):
        begin = cols[0]
        for prev, col in zip(cols, cols[1:] + [None]):
            if col != prev + 1:
                blocks.append((first, begin, last, prev))
                begin = col
    return sorted(blocks)


def write_rows(sheet, rows: list[list]) -> None:
    """Write ``rows`` from A1: text cells formatted as text first, then the values in slices of rows."""
    for first, col, last, last_col in text_blocks(rows):
        # Text format first, or Excel would turn "00123" into 123 and "3-4" or "2026-08" into dates.
        sheet.range((first, col), (last, last_col)).number_format = "@"
    width = max((len(r) for r in rows), default=1)
    sheet.range("A1").options(chunksize=CHUNK_ROWS).value = [list(r) + [None] * (width - len(r)) for r in rows]


def write_grid(book, name: str, grid) -> None:
    """Clear (or add) the result sheet ``name`` and write ``grid`` (a SheetLayout) into it."""
    names = [s.name for s in book.sheets]
    sheet = book.sheets[name] if name in names else book.sheets.add(name, after=book.sheets[len(names) - 1])
    sheet.clear()
    write_rows(sheet, grid.rows)
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
    try:
        model = reader.parse_sheets(input_grids(book), source=book.name)
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
    """Entry point of the Refresh button (VBA ``SalesdeckRibbon.SalesdeckRefresh``): refresh the calling workbook."""
    import xlwings as xw

    refresh_book(xw.Book.caller())
