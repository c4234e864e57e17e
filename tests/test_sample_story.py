"""The sample reads like a real company's month: each fact recomputed here with pandas from the generated model.

New business follows each customer's first order; the activity sheet's deals are the new-business orders;
holidays lower sales; receivables invoice each month's sales on real terms; one NPS survey of a sample of
customers; statuses agree with dates; growth, seasons, churn and attainment are plausible.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesdeck.workbook import contract

REPORT = pd.Period("2026-10", "M")
MONTH_END = pd.Timestamp("2026-10-31")


@pytest.fixture(scope="module")
def zh(sample_models):
    return sample_models["zh"]


def _month(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period("M")


def _sales(model) -> pd.Series:
    o = model.orders
    return o.groupby(_month(o["date"]))["amount"].sum()


def _working_days(model, month: pd.Period) -> int:
    """Monday to Friday, minus the holiday table's holidays, plus its make-up working days."""
    h = model.holidays
    days = pd.date_range(month.start_time, month.end_time.normalize(), freq="D")
    off = set(h.loc[h["kind"] == "holiday", "date"])
    extra = set(h.loc[h["kind"] == "workday", "date"])
    return sum(1 for d in days if (d.day_of_week < 5 and d not in off) or d in extra)


# ------------------------------------------------------------------ new business and activities
def test_new_business_is_each_customers_first_order(zh):
    o = zh.orders
    first = o.groupby("customer")["date"].min()
    new = o[o["deal_type"] == "new"]
    assert new["customer"].is_unique, "a customer is new business once"
    assert (new["date"].to_numpy() == first[new["customer"]].to_numpy()).all(), "the first order is the new one"
    later = o[o["customer"].isin(new["customer"]) & (o["deal_type"] == "renewal")]
    assert (later["date"].to_numpy() > first[later["customer"]].to_numpy()).all()
    month = o[_month(o["date"]) == REPORT]
    share = month.loc[month["deal_type"] == "new", "amount"].sum() / month["amount"].sum()
    assert 0.15 <= share <= 0.35


def test_activity_deals_are_the_reps_new_business_orders(zh):
    o = zh.orders
    new = o[o["deal_type"] == "new"]
    won = new.groupby(["rep", _month(new["date"])])["order_id"].nunique()
    a = zh.activities
    deals = a.set_index(["rep", _month(a["month"])])["deals"]
    assert deals.sum() == won.sum() > 0
    assert (deals.reindex(won.index).to_numpy() == won.to_numpy()).all()
    assert (deals.drop(won.index) == 0).all()


def test_every_stage_feeds_the_next_with_steady_rep_ratios(zh):
    a = zh.activities
    stages = ["calls", "visits", "effective_visits", "proposals", "quotes", "trials", "deals"]
    assert (np.diff(a[stages].to_numpy(), axis=1) <= 0).all(), "no stage exceeds the one before"
    last6 = a[_month(a["month"]) > REPORT - 6].groupby("rep")[stages].sum()
    visits_per_deal = last6["visits"] / last6["deals"]
    calls_per_visit = last6["calls"] / last6["visits"]
    assert visits_per_deal.between(8, 16).all(), visits_per_deal
    assert calls_per_visit.between(3, 6).all(), calls_per_visit
    assert visits_per_deal.max() - visits_per_deal.min() > 1.5, "each rep converts at their own rate"
    team = a.groupby(_month(a["month"]))[stages].sum()
    for ratio in (team["visits"] / team["deals"], team["proposals"] / team["deals"], team["calls"] / team["visits"]):
        assert ratio.max() / ratio.min() < 1.5, "the team's funnel is steady month to month"


def test_settings_funnel_ratios_are_the_teams_last_six_months(zh):
    a = zh.activities
    last6 = a[_month(a["month"]) > REPORT - 6][["calls", "visits", "proposals", "deals"]].sum()
    s = zh.settings
    assert s.ratio_proposal_order == round(last6["proposals"] / last6["deals"], 1)
    assert s.ratio_visit_proposal == round(last6["visits"] / last6["proposals"], 1)
    assert s.ratio_call_visit == round(last6["calls"] / last6["visits"], 1)
    new = zh.orders[(zh.orders["deal_type"] == "new") & (_month(zh.orders["date"]) == REPORT)]
    assert s.new_avg_order == round(new["amount"].mean(), -2)


