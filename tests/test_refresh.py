"""Refresh: result tables from a small hand-checked workbook, the refreshed file, the CLI."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from salesdeck.jobs.refresh import refresh_file, refresh_workbook
from salesdeck.cli import cli
from salesdeck.metrics import Metrics
from salesdeck.results.tables import compute_results as tables_of
from salesdeck.workbook.read import reader

D = dt.datetime

# A tiny workbook whose numbers are worked out by hand (report month 2026-10).
SETTINGS = [("设置项", "值"), ("报告月份", "2026-10"), ("公司名称", "示例公司"), ("拆分单位", 100),
            ("奖金基数", 5000), ("提成方式", "marginal"), ("新客户平均单额", 50000)]
TARGETS = [("月份", "区域", "销售代表", "产品线", "目标金额"),
           (D(2026, 10, 1), "华东", "张三", None, 100000), (D(2026, 10, 1), "华东", "李四", None, 100000),
           (D(2026, 10, 1), "华南", "王五", None, 200000), (D(2026, 11, 1), "华东", "张三", None, 120000),
           (D(2026, 11, 1), "华东", "李四", None, 80000), (D(2026, 11, 1), "华南", "王五", None, 200000)]
ORDERS = [("订单号", "日期", "销售代表", "区域", "渠道", "客户", "产品", "产品线", "新签/续约", "金额"),
          ("O1", D(2026, 8, 5), "张三", "华东", "直营", "客户A", "产品X", "线A", "新签", 10000),
          ("O2", D(2026, 9, 5), "张三", "华东", "直营", "客户A", "产品X", "线A", "续约", 20000),
          ("O3", D(2026, 10, 5), "张三", "华东", "直营", "客户A", "产品X", "线A", "新签", 60000),
          ("O4", D(2026, 10, 8), "张三", "华东", "分销", "客户B", "产品Y", "线B", "续约", 52000),
          ("O5", D(2026, 10, 9), "李四", "华东", "直营", "客户C", "产品X", "线A", "新签", 70000),
          ("O6", D(2026, 8, 12), "王五", "华南", "电商", "客户D", "产品Y", "线B", "续约", 300000),
          ("O7", D(2026, 9, 12), "王五", "华南", "电商", "客户D", "产品Y", "线B", "续约", 250000),
          ("O8", D(2026, 10, 12), "王五", "华南", "电商", "客户D", "产品Y", "线B", "续约", 180000)]
PIPELINE = [("商机名称", "客户", "销售代表", "阶段", "金额", "预计成交日期"),
            ("E扩容", "客户E", "张三", "已提供报价", 100000, D(2026, 11, 10)),
            ("F续费", "客户F", "张三", "已确定签单步骤", 50000, D(2026, 11, 20)),
            ("G新购", "客户G", "李四", "合同条款谈判", 60000, D(2026, 12, 5)),
            ("H签约", "客户H", "王五", "赢单", 40000, D(2026, 11, 3))]
ACTIVITIES = [("销售代表", "月份", "拜访", "有效拜访")] + [
    (rep, D(2026, m, 1), 25, 20) for rep in ("张三", "李四", "王五") for m in (7, 8, 9, 10)]
RECEIVABLES = [("发票号", "客户", "销售代表", "应收金额", "到期日", "回款日期", "回款金额"),
               ("INV1", "客户A", "张三", 50000, D(2026, 10, 15), D(2026, 10, 20), 50000),
               ("INV2", "客户B", "张三", 40000, D(2026, 9, 1), None, None),
               ("INV3", "客户D", "王五", 100000, D(2026, 11, 15), None, None),
               ("INV4", "客户C", "李四", 30000, D(2026, 6, 30), D(2026, 11, 5), 30000)]
METRICS = [("指标", "权重"), ("销售额", 0.6), ("新客户数", 0.2), ("回款", 0.2)]
TIERS = [("起点金额", "提成比例"), (0, 0.03), (100000, 0.05)]


def write_tiny(path: Path, settings=SETTINGS, orders=ORDERS) -> Path:
    """Write the tiny workbook (zh headers) to ``path``."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in (("设置", settings), ("目标", TARGETS), ("订单", orders), ("商机", PIPELINE),
                       ("活动", ACTIVITIES), ("回款", RECEIVABLES)):
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    ws = book.create_sheet("提成方案")
    for block, first_col in ((METRICS, 1), (TIERS, 4)):
        for i, row in enumerate(block, start=1):
            for j, value in enumerate(row, start=first_col):
                ws.cell(i, j, value)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return write_tiny(tmp_path_factory.mktemp("tiny") / "tiny.xlsx")


