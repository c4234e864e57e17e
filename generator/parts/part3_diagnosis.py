"""Part 3 关键问题诊断 / Key problem diagnosis: units below target, churn warnings, receivables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesdeck import calc
from salesdeck.generator.parts import facts, numfmt
from salesdeck.generator.parts.context import Ctx
from salesdeck.generator.spec import ChartSpec, PartSpec, Series, SlideSpec, TableSpec

__all__ = ["build", "diagnose", "ACTIVITY_GAP", "unit_activity", "receivable_status", "abnormal_payers",
           "LATE_FACTOR", "LATE_MIN_DAYS", "OVERDUE_ALERT_DAYS"]

#: A unit's activity metric below this share of the team average counts as lagging.
ACTIVITY_GAP = 0.8
#: Abnormal payer: average days late >= LATE_FACTOR x everyone's average and >= LATE_MIN_DAYS ...
LATE_FACTOR = 2.0
LATE_MIN_DAYS = 30
#: ... or any unpaid invoice more than this many days overdue.
OVERDUE_ALERT_DAYS = 60


def build(ctx: Ctx) -> PartSpec:
    return PartSpec(3, ctx.t("part3"), [below_target_slide(ctx), churn_slide(ctx), receivables_slide(ctx)])


# ---------------------------------------------------------------- below target: quantity, direction, quality
def diagnose(visits_per_rep: float, proposals_per_visit: float, close_rate: float,
             team: tuple[float, float, float]) -> str:
    """Why a unit misses its target, from its activity (RAC: result = activity + capability).

    Checked in order, each against ACTIVITY_GAP (80%) of the team average:
    visits per rep low -> "quantity" (数量: too few visits); else proposals per
    visit low -> "direction" (方向: visits at the wrong customers/needs); else
    close rate (deals / proposals) low -> "quality" (质量: proposals do not
    convert); else "target" (activity on par: target or resources to review).
    A missing metric (no activity recorded) counts as 0.
    """
    for value, average, cause in zip((visits_per_rep, proposals_per_visit, close_rate), team,
                                     ("quantity", "direction", "quality")):
        v = 0.0 if numfmt.is_blank(value) else value
        if not numfmt.is_blank(average) and average > 0 and v < ACTIVITY_GAP * average:
            return cause
    return "target"


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else np.nan


def unit_activity(ctx: Ctx, unit: str) -> tuple[pd.DataFrame, tuple[float, float, float]]:
    """Visits per rep, proposals per visit and close rate per unit (rep or region), plus the team's."""
    acts = facts.activities_in(ctx)
    if unit == "region":
        home = ctx.model.orders.groupby("rep")["region"].agg(lambda s: sorted(s.dropna().astype(str))[0]
                                                                if s.notna().any() else None)
        acts = acts.assign(region=acts["region"].where(acts["region"].notna(), acts["rep"].map(home)))
    sums = acts.groupby(unit)[["visits", "proposals", "deals"]].sum(min_count=1)
    reps = acts.groupby(unit)["rep"].nunique()
    out = pd.DataFrame({
        "reps": reps,
        "visits": sums["visits"],
        "visits_per_rep": [_ratio(sums.at[u, "visits"], reps[u]) for u in sums.index],
        "proposals_per_visit": [_ratio(sums.at[u, "proposals"], sums.at[u, "visits"]) for u in sums.index],
        "close_rate": [_ratio(sums.at[u, "deals"], sums.at[u, "proposals"]) for u in sums.index],
    }, index=sums.index)
    total = acts[["visits", "proposals", "deals"]].sum()
    team = (_ratio(total["visits"], acts["rep"].nunique()), _ratio(total["proposals"], total["visits"]),
            _ratio(total["deals"], total["proposals"]))
    return out, team


