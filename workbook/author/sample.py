"""A realistic, deterministic sample workbook for a fictitious company.

``generate(seed, rows, lang)`` builds the typed model (every table conformed to
the contract); ``write_sample`` writes it with the workbook writer. The same
seed always gives the same model and the same file bytes; nothing depends on
today's date. Order lines are generated with numpy, so a million rows take
seconds.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd

from salesdeck.workbook import contract, model
from salesdeck.workbook.author import sample_data as D

DEFAULT_ROWS = 4800
MAX_ROWS = 1_000_000
N_CUSTOMERS = 220
TIER_SHARE = {"key": 0.08, "mid": 0.3, "small": 0.62}
#: Order frequency and order size by tier: a few key accounts bring most revenue (80/20).
TIER_FREQUENCY = {"key": 7.0, "mid": 2.2, "small": 1.0}
TIER_SIZE = {"key": 9.0, "mid": 3.0, "small": 1.0}
CHURN_CUSTOMERS = 3


def generate(seed: int = 7, rows: int | None = None, lang: str = "zh") -> model.SalesWorkbook:
    """A complete sample model: ``rows`` order lines (default 4,800) over 16 months ending 2026-10."""
    if lang not in contract.LANGS:
        raise ValueError(f"lang must be one of {contract.LANGS}, not {lang!r}")
    n = DEFAULT_ROWS if rows is None else int(rows)
    if not 1 <= n <= MAX_ROWS:
        raise ValueError(f"rows must be between 1 and {MAX_ROWS:,}, not {n}")
    return _Builder(np.random.default_rng(seed), lang).build(n)


def write_sample(path: str | os.PathLike, seed: int = 7, rows: int | None = None, lang: str = "zh") -> Path:
    """Generate the sample and write it as a workbook; returns the path written."""
    from salesdeck.workbook.author.writer import write_workbook

    return write_workbook(generate(seed=seed, rows=rows, lang=lang), path, lang=lang)


def _month_end(month: pd.Timestamp) -> pd.Timestamp:
    return month + pd.offsets.MonthEnd(0)


class _Builder:
    """Builds the tables one by one; later tables use the orders and customers."""

    def __init__(self, rng: np.random.Generator, lang: str):
        self.rng = rng
        self.lang = lang
        self.li = 0 if lang == "zh" else 1
        self.report = pd.Timestamp(D.REPORT_MONTH)
        self.months = pd.date_range(end=self.report, periods=D.HISTORY_MONTHS, freq="MS")
        self.next_month = self.report + pd.offsets.MonthBegin(1)
        self.regions = np.array([r[self.li] for r in D.REGIONS], dtype=object)
        self.reps = np.array([r[self.li] for r in D.REPS], dtype=object)
        self.rep_region = np.array([r[2] for r in D.REPS])
        self.lines = np.array([p[self.li] for p in D.PRODUCT_LINES], dtype=object)

    def text(self, pair) -> str:
        return pair[self.li]

    def build(self, n: int) -> model.SalesWorkbook:
        self.customers = self._customers()
        orders = self._orders(n)
        targets = self._targets(orders)
        tables = {
            "settings": model.empty_frame("settings"),
            "stages": self._stages(),
            "holidays": self._holidays(),
            "targets": targets,
            "orders": orders,
            "pipeline": self._pipeline(),
            "activities": self._activities(),
            "receivables": self._receivables(),
            "complaints": self._complaints(),
            "satisfaction": self._satisfaction(),
            "nps": self._nps(),
            "resources": self._resources(),
            "actions": self._actions(orders),
            "timeline": self._timeline(),
            "commission_metrics": self._commission_metrics(),
            "commission_tiers": self._commission_tiers(),
            "products": self._products(),
        }
        tables = {key: model.conform(key, frame) for key, frame in tables.items()}
        tables["settings"] = self._settings_table(targets, orders)
        settings = self._settings(targets, orders)
        return model.SalesWorkbook(settings=settings, tables=tables, source=None)

    # ------------------------------------------------------------ customers
    def _customers(self) -> pd.DataFrame:
        rng, li = self.rng, self.li
        size = np.array(D.REGION_SIZE) / sum(D.REGION_SIZE)
        seen: set[tuple[int, int, int]] = set()
        records = []
        while len(records) < N_CUSTOMERS:
            region = int(rng.choice(len(D.REGIONS), p=size))
            city = int(rng.choice(D.REGION_CITIES[region]))
            core = int(rng.integers(len(D.CORES)))
            industry = int(rng.integers(len(D.INDUSTRIES)))
            if (city, core, industry) in seen:
                continue
            seen.add((city, core, industry))
            c, k, e = D.CITIES[city][li], D.CORES[core][li], D.ENDINGS[industry][li]
            name = f"{c}{k}{e}" if li == 0 else f"{c} {k} {e}"
            records.append((name, region, industry))
        frame = pd.DataFrame(records, columns=["name", "region", "industry"])
        tiers = rng.choice(list(TIER_SHARE), size=N_CUSTOMERS, p=list(TIER_SHARE.values()))
        frame["tier"] = tiers
        channel = np.where(tiers == "key", "direct",
                           np.where(tiers == "mid", np.where(rng.random(N_CUSTOMERS) < 0.6, "direct", "distribution"),
                                    np.where(rng.random(N_CUSTOMERS) < 0.45, "distribution", "ecommerce")))
        frame["channel"] = channel
        frame["rep"] = [int(rng.choice(np.flatnonzero(self.rep_region == r))) for r in frame["region"]]
        frame["weight"] = np.array([TIER_FREQUENCY[t] for t in tiers]) * rng.lognormal(0, 0.5, N_CUSTOMERS)
        # Two customers in three buy from the start; the rest are won later (new business).
        start = np.where(rng.random(N_CUSTOMERS) < 0.65, 0, rng.integers(1, D.HISTORY_MONTHS, N_CUSTOMERS))
        frame["start"] = start
        candidates = np.flatnonzero((tiers != "small") & (start == 0) & (channel == "direct"))
        self.churners = rng.choice(candidates, size=min(CHURN_CUSTOMERS, len(candidates)), replace=False)
        frame.loc[self.churners, "weight"] = 0.0
        return frame

    # ------------------------------------------------------------ orders
    def _orders(self, n: int) -> pd.DataFrame:
        rng, cust = self.rng, self.customers
        months_per_churner = D.HISTORY_MONTHS if n >= 500 else (4 if n >= 60 else 0)
        n_churn = months_per_churner * len(self.churners)
        m = n - n_churn

        ci = rng.choice(len(cust), size=m, p=(cust["weight"] / cust["weight"].sum()).to_numpy())
        channel = cust["channel"].to_numpy()[ci]
        mi = self._draw_months(ci, channel == "ecommerce")
        pi = self._draw_products(mi, channel)
        tier = cust["tier"].to_numpy()[ci]
        price = np.array([p[3] for p in D.PRODUCTS])[pi]
        line = np.array([p[2] for p in D.PRODUCTS])[pi]
        size = np.select([tier == "key", tier == "mid"], [TIER_SIZE["key"], TIER_SIZE["mid"]], TIER_SIZE["small"])
        size = size * np.where(line == 2, 12.0, np.where(line == 1, 0.4, 1.0))
        qty = np.maximum(1, np.ceil(rng.lognormal(np.log(size), 0.6))).astype(float)
        discount = rng.uniform(0.82, 1.0, m)
        amount = np.round(qty * price * discount)
        returns = rng.random(m) < 0.004
        amount = np.where(returns, -amount, amount)

        if n_churn:
            ci, mi, pi, qty, amount = self._add_churners(ci, mi, pi, qty, amount, months_per_churner)
        days = self._draw_days(mi, cust["channel"].to_numpy()[ci] == "ecommerce")
        dates = self.months.to_numpy()[mi] + days.astype("timedelta64[D]")
        order = np.lexsort((ci, dates))
        ci, pi, qty, amount, dates = ci[order], pi[order], qty[order], amount[order], dates[order]

        frame = pd.DataFrame({
            "date": dates,
            "rep": self.reps[cust["rep"].to_numpy()[ci]],
            "region": self.regions[cust["region"].to_numpy()[ci]],
            "channel": cust["channel"].to_numpy(dtype=object)[ci],
            "customer": cust["name"].to_numpy(dtype=object)[ci],
            "tier": cust["tier"].to_numpy(dtype=object)[ci],
            "industry": np.array([i[self.li] for i in D.INDUSTRIES], dtype=object)[cust["industry"].to_numpy()[ci]],
            "product": np.array([p[self.li] for p in D.PRODUCTS], dtype=object)[pi],
            "product_line": self.lines[np.array([p[2] for p in D.PRODUCTS])[pi]],
            "quantity": qty,
            "amount": amount,
        })
        frame["amount"] = self._only_designed_churn(frame, ci)
        first = ~frame.duplicated(["customer", "product_line"])
        frame.insert(10, "deal_type", np.where(first.to_numpy(), "new", "renewal").astype(object))
        ym = pd.DatetimeIndex(dates).strftime("%Y%m").to_numpy()
        seq = np.arange(1, len(frame) + 1)
        frame.insert(0, "order_id", [f"SO{y}-{s:07d}" for y, s in zip(ym, seq)])
        return frame

    def _only_designed_churn(self, frame: pd.DataFrame, ci: np.ndarray) -> pd.Series:
        """Amounts where only the designed churn customers fall two months in a row.

        Another customer whose last three months happen to fall gets its oldest
        of the three months scaled below the middle one.
        """
        month = frame["date"].dt.to_period("M").dt.to_timestamp()
        last3 = self.months[-3:]
        recent = frame[month >= last3[0]]
        rev = recent.groupby([ci[recent.index], month[recent.index]])["amount"].sum().unstack()
        rev = rev.reindex(columns=last3, fill_value=0.0).fillna(0.0)
        r0, r1, r2 = (rev[c].to_numpy() for c in last3)
        falling = (r0 > r1) & (r1 > r2) & ~np.isin(rev.index.to_numpy(), self.churners)
        factor = pd.Series(r1 / np.where(r0 == 0, 1, r0) * self.rng.uniform(0.75, 0.95, len(rev)), index=rev.index)
        factor = factor[falling]
        hit = (month == last3[0]).to_numpy() & np.isin(ci, factor.index.to_numpy())
        amount = frame["amount"].to_numpy().copy()
        amount[hit] = np.round(amount[hit] * factor.reindex(ci[hit]).to_numpy())
        return pd.Series(amount, index=frame.index)

    def _draw_months(self, ci: np.ndarray, ecommerce: np.ndarray) -> np.ndarray:
        """Month index per order: seasonality, 1.2% monthly growth, shopping festivals online."""
        rng, k = self.rng, D.HISTORY_MONTHS
        cal = self.months.month.to_numpy()
        base = np.array([D.SEASON[c] for c in cal]) * (1 + 0.012 * np.arange(k))
        online = base * np.array([D.ECOMMERCE_PEAK.get(c, 1.0) for c in cal])
        mi = np.where(ecommerce, rng.choice(k, size=len(ci), p=online / online.sum()),
                      rng.choice(k, size=len(ci), p=base / base.sum()))
        start = self.customers["start"].to_numpy()[ci]
        early = mi < start  # a customer won later cannot buy before it was won
        mi[early] = start[early] + (rng.random(early.sum()) * (k - start[early])).astype(int)
        return mi

    def _draw_products(self, mi: np.ndarray, channel: np.ndarray) -> np.ndarray:
        """Product per order; e-commerce sells accessories and devices, products only after launch."""
        rng = self.rng
        weight = np.array([p[6] for p in D.PRODUCTS])
        line = np.array([p[2] for p in D.PRODUCTS])
        online = weight * np.where(line == 2, 3.0, np.where(line == 1, 0.05, 1.0))
        pi = np.where(channel == "ecommerce", rng.choice(len(weight), size=len(mi), p=online / online.sum()),
                      rng.choice(len(weight), size=len(mi), p=weight / weight.sum()))
        launch = np.array([np.datetime64(p[5], "M") for p in D.PRODUCTS])
        month = self.months.to_numpy().astype("datetime64[M]")[mi]
        unlaunched = launch[pi] > month
        # Before launch, the order goes to the line's mature product instead.
        mature = {0: 1, 1: 6, 2: 9}
        pi[unlaunched] = np.vectorize(lambda p: mature[D.PRODUCTS[p][2]])(pi[unlaunched]) if unlaunched.any() else []
        return pi

    def _draw_days(self, mi: np.ndarray, ecommerce: np.ndarray) -> np.ndarray:
        """Day offset in the month; offline orders on a weekend move to a weekday."""
        lengths = self.months.days_in_month.to_numpy()[mi]
        days = (self.rng.random(len(mi)) * lengths).astype(int)
        first = self.months.day_of_week.to_numpy()[mi]
        weekday = (first + days) % 7  # 5 = Saturday, 6 = Sunday
        days = np.where(~ecommerce & (weekday == 5), days - 1, days)
        days = np.where(~ecommerce & (weekday == 6) & (days + 1 < lengths), days + 1, days)
        return np.clip(days, 0, lengths - 1)

    def _add_churners(self, ci, mi, pi, qty, amount, months):
        """Append one order a month per churn customer, falling in the last two months."""
        rng, k = self.rng, D.HISTORY_MONTHS
        key = self.customers["tier"].to_numpy()[ci] == "key"
        monthly = amount[key].sum() / max(1, len(np.unique(ci[key]))) / k if key.any() else 200000.0
        product = 6  # Warehouse Suite: a subscription-like repeat purchase
        extra_c, extra_m, extra_a = [], [], []
        for c in self.churners:
            base = monthly * rng.uniform(0.6, 1.0)
            level = base * rng.uniform(0.9, 1.1, months)
            level[-2] = base * rng.uniform(0.55, 0.7)
            level[-1] = base * rng.uniform(0.2, 0.35)
            extra_c += [c] * months
            extra_m += list(range(k - months, k))
            extra_a += list(np.round(level))
        price = D.PRODUCTS[product][3]
        extra_a = np.array(extra_a)
        extra_q = np.maximum(1, np.round(extra_a / price))
        return (np.concatenate([ci, extra_c]).astype(int), np.concatenate([mi, extra_m]).astype(int),
                np.concatenate([pi, np.full(len(extra_c), product)]).astype(int),
                np.concatenate([qty, extra_q]), np.concatenate([amount, extra_a]))

    # ------------------------------------------------------------ targets
    def _targets(self, orders: pd.DataFrame) -> pd.DataFrame:
        """Targets per month x region x rep x product line; region attainment is set by design."""
        rng = self.rng
        month = orders["date"].dt.to_period("M").dt.to_timestamp()
        actual = orders.assign(month=month).groupby(["month", "rep", "product_line"])["amount"].sum()
        grid = pd.MultiIndex.from_product([self.months, self.reps, self.lines], names=["month", "rep", "product_line"])
        actual = actual.reindex(grid, fill_value=0.0).clip(lower=0)
        frame = actual.rename("actual").reset_index()
        rep_index = {name: i for i, name in enumerate(self.reps)}
        region_i = self.rep_region[frame["rep"].map(rep_index).to_numpy()]
        frame["region"] = self.regions[region_i]
        # A cell without sales gets the rep's average for that line, so no target is zero.
        typical = frame.groupby(["rep", "product_line"])["actual"].transform("mean")
        plan = np.where(frame["actual"] > 0, 0.7 * frame["actual"] + 0.3 * typical, typical)
        plan = plan * rng.normal(1.0, 0.08, len(frame)).clip(0.8, 1.2)
        frame["plan"] = plan
        # Scale each month x region so attainment = actual / target hits the designed value.
        design = {m: rng.normal(0.96, 0.07, len(D.REGIONS)).clip(0.8, 1.12) for m in self.months}
        design[self.report] = np.array([r[2] for r in D.REGIONS])
        att = np.array([design[m][r] for m, r in zip(frame["month"], region_i)])
        sums = frame.groupby(["month", "region"])[["actual", "plan"]].transform("sum")
        frame["target"] = frame["plan"] * (sums["actual"] / att) / sums["plan"].where(sums["plan"] > 0, 1)
        frame["target"] = (frame["target"] / 1000).round().clip(lower=1) * 1000
        report = frame[frame["month"] == self.report]
        growth = 1.05  # next month asks 5% more than the report month
        upcoming = report.assign(month=self.next_month, target=((report["target"] * growth) / 1000).round() * 1000)
        out = pd.concat([frame, upcoming], ignore_index=True)
        return out[["month", "region", "rep", "product_line", "target"]]

    # ------------------------------------------------------------ settings
    def _settings(self, targets: pd.DataFrame, orders: pd.DataFrame) -> model.Settings:
        nxt = float(targets.loc[targets["month"] == self.next_month, "target"].sum())
        in_report = (orders["date"] >= self.report) & (orders["deal_type"] == "new") & (orders["amount"] > 0)
        new_avg = float(orders.loc[in_report, "amount"].mean()) if in_report.any() else 20000.0
        return model.Settings(
            company=self.text(D.COMPANY), month=self.report.date(), presenter=self.text(D.PRESENTER),
            currency="CNY", language=self.lang, split_unit=1000.0, next_month_target=nxt,
            commission_cap=60000.0, bonus_base=5000.0, new_avg_order=round(new_avg, -2),
        )

    def _settings_table(self, targets: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
        settings = self._settings(targets, orders)
        rows = [{"setting": c.key, "value": _setting_text(getattr(settings, c.key)), "note": None}
                for c in contract.SETTING_KEYS]
        return model.conform("settings", pd.DataFrame(rows))

    def _stages(self) -> pd.DataFrame:
        return pd.DataFrame([{"stage_zh": zh, "stage_en": en, "probability": p, "category": c}
                             for zh, en, p, c in contract.DEFAULT_STAGES])

    def _holidays(self) -> pd.DataFrame:
        first, last = self.months[0], _month_end(self.next_month)
        rows = [{"date": pd.Timestamp(d), "kind": kind, "note": (zh, en)[self.li]}
                for d, kind, zh, en in (*D.HOLIDAYS, *D.HOLIDAYS_2026) if first <= pd.Timestamp(d) <= last]
        return pd.DataFrame(rows)

    # ------------------------------------------------------------ pipeline
    def _pipeline(self) -> pd.DataFrame:
        rng, cust = self.rng, self.customers
        n_open, n_won, n_lost = 88, 14, 9
        stages = contract.DEFAULT_STAGES
        open_stage = rng.choice(4, size=n_open, p=[0.36, 0.3, 0.2, 0.14])
        stage = np.concatenate([open_stage, np.full(n_won, 4), np.full(n_lost, 5)])
        n = len(stage)
        tier_w = cust["tier"].map({"key": 5.0, "mid": 2.0, "small": 0.6}).to_numpy()
        ci = rng.choice(len(cust), size=n, p=tier_w / tier_w.sum())
        tier = cust["tier"].to_numpy()[ci]
        scale = np.select([tier == "key", tier == "mid"], [320000.0, 110000.0], 35000.0)
        amount = np.round(rng.lognormal(np.log(scale), 0.5) / 1000) * 1000
        report = self.report
        offset = np.where(stage < 4, rng.integers(-10, 75, n), rng.integers(0, 31, n))
        close = report + pd.to_timedelta(offset, unit="D")
        kinds = rng.integers(len(D.OPPORTUNITY_KINDS), size=n)
        names = cust["name"].to_numpy()[ci]
        opp = [f"{_short(nm, self.li)}{D.OPPORTUNITY_KINDS[k][0]}" if self.li == 0
               else f"{_short(nm, self.li)} {D.OPPORTUNITY_KINDS[k][1]}" for nm, k in zip(names, kinds)]
        prob = np.array([stages[s][2] for s in stage])
        override = rng.random(n) < 0.05
        prob = np.where(override & (stage < 4), np.clip(prob + 0.1, 0, 0.95), prob)
        source_keys = [c.key for c in contract.LEAD_SOURCES]
        source = rng.choice(source_keys, size=n, p=[0.22, 0.15, 0.2, 0.13, 0.15, 0.15]).astype(object)
        lead = np.where(stage >= 3, "A", np.where(stage >= 1, rng.choice(["A", "B"], size=n), rng.choice(["B", "C"], size=n)))
        lead = np.where(rng.random(n) < 0.25, None, lead).astype(object)
        order = np.lexsort((np.arange(n), close.to_numpy()))
        frame = pd.DataFrame({
            "opportunity": np.array(opp, dtype=object),
            "customer": names.astype(object),
            "rep": self.reps[cust["rep"].to_numpy()[ci]],
            "region": self.regions[cust["region"].to_numpy()[ci]],
            "stage": np.array([stages[s][self.li] for s in stage], dtype=object),
            "probability": prob,
            "amount": amount,
            "expected_close": close,
            "lead_source": source,
            "lead_class": lead,
            "category": np.array([stages[s][3] for s in stage], dtype=object),
        }).iloc[order].reset_index(drop=True)
        frame.insert(0, "opportunity_id", [f"OP-{i:04d}" for i in range(1, n + 1)])
        return frame

    # ------------------------------------------------------------ activities
    def _activities(self) -> pd.DataFrame:
        """Funnel per rep per month; the Southwest visits less and closes worse."""
        rng = self.rng
        rows = []
        behind = min(range(len(D.REGIONS)), key=lambda r: D.REGIONS[r][2])
        for month in self.months:
            season = D.SEASON[month.month]
            for rep, region in zip(self.reps, self.rep_region):
                weak = region == behind
                visits = max(6, round(rng.normal(30, 4) * season * (0.68 if weak else 1.0)))
                calls = round(visits * rng.uniform(4.2, 5.8))
                effective = round(visits * rng.uniform(0.45, 0.55) if weak else visits * rng.uniform(0.6, 0.72))
                proposals = max(3, round(effective * rng.uniform(0.35, 0.45)))
                quotes = max(2, round(proposals * rng.uniform(0.7, 0.85)))
                trials = max(1, min(quotes - 1, round(quotes * rng.uniform(0.5, 0.65))))
                deals = max(0, min(trials - 1, round(trials * (rng.uniform(0.3, 0.45) if weak else rng.uniform(0.6, 0.8)))))
                rows.append({"rep": rep, "region": self.regions[region], "month": month, "calls": calls,
                             "visits": visits, "effective_visits": effective, "proposals": proposals,
                             "quotes": quotes, "trials": trials, "deals": deals})
        return pd.DataFrame(rows)

    # ------------------------------------------------------------ receivables
    def _receivables(self) -> pd.DataFrame:
        """About 100 invoices; overdue ones in every aging bucket; three habitual late payers."""
        rng, cust = self.rng, self.customers
        as_of = _month_end(self.report)
        big = np.flatnonzero(cust["tier"].to_numpy() != "small")
        late = rng.choice(big, size=3, replace=False)
        others = np.setdiff1d(big, late)
        rows = []

        def invoice(c: int, due: pd.Timestamp, paid: pd.Timestamp | None, share: float = 1.0) -> None:
            scale = 150000.0 if cust["tier"].iat[c] == "key" else 45000.0
            amount = float(round(rng.lognormal(np.log(scale), 0.45) / 100) * 100)
            if paid is not None and paid > as_of:
                paid = None
            paid_amount = round(amount * share / 100) * 100 if paid is not None else None
            rows.append({"customer": cust["name"].iat[c], "rep": self.reps[cust["rep"].iat[c]], "amount": amount,
                         "due_date": due, "paid_date": paid, "paid_amount": paid_amount})

        for c in late:  # pays every invoice 35-80 days late; the latest ones still open
            for due_back in (150, 115, 80, 45, 12):
                due = as_of - pd.Timedelta(days=int(due_back + rng.integers(0, 10)))
                invoice(int(c), due, due + pd.Timedelta(days=int(rng.integers(35, 80))))
        buckets = [(1, 30, 6), (31, 60, 5), (61, 90, 4), (91, 200, 3)]
        for low, high, count in buckets:  # unpaid, overdue
            for c in rng.choice(others, size=count, replace=False):
                invoice(int(c), as_of - pd.Timedelta(days=int(rng.integers(low, high + 1))), None)
        for _ in range(12):  # not yet due
            invoice(int(rng.choice(others)), as_of + pd.Timedelta(days=int(rng.integers(1, 45))), None)
        while len(rows) < 100:  # paid on time or a little late; some partly
            due = as_of - pd.Timedelta(days=int(rng.integers(5, 150)))
            delay = int(rng.choice([-5, -2, 0, 3, 8, 20], p=[0.25, 0.25, 0.2, 0.15, 0.1, 0.05]))
            share = 1.0 if rng.random() > 0.1 else float(rng.uniform(0.4, 0.8))
            invoice(int(rng.choice(others)), due, due + pd.Timedelta(days=delay), share)
        frame = pd.DataFrame(rows).sort_values(["due_date", "customer"], kind="stable").reset_index(drop=True)
        frame.insert(0, "invoice", [f"INV-{d:%y%m}-{i:03d}" for i, d in enumerate(frame["due_date"], 1)])
        return frame

    # ------------------------------------------------------------ feedback
    def _complaints(self) -> pd.DataFrame:
        rng, cust = self.rng, self.customers
        rows = []
        start = self.report - pd.offsets.MonthBegin(1)
        span = (_month_end(self.report) - start).days + 1
        owners = self.reps
        for category, (count, texts) in D.COMPLAINTS.items():
            for _ in range(count):
                date = start + pd.Timedelta(days=int(rng.integers(0, span)))
                age = (_month_end(self.report) - date).days
                status = "resolved" if age > 30 else str(rng.choice(["open", "in_progress", "resolved"], p=[0.3, 0.4, 0.3]))
                c = int(rng.integers(len(cust)))
                rows.append({"date": date, "customer": cust["name"].iat[c], "category": category,
                             "description": self.text(texts[int(rng.integers(len(texts)))]), "status": status,
                             "owner": owners[cust["rep"].iat[c]]})
        return pd.DataFrame(rows).sort_values("date", kind="stable").reset_index(drop=True)

    def _satisfaction(self) -> pd.DataFrame:
        return pd.DataFrame([{"dimension": (zh, en)[self.li], "score": s, "previous": p} for zh, en, s, p in D.SATISFACTION])

    def _nps(self) -> pd.DataFrame:
        rng, cust = self.rng, self.customers
        n = 160
        p = np.array([0.01, 0.01, 0.01, 0.02, 0.03, 0.05, 0.07, 0.12, 0.2, 0.23, 0.25])
        scores = rng.choice(11, size=n, p=p / p.sum())
        ci = rng.choice(len(cust), size=n, replace=False)
        dates = self.report + pd.to_timedelta(rng.integers(0, self.report.days_in_month, n), unit="D")
        frame = pd.DataFrame({"customer": cust["name"].to_numpy(dtype=object)[ci], "date": dates, "score": scores.astype(float)})
        return frame.sort_values("date", kind="stable").reset_index(drop=True)

    # ------------------------------------------------------------ plans
    def _resources(self) -> pd.DataFrame:
        rng = self.rng
        statuses = ["not_started", "in_progress", "in_progress", "done", "delayed"]
        rows = []
        for i, (kind, zh, en, owner_zh, owner_en) in enumerate(D.RESOURCES):
            rows.append({"request": (zh, en)[self.li], "type": kind, "requested_by": self.reps[int(rng.integers(len(self.reps)))],
                         "owner": (owner_zh, owner_en)[self.li],
                         "due_date": self.next_month + pd.Timedelta(days=int(rng.integers(0, 45))),
                         "priority": ["high", "medium", "low"][i % 3], "status": statuses[int(rng.integers(len(statuses)))]})
        return pd.DataFrame(rows)

    def _actions(self, orders: pd.DataFrame) -> pd.DataFrame:
        key = orders[orders["tier"] == "key"].groupby("customer", sort=True)["amount"].sum()
        accounts = key.sort_values(ascending=False, kind="stable").index[: len(D.ACTIONS)]
        owner = orders.drop_duplicates("customer").set_index("customer")["rep"]
        rows = []
        for i, (account, action) in enumerate(zip(accounts, D.ACTIONS)):
            rows.append({"account": account, "action": self.text(action), "owner": owner[account],
                         "due_date": self.next_month + pd.Timedelta(days=4 + 3 * i),
                         "status": ["not_started", "in_progress"][i % 2]})
        return pd.DataFrame(rows)

    def _timeline(self) -> pd.DataFrame:
        nm = self.next_month
        milestone = (f"{nm.month}月10日检查进度;{nm.month}月20日复盘" if self.li == 0
                     else f"Check-in {nm:%b} 10; review {nm:%b} 20")
        rows = []
        for i, item in enumerate(D.TIMELINE):
            owner = self.reps[(3 * i + 9) % len(self.reps)] if i != 1 else (D.RESOURCES[3][3], D.RESOURCES[3][4])[self.li]
            end = _month_end(nm + pd.offsets.MonthBegin(i % 3))
            rows.append({"item": self.text(item), "owner": owner, "start": nm if i else self.report + pd.Timedelta(days=14),
                         "end": end, "milestone": milestone, "status": "in_progress" if i == 0 else "not_started"})
        return pd.DataFrame(rows)

    def _commission_metrics(self) -> pd.DataFrame:
        return pd.DataFrame([
            {"metric": "revenue", "weight": 0.5, "threshold": 0.8, "cap": 1.5, "gate": 0.6},
            {"metric": "new_customers", "weight": 0.2, "threshold": 0.6, "cap": 1.5, "gate": None},
            {"metric": "collections", "weight": 0.2, "threshold": 0.8, "cap": 1.2, "gate": None},
            {"metric": "activity", "weight": 0.1, "threshold": 0.7, "cap": 1.2, "gate": None},
        ])

    def _commission_tiers(self) -> pd.DataFrame:
        return pd.DataFrame({"from_amount": [0.0, 100000.0, 300000.0], "rate": [0.02, 0.03, 0.05]})

    def _products(self) -> pd.DataFrame:
        return pd.DataFrame([{"product": p[self.li], "product_line": self.lines[p[2]], "lifecycle": p[4],
                              "launch_date": pd.Timestamp(p[5])} for p in D.PRODUCTS])


def _short(name: str, li: int) -> str:
    """A customer's short name for an opportunity title (drops the legal ending)."""
    for ending in D.ENDINGS:
        if name.endswith(ending[li]):
            return name[: -len(ending[li])].strip()
    return name


def _setting_text(value: object) -> object:
    """A Settings value as stored in the settings table's value column."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
