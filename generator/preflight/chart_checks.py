"""Checks on charts: data labels readable on what they sit on, legends that match their bars,
value axes from zero, axis and legend labels without numbers split across lines."""

from __future__ import annotations

from salesdeck.generator.render.breaks import split_numbers
from salesdeck.generator.render.chartxml import Series, flag, label_look, series_in
from salesdeck.generator.render.colours import MIN_CONTRAST, contrast, hex_of
from salesdeck.generator.preflight.lines import Line, comparable, lines_of
from salesdeck.generator.preflight.pdfwords import Page
from salesdeck.generator.preflight.report import Defect
from salesdeck.generator.preflight.slides import ChartShape, SlideView

__all__ = ["check_chart"]

_C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
_BARS = ("barChart", "bar3DChart")


def _title(chart: ChartShape, space) -> str:
    texts = [t.text for t in space.iterfind(f"{_C}chart/{_C}title//{{*}}t") if t.text]
    return f"{chart.name} ({''.join(texts)})" if texts else chart.name


def _labels(view: SlideView, name: str, space, series: list[Series]) -> list[Defect]:
    defects = []
    for ser in series:
        poor = []
        for point in range(len(ser.values)):
            look = label_look(space, ser, point, view.theme)
            if look.shown and contrast(look.colour, look.background) < MIN_CONTRAST:
                category = ser.categories[point] if point < len(ser.categories) else str(point + 1)
                poor.append(f"{category} {contrast(look.colour, look.background):.1f}:1 "
                            f"(#{hex_of(look.colour)} on #{hex_of(look.background)})")
        if poor:
            defects.append(Defect(view.number, "label_contrast", name,
                                  f"series {ser.name!r}: labels hard to read: {'; '.join(poor)}"))
    return defects


def _legend_entries(space, series: list[Series]) -> list[Series] | None:
    """Series the legend lists (None when there is no legend; round charts list points, not series)."""
    legend = space.find(f"{_C}chart/{_C}legend")
    if legend is None:
        return None
    deleted = {entry.find(f"{_C}idx").get("val") for entry in legend.findall(f"{_C}legendEntry")
               if flag(entry, "delete") and entry.find(f"{_C}idx") is not None}
    return [s for s in series if not s.vary and str(s.index) not in deleted]


def _legend_colours(view: SlideView, name: str, entries: list[Series]) -> list[Defect]:
    defects = []
    for ser in entries:
        swatch = ser.fill(view.theme)
        if swatch == "none":
            defects.append(Defect(view.number, "legend_colour", name,
                                  f"legend lists {ser.name!r}, a series drawn without fill"))
            continue
        points = {f for i, f in ser.point_fills(view.theme).items() if i < len(ser.values) and ser.values[i] is not None}
        differ = sorted(hex_of(f) for f in points if isinstance(f, tuple) and f != swatch)
        if differ:
            shown = hex_of(swatch) if isinstance(swatch, tuple) else "automatic"
            defects.append(Defect(view.number, "legend_colour", name,
                                  f"legend swatch of {ser.name!r} is #{shown} but its bars are "
                                  f"{', '.join('#' + d for d in differ)}"))
    return defects


def _found(name: str, lines: list[Line]) -> tuple[float, float, int] | None:
    """Where ``name`` is drawn lowest in the chart (legends sit below or beside the plot): (y, x, offset)."""
    target = comparable(name)
    best = None
    for line in lines:
        offset = line.text.find(target) if target else -1
        if offset >= 0:
            spot = (round(line.y0), line.x0, offset)
            if best is None or spot[0] > best[0]:
                best = spot
    return best


def _legend_order(view: SlideView, name: str, space, entries: list[Series], lines: list[Line]) -> list[Defect]:
    bars = [s for s in entries if s.kind in _BARS and s.grouping in ("clustered", "standard")]
    if len(bars) < 2 or len({id(s.group) for s in bars}) != 1:
        return []
    spots = [_found(s.name, lines) for s in bars]
    if any(spot is None for spot in spots) or len(set(spots)) != len(spots):
        return []
    legend = [s.name for _, s in sorted(zip(spots, bars), key=lambda pair: pair[0])]
    by_order = [s.name for s in sorted(bars, key=lambda s: s.order)]
    axis = _category_axis(space, bars[0].group)
    orientation = axis.find(f"{_C}scaling/{_C}orientation") if axis is not None else None
    reversed_axis = orientation is not None and orientation.get("val") == "maxMin"
    if bars[0].bar_dir == "bar":  # horizontal: the first series is on top only when the axis runs top down
        drawn = by_order if reversed_axis else by_order[::-1]
    else:
        drawn = by_order[::-1] if reversed_axis else by_order
    if legend != drawn:
        return [Defect(view.number, "legend_order", name,
                       f"legend lists {' / '.join(legend)} but the bars run {' / '.join(drawn)}")]
    return []


