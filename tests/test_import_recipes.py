"""docs/import.md's recipes, run as written on generated exports of each CRM's shape; figures checked with pandas."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from salesdeck.workbook.read.reader import read_workbook
from tests import crm_exports

DOC = Path(__file__).resolve().parents[1] / "docs" / "import.md"


def recipes() -> dict[str, tuple[list[str], dict[str, str]]]:
    """Recipe title -> (its commands, its files: name -> text), from the "## Recipes" part of the doc."""
    text = DOC.read_text(encoding="utf-8").split("\n## Recipes\n", 1)[1]
    out = {}
    for section in re.split(r"\n### ", text)[1:]:
        title, body = section.split("\n", 1)
        commands = []
        for block in re.findall(r"```sh\n(.*?)```", body, re.S):
            commands += [line for line in block.replace("\\\n", " ").splitlines() if line.strip()]
        files = dict(re.findall(r"`([\w.-]+\.toml)`[^`]*?:\s*\n\s*```toml\n(.*?)```", body, re.S))
        out[title.strip()] = (commands, files)
    return out


RECIPES = recipes()


def test_every_crm_named_in_the_issue_has_a_recipe():
    assert [t.split(":")[0] for t in RECIPES] == ["Generic", "Salesforce", "HubSpot", "Zoho CRM", "纷享销客"]
    for commands, _ in RECIPES.values():
        assert commands[0].startswith("salesdeck template -o ") and commands[-1].startswith("salesdeck check ")


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("crm")
    crm_exports.write_all(folder)
    return folder


def _run(folder: Path, title: str) -> tuple[Path, list]:
    """Run one recipe's commands in ``folder``; returns its workbook and each command's result."""
    commands, files = RECIPES[title]
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    results = []
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        for line in commands:
            args = shlex.split(line)
            assert args[0] == "salesdeck"
            result = CliRunner().invoke(cli, args[1:])
            assert result.exit_code == 0, f"{line}\n{result.output}"
            results.append(result)
    return folder / shlex.split(commands[0])[-1], results


def _deals(path: Path, **read) -> pd.DataFrame:
    return pd.read_excel(path, header=1, engine="calamine") if path.suffix == ".xlsx" else pd.read_csv(path, **read)


# (recipe, export, stage column, won names, lost names, amount column, region of each row)
CASES = [
    ("Salesforce", "salesforce-opportunities.csv", "Stage", {"Closed Won"}, {"Closed Lost"}, "Amount",
     lambda d: d["Opportunity Owner"].map(lambda a: f"{crm_exports.AGENTS[a][1]} Sales")),
    ("HubSpot", "hubspot-deals.csv", "Deal Stage", {"Closed Won"}, {"Closed Lost"}, "Amount",
     lambda d: d["Deal owner"].map({f"{a.lower().replace(' ', '.')}@example.com": o
                                    for a, (_, o) in crm_exports.AGENTS.items()})),
    ("Zoho CRM", "zoho-deals.csv", "Stage", {"Closed Won"}, {"Closed Lost", "Closed Lost to Competition"}, "Amount",
     lambda d: d["Territory"]),
    ("纷享销客", "纷享销客-商机.xlsx", "销售阶段", {"赢单"}, {"输单"}, "商机金额", lambda d: d["所属部门"]),
]


@pytest.mark.parametrize("title, export, stage, won, lost, amount, region", CASES, ids=[c[0] for c in CASES])
def test_recipe_imports_the_won_deals_as_orders_and_the_open_ones_as_pipeline(exports, title, export, stage, won,
                                                                              lost, amount, region):
    workbook, results = _run(exports, title)
    deals = _deals(exports / export, thousands=",")
    deals = deals.assign(region=region(deals), amount=pd.to_numeric(deals[amount]))
    is_won, is_open = deals[stage].isin(won), ~deals[stage].isin(won | lost)
    orders_out, pipeline_out = results[1].stdout, results[2].stdout
    assert f"imported {is_won.sum()} row(s) into orders; skipped 0" in orders_out
    assert f"left out {(~is_won).sum():,} row(s): --where" in orders_out
    assert f"imported {is_open.sum()} row(s) into pipeline; skipped 0" in pipeline_out
    model = read_workbook(workbook)
    expected = deals[is_won].groupby("region")["amount"].sum()
    assert model.orders.groupby("region")["amount"].sum().to_dict() == pytest.approx(expected.to_dict())
    expected = deals[is_open].groupby("region")["amount"].sum()
    assert model.pipeline.groupby("region")["amount"].sum().to_dict() == pytest.approx(expected.to_dict())
    assert model.settings.month.strftime("%Y-%m") == "2026-10"


def test_generic_recipe_reads_each_offices_dates_its_own_way(exports):
    workbook, results = _run(exports, "Generic: one deals export → orders + pipeline")
    us = pd.read_csv(exports / "deals-us.csv", parse_dates=["close_date"], date_format="%m/%d/%y")
    eu = pd.read_csv(exports / "deals-eu.csv", parse_dates=["close_date"], date_format="%d/%m/%Y")
    deals = pd.concat([us, eu])
    won = deals[deals["deal_stage"] == "Won"]
    model = read_workbook(workbook)
    assert sorted(model.orders["date"].dt.date) == sorted(won["close_date"].dt.date)
    assert f"left out {len(deals) - len(won):,} row(s): --where deal_stage=Won" in results[1].stdout
    assert set(model.pipeline["stage"]) == {"已提供报价", "合同条款谈判"}
