"""A CRM deals export (won, lost and open deals; US and day-first dates; a teams file with its own headers)
imported as orders and pipeline, and the figures a meeting is about compared with pandas.

The expected figures are computed from the generated files with pandas alone: won amount by region for the
report month, and weighted open pipeline by region (the open stages placed at 已提供报价 40% and 合同条款谈判
60%). Each view of the imported workbook (the reader's model, the refreshed result sheet, `salesdeck metrics
--json`) is one function of ``VIEWS`` returning the same two dicts.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from salesdeck.cli import cli
from salesdeck.workbook.read.reader import read_workbook
from tests import crm_exports

MONTH = "2026-10"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deals")
    return crm_exports.generic(folder)


@pytest.fixture(scope="module")
def imported(exports, tmp_path_factory):
    """The won deals as orders and the open ones as pipeline, with --where and --lookup-column."""
    workbook = tmp_path_factory.mktemp("book") / f"{MONTH}.xlsx"
    assert run("template", "-o", workbook).exit_code == 0
    stages = workbook.with_name("stages.toml")
    stages.write_text("[stages]\n" + "".join(f'"{crm}" = "{stage}"\n'
                                             for crm, (stage, _) in crm_exports.OPEN_STAGES.items()), encoding="utf-8")
    lookup = ["--lookup", exports["teams.csv"], "--lookup-column", "name=sales_agent",
              "--lookup-column", "region=regional_office"]
    deals = [exports["deals-us.csv"], exports["deals-eu.csv"]]
    orders = run("import", *deals, "--into", workbook, "--in-place", "--as", "orders", "--month", MONTH,
                 "--where", "deal_stage=Won", *lookup, "--set", "channel=直营", "--set", "product_line=Hardware")
    assert orders.exit_code == 0, orders.output
    pipeline = run("import", *deals, "--into", workbook, "--in-place", "--as", "pipeline", "--map", stages,
                   "--where", "deal_stage=Engaging|Prospecting", "--column", "opportunity=opportunity_id", *lookup)
    assert pipeline.exit_code == 0, pipeline.output
    return workbook, orders.stdout, pipeline.stdout


@pytest.fixture(scope="module")
def expected(exports) -> dict[str, dict[str, float]]:
    """The figures, from the exports with pandas: each file's dates read in their own, known format."""
    us = pd.read_csv(exports["deals-us.csv"], parse_dates=["close_date"], date_format="%m/%d/%y")
    eu = pd.read_csv(exports["deals-eu.csv"], parse_dates=["close_date"], date_format="%d/%m/%Y")
    teams = pd.read_csv(exports["teams.csv"])
    deals = pd.concat([us, eu]).merge(teams, on="sales_agent", how="left")
    won = deals[(deals["deal_stage"] == "Won") & (deals["close_date"].dt.strftime("%Y-%m") == MONTH)]
    probability = {crm: p for crm, (_, p) in crm_exports.OPEN_STAGES.items()}
    open_deals = deals[deals["deal_stage"].isin(probability)]
    weighted = open_deals["deal_value"] * open_deals["deal_stage"].map(probability)
    return {"won_by_region": won.groupby("regional_office")["deal_value"].sum().to_dict(),
            "weighted_by_region": weighted.groupby(open_deals["regional_office"]).sum().to_dict()}


# ---------------------------------------------------------------- views of the imported workbook
def from_model(workbook) -> dict[str, dict[str, float]]:
    """The workbook read back with the reader (the model every view starts from)."""
    model = read_workbook(workbook)
    orders = model.orders[model.orders["date"].dt.strftime("%Y-%m") == MONTH]
    pipeline = model.pipeline[model.pipeline["category"] == "open"]
    return {"won_by_region": orders.groupby("region")["amount"].sum().to_dict(),
            "weighted_by_region": (pipeline["amount"] * pipeline["probability"]).groupby(pipeline["region"]).sum()
            .to_dict()}


def _blocks(path) -> dict[str, list[list]]:
    """The result sheet's blocks: title -> rows (header first), split at blank rows."""
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name("计算结果").to_python()
    blocks, title, current = {}, None, []
    for row in rows + [[]]:
        cells = [c for c in row if c not in ("", None)]
        if not cells:
            if title:
                blocks[title] = current
            title, current = None, []
        elif title is None:
            title = str(cells[0])
        else:
            current.append(list(row))
    return blocks


