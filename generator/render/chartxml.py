"""A chart part read as a renderer draws it: each series' fill and each data label's colour and background.

Colours follow the chart's own chain of inheritance (point, series, chart
group, chart) and the theme for scheme and automatic colours, so the
renderer can colour labels for contrast and preflight can check any deck's
charts the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from salesdeck.generator.render.colours import BLACK, RGB, WHITE, Theme, fill_colour, resolve

__all__ = ["C", "A", "flag", "Series", "LabelLook", "series_in", "label_look", "plot_background", "text_colour",
           "INSIDE", "ROUND"]

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
#: Label positions on the bar or slice itself; every other position puts the label beside it.
INSIDE = {"ctr", "inEnd", "inBase", "bestFit"}
ROUND = {"pieChart", "pie3DChart", "doughnutChart", "ofPieChart"}
_SHOW = ("showVal", "showPercent", "showCatName", "showSerName")


def _c(tag: str) -> str:
    return f"{{{C}}}{tag}"


def _val(element, tag: str, default: str | None = None) -> str | None:
    found = element.find(_c(tag)) if element is not None else None
    return found.get("val", default) if found is not None else default


def flag(element, tag: str) -> bool | None:
    """A CT_Boolean child: None when absent; present without ``val`` means true (the schema's default)."""
    found = element.find(_c(tag)) if element is not None else None
    if found is None:
        return None
    return found.get("val", "1") in ("1", "true")


def _texts(parent) -> list[str]:
    """The cached texts of a c:tx or c:cat (the leaf level of multi-level categories)."""
    if parent is None:
        return []
    direct = parent.find(_c("v"))
    if direct is not None:
        return [direct.text or ""]
    multi = parent.find(f".//{_c('multiLvlStrCache')}")
    if multi is not None:
        cache = multi.find(_c("lvl"))
    else:
        cache = next(iter(parent.iter(_c("strCache"), _c("numCache"))), None)
    if cache is None:
        return []
    points = {int(pt.get("idx", "0")): pt.findtext(_c("v")) or "" for pt in cache.findall(_c("pt"))}
    count = max(int(_val(cache, "ptCount", "0") or 0), max(points, default=-1) + 1)
    return [points.get(i, "") for i in range(count)]


def _values(ser) -> list[float | None]:
    cache = ser.find(f"{_c('val')}//{_c('numCache')}")
    if cache is None:
        return []
    count = int(_val(cache, "ptCount", "0") or 0)
    values: list[float | None] = [None] * count
    for pt in cache.findall(_c("pt")):
        index = int(pt.get("idx", "0"))
        try:
            number = float(pt.find(_c("v")).text)
        except (TypeError, ValueError, AttributeError):
            continue
        if index >= len(values):
            values.extend([None] * (index + 1 - len(values)))
        values[index] = number
    return values


@dataclass
class Series:
    """One c:ser and the chart group (c:barChart, c:pieChart, ...) it belongs to."""

    element: object
    group: object
    index: int
    order: int
    name: str
    categories: list[str]
    values: list[float | None]

    @property
    def kind(self) -> str:
        return etree.QName(self.group).localname

    @property
    def vary(self) -> bool:
        return bool(flag(self.group, "varyColors")) and (
            self.kind in ROUND or len(self.group.findall(_c("ser"))) == 1)

    @property
    def bar_dir(self) -> str | None:
        return _val(self.group, "barDir", "col") if self.kind in ("barChart", "bar3DChart") else None

    @property
    def grouping(self) -> str:
        return _val(self.group, "grouping", "clustered") or "clustered"

    def fill(self, theme: Theme) -> RGB | str | None:
        """The series' own fill: an RGB, "none", or the theme's automatic colour."""
        own = fill_colour(self.element.find(_c("spPr")), theme)
        if own is None and self.kind == "lineChart":
            line = self.element.find(f"{_c('spPr')}/{{{A}}}ln")
            own = fill_colour(line, theme) if line is not None else None
        return own if own is not None else theme.accent(self.index)

    def point_fills(self, theme: Theme) -> dict[int, RGB | str | None]:
        """Fills set on single points (c:dPt)."""
        found = {}
        for point in self.element.findall(_c("dPt")):
            fill = fill_colour(point.find(_c("spPr")), theme)
            if fill is not None:
                found[int(_val(point, "idx", "0"))] = fill
        return found

    def point_fill(self, point: int, theme: Theme) -> RGB | str | None:
        own = self.point_fills(theme).get(point)
        if own is not None:
            return own
        return theme.accent(point) if self.vary else self.fill(theme)


def series_in(space) -> list[Series]:
    """Every series of a chart (c:chartSpace), in the order of the plot area's chart groups."""
    plot = space.find(f"{_c('chart')}/{_c('plotArea')}")
    found = []
    for group in plot if plot is not None else []:
        for ser in group.findall(_c("ser")):
            name_texts = _texts(ser.find(_c("tx")))
            found.append(Series(ser, group, int(_val(ser, "idx", "0")), int(_val(ser, "order", "0")),
                                name_texts[0] if name_texts else "", _texts(ser.find(_c("cat"))), _values(ser)))
    return found


def _txpr_colour(holder, theme: Theme) -> RGB | None:
    for path in (f"{_c('txPr')}//{{{A}}}defRPr/{{{A}}}solidFill", f"{_c('tx')}//{{{A}}}rPr/{{{A}}}solidFill"):
        fill = holder.find(path)
        if fill is not None:
            return resolve(fill, theme)
    return None


def text_colour(space, theme: Theme, *holders) -> RGB:
    """The first colour set on ``holders`` (a label, its series' labels, ...), then the chart's, then tx1."""
    for holder in (*holders, space):
        colour = _txpr_colour(holder, theme)
        if colour is not None:
            return colour
    return theme.rgb("tx1") or BLACK


def plot_background(space, theme: Theme) -> RGB:
    """What sits behind labels placed beside their bars: the plot area's fill, the chart's, else the slide's."""
    plot = space.find(f"{_c('chart')}/{_c('plotArea')}")
    for sp_pr in (plot.find(_c("spPr")) if plot is not None else None, space.find(_c("spPr"))):
        fill = fill_colour(sp_pr, theme)
        if isinstance(fill, tuple):
            return fill
    return theme.rgb("bg1") or WHITE


@dataclass
class LabelLook:
    """One point's data label: whether it shows, where, its text colour and what is behind it."""

    shown: bool
    position: str
    colour: RGB
    background: RGB


def _default_position(series: Series) -> str:
    if series.kind in ROUND:
        return "bestFit" if series.kind != "doughnutChart" else "ctr"
    if series.kind in ("barChart", "bar3DChart"):
        return "ctr" if series.grouping in ("stacked", "percentStacked") else "outEnd"
    return "r"


def _deleted(labels) -> bool:
    return bool(flag(labels, "delete"))


def label_look(space, series: Series, point: int, theme: Theme) -> LabelLook:
    """How ``series``' label at ``point`` is drawn (shown False when it is not)."""
    own_labels = series.element.find(_c("dLbls"))
    point_label = None
    if own_labels is not None:
        for candidate in own_labels.findall(_c("dLbl")):
            if _val(candidate, "idx") == str(point):
                point_label = candidate
    group_labels = series.group.find(_c("dLbls"))
    chain = [x for x in (point_label, own_labels, group_labels) if x is not None]
    if not chain or _deleted(chain[0]):
        return LabelLook(False, "", BLACK, WHITE)
    shown = False
    for name in _SHOW:
        for holder in chain:
            value = flag(holder, name)
            if value is not None:
                shown = shown or value
                break
    position = next((_val(x, "dLblPos") for x in chain if _val(x, "dLblPos")), None) or _default_position(series)
    colour = text_colour(space, theme, *chain)
    box = next((fill_colour(x.find(_c("spPr")), theme) for x in chain if x.find(_c("spPr")) is not None), None)
    if isinstance(box, tuple):
        background = box
    else:
        fill = series.point_fill(point, theme) if position in INSIDE else None
        background = fill if isinstance(fill, tuple) else plot_background(space, theme)
    value_missing = point >= len(series.values) or series.values[point] is None
    return LabelLook(shown and not value_missing, position, colour, background)
