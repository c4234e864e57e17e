"""The reps' activity: a funnel per rep and month whose deals are the new customers the orders then hold.

Each rep has a steady pace (2.5-3.1 visits per working day; the Southwest's
reps 2.1-2.2, under 80% of the team: the cause of the region's red month) and
steady stage rates (calls per visit, effective visits, proposals, quotes,
trials, deals), so a rep wins a new customer every 10-15 visits and the team's
ratios hold from month to month. Each month's counts follow stage by stage
from the visits at the rep's rates (within 10%), so no stage exceeds the one
before; the deals of a rep and month are exactly the new-business orders the
order table gives that rep in that month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesdeck.workbook.author.sample.world import World

__all__ = ["STAGES", "Profiles", "profiles", "Funnel", "funnel"]

STAGES = ("calls", "visits", "effective_visits", "proposals", "quotes", "trials", "deals")
#: The region whose reps visit least (the sample's red region).
SLOW_REGION = 3
#: Stage rates per rep are drawn from these ranges: effective / visits, proposals / effective,
#: quotes / proposals, trials / quotes, deals / trials; and calls per visit.
RATE_RANGES = ((0.58, 0.68), (0.36, 0.44), (0.72, 0.82), (0.55, 0.65), (0.55, 0.7))
CALLS_PER_VISIT = (3.6, 5.6)
VISITS_PER_DEAL = (10.0, 15.0)
#: A month's stage rate varies around the rep's by up to this much.
STAGE_NOISE = 0.1


class Profiles:
    """Each rep's pace and stage rates (arrays indexed by rep)."""

    def __init__(self, per_day: np.ndarray, calls: np.ndarray, rates: np.ndarray):
        self.per_day = per_day      # visits per working day
        self.calls = calls          # calls per visit
        self.rates = rates          # reps x 5 stage rates (see RATE_RANGES)

    @property
    def visits_per_deal(self) -> np.ndarray:
        return 1 / self.rates.prod(axis=1)


def profiles(world: World) -> Profiles:
    """Steady habits per rep; rates are drawn again until a deal takes 10-15 visits."""
    rng, n = world.rng, len(world.reps)
    slow = world.rep_region == SLOW_REGION
    per_day = np.where(slow, rng.uniform(2.12, 2.2, n), rng.uniform(2.5, 3.1, n))
    calls = rng.uniform(*CALLS_PER_VISIT, n)
    rates = np.empty((n, len(RATE_RANGES)))
    for r in range(n):
        while True:
            row = np.array([rng.uniform(lo, hi) for lo, hi in RATE_RANGES])
            if VISITS_PER_DEAL[0] <= 1 / row.prod() <= VISITS_PER_DEAL[1]:
                rates[r] = row
                break
    return Profiles(per_day, calls, rates)


class Funnel:
    """The activity table's counts: ``counts[stage]`` is a reps x months array."""

    def __init__(self, counts: dict[str, np.ndarray]):
        self.counts = counts

    @property
    def deals(self) -> np.ndarray:
        return self.counts["deals"]

    def drop_deals(self, rep: int, month: int, n: int) -> None:
        """Fewer deals (a tiny sample has fewer order lines than deals)."""
        self.counts["deals"][rep, month] -= n

    def frame(self, world: World) -> pd.DataFrame:
        """One row per rep and month, months in order, reps in their listed order."""
        n_reps, n_months = self.deals.shape
        rep = np.tile(np.arange(n_reps), n_months)
        month = np.repeat(np.arange(n_months), n_reps)
        data = {"rep": world.reps[rep], "region": world.regions[world.rep_region[rep]], "month": world.months[month]}
        for stage in STAGES:
            data[stage] = self.counts[stage].T.reshape(-1).astype(float)
        return pd.DataFrame(data)


def funnel(world: World, p: Profiles) -> Funnel:
    """Visits from each rep's pace and the month's working days (x the sample's scale), then each stage."""
    rng = world.rng
    n_months = len(world.months)
    working = np.array([world.days.working_days(k) for k in range(n_months)])
    pace = p.per_day[:, None] * working[None, :] * rng.uniform(0.96, 1.04, (len(p.per_day), n_months))
    visits = np.round(pace * world.scale).astype(np.int64)
    counts = {"visits": visits, "calls": np.round(visits * p.calls[:, None] * rng.uniform(0.92, 1.08, visits.shape))}
    previous = visits
    for stage, rate in zip(STAGES[2:], p.rates.T):
        previous = np.round(previous * rate[:, None] * rng.uniform(1 - STAGE_NOISE, 1 + STAGE_NOISE, visits.shape))
        counts[stage] = previous
    return Funnel({stage: np.asarray(counts[stage], dtype=np.int64) for stage in STAGES})
