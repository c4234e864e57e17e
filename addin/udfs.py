"""The Excel functions (SD_*): thin adapters that convert cells, call salesdeck.calc and shape results.

Each range argument accepts a single cell, a row or a column (and a Python
caller may pass a scalar, a 1-D list or a 2-D list). List results come back in
the shape of the input: a column gives a column (a list of 1-item lists), a
row gives one row. Invalid input gives an Excel error value (#VALUE! or
#NUM!, see ``excel_errors``) whose message ``=SD_ERROR(cell)`` shows, e.g.
``weights: all weights are zero; ...``. Functions that default to today
(SD_LEAD_CLASS, SD_AGING) are volatile, so Excel recalculates them daily.

On Windows the decorators are xlwings' own. Where xlwings only provides no-op
stand-ins (Linux, macOS), small recorders with the same signatures store the
same ``__xlfunc__`` metadata, so the function list, categories and argument
help can be checked and generated anywhere.
"""

from __future__ import annotations

import gc
import inspect
from contextlib import contextmanager
from typing import Any, Callable

import numpy as np
import xlwings as xw

from salesdeck.addin.excel_errors import excel_errors, message_for
from salesdeck.calc import (
    aging_bucket, attainment, churn, commission, cross_split, forecast_category, funnel_back,
    gap_plan, gap_plan_rows, lead_class, new_customer_target, nps, period_split, pipeline_coverage, rag, scorecard,
    split_total, stage_probability, weighted_pipeline,
)

CATEGORY = "salesdeck"

__all__ = [
    "SD_SPLIT", "SD_PERIOD_SPLIT", "SD_CROSS_SPLIT", "SD_NEW_CUSTOMERS", "SD_FUNNEL", "SD_GAP_PLAN",
    "SD_STAGE_PROB", "SD_WEIGHTED_PIPELINE", "SD_COVERAGE", "SD_FORECAST_CATEGORY", "SD_LEAD_CLASS",
    "SD_COMMISSION", "SD_SCORECARD", "SD_ATTAINMENT", "SD_RAG", "SD_CHURN", "SD_AGING", "SD_NPS", "SD_ERROR",
]


# ---------------------------------------------------------------- decorators
def _record(f: Callable) -> Callable:
    """Attach xlwings-shaped ``__xlfunc__`` metadata (name, args, ret) if absent."""
    if not hasattr(f, "__xlfunc__"):
        args = []
        for pos, p in enumerate(inspect.signature(f).parameters.values()):
            info = {"name": p.name, "pos": pos, "vba": None, "doc": f"Positional argument {pos + 1}",
                    "vararg": p.kind is p.VAR_POSITIONAL, "options": {}}
            if p.default is not p.empty:
                info["optional"] = p.default
            args.append(info)
        f.__xlfunc__ = {"name": f.__name__, "sub": False, "args": args, "argmap": {a["name"]: a for a in args},
                        "ret": {"doc": f.__doc__ or f.__name__, "options": {}}}
    return f


def _recording_func(f: Callable | None = None, **kwargs: Any) -> Any:
    def inner(f: Callable) -> Callable:
        xlf = _record(f).__xlfunc__
        xlf["category"] = kwargs.get("category", "xlwings")
        xlf["call_in_wizard"] = kwargs.get("call_in_wizard", True)
        xlf["volatile"] = kwargs.get("volatile", False)
        xlf["async_mode"] = kwargs.get("async_mode")
        return f

    return inner if f is None else inner(f)


def _recording_arg(name: str, convert: Any = None, **kwargs: Any) -> Callable:
    def inner(f: Callable) -> Callable:
        argmap = _record(f).__xlfunc__["argmap"]
        if name.lstrip("*") not in argmap:
            raise TypeError(f"{f.__name__} has no argument {name!r}")
        info = argmap[name.lstrip("*")]
        for special in ("vba", "doc"):
            if special in kwargs:
                info[special] = kwargs.pop(special)
        if convert is not None:
            kwargs["convert"] = convert
        info["options"].update(kwargs)
        return f

    return inner


def _recording_ret(convert: Any = None, **kwargs: Any) -> Callable:
    def inner(f: Callable) -> Callable:
        if convert is not None:
            kwargs["convert"] = convert
        _record(f).__xlfunc__["ret"]["options"].update(kwargs)
        return f

    return inner


def _xlwings_records_metadata() -> bool:
    def probe() -> None:
        return None

    return hasattr(xw.func(category=CATEGORY)(probe), "__xlfunc__")


if _xlwings_records_metadata():
    func, arg, ret = xw.func, xw.arg, xw.ret
else:
    func, arg, ret = _recording_func, _recording_arg, _recording_ret

# Range arguments always arrive 2-D so a column can be told from a row; Excel
# error cells arrive as text ("#N/A") so the message can quote them.
RANGE = {"ndim": 2, "err_to_str": True}
VALUE = {"err_to_str": True}


