"""`salesdeck preflight`: every check finds its defect on a deck broken on purpose, and the decks we
build (zh and en samples, a 4:3 company template, a real-world import, sparse variants) have none."""

from __future__ import annotations

import copy
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.util import Emu, Inches, Pt

from salesdeck.cli import cli
from salesdeck.jobs.build import deck_from_model
from salesdeck.generator.preflight import KINDS, preflight
from salesdeck.jobs.scope import restrict
from salesdeck.generator.render.text import text_width
from salesdeck.workbook import contract
from salesdeck.workbook.model import empty_frame
from salesdeck.workbook.author.sample import generate, write_sample
from tests.fixtures import templates

pytestmark = pytest.mark.office


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# ---------------------------------------------------------------- a deck broken on purpose, one defect a slide
def _blank(prs):
    return prs.slides.add_slide(prs.slide_layouts[6])


def _text(slide, left, top, width, height, text, pt=18, colour=None):
    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = 0
    frame.text = text
    run_ = frame.paragraphs[0].runs[0]
    run_.font.size = Pt(pt)
    if colour:
        run_.font.color.rgb = RGBColor.from_string(colour)
    return box


def _chart(slide, kind, categories, series, width=Inches(6), height=Inches(4), left=Inches(1)):
    data = CategoryChartData()
    data.categories = categories
    for name, values in series:
        data.add_series(name, values)
    return slide.shapes.add_chart(kind, left, Inches(1.5), width, height, data).chart


def _overflowing_text(prs):
    _text(_blank(prs), Inches(1), Inches(1), Inches(2), Inches(0.4),
          "华东区域本月销售额达成率为百分之一百一十四，整体仍差百分之六，西南区域最低需要重点跟进")


def _off_the_slide(prs):
    _text(_blank(prs), prs.slide_width - Inches(1), Inches(1), Inches(3), Inches(0.5), "合计")


def _short_rows(slide, rows):
    shape = slide.shapes.add_table(rows, 2, Inches(1), Inches(1), Inches(6), Inches(3))
    for r, row in enumerate(shape.table.rows):
        row.height = Inches(0.1)  # far less than the text needs: the renderer grows every row
        row.cells[0].text, row.cells[1].text = f"客户{r + 1:02d}", f"{(r + 1) * 1.5:.1f}万"
    return shape


def _table_off_the_bottom(prs):
    _short_rows(_blank(prs), 30)


def _table_over_the_text_below(prs):
    slide = _blank(prs)
    frame = _short_rows(slide, 6)
    _text(slide, Inches(1), frame.top + frame.height + Inches(0.2), Inches(6), Inches(0.5), "注：金额为含税金额")


def _number_across_lines(prs):
    head, pt = "销售额合计1,695.4", 20
    width = (text_width(head, pt) + text_width(head + "万", pt)) // 2  # "万" no longer fits on the line
    _text(_blank(prs), Inches(1), Inches(1), width, Inches(1.5), head + "万元以上", pt)


def _title(prs, text, width, height, pt):
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # Title Only
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = Inches(1), Inches(0.5), Emu(width), Emu(height)
    frame = title.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = 0
    frame.text = text
    frame.paragraphs[0].runs[0].font.size = Pt(pt)


def _title_on_three_lines(prs):
    _title(prs, "本月华东区域达成百分之一百一十四，整体仍差百分之六，西南区域最低", Inches(4.5), Inches(3), 28)


def _title_with_an_orphan(prs):
    text, pt = "本月销售额同比增长主要来自华东", 28
    _title(prs, text, int(text_width(text[:-1], pt) + 0.5 * pt * 12700), Inches(1.6), pt)


def _dark_labels_on_dark_bars(prs):
    chart = _chart(_blank(prs), XL_CHART_TYPE.COLUMN_CLUSTERED, ["华东", "华南"], [("实际", (3.0, 4.0))])
    series = chart.plots[0].series[0]
    series.format.fill.solid()
    series.format.fill.fore_color.rgb = RGBColor(0x1F, 0x38, 0x64)
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.position = XL_LABEL_POSITION.CENTER
    plot.data_labels.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    chart.value_axis.minimum_scale = 0


def _dark_text_on_dark_fill(prs):
    shape = _blank(prs).shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(1), Inches(1), Inches(3), Inches(1))
    shape.fill.solid()
    shape.fill.fore_color.rgb = RGBColor(0x2F, 0x55, 0x97)
    shape.text_frame.text = "达成率"
    shape.text_frame.paragraphs[0].runs[0].font.color.rgb = RGBColor(0x1F, 0x29, 0x37)


