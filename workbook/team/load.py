"""Every input of a merge (or a rollover) read and checked, its problems kept per file.

Each workbook is read once, as ``salesdeck check`` reads it: the issues are
the ones check lists (sheet!cell, value, what was expected) and the model is
what a merge appends. Several files are read in parallel processes.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from salesdeck.errors import Issue, NotAWorkbookError, SalesdeckError
from salesdeck.workbook.model import SalesWorkbook
from salesdeck.workbook.read.reader import read_workbook

__all__ = ["Input", "read_inputs", "read_one"]


@dataclass
class Input:
    """One input workbook: its model (None when it could not be opened) and every issue found."""

    path: Path
    name: str
    book: SalesWorkbook | None
    issues: list[Issue] = field(default_factory=list)
    fatal: str | None = None  # why the file is not a workbook at all (exit 2), else None
    digest: str = ""

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return self.fatal is None and not self.errors

    def rows(self) -> dict[str, int]:
        """Rows read per table found in the file."""
        if self.book is None:
            return {}
        return {key: len(frame) for key, frame in self.book.tables.items() if key in self.book.locations}


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def read_one(path: str | os.PathLike, name: str | None = None) -> Input:
    """Read and check one workbook; never raises for a bad file (the problem is in the result)."""
    path = Path(path)
    name = name or path.name
    try:
        digest = _digest(path)
        book = read_workbook(path, strict=False)
    except NotAWorkbookError as exc:
        return Input(path, name, None, fatal=str(exc))
    except OSError as exc:
        return Input(path, name, None, fatal=f"{name}: cannot read ({exc.strerror or exc})")
    except SalesdeckError as exc:
        return Input(path, name, None, fatal=str(exc))
    issues, book.issues = book.issues, []
    return Input(path, name, book, issues, digest=digest)


def _names(paths: Sequence[Path]) -> list[str]:
    """File names; the path as given where two inputs share a name (east/张伟.xlsx, north/张伟.xlsx)."""
    counts: dict[str, int] = {}
    for p in paths:
        counts[p.name] = counts.get(p.name, 0) + 1
    return [p.name if counts[p.name] == 1 else str(p) for p in paths]


def _one_core_each() -> None:
    from salesdeck.workbook.read.raw import share_cores

    share_cores(1)  # a process per core already: splitting a sheet across cores would only add work


def read_inputs(paths: Sequence[str | os.PathLike], jobs: int | None = None) -> list[Input]:
    """Every workbook read and checked, in the order given; ``jobs`` processes (default: one per core)."""
    paths = [Path(p) for p in paths]
    names = _names(paths)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(paths)))
    if workers == 1:
        return [read_one(p, n) for p, n in zip(paths, names)]
    with ProcessPoolExecutor(max_workers=workers, initializer=_one_core_each) as pool:
        return list(pool.map(read_one, paths, names, chunksize=max(1, len(paths) // (4 * workers))))
