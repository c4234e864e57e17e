"""The customers: a base that bought before the first month, the new customers the reps win, and how each buys.

Each customer buys on a cadence: key accounts every month, mid-size ones every
month or two, small ones and new customers every two to six months; a new customer's
first order is its new business, and most small new customers never buy again. A
customer that buys every month skips a month now and then, never two in a row,
so nobody stops by chance. Base customers that are lost during the sixteen
months stop early (before the last eight months); the customers whose story the
deck tells (falling orders, a lapsed regular, big and old debts) are picked
here, from the base.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesdeck.workbook.author.sample import names as N
from salesdeck.workbook.author.sample.world import World

__all__ = ["TIERS", "Customers", "Story", "customers", "NameMaker"]

TIERS = ("key", "mid", "small")
BASE_CUSTOMERS = 280
BASE_TIERS = (0.12, 0.33, 0.55)
NEW_TIERS = (0.04, 0.31, 0.65)
#: Order size and the weight of further orders in a month the customer buys in, by tier.
TIER_SIZE = np.array([6.0, 3.0, 1.0])
TIER_EXTRA = np.array([6.0, 1.8, 0.6])
#: How much order sizes differ between customers of a tier (lognormal sigma): key accounts differ most.
SIZE_SPREAD = np.array([0.7, 0.5, 0.4])
#: Buying cadence in months and its share, by tier, for the base and for new customers that buy again.
BASE_PERIODS = (((1,), (1.0,)), ((1, 2), (0.4, 0.6)), ((2, 3, 4, 6), (0.15, 0.3, 0.25, 0.3)))
NEW_PERIODS = (((1,), (1.0,)), ((2, 3, 4, 6), (0.25, 0.3, 0.25, 0.2)), ((3, 4, 6), (0.3, 0.3, 0.4)))
#: New customers that buy only once, by tier.
ONE_OFF = np.array([0.0, 0.45, 0.7])
#: A monthly buyer skips a month with this probability (never two months in a row).
SKIP = 0.07
#: Base customers lost during the sixteen months, by tier; they stop before the last eight months.
BASE_LOST = np.array([0.03, 0.1, 0.2])
LOST_BEFORE = 8


class NameMaker:
    """Unique company names (city + core + industry ending) in a region's cities."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.used: set[tuple[int, int, int]] = set()

    def draw(self, region: int) -> tuple[int, int, int]:
        cities = N.REGION_CITIES[region]
        while True:
            key = (int(cities[self.rng.integers(len(cities))]), int(self.rng.integers(len(N.CORES))),
                   int(self.rng.integers(len(N.INDUSTRIES))))
            if key not in self.used:
                self.used.add(key)
                return key

    @staticmethod
    def name(key: tuple[int, int, int], li: int) -> str:
        city, core, industry = key
        c, k, e = N.CITIES[city][li], N.CORES[core][li], N.ENDINGS[industry][li]
        return f"{c}{k}{e}" if li == 0 else f"{c} {k} {e}"


@dataclass
class Story:
    """Customers the deck has something true to say about (customer indices)."""

    falling: np.ndarray       # orders fall two months running
    stopped: np.ndarray       # bought every month, nothing in the last two
    overdue_big: np.ndarray   # key accounts with large invoices long unpaid
    overdue_old: np.ndarray   # a debt from the spring, still open


@dataclass
class Customers:
    """One row per customer (index = customer number): region, rep, tier, channel, cadence."""

    frame: pd.DataFrame
    keys: list                # name keys for NameMaker.name
    buys: np.ndarray          # customers x months: a renewal order is placed that month
    story: Story

    def names(self, li: int) -> np.ndarray:
        return np.array([NameMaker.name(k, li) for k in self.keys], dtype=object)


def _channels(rng: np.random.Generator, tier: np.ndarray) -> np.ndarray:
    u = rng.random(len(tier))
    small = np.where(u < 0.4, "direct", np.where(u < 0.75, "distribution", "ecommerce"))
    mid = np.where(u < 0.7, "direct", "distribution")
    return np.select([tier == 0, tier == 1], ["direct", mid], small).astype(object)


def _periods(rng: np.random.Generator, tier: np.ndarray, new: bool) -> np.ndarray:
    period = np.zeros(len(tier), dtype=np.int64)
    for t in range(len(TIERS)):
        rows = np.flatnonzero(tier == t)
        values, shares = (NEW_PERIODS if new else BASE_PERIODS)[t]
        period[rows] = rng.choice(values, size=len(rows), p=shares)
    if new:
        period[rng.random(len(tier)) < ONE_OFF[tier]] = 0  # buys once
    return period


