"""``salesdeck import``: CRM exports and raw sales files into a workbook table."""

from __future__ import annotations

from collections import defaultdict

import click

from salesdeck.workbook.imports.mapping import IMPORTABLE

MAX_ROWS_PER_REASON = 5


def _pairs(items: tuple[str, ...], option: str, table: str) -> dict[str, str]:
    """FIELD=VALUE options as a dict; a malformed pair or unknown field is a usage error (exit 2)."""
    from salesdeck.workbook import contract

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(f"{item!r}: expected FIELD=VALUE", param_hint=option)
        if key not in contract.TABLES[table].keys:
            raise click.BadParameter(f"{key!r} is not a field of {table}; its fields are "
                                     + ", ".join(contract.TABLES[table].keys), param_hint=option)
        out[key] = value.strip().strip('"')
    return out


def _lookup_pairs(items: tuple[str, ...]) -> dict[str, str]:
    """--lookup-column name=HEADER pairs; anything else is a usage error (exit 2)."""
    from salesdeck.workbook.imports.values import LOOKUP_FIELDS

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in LOOKUP_FIELDS or not value.strip():
            raise click.BadParameter(f"{item!r}: expected {'|'.join(LOOKUP_FIELDS)}=HEADER, e.g. name=sales_agent",
                                     param_hint="--lookup-column")
        out[key] = value.strip().strip('"')
    return out


def _preview(rows: list[dict], table: str) -> str:
    """The first imported rows as an aligned text table (CJK characters count double)."""
    from salesdeck.workbook import contract

    if not rows:
        return ""
    keys = [k for k in rows[0] if any(r.get(k) not in (None, "") for r in rows)]
    rates = {c.key for c in contract.TABLES[table].columns if c.type in ("rate", "ratio")}

    def text(v, key: str) -> str:
        if v is None or v != v:  # None or NaN
            return ""
        if hasattr(v, "strftime"):
            return v.strftime("%Y-%m-%d")
        if key in rates and isinstance(v, (int, float)):
            return f"{v:.0%}"
        if isinstance(v, float):
            return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"
        return str(v)

    from salesdeck.texttable import text_table

    return text_table([[text(r.get(k), k) for k in keys] for r in rows], keys)


@click.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--into", "into", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The workbook to add the rows to (made by `salesdeck template`).")
@click.option("--as", "as_table", required=True, type=click.Choice(IMPORTABLE), help="Which table the rows are.")
@click.option("--map", "mapping", type=click.Path(exists=True, dir_okay=False), default=None,
              help="TOML mapping file ([columns], [values], [stages]).")
@click.option("--column", "columns", multiple=True, metavar="FIELD=HEADER",
              help="Take FIELD from the source column HEADER (repeatable).")
@click.option("--set", "fixed", multiple=True, metavar="FIELD=VALUE",
              help="Give FIELD this value on every row, for fields the source lacks (repeatable).")
@click.option("--lookup", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Users/teams export (name and region/team) to fill in each owner's region; the source then "
                   "needs no region column.")
@click.option("--lookup-column", "lookup_columns", multiple=True, metavar="name|region|login=HEADER",
              help="Which column of the --lookup file is the rep's name, the region, or the login the CRM shows "
                   "as owner (repeatable).")
@click.option("--where", "where", multiple=True, metavar="HEADER=VALUE",
              help="Import only the rows whose HEADER column holds VALUE; HEADER!=VALUE for the others, A|B for any "
                   "of several (repeatable; all must hold). Rows left out are counted, not listed.")
@click.option("--date-format", default=None, metavar="mdy|dmy|ymd|PATTERN",
              help="How the dates are written when their column cannot tell: mdy (6/8/14 = June 8), dmy "
                   "(6/8/14 = 6 August), ymd, or a pattern such as %d.%m.%Y.")
@click.option("--month", default=None, metavar="YYYY-MM",
              help="The reported month [default: the workbook's Settings month]: dates far from it are skipped; "
                   "month headers without a year ('1月', 'Jan') take its year.")
@click.option("--save-map", type=click.Path(dir_okay=False), default=None,
              help="Save the mapping used, so next month's import is one command.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Workbook to write [default: <workbook>-imported.xlsx beside it].")
@click.option("--in-place", is_flag=True,
              help="Change the --into workbook itself: atomically, under an exclusive lock, keeping its permissions.")
@click.option("--dry-run", is_flag=True, help="Report and preview only; write nothing.")
def import_(sources, into, as_table, mapping, columns, fixed, lookup, lookup_columns, where, date_format, month,
            save_map, output, in_place, dry_run) -> None:
    """Import CRM exports or sales files into one table of a workbook.

    SOURCES are CSV files in any common encoding or xlsx/xls/ods files;
    several are appended in date order.

    Columns are matched by their headers (zh/en and the export headers of
    Salesforce, HubSpot, Zoho CRM and 纷享销客); what cannot be matched stops
    the import with the exact options to add. Skipped rows are listed with
    their file row and every reason; rows already in the workbook are not
    added again. From a deals export (a stage column), orders are the won
    deals unless --where says otherwise; lost and open deals are counted. The workbook itself is not changed unless --in-place (or -o
    naming it) is given. Exit status: 0 rows imported (or nothing new),
    1 nothing importable or mapping incomplete, 2 usage errors.
    """
    from salesdeck.workbook.imports.importer import import_rows

    report = import_rows(list(sources), into, as_table, mapping=mapping,
                         columns=_pairs(columns, "--column", as_table), fixed=_pairs(fixed, "--set", as_table),
                         lookup=lookup, lookup_columns=_lookup_pairs(lookup_columns), where=list(where),
                         date_format=date_format, out=output, in_place=in_place, month=month, save_map=save_map,
                         dry_run=dry_run)
    click.echo("columns: " + ", ".join(f"{k} <- {v!r}" for k, v in report.matched.items()))
    verb = "would import" if dry_run else "imported"
    click.echo(f"{verb} {report.imported} row(s) into {as_table}; skipped {len(report.skipped)}")
    for why, count in report.left_out.items():
        click.echo(f"  left out {count:,} row(s): {why}")
    grouped: dict[str, list] = defaultdict(list)
    for skipped in report.skipped:
        grouped[" + ".join(dict.fromkeys(skipped.kinds))].append(skipped)
    for reason, items in grouped.items():
        shown = ", ".join(f"{s.file} row {s.row}" for s in items[:MAX_ROWS_PER_REASON])
        more = f" and {len(items) - MAX_ROWS_PER_REASON} more" if len(items) > MAX_ROWS_PER_REASON else ""
        details = [r.split(":", 1)[1].strip() for r in items[0].reasons if ":" in r]
        detail = "; ".join(details)
        click.echo(f"  skipped {len(items)} ({reason}{': e.g. ' + detail if detail else ''}): {shown}{more}")
    for line in report.warnings + report.notes:
        click.echo(f"  note: {line}")
    if report.preview:
        click.echo("first rows:")
        click.echo(_preview(report.preview, as_table))
    if report.output:
        click.echo(str(report.output))
    elif dry_run:
        click.echo("dry run: nothing written")


COMMANDS: list = [import_]
