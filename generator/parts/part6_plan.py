"""Part 6 下月行动计划 / Next-month action plan: target splits, 旬 split, funnel per rep, actions, timeline."""

from __future__ import annotations

import pandas as pd

from salesdeck.errors import CalcError
from salesdeck.generator.parts import numfmt
from salesdeck.generator.parts.context import Ctx
from salesdeck.generator.spec import ChartSpec, PartSpec, Series, SlideSpec, TableSpec
from salesdeck.metrics.plan import WEIGHT_MONTHS, Split, Total
from salesdeck.metrics.statuses import summarize
from salesdeck.metrics.workload import CAPACITY_FACTOR, HISTORY_MONTHS

__all__ = ["build"]


def build(ctx: Ctx) -> PartSpec:
    total = ctx.m.next_total
    slides: list[SlideSpec] = []
    if total is None:
        slides.append(ctx.empty("topic_next_target", "targets"))
    else:
        slides.append(split_slide(ctx, total, "region", ctx.m.split("region")))
        slides.append(split_slide(ctx, total, "product_line", ctx.m.split("product_line")))
        slides.append(rep_slide(ctx))
        slides.append(xun_slide(ctx, total))
    slides.append(actions_slide(ctx))
    slides.append(timeline_slide(ctx))
    return PartSpec(6, ctx.label("part6"), slides)


# ---------------------------------------------------------------- splits
def _basis_note(ctx: Ctx, basis: str) -> str:
    return ctx.label("basis_" + basis).format(months=WEIGHT_MONTHS, month=ctx.month + 1)


def _total_note(ctx: Ctx, total: Total) -> str:
    return ctx.label("total_" + total.source).format(month=ctx.month + 1)


def split_slide(ctx: Ctx, total: Total, dim: str, split: Split | None) -> SlideSpec:
    topic = "topic_split_" + dim
    if split is None:
        return ctx.empty(topic, "orders", "targets")
    frame, basis = split.parts, split.basis
    share = frame["target"] / total.amount
    scale = numfmt.money_scale(frame["target"], ctx.lang, ctx.model.settings.currency)
    chart = ChartSpec("column", list(frame["name"]), [Series(ctx.label("next_target"), scale.values(frame["target"]))],
                      number_format=scale.number_format, title=f"{ctx.label('chart_split_' + dim)} ({scale.unit})")
    weight = ctx.money_column([*frame["weight"], frame["weight"].sum()])
    target = ctx.money_column([*frame["target"], frame["target"].sum()])
    rows = [[name, weight(r["weight"]), numfmt.pct(s, 1), target(r["target"])]
            for (name, r), s in zip(frame.set_index("name").iterrows(), share)]
    rows.append([ctx.label("total"), weight(frame["weight"].sum()), numfmt.pct(1.0, 1),
                 target(frame["target"].sum())])
    table = TableSpec([ctx.label(dim), ctx.label("weight_" + basis), ctx.label("share"), ctx.label("next_target")], rows, None,
                      ["l", "r", "r", "r"])
    title, subtitle = ctx.title("p6_split", dim=ctx.label(dim), total=total.amount, month=(ctx.month + 1).start_time,
                                top=frame["name"].iloc[0], top_target=float(frame["target"].iloc[0]),
                                top_share=float(share.iloc[0]), parts=len(frame))
    notes = ctx.notes([("orders", "amount"), ("orders", dim), ("targets", "target")],
                      [_total_note(ctx, total), _basis_note(ctx, basis)],
                      [ctx.label("f_split").format(unit=numfmt.number(ctx.model.settings.split_unit))])
    return SlideSpec("chart_table", title, subtitle, charts=[chart], table=table, notes=notes)


