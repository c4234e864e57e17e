"""Which source column feeds which workbook field: automatic where unambiguous, asked for otherwise.

Headers match after folding case, spacing and punctuation, against the
field's zh and en headers, its aliases, and the standard export headers of
Salesforce, HubSpot, Zoho CRM and 纷享销客 and of common order exports. What
cannot be matched stops the import with the exact ``--column`` options and
mapping-file lines to add; a likely column is offered only when its values fit
the field (numbers for an amount, dates for a date). Mapping files are TOML::

    [columns]            # workbook field = source header
    rep = "Opportunity Owner"
    [values]             # a fixed value for a field the source lacks
    channel = "直营"
    [stages]             # CRM stage name = workbook stage
    "Qualification" = "已提供报价"
    [where]              # only the rows where these hold (see filters)
    "Stage" = "Closed Won"
    [lookup]             # a users/teams file: owner -> rep name and region
    file = "teams.csv"   # beside the mapping file
    name = "sales_agent"
    region = "regional_office"
    [dates]
    format = "mdy"       # month/day/year; or dmy, ymd, or a pattern such as %d.%m.%Y
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from salesdeck.atomic import write_bytes_atomic
from salesdeck.errors import SalesdeckError
from salesdeck.workbook import contract
from salesdeck.workbook.read import values as cell_values

__all__ = ["IMPORTABLE", "ImportMappingError", "Mapping", "match_columns", "known_header", "check_fields",
           "load_mapping", "save_mapping", "SYNONYMS"]

IMPORTABLE = ("orders", "pipeline", "targets", "activities", "receivables")
#: The sections a mapping file may have.
SECTIONS = ("columns", "values", "stages", "where", "lookup", "dates")

#: Export headers per field (beyond the contract's own zh/en headers and aliases).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "orders": {
        "order_id": ("Order ID", "Order Number", "Transaction ID", "transaction_id", "单号", "订单编号", "销售单号"),
        "date": ("Order Date", "Transaction Date", "transaction_date", "Date", "Invoice Date", "下单日期", "成交日期", "订单日期",
                 "Close Date", "Closed Date", "Date Closed", "Closing Date", "Won Date", "签单日期", "结单日期"),
        "rep": ("Sales Rep", "Salesperson", "Owner", "Order Owner", "Deal Owner", "Opportunity Owner", "Sales Agent",
                "负责人", "业务员", "销售员"),
        "region": ("Region", "Sales Region", "Territory", "大区", "销售区域", "所属区域", "Store"),
        "customer": ("Customer Name", "Customer", "Account Name", "Account", "Company", "Associated Company", "客户名称",
                     "客户"),
        "tier": ("Customer Tier", "Tier", "客户级别"),
        "industry": ("Industry", "所属行业"),
        "product": ("Product Name", "Product", "Item", "SKU", "plan", "Plan", "产品名称", "商品"),
        "product_line": ("Category", "Product Category", "Product Line", "Product Family", "Series", "产品类别", "品类",
                         "产品分类", "产品系列"),
        "deal_type": ("Type", "Deal Type", "Contract Type", "contract_type", "新老客户"),
        "quantity": ("Quantity", "Qty", "Units", "销售数量"),
        "amount": ("Sales", "Amount", "Revenue", "Total", "Net Sales", "Close Value", "Deal Value", "Won Amount", "销售额",
                   "订单金额", "成交金额", "商机金额"),
        "channel": ("Channel", "Sales Channel", "销售渠道"),
    },
    "pipeline": {
        "opportunity_id": ("Opportunity ID", "Deal ID", "Record ID", "商机ID", "商机编号"),
        "opportunity": ("Opportunity Name", "Deal Name", "Potential Name", "商机名称"),
        "customer": ("Account Name", "Account", "Associated Company", "Company", "Company Name", "客户名称", "客户"),
        "rep": ("Opportunity Owner", "Deal owner", "Deal Owner", "Owner", "Sales Agent", "负责人", "销售负责人"),
        "region": ("Region", "Territory", "Sales Region", "所属区域"),
        "stage": ("Stage", "Deal Stage", "Sales Stage", "Stage Name", "销售阶段", "商机阶段"),
        "probability": ("Probability (%)", "Probability", "Deal probability", "赢率", "成交概率"),
        # not "Expected Revenue": Salesforce and Zoho compute it as amount x probability
        "amount": ("Amount", "Deal Amount", "Opportunity Amount", "Deal Value", "商机金额", "预计金额", "预计成交金额"),
        "expected_close": ("Close Date", "Closing Date", "Expected Close Date", "预计成交日期", "预计签单日期",
                           "预计结单日期"),
        "lead_source": ("Lead Source", "Original Source", "Source", "线索来源", "来源"),
    },
    "targets": {
        "month": ("Month", "Period", "月份", "期间"),
        "region": ("Region", "Country", "Market", "Territory", "国家", "市场", "区域"),
        "rep": ("Sales Rep", "Owner", "销售代表", "负责人"),
        "product_line": ("Category", "Product Line", "产品线"),
        "target": ("Target", "Quota", "Goal", "目标", "指标", "目标金额"),
    },
    "activities": {
        "rep": ("Owner", "Assigned To", "Activity Owner", "负责人"),
        "month": ("Month", "Period", "月份"),
        "calls": ("Calls", "Call Count", "电话数"),
        "visits": ("Visits", "Meetings", "拜访数"),
        "proposals": ("Proposals", "方案数"),
        "quotes": ("Quotes", "报价数"),
        "deals": ("Deals", "Won Deals", "成交数"),
    },
    "receivables": {
        "invoice": ("Invoice Number", "Invoice ID", "Invoice No", "Invoice #", "发票号码", "单据编号"),
        "customer": ("Customer Name", "Account Name", "Customer", "客户名称"),
        "rep": ("Sales Person", "Owner", "负责人"),
        "amount": ("Invoice Amount", "Total", "Amount", "应收金额", "开票金额"),
        "due_date": ("Due Date", "到期日期", "应收日期"),
        "paid_date": ("Payment Date", "Paid Date", "回款日期", "收款日期"),
        "paid_amount": ("Amount Paid", "Payment Amount", "已回款金额", "收款金额"),
    },
}


class ImportMappingError(SalesdeckError):
    """Some fields could not be matched to a source column; the message says what to add."""

    exit_code = 1


@dataclass
class Mapping:
    """Field -> source header, fixed values for missing fields, CRM stage names; and which rows (``where``),
    the users/teams lookup (file, name, region, login) and the date format."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    stages: dict[str, str] = field(default_factory=dict)
    where: list = field(default_factory=list)            # filters.Condition
    lookup: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None


