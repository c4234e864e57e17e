"""Layout that cannot break: numbers never wrap, clean line breaks, columns that fit or are left out,
labels readable on their bars, axes from zero, legends that match the bars (issue 14)."""

from __future__ import annotations

import re

import pytest
from pptx import Presentation

from salesdeck.generator.render.breaks import CAPACITIES, settle, split_numbers
from salesdeck.generator.render.charts import add_chart
from salesdeck.generator.render.layouts import open_presentation
from salesdeck.generator.render.deck import render_deck
from salesdeck.generator.spec import ChartSpec, DeckSpec, PartSpec, Series, SlideSpec, TableSpec
from salesdeck.generator.render.style import Box, style_for
from salesdeck.generator.render.tables import CELL_MARGIN_X, fit_columns, layout_at
from salesdeck.generator.render.text import text_width, wrap
from salesdeck.generator.render.titles import fit_title

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
EMU_PER_PT = 12700


def breaks_of(lines: list[str]) -> list[int]:
    out, position = [], 0
    for line in lines[:-1]:
        position += len(re.sub(r"\s", "", line))
        out.append(position)
    return out


# ---------------------------------------------------------------- line breaks
def test_split_numbers_names_a_number_cut_by_a_break():
    assert split_numbers("合计1,695.4万元", [8]) == ["1,695.4万"]
    assert split_numbers("合计1,695.4万元", [9]) == ["1,695.4万"]  # before the unit
    assert split_numbers("合计1,695.4万元", [10]) == []  # after it
    assert split_numbers("2026年10月", [5]) == []        # between the year and the month
    assert split_numbers("2026年10月", [7]) == ["10月"]
    assert split_numbers("增长+32.1%", [7]) == ["+32.1%"]


def test_cjk_next_to_latin_is_measured_with_libreoffices_extra_space():
    # measured in LibreOffice at 20 pt: "中文" 40.0 pt, "中文A" 58.5 pt (an "A" is 13.7 pt)
    assert text_width("中文A", 20) - text_width("中文", 20) - text_width("A", 20) >= 0.24 * 20 * EMU_PER_PT


@pytest.mark.parametrize("text, pt, width_pt", [
    ("逾期超过60天；平均逾期远高于整体(22天)", 15, 270),
    ("11月10日检查进度；11月20日复盘", 15, 190),
    ("销售额合计1,695.4万元，环比+32.1%", 14, 150),
])
def test_settled_text_never_splits_a_number_or_leaves_one_character(text, pt, width_pt):
    settled = settle(text, pt, width_pt * EMU_PER_PT)
    assert settled.width <= width_pt * EMU_PER_PT
    for capacity in CAPACITIES:
        lines = wrap(text, pt, settled.width, safety=capacity)
        assert split_numbers(text, breaks_of(lines)) == [], lines
        assert len(lines) == 1 or len(re.sub(r"\s", "", lines[-1])) >= 2, lines
        assert len(lines) <= settled.lines


def test_a_title_that_would_leave_a_short_line_shrinks_or_balances():
    title = "7/14名销售代表未达标，杨帆仅74%；主因：活动正常：复核目标/资源（4个）"
    width = text_width(title[:-2], 26, bold=True) * 100 // 94  # at 26 pt only "个）" would be left over
    fitted = fit_title(title, width, 75 * EMU_PER_PT, 26, 14)
    for capacity in CAPACITIES:
        lines = wrap(fitted.text, fitted.pt, width - fitted.inset, bold=True, safety=capacity)
        assert len(lines) == 1 or len(re.sub(r"\s", "", lines[-1])) >= 3, (fitted, lines)
        assert split_numbers(title, breaks_of(lines)) == []


# ---------------------------------------------------------------- tables
OVERDUE = TableSpec(["客户", "销售代表", "未回款", "平均逾期天数", "最长逾期天数", "原因"],
                    [["成都金桥教育科技有限公司", "徐明", "9.6万", "50", "88", "逾期超过60天；平均逾期远高于整体(22天)"],
                     ["广州金桥制造有限公司", "杨帆", "40.7万", "32", "91", "逾期超过60天"]],
                    align=["l", "l", "r", "r", "r", "l"])