# ---------------------------------------------------------------- shaping
@contextmanager
def _no_gc():
    """Pause the cyclic GC while building big result lists: 100,000 new 1-item lists would
    otherwise trigger repeated collections over the (equally big) input lists, 3x the cost."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _excel(value: Any) -> Any:
    """numpy results to plain Python values of the same shape (0-d -> scalar)."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return value.item()
        with _no_gc():
            return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _shape(value: Any) -> tuple[int, ...]:
    """() for a scalar, (n,) for a 1-D list, (rows, columns) for a 2-D list."""
    if isinstance(value, np.ndarray):
        return value.shape
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], (list, tuple, np.ndarray)):
            return (len(value), len(value[0]))
        return (len(value),)
    return ()


def _is_row(value: Any) -> bool:
    shape = _shape(value)
    return len(shape) == 2 and shape[0] == 1 and shape[1] > 1


def _column(values: list) -> list[list]:
    with _no_gc():
        return [[v] for v in values]


# ---------------------------------------------------------------- target setting
@func(category=CATEGORY)
@arg("total", **VALUE, doc="The total to split, e.g. 1000000.")
@arg("weights", **RANGE, doc="Weights, one per part (a row or a column); not negative, not all 0.")
@arg("unit", **VALUE, doc="Rounding unit: 1 = whole yuan (default), 100 = hundreds.")
@excel_errors
def SD_SPLIT(total, weights, unit=1):
    """Split a total by weights; parts are multiples of unit and add up exactly (largest remainder, ties to the earlier row; an odd amount to the largest weight). =SD_SPLIT(100,{1,1,1}) -> 34, 33, 33."""
    return _excel(split_total(total, weights, unit))


@func(category=CATEGORY)
@arg("total", **VALUE, doc="The month's target.")
@arg("month", **VALUE, doc="Any date in the month (or text like 2026-10).")
@arg("period", **VALUE, doc='"xun"/"旬" (default: 上旬 1-10, 中旬 11-20, 下旬 21-end), "week"/"周" or "day"/"日".')
@arg("holidays", **RANGE, doc="Optional: holiday dates (not worked).")
@arg("extra_workdays", **RANGE, doc="Optional: make-up working days (调休), e.g. a Saturday.")
@arg("unit", **VALUE, doc="Rounding unit (default 1).")
@arg("lang", **VALUE, doc='Labels: "zh" (default) or "en".')
@excel_errors
def SD_PERIOD_SPLIT(total, month, period="xun", holidays=None, extra_workdays=None, unit=1, lang="zh"):
    """Split a month's target over 旬, weeks or days by working days (Mon-Fri minus holidays plus make-up days). Rows: label, start, end, working days, target."""
    table = period_split(total, month, period, holidays, extra_workdays, unit, lang or "zh")
    return [[row.label, row.start, row.end, int(row.working_days), float(row.target)]
            for row in table.itertuples(index=False)]


@func(category=CATEGORY)
@arg("total", **VALUE, doc="The total to split, e.g. 200000.")
@arg("shares", **RANGE, doc="Share (weight) of each customer or product type, e.g. 50%, 50%.")
@arg("avg_orders", **RANGE, doc="Average order amount per type (one per share, or one for all).")
@arg("unit", **VALUE, doc="Rounding unit for amounts (default 1).")
@excel_errors
def SD_CROSS_SPLIT(total, shares, avg_orders, unit=1):
    """Amount and orders needed per type: amount = split of total by shares, orders = ROUNDUP(amount/avg order). 200000, {50%,50%}, {20000,5000} -> 100000/5 and 100000/20."""
    table = cross_split(total, shares, avg_orders, unit)
    amounts = [float(a) for a in table["amount"]]
    orders = [int(o) for o in table["orders"]]
    if _is_row(shares):
        return [amounts, orders]
    return [[a, o] for a, o in zip(amounts, orders)]


@func(category=CATEGORY)
@arg("visits", **RANGE, doc="Effective visits (one value or a range).")
@arg("close_rate", **RANGE, doc="Historical close rate, e.g. 12% (0.12); above 1 is an error.")
@arg("challenge", **VALUE, doc="Challenge coefficient (default 1.1).")
@excel_errors
def SD_NEW_CUSTOMERS(visits, close_rate, challenge=1.1):
    """New-customer target = visits x close rate x challenge coefficient. =SD_NEW_CUSTOMERS(60, 12%, 1.1) -> 7.92."""
    return _excel(new_customer_target(visits, close_rate, challenge))


