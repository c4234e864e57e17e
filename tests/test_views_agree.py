"""One source for every number: the deck, the result sheet and `salesdeck metrics --json` show the same figures.

Each view is built from the same workbook (the sample and variants of it: no
next-month target, optional columns blank, one region, an empty pipeline, a
workbook made by `salesdeck import`), and every figure two views share is
compared. Deck values are read the way a reader sees them: chart series in
the unit their title names, table cells parsed back from their text.
"""

from __future__ import annotations

import copy
import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from salesdeck.generator.parts.analysis import analyze
from salesdeck.generator.parts.labels import label
from salesdeck.jobs.scope import restrict
from salesdeck.metrics import Metrics
from salesdeck.metrics.export import to_json
from salesdeck.results.tables import compute_results
from salesdeck.workbook.author.sample import generate
from salesdeck.workbook.model import empty_frame

UNITS = {"万元": 1e4, "亿元": 1e8, "元": 1.0, "K": 1e3, "M": 1e6}
MONEY_TEXT = re.compile(r"^(-?[\d,]+(?:\.\d+)?)(万|亿|K|M|B)?$")


# ---------------------------------------------------------------- reading the deck as a reader does
def chart_divisor(chart) -> float:
    unit = chart.title.rsplit("(", 1)[-1].rstrip(")").split()[-1]
    return UNITS[unit]


def money_text(text: str) -> tuple[float, float]:
    """A money cell as (value, the precision it was printed with)."""
    match = MONEY_TEXT.match(text)
    assert match, f"not a money cell: {text!r}"
    number, suffix = match.groups()
    scale = {"万": 1e4, "亿": 1e8, "K": 1e3, "M": 1e6, "B": 1e9}.get(suffix, 1.0)
    decimals = len(number.split(".")[1]) if "." in number else 0
    return float(number.replace(",", "")) * scale, scale * 10 ** -decimals


def assert_money(text: str, value: float) -> None:
    shown, precision = money_text(text)
    assert abs(shown - value) <= precision / 2 + 1e-6, (text, value)


def find_chart(deck, lang: str, key: str):
    title = label(key, lang)
    for part in deck.parts:
        for s in part.slides:
            for chart in s.charts:
                if chart.title.startswith(title):
                    return s, chart
    return None, None


def slides(deck, part: int):
    return deck.parts[part - 1].slides


# ---------------------------------------------------------------- the views
def views(model):
    m = Metrics(model)
    lang = "en" if model.settings.language == "en" else "zh"
    return json.loads(json.dumps(to_json(m))), {t.key: t for t in compute_results(Metrics(model))}, \
        analyze(model, lang), lang


def result_rows(table) -> dict:
    frame = table.frame
    return {row[0]: row[1:] for row in frame.astype(object).where(frame.notna(), None).values.tolist()}


def close(a, b) -> bool:
    if a is None or b is None or (isinstance(b, float) and pd.isna(b)):
        return (a is None or pd.isna(a)) and (b is None or pd.isna(b))
    return a == pytest.approx(b)


# ---------------------------------------------------------------- variants
def _sample():
    return generate(seed=7, lang="zh")


def _no_next_month(model):
    model.settings.next_month_target = None
    t = model.tables["targets"]
    model.tables["targets"] = t[t["month"].dt.to_period("M") != pd.Period(model.settings.month, "M") + 1]
    return model


def _blank_optional(model):
    for table, columns in (("orders", ("tier", "deal_type", "channel", "product_line")), ("pipeline", ("lead_source",))):
        for column in columns:
            model.tables[table][column] = None
    return model


def _one_region(model):
    return restrict(model, "region", "华东")


def _empty_pipeline(model):
    model.tables["pipeline"] = empty_frame("pipeline")
    return model


VARIANTS = {"sample": lambda m: m, "no_next_month": _no_next_month, "optional_blank": _blank_optional,
            "one_region": _one_region, "empty_pipeline": _empty_pipeline}


@pytest.fixture(scope="module")
def sample():
    return _sample()


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def variant(request, sample):
    return VARIANTS[request.param](copy.deepcopy(sample))