@pytest.mark.parametrize("width_in", [12.0, 9.0, 7.0])
@pytest.mark.parametrize("pt", [16.0, 11.0, 9.0])
def test_number_cells_and_headers_keep_their_numbers_whole(width_in, pt):
    layout = layout_at(OVERDUE, int(width_in * 914400), pt)
    assert layout is not None
    for row in [OVERDUE.columns, *OVERDUE.rows]:
        for col, text in enumerate(row):
            inner = layout.widths[col] - 2 * CELL_MARGIN_X
            for capacity in CAPACITIES:
                lines = wrap(text, pt, inner, bold=row is OVERDUE.columns, safety=capacity)
                if re.fullmatch(r"[\d.,+%万-]+", text):
                    assert len(lines) == 1, (text, lines)
    assert sum(layout.widths) == int(width_in * 914400)


def test_a_table_too_wide_for_the_slide_leaves_out_columns_from_the_right_never_the_first():
    columns = ["销售代表"] + [f"指标{i}" for i in range(1, 15)]
    spec = TableSpec(columns, [["吴婷"] + ["1,234,567.8万"] * 14])
    fitted, dropped = fit_columns(spec, 10 * 914400)
    assert fitted.columns[0] == "销售代表"
    assert dropped == columns[len(fitted.columns):][::-1]
    assert fitted.columns + dropped[::-1] == columns
    assert layout_at(fitted, 10 * 914400, 9.0) is not None


def test_the_deck_notes_say_which_columns_were_left_out(tmp_path):
    columns = ["销售代表"] + [f"指标{i}" for i in range(1, 15)]
    table = TableSpec(columns, [["吴婷"] + ["1,234,567.8万"] * 14])
    spec = DeckSpec("zh", "公司", "2026年10月", "月例会", "", "目录",
                    [PartSpec(1, "第一部分", [SlideSpec("table", "宽表", table=table, notes="来源：订单")])])
    prs = Presentation(str(render_deck(spec, tmp_path / "deck.pptx")))
    slide = prs.slides[3]
    shown = [c.text for c in next(s for s in slide.shapes if s.has_table).table.rows[0].cells]
    notes = slide.notes_slide.notes_text_frame.text
    assert shown[0] == "销售代表" and len(shown) < len(columns)
    assert f"未显示的列：{'、'.join(c for c in columns if c not in shown)}（见工作簿）" in notes


def test_a_long_table_beside_a_chart_starts_under_the_chart_on_the_first_slide(tmp_path):
    rows = [[f"客户{i:02d}有限公司", "张伟", f"{i}.5万", str(40 + i), str(60 + i), "逾期超过60天；平均逾期远高于整体(22天)"]
            for i in range(1, 16)]
    table = TableSpec(OVERDUE.columns, rows, align=OVERDUE.align)
    chart = ChartSpec("column", ["未到期", "1-30天"], [Series("未回款", [100.1, 86.3])], '#,##0.0"万"')
    spec = DeckSpec("zh", "公司", "2026年10月", "月例会", "", "目录",
                    [PartSpec(3, "关键问题诊断", [SlideSpec("chart_table", "应收账龄", charts=[chart], table=table)])])
    prs = Presentation(str(render_deck(spec, tmp_path / "deck.pptx")))
    slides = list(prs.slides)[3:]
    first = slides[0]
    assert first.shapes.title.text == "应收账龄"
    assert any(s.has_chart for s in first.shapes if hasattr(s, "has_chart")) and any(s.has_table for s in first.shapes)
    assert [s.shapes.title.text for s in slides[1:]] == ["应收账龄（续）"] * (len(slides) - 1)
    drawn = [c.text for s in slides for sh in s.shapes if sh.has_table for r in list(sh.table.rows)[1:]
             for c in list(r.cells)[:1]]
    assert drawn == [r[0] for r in rows]


# ---------------------------------------------------------------- charts
def _chart(spec: ChartSpec, box=Box(0, 0, 5486400, 3657600)):
    prs = open_presentation(None)  # our default theme: accent1 is dark blue 2F5597
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    return add_chart(slide, spec, box, style_for("zh")).chart


def _label_fill(holder) -> str | None:
    fill = holder.find(f"{C}txPr//{A}defRPr/{A}solidFill/{A}srgbClr") if holder is not None else None
    return fill.get("val") if fill is not None else None