@func(category=CATEGORY)
@arg("target", **VALUE, doc="Sales target, e.g. 1000000.")
@arg("avg_order", **VALUE, doc="Average order amount, e.g. 200000.")
@arg("ratios", **RANGE, doc="Upstream ratios, a ratio r:1 given as r, e.g. {3,4,5} for proposal:order 3:1, visit:proposal 4:1, call:visit 5:1.")
@excel_errors
def SD_FUNNEL(target, avg_order, ratios):
    """Funnel back-calculation: orders = ROUNDUP(target/avg order), then each stage = ROUNDUP(stage below x ratio). 1000000, 200000, {3,4,5} -> 5, 15, 60, 300."""
    counts = funnel_back(target, avg_order, ratios)
    return [counts] if _is_row(ratios) else _column(counts)


@func(category=CATEGORY)
@arg("target", **VALUE, doc="A: territory target.")
@arg("open_orders", **VALUE, doc="B1: open orders of existing customers.")
@arg("repeat_orders", **VALUE, doc="B2: expected repeat orders.")
@arg("weighted_forecast", **VALUE, doc="B3: weighted forecast of deals in negotiation.")
@arg("new_avg_order", **VALUE, doc="E: new-customer average order.")
@arg("success_ratio", **VALUE, doc="G: prospects per new customer (3 means 3:1).")
@arg("visits_per_success", **VALUE, doc="I: visits per prospect.")
@arg("working_days", **VALUE, doc="Working days in the month.")
@arg("lang", **VALUE, doc='Labels: "zh" (default) or "en".')
@excel_errors
def SD_GAP_PLAN(target, open_orders, repeat_orders, weighted_forecast, new_avg_order, success_ratio,
                visits_per_success, working_days, lang="zh"):
    """Gap plan (循后计划): C=B1+B2+B3, D=MAX(A-C,0), F=ROUNDUP(D/E), H=ROUNDUP(F*G), J=ROUNDUP(H*I), visits per working day=J/days. Two columns: label, value."""
    plan = gap_plan(target, open_orders, repeat_orders, weighted_forecast, new_avg_order, success_ratio,
                    visits_per_success, working_days)
    return [[label, value] for label, value in gap_plan_rows(plan, lang or "zh")]


# ---------------------------------------------------------------- pipeline
STAGE_TABLE_DOC = "Optional: rows of (name, probability) or (zh name, en name, probability); default 40/60/80/90%."


@func(category=CATEGORY)
@arg("stages", **RANGE, doc="Stage names (zh or en) or probabilities (0.4 or 40%).")
@arg("stage_table", **RANGE, doc=STAGE_TABLE_DOC)
@excel_errors
def SD_STAGE_PROB(stages, stage_table=None):
    """Win probability per stage: 已提供报价/Quote sent 40%, 合同条款谈判 60%, 通过初审 80%, 已确定签单步骤 90%, 赢单 100%, 输单 0%, or your stage table."""
    return _excel(stage_probability(stages, stage_table))


@func(category=CATEGORY)
@arg("amounts", **RANGE, doc="Deal amounts.")
@arg("stages_or_probs", **RANGE, doc="Stage or probability per deal (same length as amounts).")
@arg("stage_table", **RANGE, doc=STAGE_TABLE_DOC)
@excel_errors
def SD_WEIGHTED_PIPELINE(amounts, stages_or_probs, stage_table=None):
    """Weighted pipeline = SUM(amount x win probability of its stage)."""
    return weighted_pipeline(amounts, stages_or_probs, stage_table)


@func(category=CATEGORY)
@arg("open_pipeline", **RANGE, doc="Open pipeline amount (a range is summed).")
@arg("target", **VALUE, doc="Target of the period.")
@arg("closed", **VALUE, doc="Already closed (default 0).")
@excel_errors
def SD_COVERAGE(open_pipeline, target, closed=0):
    """Pipeline coverage = open pipeline / (target - closed). An error when the target is already met."""
    return pipeline_coverage(open_pipeline, target, closed)


@func(category=CATEGORY)
@arg("stages_or_probs", **RANGE, doc="Stage or probability per deal.")
@arg("stage_table", **RANGE, doc=STAGE_TABLE_DOC)
@arg("commit_min", **VALUE, doc="Commit from this probability (default 80%).")
@arg("best_case_min", **VALUE, doc="Best case from this probability (default 60%).")
@arg("lang", **VALUE, doc='Labels: "zh" (default: 已成交/承诺/最佳情况/管道/输单) or "en".')
@excel_errors
def SD_FORECAST_CATEGORY(stages_or_probs, stage_table=None, commit_min=0.8, best_case_min=0.6, lang="zh"):
    """Forecast category per deal: closed (won), commit (>= commit_min), best case (>= best_case_min), pipeline, lost."""
    return _excel(forecast_category(stages_or_probs, stage_table, commit_min, best_case_min, lang or "zh"))


