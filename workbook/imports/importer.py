"""Import exported rows into a workbook table: pick rows, map, parse, skip with reasons, append without duplicates.

Python API for scheduled jobs; ``salesdeck import`` is a thin layer over
:func:`import_rows`. The target workbook is never modified unless the output
is that file (``in_place``, or ``out`` naming it); by default the result goes to
``<stem>-imported<suffix>`` beside it. Every write is atomic; a change in
place is locked against other runs, keeps the file's permissions and is
refused for a read-only file; no output may be one of the inputs.

Rows are first picked (:mod:`.filters`: ``where`` conditions, and for orders
from a deals export the won deals only); rows left out so are counted. The
others are skipped, with their source file, row number and every reason,
when they are blank, duplicates (:mod:`.duplicates`), have a date or amount
that does not parse (dates in each column's own format, :mod:`.dates`), a
control character, or a date far outside the reported month: more than 24
months before it, or after the month that follows it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from salesdeck.errors import SalesdeckError
from salesdeck.filesafety import check_outputs, locked_update, same_file
from salesdeck.gc_tuning import fewer_passes
from salesdeck.workbook import contract
from salesdeck.workbook.imports import duplicates
from salesdeck.workbook.imports.dates import ACCEPTED, check_format
from salesdeck.workbook.imports.filters import (apply_where, parse_condition, stage_column, unknown_stages_note,
                                               won_deals_only)
from salesdeck.workbook.imports.mapping import (IMPORTABLE, Mapping, check_fields, known_header, load_mapping,
                                               match_columns, save_mapping)
from salesdeck.workbook.imports.package import open_target
from salesdeck.workbook.imports.rows import DATE_FIELDS, parse_rows
from salesdeck.workbook.imports.sources import SourceTable, read_source
from salesdeck.workbook.imports.target import Target
from salesdeck.workbook.imports.values import (OwnerLookup, StageMapper, load_lookup, month_columns, month_of,
                                              needs_year, widen_to_long)
from salesdeck.workbook.read import values

__all__ = ["ImportReport", "Skipped", "import_rows", "default_output"]

PREVIEW_ROWS = 5
#: How many skipped rows a "nothing to import" error shows.
SHOWN_SKIPPED = 5


@dataclass
class Skipped:
    """A source row left out, where it is and every reason why."""

    file: str
    row: int
    reasons: list[str]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    @property
    def kinds(self) -> list[str]:
        """Each reason's kind (the text before its first colon)."""
        return [r.split(":", 1)[0] for r in self.reasons]


@dataclass
class ImportReport:
    """What an import did."""

    table: str
    output: Path | None
    imported: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)  # why -> rows the filters left out (not skipped)
    preview: list[dict] = field(default_factory=list)
    matched: dict[str, str] = field(default_factory=dict)  # field -> source header (first source)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def reasons(self) -> Counter:
        """Skipped rows per kind of reason (a row with several counts once for each)."""
        return Counter(kind for s in self.skipped for kind in dict.fromkeys(s.kinds))


def default_output(into: Path) -> Path:
    """Where an import writes when neither ``out`` nor ``in_place`` is given."""
    return into.with_name(f"{into.stem}-imported{into.suffix}")


