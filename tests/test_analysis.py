"""Deck analysis on the sample workbook: titles carry the computed numbers, charts the aggregates."""

from __future__ import annotations

import copy
import math
import re

import numpy as np
import pandas as pd
import pytest

from salesdeck.generator.parts.analysis import analyze
from salesdeck.generator.parts.labels import PART_TITLES
from salesdeck.workbook import contract
from salesdeck.workbook.model import TableLocation, empty_frame
from salesdeck.workbook.author.sample import generate
from tests.readable import mentions_money, rag, reads_change, reads_money, shows_pct

MONTH = pd.Period("2026-10", freq="M")


@pytest.fixture(scope="module")
def zh_model():
    return generate(seed=7, lang="zh")


@pytest.fixture(scope="module")
def en_model():
    return generate(seed=7, lang="en")


@pytest.fixture(scope="module")
def zh(zh_model):
    return analyze(zh_model, "zh")


@pytest.fixture(scope="module")
def en(en_model):
    return analyze(en_model, "en")


def slide(deck, part: int, index: int):
    return deck.parts[part - 1].slides[index]


def month_orders(model):
    o = model.orders
    return o[o["date"].dt.to_period("M") == MONTH]


def region_attainment(model) -> pd.Series:
    """Independent of the analysis: orders and targets summed with pandas."""
    t = model.targets
    targets = t[t["month"].dt.to_period("M") == MONTH].groupby("region")["target"].sum()
    actual = month_orders(model).groupby("region")["amount"].sum()
    return (actual / targets).sort_values(ascending=False)


# ------------------------------------------------------------------ deck frame
def test_title_slide_and_agenda(zh, en, zh_model):
    assert zh.title == "2026年10月销售月例会"
    assert zh.month_label == "2026年10月" and en.month_label == "October 2026"
    assert zh.company == zh_model.settings.company
    assert zh_model.settings.presenter in zh.presenter_line
    assert (zh.agenda_title, en.agenda_title) == ("目录", "Agenda")


def test_part_titles_are_the_six_names(zh, en):
    assert [p.title for p in zh.parts] == ["月度业绩概览", "销售数据分析", "关键问题诊断", "客户反馈处理",
                                         "资源支持需求", "下月行动计划"]
    assert tuple(p.title for p in en.parts) == PART_TITLES["en"]
    assert [p.number for p in zh.parts] == [1, 2, 3, 4, 5, 6]


def test_same_model_gives_the_same_deck(zh_model, zh):
    assert analyze(zh_model, "zh") == zh


def test_every_data_slide_has_source_notes(zh, en):
    for deck, word in ((zh, "数据来源"), (en, "Source")):
        for part in deck.parts:
            for s in part.slides:
                assert s.notes.startswith(word), (s.title, s.notes)
                assert s.title


# ------------------------------------------------------------------ part 1
def test_kpis_show_sales_target_attainment_and_changes(zh, zh_model):
    kpis = slide(zh, 1, 0).kpis
    sales = month_orders(zh_model)["amount"].sum()
    t = zh_model.targets
    target = t[t["month"].dt.to_period("M") == MONTH]["target"].sum()
    o = zh_model.orders
    september = o[o["date"].dt.to_period("M") == MONTH - 1]["amount"].sum()
    assert [k.label for k in kpis] == ["销售额", "目标", "达成率", "环比", "同比"]
    assert reads_money(kpis[0].value, sales, "zh")
    assert reads_money(kpis[1].value, target, "zh")
    assert kpis[1].delta.startswith("差额 ") and reads_money(kpis[1].delta[3:], sales - target, "zh")
    assert shows_pct(kpis[2].value, sales / target)
    assert kpis[2].fill == rag(sales / target)
    assert reads_change(kpis[3].value, sales / september - 1)
    assert shows_pct(slide(zh, 1, 0).title, sales / target)


