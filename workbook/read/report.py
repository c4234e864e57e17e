"""Render a CheckResult as a human table or as JSON (stable keys)."""

from __future__ import annotations

import json
import re

from wcwidth import wcswidth

from salesdeck.errors import Issue
from salesdeck.texttable import text_table
from salesdeck.workbook import contract
from salesdeck.workbook.read.reader import CheckResult

COLUMNS = ("severity", "where", "column", "found", "expected / message")
MAX_CELL = 40


def as_json(result: CheckResult) -> str:
    """The result as JSON: file, ok, errors, warnings, issues[...], tables{key: rows}."""
    data = {
        "file": result.file,
        "ok": result.ok,
        "errors": result.errors,
        "warnings": result.warnings,
        "issues": [_issue_dict(i) for i in result.issues],
        "tables": dict(result.tables),
    }
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def _issue_dict(issue: Issue) -> dict:
    d = issue.as_dict()
    return {k: d.get(k) for k in ("severity", "sheet", "cell", "where", "column", "value", "expected", "message")}


def as_text(result: CheckResult) -> str:
    """A table of issues, one summary line per table, then the verdict."""
    lines: list[str] = []
    if result.issues:
        lines.append(text_table([_row(i) for i in result.issues], COLUMNS, underline=True))
        lines.append("")
    for key, rows in _ordered_tables(result):
        errs, warns = _table_counts(result, key)
        lines.append(f"{_label(result, key)}: {rows:,} rows, {errs:,} error{'s' * (errs != 1)}, "
                     f"{warns:,} warning{'s' * (warns != 1)}")
    verdict = (f"OK: {result.file} is usable ({result.warnings:,} warning{'s' * (result.warnings != 1)})"
               if result.ok else
               f"NOT USABLE: {result.file} has {result.errors:,} error{'s' * (result.errors != 1)} "
               f"and {result.warnings:,} warning{'s' * (result.warnings != 1)}")
    lines.append(verdict)
    return "\n".join(lines)


def _row(issue: Issue) -> tuple[str, ...]:
    found = "" if issue.value is None else _clip(str(issue.value))
    text = issue.message or f"expected {issue.expected}"
    if issue.message and issue.expected and issue.value is not None and issue.expected not in text:
        text = f"{text} (expected {issue.expected})"
    return (issue.severity, issue.where, _clip(issue.column or ""), found, text)


def _clip(text: str) -> str:
    text = text.replace("\n", " ")
    return text if wcswidth(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _ordered_tables(result: CheckResult):
    order = list(contract.TABLES)
    return sorted(result.tables.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)


def _label(result: CheckResult, key: str) -> str:
    sheet = result.labels.get(key, key)
    table = contract.TABLES.get(key)
    shared = sum(1 for s in result.labels.values() if s == sheet) > 1
    if table is None or not shared:
        return sheet
    return f"{sheet}/{table.zh if _is_zh(sheet) else table.en}"


def _is_zh(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


_LETTERS = re.compile(r"^([A-Z]+)")


def _table_counts(result: CheckResult, key: str) -> tuple[int, int]:
    """Errors and warnings of one table (issues on its sheet within its columns)."""
    sheet = result.labels.get(key)
    letters = set(result.letters.get(key, {}).values())
    same_sheet = [k for k, s in result.labels.items() if s == sheet]
    errs = warns = 0
    for issue in result.issues:
        if issue.sheet != sheet:
            continue
        if len(same_sheet) > 1:
            m = _LETTERS.match(issue.cell or "")
            mine = (m.group(1) in letters) if (m and letters) else key == same_sheet[0]
            if not mine:
                continue
        if issue.severity == "error":
            errs += 1
        else:
            warns += 1
    return errs, warns