@pytest.fixture(scope="module")
def results(tiny) -> dict[str, pd.DataFrame]:
    model = reader.read_workbook(tiny)
    return {t.key: t for t in compute_results(model)}


def compute_results(model):
    return tables_of(Metrics(model))


def rows(table) -> list[list]:
    return table.frame.astype(object).where(table.frame.notna(), None).values.tolist()


def test_attainment_by_region_with_total_and_rag(results):
    table = results["attainment_region"]
    assert table.title == "2026-10 区域目标达成"
    assert list(table.frame.columns) == ["区域", "实际", "目标", "达成率", "差额", "状态"]
    assert rows(table) == [["华东", 182000.0, 200000.0, pytest.approx(0.91), -18000.0, "黄"],
                           ["华南", 180000.0, 200000.0, pytest.approx(0.90), -20000.0, "黄"],
                           ["合计", 362000.0, 400000.0, pytest.approx(0.905), -38000.0, "黄"]]
    assert table.formats["达成率"] == "0.0%"


def test_attainment_by_rep_bands(results):
    frame = results["attainment_rep"].frame.set_index("销售代表")
    assert frame["状态"].to_dict() == {"张三": "绿", "李四": "红", "王五": "黄", "合计": "黄"}


def test_product_lines_without_targets_show_actuals_only(results):
    frame = results["attainment_product_line"].frame.set_index("产品线")
    assert frame["实际"].to_dict() == {"线A": 130000.0, "线B": 232000.0, "合计": 362000.0}
    assert frame["达成率"].isna().all()


def test_next_month_split_uses_next_month_targets(results):
    region = results["split_region"]
    assert region.note == "权重:下月目标占比"
    assert rows(region) == [["华东", 0.5, 200000.0], ["华南", 0.5, 200000.0], ["合计", 1.0, 400000.0]]
    rep = results["split_rep"].frame.set_index("销售代表")["下月目标"]
    assert rep.to_dict() == {"张三": 120000.0, "李四": 80000.0, "王五": 200000.0, "合计": 400000.0}


def test_product_line_split_falls_back_to_last_three_months(results):
    table = results["split_product_line"]
    assert table.note == "权重:近3个月实际销售占比"
    parts = table.frame.set_index("产品线")["下月目标"]
    # Aug-Oct sales: 线A 160,000, 线B 782,000 of 942,000; at the 100 unit, summing exactly.
    assert parts.to_dict() == {"线A": 67900.0, "线B": 332100.0, "合计": 400000.0}


def test_ten_day_split_follows_working_days_of_next_month(results):
    frame = results["split_xun"].frame
    assert frame["旬"].tolist() == ["上旬", "中旬", "下旬", "合计"]
    assert frame["工作日"].tolist() == [7, 8, 6, 21]
    # 400,000 x 7/21, 8/21, 6/21 = 133,333.33, 152,380.95, 114,285.71: rounded down to 100s the two
    # leftover hundreds go to the largest remainders (85.71, 80.95).
    assert frame["下月目标"].tolist()[:3] == [133300, 152400, 114300]
    assert frame["下月目标"].iloc[-1] == 400000.0


