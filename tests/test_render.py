"""The renderer on hand-made specs: structure, long tables, fonts, fit, templates, determinism, LibreOffice."""

from __future__ import annotations

import re

import pytest
from lxml import etree
from pptx import Presentation
from pptx.util import Emu

from salesdeck.errors import PackageError
from salesdeck.generator.render.deck import render_deck
from salesdeck.generator.spec import ChartSpec, DeckSpec, KpiCard, PartSpec, Series, SlideSpec, TableSpec
from tests.fixtures import templates

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
PART_TITLES = ["月度业绩概览", "销售数据分析", "关键问题诊断", "客户反馈处理", "资源支持需求", "下月行动计划"]
LONG_ROWS = [[f"客户{i:03d}有限公司", f"{i * 1.5:,.1f}万", f"{i}%"] for i in range(1, 61)]


def make_spec(lang: str = "zh") -> DeckSpec:
    table = TableSpec(["客户", "金额", "占比"], LONG_ROWS,
                      [[None, None, "red" if i % 7 == 0 else None] for i in range(60)], ["l", "r", "r"])
    chart = ChartSpec("column", ["华东", "华南", "华北"], [Series("实际", [120.5, 98.0, 77.25])],
                      number_format='#,##0.0"万"', title="各区域销售额（万元）")
    parts = [
        PartSpec(1, PART_TITLES[0], [
            SlideSpec("kpis", "10月达成94%，差距100.7万", "销售额1,514.2万 / 目标1,614.9万",
                      kpis=[KpiCard("销售额", "1,514.2万", "+24.9% 环比"), KpiCard("达成率", "94%", "", "amber"),
                            KpiCard("同比", "+117.0%", "去年同期 697.8万", "green")],
                      notes="来源：订单!F2:F4801 (金额)，筛选 日期在 2026-10"),
            SlideSpec("table", "60家客户明细", table=table, notes="来源：订单!A2:L4801"),
        ]),
        PartSpec(2, PART_TITLES[1], [SlideSpec("chart", "华东最高", charts=[chart], notes="来源：订单")]),
        PartSpec(3, PART_TITLES[2], [SlideSpec("bullets", "无客户连续两月下滑", bullets=["本月无流失预警客户", "继续保持回访频率"],
                                               notes="来源：订单")]),
        PartSpec(4, PART_TITLES[3], [SlideSpec("empty", "客户反馈：本月无数据", bullets=["请填写“反馈”工作表"],
                                               notes="来源：反馈")]),
        PartSpec(5, PART_TITLES[4], []),
        PartSpec(6, PART_TITLES[5], [SlideSpec("chart_table", "下月目标拆分", charts=[chart],
                                               table=TableSpec(["区域", "目标"], [["华东", "433.0万"], ["华南", "432.8万"]]),
                                               notes="来源：目标")]),
    ]
    return DeckSpec(lang=lang, company="华信智能科技有限公司", month_label="2026年10月", title="2026年10月销售月例会",
                    presenter_line="华信智能科技有限公司 · 汇报人：王磊", agenda_title="目录", parts=parts)


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    path = tmp_path_factory.mktemp("render") / "deck.pptx"
    render_deck(make_spec(), path)
    return path


@pytest.fixture(scope="module")
def prs(deck):
    return Presentation(str(deck))


def titles(prs) -> list[str]:
    return [s.shapes.title.text if s.shapes.title is not None else "" for s in prs.slides]


def all_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts.extend(c.text for row in shape.table.rows for c in row.cells)
    return "\n".join(parts)


def table_rows(slide) -> list[list[str]]:
    for shape in slide.shapes:
        if shape.has_table:
            return [[c.text for c in row.cells] for row in shape.table.rows]
    return []


def test_title_agenda_and_a_divider_per_part(prs):
    found = titles(prs)
    assert found[0] == "2026年10月销售月例会"
    assert "汇报人：王磊" in all_text(prs.slides[0])
    assert found[1] == "目录"
    agenda = all_text(prs.slides[1])
    assert all(t in agenda for t in PART_TITLES)
    for number, title in enumerate(PART_TITLES, start=1):
        assert title in found, title
        divider = prs.slides[found.index(title)]
        assert f"第{'一二三四五六'[number - 1]}部分" in all_text(divider)


