"""The pipeline as a CRM shows it at the report month's end: open deals, and the deals closed this month.

Every won new-business deal is one of the month's new-business orders (same
customer, rep, amount and date), so the pipeline's wins, the activity sheet's
deals and the order sheet's new business are one count. Expansion deals with
existing customers (lead source 老客户) won this month are renewal orders of key
accounts. Lost and open new-business deals are prospects, companies that are
not customers; each lead source wins at its own rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesdeck.workbook import contract
from salesdeck.workbook.author.sample import names as N
from salesdeck.workbook.author.sample.customers import Customers, NameMaker
from salesdeck.workbook.author.sample.orders import Orders
from salesdeck.workbook.author.sample.world import World

__all__ = ["pipeline", "short_name"]

#: New-business lead sources: share of leads and the share of closed deals won.
SOURCES = {"website": (0.25, 0.45), "trade_show": (0.2, 0.3), "referral": (0.15, 0.65),
           "telemarketing": (0.25, 0.32), "partner": (0.15, 0.6)}
EXISTING_WIN_RATE = 0.75
#: Expansion deals won this month, and open deals per won new-business deal.
EXPANSIONS_WON = 7
OPEN_PER_DEAL = 2.0
OPEN_EXPANSIONS = 16
#: Open stages (indices into the stage table) and their shares; a few open deals have slipped past their date.
OPEN_STAGES = (0.36, 0.3, 0.2, 0.14)
SLIPPED = 0.06
WON, LOST = 4, 5


def short_name(name: str, li: int) -> str:
    """A customer's short name for an opportunity title (drops the legal ending)."""
    for ending in N.ENDINGS:
        if name.endswith(ending[li]):
            return name[: -len(ending[li])].strip()
    return name


def pipeline(world: World, cust: Customers, orders: Orders, maker: NameMaker) -> pd.DataFrame:
    """Won, lost and open deals (see the module docstring), sorted by expected close."""
    rng, last = world.rng, len(world.months) - 1
    f = cust.frame
    names = cust.names(world.li)
    in_month = orders.month == last
    rows = []

    def add(name, rep, amount, close, stage, source):
        rows.append((name, int(rep), float(amount), pd.Timestamp(close), int(stage), source))

    won = np.flatnonzero(in_month & orders.new & (orders.amount > 0))
    share = np.array([s for s, _ in SOURCES.values()])
    rate = np.array([r for _, r in SOURCES.values()])
    won_source = rng.choice(list(SOURCES), size=len(won), p=share * rate / (share * rate).sum())
    for i, source in zip(won, won_source):
        add(names[orders.customer[i]], orders.rep[i], orders.amount[i], orders.frame["date"].iat[i], WON, source)
    key = in_month & ~orders.new & (f["tier"].to_numpy()[orders.customer] == 0) & (orders.amount > 0)
    big = np.flatnonzero(key)
    big = big[np.argsort(-orders.amount[big], kind="stable")][: EXPANSIONS_WON * 3]
    for i in np.sort(rng.choice(big, size=min(EXPANSIONS_WON, len(big)), replace=False)) if len(big) else []:
        add(names[orders.customer[i]], orders.rep[i], orders.amount[i], orders.frame["date"].iat[i], WON, "existing")

    typical = float(np.median(orders.amount[won])) if len(won) else 30000.0
    working = world.days.working_dates(last)
    for source, (_, r) in SOURCES.items():
        reps = orders.rep[won[won_source == source]]
        for _ in range(int(round(len(reps) * (1 - r) / r))):
            rep = int(rng.choice(reps))
            add(_prospect(world, maker, rep), rep, _amount(rng, typical), rng.choice(working), LOST, source)
    lost_existing = int(round(min(EXPANSIONS_WON, len(big)) * (1 - EXISTING_WIN_RATE) / EXISTING_WIN_RATE))
    for c in rng.choice(f.index[f["tier"] == 0], size=lost_existing, replace=False):
        add(names[c], f.at[c, "rep"], _amount(rng, 4 * typical), rng.choice(working), LOST, "existing")

    n_open = int(round(OPEN_PER_DEAL * len(won)))
    pace = np.bincount(orders.rep[won], minlength=len(world.reps)) + 1.0
    for _ in range(n_open):
        rep = int(rng.choice(len(world.reps), p=pace / pace.sum()))
        source = str(rng.choice(list(SOURCES), p=share))
        add(_prospect(world, maker, rep), rep, _amount(rng, typical), _open_close(world), _open_stage(rng), source)
    recent = np.unique(orders.customer[(orders.month >= last - 2) & (f["tier"].to_numpy()[orders.customer] < 2)])
    n_expansions = min(len(recent), int(round(OPEN_EXPANSIONS * min(1.0, world.scale * 4))))
    for c in np.sort(rng.choice(recent, size=n_expansions, replace=False)):
        add(names[c], f.at[c, "rep"], _amount(rng, 3 * typical), _open_close(world), _open_stage(rng), "existing")
    return _frame(world, rows)


