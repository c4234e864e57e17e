"""Build valid workbooks and the broken-workbook corpus (mutations of a valid one).

``write_valid(path, lang)`` writes the project's sample when
``salesdeck.workbook.author.sample.write_sample`` exists, otherwise a small workbook
built from the contract. ``MUTATIONS`` maps a case name to a function that
breaks a valid workbook (opened with openpyxl) and returns the text the
``check`` output must contain (e.g. ``订单!H14``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

import openpyxl

from salesdeck.workbook import contract

REPORT_MONTH = dt.date(2026, 10, 1)


def write_valid(path: Path, lang: str = "zh", *, use_sample: bool = True, rows: int | None = None) -> Path:
    """A valid workbook at ``path`` (the sample with ``rows`` order lines when it exists)."""
    if use_sample:
        try:
            from salesdeck.workbook.author.sample import write_sample

            write_sample(path, lang=lang, rows=rows)
            return path
        except ImportError:  # the sample (or the writer it needs) is not there yet
            pass
    write_minimal(path, lang)
    return path


def _value(col: contract.Column, i: int, lang: str) -> object:
    if col.type == "choice":
        return col.choices[i % len(col.choices)].label(lang)
    if col.type in ("date",):
        return dt.date(2026, 10, 1 + i % 28)
    if col.type == "month":
        return REPORT_MONTH
    if col.type in ("money",):
        return 1000.0 * (i + 1)
    if col.type in ("int", "number"):
        return float(i % 5 + 1)
    if col.type in ("rate", "ratio"):
        return 0.5
    if col.type == "stage":
        return contract.DEFAULT_STAGES[i % 4][0 if lang == "zh" else 1]
    return f"{col.header(lang)}{i + 1}"


def typed_columns(table: contract.Table) -> list[contract.Column]:
    """The columns a person fills in (not the automatic source column a merge adds)."""
    return [c for c in table.columns if not c.automatic]


def _rows(table: contract.Table, lang: str, n: int = 3) -> list[list]:
    return [[_value(c, i, lang) for c in typed_columns(table)] for i in range(n)]


def _special_rows(table: contract.Table, lang: str) -> list[list] | None:
    key = table.key
    if key == "settings":
        rows = [("company", "示例公司" if lang == "zh" else "Example Co"), ("month", REPORT_MONTH),
                ("language", lang), ("rag_red", 0.8), ("rag_green", 1.0), ("next_month_target", 1_200_000.0)]
        names = {c.key: c.label(lang) for c in contract.SETTING_KEYS}
        return [[names[k], v, ""] for k, v in rows]
    if key == "stages":
        return [[zh, en, p, {"open": "进行中", "won": "赢单", "lost": "输单"}[c] if lang == "zh" else c.title()]
                for zh, en, p, c in contract.DEFAULT_STAGES]
    if key == "orders":
        out = []
        for i in range(28):  # two orders a month over 14 months
            month = dt.date(2025, 9, 1)
            y, m = divmod(month.month - 1 + i // 2, 12)
            day = dt.date(month.year + y, m + 1, 5 + (i % 2) * 10)
            vals = [_value(c, i, lang) for c in typed_columns(table)]
            vals[0] = f"SO{i + 1:04d}"
            vals[1] = day
            vals[-1] = 10000.0 + 100 * i
            out.append(vals)
        return out
    if key == "commission_metrics":
        metric = {c.key: c for c in contract.METRICS}
        return [[metric["revenue"].label(lang), 0.6, 0.5, 1.5, None],
                [metric["collections"].label(lang), 0.4, 0.5, 1.5, None]]
    if key == "commission_tiers":
        return [[0.0, 0.02], [100000.0, 0.03], [200000.0, 0.05]]
    if key == "nps":
        return [[f"C{i}", dt.date(2026, 10, 2), float(s)] for i, s in enumerate((9, 10, 7, 3))]
    if key == "satisfaction":
        return [["产品质量" if lang == "zh" else "Quality", 4.2, 4.0], ["交付" if lang == "zh" else "Delivery", 3.8, 4.1]]
    if key == "holidays":
        return [[dt.date(2026, 10, 1), contract.DAY_KINDS[0].label(lang), "国庆节"]]
    return None


def grids(lang: str = "zh") -> dict[str, list[list]]:
    """Every sheet as rows from A1 (tables side by side from row 1, one blank column between)."""
    out: dict[str, list[list]] = {}
    for sheet in contract.SHEETS:
        cells: dict[tuple[int, int], object] = {}
        col = 0
        for table in sheet.tables:
            for j, c in enumerate(typed_columns(table)):
                cells[(0, col + j)] = c.header(lang)
            for i, row in enumerate(_special_rows(table, lang) or _rows(table, lang)):
                for j, v in enumerate(row):
                    cells[(1 + i, col + j)] = v
            col += len(typed_columns(table)) + 1
        height = max(r for r, _ in cells) + 1
        width = max(c for _, c in cells) + 1
        out[sheet.name(lang)] = [[cells.get((r, c)) for c in range(width)] for r in range(height)]
    return out


def write_minimal(path: Path, lang: str = "zh") -> Path:
    """A small valid workbook built from the contract (``grids``) with openpyxl."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in grids(lang).items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


# ------------------------------------------------------------------ helpers for mutations
def sheet_of(wb, key: str):
    sheet = contract.sheet(key)
    for name in sheet.names():
        if name in wb.sheetnames:
            return wb[name]
    raise KeyError(key)


