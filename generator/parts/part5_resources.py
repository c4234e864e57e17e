"""Part 5 资源支持需求 / Resource support needs: what, who owns it, by when."""

from __future__ import annotations

import pandas as pd

from salesdeck.generator.parts import numfmt
from salesdeck.generator.parts.context import Ctx
from salesdeck.metrics.statuses import summarize
from salesdeck.generator.spec import PartSpec, SlideSpec, TableSpec

__all__ = ["build", "PRIORITY_FILL"]

PRIORITY_FILL = {"high": "red", "medium": "amber", "low": "green"}
_PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def build(ctx: Ctx) -> PartSpec:
    return PartSpec(5, ctx.label("part5"), [resources_slide(ctx)])


def resources_slide(ctx: Ctx) -> SlideSpec:
    res = ctx.model.resources
    if res.empty:
        return ctx.empty("topic_resources", "resources")
    res = res.assign(_p=res["priority"].map(_PRIORITY_ORDER).fillna(3),
                     _d=res["due_date"].fillna(pd.Timestamp.max), _r=res["request"].astype(str))
    res = res.sort_values(["_p", "_d", "_r"], kind="stable")
    cols = ("request", "type", "requested_by", "owner", "due_date", "priority", "status")
    summary = summarize(res, "due_date", ctx.month_end)
    rows, fills = [], []
    for (_, r), judged in zip(res.iterrows(), summary.judged):
        rows.append([str(r["request"]), ctx.choice("resources", "type", r["type"]),
                     str(r["requested_by"]) if not numfmt.is_blank(r["requested_by"]) else numfmt.BLANK,
                     str(r["owner"]), numfmt.date(r["due_date"]), ctx.choice("resources", "priority", r["priority"]),
                     ctx.choice("resources", "status", r["status"])])
        fills.append([None, None, None, None, "red" if judged.late else None, PRIORITY_FILL.get(r["priority"]),
                      judged.colour])
    open_ = res["status"] != "done"
    by_type = {ctx.choice("resources", "type", k): int(v) for k, v in res["type"].value_counts().sort_index().items()}
    title, subtitle = ctx.title("p5_resources", total=len(res), open=int(open_.sum()),
                                high_open=int((open_ & (res["priority"] == "high")).sum()),
                                overdue=summary.late, by_type=by_type)
    notes = ctx.notes([("resources", c) for c in cols], [ctx.label("all_rows")], [ctx.label("f_resources")])
    notes = "\n".join([notes, *ctx.status_notes(summary, res["request"])])
    return SlideSpec("table", title, subtitle,
                     table=TableSpec([ctx.header("resources", c) for c in cols], rows, fills,
                                     ["l", "l", "l", "l", "c", "c", "c"]), notes=notes)
