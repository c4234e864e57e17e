"""How a deck looks: fonts, sizes and the few fixed colours (RAG), shared by every renderer module.

Series colours are not here: charts use the template's theme accents so a
company template recolours them. RAG fills are fixed because red/amber/green
carry meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from pptx.dml.color import RGBColor

__all__ = ["Style", "Box", "RAG_FILL", "RAG_TEXT", "RAG_DARK", "style_for"]

#: Soft fills for table cells and KPI cards, with dark text on top.
RAG_FILL = {"red": RGBColor(0xF8, 0xD7, 0xDA), "amber": RGBColor(0xFF, 0xF0, 0xC2), "green": RGBColor(0xD4, 0xED, 0xDA)}
#: Strong colours for chart points and RAG text.
RAG_TEXT = {"red": RGBColor(0xC0, 0x39, 0x2B), "amber": RGBColor(0xB9, 0x77, 0x0E), "green": RGBColor(0x1E, 0x84, 0x49)}
#: Darker shades for text on the soft fills: at least 4.5:1 on each of them (WCAG AA).
RAG_DARK = {"red": RGBColor(0x9B, 0x1C, 0x1C), "amber": RGBColor(0x8A, 0x53, 0x00), "green": RGBColor(0x16, 0x65, 0x34)}


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide in EMU."""

    x: int
    y: int
    cx: int
    cy: int

    @property
    def right(self) -> int:
        return self.x + self.cx

    @property
    def bottom(self) -> int:
        return self.y + self.cy

    def split_h(self, fraction: float = 0.5, gap: int = 0) -> tuple["Box", "Box"]:
        """Left and right boxes; the left one takes ``fraction`` of the width."""
        left_w = int((self.cx - gap) * fraction)
        return (Box(self.x, self.y, left_w, self.cy),
                Box(self.x + left_w + gap, self.y, self.cx - left_w - gap, self.cy))


@dataclass(frozen=True)
class Style:
    """Fonts and sizes (points). ``ea`` is written on every run as the East Asian typeface."""

    lang: str
    latin: str
    ea: str
    title_pt: float = 26
    subtitle_pt: float = 14
    body_pt: float = 14
    table_pt: float = 11
    chart_pt: float = 10
    notes_pt: float = 12


def style_for(lang: str) -> Style:
    """Microsoft YaHei is what Office on Windows has; LibreOffice falls back to Noto Sans CJK."""
    if lang == "zh":
        return Style(lang="zh", latin="Microsoft YaHei", ea="Microsoft YaHei")
    return Style(lang="en", latin="Arial", ea="Microsoft YaHei")
