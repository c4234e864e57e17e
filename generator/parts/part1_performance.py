"""Part 1 月度业绩概览 / Monthly performance overview."""

from __future__ import annotations

import numpy as np

from salesdeck.generator.parts import numfmt
from salesdeck.generator.parts.context import Ctx
from salesdeck.generator.spec import ChartSpec, KpiCard, PartSpec, Series, SlideSpec, TableSpec
from salesdeck.metrics.statuses import review, summarize
from salesdeck.metrics.targets import TARGET_RULE

__all__ = ["build"]


def build(ctx: Ctx) -> PartSpec:
    """KPIs, regions, ranking, tiers, channels, top products; last month's actions with ``previous``."""
    slides: list[SlideSpec] = []
    if ctx.previous is not None:
        slides.append(review_slide(ctx))
    if ctx.m.month_orders.empty:
        slides.append(ctx.empty("topic_performance", "orders"))
    else:
        slides.append(kpi_slide(ctx))
        ranking = ctx.m.ranking("region")
        if ranking.empty:
            slides.append(ctx.empty("topic_regions", "targets"))
        else:
            slides.append(region_chart_slide(ctx, ranking))
            slides.append(ranking_slide(ctx, ranking))
        bridge = bridge_slide(ctx)
        if bridge is not None:
            slides.append(bridge)
        slides.append(tier_slide(ctx))
        slides.append(channel_slide(ctx))
        slides.append(product_slide(ctx))
    return PartSpec(1, ctx.label("part1"), slides)


# ---------------------------------------------------------------- KPIs
def kpi_slide(ctx: Ctx) -> SlideSpec:
    k = ctx.m.kpis
    actual, target, att, fill, mom, yoy, variance = k.sales, k.target, k.attainment, k.rag, k.mom, k.yoy, k.variance
    kpis = [
        KpiCard(ctx.label("kpi_sales"), ctx.money(actual),
                f"{numfmt.delta(mom)} {ctx.label('mom')}" if mom is not None else ""),
        KpiCard(ctx.label("kpi_target"), ctx.money(target),
                f"{ctx.label('variance')} {_signed_money(ctx, variance)}" if variance is not None else ""),
        KpiCard(ctx.label("kpi_attainment"), numfmt.pct(att), "", fill),
        KpiCard(ctx.label("mom"), numfmt.delta(mom), f"{ctx.label('last_month')} {ctx.money(k.previous_month)}",
                _sign_fill(mom)),
        KpiCard(ctx.label("yoy"), numfmt.delta(yoy), f"{ctx.label('last_year')} {ctx.money(k.last_year)}",
                _sign_fill(yoy)),
    ]
    title, subtitle = ctx.title("p1_kpis", month=ctx.month.start_time, actual=actual, target=target,
                                attainment=att, rag=fill, variance=variance, mom=mom, yoy=yoy)
    notes = ctx.notes(
        [("orders", "amount"), ("orders", "date"), ("targets", "target"), ("targets", "month")],
        [ctx.month_filter("orders", "date"), TARGET_RULE[ctx.lang]],
        [ctx.label("f_attainment"), ctx.rag_formula(), ctx.label("f_mom_yoy")] + _previous_note(ctx))
    return SlideSpec("kpis", title, subtitle, kpis=kpis, notes=notes)


def _previous_note(ctx: Ctx) -> list[str]:
    return [ctx.label("f_previous_orders")] if ctx.previous is not None else []


def _sign_fill(v: float | None):
    if v is None:
        return None
    return "green" if v >= 0 else "red"


def _signed_money(ctx: Ctx, v: float | None) -> str:
    if v is None:
        return numfmt.BLANK
    text = ctx.money(v)
    return text if text.startswith("-") or text == "0" else f"+{text}"