def _prospect(world: World, maker: NameMaker, rep: int) -> str:
    return NameMaker.name(maker.draw(int(world.rep_region[rep])), world.li)


def _amount(rng: np.random.Generator, typical: float) -> float:
    return float(max(1000.0, np.round(rng.lognormal(np.log(typical), 0.5) / 1000) * 1000))


def _open_close(world: World) -> pd.Timestamp:
    """An open deal's expected close: the next two and a half months, a few already slipped."""
    rng = world.rng
    if rng.random() < SLIPPED:
        return world.month_end - pd.Timedelta(days=int(rng.integers(1, 12)))
    return world.month_end + pd.Timedelta(days=int(rng.integers(1, 76)))


def _open_stage(rng: np.random.Generator) -> int:
    return int(rng.choice(len(OPEN_STAGES), p=OPEN_STAGES))


def _frame(world: World, rows: list) -> pd.DataFrame:
    rng, li = world.rng, world.li
    stages = contract.DEFAULT_STAGES
    name, rep, amount, close, stage, source = (np.array(c, dtype=object) for c in zip(*rows)) if rows \
        else ([],) * 6
    n = len(rows)
    stage = np.asarray(stage, dtype=np.int64)
    kinds = rng.integers(len(N.OPPORTUNITY_KINDS), size=n)
    opp = [f"{short_name(nm, li)}{N.OPPORTUNITY_KINDS[k][0]}" if li == 0 else f"{short_name(nm, li)} {N.OPPORTUNITY_KINDS[k][1]}"
           for nm, k in zip(name, kinds)]
    prob = np.array([stages[s][2] for s in stage], dtype=float)
    override = (rng.random(n) < 0.05) & (stage < WON)
    prob = np.where(override, np.clip(prob + 0.1, 0, 0.95), prob)
    lead = np.where(stage >= 3, "A", np.where(stage >= 1, rng.choice(["A", "B"], size=n), rng.choice(["B", "C"], size=n)))
    lead = np.where(rng.random(n) < 0.25, None, lead).astype(object)
    rep = np.asarray(rep, dtype=np.int64)
    frame = pd.DataFrame({
        "opportunity": np.array(opp, dtype=object),
        "customer": np.asarray(name, dtype=object),
        "rep": world.reps[rep],
        "region": world.regions[world.rep_region[rep]],
        "stage": np.array([stages[s][li] for s in stage], dtype=object),
        "probability": prob,
        "amount": np.asarray(amount, dtype=float),
        "expected_close": pd.to_datetime(list(close)),
        "lead_source": np.asarray(source, dtype=object),
        "lead_class": lead,
        "category": np.array([stages[s][3] for s in stage], dtype=object),
    })
    frame = frame.iloc[np.lexsort((np.arange(n), frame["expected_close"].to_numpy()))].reset_index(drop=True)
    frame.insert(0, "opportunity_id", [f"OP-{i:04d}" for i in range(1, n + 1)])
    return frame
