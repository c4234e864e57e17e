"""Data labels a room can read: coloured for contrast with what they sit on (light on dark, dark on
light), and left off bars and slices too small to hold them (the numbers are in the table beside
them); no legend swatch for a series whose bars carry their own colours.

Colours are decided from the chart as written (see :mod:`chartxml`), so a
company theme's accents are taken into account.
"""

from __future__ import annotations

import copy
import math
import re

from lxml import etree

from salesdeck.generator.render.chartxml import A, C, INSIDE, label_look, series_in
from salesdeck.generator.render.colours import MIN_CONTRAST, RGB, Theme, contrast, hex_of, readable_on
from salesdeck.generator.render.style import Box, Style
from salesdeck.generator.render.text import line_height, set_ea, text_width

__all__ = ["colour_labels", "label_text", "fits", "delete_labels", "bar_length", "slice_labels_that_fit",
           "no_legend_for_point_colours", "AXIS_HEADROOM"]

_AFTER_TXPR = ("dLblPos", "showLegendKey", "showVal", "showCatName", "showSerName", "showPercent",
               "showBubbleSize", "separator", "showLeaderLines", "leaderLines", "extLst")
_COPIED = ("numFmt", "spPr", "dLblPos", "showLegendKey", "showVal", "showCatName", "showSerName", "showPercent",
           "showBubbleSize", "separator")
_AFTER_DLBLS = ("trendline", "errBars", "cat", "val", "xVal", "yVal", "smooth", "shape", "bubbleSize", "extLst")
_FILLS = ("noFill", "solidFill", "gradFill", "blipFill", "pattFill", "grpFill")
#: Room (points) a label needs around its text inside a bar.
LABEL_PADDING_PT = 3.0


def _c(tag: str) -> str:
    return f"{{{C}}}{tag}"


def _insert_before(parent, element, tags) -> None:
    for child in parent:
        if isinstance(child.tag, str) and etree.QName(child).localname in tags and child.tag.startswith(f"{{{C}}}"):
            child.addprevious(element)
            return
    parent.append(element)


def _set_colour(holder, rgb: RGB, style: Style) -> None:
    """Give a c:dLbls or c:dLbl a text colour (with the deck's size and fonts)."""
    tx_pr = holder.find(_c("txPr"))
    if tx_pr is None:
        tx_pr = etree.fromstring(
            f'<c:txPr xmlns:c="{C}" xmlns:a="{A}"><a:bodyPr/><a:lstStyle/><a:p><a:pPr>'
            f'<a:defRPr sz="{int(style.chart_pt * 100)}"/></a:pPr>'
            f'<a:endParaRPr lang="{"zh-CN" if style.lang == "zh" else "en-US"}"/></a:p></c:txPr>')
        _insert_before(holder, tx_pr, _AFTER_TXPR)
    def_rpr = tx_pr.find(f".//{{{A}}}defRPr")
    for child in list(def_rpr):
        if etree.QName(child).localname in _FILLS:
            def_rpr.remove(child)
    fill = etree.fromstring(f'<a:solidFill xmlns:a="{A}"><a:srgbClr val="{hex_of(rgb)}"/></a:solidFill>')
    line = def_rpr.find(f"{{{A}}}ln")
    if line is not None:
        line.addnext(fill)
    else:
        def_rpr.insert(0, fill)
    for props in (def_rpr, tx_pr.find(f".//{{{A}}}endParaRPr")):
        if props is not None:
            if props.find(f"{{{A}}}latin") is None:
                latin = props.makeelement(f"{{{A}}}latin", {"typeface": style.latin})
                ea = props.find(f"{{{A}}}ea")
                if ea is not None:
                    ea.addprevious(latin)
                else:
                    props.append(latin)
            set_ea(props, style)


def _series_labels(ser, group):
    """The series' own c:dLbls, copied from its chart group's when it has none."""
    labels = ser.find(_c("dLbls"))
    if labels is None:
        labels = copy.deepcopy(group.find(_c("dLbls")))
        _insert_before(ser, labels, _AFTER_DLBLS)
    return labels


def _point_label(labels, point: int):
    for candidate in labels.findall(_c("dLbl")):
        if candidate.find(_c("idx")).get("val") == str(point):
            return candidate
    label = etree.Element(_c("dLbl"))
    etree.SubElement(label, _c("idx")).set("val", str(point))
    for tag in _COPIED:
        found = labels.find(_c(tag))
        if found is not None:
            label.append(copy.deepcopy(found))
    labels.insert(len(labels.findall(_c("dLbl"))), label)
    ordered = sorted(labels.findall(_c("dLbl")), key=lambda e: int(e.find(_c("idx")).get("val")))
    for position, element in enumerate(ordered):
        labels.insert(position, element)
    return label


