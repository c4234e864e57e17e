"""The result sheet's tables: the workbook's figures (``salesdeck.metrics``) laid out as titled blocks.

Nothing is computed here: every number comes from :class:`~salesdeck.metrics.Metrics`,
so the sheet shows what the deck and ``salesdeck metrics`` show. A block whose
figure the math refuses (CalcError) keeps its title with the error as its note,
so one bad table does not hide the others.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesdeck import calc
from salesdeck.errors import CalcError
from salesdeck.metrics import Metrics
from salesdeck.results.labels import BUCKETS, LABELS, NOTES, TITLES
from salesdeck.results.sheet import ResultTable
from salesdeck.workbook import contract

__all__ = ["ResultTable", "compute_results", "summary_line", "heading"]

MONEY, PCT, INT, DATE, DEC = "#,##0", "0.0%", "0", "yyyy-mm-dd", "0.00"


class _Sheet:
    """The figures plus the words of the sheet's language."""

    def __init__(self, m: Metrics):
        self.m = m
        self.lang = "en" if m.settings.language == "en" else "zh"

    def label(self, key: str) -> str:
        zh, en = LABELS[key]
        return en if self.lang == "en" else zh

    def title(self, key: str) -> str:
        zh, en = TITLES[key]
        text = en if self.lang == "en" else zh
        return text.format(m=self.m.month.strftime("%Y-%m"), n=self.m.next_month.strftime("%Y-%m"),
                           d=self.m.month_end.strftime("%Y-%m-%d"))

    def note(self, key: str, **kw) -> str:
        zh, en = NOTES[key]
        return (en if self.lang == "en" else zh).format(**kw)

    def rag(self, code: str | None) -> str:
        """The band's label; blank for a unit without a target (its code is None or NaN)."""
        if not isinstance(code, str):
            return ""
        return calc.RAG_LABELS[self.lang][calc.RAG_LABELS["en"].index(code)]


# ---------------------------------------------------------------- attainment
def _attainment_block(s: _Sheet, dim: str) -> ResultTable:
    units = s.m.attainment(dim)
    t = units.table
    total_target = units.target if units.target is not None else np.nan
    total_att = units.attainment if units.attainment is not None else np.nan
    frame = pd.DataFrame({
        s.label(dim): [*t.index, s.label("total")],
        s.label("actual"): [*t["actual"], units.actual],
        s.label("target"): [*t["target"], total_target],
        s.label("attainment"): [*t["attainment"], total_att],
        s.label("variance"): [*t["variance"], units.actual - total_target],
        s.label("rag"): [*(s.rag(r) for r in t["rag"]), s.rag(units.rag)],
    })
    formats = {s.label("actual"): MONEY, s.label("target"): MONEY, s.label("attainment"): PCT,
               s.label("variance"): MONEY}
    return ResultTable(f"attainment_{dim}", s.title(f"attainment_{dim}"), frame, formats)


# ---------------------------------------------------------------- next month
def _split_block(s: _Sheet, dim: str) -> ResultTable:
    key = f"split_{dim}"
    split = s.m.split(dim)
    if split is None:
        return ResultTable(key, s.title(key), pd.DataFrame(), note=s.note("no_next"))
    parts = split.parts
    frame = pd.DataFrame({
        s.label(dim): [*parts.index, s.label("total")],
        s.label("share"): [*(parts["weight"] / parts["weight"].sum()).to_numpy(), 1.0],
        s.label("next_target"): [*parts["target"].to_numpy(), parts["target"].sum()],
    })
    return ResultTable(key, s.title(key), frame, {s.label("share"): PCT, s.label("next_target"): MONEY},
                       s.note(split.basis))


def _rep_name(s: _Sheet, rep) -> str:
    return s.label("whole_region") if rep is None else rep


