"""Native, editable PowerPoint charts from a ChartSpec, with an East Asian font on all chart text.

Built with python-pptx's chart API; the two things it lacks are done in the
XML within the schema: a combo (columns plus a line on a secondary axis) and
invisible helper series for waterfall and funnel charts. Series colours come
from the theme, so a company template recolours them; RAG points use fixed
colours because red/amber/green carry meaning.
"""

from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION, XL_TICK_MARK
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from salesdeck.generator.render.chart_categories import axis_pt, chart_data
from salesdeck.generator.render.chart_labels import (AXIS_HEADROOM, bar_length, colour_labels, delete_labels, fits,
                                              no_legend_for_point_colours, slice_labels_that_fit)
from salesdeck.generator.render.colours import theme_of
from salesdeck.generator.spec import ChartSpec
from salesdeck.generator.render.style import RAG_FILL, RAG_TEXT, Box, Style
from salesdeck.generator.render.text import Line, set_ea, set_font, write_lines

__all__ = ["add_chart", "NO_DATA"]

NO_DATA = {"zh": "无数据", "en": "No data"}
GRID = RGBColor(0xD9, 0xD9, 0xD9)
AXIS_TEXT = RGBColor(0x4B, 0x55, 0x63)
_SIMPLE = {
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "stacked_column": XL_CHART_TYPE.COLUMN_STACKED,
    "stacked_bar": XL_CHART_TYPE.BAR_STACKED,
    "line": XL_CHART_TYPE.LINE_MARKERS,
    "pie": XL_CHART_TYPE.PIE,
    "doughnut": XL_CHART_TYPE.DOUGHNUT,
}
_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"


def add_chart(slide, spec: ChartSpec, box: Box, style: Style):
    """Add ``spec`` as one native chart inside ``box``; returns the graphic frame (or a text box when empty)."""
    if not spec.categories or not spec.series or all(v is None for s in spec.series for v in s.values):
        return _no_data(slide, box, style)
    kind = spec.type
    if kind == "column" and (len(spec.categories) > 10 or max(len(c) for c in spec.categories) > 14):
        kind = "bar"  # long or many category names read better on a horizontal axis
    if kind == "combo":
        frame = _combo(slide, spec, box, style)
    elif kind == "waterfall":
        frame = _waterfall(slide, spec, box, style)
    elif kind == "funnel":
        frame = _funnel(slide, spec, box, style)
    else:
        frame = _simple(slide, spec, box, kind, style)
    chart = frame.chart
    _fonts(chart, spec, style)
    colour_labels(chart._chartSpace, theme_of(slide), style)
    no_legend_for_point_colours(chart._chartSpace)
    return frame


# ---------------------------------------------------------------- chart kinds
def _add(slide, chart_type, data, box: Box):
    return slide.shapes.add_chart(chart_type, Emu(box.x), Emu(box.y), Emu(box.cx), Emu(box.cy), data)


def _bottom_up(spec: ChartSpec) -> ChartSpec:
    """Categories, values and point fills in reverse: drawn bottom up, the first category ends on top."""
    return replace(spec, categories=spec.categories[::-1],
                   series=[replace(s, values=s.values[::-1]) for s in spec.series],
                   point_fills=spec.point_fills[::-1] if spec.point_fills else None)


def _simple(slide, spec: ChartSpec, box: Box, kind: str, style: Style):
    # Several series of horizontal bars: LibreOffice lists their legend bottom series first, so the
    # data runs bottom up instead of reversing the axis, and the legend reads as the bars do.
    bottom_up = kind == "bar" and len(spec.series) > 1
    if bottom_up:
        spec = _bottom_up(spec)
    frame = _add(slide, _SIMPLE[kind], chart_data(spec.categories, [(s.name, s.values) for s in spec.series], style, box),
                 box)
    chart = frame.chart
    plot = chart.plots[0]
    round_chart = kind in ("pie", "doughnut")
    if round_chart:
        plot.vary_by_categories = True
        if spec.data_labels:
            plot.has_data_labels = True
            labels = plot.data_labels
            labels.show_percentage, labels.show_value, labels.show_category_name = True, False, False
            labels.number_format, labels.number_format_is_linked = "0%", False
            labels.position = XL_LABEL_POSITION.OUTSIDE_END if kind == "pie" else XL_LABEL_POSITION.CENTER
        if kind == "doughnut":
            _doughnut_hole(chart, DOUGHNUT_HOLE)
            if spec.data_labels:
                slice_labels_that_fit(plot.series[0]._element, spec.series[0].values, box, style, DOUGHNUT_HOLE,
                                      bool(spec.title))
    else:
        plot.vary_by_categories = False
        if kind != "line":
            plot.gap_width = 60 if len(spec.series) > 1 else 80
            if kind.startswith("stacked"):
                plot.overlap = 100
        if spec.data_labels and kind.startswith("stacked"):
            _stacked_labels(plot, spec, box, style, horizontal=kind == "stacked_bar")
        elif spec.data_labels:
            _labels(plot, spec.number_format, _label_position(kind))
        _axes(chart, spec, horizontal=kind in ("bar", "stacked_bar"),
              value_labels=not spec.data_labels or kind == "line", from_zero=kind != "line",
              top_down=not bottom_up)
    _legend(chart, len(spec.series) > 1 or round_chart, right=round_chart)
    _title(chart, spec.title)
    if spec.point_fills:
        _point_fills(plot.series[-1], spec.point_fills)
    return frame