def test_region_title_names_the_top_region_and_its_attainment(zh, en, zh_model, en_model):
    for deck, model in ((zh, zh_model), (en, en_model)):
        att = region_attainment(model)
        title = slide(deck, 1, 1).title
        assert title.startswith(f"{att.index[0]}")
        assert shows_pct(title, att.iloc[0])
    assert "拉动整体" in slide(zh, 1, 1).title or "整体仍差" in slide(zh, 1, 1).title


def test_region_chart_series_are_target_actual_and_attainment(zh, zh_model):
    att = region_attainment(zh_model)
    chart = slide(zh, 1, 1).charts[0]
    assert chart.type == "combo" and chart.categories == list(att.index)
    assert chart.number_format == '#,##0.0"万"' and "万元" in chart.title
    actual = month_orders(zh_model).groupby("region")["amount"].sum().reindex(att.index)
    assert chart.series[1].values == pytest.approx(list(actual / 1e4))
    assert chart.series[2].values == pytest.approx(list(att))
    assert chart.series[2].kind == "line" and chart.secondary_number_format == "0%"
    assert chart.point_fills == [rag(a) for a in att]


def company_attainment(model) -> float:
    t = model.targets
    return month_orders(model)["amount"].sum() / t[t["month"].dt.to_period("M") == MONTH]["target"].sum()


def test_ranking_table_cells_are_formatted_with_rag_fills(zh, zh_model):
    att = region_attainment(zh_model)
    table = slide(zh, 1, 2).table
    assert table.columns == ["排名", "区域", "实际", "目标", "达成率", "偏离(百分点)"]
    first = table.rows[0]
    assert first[:2] == ["1", att.index[0]]
    assert shows_pct(first[4], att.iloc[0])
    # deviation: percentage points from the company's attainment, the one average of the deck
    for row, value in zip(table.rows, att):
        assert float(row[5]) == pytest.approx((value - company_attainment(zh_model)) * 100, abs=0.05)
    assert [f[4] for f in table.fills] == [rag(a) for a in att]
    assert table.rows[-1][5].startswith("-")
    assert shows_pct(slide(zh, 1, 2).subtitle, company_attainment(zh_model))


def test_tier_doughnut_and_channel_columns(zh, zh_model):
    mo = month_orders(zh_model)
    tiers = slide(zh, 1, 4).charts[0]
    assert tiers.type == "doughnut" and tiers.categories == ["大客户", "中型客户", "小客户"]
    by_tier = mo.groupby("tier")["amount"].sum()
    assert tiers.series[0].values == pytest.approx([by_tier[k] / 1e4 for k in ("key", "mid", "small")])
    share = by_tier.max() / by_tier.sum()
    assert shows_pct(slide(zh, 1, 4).title, share)

    ch = slide(zh, 1, 5)
    assert ch.charts[0].categories == ["直营", "分销", "电商"]
    now = mo.groupby("channel")["amount"].sum()
    expected = [now[k] / 1e4 for k in ("direct", "distribution", "ecommerce")]
    assert ch.charts[0].series[1].values == pytest.approx(expected)
    o = zh_model.orders
    before = o[o["date"].dt.to_period("M") == MONTH - 1].groupby("channel")["amount"].sum()
    assert reads_change(ch.table.rows[0][3], now["direct"] / before["direct"] - 1)


def test_top_products_with_share_and_lifecycle(en, en_model):
    s = slide(en, 1, 6)
    sales = month_orders(en_model).groupby("product")["amount"].sum().sort_values(ascending=False)
    share3 = sales.head(3).sum() / sales.sum()
    assert shows_pct(s.title, share3) and sales.index[0] in s.title
    assert [r[1] for r in s.table.rows] == list(sales.index[:3])
    lifecycle = en_model.products.set_index("product")["lifecycle"][sales.index[0]]
    assert s.table.rows[0][3] == contract.find_choice(contract.LIFECYCLES, lifecycle).en
    assert s.charts[0].categories[-1] == "Others"


