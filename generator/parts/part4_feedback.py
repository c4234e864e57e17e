"""Part 4 客户反馈处理 / Customer feedback: complaints (Pareto), satisfaction, NPS."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesdeck import calc
from salesdeck.generator.parts import facts
from salesdeck.generator.parts.context import Ctx
from salesdeck.generator.spec import ChartSpec, PartSpec, Series, SlideSpec

__all__ = ["build", "pareto", "nps_groups"]


def build(ctx: Ctx) -> PartSpec:
    return PartSpec(4, ctx.t("part4"), [complaints_slide(ctx), satisfaction_slide(ctx), nps_slide(ctx)])


def pareto(categories: pd.Series) -> pd.DataFrame:
    """Count per category, largest first (ties by name), with the cumulative share."""
    counts = categories.value_counts()
    frame = pd.DataFrame({"count": counts.to_numpy(), "name": [str(k) for k in counts.index]}, index=counts.index)
    frame = frame.sort_values(["count", "name"], ascending=[False, True], kind="stable")
    frame["cumulative"] = frame["count"].cumsum() / frame["count"].sum()
    return frame


def complaints_slide(ctx: Ctx) -> SlideSpec:
    table = ctx.model.complaints
    month = table[facts.months_of(table["date"]) == ctx.month]
    if month.empty:
        return ctx.empty("topic_complaints", "complaints")
    labelled = month.assign(label=[ctx.choice("complaints", "category", c) for c in month["category"]])
    p = pareto(labelled["label"])
    combo = ChartSpec("combo", list(p["name"]),
                      [Series(ctx.t("complaints"), [float(v) for v in p["count"]], "column"),
                       Series(ctx.t("cumulative"), [float(v) for v in p["cumulative"]], "line")],
                      number_format="#,##0", secondary_number_format="0%", title=ctx.t("chart_pareto"))
    status = pd.crosstab(labelled["label"], labelled["status"]).reindex(index=list(p["name"]), fill_value=0)
    kinds = [k for k in ("open", "in_progress", "resolved") if k in status.columns]
    stacked = ChartSpec("stacked_bar", list(p["name"]),
                        [Series(ctx.choice("complaints", "status", k), [float(v) for v in status[k]]) for k in kinds],
                        number_format="#,##0", title=ctx.t("chart_complaint_status"))
    total = int(p["count"].sum())
    resolved = int((month["status"] == "resolved").sum())
    title, subtitle = ctx.title("p4_complaints", total=total, top=str(p.index[0]),
                                top_share=float(p["count"].iloc[0] / total),
                                top2_share=float(p["cumulative"].iloc[min(1, len(p) - 1)]),
                                resolved=resolved, unresolved=total - resolved,
                                resolved_rate=resolved / total)
    notes = ctx.notes([("complaints", "category"), ("complaints", "status"), ("complaints", "date")],
                      [ctx.month_filter("complaints", "date")], [ctx.t("f_pareto")])
    return SlideSpec("two_charts", title, subtitle, charts=[combo, stacked], notes=notes)


def satisfaction_slide(ctx: Ctx) -> SlideSpec:
    sat = ctx.model.satisfaction
    if sat.empty:
        return ctx.empty("topic_satisfaction", "satisfaction")
    sat = sat.assign(name=sat["dimension"].astype(str)).drop_duplicates("name", keep="last")
    change = sat["score"] - sat["previous"]
    series = [Series(ctx.t("this_period"), [float(v) for v in sat["score"]])]
    if sat["previous"].notna().any():
        series.insert(0, Series(ctx.t("last_period"), [None if np.isnan(v) else float(v) for v in sat["previous"]]))
    chart = ChartSpec("bar", list(sat["name"]), series, number_format="0.0", title=ctx.t("chart_satisfaction"))
    ranked = sorted(((float(c), n) for c, n in zip(change, sat["name"]) if not np.isnan(c)), key=lambda x: (x[0], x[1]))
    avg_now = float(sat["score"].mean())
    avg_before = float(sat["previous"].mean()) if sat["previous"].notna().any() else None
    title, subtitle = ctx.title(
        "p4_satisfaction", average=avg_now, average_change=avg_now - avg_before if avg_before is not None else None,
        worst=ranked[0][1] if ranked else None, worst_change=ranked[0][0] if ranked else None,
        best=ranked[-1][1] if ranked else None, best_change=ranked[-1][0] if ranked else None)
    notes = ctx.notes([("satisfaction", "dimension"), ("satisfaction", "score"), ("satisfaction", "previous")],
                      [ctx.t("all_rows")], [ctx.t("f_satisfaction")])
    return SlideSpec("chart", title, subtitle, charts=[chart], notes=notes)


def nps_groups(scores: pd.Series) -> dict[str, int]:
    """Promoters (9-10), passives (7-8), detractors (0-6)."""
    return {"promoters": int((scores >= 9).sum()), "passives": int(((scores >= 7) & (scores <= 8)).sum()),
            "detractors": int((scores <= 6).sum())}


def nps_slide(ctx: Ctx) -> SlideSpec:
    scores = ctx.model.nps["score"].dropna()
    if scores.empty:
        return ctx.empty("topic_nps", "nps")
    score = calc.nps(scores.to_numpy())
    groups = nps_groups(scores)
    chart = ChartSpec("doughnut", [ctx.t(k) for k in groups],
                      [Series(ctx.t("answers"), [float(v) for v in groups.values()])],
                      number_format="#,##0", title=ctx.t("chart_nps"), point_fills=["green", "amber", "red"])
    n = len(scores)
    title, subtitle = ctx.title("p4_nps", nps=score, answers=n, promoters=groups["promoters"] / n,
                                passives=groups["passives"] / n, detractors=groups["detractors"] / n)
    notes = ctx.notes([("nps", "score")], [ctx.t("all_rows")], [ctx.t("f_nps")])
    return SlideSpec("chart", title, subtitle, charts=[chart], notes=notes)
