"""Part 6 下月行动计划 / Next-month action plan: target splits, 旬 split, funnel per rep, actions, timeline."""

from __future__ import annotations

import pandas as pd

from salesdeck.errors import CalcError
from salesdeck.generator.parts import numfmt
from salesdeck.generator.parts.context import Ctx, status_fill
from salesdeck.generator.spec import ChartSpec, PartSpec, Series, SlideSpec, TableSpec
from salesdeck.metrics.plan import WEIGHT_MONTHS, Split, Total

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
    rows = [[name, ctx.money(r["weight"]), numfmt.pct(s, 1), ctx.money(r["target"])]
            for (name, r), s in zip(frame.set_index("name").iterrows(), share)]
    rows.append([ctx.label("total"), ctx.money(frame["weight"].sum()), numfmt.pct(1.0, 1),
                 ctx.money(frame["target"].sum())])
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
    plan = ctx.m.rep_plan
    if plan is None:
        return ctx.empty("topic_split_rep", "orders", "targets")
    rows = [[str(p["rep"]) if p["rep"] is not None else ctx.label("whole_region"), str(p["region"]),
             ctx.money(p["target"]), ctx.money(p["avg_order"])]
            + [numfmt.count(p[c]) for c in ("orders", "proposals", "visits", "calls")] for _, p in plan.iterrows()]
    columns = [ctx.label("rep"), ctx.label("region"), ctx.label("next_target"), ctx.label("avg_order"), ctx.label("need_orders"),
               ctx.label("need_proposals"), ctx.label("need_visits"), ctx.label("need_calls")]
    s = ctx.model.settings
    top = plan.sort_values(["visits", "target"], ascending=False, kind="stable").iloc[0]
    title, subtitle = ctx.title("p6_reps", reps=int(plan["rep"].notna().sum()), total=float(plan["target"].sum()),
                                orders=int(plan["orders"].fillna(0).sum()), visits=int(plan["visits"].fillna(0).sum()),
                                calls=int(plan["calls"].fillna(0).sum()),
                                proposals=int(plan["proposals"].fillna(0).sum()),
                                top=str(top["rep"] or top["region"]), top_visits=top["visits"])
    ratios = "; ".join(f"{n} {numfmt.number(v, 1)}:1" for n, v in zip(
        (ctx.label("ratio_proposal_order"), ctx.label("ratio_visit_proposal"), ctx.label("ratio_call_visit")), s.funnel_ratios))
    notes = ctx.notes([("orders", "amount"), ("orders", "rep"), ("orders", "order_id"), ("targets", "target")],
                      [_basis_note(ctx, "rep"), ratios],
                      [ctx.label("f_split").format(unit=numfmt.number(s.split_unit)), ctx.label("f_funnel_back")])
    return SlideSpec("table", title, subtitle,
                     table=TableSpec(columns, rows, None, ["l", "l", "r", "r", "r", "r", "r", "r"]), notes=notes)


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
    rows = [[r["label"], f"{numfmt.date(r['start'])} – {numfmt.date(r['end'])}", numfmt.count(r["working_days"]),
             ctx.money(r["target"]), ctx.money(r["target"] / r["working_days"]) if r["working_days"] else numfmt.BLANK]
            for _, r in xun.iterrows()]
    rows.append([ctx.label("total"), "", numfmt.count(days), ctx.money(xun["target"].sum()), numfmt.BLANK])
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
    rows, fills = [], []
    for _, r in acts.iterrows():
        rows.append([str(r["account"]) if not numfmt.is_blank(r["account"]) else numfmt.BLANK, str(r["action"]),
                     str(r["owner"]), numfmt.date(r["due_date"]), ctx.choice("actions", "status", r["status"])])
        fills.append([None, None, None, None, status_fill(r["status"], r["due_date"], ctx.month_end)])
    title, subtitle = ctx.title("p6_actions", total=len(acts), accounts=int(acts["account"].nunique()),
                                owners=int(acts["owner"].nunique()), first_due=acts["due_date"].min(),
                                last_due=acts["due_date"].max())
    notes = ctx.notes([("actions", c) for c in cols], [ctx.label("all_rows")], [ctx.label("f_status")])
    return SlideSpec("table", title, subtitle, table=TableSpec([ctx.header("actions", c) for c in cols], rows, fills,
                                                                ["l", "l", "l", "c", "c"]), notes=notes)


def timeline_slide(ctx: Ctx) -> SlideSpec:
    tl = ctx.model.timeline
    if tl.empty:
        return ctx.empty("topic_timeline", "timeline")
    tl = _dated(tl, "start", "end", "item")
    cols = ("item", "owner", "start", "end", "milestone", "status")
    rows, fills = [], []
    for _, r in tl.iterrows():
        rows.append([str(r["item"]), str(r["owner"]), numfmt.date(r["start"]), numfmt.date(r["end"]),
                     str(r["milestone"]) if not numfmt.is_blank(r["milestone"]) else numfmt.BLANK,
                     ctx.choice("timeline", "status", r["status"])])
        fills.append([None] * 5 + [status_fill(r["status"], r["end"], ctx.month_end)])
    title, subtitle = ctx.title("p6_timeline", total=len(tl), owners=int(tl["owner"].nunique()),
                                start=tl["start"].min(), end=tl["end"].max(),
                                delayed=int((tl["status"] == "delayed").sum()))
    notes = ctx.notes([("timeline", c) for c in cols], [ctx.label("all_rows")], [ctx.label("f_status")])
    return SlideSpec("table", title, subtitle, table=TableSpec([ctx.header("timeline", c) for c in cols], rows, fills,
                                                                ["l", "l", "c", "c", "l", "c"]), notes=notes)