def below_target_slide(ctx: Ctx) -> SlideSpec:
    month_orders = facts.month_orders(ctx)
    unit = "rep"
    targets = facts.targets_by(ctx.model.targets, ctx.month, "rep")
    if targets[targets > 0].empty:
        unit = "region"
        targets = facts.targets_by(ctx.model.targets, ctx.month, "region")
    targets = targets[targets > 0]
    if targets.empty:
        return ctx.empty("topic_below_target", "targets")
    actual = month_orders.groupby(unit)["amount"].sum().reindex(targets.index, fill_value=0.0)
    table = calc.attainment_table(actual, targets, ctx.model.settings.rag_bands)
    below = table[table["rag"] != "green"].copy()
    below["name"] = [str(i) for i in below.index]
    below = below.sort_values(["attainment", "name"], kind="stable")
    activity, team = unit_activity(ctx, unit)
    activity = activity.reindex(below.index)
    causes = [diagnose(a["visits_per_rep"], a["proposals_per_visit"], a["close_rate"], team)
              for _, a in activity.iterrows()]
    metric_col = {"quantity": 3, "direction": 4, "quality": 5}
    rows, fills = [], []
    for (name, r), (_, a), cause in zip(below.iterrows(), activity.iterrows(), causes):
        rows.append([str(name), numfmt.pct(r["attainment"], 1), ctx.money(r["actual"] - r["target"]),
                     numfmt.number(a["visits_per_rep"], 1), numfmt.number(a["proposals_per_visit"], 2),
                     numfmt.pct(a["close_rate"], 1), ctx.t("cause_" + cause)])
        row_fill = [None, r["rag"], "red", None, None, None, None]
        if cause in metric_col:
            row_fill[metric_col[cause]] = "red"
        fills.append(row_fill)
    rows.append([ctx.t("team_average"), numfmt.pct(calc.attainment(table["actual"].sum(), table["target"].sum()), 1),
                 numfmt.BLANK, numfmt.number(team[0], 1), numfmt.number(team[1], 2), numfmt.pct(team[2], 1), ""])
    fills.append([None] * 7)
    columns = [ctx.t(unit), ctx.t("attainment"), ctx.t("gap"), ctx.t("visits_per_rep"), ctx.t("proposals_per_visit"),
               ctx.t("close_rate"), ctx.t("cause")]
    counts = {c: causes.count(c) for c in ("quantity", "direction", "quality", "target")}
    main = sorted(((n, c) for c, n in counts.items() if n), key=lambda x: (-x[0], x[1]))
    title, subtitle = ctx.title(
        "p3_below_target", unit=ctx.t("units_" + unit), below=len(below), units=len(table),
        worst=str(below.index[0]) if len(below) else None,
        worst_attainment=float(below["attainment"].iloc[0]) if len(below) else None,
        main_cause=ctx.t("cause_" + main[0][1]) if main else None, main_count=main[0][0] if main else 0)
    notes = ctx.notes(
        [("orders", "amount"), ("orders", unit), ("targets", "target"), ("activities", "visits"),
         ("activities", "proposals"), ("activities", "deals")],
        [ctx.month_filter("orders", "date"), ctx.month_filter("activities", "month"),
         ctx.t("below_filter").format(green=numfmt.pct(ctx.model.settings.rag_green))],
        [ctx.t("f_attainment"), ctx.t("f_activity"), ctx.t("f_diagnosis").format(gap=numfmt.pct(ACTIVITY_GAP))])
    return SlideSpec("table", title, subtitle,
                     table=TableSpec(columns, rows, fills, ["l", "r", "r", "r", "r", "r", "l"]), notes=notes)