@func(category=CATEGORY, volatile=True)
@arg("expected_close", **RANGE, doc="Expected close dates.")
@arg("as_of", **VALUE, doc="Reference date (default today; the function is volatile, so it follows the date).")
@excel_errors
def SD_LEAD_CLASS(expected_close, as_of=None):
    """Lead class: A closes within 3 days of as_of (or is overdue), B within 7 days, C later (long-term nurture)."""
    return _excel(lead_class(expected_close, as_of))


# ---------------------------------------------------------------- commission
@func(category=CATEGORY)
@arg("amount", **RANGE, doc="Sales amount(s).")
@arg("tiers", **RANGE, doc="Rows of (from, rate), ascending, e.g. 0 3% / 100000 5%.")
@arg("mode", **VALUE, doc='"marginal" (累进, default) or "retro" (全额: the reached rate on everything).')
@arg("cap", **VALUE, doc="Optional: maximum payout.")
@excel_errors
def SD_COMMISSION(amount, tiers, mode="marginal", cap=None):
    """Tiered commission: marginal like tax brackets, or retro (the reached tier's rate on the whole amount); cap limits the payout."""
    return _excel(commission(amount, tiers, mode, cap))


@func(category=CATEGORY)
@arg("attainments", **RANGE, doc="Attainment per metric (a table: one person per row).")
@arg("weights", **RANGE, doc="Weight per metric; must add up to 100%.")
@arg("thresholds", **RANGE, doc="Optional: below this a metric scores 0.")
@arg("caps", **RANGE, doc="Optional: attainment counts at most this, e.g. 150%.")
@arg("gates", **RANGE, doc="Optional: below this the whole score is 0.")
@excel_errors
def SD_SCORECARD(attainments, weights, thresholds=None, caps=None, gates=None):
    """Weighted bonus score = SUM(weight x MIN(attainment, cap)); a metric below its threshold scores 0; any metric below its gate makes the score 0."""
    result = scorecard(attainments, weights, thresholds, caps, gates)
    return _column(_excel(result)) if isinstance(result, np.ndarray) else result


# ---------------------------------------------------------------- diagnosis
@func(category=CATEGORY)
@arg("actual", **RANGE, doc="Actual results.")
@arg("target", **RANGE, doc="Targets (one per actual, or one for all); must be above 0.")
@excel_errors
def SD_ATTAINMENT(actual, target):
    """Attainment (达成率) = actual / target."""
    return _excel(attainment(actual, target))


@func(category=CATEGORY)
@arg("attainment", **RANGE, doc="Attainment(s), e.g. 112%.")
@arg("bands", **RANGE, doc="Optional: {red below, green from}, default {80%, 100%}.")
@arg("lang", **VALUE, doc='Labels: "zh" (default: 红/黄/绿) or "en" (red/amber/green).')
@excel_errors
def SD_RAG(attainment, bands=None, lang="zh"):
    """Red/amber/green: below the first band red, below the second amber, else green (bands default 80% and 100%)."""
    return _excel(rag(attainment, bands, lang or "zh"))


@func(category=CATEGORY)
@arg("values", **RANGE, doc="Monthly volumes oldest first (a row or column), or a table: customers x months.")
@excel_errors
def SD_CHURN(values):
    """Churn warning (流失预警): TRUE when the last two month-over-month changes are both declines. A customers x months table gives one TRUE/FALSE per row."""
    shape = _shape(values)
    if len(shape) == 2 and min(shape) == 1:
        return churn(np.asarray(values, dtype=object).ravel())
    result = churn(values)
    return _column(_excel(result)) if isinstance(result, np.ndarray) else result


@func(category=CATEGORY, volatile=True)
@arg("due_dates", **RANGE, doc="Due dates of the receivables.")
@arg("paid_dates", **RANGE, doc="Optional: paid dates (blank = unpaid).")
@arg("as_of", **VALUE, doc="Reference date (default today; the function is volatile, so it follows the date).")
@excel_errors
def SD_AGING(due_dates, paid_dates=None, as_of=None):
    """Aging bucket: current (not overdue or paid on time), 1-30, 31-60, 61-90, 90+ days overdue (unpaid: as_of - due; paid late: paid - due)."""
    return _excel(aging_bucket(due_dates, paid_dates, as_of))


@func(category=CATEGORY)
@arg("scores", **RANGE, doc="Scores 0-10, whole numbers.")
@excel_errors
def SD_NPS(scores):
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6), a number from -100 to 100."""
    return nps(scores)


# ---------------------------------------------------------------- errors
@func(category=CATEGORY)
@arg("cell", "range", doc="A cell that shows #VALUE! or #NUM! from an SD_* function (any cell of a spilled result).")
def SD_ERROR(cell):
    """The message behind an SD_* function's #VALUE! or #NUM! in cell, e.g. weights: -1 at row 2 is negative; empty when there is none."""
    return message_for(cell)