def test_long_table_continues_on_further_slides_with_every_row_once(prs):
    found = titles(prs)
    pages = [i for i, t in enumerate(found) if t.startswith("60家客户明细")]
    assert len(pages) >= 2
    assert found[pages[0]] == "60家客户明细"
    assert all(found[i] == "60家客户明细（续）" for i in pages[1:])
    rows = []
    for i in pages:
        page = table_rows(prs.slides[i])
        assert page[0] == ["客户", "金额", "占比"]  # header repeated
        rows += page[1:]
    assert rows == LONG_ROWS


def test_rag_fill_on_flagged_cells(prs):
    first = prs.slides[titles(prs).index("60家客户明细")]
    table = next(s for s in first.shapes if s.has_table).table
    for spec_row in (0, 7, 14):  # flagged red in make_spec; table row 0 is the header
        assert str(table.cell(spec_row + 1, 2).fill.fore_color.rgb) == "F8D7DA"
        assert table.cell(spec_row + 1, 0).text == LONG_ROWS[spec_row][0]
    assert str(table.cell(2, 2).fill.fore_color.rgb) != "F8D7DA"


def test_empty_part_and_empty_slide_say_so(prs):
    found = titles(prs)
    resources = found.index("资源支持需求")
    # part 5 has no slides: its divider is followed straight by part 6's divider
    assert found[resources + 1] == "下月行动计划"
    empty = prs.slides[found.index("客户反馈：本月无数据")]
    assert "本月无数据" in all_text(empty)
    assert "请填写“反馈”工作表" in all_text(empty)


def test_kpi_cards_show_value_delta_and_rag(prs):
    slide = prs.slides[titles(prs).index("10月达成94%，差距100.7万")]
    cards = [s for s in slide.shapes if s.shape_type == 1 and s.has_text_frame]
    texts = [c.text_frame.text for c in cards]
    assert "销售额\n1,514.2万\n+24.9% 环比" in texts
    amber = cards[texts.index("达成率\n94%")]
    assert str(amber.fill.fore_color.rgb) == "FFF0C2"


def test_every_run_carries_an_east_asian_font(deck):
    from zipfile import ZipFile

    with ZipFile(deck) as z:
        names = [n for n in z.namelist() if re.match(r"ppt/(slides|notesSlides|charts)/[^/]+\.xml$", n)]
        checked = 0
        for name in names:
            root = etree.fromstring(z.read(name))
            for tag in ("r", "fld"):
                for run in root.iter(f"{A}{tag}"):
                    rpr = run.find(f"{A}rPr")
                    assert rpr is not None and rpr.find(f"{A}ea") is not None, (name, etree.tostring(run)[:200])
                    checked += 1
            for tag in ("rPr", "endParaRPr", "defRPr"):
                for props in root.iter(f"{A}{tag}"):
                    if props.find(f"{A}latin") is not None:
                        assert props.find(f"{A}ea") is not None, (name, tag)
    assert checked > 200


def test_speaker_notes_name_the_source(prs):
    slide = prs.slides[titles(prs).index("10月达成94%，差距100.7万")]
    assert "订单!F2:F4801" in slide.notes_slide.notes_text_frame.text


def test_nothing_is_placed_off_the_slide(prs):
    w, h = prs.slide_width, prs.slide_height
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (number, shape.name)
            assert shape.left + shape.width <= w and shape.top + shape.height <= h, (number, shape.name)


def test_tables_fit_their_slide(prs):
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            if shape.has_table:
                height = sum(row.height for row in shape.table.rows)
                assert shape.top + height <= prs.slide_height * 0.94, number
                assert sum(col.width for col in shape.table.columns) == shape.width


def test_default_deck_is_16_by_9(prs):
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)


def test_same_spec_gives_the_same_bytes(deck, tmp_path):
    again = tmp_path / "again.pptx"
    render_deck(make_spec(), again)
    assert again.read_bytes() == deck.read_bytes()


