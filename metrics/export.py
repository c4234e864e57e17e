"""The figures as a documented JSON object (docs/metrics.md) and as a short readable summary.

Money is a plain number in the workbook's currency unit, rates are
fractions (0.938, not 93.8), months are "YYYY-MM", and a figure that cannot
be computed (no target, no previous month) is null. Keys are stable: scripts
may rely on them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from salesdeck.errors import CalcError
from salesdeck.metrics.book import Metrics

__all__ = ["SCHEMA", "to_json", "summary"]

SCHEMA = "salesdeck.metrics/1"


def _num(value: Any) -> float | int | None:
    """A JSON number: None for blanks and non-finite values, ints kept as ints."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _units(m: Metrics, dim: str) -> dict:
    table = m.attainment(dim).table
    return {str(k): {"sales": _num(r["actual"]), "target": _num(r["target"]), "attainment": _num(r["attainment"])}
            for k, r in table.iterrows()}


def _amounts(series: pd.Series) -> dict:
    return {str(k): _num(v) for k, v in series.items()}


def _next_month(m: Metrics) -> dict:
    total = m.next_total
    out: dict[str, Any] = {"month": str(m.next_month), "total": _num(total.amount) if total else None,
                           "source": total.source if total else None, "by_region": {}, "by_product_line": {},
                           "by_rep": {}, "by_xun": {}, "unassigned_by_region": {}}
    for dim in ("region", "product_line"):
        split = m.split(dim)
        if split is not None:
            out[f"by_{dim}"] = _amounts(split.parts["target"])
    plan = m.rep_plan
    if plan is not None:
        named = plan[plan["rep"].notna()]
        out["by_rep"] = _amounts(named.groupby("rep", sort=True)["target"].sum())
        out["unassigned_by_region"] = _amounts(plan[plan["rep"].isna()].set_index("region")["target"])
    try:
        xun = m.xun("en" if m.settings.language == "en" else "zh")
    except CalcError:  # the holiday table leaves a 旬 without working days
        xun = None
    if xun is not None:
        out["by_xun"] = {str(r["label"]): _num(r["target"]) for _, r in xun.iterrows()}
    return out


def _pipeline(m: Metrics) -> dict:
    p = m.pipeline
    return {
        "open": _num(p.open), "weighted": _num(p.weighted), "deals": int(len(p.deals)),
        "by_rep": {str(k): {"open": _num(r["open"]), "weighted": _num(r["weighted"]), "coverage": _num(r["coverage"]),
                            "commit": _num(r["commit"]), "best_case": _num(r["best case"]),
                            "pipeline": _num(r["pipeline"])}
                   for k, r in p.by_rep.iterrows()},
        "by_region": {str(k): {"open": _num(r["open"]), "weighted": _num(r["weighted"])}
                      for k, r in p.by_region.iterrows()},
    }


def _text(value) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _churn(m: Metrics) -> list:
    c = m.churn
    return [{"customer": str(k), "rep": _text(w["rep"]), "reason": w["reason"],
             "sales": {str(p): _num(w[p]) for p in c.months}, "change": _num(w["change"]),
             "at_risk": _num(w["at_risk"])}
            for k, w in c.warnings.iterrows()]


def _receivables(m: Metrics) -> dict:
    r = m.receivables
    follow = [{"customer": str(k), "rep": _text(row["rep"]), "overdue": _num(row["overdue"]),
               "average_days": _num(row["average_days"]), "longest_days": _num(row["longest_days"]),
               "paid_late_days": _num(row["paid_late_days"])}
              for k, row in r.follow_up.iterrows()] if len(r.follow_up) else []
    return {"as_of": m.month_end.strftime("%Y-%m-%d"), "outstanding": _num(r.outstanding), "overdue": _num(r.overdue),
            "aging": _amounts(r.by_bucket), "follow_up": follow}


def _workload(m: Metrics) -> dict:
    work = m.workload
    if work is None:
        return {}
    keys = ("target", "existing", "gap", "new_deals", "visits", "calls", "visits_per_day", "calls_per_day",
            "best_month_visits")
    return {str(w["rep"]): {**{k: _num(w[k]) for k in keys}, "over_capacity": bool(w["over_capacity"])}
            for _, w in work.iterrows() if w["rep"] is not None}


