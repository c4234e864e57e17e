"""Every business figure of a validated workbook, each rule written once.

``Metrics(model, previous)`` computes, on first use, the figures a sales
meeting is about: the report month, sales against target by unit, MoM/YoY,
next month's target and its splits, pipeline, funnel and workload,
commission, churn, receivables, complaints, satisfaction and NPS. The
result sheet (``salesdeck.results``), the deck (``salesdeck.generator``) and
``salesdeck metrics`` (:func:`to_json`) are views of these figures. The
rules are stated in each module's docstring and in docs/metrics.md.
"""

from salesdeck.metrics.book import Metrics

__all__ = ["Metrics"]
