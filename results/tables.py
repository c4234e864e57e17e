"""Refresh: compute the result tables of a workbook (pure), and refresh a file.

``compute_results(model)`` is the one implementation behind the ribbon's
Refresh button and ``salesdeck refresh``; the math is ``salesdeck.calc``'s.
Rules that are choices, not math (all for the report month M = Settings'
month unless said otherwise):

- Targets: a rep's target is the sum of the rows naming the rep; a product
  line's the sum of rows naming it; a region's the region-level rows (no rep,
  product line or customer type) when the region has any, else the sum of all
  its rows.
- Next month's total is Settings' next-month target, else the sum of next
  month's region targets. Split weights per region / product line / rep are
  next month's targets when the Targets sheet has them, else the actual sales
  of the last 3 months (M-2..M, negative totals count as 0). Exact sums at
  Settings' split unit (largest remainder); 旬 by working days (holidays and
  make-up workdays from Settings).
- Pipeline per rep: open deals only; coverage = open pipeline / (target of M
  - actual of M), blank when the target is met.
- Funnel and gap plan per rep for next month (target = the split above):
  average order = the rep's average order of the last 3 months; B1 = won deals
  expected to close next month, B2 = average monthly renewal sales of the last
  3 months, B3 = weighted open deals expected to close next month; E =
  Settings' new-customer average order, else the average new-deal order of the
  last 12 months.
- Scorecard metrics: revenue = actual / target; new customers = customers
  with a new deal in M / (average monthly effective visits of M-3..M-1 x
  close rate of those months x challenge); collections = paid in M / due in M
  (nothing due counts 100%); activity = visits in M / (average monthly visits
  of M-3..M-1 x challenge). Gross margin has no data in the workbook: it is left out
  and the other weights are scaled to 100%. A metric without a target counts 0.
- Churn: monthly sales of M-2..M per customer, warning when down twice in a row.
- Aging as of the last day of M; payments after that day are ignored.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from salesdeck import calc
from salesdeck.errors import CalcError
from salesdeck.workbook import contract
from salesdeck.workbook.model import SalesWorkbook
from salesdeck.results.sheet import ResultTable

__all__ = ["ResultTable", "compute_results", "summary_line", "heading"]

MONEY, PCT, INT, DATE, DEC = "#,##0", "0.0%", "0", "yyyy-mm-dd", "0.00"

_LABELS = {
    "region": ("区域", "Region"), "rep": ("销售代表", "Rep"), "product_line": ("产品线", "Product line"),
    "customer": ("客户", "Customer"), "actual": ("实际", "Actual"), "target": ("目标", "Target"),
    "attainment": ("达成率", "Attainment"), "variance": ("差额", "Variance"), "rag": ("状态", "RAG"),
    "total": ("合计", "Total"), "share": ("权重", "Weight"), "next_target": ("下月目标", "Next-month target"),
    "xun": ("旬", "Period"), "start": ("开始", "Start"), "end": ("结束", "End"),
    "working_days": ("工作日", "Working days"), "deals": ("商机数", "Open deals"),
    "open": ("商机金额", "Open pipeline"), "weighted": ("加权金额", "Weighted pipeline"),
    "commit": ("承诺", "Commit"), "best case": ("最佳情况", "Best case"), "pipeline": ("管道", "Pipeline"),
    "remaining": ("剩余目标", "Remaining target"), "coverage": ("覆盖率", "Coverage"),
    "avg_order": ("平均单额", "Average order"), "orders": ("订单", "Orders"), "proposals": ("方案", "Proposals"),
    "visits": ("拜访", "Visits"), "calls": ("电话", "Calls"), "metric": ("指标", "Metric"),
    "weight": ("权重", "Weight"), "score": ("得分", "Score"), "bonus": ("奖金", "Bonus"),
    "commission": ("提成", "Commission"), "payout": ("合计", "Total pay"), "churn": ("流失预警", "Churn warning"),
    "yes": ("是", "yes"), "invoice": ("发票号", "Invoice"), "amount": ("应收金额", "Amount due"),
    "due_date": ("到期日", "Due date"), "paid_date": ("回款日期", "Paid date"), "paid": ("已回款", "Paid"),
    "outstanding": ("未回款", "Outstanding"), "overdue": ("逾期天数", "Days overdue"),
    "bucket": ("账龄", "Aging"), "count": ("笔数", "Invoices"),
}
_TITLES = {
    "attainment_region": ("{m} 区域目标达成", "{m} attainment by region"),
    "attainment_product_line": ("{m} 产品线目标达成", "{m} attainment by product line"),
    "attainment_rep": ("{m} 销售代表目标达成", "{m} attainment by rep"),
    "split_region": ("{n} 目标拆分:区域", "{n} target split by region"),
    "split_product_line": ("{n} 目标拆分:产品线", "{n} target split by product line"),
    "split_rep": ("{n} 目标拆分:销售代表", "{n} target split by rep"),
    "split_xun": ("{n} 目标拆分:旬(按工作日)", "{n} target split by ten-day period (working days)"),
    "pipeline": ("商机加权与覆盖率(按销售代表)", "Weighted pipeline and coverage by rep"),
    "funnel": ("{n} 销售漏斗倒推(按销售代表)", "{n} funnel back-calculation by rep"),
    "gap_plan": ("{n} 循后计划(按销售代表)", "{n} gap plan by rep"),
    "commission": ("{m} 奖金与提成(按销售代表)", "{m} bonus and commission by rep"),
    "commission_metrics": ("{m} 考核指标明细", "{m} scorecard metrics"),
    "churn": ("流失预警(近3个月销售额)", "Churn warnings (sales of the last 3 months)"),
    "aging": ("应收账龄(截至 {d})", "Receivable aging (as of {d})"),
    "aging_totals": ("账龄汇总(截至 {d})", "Aging totals (as of {d})"),
}
_NOTES = {
    "next_targets": ("权重:下月目标占比", "Weights: next month's targets"),
    "trailing": ("权重:近3个月实际销售占比", "Weights: actual sales of the last 3 months"),
    "no_next": ("没有下月目标:请在设置中填写“下月目标”或在目标表中填写下月目标",
                "No next-month target: fill Settings' next month target or next month's rows on Targets"),
    "margin": ("毛利无数据,不计入;其余权重按比例放大到100%", "Gross margin has no data: left out, other weights scaled to 100%"),
    "failed": ("无法计算:{e}", "Could not compute: {e}"),
    "no_plan": ("提成方案为空:请填写考核指标和提成阶梯", "The commission plan is empty: fill the metrics and tiers"),
    "no_data": ("没有数据", "No data"),
}
_BUCKETS = {"zh": ("未逾期", "1-30天", "31-60天", "61-90天", "90天以上"),
            "en": ("Current", "1-30 days", "31-60 days", "61-90 days", "90+ days")}


class _Ctx:
    """The model plus the months and lookups every block needs."""

    def __init__(self, model: SalesWorkbook):
        self.model = model
        s = model.settings
        self.lang = "en" if s.language == "en" else "zh"
        month = s.month if s.month is not None else _latest_order_month(model)
        self.month = pd.Period(month, freq="M")
        self.next = self.month + 1
        self.orders = model.orders.assign(period=model.orders["date"].dt.to_period("M"))
        self.holidays = _days(model.holidays, "holiday")
        self.workdays = _days(model.holidays, "workday")

    def L(self, key: str) -> str:  # noqa: N802 - short label lookup
        zh, en = _LABELS[key]
        return en if self.lang == "en" else zh

    def title(self, key: str) -> str:
        zh, en = _TITLES[key]
        text = en if self.lang == "en" else zh
        return text.format(m=self.month.strftime("%Y-%m"), n=self.next.strftime("%Y-%m"),
                           d=self.month.end_time.strftime("%Y-%m-%d"))

    def note(self, key: str, **kw) -> str:
        zh, en = _NOTES[key]
        return (en if self.lang == "en" else zh).format(**kw)

    def orders_in(self, first: pd.Period, last: pd.Period | None = None) -> pd.DataFrame:
        last = first if last is None else last
        p = self.orders["period"]
        return self.orders[(p >= first) & (p <= last)]


def _latest_order_month(model: SalesWorkbook):
    dates = model.orders["date"].dropna()
    if dates.empty:
        raise CalcError("month", "the report month is missing in Settings and there are no orders to infer it from")
    return dates.max()


def _days(holidays: pd.DataFrame, kind: str) -> list:
    picked = holidays.loc[holidays["kind"] == kind, "date"].dropna()
    return [d.date() for d in picked]


# ---------------------------------------------------------------- targets and actuals
def targets_by(model: SalesWorkbook, month: pd.Period, dim: str) -> pd.Series:
    """Target per region / rep / product line for ``month`` (rules in the module docstring)."""
    t = model.targets
    t = t[t["month"].dt.to_period("M") == month]
    if dim != "region":
        named = t[t[dim].notna()]
        return named.groupby(dim, sort=True)["target"].sum()
    level = t["rep"].isna() & t["product_line"].isna() & t["customer_type"].isna()
    out = {}
    for region, rows in t.groupby("region", sort=True):
        own = rows[level.loc[rows.index]]
        out[region] = float((own if len(own) else rows)["target"].sum())
    return pd.Series(out, dtype=float)


def _actual_by(ctx: _Ctx, dim: str, first: pd.Period, last: pd.Period | None = None) -> pd.Series:
    return ctx.orders_in(first, last).groupby(dim, sort=True)["amount"].sum()


def _rag_labels(ctx: _Ctx, att: np.ndarray) -> list[str]:
    s = ctx.model.settings
    return [str(x) for x in np.asarray(calc.rag(att, s.rag_bands, ctx.lang)).ravel()]


def _attainment_block(ctx: _Ctx, dim: str) -> ResultTable:
    actual = _actual_by(ctx, dim, ctx.month)
    target = targets_by(ctx.model, ctx.month, dim)
    keys = sorted(set(actual.index) | set(target.index), key=str)
    act = actual.reindex(keys).fillna(0.0).to_numpy(dtype=float)
    tgt = target.reindex(keys).to_numpy(dtype=float)
    act = np.append(act, act.sum())
    tgt = np.append(tgt, np.nansum(tgt) if np.isfinite(tgt).any() else np.nan)
    has = np.isfinite(tgt) & (tgt > 0)
    att = np.full(act.size, np.nan)
    if has.any():
        att[has] = calc.attainment(act[has], tgt[has])
    rag = np.full(act.size, "", dtype=object)
    if has.any():
        rag[has] = _rag_labels(ctx, att[has])
    frame = pd.DataFrame({
        ctx.L(dim): [*keys, ctx.L("total")], ctx.L("actual"): act, ctx.L("target"): tgt,
        ctx.L("attainment"): att, ctx.L("variance"): act - tgt, ctx.L("rag"): rag,
    })
    formats = {ctx.L("actual"): MONEY, ctx.L("target"): MONEY, ctx.L("attainment"): PCT, ctx.L("variance"): MONEY}
    return ResultTable(f"attainment_{dim}", ctx.title(f"attainment_{dim}"), frame, formats)


# ---------------------------------------------------------------- next month
def next_month_total(ctx: _Ctx) -> float | None:
    """Settings' next-month target, else the sum of next month's region targets."""
    s = ctx.model.settings
    if s.next_month_target is not None and not math.isnan(s.next_month_target):
        return float(s.next_month_target)
    total = float(targets_by(ctx.model, ctx.next, "region").sum())
    return total if total > 0 else None


def split_weights(ctx: _Ctx, dim: str) -> tuple[pd.Series, str]:
    """Weights for next month's split along ``dim`` and which basis was used."""
    planned = targets_by(ctx.model, ctx.next, dim)
    if len(planned) and planned.sum() > 0:
        return planned.astype(float), "next_targets"
    trailing = _actual_by(ctx, dim, ctx.month - 2, ctx.month).clip(lower=0).astype(float)
    return trailing, "trailing"