def _changes(m: Metrics) -> dict | None:
    c = m.pipeline_changes
    if c is None:
        return None
    out = {kind: {"count": int(c.by_kind.at[kind, "count"]), "amount": _num(abs(c.by_kind.at[kind, "amount"])),
                  "deals": c.ids(kind)} for kind in c.by_kind.index}
    out["bridge"] = {"start": _num(c.start), "end": _num(c.end)}
    out["forecast"] = {"commit": _num(c.forecast_commit), "best_case": _num(c.forecast_best_case),
                       "won": _num(c.won), "accuracy": _num(c.accuracy)}
    return out


def to_json(m: Metrics) -> dict:
    """The documented object (see docs/metrics.md)."""
    k = m.kpis
    n, complaints, sat = m.nps, m.complaints, m.satisfaction
    return {
        "schema": SCHEMA,
        "company": m.settings.company or None,
        "currency": m.settings.currency,
        "month": str(m.month),
        "sales": _num(k.sales),
        "target": _num(k.target),
        "attainment": _num(k.attainment),
        "rag": k.rag,
        "mom": _num(k.mom),
        "yoy": _num(k.yoy),
        "by_region": _units(m, "region"),
        "by_product_line": _units(m, "product_line"),
        "by_rep": _units(m, "rep"),
        "next_month": _next_month(m),
        "pipeline": _pipeline(m),
        "workload": _workload(m),
        "churn": _churn(m),
        "receivables": _receivables(m),
        "nps": _num(n.score) if n else None,
        "nps_answers": n.answers if n else 0,
        "complaints": {str(key): int(v) for key, v in complaints.by_category["count"].items()} if complaints else {},
        "satisfaction": {str(key): {"score": _num(r["score"]), "previous": _num(r["previous"])}
                         for key, r in sat.scores.iterrows()} if sat else {},
        **({"pipeline_changes": _changes(m)} if m.previous is not None else {}),
    }


def _money(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _delta(v: float | None) -> str:
    return "—" if v is None else f"{v:+.1%}"


def summary(m: Metrics) -> str:
    """A few lines a person reads in a terminal: the figures the meeting starts with."""
    data = to_json(m)
    cur = data["currency"]
    lines = [f"{data['company'] or 'Workbook'} · {data['month']} ({cur})",
             f"Sales {_money(data['sales'])} against a target of {_money(data['target'])}: "
             f"{_pct(data['attainment'])}{' (' + data['rag'] + ')' if data['rag'] else ''}; "
             f"MoM {_delta(data['mom'])}, YoY {_delta(data['yoy'])}"]
    regions = [f"{name} {_pct(v['attainment'])}" for name, v in data["by_region"].items() if v["attainment"] is not None]
    if regions:
        lines.append("Attainment by region: " + ", ".join(regions))
    nxt = data["next_month"]
    lines.append(f"Next month {nxt['month']}: " + (f"target {_money(nxt['total'])} ({nxt['source']})"
                                                 if nxt["total"] is not None else "no target set"))
    p = data["pipeline"]
    lines.append(f"Open pipeline {_money(p['open'])} in {p['deals']} deals, weighted {_money(p['weighted'])}")
    r = data["receivables"]
    lines.append(f"Receivables as of {r['as_of']}: outstanding {_money(r['outstanding'])}, "
                 f"overdue {_money(r['overdue'])}; {len(r['follow_up'])} customer(s) to follow up")
    lines.append(f"Churn warnings: {len(data['churn'])} customer(s)")
    nps = data["nps"]
    lines.append(f"NPS {nps:+.0f} from {data['nps_answers']} answers" if nps is not None else "NPS: no answers")
    lines.append(f"Complaints this month: {sum(data['complaints'].values())}")
    changes = data.get("pipeline_changes")
    if changes:
        lines.append(f"Pipeline since last month: {_money(changes['bridge']['start'])} -> {_money(changes['bridge']['end'])}; "
                     + ", ".join(f"{k.replace('_', ' ')} {changes[k]['count']}" for k in
                                 ("new", "won", "lost", "slipped", "stalled")))
    return "\n".join(lines)
