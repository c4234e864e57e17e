"""`salesdeck import`: real exports into a fresh template, encodings, CRM stages, duplicates, unmatched columns."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdeck.cli import cli
from salesdeck.workbook.imports.importer import import_rows
from salesdeck.workbook.read.reader import read_workbook
from salesdeck.workbook.author.writer import write_workbook

SUPERSTORE = "tableau-superstore/Superstore Sales Orders - US.xlsx"
TARGETS = "tableau-superstore/Sales Targets.xlsx"
MONTHS = [f"python-for-excel/{m}.xlsx" for m in ("March", "January", "February")]
SUPERSTORE_OPTIONS = ["--column", "product=Product ID", "--set", "rep=Online", "--set", "channel=电商",
                      "--set", "product_line=Office"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def template(tmp_path):
    return write_workbook(None, tmp_path / "blank.xlsx", lang="zh")


# ---------------------------------------------------------------- real files
def test_superstore_unmatched_columns_say_exactly_what_to_add(realdata, template):
    result = run("import", realdata / SUPERSTORE, "--into", template, "--as", "orders")
    assert result.exit_code == 1
    message = result.stderr
    assert "unmatched fields: rep (销售代表 / Rep), channel (渠道 / Channel), product (产品 / Product), " \
           "product_line (产品线 / Product line)" in message
    assert "'Order ID', 'Order Date'" in message
    for field in ("rep", "channel", "product", "product_line"):
        assert f'--column {field}="<source header>"' in message
        assert f'  {field} = "<source header>"' in message
    assert not (template.parent / "blank-imported.xlsx").exists()


def test_superstore_import_skips_junk_then_check_and_build_pass(realdata, template, tmp_path):
    before = template.read_bytes()
    result = run("import", realdata / SUPERSTORE, "--into", template, "--as", "orders", *SUPERSTORE_OPTIONS)
    assert result.exit_code == 0, result.output
    out = template.parent / "blank-imported.xlsx"
    assert result.stdout.strip().splitlines()[-1] == str(out)
    assert template.read_bytes() == before  # the input workbook is never changed
    assert "imported 9993 row(s) into orders; skipped 4" in result.stdout
    assert re.search(r"skipped 3 \(date far outside the reported month: e\.g\. 2099-12-31\): "
                     r"Superstore Sales Orders - US\.xlsx row 2, .* row 3, .* row 4", result.stdout)
    assert "skipped 1 (duplicate" in result.stdout
    model = read_workbook(out)
    assert len(model.orders) == 9993
    assert model.orders["date"].max().year == 2014
    # independently: every 2011-2014 line once per (order, product, customer, quantity, sales)
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(realdata / SUPERSTORE))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()[1:]
    lines = {(r[0], r[13], r[5], r[15], r[14]) for r in rows if r[1].year < 2099}
    assert len(lines) == 9993
    assert model.orders["amount"].sum() == pytest.approx(sum(line[4] for line in lines), rel=1e-9)
    assert run("check", out).exit_code == 0
    deck = tmp_path / "superstore.pptx"
    built = run("build", out, "-o", deck, "--lang", "en")
    assert built.exit_code == 0, built.output
    assert deck.stat().st_size > 10_000


def test_monthly_transaction_files_append_in_date_order_and_reimport_adds_nothing(realdata, template, tmp_path):
    options = ["--set", "rep=Online", "--set", "channel=直营", "--set", "product_line=Subscription",
               "--column", "customer=transaction_id"]
    out = tmp_path / "months.xlsx"
    result = run("import", *[realdata / m for m in MONTHS], "--into", template, "--as", "orders", "-o", out, *options)
    assert result.exit_code == 0, result.output
    model = read_workbook(out)
    assert len(model.orders) == 9494 - 1 + 8495 - 1 + 7565 - 1
    dates = model.orders["date"]
    assert dates.is_monotonic_increasing and dates.iloc[0].month == 1 and dates.iloc[-1].month == 3
    again = run("import", realdata / MONTHS[1], "--into", out, "--as", "orders", "--in-place", *options)
    assert again.exit_code == 0, again.output
    assert "imported 0 row(s)" in again.stdout and "already in the workbook" in again.stdout
    assert len(read_workbook(out).orders) == len(model.orders)


def test_wide_monthly_targets_become_one_row_per_month(realdata, template, tmp_path):
    out = tmp_path / "targets.xlsx"
    result = run("import", realdata / TARGETS, "--into", template, "--as", "targets", "-o", out)
    assert result.exit_code == 0, result.output
    targets = read_workbook(out, strict=False).targets
    assert len(targets) == 60
    us = targets[targets["region"] == "United States"].sort_values("month")
    assert us["target"].iloc[0] == 50000 and us["target"].iloc[1] == 52500
    assert us["month"].iloc[11].month == 12


# ---------------------------------------------------------------- encodings and CRM exports
ORDERS_CSV = ("日期,销售代表,区域,渠道,客户,产品,产品线,金额\n"
              "2026-10-03,张伟,华东,直营,上海远航科技,智能终端X3,智能终端,\"12,000元\"\n"
              "2026-10-05,李娜,华南,电商,广州金桥贸易,扫码枪S3,配件,8800\n")


@pytest.mark.parametrize("encoding, newline", [("gbk", "\n"), ("utf-8-sig", "\n"), ("utf-16", "\r\n"), ("utf-8", "\r")])
def test_csv_in_the_encodings_people_use(template, tmp_path, encoding, newline):
    source = tmp_path / "orders.csv"
    source.write_bytes(ORDERS_CSV.replace("\n", newline).encode(encoding))
    report = import_rows([source], template, "orders", out=tmp_path / "out.xlsx")
    assert report.imported == 2 and not report.skipped
    orders = read_workbook(tmp_path / "out.xlsx", strict=False).orders
    assert list(orders["customer"]) == ["上海远航科技", "广州金桥贸易"]
    assert list(orders["amount"]) == [12000.0, 8800.0]


PIPELINE_CSV = """Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Stage,Probability (%),Amount,Close Date
006A1,Fleet renewal,Kunming Antai,Ting Wu,Closed Won,100,"120,000",2026-10-20
006A2,Pilot,Beijing Xinrui,Jie Zhou,Closed Lost,0,50000,2026-10-12
006A3,Expansion,Chengdu Jinjiao,Ting Wu,Negotiation/Review,80,90000,2026-11-15
006A4,New line,Harbin Polar,Ming Xu,Perception Analysis,,30000,2026-11-30
006A3,Expansion,Chengdu Jinjiao,Ting Wu,Negotiation/Review,80,90000,2026-11-15
,,,,,,,
"""


def test_crm_pipeline_export_maps_won_lost_open_and_reports_the_rest(template, tmp_path):
    source = tmp_path / "salesforce.csv"
    source.write_text(PIPELINE_CSV, encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = run("import", source, "--into", template, "--as", "pipeline", "-o", out, "--save-map", tmp_path / "m.toml")
    assert result.exit_code == 0, result.output
    assert "imported 3 row(s) into pipeline; skipped 3" in result.stdout
    assert "salesforce.csv row 5" in result.stdout and "unknown stage" in result.stdout  # no probability to fall back on
    assert re.search(r"skipped 1 \(duplicate.*row 6", result.stdout)
    assert re.search(r"skipped 1 \(blank row.*row 7", result.stdout)
    pipeline = read_workbook(out, strict=False).pipeline.set_index("opportunity_id")
    assert pipeline.loc["006A1", "stage"] == "赢单" and pipeline.loc["006A2", "stage"] == "输单"
    assert pipeline.loc["006A3", "probability"] == pytest.approx(0.8)
    assert pipeline.loc["006A1", "amount"] == 120000
    saved = (tmp_path / "m.toml").read_text(encoding="utf-8")
    assert 'rep = "Opportunity Owner"' in saved and 'expected_close = "Close Date"' in saved
    # next month: map the unknown stage in the saved file and re-run: only the new row comes in
    (tmp_path / "m.toml").write_text(saved + '\n[stages]\n"Perception Analysis" = "已提供报价"\n', encoding="utf-8")
    again = run("import", source, "--into", out, "--as", "pipeline", "--map", tmp_path / "m.toml", "--in-place")
    assert again.exit_code == 0, again.output
    assert "imported 1 row(s)" in again.stdout
    assert read_workbook(out, strict=False).pipeline.set_index("opportunity_id").loc["006A4", "stage"] == "已提供报价"


def test_owner_lookup_fills_regions(template, tmp_path):
    source = tmp_path / "deals.csv"
    source.write_text("Deal Name,Associated Company,Deal owner,Deal Stage,Amount,Close Date\n"
                      "Renewal,Acme,Ting Wu,closedwon,1000,2026-10-01\n", encoding="utf-8")
    users = tmp_path / "users.csv"
    users.write_text("Name,Team\nTing Wu,西南\n", encoding="utf-8")
    report = import_rows([source], template, "pipeline", lookup=users, out=tmp_path / "o.xlsx")
    assert report.imported == 1
    assert read_workbook(tmp_path / "o.xlsx", strict=False).pipeline["region"].tolist() == ["西南"]


@pytest.mark.office
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_legacy_and_open_document_sources(realdata, template, tmp_path, office, fmt):
    source = office.convert(realdata / "python-for-excel/January.xlsx", tmp_path / fmt, fmt=fmt)
    report = import_rows([source], template, "orders", columns={"customer": "transaction_id"},
                         fixed={"rep": "Online", "channel": "直营", "product_line": "Subscription"},
                         out=tmp_path / "out.xlsx")
    assert report.imported == 9494 - 1
    orders = read_workbook(tmp_path / "out.xlsx").orders
    assert orders["amount"].sum() == pytest.approx(_january_total(realdata))


def _january_total(realdata) -> float:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(realdata / "python-for-excel/January.xlsx"))
    return sum(row[6] for row in book.get_sheet_by_name(book.sheet_names[0]).to_python()[1:])


_CELLS = st.one_of(
    st.none(), st.just(float("nan")), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, width=32),
    st.sampled_from(["华东", " 华东 ", "1", "True", "", "  ", "SO-001"]), st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_CELLS, max_size=30))
def test_duplicate_keys_of_a_column_are_each_cells_canonical_value(cells):
    """Keys are computed a column at a time; they must equal the cell-by-cell canonical form, whatever the mix."""
    from salesdeck.workbook.imports.duplicates import _canonical, _column_keys

    expected = [_canonical(v) for v in cells]
    assert _column_keys(pd.Series(cells, dtype=object)) == expected
    floats = [v for v in cells if isinstance(v, float)]
    assert _column_keys(pd.Series(floats, dtype="float64")) == [_canonical(v) for v in floats]
    texts = [v for v in cells if isinstance(v, str) or v is None]
    assert _column_keys(pd.Series(texts, dtype=object)) == [_canonical(v) for v in texts]
