"""Which source rows an import takes: ``--where`` conditions, and for orders only the won deals.

A condition is ``HEADER=VALUE`` or ``HEADER!=VALUE``, with ``|`` between
several values (any of them); an empty VALUE means a blank cell. Values
compare as text with case and spacing folded, so "Won" matches "won " and
2014 matches 2014.0. Several conditions must all hold. Rows a condition
leaves out are counted, never listed as skipped. In a mapping file::

    [where]
    deal_stage = "Won"                        # HEADER=VALUE
    region = ["East", "West"]                 # any of several (or "East|West")
    status = "!=Cancelled"                    # HEADER!=VALUE

Without a condition, an orders import from a deals export (a source with a
stage column) takes the won deals only: lost and open deals are left out and
counted, and a deal whose stage is unknown is skipped with the ``[stages]``
line that would place it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from salesdeck.errors import SalesdeckError
from salesdeck.workbook import contract
from salesdeck.workbook.imports.sources import SourceTable
from salesdeck.workbook.imports.values import StageMapper, UnknownStage
from salesdeck.workbook.read import values

__all__ = ["Condition", "parse_condition", "conditions_from_table", "apply_where", "stage_column", "won_deals_only",
           "unknown_stages_note"]

#: How many of a column's values a message lists.
SHOWN_VALUES = 8


@dataclass(frozen=True)
class Condition:
    """Rows whose ``header`` holds one of ``values`` (or, negated, none of them)."""

    header: str
    values: tuple[str, ...]
    negate: bool = False

    def __str__(self) -> str:
        return f"{self.header}{'!=' if self.negate else '='}{'|'.join(self.values)}"

    def holds(self, folded: str) -> bool:
        return (folded in {_fold(v) for v in self.values}) != self.negate


def parse_condition(text: str) -> Condition:
    """``HEADER=VALUE``, ``HEADER!=VALUE``, ``HEADER=A|B``; a usage error for anything else."""
    match = re.fullmatch(r"\s*(.+?)\s*(!=|=)(.*)", text, re.S)
    if not match or not match.group(1):
        raise SalesdeckError(f"--where {text!r}: expected HEADER=VALUE, HEADER!=VALUE or HEADER=A|B")
    return Condition(match.group(1), tuple(v.strip() for v in match.group(3).split("|")), match.group(2) == "!=")


def conditions_from_table(table: dict, where: str) -> list[Condition]:
    """The ``[where]`` table of a mapping file: header = "VALUE", "!=VALUE", "A|B" or a list of values."""
    out = []
    for header, wanted in table.items():
        if isinstance(wanted, list) and all(isinstance(v, (str, int, float)) for v in wanted):
            out.append(Condition(str(header), tuple(str(v).strip() for v in wanted)))
        elif isinstance(wanted, (str, int, float)) and not isinstance(wanted, bool):
            text = str(wanted)
            negate = text.startswith("!=")
            out.append(Condition(str(header), tuple(v.strip() for v in text[2 * negate:].split("|")), negate))
        else:
            raise SalesdeckError(f"{where}: [where] {header} must be \"VALUE\", \"!=VALUE\", \"A|B\" or a list of values")
    return out


def _fold(value: object) -> str:
    if values.is_blank(value):
        return ""
    try:
        text = values.parse_text(value)
    except values.ParseError:  # an Excel error value: compared as written
        text = str(value)
    return " ".join(text.split()).casefold()


def _fold_all(cells: list) -> list[str]:
    """:func:`_fold` of each cell, computed once per distinct value."""
    memo: dict = {}
    out = []
    for value in cells:
        key = (type(value), value)
        try:
            out.append(memo[key])
        except KeyError:
            out.append(memo.setdefault(key, _fold(value)))
        except TypeError:  # unhashable
            out.append(_fold(value))
    return out


def _index(source: SourceTable, header: str, what: str) -> int:
    folded = [contract.normalize_header(h) for h in source.headers]
    wanted = contract.normalize_header(header)
    if wanted not in folded:
        from salesdeck.workbook.imports.mapping import ImportMappingError

        raise ImportMappingError(f"{what}: {source.path.name} has no column {header!r}; its columns are "
                                 + ", ".join(repr(h) for h in source.headers if h))
    return folded.index(wanted)


def _counts(cells: list[str], shown: list[object]) -> str:
    counted = Counter(cells)
    firsts = {}
    for cell, raw in zip(cells, shown):
        firsts.setdefault(cell, raw)
    top = counted.most_common(SHOWN_VALUES)
    more = f", and {len(counted) - len(top)} more" if len(counted) > len(top) else ""
    return ", ".join(f"{_show(firsts[c])} ({n:,})" for c, n in top) + more


def _show(value: object) -> str:
    return "(blank)" if values.is_blank(value) else repr(str(value).strip())


def apply_where(source: SourceTable, conditions: list[Condition]) -> tuple[SourceTable, int, list[str]]:
    """The rows of ``source`` every condition holds for, how many were left out, and notes on values no row has."""
    if not conditions:
        return source, 0, []
    keep = [True] * len(source.rows)
    notes = []
    for condition in conditions:
        column = _index(source, condition.header, f"--where {condition}")
        raw = [row[column] if column < len(row) else None for row in source.rows]
        cells = _fold_all(raw)
        present = set(cells)
        missing = [v for v in condition.values if _fold(v) not in present]
        if missing:
            notes.append(f"{source.path.name}: --where {condition}: no row has "
                         f"{' or '.join(repr(v) for v in missing)} in {condition.header!r}; its values are "
                         + _counts(cells, raw))
        keep = [k and condition.holds(c) for k, c in zip(keep, cells)]
    kept = [i for i, k in enumerate(keep) if k]
    return source.subset(kept), len(source.rows) - len(kept), notes


# ---------------------------------------------------------------- deals as orders
_STAGE_HEADERS = {contract.normalize_header(h) for h in (
    *contract.TABLES["pipeline"].column("stage").headers(), "Stage", "Deal Stage", "Sales Stage", "Stage Name",
    "Opportunity Stage", "销售阶段", "商机阶段")}


def stage_column(headers: list[str]) -> int | None:
    """The column of a deals export that holds each deal's stage, if there is one."""
    return next((i for i, h in enumerate(headers) if contract.normalize_header(h) in _STAGE_HEADERS), None)


