"""Values as CRMs export them, mapped to the workbook's: stage names, owners to reps and regions, months across to rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from salesdeck.errors import SalesdeckError
from salesdeck.workbook import contract
from salesdeck.workbook.imports.sources import SourceTable, read_source

__all__ = ["StageMapper", "UnknownStage", "OwnerLookup", "load_lookup", "month_of", "month_columns", "widen_to_long"]


def _fold(*names: str) -> set[str]:
    return {contract.normalize_header(n) for n in names}


#: Closed stages as Salesforce, HubSpot, Zoho CRM and 纷享销客 name them.
WON = _fold("Closed Won", "Won", "Deal Won", "closedwon", "赢单", "成交", "已成交", "赢得", "签约成功")
LOST = _fold("Closed Lost", "Lost", "Deal Lost", "Closed Lost to Competition", "closedlost", "输单", "丢单", "失败",
             "已输单", "无效")
#: Open CRM stages that mean one of the default workbook stages (by its zh name).
OPEN_MEANINGS: dict[str, set[str]] = {
    "已提供报价": _fold("Proposal/Price Quote", "Proposal", "Quote", "Quoted", "Quote Sent", "Price Quote", "报价",
                        "已报价", "方案报价", "提供报价"),
    "合同条款谈判": _fold("Negotiation/Review", "Negotiation", "Negotiating", "Contract Negotiation", "谈判",
                         "商务谈判", "合同谈判"),
    "通过初审": _fold("Decision maker bought-in", "decisionmakerboughtin", "通过初审"),
    "已确定签单步骤": _fold("Contract sent", "contractsent", "Commit", "待签约", "签约中"),
}
MONTH_NAMES = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_ZH_MONTHS = {n: i for i, n in enumerate("一二三四五六七八九十", start=1)} | {"十一": 11, "十二": 12}


class UnknownStage(str):
    """A stage name that matches nothing in the stage table (reported, not imported)."""


class StageMapper:
    """CRM stage names to the workbook's stages.

    In order: the mapping file's [stages]; a name of the workbook's stage
    table (zh or en); the CRMs' won/lost names; open stages whose usual
    meaning is one of the default stages. Anything else is an UnknownStage;
    :meth:`by_probability` then finds the open stage with that probability.
    """

    def __init__(self, stages: list[tuple[str, str, float, str]], overrides: dict[str, str]) -> None:
        self.stages = stages
        self.known = {contract.normalize_header(name): zh for zh, en, _, _ in stages for name in (zh, en) if name}
        self.overrides = {contract.normalize_header(k): v for k, v in overrides.items()}
        for name, stage in overrides.items():
            if contract.normalize_header(stage) not in self.known and not re.fullmatch(r"\d+(\.\d+)?%", stage.strip()):
                raise SalesdeckError(f"[stages] {name!r} = {stage!r}: {stage!r} is not a stage of the workbook; its "
                                     "stages are " + ", ".join(zh for zh, _, _, _ in stages))
        self.won = next((zh for zh, _, _, kind in stages if kind == "won"), None)
        self.lost = next((zh for zh, _, _, kind in stages if kind == "lost"), None)
        self.first_open = next((zh for zh, _, _, kind in stages if kind == "open"), stages[0][0])
        names = {zh for zh, _, _, _ in stages}
        self.meanings = {key: zh for zh, keys in OPEN_MEANINGS.items() if zh in names for key in keys}

    def map(self, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, (int, float)):
            return value  # a probability typed in the stage column
        key = contract.normalize_header(value)
        for table in (self.overrides, self.known):
            if key in table:
                return table[key]
        if key in WON and self.won:
            return self.won
        if key in LOST and self.lost:
            return self.lost
        if key in self.meanings:
            return self.meanings[key]
        if re.fullmatch(r"\d+(\.\d+)?%?", key):
            return str(value).strip()
        return UnknownStage(str(value).strip())

    def by_probability(self, probability: float) -> str | None:
        """The open stage with exactly this probability, if there is one."""
        return next((zh for zh, _, p, kind in self.stages if kind == "open" and abs(p - probability) < 1e-9), None)


# ---------------------------------------------------------------- months across
def month_of(header: str, year: int | None = None) -> str | None:
    """'2026-01', '2026/1', '2026年1月', 'Jan 2026', 'Jan-26', and with ``year``: '1月', '一月', 'Jan' -> '2026-01'."""
    text = header.strip()
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:[-/.]\d{1,2})?", text)
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
    match = re.fullmatch(r"([A-Za-z]{3})[a-z]*\.?[\s\-']*(\d{2}|\d{4})", text)
    if match and match.group(1).lower() in MONTH_NAMES:
        number = int(match.group(2))
        number += 2000 if number < 100 else 0
        return f"{number:04d}-{MONTH_NAMES[match.group(1).lower()]:02d}"
    if year is None:
        return None
    match = re.fullmatch(r"(\d{1,2})\s*月(?:份)?", text)
    number = int(match.group(1)) if match else None
    if number is None:
        match = re.fullmatch(r"([一二三四五六七八九十]{1,2})\s*月(?:份)?", text)
        number = _ZH_MONTHS.get(match.group(1)) if match else None
    if number is None:
        match = re.fullmatch(r"([A-Za-z]{3})[a-z]*\.?", text)
        number = MONTH_NAMES.get(match.group(1).lower()) if match and (
            len(text.rstrip(".")) == 3 or text.lower().startswith(_full_month(match.group(1)))) else None
    return f"{year:04d}-{number:02d}" if number and 1 <= number <= 12 else None


def _full_month(abbreviation: str) -> str:
    names = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
             "november", "december"]
    return names[MONTH_NAMES.get(abbreviation.lower(), 1) - 1]


def month_columns(headers: list[str], year: int | None = None) -> list[int]:
    """Indices of headers naming a month; a table needs three or more to count as wide."""
    found = [i for i, h in enumerate(headers) if month_of(h, year)]
    return found if len(found) >= 3 else []


def needs_year(headers: list[str]) -> bool:
    """Months across without a year ('1月', 'Jan'): the import must be told which year."""
    return not month_columns(headers) and bool(month_columns(headers, 2000))


def widen_to_long(source: SourceTable, year: int | None = None) -> SourceTable:
    """One row per (row, month) from a table with months across; blank cells are left out."""
    months = month_columns(source.headers, year)
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
            rows.append([row[i] for i in ids] + [month_of(source.headers[m], year), value])
            numbers.append(source.row_number(index))
    return SourceTable(source.path, headers, rows, first_row=source.first_row, numbers=numbers)


# ---------------------------------------------------------------- owners
_NAME = _fold("name", "full name", "姓名", "员工", "员工姓名", "销售代表", "rep", "sales rep", "display name",
              "sales agent", "sales_agent", "agent", "salesperson", "sales person", "销售", "销售员", "业务员")
_ALIAS = _fold("user", "username", "user name", "alias", "email", "e-mail", "login", "owner", "user id", "账号",
               "用户名", "邮箱", "工号", "负责人")
_FIRST, _LAST = _fold("first name", "名"), _fold("last name", "姓")
_REGION = _fold("region", "team", "territory", "sales team", "role", "区域", "团队", "部门", "大区", "所属部门",
                "销售区域", "regional office", "regional_office", "office", "sales office", "办事处", "分公司")
#: What ``--lookup-column`` may name: the rep's name, the region, and a login the CRM shows as owner.
LOOKUP_FIELDS = ("name", "region", "login")


@dataclass
class OwnerLookup:
    """A CRM users/teams export: owner (name or login/email) -> rep name and region."""

    reps: dict[str, str] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def rep(self, owner: object) -> object:
        return self.reps.get(contract.normalize_header(owner), owner)

    def region(self, owner: object) -> str | None:
        return self.regions.get(contract.normalize_header(owner))

    def knows(self, owner: object) -> bool:
        key = contract.normalize_header(owner)
        return key in self.reps or key in self.regions

    def __bool__(self) -> bool:
        return bool(self.regions or self.reps)


def _column(folded: list[str], names: set[str]) -> int | None:
    return next((i for i, h in enumerate(folded) if h in names), None)


def load_lookup(path: str | Path, columns: dict[str, str] | None = None) -> OwnerLookup:
    """Read a users/teams export: a name column (Name, Full Name, 姓名, Sales Agent or First/Last Name), a region
    column (Region, Team, Role, Regional Office, 区域, 部门), and optionally the logins a CRM may show as owner
    (User, Email, Alias, 账号). ``columns`` (name/region/login -> header) says which column is which."""
    columns = dict(columns or {})
    unknown = [k for k in columns if k not in LOOKUP_FIELDS]
    if unknown:
        raise SalesdeckError(f"--lookup-column {unknown[0]}: expected one of {', '.join(LOOKUP_FIELDS)} "
                             "(e.g. --lookup-column name=sales_agent --lookup-column region=regional_office)")
    given = {contract.normalize_header(h) for h in columns.values()}
    source = read_source(path, known=lambda h: contract.normalize_header(h) in
                         _NAME | _ALIAS | _REGION | _FIRST | _LAST | given)
    folded = [contract.normalize_header(h) for h in source.headers]
    for key, header in columns.items():
        if contract.normalize_header(header) not in folded:
            raise SalesdeckError(f"lookup {Path(path).name}: --lookup-column {key}={header!r} names no column; its "
                                 f"columns are {', '.join(repr(h) for h in source.headers if h)}")
    pick = {key: folded.index(contract.normalize_header(header)) for key, header in columns.items()}
    name = pick.get("name", _column(folded, _NAME) if "login" not in pick else None)
    region = pick.get("region", _column(folded, _REGION))
    aliases = [pick["login"]] if "login" in pick else [i for i, h in enumerate(folded) if h in _ALIAS and i != name]
    first, last = (None, None) if "name" in pick else (_column(folded, _FIRST), _column(folded, _LAST))
    if name is None and "login" in pick:
        name = _column([h if i != pick["login"] else "" for i, h in enumerate(folded)], _NAME)
    if region is None or (name is None and not aliases and first is None):
        raise SalesdeckError(f"lookup {Path(path).name}: needs a name column (Name, Full Name, 姓名, or First Name and "
                             f"Last Name) and a region column (Region, Team, 区域, 部门); found "
                             f"{', '.join(repr(h) for h in source.headers if h)}; say which is which with "
                             "--lookup-column name=HEADER --lookup-column region=HEADER")
    lookup = OwnerLookup(source=Path(path).name)
    for row in source.rows:
        full = _text(row[name]) if name is not None else " ".join(
            t for t in (_text(row[first]) if first is not None else "", _text(row[last]) if last is not None else "") if t)
        place = _text(row[region])
        for key in [full] + [_text(row[i]) for i in aliases]:
            if key:
                if full:
                    lookup.reps[contract.normalize_header(key)] = full
                if place:
                    lookup.regions[contract.normalize_header(key)] = place
    return lookup


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()
