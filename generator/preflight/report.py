"""Defects found on a rendered deck, and how they are printed (text and JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

__all__ = ["Defect", "Report", "KINDS"]

#: Every kind of defect, with a one-line explanation (the README and docs list these).
KINDS = {
    "outside_box": "text drawn outside its box",
    "outside_slide": "a shape placed (partly) outside the slide",
    "rows_missing": "table rows not drawn (the table runs off the slide)",
    "table_overflow": "a table drawn taller than its frame, over the shapes below it",
    "number_split": "a number or a number with its unit split across two lines",
    "title_lines": "a title on more than two lines",
    "orphan": "a wrapped text whose last line is only one character (two for titles)",
    "label_contrast": "a chart data label with a contrast ratio under 4.5:1 against what it sits on",
    "text_contrast": "table or shape text with a contrast ratio under 4.5:1 against its fill",
    "legend_colour": "a legend swatch that does not match its series' bars or slices",
    "legend_order": "a legend listing series in the reverse order of the bars",
    "axis_zero": "a bar, column or waterfall value axis that does not start at zero",
}


@dataclass(frozen=True)
class Defect:
    slide: int
    kind: str
    shape: str
    message: str

    def __str__(self) -> str:
        return f"slide {self.slide}: {self.kind}: {self.shape}: {self.message}"


@dataclass
class Report:
    deck: str
    slides: int
    defects: list[Defect] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.defects

    def as_text(self) -> str:
        lines = [str(d) for d in self.defects]
        summary = (f"{self.deck}: {self.slides} slides, no defects" if self.ok else
                   f"{self.deck}: {len(self.defects)} defect(s) on "
                   f"{len({d.slide for d in self.defects})} of {self.slides} slides")
        return "\n".join(lines + [summary])

    def as_json(self) -> str:
        data = {"deck": self.deck, "slides": self.slides, "ok": self.ok, "defects": [asdict(d) for d in self.defects]}
        return json.dumps(data, ensure_ascii=False, indent=2)