def test_labels_on_dark_funnel_bars_are_white_and_narrow_stages_have_none():
    chart = _chart(ChartSpec("funnel", ["电话", "拜访", "方案", "成交"], [Series("数量", [2054, 392, 104, 30])]))
    labels = chart.plots[0].series[1]._element.find(f"{C}dLbls")
    assert _label_fill(labels) == "FFFFFF"  # the default theme's accent1 is dark blue 2F5597
    deleted = {int(d.find(f"{C}idx").get("val")) for d in labels.findall(f"{C}dLbl") if d.find(f"{C}delete") is not None}
    assert 3 in deleted and not deleted & {0, 1}  # 30 of 2,054 is a sliver narrower than its label


def test_slice_labels_are_light_or_dark_by_slice():
    chart = _chart(ChartSpec("doughnut", ["推荐者", "中立者", "贬损者"], [Series("人数", [74, 50, 36])],
                             point_fills=["green", "amber", "red"]))
    labels = chart.plots[0].series[0]._element.find(f"{C}dLbls")
    by_point = {int(d.find(f"{C}idx").get("val")): _label_fill(d) for d in labels.findall(f"{C}dLbl")}
    # white on green 1E8449 (4.8:1) and red C0392B (5.4:1); on amber B9770E only black reaches 4.5:1
    assert by_point == {0: "FFFFFF", 1: "000000", 2: "FFFFFF"}


@pytest.mark.parametrize("spec", [
    ChartSpec("column", ["9月", "10月"], [Series("销售额", [1211.9, 1514.2])]),
    ChartSpec("bar", ["甲", "乙"], [Series("本期", [4.1, 3.6]), Series("上期", [4.4, 3.6])], "0.0"),
    ChartSpec("stacked_bar", ["甲", "乙"], [Series("新签", [10.0, 20.0]), Series("续约", [300.0, 280.0])]),
    ChartSpec("waterfall", ["9月", "华东", "华北", "10月"], [Series("环比", [1211.9, 169.6, -7.9, 1373.6])]),
    ChartSpec("combo", ["华东", "华南"], [Series("目标", [412.3, 412.4], "column"), Series("实际", [399.9, 321.7], "column"),
                                         Series("达成率", [0.97, 0.78], "line")], secondary_number_format="0%"),
], ids=["column", "bar", "stacked_bar", "waterfall", "combo"])
def test_bar_column_and_waterfall_axes_start_at_zero(spec):
    assert _chart(spec).value_axis.minimum_scale == 0


def test_bars_coloured_by_rag_have_no_legend_swatch():
    chart = _chart(ChartSpec("combo", ["华东", "华南"],
                             [Series("目标", [412.3, 412.4], "column"), Series("实际", [399.9, 321.7], "column"),
                              Series("达成率", [0.97, 0.78], "line")], secondary_number_format="0%",
                             point_fills=["green", "red"]))
    legend = chart._chartSpace.find(f".//{C}legend")
    hidden = [e.find(f"{C}idx").get("val") for e in legend.findall(f"{C}legendEntry") if e.find(f"{C}delete") is not None]
    assert hidden == ["1"]  # 实际, whose bars are green and red; 目标 and 达成率 keep theirs


def test_horizontal_bars_of_several_series_run_bottom_up_so_the_legend_reads_like_the_bars():
    chart = _chart(ChartSpec("bar", ["产品质量", "交付及时", "售后服务"], [Series("上期", [4.4, 3.6, 3.8]),
                                                                    Series("本期", [4.3, 3.9, 3.7])], "0.0"))
    assert list(chart.plots[0].categories) == ["售后服务", "交付及时", "产品质量"]  # first category drawn on top
    assert chart.category_axis.reverse_order is False
    assert [s.values for s in chart.plots[0].series] == [(3.8, 3.6, 4.4), (3.7, 3.9, 4.3)]


def test_months_become_short_names_under_their_year():
    chart = _chart(ChartSpec("line", [f"2025-{m}" for m in (11, 12)] + ["2026-01"], [Series("客单价", [3.1, 3.8, 3.9])]))
    levels = [[c.label for c in level] for level in chart.plots[0].categories.levels]
    assert levels == [["11月", "12月", "1月"], ["2025", "2026"]]
