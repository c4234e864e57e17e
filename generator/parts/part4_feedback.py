"""Part 4 客户反馈处理 / Customer feedback: complaints (Pareto), satisfaction, NPS."""

from __future__ import annotations

import numpy as np

from salesdeck.generator.parts.context import Ctx
from salesdeck.generator.spec import ChartSpec, PartSpec, Series, SlideSpec

__all__ = ["build"]


def build(ctx: Ctx) -> PartSpec:
    return PartSpec(4, ctx.label("part4"), [complaints_slide(ctx), satisfaction_slide(ctx), nps_slide(ctx)])


def complaints_slide(ctx: Ctx) -> SlideSpec:
    c = ctx.m.complaints
    if c is None:
        return ctx.empty("topic_complaints", "complaints")
    p = c.by_category
    names = [ctx.choice("complaints", "category", None if k == "~" else k) for k in p.index]
    combo = ChartSpec("combo", names,
                      [Series(ctx.label("complaints"), [float(v) for v in p["count"]], "column"),
                       Series(ctx.label("cumulative"), [float(v) for v in p["cumulative"]], "line")],
                      number_format="#,##0", secondary_number_format="0%", title=ctx.label("chart_pareto"))
    kinds = [k for k in ("open", "in_progress", "resolved") if k in c.by_status.columns]
    stacked = ChartSpec("stacked_bar", names,
                        [Series(ctx.choice("complaints", "status", k), [float(v) for v in c.by_status[k]])
                         for k in kinds],
                        number_format="#,##0", title=ctx.label("chart_complaint_status"))
    total, resolved = c.total, c.resolved
    title, subtitle = ctx.title("p4_complaints", total=total, top=names[0],
                                top_share=float(p["count"].iloc[0] / total),
                                top2_share=float(p["cumulative"].iloc[min(1, len(p) - 1)]),
                                resolved=resolved, unresolved=total - resolved,
                                resolved_rate=resolved / total)
    notes = ctx.notes([("complaints", "category"), ("complaints", "status"), ("complaints", "date")],
                      [ctx.month_filter("complaints", "date")], [ctx.label("f_pareto")])
    return SlideSpec("two_charts", title, subtitle, charts=[combo, stacked], notes=notes)


def satisfaction_slide(ctx: Ctx) -> SlideSpec:
    s = ctx.m.satisfaction
    if s is None:
        return ctx.empty("topic_satisfaction", "satisfaction")
    scores = s.scores
    names = list(scores.index)
    series = [Series(ctx.label("this_period"), [float(v) for v in scores["score"]])]
    if scores["previous"].notna().any():
        series.insert(0, Series(ctx.label("last_period"), [None if np.isnan(v) else float(v) for v in scores["previous"]]))
    chart = ChartSpec("bar", names, series, number_format="0.0", title=ctx.label("chart_satisfaction"))
    ranked = sorted(((float(c), n) for c, n in zip(scores["change"], names) if not np.isnan(c)),
                    key=lambda x: (x[0], x[1]))
    title, subtitle = ctx.title(
        "p4_satisfaction", average=s.average,
        average_change=s.average - s.average_before if s.average_before is not None else None,
        worst=ranked[0][1] if ranked else None, worst_change=ranked[0][0] if ranked else None,
        best=ranked[-1][1] if ranked else None, best_change=ranked[-1][0] if ranked else None)
    notes = ctx.notes([("satisfaction", "dimension"), ("satisfaction", "score"), ("satisfaction", "previous")],
                      [ctx.label("all_rows")], [ctx.label("f_satisfaction")])
    return SlideSpec("chart", title, subtitle, charts=[chart], notes=notes)


def nps_slide(ctx: Ctx) -> SlideSpec:
    n = ctx.m.nps
    if n is None:
        return ctx.empty("topic_nps", "nps")
    groups = n.groups
    chart = ChartSpec("doughnut", [ctx.label(k) for k in groups],
                      [Series(ctx.label("answers"), [float(v) for v in groups.values()])],
                      number_format="#,##0", title=ctx.label("chart_nps"), point_fills=["green", "amber", "red"])
    answers = n.answers
    title, subtitle = ctx.title("p4_nps", nps=n.score, answers=answers, promoters=groups["promoters"] / answers,
                                passives=groups["passives"] / answers, detractors=groups["detractors"] / answers)
    notes = ctx.notes([("nps", "score")], [ctx.label("all_rows")], [ctx.label("f_nps")])
    return SlideSpec("chart", title, subtitle, charts=[chart], notes=notes)
