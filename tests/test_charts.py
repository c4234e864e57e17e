"""Native charts from ChartSpecs: types, values, formats, helper series, RAG points, fonts, LibreOffice."""

from __future__ import annotations

import re
import zipfile

import pytest
from lxml import etree
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from salesdeck.generator.render.charts import add_chart
from salesdeck.generator.spec import ChartSpec, Series
from salesdeck.generator.render.style import Box, style_for

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
REGIONS = ["华东", "华南", "华北", "西南"]

SPECS = {
    "column": ChartSpec("column", REGIONS, [Series("实际", [242.3, 209.7, 399.9, 321.7])], '#,##0.0"万"', "销售额（万元）",
                        point_fills=["green", "amber", None, "red"]),
    "bar": ChartSpec("bar", ["甲", "乙"], [Series("本期", [4.1, 3.6]), Series("上期", [4.4, 3.6])], "0.0"),
    "stacked_bar": ChartSpec("stacked_bar", REGIONS, [Series("新签", [1.0, 25.0, 3.0, 4.0]),
                                                      Series("续约", [200.0, 180.0, 300.0, 250.0])], '#,##0"万"'),
    "line": ChartSpec("line", ["2026-08", "2026-09", "2026-10"], [Series("客单价", [3.2, None, 3.0])], '0.0"万"'),
    "doughnut": ChartSpec("doughnut", ["推荐者", "中立者", "贬损者"], [Series("人数", [74, 50, 36])],
                          point_fills=["green", "amber", "red"]),
    "pie": ChartSpec("pie", ["直营", "分销"], [Series("占比", [0.8, 0.2])], "0%"),
    "combo": ChartSpec("combo", REGIONS, [Series("目标", [212.5, 207.5, 412.3, 412.4], "column"),
                                          Series("实际", [242.3, 209.7, 399.9, 321.7], "column"),
                                          Series("达成率", [1.14, 1.01, 0.97, 0.78], "line")],
                       '#,##0.0"万"', "目标 vs 实际（万元）", point_fills=["green", "green", "amber", "red"],
                       secondary_number_format="0%"),
    "waterfall": ChartSpec("waterfall", ["上月", "华东", "西南", "本月"], [Series("变化", [100.0, 30.0, -20.0, 110.0])]),
    "funnel": ChartSpec("funnel", ["电话", "拜访", "方案", "成交"], [Series("数量", [2054, 392, 104, 30])]),
    "empty": ChartSpec("column", [], []),
}


@pytest.fixture(scope="module", params=[(12192000, 6858000), (9144000, 6858000)], ids=["16x9", "4x3"])
def deck(request, tmp_path_factory):
    width, height = request.param
    prs = Presentation()
    prs.slide_width, prs.slide_height = width, height
    box = Box(int(width * 0.05), int(height * 0.2), int(width * 0.9), int(height * 0.7))
    for spec in SPECS.values():
        slide = prs.slides.add_slide(prs.slide_layouts[6])
        add_chart(slide, spec, box, style_for("zh"))
    path = tmp_path_factory.mktemp("charts") / f"charts-{width}.pptx"
    prs.save(str(path))
    return path, box


def chart_on(deck, name):
    prs = Presentation(str(deck[0]))
    slide = prs.slides[list(SPECS).index(name)]
    frames = [s for s in slide.shapes if getattr(s, "has_chart", False) and s.has_chart]
    return (frames[0].chart, frames[0]) if frames else (None, slide)


def series_values(chart):
    return {s.name: list(s.values) for plot in chart.plots for s in plot.series}


def test_column_values_categories_labels_and_rag_points(deck):
    chart, frame = chart_on(deck, "column")
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    assert list(chart.plots[0].categories) == REGIONS
    assert series_values(chart) == {"实际": [242.3, 209.7, 399.9, 321.7]}
    assert chart.plots[0].data_labels.number_format == '#,##0.0"万"'
    assert chart.chart_title.text_frame.text == "销售额（万元）"
    points = chart.plots[0].series[0].points
    assert str(points[0].format.fill.fore_color.rgb) == "1E8449"
    assert str(points[3].format.fill.fore_color.rgb) == "C0392B"
    box = deck[1]
    assert (frame.left, frame.top, frame.width, frame.height) == (box.x, box.y, box.cx, box.cy)