# ---------------------------------------------------------------- regions
def region_chart_slide(ctx: Ctx, ranking) -> SlideSpec:
    table = ranking.table
    scale = numfmt.money_scale(list(table["target"]) + list(table["actual"]), ctx.lang, ctx.model.settings.currency)
    chart = ChartSpec(
        "combo", [str(r) for r in table.index],
        [Series(ctx.label("target"), scale.values(table["target"]), "column"),
         Series(ctx.label("actual"), scale.values(table["actual"]), "column"),
         Series(ctx.label("attainment"), [float(a) for a in table["attainment"]], "line")],
        number_format=scale.number_format, secondary_number_format="0%",
        title=f"{ctx.label('chart_target_actual')} ({scale.unit})",
        point_fills=list(table["rag"]))
    top, bottom = table.iloc[0], table.iloc[-1]
    title, subtitle = ctx.title(
        "p1_regions", top=str(table.index[0]), top_attainment=float(top["attainment"]),
        bottom=str(table.index[-1]), bottom_attainment=float(bottom["attainment"]), overall=ranking.overall,
        overall_rag=ranking.overall_rag,
        green=int((table["rag"] == "green").sum()), regions=len(table))
    notes = ctx.notes([("orders", "amount"), ("orders", "region"), ("targets", "target"), ("targets", "region")],
                      [ctx.month_filter("orders", "date"), TARGET_RULE[ctx.lang]],
                      [ctx.label("f_attainment"), ctx.rag_formula()])
    return SlideSpec("chart", title, subtitle, charts=[chart], notes=notes)


def ranking_slide(ctx: Ctx, ranking) -> SlideSpec:
    table = ranking.table
    rows, fills = [], []
    actual, target = ctx.money_column(table["actual"]), ctx.money_column(table["target"])
    for rank, (region, r) in enumerate(table.iterrows(), start=1):
        rows.append([str(rank), str(region), actual(r["actual"]), target(r["target"]),
                     numfmt.pct(r["attainment"], 1), numfmt.points(r["deviation"])])
        fills.append([None, None, None, None, r["rag"], "red" if r["deviation"] < 0 else None])
    columns = [ctx.label("rank"), ctx.label("region"), ctx.label("actual"), ctx.label("target"), ctx.label("attainment"),
               ctx.label("deviation")]
    top, bottom = table.iloc[0], table.iloc[-1]
    title, subtitle = ctx.title(
        "p1_ranking", top=str(table.index[0]), top_deviation=float(top["deviation"]),
        bottom=str(table.index[-1]), bottom_deviation=float(bottom["deviation"]),
        average=ranking.overall, below=int((table["deviation"] < 0).sum()), regions=len(table))
    notes = ctx.notes([("orders", "amount"), ("orders", "region"), ("targets", "target")],
                      [ctx.month_filter("orders", "date"), TARGET_RULE[ctx.lang]],
                      [ctx.label("f_attainment"), ctx.label("f_deviation"), ctx.rag_formula()])
    return SlideSpec("table", title, subtitle,
                     table=TableSpec(columns, rows, fills, ["c", "l", "r", "r", "r", "r"]), notes=notes)


# ---------------------------------------------------------------- tiers
def tier_slide(ctx: Ctx) -> SlideSpec:
    filled = ctx.m.filled("orders", "tier")
    if filled.empty:
        return ctx.unfilled("topic_tiers", filled)
    tiers = ctx.m.tiers
    sums, shares = tiers.sums, tiers.shares.drop("~", errors="ignore")
    labels = [ctx.choice("orders", "tier", None if k == "~" else k) for k in sums.index]
    scale = numfmt.money_scale(sums, ctx.lang, ctx.model.settings.currency)
    chart = ChartSpec("doughnut", labels, [Series(ctx.label("actual"), scale.values(sums))],
                      number_format=scale.number_format, title=f"{ctx.label('chart_by_tier')} ({scale.unit})")
    top_key = shares.index[0] if len(shares) else None
    title, subtitle = ctx.title("p1_tiers", top=ctx.choice("orders", "tier", None if top_key == "~" else top_key),
                                top_share=float(shares.iloc[0]) if len(shares) else None,
                                shares={lab: float(tiers.shares.get(k, np.nan)) for lab, k in zip(labels, sums.index)})
    title, subtitle = ctx.judged_title(filled, title, subtitle)
    notes = ctx.notes([("orders", "amount"), ("orders", "tier")], [ctx.month_filter("orders", "date")],
                      [ctx.label("f_share")])
    return SlideSpec("chart", title, subtitle, charts=[chart], notes=notes)


