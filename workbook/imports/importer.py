"""Import exported rows into a workbook table: map, parse, skip with reasons, append without duplicates.

Python API for scheduled jobs; ``salesdeck import`` is a thin layer over
:func:`import_rows`. The target workbook is never modified unless the output
is that file (``in_place``, or ``out`` naming it); by default the result goes to
``<stem>-imported<suffix>`` beside it. Every write is atomic; a change in
place is locked against other runs, keeps the file's permissions and is
refused for a read-only file; no output may be one of the inputs.

Rows are skipped, with their source file and row number, when they are
blank, duplicates (by id where the table has one, else the whole row; rows
already in the workbook count, so a re-import adds nothing), have a date or
amount that does not parse, or a date far outside the reported month: more
than 24 months before it, or after the month that follows it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from salesdeck.errors import SalesdeckError
from salesdeck.filesafety import check_outputs, locked_update, same_file
from salesdeck.gc_tuning import fewer_passes
from salesdeck.workbook import contract
from salesdeck.workbook.read import columns, values
from salesdeck.workbook.imports.mapping import (IMPORTABLE, Mapping, check_fields, known_header, load_mapping,
                                               match_columns, save_mapping)
from salesdeck.workbook.imports.sources import SourceTable, read_source
from salesdeck.workbook.imports.package import open_target
from salesdeck.workbook.imports.target import Target
from salesdeck.workbook.imports.values import (OwnerLookup, StageMapper, UnknownStage, load_lookup, month_columns,
                                              needs_year, widen_to_long)

__all__ = ["ImportReport", "Skipped", "import_rows", "default_output"]

#: Fields that identify a row; a re-import skips rows whose key is already there.
KEYS = {
    "orders": None,  # line items share an order id: the whole row is the key
    "pipeline": ("opportunity_id",),
    "receivables": ("invoice",),
    "targets": ("month", "region", "rep", "product_line", "customer_type"),
    "activities": ("rep", "month"),
}
DATE_FIELDS = {"orders": "date", "pipeline": "expected_close", "receivables": "due_date", "targets": "month",
               "activities": "month"}
MONTHS_BACK = 24
PREVIEW_ROWS = 5
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


@dataclass
class Skipped:
    """A source row left out, where it is and why."""

    file: str
    row: int
    reason: str


@dataclass
class ImportReport:
    """What an import did."""

    table: str
    output: Path | None
    imported: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    matched: dict[str, str] = field(default_factory=dict)  # field -> source header (first source)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def reasons(self) -> Counter:
        """Skipped rows per reason (the text before the first colon)."""
        return Counter(s.reason.split(":", 1)[0] for s in self.skipped)


def default_output(into: Path) -> Path:
    """Where an import writes when neither ``out`` nor ``in_place`` is given."""
    return into.with_name(f"{into.stem}-imported{into.suffix}")


@fewer_passes
def import_rows(sources: list[str | Path], into: str | Path, as_table: str, *, mapping: str | Path | Mapping | None = None,
                columns: dict[str, str] | None = None, fixed: dict[str, str] | None = None,
                lookup: str | Path | None = None, out: str | Path | None = None, in_place: bool = False,
                month: str | dt.date | None = None, save_map: str | Path | None = None,
                dry_run: bool = False) -> ImportReport:
    """Append the rows of ``sources`` to table ``as_table`` of workbook ``into``.

    ``columns`` (field -> source header) and ``fixed`` (field -> value) add to
    or override the mapping file. ``lookup`` is a users/teams export giving
    each owner's rep name and region. ``month`` is the reported month
    ("2026-10"); it defaults to the workbook's Settings month and sets the
    window of plausible dates and the year of month headers like "1月".
    Output: ``out``, or ``into`` itself with ``in_place``, else
    :func:`default_output`. ``save_map`` writes the mapping used as TOML.
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
    plan = _plan(mapping, columns, fixed, as_table)
    # in place: locked from the read to the replace, which happens only if no one else changed the file
    with locked_update(into) if in_place and not dry_run else contextlib.nullcontext(), \
            open_target(into, as_table) as target:
        reported = _reported_month(month, target)
        owners = load_lookup(lookup) if lookup else OwnerLookup()
        stages = StageMapper(target.stage_table(), plan.stages) if as_table == "pipeline" else None
        report = ImportReport(table=as_table, output=None)
        frames = []
        for source_path in sorted((Path(s) for s in sources), key=lambda p: p.name):
            source = _read(source_path, as_table, reported)
            matched = match_columns(as_table, source.headers, plan)
            if not report.matched:
                report.matched = {key: source.headers[i] for key, i in matched.items()}
                if save_map:
                    save_mapping(plan, source.headers, matched, save_map)
                    report.notes.append(f"mapping saved to {save_map}: next time add --map {save_map}")
            frames.append(_parse(source, matched, plan, as_table, stages, owners, reported, report))
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        frame = _drop_duplicates(frame, as_table, target.existing_rows(), report)
        if not len(frame):
            if report.skipped and all(s.reason.endswith("already in the workbook") for s in report.skipped):
                report.notes.append(f"nothing new: all {len(report.skipped)} row(s) are already in {into.name}; "
                                    "nothing written")
                return report
            raise SalesdeckError("nothing to import: every row was skipped ("
                                 + ", ".join(f"{n} {r}" for r, n in report.reasons().most_common()) + ")"
                                 if report.skipped else "nothing to import: the sources have no data rows")
        date_key = DATE_FIELDS[as_table]
        frame = frame.sort_values([date_key, "__file", "__row"] if date_key in frame else ["__file", "__row"],
                                  kind="stable").reset_index(drop=True)
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
        report.output = target.append(frame.drop(columns=["__file", "__row"]), output)
        return report


