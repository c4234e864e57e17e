"""Targets per region, rep or product line for a month, as the Targets sheet states them.

Rules (stated once; the deck's speaker notes and docs/metrics.md quote them):

- A region's target is its region-level row (rep, product line and customer
  type blank) when it has one; without one, the sum of all the region's rows.
- A rep's or a product line's target is the sum of the rows naming it.
- The company's target for a month is the sum of the region targets.
"""

from __future__ import annotations

import pandas as pd

from salesdeck.metrics.orders import months_of

__all__ = ["targets_by", "TARGET_RULE"]

#: How a unit's target is read from the Targets sheet (quoted in speaker notes).
TARGET_RULE = {
    "zh": "区域目标 = 该区域的汇总行(销售代表、产品线、客户类型均为空);没有汇总行时取该区域各行之和",
    "en": "Region target = the region's total row (rep, product line and customer type blank); "
          "without one, the sum of the region's rows",
}


def targets_by(targets: pd.DataFrame, period: pd.Period, dim: str) -> pd.Series:
    """Targets of one month per region, rep or product line, sorted by name (see the module docstring)."""
    rows = targets[months_of(targets["month"]) == period]
    if rows.empty:
        return pd.Series(dtype=float)
    if dim == "region":
        is_total = rows["rep"].isna() & rows["product_line"].isna() & rows["customer_type"].isna()
        with_total = set(rows.loc[is_total, "region"])
        picked = rows[is_total | ~rows["region"].isin(with_total)]
        return picked.groupby("region")["target"].sum().sort_index()
    picked = rows[rows[dim].notna()]
    if picked.empty:
        return pd.Series(dtype=float)
    return picked.groupby(dim)["target"].sum().sort_index()