def _legend_swatch_not_the_bars(prs):
    chart = _chart(_blank(prs), XL_CHART_TYPE.COLUMN_CLUSTERED, ["华东", "华南", "华北"],
                   [("目标", (5.0, 5.0, 5.0)), ("实际", (3.0, 5.0, 4.0))])
    chart.has_legend = True
    chart.value_axis.minimum_scale = 0
    for point in range(3):
        fill = chart.plots[0].series[1].points[point].format.fill
        fill.solid()
        fill.fore_color.rgb = RGBColor(0xC0, 0x39, 0x2B)


def _legend_against_the_bars(prs):
    chart = _chart(_blank(prs), XL_CHART_TYPE.BAR_CLUSTERED, ["产品质量", "交付及时"],
                   [("本期", (4.3, 3.9)), ("上期", (4.4, 3.6))])
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.category_axis.reverse_order = True
    chart.value_axis.minimum_scale = 0


def _cut_axis(prs):
    chart = _chart(_blank(prs), XL_CHART_TYPE.COLUMN_CLUSTERED, ["9月", "10月"], [("销售额", (1212.0, 1514.0))])
    chart.value_axis.minimum_scale = 1000


def _months_that_wrap(prs):
    months = [f"2025-{m}" for m in ("10", "11", "12")] + [f"2026-{m:02d}" for m in range(1, 11)]
    chart = _chart(_blank(prs), XL_CHART_TYPE.LINE_MARKERS, months, [("客单价", [3.0 + i % 3 for i in range(13)])],
                   width=Inches(6.5), height=Inches(4.5))  # narrower, LibreOffice turns the labels instead
    chart.has_legend = False
    chart.category_axis.tick_labels.font.size = Pt(9)


def _clean(prs):
    slide = _blank(prs)
    _text(slide, Inches(1), Inches(0.5), Inches(8), Inches(0.8), "华东达成114%，整体仍差6%", 24)
    shape = slide.shapes.add_table(3, 2, Inches(1), Inches(1.5), Inches(4), Inches(1.2))
    for r, (a, b) in enumerate((("区域", "实际"), ("华东", "242.3万"), ("华南", "209.7万"))):
        shape.table.cell(r, 0).text, shape.table.cell(r, 1).text = a, b
    chart = _chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, ["华东", "华南"], [("目标", (2.0, 3.0)), ("实际", (3.0, 4.0))],
                   width=Inches(5), height=Inches(4), left=Inches(6))
    chart.has_legend = True
    chart.value_axis.minimum_scale = 0
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    plot.data_labels.font.color.rgb = RGBColor(0x1F, 0x29, 0x37)


#: slide builder -> the defect kinds preflight must report on that slide, and no others
BROKEN = [
    (_overflowing_text, {"outside_box"}),
    (_off_the_slide, {"outside_slide"}),
    (_table_off_the_bottom, {"rows_missing"}),
    (_table_over_the_text_below, {"table_overflow"}),
    (_number_across_lines, {"number_split"}),
    (_title_on_three_lines, {"title_lines"}),
    (_title_with_an_orphan, {"orphan"}),
    (_dark_labels_on_dark_bars, {"label_contrast"}),
    (_dark_text_on_dark_fill, {"text_contrast"}),
    (_legend_swatch_not_the_bars, {"legend_colour"}),
    (_legend_against_the_bars, {"legend_order"}),
    (_cut_axis, {"axis_zero"}),
    (_months_that_wrap, {"number_split"}),
    (_clean, set()),
]


@pytest.fixture(scope="module")
def broken(office, tmp_path_factory):
    prs = Presentation()
    prs.slide_width, prs.slide_height = 12192000, 6858000
    for build, _ in BROKEN:
        build(prs)
    path = tmp_path_factory.mktemp("broken") / "broken.pptx"
    prs.save(str(path))
    return path, preflight(path)


@pytest.mark.parametrize("number", range(1, len(BROKEN) + 1), ids=[b.__name__.strip("_") for b, _ in BROKEN])
def test_each_check_finds_its_defect_and_nothing_else(broken, number):
    _, report = broken
    found = {d.kind for d in report.defects if d.slide == number}
    assert found == BROKEN[number - 1][1], [str(d) for d in report.defects if d.slide == number]


def test_every_kind_of_defect_is_exercised():
    assert set().union(*(kinds for _, kinds in BROKEN)) == set(KINDS)


def test_defects_name_what_to_fix(broken):
    _, report = broken
    rows = next(d for d in report.defects if d.kind == "rows_missing")
    assert rows.message.startswith("rows ") and "of 30 not drawn" in rows.message
    assert "1,695.4万 split across lines" in next(d for d in report.defects if d.kind == "number_split").message
    assert "over TextBox" in next(d for d in report.defects if d.kind == "table_overflow").message
    assert "value axis starts at 1000" in next(d for d in report.defects if d.kind == "axis_zero").message
    assert "本期 / 上期" in next(d for d in report.defects if d.kind == "legend_order").message


