"""End to end on real files: orders and wide targets into one fresh template, then check and build a deck."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from pptx import Presentation
from python_calamine import CalamineWorkbook

from salesdeck.cli import cli
from salesdeck.jobs.build import build_deck
from salesdeck.workbook.read.reader import read_workbook

SUPERSTORE = "tableau-superstore/Superstore Sales Orders - US.xlsx"
TARGETS = "tableau-superstore/Sales Targets.xlsx"
MONTHS = [f"python-for-excel/{m}.xlsx" for m in ("January", "February", "March")]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _rows(path):
    book = CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(book.sheet_names[0]).to_python()


@pytest.fixture(scope="module")
def superstore_with_targets(tmp_path_factory):
    """`salesdeck template`, then the Superstore orders and the wide targets sheet imported into it."""
    from tests.conftest import REALDATA

    if not REALDATA.is_dir():
        pytest.skip(f"real-world files not found beside the project ({REALDATA})")
    folder = tmp_path_factory.mktemp("superstore")
    workbook = folder / "2014-12.xlsx"
    assert run("template", "-o", workbook).exit_code == 0
    orders = run("import", REALDATA / SUPERSTORE, "--into", workbook, "--as", "orders", "--in-place",
                 "--column", "product=Product ID", "--set", "rep=Online", "--set", "channel=电商",
                 "--set", "product_line=Office")
    assert orders.exit_code == 0, orders.output
    targets = run("import", REALDATA / TARGETS, "--into", workbook, "--as", "targets", "--in-place")
    assert targets.exit_code == 0, targets.output
    return workbook, orders.stdout, targets.stdout


def test_junk_rows_dated_2099_are_reported_with_their_rows(superstore_with_targets, realdata):
    _, orders, _ = superstore_with_targets
    junk = [i + 1 for i, row in enumerate(_rows(realdata / SUPERSTORE)) if isinstance(row[1], dt.date)
            and row[1].year == 2099]
    assert junk == [2, 3, 4]
    assert ("skipped 3 (date far outside the reported month: e.g. 2099-12-31): "
            + ", ".join(f"Superstore Sales Orders - US.xlsx row {r}" for r in junk)) in orders
    assert "Settings report month was empty: set to 2014-12, the latest order" in orders


def test_wide_targets_land_as_one_row_per_country_and_month(superstore_with_targets, realdata):
    workbook, _, targets = superstore_with_targets
    assert "imported 60 row(s) into targets; skipped 0" in targets
    sheet = _rows(realdata / TARGETS)
    model = read_workbook(workbook)
    canada = model.targets[model.targets["region"] == "Canada"].sort_values("month")
    row = next(r for r in sheet if r[0] == "Canada")
    assert canada["target"].tolist() == pytest.approx(row[1:13])
    assert [f"{m:%Y-%m}" for m in canada["month"]] == [f"2014-{m:02d}" for m in range(1, 13)]


def test_check_passes_and_the_deck_states_attainment(superstore_with_targets, realdata, tmp_path):
    workbook, _, _ = superstore_with_targets
    assert run("check", workbook).exit_code == 0
    december = sum(r[14] for r in _rows(realdata / SUPERSTORE)[1:] if r[1].year == 2014 and r[1].month == 12)
    december_line = {r[0]: r[12] for r in _rows(realdata / TARGETS)[1:]}
    attainment = december / sum(december_line.values())
    result = build_deck(workbook, tmp_path / "deck.pptx")
    titles = [s.shapes.title.text for s in Presentation(result.deck).slides if s.shapes.title is not None]
    assert titles[0] == "2014年12月销售月例会"
    assert any(f"达成{attainment:.0%}" in t for t in titles), titles[:6]


def test_monthly_transaction_workbooks_check_and_build(realdata, tmp_path):
    workbook = tmp_path / "2019-q1.xlsx"
    assert run("template", "-o", workbook, "--lang", "en").exit_code == 0
    result = run("import", *[realdata / m for m in MONTHS], "--into", workbook, "--as", "orders", "--in-place",
                 "--column", "customer=transaction_id", "--set", "rep=Online", "--set", "channel=direct",
                 "--set", "product_line=Subscription")
    assert result.exit_code == 0, result.output
    total = sum(r[6] for m in MONTHS for r in _rows(realdata / m)[1:])
    assert read_workbook(workbook).orders["amount"].sum() == pytest.approx(total)
    assert run("check", workbook).exit_code == 0
    deck = build_deck(workbook, tmp_path / "deck.pptx").deck
    titles = [s.shapes.title.text for s in Presentation(deck).slides if s.shapes.title is not None]
    assert "March 2019" in titles[0]


def test_check_on_the_raw_export_says_which_import_to_run(realdata):
    result = run("check", realdata / SUPERSTORE)
    assert result.exit_code == 1
    assert "Hint: Superstore Sales Orders - US.xlsx is not a salesdeck workbook, but it looks like an export of " \
           "orders" in result.stdout
    assert "--into workbook.xlsx --in-place --as orders" in result.stdout


def test_lines_of_one_order_are_all_imported_and_a_repeated_line_once(superstore_with_targets, realdata):
    """Superstore orders have up to 14 lines each; a product may come twice in an order at another quantity
    (another line). One line is there twice, differing only in its shipping cost, which is not imported."""
    workbook, orders, _ = superstore_with_targets
    rows = _rows(realdata / SUPERSTORE)
    header, body = rows[0], [r for r in rows[1:] if r[1].year != 2099]
    line = [header.index(h) for h in ("Order ID", "Product ID", "Quantity", "Sales")]
    distinct = {tuple(r[i] for i in line) for r in body}
    assert len(body) - len(distinct) == 1
    assert f"imported {len(distinct)} row(s) into orders" in orders
    assert "skipped 1 (duplicate: e.g. same order line (order id, product, quantity, amount) as row" in orders
    check = run("check", workbook, "--json")
    assert not [i for i in json.loads(check.stdout)["issues"] if "duplicate" in i["message"]]


def test_monthly_csvs_with_us_dates_bom_and_old_mac_line_endings(realdata, tmp_path):
    """The monthly transaction files as a US system exports them: m/d/yyyy dates, a BOM, CR line endings."""
    import csv
    import io

    sources = []
    for name in MONTHS:
        rows = _rows(realdata / name)
        text = io.StringIO()
        csv.writer(text, lineterminator="\r").writerows(
            [rows[0]] + [[f"{v.month}/{v.day}/{v.year}" if isinstance(v, dt.date) else v for v in r] for r in rows[1:]])
        source = tmp_path / name.split("/")[-1].replace(".xlsx", ".csv")
        source.write_bytes(text.getvalue().encode("utf-8-sig"))
        sources.append(source)
    workbook = tmp_path / "2019-q1.xlsx"
    assert run("template", "-o", workbook, "--lang", "en").exit_code == 0
    result = run("import", *sources, "--into", workbook, "--as", "orders", "--in-place",
                 "--column", "customer=transaction_id", "--set", "rep=Online", "--set", "channel=direct",
                 "--set", "product_line=Subscription")
    assert result.exit_code == 0, result.output
    orders = read_workbook(workbook).orders
    expected = {}
    for name in MONTHS:
        for r in _rows(realdata / name)[1:]:
            expected[f"{r[3]:%Y-%m}"] = expected.get(f"{r[3]:%Y-%m}", 0) + r[6]
    got = orders.groupby(orders["date"].dt.strftime("%Y-%m"))["amount"].sum().to_dict()
    assert got == pytest.approx(expected)