def next_month_split(ctx: _Ctx, dim: str) -> pd.Series | None:
    total = next_month_total(ctx)
    if total is None:
        return None
    weights, _ = split_weights(ctx, dim)
    if weights.sum() <= 0:
        return None
    return calc.split_by_weights(total, weights, ctx.model.settings.split_unit)


def _split_block(ctx: _Ctx, dim: str) -> ResultTable:
    key = f"split_{dim}"
    total = next_month_total(ctx)
    weights, basis = split_weights(ctx, dim)
    if total is None or weights.sum() <= 0:
        return ResultTable(key, ctx.title(key), pd.DataFrame(), note=ctx.note("no_next"))
    parts = calc.split_by_weights(total, weights, ctx.model.settings.split_unit)
    frame = pd.DataFrame({
        ctx.L(dim): [*parts.index, ctx.L("total")],
        ctx.L("share"): [*(weights / weights.sum()).to_numpy(), 1.0],
        ctx.L("next_target"): [*parts.to_numpy(), parts.sum()],
    })
    return ResultTable(key, ctx.title(key), frame, {ctx.L("share"): PCT, ctx.L("next_target"): MONEY},
                       ctx.note(basis))


def _xun_block(ctx: _Ctx) -> ResultTable:
    total = next_month_total(ctx)
    if total is None:
        return ResultTable("split_xun", ctx.title("split_xun"), pd.DataFrame(), note=ctx.note("no_next"))
    t = calc.period_split(total, ctx.next.start_time.date(), "xun", ctx.holidays or None, ctx.workdays or None,
                          ctx.model.settings.split_unit, ctx.lang)
    frame = pd.DataFrame({
        ctx.L("xun"): [*t["label"], ctx.L("total")], ctx.L("start"): [*t["start"], None],
        ctx.L("end"): [*t["end"], None], ctx.L("working_days"): [*t["working_days"], t["working_days"].sum()],
        ctx.L("next_target"): [*t["target"], t["target"].sum()],
    })
    return ResultTable("split_xun", ctx.title("split_xun"), frame,
                       {ctx.L("start"): DATE, ctx.L("end"): DATE, ctx.L("working_days"): INT,
                        ctx.L("next_target"): MONEY})