# ---------------------------------------------------------------- the agreements
def check_regions(data, results, deck, lang):
    rows = result_rows(results["attainment_region"])
    for region, figures in data["by_region"].items():
        actual, target, attainment = rows[region][:3]
        assert close(figures["sales"], actual) and close(figures["target"], target)
        assert close(figures["attainment"], attainment)
    total = rows[label("total", lang) if lang == "en" else "合计"]
    assert close(data["sales"], total[0]) and close(data["target"], total[1]) and close(data["attainment"], total[2])
    s, chart = find_chart(deck, lang, "chart_target_actual")
    if chart is None:
        assert all(v["target"] in (None, 0) for v in data["by_region"].values())
        return
    divisor = chart_divisor(chart)
    for name, target, actual, att in zip(chart.categories, *(series.values for series in chart.series)):
        assert target * divisor == pytest.approx(data["by_region"][name]["target"])
        assert actual * divisor == pytest.approx(data["by_region"][name]["sales"])
        assert att == pytest.approx(data["by_region"][name]["attainment"])


def check_kpis(data, deck):
    kpi = next(s for s in slides(deck, 1) if s.kind == "kpis")
    assert_money(kpi.kpis[0].value, data["sales"])
    if data["target"] is not None:
        assert_money(kpi.kpis[1].value, data["target"])


def check_next_month(data, results, deck, lang):
    nxt = data["next_month"]
    if nxt["total"] is None:
        assert nxt["by_region"] == nxt["by_rep"] == nxt["by_xun"] == {}
        for key in ("split_region", "split_product_line", "split_rep", "split_xun"):
            assert results[key].frame.empty and results[key].note
        assert any(s.kind == "empty" and label("topic_next_target", lang) in s.title for s in slides(deck, 6))
        return
    for dim in ("region", "product_line"):
        rows = result_rows(results[f"split_{dim}"])
        assert {k: v[1] for k, v in rows.items() if k != label("total", lang)} == nxt[f"by_{dim}"]
        _, chart = find_chart(deck, lang, f"chart_split_{dim}")
        divisor = chart_divisor(chart)
        assert {c: round(v * divisor, 2) for c, v in zip(chart.categories, chart.series[0].values)} == \
            pytest.approx(nxt[f"by_{dim}"])
        assert sum(nxt[f"by_{dim}"].values()) == pytest.approx(nxt["total"])
    frame = results["split_rep"].frame.iloc[:-1]
    reps = frame[frame.iloc[:, 0].isin(nxt["by_rep"])].groupby(frame.columns[0])[frame.columns[2]].sum()
    assert reps.to_dict() == pytest.approx(nxt["by_rep"])
    rep_slide = next(s for s in slides(deck, 6) if s.table is not None and s.table.columns[0] == label("rep", lang))
    shown: dict[str, float] = {}
    for row in rep_slide.table.rows:
        if row[0] in nxt["by_rep"]:
            shown[row[0]] = shown.get(row[0], 0.0) + money_text(row[2])[0]
    for rep, amount in nxt["by_rep"].items():
        assert shown[rep] == pytest.approx(amount, abs=1000)
    xun = result_rows(results["split_xun"])
    assert {k: v[3] for k, v in xun.items() if k != label("total", lang)} == nxt["by_xun"]
    _, chart = find_chart(deck, lang, "chart_xun")
    assert dict(zip(chart.categories, (v * chart_divisor(chart) for v in chart.series[0].values))) == \
        pytest.approx(nxt["by_xun"])


def check_pipeline(data, results):
    rows = result_rows(results["pipeline"])
    assert set(rows) == set(data["pipeline"]["by_rep"])
    for rep, figures in data["pipeline"]["by_rep"].items():
        deals, open_, weighted, commit, best, pipe, _, coverage = rows[rep]
        assert (open_, weighted, commit, best, pipe) == pytest.approx(
            (figures["open"], figures["weighted"], figures["commit"], figures["best_case"], figures["pipeline"]))
        assert close(figures["coverage"], coverage)
    assert sum(v["open"] for v in data["pipeline"]["by_region"].values()) == pytest.approx(data["pipeline"]["open"])


def check_churn(data, results, deck, lang):
    frame = results["churn"].frame
    flagged = frame[frame[label("churn", lang) if lang == "en" else "流失预警"] != ""]
    expected = [[c["customer"], c["rep"]] for c in data["churn"]]
    assert expected == flagged.iloc[:, :2].astype(object).where(flagged.iloc[:, :2].notna(), None).values.tolist()
    churn_slide = slides(deck, 3)[1]
    if churn_slide.table is not None:
        blank = "—"
        assert [[cu, rep or blank] for cu, rep in expected] == [row[:2] for row in churn_slide.table.rows]
    else:
        assert data["churn"] == []


def check_receivables(data, results, deck, lang):
    totals = result_rows(results["aging_totals"])
    outstanding = [v[2] for k, v in totals.items() if k != label("total", lang)]
    assert outstanding == pytest.approx(list(data["receivables"]["aging"].values()))
    _, chart = find_chart(deck, lang, "chart_aging")
    if chart is not None:
        assert [v * chart_divisor(chart) for v in chart.series[0].values] == \
            pytest.approx(list(data["receivables"]["aging"].values()))