# ---------------------------------------------------------------- bridge
def bridge_slide(ctx: Ctx) -> SlideSpec | None:
    """Last month's sales, each region's change, this month's sales: a waterfall. None without last month."""
    b = ctx.m.bridge
    if b is None:
        return None
    before, now, change, previous = b.before, b.now, b.change, b.previous
    scale = numfmt.money_scale([before, now], ctx.lang, ctx.model.settings.currency)
    categories = [ctx.month_text(previous)] + [str(r) for r in change.index] + [ctx.month_text()]
    chart = ChartSpec("waterfall", categories,
                      [Series(ctx.label("mom"), scale.values([before, *change.to_list(), now]))],
                      number_format=scale.number_format, title=f"{ctx.label('chart_bridge')} ({scale.unit})")
    top, bottom = change.index[0], change.index[-1]
    title, subtitle = ctx.title("p1_bridge", before=before, now=now, mom=(now - before) / before,
                                top=str(top), top_change=float(change.iloc[0]),
                                bottom=str(bottom), bottom_change=float(change.iloc[-1]))
    notes = ctx.notes([("orders", "amount"), ("orders", "region"), ("orders", "date")],
                      [f"{ctx.header('orders', 'date')} {ctx.label('in')} {previous}, {ctx.month}"],
                      [ctx.label("f_mom_yoy")])
    return SlideSpec("chart", title, subtitle, charts=[chart], notes=notes)


# ---------------------------------------------------------------- channels
def channel_slide(ctx: Ctx) -> SlideSpec:
    filled = ctx.m.filled("orders", "channel")
    if filled.empty:
        return ctx.unfilled("topic_channels", filled)
    ch = ctx.m.channels
    grid, previous, mom, total = ch.grid, ch.previous, ch.mom, ch.total
    labels = [ctx.choice("orders", "channel", k) for k in grid.index]
    scale = numfmt.money_scale(list(grid["now"]) + list(grid["before"]), ctx.lang, ctx.model.settings.currency)
    chart = ChartSpec("column", labels,
                      [Series(ctx.month_text(previous), scale.values(grid["before"])),
                       Series(ctx.month_text(), scale.values(grid["now"]))],
                      number_format=scale.number_format, title=f"{ctx.label('chart_by_channel')} ({scale.unit})")
    now, before = ctx.money_column(grid["now"]), ctx.money_column(grid["before"])
    rows = [[lab, now(r["now"]), before(r["before"]), numfmt.delta(mom[k]),
             numfmt.pct(r["now"] / total, 1) if total else numfmt.BLANK]
            for lab, (k, r) in zip(labels, grid.iterrows())]
    fills = [[None, None, None, _sign_fill(mom[k]), None] for k in grid.index]
    table = TableSpec([ctx.label("channel"), ctx.month_text(), ctx.month_text(previous), ctx.label("mom"), ctx.label("share")],
                      rows, fills, ["l", "r", "r", "r", "r"])
    ranked = sorted(((v, lab) for lab, v in zip(labels, mom.values()) if v is not None), key=lambda x: (-x[0], x[1]))
    largest = grid["now"].idxmax() if len(grid) else None
    title, subtitle = ctx.title(
        "p1_channels", best=ranked[0][1] if ranked else None, best_mom=ranked[0][0] if ranked else None,
        worst=ranked[-1][1] if ranked else None, worst_mom=ranked[-1][0] if ranked else None,
        largest=ctx.choice("orders", "channel", largest),
        largest_share=float(grid["now"].max() / total) if total else None)
    title, subtitle = ctx.judged_title(filled, title, subtitle)
    notes = ctx.notes([("orders", "amount"), ("orders", "channel"), ("orders", "date")],
                      [f"{ctx.header('orders', 'date')} {ctx.label('in')} {previous}, {ctx.month}"],
                      [ctx.label("f_mom_yoy")] + _previous_note(ctx))
    return SlideSpec("chart_table", title, subtitle, charts=[chart], table=table, notes=notes)