def test_pipeline_weighting_and_coverage(results):
    frame = results["pipeline"].frame.set_index("销售代表")
    assert frame.loc["张三", ["商机数", "商机金额", "加权金额", "承诺", "管道"]].tolist() == [2, 150000, 85000, 50000, 100000]
    assert pd.isna(frame.loc["张三", "覆盖率"])  # 112,000 of 100,000: nothing left to cover
    assert frame.loc["李四", ["最佳情况", "剩余目标", "覆盖率"]].tolist() == [60000, 30000, 2.0]
    assert "王五" not in frame.index  # his only deal is won


def test_workload_counts_existing_business_before_new_deals(results):
    frame = results["workload"].frame.set_index("销售代表")
    # No deals in the Activities sheet: Settings' ratios (3 proposals per deal, 3 x 4 visits per deal, 5 calls a visit).
    # 李四: nothing existing, 80,000 / 50,000 (Settings' new order) = 2 deals, 6 proposals, 24 visits, 120 calls.
    row = frame.loc["李四"]
    assert [row["D 需新签金额"], row["F 需新签单数"], row["方案"], row["拜访"], row["电话"]] == [80000, 2, 6, 24, 120]
    assert row["日均拜访"] == pytest.approx(24 / 21) and row["近6月最佳月拜访"] == 25 and row["超出能力"] == ""
    # 张三: renewals 72,000 / 3 months + 100,000 x 40% + 50,000 x 90% closing in November = 109,000 of 120,000.
    row = frame.loc["张三"]
    assert [row["B2 月均续约"], row["B3 下月成交商机(加权)"], row["C 现有业务"], row["D 需新签金额"]] == \
        pytest.approx([24000, 85000, 109000, 11000])
    assert [row["F 需新签单数"], row["拜访"]] == [1, 12]
    # 王五: a won deal closing 3 November (40,000) and 243,333 of monthly renewals cover his 200,000.
    row = frame.loc["王五"]
    assert row["B1 下月成交的赢单"] == 40000 and row["D 需新签金额"] == 0 and row["拜访"] == 0


def test_commission_tiers_and_scorecard(results):
    frame = results["commission"].frame.set_index("销售代表")
    assert list(frame.columns) == ["销售额", "新客户数", "回款", "得分", "奖金", "提成", "合计"]
    # 112,000 marginal: 100,000 x 3% + 12,000 x 5%
    assert frame.loc["张三", "提成"] == pytest.approx(3600)
    assert frame.loc["李四", "提成"] == pytest.approx(2100)
    assert frame.loc["李四", "得分"] == pytest.approx(0.6 * 0.7 + 0.2 * 0 + 0.2 * 1.0)
    assert frame.loc["李四", "奖金"] == pytest.approx(frame.loc["李四", "得分"] * 5000)
    detail = results["commission_metrics"].frame
    assert set(detail["指标"]) == {"销售额", "新客户数", "回款"}


def test_churn_warning_for_two_declines(results):
    frame = results["churn"].frame
    assert frame.iloc[0].tolist() == ["客户D", "王五", 300000.0, 250000.0, 180000.0, "连续两月下滑", 120000.0]
    assert (frame["流失预警"] != "").sum() == 1


def test_aging_ignores_payments_after_the_month(results):
    detail = results["aging"].frame.set_index("发票号")
    assert detail.loc["INV4", ["未回款", "逾期天数", "账龄"]].tolist() == [30000, 123, "90天以上"]
    assert detail.loc["INV1", ["未回款", "账龄"]].tolist() == [0, "1-30天"]
    totals = results["aging_totals"].frame.set_index("账龄")
    assert totals.loc["合计", ["笔数", "未回款"]].tolist() == [4, 170000]
    assert totals.loc["31-60天", "未回款"] == 40000


def test_english_workbook_gets_english_titles(tmp_path):
    path = write_tiny(tmp_path / "en.xlsx", settings=SETTINGS + [("语言", "en")])
    tables = {t.key: t for t in compute_results(reader.read_workbook(path))}
    assert tables["attainment_region"].title == "2026-10 attainment by region"
    assert tables["attainment_region"].frame["RAG"].tolist() == ["amber", "amber", "amber"]
    book = openpyxl.load_workbook(refresh_workbook(path))
    assert book.sheetnames[-1] == "Results"
    assert book["Results"]["A1"].value == "Results · 示例公司 · Report month 2026-10"