@fewer_passes
def import_rows(sources: list[str | Path], into: str | Path, as_table: str, *, mapping: str | Path | Mapping | None = None,
                columns: dict[str, str] | None = None, fixed: dict[str, str] | None = None,
                lookup: str | Path | None = None, lookup_columns: dict[str, str] | None = None,
                where: list[str] | None = None, date_format: str | None = None, out: str | Path | None = None,
                in_place: bool = False, month: str | dt.date | None = None, save_map: str | Path | None = None,
                dry_run: bool = False) -> ImportReport:
    """Append the rows of ``sources`` to table ``as_table`` of workbook ``into``.

    ``columns`` (field -> source header) and ``fixed`` (field -> value) add to
    or override the mapping file. ``lookup`` is a users/teams export giving
    each owner's rep name and region; ``lookup_columns`` (name/region/login ->
    its header) says which column is which. ``where`` are conditions
    ("HEADER=VALUE", "HEADER!=A|B") every imported row meets. ``date_format``
    forces the dates' order (mdy, dmy, ymd or a strptime pattern). ``month``
    is the reported month ("2026-10"); it defaults to the workbook's Settings
    month and sets the window of plausible dates and the year of month
    headers like "1月". Output: ``out``, or ``into`` itself with ``in_place``,
    else :func:`default_output`. ``save_map`` writes the mapping used as TOML.
    """
    if as_table not in IMPORTABLE:
        raise SalesdeckError(f"cannot import as {as_table!r}: expected one of {', '.join(IMPORTABLE)}")
    into = Path(into)
    if not into.is_file():
        raise SalesdeckError(f"workbook {into} does not exist (make one with `salesdeck template`)")
    output = into if in_place else Path(out) if out else default_output(into)
    if not sources:
        raise SalesdeckError("no source files given")
    in_place = same_file(output, into)  # -o naming the workbook, however spelled, changes it in place too
    inputs = {"a source": [Path(s) for s in sources], "--lookup": lookup}
    if not in_place:
        inputs["the workbook"] = into
    label = "the workbook changed in place" if in_place else "-o/--output"
    check_outputs({label: output, "--save-map": save_map}, inputs)
    if isinstance(mapping, (str, Path)):  # --save-map may name --map: it saves an update of that mapping
        check_outputs({label: output}, {"--map": mapping})
    plan = _plan(mapping, columns, fixed, as_table, lookup, lookup_columns, where, date_format)
    # in place: locked from the read to the replace, which happens only if no one else changed the file
    with locked_update(into) if in_place and not dry_run else contextlib.nullcontext(), \
            open_target(into, as_table) as target:
        target.check_header()
        reported = _reported_month(month, target)
        owners = _owners(plan)
        filled = {"region"} if owners.regions and "region" in contract.TABLES[as_table].keys else set()
        stages = StageMapper(target.stage_table(), plan.stages) if as_table in ("pipeline", "orders") else None
        report = ImportReport(table=as_table, output=None)
        frames = []
        unknown: Counter = Counter()
        stage_header = None
        for source_path in sorted((Path(s) for s in sources), key=lambda p: p.name):
            source, unknown_rows = _select(source_path, as_table, plan, stages, reported, report)
            if unknown_rows:
                stage_header = source.headers[stage_column(source.headers)]
            matched = match_columns(as_table, source.headers, plan, filled=filled, rows=source.rows)
            if not report.matched:
                report.matched = {key: source.headers[i] for key, i in matched.items()}
                if filled and "region" not in matched:
                    report.matched["region"] = f"{owners.source} (the lookup)"
                if save_map:
                    save_mapping(plan, source.headers, matched, save_map)
                    report.notes.append(f"mapping saved to {save_map}: next time add --map {save_map}")
            parsed = parse_rows(source, matched, plan, as_table, stages, owners, reported, unknown_rows)
            report.warnings += parsed.warnings
            report.notes += parsed.notes
            unknown.update(parsed.unknown_stages)
            report.skipped += [Skipped(source.path.name, source.row_number(i), reasons)
                               for i, reasons in sorted(parsed.bad.items())]
            frames.append(parsed.frame)
        if unknown and stages is not None:
            report.notes.append(unknown_stages_note(unknown, stages, stage_header))
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        frame = _without_duplicates(frame, as_table, target, report)
        if any("unparseable date" in s.kinds for s in report.skipped):
            report.notes.append(f"dates accepted: {ACCEPTED}")
        if not len(frame):
            return _nothing(report, into)
        date_key = DATE_FIELDS[as_table]
        frame = frame.sort_values([date_key, "__file", "__row"] if date_key in frame else ["__file", "__row"],
                                  kind="stable").reset_index(drop=True)
        _check_written(frame, as_table, target, report)
        report.imported = len(frame)
        report.preview = [target.display({k: v for k, v in row.items() if not k.startswith("__")})
                          for row in frame.head(PREVIEW_ROWS).to_dict("records")]
        if dry_run:
            return report
        if target.month is None:
            fill = reported if reported is not None else (
                pd.Timestamp(frame["date"].max()).to_period("M").to_timestamp() if as_table == "orders" else None)
            if fill is not None and target.set_settings_month(fill):
                why = "the month given" if reported is not None else "the latest order"
                report.notes.append(f"Settings report month was empty: set to {fill:%Y-%m}, {why}")
        report.output = target.append(frame.drop(columns=[c for c in frame.columns if c.startswith("__")]), output)
        return report


def _plan(mapping, columns, fixed, table: str, lookup, lookup_columns, where, date_format) -> Mapping:
    """The mapping file plus --column, --set, --lookup(-column), --where and --date-format, checked."""
    if isinstance(mapping, Mapping):
        plan = Mapping(dict(mapping.columns), dict(mapping.values), dict(mapping.stages), list(mapping.where),
                       dict(mapping.lookup), mapping.date_format)
    else:
        plan = load_mapping(mapping, table) if mapping else Mapping()
    check_fields(table, columns or {}, "--column")
    check_fields(table, fixed or {}, "--set")
    plan.columns.update(columns or {})
    plan.values.update(fixed or {})
    for key in fixed or {}:
        plan.columns.pop(key, None)
    plan.where += [parse_condition(text) for text in where or ()]
    if lookup:
        plan.lookup["file"] = str(lookup)
    if lookup_columns:
        if "file" not in plan.lookup:
            raise SalesdeckError("--lookup-column needs --lookup FILE (or file = ... under [lookup] in the mapping)")
        plan.lookup.update(lookup_columns)
    plan.date_format = check_format(date_format or plan.date_format)
    return plan


