"""What every part module needs: the model, the language, the titles, labels and source notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import pandas as pd

from salesdeck.generator.parts import numfmt
from salesdeck.generator.parts.labels import label
from salesdeck.generator.parts.narrative import Narrative
from salesdeck.generator.spec import SlideSpec
from salesdeck.workbook import contract
from salesdeck.workbook.model import SalesWorkbook

__all__ = ["Ctx", "report_month", "status_fill"]

#: Source files named in a slide's notes before the rest are counted.
MAX_FILES_NAMED = 5


def report_month(model: SalesWorkbook) -> pd.Period:
    """The month the deck reports on: Settings' month, else the month of the latest order/activity."""
    if model.settings.month is not None:
        return pd.Period(model.settings.month, freq="M")
    for table, column in (("orders", "date"), ("activities", "month"), ("targets", "month"),
                          ("complaints", "date"), ("receivables", "due_date")):
        values = model.tables[table][column].dropna()
        if len(values):
            return pd.Period(values.max(), freq="M")
    return pd.Period(pd.Timestamp.today(), freq="M")  # an empty workbook without a month


def status_fill(status: str | None, due, as_of: pd.Timestamp):
    """done green, delayed red, open past its due date red, in progress amber."""
    if status == "done":
        return "green"
    if status == "delayed" or (not numfmt.is_blank(due) and pd.Timestamp(due) <= as_of):
        return "red"
    if status == "in_progress":
        return "amber"
    return None


@dataclass
class Ctx:
    """Shared state of one analysis run."""

    model: SalesWorkbook
    lang: str
    text: Narrative
    month: pd.Period
    previous: SalesWorkbook | None = None
    _memo: dict = field(default_factory=dict, repr=False)

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per run for ``key`` (shared selections such as the month's orders; never mutate them)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # ------------------------------------------------------------ text
    def t(self, key: str) -> str:
        """A fixed label in the deck's language."""
        return label(key, self.lang)

    def title(self, template: str, **values: Any) -> tuple[str, str]:
        """(title, subtitle) rendered from a narrative template."""
        return self.text.title(template, **values)

    def choice(self, table: str, column: str, key: Any) -> str:
        """The display label of a choice key (e.g. "direct" -> 直营); blank -> 未填写/Not set."""
        if numfmt.is_blank(key):
            return self.t("not_set")
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

    def month_text(self, period: pd.Period | None = None) -> str:
        return numfmt.month_label((period or self.month).start_time, self.lang)

    @property
    def month_iso(self) -> str:
        return str(self.month)

    @property
    def month_end(self) -> pd.Timestamp:
        return self.month.end_time.normalize()

    # ------------------------------------------------------------ notes
    def notes(self, sources: Iterable[tuple[str, str]], filters: Iterable[str] = (),
              formulas: Iterable[str] = ()) -> str:
        """Speaker notes: source ranges (table, column), filters and formulas, one kind a line."""
        sep = "；" if self.lang == "zh" else "; "
        sources = list(sources)
        ranges = [f"{self.model.where(t, c)} ({self.header(t, c)})" for t, c in sources]
        lines = [f"{self.t('note_source')}: {sep.join(ranges)}"]
        files = self.source_files(t for t, _ in sources)
        if files:
            lines.append(f"{self.t('note_files')}: {files}")
        filters = [f for f in filters if f]
        if filters:
            lines.append(f"{self.t('note_filter')}: {sep.join(filters)}")
        formulas = [f for f in formulas if f]
        if formulas:
            lines.append(f"{self.t('note_formula')}: {sep.join(formulas)}")
        return "\n".join(lines)

    def source_files(self, tables: Iterable[str]) -> str:
        """The workbooks a merge took these tables' rows from (their source column), or "" when not merged."""
        names: list[str] = []
        for table in dict.fromkeys(tables):
            column = self.model.tables[table].get("source")
            if column is None:
                continue
            found = self.memo(("source_files", table), lambda: sorted(str(v) for v in column.dropna().unique()))
            names += [n for n in found if n not in names]
        if not names:
            return ""
        sep = "、" if self.lang == "zh" else ", "
        shown = sep.join(names[:MAX_FILES_NAMED])
        return shown if len(names) <= MAX_FILES_NAMED else f"{shown} {self.t('files_more').format(n=len(names))}"

    def month_filter(self, table: str, column: str, period: pd.Period | None = None) -> str:
        """E.g. "日期 在 2026-10"."""
        return f"{self.header(table, column)} {self.t('in')} {period or self.month}"

    def rag_formula(self) -> str:
        red, green = self.model.settings.rag_bands
        return self.t("rag_formula").format(red=numfmt.pct(red), green=numfmt.pct(green))

    # ------------------------------------------------------------ empty slides
    def empty(self, topic: str, *tables: str, reason: str = "no_data") -> SlideSpec:
        """A slide saying there is no data this month and which sheet to fill."""
        sheets = []
        for table in tables:
            name = self.sheet(table)
            if name not in sheets:
                sheets.append(name)
        title, _ = self.title("empty", topic=self.t(topic), reason=self.t(reason), month=self.month.start_time)
        hint = self.t("fill_sheet").format(sheets="、".join(sheets) if self.lang == "zh" else ", ".join(sheets))
        sources = []
        for table in tables:
            sources.append(f"{self.model.where(table)} ({contract.TABLES[table].title(self.lang)})")
        return SlideSpec(kind="empty", title=title, bullets=[hint],
                         notes=f"{self.t('note_source')}: {'; '.join(sources)}")