def _combo(slide, spec: ChartSpec, box: Box, style: Style):
    """Columns for the series whose kind is not "line", a line on a secondary axis for the rest."""
    bars = [s for s in spec.series if s.kind != "line"]
    lines = [s for s in spec.series if s.kind == "line"]
    ordered = bars + lines
    frame = _add(slide, XL_CHART_TYPE.COLUMN_CLUSTERED,
                 chart_data(spec.categories, [(s.name, s.values) for s in ordered], style, box), box)
    chart = frame.chart
    plot = chart.plots[0]
    plot.vary_by_categories = False
    plot.gap_width = 60
    if spec.data_labels:
        _labels(plot, spec.number_format, XL_LABEL_POSITION.OUTSIDE_END)
    if spec.point_fills and bars:
        _point_fills(plot.series[len(bars) - 1], spec.point_fills)
    _axes(chart, replace(spec, series=bars), horizontal=False,
          from_zero=True)  # before the second value axis exists (python-pptx would pick it)
    if lines:
        _move_to_secondary_line(chart, len(bars), spec.secondary_number_format or "0%", spec.data_labels)
    _legend(chart, len(ordered) > 1)
    _title(chart, spec.title)
    return frame


def _waterfall(slide, spec: ChartSpec, box: Box, style: Style):
    """A bridge: ``series[0]`` is start total, signed changes, end total.

    Drawn as stacked columns over an invisible base series; each step's
    visible bar spans from the running total before it to the one after.
    """
    values = [0.0 if v is None else float(v) for v in spec.series[0].values]
    base, visible, running = [], [], 0.0
    last = len(values) - 1
    for i, v in enumerate(values):
        if i == 0 or i == last:
            base.append(0.0)
            visible.append(v)
            running = v if i == 0 else running
        else:
            low = min(running, running + v)
            base.append(low)
            visible.append(abs(v))
            running += v
    frame, chart, plot = _on_hidden_base(slide, XL_CHART_TYPE.COLUMN_STACKED, spec, base, visible, style, box, gap=50)
    if spec.data_labels:
        _labels(plot.series[1], spec.number_format, XL_LABEL_POSITION.INSIDE_END)
    fills = spec.point_fills or [None] + [("green" if v >= 0 else "red") for v in values[1:-1]] + [None]
    if spec.data_labels:
        for index in range(1, len(values) - 1):
            if values[index] < 0:
                _point_number_format(plot.series[1], index, "-" + spec.number_format)
    for index, fill in enumerate(fills):  # soft fill and strong outline: the dark labels stay readable
        if fill in RAG_TEXT and index < len(values):
            point = plot.series[1].points[index]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = RAG_FILL[fill]
            point.format.line.color.rgb = RAG_TEXT[fill]
    # from zero, whatever the steps: a bridge on a cut axis makes one month look several times another
    _axes(chart, replace(spec, series=[replace(spec.series[0], values=[*base, *visible])]), horizontal=False,
          from_zero=True)
    _legend(chart, False)
    _title(chart, spec.title)
    return frame


