"""The ribbon's Check button: every problem of the calling workbook on a 问题 / Problems sheet.

The workbook's cells (read as Refresh reads them) go through the same
validation as ``salesdeck check``. Each problem becomes a row with a link to
its cell (a ``HYPERLINK`` formula, which Excel, WPS and LibreOffice follow),
and the cell itself is filled red (error) or yellow (warning), the first
MAX_MARKED cells (each costs two calls to Excel). The colours a cell had
before are kept in hidden columns of the Problems sheet and put back on the
next Check, so fixed cells lose their marks.
"""

from __future__ import annotations

from salesdeck.addin.ribbon import CHUNK_ROWS, PROBLEM_SHEETS, SUFFIX, input_grids, sheet_grid, write_rows
from salesdeck.errors import Issue
from salesdeck.workbook.read import reader

HEADERS = {"zh": ["级别", "位置", "列", "值", "问题"], "en": ["Severity", "Where", "Column", "Value", "Problem"]}
SEVERITY = {"zh": {"error": "错误", "warning": "警告"}, "en": {"error": "error", "warning": "warning"}}
FILL = {"error": (255, 199, 206), "warning": (255, 235, 156)}
#: Where the Problems sheet keeps each marked cell's sheet, address and earlier colour (hidden columns).
RESTORE_COLUMN = 8
MAX_MARKED = 500
WIDTHS = [10, 22, 18, 18, 80]


def problem_rows(issues: list[Issue], lang: str, sheet_names: set[str]) -> list[list]:
    """The Problems sheet: a header, then one row per issue, errors first, with a link to the cell."""
    rows = [list(HEADERS[lang])]
    for issue in sorted(issues, key=lambda i: i.severity != "error"):
        rows.append([SEVERITY[lang].get(issue.severity, issue.severity), _link(issue, sheet_names),
                     _text(issue.column), _text(issue.value), _text(issue.message or f"expected {issue.expected}")])
    return rows


def _text(value) -> str | None:
    """A value shown as text; a leading "=" kept from becoming a formula."""
    if value is None:
        return None
    text = str(value)
    return "'" + text if text.startswith("=") else text


def _link(issue: Issue, sheet_names: set[str]) -> str:
    if issue.sheet not in sheet_names:
        return issue.where
    target = f"'{issue.sheet.replace(chr(39), chr(39) * 2)}'!{issue.cell or 'A1'}"
    return f'=HYPERLINK("#{target}","{issue.where.replace(chr(34), chr(34) * 2)}")'


def _marks(issues: list[Issue], sheet_names: set[str]) -> dict[tuple[str, str], str]:
    """(sheet, cell) -> the worst severity found there, for the first MAX_MARKED cells (errors first)."""
    marks: dict[tuple[str, str], str] = {}
    for issue in sorted(issues, key=lambda i: i.severity != "error"):
        key = (issue.sheet, issue.cell)
        if issue.cell and issue.sheet in sheet_names and key not in marks and len(marks) < MAX_MARKED:
            marks[key] = issue.severity
    return marks


def _restore(book, sheet) -> None:
    """Give the cells the last Check marked their colours back."""
    names = {s.name for s in book.sheets}
    for row in sheet_grid(sheet)[1:]:
        name, cell, colour = (list(row[RESTORE_COLUMN - 1:RESTORE_COLUMN + 2]) + [None] * 3)[:3]
        if name in names and cell:
            book.sheets[name].range(cell).color = _colour(colour)


def _colour(text) -> tuple | None:
    return tuple(int(float(v)) for v in str(text).split(",")) if text else None


def _ours(sheet) -> bool:
    """A sheet this button wrote (its header row), not a sheet of the user's that has the same name."""
    header = sheet.range((1, 1), (1, len(HEADERS["zh"]))).options(ndim=2).value[0]
    return list(header) in HEADERS.values()


def _free_name(book, name: str) -> str:
    names = {s.name for s in book.sheets}
    return name if name not in names else name + SUFFIX


def check_book(book) -> int:
    """Check an xlwings Book; write (or remove) the Problems sheet; return the number of problems."""
    old = [s.name for s in book.sheets if s.name.removesuffix(SUFFIX) in PROBLEM_SHEETS.values() and _ours(s)]
    for name in old:
        _restore(book, book.sheets[name])
    data = input_grids(book)
    model = reader.parse_sheets(data, source=book.name, strict=False)
    lang = "en" if model.settings.language == "en" else "zh"
    issues = list(model.issues)
    for name in old:
        book.sheets[name].delete()
    errors = sum(1 for i in issues if i.severity == "error")
    if not issues:
        book.app.alert("没有发现问题。" if lang == "zh" else "No problems found.", title="salesdeck")
        return 0
    marks = _marks(issues, set(data))
    restore = [[sheet, cell, _colour_text(book.sheets[sheet].range(cell).color)] for sheet, cell in marks]
    for (sheet, cell), severity in marks.items():
        book.sheets[sheet].range(cell).color = FILL[severity]
    target = book.sheets.add(_free_name(book, PROBLEM_SHEETS[lang]), after=book.sheets[len(book.sheets) - 1])
    write_rows(target, problem_rows(issues, lang, set(data)))
    target.range((1, 1), (1, len(HEADERS[lang]))).font.bold = True
    for col, width in enumerate(WIDTHS, start=1):
        target.range((1, col)).column_width = width
    if restore:
        target.range((2, RESTORE_COLUMN)).options(chunksize=CHUNK_ROWS).value = restore
        for col in range(RESTORE_COLUMN, RESTORE_COLUMN + 3):
            target.range((1, col)).column_width = 0  # hidden: only the next Check reads them
    target.activate()
    book.app.alert(summary(errors, len(issues) - errors, lang), title="salesdeck")
    return len(issues)


def summary(errors: int, warnings: int, lang: str) -> str:
    if lang == "zh":
        return f"工作簿有 {errors} 个错误、{warnings} 个警告,见“{PROBLEM_SHEETS['zh']}”工作表。"
    return f"The workbook has {errors} error(s) and {warnings} warning(s): see the {PROBLEM_SHEETS['en']} sheet."


def _colour_text(colour) -> str | None:
    return ",".join(str(int(v)) for v in colour) if colour else None


def check_caller() -> None:
    """Entry point of the Check button: check the calling workbook."""
    import xlwings as xw

    check_book(xw.Book.caller())