def test_a_block_the_math_refuses_keeps_its_title_with_the_error(tiny):
    model = reader.read_workbook(tiny)
    model.settings.rag_red, model.settings.rag_green = 1.2, 1.0
    tables = {t.key: t for t in compute_results(model)}
    assert tables["attainment_region"].frame.empty
    assert tables["attainment_region"].note.startswith("无法计算:bands:")
    assert not tables["split_region"].frame.empty


# ---------------------------------------------------------------- the refreshed file
def _cells(path: Path, skip=()) -> dict:
    book = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in book.worksheets if ws.title not in skip
            for row in ws.iter_rows() for c in row if c.value not in (None, "")}  # "" shows as blank


@pytest.fixture(scope="module")
def refreshed(tiny) -> Path:
    return refresh_workbook(tiny)


def test_default_output_is_beside_the_input(tiny, refreshed):
    assert refreshed == tiny.with_name("tiny-refreshed.xlsx")


def test_input_sheets_are_untouched(tiny, refreshed):
    assert _cells(refreshed, skip={"计算结果"}) == _cells(tiny)
    assert openpyxl.load_workbook(refreshed).sheetnames[-1] == "计算结果"


def test_result_sheet_cells(refreshed):
    ws = openpyxl.load_workbook(refreshed)["计算结果"]
    assert ws["A1"].value == "计算结果 · 示例公司 · 报告月份 2026-10"
    assert [c.value for c in ws[3]][:1] == ["2026-10 区域目标达成"]
    assert [c.value for c in ws[4]] [:6] == ["区域", "实际", "目标", "达成率", "差额", "状态"]
    assert [ws["A5"].value, ws["D5"].value, ws["D5"].number_format] == ["华东", pytest.approx(0.91), "0.0%"]


def test_refreshing_twice_gives_the_same_bytes(tmp_path, tiny, refreshed):
    again = refresh_workbook(tiny, tmp_path / "again.xlsx")
    assert again.read_bytes() == refreshed.read_bytes()


def test_in_place_replaces_the_old_result_sheet(tmp_path, tiny, refreshed):
    path = tmp_path / "book.xlsx"
    path.write_bytes(tiny.read_bytes())
    refresh_workbook(path, in_place=True)
    refresh_workbook(path, in_place=True)
    assert openpyxl.load_workbook(path).sheetnames.count("计算结果") == 1
    with zipfile.ZipFile(path) as a, zipfile.ZipFile(refreshed) as b:
        assert {n: a.read(n) for n in a.namelist()} == {n: b.read(n) for n in b.namelist()}


