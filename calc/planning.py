"""Target planning: new-customer targets, cross split, funnel back-calculation, gap plan (循后计划)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from salesdeck.errors import CalcError

from ._coerce import check_rate, to_float_array, to_language, to_scalar, to_vector
from .split import split_total

__all__ = [
    "ceil_count",
    "new_customer_target",
    "cross_split",
    "funnel_back",
    "gap_plan",
    "gap_plan_rows",
    "GAP_PLAN_ROWS",
]


def ceil_count(x: Any) -> Any:
    """Round up to a whole count, ignoring float noise: 5.000000000001 -> 5, 5.01 -> 6.

    Uses ``ceil(x - 1e-9 * max(1, |x|))`` so an exact product computed in
    floating point never gains a unit. Works on scalars and arrays.

    >>> ceil_count(0.1 * 3 * 10), ceil_count(5.01)
    (3, 6)
    """
    arr = np.asarray(x, dtype=float)
    out = np.ceil(arr - 1e-9 * np.maximum(1.0, np.abs(arr))).astype(np.int64)
    return int(out) if out.ndim == 0 else out


def new_customer_target(visits: Any, close_rate: Any, challenge: Any = 1.1) -> Any:
    """New customers to aim for = effective visits x historical close rate x challenge coefficient.

    Vectorised over ``visits`` and ``close_rate`` (same shapes or scalars).
    ``close_rate`` is a fraction (12% is 0.12); above 1 is an error.

    >>> round(new_customer_target(60, 0.12, 1.1), 10)
    7.92
    """
    v = to_float_array(visits, "visits", minimum=0)
    rate = check_rate(to_float_array(close_rate, "close_rate"), "close_rate")
    c = to_scalar(challenge, "challenge", default=1.1)
    if c <= 0:
        raise CalcError("challenge", f"{c:g} must be above 0 (1.1 means aim 10% above history)")
    if c >= 10:
        raise CalcError("challenge", f"{c:g} looks like {c:g}%: enter {c / 100:g}")
    if rate.size != 1 and v.size != 1:
        if rate.size != v.size:
            raise CalcError("close_rate", f"{rate.size} values do not match {v.size} visits")
        rate = rate.reshape(v.shape)
    out = v * rate * c
    return float(out) if out.ndim == 0 else out


def cross_split(total: Any, shares: Any, avg_orders: Any, unit: Any = 1) -> pd.DataFrame:
    """Split ``total`` by ``shares`` (weights) and count the orders each part needs.

    ``amount`` comes from :func:`~salesdeck.calc.split.split_total` (exact sum,
    multiples of ``unit``); ``orders = ceil(amount / avg_order)`` without float
    noise. ``avg_orders`` is one value per share, or a single value for all.

    >>> cross_split(200000, [0.5, 0.5], [20000, 5000]).values.tolist()
    [[100000.0, 5.0], [100000.0, 20.0]]
    """
    try:
        amounts = split_total(total, shares, unit).ravel()
    except CalcError as exc:
        if exc.argument != "weights":
            raise
        raise CalcError("shares", exc.problem) from None
    avg = to_vector(avg_orders, "avg_orders")
    if avg.size == 1:
        avg = np.full(amounts.size, avg[0])
    if avg.size != amounts.size:
        raise CalcError("avg_orders", f"{avg.size} values do not match {amounts.size} shares")
    if (avg <= 0).any():
        bad = float(avg[avg <= 0][0])
        raise CalcError("avg_orders", f"{bad:g} must be above 0 (the average amount of one order)")
    orders = ceil_count(amounts / avg)
    return pd.DataFrame({"amount": amounts, "orders": np.asarray(orders, dtype=np.int64)})


def funnel_back(target: Any, avg_order: Any, ratios: Any) -> list[int]:
    """Back-calculate the funnel from a target: orders first, then each upstream stage.

    ``orders = ceil(target / avg_order)``; each next stage is
    ``ceil(previous stage x ratio)`` where a ratio ``r:1`` is given as ``r``.
    Rounding up happens at every stage (you cannot make 2.5 visits), and float
    noise never adds a unit.

    >>> funnel_back(1_000_000, 200_000, [3, 4, 5])   # orders, proposals, visits, calls
    [5, 15, 60, 300]
    """
    t = to_scalar(target, "target", minimum=0)
    avg = to_scalar(avg_order, "avg_order")
    if avg <= 0:
        raise CalcError("avg_order", f"{avg:g} must be above 0")
    rs = to_vector(ratios, "ratios", allow_empty=True) if ratios is not None else np.array([])
    if (rs <= 0).any():
        bad = float(rs[rs <= 0][0])
        raise CalcError("ratios", f"{bad:g} must be above 0 (3 means 3:1)")
    counts = [ceil_count(t / avg)]
    for r in rs:
        counts.append(ceil_count(counts[-1] * float(r)))
    return counts


#: Gap-plan rows: (key, letter, zh label, en label).
GAP_PLAN_ROWS = (
    ("target", "A", "区域销售指标", "Territory target"),
    ("open_orders", "B1", "购买平台未完成订单", "Open orders (existing customers)"),
    ("repeat_orders", "B2", "购买平台翻单", "Repeat orders"),
    ("weighted_forecast", "B3", "工作平台预测订单(加权)", "Weighted forecast (in negotiation)"),
    ("existing_total", "C", "现有业务合计", "Existing business total"),
    ("gap", "D", "差异(需新客户填补)", "Gap for new customers"),
    ("new_avg_order", "E", "新客户订单平均金额", "New-customer average order"),
    ("orders_needed", "F", "新客户订单数", "New-customer orders needed"),
    ("success_ratio", "G", "新客户成功比率(潜在:成交)", "Prospects per new customer"),
    ("prospects_needed", "H", "需发掘潜在客户数", "Prospects needed"),
    ("visits_per_success", "I", "每个潜在客户拜访次数", "Visits per prospect"),
    ("visits_needed", "J", "拜访新客户次数(每月)", "Visits needed (per month)"),
    ("visits_per_day", "", "每个工作日拜访次数", "Visits per working day"),
)


def gap_plan(target: Any, open_orders: Any, repeat_orders: Any, weighted_forecast: Any,
             new_avg_order: Any, success_ratio: Any, visits_per_success: Any,
             working_days: Any) -> dict[str, float]:
    """The gap plan (循后计划, seed 003): what new customers must bring and the visits it takes.

    Letters as in the seed and DOMAIN.md:

    - A  territory target
    - B  existing base, in three parts: B1 open orders, B2 repeat orders,
      B3 weighted forecast of deals in negotiation
    - C  existing business total = B1 + B2 + B3
    - D  gap = max(A - C, 0)
    - E  new-customer average order
    - F  new-customer orders needed = ceil(D / E)
    - G  success ratio: prospects per new customer (3 means 3:1)
    - H  prospects needed = ceil(F x G)
    - I  visits per prospect
    - J  visits needed in the month = ceil(H x I)
    - visits per working day = J / working_days (not rounded)

    Returns a dict keyed as in :data:`GAP_PLAN_ROWS`.

    >>> p = gap_plan(1_000_000, 150_000, 200_000, 250_000, 60_000, 3, 2.5, 21)
    >>> p["gap"], p["orders_needed"], p["prospects_needed"], p["visits_needed"]
    (400000.0, 7, 21, 53)
    """
    a = to_scalar(target, "target", minimum=0)
    parts = {name: to_scalar(value, name, minimum=0) for name, value in (
        ("open_orders", open_orders), ("repeat_orders", repeat_orders),
        ("weighted_forecast", weighted_forecast))}
    e = to_scalar(new_avg_order, "new_avg_order")
    if e <= 0:
        raise CalcError("new_avg_order", f"{e:g} must be above 0")
    g = to_scalar(success_ratio, "success_ratio")
    if g < 1:
        raise CalcError("success_ratio", f"{g:g} is below 1; give prospects per success (3 means 3:1)")
    i = to_scalar(visits_per_success, "visits_per_success")
    if i <= 0:
        raise CalcError("visits_per_success", f"{i:g} must be above 0")
    days = to_scalar(working_days, "working_days")
    if days <= 0 or days != math.floor(days) or days > 31:
        raise CalcError("working_days", f"{days:g} must be a whole number of days from 1 to 31")
    c = math.fsum(parts.values())
    d = max(a - c, 0.0)
    f = ceil_count(d / e)
    h = ceil_count(f * g)
    j = ceil_count(h * i)
    return {
        "target": a, **parts, "existing_total": c, "gap": d, "new_avg_order": e,
        "orders_needed": f, "success_ratio": g, "prospects_needed": h,
        "visits_per_success": i, "visits_needed": j, "visits_per_day": j / days,
    }


def gap_plan_rows(plan: dict[str, float], lang: Any = "zh") -> list[tuple[str, float]]:
    """A :func:`gap_plan` result as (label, value) rows, labels prefixed with their letter.

    >>> gap_plan_rows(gap_plan(1_000_000, 0, 0, 0, 100_000, 3, 4, 20), "en")[5]
    ('D Gap for new customers', 1000000.0)
    """
    language = to_language(lang, "zh")
    rows = []
    for key, letter, zh, en in GAP_PLAN_ROWS:
        label = zh if language == "zh" else en
        rows.append((f"{letter} {label}" if letter else label, plan[key]))
    return rows