def _point_number_format(series, index: int, number_format: str) -> None:
    """One point's label in its own format (a falling step of a bridge shows its minus sign)."""
    d_lbl = series.points[index].data_label._get_or_add_dLbl()
    for old in d_lbl.findall(qn("c:numFmt")):
        d_lbl.remove(old)
    num_fmt = etree.SubElement(d_lbl, qn("c:numFmt"))
    num_fmt.set("formatCode", number_format)
    num_fmt.set("sourceLinked", "0")
    d_lbl.find(qn("c:idx")).addnext(num_fmt)
    position = d_lbl.find(qn("c:dLblPos"))
    if position is None:
        position = etree.SubElement(d_lbl, qn("c:dLblPos"))
        d_lbl.find(qn("c:showLegendKey")).addprevious(position)
    position.set("val", "inEnd")


def _on_hidden_base(slide, kind, spec: ChartSpec, base: list, visible: list, style: Style, box: Box, gap: int,
                    base_name: str = "base"):
    """A stacked chart whose first series is invisible, so the second floats on it (waterfall, funnel)."""
    frame = _add(slide, kind, chart_data(spec.categories, [(base_name, base), (spec.series[0].name, visible)], style, box),
                 box)
    chart = frame.chart
    plot = chart.plots[0]
    plot.gap_width, plot.overlap, plot.vary_by_categories = gap, 100, False
    _hide_series(plot.series[0])
    return frame, chart, plot


def _funnel(slide, spec: ChartSpec, box: Box, style: Style):
    """Stages top to bottom, each bar centred by an invisible offset of (widest - value) / 2.

    A stage too narrow to hold its count gets no label (the table beside the funnel has it).
    """
    values = [0.0 if v is None else float(v) for v in spec.series[0].values]
    widest = max(values) if values else 0.0
    offsets = [(widest - v) / 2 for v in values]
    frame, chart, plot = _on_hidden_base(slide, XL_CHART_TYPE.BAR_STACKED, spec, offsets, values, style, box, gap=25,
                                         base_name="offset")
    plot.series[1].format.fill.solid()
    plot.series[1].format.fill.fore_color.theme_color = MSO_THEME_COLOR.ACCENT_1
    if spec.data_labels:
        _labels(plot.series[1], spec.number_format, XL_LABEL_POSITION.CENTER)
        length = bar_length(box, spec.categories, style)
        delete_labels(plot.series[1]._element,
                      [i for i, v in enumerate(values)
                       if not fits(v, spec.number_format, v / (widest or 1.0) * length, style.chart_pt)])
    if spec.point_fills:
        _point_fills(plot.series[1], spec.point_fills)
    category_axis = chart.category_axis
    category_axis.reverse_order = True  # first stage on top
    category_axis.format.line.fill.background()
    category_axis.major_tick_mark = category_axis.minor_tick_mark = XL_TICK_MARK.NONE
    value_axis = chart.value_axis
    value_axis.visible = False
    value_axis.has_major_gridlines = False
    _legend(chart, False)
    _title(chart, spec.title)
    return frame


# ---------------------------------------------------------------- pieces
def _label_position(kind: str):
    if kind in ("stacked_column", "stacked_bar"):
        return XL_LABEL_POSITION.CENTER
    if kind == "line":
        return XL_LABEL_POSITION.ABOVE
    return XL_LABEL_POSITION.OUTSIDE_END


def _labels(target, number_format: str, position) -> None:
    """Data labels on a plot or one series, showing the value in ``number_format``."""
    if hasattr(target, "has_data_labels"):
        target.has_data_labels = True
    labels = target.data_labels
    labels.show_value = True
    labels.number_format = number_format
    labels.number_format_is_linked = False
    if position is not None:
        labels.position = position


def _stacked_labels(plot, spec: ChartSpec, box: Box, style: Style, horizontal: bool) -> None:
    """Centred labels per series, left off segments too small to hold them."""
    totals = [sum(abs(s.values[i] or 0.0) for s in spec.series if i < len(s.values))
              for i in range(len(spec.categories))]
    longest = max(totals) if totals else 0.0
    length = bar_length(box, spec.categories, style) if horizontal else box.cy * 0.7
    for series, data in zip(plot.series, spec.series):
        _labels(series, spec.number_format, XL_LABEL_POSITION.CENTER)
        delete_labels(series._element, [
            index for index, value in enumerate(data.values)
            if value is None or not fits(abs(value), spec.number_format,
                                         abs(value) / (longest * AXIS_HEADROOM or 1.0) * length,
                                         style.chart_pt, along=horizontal)])


#: The doughnut's hole, in percent of its diameter.
DOUGHNUT_HOLE = 55


