"""One workbook per rep from any workbook: each rep's own rows and the team's shared tables.

Every row of a row table goes to exactly one workbook, so merging the split
workbooks gives back the same figures. A row belongs to the rep named in the
first of its table's :data:`OWNER_COLUMNS` that names a known rep (a rep who
appears in the orders, pipeline, activities or targets); a customer or
account column names the rep who sells most to that customer. Rows that name
no rep (the satisfaction survey, a department's improvement item, ...) go to
the team's own workbook, the one the manager keeps. Settings, stages,
holidays, the commission plan and the product catalogue
(:data:`~salesdeck.workbook.contract.SHARED_TABLES`) are in every workbook.
Split rows lose the source file an earlier merge gave them: the rep's
workbook is now where they come from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from salesdeck.workbook import contract
from salesdeck.workbook.model import SalesWorkbook

__all__ = ["OWNER_COLUMNS", "TEAM_FILE", "per_rep_files", "split_by_rep", "write_per_rep"]

#: Per row table, the columns that can name the rep a row belongs to, tried in order.
OWNER_COLUMNS: dict[str, tuple[str, ...]] = {
    "targets": ("rep",),
    "orders": ("rep",),
    "pipeline": ("rep",),
    "activities": ("rep",),
    "receivables": ("rep", "customer"),
    "complaints": ("owner", "customer"),
    "nps": ("customer",),
    "resources": ("requested_by",),
    "actions": ("owner", "account"),
    "timeline": ("owner",),
    "satisfaction": (),
}
#: Columns holding a customer: they name the customer's rep.
CUSTOMER_COLUMNS = ("customer", "account")
#: Where the reps come from.
REP_TABLES = ("orders", "pipeline", "activities", "targets")
#: The file name (without suffix) of the team's own rows, by workbook language.
TEAM_FILE = {"zh": "团队", "en": "team"}


def _reps(book: SalesWorkbook) -> list[str]:
    names: set[str] = set()
    for table in REP_TABLES:
        names.update(str(v) for v in book.tables[table]["rep"].dropna() if str(v).strip())
    return sorted(names)


def _customer_reps(orders: pd.DataFrame) -> dict[str, str]:
    """Each customer's rep: the one with most order lines for it (ties: the first name in sort order)."""
    known = orders[orders["customer"].notna() & orders["rep"].notna()]
    if known.empty:
        return {}
    counts = known.groupby(["customer", "rep"]).size().reset_index(name="n")
    counts = counts.sort_values(["customer", "n", "rep"], ascending=[True, False, True], kind="stable")
    first = counts.drop_duplicates("customer")
    return dict(zip(first["customer"], first["rep"]))


def _owners(frame: pd.DataFrame, columns: tuple[str, ...], reps: set[str], customers: dict[str, str]) -> pd.Series:
    """The rep each row belongs to (None: the team's)."""
    owner = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    for column in columns:
        values = frame[column]
        named = values.map(customers) if column in CUSTOMER_COLUMNS else values
        named = named.where(named.isin(reps))
        owner = owner.where(owner.notna(), named)
    return owner


def split_by_rep(book: SalesWorkbook) -> dict[str | None, SalesWorkbook]:
    """Rep -> that rep's workbook, and None -> the team's own rows; reps sorted, the team last."""
    reps = _reps(book)
    customers = _customer_reps(book.orders)
    owners = {}
    for key in contract.TABLES:
        if key in contract.SHARED_TABLES:
            continue
        owners[key] = _owners(book.tables[key], OWNER_COLUMNS[key], set(reps), customers)
    out: dict[str | None, SalesWorkbook] = {}
    for rep in [*reps, None]:
        tables = {}
        for key, frame in book.tables.items():
            if key in contract.SHARED_TABLES:
                tables[key] = frame.copy()
            else:
                mine = owners[key].isna() if rep is None else owners[key] == rep
                # the row's home is now this workbook: a later merge names it as the source
                tables[key] = frame[mine.to_numpy()].reset_index(drop=True).assign(source=None)
        out[rep] = SalesWorkbook(settings=book.settings, tables=tables, source=None)
    return out


def _file_stem(name: str) -> str:
    """A rep's name made safe as a file name (Chinese kept)."""
    return re.sub(r'[<>:"/\\|?*\x00-\x1f]+', "_", name).strip(" .") or "_"


def per_rep_files(book: SalesWorkbook, folder: str | os.PathLike, lang: str = "zh") -> list[tuple[Path, SalesWorkbook]]:
    """:func:`split_by_rep` of ``book`` with the file each part goes to: ``<rep>.xlsx``, then the team's rows."""
    folder = Path(folder)
    out: list[tuple[Path, SalesWorkbook]] = []
    used: set[str] = set()
    for rep, part in split_by_rep(book).items():
        stem = _file_stem(rep) if rep is not None else TEAM_FILE[lang]
        while stem.casefold() in used:
            stem += "_"
        used.add(stem.casefold())
        out.append((folder / f"{stem}.xlsx", part))
    return out


def write_per_rep(book: SalesWorkbook, folder: str | os.PathLike, lang: str = "zh") -> list[Path]:
    """Write :func:`per_rep_files` of ``book`` (each atomically); returns the paths."""
    from salesdeck.workbook.author.writer import write_workbook

    return [write_workbook(part, path, lang=lang) for path, part in per_rep_files(book, folder, lang)]
