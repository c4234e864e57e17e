"""Customer feedback: complaints by category (Pareto), satisfaction by dimension, NPS.

Rules:

- Complaints of the report month, counted per category, largest first (ties
  in the order of the category list), with the cumulative share; resolved =
  status resolved.
- Satisfaction: the survey's score per dimension (the last row when a
  dimension is repeated) against the previous period's score.
- NPS = % promoters (9-10) - % detractors (0-6) of every answer, -100..100.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from salesdeck import calc
from salesdeck.metrics.orders import months_of
from salesdeck.workbook import contract

if TYPE_CHECKING:
    from salesdeck.metrics.book import Metrics

__all__ = ["pareto", "Complaints", "complaints", "Satisfaction", "satisfaction", "Nps", "nps"]


def pareto(categories: pd.Series, order: list | tuple = ()) -> pd.DataFrame:
    """Count per category, largest first (ties in ``order``, then by name), with the cumulative share."""
    counts = categories.value_counts()
    rank = {key: i for i, key in enumerate(order)}
    frame = pd.DataFrame({"count": counts.to_numpy(), "rank": [rank.get(k, len(rank)) for k in counts.index],
                          "name": [str(k) for k in counts.index]}, index=counts.index)
    frame = frame.sort_values(["count", "rank", "name"], ascending=[False, True, True], kind="stable")
    frame["cumulative"] = frame["count"].cumsum() / frame["count"].sum()
    return frame.drop(columns="rank")


@dataclass(frozen=True)
class Complaints:
    rows: pd.DataFrame          # the month's complaint rows
    by_category: pd.DataFrame   # pareto of category keys: count, cumulative
    by_status: pd.DataFrame     # category x status counts
    total: int
    resolved: int


def complaints(m: "Metrics") -> Complaints | None:
    """The month's complaints per category and status; None without any."""
    table = m.model.complaints
    month = table[months_of(table["date"]) == m.month]
    if month.empty:
        return None
    keys = month["category"].fillna("~")
    p = pareto(keys, [c.key for c in contract.TABLES["complaints"].column("category").choices])
    status = pd.crosstab(keys, month["status"]).reindex(index=list(p.index), fill_value=0)
    return Complaints(month, p, status, int(p["count"].sum()), int((month["status"] == "resolved").sum()))


@dataclass(frozen=True)
class Satisfaction:
    scores: pd.DataFrame        # per dimension (survey order): score, previous, change
    average: float
    average_before: float | None


def satisfaction(m: "Metrics") -> Satisfaction | None:
    """Scores per dimension against the previous period; None without a survey."""
    sat = m.model.satisfaction
    if sat.empty:
        return None
    sat = sat.assign(name=sat["dimension"].astype(str)).drop_duplicates("name", keep="last")
    scores = pd.DataFrame({"score": sat["score"].to_numpy(dtype=float), "previous": sat["previous"].to_numpy(dtype=float)},
                          index=pd.Index(sat["name"].to_list(), name="dimension"))
    scores["change"] = scores["score"] - scores["previous"]
    before = float(scores["previous"].mean()) if scores["previous"].notna().any() else None
    return Satisfaction(scores, float(scores["score"].mean()), before)


@dataclass(frozen=True)
class Nps:
    score: float
    answers: int
    groups: dict                # promoters, passives, detractors -> count


def nps(m: "Metrics") -> Nps | None:
    """NPS and its promoters, passives and detractors; None without answers."""
    scores = m.model.nps["score"].dropna()
    if scores.empty:
        return None
    groups = {"promoters": int((scores >= 9).sum()), "passives": int(((scores >= 7) & (scores <= 8)).sum()),
              "detractors": int((scores <= 6).sum())}
    return Nps(float(calc.nps(scores.to_numpy())), len(scores), groups)