# ---------------------------------------------------------------- churn
def churn_slide(ctx: Ctx) -> SlideSpec:
    months = [ctx.month - 2, ctx.month - 1, ctx.month]
    window = facts.history_in(ctx, *months)
    if facts.month_orders(ctx).empty:
        return ctx.empty("topic_churn", "orders")
    frame = window.assign(m=facts.months_of(window["date"]))
    grid = frame.pivot_table(index="customer", columns="m", values="amount", aggfunc="sum", fill_value=0.0)
    grid = grid.reindex(columns=months, fill_value=0.0)
    flags = calc.churn_flags(grid)
    flagged = grid[flags]
    first, last = flagged[months[0]], flagged[months[-1]]
    change = pd.Series(np.where(first > 0, last / first.where(first > 0) - 1, np.nan), index=flagged.index)
    by_rep = frame.groupby(["customer", "rep"])["amount"].sum().reset_index()
    by_rep = by_rep.sort_values(["customer", "amount", "rep"], ascending=[True, False, True], kind="stable")
    owner = by_rep.drop_duplicates("customer").set_index("customer")["rep"]
    order = sorted(flagged.index, key=lambda c: (change[c] if not np.isnan(change[c]) else 0.0, str(c)))
    rows = [[str(c), str(owner.get(c, numfmt.BLANK))] + [ctx.money(flagged.at[c, m]) for m in months]
            + [numfmt.delta(change[c])] for c in order]
    fills = [[None] * 5 + ["red"] for _ in order]
    columns = [ctx.t("customer"), ctx.t("rep")] + [ctx.month_text(m) for m in months] + [ctx.t("change_3m")]
    lost = float((flagged[months[0]] - flagged[months[-1]]).sum())
    worst_change = float(change[order[0]]) if order and not np.isnan(change[order[0]]) else None
    title, subtitle = ctx.title("p3_churn", customers=len(order), lost=lost,
                                worst=str(order[0]) if order else None, worst_change=worst_change)
    notes = ctx.notes([("orders", "amount"), ("orders", "customer"), ("orders", "rep"), ("orders", "date")],
                      [f"{ctx.header('orders', 'date')} {ctx.t('in')} {months[0]}–{months[-1]}"],
                      [ctx.t("f_churn"), ctx.t("f_change_3m")])
    if not order:
        return SlideSpec("bullets", title, subtitle, bullets=[ctx.t("no_churn")], notes=notes)
    return SlideSpec("table", title, subtitle, table=TableSpec(columns, rows, fills, ["l", "l", "r", "r", "r", "r"]),
                     notes=notes)


# ---------------------------------------------------------------- receivables
def receivable_status(ctx: Ctx) -> pd.DataFrame:
    """Per invoice: outstanding amount, days overdue/late and aging bucket as of the month end.

    Outstanding = amount - paid amount (a paid date without a paid amount means
    paid in full). Days are counted to the paid date for invoices paid in full,
    else to the month end.
    """
    rec = ctx.model.receivables
    paid_amount = rec["paid_amount"].where(rec["paid_amount"].notna(),
                                           np.where(rec["paid_date"].notna(), rec["amount"], 0.0))
    outstanding = (rec["amount"] - paid_amount).clip(lower=0)
    paid_in_full = rec["paid_date"].where(outstanding <= 0)
    as_of = ctx.month_end.date()
    days = calc.overdue_days(rec["due_date"].to_numpy(), paid_in_full.to_numpy(), as_of)
    buckets = calc.aging_buckets(rec["due_date"], paid_in_full, as_of)
    return pd.DataFrame({"customer": rec["customer"], "rep": rec["rep"], "outstanding": outstanding,
                         "days": np.asarray(days, dtype=float), "bucket": buckets, "paid": outstanding <= 0})


def abnormal_payers(status: pd.DataFrame) -> pd.DataFrame:
    """Customers paying far later than the rest, or with an unpaid invoice > 60 days overdue."""
    overall = status["days"].mean()
    open_days = status["days"].where(~status["paid"])
    per = pd.DataFrame({
        "outstanding": status.groupby("customer")["outstanding"].sum(),
        "avg_days": status.groupby("customer")["days"].mean(),
        "max_open_days": open_days.groupby(status["customer"]).max(),
        "rep": _first_rep(status),
    })
    slow = (per["avg_days"] >= LATE_FACTOR * overall) & (per["avg_days"] >= LATE_MIN_DAYS) if overall > 0 else False
    overdue = per["max_open_days"].fillna(0) > OVERDUE_ALERT_DAYS
    per["slow"], per["overdue"] = slow, overdue
    per = per[per["slow"] | per["overdue"]].copy()
    per["name"] = [str(i) for i in per.index]
    return per.sort_values(["max_open_days", "avg_days", "name"], ascending=[False, False, True], kind="stable")