def _hide_series(series) -> None:
    """No fill, no line, no labels: a helper series that only positions the visible one."""
    series.format.fill.background()
    series.format.line.fill.background()
    ser = series._element
    d_lbls = ser.find(qn("c:dLbls"))
    if d_lbls is not None:
        ser.remove(d_lbls)


def _point_fills(series, fills) -> None:
    for index, fill in enumerate(fills):
        if fill in RAG_TEXT and index < len(series.points):
            point = series.points[index]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = RAG_TEXT[fill]


def _axes(chart, spec: ChartSpec, horizontal: bool, value_labels: bool = True, from_zero: bool = False,
          top_down: bool = True) -> None:
    """Light gridlines, the value format on the axis, categories in reading order.

    When every bar carries a data label the value axis numbers are left off:
    they would repeat the labels and crowd the chart. Bars start from zero
    (``from_zero``) unless a value is negative. Horizontal bars read top down
    by reversing the axis unless the data already runs bottom up.
    """
    value_axis = chart.value_axis
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = GRID
    value_axis.format.line.fill.background()
    # from zero the ticks are round (0, 50, 100); a scale that starts elsewhere may tick at 2.5, 3.0, 3.5
    value_axis.tick_labels.number_format = _axis_format(spec.number_format) if from_zero else spec.number_format
    value_axis.tick_labels.number_format_is_linked = False
    if not value_labels:
        value_axis.tick_label_position = XL_TICK_LABEL_POSITION.NONE
        value_axis.major_tick_mark = XL_TICK_MARK.NONE
    if from_zero and all(v is None or v >= 0 for s in spec.series for v in s.values):
        value_axis.minimum_scale = 0
    category_axis = chart.category_axis
    category_axis.format.line.color.rgb = GRID
    category_axis.major_tick_mark = XL_TICK_MARK.NONE
    if horizontal and top_down:
        category_axis.reverse_order = True  # first category on top, as in the table beside it
        category_axis.crosses = XL_AXIS_CROSSES.MAXIMUM  # keeps the value axis at the bottom
    elif not horizontal:
        category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    many = len(spec.categories)
    if many > 8:
        category_axis.tick_labels.font.size = Pt(axis_pt(many, 10))


def _axis_format(number_format: str) -> str:
    """Axis ticks are round numbers: drop the decimals the labels need."""
    return re.sub(r"0\.0+", "0", number_format)


def _legend(chart, show: bool, right: bool = False) -> None:
    chart.has_legend = show
    if show:
        chart.legend.position = XL_LEGEND_POSITION.RIGHT if right else XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False


def _title(chart, title: str | None) -> None:
    chart.has_title = bool(title)
    if title:
        frame = chart.chart_title.text_frame
        frame.text = title
        # overlay off: the title takes its own space above the plot
        chart_title = chart.chart_title._title
        overlay = chart_title.find(qn("c:overlay"))
        if overlay is None:
            overlay = chart_title.get_or_add_overlay()
        overlay.set("val", "0")
    else:
        chart._chartSpace.chart.get_or_add_autoTitleDeleted().set("val", "1")


def _doughnut_hole(chart, percent: int) -> None:
    doughnut = chart._chartSpace.find(f".//{{{_C}}}doughnutChart")
    hole = doughnut.find(qn("c:holeSize"))
    if hole is None:
        hole = etree.SubElement(doughnut, qn("c:holeSize"))
    hole.set("val", str(percent))


def _fonts(chart, spec: ChartSpec, style: Style) -> None:
    """Chart-wide text properties (latin and East Asian), then every run and label style inside."""
    set_font(chart, style, style.chart_pt, color=AXIS_TEXT)
    if chart.has_title:
        for paragraph in chart.chart_title.text_frame.paragraphs:
            for run in paragraph.runs:
                set_font(run, style, style.chart_pt + 2, True, RGBColor(0x1F, 0x29, 0x37))
    space = chart._chartSpace
    for tag in ("a:defRPr", "a:rPr", "a:endParaRPr"):
        for props in space.iter(qn(tag)):
            if props.find(qn("a:latin")) is None:
                latin = props.makeelement(qn("a:latin"), {"typeface": style.latin})
                # a:latin goes after fills/effects/highlight/underline and before a:ea
                anchor = None
                for name in ("a:ea", "a:cs", "a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst"):
                    anchor = props.find(qn(name))
                    if anchor is not None:
                        break
                if anchor is not None:
                    anchor.addprevious(latin)
                else:
                    props.append(latin)
            set_ea(props, style)


