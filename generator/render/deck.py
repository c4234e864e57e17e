"""DeckSpec in, .pptx out: title, agenda, and per part a divider and its content slides.

Everything is placed relative to the slide size (16:9 or a company's 4:3),
text is measured before it is written, long tables continue on further
slides, and the file is written atomically with fixed properties so the same
spec gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu

from salesdeck.atomic import atomic_path
from salesdeck.generator.render.layouts import Layouts, open_presentation, pick_layouts
from salesdeck.generator.spec import DeckSpec, KpiCard, PartSpec, SlideSpec, TableSpec
from salesdeck.generator.render.colours import readable_on, theme_of
from salesdeck.generator.render.style import RAG_DARK, RAG_FILL, Box, Style, style_for
from salesdeck.generator.render.tables import add_table, fit_columns, layout_table, natural_width, paginate
from salesdeck.generator.render.text import Line, fit_text, line_height, write_lines, write_paragraphs
from salesdeck.generator.render.titles import clean_inset, fit_title
from salesdeck.generator.render.pptx_internals import compile_xpaths, save_presentation

__all__ = ["render_deck", "CONTINUED", "NO_DATA"]

compile_xpaths()

CONTINUED = {"zh": "（续）", "en": " (cont.)"}
LEFT_OUT = {"zh": "表格放不下，未显示的列：{}（见工作簿）", "en": "Columns left out to fit the slide: {} (see the workbook)"}
NO_DATA = {"zh": "本月无数据", "en": "No data this month"}
PART_LABEL = {"zh": "第{}部分", "en": "Part {}"}
_ZH_NUMBERS = "零一二三四五六七八九十"
GREY = RGBColor(0x6B, 0x72, 0x80)
#: Grey text on the light card fills (GREY itself is under 4.5:1 there).
CARD_TEXT = RGBColor(0x4B, 0x55, 0x63)
DARK = RGBColor(0x1F, 0x29, 0x37)
CARD = RGBColor(0xF3, 0xF4, 0xF6)
#: The share of a chart-and-table slide the chart keeps when the table goes under it.
CHART_OVER_TABLE = 0.42
FIXED_DATE = dt.datetime(2000, 1, 1)


def render_deck(spec: DeckSpec, out_path, template: Path | None = None) -> Path:
    """Render ``spec`` to ``out_path`` (written atomically); returns the path."""
    prs = open_presentation(template)
    deck = _Deck(prs, pick_layouts(prs), style_for(spec.lang), spec)
    deck.render()
    _fix_properties(prs, spec)
    out_path = Path(out_path)
    with atomic_path(out_path) as tmp:
        save_presentation(prs, tmp)
    return out_path


class _Geometry:
    """Where titles, subtitles, bodies and footers go on this presentation's slides."""

    def __init__(self, prs, content_layout) -> None:
        self.w, self.h = int(prs.slide_width), int(prs.slide_height)
        self.mx = int(self.w * 0.045)
        self.title = self._title_box(content_layout)
        self.gap = int(self.h * 0.025)
        self.footer = Box(self.mx, int(self.h * 0.94), self.w - 2 * self.mx, int(self.h * 0.045))

    def _title_box(self, layout) -> Box:
        default = Box(self.mx, int(self.h * 0.035), self.w - 2 * self.mx, int(self.h * 0.14))
        for ph in layout.placeholders:
            if ph.placeholder_format.type in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE):
                box = Box(int(ph.left), int(ph.top), int(ph.width), int(ph.height))
                sensible = (0 <= box.x and box.right <= self.w and 0 <= box.y and box.bottom <= self.h * 0.3
                            and self.h * 0.07 <= box.cy and box.cx >= self.w * 0.5)
                if sensible:
                    return Box(box.x, box.y, box.cx, min(box.cy, int(self.h * 0.16)))
        return default

    def subtitle(self) -> Box:
        return Box(self.title.x, self.title.bottom, self.title.cx, int(self.h * 0.075))

    def body(self, has_subtitle: bool) -> Box:
        top = (self.subtitle().bottom if has_subtitle else self.title.bottom) + self.gap
        return Box(self.mx, top, self.w - 2 * self.mx, self.footer.y - self.gap - top)


