"""Value mapping: CRM stages to the stage table, owners to reps and regions, months across to rows."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from salesdeck.errors import SalesdeckError
from salesdeck.workbook import contract
from salesdeck.workbook.imports.values import StageMapper, UnknownStage, load_lookup, month_of
from salesdeck.workbook.imports.importer import import_rows
from salesdeck.workbook.read.reader import read_workbook
from salesdeck.workbook.author.writer import write_workbook

STAGES = [tuple(s) for s in contract.DEFAULT_STAGES]


@pytest.fixture
def template(tmp_path):
    return write_workbook(None, tmp_path / "blank.xlsx", lang="zh")


@pytest.mark.parametrize("crm, expected", [
    ("Closed Won", "赢单"), ("closedwon", "赢单"), ("Closed won", "赢单"), ("赢单", "赢单"), ("成交", "赢单"),
    ("Closed Lost", "输单"), ("Closed Lost to Competition", "输单"), ("丢单", "输单"),
    ("Proposal/Price Quote", "已提供报价"), ("Negotiation/Review", "合同条款谈判"), ("Contract sent", "已确定签单步骤"),
    ("Quote sent", "已提供报价"), ("合同条款谈判", "合同条款谈判"),  # the stage table's own names, en and zh
])
def test_crm_stage_names_map_to_the_stage_table(crm, expected):
    assert StageMapper(STAGES, {}).map(crm) == expected


def test_mapping_file_stages_come_first_and_unknown_open_stages_are_flagged():
    mapper = StageMapper(STAGES, {"Qualification": "已提供报价", "Closed Won": "赢单"})
    assert mapper.map("qualification") == "已提供报价"
    unknown = mapper.map("Perception Analysis")
    assert isinstance(unknown, UnknownStage) and unknown == "Perception Analysis"
    assert mapper.by_probability(0.6) == "合同条款谈判" and mapper.by_probability(0.7) is None


def test_an_edited_stage_table_is_used(template, tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(template)
    sheet = book["设置"]
    sheet["E2"], sheet["F2"], sheet["G2"] = "初步接洽", "Discovery", 0.2  # replaces 已提供报价 40%
    book.save(template)
    source = tmp_path / "deals.csv"
    source.write_text("Deal Name,Company,Deal owner,Deal Stage,Amount,Close Date\n"
                      "A,Acme,Wu,Discovery,100,2026-10-01\nB,Bolt,Wu,Quote sent,200,2026-10-02\n", encoding="utf-8")
    report = import_rows([source], template, "pipeline", out=tmp_path / "o.xlsx")
    assert report.imported == 1
    assert [s.reason.split(":")[0] for s in report.skipped] == ["unknown stage"]  # 已提供报价 is gone
    assert read_workbook(tmp_path / "o.xlsx", strict=False).pipeline["stage"].tolist() == ["初步接洽"]


def test_open_crm_stage_falls_back_on_its_probability(template, tmp_path):
    source = tmp_path / "zoho.csv"
    source.write_text("Deal Name,Account Name,Deal Owner,Stage,Probability (%),Amount,Closing Date\n"
                      "A,Acme,Wu,Identify Decision Makers,60,100,2026-10-01\n"
                      "B,Bolt,Wu,Needs Analysis,20,200,2026-10-02\n", encoding="utf-8")
    report = import_rows([source], template, "pipeline", out=tmp_path / "o.xlsx")
    assert report.imported == 2 and not report.skipped
    pipeline = read_workbook(tmp_path / "o.xlsx", strict=False).pipeline.set_index("opportunity")
    assert pipeline.loc["A", "stage"] == "合同条款谈判"  # the open stage at 60%
    assert pipeline.loc["B", "probability"] == pytest.approx(0.2) and pipeline.loc["B", "category"] == "open"
    assert any("'Needs Analysis' is not in the stage table: no stage, its probability kept" in n for n in report.notes)


# ---------------------------------------------------------------- months across
@pytest.mark.parametrize("header, year, expected", [
    ("2026-01", None, "2026-01"), ("2026/1", None, "2026-01"), ("2026年1月", None, "2026-01"),
    ("Jan 2026", None, "2026-01"), ("Jan-26", None, "2026-01"), ("January 2026", None, "2026-01"),
    ("Sept 2026", None, "2026-09"), ("1月", None, None), ("1月", 2026, "2026-01"), ("十二月", 2026, "2026-12"),
    ("Mar", 2026, "2026-03"), ("March", 2026, "2026-03"), ("Marketing", 2026, None), ("Region", 2026, None),
    ("13月", 2026, None), ("2026-13", None, None),
])
def test_month_headers(header, year, expected):
    assert month_of(header, year) == expected


def test_wide_targets_with_months_without_a_year_need_the_month(template, tmp_path):
    source = tmp_path / "targets.csv"
    source.write_text("区域,1月,2月,3月\n华东,100,110,120\n华南,80,,90\n", encoding="utf-8")
    refused = CliRunner().invoke(cli, ["import", str(source), "--into", str(template), "--as", "targets"])
    assert refused.exit_code == 1
    assert "have no year; give the reported month with --month YYYY-MM" in refused.stderr
    out = tmp_path / "o.xlsx"
    result = CliRunner().invoke(cli, ["import", str(source), "--into", str(template), "--as", "targets",
                                      "--month", "2026-03", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "imported 5 row(s) into targets" in result.stdout  # the blank 华南 February cell is no row
    targets = read_workbook(out, strict=False).targets
    rows = sorted((r.region, f"{r.month:%Y-%m}", r.target) for r in targets.itertuples())
    assert rows == [("华东", "2026-01", 100), ("华东", "2026-02", 110), ("华东", "2026-03", 120),
                    ("华南", "2026-01", 80), ("华南", "2026-03", 90)]
    assert read_workbook(out, strict=False).settings.month.strftime("%Y-%m") == "2026-03"


# ---------------------------------------------------------------- owners
def test_lookup_maps_logins_to_rep_names_and_regions(tmp_path):
    users = tmp_path / "users.csv"
    users.write_text("Full Name,Alias,Email,Role\n吴婷,twu,ting.wu@example.com,西南大区\n周杰,jzhou,,华北大区\n",
                     encoding="utf-8")
    lookup = load_lookup(users)
    assert lookup.rep("ting.wu@example.com") == "吴婷" and lookup.rep("TWU") == "吴婷"
    assert lookup.region("jzhou") == "华北大区" and lookup.region("周杰") == "华北大区"
    assert lookup.rep("someone else") == "someone else" and lookup.region("someone else") is None


def test_lookup_with_first_and_last_names(tmp_path):
    users = tmp_path / "hubspot-users.csv"
    users.write_text("First Name,Last Name,Email,Team\nTing,Wu,tw@example.com,West\n", encoding="utf-8")
    lookup = load_lookup(users)
    assert lookup.rep("tw@example.com") == "Ting Wu" and lookup.region("Ting Wu") == "West"


def test_lookup_without_a_region_column_says_what_it_needs(tmp_path):
    users = tmp_path / "users.csv"
    users.write_text("Name,Phone\nTing Wu,123\n", encoding="utf-8")
    with pytest.raises(SalesdeckError, match=r"needs a name column .* and a region column .*found 'Name', 'Phone'"):
        load_lookup(users)


def test_owner_logins_become_reps_with_regions_in_the_workbook(template, tmp_path):
    source = tmp_path / "deals.csv"
    source.write_text("Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Region,Stage,Amount,Close Date\n"
                      "006A,Renewal,Acme,twu,,Closed Won,1000,2026-10-01\n"
                      "006B,Pilot,Bolt,jzhou,华东,Closed Lost,500,2026-10-02\n", encoding="utf-8")
    users = tmp_path / "users.csv"
    users.write_text("Full Name,Alias,Role\n吴婷,twu,西南\n周杰,jzhou,华北\n", encoding="utf-8")
    import_rows([source], template, "pipeline", lookup=users, out=tmp_path / "o.xlsx")
    pipeline = read_workbook(tmp_path / "o.xlsx", strict=False).pipeline.set_index("opportunity_id")
    assert pipeline.loc["006A", ["rep", "region"]].tolist() == ["吴婷", "西南"]
    assert pipeline.loc["006B", ["rep", "region"]].tolist() == ["周杰", "华东"]  # the source's own region stays
