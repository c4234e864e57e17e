"""Which files a merge reads: files, folders and glob patterns, each file once, never the output.

A file given twice - spelled another way, through a symlink or hard link, or
inside a folder that is also given - is refused rather than silently read once:
the person asked for something that would double every row.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Iterable

from salesdeck.errors import SalesdeckError
from salesdeck.filesafety import check_outputs, file_identity

__all__ = ["InputError", "WORKBOOK_SUFFIXES", "find_workbooks", "refuse_output_among_inputs"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


class InputError(SalesdeckError):
    """The inputs or the output were named wrongly (nothing found, a file twice, output = input): exit 2."""

    exit_code = 2


def _is_workbook_name(path: Path) -> bool:
    return not path.name.startswith("~$") and path.suffix.lower() in WORKBOOK_SUFFIXES


def find_workbooks(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """The workbooks named by ``inputs``, in the order given (a folder's and a pattern's sorted by name).

    A folder contributes its workbooks (not recursive; Office lock files ``~$...``
    passed over); a file named explicitly is always tried, so a wrong file is
    reported rather than ignored. Raises InputError when something matches
    nothing, nothing is found, or a file is given twice.
    """
    found: list[Path] = []
    seen: dict[tuple, str] = {}
    twice: list[str] = []
    missing: list[str] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            candidates = [(c, f"{c} (in {item})") for c in sorted(path.iterdir()) if c.is_file() and _is_workbook_name(c)]
        elif path.is_file():
            candidates = [(path, str(item))]
        else:
            matches = [Path(m) for m in sorted(glob.glob(str(item)))]
            if not matches:
                missing.append(str(item))
            candidates = [(m, f"{m} (matched by {item})") for m in matches if m.is_file() and _is_workbook_name(m)]
        for candidate, given in candidates:
            identity = file_identity(candidate)
            if identity in seen:
                twice.append(f"{seen[identity]} and {given}")
            else:
                seen[identity] = given
                found.append(candidate)
    if missing:
        raise InputError(f"nothing matches {', '.join(missing)}")
    if twice:
        raise InputError("the same file is given twice: " + "; ".join(twice),
                         hint="name each rep's workbook once (a folder already includes its files)")
    if not found:
        raise InputError("no workbooks (.xlsx, .xlsm, .xls, .ods) found in " + ", ".join(map(str, inputs)))
    return found


def refuse_output_among_inputs(output: str | os.PathLike, inputs: Iterable[str | os.PathLike]) -> None:
    """Refuse (exit 2) an ``output`` that is one of ``inputs``: an input is never written over."""
    check_outputs({"the output": output}, {"an input": list(inputs)})