class _Deck:
    def __init__(self, prs, layouts: Layouts, style: Style, spec: DeckSpec) -> None:
        self.prs, self.layouts, self.style, self.spec = prs, layouts, style, spec
        self.lang = spec.lang if spec.lang in ("zh", "en") else "en"
        self.geo = _Geometry(prs, layouts.content)

    # ------------------------------------------------------------ deck structure
    def render(self) -> None:
        self.title_slide()
        self.agenda_slide()
        for part in self.spec.parts:
            self.section_slide(part)
            for slide_spec in part.slides:
                self.content_slides(slide_spec)

    def title_slide(self) -> None:
        slide = self.prs.slides.add_slide(self.layouts.title)
        title_ph = _placeholder(slide, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.TITLE)
        sub_ph = _placeholder(slide, PP_PLACEHOLDER.SUBTITLE, PP_PLACEHOLDER.BODY)
        w, h = self.geo.w, self.geo.h
        title_box = _box_of(title_ph) if title_ph is not None else Box(self.geo.mx, int(h * 0.3), w - 2 * self.geo.mx, int(h * 0.2))
        title_ph = title_ph or slide.shapes.add_textbox(*_emu(title_box))
        fitted = fit_title(self.spec.title, title_box.cx - 91440, title_box.cy - 45720, 40, 20)
        _place(title_ph, title_box)
        write_paragraphs(title_ph.text_frame, [fitted.text], self.style, fitted.pt, bold=True,
                         align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
        _narrow(title_ph, fitted.inset)
        lines = [t for t in (self.spec.presenter_line, self.spec.month_label) if t]
        sub_box = _box_of(sub_ph) if sub_ph is not None else Box(self.geo.mx, title_box.bottom, title_box.cx, int(h * 0.15))
        if lines:
            sub_ph = sub_ph or slide.shapes.add_textbox(*_emu(sub_box))
            fitted = fit_text("\n".join(lines), sub_box.cx - 91440, sub_box.cy - 45720, 20, 12)
            _place(sub_ph, sub_box)
            write_paragraphs(sub_ph.text_frame, lines, self.style, fitted.pt, color=GREY,
                             align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.TOP)
        _drop_empty_placeholders(slide)

    def agenda_slide(self) -> None:
        slide = self.prs.slides.add_slide(self.layouts.content)
        self._title(slide, self.spec.agenda_title, "")
        body = self.geo.body(False)
        parts = self.spec.parts
        rows = max(len(parts), 1)
        row_h = min(body.cy // rows, int(self.geo.h * 0.1))
        top = body.y + (body.cy - row_h * rows) // 2
        badge = int(row_h * 0.78)
        accent = theme_of(slide).rgb("accent1")
        badge_text = RGBColor(*readable_on(accent)) if accent else RGBColor(0xFF, 0xFF, 0xFF)
        for index, part in enumerate(parts):
            y = top + index * row_h
            circle = slide.shapes.add_shape(MSO_SHAPE.OVAL, Emu(body.x + int(body.cx * 0.12)), Emu(y + (row_h - badge) // 2),
                                            Emu(badge), Emu(badge))
            circle.fill.solid()
            circle.fill.fore_color.theme_color = MSO_THEME_COLOR.ACCENT_1
            circle.line.fill.background()
            write_paragraphs(circle.text_frame, [f"{part.number:02d}"], self.style, _fit_pt(f"{part.number:02d}", badge, badge, 20),
                             bold=True, color=badge_text, align=PP_ALIGN.CENTER,
                             anchor=MSO_ANCHOR.MIDDLE, margins=0)
            label_box = Box(body.x + int(body.cx * 0.12) + badge + int(body.cx * 0.03), y,
                            int(body.cx * 0.7), row_h)
            text = part.title
            label = slide.shapes.add_textbox(*_emu(label_box))
            write_paragraphs(label.text_frame, [text], self.style, _fit_pt(text, label_box.cx, label_box.cy, 24),
                             color=DARK, anchor=MSO_ANCHOR.MIDDLE)
        self._footer(slide)
        _drop_empty_placeholders(slide)

    def section_slide(self, part: PartSpec) -> None:
        slide = self.prs.slides.add_slide(self.layouts.section)
        title_ph = _placeholder(slide, PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
        body_ph = _placeholder(slide, PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.SUBTITLE)
        w, h, mx = self.geo.w, self.geo.h, self.geo.mx
        title_box = _box_of(title_ph) if title_ph is not None else Box(mx, int(h * 0.35), w - 2 * mx, int(h * 0.2))
        title_ph = title_ph or slide.shapes.add_textbox(*_emu(title_box))
        _place(title_ph, title_box)
        write_paragraphs(title_ph.text_frame, [part.title], self.style,
                         _fit_pt(part.title, title_box.cx, title_box.cy, 40, bold=True), bold=True,
                         anchor=MSO_ANCHOR.MIDDLE)
        label = self._part_label(part.number)
        body_box = _box_of(body_ph) if body_ph is not None else Box(mx, title_box.bottom, title_box.cx, int(h * 0.1))
        body_ph = body_ph or slide.shapes.add_textbox(*_emu(body_box))
        _place(body_ph, body_box)
        write_paragraphs(body_ph.text_frame, [label], self.style, _fit_pt(label, body_box.cx, body_box.cy, 20),
                         theme_color=MSO_THEME_COLOR.ACCENT_1, anchor=MSO_ANCHOR.TOP)
        self._footer(slide)
        _drop_empty_placeholders(slide)

    def _part_label(self, number: int) -> str:
        if self.lang == "zh":
            return PART_LABEL["zh"].format(_ZH_NUMBERS[number] if 0 <= number <= 10 else number)
        return PART_LABEL["en"].format(number)

    # ------------------------------------------------------------ content slides
    def content_slides(self, spec: SlideSpec) -> None:
        kind = spec.kind
        if kind == "table" and spec.table is not None:
            self._table_slides(spec, spec.table)
        elif kind == "chart_table" and spec.table is not None and spec.charts:
            self._chart_table(spec)
        elif kind in ("chart", "two_charts") and spec.charts:
            slide, body = self._content_slide(spec)
            charts = spec.charts[:2] if kind == "two_charts" else spec.charts[:1]
            boxes = [body] if len(charts) == 1 else list(body.split_h(0.5, int(self.geo.w * 0.02)))
            for chart, box in zip(charts, boxes):
                _add_chart(slide, chart, box, self.style)
        elif kind == "kpis" and spec.kpis:
            slide, body = self._content_slide(spec)
            self._kpis(slide, spec.kpis, spec.bullets, body)
        elif kind == "bullets" and spec.bullets:
            slide, body = self._content_slide(spec)
            self._bullets(slide, spec.bullets, body)
        else:
            self._empty(spec)

    def _content_slide(self, spec: SlideSpec, title: str | None = None):
        slide = self.prs.slides.add_slide(self.layouts.content)
        self._title(slide, title or spec.title, spec.subtitle)
        self._footer(slide)
        self._notes(slide, spec.notes)
        _drop_empty_placeholders(slide)
        return slide, self.geo.body(bool(spec.subtitle))

    def _fitted(self, spec: SlideSpec, table: TableSpec) -> tuple[SlideSpec, TableSpec]:
        """The table without columns that cannot fit the slide at 9 pt; the notes say which were left out."""
        fitted, dropped = fit_columns(table, self.geo.body(bool(spec.subtitle)).cx)
        if dropped:
            names = [c for c in table.columns if c in dropped]
            note = LEFT_OUT[self.lang].format("、".join(names) if self.lang == "zh" else ", ".join(names))
            spec = replace(spec, notes="\n".join(n for n in (spec.notes, note) if n))
        return spec, fitted

    def _table_slides(self, spec: SlideSpec, table, first_box: Box | None = None, first_slide=None) -> None:
        """The table on slides of its own, or its first rows in ``first_box`` of ``first_slide`` (already
        fitted) and the rest on further slides; every slide after the first is titled (续) / (cont.)."""
        body = self.geo.body(bool(spec.subtitle))
        continued = first_box is not None
        if first_box is None:
            spec, table = self._fitted(spec, table)
        else:
            page, layout = paginate(table, first_box, self.style)[0]
            add_table(first_slide, page, layout, first_box, self.style)
            done = len(page.rows)
            if done >= len(table.rows):
                return
            table = replace(table, rows=table.rows[done:], fills=table.fills[done:] if table.fills else None)
        pages = paginate(table, body, self.style)
        for index, (page, layout) in enumerate(pages):
            title = spec.title + CONTINUED[self.lang] if (continued or index > 0) else spec.title
            slide, box = self._content_slide(spec, title)
            add_table(slide, page, layout, box, self.style)

    def _chart_table(self, spec: SlideSpec) -> None:
        """Chart left, table right, the table as wide as it needs (within reason).

        A table too wide to sit beside the chart goes under it: whole when it
        is short, else its first rows under a shorter chart and the rest on
        further slides titled (续) / (cont.), never squeezed into wrapped cells.
        """
        spec, table = self._fitted(spec, spec.table)
        body = self.geo.body(bool(spec.subtitle))
        gap = int(self.geo.w * 0.02)
        need = natural_width(table, self.style)
        if need > (body.cx - gap) * 0.62:
            full = layout_table(table, body.cx, self.style)
            table_h = full.header_height + sum(full.row_heights)
            slide, body = self._content_slide(spec)
            if table_h <= body.cy * 0.45:  # a short wide table fits under the chart
                chart_box = Box(body.x, body.y, body.cx, body.cy - table_h - self.geo.gap)
                _add_chart(slide, spec.charts[0], chart_box, self.style)
                add_table(slide, table, full, Box(body.x, chart_box.bottom + self.geo.gap, body.cx, table_h),
                          self.style)
                return
            chart_box = Box(body.x, body.y, body.cx, int(body.cy * CHART_OVER_TABLE))
            _add_chart(slide, spec.charts[0], chart_box, self.style)
            below = chart_box.bottom + self.geo.gap
            self._table_slides(spec, table, first_box=Box(body.x, below, body.cx, body.bottom - below),
                               first_slide=slide)
            return
        slide, body = self._content_slide(spec)
        fraction = 1 - max(need / (body.cx - gap), 0.38)
        left, right = body.split_h(fraction, gap)
        _add_chart(slide, spec.charts[0], left, self.style)
        self._table_slides(spec, table, first_box=right, first_slide=slide)

    def _kpis(self, slide, cards: list[KpiCard], bullets: list[str], body: Box) -> None:
        per_row = len(cards) if len(cards) <= 5 else (len(cards) + 1) // 2
        rows = (len(cards) + per_row - 1) // per_row
        gap = int(self.geo.w * 0.015)
        card_w = (body.cx - gap * (per_row - 1)) // per_row
        cards_h = int(body.cy * (0.55 if bullets else 0.8))
        card_h = min((cards_h - gap * (rows - 1)) // rows, int(card_w * 1.1))
        top = body.y + (0 if bullets else (body.cy - card_h * rows - gap * (rows - 1)) // 3)
        for index, card in enumerate(cards):
            row, col = divmod(index, per_row)
            box = Box(body.x + col * (card_w + gap), top + row * (card_h + gap), card_w, card_h)
            self._card(slide, card, box)
        if bullets:
            below = top + rows * card_h + (rows - 1) * gap + gap * 2
            self._bullets(slide, bullets, Box(body.x, below, body.cx, body.bottom - below))

    def _card(self, slide, card: KpiCard, box: Box) -> None:
        shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, *_emu(box))
        shape.adjustments[0] = 0.08
        shape.fill.solid()
        shape.fill.fore_color.rgb = RAG_FILL[card.fill] if card.fill else CARD
        shape.line.fill.background()
        shape.shadow.inherit = False
        inner = box.cx - 2 * 45720
        label_pt = _fit_pt(card.label, inner, int(box.cy * 0.2), 18)
        value_pt = _fit_pt(card.value, int(inner * 0.88), int(box.cy * 0.4), 40, bold=True, max_lines=1)
        delta_pt = _fit_pt(card.delta or " ", inner, int(box.cy * 0.2), 14)
        value_color = RAG_DARK[card.fill] if card.fill else DARK
        lines = [Line(card.label, label_pt, color=CARD_TEXT), Line(card.value, value_pt, True, value_color)]
        if card.delta:
            lines.append(Line(card.delta, delta_pt, color=CARD_TEXT))
        write_lines(shape.text_frame, lines, self.style, align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE,
                    margins=45720, space_after_pt=4)

    def _bullets(self, slide, bullets: list[str], box: Box) -> None:
        texts = [f"• {b}" for b in bullets]
        pt = _fit_pt("\n".join(texts), box.cx - 91440, box.cy - 91440 - len(texts) * 6 * 12700, self.style.body_pt + 4)
        shape = slide.shapes.add_textbox(*_emu(box))
        write_paragraphs(shape.text_frame, texts, self.style, pt, color=DARK, space_after_pt=6)

    def _empty(self, spec: SlideSpec) -> None:
        slide, body = self._content_slide(spec)
        box = Box(body.x + body.cx // 6, body.y + body.cy // 6, body.cx * 2 // 3, body.cy * 2 // 3)
        shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, *_emu(box))
        shape.adjustments[0] = 0.06
        shape.fill.solid()
        shape.fill.fore_color.rgb = CARD
        shape.line.fill.background()
        shape.shadow.inherit = False
        inner = box.cx - 2 * 91440
        message = NO_DATA[self.lang]
        lines = [Line(message, _fit_pt(message, inner, box.cy // 3, 32, bold=True, max_lines=1), True, CARD_TEXT)]
        hints = spec.bullets or []
        if hints:
            hint_pt = _fit_pt("\n".join(hints), inner, box.cy // 2, 16)
            lines += [Line(h, hint_pt, color=CARD_TEXT) for h in hints]
        write_lines(shape.text_frame, lines, self.style, align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE,
                    margins=91440, space_after_pt=6)

    # ------------------------------------------------------------ pieces
    def _title(self, slide, title: str, subtitle: str) -> None:
        geo = self.geo
        ph = _placeholder(slide, PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
        if ph is None:
            ph = slide.shapes.add_textbox(*_emu(geo.title))
        _place(ph, geo.title)
        fitted = fit_title(title, geo.title.cx - 91440, geo.title.cy - 45720, self.style.title_pt, 14)
        write_paragraphs(ph.text_frame, [fitted.text], self.style, fitted.pt, bold=True, color=DARK,
                         align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.MIDDLE)
        _narrow(ph, fitted.inset)
        if subtitle:
            box = geo.subtitle()
            shape = slide.shapes.add_textbox(*_emu(box))
            fitted = _fit(subtitle, box.cx - 91440, box.cy - 45720, self.style.subtitle_pt, min_pt=10)
            write_paragraphs(shape.text_frame, [fitted.text], self.style, fitted.pt, color=GREY, anchor=MSO_ANCHOR.TOP)
            _narrow(shape, clean_inset(fitted.text, fitted.pt, box.cx - 91440, box.cy - 45720))

    def _footer(self, slide) -> None:
        box = self.geo.footer
        text = " · ".join(t for t in (self.spec.company, self.spec.title) if t)
        number = str(len(self.prs.slides))
        left, right = box.split_h(0.85)
        if text:
            shape = slide.shapes.add_textbox(*_emu(left))
            write_paragraphs(shape.text_frame, [text], self.style, _fit_pt(text, left.cx, left.cy, 10, min_pt=7, max_lines=1),
                             color=GREY, anchor=MSO_ANCHOR.MIDDLE)
        shape = slide.shapes.add_textbox(*_emu(right))
        write_paragraphs(shape.text_frame, [number], self.style, 10, color=GREY, align=PP_ALIGN.RIGHT,
                         anchor=MSO_ANCHOR.MIDDLE)

    def _notes(self, slide, notes: str) -> None:
        if not notes:
            return
        frame = slide.notes_slide.notes_text_frame
        write_paragraphs(frame, notes.split("\n"), self.style, self.style.notes_pt)


# ---------------------------------------------------------------- helpers
def _add_chart(slide, chart, box: Box, style: Style) -> None:
    from salesdeck.generator.render.charts import add_chart

    add_chart(slide, chart, box, style)


def _fit(text: str, width: int, height: int, max_pt: float, min_pt: float = 9, bold: bool = False,
         max_lines: int | None = None):
    """``fit_text`` inside a text frame's default insets."""
    margin = 91440
    return fit_text(text, max(width - margin, 12700), max(height - margin // 2, line_height(min_pt)),
                    max_pt, min_pt, bold=bold, max_lines=max_lines)


def _fit_pt(text: str, width: int, height: int, max_pt: float, min_pt: float = 9, bold: bool = False,
            max_lines: int | None = None) -> float:
    return _fit(text, width, height, max_pt, min_pt, bold, max_lines).pt


def _emu(box: Box):
    return Emu(box.x), Emu(box.y), Emu(box.cx), Emu(box.cy)


def _box_of(shape) -> Box:
    return Box(int(shape.left), int(shape.top), int(shape.width), int(shape.height))


def _narrow(shape, inset: int) -> None:
    """Wrap a one-paragraph text ``inset`` EMU narrower than its frame (see titles.py)."""
    if inset > 0:
        frame = shape.text_frame
        frame.margin_right = Emu(int(frame.margin_right) + inset)


def _place(shape, box: Box) -> None:
    shape.left, shape.top, shape.width, shape.height = _emu(box)


def _placeholder(slide, *kinds):
    for kind in kinds:
        for ph in slide.placeholders:
            if ph.placeholder_format.type == kind:
                return ph
    return None


def _drop_empty_placeholders(slide) -> None:
    """Placeholders we did not fill would show 'Click to add text' in PowerPoint."""
    for ph in list(slide.placeholders):
        if ph.has_text_frame and not ph.text_frame.text.strip():
            ph._element.getparent().remove(ph._element)


def _fix_properties(prs, spec: DeckSpec) -> None:
    """Fixed document properties, so the same spec gives the same bytes."""
    props = prs.core_properties
    props.title = spec.title
    props.subject = spec.month_label
    props.author = spec.company or "salesdeck"
    props.last_modified_by = "salesdeck"
    props.revision = 1
    props.created = props.modified = FIXED_DATE
    props.last_printed = FIXED_DATE
    props.language = "zh-CN" if spec.lang == "zh" else "en-US"
    props.keywords = "salesdeck"  # chart workbooks are written with fixed times already (chartbook)
