"""Statuses of actions, improvement items and resource requests, judged against the report month's end.

Rules:

- The dates decide, not the typed status: an item not done whose due date
  is on or before the last day of the report month is late (red); an item
  due later is not late, whatever its status says.
- done is green; in progress (not late) is amber; open (not late) has no
  colour; delayed but not yet due is amber.
- A typed status that contradicts its dates is noted for the presenter (in
  the speaker notes): delayed but not yet due, open or in progress past its
  due date, done with a due date in the future is fine (done early).
- Last month's actions are reviewed with the status this month's plan gives
  the same action and owner, else the status they had last month.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["Judged", "judge", "status_colour", "Summary", "summarize", "review"]


@dataclass(frozen=True)
class Judged:
    colour: str | None      # green, amber, red or None
    late: bool              # not done and due on or before the report month's end
    note: str | None        # "delayed_not_due" or "past_due" when the typed status contradicts the dates


def _due(due) -> pd.Timestamp | None:
    return None if due is None or pd.isna(due) else pd.Timestamp(due)


def judge(status: str | None, due, as_of: pd.Timestamp) -> Judged:
    """One item's colour, lateness and contradiction (see the module docstring)."""
    when = _due(due)
    if status == "done":
        return Judged("green", False, None)
    late = when is not None and when <= as_of
    if late:
        return Judged("red", True, None if status == "delayed" else "past_due")
    if status == "delayed":
        return Judged("amber", False, "delayed_not_due" if when is not None else None)
    return Judged("amber" if status == "in_progress" else None, False, None)


def status_colour(status: str | None, due, as_of: pd.Timestamp) -> str | None:
    """green, amber, red or None for one status and due date."""
    return judge(status, due, as_of).colour


@dataclass(frozen=True)
class Summary:
    total: int
    done: int
    open: int               # not done
    late: int               # not done and past due
    judged: list            # a Judged per row, in the frame's order


def summarize(frame: pd.DataFrame, due_column: str, as_of: pd.Timestamp, status: pd.Series | None = None) -> Summary:
    """Every row of ``frame`` judged; ``status`` overrides the frame's own status column."""
    statuses = frame["status"] if status is None else status
    judged = [judge(s, d, as_of) for s, d in zip(statuses, frame[due_column])]
    done = int(sum(s == "done" for s in statuses))
    return Summary(len(frame), done, len(frame) - done, int(sum(j.late for j in judged)), judged)


def review(previous_actions: pd.DataFrame, current_actions: pd.DataFrame) -> pd.DataFrame:
    """Last month's actions by due date (then owner, action) with the status this month's plan gives the same
    action and owner, else their own."""
    current = {(r["action"], r["owner"]): r["status"] for _, r in current_actions.iterrows()}
    ordered = previous_actions.assign(_k=previous_actions["due_date"].fillna(pd.Timestamp.max)).sort_values(
        ["_k", "owner", "action"], kind="stable").drop(columns="_k")
    status = [current.get((r["action"], r["owner"]), r["status"]) for _, r in ordered.iterrows()]
    return ordered.assign(status=status)
