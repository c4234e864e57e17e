"""What every part module needs: the figures, the model, the language, the titles, labels and source notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import pandas as pd

from salesdeck.generator.parts import numfmt
from salesdeck.generator.parts.labels import label
from salesdeck.generator.parts.narrative import Narrative
from salesdeck.generator.spec import SlideSpec
from salesdeck.metrics import Metrics
from salesdeck.metrics.statuses import Summary
from salesdeck.metrics.sufficiency import Filled, enough_cases
from salesdeck.workbook import contract
from salesdeck.workbook.model import SalesWorkbook

__all__ = ["Ctx"]

#: Source files named in a slide's notes before the rest are counted.
MAX_FILES_NAMED = 5


@dataclass
class Ctx:
    """Shared state of one deck: the figures (``m``), the language and the narrative templates."""

    m: Metrics
    lang: str
    text: Narrative
    _source_files: dict[str, list[str]] = field(default_factory=dict, repr=False)  # table -> its rows' files

    @property
    def model(self) -> SalesWorkbook:
        return self.m.model

    @property
    def previous(self) -> SalesWorkbook | None:
        return self.m.previous

    @property
    def month(self) -> pd.Period:
        return self.m.month

    # ------------------------------------------------------------ text
    def label(self, key: str) -> str:
        """A fixed label in the deck's language."""
        return label(key, self.lang)

    def title(self, template: str, **values: Any) -> tuple[str, str]:
        """(title, subtitle) rendered from a narrative template."""
        return self.text.title(template, **values)

    def choice(self, table: str, column: str, key: Any) -> str:
        """The display label of a choice key (e.g. "direct" -> 直营); blank -> 未填写/Not set."""
        if numfmt.is_blank(key):
            return self.label("not_set")
        for c in contract.TABLES[table].column(column).choices:
            if c.key == key:
                return c.label(self.lang)
        return str(key)

    def sheet(self, table: str) -> str:
        """The sheet holding ``table`` as named in this workbook (the contract's name in its language)."""
        loc = self.model.locations.get(table)
        return loc.sheet if loc else contract.SHEET_OF[table].name(self.model.settings.language)

    def header(self, table: str, column: str) -> str:
        return contract.TABLES[table].column(column).header(self.lang)

    # ------------------------------------------------------------ formatting
    def money(self, v: Any) -> str:
        return numfmt.money(v, self.lang)

    def money_column(self, values: Any):
        """A formatter printing every amount of one table column in one unit (see numfmt.money_column)."""
        return numfmt.money_column(values, self.lang)

    def rate(self, value: Any, cases: Any, decimals: int = 1) -> str:
        """A rate, with its n when it rests on too few cases to compare ("40% (n=3)")."""
        if enough_cases(cases):
            return numfmt.pct(value, decimals)
        return f"{numfmt.pct(value)} (n={numfmt.count(cases or 0)})"

    def month_text(self, period: pd.Period | None = None) -> str:
        return numfmt.month_label((period or self.month).start_time, self.lang)

    @property
    def month_iso(self) -> str:
        return str(self.month)

    @property
    def month_end(self) -> pd.Timestamp:
        return self.m.month_end

    # ------------------------------------------------------------ notes
    def notes(self, sources: Iterable[tuple[str, str]], filters: Iterable[str] = (),
              formulas: Iterable[str] = ()) -> str:
        """Speaker notes: source ranges (table, column), filters and formulas, one kind a line."""
        sep = "；" if self.lang == "zh" else "; "
        sources = list(sources)
        ranges = [f"{self.model.where(t, c)} ({self.header(t, c)})" for t, c in sources]
        lines = [f"{self.label('note_source')}: {sep.join(ranges)}"]
        files = self.source_files(t for t, _ in sources)
        if files:
            lines.append(f"{self.label('note_files')}: {files}")
        filters = [f for f in filters if f]
        if filters:
            lines.append(f"{self.label('note_filter')}: {sep.join(filters)}")
        formulas = [f for f in formulas if f]
        if formulas:
            lines.append(f"{self.label('note_formula')}: {sep.join(formulas)}")
        return "\n".join(lines)

    def source_files(self, tables: Iterable[str]) -> str:
        """The workbooks a merge took these tables' rows from (their source column), or "" when not merged."""
        names: list[str] = []
        for table in dict.fromkeys(tables):
            if table not in self._source_files:
                column = self.model.tables[table].get("source")
                found = [] if column is None else sorted(str(v) for v in column.dropna().unique())
                self._source_files[table] = found
            names += [n for n in self._source_files[table] if n not in names]
        if not names:
            return ""
        sep = "、" if self.lang == "zh" else ", "
        shown = sep.join(names[:MAX_FILES_NAMED])
        return shown if len(names) <= MAX_FILES_NAMED else f"{shown} {self.label('files_more').format(n=len(names))}"

    def month_filter(self, table: str, column: str, period: pd.Period | None = None) -> str:
        """E.g. "日期 在 2026-10"."""
        return f"{self.header(table, column)} {self.label('in')} {period or self.month}"

    def rag_formula(self) -> str:
        red, green = self.model.settings.rag_bands
        return self.label("rag_formula").format(red=numfmt.pct(red), green=numfmt.pct(green))

    # ------------------------------------------------------------ empty slides
    def status_notes(self, summary: Summary, names) -> list[str]:
        """For the presenter: each item whose typed status contradicts its dates ("X: 已延期 but not yet due")."""
        lines = []
        for name, judged in zip(names, summary.judged):
            if judged.note:
                lines.append(self.label("status_" + judged.note).format(item=name))
        return lines

    def fill_hint(self, filled: Filled) -> str:
        """E.g. 请在「订单」表填写“客户等级”列：本月31%的销售额未填写."""
        if filled.table == "orders":
            missing = self.label("missing_sales").format(share=numfmt.pct(1 - filled.share))
        else:
            missing = self.label("missing_rows").format(n=filled.rows_missing)
        return self.label("fill_column").format(sheet=self.sheet(filled.table), column=self.header(filled.table,
                                                                                                   filled.column),
                                                missing=missing)

    def judged_title(self, filled: Filled, title: str, subtitle: str) -> tuple[str, str]:
        """``title`` when the column is filled enough to conclude from, else which column to fill."""
        return (title, subtitle) if filled.sufficient else (self.fill_hint(filled), self.label("partial_column"))

    def unfilled(self, topic: str, filled: Filled) -> SlideSpec:
        """The slide of a breakdown whose column nobody filled: which column to fill, and no chart."""
        title, _ = self.title("empty", topic=self.label(topic), reason=self.label("column_empty"),
                              month=self.month.start_time)
        return SlideSpec(kind="empty", title=title, bullets=[self.fill_hint(filled)],
                         notes=f"{self.label('note_source')}: {self.model.where(filled.table, filled.column)}")

    def empty(self, topic: str, *tables: str, reason: str = "no_data") -> SlideSpec:
        """A slide saying there is no data this month and which sheet to fill."""
        sheets = []
        for table in tables:
            name = self.sheet(table)
            if name not in sheets:
                sheets.append(name)
        title, _ = self.title("empty", topic=self.label(topic), reason=self.label(reason), month=self.month.start_time)
        hint = self.label("fill_sheet").format(sheets="、".join(sheets) if self.lang == "zh" else ", ".join(sheets))
        sources = []
        for table in tables:
            sources.append(f"{self.model.where(table)} ({contract.TABLES[table].title(self.lang)})")
        return SlideSpec(kind="empty", title=title, bullets=[hint],
                         notes=f"{self.label('note_source')}: {'; '.join(sources)}")