def field_spellings(table: str, column: contract.Column) -> set[str]:
    names = set(column.headers()) | set(SYNONYMS.get(table, {}).get(column.key, ())) | {column.key}
    return {contract.normalize_header(n) for n in names}


def known_header(table: str) -> Callable[[str], bool]:
    """Whether a header names a field of ``table`` (used to find the header row below title rows)."""
    from salesdeck.workbook.imports.values import month_of

    spellings = set().union(*(field_spellings(table, c) for c in contract.TABLES[table].columns))
    return lambda header: contract.normalize_header(header) in spellings or (
        table == "targets" and month_of(header, 2000) is not None)


def check_fields(table: str, names: Iterable[str], where: str) -> None:
    """Refuse field names the table does not have, listing the ones it does."""
    keys = contract.TABLES[table].keys
    unknown = [n for n in names if n not in keys]
    if unknown:
        raise ImportMappingError(f"{where}: {', '.join(repr(n) for n in unknown)} "
                                 f"{'is not a field' if len(unknown) == 1 else 'are not fields'} of {table}; "
                                 f"its fields are {', '.join(keys)}")


def match_columns(table: str, headers: list[str], mapping: Mapping, *, filled: Iterable[str] = (),
                  rows: list[list] | None = None) -> dict[str, int]:
    """Field -> column index in ``headers``; raises ImportMappingError listing what is missing.

    Fields in ``filled`` (a lookup fills them) are not demanded; ``rows`` (the data) let the message offer
    only columns whose values fit a field.
    """
    filled = set(filled)
    spec = contract.TABLES[table]
    folded = [contract.normalize_header(h) for h in headers]
    matched: dict[str, int] = {}
    problems: list[str] = []
    for column in spec.columns:
        if column.key in mapping.columns:
            wanted = contract.normalize_header(mapping.columns[column.key])
            if wanted not in folded:
                problems.append(f"{column.key}: the mapping names {mapping.columns[column.key]!r}, "
                                "which is not a column of the source")
                continue
            matched[column.key] = folded.index(wanted)
            continue
        if column.key in mapping.values:
            continue  # a fixed value was asked for
        if column.automatic:
            continue  # filled by salesdeck (a merge's source file), never guessed from a header
        spellings = field_spellings(table, column)
        hits = [i for i, h in enumerate(folded) if h and h in spellings and i not in matched.values()]
        if len(hits) == 1:
            matched[column.key] = hits[0]
        elif len(hits) > 1:
            problems.append(f"{column.key}: several source columns could be it: "
                            + ", ".join(repr(headers[i]) for i in hits))
    missing = [c for c in spec.required if c.key not in matched and c.key not in mapping.values and c.key not in filled]
    if table == "pipeline" and "stage" not in matched and "probability" not in matched and not any(
            k in mapping.values for k in ("stage", "probability")):
        missing.append(spec.column("stage"))
    if missing or problems:
        raise ImportMappingError(_ask(table, headers, matched, missing, problems, rows))
    return matched