# ---------------------------------------------------------------- products
def product_slide(ctx: Ctx) -> SlideSpec:
    p = ctx.m.products
    if p is None:
        return ctx.empty("topic_products", "orders")
    sums, top, lines = p.sums, p.top, p.lines
    catalogue = ctx.model.products.drop_duplicates("product").set_index("product")
    rows = []
    value = ctx.money_column(top["value"])
    for rank, (product, r) in enumerate(top.iterrows(), start=1):
        stage = catalogue["lifecycle"].get(product) if len(catalogue) else None
        rows.append([str(rank), str(product), str(lines.get(product) or numfmt.BLANK),
                     ctx.choice("products", "lifecycle", stage) if not numfmt.is_blank(stage) else numfmt.BLANK,
                     value(r["value"]), numfmt.pct(r["share"], 1)])
    scale = numfmt.money_scale(sums, ctx.lang, ctx.model.settings.currency)
    chart = ChartSpec("doughnut", [str(p) for p in top.index] + [ctx.label("others")],
                      [Series(ctx.label("actual"), scale.values(list(top["value"]) + [p.others]))],
                      number_format=scale.number_format, title=f"{ctx.label('chart_top_products')} ({scale.unit})")
    table = TableSpec([ctx.label("rank"), ctx.label("product"), ctx.label("product_line"), ctx.label("lifecycle"), ctx.label("actual"),
                       ctx.label("share")], rows, None, ["c", "l", "l", "l", "r", "r"])
    title, subtitle = ctx.title("p1_products", top3_share=float(top["share"].sum()), first=str(top.index[0]),
                                first_share=float(top["share"].iloc[0]), products=len(sums))
    sources = [("orders", "amount"), ("orders", "product")]
    if len(catalogue):
        sources.append(("products", "lifecycle"))
    notes = ctx.notes(sources, [ctx.month_filter("orders", "date")], [ctx.label("f_top_share")])
    return SlideSpec("chart_table", title, subtitle, charts=[chart], table=table, notes=notes)


# ---------------------------------------------------------------- last month's actions
def _previous_source(ctx: Ctx) -> str:
    """E.g. "计划!E2:E9 (上月工作簿 2026-09.xlsx)"."""
    where = ctx.previous.where("actions", "status")
    source = f" {ctx.previous.source}" if ctx.previous.source else ""
    return f"{where} ({ctx.label('note_previous_workbook')}{source})"


def review_slide(ctx: Ctx) -> SlideSpec:
    prev = ctx.previous.actions
    if prev.empty:
        slide = ctx.empty("topic_review", "actions")
        slide.notes = f"{ctx.label('note_source')}: {_previous_source(ctx)}"
        return slide
    reviewed = review(prev, ctx.model.actions)
    summary = summarize(reviewed, "due_date", ctx.month_end)
    rows, fills = [], []
    for (_, r), judged in zip(reviewed.iterrows(), summary.judged):
        rows.append([str(r["account"] or numfmt.BLANK), str(r["action"]), str(r["owner"]),
                     numfmt.date(r["due_date"]), ctx.choice("actions", "status", r["status"])])
        fills.append([None, None, None, "red" if judged.late else None, judged.colour])
    table = TableSpec([ctx.header("actions", c) for c in ("account", "action", "owner", "due_date", "status")],
                      rows, fills, ["l", "l", "l", "c", "c"])
    title, subtitle = ctx.title("p1_review", total=summary.total, done=summary.done, late=summary.late,
                                month=(ctx.month - 1).start_time)
    notes = "\n".join([f"{ctx.label('note_source')}: {_previous_source(ctx)}",
                       f"{ctx.label('note_formula')}: {ctx.label('f_review')}",
                       *ctx.status_notes(summary, reviewed["action"])])
    return SlideSpec("table", title, subtitle, table=table, notes=notes)