def test_compiled_xpaths_give_the_deck_python_pptx_alone_gives(deck, tmp_path):
    from salesdeck.generator.render import pptx_internals

    plain = tmp_path / "plain.pptx"
    pptx_internals.compile_xpaths(False)
    try:
        render_deck(make_spec(), plain)
    finally:
        pptx_internals.compile_xpaths()
    assert plain.read_bytes() == deck.read_bytes()
    slide = Presentation(str(deck)).slides[2]
    tree = slide.shapes._spTree
    expression = "./p:sp[p:nvSpPr/p:nvPr/p:ph]"
    found = pptx_internals.compiled_xpath(expression)(tree)
    assert found and found == etree.ElementBase.xpath(tree, expression, namespaces={"p": tree.nsmap["p"]})


def test_every_slide_has_its_own_notes_and_chart_parts(deck, prs):
    import zipfile

    with zipfile.ZipFile(deck) as z:
        names = z.namelist()
    assert len(names) == len(set(names))
    notes = [s.notes_slide.part.partname for s in prs.slides if s.has_notes_slide]
    content = [s for s in prs.slides if "来源" in (s.notes_slide.notes_text_frame.text if s.has_notes_slide else "")]
    assert len(notes) == len(set(notes)) == len(content) == 9
    charts = [shape.chart.part.partname for s in prs.slides for shape in s.shapes if shape.has_chart]
    assert len(charts) == len(set(charts)) == 2
    workbooks = [shape.chart.part.chart_workbook.xlsx_part.partname
                 for s in prs.slides for shape in s.shapes if shape.has_chart]
    assert len(set(workbooks)) == 2


def test_fixed_document_properties(prs):
    props = prs.core_properties
    assert props.title == "2026年10月销售月例会"
    assert props.created.year == 2000 and props.modified == props.created
    assert props.revision == 1


# ---------------------------------------------------------------- company templates
@pytest.fixture(scope="module")
def four_three_deck(tmp_path_factory):
    folder = tmp_path_factory.mktemp("t43")
    template = templates.four_by_three(folder / "company.pptx")
    path = folder / "deck.pptx"
    render_deck(make_spec(), path, template=template)
    return path, template


def test_four_by_three_template_keeps_size_layouts_and_theme(four_three_deck):
    path, template = four_three_deck
    prs = Presentation(str(path))
    assert (prs.slide_width, prs.slide_height) == (Emu(9144000), Emu(6858000))
    names = [s.slide_layout.name for s in prs.slides]
    assert names[0] == "公司封面"
    assert names[titles(prs).index("月度业绩概览")] == "公司节标题"
    assert names[titles(prs).index("华东最高")] == "公司仅标题"
    assert "请删除我" not in "".join(titles(prs))  # the template's own slide is gone
    assert 'val="E36C09"' in templates.accent1(path)  # company theme colour kept
    for slide in prs.slides:
        for shape in slide.shapes:
            assert shape.left + shape.width <= prs.slide_width and shape.top + shape.height <= prs.slide_height


def test_a_template_edited_between_decks_is_read_again(tmp_path):
    from pptx import Presentation as New

    template = tmp_path / "company.pptx"
    templates.four_by_three(template)
    render_deck(make_spec(), tmp_path / "first.pptx", template=template)
    widened = New(str(template))
    widened.slide_width = Emu(12192000)
    widened.save(str(template))
    render_deck(make_spec(), tmp_path / "second.pptx", template=template)
    assert Presentation(str(tmp_path / "first.pptx")).slide_width == Emu(9144000)
    assert Presentation(str(tmp_path / "second.pptx")).slide_width == Emu(12192000)


def test_layouts_are_chosen_by_type_not_position(tmp_path):
    template = templates.reordered(tmp_path / "reordered.pptx")
    path = tmp_path / "deck.pptx"
    render_deck(make_spec(), path, template=template)
    prs = Presentation(str(path))
    names = [s.slide_layout.name for s in prs.slides]
    assert names[0] == "Title Slide"
    assert names[titles(prs).index("资源支持需求")] == "Section Header"
    assert names[titles(prs).index("华东最高")] == "Title Only"


@pytest.mark.parametrize("content, message", [(b"", "company.pptx: not a PowerPoint file"),
                                              (b"PK\x03\x04broken", "company.pptx: damaged or truncated file")])