def locate(ws, table_key: str, column_key: str) -> tuple[int, int]:
    """(header row, column) of a column's header cell (first match)."""
    col = contract.TABLES[table_key].column(column_key)
    wanted = {contract.normalize_header(h) for h in col.headers()}
    others = {contract.normalize_header(h) for c in contract.TABLES[table_key].columns for h in c.headers()}
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 60)):
        texts = [contract.normalize_header(c.value) if isinstance(c.value, str) else "" for c in row]
        if sum(t in others for t in texts) >= 2:
            for cell, t in zip(row, texts):
                if t in wanted:
                    return cell.row, cell.column
    raise KeyError(column_key)


def data_cell(wb, table_key: str, column_key: str, offset: int = 0):
    """The openpyxl cell of the ``offset``-th data row (0 = first) of a column."""
    ws = sheet_of(wb, contract.SHEET_OF[table_key].key)
    row, col = locate(ws, table_key, column_key)
    return ws, ws.cell(row + 1 + offset, col)


def where(ws, cell) -> str:
    return f"{ws.title}!{cell.coordinate}"


def _set(table, column, value, offset=2):
    def mutate(wb):
        ws, cell = data_cell(wb, table, column, offset)
        cell.value = value
        return where(ws, cell)
    return mutate


def _delete_column(table, column):
    def mutate(wb):
        ws, cell = data_cell(wb, table, column, 0)
        ws.cell(cell.row - 1, cell.column).value = None
        for r in range(cell.row, ws.max_row + 1):
            ws.cell(r, cell.column).value = None
        col = contract.TABLES[table].column(column)
        return f"required column '{col.zh}' / '{col.en}' is missing from header row {cell.row - 1}"
    return mutate


def _title_and_reorder(wb):
    """Move the orders table down under a title row, reverse its columns, pad headers with spaces."""
    ws = sheet_of(wb, "orders")
    header_row, _ = locate(ws, "orders", "amount")
    rows = [list(r) for r in ws.iter_rows(min_row=header_row, values_only=True)]
    ws.delete_rows(1, ws.max_row)
    rows = [list(reversed(r)) for r in rows]
    rows[0] = [f"{h}  " if isinstance(h, str) else h for h in rows[0]]
    ws.cell(1, 2, "2026年订单明细 / Orders")
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            ws.cell(4 + i, 2 + j, v)
    return None


def _blank_rows_inside(wb):
    ws = sheet_of(wb, "orders")
    row, _ = locate(ws, "orders", "amount")
    ws.insert_rows(row + 3, 2)
    return None


def _amount_text(wb):
    ws, cell = data_cell(wb, "orders", "amount", 2)
    cell.value = "12,000元"
    return None


def _error_value(wb):
    ws, cell = data_cell(wb, "orders", "amount", 2)
    cell.value = "#DIV/0!"   # openpyxl stores this as an error cell (t="e")
    return where(ws, cell)


def _drop_sheet(key):
    def mutate(wb):
        del wb[sheet_of(wb, key).title]
        sheet = contract.sheet(key)
        return f"sheet '{sheet.zh}' / '{sheet.en}' not found"
    return mutate


def _weights(wb):
    ws, cell = data_cell(wb, "commission_metrics", "weight", 0)
    cell.value = 0.01
    last = cell.row
    while ws.cell(last + 1, cell.column).value is not None:
        last += 1
    return f"weights in {ws.title}!{cell.column_letter}{cell.row}:{cell.column_letter}{last} add up to"


def _tiers(wb):
    ws, cell = data_cell(wb, "commission_tiers", "from_amount", 1)
    cell.value = 10**9
    return where(ws, data_cell(wb, "commission_tiers", "from_amount", 2)[1])


def _no_month(wb):
    ws = sheet_of(wb, "settings")
    row, col = locate(ws, "settings", "setting")
    for r in range(row + 1, ws.max_row + 1):
        value = ws.cell(r, col).value
        if contract.find_choice(contract.SETTING_KEYS, value) is not None and \
                contract.find_choice(contract.SETTING_KEYS, value).key == "month":
            ws.cell(r, col + 1).value = None
    return "the report month (报告月份 / Report month) is missing in Settings"


#: name -> (mutation, exit code); the mutation returns the text the output must contain (or None).
MUTATIONS: dict[str, tuple[Callable, int]] = {
    "text in amount": (_set("orders", "amount", "abc"), 1),
    "impossible date": (_set("orders", "date", "2026-02-30"), 1),
    "excel error value": (_error_value, 1),
    "negative target": (_set("targets", "target", -5000), 1),
    "unknown stage": (_set("pipeline", "stage", "随便聊聊"), 1),
    "probability 150%": (_set("pipeline", "stage", "150%"), 1),
    "rate 12 in a rate column": (_set("commission_tiers", "rate", 12), 1),
    "missing required column": (_delete_column("orders", "amount"), 1),
    "unknown channel": (_set("orders", "channel", "火星"), 1),
    "blank required cell": (_set("orders", "customer", None), 1),
    "weights not 100%": (_weights, 1),
    "tiers not ascending": (_tiers, 1),
    "report month missing": (_no_month, 1),
    "orders sheet missing": (_drop_sheet("orders"), 1),
    "title row, reordered columns, trailing spaces": (_title_and_reorder, 0),
    "blank rows inside": (_blank_rows_inside, 0),
    "12,000元 in amount": (_amount_text, 0),
}


def build_case(valid: Path, name: str, out: Path) -> tuple[Path, int, str | None]:
    """Apply mutation ``name`` to a copy of ``valid``; return (path, exit code, expected text)."""
    mutate, code = MUTATIONS[name]
    wb = openpyxl.load_workbook(valid)
    expected = mutate(wb)
    wb.save(out)
    return out, code, expected
