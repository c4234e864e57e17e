"""The sample workbook: a believable, deterministic month for a fictitious company."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from salesdeck.calc import churn_flags
from salesdeck.cli import cli
from salesdeck.workbook import contract
from salesdeck.workbook.author.sample import names as D
from salesdeck.workbook.author.sample import generate, write_sample
from tests import office as office_module

REPORT = pd.Timestamp("2026-10-01")
NEXT = pd.Timestamp("2026-11-01")
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def zh(sample_models):
    return sample_models["zh"]


@pytest.fixture(scope="module")
def en(sample_models):
    return sample_models["en"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    return {lang: write_sample(folder / f"sample-{lang}.xlsx", seed=7, lang=lang) for lang in contract.LANGS}


def _monthly(orders: pd.DataFrame) -> pd.Series:
    return orders.groupby(orders["date"].dt.to_period("M"))["amount"].sum()


# ------------------------------------------------------------------ the model
def test_every_table_has_exactly_the_contract_columns(zh):
    for key, table in contract.TABLES.items():
        frame = zh.tables[key]
        extra = ["_row", "category"] if key == "pipeline" else ["_row"]
        assert [c for c in frame.columns if c not in extra] == table.keys, key
        assert len(frame) > 0, key


def test_settings_describe_the_report(zh, en):
    assert (zh.settings.company, zh.settings.month.isoformat(), zh.settings.language) == (
        "华信智能科技有限公司", "2026-10-01", "zh")
    assert en.settings.company == "Huaxin Smart Technology Co., Ltd." and en.settings.language == "en"
    next_targets = zh.targets.loc[zh.targets["month"] == NEXT, "target"].sum()
    report_targets = zh.targets.loc[zh.targets["month"] == REPORT, "target"].sum()
    assert zh.settings.next_month_target == next_targets
    assert 1.0 < next_targets / report_targets < 1.5, "November: more working days than October, a stronger season"
    assert zh.settings.new_avg_order > 0


def test_sixteen_months_of_orders_with_a_weak_february(zh):
    monthly = _monthly(zh.orders)
    assert len(monthly) == 16 and str(monthly.index[0]) == "2025-07" and str(monthly.index[-1]) == "2026-10"
    assert monthly[pd.Period("2026-02", "M")] < 0.85 * monthly[pd.Period("2026-01", "M")]


def test_every_region_channel_and_product_line_sells(zh, en):
    assert set(zh.orders["region"]) == {r[0] for r in D.REGIONS}
    assert set(en.orders["region"]) == {"East", "South", "North", "Southwest", "Central"}
    assert set(zh.orders["channel"]) == {c.key for c in contract.CHANNELS}
    assert set(zh.orders["product_line"]) == {p[0] for p in D.PRODUCT_LINES}
    assert set(zh.orders["deal_type"]) == {"new", "renewal"}
    assert set(zh.products["product"]) >= set(zh.orders["product"])


def test_few_key_accounts_bring_most_revenue(zh):
    by_customer = zh.orders.groupby("customer")["amount"].sum().sort_values(ascending=False)
    top_fifth = by_customer.iloc[: len(by_customer) // 5].sum()
    assert top_fifth / by_customer.sum() > 0.6


def test_targets_cover_report_and_next_month_and_one_region_leads_one_lags(zh):
    targets, orders = zh.targets, zh.orders
    assert {REPORT, NEXT} <= set(targets["month"])
    assert len(set(targets["month"])) == 17
    actual = orders[orders["date"] >= REPORT].groupby("region")["amount"].sum()
    target = targets[targets["month"] == REPORT].groupby("region")["target"].sum()
    attainment = (actual / target).round(2)
    assert attainment["华东"] >= 1.1
    assert 0.75 <= attainment["西南"] <= 0.85
    assert (targets["target"] > 0).all() and (targets["target"] % 1000 == 0).all()


def test_designed_churn_customers_fall_two_months_in_a_row(zh):
    recent = zh.orders[zh.orders["date"] >= pd.Timestamp("2026-08-01")]
    table = recent.pivot_table(index="customer", columns=recent["date"].dt.to_period("M"), values="amount",
                               aggfunc="sum")
    flagged = churn_flags(table)
    assert 2 <= flagged.sum() <= 3
    for customer in flagged[flagged].index:
        aug, sep, oct_ = table.loc[customer].fillna(0)
        assert aug > sep > oct_


def test_pipeline_uses_the_stage_table(zh, en):
    for book, lang in ((zh, 0), (en, 1)):
        names = {s[lang] for s in contract.DEFAULT_STAGES}
        assert set(book.pipeline["stage"]) == names
        assert 60 <= (book.pipeline["category"] == "open").sum() <= 150
    assert zh.pipeline["lead_class"].isna().any() and zh.pipeline["lead_class"].notna().any()
    closes = zh.pipeline["expected_close"]
    assert closes.min() >= REPORT and closes.max() <= NEXT + pd.Timedelta(days=75)
    closed = zh.pipeline[zh.pipeline["category"] != "open"]
    assert (closed["expected_close"].dt.to_period("M") == REPORT.to_period("M")).all()


def test_activity_funnel_narrows_and_the_lagging_region_visits_less(zh):
    act = zh.activities
    stages = ["calls", "visits", "effective_visits", "proposals", "quotes", "trials", "deals"]
    values = act[stages].to_numpy()
    assert (np.diff(values, axis=1) <= 0).all()
    assert (np.diff(act.groupby("month")[stages].sum().to_numpy(), axis=1) < 0).all()
    report = act[act["month"] == REPORT].groupby("region")["visits"].mean()
    assert report["西南"] == report.min()
    assert set(act["month"]) >= {REPORT, REPORT - pd.offsets.MonthBegin(1)}


def test_receivables_fill_every_aging_bucket(zh):
    rec = zh.receivables
    end = pd.Timestamp("2026-10-31")
    unpaid = rec[rec["paid_date"].isna()]
    days = (end - unpaid["due_date"]).dt.days
    buckets = pd.cut(days, [-10_000, 0, 30, 60, 90, 10_000], labels=["current", "1-30", "31-60", "61-90", "90+"])
    assert set(buckets) == {"current", "1-30", "31-60", "61-90", "90+"}
    late = rec[rec["paid_date"] > rec["due_date"] + pd.Timedelta(days=30)]
    assert late["customer"].nunique() >= 2, "habitual late payers"
    assert rec["invoice"].is_unique and 500 <= len(rec) <= 2000


def test_feedback_plans_and_commission(zh):
    counts = zh.complaints["category"].value_counts()
    assert counts.iloc[0] >= 3 * counts.iloc[-1], "unequal categories make a Pareto"
    assert len(zh.satisfaction) == 6 and zh.satisfaction["previous"].notna().all()
    assert zh.nps["score"].between(0, 10).all() and 30 <= len(zh.nps) <= 60
    assert set(zh.resources["type"]) == {c.key for c in contract.RESOURCE_TYPES}
    assert set(zh.timeline["milestone"]) == {"11月10日检查进度;11月20日复盘"}
    assert zh.commission_metrics["weight"].sum() == pytest.approx(1.0)
    assert list(zh.commission_tiers["from_amount"]) == [0, 100000, 300000]


def test_english_sample_has_no_chinese_text(en):
    for key, frame in en.tables.items():
        for col in frame.columns:
            if frame[col].dtype == object and (key, col) != ("stages", "stage_zh"):
                text = " ".join(str(v) for v in frame[col].dropna().unique())
                assert not CJK.search(text), f"{key}.{col}: {CJK.findall(text)[:5]}"


def test_same_seed_same_model_other_seed_other_model(zh):
    again = generate(seed=7, lang="zh")
    for key in contract.TABLES:
        pd.testing.assert_frame_equal(again.tables[key], zh.tables[key])
    other = generate(seed=8, lang="zh")
    assert other.orders["amount"].sum() != zh.orders["amount"].sum()


@pytest.mark.parametrize("rows", [1, 59, 1000, 25_000])
def test_rows_sets_the_number_of_order_lines(rows):
    assert len(generate(rows=rows).orders) == rows


@pytest.mark.parametrize("rows", [0, -1, 1_000_001])
def test_rows_out_of_range_is_refused(rows):
    with pytest.raises(ValueError, match="rows"):
        generate(rows=rows)


# ------------------------------------------------------------------ the file
def test_same_seed_same_bytes_other_seed_other_bytes(files, tmp_path):
    assert write_sample(tmp_path / "again.xlsx", seed=7).read_bytes() == files["zh"].read_bytes()
    assert write_sample(tmp_path / "other.xlsx", seed=8).read_bytes() != files["zh"].read_bytes()


@pytest.mark.parametrize("lang", contract.LANGS)
def test_sample_reads_back_as_generated(files, lang):
    from salesdeck.workbook.read.reader import read_workbook

    book = read_workbook(files[lang])
    model = generate(seed=7, lang=lang)
    assert [i for i in book.issues if i.severity == "error"] == []
    assert book.settings == model.settings
    for key in contract.TABLES:
        assert len(book.tables[key]) == len(model.tables[key]), key
    for key, by, value in (("orders", "region", "amount"), ("targets", "region", "target"),
                           ("pipeline", "stage", "amount"), ("receivables", "customer", "paid_amount")):
        got = book.tables[key].groupby(by)[value].sum()
        pd.testing.assert_series_equal(got, model.tables[key].groupby(by)[value].sum(), obj=key)
    pd.testing.assert_series_equal(book.pipeline["probability"], model.pipeline["probability"])


def test_cells_carry_labels_and_formats(files):
    import openpyxl

    ws = openpyxl.load_workbook(files["zh"], read_only=False)["订单"]
    assert ws["E2"].value in {"直营", "分销", "电商"}
    assert ws["B2"].number_format == "yyyy-mm-dd" and ws["M2"].number_format == "#,##0"
    assert ws.tables["tbl_orders"].ref == "A1:M4801"


@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory):
    if office_module.SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("sample-pdf")
    texts = {}
    for lang in contract.LANGS:
        path = write_sample(folder / f"small-{lang}.xlsx", rows=200, lang=lang)
        texts[lang] = office_module.pdf_text(office_module.convert(path, folder))
    return texts


def test_sample_opens_in_libreoffice(sample_pdfs):
    assert "华信智能科技有限公司" in sample_pdfs["zh"] and "订单号" in sample_pdfs["zh"]
    assert "Huaxin Smart Technology Co., Ltd." in sample_pdfs["en"] and "Order ID" in sample_pdfs["en"]


# ------------------------------------------------------------------ CLI
def test_cli_sample_rows_gives_exactly_that_many_order_lines(tmp_path):
    target = tmp_path / "s.xlsx"
    result = CliRunner().invoke(cli, ["sample", "--rows", "1000", "--lang", "en", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(target)
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("Orders").to_python()
    assert rows[0][0] == "Order ID" and len(rows) == 1 + 1000


def test_cli_sample_default_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["sample", "--rows", "50", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "salesdeck-sample-zh.xlsx"
    assert (tmp_path / "salesdeck-sample-zh.xlsx").stat().st_size > 0


@pytest.mark.parametrize("args, message", [
    (["sample", "--rows", "0"], "0 is not in the range 1<=x<=1000000"),
    (["sample", "--rows", "1000001"], "1000001 is not in the range"),
    (["sample", "--seed", "x"], "'x' is not a valid integer"),
])
def test_cli_sample_usage_errors_exit_2(args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output