# ------------------------------------------------------------------ part 2
def test_funnel_counts_and_biggest_drop(zh, zh_model):
    s = slide(zh, 2, 0)
    acts = zh_model.activities[zh_model.activities["month"].dt.to_period("M") == MONTH]
    stages = ["calls", "visits", "effective_visits", "proposals", "quotes", "trials", "deals"]
    counts = acts[stages].sum()
    assert s.charts[0].type == "funnel"
    assert s.charts[0].series[0].values == pytest.approx(list(counts))
    conv = (counts / counts.shift(1)).iloc[1:]
    worst = conv.idxmin()
    before = stages[stages.index(worst) - 1]
    header = {k: contract.TABLES["activities"].column(k).zh for k in stages}
    assert s.title.startswith(f"{header[before]}→{header[worst]}")
    assert shows_pct(s.title, conv.min())


def test_win_rate_by_lead_channel(en, en_model):
    s = slide(en, 2, 1)
    p = en_model.pipeline
    won = (p["category"] == "won").groupby(p["lead_source"]).sum()
    lost = (p["category"] == "lost").groupby(p["lead_source"]).sum()
    rates = (won / (won + lost)).dropna()
    chart = dict(zip(s.charts[0].categories, s.charts[0].series[0].values))
    closed = won + lost
    for key, rate in rates.items():
        label = contract.find_choice(contract.LEAD_SOURCES, key).en
        shown = label if closed[key] >= 10 else f"{label} (n={closed[key]})"
        assert chart[shown] == pytest.approx(rate)
    assert "Win rate" in s.notes or "win rate" in s.notes


def test_new_vs_renewal_stacks_and_aov_line(zh, zh_model):
    s = slide(zh, 2, 2)
    mo = month_orders(zh_model)
    grid = mo.pivot_table(index="region", columns="deal_type", values="amount", aggfunc="sum", fill_value=0)
    by_region = s.charts[0]
    assert by_region.type == "stacked_bar" and [x.name for x in by_region.series] == ["新签", "续约"]
    assert by_region.series[1].values == pytest.approx(list(grid.loc[by_region.categories, "renewal"] / 1e4))
    new_share = mo.loc[mo["deal_type"] == "new", "amount"].sum() / mo["amount"].sum()
    assert shows_pct(s.title, new_share)

    aov = slide(zh, 2, 3)
    o = zh_model.orders
    oct_ = o[o["date"].dt.to_period("M") == MONTH]
    value = oct_["amount"].sum() / oct_["order_id"].nunique()
    assert len(aov.charts[0].categories) == 13 and aov.charts[0].categories[-1] == "2026-10"
    assert aov.charts[0].series[0].values[-1] == pytest.approx(value / 1e4)
    assert mentions_money(aov.title, value, "zh")
    year = o[o["date"].dt.to_period("M") > MONTH - 12].groupby("customer")["amount"].sum().sort_values(ascending=False)
    top20 = year.head(math.ceil(len(year) * 0.2)).sum() / year.sum()
    assert "前20%客户贡献" in aov.title and shows_pct(aov.title.split("前20%客户贡献")[1], top20)


# ------------------------------------------------------------------ part 3
def test_reps_below_target_with_activity_and_cause(zh, zh_model):
    s = slide(zh, 3, 0)
    t = zh_model.targets
    targets = t[t["month"].dt.to_period("M") == MONTH].groupby("rep")["target"].sum()
    actual = month_orders(zh_model).groupby("rep")["amount"].sum().reindex(targets.index, fill_value=0)
    att = (actual / targets).sort_values()
    below = att[att < 1]
    assert [r[0] for r in s.table.rows[:-1]] == list(below.index)
    assert shows_pct(s.table.rows[0][1], below.iloc[0])
    assert s.table.rows[-1][0] == "公司整体"
    assert shows_pct(s.table.rows[-1][1], company_attainment(zh_model))
    assert {r[6] for r in s.table.rows[:-1]} <= {"数量:拜访不足", "方向:方案转化低", "质量:成交率低", "活动正常:复核目标/资源"}
    assert s.title.startswith(f"{len(below)}/{len(targets)}名销售代表未达标")


