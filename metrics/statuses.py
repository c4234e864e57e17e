"""Statuses of actions, improvement items and resource requests, judged against the report month's end.

Rules:

- done is green; delayed is red; anything else whose due date is on or
  before the last day of the report month is red (late); in progress is
  amber; otherwise no colour.
- Last month's actions are reviewed with the status this month's plan gives
  the same action and owner, else the status they had last month.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["status_colour"]


def status_colour(status: str | None, due, as_of: pd.Timestamp) -> str | None:
    """green, red, amber or None for one status and due date (see the module docstring)."""
    if status == "done":
        return "green"
    if status == "delayed" or (due is not None and not pd.isna(due) and pd.Timestamp(due) <= as_of):
        return "red"
    if status == "in_progress":
        return "amber"
    return None