def test_combo_has_columns_and_a_line_on_a_secondary_axis(deck):
    chart, _ = chart_on(deck, "combo")
    kinds = [type(p).__name__ for p in chart.plots]
    assert kinds == ["BarPlot", "LinePlot"]
    assert series_values(chart) == {"目标": [212.5, 207.5, 412.3, 412.4], "实际": [242.3, 209.7, 399.9, 321.7],
                                    "达成率": [1.14, 1.01, 0.97, 0.78]}
    plot_area = chart._chartSpace.find(f"{C}chart/{C}plotArea")
    value_axes = plot_area.findall(f"{C}valAx")
    assert len(value_axes) == 2
    secondary = value_axes[1]
    assert secondary.find(f"{C}axPos").get("val") == "r"
    assert secondary.find(f"{C}numFmt").get("formatCode") == "0%"
    assert value_axes[0].find(f"{C}numFmt").get("formatCode") == '#,##0"万"'  # axis ticks without decimals
    line_ids = [e.get("val") for e in plot_area.find(f"{C}lineChart").findall(f"{C}axId")]
    assert secondary.find(f"{C}axId").get("val") in line_ids
    line_labels = plot_area.find(f"{C}lineChart/{C}ser/{C}dLbls/{C}numFmt")
    assert line_labels.get("formatCode") == "0%"
    # schema order: every chart group before the first axis
    tags = [etree.QName(e).localname for e in plot_area]
    assert tags.index("lineChart") < tags.index("catAx")


def test_waterfall_steps_float_on_an_invisible_base(deck):
    chart, _ = chart_on(deck, "waterfall")
    values = series_values(chart)
    assert values["base"] == [0.0, 100.0, 110.0, 0.0]
    assert values["变化"] == [100.0, 30.0, 20.0, 110.0]
    base = chart.plots[0].series[0]._element
    assert base.find(f"{C}spPr/{A}noFill") is not None
    assert base.find(f"{C}dLbls") is None
    # the falling step (西南, index 2) shows its minus sign; rising steps are outlined green, falling red
    steps = chart.plots[0].series[1]
    labels = {int(d.find(f"{C}idx").get("val")): d.find(f"{C}numFmt").get("formatCode")
              for d in steps._element.find(f"{C}dLbls").findall(f"{C}dLbl")}
    assert {i for i, code in labels.items() if code.startswith("-")} == {2}
    assert labels[2] == "-#,##0"
    assert str(steps.points[1].format.line.color.rgb) == "1E8449"
    assert str(steps.points[2].format.line.color.rgb) == "C0392B"


def test_bridge_with_small_steps_still_starts_its_axis_at_zero(tmp_path):
    """A cut axis made October look three times September (issue 14)."""
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    spec = ChartSpec("waterfall", ["9月", "华东", "华北", "10月"], [Series("环比", [1211.9, 169.6, -7.9, 1373.6])])
    frame = add_chart(slide, spec, Box(0, 0, 8000000, 5000000), style_for("zh"))
    assert frame.chart.value_axis.minimum_scale == 0


def test_funnel_is_centred_with_stages_top_down(deck):
    chart, _ = chart_on(deck, "funnel")
    values = series_values(chart)
    assert values["数量"] == [2054, 392, 104, 30]
    assert values["offset"] == [0.0, 831.0, 975.0, 1012.0]
    assert chart.category_axis.reverse_order is True
    assert chart.plots[0].series[0]._element.find(f"{C}spPr/{A}noFill") is not None


def test_stacked_labels_skip_segments_too_small_to_hold_them(deck):
    chart, _ = chart_on(deck, "stacked_bar")
    new = chart.plots[0].series[0]._element.find(f"{C}dLbls")
    deleted = {int(d.find(f"{C}idx").get("val")) for d in new.findall(f"{C}dLbl") if d.find(f"{C}delete") is not None}
    assert deleted == {0, 2, 3}  # 1, 3 and 4 are under 7% of the longest bar (303); 25 is not


def test_doughnut_shows_shares_with_rag_points(deck):
    chart, _ = chart_on(deck, "doughnut")
    assert chart.chart_type == XL_CHART_TYPE.DOUGHNUT
    assert chart.plots[0].data_labels.show_percentage is True
    assert chart.has_legend
    assert str(chart.plots[0].series[0].points[2].format.fill.fore_color.rgb) == "C0392B"


def test_line_keeps_gaps_for_missing_months(deck):
    chart, _ = chart_on(deck, "line")
    assert series_values(chart) == {"客单价": [3.2, None, 3.0]}


