"""Part 2 销售数据分析 / Sales data analysis: funnel, conversion by lead channel, new vs renewal, AOV, dependency."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesdeck import calc
from salesdeck.generator.parts import facts, numfmt
from salesdeck.generator.parts.context import Ctx
from salesdeck.generator.spec import ChartSpec, PartSpec, Series, SlideSpec, TableSpec
from salesdeck.workbook import contract

__all__ = ["build", "FUNNEL_STAGES", "funnel_counts", "order_counts", "TOP_CUSTOMER_FRACTION"]

#: Activity columns in funnel order (calls -> ... -> deals).
FUNNEL_STAGES = ("calls", "visits", "effective_visits", "proposals", "quotes", "trials", "deals")
#: "Top customers" for the dependency check: the top 20% (80/20 rule).
TOP_CUSTOMER_FRACTION = 0.2


def build(ctx: Ctx) -> PartSpec:
    month_orders = facts.month_orders(ctx)
    slides = [funnel_slide(ctx), conversion_slide(ctx)]
    if month_orders.empty:
        slides.append(ctx.empty("topic_new_renewal", "orders"))
        slides.append(ctx.empty("topic_aov", "orders"))
    else:
        slides.append(new_renewal_slide(ctx, month_orders))
        slides.append(aov_slide(ctx))
    return PartSpec(2, ctx.t("part2"), slides)


# ---------------------------------------------------------------- funnel
def funnel_counts(activities: pd.DataFrame) -> pd.Series:
    """Totals per funnel stage; stages left blank on every row are skipped."""
    totals = {s: float(activities[s].sum()) for s in FUNNEL_STAGES if activities[s].notna().any()}
    return pd.Series(totals, dtype=float)


def funnel_slide(ctx: Ctx) -> SlideSpec:
    acts = facts.activities_in(ctx)
    counts = funnel_counts(acts)
    if acts.empty or len(counts) < 2 or counts.iloc[0] <= 0:
        return ctx.empty("topic_funnel", "activities")
    labels = [ctx.header("activities", s) for s in counts.index]
    conversion = [None] + [float(counts.iloc[i] / counts.iloc[i - 1]) if counts.iloc[i - 1] > 0 else None
                           for i in range(1, len(counts))]
    steps = [(c, i) for i, c in enumerate(conversion) if c is not None]
    worst = min(steps, key=lambda x: (x[0], x[1])) if steps else (None, 1)
    chart = ChartSpec("funnel", labels, [Series(ctx.t("count"), [float(v) for v in counts])],
                      number_format="#,##0", title=ctx.t("chart_funnel"))
    rows = [[lab, numfmt.count(v), numfmt.pct(c, 1), numfmt.pct(v / counts.iloc[0], 1)]
            for lab, v, c in zip(labels, counts, conversion)]
    fills = [[None, None, "red" if i == worst[1] else None, None] for i in range(len(rows))]
    table = TableSpec([ctx.t("stage"), ctx.t("count"), ctx.t("step_conversion"), ctx.t("of_first")],
                      rows, fills, ["l", "r", "r", "r"])
    title, subtitle = ctx.title("p2_funnel", worst_from=labels[worst[1] - 1], worst_to=labels[worst[1]],
                                worst_rate=worst[0], overall=float(counts.iloc[-1] / counts.iloc[0]),
                                first=labels[0], last=labels[-1])
    notes = ctx.notes([("activities", s) for s in counts.index], [ctx.month_filter("activities", "month")],
                      [ctx.t("f_step_conversion")])
    return SlideSpec("chart_table", title, subtitle, charts=[chart], table=table, notes=notes)


# ---------------------------------------------------------------- conversion by lead channel
def conversion_slide(ctx: Ctx) -> SlideSpec:
    pipe = ctx.model.pipeline
    if pipe.empty:
        return ctx.empty("topic_conversion", "pipeline")
    frame = pipe.assign(source=pipe["lead_source"].fillna("~"))
    grid = pd.crosstab(frame["source"], frame["category"]).reindex(columns=["open", "won", "lost"], fill_value=0)
    order = [c.key for c in contract.TABLES["pipeline"].column("lead_source").choices]
    grid = grid.reindex([k for k in order if k in grid.index] + sorted(k for k in grid.index if k not in order))
    closed = grid["won"] + grid["lost"]
    rate = {k: float(grid.at[k, "won"] / closed[k]) if closed[k] > 0 else None for k in grid.index}
    won_amount = frame[frame["category"] == "won"].groupby("source")["amount"].sum()
    labels = [ctx.choice("pipeline", "lead_source", None if k == "~" else k) for k in grid.index]
    chart = ChartSpec("column", labels, [Series(ctx.t("win_rate"), [rate[k] for k in grid.index])],
                      number_format="0%", title=ctx.t("chart_win_rate"))
    rows = [[lab, numfmt.count(grid.loc[k].sum()), numfmt.count(grid.at[k, "won"]), numfmt.count(grid.at[k, "lost"]),
             numfmt.count(grid.at[k, "open"]), numfmt.pct(rate[k], 1), ctx.money(won_amount.get(k, 0.0))]
            for lab, k in zip(labels, grid.index)]
    table = TableSpec([ctx.t("lead_channel"), ctx.t("opportunities"), ctx.t("won"), ctx.t("lost"), ctx.t("open"),
                       ctx.t("win_rate"), ctx.t("won_amount")], rows, None, ["l", "r", "r", "r", "r", "r", "r"])
    ranked = sorted(((v, lab) for lab, v in zip(labels, rate.values()) if v is not None), key=lambda x: (-x[0], x[1]))
    total_closed = int(closed.sum())
    overall = float(grid["won"].sum() / total_closed) if total_closed else None
    title, subtitle = ctx.title("p2_conversion", best=ranked[0][1] if ranked else None,
                                best_rate=ranked[0][0] if ranked else None, worst=ranked[-1][1] if ranked else None,
                                worst_rate=ranked[-1][0] if ranked else None, overall=overall,
                                opportunities=len(pipe))
    notes = ctx.notes([("pipeline", "lead_source"), ("pipeline", "stage"), ("pipeline", "amount")],
                      [ctx.t("all_rows")], [ctx.t("f_win_rate")])
    return SlideSpec("chart_table", title, subtitle, charts=[chart], table=table, notes=notes)


# ---------------------------------------------------------------- new vs renewal
def _stacked(ctx: Ctx, month_orders: pd.DataFrame, by: str) -> tuple[ChartSpec, pd.DataFrame]:
    frame = month_orders.assign(kind=month_orders["deal_type"].fillna("~"))
    grid = frame.pivot_table(index=by, columns="kind", values="amount", aggfunc="sum", fill_value=0.0)
    kinds = [k for k in ("new", "renewal", "~") if k in grid.columns]
    grid = grid.reindex(columns=kinds)
    grid = grid.loc[sorted(grid.index, key=lambda k: (-grid.loc[k].sum(), str(k)))]
    scale = numfmt.money_scale(grid.sum(axis=1), ctx.lang, ctx.model.settings.currency)
    series = [Series(ctx.choice("orders", "deal_type", None if k == "~" else k), scale.values(grid[k])) for k in kinds]
    chart = ChartSpec("stacked_bar", [str(i) for i in grid.index], series, number_format=scale.number_format,
                      title=f"{ctx.t('by_' + by)} ({scale.unit})")
    return chart, grid


def new_renewal_slide(ctx: Ctx, month_orders: pd.DataFrame) -> SlideSpec:
    by_region, regions = _stacked(ctx, month_orders, "region")
    by_line, _ = _stacked(ctx, month_orders, "product_line")
    totals = month_orders.assign(kind=month_orders["deal_type"].fillna("~")).groupby("kind")["amount"].sum()
    new_share = float(calc.top_share(totals.clip(lower=0), len(totals))["share"].get("new", 0.0)) \
        if totals.clip(lower=0).sum() > 0 else None
    region_share = {}
    if "new" in regions.columns:
        for region, row in regions.iterrows():
            if row.clip(lower=0).sum() > 0:
                region_share[str(region)] = float(calc.top_share(row.clip(lower=0), len(row))["share"]["new"])
    top = sorted(region_share.items(), key=lambda x: (-x[1], x[0]))
    title, subtitle = ctx.title("p2_new_renewal", new_share=new_share, top_region=top[0][0] if top else None,
                                top_region_share=top[0][1] if top else None)
    notes = ctx.notes([("orders", "amount"), ("orders", "deal_type"), ("orders", "region"), ("orders", "product_line")],
                      [ctx.month_filter("orders", "date")], [ctx.t("f_share")])
    return SlideSpec("two_charts", title, subtitle, charts=[by_region, by_line], notes=notes)


# ---------------------------------------------------------------- AOV and dependency
def order_counts(orders: pd.DataFrame) -> pd.Series:
    """Orders per month: distinct order IDs, each row without an ID counting as one order."""
    months = facts.months_of(orders["date"])
    ids = orders["order_id"]
    if ids.isna().any():
        ids = ids.where(ids.notna(), "#row" + orders.index.astype(str))
    return pd.DataFrame({"m": months, "id": ids}).groupby("m")["id"].nunique()


def aov_slide(ctx: Ctx) -> SlideSpec:
    months = pd.period_range(ctx.month - 12, ctx.month, freq="M")
    window = facts.history_in(ctx, *months)
    sales = facts.monthly_sales(window).reindex(months)
    counts = order_counts(window).reindex(months)
    aov = pd.Series(np.where(counts > 0, sales / counts.where(counts > 0), np.nan), index=months)
    change = calc.mom_yoy(aov).loc[ctx.month]
    scale = numfmt.money_scale(aov, ctx.lang, ctx.model.settings.currency)
    line = ChartSpec("line", [str(m) for m in months], [Series(ctx.t("aov"), scale.values(aov))],
                     number_format=scale.number_format, title=f"{ctx.t('chart_aov')} ({scale.unit})")
    year = facts.history_in(ctx, *pd.period_range(ctx.month - 11, ctx.month, freq="M"))
    customers = facts.sum_by(year, "customer").clip(lower=0)
    top20 = top5 = None
    charts = [line]
    if customers.sum() > 0:
        n20 = max(1, calc.ceil_count(len(customers) * TOP_CUSTOMER_FRACTION))
        top20 = float(calc.top_share(customers, n20)["share"].sum())
        five = calc.top_share(customers, 5)
        top5 = float(five["share"].sum())
        charts.append(ChartSpec("bar", [str(c) for c in five.index],
                                [Series(ctx.t("share"), [float(s) for s in five["share"]])],
                                number_format="0.0%", title=ctx.t("chart_top_customers")))
    title, subtitle = ctx.title("p2_aov", aov=_value(aov.iloc[-1]), aov_mom=_value(change["mom"]),
                                top20_share=top20, top5_share=top5, customers=len(customers))
    notes = ctx.notes(
        [("orders", "amount"), ("orders", "order_id"), ("orders", "customer"), ("orders", "date")],
        [f"{ctx.header('orders', 'date')} {ctx.t('in')} {months[0]}–{months[-1]}",
         f"{ctx.t('dependency_window')} {months[1]}–{months[-1]}"],
        [ctx.t("f_aov"), ctx.t("f_dependency")] + ([ctx.t("f_previous_orders")] if ctx.previous is not None else []))
    return SlideSpec("two_charts", title, subtitle, charts=charts, notes=notes)


def _value(v) -> float | None:
    return None if numfmt.is_blank(v) else float(v)
