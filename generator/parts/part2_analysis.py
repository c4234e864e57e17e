"""Part 2 销售数据分析 / Sales data analysis: funnel, conversion by lead channel, new vs renewal, AOV, dependency."""

from __future__ import annotations

import pandas as pd

from salesdeck.generator.parts import numfmt
from salesdeck.generator.parts.context import Ctx
from salesdeck.generator.spec import ChartSpec, PartSpec, Series, SlideSpec, TableSpec
from salesdeck.metrics.sufficiency import MIN_CASES, enough_cases

__all__ = ["build"]


def build(ctx: Ctx) -> PartSpec:
    slides = [funnel_slide(ctx), conversion_slide(ctx)]
    changes = ctx.m.pipeline_changes
    if changes is not None:
        slides += [pipeline_bridge_slide(ctx, changes), slipped_slide(ctx, changes)]
    if ctx.m.month_orders.empty:
        slides.append(ctx.empty("topic_new_renewal", "orders"))
        slides.append(ctx.empty("topic_aov", "orders"))
    else:
        slides.append(new_renewal_slide(ctx))
        slides.append(aov_slide(ctx))
    return PartSpec(2, ctx.label("part2"), slides)


# ---------------------------------------------------------------- funnel
def funnel_slide(ctx: Ctx) -> SlideSpec:
    f = ctx.m.funnel
    if f is None:
        return ctx.empty("topic_funnel", "activities")
    counts, conversion = f.counts, f.conversion
    worst = f.worst if f.worst is not None else 1
    worst_rate = conversion[f.worst] if f.worst is not None else None
    labels = [ctx.header("activities", s) for s in counts.index]
    chart = ChartSpec("funnel", labels, [Series(ctx.label("count"), [float(v) for v in counts])],
                      number_format="#,##0", title=ctx.label("chart_funnel"))
    rows = [[lab, numfmt.count(v), numfmt.pct(c, 1), numfmt.pct(v / counts.iloc[0], 1)]
            for lab, v, c in zip(labels, counts, conversion)]
    fills = [[None, None, "red" if i == worst else None, None] for i in range(len(rows))]
    table = TableSpec([ctx.label("stage"), ctx.label("count"), ctx.label("step_conversion"), ctx.label("of_first")],
                      rows, fills, ["l", "r", "r", "r"])
    title, subtitle = ctx.title("p2_funnel", worst_from=labels[worst - 1], worst_to=labels[worst],
                                worst_rate=worst_rate, overall=float(counts.iloc[-1] / counts.iloc[0]),
                                first=labels[0], last=labels[-1])
    notes = ctx.notes([("activities", s) for s in counts.index], [ctx.month_filter("activities", "month")],
                      [ctx.label("f_step_conversion")])
    return SlideSpec("chart_table", title, subtitle, charts=[chart], table=table, notes=notes)


# ---------------------------------------------------------------- conversion by lead channel
def conversion_slide(ctx: Ctx) -> SlideSpec:
    c = ctx.m.conversion
    if c is None:
        return ctx.empty("topic_conversion", "pipeline")
    filled = ctx.m.filled("pipeline", "lead_source")
    if filled.empty:
        return ctx.unfilled("topic_conversion", filled)
    grid, rate, won_amount = c.grid, c.rate, c.won_amount
    labels = [ctx.choice("pipeline", "lead_source", None if k == "~" else k) for k in grid.index]
    shown = [lab if enough_cases(c.closed[k]) else f"{lab} (n={c.closed[k]})" for lab, k in zip(labels, grid.index)]
    chart = ChartSpec("column", shown, [Series(ctx.label("win_rate"), [rate[k] for k in grid.index])],
                      number_format="0%", title=ctx.label("chart_win_rate"))
    won = ctx.money_column([won_amount.get(k, 0.0) for k in grid.index])
    rows = [[lab, numfmt.count(grid.loc[k].sum()), numfmt.count(grid.at[k, "won"]), numfmt.count(grid.at[k, "lost"]),
             numfmt.count(grid.at[k, "open"]), ctx.rate(rate[k], c.closed[k]), won(won_amount.get(k, 0.0))]
            for lab, k in zip(labels, grid.index)]
    table = TableSpec([ctx.label("lead_channel"), ctx.label("opportunities"), ctx.label("won"), ctx.label("lost"),
                       ctx.label("open"), ctx.label("win_rate"), ctx.label("won_amount")], rows, None,
                      ["l", "r", "r", "r", "r", "r", "r"])
    name = dict(zip(grid.index, labels))
    title, subtitle = ctx.title("p2_conversion", best=name.get(c.best), best_rate=rate.get(c.best),
                                worst=name.get(c.worst), worst_rate=rate.get(c.worst), overall=c.overall,
                                opportunities=c.opportunities, closed=sum(c.closed.values()), min_cases=MIN_CASES)
    title, subtitle = ctx.judged_title(filled, title, subtitle)
    notes = ctx.notes([("pipeline", "lead_source"), ("pipeline", "stage"), ("pipeline", "amount")],
                      [ctx.label("all_rows")], [ctx.label("f_win_rate")])
    return SlideSpec("chart_table", title, subtitle, charts=[chart], table=table, notes=notes)


