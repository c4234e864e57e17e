"""A deterministic sample workbook for a fictitious company whose month reads like a real one.

``generate(seed, rows, lang)`` builds the typed model (every table conformed to
the contract); ``write_sample`` writes it with the workbook writer. The same
seed gives the same model and the same file bytes; nothing depends on today's
date; zh and en hold the same numbers. Order lines are generated with numpy, so
a million take seconds.

How the tables hang together (one module each):

- ``activities``: each rep's funnel per month; its deals are the new customers.
- ``customers``: the base and the new customers, how often each buys, and the
  customers the deck's story is about.
- ``orders``: a new customer's first order is new business, later ones renewals;
  holidays and seasons shape the months and days.
- ``targets``: targets per rep and product line that give the regions' attainment.
- ``pipeline``, ``receivables``, ``feedback``, ``plans``: built from the above.

Below the default number of lines the new business and the activity shrink in
proportion; above it, extra lines are more renewal orders.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from salesdeck.workbook import contract, model
from salesdeck.workbook.author.sample import (
    activities, customers, feedback, orders, pipeline, plans, receivables, targets,
)
from salesdeck.workbook.author.sample.world import World

__all__ = ["DEFAULT_ROWS", "MAX_ROWS", "generate", "write_sample"]

DEFAULT_ROWS = 4800
MAX_ROWS = 1_000_000


def generate(seed: int = 7, rows: int | None = None, lang: str = "zh") -> model.SalesWorkbook:
    """A complete sample model: ``rows`` order lines (default 4,800) over 16 months ending 2026-10."""
    if lang not in contract.LANGS:
        raise ValueError(f"lang must be one of {contract.LANGS}, not {lang!r}")
    n = DEFAULT_ROWS if rows is None else int(rows)
    if not 1 <= n <= MAX_ROWS:
        raise ValueError(f"rows must be between 1 and {MAX_ROWS:,}, not {n}")
    return _build(np.random.default_rng(seed), lang, n)


def write_sample(path: str | os.PathLike, seed: int = 7, rows: int | None = None, lang: str = "zh") -> Path:
    """Generate the sample and write it as a workbook; returns the path written."""
    from salesdeck.workbook.author.writer import write_workbook

    return write_workbook(generate(seed=seed, rows=rows, lang=lang), path, lang=lang)


def _build(rng: np.random.Generator, lang: str, rows: int) -> model.SalesWorkbook:
    world = World(rng, lang, scale=min(1.0, rows / DEFAULT_ROWS))
    funnel = activities.funnel(world, activities.profiles(world))
    _fit_deals(funnel, rows)
    maker = customers.NameMaker(rng)
    cust = customers.customers(world, funnel.deals, maker)
    lines = orders.orders(world, cust, rows)
    goals = targets.targets(world, lines)
    values = targets.settings(world, goals, lines, funnel)
    tables = {
        "settings": model.empty_frame("settings"),
        "stages": plans.stages(),
        "holidays": plans.holidays(world),
        "targets": goals,
        "orders": lines.frame,
        "pipeline": pipeline.pipeline(world, cust, lines, maker),
        "activities": funnel.frame(world),
        "receivables": receivables.receivables(world, cust, lines),
        "complaints": feedback.complaints(world, cust, lines),
        "satisfaction": feedback.satisfaction(world),
        "nps": feedback.nps(world, cust, lines),
        "resources": plans.resources(world),
        "actions": plans.actions(world, cust, lines),
        "timeline": plans.timeline(world),
        "commission_metrics": plans.commission_metrics(),
        "commission_tiers": plans.commission_tiers(),
        "products": plans.products(world),
    }
    tables = {key: model.conform(key, frame) for key, frame in tables.items()}
    tables["settings"] = targets.settings_table(values)
    return model.SalesWorkbook(settings=values, tables=tables, source=None)


def _fit_deals(funnel: activities.Funnel, rows: int) -> None:
    """No more new customers than order lines: a tiny sample drops its latest deals."""
    extra = int(funnel.deals.sum()) - rows
    for month in range(funnel.deals.shape[1] - 1, -1, -1):
        for rep in range(funnel.deals.shape[0] - 1, -1, -1):
            if extra <= 0:
                return
            drop = min(extra, int(funnel.deals[rep, month]))
            funnel.drop_deals(rep, month, drop)
            extra -= drop
