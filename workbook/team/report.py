"""What a merge found, as text for a person or JSON (stable keys) for a script."""

from __future__ import annotations

import json

from salesdeck.workbook import contract
from salesdeck.workbook.team.load import Input
from salesdeck.workbook.team.merge import MergeReport, setting_name

__all__ = ["as_json", "as_messages", "as_text", "file_lines", "summary"]

#: Errors listed per file in the text report (all of them in JSON; ``salesdeck check`` lists all too).
MAX_ERRORS_SHOWN = 20


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' * (n != 1)}"


def file_lines(item: Input) -> list[str]:
    """One line for the file, then each error with its sheet!cell (warnings counted)."""
    if item.fatal:
        reason = item.fatal.removeprefix(f"{item.path.name}: ")
        return [f"{item.name}: NOT A WORKBOOK: {reason}"]
    counts = f"{_plural(len(item.errors), 'error')}, {_plural(len(item.warnings), 'warning')}"
    if item.ok:
        return [f"{item.name}: OK ({counts})"]
    lines = [f"{item.name}: NOT USABLE ({counts})"]
    lines += [f"  {issue}" for issue in item.errors[:MAX_ERRORS_SHOWN]]
    if len(item.errors) > MAX_ERRORS_SHOWN:
        lines.append(f"  ... and {len(item.errors) - MAX_ERRORS_SHOWN:,} more; run `salesdeck check {item.path}`")
    return lines


def _key_text(conflict) -> str:
    table = contract.TABLES[conflict.table]
    parts = [f"{table.column(k).zh}/{table.column(k).en} {v}" for k, v in conflict.key.items() if v != ""]
    return ", ".join(parts)


def as_text(report: MergeReport) -> str:
    """Per-file problems (files without any are not listed), then disagreements, conflicts and warnings."""
    lines: list[str] = []
    for item in report.inputs:
        if item.issues or item.fatal:
            lines += file_lines(item)
    for first, second in report.identical:
        lines.append(f"error: {second} has exactly the same content as {first} (the same workbook twice?)")
    for mismatch in report.mismatches:
        values = "; ".join(f"{value or '(blank)'} in {', '.join(files)}" for value, files in mismatch.values.items())
        lines.append(f"error: the {setting_name(mismatch.setting)} differs between the files: {values}")
    for conflict in report.conflicts:
        title = contract.TABLES[conflict.table]
        places = " and ".join(f"{name} {where}" for name, where in conflict.places)
        lines.append(f"conflict: {title.zh}/{title.en} {_key_text(conflict)} is in {places}")
    for table, count in report.conflict_counts.items():
        shown = sum(c.table == table for c in report.conflicts)
        if count > shown:
            lines.append(f"... and {count - shown:,} more conflicts in {contract.TABLES[table].en.lower()}")
    lines += [f"warning: {w}" for w in report.warnings]
    return "\n".join(lines)


def summary(report: MergeReport) -> str:
    """The last line: what was merged, or why nothing was."""
    if report.ok:
        rows = report.rows()
        return (f"merged {_plural(len(report.inputs), 'workbook')}: {rows['orders']:,} order lines, "
                f"{rows['pipeline']:,} opportunities, {rows['targets']:,} target rows")
    problems = []
    fatal = sum(bool(i.fatal) for i in report.inputs)
    bad = sum(not i.ok for i in report.inputs) - fatal
    if fatal:
        problems.append(f"{_plural(fatal, 'file')} not a workbook")
    if bad:
        problems.append(f"{_plural(bad, 'file')} with errors")
    if report.identical:
        problems.append(_plural(len(report.identical), "duplicate file"))
    if report.mismatches:
        problems.append("settings that differ")
    total = sum(report.conflict_counts.values())
    if total:
        problems.append(_plural(total, "conflict"))
    return "nothing merged: " + ", ".join(problems)


def as_messages(report: MergeReport) -> str:
    """:func:`as_text` then :func:`summary`: what ``merge`` and ``batch --merge`` print."""
    return "\n".join(part for part in (as_text(report), summary(report)) if part)


def as_json(report: MergeReport, output: str | None) -> str:
    """Everything in the report; ``output`` is the file written (None when nothing was)."""
    data = {
        "ok": report.ok,
        "exit_code": report.exit_code,
        "output": output if report.ok else None,
        "files": [{
            "file": item.name, "ok": item.ok, "fatal": item.fatal, "errors": len(item.errors),
            "warnings": len(item.warnings), "rows": item.rows(),
            "issues": [{k: i.as_dict().get(k) for k in ("severity", "sheet", "cell", "where", "column", "value",
                                                        "expected", "message")} for i in item.issues],
        } for item in report.inputs],
        "identical": [list(pair) for pair in report.identical],
        "mismatches": [{"setting": m.setting, "values": m.values} for m in report.mismatches],
        "conflicts": [{"table": c.table, "key": c.key, "places": [{"file": f, "where": w} for f, w in c.places]}
                      for c in report.conflicts],
        "conflict_counts": report.conflict_counts,
        "warnings": report.warnings,
        "rows": report.rows(),
    }
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
