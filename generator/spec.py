"""What a slide shows, as plain data: the seam between analysis and rendering.

``generator.analysis`` turns a validated model into a :class:`DeckSpec`
(numbers, final text in one language, source notes); ``generator.render``
turns a DeckSpec into a .pptx. Neither knows the other's internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ChartType = Literal["column", "bar", "stacked_bar", "stacked_column", "line", "doughnut", "pie", "combo", "waterfall", "funnel"]
Fill = Literal["red", "amber", "green", None]


@dataclass
class Series:
    name: str
    values: list[float | None]
    #: "column" or "line" for combo charts; None otherwise.
    kind: str | None = None


@dataclass
class ChartSpec:
    type: ChartType
    categories: list[str]
    series: list[Series]
    #: Excel number format for values and data labels, e.g. '#,##0' or '0.0%'.
    number_format: str = "#,##0"
    title: str | None = None
    data_labels: bool = True
    #: Optional RAG fill per category (same length as categories).
    point_fills: list[Fill] | None = None
    #: Format for the secondary (line) series of a combo, e.g. '0%'.
    secondary_number_format: str | None = None


@dataclass
class TableSpec:
    columns: list[str]
    #: Cells are already formatted strings (numbers formatted for the language).
    rows: list[list[str]]
    #: Optional RAG fill per cell, same shape as rows.
    fills: list[list[Fill]] | None = None
    #: Column alignment: "l", "r" or "c" per column.
    align: list[str] | None = None
    #: Columns (indices) that may be left out when the table cannot fit the slide, least useful
    #: first; by default columns holding one value in every row, then from the right (never the first).
    drop_order: list[int] | None = None


@dataclass
class KpiCard:
    label: str
    value: str
    #: e.g. "+12.3% 环比"; may be empty.
    delta: str = ""
    fill: Fill = None


@dataclass
class SlideSpec:
    """One content slide. ``kind`` picks the renderer's layout."""

    kind: Literal["kpis", "chart", "table", "chart_table", "bullets", "empty", "two_charts"]
    title: str
    subtitle: str = ""
    kpis: list[KpiCard] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    table: TableSpec | None = None
    bullets: list[str] = field(default_factory=list)
    #: Speaker notes: where the numbers come from (sheet!range, filters, formulas).
    notes: str = ""


@dataclass
class PartSpec:
    """One of the six parts: a section divider, then its slides."""

    number: int
    title: str
    slides: list[SlideSpec]


@dataclass
class DeckSpec:
    lang: str
    company: str
    month_label: str  # e.g. "2026年10月" / "October 2026"
    title: str  # e.g. "2026年10月销售月例会"
    presenter_line: str
    agenda_title: str  # "目录" / "Agenda"
    parts: list[PartSpec]
