"""Bonus and commission per rep for the report month, from the workbook's commission plan.

Rules:

- Revenue attainment = the rep's sales / the rep's target.
- New customers: customers with a new-business order this month, against
  the attainable target (average monthly effective visits of the 3 months
  before x their close rate x Settings' challenge coefficient; seed 000).
- Collections = paid this month / due this month (nothing due counts 100%).
- Activity = visits this month / (average monthly visits of the 3 months
  before x the challenge coefficient).
- Gross margin has no data in the workbook: it is left out and the other
  weights are scaled to 100%. A metric without a target counts 0.
- Score = the plan's weighted attainments with thresholds, caps and gates
  (calc.scorecard); bonus = score x Settings' bonus base.
- Commission on the month's sales by the plan's tiers (marginal or
  retroactive, with the plan's cap); pay = bonus + commission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesdeck import calc
from salesdeck.metrics.targets import targets_by

if TYPE_CHECKING:
    from salesdeck.metrics.book import Metrics

__all__ = ["metric_attainments", "Commission", "commission"]


def _ratio(actual: float, target: float | None) -> float:
    return actual / target if target and target > 0 else 0.0


def metric_attainments(m: "Metrics", reps: list) -> pd.DataFrame:
    """Actual, target and attainment per (rep, metric) for the report month."""
    s = m.settings
    month_orders = m.month_orders
    revenue = month_orders.groupby("rep")["amount"].sum()
    rev_target = targets_by(m.model.targets, m.month, "rep")
    new = month_orders[month_orders["deal_type"] == "new"].groupby("rep")["customer"].nunique()
    act = m.model.activities
    act = act.assign(period=act["month"].dt.to_period("M"), eff=act["effective_visits"].fillna(act["visits"]))
    prior = act[(act["period"] >= m.month - 3) & (act["period"] <= m.month - 1)]
    prior_orders = m.orders_in(m.month - 3, m.month - 2, m.month - 1)
    prior_new = prior_orders[prior_orders["deal_type"] == "new"].groupby("rep")["customer"].nunique()
    visits_now = act[act["period"] == m.month].groupby("rep")["visits"].sum()
    rec = m.model.receivables
    due = rec[rec["due_date"].dt.to_period("M") == m.month].groupby("rep")["amount"].sum()
    paid = rec[rec["paid_date"].dt.to_period("M") == m.month].groupby("rep")["paid_amount"].sum()
    rows = []
    for rep in reps:
        eff = prior.loc[prior["rep"] == rep, "eff"]
        visits_total = float(eff.sum())
        new_target = None
        if visits_total > 0:
            close_rate = min(float(prior_new.get(rep, 0)) / visits_total, 1.0)
            new_target = calc.new_customer_target(visits_total / 3, close_rate, s.challenge)
        target = float(rev_target.get(rep, 0.0))
        past_visits = float(prior.loc[prior["rep"] == rep, "visits"].sum())
        planned = past_visits / 3 * s.challenge if past_visits > 0 else None
        due_rep = float(due.get(rep, 0.0))
        values = {
            "revenue": (float(revenue.get(rep, 0.0)), target or None),
            "new_customers": (float(new.get(rep, 0)), new_target),
            "collections": (float(paid.get(rep, 0.0)), due_rep or None),
            "activity": (float(visits_now.get(rep, 0.0)), planned),
        }
        for metric, (actual, tgt) in values.items():
            att = 1.0 if metric == "collections" and not tgt else _ratio(actual, tgt)
            rows.append((rep, metric, actual, tgt, att))
    return pd.DataFrame(rows, columns=["rep", "metric", "actual", "target", "attainment"])


@dataclass(frozen=True)
class Commission:
    reps: list
    metrics: pd.DataFrame        # the plan's metrics per rep: rep, metric, actual, target, attainment
    plan: pd.DataFrame           # the plan's metrics that have data (gross margin left out)
    margin_left_out: bool
    attainment: pd.DataFrame     # rep x metric attainment (plan order)
    score: np.ndarray | None
    bonus: np.ndarray | None
    commission: np.ndarray | None
    pay: np.ndarray | None


def commission(m: "Metrics") -> Commission:
    """Scorecard, bonus and commission per rep with sales or a target this month."""
    s = m.settings
    month_orders = m.month_orders
    reps = sorted(set(month_orders["rep"].dropna()) | set(targets_by(m.model.targets, m.month, "rep").index), key=str)
    plan = m.model.commission_metrics.dropna(subset=["metric"])
    tiers = m.model.commission_tiers.dropna(subset=["from_amount", "rate"])
    used = plan[plan["metric"] != "gross_margin"]
    metrics = metric_attainments(m, reps) if reps else pd.DataFrame(
        columns=["rep", "metric", "actual", "target", "attainment"])
    attainment = pd.DataFrame(index=pd.Index(reps, name="rep"))
    score = bonus = pay_commission = pay = None
    if len(used) and reps:
        attainment = metrics.pivot(index="rep", columns="metric", values="attainment").reindex(reps)[list(used["metric"])]
        weights = used["weight"].to_numpy(dtype=float)
        weights = weights / weights.sum()
        score = np.asarray(calc.scorecard(attainment.to_numpy(dtype=float), weights, used["threshold"].to_numpy(),
                                          used["cap"].to_numpy(), used["gate"].to_numpy()), dtype=float).ravel()
        bonus = score * s.bonus_base
    if len(tiers) and reps:
        revenue = month_orders.groupby("rep")["amount"].sum().reindex(reps).fillna(0.0).clip(lower=0)
        pay_commission = np.asarray(calc.commission(revenue.to_numpy(), tiers[["from_amount", "rate"]].to_numpy(),
                                                    s.commission_mode, s.commission_cap), dtype=float).ravel()
        pay = pay_commission + (bonus if bonus is not None else 0.0)
    if len(used):
        metrics = metrics[metrics["metric"].isin(set(used["metric"]))]
    return Commission(reps, metrics, used, len(used) < len(plan), attainment, score, bonus, pay_commission, pay)
