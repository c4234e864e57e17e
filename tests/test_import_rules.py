"""Import without guesswork (issue 17): row filters, lookups with their own headers, dates in each column's own
format, every reason of a skipped row, hints that fit, order lines, targets at a finer grain, check's hint."""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from salesdeck.errors import SalesdeckError
from salesdeck.workbook.imports.dates import read_dates
from salesdeck.workbook.imports.importer import import_rows
from salesdeck.workbook.read.reader import read_workbook
from salesdeck.workbook.author.writer import write_workbook

DEALS = ("opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
         "A1,Ann Lee,GTX,Acme,Won,9/2/26,10/15/26,1200\n"
         "A2,Bo Chen,GTX,Bolt,Lost,9/3/26,10/16/26,0\n"
         "A3,Ann Lee,MG,Core,Engaging,9/4/26,11/20/26,800\n"
         "A4,Cy Ma,MG,Dune,Prospecting,9/5/26,12/1/26,500\n"
         "A5,Bo Chen,GTK,Echo,Won,9/6/26,10/2/26,3000\n")
TEAMS = "sales_agent,manager,regional_office\nAnn Lee,Dana,East\nBo Chen,Dana,West\n"
ORDER_FIXED = ["--set", "channel=直营", "--set", "product_line=Hardware"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def template(tmp_path):
    return write_workbook(None, tmp_path / "book.xlsx", lang="zh")


def import_text(template, source, text: str, table: str, *options):
    """Write ``text`` to ``source`` and import it as ``table`` into a copy of ``template`` (beside it as o.xlsx)."""
    source.write_text(text, encoding="utf-8")
    out = source.with_name("o.xlsx")
    return run("import", source, "--into", template, "--as", table, *options, "-o", out), out


@pytest.fixture
def deals(tmp_path):
    (tmp_path / "teams.csv").write_text(TEAMS, encoding="utf-8")
    path = tmp_path / "deals.csv"
    path.write_text(DEALS, encoding="utf-8")
    return path


# ---------------------------------------------------------------- --where
@pytest.mark.parametrize("where, ids", [
    (["deal_stage=Won"], ["A5", "A1"]),
    (["deal_stage=won"], ["A5", "A1"]),                             # case folded
    (["deal_stage!=Lost|Engaging|Prospecting"], ["A5", "A1"]),
    (["deal_stage=Won|Lost", "sales_agent!=Bo Chen"], ["A1"]),      # all conditions hold
])
def test_where_picks_the_rows_and_counts_the_rest(template, deals, tmp_path, where, ids):
    report = import_rows([deals], template, "orders", where=where, fixed={"channel": "直营", "product_line": "H",
                                                                          "region": "East"},
                         columns={"order_id": "opportunity_id"}, month="2026-10", out=tmp_path / "o.xlsx")
    assert report.imported == len(ids) and not report.skipped
    assert sum(report.left_out.values()) == 5 - len(ids)
    assert read_workbook(tmp_path / "o.xlsx", strict=False).orders["order_id"].tolist() == ids


def test_where_in_the_mapping_file_and_a_value_no_row_has(template, deals, tmp_path):
    mapping = tmp_path / "m.toml"
    mapping.write_text('[where]\ndeal_stage = ["Engaging", "Prospectng"]\n[columns]\nopportunity = "opportunity_id"\n'
                       '[values]\nregion = "East"\nstage = "已提供报价"\namount = "1"\n', encoding="utf-8")
    report = import_rows([deals], template, "pipeline", mapping=mapping, month="2026-10", out=tmp_path / "o.xlsx")
    assert report.imported == 1 and report.left_out == {"--where deal_stage=Engaging|Prospectng": 4}
    assert any("no row has 'Prospectng' in 'deal_stage'; its values are 'Won' (2), 'Lost' (1), 'Engaging' (1), "
               "'Prospecting' (1)" in note for note in report.notes)


def test_where_on_a_column_the_source_lacks_names_its_columns(template, deals):
    result = run("import", deals, "--into", template, "--as", "orders", "--where", "Stage=Won")
    assert result.exit_code == 1
    assert "Error: --where Stage=Won: deals.csv has no column 'Stage'; its columns are 'opportunity_id'" in result.stderr


def test_a_malformed_where_is_refused(template, deals):
    result = run("import", deals, "--into", template, "--as", "orders", "--where", "deal_stage")
    assert result.exit_code == 1 and "expected HEADER=VALUE, HEADER!=VALUE or HEADER=A|B" in result.stderr


def test_without_where_lost_and_open_deals_are_not_orders_and_unknown_stages_are_all_listed(template, deals):
    result = run("import", deals, "--into", template, "--as", "orders", "--month", "2026-10", "--lookup",
                 deals.with_name("teams.csv"), *ORDER_FIXED, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would import 2 row(s) into orders; skipped 2" in result.stdout
    assert "left out 1 row(s): lost deals (deal_stage 'Lost'), not orders" in result.stdout
    assert "unknown CRM stages: 'Engaging' (1 row), 'Prospecting' (1 row)" in result.stdout
    assert '  "Engaging" = "<workbook stage>"' in result.stdout and '  "Prospecting" = "<workbook stage>"' in result.stdout
    assert 'or choose the rows to import as orders yourself: --where "deal_stage=<the won stage>"' in result.stdout


def test_orders_of_amount_0_are_reported(template, deals, tmp_path):
    result = run("import", deals, "--into", template, "--as", "orders", "--month", "2026-10", "--where",
                 "deal_stage=Won|Lost", "--lookup", deals.with_name("teams.csv"), *ORDER_FIXED, "-o", tmp_path / "o.xlsx")
    assert result.exit_code == 0, result.output
    assert "note: 1 order(s) of amount 0 imported (e.g. deals.csv row 3)" in result.stdout


# ---------------------------------------------------------------- lookups
def test_a_teams_file_with_its_own_headers_fills_regions_the_source_lacks(template, deals, tmp_path):
    teams = deals.with_name("offices.csv")
    teams.write_text("agent_code,person,office_name\nAL,Ann Lee,East\nBC,Bo Chen,West\n", encoding="utf-8")
    result = run("import", deals, "--into", template, "--as", "orders", "--month", "2026-10", "--where",
                 "deal_stage=Won", "--lookup", teams, "--lookup-column", "name=person", "--lookup-column",
                 "region=office_name", *ORDER_FIXED, "-o", tmp_path / "o.xlsx")
    assert result.exit_code == 0, result.output
    orders = read_workbook(tmp_path / "o.xlsx", strict=False).orders
    assert dict(zip(orders["rep"], orders["region"])) == {"Ann Lee": "East", "Bo Chen": "West"}


def test_lookup_by_login_and_from_the_mapping_file(template, tmp_path):
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "users.csv").write_text("uid,display,unit\nalee,Ann Lee,East\n", encoding="utf-8")
    source = tmp_path / "deals.csv"
    source.write_text("Deal Name,Account Name,Owner,Stage,Amount,Close Date\nX,Acme,alee,Quote Sent,100,2026-10-09\n"
                      "Y,Bolt,zz,Quote Sent,100,2026-10-09\n", encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[lookup]\nfile = "lists/users.csv"\nname = "display"\nregion = "unit"\nlogin = "uid"\n',
                       encoding="utf-8")
    report = import_rows([source], template, "pipeline", mapping=mapping, out=tmp_path / "o.xlsx")
    assert report.imported == 2 and not report.skipped  # the pipeline's region is optional
    pipeline = read_workbook(tmp_path / "o.xlsx", strict=False).pipeline
    assert pipeline[["rep", "region"]].values.tolist() == [["Ann Lee", "East"], ["zz", None]]


@pytest.mark.parametrize("option, code, message", [
    ("manager=sales_agent", 2, "expected name|region|login=HEADER"),
    ("region=office", 1, "--lookup-column region='office' names no column; its columns are 'sales_agent', 'manager', "
                         "'regional_office'"),
])
def test_lookup_columns_that_are_wrong_say_so(template, deals, option, code, message):
    result = run("import", deals, "--into", template, "--as", "orders", "--lookup", deals.with_name("teams.csv"),
                 "--lookup-column", option)
    assert result.exit_code == code and message in result.stderr


def test_an_owner_missing_from_the_lookup_is_named(template, deals, tmp_path):
    report = import_rows([deals], template, "orders", where=["deal_stage=Won|Engaging|Prospecting"],
                         lookup=deals.with_name("teams.csv"), fixed={"channel": "直营", "product_line": "H"},
                         month="2026-10", date_format="mdy", out=tmp_path / "o.xlsx")
    assert [s.reasons[0] for s in report.skipped] == ["missing region: owner 'Cy Ma' is not in the lookup teams.csv"]


# ---------------------------------------------------------------- dates
def _dates(values, forced=None):
    return [v.date().isoformat() if hasattr(v, "date") else v
            for v in read_dates(values, "Close Date", "x.csv", lambda i: i + 2, forced)]


@pytest.mark.parametrize("values, expected", [
    (["6/8/14", "6/13/14"], ["2014-06-08", "2014-06-13"]),                        # a second number above 12: m/d
    (["6/8/2014", "13/8/2014"], ["2014-08-06", "2014-08-13"]),                    # a first number above 12: d/m
    (["25.10.2026", "01.11.2026"], ["2026-10-25", "2026-11-01"]),
    (["10/15/2026 14:30", "10/2/2026 9:05 AM"], ["2026-10-15", "2026-10-02"]),
    (["5 Oct 2026", "Oct 5, 2026", "05-Oct-26", "October 5 2026"], ["2026-10-05"] * 4),
    (["2026-10-05", "6/13/14"], ["2026-10-05", "2014-06-13"]),                    # ISO left to the reader
    (["1/1/2026", "2/2/2026"], ["2026-01-01", "2026-02-02"]),                     # same either way: no question
    (["2/30/2026", "6/13/14"], ["2/30/2026", "2014-06-13"]),                      # not a real date: left as typed
])
def test_each_date_column_is_read_in_its_own_format(values, expected):
    assert _dates(values) == expected


def test_an_ambiguous_date_column_asks_and_a_format_answers(template, tmp_path):
    source = tmp_path / "us.csv"
    source.write_text(HEADER_ORDERS + "6/8/26,张伟,华东,直营,远航,X3,终端,100\n7/9/26,张伟,华东,直营,远航,X3,终端,100\n",
                      encoding="utf-8")
    result = run("import", source, "--into", template, "--as", "orders", "--month", "2026-08")
    assert result.exit_code == 1
    assert ("us.csv: column '日期' has dates like '6/8/26' (row 2) that read either month first or day first, and "
            "none of its 2 such dates has a day above 12 to tell which. Which is it? Add --date-format mdy "
            "(6/8/26 = 2026-06-08) or --date-format dmy (6/8/26 = 2026-08-06)") in result.stderr
    out = tmp_path / "o.xlsx"
    assert run("import", source, "--into", template, "--as", "orders", "--month", "2026-08", "--date-format", "dmy",
               "-o", out).exit_code == 0
    assert [f"{d:%Y-%m-%d}" for d in read_workbook(out, strict=False).orders["date"]] == ["2026-08-06", "2026-09-07"]


def test_a_column_with_both_orders_stops_and_a_pattern_reads_it():
    with pytest.raises(SalesdeckError, match=r"mixes day-first dates \('25/10/2026', row 2\) and month-first dates "
                                             r"\('10/25/2026', row 3\)"):
        read_dates(["25/10/2026", "10/25/2026"], "Close Date", "x.csv", lambda i: i + 2)
    assert _dates(["25.10.2026", "x"], "%d.%m.%Y") == ["2026-10-25", "x"]


HEADER_ORDERS = "日期,销售代表,区域,渠道,客户,产品,产品线,金额\n"


def test_an_unreadable_date_shows_value_row_every_reason_and_the_accepted_formats(template, tmp_path):
    text = HEADER_ORDERS + "2026-10-05,张伟,华东,直营,远航,X3,终端,100\nTuesday,张伟,华东,直营,远航,X3,终端,lots\n"
    result, _ = import_text(template, tmp_path / "o.csv", text, "orders", "--month", "2026-10")
    assert result.exit_code == 0, result.output
    assert ("  skipped 1 (unparseable date + amount not a number: e.g. date 'Tuesday' ('Tuesday' is not a date); "
            "amount 'lots' ('lots' is not a number)): o.csv row 3") in result.stdout
    assert "note: dates accepted: 2026-10-05, 2026/10/05, 2026年10月5日, 20261005, 10/5/2026 or 5/10/2026" in result.stdout


# ---------------------------------------------------------------- hints
def test_maybe_hints_offer_only_columns_whose_values_fit(template, tmp_path):
    text = "sales_agent,account,product,close_date,engage_date,value_usd\nAnn Lee,Acme,GTX,10/15/26,9/1/26,1200\n"
    result, _ = import_text(template, tmp_path / "deals.csv", text, "orders")
    assert result.exit_code == 1
    assert "maybe: --column amount=sales_agent" not in result.stderr  # a text column is no amount
    assert "unmatched fields: region (区域 / Region), channel (渠道 / Channel), product_line (产品线 / Product line), " \
           "amount (金额 / Amount)" in result.stderr  # date <- close_date, rep <- sales_agent found on their own
    assert "or, for region, a users/teams file giving each owner's region: --lookup FILE" in result.stderr


# ---------------------------------------------------------------- order lines
ORDER_LINES = ("订单号,日期,销售代表,区域,渠道,客户,产品,产品线,数量,金额\n"
               "SO1,2026-10-03,张伟,华东,直营,远航,X3,终端,1,100\n"
               "SO1,2026-10-03,张伟,华东,直营,远航,S3,配件,2,40\n"      # a second line of SO1: imported
               "SO1,2026-10-03,张伟,华东,直营,远航,X3,终端,3,300\n"     # X3 again, another quantity: another line
               "SO1,2026-10-03,张伟,华东,直营,远航,X3,终端,1,100\n")    # the first line again: a duplicate


def test_the_lines_of_one_order_are_imported_and_check_agrees(template, tmp_path):
    result, out = import_text(template, tmp_path / "lines.csv", ORDER_LINES, "orders", "--month", "2026-10")
    assert result.exit_code == 0, result.output
    assert "imported 3 row(s) into orders; skipped 1" in result.stdout
    assert ("skipped 1 (duplicate: e.g. same order line (order id, product, quantity, amount) as row 2): "
            "lines.csv row 5") in result.stdout
    check = json.loads(run("check", out, "--json").stdout)
    assert [i for i in check["issues"] if "duplicate" in i["message"]] == []
    doubled = tmp_path / "doubled.xlsx"
    book = openpyxl.load_workbook(out)
    book["订单"].append(["SO1", "2026-10-03", "张伟", "华东", "直营", "远航", None, None, "X3", "终端", None, 1, 100])
    book.save(doubled)
    check = json.loads(run("check", doubled, "--json").stdout)
    assert [(i["where"], i["message"]) for i in check["issues"] if "duplicate" in i["message"]] == [
        ("订单!A5", "duplicate order line: 订单号 'SO1' with the same 产品 'X3', quantity, amount as row 2 "
                   "(each row is still counted)")]


def test_rows_with_their_own_row_id_are_never_duplicates_of_each_other(template, tmp_path):
    source = tmp_path / "lines.csv"
    source.write_text("Row ID," + ORDER_LINES.replace("\nSO1", "\n{}SO1").format(*[f"{i}," for i in range(1, 5)]),
                      encoding="utf-8")
    out = tmp_path / "o.xlsx"
    report = import_rows([source], template, "orders", month="2026-10", out=out)
    assert report.imported == 4 and not report.skipped
    again = import_rows([source], out, "orders", month="2026-10", in_place=True)
    assert again.imported == 0 and {s.reason for s in again.skipped} == {"duplicate: already in the workbook"}


# ---------------------------------------------------------------- targets at a finer grain
def test_city_targets_under_a_region_are_summed_to_the_region(template, tmp_path):
    text = ("省份,城市,2026-01,2026-02,2026-03\n江苏,南京,100,110,120\n江苏,苏州,200,210,220\n浙江,杭州,300,310,320\n"
            "浙江,杭州,300,310,320\n")  # the last row twice
    result, out = import_text(template, tmp_path / "targets.csv", text, "targets", "--column", "region=省份")
    assert result.exit_code == 0, result.output
    assert "imported 6 row(s) into targets; skipped 3" in result.stdout
    assert ("note: 6 target rows at a finer grain than the workbook's (month, region) were summed into 3: "
            "e.g. targets.csv rows 2, 3 -> 2026-01 江苏: 300") in result.stdout
    targets = read_workbook(out, strict=False).targets
    got = {(f"{r.month:%Y-%m}", r.region): r.target for r in targets.itertuples()}
    assert got == {("2026-01", "江苏"): 300, ("2026-02", "江苏"): 320, ("2026-03", "江苏"): 340,
                   ("2026-01", "浙江"): 300, ("2026-02", "浙江"): 310, ("2026-03", "浙江"): 320}


def test_months_without_a_year_are_named_alone(template, tmp_path):
    result, _ = import_text(template, tmp_path / "targets.csv", "区域,负责人,1月,2月,3月\n华东,张伟,100,110,120\n",
                            "targets")
    assert result.exit_code == 1
    assert "the month columns (1月, 2月, 3月) have no year" in result.stderr


# ---------------------------------------------------------------- check on an export
def test_check_on_a_deals_export_suggests_the_imports(deals):
    result = run("check", deals)
    assert result.exit_code == 2
    assert ("Hint: deals.csv is not a salesdeck workbook, but it looks like a CRM deals export (stages in "
            "'deal_stage'). Bring its won deals in as orders and its open deals as pipeline:") in result.stderr
    assert f"salesdeck import {deals} --into workbook.xlsx --in-place --as orders --where deal_stage=Won" in result.stderr
    assert (f"salesdeck import {deals} --into workbook.xlsx --in-place --as pipeline --where 'deal_stage!=Won|Lost'"
            in result.stderr)
    data = json.loads(run("check", deals, "--json").stdout)
    assert data["ok"] is False and "salesdeck template -o workbook.xlsx" in data["hint"]


def test_check_on_an_orders_workbook_that_is_not_ours_suggests_the_import(tmp_path):
    path = tmp_path / "export.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Order ID", "Order Date", "Customer Name", "Sales", "Quantity"])
    book.active.append(["SO1", "2026-10-03", "Acme", 100, 1])
    book.save(path)
    result = run("check", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-4:-1] == [
        "Hint: export.xlsx is not a salesdeck workbook, but it looks like an export of orders (columns for order_id, "
        "date, customer, quantity, amount). Bring it into a workbook:",
        "  salesdeck template -o workbook.xlsx",
        f"  salesdeck import {path} --into workbook.xlsx --in-place --as orders"]


def test_a_saved_mapping_carries_where_lookup_and_date_format(template, deals, tmp_path):
    out, saved = tmp_path / "o.xlsx", tmp_path / "saved.toml"
    first = run("import", deals, "--into", template, "--as", "orders", "--month", "2026-10", "--where",
                "deal_stage=Won", "--lookup", deals.with_name("teams.csv"), "--lookup-column", "name=sales_agent",
                "--date-format", "mdy", *ORDER_FIXED, "--save-map", saved, "-o", out)
    assert first.exit_code == 0, first.output
    text = saved.read_text(encoding="utf-8")
    assert '[where]\n"deal_stage" = "Won"' in text and 'file = "teams.csv"' in text and '[dates]\nformat = "mdy"' in text
    again = run("import", deals, "--into", out, "--as", "orders", "--map", saved, "--in-place")
    assert again.exit_code == 0, again.output
    assert "nothing new: all 2 row(s) are already in o.xlsx" in again.stdout
    assert "left out 3 row(s): --where deal_stage=Won" in again.stdout
