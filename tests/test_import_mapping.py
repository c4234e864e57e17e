"""Column matching: CRM export headers, what to add when a field is unmatched, mapping files."""

from __future__ import annotations

import tomllib

import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from salesdeck.errors import SalesdeckError
from salesdeck.workbook.imports.mapping import (ImportMappingError, Mapping, load_mapping, match_columns,
                                               save_mapping)
from salesdeck.workbook.author.writer import write_workbook


def matched_headers(table: str, headers: list[str], mapping: Mapping | None = None) -> dict[str, str]:
    return {key: headers[i] for key, i in match_columns(table, headers, mapping or Mapping()).items()}


# Export headers as each CRM writes them (Salesforce report, HubSpot and Zoho CRM exports, 纷享销客 商机).
@pytest.mark.parametrize("headers, expected", [
    (["Opportunity ID", "Opportunity Name", "Account Name", "Opportunity Owner", "Stage", "Probability (%)",
      "Amount", "Expected Revenue", "Close Date", "Lead Source", "Type"],
     {"opportunity_id": "Opportunity ID", "opportunity": "Opportunity Name", "customer": "Account Name",
      "rep": "Opportunity Owner", "stage": "Stage", "probability": "Probability (%)", "amount": "Amount",
      "expected_close": "Close Date", "lead_source": "Lead Source"}),
    (["Record ID", "Deal Name", "Deal Stage", "Pipeline", "Amount", "Close Date", "Deal owner", "Associated Company"],
     {"opportunity_id": "Record ID", "opportunity": "Deal Name", "stage": "Deal Stage", "amount": "Amount",
      "expected_close": "Close Date", "rep": "Deal owner", "customer": "Associated Company"}),
    (["Deal Owner", "Deal Name", "Account Name", "Type", "Lead Source", "Amount", "Closing Date", "Stage",
      "Probability (%)", "Expected Revenue"],
     {"rep": "Deal Owner", "opportunity": "Deal Name", "customer": "Account Name", "lead_source": "Lead Source",
      "amount": "Amount", "expected_close": "Closing Date", "stage": "Stage", "probability": "Probability (%)"}),
    (["商机名称", "客户名称", "销售阶段", "商机金额", "预计成交日期", "负责人", "赢率"],
     {"opportunity": "商机名称", "customer": "客户名称", "stage": "销售阶段", "amount": "商机金额",
      "expected_close": "预计成交日期", "rep": "负责人", "probability": "赢率"}),
])
def test_crm_pipeline_exports_match_without_options(headers, expected):
    assert matched_headers("pipeline", headers) == expected


def test_superstore_like_order_export_matches_its_columns():
    headers = ["Row ID", "Order ID", "Order Date", "Customer Name", "Segment", "Region", "Category",
               "Sub-Category", "Product Name", "Sales", "Quantity", "Sales Rep", "Channel"]
    assert matched_headers("orders", headers) == {
        "order_id": "Order ID", "date": "Order Date", "customer": "Customer Name", "tier": "Segment",
        "region": "Region", "product_line": "Category", "product": "Product Name", "amount": "Sales",
        "quantity": "Quantity", "rep": "Sales Rep", "channel": "Channel"}


def test_headers_match_whatever_the_case_spacing_and_punctuation():
    headers = ["  ORDER_DATE ", "sales-rep", "REGION", "channel", "Customer  Name", "product name",
               "PRODUCT LINE", "Ｓａｌｅｓ"]
    assert matched_headers("orders", headers) == {
        "date": "  ORDER_DATE ", "rep": "sales-rep", "region": "REGION", "channel": "channel",
        "customer": "Customer  Name", "product": "product name", "product_line": "PRODUCT LINE", "amount": "Ｓａｌｅｓ"}


def test_unmatched_column_message_lists_exactly_what_to_add():
    headers = ["Date", "Customer", "Amount", "Product", "Region", "Category", "Salesperson Code", "Via"]
    with pytest.raises(ImportMappingError) as caught:
        match_columns("orders", headers, Mapping())
    lines = str(caught.value).splitlines()
    assert lines[1] == "unmatched fields: rep (销售代表 / Rep), channel (渠道 / Channel)"
    assert lines[2] == ("source headers: 'Date', 'Customer', 'Amount', 'Product', 'Region', 'Category', "
                        "'Salesperson Code', 'Via'")
    assert lines[3] == "source columns not used yet: 'Salesperson Code', 'Via'"
    options = [line.strip() for line in lines if line.strip().startswith("--column")]
    assert options == ['--column rep="<source header>"', '--column channel="<source header>"']
    toml_lines = lines[lines.index("  [columns]") + 1:lines.index("  [columns]") + 3]
    assert toml_lines == ['  rep = "<source header>"', '  channel = "<source header>"']


def test_a_close_unused_header_is_offered_as_the_likely_option():
    headers = ["Order ID", "Order Date", "Customer Name", "Region", "Product ID", "Sales", "Sales Rep", "Channel"]
    with pytest.raises(ImportMappingError) as caught:
        match_columns("orders", headers, Mapping())
    message = str(caught.value)
    assert "unmatched fields: product (产品 / Product), product_line (产品线 / Product line)" in message
    assert '  maybe: --column product="Product ID"' in message
    assert "maybe: --column product_line" not in message  # one guess per header