def test_a_reps_visits_per_working_day_are_humanly_possible(zh):
    a = zh.activities.copy()
    a["days"] = [_working_days(zh, p) for p in _month(a["month"])]
    per_day = a["visits"] / a["days"]
    assert per_day.between(2, 6).all(), per_day.describe()
    southwest = a.loc[a["region"] == "西南", "visits"].sum() / a.loc[a["region"] == "西南", "days"].sum()
    others = a.loc[a["region"] != "西南", "visits"].sum() / a.loc[a["region"] != "西南", "days"].sum()
    assert southwest < others, "the lagging region visits less"


def test_won_deals_in_the_pipeline_are_orders_of_the_month(zh):
    p, o = zh.pipeline, zh.orders
    month = o[_month(o["date"]) == REPORT]
    won = p[p["category"] == "won"]
    new_wins = won[won["lead_source"] != "existing"]
    new_orders = month[month["deal_type"] == "new"]
    assert sorted(zip(new_wins["customer"], new_wins["amount"])) == sorted(zip(new_orders["customer"], new_orders["amount"]))
    expansions = won[won["lead_source"] == "existing"]
    renewal = month[month["deal_type"] == "renewal"]
    renewals = set(zip(renewal["customer"], renewal["amount"]))
    assert len(expansions) >= 5 and set(zip(expansions["customer"], expansions["amount"])) <= renewals
    prospects = p[(p["category"] != "won") & (p["lead_source"] != "existing")]
    assert not set(prospects["customer"]) & set(o["customer"]), "open and lost new business are prospects"
    closed = won["expected_close"].dt.to_period("M")
    assert (closed == REPORT).all()
    for source, deals in p[p["category"] != "open"].groupby("lead_source"):
        assert len(deals) >= 5, f"{source}: too few closed deals for a rate"


# ------------------------------------------------------------------ months, days and holidays
def test_holiday_table_lists_2026_national_day_spring_festival_and_make_up_days(zh):
    h = zh.holidays.set_index("date")["kind"]
    for day in pd.date_range("2026-10-01", "2026-10-07"):
        assert h[day] == "holiday"
    for day in pd.date_range("2026-02-15", "2026-02-23"):
        assert h[day] == "holiday"
    for day in ("2026-09-20", "2026-10-10", "2026-02-14", "2026-02-28"):
        assert h[pd.Timestamp(day)] == "workday"


def test_holidays_lower_sales_on_those_days(zh):
    o = zh.orders
    h = zh.holidays
    holidays = set(h.loc[h["kind"] == "holiday", "date"])
    offline = o[o["channel"] != "ecommerce"]
    assert not offline["date"].isin(holidays).any(), "offline orders wait for a working day"
    october = o[_month(o["date"]) == REPORT]
    per_day = october.groupby("date")["order_id"].nunique()
    golden_week = per_day.reindex(pd.date_range("2026-10-01", "2026-10-07"), fill_value=0)
    working = per_day[[d not in holidays and (d.day_of_week < 5 or d == pd.Timestamp("2026-10-10")) for d in per_day.index]]
    assert golden_week.max() < 0.5 * working.mean()
    assert golden_week.sum() < 0.05 * len(october)


def test_growth_and_seasons_are_plausible(zh):
    sales = _sales(zh)
    assert len(sales) >= 13
    yoy = sales[REPORT] / sales[REPORT - 12] - 1
    mom = sales[REPORT] / sales[REPORT - 1] - 1
    assert 0.05 <= yoy <= 0.25
    assert -0.25 <= mom < 0, "October's holiday week: below September"
    assert sales[REPORT] < sales.max(), "the holiday month is no record"
    year = sales[sales.index > REPORT - 12]
    assert year.idxmin() == pd.Period("2026-02", "M"), "the Spring Festival month is the year's weakest"
    assert sales[pd.Period("2025-12", "M")] > 1.2 * sales[pd.Period("2026-02", "M")]
    monthly_change = sales.pct_change().dropna()
    assert monthly_change.abs().max() < 0.5


def test_next_months_target_is_last_november_grown_by_this_years_growth(zh):
    t = zh.targets
    sales = _sales(zh)
    nxt = t.loc[_month(t["month"]) == REPORT + 1, "target"].sum()
    expected = sales[pd.Period("2025-11", "M")] * sales[REPORT] / sales[REPORT - 12]
    assert zh.settings.next_month_target == nxt
    assert 0.9 <= nxt / expected <= 1.25