def rep_slide(ctx: Ctx) -> SlideSpec:
    work = ctx.m.workload
    if work is None:
        return ctx.empty("topic_split_rep", "orders", "targets")
    amount = ctx.money_column(list(work["target"]) + list(work["existing"]))
    rows, fills = [], []
    for _, w in work.iterrows():
        rows.append([str(w["rep"]) if w["rep"] is not None else ctx.label("whole_region"), str(w["region"]),
                     amount(w["target"]), amount(w["existing"]), numfmt.count(w["new_deals"]),
                     numfmt.count(w["visits"]), numfmt.number(w["visits_per_day"], 1),
                     numfmt.number(w["calls_per_day"], 1), numfmt.count(w["best_month_visits"])])
        fills.append([None] * 5 + ["red" if w["over_capacity"] else None] * 2 + [None] * 2)
    columns = [ctx.label(k) for k in ("rep", "region", "next_target", "existing_business", "need_new_deals",
                                      "need_visits", "visits_per_day", "calls_per_day", "best_month_visits")]
    reps = work[work["rep"].notna()]
    over = reps[reps["over_capacity"]].sort_values(["visits_per_day", "rep"], ascending=[False, True], kind="stable")
    worst = over.iloc[0] if len(over) else None
    title, subtitle = ctx.title(
        "p6_reps", reps=len(reps), total=float(work["target"].sum()), new_deals=int(work["new_deals"].fillna(0).sum()),
        visits_per_day=float(reps["visits_per_day"].mean()) if len(reps) else None,
        calls_per_day=float(reps["calls_per_day"].mean()) if len(reps) else None,
        days=int(work["working_days"].iloc[0]), over=len(over), factor=CAPACITY_FACTOR,
        worst=None if worst is None else str(worst["rep"]),
        worst_per_day=None if worst is None else float(worst["visits_per_day"]),
        worst_times=None if worst is None else float(worst["visits"] / worst["best_month_visits"]),
        existing=float(work["existing"].sum()))
    bases = sorted({ctx.label("ratio_basis_" + b) for b in work["ratio_basis"]})
    notes = ctx.notes([("orders", "amount"), ("orders", "deal_type"), ("pipeline", "expected_close"),
                       ("activities", "deals"), ("activities", "visits"), ("activities", "calls"), ("targets", "target")],
                      [_basis_note(ctx, "rep"), ctx.label("ratios_from") + "；".join(bases)],
                      [ctx.label("f_split").format(unit=numfmt.number(ctx.model.settings.split_unit)),
                       ctx.label("f_workload").format(months=HISTORY_MONTHS, factor=numfmt.number(CAPACITY_FACTOR, 1))])
    return SlideSpec("table", title, subtitle,
                     table=TableSpec(columns, rows, fills, ["l", "l", "r", "r", "r", "r", "r", "r", "r"]), notes=notes)


def xun_slide(ctx: Ctx, total: Total) -> SlideSpec:
    nxt = ctx.m.next_month
    try:
        xun = ctx.m.xun(ctx.lang)
    except CalcError as exc:
        slide = ctx.empty("topic_xun", "holidays")
        slide.bullets.append(str(exc))
        return slide
    scale = numfmt.money_scale(xun["target"], ctx.lang, ctx.model.settings.currency)
    chart = ChartSpec("column", list(xun["label"]), [Series(ctx.label("next_target"), scale.values(xun["target"]))],
                      number_format=scale.number_format, title=f"{ctx.label('chart_xun')} ({scale.unit})")
    days = int(xun["working_days"].sum())
    target = ctx.money_column([*xun["target"], xun["target"].sum()])
    per_day = ctx.money_column([t / d for t, d in zip(xun["target"], xun["working_days"]) if d])
    rows = [[r["label"], f"{numfmt.date(r['start'])} – {numfmt.date(r['end'])}", numfmt.count(r["working_days"]),
             target(r["target"]), per_day(r["target"] / r["working_days"]) if r["working_days"] else numfmt.BLANK]
            for _, r in xun.iterrows()]
    rows.append([ctx.label("total"), "", numfmt.count(days), target(xun["target"].sum()), numfmt.BLANK])
    table = TableSpec([ctx.label("period"), ctx.label("dates"), ctx.label("working_days"), ctx.label("next_target"),
                       ctx.label("per_day")], rows, None, ["l", "l", "r", "r", "r"])
    title, subtitle = ctx.title("p6_xun", total=total.amount, month=nxt.start_time, working_days=days,
                                periods={r["label"]: float(r["target"]) for _, r in xun.iterrows()},
                                first=float(xun["target"].iloc[0]), first_label=xun["label"].iloc[0])
    notes = ctx.notes([("holidays", "date"), ("holidays", "kind")], [_total_note(ctx, total)],
                      [ctx.label("f_xun").format(unit=numfmt.number(ctx.model.settings.split_unit))])
    return SlideSpec("chart_table", title, subtitle, charts=[chart], table=table, notes=notes)