def test_two_columns_that_could_be_the_same_field_are_ambiguous():
    headers = ["Deal Name", "Account Name", "Deal Owner", "Owner", "Stage", "Amount", "Close Date"]
    with pytest.raises(ImportMappingError, match=r"rep: several source columns could be it: 'Deal Owner', 'Owner'"):
        match_columns("pipeline", headers, Mapping())
    chosen = matched_headers("pipeline", headers, Mapping(columns={"rep": "Owner"}))
    assert chosen["rep"] == "Owner"


def test_expected_revenue_is_not_taken_for_the_amount():
    with pytest.raises(ImportMappingError, match=r"unmatched fields: amount"):
        match_columns("pipeline", ["Opportunity Name", "Account Name", "Owner", "Stage", "Expected Revenue",
                                   "Close Date"], Mapping())


def test_a_fixed_value_replaces_a_missing_column():
    headers = ["日期", "客户", "产品", "产品线", "金额", "区域"]
    matched = matched_headers("orders", headers, Mapping(values={"rep": "王芳", "channel": "直营"}))
    assert "rep" not in matched and matched["amount"] == "金额"


def test_pipeline_needs_a_stage_or_a_probability():
    with pytest.raises(ImportMappingError, match=r"unmatched fields: stage \(阶段 / Stage\)"):
        match_columns("pipeline", ["Deal Name", "Company", "Owner", "Amount", "Close Date"], Mapping())
    assert "probability" in matched_headers("pipeline", ["Deal Name", "Company", "Owner", "Amount", "Close Date",
                                                         "Probability"])


# ---------------------------------------------------------------- mapping files
def test_saved_mapping_reads_back_the_same(tmp_path):
    headers = ['Deal "Name"', "Company", "Owner\\Login", "Stage", "Amount", "Close Date"]
    mapping = Mapping(columns={"opportunity": 'Deal "Name"', "rep": "Owner\\Login"}, values={"region": "华东"},
                      stages={"Perception Analysis": "已提供报价", "Id. Decision Makers": "通过初审"})
    matched = match_columns("pipeline", headers, mapping)
    path = save_mapping(mapping, headers, matched, tmp_path / "crm.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["columns"]["opportunity"] == 'Deal "Name"' and data["columns"]["rep"] == "Owner\\Login"
    assert data["columns"]["customer"] == "Company" and data["columns"]["expected_close"] == "Close Date"
    assert data["values"] == {"region": "华东"}
    assert data["stages"] == {"Perception Analysis": "已提供报价", "Id. Decision Makers": "通过初审"}
    again = load_mapping(path, "pipeline")
    assert match_columns("pipeline", headers, again) == matched


@pytest.mark.parametrize("text, message", [
    ("[columns\nrep = 1", "mapping bad.toml: "),
    ("[colums]\nrep = \"Owner\"\n", "unknown section(s) colums; expected [columns], [values], [stages]"),
    ("[columns]\nsalesman = \"Owner\"\n", "'salesman' is not a field of pipeline; its fields are opportunity_id"),
    ("columns = \"rep\"\n", "columns must be a [columns] section"),
])
def test_broken_mapping_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SalesdeckError) as caught:
        load_mapping(path, "pipeline")
    assert message in str(caught.value)


def test_unknown_field_in_column_option_is_a_usage_error(tmp_path):
    template = write_workbook(None, tmp_path / "blank.xlsx", lang="zh")
    source = tmp_path / "orders.csv"
    source.write_text("日期,金额\n2026-10-01,100\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(source), "--into", str(template), "--as", "orders",
                                      "--column", "salesman=Owner"])
    assert result.exit_code == 2
    assert "'salesman' is not a field of orders; its fields are order_id, date, rep" in result.stderr
    malformed = CliRunner().invoke(cli, ["import", str(source), "--into", str(template), "--as", "orders",
                                         "--set", "channel"])
    assert malformed.exit_code == 2 and "'channel': expected FIELD=VALUE" in malformed.stderr


def test_saved_mapping_makes_next_months_import_one_command(tmp_path):
    template = write_workbook(None, tmp_path / "blank.xlsx", lang="zh")
    october = tmp_path / "erp-2026-10.csv"
    october.write_text("单据日期,业务员代码,门店,客户,货品,类别,销售额\n"
                       "2026-10-03,Z01,华东,远航,X3,终端,100\n", encoding="utf-8")
    first = CliRunner().invoke(cli, [
        "import", str(october), "--into", str(template), "--as", "orders", "-o", str(tmp_path / "oct.xlsx"),
        "--column", "date=单据日期", "--column", "rep=业务员代码", "--column", "region=门店",
        "--column", "product=货品", "--column", "product_line=类别", "--set", "channel=直营",
        "--save-map", str(tmp_path / "erp.toml")])
    assert first.exit_code == 0, first.output
    november = tmp_path / "erp-2026-11.csv"
    november.write_text("单据日期,业务员代码,门店,客户,货品,类别,销售额\n"
                        "2026-11-04,Z02,华南,金桥,S3,配件,200\n", encoding="utf-8")
    second = CliRunner().invoke(cli, ["import", str(november), "--into", str(tmp_path / "oct.xlsx"), "--as",
                                      "orders", "--map", str(tmp_path / "erp.toml"), "--in-place"])
    assert second.exit_code == 0, second.output
    assert "imported 1 row(s) into orders; skipped 0" in second.stdout
    from salesdeck.workbook.read.reader import read_workbook

    orders = read_workbook(tmp_path / "oct.xlsx", strict=False).orders
    assert orders["rep"].tolist() == ["Z01", "Z02"] and orders["channel"].tolist() == ["direct", "direct"]