def _move_to_secondary_line(chart, first_line: int, number_format: str, data_labels: bool) -> None:
    """Move series ``first_line``.. out of the bar chart into a line chart on a secondary value axis."""
    plot_area = chart._chartSpace.chart.plotArea
    bar_chart = plot_area.find(qn("c:barChart"))
    sers = bar_chart.findall(qn("c:ser"))
    line_chart = etree.SubElement(plot_area, qn("c:lineChart"))
    bar_chart.addnext(line_chart)  # chart groups come before the axes
    etree.SubElement(line_chart, qn("c:grouping")).set("val", "standard")
    etree.SubElement(line_chart, qn("c:varyColors")).set("val", "0")
    for ser in sers[first_line:]:
        bar_chart.remove(ser)
        invert = ser.find(qn("c:invertIfNegative"))
        if invert is not None:
            ser.remove(invert)
        for d_lbls in ser.findall(qn("c:dLbls")):
            ser.remove(d_lbls)
        anchor = ser.find(qn("c:spPr"))
        if anchor is None:
            anchor = ser.find(qn("c:tx"))
        sp_pr = etree.fromstring(
            f'<c:spPr xmlns:c="{_C}" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            '<a:ln w="28575" cap="rnd"><a:solidFill><a:schemeClr val="accent4"/></a:solidFill>'
            '<a:round/></a:ln></c:spPr>')
        marker = etree.fromstring(
            f'<c:marker xmlns:c="{_C}" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            '<c:symbol val="circle"/><c:size val="7"/><c:spPr><a:solidFill><a:schemeClr val="accent4"/>'
            '</a:solidFill><a:ln><a:noFill/></a:ln></c:spPr></c:marker>')
        if ser.find(qn("c:spPr")) is not None:
            ser.remove(ser.find(qn("c:spPr")))
        ser.find(qn("c:tx")).addnext(sp_pr)
        sp_pr.addnext(marker)
        if data_labels:
            marker.addnext(etree.fromstring(
                f'<c:dLbls xmlns:c="{_C}" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
                f'<c:numFmt formatCode="{_xml_attr(number_format)}" sourceLinked="0"/>'
                # a white box: the line may pass over the columns, and its labels stay readable there
                '<c:spPr><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill></c:spPr>'
                '<c:dLblPos val="t"/><c:showLegendKey val="0"/><c:showVal val="1"/>'
                '<c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="0"/>'
                '<c:showBubbleSize val="0"/></c:dLbls>'))
        smooth = etree.SubElement(ser, qn("c:smooth"))
        smooth.set("val", "0")
        ext = ser.find(qn("c:extLst"))
        if ext is not None:
            ext.addprevious(smooth)
        line_chart.append(ser)
    etree.SubElement(line_chart, qn("c:marker")).set("val", "1")
    etree.SubElement(line_chart, qn("c:axId")).set("val", "50050")
    etree.SubElement(line_chart, qn("c:axId")).set("val", "50051")
    last_axis = plot_area.findall(qn("c:valAx"))[-1]
    cat_ax = etree.fromstring(
        f'<c:catAx xmlns:c="{_C}"><c:axId val="50050"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        '<c:delete val="1"/><c:axPos val="b"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/>'
        '<c:tickLblPos val="nextTo"/><c:crossAx val="50051"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>')
    val_ax = etree.fromstring(
        f'<c:valAx xmlns:c="{_C}" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<c:axId val="50051"/><c:scaling><c:orientation val="minMax"/><c:min val="0"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="r"/><c:numFmt formatCode="{_xml_attr(number_format)}" sourceLinked="0"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        '<c:spPr><a:ln><a:noFill/></a:ln></c:spPr>'
        '<c:crossAx val="50050"/><c:crosses val="max"/><c:crossBetween val="between"/></c:valAx>')
    last_axis.addnext(cat_ax)
    cat_ax.addnext(val_ax)


def _xml_attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _no_data(slide, box: Box, style: Style):
    shape = slide.shapes.add_textbox(Emu(box.x), Emu(box.y), Emu(box.cx), Emu(box.cy))
    write_lines(shape.text_frame, [Line(NO_DATA[style.lang if style.lang in NO_DATA else "en"], 18,
                                        color=RGBColor(0x6B, 0x72, 0x80))],
                style, align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
    return shape

