"""Order lines: each new customer's first order (新签), then the customers' renewal orders (续约).

The lines of a month, and its renewal sales, follow the month's weight (demand
per working day x growth x working days, :meth:`World.month_weights`), so
holiday months sell less and the year grows about 10%. Offline orders fall on
working days, more towards the month's end; online orders on any day, fewer on
weekends and holidays. Every order is one line with its own order number; its
quantity is what its amount buys at the product's price less a discount.

The report month's sales per region follow the story of ``names.REGIONS`` (see
:func:`_regions`). The churn story is made true here and only here: the
``falling`` customers' orders fall two months running, and any other customer
whose last three months happen to fall gets its oldest month's orders scaled
below the middle month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesdeck.workbook.author.sample import names as N
from salesdeck.workbook.author.sample.customers import Customers
from salesdeck.workbook.author.sample.world import World

__all__ = ["Orders", "orders", "largest_remainder"]

#: Size of an order by product line (devices, software licences, accessories by the dozen).
LINE_SIZE = np.array([1.0, 0.4, 12.0])
#: A new customer's first order is a roll-out: bigger, and mostly devices and software.
FIRST_ORDER_SIZE = 3.0
FIRST_ORDER_LINES = np.array([1.4, 1.4, 0.4])
#: Online shops sell accessories and devices, hardly any software.
ONLINE_LINES = np.array([1.0, 0.05, 3.0])
#: Share of renewal lines that are returns (negative amounts), none in the last three months.
RETURNS = 0.004
#: Targets ask a little more than a usual month.
TARGET_STRETCH = 1.05
#: The line's mature product takes the orders of a product not launched yet.
MATURE = {0: 1, 1: 6, 2: 9}


@dataclass
class Orders:
    """The order table and, per row, the indices of its customer, month, rep and product line, and whether it is
    new business."""

    frame: pd.DataFrame
    customer: np.ndarray
    month: np.ndarray
    rep: np.ndarray
    line: np.ndarray
    new: np.ndarray

    @property
    def amount(self) -> np.ndarray:
        return self.frame["amount"].to_numpy()


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """``total`` whole units over ``weights``: round down, the rest to the largest remainders (first wins ties)."""
    exact = total * weights / weights.sum() if weights.sum() > 0 else np.zeros(len(weights))
    out = np.floor(exact).astype(np.int64)
    rest = int(total - out.sum())
    if rest:
        out[np.argsort(-(exact - out), kind="stable")[:rest]] += 1
    return out


def orders(world: World, cust: Customers, rows: int) -> Orders:
    """``rows`` order lines: one new-business line per new customer, the rest renewals (see the module)."""
    f = cust.frame
    new_c = f.index[f["start"] >= 0].to_numpy()
    new_m = f["start"].to_numpy()[new_c]
    renew_c, renew_m = _renewals(world, cust, rows - len(new_c), np.bincount(new_m, minlength=len(world.months)))
    ci = np.concatenate([new_c, renew_c]).astype(np.int64)
    mi = np.concatenate([new_m, renew_m]).astype(np.int64)
    new = np.arange(len(ci)) < len(new_c)
    product, discount, amount = _lines(world, cust, ci, mi, new)
    amount = _seasons(world, f["channel"].to_numpy()[ci], mi, new, amount)
    amount = _regions(world, f["region"].to_numpy()[ci], mi, amount)
    amount = _churn_story(world, cust, ci, mi, amount)
    price = np.array([p[3] for p in N.PRODUCTS])[product] * discount
    quantity = np.maximum(1.0, np.round(np.abs(amount) / price))  # what the amount buys at the line's price
    online = f["channel"].to_numpy()[ci] == "ecommerce"
    dates = world.days.draw(world.rng, mi, online)
    order = np.lexsort((ci, dates))
    ci, mi, new, product, quantity, amount, dates = (a[order] for a in (ci, mi, new, product, quantity, amount, dates))
    li = world.li
    names = cust.names(li)
    industries = np.array([i[li] for i in N.INDUSTRIES], dtype=object)
    product_names = np.array([p[li] for p in N.PRODUCTS], dtype=object)
    product_line = np.array([p[2] for p in N.PRODUCTS])
    frame = pd.DataFrame({
        "order_id": _order_ids(world, mi),
        "date": dates,
        "rep": world.reps[f["rep"].to_numpy()[ci]],
        "region": world.regions[f["region"].to_numpy()[ci]],
        "channel": f["channel"].to_numpy()[ci],
        "customer": names[ci],
        "tier": np.array(["key", "mid", "small"], dtype=object)[f["tier"].to_numpy()[ci]],
        "industry": industries[np.array([k[2] for k in cust.keys])[ci]],
        "product": product_names[product],
        "product_line": world.lines[product_line[product]],
        "deal_type": np.where(new, "new", "renewal").astype(object),
        "quantity": quantity,
        "amount": amount,
    })
    return Orders(frame, ci, mi, f["rep"].to_numpy()[ci], product_line[product], new)


def _renewals(world: World, cust: Customers, budget: int, new_per_month: np.ndarray):
    """Renewal lines per month by the month's weight; the customers buying that month get one each, then the
    rest in proportion to their weight (key accounts order several times a month). A tiny sample keeps the
    story's customers."""
    rng = world.rng
    weights = world.month_weights()
    wanted = np.maximum(weights / weights.sum() * (budget + new_per_month.sum()) - new_per_month, 0.0)
    per_month = largest_remainder(max(budget, 0), wanted)
    f = cust.frame
    online = (f["channel"] == "ecommerce").to_numpy()
    story = np.concatenate([cust.story.falling, cust.story.stopped, cust.story.overdue_big, cust.story.overdue_old])
    cs, ms = [], []
    for k, n in enumerate(per_month):
        buyers = np.flatnonzero(cust.buys[:, k])
        peak = N.ECOMMERCE_PEAK.get(int(world.months[k].month), 1.0)
        w = f["extra"].to_numpy()[buyers] * np.where(online[buyers], peak, 1.0)
        if n >= len(buyers):
            more = np.repeat(buyers, largest_remainder(n - len(buyers), w)) if len(buyers) else buyers
            chosen = np.concatenate([buyers, more])
        else:
            first = buyers[np.isin(buyers, story)][:n]
            rest = ~np.isin(buyers, first)
            more = rng.choice(buyers[rest], size=n - len(first), replace=False, p=w[rest] / w[rest].sum())
            chosen = np.concatenate([first, more])
        cs.append(chosen)
        ms.append(np.full(len(chosen), k))
    return np.concatenate(cs), np.concatenate(ms)