def from_result_sheet(workbook) -> dict[str, dict[str, float]]:
    """What `salesdeck refresh` writes on 计算结果: actuals by region; weighted pipeline by rep, summed to
    regions with the teams list (region names are the test's own)."""
    out = workbook.with_name("refreshed.xlsx")
    result = run("refresh", workbook, "-o", out)
    assert result.exit_code == 0, result.output
    blocks = _blocks(out)
    header, *rows = blocks[f"{MONTH} 区域目标达成"]
    region, actual = header.index("区域"), header.index("实际")
    won = {r[region]: r[actual] for r in rows if r[region] != "合计" and r[actual]}
    header, *rows = blocks["商机加权与覆盖率(按销售代表)"]
    rep, weighted = header.index("销售代表"), header.index("加权金额")
    by_region: dict[str, float] = {}
    for r in rows:
        office = crm_exports.AGENTS[r[rep]][1]
        by_region[office] = by_region.get(office, 0.0) + r[weighted]
    return {"won_by_region": won, "weighted_by_region": by_region}


def from_metrics_json(workbook) -> dict[str, dict[str, float]]:
    """`salesdeck metrics --json` (docs/metrics.md)."""
    result = run("metrics", workbook, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {"won_by_region": {r: v["sales"] for r, v in data["by_region"].items() if v["sales"]},
            "weighted_by_region": {r: v["weighted"] for r, v in data["pipeline"]["by_region"].items()}}


VIEWS = [from_model, from_result_sheet, from_metrics_json]


@pytest.mark.parametrize("view", VIEWS, ids=[v.__name__ for v in VIEWS])
def test_figures_equal_an_independent_pandas_computation(imported, expected, view):
    figures = view(imported[0])
    assert expected["won_by_region"] and expected["weighted_by_region"]
    for key, values in expected.items():
        assert figures[key] == pytest.approx(values), key


def test_lost_and_open_deals_are_left_out_counted_not_listed(imported, exports):
    _, orders, pipeline = imported
    deals = pd.concat([pd.read_csv(exports[n]) for n in ("deals-us.csv", "deals-eu.csv")])
    won = (deals["deal_stage"] == "Won").sum()
    open_ = deals["deal_stage"].isin(list(crm_exports.OPEN_STAGES)).sum()
    assert f"imported {won} row(s) into orders; skipped 0" in orders
    assert f"left out {len(deals) - won:,} row(s): --where deal_stage=Won" in orders
    assert f"imported {open_} row(s) into pipeline; skipped 0" in pipeline
    assert "columns: " in orders and "region <- 'teams.csv (the lookup)'" in orders


def test_without_a_filter_orders_are_the_won_deals_and_the_rest_is_counted(exports, tmp_path):
    workbook = tmp_path / "book.xlsx"
    assert run("template", "-o", workbook).exit_code == 0
    stages = tmp_path / "stages.toml"
    stages.write_text('[stages]\n"Engaging" = "合同条款谈判"\n"Prospecting" = "已提供报价"\n', encoding="utf-8")
    result = run("import", exports["deals-us.csv"], "--into", workbook, "--as", "orders", "--month", MONTH,
                 "--map", stages, "--lookup", exports["teams.csv"], "--set", "channel=直营",
                 "--set", "product_line=Hardware", "-o", tmp_path / "out.xlsx")
    assert result.exit_code == 0, result.output
    deals = pd.read_csv(exports["deals-us.csv"])
    counts = deals["deal_stage"].value_counts()
    assert f"imported {counts['Won']} row(s) into orders; skipped 0" in result.stdout
    assert f"left out {counts['Lost']:,} row(s): lost deals (deal_stage 'Lost'), not orders" in result.stdout
    assert f"left out {counts['Engaging']:,} row(s): open deals (deal_stage 'Engaging'), not orders" in result.stdout
    orders = read_workbook(tmp_path / "out.xlsx").orders
    assert (orders["amount"] > 0).all()
    assert orders["amount"].sum() == pytest.approx(deals.loc[deals["deal_stage"] == "Won", "deal_value"].sum())


def test_regions_without_a_target_keep_their_sales_on_the_result_sheet(imported, expected, tmp_path):
    """Targets imported for one office only: the others still show their sales, with a blank status."""
    import shutil

    workbook = tmp_path / "book.xlsx"
    shutil.copy(imported[0], workbook)
    targets = tmp_path / "targets.csv"
    targets.write_text(f"region,month,target\nCentral,{MONTH},50000\n", encoding="utf-8")
    result = run("import", targets, "--into", workbook, "--as", "targets", "--in-place")
    assert result.exit_code == 0, result.output
    out = tmp_path / "refreshed.xlsx"
    assert run("refresh", workbook, "-o", out).exit_code == 0
    header, *rows = _blocks(out)[f"{MONTH} 区域目标达成"]
    by_region = {r[header.index("区域")]: r for r in rows}
    assert by_region["Central"][header.index("目标")] == 50000 and by_region["Central"][header.index("状态")]
    for office in set(expected["won_by_region"]) - {"Central"}:
        assert by_region[office][header.index("实际")] == pytest.approx(expected["won_by_region"][office])
        assert by_region[office][header.index("状态")] in ("", None)