def _kind(mapped: object, kinds: dict[str, str]) -> str | None:
    """won, lost or open for a mapped stage (a workbook stage name or a probability); None when unknown."""
    if isinstance(mapped, UnknownStage) or mapped is None:
        return None
    if isinstance(mapped, str) and mapped in kinds:
        return kinds[mapped]
    try:
        rate = values.parse_rate(mapped)
    except values.ParseError:
        return None
    return "won" if rate >= 1 else "lost" if rate <= 0 else "open"


def won_deals_only(source: SourceTable, stages: StageMapper) -> tuple[SourceTable, dict[str, int], dict[int, str]]:
    """The won deals of a deals export (and deals with no stage), the lost and open ones counted, and the
    rows (by new index) whose stage is unknown."""
    column = stage_column(source.headers)
    if column is None:
        return source, {}, {}
    kinds = {zh: kind for zh, _, _, kind in stages.stages}
    keep, unknown = [], {}
    left: Counter = Counter()
    known: dict = {}
    for index, row in enumerate(source.rows):
        value = row[column] if column < len(row) else None
        if (type(value), value) not in known:
            known[(type(value), value)] = "won" if values.is_blank(value) else _kind(stages.map(value), kinds)
        kind = known[(type(value), value)]
        if kind in ("lost", "open"):
            left[f"{kind} deals ({source.headers[column]} {str(value).strip()!r}), not orders"] += 1
            continue
        if kind is None:
            unknown[len(keep)] = str(value).strip()
        keep.append(index)
    return source.subset(keep), dict(left), unknown


def unknown_stages_note(found: Counter, stages: StageMapper, header: str | None = None) -> str:
    """Every unknown CRM stage with its count, and the [stages] lines that would place them; for orders (their
    stage column's ``header`` given) also the --where that takes the won deals."""
    listed = ", ".join(f"{name!r} ({n:,} row{'s' * (n != 1)})" for name, n in found.most_common())
    choices = ", ".join(f"{zh} ({kind if kind != 'open' else f'{p:.0%}'})" for zh, _, p, kind in stages.stages)
    lines = [f"unknown CRM stages: {listed}; place them in a mapping file (--map FILE.toml), each = one of the "
             f"workbook's stages: {choices}:", "  [stages]"]
    lines += [f'  "{name}" = "<workbook stage>"' for name in found]
    if header is not None:
        lines.append(f'or choose the rows to import as orders yourself: --where "{header}=<the won stage>"')
    return "\n".join(lines)
