"""One error hierarchy; each boundary (CLI, Excel, batch) translates it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


class SalesdeckError(Exception):
    """Base of every error salesdeck raises on purpose."""

    exit_code = 1
    hint: str | None = None

    def __init__(self, *args: object, hint: str | None = None):
        super().__init__(*args)
        if hint is not None:
            self.hint = hint


@dataclass(frozen=True)
class Issue:
    """One problem found in a workbook, addressed to a cell.

    ``severity`` is "error" (the workbook cannot be used) or "warning"
    (usable, but a person should look).
    """

    severity: str
    sheet: str
    cell: str | None
    column: str | None
    value: Any
    expected: str
    message: str = ""

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def as_dict(self) -> dict:
        data = asdict(self)
        data["where"] = self.where
        value = data["value"]
        if value is not None and not isinstance(value, (str, int, float, bool)):
            data["value"] = str(value)
        return data

    def __str__(self) -> str:
        found = "" if self.value is None else f" found {self.value!r};"
        col = f" [{self.column}]" if self.column else ""
        text = self.message or f"expected {self.expected}"
        return f"{self.severity}: {self.where}{col}:{found} {text}"


class NotAWorkbookError(SalesdeckError):
    """The file is not a spreadsheet we can open at all (exit 2)."""

    exit_code = 2


class NotADeckError(SalesdeckError):
    """The file is not a PowerPoint deck we can open (exit 2)."""

    exit_code = 2


class WorkbookInvalidError(SalesdeckError):
    """The workbook opened but has errors; ``issues`` lists every one."""

    def __init__(self, issues: list[Issue], path: str | None = None):
        self.issues = issues
        self.path = path
        errors = [i for i in issues if i.severity == "error"]
        first = str(errors[0]) if errors else "invalid workbook"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{first}{more}")


class CalcError(SalesdeckError, ValueError):
    """Bad input to a calculation; names the argument and the problem."""

    def __init__(self, argument: str, problem: str):
        self.argument = argument
        self.problem = problem
        super().__init__(f"{argument}: {problem}")


class TemplateError(SalesdeckError):
    """A deck template or narrative template is missing or broken."""


class OutputError(SalesdeckError):
    """An output could not be written (permissions, disk, locked file)."""