def check_feedback(data, deck, lang):
    _, pareto = find_chart(deck, lang, "chart_pareto")
    assert (pareto.series[0].values if pareto else []) == list(data["complaints"].values())
    _, nps = find_chart(deck, lang, "chart_nps")
    if nps is None:
        assert data["nps"] is None
        return
    promoters, _, detractors = nps.series[0].values
    assert 100 * (promoters - detractors) / sum(nps.series[0].values) == pytest.approx(data["nps"])


def check_all(model):
    data, results, deck, lang = views(model)
    check_regions(data, results, deck, lang)
    check_kpis(data, deck)
    check_next_month(data, results, deck, lang)
    check_pipeline(data, results)
    check_churn(data, results, deck, lang)
    check_receivables(data, results, deck, lang)
    check_feedback(data, deck, lang)


def test_the_three_views_agree(variant):
    check_all(variant)


def test_the_variants_are_what_they_say(sample):
    assert to_json(Metrics(_no_next_month(copy.deepcopy(sample))))["next_month"]["total"] is None
    assert list(to_json(Metrics(_one_region(copy.deepcopy(sample))))["by_region"]) == ["华东"]
    assert to_json(Metrics(_empty_pipeline(copy.deepcopy(sample))))["pipeline"]["by_rep"] == {}


def test_the_cli_json_and_the_refreshed_file_agree(tmp_path):
    """File to file: `salesdeck metrics --json` and the sheet `salesdeck refresh` wrote, read with openpyxl."""
    import openpyxl

    from salesdeck.workbook.author.sample import write_sample

    path = write_sample(tmp_path / "s.xlsx", seed=11, lang="en")
    out = CliRunner().invoke(cli, ["metrics", str(path), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert CliRunner().invoke(cli, ["refresh", str(path), "-o", str(tmp_path / "r.xlsx")]).exit_code == 0
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["Results"]
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(cells) if row[0] == "Region")
    regions = {}
    for row in cells[start + 1:]:
        if row[0] in (None, "Total"):
            break
        regions[row[0]] = {"sales": row[1], "target": row[2], "attainment": row[3]}
    assert set(regions) == set(data["by_region"])
    for region, figures in regions.items():
        assert figures == pytest.approx(data["by_region"][region])


def test_a_workbook_made_by_import_gives_the_same_figures_in_every_view(tmp_path, sample):
    """Orders and targets exported as CSV, imported into a blank template: the views still agree."""
    runner = CliRunner()
    book = tmp_path / "imported.xlsx"
    assert runner.invoke(cli, ["template", "-o", str(book)]).exit_code == 0
    orders = sample.orders.drop(columns="_row")
    orders = orders.assign(channel=orders["channel"].map({"direct": "直营", "distribution": "分销",
                                                          "ecommerce": "电商"}))
    orders.rename(columns={"order_id": "订单号", "date": "日期", "rep": "销售代表", "region": "区域", "customer": "客户",
                           "product": "产品", "product_line": "产品线", "channel": "渠道", "amount": "金额"})[
        ["订单号", "日期", "销售代表", "区域", "渠道", "客户", "产品", "产品线", "金额"]].to_csv(
        tmp_path / "orders.csv", index=False)
    sample.targets.rename(columns={"month": "月份", "region": "区域", "rep": "销售代表", "product_line": "产品线",
                                   "target": "目标金额"})[["月份", "区域", "销售代表", "产品线", "目标金额"]].to_csv(
        tmp_path / "targets.csv", index=False)
    for source, table in (("orders.csv", "orders"), ("targets.csv", "targets")):
        result = runner.invoke(cli, ["import", str(tmp_path / source), "--into", str(book), "--as", table,
                                     "--in-place"])
        assert result.exit_code == 0, result.output
    from salesdeck.workbook.read.reader import read_workbook

    model = read_workbook(book)
    assert len(model.orders) == len(sample.orders)
    check_all(model)


def test_docs_state_the_rules_the_code_applies():
    from pathlib import Path

    from salesdeck.metrics.docs import metrics_markdown

    doc = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"
    assert doc.read_text(encoding="utf-8") == metrics_markdown(), "run: python -m salesdeck.metrics.docs > docs/metrics.md"


def test_every_json_key_is_documented(sample):
    from salesdeck.metrics.docs import JSON_KEYS

    documented = {k.strip().split(".")[0] for keys, _ in JSON_KEYS for k in keys.split(",")}
    assert set(to_json(Metrics(sample))) <= documented
