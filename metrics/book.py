"""``Metrics``: every figure of one workbook's report month, each computed once, on first use.

The result sheet (Refresh), the deck and ``salesdeck metrics`` all read the
figures from here; none of them computes a figure of its own. Each figure's
rule is written once, in the module that computes it, and stated in
docs/metrics.md.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Callable

import pandas as pd

from salesdeck.metrics import (
    analysis, changes, commission, customers, diagnosis, feedback, orders as order_rows, performance, pipeline, plan,
    receivables, sufficiency, workload,
)
from salesdeck.metrics.months import Calendar, report_month
from salesdeck.workbook.model import SalesWorkbook

__all__ = ["Metrics"]


def _filled(m: "Metrics", table: str, column: str) -> sufficiency.Filled:
    if table == "orders":
        return sufficiency.filled(m.month_orders, "orders", column, "amount")
    return sufficiency.filled(m.model.tables[table], table, column)


class _Figure:
    """A figure of :class:`Metrics`: ``compute(metrics)`` on first access, then kept."""

    def __init__(self, compute: Callable[["Metrics"], Any]):
        self.compute = compute
        self.__doc__ = compute.__doc__

    def __get__(self, metrics: "Metrics | None", owner: type) -> Any:
        return self if metrics is None else metrics._figure(self.compute)


class Metrics:
    """The figures of ``model`` for its report month; ``previous`` is last month's workbook, if given."""

    def __init__(self, model: SalesWorkbook, previous: SalesWorkbook | None = None):
        self.model = model
        self.previous = previous
        self.settings = model.settings
        self.month: pd.Period = report_month(model)
        self.next_month: pd.Period = self.month + 1
        self.calendar = Calendar(model.holidays)
        self._memo: dict = {}

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` once for ``key``: shared selections and figures (never mutate what it returns)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def month_end(self) -> pd.Timestamp:
        """The last day of the report month: receivables, statuses and due dates are judged as of it."""
        return self.month.end_time.normalize()

    # ------------------------------------------------------------ order selections
    @cached_property
    def month_orders(self) -> pd.DataFrame:
        """This workbook's orders in the report month."""
        return self.orders_in(self.month)

    def orders_in(self, *periods: pd.Period) -> pd.DataFrame:
        """This workbook's orders dated in ``periods``."""
        return self.memo(("orders", periods), lambda: order_rows.orders_in(self.model.orders, *periods))

    @cached_property
    def history(self) -> pd.DataFrame:
        """This workbook's orders plus last month's workbook's for months this one lacks."""
        prev = self.previous.orders if self.previous is not None else None
        return order_rows.with_history(self.model.orders, prev)

    def history_in(self, *periods: pd.Period) -> pd.DataFrame:
        """:attr:`history` dated in ``periods``."""
        return self.memo(("history", periods), lambda: order_rows.orders_in(self.history, *periods))

    def activities_in(self, period: pd.Period | None = None) -> pd.DataFrame:
        """Activity rows of one month (the report month by default)."""
        period = period or self.month
        return self.memo(("activities", period), lambda: order_rows.orders_in(self.model.activities, period,
                                                                              column="month"))

    def _figure(self, compute: Callable[..., Any], *args: Any) -> Any:
        return self.memo(("figure", compute, args), lambda: compute(self, *args))

    # ------------------------------------------------------------ figures: ``m.kpis``, ``m.split("region")``, ...
    kpis = _Figure(performance.kpis)
    bridge = _Figure(performance.bridge)
    channels = _Figure(performance.channels)
    tiers = _Figure(performance.tiers)
    products = _Figure(performance.top_products)
    funnel = _Figure(analysis.funnel)
    conversion = _Figure(analysis.conversion)
    new_renewal = _Figure(analysis.new_renewal)
    order_value = _Figure(analysis.order_value)
    below_target = _Figure(diagnosis.below_target)
    churn = _Figure(customers.churn)
    receivables = _Figure(receivables.receivables)
    complaints = _Figure(feedback.complaints)
    satisfaction = _Figure(feedback.satisfaction)
    nps = _Figure(feedback.nps)
    next_total = _Figure(plan.next_total)
    rep_plan = _Figure(plan.rep_plan)
    workload = _Figure(workload.workload)
    pipeline = _Figure(pipeline.pipeline)
    pipeline_changes = _Figure(changes.pipeline_changes)
    commission = _Figure(commission.commission)

    def filled(self, table: str, column: str) -> sufficiency.Filled:
        """How much of the month's orders (by amount) or of the pipeline (by rows) has ``column`` filled."""
        return self._figure(_filled, table, column)

    def attainment(self, dim: str) -> performance.Units:
        """Every unit along ``dim`` with sales or a target: actual, target, attainment, variance, rag; totals."""
        return self._figure(performance.attainment_by, dim)

    def ranking(self, dim: str = "region") -> performance.Ranking:
        """Units along ``dim`` with a target, best first, with their deviation from the average."""
        return self._figure(performance.units_with_target, dim)

    def split(self, dim: str) -> plan.Split | None:
        """Next month's total split by region or product line."""
        return self._figure(plan.split, dim)

    def xun(self, lang: str = "zh") -> pd.DataFrame | None:
        """Next month's total over its 旬 (labels in ``lang``)."""
        return self._figure(plan.xun_split, lang)
