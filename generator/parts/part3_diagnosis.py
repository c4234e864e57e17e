"""Part 3 关键问题诊断 / Key problem diagnosis: units below target, churn warnings, receivables."""

from __future__ import annotations


from salesdeck import calc
from salesdeck.generator.parts import numfmt
from salesdeck.generator.parts.context import Ctx
from salesdeck.generator.spec import ChartSpec, PartSpec, Series, SlideSpec, TableSpec
from salesdeck.metrics.diagnosis import ACTIVITY_GAP
from salesdeck.metrics.receivables import FOLLOW_UP_DAYS, LATE_FACTOR, LATE_MIN_DAYS, PAID_WINDOW

__all__ = ["build"]


def build(ctx: Ctx) -> PartSpec:
    return PartSpec(3, ctx.label("part3"), [below_target_slide(ctx), churn_slide(ctx), receivables_slide(ctx)])


def below_target_slide(ctx: Ctx) -> SlideSpec:
    bt = ctx.m.below_target
    if bt is None:
        return ctx.empty("topic_below_target", "targets")
    unit, table, below, team = bt.unit, bt.table, bt.below, bt.team
    causes = list(below["cause"])
    metric_col = {"quantity": 3, "direction": 4, "quality": 5}
    rows, fills = [], []
    gap = ctx.money_column(below["actual"] - below["target"])
    for (name, r), cause in zip(below.iterrows(), causes):
        rows.append([str(name), numfmt.pct(r["attainment"], 1), gap(r["actual"] - r["target"]),
                     numfmt.number(r["visits_per_rep"], 1), numfmt.number(r["proposals_per_visit"], 2),
                     ctx.rate(r["close_rate"], r["proposals"]), ctx.label("cause_" + cause)])
        row_fill = [None, r["rag"], "red", None, None, None, None]
        if cause in metric_col:
            row_fill[metric_col[cause]] = "red"
        fills.append(row_fill)
    rows.append([ctx.label("team_average"), numfmt.pct(bt.overall, 1),
                 numfmt.BLANK, numfmt.number(team[0], 1), numfmt.number(team[1], 2), numfmt.pct(team[2], 1), ""])
    fills.append([None] * 7)
    columns = [ctx.label(unit), ctx.label("attainment"), ctx.label("gap"), ctx.label("visits_per_rep"), ctx.label("proposals_per_visit"),
               ctx.label("close_rate"), ctx.label("cause")]
    counts = {c: causes.count(c) for c in ("quantity", "direction", "quality", "target")}
    main = sorted(((n, c) for c, n in counts.items() if n), key=lambda x: (-x[0], x[1]))
    title, subtitle = ctx.title(
        "p3_below_target", unit=ctx.label("units_" + unit), below=len(below), units=len(table),
        worst=str(below.index[0]) if len(below) else None,
        worst_attainment=float(below["attainment"].iloc[0]) if len(below) else None,
        main_cause=ctx.label("cause_" + main[0][1]) if main else None, main_count=main[0][0] if main else 0)
    notes = ctx.notes(
        [("orders", "amount"), ("orders", unit), ("targets", "target"), ("activities", "visits"),
         ("activities", "proposals"), ("activities", "deals")],
        [ctx.month_filter("orders", "date"), ctx.month_filter("activities", "month"),
         ctx.label("below_filter").format(green=numfmt.pct(ctx.model.settings.rag_green))],
        [ctx.label("f_attainment"), ctx.label("f_activity"), ctx.label("f_diagnosis").format(gap=numfmt.pct(ACTIVITY_GAP))])
    return SlideSpec("table", title, subtitle,
                     table=TableSpec(columns, rows, fills, ["l", "r", "r", "r", "r", "r", "l"]), notes=notes)


