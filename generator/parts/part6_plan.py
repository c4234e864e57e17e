"""Part 6 下月行动计划 / Next-month action plan: target splits, 旬 split, funnel per rep, actions, timeline."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesdeck import calc
from salesdeck.errors import CalcError
from salesdeck.generator.parts import facts, numfmt
from salesdeck.generator.parts.context import Ctx, status_fill
from salesdeck.generator.spec import ChartSpec, PartSpec, Series, SlideSpec, TableSpec

__all__ = ["build", "next_total", "weights", "rep_plan", "WEIGHT_MONTHS"]

#: Split weights come from this many months of sales, ending with the report month.
WEIGHT_MONTHS = 3


@dataclass
class Total:
    amount: float
    source: str  # "setting", "next_targets" or "this_targets"


def next_total(ctx: Ctx) -> Total | None:
    """Next month's total target: the setting, else next month's targets, else this month's."""
    s = ctx.model.settings
    if s.next_month_target is not None and s.next_month_target > 0:
        return Total(float(s.next_month_target), "setting")
    for period, source in ((ctx.month + 1, "next_targets"), (ctx.month, "this_targets")):
        amount = float(facts.targets_by(ctx.model.targets, period, "region").sum())
        if amount > 0:
            return Total(amount, source)
    return None


def _window(ctx: Ctx) -> pd.DataFrame:
    months = pd.period_range(ctx.month - (WEIGHT_MONTHS - 1), ctx.month, freq="M")
    return facts.history_in(ctx, *months)


def weights(ctx: Ctx, dim: str) -> tuple[pd.Series, str]:
    """Split weights per region or product line: next month's targets if set, else recent sales."""
    planned = facts.targets_by(ctx.model.targets, ctx.month + 1, dim)
    planned = planned[planned > 0]
    if len(planned):
        return planned.sort_index(), "next_targets"
    sales = _window(ctx).groupby(dim)["amount"].sum().clip(lower=0)
    sales = sales[sales > 0]
    if len(sales):
        return sales.sort_index(), "sales"
    current = facts.targets_by(ctx.model.targets, ctx.month, dim)
    current = current[current > 0]
    return current.sort_index(), "this_targets"


def build(ctx: Ctx) -> PartSpec:
    total = next_total(ctx)
    slides: list[SlideSpec] = []
    if total is None:
        slides.append(ctx.empty("topic_next_target", "targets"))
    else:
        region_split = _split(ctx, total, "region")
        slides.append(split_slide(ctx, total, "region", region_split))
        slides.append(split_slide(ctx, total, "product_line", _split(ctx, total, "product_line")))
        slides.append(rep_slide(ctx, region_split))
        slides.append(xun_slide(ctx, total))
    slides.append(actions_slide(ctx))
    slides.append(timeline_slide(ctx))
    return PartSpec(6, ctx.t("part6"), slides)


# ---------------------------------------------------------------- splits
def _split(ctx: Ctx, total: Total, dim: str) -> pd.DataFrame | None:
    w, basis = weights(ctx, dim)
    if w.empty:
        return None
    parts = calc.split_by_weights(total.amount, w, ctx.model.settings.split_unit)
    frame = pd.DataFrame({"weight": w, "target": parts})
    frame.attrs["basis"] = basis
    frame["name"] = [str(i) for i in frame.index]
    return frame.sort_values(["target", "name"], ascending=[False, True], kind="stable")


def _basis_note(ctx: Ctx, basis: str) -> str:
    return ctx.t("basis_" + basis).format(months=WEIGHT_MONTHS, month=ctx.month + 1)


def _total_note(ctx: Ctx, total: Total) -> str:
    return ctx.t("total_" + total.source).format(month=ctx.month + 1)


