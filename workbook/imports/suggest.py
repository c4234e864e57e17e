"""The import to run for a file that is an export, not a salesdeck workbook (what ``check`` suggests).

The file's header row is matched against each importable table's fields
(the same spellings the import uses); the table with the most matched
fields wins when at least two of its required fields are there. A deals
export, one with a stage column holding won deals, gets both imports: its
won deals as orders and its open deals as pipeline.
"""

from __future__ import annotations

import shlex
from collections import Counter
from pathlib import Path

from salesdeck.errors import SalesdeckError
from salesdeck.workbook import contract
from salesdeck.workbook.imports.filters import stage_column
from salesdeck.workbook.imports.mapping import IMPORTABLE, field_spellings, known_header
from salesdeck.workbook.imports.sources import read_source
from salesdeck.workbook.imports.values import StageMapper

__all__ = ["suggest_import"]

WORKBOOK = "workbook.xlsx"


def _matched(table: str, headers: list[str]) -> list[str]:
    folded = {contract.normalize_header(h) for h in headers if h}
    return [c.key for c in contract.TABLES[table].columns if field_spellings(table, c) & folded]


def _best(headers: list[str]) -> tuple[str, list[str]] | None:
    ranked = []
    for table in IMPORTABLE:
        fields = _matched(table, headers)
        required = [c.key for c in contract.TABLES[table].required if c.key in fields]
        if len(required) >= 2:
            ranked.append((len(fields), len(required), -IMPORTABLE.index(table), table, fields))
    if not ranked:
        return None
    *_, table, fields = max(ranked)
    return table, fields


def _deal_stages(source, column: int) -> tuple[list[str], list[str]]:
    """The won and the closed (won or lost) stage names of a deals export, as written in it."""
    mapper = StageMapper([tuple(s) for s in contract.DEFAULT_STAGES], {})
    kinds = {zh: kind for zh, _, _, kind in contract.DEFAULT_STAGES}
    counted = Counter(str(r[column]).strip() for r in source.rows if column < len(r) and r[column] not in (None, ""))
    won = [name for name in counted if kinds.get(mapper.map(name)) == "won"]
    lost = [name for name in counted if kinds.get(mapper.map(name)) == "lost"]
    return won, won + lost


def suggest_import(path: str | Path) -> str | None:
    """The commands that bring ``path`` into a workbook, or None when it has no table an import knows."""
    path = Path(path)
    everything = [known_header(t) for t in IMPORTABLE]
    try:
        source = read_source(path, known=lambda h: any(k(h) for k in everything))
    except SalesdeckError:
        return None
    best = _best(source.headers)
    if best is None:
        return None
    table, fields = best
    quoted = shlex.quote(str(path))
    column = stage_column(source.headers)
    won, closed = _deal_stages(source, column) if column is not None else ([], [])
    deals = bool(won) and table in ("orders", "pipeline")
    what = (f"a CRM deals export (stages in {source.headers[column]!r}). Bring its won deals in as orders and its "
            "open deals as pipeline:" if deals else f"an export of {contract.TABLES[table].en.lower()} (columns for "
            f"{', '.join(fields)}). Bring it into a workbook:")
    lines = [f"{path.name} is not a salesdeck workbook, but it looks like {what}", f"  salesdeck template -o {WORKBOOK}"]
    if deals:
        header = source.headers[column]
        lines.append(f"  salesdeck import {quoted} --into {WORKBOOK} --in-place --as orders "
                     f"--where {shlex.quote(header + '=' + '|'.join(won))}")
        lines.append(f"  salesdeck import {quoted} --into {WORKBOOK} --in-place --as pipeline "
                     f"--where {shlex.quote(header + '!=' + '|'.join(closed))}")
    else:
        lines.append(f"  salesdeck import {quoted} --into {WORKBOOK} --in-place --as {table}")
    lines.append("The import names any column it still needs; see docs/import.md for each CRM.")
    return "\n".join(lines)