# ---------------------------------------------------------------- pipeline, funnel, gap plan
def _pipeline_block(ctx: _Ctx) -> ResultTable:
    s = ctx.model.settings
    deals = ctx.model.pipeline
    open_deals = deals[deals["category"] == "open"]
    categories = calc.forecast_category(open_deals["probability"].to_numpy(dtype=float), None, s.commit_min,
                                        s.best_case_min, "en") if len(open_deals) else np.array([], dtype=object)
    open_deals = open_deals.assign(fc=np.asarray(categories, dtype=object).ravel())
    target = targets_by(ctx.model, ctx.month, "rep")
    actual = _actual_by(ctx, "rep", ctx.month)
    rows = []
    for rep, d in open_deals.groupby("rep", sort=True):
        amounts, probs = d["amount"].to_numpy(dtype=float), d["probability"].to_numpy(dtype=float)
        remaining = float(target.get(rep, 0.0)) - float(actual.get(rep, 0.0))
        coverage = calc.pipeline_coverage(amounts, target.get(rep, 0.0), actual.get(rep, 0.0)) if remaining > 0 \
            else None
        by_cat = d.groupby("fc")["amount"].sum()
        rows.append([rep, len(d), amounts.sum(), calc.weighted_pipeline(amounts, probs),
                     *(float(by_cat.get(c, 0.0)) for c in ("commit", "best case", "pipeline")),
                     max(remaining, 0.0), coverage])
    columns = [ctx.L(k) for k in ("rep", "deals", "open", "weighted", "commit", "best case", "pipeline",
                                  "remaining", "coverage")]
    frame = pd.DataFrame(rows, columns=columns)
    formats = {c: MONEY for c in columns[2:8]} | {ctx.L("deals"): INT, ctx.L("coverage"): DEC}
    return ResultTable("pipeline", ctx.title("pipeline"), frame, formats)


