"""From a validated workbook model to a DeckSpec: the six parts of the 销售月例会, with titles.

Chart values convention (for the renderer): money series are already scaled
to the unit named in the chart title and the number format (zh 万元
'#,##0.0"万"', or 亿元; en K/M); ratios are fractions with '0%'/'0.0%';
counts are plain. Table cells are final strings. Long tables are given in
full; the renderer splits them across slides.
"""

from __future__ import annotations

from pathlib import Path

from salesdeck.generator.parts import (
    numfmt, part1_performance, part2_analysis, part3_diagnosis, part4_feedback, part5_resources, part6_plan,
)
from salesdeck.generator.parts.context import Ctx
from salesdeck.generator.parts.narrative import Narrative
from salesdeck.generator.spec import DeckSpec
from salesdeck.metrics import Metrics
from salesdeck.workbook.model import SalesWorkbook

__all__ = ["analyze", "PARTS"]

#: The six parts in deck order; each module has ``build(ctx) -> PartSpec``.
PARTS = (part1_performance, part2_analysis, part3_diagnosis, part4_feedback, part5_resources, part6_plan)


def analyze(model: SalesWorkbook, lang: str = "zh", previous: SalesWorkbook | None = None,
            narrative_dir: Path | None = None, metrics: Metrics | None = None) -> DeckSpec:
    """The deck for ``model`` in ``lang`` ("zh" or "en").

    ``previous`` is last month's workbook: adds a review of its action plan and
    fills in months missing from this workbook's orders. ``narrative_dir`` is a
    folder of ``.j2`` files overriding the packaged titles. Same input, same
    DeckSpec. ``metrics`` are the workbook's figures when already computed.
    """
    lang = "zh" if lang == "zh" else "en"
    text = Narrative(lang, Path(narrative_dir) if narrative_dir is not None else None)
    ctx = Ctx(m=metrics if metrics is not None else Metrics(model, previous), lang=lang, text=text)
    s = model.settings
    month = ctx.month.start_time
    company = s.company or ""
    return DeckSpec(
        lang=lang,
        company=company,
        month_label=numfmt.month_label(month, lang),
        title=text.render("deck_title", company=company, month=month),
        presenter_line=text.render("deck_presenter", company=company, presenter=s.presenter or "", month=month),
        agenda_title=ctx.label("agenda"),
        parts=[part.build(ctx) for part in PARTS],
    )
