"""Acceptance: `salesdeck build` / `demo` on the sample workbook, checked against numbers computed here."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner
from pptx import Presentation

from salesdeck.cli import cli
from salesdeck.generator.parts.analysis import analyze
from salesdeck.workbook.read.reader import read_workbook
from salesdeck.workbook.author.sample import write_sample

PARTS = {
    "zh": ["月度业绩概览", "销售数据分析", "关键问题诊断", "客户反馈处理", "资源支持需求", "下月行动计划"],
    "en": ["Monthly performance overview", "Sales data analysis", "Key problem diagnosis", "Customer feedback",
           "Resource support needs", "Next-month action plan"],
}


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result


@pytest.fixture(scope="module", params=["zh", "en"])
def built(request, tmp_path_factory):
    lang = request.param
    folder = tmp_path_factory.mktemp(f"build-{lang}")
    workbook = write_sample(folder / f"sample-{lang}.xlsx", lang=lang)
    deck = folder / f"deck-{lang}.pptx"
    result = run("build", workbook, "-o", deck, "--lang", lang)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == str(deck)
    model = read_workbook(workbook)
    return lang, workbook, deck, Presentation(str(deck)), model, analyze(model, lang)


def slide_titles(prs):
    return [s.shapes.title.text if s.shapes.title is not None else "" for s in prs.slides]


def charts_of(slide):
    return [s.chart for s in slide.shapes if getattr(s, "has_chart", False) and s.has_chart]


def test_deck_structure_matches_the_spec(built):
    lang, _, _, prs, _, spec = built
    titles = slide_titles(prs)
    assert titles[0] == spec.title
    assert titles[1] == spec.agenda_title
    for part, expected in zip(spec.parts, PARTS[lang]):
        assert part.title == expected
        assert expected in titles
        for slide in part.slides:
            assert slide.title in titles, slide.title


def test_region_chart_values_are_the_orders_of_the_month(built):
    lang, _, _, prs, model, spec = built
    month = pd.Period(model.settings.month, freq="M")
    orders = model.orders
    in_month = orders[orders["date"].dt.to_period("M") == month]
    by_region = in_month.groupby("region")["amount"].sum()
    region_slide = spec.parts[0].slides[1]
    slide = prs.slides[slide_titles(prs).index(region_slide.title)]
    chart = charts_of(slide)[0]
    categories = list(chart.plots[0].categories)
    assert set(categories) == set(by_region.index)
    actual_name = "实际" if lang == "zh" else "Actual"
    series = {s.name: list(s.values) for plot in chart.plots for s in plot.series}
    from salesdeck.generator.parts.numfmt import money_scale

    scale = money_scale(list(by_region), lang)  # 万/亿 or K/M: the unit is named in the chart title
    assert scale.unit in chart.chart_title.text_frame.text
    divisor = scale.divisor
    for region, value in zip(categories, series[actual_name]):
        assert value == pytest.approx(by_region[region] / divisor, rel=1e-9), region
    # attainment sits on a line on the secondary axis
    assert any(p.__class__.__name__ == "LinePlot" for p in chart.plots)


def test_kpi_card_shows_the_month_total(built):
    lang, _, _, prs, model, spec = built
    month = pd.Period(model.settings.month, freq="M")
    total = model.orders.loc[model.orders["date"].dt.to_period("M") == month, "amount"].sum()
    from tests.readable import reads_money

    slide = prs.slides[slide_titles(prs).index(spec.parts[0].slides[0].title)]
    texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
    assert any(reads_money(line, total, lang) for t in texts for line in t.splitlines()), (total, texts)


def test_tables_hold_the_spec_cells(built):
    _, _, _, prs, _, spec = built
    titles = slide_titles(prs)
    for part in spec.parts:
        for slide_spec in part.slides:
            if slide_spec.kind != "table" or slide_spec.table is None:
                continue
            rows = []
            for index, title in enumerate(titles):
                if title == slide_spec.title or title.startswith(slide_spec.title + ("（续）" if spec.lang == "zh" else " (cont.)")):
                    for shape in prs.slides[index].shapes:
                        if shape.has_table:
                            rows += [[c.text for c in r.cells] for r in list(shape.table.rows)[1:]]
            assert rows == [[str(c) for c in r] for r in slide_spec.table.rows], slide_spec.title


def test_every_data_slide_has_source_notes(built):
    _, _, _, prs, _, spec = built
    titles = slide_titles(prs)
    for part in spec.parts:
        for slide_spec in part.slides:
            slide = prs.slides[titles.index(slide_spec.title)]
            notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
            assert notes and notes == slide_spec.notes.replace("\r", ""), slide_spec.title
            if slide_spec.kind != "empty":
                assert re.search(r"![A-Z]+\d+", notes), slide_spec.title  # a sheet!range


def test_same_workbook_gives_the_same_deck(built, tmp_path):
    lang, workbook, deck, *_ = built
    again = tmp_path / "again.pptx"
    assert run("build", workbook, "-o", again, "--lang", lang).exit_code == 0
    assert again.read_bytes() == deck.read_bytes()


@pytest.mark.office
def test_libreoffice_renders_the_whole_deck(built, office, tmp_path):
    lang, _, deck, prs, _, _ = built
    pdf = office.convert(deck, tmp_path)
    assert office.pdf_pages(pdf) == len(prs.slides)
    text = re.sub(r"\s+", " ", office.pdf_text(pdf))
    compact = text.replace(" ", "")
    for title in PARTS[lang]:
        assert title in text or title.replace(" ", "") in compact, title
    if lang == "zh":
        assert "CJK" in office.pdf_fonts(pdf)


# ---------------------------------------------------------------- errors and options
def test_invalid_workbook_lists_cells_and_exits_1(tmp_path):
    import openpyxl

    workbook = write_sample(tmp_path / "bad.xlsx", rows=300)
    book = openpyxl.load_workbook(workbook)
    sheet = book["订单"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in range(1, 10) if sheet.cell(r, 1).value in header or any(
        str(sheet.cell(r, c).value).strip() == "金额" for c in range(1, 20)))
    amount_col = next(c for c in range(1, 20) if str(sheet.cell(row, c).value).strip() == "金额")
    sheet.cell(row + 3, amount_col).value = "一万二"
    book.save(workbook)
    out = tmp_path / "deck.pptx"
    result = run("build", workbook, "-o", out)
    assert result.exit_code == 1
    letter = openpyxl.utils.get_column_letter(amount_col)
    assert f"订单!{letter}{row + 3}" in result.stderr
    assert "一万二" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_not_a_workbook_exits_2(tmp_path):
    fake = tmp_path / "notes.xlsx"
    fake.write_text("just text", encoding="utf-8")
    result = run("build", fake, "-o", tmp_path / "deck.pptx")
    assert result.exit_code == 2
    assert "notes.xlsx" in result.stderr and "Traceback" not in result.output


def test_pdf_without_libreoffice_says_so_and_keeps_the_deck(tmp_path, monkeypatch):
    from salesdeck.generator.render import pdf as pdf_module

    monkeypatch.setattr(pdf_module, "find_soffice", lambda: None)
    workbook = write_sample(tmp_path / "s.xlsx", rows=300)
    out = tmp_path / "deck.pptx"
    result = run("build", workbook, "-o", out, "--pdf")
    assert result.exit_code == 1
    assert "LibreOffice is not installed" in result.stderr
    assert "Hint:" in result.stderr
    assert out.exists() and not out.with_suffix(".pdf").exists()


@pytest.mark.office
def test_pdf_is_written_beside_the_deck(office, tmp_path):
    workbook = write_sample(tmp_path / "s.xlsx", rows=300, lang="en")
    out = tmp_path / "deck.pptx"
    result = run("build", workbook, "-o", out, "--pdf")
    assert result.exit_code == 0, result.output
    pdf = out.with_suffix(".pdf")
    assert str(pdf) in result.stdout
    assert office.pdf_pages(pdf) == len(Presentation(str(out)).slides)


def test_previous_month_adds_the_plan_review(tmp_path):
    workbook = write_sample(tmp_path / "s.xlsx", rows=300)
    out_plain, out_prev = tmp_path / "plain.pptx", tmp_path / "prev.pptx"
    assert run("build", workbook, "-o", out_plain).exit_code == 0
    result = run("build", workbook, "-o", out_prev, "--previous", workbook)
    assert result.exit_code == 0, result.output
    plain, prev = slide_titles(Presentation(str(out_plain))), slide_titles(Presentation(str(out_prev)))
    assert len(prev) > len(plain)


def test_demo_writes_sample_and_deck(tmp_path):
    result = run("demo", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].endswith(".xlsx") and lines[1].endswith(".pptx")
    prs = Presentation(lines[1])
    assert slide_titles(prs)[1] == "目录"


def test_own_narrative_folder_overrides_one_title(tmp_path):
    workbook = write_sample(tmp_path / "s.xlsx", rows=300)
    folder = tmp_path / "titles" / "zh"
    folder.mkdir(parents=True)
    (folder / "p1_kpis.j2").write_text("本月达成 {{ attainment|pct }}（自定义）\n副标题", encoding="utf-8")
    out = tmp_path / "deck.pptx"
    result = run("build", workbook, "-o", out, "--narrative", tmp_path / "titles")
    assert result.exit_code == 0, result.output
    titles = slide_titles(Presentation(str(out)))
    assert any(re.fullmatch(r"本月达成 \d+%（自定义）", t) for t in titles), titles
    (folder / "p1_kpis.j2").write_text("{{ no_such_value }}", encoding="utf-8")
    broken = run("build", workbook, "-o", tmp_path / "broken.pptx", "--narrative", tmp_path / "titles")
    assert broken.exit_code == 1
    assert "p1_kpis.j2" in broken.stderr and "Traceback" not in broken.output


def test_timings_name_each_step_and_add_up_to_at_most_the_total(built, tmp_path):
    _, workbook, _, _, _, _ = built
    result = run("build", workbook, "-o", tmp_path / "timed.pptx", "--timings")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "timed.pptx")
    line = result.stderr.strip().splitlines()[-1]
    steps = dict((name, float(sec)) for name, sec in re.findall(r"(\w+) (\d+\.\d\d) s", line))
    assert list(steps) == ["read", "validate", "compute", "render", "total"]
    assert sum(v for k, v in steps.items() if k != "total") <= steps["total"] + 0.02
    assert "read" not in run("build", workbook, "-o", tmp_path / "quiet.pptx").stderr