def _rep_targets_next(ctx: _Ctx) -> pd.Series:
    split = next_month_split(ctx, "rep")
    return split if split is not None else targets_by(ctx.model, ctx.month, "rep")


def _avg_order(orders: pd.DataFrame) -> float | None:
    positive = orders.loc[orders["amount"] > 0, "amount"]
    return float(positive.mean()) if len(positive) else None


def _rep_avg_orders(ctx: _Ctx, reps) -> dict:
    recent = ctx.orders_in(ctx.month - 2, ctx.month)
    overall = _avg_order(recent) or _avg_order(ctx.orders)
    return {rep: _avg_order(recent[recent["rep"] == rep]) or overall for rep in reps}


def _funnel_block(ctx: _Ctx) -> ResultTable:
    targets = _rep_targets_next(ctx)
    avg = _rep_avg_orders(ctx, targets.index)
    rows = []
    for rep, target in targets.items():
        if not avg[rep]:
            continue
        rows.append([rep, target, avg[rep], *calc.funnel_back(target, avg[rep], ctx.model.settings.funnel_ratios)])
    columns = [ctx.L(k) for k in ("rep", "next_target", "avg_order", "orders", "proposals", "visits", "calls")]
    formats = {columns[1]: MONEY, columns[2]: MONEY} | {c: INT for c in columns[3:]}
    return ResultTable("funnel", ctx.title("funnel"), pd.DataFrame(rows, columns=columns), formats)