def colour_labels(space, theme: Theme, style: Style) -> None:
    """Recolour every shown label that sits on a bar or slice, or is under 4.5:1 where it sits.

    A series whose labels all need the same colour gets it once; otherwise
    each point's label gets its own.
    """
    for series in series_in(space):
        wanted: dict[int, RGB] = {}
        shown = 0
        for point in range(len(series.values)):
            look = label_look(space, series, point, theme)
            if not look.shown:
                continue
            shown += 1
            if look.position in INSIDE or contrast(look.colour, look.background) < MIN_CONTRAST:
                colour = readable_on(look.background)
                if colour != look.colour:
                    wanted[point] = colour
        if not wanted:
            continue
        labels = _series_labels(series.element, series.group)
        if len(wanted) == shown and len(set(wanted.values())) == 1:
            _set_colour(labels, next(iter(wanted.values())), style)
            continue
        for point, colour in wanted.items():
            _set_colour(_point_label(labels, point), colour, style)


_QUOTED = re.compile(r'"([^"]*)"')


def label_text(value: float, number_format: str) -> str:
    """``value`` roughly as Excel's ``number_format`` shows it (for measuring a label, not for display)."""
    suffix = "".join(_QUOTED.findall(number_format))
    core = _QUOTED.sub("", number_format)
    percent = "%" in core
    decimals = len(core.split(".", 1)[1].rstrip("%")) if "." in core else 0
    shown = value * 100 if percent else value
    text = f"{shown:,.{decimals}f}" if "," in core else f"{shown:.{decimals}f}"
    return f"{text}{'%' if percent else ''}{suffix}"


def fits(value: float, number_format: str, length: float, pt: float, along: bool = True) -> bool:
    """Whether a label of ``value`` fits in a bar segment ``length`` EMU long: along a horizontal bar its
    width must fit, across a column segment its line height."""
    need = text_width(label_text(value, number_format), pt) if along else line_height(pt)
    return need + 2 * LABEL_PADDING_PT * 12700 <= length


def delete_labels(ser, points: list[int]) -> None:
    """Leave ``points``' labels off (c:dLbl with c:delete), keeping the dLbl elements in idx order."""
    if not points or (ser.find(_c("dLbls")) is None and ser.getparent().find(_c("dLbls")) is None):
        return
    labels = _series_labels(ser, ser.getparent())
    for point in points:
        labels.insert(0, etree.fromstring(f'<c:dLbl xmlns:c="{C}"><c:idx val="{point}"/><c:delete val="1"/></c:dLbl>'))
    ordered = sorted(labels.findall(_c("dLbl")), key=lambda e: int(e.find(_c("idx")).get("val")))
    for position, element in enumerate(ordered):
        labels.insert(position, element)


#: An automatic value axis runs up to about this much past the longest bar.
AXIS_HEADROOM = 1.15


def bar_length(box: Box, categories: list[str], style: Style) -> float:
    """Roughly how long (EMU) the value axis of a horizontal bar chart in ``box`` is drawn."""
    labels = max((text_width(str(c), style.chart_pt) for c in categories), default=0)
    return box.cx * 0.92 - labels - 8 * 12700


def slice_labels_that_fit(ser, values: list, box: Box, style: Style, hole: int, titled: bool) -> None:
    """A doughnut's share labels, left off slices whose arc is shorter than the label."""
    values = [max(v or 0.0, 0.0) for v in values]
    total = sum(values) or 1.0
    title = 3 * 12700 * style.chart_pt if titled else 0
    outer = 0.4 * min(box.cx * 0.75, box.cy - title)  # the legend takes the right quarter
    middle = outer * (1 + hole / 100) / 2
    delete_labels(ser, [i for i, v in enumerate(values)
                        if not fits(v / total, "0%", v / total * 2 * math.pi * middle, style.chart_pt)])


def no_legend_for_point_colours(space) -> None:
    """A series whose bars carry their own colours (RAG) would show a legend swatch matching none of
    them: its legend entry is left out."""
    legend = space.find(f".//{_c('legend')}")
    if legend is None:
        return
    for ser in space.iterfind(f".//{_c('ser')}"):
        vary = ser.getparent().find(_c("varyColors"))
        if ser.find(_c("dPt")) is None or (vary is not None and vary.get("val", "1") in ("1", "true")):
            continue
        entry = etree.fromstring(f'<c:legendEntry xmlns:c="{C}"><c:idx val="{ser.find(_c("idx")).get("val")}"/>'
                                 '<c:delete val="1"/></c:legendEntry>')
        position = legend.find(_c("legendPos"))
        if position is not None:
            position.addnext(entry)
        else:
            legend.insert(0, entry)
