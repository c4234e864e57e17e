"""Values as CRMs export them, mapped to the workbook's: stage names, owners to regions, months across to rows."""

from __future__ import annotations

import re
from pathlib import Path

from salesdeck.errors import SalesdeckError
from salesdeck.workbook import contract
from salesdeck.workbook.import_sources import SourceTable, read_source

__all__ = ["StageMapper", "UnknownStage", "load_lookup", "month_columns", "widen_to_long"]

WON = {"closedwon", "won", "dealwon", "赢单", "成交", "已成交", "赢得"}
LOST = {"closedlost", "lost", "deallost", "输单", "丢单", "失败", "已输单"}
MONTH_NAMES = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


class UnknownStage(str):
    """A stage name that matches nothing in the stage table (reported, not imported)."""


class StageMapper:
    """CRM stage names to the workbook's stages: won and lost by their usual names, the rest by name or mapping."""

    def __init__(self, stage_names: list[str], overrides: dict[str, str]) -> None:
        self.known = {contract.normalize_header(s): s for s in stage_names}
        self.overrides = {contract.normalize_header(k): v for k, v in overrides.items()}
        stages = contract.DEFAULT_STAGES
        self.won = next(s[0] for s in stages if s[3] == "won")
        self.lost = next(s[0] for s in stages if s[3] == "lost")
        self.first_open = next(s[0] for s in stages if s[3] == "open")

    def map(self, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, (int, float)):
            return value  # a probability typed in the stage column
        key = contract.normalize_header(value)
        if key in self.overrides:
            return self.overrides[key]
        if key in self.known:
            return self.known[key]
        if key in WON:
            return self.won
        if key in LOST:
            return self.lost
        if re.fullmatch(r"\d+(\.\d+)?%?", key):
            return str(value).strip()
        return UnknownStage(str(value).strip())


def _month_of(header: str) -> str | None:
    """'2026-01', '2026/1', '2026年1月', 'Jan 2026', 'Jan-26', 'January 2026' -> '2026-01'."""
    text = header.strip()
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:[-/.]\d{1,2})?", text)
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
    match = re.fullmatch(r"([A-Za-z]{3})[a-z]*[\s\-']*(\d{2}|\d{4})", text)
    if match and match.group(1).lower() in MONTH_NAMES:
        year = int(match.group(2))
        year += 2000 if year < 100 else 0
        return f"{year:04d}-{MONTH_NAMES[match.group(1).lower()]:02d}"
    return None


def month_columns(headers: list[str]) -> list[int]:
    """Indices of headers naming a month; a table needs three or more to count as wide."""
    found = [i for i, h in enumerate(headers) if _month_of(h)]
    return found if len(found) >= 3 else []


def widen_to_long(source: SourceTable) -> SourceTable:
    """One row per (row, month) from a table with months across; blank cells are left out."""
    months = month_columns(source.headers)
    ids = [i for i in range(len(source.headers)) if i not in months and source.headers[i]]
    month_header = contract.TABLES["targets"].column("month").zh
    target_header = contract.TABLES["targets"].column("target").zh
    headers = [source.headers[i] for i in ids] + [month_header, target_header]
    rows, numbers = [], []
    for index, row in enumerate(source.rows):
        for m in months:
            value = row[m] if m < len(row) else None
            if value in (None, ""):
                continue
            rows.append([row[i] for i in ids] + [_month_of(source.headers[m]), value])
            numbers.append(source.row_number(index))
    long = _LongTable(source.path, headers, rows, first_row=source.first_row)
    long.numbers = numbers
    return long


class _LongTable(SourceTable):
    """A reshaped table whose rows remember the file row they came from."""

    numbers: list[int]

    def row_number(self, index: int) -> int:
        return self.numbers[index]


_NAME = {contract.normalize_header(h) for h in ("name", "user", "owner", "full name", "user name", "姓名", "员工", "负责人",
                                                "销售代表", "rep", "sales rep")}
_REGION = {contract.normalize_header(h) for h in ("region", "team", "territory", "role", "区域", "团队", "部门", "大区")}


def load_lookup(path: str | Path) -> dict[str, str]:
    """Owner name -> region from a CRM users/teams export (columns like Name and Team/Region)."""
    source = read_source(path)
    folded = [contract.normalize_header(h) for h in source.headers]
    name = next((i for i, h in enumerate(folded) if h in _NAME), None)
    region = next((i for i, h in enumerate(folded) if h in _REGION), None)
    if name is None or region is None:
        raise SalesdeckError(f"lookup {Path(path).name}: needs a name column (Name, User, 姓名) and a region column "
                             f"(Region, Team, 区域); found {', '.join(source.headers)}")
    return {str(row[name]).strip(): str(row[region]).strip() for row in source.rows
            if row[name] not in (None, "") and row[region] not in (None, "")}