def _plan(mapping, columns, fixed, table: str) -> Mapping:
    """The mapping file plus --column and --set, with field names checked."""
    if isinstance(mapping, Mapping):
        plan = Mapping(dict(mapping.columns), dict(mapping.values), dict(mapping.stages))
    else:
        plan = load_mapping(mapping, table) if mapping else Mapping()
    check_fields(table, columns or {}, "--column")
    check_fields(table, fixed or {}, "--set")
    plan.columns.update(columns or {})
    plan.values.update(fixed or {})
    for key in fixed or {}:
        plan.columns.pop(key, None)
    return plan


def _reported_month(month, target: Target) -> pd.Timestamp | None:
    if month is None or values.is_blank(month):
        return target.month
    try:
        return values.parse_month(month)
    except values.ParseError as exc:
        raise SalesdeckError(f"month {month!r}: {exc.message}; expected a month like 2026-10") from None


def _read(path: Path, table: str, month: pd.Timestamp | None) -> SourceTable:
    """One source, its header row found; a targets sheet with months across turned into rows."""
    source = read_source(path, known=known_header(table))
    if table == "targets":
        year = month.year if month is not None else None
        if year is None and needs_year(source.headers):
            raise SalesdeckError(f"{path.name}: the month columns ({', '.join(h for h in source.headers if h)}) "
                                 "have no year; give the reported month with --month YYYY-MM "
                                 "or fill 报告月份 on the Settings sheet")
        if month_columns(source.headers, year):
            source = widen_to_long(source, year)
    return source


# ---------------------------------------------------------------- parsing rows
def _parse(source: SourceTable, matched: dict[str, int], plan: Mapping, table: str, stages: StageMapper | None,
           owners: OwnerLookup, month: pd.Timestamp | None, report: ImportReport) -> pd.DataFrame:
    spec = contract.TABLES[table]
    n = len(source.rows)
    bad: dict[int, str] = {}
    raw = {key: [row[i] if i < len(row) else None for row in source.rows] for key, i in matched.items()}
    for index in range(n):
        if all(values.is_blank(raw[k][index]) for k in raw):
            bad[index] = "blank row"
    for key, text in plan.values.items():
        if key in spec.keys:
            raw[key] = [text] * n
    for key, index in matched.items():  # "Probability (%)": 80 means 80%
        if spec.column(key).type == "rate" and "%" in source.headers[index]:
            raw[key] = [f"{v}%" if isinstance(v, (int, float)) or (isinstance(v, str) and _NUMBER.fullmatch(v.strip()))
                        else v for v in raw[key]]
    if stages is not None and "stage" in raw:
        raw["stage"] = _map_stages(raw["stage"], raw.get("probability"), stages, bad, source, report)
    if owners and "rep" in raw:
        _apply_owners(raw, owners, n)
    parsed = {}
    for column in spec.columns:
        if column.key not in raw:
            continue
        result = columns.parse_column(raw[column.key], column)
        if column.required:
            for problem in result.problems:
                bad.setdefault(problem.pos, f"{_reason(column)}: {column.key} {problem.value!r} ({problem.message})")
            for index in range(n):
                if result.blank[index]:
                    bad.setdefault(index, f"missing {column.key}")
        elif result.problems:  # an optional field that does not parse is left blank, not a lost row
            first = result.problems[0]
            report.warnings.append(f"{source.path.name}: {column.key} left blank in {len(result.problems)} row(s), "
                                   f"e.g. row {source.row_number(first.pos)}: {first.message}")
        parsed[column.key] = result.values
    frame = pd.DataFrame(parsed)
    date_key = DATE_FIELDS[table]
    if date_key in frame:
        low, high = _window(month)
        dates = pd.to_datetime(frame[date_key])
        for index in frame.index[(dates < low) | (dates > high)]:
            bad.setdefault(int(index), f"date far outside the reported month: {dates[index]:%Y-%m-%d}")
    for index, reason in sorted(bad.items()):
        report.skipped.append(Skipped(source.path.name, source.row_number(index), reason))
    frame["__file"] = source.path.name
    frame["__row"] = [source.row_number(i) for i in range(n)]
    return frame.drop(index=list(bad)).reset_index(drop=True)