def test_empty_chart_says_no_data(deck):
    chart, slide = chart_on(deck, "empty")
    assert chart is None
    assert any(s.has_text_frame and s.text_frame.text == "无数据" for s in slide.shapes)


def test_every_chart_text_style_names_an_east_asian_font(deck):
    with zipfile.ZipFile(deck[0]) as z:
        charts = [n for n in z.namelist() if re.match(r"ppt/charts/chart\d+\.xml$", n)]
        assert len(charts) == len(SPECS) - 1
        for name in charts:
            root = etree.fromstring(z.read(name))
            styled = [e for tag in ("defRPr", "rPr", "endParaRPr") for e in root.iter(f"{A}{tag}")]
            assert styled, name
            for props in styled:
                assert props.find(f"{A}ea") is not None and props.find(f"{A}ea").get("typeface") == "Microsoft YaHei", name


@pytest.mark.office
def test_libreoffice_draws_every_chart(office, deck, tmp_path):
    pdf = office.convert(deck[0], tmp_path)
    assert office.pdf_pages(pdf) == len(SPECS)
    text = re.sub(r"\s+", "", office.pdf_text(pdf))
    for expected in ("华东", "242.3万", "114%", "无数据", "推荐者", "电话", "2,054"):
        assert expected in text, expected


# ---------------------------------------------------------------- the workbook behind each chart (Edit Data)
def _embedded(chart):
    import io

    import openpyxl

    blob = chart.part.chart_workbook.xlsx_part.blob
    return blob, openpyxl.load_workbook(io.BytesIO(blob)).active


def _ref_values(sheet, ref):
    """The cells a chart formula such as Sheet1!$B$2:$B$5 points at."""
    area = ref.split("!")[1].replace("$", "")
    return [cell.value for row in sheet[area] for cell in (row if isinstance(row, tuple) else (row,))] \
        if ":" in area else [sheet[area].value]


@pytest.mark.parametrize("name", ["column", "bar", "line", "combo", "waterfall"])
def test_each_chart_embeds_a_workbook_holding_its_data_where_its_formulas_point(deck, name):
    chart, _ = chart_on(deck, name)
    blob, sheet = _embedded(chart)
    with zipfile.ZipFile(__import__("io").BytesIO(blob)) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}  # same input, same bytes
    for series in chart.plots[0].series:
        ser = series._element
        name_ref = ser.find(f"{C}tx/{C}strRef/{C}f").text
        cat_ref = ser.find(f"{C}cat/{C}strRef/{C}f")
        val_ref = ser.find(f"{C}val/{C}numRef/{C}f").text
        assert _ref_values(sheet, name_ref) == [series.name]
        if cat_ref is not None:
            assert _ref_values(sheet, cat_ref.text) == list(chart.plots[0].categories)
        else:  # months: the year over short month names, one column each
            cat_ref = ser.find(f"{C}cat/{C}multiLvlStrRef/{C}f").text
            assert _ref_values(sheet, cat_ref) == ["2026", "8月", None, "9月", None, "10月"]
        expected = [None if v is None else pytest.approx(v) for v in series.values]
        assert _ref_values(sheet, val_ref) == expected


def test_embedded_workbook_keeps_odd_text_and_missing_values():
    import io

    import openpyxl

    from salesdeck.generator.render.chartbook import workbook_bytes

    blob = workbook_bytes(["A & B <c>", "控制\x01字符", "  spaced  "], [("系列 \"1\"", [1.5, None, -2.0]), ("二", [1e-05, 3.0, float("nan")])])
    sheet = openpyxl.load_workbook(io.BytesIO(blob)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        [None, '系列 "1"', "二"],
        ["A & B <c>", 1.5, 1e-05],
        ["控制_x0001_字符", None, 3],
        ["  spaced  ", -2, None],
    ]
    assert workbook_bytes(["x"], [("s", [1.0])]) == workbook_bytes(["x"], [("s", [1.0])])


@pytest.mark.office
def test_libreoffice_opens_a_chart_workbook(office, deck, tmp_path):
    chart, _ = chart_on(deck, "combo")
    path = tmp_path / "chart-data.xlsx"
    path.write_bytes(chart.part.chart_workbook.xlsx_part.blob)
    csv = office.convert(path, tmp_path / "csv", fmt="csv:Text - txt - csv (StarCalc):44,34,76")  # UTF-8
    lines = csv.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",目标,实际,达成率"
    assert lines[1] == "华东,212.5,242.3,1.14"
    assert len(lines) == 5