def test_churn_table_lists_customers_down_two_months_and_those_who_stopped(zh, zh_model):
    s = slide(zh, 3, 1)
    o = zh_model.orders
    months = pd.period_range(MONTH - 7, MONTH, freq="M")
    grid = o.assign(m=o["date"].dt.to_period("M")).pivot_table(
        index="customer", columns="m", values="amount", aggfunc="sum", fill_value=0).reindex(columns=months,
                                                                                           fill_value=0)
    down = grid[(grid[MONTH] < grid[MONTH - 1]) & (grid[MONTH - 1] < grid[MONTH - 2])].index
    regular = (grid[list(months[:6])] != 0).sum(axis=1) >= 3
    stopped = grid[regular & (grid[MONTH - 1] == 0) & (grid[MONTH] == 0)].index
    assert sorted(r[0] for r in s.table.rows) == sorted([*down, *stopped])
    assert {r[0] for r in s.table.rows if r[2] == "已停止下单"} == set(stopped)
    assert s.table.columns[3:6] == ["2026年8月", "2026年9月", "2026年10月"]
    assert s.title.startswith(f"{len(down) + len(stopped)}家客户流失预警")


def test_receivables_aging_buckets_and_abnormal_payers(en, en_model):
    s = slide(en, 3, 2)
    r = en_model.receivables
    paid = r["paid_amount"].where(r["paid_amount"].notna(), np.where(r["paid_date"].notna(), r["amount"], 0))
    outstanding = (r["amount"] - paid).clip(lower=0)
    assert sum(s.charts[0].series[0].values) == pytest.approx(outstanding.sum() / 1e6)
    assert s.charts[0].categories == ["Current", "1-30 days", "31-60 days", "61-90 days", "90+ days"]
    end = pd.Timestamp("2026-10-31")
    over60 = outstanding[(outstanding > 0) & ((end - r["due_date"]).dt.days > 60)].sum()
    assert any(reads_money(word.rstrip(","), over60, "en") for word in s.subtitle.split())
    for row in s.table.rows:  # longest and average are "—" for a slow payer with nothing open
        assert (row[3] != "—" and int(row[3]) >= 30) or "far later" in row[6]
        assert row[4] == "—" or int(row[4]) <= int(row[3])  # the average never exceeds the longest


# ------------------------------------------------------------------ part 4 and 5
def test_complaints_pareto_and_nps(zh, zh_model):
    s = slide(zh, 4, 0)
    c = zh_model.complaints
    c = c[c["date"].dt.to_period("M") == MONTH]
    counts = c["category"].value_counts()
    combo = s.charts[0]
    assert combo.type == "combo" and [x.kind for x in combo.series] == ["column", "line"]
    assert combo.series[0].values == sorted(combo.series[0].values, reverse=True)
    assert combo.series[0].values[0] == counts.max()
    assert combo.series[1].values[-1] == pytest.approx(1.0)
    assert shows_pct(s.title, counts.max() / counts.sum())

    nps = slide(zh, 4, 2)
    scores = zh_model.nps["score"]
    value = 100 * ((scores >= 9).mean() - (scores <= 6).mean())
    shown = re.match(r"NPS为([-+][\d.]+)", nps.title)
    assert shown and float(shown.group(1)) == pytest.approx(value, abs=0.05)
    assert nps.charts[0].series[0].values == [float((scores >= 9).sum()), float(scores.between(7, 8).sum()),
                                              float((scores <= 6).sum())]


def test_satisfaction_bars_against_last_period(en, en_model):
    s = slide(en, 4, 1)
    sat = en_model.satisfaction
    assert [x.name for x in s.charts[0].series] == ["Last period", "This period"]
    assert s.charts[0].series[1].values == list(sat["score"])
    assert s.title.startswith(f"Satisfaction {sat['score'].mean():.1f}")