def test_broken_template_is_a_clear_error(tmp_path, content, message):
    template = tmp_path / "company.pptx"
    template.write_bytes(content)
    out = tmp_path / "deck.pptx"
    with pytest.raises(PackageError, match=message):  # the checks of every package salesdeck opens (exit 2)
        render_deck(make_spec(), out, template=template)
    assert not out.exists()


def test_potx_template_is_accepted(tmp_path):
    import zipfile

    pptx = templates.four_by_three(tmp_path / "company.pptx")
    potx = tmp_path / "company.potx"
    with zipfile.ZipFile(pptx) as src, zipfile.ZipFile(potx, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"presentationml.presentation.main+xml", b"presentationml.template.main+xml")
            dst.writestr(info, data)
    out = tmp_path / "deck.pptx"
    render_deck(make_spec(), out, template=potx)
    assert Presentation(str(out)).slide_width == Emu(9144000)


# ---------------------------------------------------------------- LibreOffice
@pytest.fixture(scope="module")
def rendered(office, deck, four_three_deck, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    plain = office.convert(deck, folder / "plain")
    company = office.convert(four_three_deck[0], folder / "company")
    return plain, company


@pytest.mark.office
def test_libreoffice_renders_every_slide_with_cjk_fonts(office, rendered, prs, four_three_deck):
    plain, company = rendered
    assert office.pdf_pages(plain) == len(prs.slides)
    assert office.pdf_pages(company) == len(Presentation(str(four_three_deck[0])).slides)
    text = re.sub(r"\s+", "", office.pdf_text(plain))
    for title in PART_TITLES + ["60家客户明细（续）", "本月无数据", "1,514.2万"]:
        assert title in text, title
    assert "CJK" in office.pdf_fonts(plain)


def test_an_overlong_title_shrinks_then_is_shortened_never_overflowing(tmp_path):
    spec = make_spec()
    long_title = "华东达成114%，" + "西南需要加强拜访质量与方案转化，" * 20
    spec.parts[2].slides[0].title = long_title
    spec.parts[2].slides[0].subtitle = "说明" * 200
    path = tmp_path / "long.pptx"
    render_deck(spec, path)
    prs = Presentation(str(path))
    slide = next(s for s in prs.slides if s.shapes.title is not None and s.shapes.title.text.startswith("华东达成114%"))
    title = slide.shapes.title
    run = title.text_frame.paragraphs[0].runs[0]
    assert run.font.size.pt >= 14
    assert title.text.endswith("…") and long_title.startswith(title.text[:-1])
    from salesdeck.generator.render.text import fit_text

    fitted = fit_text(title.text, title.width - 91440, title.height - 45720, run.font.size.pt, run.font.size.pt, bold=True)
    assert fitted.text == title.text  # what was written fits its box at the size written
    subtitle = next(s for s in slide.shapes if s.has_text_frame and s.text_frame.text.startswith("说明"))
    assert subtitle.text_frame.text.endswith("…")


def test_a_title_that_fits_is_written_whole(prs):
    assert "华东最高" in titles(prs)
    assert not any(t.endswith("…") for t in titles(prs))


@pytest.mark.parametrize("bold", [False, True])
def test_text_is_never_measured_narrower_than_a_shaping_renderer_draws_it(bold):
    """Widths are sums of character advances; shaped text (kerning, ligatures) is never wider."""
    from PIL import ImageFont, features

    from salesdeck.generator.render import text

    face = text._font(text.font_file(), bold)
    if face is None or not features.check("raqm"):
        pytest.skip("needs the CJK font and Pillow with libraqm (text shaping) to compare against")
    shaped = ImageFont.truetype(face.path, size=200, index=face.index, layout_engine=ImageFont.Layout.RAQM)
    samples = PART_TITLES + [row[0] for row in LONG_ROWS[:5]] + [
        "AVATAR Tower office: fi fl ffi", "Revenue by region (CNY 10k)", "华东达成114%，差距100.7万", "W.A.V.E. 「报价」《合同》",
    ]
    for sample in samples:
        drawn = shaped.getlength(sample) / 200 * 12 * 12700  # EMU at 12 pt
        assert text.text_width(sample, 12, bold) >= int(drawn) - 1, sample