#: How many data rows are looked at to tell whether a column's values fit a field.
FIT_ROWS = 200


def fits(column: contract.Column, sample: list) -> bool:
    """Whether most of a column's values could be this field's: numbers for amounts, dates for dates, a listed
    value for a choice, and not mostly numbers for names (ids may be numbers)."""
    from salesdeck.workbook.imports.dates import read_dates

    filled = [v for v in sample if not cell_values.is_blank(v)]
    if not filled:
        return False

    def share(parse) -> float:
        good = 0
        for value in filled:
            try:
                parse(value)
                good += 1
            except (cell_values.ParseError, ValueError, TypeError):
                pass
        return good / len(filled)

    kind = column.type
    if kind in ("money", "number", "int"):
        return share(cell_values.parse_number) >= 0.8
    if kind in ("rate", "ratio"):
        return share(lambda v: cell_values.parse_number(v, allow_percent=True)) >= 0.8
    if kind in ("date", "month"):
        try:
            filled = read_dates(filled, "", "", lambda i: i, None)
        except SalesdeckError:  # day/month order unknown: still dates
            return True
        return share(cell_values.parse_date) >= 0.8
    if kind == "choice":
        return share(lambda v: cell_values.parse_choice(v, column.choices)) >= 0.5
    if column.key.endswith("_id") or column.key == "invoice":
        return True
    return share(cell_values.parse_number) < 0.8


def _closest(table: str, column: contract.Column, headers: list[str], free: list[int],
             rows: list[list] | None = None) -> int | None:
    """The unused source column most like one of the field's names, if any is close and its values fit."""
    best, best_score = None, 0.0
    for index in free:
        if rows is not None and not fits(column, [r[index] if index < len(r) else None for r in rows[:FIT_ROWS]]):
            continue
        header = contract.normalize_header(headers[index])
        for name in field_spellings(table, column):
            shortest = 4 if name.isascii() else 2  # "rep" inside "representative" is no evidence
            contained = min(len(name), len(header)) >= shortest and (name in header or header in name)
            score = 0.9 if contained else difflib.SequenceMatcher(None, name, header).ratio()
            if score > best_score:
                best, best_score = index, score
    return best if best_score >= 0.75 else None


def _ask(table: str, headers: list[str], matched: dict[str, int], missing: list[contract.Column],
         problems: list[str], rows: list[list] | None = None) -> str:
    spec = contract.TABLES[table]
    lines = [f"cannot import into {table}: some fields have no source column"]
    if missing:
        lines.append("unmatched fields: " + ", ".join(f"{c.key} ({c.zh} / {c.en})" for c in missing))
    lines += [f"  {p}" for p in problems]
    lines.append("source headers: " + ", ".join(repr(h) for h in headers if h))
    free = [i for i, h in enumerate(headers) if h and i not in matched.values()]
    if free:
        lines.append("source columns not used yet: " + ", ".join(repr(headers[i]) for i in free))
    fields = [c.key for c in missing] + [p.split(":", 1)[0] for p in problems]
    lines.append("add to the command (pick the right header for each):")
    lines += [f'  --column {f}="<source header>"' for f in fields]
    guesses = []
    for key in fields:
        index = _closest(table, spec.column(key), headers, [i for i in free if i not in guesses], rows)
        if index is not None:
            guesses.append(index)
            lines.append(f"  maybe: --column {key}={_quoted(headers[index])}")
    lines.append("or, for a field the source lacks, a fixed value: " + " ".join(f'--set {f}="<value>"' for f in fields))
    if "region" in fields and "rep" in matched:
        lines.append("or, for region, a users/teams file giving each owner's region: --lookup FILE "
                     "(with --lookup-column name=HEADER --lookup-column region=HEADER when its headers are unusual)")
    lines.append("or put these lines in a mapping file (--map FILE.toml):")
    lines.append("  [columns]")
    lines += [f'  {f} = "<source header>"' for f in fields]
    lines.append("  [values]   # fixed values, instead of a column")
    lines += [f'  # {f} = "<value>"' for f in fields]
    return "\n".join(lines)