def split_slide(ctx: Ctx, total: Total, dim: str, frame: pd.DataFrame | None) -> SlideSpec:
    topic = "topic_split_" + dim
    if frame is None:
        return ctx.empty(topic, "orders", "targets")
    basis = frame.attrs["basis"]
    share = frame["target"] / total.amount
    scale = numfmt.money_scale(frame["target"], ctx.lang, ctx.model.settings.currency)
    chart = ChartSpec("column", list(frame["name"]), [Series(ctx.t("next_target"), scale.values(frame["target"]))],
                      number_format=scale.number_format, title=f"{ctx.t('chart_split_' + dim)} ({scale.unit})")
    rows = [[name, ctx.money(r["weight"]), numfmt.pct(s, 1), ctx.money(r["target"])]
            for (name, r), s in zip(frame.set_index("name").iterrows(), share)]
    rows.append([ctx.t("total"), ctx.money(frame["weight"].sum()), numfmt.pct(1.0, 1),
                 ctx.money(frame["target"].sum())])
    table = TableSpec([ctx.t(dim), ctx.t("weight_" + basis), ctx.t("share"), ctx.t("next_target")], rows, None,
                      ["l", "r", "r", "r"])
    title, subtitle = ctx.title("p6_split", dim=ctx.t(dim), total=total.amount, month=(ctx.month + 1).start_time,
                                top=frame["name"].iloc[0], top_target=float(frame["target"].iloc[0]),
                                top_share=float(share.iloc[0]), parts=len(frame))
    notes = ctx.notes([("orders", "amount"), ("orders", dim), ("targets", "target")],
                      [_total_note(ctx, total), _basis_note(ctx, basis)],
                      [ctx.t("f_split").format(unit=numfmt.number(ctx.model.settings.split_unit))])
    return SlideSpec("chart_table", title, subtitle, charts=[chart], table=table, notes=notes)


def rep_plan(ctx: Ctx, region_split: pd.DataFrame) -> pd.DataFrame:
    """Next month's target per rep (each region's target split over its reps) and the funnel each needs.

    Rep weights inside a region: next month's rep targets if set, else the rep's
    sales in the region over the last WEIGHT_MONTHS months. A region without reps
    keeps one row for the whole region. Average order: the rep's sales / orders
    in the same window (team average when the rep has none).
    """
    s = ctx.model.settings
    window = _window(ctx)
    planned = ctx.model.targets[(facts.months_of(ctx.model.targets["month"]) == ctx.month + 1)
                                & ctx.model.targets["rep"].notna()]
    planned = planned.groupby(["region", "rep"])["target"].sum()
    sales = window.groupby(["region", "rep"])["amount"].sum().clip(lower=0)
    ids = window["order_id"].where(window["order_id"].notna(), "#row" + window.index.astype(str))
    counts = window.assign(_id=ids).groupby("rep")["_id"].nunique()
    rep_sales = window.groupby("rep")["amount"].sum()
    team_orders = ids.nunique()
    team_avg = float(window["amount"].sum() / team_orders) if team_orders and window["amount"].sum() > 0 else None
    planned_in = {region: w.droplevel(0) for region, w in planned.groupby(level=0)}
    sales_in = {region: w.droplevel(0) for region, w in sales.groupby(level=0)}
    rows = []
    for region, r in region_split.iterrows():
        w = planned_in.get(region)
        if w is None or w.sum() <= 0:
            w = sales_in.get(region)
        if w is None or (w > 0).sum() == 0:
            rows.append({"rep": None, "region": region, "target": r["target"]})
            continue
        w = w[w > 0].sort_index()
        for rep, amount in calc.split_by_weights(r["target"], w, s.split_unit).items():
            rows.append({"rep": rep, "region": region, "target": float(amount)})
    plan = pd.DataFrame(rows)
    avgs, funnels = [], []
    for _, p in plan.iterrows():
        avg = rep_sales.get(p["rep"], 0.0) / counts[p["rep"]] if p["rep"] in counts.index else None
        avg = avg if avg and avg > 0 else team_avg
        avgs.append(avg)
        try:
            funnels.append(calc.funnel_back(p["target"], avg, s.funnel_ratios) if avg else [None] * 4)
        except CalcError:
            funnels.append([None] * 4)
    plan["avg_order"] = avgs
    plan[["orders", "proposals", "visits", "calls"]] = pd.DataFrame(funnels, index=plan.index)
    return plan