def _rep_split_block(s: _Sheet) -> ResultTable:
    plan = s.m.rep_plan
    if plan is None:
        return ResultTable("split_rep", s.title("split_rep"), pd.DataFrame(), note=s.note("no_next"))
    frame = pd.DataFrame({
        s.label("rep"): [*(_rep_name(s, r) for r in plan["rep"]), s.label("total")],
        s.label("region"): [*plan["region"], ""],
        s.label("next_target"): [*plan["target"], plan["target"].sum()],
    })
    return ResultTable("split_rep", s.title("split_rep"), frame, {s.label("next_target"): MONEY},
                       s.note("rep_split"))


def _xun_block(s: _Sheet) -> ResultTable:
    t = s.m.xun(s.lang)
    if t is None:
        return ResultTable("split_xun", s.title("split_xun"), pd.DataFrame(), note=s.note("no_next"))
    frame = pd.DataFrame({
        s.label("xun"): [*t["label"], s.label("total")], s.label("start"): [*t["start"], None],
        s.label("end"): [*t["end"], None], s.label("working_days"): [*t["working_days"], t["working_days"].sum()],
        s.label("next_target"): [*t["target"], t["target"].sum()],
    })
    return ResultTable("split_xun", s.title("split_xun"), frame,
                       {s.label("start"): DATE, s.label("end"): DATE, s.label("working_days"): INT,
                        s.label("next_target"): MONEY})


# ---------------------------------------------------------------- pipeline, funnel, gap plan
def _pipeline_block(s: _Sheet) -> ResultTable:
    by_rep = s.m.pipeline.by_rep
    keys = ("deals", "open", "weighted", "commit", "best case", "pipeline", "remaining", "coverage")
    frame = pd.DataFrame({s.label("rep"): list(by_rep.index),
                          **{s.label(k): list(by_rep[k]) for k in keys}}, columns=[s.label(k) for k in ("rep", *keys)])
    formats = {s.label(k): MONEY for k in keys[1:7]} | {s.label("deals"): INT, s.label("coverage"): DEC}
    return ResultTable("pipeline", s.title("pipeline"), frame, formats)


#: The workload block's columns: (figure, label key, number format).
WORKLOAD_COLUMNS = (
    ("target", "next_target", MONEY), ("won_closing", "won_closing", MONEY), ("repeat", "repeat", MONEY),
    ("weighted_closing", "weighted_closing", MONEY), ("existing", "existing", MONEY), ("gap", "gap", MONEY),
    ("new_order_value", "new_order_value", MONEY), ("new_deals", "new_deals", INT),
    ("proposals_per_deal", "proposals_per_deal", DEC), ("visits_per_deal", "visits_per_deal", DEC),
    ("calls_per_visit", "calls_per_visit", DEC), ("proposals", "proposals", INT), ("visits", "visits", INT),
    ("calls", "calls", INT), ("working_days", "working_days", INT), ("visits_per_day", "visits_per_day", DEC),
    ("calls_per_day", "calls_per_day", DEC), ("best_month_visits", "best_month_visits", INT),
)


def _workload_block(s: _Sheet) -> ResultTable:
    work = s.m.workload
    if work is None:
        return ResultTable("workload", s.title("workload"), pd.DataFrame(), note=s.note("no_next"))
    frame = pd.DataFrame({s.label("rep"): [_rep_name(s, r) for r in work["rep"]], s.label("region"): work["region"],
                          **{s.label(label): work[key] for key, label, _ in WORKLOAD_COLUMNS},
                          s.label("over_capacity"): [s.label("yes") if v else "" for v in work["over_capacity"]]})
    return ResultTable("workload", s.title("workload"), frame,
                       {s.label(label): fmt for _, label, fmt in WORKLOAD_COLUMNS}, s.note("workload"))