def _quoted(text: str) -> str:
    return f'"{text}"' if re.search(r"[\s\"'$&|;<>()]", text) or not text else text


def load_mapping(path: str | Path, table: str | None = None) -> Mapping:
    """Read a TOML mapping file, with a clear message for syntax errors, unknown sections and fields."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SalesdeckError(f"cannot read mapping {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SalesdeckError(f"mapping {path.name}: {exc}") from None
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise SalesdeckError(f"mapping {path.name}: unknown section(s) {', '.join(sorted(unknown))}; "
                             f"expected {', '.join(f'[{n}]' for n in SECTIONS)}")
    for section in SECTIONS:
        if not isinstance(data.get(section, {}), dict):
            raise SalesdeckError(f"mapping {path.name}: {section} must be a [{section}] section of name = \"text\" lines")
    mapping = Mapping(*(
        {str(k): str(v) for k, v in data.get(section, {}).items()} for section in ("columns", "values", "stages")))
    if table:
        check_fields(table, [*mapping.columns, *mapping.values], f"mapping {path.name}")
    from salesdeck.workbook.imports.filters import conditions_from_table

    mapping.where = conditions_from_table(data.get("where", {}), f"mapping {path.name}")
    lookup = {str(k): str(v) for k, v in data.get("lookup", {}).items()}
    wrong = set(lookup) - {"file", "name", "region", "login"}
    if wrong or (lookup and "file" not in lookup):
        raise SalesdeckError(f"mapping {path.name}: [lookup] takes file (the users/teams export, beside the mapping "
                             "file), and name, region, login (its column headers)")
    if lookup:
        lookup["file"] = str(path.parent / lookup["file"])
    mapping.lookup = lookup
    dates = data.get("dates", {})
    if set(dates) - {"format"}:
        raise SalesdeckError(f"mapping {path.name}: [dates] takes format = \"mdy\", \"dmy\", \"ymd\" or a pattern")
    mapping.date_format = str(dates["format"]) if "format" in dates else None
    return mapping


_TOML_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    return '"' + "".join(_TOML_ESCAPES.get(ch) or (f"\\u{ord(ch):04X}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
                         for ch in text) + '"'


def save_mapping(mapping: Mapping, headers: list[str], matched: dict[str, int], path: str | Path) -> Path:
    """Write what this import used (matched columns included) so next month's is one command."""
    path = Path(path)
    lines = ["# salesdeck import mapping: workbook field = source header", "[columns]"]
    lines += [f"{key} = {_toml_string(headers[index])}" for key, index in matched.items()]
    for section, entries in (("values", mapping.values), ("stages", mapping.stages)):
        if entries:
            lines += ["", f"[{section}]"] + [f"{_toml_string(k)} = {_toml_string(v)}" for k, v in entries.items()]
    if mapping.where:
        lines += ["", "[where]"] + [
            f"{_toml_string(c.header)} = {_toml_string(('!=' if c.negate else '') + '|'.join(c.values))}"
            for c in mapping.where]
    if mapping.lookup:
        lookup = dict(mapping.lookup)
        lookup["file"] = _relative(Path(lookup["file"]), path.parent)
        lines += ["", "[lookup]"] + [f"{k} = {_toml_string(v)}" for k, v in lookup.items()]
    if mapping.date_format:
        lines += ["", "[dates]", f"format = {_toml_string(mapping.date_format)}"]
    return write_bytes_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))


def _relative(file: Path, folder: Path) -> str:
    """``file`` as the mapping file names it: relative to the mapping file's folder when it can be."""
    import os

    try:
        return os.path.relpath(file.resolve(), folder.resolve())
    except ValueError:  # another drive (Windows)
        return str(file.resolve())
