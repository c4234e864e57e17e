"""Split a total over parts by weights so the parts add up exactly (largest remainder)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from salesdeck.errors import CalcError

from ._coerce import to_float_array, to_scalar

__all__ = ["split_total", "split_by_weights", "unit_decimals"]

_MAX_UNITS = 1e15  # beyond this, float64 can no longer count single units exactly


def unit_decimals(unit: float) -> int:
    """Decimal places of a rounding unit: 100 -> 0, 0.5 -> 1, 0.01 -> 2.

    >>> unit_decimals(100), unit_decimals(0.25)
    (0, 2)
    """
    for d in range(13):
        if abs(round(unit, d) - unit) <= 1e-12 * max(1.0, abs(unit)):
            return d
    return 12


def _whole_units(total: float, unit: float) -> int:
    q = total / unit
    if q > _MAX_UNITS:
        raise CalcError("unit", f"total / unit = {q:.3g} units is too many to count exactly; use a larger unit")
    r = round(q)
    if abs(q - r) <= 1e-9 * max(1.0, q):  # 0.3 / 0.1 = 2.9999999999999996 means 3
        return int(r)
    return int(math.floor(q))


def split_total(total: Any, weights: Any, unit: Any = 1) -> np.ndarray:
    """Split ``total`` in proportion to ``weights``; parts are multiples of ``unit`` and sum to ``total``.

    Method (largest remainder): each part gets its quota ``units x w / sum(w)``
    rounded down to whole units; the units left over go one each to the parts
    with the largest remainders, ties to the earlier part (a 2-D block is read
    row by row). If ``total`` is not a multiple of ``unit``, the odd amount goes
    to the part with the largest weight (the earliest if tied). The result has
    the shape of ``weights``.

    >>> split_total(100, [1, 1, 1]).tolist()
    [34.0, 33.0, 33.0]
    >>> split_total(1000, [[5], [3], [2]], unit=100).tolist()
    [[500.0], [300.0], [200.0]]
    >>> split_total(1050, [1, 2], unit=100).tolist()   # 50 odd yuan to the largest weight
    [300.0, 750.0]

    Raises CalcError for a negative total, unit <= 0, negative, blank or all-zero weights.
    """
    total_f = to_scalar(total, "total", minimum=0)
    unit_f = to_scalar(unit, "unit", default=1.0)
    if unit_f <= 0:
        raise CalcError("unit", f"{unit_f:g} must be above 0 (1 = whole yuan, 100 = hundreds)")
    w = to_float_array(weights, "weights", minimum=0)
    flat = w.ravel()
    weight_sum = math.fsum(flat)
    if weight_sum <= 0:
        raise CalcError("weights", "all weights are zero; at least one must be above 0")

    units = _whole_units(total_f, unit_f)
    quota = units * (flat / weight_sum)
    base = np.floor(quota)
    leftover = units - int(base.sum())
    if leftover:
        # Rank by remainder (rounded to 1e-9 so float noise cannot break a tie), then by row:
        # one distinct integer key per row, so a partial sort picks exactly the winners.
        remainder = np.rint(np.clip(quota - base, 0.0, 1.0) * 1e9).astype(np.int64)
        key = (1_000_000_000 - remainder) * flat.size + np.arange(flat.size)
        winners = np.argpartition(key, leftover - 1)[:leftover] if leftover < flat.size else slice(None)
        base[winners] += 1
    decimals = unit_decimals(unit_f)
    parts = np.round(base * unit_f, decimals)
    odd = total_f - units * unit_f
    if abs(odd) > 1e-9 * max(1.0, unit_f):
        largest = int(np.argmax(flat))
        parts[largest] = total_f - (math.fsum(parts) - parts[largest])
    return parts.reshape(w.shape)


def split_by_weights(total: float, weights: pd.Series, unit: float = 1) -> pd.Series:
    """:func:`split_total` for a Series: the parts keep the weights' index (and name).

    >>> split_by_weights(1000, pd.Series({"华东": 5, "华南": 3, "华北": 2}), 100).to_dict()
    {'华东': 500.0, '华南': 300.0, '华北': 200.0}
    """
    if not isinstance(weights, pd.Series):
        raise CalcError("weights", f"expected a pandas Series, got {type(weights).__name__}")
    parts = split_total(total, weights.to_numpy(), unit)
    return pd.Series(parts, index=weights.index, name=weights.name, dtype=float)