# ---------------------------------------------------------------- pipeline since last month
BRIDGE_STEPS = ("new", "increased", "decreased", "won", "lost")
MAX_SLIPPED_ROWS = 10


def pipeline_bridge_slide(ctx: Ctx, c) -> SlideSpec:
    """Last month's open pipeline to this month's: a waterfall (start, new, up, down, won, lost, end)."""
    steps = [float(c.by_kind.at[k, "amount"]) for k in BRIDGE_STEPS]
    values = [c.start, *steps, c.end]
    scale = numfmt.money_scale(values, ctx.lang, ctx.model.settings.currency)
    categories = [ctx.label("pipe_start")] + [ctx.label("pipe_" + k) for k in BRIDGE_STEPS] + [ctx.label("pipe_end")]
    chart = ChartSpec("waterfall", categories, [Series(ctx.label("pipe_change"), scale.values(values))],
                      number_format=scale.number_format, title=f"{ctx.label('chart_pipe_bridge')} ({scale.unit})")
    n = c.by_kind["count"]
    title, subtitle = ctx.title("p2_pipeline_bridge", start=c.start, end=c.end,
                                change=(c.end / c.start - 1) if c.start else None,
                                new=steps[0], won=-steps[3], lost=-steps[4], new_count=int(n["new"]),
                                won_count=int(n["won"]), lost_count=int(n["lost"]), commit=c.forecast_commit,
                                best_case=c.forecast_best_case, accuracy=c.accuracy,
                                slipped=int(n["slipped"]), stalled=int(n["stalled"]))
    notes = "\n".join([ctx.notes([("pipeline", "opportunity_id"), ("pipeline", "stage"), ("pipeline", "amount"),
                                   ("pipeline", "expected_close")], [ctx.label("pipe_compared")],
                                  [ctx.label("f_pipe_bridge")]),
                        f"{ctx.label('note_previous_workbook')}: {ctx.previous.where('pipeline')}"])
    return SlideSpec("chart", title, subtitle, charts=[chart], notes=notes)


def slipped_slide(ctx: Ctx, c) -> SlideSpec:
    """The biggest deals that slipped or stalled: owner, amount, old and new expected close."""
    d = c.slipped_deals
    shown = d.head(MAX_SLIPPED_ROWS)
    amount = ctx.money_column(shown["amount_now"])
    rows, fills = [], []
    for _, r in shown.iterrows():
        state = "pipe_stalled" if r["stalled"] else "pipe_slipped"
        rows.append([str(r["opportunity"]), str(r["customer"] or numfmt.BLANK), str(r["rep"] or numfmt.BLANK),
                     amount(r["amount_now"]), numfmt.date(r["close_before"]), numfmt.date(r["close_now"]),
                     ctx.label(state)])
        fills.append([None] * 5 + ["red" if r["close_now"] <= ctx.month_end else None,
                                   "red" if r["stalled"] else "amber"])
    top = shown.iloc[0] if len(shown) else None
    title, subtitle = ctx.title("p2_slipped", slipped=len(d), stalled=int(d["stalled"].sum()),
                                amount=float(d["amount_now"].sum()), shown=len(shown),
                                top=None if top is None else str(top["opportunity"]),
                                top_amount=None if top is None else float(top["amount_now"]),
                                top_close=None if top is None else top["close_now"])
    notes = ctx.notes([("pipeline", "stage"), ("pipeline", "expected_close"), ("pipeline", "amount")],
                      [ctx.label("pipe_compared")], [ctx.label("f_pipe_slipped")])
    if not rows:
        return SlideSpec("bullets", title, subtitle, bullets=[ctx.label("no_slipped")], notes=notes)
    columns = [ctx.header("pipeline", "opportunity"), ctx.label("customer"), ctx.label("rep"), ctx.label("amount"),
               ctx.label("close_before"), ctx.label("close_now"), ctx.label("state")]
    return SlideSpec("table", title, subtitle, notes=notes,
                     table=TableSpec(columns, rows, fills, ["l", "l", "l", "r", "c", "c", "c"]))