def test_resources_table_sorted_by_priority_with_fills(zh):
    s = slide(zh, 5, 0)
    assert s.table.columns == ["需求", "类型", "提出人", "负责人", "截止日期", "优先级", "状态"]
    priorities = [r[5] for r in s.table.rows]
    assert priorities == sorted(priorities, key=["高", "中", "低"].index)
    assert {f[5] for f, r in zip(s.table.fills, s.table.rows) if r[5] == "高"} == {"red"}


# ------------------------------------------------------------------ part 6
def test_next_month_split_sums_exactly(zh, zh_model):
    total = zh_model.settings.next_month_target
    region, line, reps, xun = (slide(zh, 6, i) for i in range(4))
    for s in (region, line):
        assert sum(s.charts[0].series[0].values) * 1e4 == pytest.approx(total)
        assert reads_money(s.table.rows[-1][-1], total, "zh")
        assert all(round(v * 1e4) % zh_model.settings.split_unit == 0 for v in s.charts[0].series[0].values)
    assert mentions_money(region.title, total, "zh")
    assert sum(xun.charts[0].series[0].values) * 1e4 == pytest.approx(total)
    assert [r[0] for r in xun.table.rows] == ["上旬", "中旬", "下旬", "合计"]
    assert reps.table.columns == ["销售代表", "区域", "下月目标", "现有业务", "需新签(单)", "拜访", "日均拜访", "日均电话",
                                  "最佳月拜访"]


def test_actions_and_timeline_tables(en, en_model):
    actions, timeline = slide(en, 6, 4), slide(en, 6, 5)
    assert len(actions.table.rows) == len(en_model.actions)
    assert actions.table.columns == ["Key account", "Action", "Owner", "Due date", "Status"]
    assert [r[3] for r in actions.table.rows] == sorted(r[3] for r in actions.table.rows)
    assert len(timeline.table.rows) == len(en_model.timeline)
    assert timeline.title.startswith(f"{len(en_model.timeline)} improvements")


# ------------------------------------------------------------------ previous month
def test_review_of_last_months_actions_only_with_previous(zh_model, zh):
    assert not any(s.title.startswith("2026年9月计划") for s in zh.parts[0].slides)
    previous = copy.deepcopy(zh_model)
    acts = previous.actions.copy()
    acts["due_date"] = pd.Timestamp("2026-10-20")
    acts["status"] = "not_started"
    previous.tables["actions"] = acts
    previous.source = "2026-09.xlsx"
    current = copy.deepcopy(zh_model)
    done = current.actions.copy()
    done.loc[0, ["action", "owner"]] = acts.loc[0, ["action", "owner"]]
    done.loc[0, "status"] = "done"
    current.tables["actions"] = done
    deck = analyze(current, "zh", previous=previous)
    review = deck.parts[0].slides[0]
    assert review.kind == "table"
    assert review.title == f"2026年9月计划{len(acts)}项行动：完成1项，{len(acts) - 1}项逾期或延期"
    statuses = [r[4] for r in review.table.rows]
    assert statuses.count("已完成") == 1
    assert "2026-09.xlsx" in review.notes
    assert len(deck.parts[0].slides) == len(zh.parts[0].slides) + 1


def test_previous_fills_months_missing_from_this_workbook(zh_model):
    current = copy.deepcopy(zh_model)
    o = current.orders
    current.tables["orders"] = o[o["date"].dt.to_period("M") == MONTH].reset_index(drop=True)
    alone = analyze(current, "zh").parts[0].slides[0].kpis[3]
    with_prev = analyze(current, "zh", previous=zh_model).parts[0].slides[1].kpis[3]
    assert alone.value == "—"
    september = o[o["date"].dt.to_period("M") == MONTH - 1]["amount"].sum()
    assert reads_change(with_prev.value, o[o["date"].dt.to_period("M") == MONTH]["amount"].sum() / september - 1)


