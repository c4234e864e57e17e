"""Why units miss their target, from their activity (RAC: result = activity + capability).

Rules:

- The units are the reps when the Targets sheet has rep targets for the
  month, else the regions. A unit is below target when its RAG is not green.
- A region's activity rows are those naming the region, or, when blank,
  those of reps whose orders are in that region (the alphabetically first
  region of the rep's orders).
- Per unit: visits per rep, proposals per visit, close rate = deals /
  proposals; the team's figures are the same ratios over every row.
- The cause is checked in order, each against 80% of the team's figure:
  visits per rep low -> quantity (too few visits); proposals per visit low
  -> direction (visits at the wrong customers or needs); close rate low ->
  quality (proposals do not convert); otherwise target (activity on par:
  review the target or the resources). A unit without activity counts 0.
  A close rate from too few proposals is not judged (see sufficiency).
- The company row is the company's attainment (the KPI), the one average of
  the deck.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesdeck import calc
from salesdeck.metrics.sufficiency import enough_cases
from salesdeck.metrics.targets import targets_by

if TYPE_CHECKING:
    from salesdeck.metrics.book import Metrics

__all__ = ["ACTIVITY_GAP", "CAUSES", "diagnose", "unit_activity", "below_target", "BelowTarget"]

#: A unit's activity metric below this share of the team's counts as lagging.
ACTIVITY_GAP = 0.8
CAUSES = ("quantity", "direction", "quality", "target")


def _blank(v) -> bool:
    return v is None or pd.isna(v)


def diagnose(visits_per_rep: float, proposals_per_visit: float, close_rate: float,
             team: tuple[float, float, float], proposals: float | None = None) -> str:
    """The cause of a miss (see the module docstring): quantity, direction, quality or target."""
    for value, average, cause in zip((visits_per_rep, proposals_per_visit, close_rate), team, CAUSES):
        if cause == "quality" and proposals is not None and not enough_cases(proposals):
            continue
        v = 0.0 if _blank(value) else value
        if not _blank(average) and average > 0 and v < ACTIVITY_GAP * average:
            return cause
    return "target"


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else np.nan


def unit_activity(m: "Metrics", unit: str) -> tuple[pd.DataFrame, tuple[float, float, float]]:
    """Visits per rep, proposals per visit and close rate per unit (rep or region), plus the team's."""
    acts = m.activities_in()
    if unit == "region":
        home = m.model.orders.groupby("rep")["region"].agg(lambda s: sorted(s.dropna().astype(str))[0]
                                                              if s.notna().any() else None)
        acts = acts.assign(region=acts["region"].where(acts["region"].notna(), acts["rep"].map(home)))
    sums = acts.groupby(unit)[["visits", "proposals", "deals"]].sum(min_count=1)
    reps = acts.groupby(unit)["rep"].nunique()
    out = pd.DataFrame({
        "reps": reps,
        "visits": sums["visits"],
        "proposals": sums["proposals"],
        "visits_per_rep": [_ratio(sums.at[u, "visits"], reps[u]) for u in sums.index],
        "proposals_per_visit": [_ratio(sums.at[u, "proposals"], sums.at[u, "visits"]) for u in sums.index],
        "close_rate": [_ratio(sums.at[u, "deals"], sums.at[u, "proposals"]) for u in sums.index],
    }, index=sums.index)
    total = acts[["visits", "proposals", "deals"]].sum()
    team = (_ratio(total["visits"], acts["rep"].nunique()), _ratio(total["proposals"], total["visits"]),
            _ratio(total["deals"], total["proposals"]))
    return out, team


@dataclass(frozen=True)
class BelowTarget:
    unit: str                  # "rep" or "region"
    table: pd.DataFrame        # every unit with a target: actual, target, attainment, rag
    below: pd.DataFrame        # units not green, worst first, with their activity and cause
    team: tuple[float, float, float]
    overall: float | None      # the company's attainment (the KPI)


def below_target(m: "Metrics") -> BelowTarget | None:
    """Units below target with their activity and the likely cause; None without targets."""
    unit = "rep"
    targets = targets_by(m.model.targets, m.month, "rep")
    if targets[targets > 0].empty:
        unit = "region"
        targets = targets_by(m.model.targets, m.month, "region")
    targets = targets[targets > 0]
    if targets.empty:
        return None
    actual = m.month_orders.groupby(unit)["amount"].sum().reindex(targets.index, fill_value=0.0)
    table = calc.attainment_table(actual, targets, m.settings.rag_bands)
    below = table[table["rag"] != "green"].copy()
    below["name"] = [str(i) for i in below.index]
    below = below.sort_values(["attainment", "name"], kind="stable")
    activity, team = unit_activity(m, unit)
    activity = activity.reindex(below.index)
    below = below.join(activity[["visits_per_rep", "proposals_per_visit", "close_rate", "proposals"]])
    below["cause"] = [diagnose(a["visits_per_rep"], a["proposals_per_visit"], a["close_rate"], team,
                               0.0 if _blank(a["proposals"]) else a["proposals"])
                      for _, a in below.iterrows()]
    return BelowTarget(unit, table, below, team, m.kpis.attainment)