def test_cli_lists_defects_and_exits_1(broken):
    path, report = broken
    result = run("preflight", path, "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["slides"] == len(BROKEN)
    assert {(d["slide"], d["kind"]) for d in data["defects"]} == {(d.slide, d.kind) for d in report.defects}
    text = run("preflight", path)
    assert text.exit_code == 1
    assert text.stdout.splitlines()[-1] == (f"broken.pptx: {len(report.defects)} defect(s) on "
                                            f"{len(BROKEN) - 1} of {len(BROKEN)} slides")


# ---------------------------------------------------------------- the decks we build have no defects
def _variants(zh):
    optional_empty = copy.copy(zh)
    optional_empty.tables = dict(zh.tables)
    orders = zh.orders.copy()
    for column in contract.TABLES["orders"].columns:
        if not column.required and column.key in orders:
            orders[column.key] = None
    optional_empty.tables["orders"] = orders
    no_pipeline = copy.copy(zh)
    no_pipeline.tables = dict(zh.tables)
    no_pipeline.tables["pipeline"] = empty_frame("pipeline")
    one_region = restrict(zh, "region", sorted(set(zh.orders["region"]))[0])
    return {"optional columns empty": optional_empty, "one region": one_region, "empty pipeline": no_pipeline}


def _superstore(folder):
    """The Superstore orders and targets imported into a fresh template, as tests/test_import_realdata.py does."""
    from tests.conftest import REALDATA

    workbook = folder / "2014-12.xlsx"
    assert run("template", "-o", workbook).exit_code == 0
    orders = run("import", REALDATA / "tableau-superstore/Superstore Sales Orders - US.xlsx", "--into", workbook,
                 "--as", "orders", "--in-place", "--column", "product=Product ID", "--set", "rep=Online",
                 "--set", "channel=电商", "--set", "product_line=Office")
    assert orders.exit_code == 0, orders.output
    targets = run("import", REALDATA / "tableau-superstore/Sales Targets.xlsx", "--into", workbook, "--as", "targets",
                  "--in-place")
    assert targets.exit_code == 0, targets.output
    return workbook


@pytest.fixture(scope="module")
def our_decks(office, tmp_path_factory):
    """Every deck to check, built the ways users build them, then preflighted two at a time."""
    from tests.conftest import REALDATA

    folder = tmp_path_factory.mktemp("clean")
    decks = {}
    demo = run("demo", "-o", folder / "demo")
    assert demo.exit_code == 0, demo.output
    decks["zh sample (demo)"] = folder / "demo" / "salesdeck-sample-zh.pptx"
    en_book = folder / "sample-en.xlsx"
    assert run("sample", "-o", en_book, "--lang", "en").exit_code == 0
    assert run("build", en_book, "-o", folder / "en.pptx").exit_code == 0
    decks["en sample"] = folder / "en.pptx"
    company = templates.four_by_three(folder / "company.pptx")
    zh_book = write_sample(folder / "sample-zh.xlsx")
    for lang in ("zh", "en"):
        out = folder / f"company-{lang}.pptx"
        assert run("build", zh_book, "-o", out, "--lang", lang, "--template", company).exit_code == 0
        decks[f"4:3 company template ({lang})"] = out
    if REALDATA.is_dir():
        workbook = _superstore(folder)
        assert run("build", workbook, "-o", folder / "superstore.pptx").exit_code == 0
        decks["Superstore import"] = folder / "superstore.pptx"
    for name, model in _variants(generate(seed=7, lang="zh")).items():
        decks[name] = deck_from_model(model, folder / f"{name}.pptx").deck
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = dict(zip(decks, pool.map(preflight, decks.values())))
    return decks, reports


@pytest.mark.parametrize("name", ["zh sample (demo)", "en sample", "4:3 company template (zh)",
                                  "4:3 company template (en)", "Superstore import", "optional columns empty",
                                  "one region", "empty pipeline"])
def test_our_decks_have_no_defects(our_decks, name):
    decks, reports = our_decks
    if name not in reports:
        pytest.skip("real-world files not found beside the project")
    report = reports[name]
    assert report.slides == len(Presentation(str(decks[name])).slides)
    assert report.defects == [], report.as_text()


def test_build_with_preflight_reports_on_stderr(office, tmp_path):
    workbook = write_sample(tmp_path / "sample.xlsx", lang="en")
    result = run("build", workbook, "-o", tmp_path / "deck.pptx", "--preflight")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "deck.pptx")
    slides = len(Presentation(str(tmp_path / "deck.pptx")).slides)
    assert result.stderr.strip().endswith(f"deck.pptx: {slides} slides, no defects")
