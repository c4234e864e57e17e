"""The deck's judgment rules, each on a small workbook of its own whose numbers are worked out by hand.

A conclusion must follow from filled, sufficient data: a plan a rep can do,
the biggest old debts first, customers who stopped ordering warned about, no
headline from an empty column or from a handful of cases, one average per
deck, statuses judged by their dates.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from salesdeck.generator.parts.analysis import analyze
from salesdeck.metrics import Metrics
from salesdeck.workbook import model as wb

D = dt.datetime
MONTH_END = pd.Timestamp("2026-10-31")


def book(**tables) -> wb.SalesWorkbook:
    """A validated-looking workbook for October 2026 from lists of row dicts (columns by contract key)."""
    settings = wb.Settings(company="测试公司", month=dt.date(2026, 10, 1), split_unit=1.0)
    frames = {key: wb.conform(key, pd.DataFrame(rows)) for key, rows in tables.items()}
    return wb.SalesWorkbook(settings=settings, tables=frames)


def order(i, date, amount, rep="王磊", customer="甲公司", deal_type="renewal", region="华东", **extra):
    return {"order_id": f"O{i}", "date": date, "rep": rep, "region": region, "channel": "direct",
            "customer": customer, "tier": "mid", "product": "P1", "product_line": "线A", "deal_type": deal_type,
            "amount": amount, **extra}


def find(deck, part: int, word: str):
    return next(s for s in deck.parts[part - 1].slides if word in s.title or word in (s.table.columns if s.table else []))


# ---------------------------------------------------------------- workload: one funnel, a plan a human can do
def workload_book(deals_per_month: float, target: float = 300000.0):
    """王磊: next month's ``target``; renewals 30,000 in 3 months; 12 new orders of 50,000 over 6 months;
    6 months of activity: 60 visits, 240 calls, 3 proposals per deal and ``deals_per_month`` deals a month."""
    orders = [order(i, D(2026, m, 10), 10000.0) for i, m in enumerate((8, 9, 10))]
    orders += [order(100 + i, D(2026, 5 + i % 6, 12), 50000.0, deal_type="new", customer=f"新客{i}")
               for i in range(12)]
    activities = [{"rep": "王磊", "month": D(2026, m, 1), "calls": 240.0, "visits": 60.0,
                   "proposals": 3.0 * deals_per_month, "deals": deals_per_month} for m in range(5, 11)]
    targets = [{"month": D(2026, 11, 1), "region": "华东", "rep": "王磊", "target": target},
               {"month": D(2026, 10, 1), "region": "华东", "rep": "王磊", "target": 250000.0}]
    return book(orders=orders, activities=activities, targets=targets)


def test_workload_uses_the_reps_own_funnel_and_says_per_working_day():
    m = Metrics(workload_book(deals_per_month=2))
    w = m.workload.set_index("rep").loc["王磊"]
    # existing business: 30,000 of renewals over 3 months = 10,000 a month; gap 290,000; E = the rep's own
    # 12 new orders, 600,000 / 12 = 50,000; F = ceil(290,000 / 50,000) = 6 deals.
    assert (w["existing"], w["gap"], w["new_order_value"], w["new_deals"]) == (10000.0, 290000.0, 50000.0, 6)
    # ratios from the same 6 months of activity: 36 proposals, 360 visits, 1,440 calls for 12 deals.
    assert (w["proposals_per_deal"], w["visits_per_deal"], w["calls_per_visit"]) == (3.0, 30.0, 4.0)
    assert (w["proposals"], w["visits"], w["calls"], w["ratio_basis"]) == (18, 180, 720, "rep")
    # November 2026 has 21 working days: 180 / 21 visits a day, 3 times the best month of 60: over capacity.
    assert w["working_days"] == 21 and w["visits_per_day"] == pytest.approx(180 / 21)
    assert w["best_month_visits"] == 60 and w["over_capacity"]
    deck = analyze(m.model, "zh", metrics=m)
    plan = find(deck, 6, "日均拜访")
    assert plan.title.startswith("1名销售的计划超出能力：王磊需日均拜访8.6次，为其最佳月份的3.0倍")
    assert plan.table.fills[0][5] == "red"


def test_a_plan_within_reach_is_not_flagged():
    m = Metrics(workload_book(deals_per_month=2, target=60000.0))
    w = m.workload.set_index("rep").loc["王磊"]
    assert w["new_deals"] == 1 and w["visits"] == 30 and not w["over_capacity"]  # one deal: half a month's visits
    deck = analyze(m.model, "zh", metrics=m)
    assert find(deck, 6, "日均拜访").title.startswith("1名销售下月需新签1单")


def test_too_few_deals_fall_back_to_settings_ratios():
    m = Metrics(workload_book(deals_per_month=1))
    w = m.workload.set_index("rep").loc["王磊"]
    s = m.settings
    assert w["ratio_basis"] == "settings"  # 6 deals of the rep's own (the team's too): too few to trust
    assert w["visits_per_deal"] == s.success_ratio * s.visits_per_prospect
    assert w["visits"] == 6 * s.success_ratio * s.visits_per_prospect


# ---------------------------------------------------------------- receivables: the biggest old debts first
def receivables_book():
    inv = [
        # 成都永信: one invoice paid 60 days late (in the last 6 months), one unpaid 45 days overdue.
        {"invoice": "A1", "customer": "成都永信", "rep": "李娜", "amount": 20000.0, "due_date": D(2026, 7, 1),
         "paid_date": D(2026, 8, 30), "paid_amount": 20000.0},
        {"invoice": "A2", "customer": "成都永信", "rep": "李娜", "amount": 31000.0, "due_date": D(2026, 9, 16)},
        # 广州金桥: 407,000 unpaid, 50 days overdue.
        {"invoice": "B1", "customer": "广州金桥", "rep": "王磊", "amount": 407000.0, "due_date": D(2026, 9, 11)},
        # 天津智联: 273,000 unpaid 51 days overdue, and an invoice not yet due that must not dilute it.
        {"invoice": "C1", "customer": "天津智联", "rep": "周杰", "amount": 273000.0, "due_date": D(2026, 9, 10)},
        {"invoice": "C2", "customer": "天津智联", "rep": "周杰", "amount": 500000.0, "due_date": D(2026, 11, 30)},
        # 杭州明德: 31,000 unpaid, 120 days overdue.
        {"invoice": "D1", "customer": "杭州明德", "rep": "张伟", "amount": 31000.0, "due_date": D(2026, 7, 3)},
        # 北京鼎盛: 10 days overdue only: not yet a follow-up.
        {"invoice": "E1", "customer": "北京鼎盛", "rep": "黄敏", "amount": 90000.0, "due_date": D(2026, 10, 21)},
    ]
    return book(receivables=inv, orders=[order(1, D(2026, 10, 5), 1000.0)])


def test_follow_up_ranks_overdue_amount_by_age_and_average_never_exceeds_longest():
    r = Metrics(receivables_book()).receivables
    f = r.follow_up
    # amount x days: 407,000 x 50 > 273,000 x 51 > 31,000 x 120 > 31,000 x 45
    assert list(f.index) == ["广州金桥", "天津智联", "杭州明德", "成都永信"]
    assert f.loc["天津智联", ["overdue", "average_days", "longest_days"]].tolist() == [273000, 51, 51]
    assert f.loc["成都永信", ["overdue", "average_days", "longest_days", "paid_late_days"]].tolist() == [31000, 45, 45, 60]
    assert "北京鼎盛" not in f.index
    deck = analyze(receivables_book(), "zh")
    s = find(deck, 3, "逾期金额")
    assert s.title == "最需跟进：广州金桥逾期40.7万、最长50天"
    assert s.subtitle.startswith("共4家客户需跟进；")
    assert [row[0] for row in s.table.rows] == list(f.index)


# ---------------------------------------------------------------- churn: falling and stopped
def test_churn_warns_about_regular_customers_who_stopped_ordering():
    orders = [order(i, D(2026, m, 5), 10000.0, customer="老客户") for i, m in enumerate((3, 5, 7, 8))]  # stopped
    orders += [order(20 + i, D(2026, m, 5), 10000.0, customer="偶尔") for i, m in enumerate((4, 8))]  # 2 months: no
    orders += [order(40 + i, D(2026, m, 5), a, customer="下滑") for i, (m, a) in enumerate(((8, 9000.0), (9, 6000.0),
                                                                                          (10, 3000.0)))]
    orders += [order(60, D(2026, 10, 9), 5000.0, customer="正常")]
    c = Metrics(book(orders=orders)).churn
    w = c.warnings
    assert w["reason"].to_dict() == {"老客户": "stopped", "下滑": "declining"}
    assert w.loc["老客户", "at_risk"] == pytest.approx(40000 / 6)  # its average month over March-August
    assert w.loc["下滑", ["change", "at_risk"]].tolist() == [pytest.approx(-2 / 3), 6000.0]
    deck = analyze(book(orders=orders), "zh")
    s = find(deck, 3, "流失")
    assert s.title == "2家客户流失预警：1家连续两月下滑，1家已停止下单"
    assert [r[2] for r in s.table.rows] == ["已停止下单", "连续两月下滑"]


# ---------------------------------------------------------------- empty columns and small samples
def test_an_empty_column_is_never_a_headline():
    orders = [order(i, D(2026, 10, 1 + i), 1000.0 * (i + 1), tier=None, deal_type=None) for i in range(10)]
    deck = analyze(book(orders=orders), "zh")
    tiers = find(deck, 1, "客户等级")
    assert tiers.kind == "empty" and not tiers.charts
    assert tiers.bullets == ["请在「订单」表填写“客户等级”列：本月100%的销售额未填写"]
    new = find(deck, 2, "新签与续约")
    assert new.kind == "empty" and "新签/续约" in new.bullets[0]


def test_a_nearly_empty_column_says_which_column_to_fill():
    orders = [order(i, D(2026, 10, 1 + i), 1000.0, deal_type="new" if i < 5 else None) for i in range(10)]
    deck = analyze(book(orders=orders), "zh")
    s = find(deck, 2, "新签/续约")
    assert s.title == "请在「订单」表填写“新签/续约”列：本月50%的销售额未填写"
    assert "暂不据此下结论" in s.subtitle and s.charts  # the filled part is still shown


def test_a_rate_from_fewer_than_five_cases_shows_its_n_and_is_never_best_or_worst():
    deals = [{"opportunity_id": f"P{i}", "opportunity": f"单{i}", "customer": f"客{i}", "rep": "王磊", "stage": "赢单",
              "probability": 1.0, "category": "won" if i % 2 else "lost", "amount": 1000.0,
              "lead_source": "trade_show" if i < 2 else "referral"} for i in range(10)]
    deck = analyze(book(pipeline=deals, orders=[order(1, D(2026, 10, 5), 1000.0)]), "zh")
    s = find(deck, 2, "赢单率")
    assert "展会" not in s.title  # 0 of 2 closed: shown, not compared
    row = next(r for r in s.table.rows if r[0] == "展会")
    assert row[5] == "50% (n=2)"
    assert any(c.startswith("展会 (n=2)") for c in s.charts[0].categories)


# ---------------------------------------------------------------- one average, statuses by their dates
def test_every_slide_measures_against_the_company_attainment():
    orders = [order(1, D(2026, 10, 5), 120000.0, region="华东"), order(2, D(2026, 10, 6), 60000.0, region="华南")]
    targets = [{"month": D(2026, 10, 1), "region": "华东", "target": 100000.0},
               {"month": D(2026, 10, 1), "region": "华南", "target": 100000.0}]
    deck = analyze(book(orders=orders, targets=targets), "zh")
    kpis = deck.parts[0].slides[0]
    assert kpis.kpis[2].value == "90%"  # 180,000 / 200,000
    ranking = find(deck, 1, "偏离(百分点)")
    assert [r[5] for r in ranking.table.rows] == ["+30.0", "-30.0"]  # 120% and 60% against 90%, not against 90% mean
    assert "公司整体达成90.0%" in ranking.subtitle


def test_statuses_are_judged_by_their_dates_and_contradictions_noted():
    resources = [
        {"request": "CRM账号", "type": "tools", "owner": "IT", "due_date": D(2026, 11, 20), "priority": "high",
         "status": "delayed"},
        {"request": "产品培训", "type": "training", "owner": "市场部", "due_date": D(2026, 10, 15), "priority": "medium",
         "status": "in_progress"},
        {"request": "样机", "type": "tools", "owner": "供应链", "due_date": D(2026, 10, 10), "priority": "low",
         "status": "done"},
    ]
    deck = analyze(book(resources=resources, orders=[order(1, D(2026, 10, 5), 1000.0)]), "zh")
    s = deck.parts[4].slides[0]
    colours = {row[0]: fill[6] for row, fill in zip(s.table.rows, s.table.fills)}
    assert colours == {"CRM账号": "amber", "产品培训": "red", "样机": "green"}
    assert "1项已逾期" in s.title  # only 产品培训 is past its due date
    assert "“CRM账号”标为已延期, 但截止日期未到" in s.notes
    assert "“产品培训”已过截止日期仍未完成" in s.notes


def test_money_in_one_table_column_has_one_unit():
    from salesdeck.generator.parts.numfmt import money_column

    fmt = money_column([3_233_000, 9_758, 16_954_000])
    assert [fmt(v) for v in (3_233_000, 9_758, 16_954_000)] == ["323.30万", "0.98万", "1,695.40万"]


def test_renewals_carry_last_years_season_into_next_month():
    """B2 is scaled by last year's November against its August-October: 30,000 / 20,000 = 1.5."""
    orders = [order(i, D(2025, m, 10), 20000.0, customer="去年") for i, m in enumerate((8, 9, 10))]
    orders.append(order(9, D(2025, 11, 10), 30000.0, customer="去年"))
    orders += [order(20 + i, D(2026, m, 10), 10000.0) for i, m in enumerate((8, 9, 10))]
    targets = [{"month": D(2026, 11, 1), "region": "华东", "rep": "王磊", "target": 100000.0}]
    w = Metrics(book(orders=orders, targets=targets)).workload.set_index("rep").loc["王磊"]
    assert w["season"] == pytest.approx(1.5)
    assert w["repeat"] == pytest.approx(10000 * 1.5)  # 30,000 of renewals over the last 3 months, a month x 1.5