def _axis(space, group, tag: str):
    ids = {a.get("val") for a in group.findall(f"{_C}axId")}
    for axis in space.iterfind(f"{_C}chart/{_C}plotArea/{_C}{tag}"):
        found = axis.find(f"{_C}axId")
        if found is not None and found.get("val") in ids:
            return axis
    return None


def _category_axis(space, group):
    found = _axis(space, group, "catAx")
    return found if found is not None else _axis(space, group, "dateAx")


def _plotted(series: list[Series], group) -> list[float]:
    """The lengths the bars of ``group`` reach: each value, or each category's total when stacked."""
    members = [s for s in series if s.group is group]
    if members and members[0].grouping in ("stacked", "percentStacked"):
        count = max(len(s.values) for s in members)
        return [sum(s.values[i] or 0.0 for s in members if i < len(s.values)) for i in range(count)]
    return [v for s in members for v in s.values if v is not None]


def _axis_zero(view: SlideView, name: str, space, series: list[Series]) -> list[Defect]:
    """LibreOffice starts an automatic axis at zero unless every value is at least 5/6 of the largest."""
    defects = []
    groups = {id(s.group): s.group for s in series if s.kind in _BARS}
    for group in groups.values():
        axis = _axis(space, group, "valAx")
        if axis is None or flag(axis, "delete"):
            continue
        low = axis.find(f"{_C}scaling/{_C}min")
        values = _plotted(series, group)
        if low is not None:
            if float(low.get("val", "0")) > 0:
                defects.append(Defect(view.number, "axis_zero", name, f"value axis starts at {low.get('val')}"))
        elif values and min(values) > 0 and min(values) >= max(values) * 5 / 6:
            defects.append(Defect(view.number, "axis_zero", name,
                                  f"automatic value axis over {min(values):g}..{max(values):g} does not start at zero"))
    return defects


def _split_labels(view: SlideView, name: str, texts: set[str], lines: list[Line]) -> list[Defect]:
    """Axis and legend labels with a number drawn over two lines ("2025-" above "10")."""
    split = []
    for text in sorted(texts):
        target = comparable(text)
        if not any(ch.isdigit() for ch in target) or any(target in line.text for line in lines):
            continue
        for upper in lines:
            if not upper.text or not target.startswith(upper.text) or upper.text == target:
                continue
            rest = target[len(upper.text):]
            height = upper.y1 - upper.y0
            below = [line for line in lines if line.text.startswith(rest) and line.cy > upper.cy + height / 2
                     and line.y0 - upper.y1 <= height and line.x0 < upper.x1 and upper.x0 < line.x1]
            numbers = split_numbers(target, [len(upper.text)]) if below else []
            if numbers:
                split.append(f"{text!r} drawn as {upper.text!r} / {rest!r}")
                break
    if not split:
        return []
    more = f" and {len(split) - 3} more" if len(split) > 3 else ""
    return [Defect(view.number, "number_split", name,
                   f"{len(split)} label(s) split across lines: {'; '.join(split[:3])}{more}")]


def check_chart(view: SlideView, page: Page, chart: ChartShape) -> list[Defect]:
    space = chart.space
    name = _title(chart, space)
    series = series_in(space)
    lines = lines_of(page.words, chart.rect, 2.0)
    # chart labels sit close together: each word on its own as well as the lines they form
    lines += [Line([word]) for word in page.words if chart.rect.holds(word.cx, word.cy, 2.0)]
    defects = _labels(view, name, space, series)
    entries = _legend_entries(space, series)
    if entries:
        defects += _legend_colours(view, name, entries)
        defects += _legend_order(view, name, space, entries, lines)
    defects += _axis_zero(view, name, space, series)
    texts = {c for s in series for c in s.categories} | {s.name for s in (entries or [])}
    defects += _split_labels(view, name, texts, lines)
    return defects