# ---------------------------------------------------------------- actions and timeline
def _dated(frame: pd.DataFrame, *keys: str) -> pd.DataFrame:
    sort = {f"_{k}": frame[k].fillna(pd.Timestamp.max) if frame[k].dtype.kind == "M" else frame[k].astype(str)
            for k in keys}
    return frame.assign(**sort).sort_values(list(sort), kind="stable")


def actions_slide(ctx: Ctx) -> SlideSpec:
    acts = ctx.model.actions
    if acts.empty:
        return ctx.empty("topic_actions", "actions")
    acts = _dated(acts, "due_date", "owner", "action")
    cols = ("account", "action", "owner", "due_date", "status")
    summary = summarize(acts, "due_date", ctx.month_end)
    rows, fills = [], []
    for (_, r), judged in zip(acts.iterrows(), summary.judged):
        rows.append([str(r["account"]) if not numfmt.is_blank(r["account"]) else numfmt.BLANK, str(r["action"]),
                     str(r["owner"]), numfmt.date(r["due_date"]), ctx.choice("actions", "status", r["status"])])
        fills.append([None, None, None, "red" if judged.late else None, judged.colour])
    title, subtitle = ctx.title("p6_actions", total=len(acts), accounts=int(acts["account"].nunique()),
                                owners=int(acts["owner"].nunique()), first_due=acts["due_date"].min(),
                                last_due=acts["due_date"].max())
    notes = ctx.notes([("actions", c) for c in cols], [ctx.label("all_rows")], [ctx.label("f_status")])
    notes = "\n".join([notes, *ctx.status_notes(summary, acts["action"])])
    return SlideSpec("table", title, subtitle, table=TableSpec([ctx.header("actions", c) for c in cols], rows, fills,
                                                                ["l", "l", "l", "c", "c"]), notes=notes)


def timeline_slide(ctx: Ctx) -> SlideSpec:
    tl = ctx.model.timeline
    if tl.empty:
        return ctx.empty("topic_timeline", "timeline")
    tl = _dated(tl, "start", "end", "item")
    cols = ("item", "owner", "start", "end", "milestone", "status")
    summary = summarize(tl, "end", ctx.month_end)
    rows, fills = [], []
    for (_, r), judged in zip(tl.iterrows(), summary.judged):
        rows.append([str(r["item"]), str(r["owner"]), numfmt.date(r["start"]), numfmt.date(r["end"]),
                     str(r["milestone"]) if not numfmt.is_blank(r["milestone"]) else numfmt.BLANK,
                     ctx.choice("timeline", "status", r["status"])])
        fills.append([None, None, None, "red" if judged.late else None, None, judged.colour])
    title, subtitle = ctx.title("p6_timeline", total=len(tl), owners=int(tl["owner"].nunique()),
                                start=tl["start"].min(), end=tl["end"].max(),
                                delayed=summary.late)
    notes = ctx.notes([("timeline", c) for c in cols], [ctx.label("all_rows")], [ctx.label("f_status")])
    notes = "\n".join([notes, *ctx.status_notes(summary, tl["item"])])
    return SlideSpec("table", title, subtitle, table=TableSpec([ctx.header("timeline", c) for c in cols], rows, fills,
                                                                ["l", "l", "c", "c", "l", "c"]), notes=notes)
