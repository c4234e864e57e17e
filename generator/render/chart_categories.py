"""A chart's data as python-pptx wants it, with categories that fit their axis: a run of months
("2025-10" ... "2026-10") becomes short month names under their year, on two axis levels."""

from __future__ import annotations

import re

from salesdeck.generator.render.chartbook import ChartData
from salesdeck.generator.render.style import Box, Style
from salesdeck.generator.render.text import text_width

__all__ = ["chart_data", "axis_pt"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def axis_pt(count: int, normal: float) -> float:
    """Category labels get smaller on a crowded axis."""
    return 8 if count > 14 else 9 if count > 8 else normal


def _month_labels(months: list[int], style: Style, box: Box | None) -> list[str]:
    """"10月" / "Oct", or just "10" when those would not fit beside each other on the axis."""
    names = [f"{m}月" if style.lang == "zh" else _EN_MONTHS[m - 1] for m in months]
    if box is None:
        return names
    slot = box.cx * 0.75 / len(months) - 4 * 12700
    pt = axis_pt(len(months), style.chart_pt)
    return names if max(text_width(n, pt) for n in names) <= slot else [str(m) for m in months]


def chart_data(categories, series, style: Style | None = None, box: Box | None = None) -> ChartData:
    """Categories and (name, values) series as chart data; with ``style``, months go under their year."""
    data = ChartData()
    months = [_MONTH.match(str(c)) for c in categories]
    if style is not None and len(months) > 1 and all(m is not None and 1 <= int(m.group(2)) <= 12 for m in months):
        years: dict[str, object] = {}
        labels = _month_labels([int(m.group(2)) for m in months], style, box)
        for match, label in zip(months, labels):
            year = match.group(1)
            if year not in years:
                years[year] = data.add_category(year)
            years[year].add_sub_category(label)
    else:
        data.categories = [str(c) for c in categories]
    for name, values in series:
        data.add_series(str(name), [None if v is None else float(v) for v in values])
    return data
