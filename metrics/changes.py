"""What happened to the pipeline since last month: last month's workbook against this one, deal by deal.

Rules:

- Deals are matched by opportunity ID; a deal without one is matched by its
  opportunity name and customer. Last month's pipeline is the previous
  workbook's (``--previous``), this month's is this workbook's.
- new: in this month's pipeline, not open in last month's. won / lost: open
  last month (or new) and won / lost now; an open deal that is gone from the
  sheet counts as lost. increased / decreased: open last month, with another
  amount now (the change is counted, whatever the deal's stage now).
- slipped: open in both, and its expected close moved to a later month, or
  it is still open although its expected close is on or before the report
  month's end. pulled in: open in both, expected close moved to an earlier
  month (and not past due).
  stalled: slipped and in the same stage as last month.
- The bridge from last month's open pipeline to this month's: start + new +
  increased - decreased - won - lost = end (decreases and removals as
  negative amounts; new and closed deals at their amount now).
- Forecast accuracy: last month's commit (and best case, which includes
  commit) for deals expected to close in the report month, by last month's
  stages and Settings; won = the amount won this month; accuracy = won /
  commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesdeck import calc

if TYPE_CHECKING:
    from salesdeck.metrics.book import Metrics

__all__ = ["KINDS", "PipelineChanges", "pipeline_changes"]

KINDS = ("new", "won", "lost", "slipped", "pulled_in", "increased", "decreased", "stalled")


def _keyed(deals: pd.DataFrame) -> pd.DataFrame:
    ids = deals["opportunity_id"].astype(object)
    fallback = deals["opportunity"].astype(str) + " · " + deals["customer"].fillna("").astype(str)
    key = ids.where(ids.notna(), fallback).astype(str)
    return deals.assign(key=key).drop_duplicates("key", keep="last").set_index("key")


@dataclass(frozen=True)
class PipelineChanges:
    deals: pd.DataFrame        # one row per deal seen in either month: before/now amount, stage, close, category,
                               # rep, opportunity, and a bool column per kind
    by_kind: pd.DataFrame      # index kind: count, amount (the bridge's signed amount for new..lost, the deals'
                               # amount now for slipped, pulled_in, stalled)
    start: float               # last month's open pipeline
    end: float                 # this month's open pipeline
    forecast_commit: float
    forecast_best_case: float
    won: float
    accuracy: float | None     # won / commit

    def ids(self, kind: str) -> list[str]:
        return [str(k) for k in self.deals.index[self.deals[kind]]]

    @property
    def slipped_deals(self) -> pd.DataFrame:
        """The deals that slipped (stalled ones among them), largest amount now first, ties by ID."""
        d = self.deals[self.deals["slipped"]]
        d = d.assign(_a=d["amount_now"].fillna(0.0), _k=[str(k) for k in d.index])
        return d.sort_values(["_a", "_k"], ascending=[False, True], kind="stable").drop(columns=["_a", "_k"])


def pipeline_changes(m: "Metrics") -> PipelineChanges | None:
    """Last month's pipeline against this month's (see the module docstring); None without ``previous``."""
    if m.previous is None:
        return None
    before = _keyed(m.previous.pipeline)
    now = _keyed(m.model.pipeline)
    keys = before.index.union(now.index)
    b, n = before.reindex(keys), now.reindex(keys)
    was_open = (b["category"] == "open").to_numpy()
    here = n["category"].notna().to_numpy()
    is_open, won_now, lost_now = [(n["category"] == c).to_numpy() for c in ("open", "won", "lost")]
    month_end = m.month_end.to_datetime64()
    new = here & ~was_open & ~(b["category"].isin(["won", "lost"]).to_numpy() & ~is_open)
    won = won_now & (was_open | new)
    lost = (lost_now & (was_open | new)) | (was_open & ~here)
    both = was_open & is_open
    amount_before = b["amount"].to_numpy(dtype=float)
    amount_now = n["amount"].to_numpy(dtype=float)
    delta = np.where(was_open & here, np.nan_to_num(amount_now) - np.nan_to_num(amount_before), 0.0)
    close_before = b["expected_close"].to_numpy(dtype="datetime64[ns]")
    close_now = n["expected_close"].to_numpy(dtype="datetime64[ns]")
    month_before = _month_number(close_before)
    month_now = _month_number(close_now)
    later = both & (month_now > month_before)
    past_due = is_open & (close_now <= month_end)
    slipped = (later | (both & past_due))
    pulled_in = both & (month_now < month_before) & ~past_due
    stalled = slipped & (b["stage"].astype(str).to_numpy() == n["stage"].astype(str).to_numpy())
    deals = pd.DataFrame({
        "opportunity": n["opportunity"].where(n["opportunity"].notna(), b["opportunity"]),
        "customer": n["customer"].where(n["customer"].notna(), b["customer"]),
        "rep": n["rep"].where(n["rep"].notna(), b["rep"]),
        "stage_before": b["stage"], "stage_now": n["stage"],
        "amount_before": amount_before, "amount_now": amount_now,
        "close_before": b["expected_close"], "close_now": n["expected_close"],
        "new": new, "won": won, "lost": lost, "slipped": slipped, "pulled_in": pulled_in,
        "increased": delta > 0, "decreased": delta < 0, "stalled": stalled,
    }, index=keys)
    closed_amount = np.where(here, np.nan_to_num(amount_now), np.nan_to_num(amount_before))
    signed = {
        "new": float(np.nan_to_num(amount_now)[new].sum()),
        "won": -float(closed_amount[won].sum()),
        "lost": -float(closed_amount[lost].sum()),
        "increased": float(delta[delta > 0].sum()),
        "decreased": float(delta[delta < 0].sum()),
    }
    for kind in ("slipped", "pulled_in", "stalled"):
        signed[kind] = float(np.nan_to_num(amount_now)[deals[kind].to_numpy()].sum())
    by_kind = pd.DataFrame({"count": [int(deals[k].sum()) for k in KINDS], "amount": [signed[k] for k in KINDS]},
                           index=pd.Index(KINDS, name="kind"))
    start = float(np.nan_to_num(amount_before)[was_open].sum())
    end = float(np.nan_to_num(amount_now)[is_open].sum())
    commit, best = _forecast(m, before)
    won_amount = -signed["won"]
    return PipelineChanges(deals, by_kind, start, end, commit, best, won_amount, won_amount / commit if commit else None)


def _month_number(dates: np.ndarray) -> np.ndarray:
    """Months since 1970 as floats (NaN for a blank date), so that only a move to another month counts."""
    months = dates.astype("datetime64[M]").astype("int64").astype(float)
    return np.where(np.isnat(dates), np.nan, months)


def _forecast(m: "Metrics", before: pd.DataFrame) -> tuple[float, float]:
    """Last month's commit and best case (including commit) for deals expected to close in the report month."""
    s = m.previous.settings
    closing = before[(before["category"] == "open") & (before["expected_close"].dt.to_period("M") == m.month)]
    if closing.empty:
        return 0.0, 0.0
    kinds = np.asarray(calc.forecast_category(closing["probability"].to_numpy(dtype=float), None, s.commit_min,
                                              s.best_case_min, "en"), dtype=object).ravel()
    amounts = closing["amount"].to_numpy(dtype=float)
    commit = float(amounts[kinds == "commit"].sum())
    return commit, commit + float(amounts[kinds == "best case"].sum())