def _new_avg_order(ctx: _Ctx) -> float | None:
    s = ctx.model.settings
    if s.new_avg_order is not None and not math.isnan(s.new_avg_order) and s.new_avg_order > 0:
        return float(s.new_avg_order)
    year = ctx.orders_in(ctx.month - 11, ctx.month)
    return _avg_order(year[year["deal_type"] == "new"]) or _avg_order(year)


def _gap_block(ctx: _Ctx) -> ResultTable:
    s = ctx.model.settings
    targets = _rep_targets_next(ctx)
    first, last = ctx.next.start_time.date(), ctx.next.end_time.date()
    days = calc.working_days(first, last, ctx.holidays or None, ctx.workdays or None)
    deals = ctx.model.pipeline
    closing = deals[deals["expected_close"].dt.to_period("M") == ctx.next]
    recent = ctx.orders_in(ctx.month - 2, ctx.month)
    renewals = recent[recent["deal_type"] == "renewal"].groupby("rep")["amount"].sum() / 3
    e = _new_avg_order(ctx)
    labels = {key: f"{letter} {en if ctx.lang == 'en' else zh}".strip() for key, letter, zh, en in calc.GAP_PLAN_ROWS}
    rows = []
    for rep, target in targets.items():
        mine = closing[closing["rep"] == rep]
        won = float(mine.loc[mine["category"] == "won", "amount"].sum())
        live = mine[mine["category"] == "open"]
        weighted = float((live["amount"] * live["probability"]).sum())
        plan = calc.gap_plan(target, won, max(float(renewals.get(rep, 0.0)), 0.0), weighted, e,
                             s.success_ratio, s.visits_per_prospect, days)
        rows.append([rep, *(plan[key] for key in labels)])
    frame = pd.DataFrame(rows, columns=[ctx.L("rep"), *labels.values()])
    counts = {"orders_needed", "prospects_needed", "visits_needed"}
    formats = {labels[k]: (INT if k in counts else DEC if k in ("success_ratio", "visits_per_success",
                                                                 "visits_per_day") else MONEY) for k in labels}
    return ResultTable("gap_plan", ctx.title("gap_plan"), frame, formats)