def customers(world: World, deals: np.ndarray, maker: NameMaker) -> Customers:
    """The base, then one new customer per deal (rep x month) of the activity funnel."""
    rng, n_months = world.rng, len(world.months)
    size = np.array(N.REGION_SIZE) / sum(N.REGION_SIZE)
    base_region = rng.choice(len(N.REGIONS), size=BASE_CUSTOMERS, p=size)
    base_rep = np.array([rng.choice(np.flatnonzero(world.rep_region == r)) for r in base_region])
    rep_month = np.argwhere(deals > 0)
    new_rep = np.repeat(rep_month[:, 0], deals[deals > 0])
    new_start = np.repeat(rep_month[:, 1], deals[deals > 0])
    order = np.lexsort((new_rep, new_start))  # month by month, reps in order
    new_rep, new_start = new_rep[order], new_start[order]
    n_new = len(new_rep)

    tier = np.concatenate([rng.choice(3, size=BASE_CUSTOMERS, p=BASE_TIERS), rng.choice(3, size=n_new, p=NEW_TIERS)])
    rep = np.concatenate([base_rep, new_rep]).astype(np.int64)
    region = world.rep_region[rep]
    start = np.concatenate([np.full(BASE_CUSTOMERS, -1), new_start]).astype(np.int64)
    period = np.concatenate([_periods(rng, tier[:BASE_CUSTOMERS], False), _periods(rng, tier[BASE_CUSTOMERS:], True)])
    phase = np.where(start < 0, rng.integers(0, 6, len(tier)) % np.maximum(period, 1), start)
    end = np.full(len(tier), n_months, dtype=np.int64)
    lost = (start < 0) & (rng.random(len(tier)) < BASE_LOST[tier])
    end[lost] = rng.integers(2, LOST_BEFORE + 1, lost.sum())
    frame = pd.DataFrame({
        "region": region, "rep": rep, "tier": tier, "channel": _channels(rng, tier), "start": start, "end": end,
        "period": period, "phase": phase,
        "size": TIER_SIZE[tier] * rng.lognormal(0.0, SIZE_SPREAD[tier]),
        "extra": TIER_EXTRA[tier] * rng.lognormal(0.0, 0.4, len(tier)),
    })
    keys = [maker.draw(int(r)) for r in region]
    story = _story(rng, frame, n_months)
    return Customers(frame, keys, _buys(rng, frame, story, n_months), story)


def _story(rng: np.random.Generator, f: pd.DataFrame, n_months: int) -> Story:
    """Pick the story's customers from steady monthly buyers of the base, each with another rep."""
    steady = (f["start"] < 0) & (f["period"] == 1) & (f["end"] == n_months) & (f["channel"] == "direct")
    taken: set[int] = set()

    def pick(tier: int, n: int) -> np.ndarray:
        """``n`` of the tier's biggest quarter (by order size x orders a month)."""
        pool = f.index[steady & (f["tier"] == tier) & ~f["rep"].isin(taken)].to_numpy()
        weight = (f["size"] * f["extra"]).to_numpy()[pool]
        pool = pool[weight >= np.quantile(weight, 0.75)] if len(pool) else pool
        chosen = rng.choice(pool, size=min(n, len(pool)), replace=False) if len(pool) else np.array([], int)
        taken.update(int(r) for r in f.loc[chosen, "rep"])
        steady.loc[chosen] = False
        return np.sort(chosen)

    falling = np.concatenate([pick(0, 1), pick(1, 1)])
    stopped = pick(1, 2)
    overdue_big = pick(0, 2)
    f.loc[stopped, "end"] = n_months - 2
    # The old debt: a disputed spring statement of a mid-size customer that buys every month.
    pool = f.index[steady & (f["tier"] == 1)].to_numpy()
    overdue_old = np.sort(np.concatenate([stopped[:1], rng.choice(pool, size=1, replace=False)]))
    return Story(falling, stopped, overdue_big, overdue_old)


def _buys(rng: np.random.Generator, f: pd.DataFrame, story: Story, n_months: int) -> np.ndarray:
    """customers x months: a renewal order that month (cadence, skips, first order and stop excluded)."""
    k = np.arange(n_months)[None, :]
    start, end = f["start"].to_numpy()[:, None], f["end"].to_numpy()[:, None]
    period, phase = f["period"].to_numpy()[:, None], f["phase"].to_numpy()[:, None]
    buys = (period > 0) & (k > start) & (k < end) & ((k - phase) % np.maximum(period, 1) == 0)
    skip = (rng.random(buys.shape) < SKIP) & (period == 1)
    skip[:, 1:] &= ~skip[:, :-1]  # never two months in a row
    designed = np.concatenate([story.falling, story.stopped, story.overdue_big, story.overdue_old])
    skip[designed, n_months - 8:] = False
    return buys & ~skip
