"""CLI commands for workbooks: ``salesdeck check``."""

from __future__ import annotations

import json

import click

from salesdeck.errors import NotAWorkbookError, SalesdeckError


@click.command("check")
@click.argument("workbook", type=click.Path(dir_okay=True, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (stable keys).")
def check(workbook: str, as_json: bool) -> None:
    """Check WORKBOOK and list every problem with its sheet!cell.

    Exit status: 0 when the workbook is usable (warnings allowed), 1 when it
    has errors, 2 when the file is not a workbook at all.
    """
    from salesdeck.workbook.read import report
    from salesdeck.workbook.read.reader import check_workbook

    try:
        result = check_workbook(workbook)
    except NotAWorkbookError as exc:
        hint = _import_hint(workbook)
        if as_json:
            click.echo(_fatal_json(workbook, str(exc), hint))
            raise SystemExit(exc.exit_code) from None
        if hint:
            exc.hint = hint
        raise
    except SalesdeckError:
        raise
    except Exception as exc:  # noqa: BLE001 - never a traceback for the user
        raise SalesdeckError(f"{workbook}: could not be checked ({type(exc).__name__}: {exc})") from exc
    hint = _import_hint(workbook) if not {"settings", "orders"} & set(result.labels) else None
    if as_json:
        data = json.loads(report.as_json(result))
        click.echo(json.dumps({**data, "hint": hint}, ensure_ascii=False, indent=2) if hint else report.as_json(result))
    else:
        click.echo(report.as_text(result))
        if hint:
            click.echo(f"Hint: {hint}")
    raise SystemExit(0 if result.ok else 1)


def _import_hint(path: str) -> str | None:
    """The import commands for a file that is an export rather than a salesdeck workbook, if it is one."""
    from salesdeck.workbook.imports.suggest import suggest_import

    try:
        return suggest_import(path)
    except Exception:  # noqa: BLE001 - a hint must never turn a check into a traceback
        return None


def _fatal_json(path: str, message: str, hint: str | None = None) -> str:
    from pathlib import Path

    issue = {"severity": "error", "sheet": None, "cell": None, "where": Path(path).name, "column": None,
             "value": None, "expected": "an Excel workbook (.xlsx, .xlsm, .xls, .ods)", "message": message}
    data = {"file": Path(path).name, "ok": False, "errors": 1, "warnings": 0, "issues": [issue], "tables": {}}
    if hint:
        data["hint"] = hint
    return json.dumps(data, ensure_ascii=False, indent=2)


COMMANDS: list = [check]