# ---------------------------------------------------------------- commission
def _ratio(actual: float, target: float | None) -> float:
    return actual / target if target and target > 0 else 0.0


def metric_attainments(ctx: _Ctx, reps: list) -> pd.DataFrame:
    """Actual, target and attainment per (rep, metric) for the report month."""
    s = ctx.model.settings
    month_orders = ctx.orders_in(ctx.month)
    revenue = month_orders.groupby("rep")["amount"].sum()
    rev_target = targets_by(ctx.model, ctx.month, "rep")
    new = month_orders[month_orders["deal_type"] == "new"].groupby("rep")["customer"].nunique()
    act = ctx.model.activities
    act = act.assign(period=act["month"].dt.to_period("M"), eff=act["effective_visits"].fillna(act["visits"]))
    prior = act[(act["period"] >= ctx.month - 3) & (act["period"] <= ctx.month - 1)]
    prior_orders = ctx.orders_in(ctx.month - 3, ctx.month - 1)
    prior_new = prior_orders[prior_orders["deal_type"] == "new"].groupby("rep")["customer"].nunique()
    visits_now = act[act["period"] == ctx.month].groupby("rep")["visits"].sum()
    rec = ctx.model.receivables
    due = rec[rec["due_date"].dt.to_period("M") == ctx.month].groupby("rep")["amount"].sum()
    paid = rec[rec["paid_date"].dt.to_period("M") == ctx.month].groupby("rep")["paid_amount"].sum()
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


def _commission_blocks(ctx: _Ctx) -> list[ResultTable]:
    s = ctx.model.settings
    month_orders = ctx.orders_in(ctx.month)
    reps = sorted(set(month_orders["rep"].dropna()) | set(targets_by(ctx.model, ctx.month, "rep").index), key=str)
    plan = ctx.model.commission_metrics.dropna(subset=["metric"])
    tiers = ctx.model.commission_tiers.dropna(subset=["from_amount", "rate"])
    metrics = pd.DataFrame()
    if reps:
        metrics = metric_attainments(ctx, reps)
    labels = {c.key: c.label(ctx.lang) for c in contract.METRICS}
    used = plan[plan["metric"] != "gross_margin"]
    note = ctx.note("margin") if len(used) < len(plan) else ""
    columns = [ctx.L("rep")] + [labels[m] for m in used["metric"]]
    score = bonus = None
    table = {ctx.L("rep"): reps}
    if len(used) and reps:
        att = metrics.pivot(index="rep", columns="metric", values="attainment").reindex(reps)[list(used["metric"])]
        for m in used["metric"]:
            table[labels[m]] = att[m].to_numpy()
        weights = used["weight"].to_numpy(dtype=float)
        weights = weights / weights.sum()
        score = np.asarray(calc.scorecard(att.to_numpy(dtype=float), weights, used["threshold"].to_numpy(),
                                          used["cap"].to_numpy(), used["gate"].to_numpy()), dtype=float).ravel()
        bonus = score * s.bonus_base
        table[ctx.L("score")] = score
        table[ctx.L("bonus")] = bonus
        columns += [ctx.L("score"), ctx.L("bonus")]
    if len(tiers) and reps:
        revenue = month_orders.groupby("rep")["amount"].sum().reindex(reps).fillna(0.0).clip(lower=0)
        pay = np.asarray(calc.commission(revenue.to_numpy(), tiers[["from_amount", "rate"]].to_numpy(),
                                         s.commission_mode, s.commission_cap), dtype=float).ravel()
        table[ctx.L("commission")] = pay
        table[ctx.L("payout")] = pay + (bonus if bonus is not None else 0.0)
        columns += [ctx.L("commission"), ctx.L("payout")]
    frame = pd.DataFrame(table, columns=columns)
    if len(columns) == 1:
        frame, note = pd.DataFrame(), ctx.note("no_plan")
    formats = {labels[m]: PCT for m in used["metric"]} | {ctx.L("score"): PCT} | {
        ctx.L(k): MONEY for k in ("bonus", "commission", "payout")}
    blocks = [ResultTable("commission", ctx.title("commission"), frame, formats, note)]
    if len(used) and reps:  # no rep sold or had a target this month: no metrics to narrow down
        metrics = metrics[metrics["metric"].isin(set(used["metric"]))]
    if len(metrics):
        detail = metrics.assign(metric=metrics["metric"].map(labels))
        detail.columns = [ctx.L(k) for k in ("rep", "metric", "actual", "target", "attainment")]
        blocks.append(ResultTable("commission_metrics", ctx.title("commission_metrics"), detail,
                                  {ctx.L("actual"): "#,##0.##", ctx.L("target"): "#,##0.##",
                                   ctx.L("attainment"): PCT}))
    return blocks


