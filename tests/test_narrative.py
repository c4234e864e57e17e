"""Narrative templates: strict, sandboxed, overridable per file, with number filters."""

from __future__ import annotations

import pytest

from salesdeck.errors import TemplateError
from salesdeck.generator.parts.narrative import DEFAULT_DIR, Narrative

TEMPLATE_NAMES = sorted(p.stem for p in (DEFAULT_DIR / "zh").glob("*.j2"))


def test_zh_and_en_have_the_same_templates():
    assert TEMPLATE_NAMES == sorted(p.stem for p in (DEFAULT_DIR / "en").glob("*.j2"))
    assert len(TEMPLATE_NAMES) >= 25


def test_filters_format_numbers_for_the_language():
    zh, en = Narrative("zh"), Narrative("en")
    kwargs = dict(top="华东", top_share=0.52, top3_share=0.521, first="X3", first_share=0.213, products=9)
    assert zh.render("p1_products", **kwargs) == "前三产品贡献52%销售额，X3居首（21%）"
    assert en.render("p1_products", **kwargs) == "Top 3 products made 52% of sales, led by X3 (21%)"


def test_first_line_is_the_title_the_rest_the_subtitle():
    title, subtitle = Narrative("zh").title("p4_nps", nps=22.2, answers=160, promoters=0.456, passives=0.322,
                                            detractors=0.234)
    assert title == "NPS为+22.2，推荐者占45.6%"
    assert subtitle == "160份答卷：推荐者45.6% − 贬损者23.4% = +22.2；中立者32.2%"


def test_missing_variable_names_template_and_line(tmp_path):
    (tmp_path / "p4_nps.j2").write_text("NPS {{ nps|signed }}\n第二行 {{ no_such_value }}\n", encoding="utf-8")
    text = Narrative("zh", tmp_path)
    with pytest.raises(TemplateError) as err:
        text.render("p4_nps", nps=10)
    message = str(err.value)
    assert "p4_nps.j2" in message
    assert "line 2" in message
    assert "no_such_value" in message


def test_packaged_template_missing_variable_is_a_template_error():
    with pytest.raises(TemplateError, match=r"p1_review\.j2, line 1: .*'done' is undefined"):
        Narrative("en").render("p1_review", total=3, late=0, month="2026-10-01")


def test_syntax_error_names_template_and_line(tmp_path):
    (tmp_path / "empty.j2").write_text("ok\n{% if %}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"empty\.j2, line 2"):
        Narrative("en", tmp_path).render("empty", topic="t", reason="r", month=None)


def test_sandbox_refuses_unsafe_attributes(tmp_path):
    (tmp_path / "empty.j2").write_text("{{ topic.__class__.__mro__ }}", encoding="utf-8")
    with pytest.raises(TemplateError, match="empty.j2"):
        Narrative("en", tmp_path).render("empty", topic="t", reason="r", month=None)


def test_user_folder_overrides_one_file_and_falls_back_for_others(tmp_path):
    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "empty.j2").write_text("{{ topic }} —— 暂无", encoding="utf-8")
    text = Narrative("zh", tmp_path)
    assert text.render("empty", topic="满意度", reason="本月无数据", month=None) == "满意度 —— 暂无"
    assert text.render("deck_title", company="", month="2026-10-01") == "2026年10月销售月例会"


def test_missing_user_folder_and_missing_template_are_errors(tmp_path):
    with pytest.raises(TemplateError, match="not found"):
        Narrative("zh", tmp_path / "nope")
    with pytest.raises(TemplateError, match="no_such_slide.j2 not found"):
        Narrative("zh").render("no_such_slide")