# ------------------------------------------------------------------ empty tables
EMPTY_TOPICS = {
    "orders": ["月度业绩：本月无数据", "新签与续约：本月无数据", "流失预警：本月无数据"],
    "targets": ["区域达成：本月无数据", "未达标诊断：本月无数据"],
    "pipeline": ["渠道转化：本月无数据"],
    "activities": ["销售漏斗：本月无数据"],
    "receivables": ["应收账龄：本月无数据"],
    "complaints": ["客户投诉：本月无数据"],
    "satisfaction": ["满意度：本月无数据"],
    "nps": ["NPS：本月无数据"],
    "resources": ["资源支持需求：本月无数据"],
    "actions": ["重点客户行动：本月无数据"],
    "timeline": ["专项改进时间表：本月无数据"],
}


@pytest.mark.parametrize("table", sorted(contract.TABLES))
def test_blank_table_gives_empty_slides_not_a_crash(zh_model, table):
    model = copy.copy(zh_model)
    model.tables = dict(zh_model.tables)
    model.tables[table] = empty_frame(table)
    deck = analyze(model, "zh")
    empty = {s.title: s for p in deck.parts for s in p.slides if s.kind == "empty"}
    for title in EMPTY_TOPICS.get(table, []):
        assert title in empty
        sheet = contract.SHEET_OF[table].zh
        assert f"「{sheet}」" in empty[title].bullets[0]
    if table not in EMPTY_TOPICS:
        assert not empty
    assert all(p.slides for p in deck.parts)


def test_all_tables_blank_in_english(en_model):
    model = copy.copy(en_model)
    model.tables = {k: empty_frame(k) for k in contract.TABLES}
    deck = analyze(model, "en")
    kinds = [s.kind for p in deck.parts for s in p.slides]
    assert kinds.count("empty") >= 15
    assert deck.parts[0].slides[0].title == "Monthly performance: No data this month"
    assert deck.parts[0].slides[0].bullets == ["Fill in the Orders sheet and generate again"]


# ------------------------------------------------------------------ notes and narrative
def test_notes_name_sheet_ranges_filters_and_formulas(zh_model):
    model = copy.copy(zh_model)
    model.locations = {"orders": TableLocation("订单", 1, {"amount": "M", "date": "B", "region": "D"}, 4801)}
    notes = analyze(model, "zh").parts[0].slides[0].notes
    assert "订单!M2:M4801 (金额)" in notes
    assert "日期 在 2026-10" in notes
    assert "达成率 = 实际 / 目标" in notes and "RAG: <80% 红, <100% 黄" in notes


def test_user_narrative_folder_overrides_a_title(zh_model, tmp_path):
    (tmp_path / "p1_regions.j2").write_text("{{ top }}领跑：{{ top_attainment|pct1 }}\n", encoding="utf-8")
    deck = analyze(zh_model, "zh", narrative_dir=tmp_path)
    att = region_attainment(zh_model)
    title = deck.parts[0].slides[1].title
    assert title.startswith(f"{att.index[0]}领跑：") and shows_pct(title, att.iloc[0])
    assert deck.parts[0].slides[1].subtitle == ""
    assert deck.parts[0].slides[0].title == analyze(zh_model, "zh").parts[0].slides[0].title


def test_bridge_from_last_month_adds_up_by_region(zh, zh_model):
    bridge = slide(zh, 1, 3)
    chart = bridge.charts[0]
    assert chart.type == "waterfall"
    values = chart.series[0].values
    orders = zh_model.orders
    months = orders["date"].dt.to_period("M")
    now = orders.loc[months == MONTH, "amount"].sum() / 1e4
    before = orders.loc[months == MONTH - 1, "amount"].sum() / 1e4
    assert values[0] == pytest.approx(before) and values[-1] == pytest.approx(now)
    assert sum(values[1:-1]) == pytest.approx(now - before)  # the steps add up to the change
    assert chart.categories[0] == "2026年9月" and chart.categories[-1] == "2026年10月"
    assert bridge.title.startswith("环比") and reads_change(bridge.title[2:].split("，")[0], now / before - 1)