# ---------------------------------------------------------------- churn and aging
def _churn_block(ctx: _Ctx) -> ResultTable:
    months = [ctx.month - 2, ctx.month - 1, ctx.month]
    recent = ctx.orders_in(months[0], months[-1])
    monthly = recent.pivot_table(index="customer", columns="period", values="amount", aggfunc="sum")
    monthly = monthly.reindex(columns=months).fillna(0.0)
    monthly = monthly[(monthly != 0).any(axis=1)]
    flags = calc.churn_flags(monthly) if len(monthly) else pd.Series([], dtype=bool)
    last_rep = recent.sort_values("date", kind="stable").groupby("customer")["rep"].last()
    frame = pd.DataFrame({ctx.L("customer"): monthly.index, ctx.L("rep"): last_rep.reindex(monthly.index).to_numpy()})
    for p in months:
        frame[p.strftime("%Y-%m")] = monthly[p].to_numpy()
    frame[ctx.L("churn")] = np.where(flags.to_numpy(dtype=bool), ctx.L("yes"), "")
    frame = frame.assign(_f=flags.to_numpy(dtype=bool)).sort_values(["_f", ctx.L("customer")],
                                                                   ascending=[False, True], kind="stable")
    frame = frame.drop(columns="_f").reset_index(drop=True)
    return ResultTable("churn", ctx.title("churn"), frame, {p.strftime("%Y-%m"): MONEY for p in months})


def _aging_blocks(ctx: _Ctx) -> list[ResultTable]:
    rec = ctx.model.receivables.sort_values(["due_date", "invoice"], kind="stable").reset_index(drop=True)
    as_of = ctx.month.end_time.normalize()
    paid_by = rec["paid_date"].where(rec["paid_date"] <= as_of)
    paid_amount = rec["paid_amount"].fillna(0.0).where(paid_by.notna(), 0.0)
    outstanding = (rec["amount"] - paid_amount).clip(lower=0)
    settled = paid_by.where(outstanding <= 0)  # partly paid invoices keep ageing
    buckets = calc.aging_buckets(rec["due_date"], settled, as_of.date()) if len(rec) else pd.Series([], dtype=object)
    days = calc.overdue_days(rec["due_date"].to_numpy(), settled.to_numpy(), as_of.date()) if len(rec) else []
    names = dict(zip(calc.AGING_BUCKETS, _BUCKETS[ctx.lang]))
    label = [names[b] for b in buckets.astype(str)]
    detail = pd.DataFrame({
        ctx.L("invoice"): rec["invoice"], ctx.L("customer"): rec["customer"], ctx.L("rep"): rec["rep"],
        ctx.L("amount"): rec["amount"], ctx.L("due_date"): rec["due_date"], ctx.L("paid_date"): paid_by,
        ctx.L("paid"): paid_amount, ctx.L("outstanding"): outstanding, ctx.L("overdue"): np.asarray(days),
        ctx.L("bucket"): label,
    })
    money = {ctx.L(k): MONEY for k in ("amount", "paid", "outstanding")}
    dates = {ctx.L("due_date"): DATE, ctx.L("paid_date"): DATE, ctx.L("overdue"): INT}
    totals = pd.DataFrame({"b": label, "o": outstanding.to_numpy(), "a": rec["amount"].to_numpy()})
    grouped = totals.groupby("b")
    order = list(_BUCKETS[ctx.lang])
    summary = pd.DataFrame({
        ctx.L("bucket"): [*order, ctx.L("total")],
        ctx.L("count"): [*(int(grouped.size().get(b, 0)) for b in order), len(totals)],
        ctx.L("amount"): [*(float(grouped["a"].sum().get(b, 0.0)) for b in order), float(totals["a"].sum())],
        ctx.L("outstanding"): [*(float(grouped["o"].sum().get(b, 0.0)) for b in order), float(totals["o"].sum())],
    })
    return [
        ResultTable("aging_totals", ctx.title("aging_totals"), summary,
                    {ctx.L("count"): INT, ctx.L("amount"): MONEY, ctx.L("outstanding"): MONEY}),
        ResultTable("aging", ctx.title("aging"), detail, money | dates),
    ]