# ---------------------------------------------------------------- pipeline since last month
def _changes_blocks(s: _Sheet) -> list[ResultTable]:
    c = s.m.pipeline_changes
    if c is None:
        return []
    kinds = ["start", *c.by_kind.index, "end", "commit"]
    summary = pd.DataFrame({
        s.label("change_kind"): [s.label("pipe_" + k) for k in kinds],
        s.label("deals"): [None, *c.by_kind["count"], None, None],
        s.label("deal_amount"): [c.start, *c.by_kind["amount"], c.end, c.forecast_commit],
    })
    note = s.note("pipeline_changes")
    if c.accuracy is not None:
        note += ("；" if s.lang == "zh" else "; ") + s.note("accuracy", accuracy=f"{c.accuracy:.1%}")
    d = c.slipped_deals
    detail = pd.DataFrame({
        s.label("opportunity_id"): list(d.index), s.label("opportunity"): d["opportunity"].to_numpy(),
        s.label("rep"): d["rep"].to_numpy(), s.label("deal_amount"): d["amount_now"].to_numpy(),
        s.label("close_before"): d["close_before"].to_numpy(), s.label("close_now"): d["close_now"].to_numpy(),
        s.label("state"): [s.label("pipe_stalled" if v else "pipe_slipped") for v in d["stalled"]],
    })
    return [ResultTable("pipeline_changes", s.title("pipeline_changes"), summary,
                        {s.label("deals"): INT, s.label("deal_amount"): MONEY}, note),
            ResultTable("pipeline_slipped", s.title("pipeline_slipped"), detail,
                        {s.label("deal_amount"): MONEY, s.label("close_before"): DATE, s.label("close_now"): DATE})]


# ---------------------------------------------------------------- commission
def _commission_blocks(s: _Sheet) -> list[ResultTable]:
    c = s.m.commission
    names = {metric.key: metric.label(s.lang) for metric in contract.METRICS}
    used = list(c.plan["metric"])
    note = s.note("margin") if c.margin_left_out else ""
    table = {s.label("rep"): c.reps}
    for metric in used:
        if metric in c.attainment.columns:
            table[names[metric]] = c.attainment[metric].to_numpy()
    for key, values in (("score", c.score), ("bonus", c.bonus), ("commission", c.commission), ("payout", c.pay)):
        if values is not None:
            table[s.label(key)] = values
    frame = pd.DataFrame(table)
    if len(frame.columns) == 1:
        frame, note = pd.DataFrame(), s.note("no_plan")
    formats = {names[m]: PCT for m in used} | {s.label("score"): PCT} | {
        s.label(k): MONEY for k in ("bonus", "commission", "payout")}
    blocks = [ResultTable("commission", s.title("commission"), frame, formats, note)]
    if len(c.metrics):
        detail = c.metrics.assign(metric=c.metrics["metric"].map(names))
        detail.columns = [s.label(k) for k in ("rep", "metric", "actual", "target", "attainment")]
        blocks.append(ResultTable("commission_metrics", s.title("commission_metrics"), detail,
                                  {s.label("actual"): "#,##0.##", s.label("target"): "#,##0.##",
                                   s.label("attainment"): PCT}))
    return blocks


# ---------------------------------------------------------------- churn and aging
def _churn_block(s: _Sheet) -> ResultTable:
    c = s.m.churn
    w = c.warnings
    quiet = c.monthly.drop(index=[k for k in w.index if k in c.monthly.index])
    order = [*w.index, *sorted(quiet.index, key=str)]
    grid = pd.concat([w[c.months], quiet[c.months]]).reindex(order) if len(order) else pd.DataFrame(columns=c.months)
    frame = pd.DataFrame({s.label("customer"): order,
                          s.label("rep"): [*w["rep"], *(None for _ in quiet.index)]})
    for period in c.months:
        frame[period.strftime("%Y-%m")] = grid[period].to_numpy()
    frame[s.label("churn")] = [s.label("churn_" + r) for r in w["reason"]] + [""] * len(quiet)
    frame[s.label("at_risk")] = [*w["at_risk"], *(None for _ in quiet.index)]
    formats = {p.strftime("%Y-%m"): MONEY for p in c.months} | {s.label("at_risk"): MONEY}
    return ResultTable("churn", s.title("churn"), frame, formats)