def _owners(plan: Mapping) -> OwnerLookup:
    if not plan.lookup:
        return OwnerLookup()
    return load_lookup(plan.lookup["file"], {k: v for k, v in plan.lookup.items() if k != "file"})


def _reported_month(month, target: Target) -> pd.Timestamp | None:
    if month is None or values.is_blank(month):
        return target.month
    try:
        return values.parse_month(month)
    except values.ParseError as exc:
        raise SalesdeckError(f"month {month!r}: {exc.message}; expected a month like 2026-10") from None


def _select(path: Path, table: str, plan: Mapping, stages: StageMapper | None, month: pd.Timestamp | None,
            report: ImportReport) -> tuple[SourceTable, dict[int, str]]:
    """One source with its header row found, only the rows the filters keep, and a targets sheet with months
    across turned into rows; and the rows (by index) of deals with an unknown stage."""
    source = read_source(path, known=known_header(table))
    source, left, notes = apply_where(source, plan.where)
    report.notes += notes
    if left:
        why = "--where " + " and ".join(str(c) for c in plan.where)
        report.left_out[why] = report.left_out.get(why, 0) + left
    unknown_rows: dict[int, str] = {}
    if table == "orders" and not plan.where and stages is not None:
        source, counts, unknown_rows = won_deals_only(source, stages)
        for why, n in counts.items():
            report.left_out[why] = report.left_out.get(why, 0) + n
    if table == "targets":
        year = month.year if month is not None else None
        if year is None and needs_year(source.headers):
            named = [h for h in source.headers if h and month_of(h, 2000)]
            raise SalesdeckError(f"{path.name}: the month columns ({', '.join(named)}) have no year; give the "
                                 "reported month with --month YYYY-MM or fill 报告月份 on the Settings sheet")
        if month_columns(source.headers, year):
            source = widen_to_long(source, year)
    return source, unknown_rows


def _without_duplicates(frame: pd.DataFrame, table: str, target: Target, report: ImportReport) -> pd.DataFrame:
    dropped = []
    if table == "targets":
        frame, dropped, note = duplicates.sum_to_grain(frame)
        if note:
            report.notes.append(note)
    frame, more = duplicates.drop_duplicates(frame, table, target.existing_rows())
    report.skipped += [Skipped(d.file, d.row, [d.reason]) for d in dropped + more]
    return frame


def _check_written(frame: pd.DataFrame, table: str, target: Target, report: ImportReport) -> None:
    """Warn about orders of 0 and about fields the table has no column for."""
    if table == "orders" and "amount" in frame:
        zero = frame.index[frame["amount"] == 0]
        if len(zero):
            first = frame.loc[zero[0]]
            report.warnings.append(f"{len(zero):,} order(s) of amount 0 imported (e.g. {first['__file']} row "
                                   f"{first['__row']}); if they are lost or cancelled deals, leave them out with "
                                   "--where")
    present = target.header_fields()
    spec = contract.TABLES[table]
    for key in [c for c in frame.columns if not c.startswith("__") and c not in present and c in spec.keys]:
        column = spec.column(key)
        report.warnings.append(f"{key} not written: the table has no {column.zh}/{column.en} column (a blank or "
                               "merged header cell)")


def _nothing(report: ImportReport, into: Path) -> ImportReport:
    """No row to add: fine when every row is already there, else an error saying why, with examples."""
    if report.skipped and all(s.reason.endswith("already in the workbook") for s in report.skipped):
        report.notes.append(f"nothing new: all {len(report.skipped)} row(s) are already in {into.name}; "
                            "nothing written")
        return report
    parts = []
    if report.skipped:
        parts.append("every row was skipped (" + ", ".join(f"{n:,} {r}" for r, n in report.reasons().most_common())
                     + ")")
    if report.left_out:
        parts.append("left out: " + ", ".join(f"{n:,} {why}" for why, n in report.left_out.items()))
    lines = ["nothing to import: " + ("; ".join(parts) if parts else "the sources have no data rows")]
    lines += [f"  {s.file} row {s.row}: {s.reason}" for s in report.skipped[:SHOWN_SKIPPED]]
    if len(report.skipped) > SHOWN_SKIPPED:
        lines.append(f"  and {len(report.skipped) - SHOWN_SKIPPED:,} more")
    lines += [f"  note: {n}" for n in report.notes]
    raise SalesdeckError("\n".join(lines))