def _map_stages(stage_values: list, probabilities: list | None, stages: StageMapper, bad: dict[int, str],
                source: SourceTable, report: ImportReport) -> list:
    """CRM stage names -> workbook stages; an unknown open stage falls back on its probability."""
    mapped = [stages.map(v) for v in stage_values]
    fallback: dict[str, str] = {}
    for index, value in enumerate(mapped):
        if not isinstance(value, UnknownStage):
            continue
        given = probabilities[index] if probabilities is not None else None
        try:
            rate = values.parse_rate(given) if not values.is_blank(given) else None
        except values.ParseError:
            rate = None
        if rate is None:
            bad.setdefault(index, f"unknown stage: {value!r} is not in the stage table; map it under "
                                  f'[stages] in the mapping file, e.g. "{value}" = "{stages.first_open}"')
            continue
        mapped[index] = stages.by_probability(rate)
        fallback.setdefault(str(value), f"stage {mapped[index]} (same probability)" if mapped[index]
                            else "no stage, its probability kept")
    for name, what in fallback.items():
        report.notes.append(f"{source.path.name}: CRM stage {name!r} is not in the stage table: {what}; "
                            f'to choose, add under [stages] in the mapping file: "{name}" = "<workbook stage>"')
    return mapped


def _apply_owners(raw: dict[str, list], owners: OwnerLookup, n: int) -> None:
    """Owner logins to rep names; regions filled from the lookup where the source has none."""
    reps = raw["rep"]
    regions = raw.get("region", [None] * n)
    raw["region"] = [region if not values.is_blank(region) else owners.region(rep)
                     for rep, region in zip(reps, regions)]
    raw["rep"] = [owners.rep(rep) if not values.is_blank(rep) else rep for rep in reps]


def _reason(column: contract.Column) -> str:
    if column.type in ("date", "month"):
        return "unparseable date"
    if column.type in ("money", "number", "int"):
        return "amount not a number" if column.type == "money" else "not a number"
    return f"bad {column.key}"


def _window(month: pd.Timestamp | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Dates accepted: 24 months before the reported month to the end of the month after it.

    Without a reported month: from 1990 to a year from today.
    """
    if month is None:
        return pd.Timestamp(1990, 1, 1), pd.Timestamp(dt.date.today()) + pd.DateOffset(years=1)
    return month - pd.DateOffset(months=MONTHS_BACK), month + pd.DateOffset(months=2) - pd.Timedelta(days=1)


# ---------------------------------------------------------------- duplicates
def _key_columns(table: str, frame: pd.DataFrame) -> list[str]:
    fields = KEYS[table]
    if fields is None or fields[0] not in frame:
        return [c for c in frame.columns if not c.startswith("__")]
    return [f for f in fields if f in frame]


def _row_keys(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Each row's key: :func:`_canonical` of its cells in ``columns``."""
    return list(zip(*(_column_keys(frame[c]) for c in columns))) if len(frame) else []


def _column_keys(values: pd.Series) -> list:
    """:func:`_canonical` of every cell of a column, computed once per distinct value (and type)."""
    if values.dtype.kind == "M":
        return values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna(), None).tolist()
    if values.dtype.kind == "f":
        return [None if x != x else round(x, 6) for x in values.tolist()]
    if values.dtype == object and len(values):
        codes, uniques = pd.factorize(values.to_numpy(), use_na_sentinel=True)
        if all(type(u) is str for u in uniques):  # text only: no 1 == 1.0 == True merging in the factorising
            table = [u.strip() for u in uniques] + [None]
            return [table[c] for c in codes.tolist()]
    known: dict[tuple[type, object], object] = {}
    out = []
    append = out.append
    for value in values.tolist():
        key = (type(value), value)
        try:
            found = known[key]
        except KeyError:
            found = known[key] = _canonical(value)
        except TypeError:  # unhashable
            found = _canonical(value)
        append(found)
    return out


def _canonical(value) -> object:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, float):
        return round(value, 6)
    return str(value).strip()


def _drop_duplicates(frame: pd.DataFrame, table: str, existing: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    if not len(frame):
        return frame
    columns = _key_columns(table, frame)
    keys = _row_keys(frame, columns)
    present = set()
    if len(existing):
        existing = existing.copy()
        for column in columns:
            if column not in existing:
                existing[column] = None
        present = set(_row_keys(existing, columns))
    what = ", ".join(columns) if KEYS[table] and KEYS[table][0] in frame else "row"
    seen: set[tuple] = set()
    keep = []
    for index, (key, file, row) in enumerate(zip(keys, frame["__file"].tolist(), frame["__row"].tolist())):
        if key in present:
            report.skipped.append(Skipped(file, int(row), "duplicate: already in the workbook"))
        elif key in seen:
            report.skipped.append(Skipped(file, int(row), f"duplicate: same {what} as an earlier row"))
        else:
            seen.add(key)
            keep.append(index)
    return frame.loc[keep].reset_index(drop=True)
