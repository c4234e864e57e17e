"""When data is enough to conclude from: filled columns and sample sizes.

Rules:

- A breakdown by a column (customer tier, new/renewal, channel, product
  line, lead channel) is a conclusion only when the column is filled for at
  least 80% of what it splits (the month's sales for order columns, the
  opportunities for pipeline columns). Below that the slide says which
  column of which sheet to fill and how much is missing, and draws no
  conclusion; an empty column shows no chart at all.
- A rate computed from fewer than 10 cases (a win rate from 6 closed deals, a
  close rate from 4 proposals) is shown with its n and is never named best
  or worst, nor used to diagnose a cause: 5 won of 6 is 83%, but it could as
  well be 50% next month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["FILL_MIN", "MIN_CASES", "Filled", "filled", "enough_cases"]

#: Share of the weight a column must be filled for before a breakdown by it is a conclusion.
FILL_MIN = 0.8
#: Fewest cases a rate may rest on before it is compared or headlined.
MIN_CASES = 10


@dataclass(frozen=True)
class Filled:
    table: str
    column: str
    share: float        # share of the weight (or rows) with the column filled, 0..1
    rows_missing: int

    @property
    def sufficient(self) -> bool:
        return self.share >= FILL_MIN

    @property
    def empty(self) -> bool:
        return self.share == 0


def filled(frame: pd.DataFrame, table: str, column: str, weight: str | None = None) -> Filled:
    """How much of ``frame`` has ``column`` filled: by the absolute ``weight`` (e.g. amount), else by rows."""
    present = frame[column].notna().to_numpy()
    if weight is not None:
        w = np.abs(frame[weight].to_numpy(dtype=float))
        total = float(np.nansum(w))
        share = float(np.nansum(w[present])) / total if total > 0 else (float(present.mean()) if len(frame) else 0.0)
    else:
        share = float(present.mean()) if len(frame) else 0.0
    return Filled(table, column, share, int((~present).sum()))


def enough_cases(n: float | int | None) -> bool:
    """Whether a rate resting on ``n`` cases may be compared or headlined."""
    return n is not None and not pd.isna(n) and n >= MIN_CASES
