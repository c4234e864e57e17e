"""The open pipeline: amounts, weighted amounts, forecast categories and coverage, per rep and region.

Rules:

- Open deals are the pipeline rows whose stage is neither won nor lost.
- Weighted = amount x the stage's probability (Settings' stage table).
- Forecast category by probability: commit at or above Settings' commit
  minimum, best case at or above the best-case minimum, else pipeline.
- Coverage of a rep = open pipeline / (the rep's target this month - the
  rep's sales this month); blank when the target is met or there is none.
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

__all__ = ["CATEGORIES", "Pipeline", "pipeline"]

CATEGORIES = ("commit", "best case", "pipeline")


@dataclass(frozen=True)
class Pipeline:
    deals: pd.DataFrame      # the open deals, with weighted and forecast (category)
    by_rep: pd.DataFrame     # per rep: deals, open, weighted, commit, best case, pipeline, remaining, coverage
    by_region: pd.DataFrame  # per region: deals, open, weighted
    open: float
    weighted: float


def _totals(deals: pd.DataFrame, by: str) -> pd.DataFrame:
    if deals.empty:
        return pd.DataFrame(columns=["deals", "open", "weighted"], dtype=float)
    grouped = deals.groupby(by, sort=True)
    return pd.DataFrame({"deals": grouped.size().astype(int), "open": grouped["amount"].sum(),
                         "weighted": grouped["weighted"].sum()})


def pipeline(m: "Metrics") -> Pipeline:
    """Open and weighted pipeline per rep (with forecast categories and coverage) and per region."""
    s = m.settings
    deals = m.model.pipeline
    deals = deals[deals["category"] == "open"]
    probs = deals["probability"].to_numpy(dtype=float)
    amounts = deals["amount"].to_numpy(dtype=float)
    forecast = np.asarray(calc.forecast_category(probs, None, s.commit_min, s.best_case_min, "en"),
                          dtype=object).ravel() if len(deals) else np.array([], dtype=object)
    deals = deals.assign(weighted=np.nan_to_num(amounts * probs), forecast=forecast)
    by_rep = _totals(deals, "rep")
    for category in CATEGORIES:
        by_rep[category] = deals[deals["forecast"] == category].groupby("rep")["amount"].sum() \
            .reindex(by_rep.index).fillna(0.0) if len(deals) else []
    target = targets_by(m.model.targets, m.month, "rep")
    actual = m.month_orders.groupby("rep")["amount"].sum()
    remaining = target.reindex(by_rep.index).fillna(0.0) - actual.reindex(by_rep.index).fillna(0.0)
    by_rep["remaining"] = remaining.clip(lower=0)
    by_rep["coverage"] = [float(by_rep.at[rep, "open"] / left) if left > 0 else None for rep, left in remaining.items()]
    return Pipeline(deals, by_rep, _totals(deals, "region"), float(amounts.sum()),
                    float(deals["weighted"].sum()))