def test_cli_prints_path_and_summary(tmp_path, tiny):
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(cli, ["refresh", str(tiny), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [str(out), "14 result tables for 2026-10, overall attainment 90.5%"]


def test_cli_lists_the_readers_errors_and_writes_nothing(tmp_path):
    bad_orders = ORDERS[:2] + [("O9", D(2026, 10, 1), "张三", "华东", "直营", "客户A", "产品X", "线A", "新签", "十万")]
    path = write_tiny(tmp_path / "bad.xlsx", orders=bad_orders)
    result = CliRunner().invoke(cli, ["refresh", str(path)])
    assert result.exit_code == 1
    assert "订单!J3" in result.output and "nothing was written" in result.output
    assert not (tmp_path / "bad-refreshed.xlsx").exists()


def test_cli_refuses_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a spreadsheet")
    result = CliRunner().invoke(cli, ["refresh", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ")


def test_output_must_keep_the_workbook_type(tmp_path, tiny):
    result = CliRunner().invoke(cli, ["refresh", str(tiny), "-o", str(tmp_path / "out.xlsm")])
    assert result.exit_code == 1
    assert "Error: out.xlsm: a refreshed copy of tiny.xlsx must end in .xlsx" in result.output
    assert not (tmp_path / "out.xlsm").exists()


def test_output_and_in_place_together_is_a_usage_error(tiny):
    result = CliRunner().invoke(cli, ["refresh", str(tiny), "-o", "x.xlsx", "--in-place"])
    assert result.exit_code == 2


# ---------------------------------------------------------------- LibreOffice
@pytest.mark.office
def test_ods_input_is_refreshed_into_xlsx_beside_it(tiny, tmp_path, office):
    ods = office.convert(tiny, tmp_path, fmt="ods")
    written = refresh_workbook(ods)
    assert written == tmp_path / "tiny-refreshed.xlsx"
    book = openpyxl.load_workbook(written)
    assert book.sheetnames[-1] == "计算结果" and "订单" in book.sheetnames
    assert book["计算结果"]["D5"].value == pytest.approx(0.91)
    first = written.read_bytes()
    assert refresh_workbook(ods).read_bytes() == first


def test_xlsm_keeps_its_macros(tmp_path):
    import xlwings

    template = Path(xlwings.__file__).parent / "quickstart.xlsm"
    book = openpyxl.load_workbook(template, keep_vba=True)
    tiny = openpyxl.load_workbook(write_tiny(tmp_path / "tiny.xlsx"))
    for ws in tiny.worksheets:
        copy = book.create_sheet(ws.title)
        for row in ws.iter_rows(values_only=True):
            copy.append(row)
    src = tmp_path / "macro.xlsm"
    book.save(src)
    written = refresh_workbook(src)
    assert written == tmp_path / "macro-refreshed.xlsm"
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(written) as b:
        assert b.read("xl/vbaProject.bin") == a.read("xl/vbaProject.bin")
        assert b"macroEnabled" in b.read("[Content_Types].xml")
    assert openpyxl.load_workbook(written)["计算结果"]["D5"].value == pytest.approx(0.91)


# ---------------------------------------------------------------- the sample workbook
@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from salesdeck.workbook.author.sample import write_sample

    src = write_sample(tmp_path_factory.mktemp("sample") / "sample.xlsx")
    return src, refresh_file(src)


def test_sample_region_attainment_tells_the_samples_story(sample):
    from salesdeck.workbook.author.sample import names as sample_data

    _, done = sample
    table = next(t for t in done.tables if t.key == "attainment_region")
    attainment = dict(zip(table.frame["区域"], table.frame["达成率"]))
    assert {zh: round(attainment[zh], 2) for zh, _, _ in sample_data.REGIONS} == \
        {zh: expected for zh, _, expected in sample_data.REGIONS}


def test_every_sample_block_has_rows(sample):
    _, done = sample
    assert [(t.key, t.note) for t in done.tables if t.frame.empty] == []
    assert len(done.tables) == 14


def test_sample_splits_add_up_exactly_in_whole_units(sample):
    _, done = sample
    unit = done.model.settings.split_unit
    for key in ("split_region", "split_product_line", "split_rep", "split_xun"):
        target = next(t for t in done.tables if t.key == key).frame.iloc[:, -1]
        parts, total = target.iloc[:-1], target.iloc[-1]
        assert parts.sum() == total, key
        assert (parts % unit == 0).all(), key


def test_sample_input_sheets_are_untouched(sample):
    src, done = sample
    assert _cells(done.path, skip={"计算结果"}) == _cells(src)


@pytest.mark.office
def test_libreoffice_renders_the_refreshed_sample(tmp_path, office):
    from salesdeck.workbook.author.sample import write_sample

    done = refresh_file(write_sample(tmp_path / "small.xlsx", rows=300))
    region = next(t for t in done.tables if t.key == "attainment_region").frame.set_index("区域")
    east = f"{region.loc['华东', '达成率']:.1%}"
    text = office.pdf_text(office.convert(done.path, tmp_path / "pdf"))
    assert "计算结果" in text and "2026-10 区域目标达成" in text and "2026-11 目标拆分:旬(按工作日)" in text
    assert any(line.strip().startswith("华东") and east in line for line in text.splitlines())
