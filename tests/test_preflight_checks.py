"""Preflight's checks on hand-made pages (no LibreOffice needed), colours, and the CLI's exit codes."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from lxml import etree

from salesdeck.cli import cli
from salesdeck.generator.render.colours import BLACK, DARK_TEXT, WHITE, Theme, contrast, readable_on, resolve
from salesdeck.generator.preflight.pdfwords import Page, Word, parse_bbox
from salesdeck.generator.preflight.run import check_views
from salesdeck.generator.preflight.slides import Rect, SlideView, TableShape, TextShape

A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def view(texts=(), tables=()) -> SlideView:
    return SlideView(1, 960.0, 540.0, Theme({}), list(texts), list(tables), [])


def words(*lines: tuple[float, float, str]) -> tuple[Word, ...]:
    """Words from (x, y, text) lines, 10 pt per character, 20 pt high; spaces split words."""
    out = []
    for x, y, text in lines:
        for piece in text.split(" "):
            out.append(Word(piece, x, y, x + 10 * len(piece), y + 20))
            x += 10 * len(piece) + 3
    return tuple(out)


def kinds(report) -> set[str]:
    return {d.kind for d in report.defects}


# ---------------------------------------------------------------- text shapes
TITLE = TextShape("Title 1", "title", Rect(40, 20, 300, 60), ["本月销售额同比增长主要来自华东"])


def test_a_title_on_one_line_inside_its_box_is_clean():
    page = Page(960, 540, words((45, 35, "本月销售额同比增长主要来自华东")))
    assert check_views("d.pptx", [view([TITLE])], [page]).defects == []


def test_a_title_with_one_character_left_on_its_second_line_is_an_orphan():
    page = Page(960, 540, words((45, 25, "本月销售额同比增长主要来自华"), (45, 50, "东")))
    report = check_views("d.pptx", [view([TITLE])], [page])
    assert kinds(report) == {"orphan"}
    assert "'东'" in report.defects[0].message


def test_a_title_on_three_lines_and_text_below_its_box():
    page = Page(960, 540, words((45, 22, "本月销售额"), (45, 44, "同比增长主要"), (45, 90, "来自华东")))
    assert kinds(check_views("d.pptx", [view([TITLE])], [page])) == {"title_lines", "outside_box"}


def test_a_number_and_its_unit_on_two_lines():
    shape = TextShape("TextBox 3", "text", Rect(40, 100, 120, 80), ["合计1,695.4万元以上"])
    page = Page(960, 540, words((42, 105, "合计 1,695.4"), (42, 130, "万元以上")))
    report = check_views("d.pptx", [view([shape])], [page])
    assert [(d.kind, d.shape) for d in report.defects] == [("number_split", "TextBox 3")]
    assert "1,695.4万 split across lines" in report.defects[0].message


def test_a_break_between_numbers_is_allowed():
    shape = TextShape("TextBox 3", "text", Rect(40, 100, 200, 80), ["2026年10月 销售额"])
    page = Page(960, 540, words((42, 105, "2026 年"), (42, 130, "10 月销售额")))
    assert check_views("d.pptx", [view([shape])], [page]).defects == []


def test_a_shape_reaching_past_the_slide_edge():
    shape = TextShape("TextBox 4", "text", Rect(900, 100, 200, 40), ["合计"])
    page = Page(960, 540, words((905, 105, "合计")))
    assert kinds(check_views("d.pptx", [view([shape])], [page])) == {"outside_slide"}


# ---------------------------------------------------------------- tables
def table(rows: list[list[str]]) -> TableShape:
    return TableShape("Table 5", Rect(40, 100, 300, 25 * len(rows)), [(40, 190), (190, 340)], rows)


def test_every_row_drawn_in_its_column_is_clean():
    rows = [["客户", "未回款"], ["成都永信", "9.6万"], ["广州金桥", "40.7万"]]
    page = Page(960, 540, words(*[(45 + 150 * c, 103 + 25 * r, text) for r, row in enumerate(rows)
                                  for c, text in enumerate(row)]))
    assert check_views("d.pptx", [view(tables=[table(rows)])], [page]).defects == []


def test_rows_not_drawn_are_named():
    rows = [["客户", "未回款"]] + [[f"客户{i}", f"{i}.5万"] for i in range(1, 6)]
    drawn = rows[:3]
    page = Page(960, 540, words(*[(45 + 150 * c, 103 + 25 * r, text) for r, row in enumerate(drawn)
                                  for c, text in enumerate(row)]))
    report = check_views("d.pptx", [view(tables=[table(rows)])], [page])
    assert [(d.kind, d.message) for d in report.defects] == [("rows_missing", "rows 4-6 of 6 not drawn (from '客户3')")]


def test_a_cell_with_its_unit_on_the_next_line_and_one_character_left():
    rows = [["渠道", "2026年10月"], ["直营", "+32.1%"]]
    page = Page(960, 540, words((45, 103, "渠道"), (195, 98, "2026 年 10"), (195, 112, "月"),
                                (45, 128, "直营"), (195, 128, "+32.1%")))
    report = check_views("d.pptx", [view(tables=[table(rows)])], [page])
    assert {(d.kind, d.shape) for d in report.defects} == {("number_split", "Table 5 column 2 row(s) 1"),
                                                          ("orphan", "Table 5 column 2 row(s) 1")}


# ---------------------------------------------------------------- reading pdftotext's output
def test_bbox_layout_output_becomes_words_with_boxes():
    xhtml = (b'<html xmlns="http://www.w3.org/1999/xhtml"><body><doc><page width="960" height="540"><flow><block>'
             b'<line><word xMin="46.8" yMin="42.4" xMax="98.8" yMax="76.2">&#36926;&#26399;</word>'
             b'<word xMin="105.1" yMin="42.4" xMax="141.2" yMax="76.2">60</word></line></block></flow></page>'
             b'<page width="960" height="540"></page></doc></body></html>')
    pages = parse_bbox(xhtml)
    assert [len(p.words) for p in pages] == [2, 0]
    assert pages[0].words[0] == Word("逾期", 46.8, 42.4, 98.8, 76.2)
    assert pages[0].words[1].text == "60"


# ---------------------------------------------------------------- colours
def _colour(xml: str):
    return etree.fromstring(f'<a:solidFill xmlns:a="{A}">{xml}</a:solidFill>')


def test_theme_colours_with_office_shades_resolve_to_office_values():
    theme = Theme({"accent1": (0x44, 0x72, 0xC4), "dk1": BLACK, "lt1": WHITE})
    # PowerPoint's colour picker: "Blue, Accent 1, Darker 25%" is 2F5597 and "Lighter 40%" is 8FAADC
    assert resolve(_colour('<a:schemeClr val="accent1"><a:lumMod val="75000"/></a:schemeClr>'), theme) == (0x2F, 0x55, 0x97)
    assert resolve(_colour('<a:schemeClr val="accent1"><a:lumMod val="60000"/><a:lumOff val="40000"/></a:schemeClr>'),
                   theme) == (0x8F, 0xAA, 0xDC)
    assert resolve(_colour('<a:schemeClr val="tx1"/>'), theme) == BLACK  # through the colour map: tx1 -> dk1
    assert resolve(_colour('<a:sysClr val="window" lastClr="FFFFFF"/>'), theme) == WHITE


def test_contrast_ratios_match_wcag():
    assert contrast(WHITE, BLACK) == pytest.approx(21.0)
    assert contrast((0x76, 0x76, 0x76), WHITE) == pytest.approx(4.54, abs=0.01)  # the classic AA grey
    assert contrast(WHITE, WHITE) == pytest.approx(1.0)


@pytest.mark.parametrize("fill, text", [
    ((0x2F, 0x55, 0x97), WHITE),       # dark blue bar: white
    ((0x9D, 0xC3, 0xE6), DARK_TEXT),   # light blue bar: dark text
    ((0xB9, 0x77, 0x0E), BLACK),       # amber: neither white (3.8:1) nor slate (3.9:1) reaches 4.5, black does
    ((0x7F, 0x7F, 0x7F), BLACK),       # mid grey: likewise
])
def test_label_colour_is_readable_on_its_fill(fill, text):
    assert readable_on(fill) == text
    assert contrast(readable_on(fill), fill) >= 4.5


# ---------------------------------------------------------------- the command without LibreOffice
def test_not_a_deck_exits_2(tmp_path):
    path = tmp_path / "notes.pptx"
    path.write_text("not a zip")
    result = CliRunner().invoke(cli, ["preflight", str(path)])
    assert result.exit_code == 2
    assert "Error: notes.pptx is not a PowerPoint deck" in result.stderr


def test_without_libreoffice_it_says_so_and_exits_2(tmp_path, monkeypatch):
    from pptx import Presentation

    from salesdeck.generator.preflight import run

    monkeypatch.setattr(run, "find_soffice", lambda: None)
    path = tmp_path / "deck.pptx"
    Presentation().save(str(path))
    result = CliRunner().invoke(cli, ["preflight", str(path)])
    assert result.exit_code == 2
    assert "LibreOffice is not installed" in result.stderr
    assert "Hint: install LibreOffice" in result.stderr