def rep_slide(ctx: Ctx, region_split: pd.DataFrame | None) -> SlideSpec:
    if region_split is None:
        return ctx.empty("topic_split_rep", "orders", "targets")
    plan = rep_plan(ctx, region_split)
    rows = [[str(p["rep"]) if p["rep"] is not None else ctx.t("whole_region"), str(p["region"]),
             ctx.money(p["target"]), ctx.money(p["avg_order"])]
            + [numfmt.count(p[c]) for c in ("orders", "proposals", "visits", "calls")] for _, p in plan.iterrows()]
    columns = [ctx.t("rep"), ctx.t("region"), ctx.t("next_target"), ctx.t("avg_order"), ctx.t("need_orders"),
               ctx.t("need_proposals"), ctx.t("need_visits"), ctx.t("need_calls")]
    s = ctx.model.settings
    top = plan.sort_values(["visits", "target"], ascending=False, kind="stable").iloc[0]
    title, subtitle = ctx.title("p6_reps", reps=int(plan["rep"].notna().sum()), total=float(plan["target"].sum()),
                                orders=int(plan["orders"].fillna(0).sum()), visits=int(plan["visits"].fillna(0).sum()),
                                calls=int(plan["calls"].fillna(0).sum()),
                                proposals=int(plan["proposals"].fillna(0).sum()),
                                top=str(top["rep"] or top["region"]), top_visits=top["visits"])
    ratios = "; ".join(f"{n} {numfmt.number(v, 1)}:1" for n, v in zip(
        (ctx.t("ratio_proposal_order"), ctx.t("ratio_visit_proposal"), ctx.t("ratio_call_visit")), s.funnel_ratios))
    notes = ctx.notes([("orders", "amount"), ("orders", "rep"), ("orders", "order_id"), ("targets", "target")],
                      [_basis_note(ctx, "rep"), ratios],
                      [ctx.t("f_split").format(unit=numfmt.number(s.split_unit)), ctx.t("f_funnel_back")])
    return SlideSpec("table", title, subtitle,
                     table=TableSpec(columns, rows, None, ["l", "l", "r", "r", "r", "r", "r", "r"]), notes=notes)


def _dates(holidays: pd.DataFrame, kind: str):
    """Dates of one kind from the Holidays table, or None when there are none."""
    dates = holidays.loc[holidays["kind"] == kind, "date"].dropna()
    return dates.to_numpy() if len(dates) else None


def xun_slide(ctx: Ctx, total: Total) -> SlideSpec:
    hol = ctx.model.holidays
    nxt = ctx.month + 1
    try:
        xun = calc.period_split(total.amount, nxt.start_time.date(), "xun",
                                _dates(hol, "holiday"), _dates(hol, "workday"),
                                ctx.model.settings.split_unit, ctx.lang)
    except CalcError as exc:
        slide = ctx.empty("topic_xun", "holidays")
        slide.bullets.append(str(exc))
        return slide
    scale = numfmt.money_scale(xun["target"], ctx.lang, ctx.model.settings.currency)
    chart = ChartSpec("column", list(xun["label"]), [Series(ctx.t("next_target"), scale.values(xun["target"]))],
                      number_format=scale.number_format, title=f"{ctx.t('chart_xun')} ({scale.unit})")
    days = int(xun["working_days"].sum())
    rows = [[r["label"], f"{numfmt.date(r['start'])} – {numfmt.date(r['end'])}", numfmt.count(r["working_days"]),
             ctx.money(r["target"]), ctx.money(r["target"] / r["working_days"]) if r["working_days"] else numfmt.BLANK]
            for _, r in xun.iterrows()]
    rows.append([ctx.t("total"), "", numfmt.count(days), ctx.money(xun["target"].sum()), numfmt.BLANK])
    table = TableSpec([ctx.t("period"), ctx.t("dates"), ctx.t("working_days"), ctx.t("next_target"),
                       ctx.t("per_day")], rows, None, ["l", "l", "r", "r", "r"])
    title, subtitle = ctx.title("p6_xun", total=total.amount, month=nxt.start_time, working_days=days,
                                periods={r["label"]: float(r["target"]) for _, r in xun.iterrows()},
                                first=float(xun["target"].iloc[0]), first_label=xun["label"].iloc[0])
    notes = ctx.notes([("holidays", "date"), ("holidays", "kind")], [_total_note(ctx, total)],
                      [ctx.t("f_xun").format(unit=numfmt.number(ctx.model.settings.split_unit))])
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
    notes = ctx.notes([("actions", c) for c in cols], [ctx.t("all_rows")], [ctx.t("f_status")])
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
    notes = ctx.notes([("timeline", c) for c in cols], [ctx.t("all_rows")], [ctx.t("f_status")])
    return SlideSpec("table", title, subtitle, table=TableSpec([ctx.header("timeline", c) for c in cols], rows, fills,
                                                                ["l", "l", "c", "c", "l", "c"]), notes=notes)