# ------------------------------------------------------------------ targets and churn
def test_attainment_spread_some_green_some_amber_one_red(zh):
    t, o = zh.targets, zh.orders
    target = t[_month(t["month"]) == REPORT].groupby("region")["target"].sum()
    actual = o[_month(o["date"]) == REPORT].groupby("region")["amount"].sum()
    att = actual / target
    s = zh.settings
    rag = np.where(att < s.rag_red, "red", np.where(att >= s.rag_green, "green", "amber"))
    assert (rag == "red").sum() == 1 and (rag == "green").sum() >= 1 and (rag == "amber").sum() >= 1
    assert t["rep"].notna().all() and t["product_line"].notna().all()
    assert set(t.loc[_month(t["month"]) == REPORT + 1, "rep"]) == set(zh.activities["rep"])


def test_churn_examples_fall_two_months_running_or_stop(zh):
    o = zh.orders.assign(m=_month(zh.orders["date"]))
    sales = o.pivot_table(index="customer", columns="m", values="amount", aggfunc="sum", fill_value=0)
    r0, r1, r2 = (sales[REPORT - k] for k in (2, 1, 0))
    falling = sales[(r0 > r1) & (r1 > r2)]
    assert len(falling) == 2
    assert (falling[REPORT] > 0).all() and (falling[REPORT - 2] >= 20000).all()
    months = o.groupby(["customer", "m"]).size().unstack(fill_value=0) > 0
    before = months[[REPORT - k for k in range(2, 8)]].sum(axis=1)
    recent = months[[REPORT - 1, REPORT]].any(axis=1)
    stopped = months[(before >= 3) & ~recent]
    assert len(stopped) == 2


def test_customers_are_concentrated_but_not_too_much(zh):
    o = zh.orders
    year = o[_month(o["date"]) > REPORT - 12].groupby("customer")["amount"].sum().sort_values(ascending=False)
    top_fifth = year.head(int(np.ceil(len(year) * 0.2))).sum() / year.sum()
    assert 0.6 <= top_fifth <= 0.9
    assert year.head(5).sum() / year.sum() < 0.3


# ------------------------------------------------------------------ receivables
def test_receivables_invoice_each_months_sales_on_30_or_60_days(zh):
    r, o = zh.receivables, zh.orders
    statement = pd.to_datetime("20" + r["invoice"].str[4:8], format="%Y%m") + pd.offsets.MonthEnd(0)
    terms = (r["due_date"] - statement).dt.days
    assert set(terms) == {30, 60}
    recent = statement >= pd.Timestamp("2026-05-01")
    invoiced = r[recent].groupby(_month(statement[recent]))["amount"].sum()
    credit = o[o["channel"] != "ecommerce"]
    sold = credit.groupby(_month(credit["date"]))["amount"].sum().reindex(invoiced.index)
    assert ((invoiced / sold).between(0.75, 1.0)).all(), invoiced / sold
    key = set(o.loc[o["tier"] == "key", "customer"])
    assert (terms[r["customer"].isin(key)] == 60).all()


def _outstanding(r: pd.DataFrame) -> pd.Series:
    paid = r["paid_amount"].where(r["paid_amount"].notna(), np.where(r["paid_date"].notna(), r["amount"], 0.0))
    paid = paid.where(~(r["paid_date"] > MONTH_END), 0.0)
    return (r["amount"] - paid).clip(lower=0)


def test_outstanding_is_one_to_two_months_of_sales_with_some_paid_late(zh):
    r = zh.receivables
    outstanding = _outstanding(r).sum()
    sales = _sales(zh)
    months = outstanding / sales[[REPORT - 2, REPORT - 1, REPORT]].mean()
    assert 1.0 <= months <= 2.0, months
    paid = r[r["paid_date"].notna()]
    late = ((paid["paid_date"] - paid["due_date"]).dt.days > 0).mean()
    assert 0.1 <= late <= 0.4
    assert not (r["paid_date"] > MONTH_END).any(), "no payment from the future"


def test_a_few_customers_have_a_real_overdue_problem(zh):
    r = zh.receivables.assign(open=_outstanding(zh.receivables))
    unpaid = r[r["open"] > 0]
    days = (MONTH_END - unpaid["due_date"]).dt.days
    over60 = unpaid[days > 60].groupby("customer")["open"].sum()
    assert 2 <= len(over60) <= 8
    overdue = unpaid[days > 0].groupby("customer")["open"].sum()
    assert overdue.max() >= 300_000, "a big debt"
    assert days.max() > 120, "an old debt"
    assert len(unpaid.loc[days > 0, "customer"].unique()) < 0.25 * r["customer"].nunique()