def _first_rep(status: pd.DataFrame) -> pd.Series:
    """Per customer, the alphabetically first rep named on its invoices (None when none is)."""
    reps = status.loc[status["rep"].notna(), ["customer", "rep"]].astype({"rep": str})
    first = reps.sort_values("rep", kind="stable").groupby("customer")["rep"].first()
    customers = status.groupby("customer")["rep"].size().index
    return first.reindex(customers).astype(object).where(lambda s: s.notna(), None)


def receivables_slide(ctx: Ctx) -> SlideSpec:
    if ctx.model.receivables.empty:
        return ctx.empty("topic_receivables", "receivables")
    status = receivable_status(ctx)
    by_bucket = status.groupby("bucket", observed=False)["outstanding"].sum().reindex(calc.AGING_BUCKETS,
                                                                                      fill_value=0.0)
    scale = numfmt.money_scale(by_bucket, ctx.lang, ctx.model.settings.currency)
    chart = ChartSpec("column", [ctx.t("bucket_" + b) for b in calc.AGING_BUCKETS],
                      [Series(ctx.t("outstanding"), scale.values(by_bucket))], number_format=scale.number_format,
                      title=f"{ctx.t('chart_aging')} ({scale.unit})",
                      point_fills=[None, "amber", "amber", "red", "red"])
    payers = abnormal_payers(status)
    overall = float(status["days"].mean())
    rows, fills = [], []
    for customer, p in payers.iterrows():
        reasons = []
        if p["overdue"]:
            reasons.append(ctx.t("reason_overdue").format(days=OVERDUE_ALERT_DAYS))
        if p["slow"]:
            reasons.append(ctx.t("reason_slow").format(avg=numfmt.number(overall, 0)))
        rows.append([str(customer), str(p["rep"] or numfmt.BLANK), ctx.money(p["outstanding"]),
                     numfmt.number(p["avg_days"], 0), numfmt.number(p["max_open_days"], 0),
                     ("；" if ctx.lang == "zh" else "; ").join(reasons)])
        fills.append([None, None, None, "red" if p["slow"] else None, "red" if p["overdue"] else None, None])
    if not rows:
        rows, fills = [[ctx.t("no_abnormal_payers"), "", "", "", "", ""]], None
    table = TableSpec([ctx.t("customer"), ctx.t("rep"), ctx.t("outstanding"), ctx.t("avg_days_late"),
                       ctx.t("max_days_overdue"), ctx.t("reason")], rows, fills, ["l", "l", "r", "r", "r", "l"])
    over60 = float(by_bucket[["61-90", "90+"]].sum())
    title, subtitle = ctx.title("p3_receivables", outstanding=float(by_bucket.sum()),
                                overdue=float(by_bucket.drop("current").sum()), over60=over60,
                                abnormal=len(payers), worst=str(payers.index[0]) if len(payers) else None)
    notes = ctx.notes(
        [("receivables", "amount"), ("receivables", "due_date"), ("receivables", "paid_date"),
         ("receivables", "paid_amount")],
        [ctx.t("as_of").format(date=numfmt.date(ctx.month_end))],
        [ctx.t("f_outstanding"), ctx.t("f_aging"),
         ctx.t("f_abnormal").format(factor=numfmt.number(LATE_FACTOR, 0), min=LATE_MIN_DAYS,
                                    days=OVERDUE_ALERT_DAYS)])
    return SlideSpec("chart_table", title, subtitle, charts=[chart], table=table, notes=notes)