# ---------------------------------------------------------------- entry points
def _blocks(ctx: _Ctx):
    yield "attainment_region", lambda: [_attainment_block(ctx, "region")]
    yield "attainment_product_line", lambda: [_attainment_block(ctx, "product_line")]
    yield "attainment_rep", lambda: [_attainment_block(ctx, "rep")]
    for dim in ("region", "product_line", "rep"):
        yield f"split_{dim}", lambda dim=dim: [_split_block(ctx, dim)]
    yield "split_xun", lambda: [_xun_block(ctx)]
    yield "pipeline", lambda: [_pipeline_block(ctx)]
    yield "funnel", lambda: [_funnel_block(ctx)]
    yield "gap_plan", lambda: [_gap_block(ctx)]
    yield "commission", lambda: _commission_blocks(ctx)
    yield "churn", lambda: [_churn_block(ctx)]
    yield "aging_totals", lambda: _aging_blocks(ctx)


def compute_results(model: SalesWorkbook) -> list[ResultTable]:
    """Every result table of the workbook, titled in the workbook's language.

    A block whose inputs the math refuses (CalcError) is kept as a title with
    the error as its note, so one bad table does not hide the others.
    """
    ctx = _Ctx(model)
    tables: list[ResultTable] = []
    for key, build in _blocks(ctx):
        try:
            tables.extend(build())
        except CalcError as exc:
            title = ctx.title(key) if key in _TITLES else key
            tables.append(ResultTable(key, title, pd.DataFrame(), note=ctx.note("failed", e=exc)))
    for table in tables:
        if table.frame.empty and not table.note:
            table.note = ctx.note("no_data")
    return tables


def heading(model: SalesWorkbook) -> str:
    """The first line of the result sheet: sheet name, company and report month."""
    ctx = _Ctx(model)
    sheet = contract.RESULT_SHEET[ctx.lang]
    month = ctx.month.strftime("%Y-%m")
    label = "Report month" if ctx.lang == "en" else "报告月份"
    company = f"{model.settings.company} · " if model.settings.company else ""
    return f"{sheet} · {company}{label} {month}"


def summary_line(model: SalesWorkbook, tables: list[ResultTable]) -> str:
    """One line for the CLI: blocks written, the month and overall attainment."""
    region = next((t for t in tables if t.key == "attainment_region" and len(t.frame)), None)
    overall = ""
    if region is not None:
        att = region.frame.iloc[-1, 3]
        if att is not None and not pd.isna(att):
            overall = f", overall attainment {att:.1%}"
    failed = sum(1 for t in tables if t.frame.empty and t.note)
    month = _Ctx(model).month.strftime("%Y-%m")
    extra = f", {failed} without results (see notes)" if failed else ""
    return f"{len(tables)} result tables for {month}{overall}{extra}"