# ------------------------------------------------------------------ feedback and plans
def test_nps_is_one_survey_of_a_sample_of_customers(zh):
    n = zh.nps
    assert 30 <= len(n) <= 60 and n["customer"].is_unique
    assert (_month(n["date"]) == REPORT).all()
    o = zh.orders
    recent = set(o.loc[_month(o["date"]) > REPORT - 6, "customer"])
    assert set(n["customer"]) <= recent
    score = 100 * ((n["score"] >= 9).mean() - (n["score"] <= 6).mean())
    assert 0 <= score <= 60


def test_complaints_are_a_believable_month(zh):
    c = zh.complaints
    for month in (REPORT - 1, REPORT):
        counts = c[_month(c["date"]) == month]["category"].value_counts()
        assert 10 <= counts.sum() <= 25
        assert counts.index[0] == "delivery" and counts.iloc[0] >= 3 * counts.iloc[-1]
        assert len(counts) >= 5
    o = zh.orders
    assert set(c["customer"]) <= set(o.loc[_month(o["date"]) >= REPORT - 3, "customer"])
    age = (MONTH_END - c["date"]).dt.days
    assert (c.loc[age > 30, "status"] == "resolved").mean() > 0.8
    assert (c.loc[age < 7, "status"] != "resolved").any()
    owners = o.drop_duplicates("customer").set_index("customer")["rep"]
    assert (c["owner"].to_numpy() == owners[c["customer"]].to_numpy()).all()


def test_statuses_agree_with_dates_as_of_the_month_end(zh):
    r = zh.resources
    due = r["due_date"]
    assert (due[r["status"].isin(["done", "delayed"])] <= MONTH_END).all()
    assert (due[r["status"].isin(["in_progress", "not_started"])] > MONTH_END).all()
    assert 1 <= (r["status"] == "delayed").sum() <= 3
    assert r["owner"].notna().all() and r["requested_by"].notna().all()
    a = zh.actions
    assert (_month(a["due_date"]) == REPORT + 1).all() and a["due_date"].dt.day_of_week.lt(5).all()
    assert set(a["status"]) <= {"not_started", "in_progress"} and a["owner"].notna().all()
    t = zh.timeline
    assert (t.loc[t["status"] == "in_progress", "start"] <= MONTH_END).all()
    assert (t.loc[t["status"] == "not_started", "start"] > MONTH_END).all()
    assert (t["end"] > MONTH_END).all()


def test_actions_follow_up_the_customers_the_deck_warns_about(zh):
    o = zh.orders.assign(m=_month(zh.orders["date"]))
    sales = o.pivot_table(index="customer", columns="m", values="amount", aggfunc="sum", fill_value=0)
    falling = set(sales.index[(sales[REPORT - 2] > sales[REPORT - 1]) & (sales[REPORT - 1] > sales[REPORT])])
    accounts = set(zh.actions["account"])
    assert falling <= accounts
    owners = o.drop_duplicates("customer").set_index("customer")["rep"]
    assert (zh.actions["owner"].to_numpy() == owners[zh.actions["account"]].to_numpy()).all()


# ------------------------------------------------------------------ filled columns, both languages
def test_every_column_the_deck_reads_is_filled(zh):
    for table, columns in {"orders": ["tier", "deal_type", "channel", "product_line", "industry", "order_id"],
                           "pipeline": ["lead_source", "region", "stage", "expected_close"],
                           "activities": ["region", "calls", "effective_visits", "proposals", "quotes", "trials"]}.items():
        frame = zh.tables[table]
        for column in columns:
            assert frame[column].notna().all(), f"{table}.{column}"


def test_zh_and_en_hold_the_same_numbers_in_the_same_rows(sample_models):
    zh, en = sample_models["zh"], sample_models["en"]
    for key, table in contract.TABLES.items():
        a, b = zh.tables[key], en.tables[key]
        assert len(a) == len(b), key
        for column in table.columns:
            if column.type in ("int", "number", "money", "rate", "ratio", "date", "month", "choice"):
                if column.type == "choice" and key == "settings":
                    continue
                pd.testing.assert_series_equal(a[column.key], b[column.key], obj=f"{key}.{column.key}")
