"""Commission (提成) from tiered rates, and the weighted bonus scorecard (奖金考核)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from salesdeck.errors import CalcError

from ._coerce import check_rate, to_float_array, to_scalar, to_vector

__all__ = ["COMMISSION_MODES", "commission_tiers", "commission", "scorecard"]

#: Accepted spellings of the two tier modes.
COMMISSION_MODES = {
    "marginal": ("marginal", "累进", "超额累进", "分段", "tax brackets", "bracket"),
    "retro": ("retro", "retroactive", "全额", "全额累进", "全额提成"),
}


def _mode(mode: Any) -> str:
    if mode is None or (isinstance(mode, str) and not mode.strip()):
        return "marginal"
    text = str(mode).strip().lower()
    for key, names in COMMISSION_MODES.items():
        if text in names:
            return key
    raise CalcError("mode", f"'{mode}' is not a tier mode; use \"marginal\" (累进) or \"retro\" (全额)")


def commission_tiers(tiers: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate tier rows (from, rate) and return (starts, rates) as arrays.

    Starts must be >= 0 and strictly ascending; rates between 0 and 1 (3% is
    0.03; 3 is an error). Blank rows are skipped. Amounts below the first
    start earn nothing.

    >>> [a.tolist() for a in commission_tiers([[0, "3%"], [100000, 0.05]])]
    [[0.0, 100000.0], [0.03, 0.05]]
    """
    table = to_float_array(tiers, "tiers", allow_blank=True)
    if table.ndim == 1 and table.size == 2:
        table = table.reshape(1, 2)
    if table.ndim != 2 or table.shape[1] != 2:
        raise CalcError("tiers", f"expected rows of (from, rate), got shape {table.shape}")
    blank = np.isnan(table)
    table = table[~blank.all(axis=1)]
    if table.size == 0:
        raise CalcError("tiers", "has no tiers")
    if np.isnan(table).any():
        r = int(np.flatnonzero(np.isnan(table).any(axis=1))[0])
        raise CalcError("tiers", f"tier {r + 1} has a blank 'from' or 'rate'")
    starts, rates = table[:, 0], table[:, 1]
    if (starts < 0).any():
        raise CalcError("tiers", f"tier start {starts[starts < 0][0]:g} is negative")
    if (np.diff(starts) <= 0).any():
        r = int(np.flatnonzero(np.diff(starts) <= 0)[0])
        raise CalcError("tiers", f"tier thresholds not ascending: {starts[r + 1]:g} (tier {r + 2}) "
                                 f"comes after {starts[r]:g}")
    check_rate(rates, "tiers")
    return starts, rates


def commission(amount: Any, tiers: Any, mode: Any = "marginal", cap: Any = None) -> Any:
    """Commission on ``amount`` (scalar or array) from tier rows (from, rate).

    - "marginal" (累进, like tax brackets): each slice of the amount earns its
      own tier's rate.
    - "retro"/"retroactive" (全额): the rate of the highest tier reached
      applies to the whole amount.

    ``cap`` limits the payout. For tiers with non-decreasing rates the marginal
    payout never exceeds the retro payout.

    >>> tiers = [[0, 0.03], [100000, 0.05], [200000, 0.08]]
    >>> commission(250000, tiers), commission(250000, tiers, "retro"), commission(250000, tiers, cap=10000)
    (12000.0, 20000.0, 10000.0)
    """
    amounts = to_float_array(amount, "amount", minimum=0)
    starts, rates = commission_tiers(tiers)
    how = _mode(mode)
    idx = np.searchsorted(starts, amounts, side="right") - 1  # highest tier reached; -1 = below all
    reached = idx >= 0
    safe = np.where(reached, idx, 0)
    if how == "marginal":
        base = np.concatenate(([0.0], np.cumsum(np.diff(starts) * rates[:-1])))  # paid up to each start
        pay = np.where(reached, base[safe] + rates[safe] * (amounts - starts[safe]), 0.0)
    else:
        pay = np.where(reached, rates[safe] * amounts, 0.0)
    if cap is not None and not (isinstance(cap, str) and not cap.strip()):
        limit = to_scalar(cap, "cap", minimum=0)
        pay = np.minimum(pay, limit)
    return float(pay) if pay.ndim == 0 else pay


def _per_metric(value: Any, argument: str, m: int, fill: float) -> np.ndarray:
    if value is None:
        return np.full(m, fill)
    v = to_vector(value, argument, allow_blank=True, minimum=0)
    if v.size == 1:
        v = np.full(m, v[0])
    if v.size != m:
        raise CalcError(argument, f"{v.size} values do not match {m} weights")
    return np.where(np.isnan(v), fill, v)


def scorecard(attainments: Any, weights: Any, thresholds: Any = None, caps: Any = None,
              gates: Any = None) -> Any:
    """Weighted score = sum of weight x min(attainment, cap), with thresholds and gates.

    A metric below its threshold scores 0; if any metric is below its gate the
    whole score is 0. Weights must sum to 1 (100%, tolerance 1e-6). Blank
    thresholds/caps/gates mean none for that metric; one value applies to all.
    ``attainments`` is one row of metrics, or a 2-D table (people x metrics),
    giving one score per row.

    >>> scorecard([1.2, 0.9, 0.5], [0.5, 0.3, 0.2], thresholds=[0, 0, 0.6], caps=1.5)
    0.87
    >>> scorecard([1.2, 0.4], [0.7, 0.3], gates=[0.5, 0.5])
    0.0
    """
    w = to_vector(weights, "weights", minimum=0)
    total = math.fsum(w)
    if abs(total - 1) > 1e-6:
        hint = f"; enter {w.max() / 100:g} for {w.max():g}%" if w.max() > 1 else ""
        raise CalcError("weights", f"weights sum to {total:g}, not 1 (100%){hint}")
    m = w.size
    att = to_float_array(attainments, "attainments", minimum=0)
    single = att.ndim < 2 or min(att.shape) == 1 and att.size == m
    rows = att.reshape(1, -1) if single else att
    if rows.shape[1] != m:
        raise CalcError("attainments", f"{rows.shape[1]} metrics do not match {m} weights")
    threshold = _per_metric(thresholds, "thresholds", m, 0.0)
    cap = _per_metric(caps, "caps", m, np.inf)
    gate = _per_metric(gates, "gates", m, 0.0)
    counted = np.where(rows < threshold, 0.0, np.minimum(rows, cap))
    score = counted @ w
    score = np.where((rows < gate).any(axis=1), 0.0, score)
    score = np.round(score, 12)  # 0.8700000000000001 is 0.87
    return float(score[0]) if single else score