def _lines(world: World, cust: Customers, ci: np.ndarray, mi: np.ndarray, new: np.ndarray):
    """Product, discount and amount of each line."""
    rng, n = world.rng, len(ci)
    f = cust.frame
    weight = np.array([p[6] for p in N.PRODUCTS])
    line = np.array([p[2] for p in N.PRODUCTS])
    price = np.array([p[3] for p in N.PRODUCTS])
    online = f["channel"].to_numpy()[ci] == "ecommerce"
    u = rng.random(n)
    product = np.empty(n, dtype=np.int64)
    for is_online in (False, True):
        for is_new in (False, True):
            rows = np.flatnonzero((online == is_online) & (new == is_new))
            w = weight * (ONLINE_LINES[line] if is_online else 1.0) * (FIRST_ORDER_LINES[line] if is_new else 1.0)
            cdf = np.cumsum(w) / w.sum()
            product[rows] = np.minimum(np.searchsorted(cdf, u[rows], side="right"), len(w) - 1)
    launch = np.array([np.datetime64(p[5], "M") for p in N.PRODUCTS])
    month = world.months.to_numpy().astype("datetime64[M]")[mi]
    early = launch[product] > month
    product[early] = np.array([MATURE[line[p]] for p in range(len(line))])[product[early]]
    size = f["size"].to_numpy()[ci] * LINE_SIZE[line[product]] * np.where(new, FIRST_ORDER_SIZE, 1.0)
    quantity = np.maximum(1, np.ceil(rng.lognormal(np.log(size), 0.5))).astype(float)
    discount = rng.uniform(0.82, 1.0, n)
    amount = np.round(quantity * price[product] * discount)
    returns = (rng.random(n) < RETURNS) & ~new & (mi < len(world.months) - 3)
    return product, discount, np.where(returns, -amount, amount)