# ---------------------------------------------------------------- new vs renewal
def _stacked(ctx: Ctx, grid: pd.DataFrame, by: str) -> ChartSpec:
    scale = numfmt.money_scale(grid.sum(axis=1), ctx.lang, ctx.model.settings.currency)
    series = [Series(ctx.choice("orders", "deal_type", None if k == "~" else k), scale.values(grid[k]))
              for k in grid.columns]
    return ChartSpec("stacked_bar", [str(i) for i in grid.index], series, number_format=scale.number_format,
                     title=f"{ctx.label('by_' + by)} ({scale.unit})")


def new_renewal_slide(ctx: Ctx) -> SlideSpec:
    filled = ctx.m.filled("orders", "deal_type")
    if filled.empty:
        return ctx.unfilled("topic_new_renewal", filled)
    nr = ctx.m.new_renewal
    top = sorted(nr.region_new_share.items(), key=lambda x: (-x[1], x[0]))
    title, subtitle = ctx.title("p2_new_renewal", new_share=nr.new_share, top_region=top[0][0] if top else None,
                                top_region_share=top[0][1] if top else None)
    title, subtitle = ctx.judged_title(filled, title, subtitle)
    notes = ctx.notes([("orders", "amount"), ("orders", "deal_type"), ("orders", "region"), ("orders", "product_line")],
                      [ctx.month_filter("orders", "date")], [ctx.label("f_share")])
    return SlideSpec("two_charts", title, subtitle,
                     charts=[_stacked(ctx, nr.by_region, "region"), _stacked(ctx, nr.by_product_line, "product_line")],
                     notes=notes)


# ---------------------------------------------------------------- AOV and dependency
def aov_slide(ctx: Ctx) -> SlideSpec:
    ov = ctx.m.order_value
    months, aov = ov.months, ov.aov
    scale = numfmt.money_scale(aov, ctx.lang, ctx.model.settings.currency)
    line = ChartSpec("line", [str(m) for m in months], [Series(ctx.label("aov"), scale.values(aov))],
                     number_format=scale.number_format, title=f"{ctx.label('chart_aov')} ({scale.unit})")
    charts = [line]
    top5_share = None
    if ov.top5 is not None:
        top5_share = float(ov.top5["share"].sum())
        charts.append(ChartSpec("bar", [str(c) for c in ov.top5.index],
                                [Series(ctx.label("share"), [float(s) for s in ov.top5["share"]])],
                                number_format="0.0%", title=ctx.label("chart_top_customers")))
    title, subtitle = ctx.title("p2_aov", aov=_value(aov.iloc[-1]), aov_mom=ov.mom,
                                top20_share=ov.top20_share, top5_share=top5_share, customers=ov.customers)
    notes = ctx.notes(
        [("orders", "amount"), ("orders", "order_id"), ("orders", "customer"), ("orders", "date")],
        [f"{ctx.header('orders', 'date')} {ctx.label('in')} {months[0]}–{months[-1]}",
         f"{ctx.label('dependency_window')} {months[1]}–{months[-1]}"],
        [ctx.label("f_aov"), ctx.label("f_dependency")] + ([ctx.label("f_previous_orders")] if ctx.previous is not None else []))
    return SlideSpec("two_charts", title, subtitle, charts=charts, notes=notes)


def _value(v) -> float | None:
    return None if numfmt.is_blank(v) else float(v)
