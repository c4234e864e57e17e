"""The private parts of libraries salesdeck relies on are still there.

Each is confined to one adapter module (salesdeck/ooxml/zips.py for zipfile,
generator/render/pptx_internals.py for python-pptx) and has a fallback where
one exists; these tests fail loudly, naming the attribute, when a new
release renames one, so the fallback never becomes the silent normal.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from pptx import Presentation
from pptx.opc import serialized
from pptx.oxml import xmlchemy

from salesdeck.generator.render import pptx_internals


def test_zipfile_has_what_the_raw_member_copy_writes_through():
    with zipfile.ZipFile(io.BytesIO(), "w") as dst:
        for name in ("_writing", "_seekable", "start_dir", "_didModify", "fp", "filelist", "NameToInfo", "mode"):
            assert hasattr(dst, name), f"zipfile.ZipFile has no {name}"
    assert callable(getattr(zipfile.ZipInfo("x"), "FileHeader", None)), "zipfile.ZipInfo has no FileHeader"


def test_python_pptx_has_the_package_writer_steps_we_save_with():
    prs = Presentation()
    package = prs.part.package
    assert hasattr(package, "_rels"), "pptx package has no _rels"
    writer = serialized.PackageWriter(io.BytesIO(), package._rels, tuple(package.iter_parts()))
    for step in ("_write_content_types_stream", "_write_pkg_rels", "_write_parts"):
        assert callable(getattr(writer, step, None)), f"pptx PackageWriter has no {step}"


def test_python_pptx_has_the_slide_list_theme_blob_and_xpath_we_use():
    prs = Presentation()
    assert hasattr(prs.slides, "_sldIdLst"), "pptx Slides has no _sldIdLst"
    theme = next(r.target_part for r in prs.slide_masters[0].part.rels.values() if r.reltype.endswith("/theme"))
    assert hasattr(theme, "_blob"), "pptx Part has no _blob"
    assert pptx_internals._ORIGINAL_XPATH is not None and hasattr(xmlchemy.BaseOxmlElement, "xpath")


def test_a_saved_deck_has_fixed_timestamps_and_reopens(tmp_path):
    prs = Presentation()
    prs.slides.add_slide(prs.slide_layouts[0]).shapes.title.text = "销售月例会"
    out = tmp_path / "deck.pptx"
    pptx_internals.save_presentation(prs, out)
    with zipfile.ZipFile(out) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert z.namelist()[0] == "[Content_Types].xml"
    assert Presentation(str(out)).slides[0].shapes.title.text == "销售月例会"


def test_removing_a_templates_slides_keeps_its_layouts(tmp_path):
    prs = Presentation()
    for _ in range(3):
        prs.slides.add_slide(prs.slide_layouts[1])
    layouts = len(prs.slide_layouts)
    pptx_internals.remove_slides(prs)
    out = tmp_path / "empty.pptx"
    prs.save(out)
    again = Presentation(str(out))
    assert (len(again.slides), len(again.slide_layouts)) == (0, layouts)


@pytest.mark.parametrize("expression", ["./p:cSld/p:spTree/p:sp", "//a:t"])
def test_compiled_xpaths_find_what_lxml_finds(expression):
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "标题"
    element = slide._element
    expected = pptx_internals._ORIGINAL_XPATH(element, expression)
    assert expected and pptx_internals.compiled_xpath(expression)(element) == expected


def test_python_pptx_still_exposes_the_xml_elements_the_renderer_edits():
    """The renderer reaches the XML through python-pptx's element attributes (its documented way to edit
    XML the API does not cover); each must still be there."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(2), Inches(1))
    run = box.text_frame.paragraphs[0].add_run()
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1)).table
    data = CategoryChartData()
    data.categories = ["a", "b"]
    data.add_series("s", (1, 2))
    chart = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(3), Inches(4), Inches(3),
                                   data).chart
    series = chart.plots[0].series[0]
    for owner, name in ((slide.shapes.title, "_element"), (prs.slide_layouts[0], "_element"), (box.text_frame, "_txBody"),
                        (run.font, "_rPr"), (box.text_frame.paragraphs[0], "_p"), (table, "_tbl"),
                        (chart, "_chartSpace"), (series, "_element"), (chart.chart_title, "_title"),
                        (series.points[0].data_label, "_get_or_add_dLbl")):
        assert hasattr(owner, name), f"python-pptx {type(owner).__name__} has no {name}"