def _seasons(world: World, channel: np.ndarray, mi: np.ndarray, new: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Each channel's renewal sales per month follow the months' weights (within 3%; online with its shopping
    festivals), new business the month's deals (within 7% of the average first order each): the season and the
    growth show through however the few big orders of a month happen to fall."""
    rng, n_months = world.rng, len(world.months)
    curve = world.month_weights() * rng.uniform(0.97, 1.03, n_months)
    peaks = np.array([N.ECOMMERCE_PEAK.get(int(m), 1.0) for m in world.months.month])
    factor = np.ones(len(amount))
    for name in ("direct", "distribution", "ecommerce"):
        rows = ~new & (channel == name)
        sums = np.bincount(mi[rows], weights=amount[rows], minlength=n_months)
        shape = curve * (peaks if name == "ecommerce" else 1.0)
        factor[rows] = _factors(sums, shape / shape.sum() * sums.sum())[mi[rows]]
    first = np.bincount(mi[new], weights=amount[new], minlength=n_months)
    deals = np.bincount(mi[new], minlength=n_months)
    typical = first.sum() / max(deals.sum(), 1)
    factor[new] = _factors(first, deals * typical * rng.uniform(0.93, 1.07, n_months))[mi[new]]
    return np.round(amount * factor)


def _factors(have: np.ndarray, want: np.ndarray) -> np.ndarray:
    return np.where(have > 0, want / np.where(have > 0, have, 1.0), 1.0)


def _regions(world: World, region: np.ndarray, mi: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """The report month's sales per region: the region's usual month (its last three months, by the
    months' weights) x a 5% stretch x its attainment in ``names.REGIONS``, so targets set a little above the
    usual month give that story."""
    last = len(world.months) - 1
    weights = world.month_weights()
    amount = amount.copy()
    for r, (_, _, attainment) in enumerate(N.REGIONS):
        rows = region == r
        before = amount[rows & (mi >= last - 3) & (mi < last)].sum()
        usual = before / weights[last - 3:last].sum() * weights[last] * TARGET_STRETCH
        now = rows & (mi == last)
        if usual > 0 and amount[now].sum() > 0:
            amount[now] = np.round(amount[now] * usual * attainment / amount[now].sum())
    return amount


def _churn_story(world: World, cust: Customers, ci: np.ndarray, mi: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """The falling customers fall two months running; nobody else's last three months fall by chance."""
    rng = world.rng
    n_cust, last = len(cust.frame), len(world.months) - 1
    amount = amount.copy()
    recent = mi >= last - 2

    def totals() -> np.ndarray:
        key = ci[recent] * 3 + (mi[recent] - (last - 2))
        return np.bincount(key, weights=amount[recent], minlength=n_cust * 3).reshape(n_cust, 3)

    def scale(customers: np.ndarray, month: int, factor: np.ndarray) -> None:
        by_customer = np.zeros(n_cust)
        by_customer[customers] = factor
        rows = (mi == month) & np.isin(ci, customers)
        amount[rows] = np.round(amount[rows] * by_customer[ci[rows]])

    falling = cust.story.falling
    r = totals()[falling]
    has = (r > 0).all(axis=1)
    fall = falling[has]
    scale(fall, last - 1, r[has, 0] / r[has, 1] * rng.uniform(0.55, 0.7, len(fall)))
    scale(fall, last, r[has, 0] / r[has, 2] * rng.uniform(0.25, 0.4, len(fall)))
    r = totals()
    by_chance = np.flatnonzero((r[:, 0] > r[:, 1]) & (r[:, 1] > r[:, 2]) & (r[:, 1] > 0))
    by_chance = by_chance[~np.isin(by_chance, fall)]
    scale(by_chance, last - 2, r[by_chance, 1] / r[by_chance, 0] * rng.uniform(0.75, 0.95, len(by_chance)))
    return amount


def _order_ids(world: World, mi: np.ndarray) -> np.ndarray:
    """SO<yyyymm>-<7-digit running number>, built as bytes (a million ids in a fraction of a second)."""
    n = len(mi)
    prefix = np.array([f"SO{m:%Y%m}-".encode() for m in world.months], dtype="S9")
    head = np.frombuffer(prefix.tobytes(), dtype=np.uint8).reshape(len(prefix), 9)[mi]
    seq = np.arange(1, n + 1, dtype=np.int64)[:, None]
    digits = (seq // 10 ** np.arange(6, -1, -1) % 10 + 48).astype(np.uint8)
    raw = np.ascontiguousarray(np.hstack([head, digits]))
    return raw.view("S16").ravel().astype("U16").astype(object)