def _aging_blocks(s: _Sheet) -> list[ResultTable]:
    r = s.m.receivables
    inv = r.invoices
    names = dict(zip(calc.AGING_BUCKETS, BUCKETS[s.lang]))
    detail = pd.DataFrame({
        s.label("invoice"): inv["invoice"], s.label("customer"): inv["customer"], s.label("rep"): inv["rep"],
        s.label("amount"): inv["amount"], s.label("due_date"): inv["due_date"], s.label("paid_date"): inv["paid_by"],
        s.label("paid"): inv["paid"], s.label("outstanding"): inv["outstanding"], s.label("overdue"): inv["days"],
        s.label("bucket"): [names[b] for b in inv["bucket"]],
    })
    order = list(calc.AGING_BUCKETS)
    summary = pd.DataFrame({
        s.label("bucket"): [*BUCKETS[s.lang], s.label("total")],
        s.label("count"): [*(int(r.count_by_bucket[b]) for b in order), int(r.count_by_bucket.sum())],
        s.label("amount"): [*(float(r.amount_by_bucket[b]) for b in order), float(r.amount_by_bucket.sum())],
        s.label("outstanding"): [*(float(r.by_bucket[b]) for b in order), r.outstanding],
    })
    money = {s.label(k): MONEY for k in ("amount", "paid", "outstanding")}
    dates = {s.label("due_date"): DATE, s.label("paid_date"): DATE, s.label("overdue"): INT}
    return [
        ResultTable("aging_totals", s.title("aging_totals"), summary,
                    {s.label("count"): INT, s.label("amount"): MONEY, s.label("outstanding"): MONEY}),
        ResultTable("aging", s.title("aging"), detail, money | dates),
    ]


# ---------------------------------------------------------------- entry points
def _blocks(s: _Sheet):
    for dim in ("region", "product_line", "rep"):
        yield f"attainment_{dim}", lambda dim=dim: [_attainment_block(s, dim)]
    for dim in ("region", "product_line"):
        yield f"split_{dim}", lambda dim=dim: [_split_block(s, dim)]
    yield "split_rep", lambda: [_rep_split_block(s)]
    yield "split_xun", lambda: [_xun_block(s)]
    yield "pipeline", lambda: [_pipeline_block(s)]
    yield "pipeline_changes", lambda: _changes_blocks(s)
    yield "workload", lambda: [_workload_block(s)]
    yield "commission", lambda: _commission_blocks(s)
    yield "churn", lambda: [_churn_block(s)]
    yield "aging_totals", lambda: _aging_blocks(s)


def compute_results(m: Metrics) -> list[ResultTable]:
    """Every result table of the workbook, titled in the workbook's language."""
    s = _Sheet(m)
    tables: list[ResultTable] = []
    for key, build in _blocks(s):
        try:
            tables.extend(build())
        except CalcError as exc:
            title = s.title(key) if key in TITLES else key
            tables.append(ResultTable(key, title, pd.DataFrame(), note=s.note("failed", e=exc)))
    for table in tables:
        if table.frame.empty and not table.note:
            table.note = s.note("no_data")
    return tables


def heading(m: Metrics) -> str:
    """The first line of the result sheet: sheet name, company and report month."""
    lang = "en" if m.settings.language == "en" else "zh"
    label = "Report month" if lang == "en" else "报告月份"
    company = f"{m.settings.company} · " if m.settings.company else ""
    return f"{contract.RESULT_SHEET[lang]} · {company}{label} {m.month.strftime('%Y-%m')}"


def summary_line(m: Metrics, tables: list[ResultTable]) -> str:
    """One line for the CLI: blocks written, the month and overall attainment."""
    overall = m.attainment("region").attainment
    failed = sum(1 for t in tables if t.frame.empty and t.note)
    extra = f", {failed} without results (see notes)" if failed else ""
    att = f", overall attainment {overall:.1%}" if overall is not None else ""
    return f"{len(tables)} result tables for {m.month.strftime('%Y-%m')}{att}{extra}"