# ---------------------------------------------------------------- churn
def churn_slide(ctx: Ctx) -> SlideSpec:
    if ctx.m.month_orders.empty:
        return ctx.empty("topic_churn", "orders")
    c = ctx.m.churn
    w = c.warnings
    amount = ctx.money_column(c.flagged.to_numpy().ravel())
    rows = [[str(cu), str(r["rep"]) if not numfmt.is_blank(r["rep"]) else numfmt.BLANK,
             ctx.label("churn_" + r["reason"])] + [amount(r[mo]) for mo in c.months]
            + [numfmt.delta(r["change"])] for cu, r in w.iterrows()]
    fills = [[None] * 6 + ["red"] for _ in rows]
    columns = [ctx.label("customer"), ctx.label("rep"), ctx.label("churn_reason")] + \
        [ctx.month_text(mo) for mo in c.months] + [ctx.label("change_3m")]
    declining = int((w["reason"] == "declining").sum())
    top = w.index[0] if len(w) else None
    title, subtitle = ctx.title("p3_churn", customers=len(w), declining=declining, stopped=len(w) - declining,
                                lost=c.lost, worst=None if top is None else str(top),
                                worst_at_risk=None if top is None else float(w["at_risk"].iloc[0]))
    notes = ctx.notes([("orders", "amount"), ("orders", "customer"), ("orders", "rep"), ("orders", "date")],
                      [f"{ctx.header('orders', 'date')} {ctx.label('in')} {ctx.m.month - 7}–{c.months[-1]}"],
                      [ctx.label("f_churn"), ctx.label("f_change_3m")])
    if not rows:
        return SlideSpec("bullets", title, subtitle, bullets=[ctx.label("no_churn")], notes=notes)
    return SlideSpec("table", title, subtitle,
                     table=TableSpec(columns, rows, fills, ["l", "l", "l", "r", "r", "r", "r"]), notes=notes)


# ---------------------------------------------------------------- receivables
def receivables_slide(ctx: Ctx) -> SlideSpec:
    if ctx.model.receivables.empty:
        return ctx.empty("topic_receivables", "receivables")
    r = ctx.m.receivables
    by_bucket, follow = r.by_bucket, r.follow_up
    scale = numfmt.money_scale(by_bucket, ctx.lang, ctx.model.settings.currency)
    chart = ChartSpec("column", [ctx.label("bucket_" + b) for b in calc.AGING_BUCKETS],
                      [Series(ctx.label("outstanding"), scale.values(by_bucket))], number_format=scale.number_format,
                      title=f"{ctx.label('chart_aging')} ({scale.unit})",
                      point_fills=[None, "amber", "amber", "red", "red"])
    amount = ctx.money_column(follow["overdue"] if len(follow) else [])
    rows, fills = [], []
    for customer, p in follow.iterrows():
        reasons = []
        if p["old_debt"]:
            reasons.append(ctx.label("reason_overdue").format(days=FOLLOW_UP_DAYS))
        if p["slow"]:
            reasons.append(ctx.label("reason_slow").format(avg=numfmt.number(r.average_days_late, 0)))
        rows.append([str(customer), str(p["rep"] or numfmt.BLANK), amount(p["overdue"]),
                     numfmt.number(p["longest_days"], 0), numfmt.number(p["average_days"], 0),
                     numfmt.number(p["paid_late_days"], 0), ("；" if ctx.lang == "zh" else "; ").join(reasons)])
        fills.append([None, None, None, "red" if p["old_debt"] else None, None, "red" if p["slow"] else None, None])
    if not rows:
        rows, fills = [[ctx.label("no_follow_up"), "", "", "", "", "", ""]], None
    table = TableSpec([ctx.label("customer"), ctx.label("rep"), ctx.label("overdue_amount"), ctx.label("longest_days"),
                       ctx.label("average_days_overdue"), ctx.label("paid_late_days"), ctx.label("reason")],
                      rows, fills, ["l", "l", "r", "r", "r", "r", "l"])
    first = follow.iloc[0] if len(follow) else None
    title, subtitle = ctx.title("p3_receivables", outstanding=r.outstanding, overdue=r.overdue, over60=r.over60,
                                follow_up=len(follow), worst=None if first is None else str(follow.index[0]),
                                worst_overdue=None if first is None else float(first["overdue"]),
                                worst_days=None if first is None or numfmt.is_blank(first["longest_days"])
                                else int(first["longest_days"]))
    notes = ctx.notes(
        [("receivables", "amount"), ("receivables", "due_date"), ("receivables", "paid_date"),
         ("receivables", "paid_amount")],
        [ctx.label("as_of").format(date=numfmt.date(ctx.month_end))],
        [ctx.label("f_outstanding"), ctx.label("f_aging"),
         ctx.label("f_follow_up").format(days=FOLLOW_UP_DAYS, factor=numfmt.number(LATE_FACTOR, 0), min=LATE_MIN_DAYS,
                                         months=PAID_WINDOW)])
    return SlideSpec("chart_table", title, subtitle, charts=[chart], table=table, notes=notes)
