"""The blank template: layout, tables, drop-downs, formats and notes, all from the contract."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter, range_boundaries

from salesdeck.cli import cli
from salesdeck.workbook import contract
from salesdeck.workbook.author import instructions
from salesdeck.workbook.author.writer import LISTS_SHEET, layout, shown, write_workbook
from tests import office as office_module


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    return {lang: write_workbook(None, folder / f"template-{lang}.xlsx", lang=lang) for lang in contract.LANGS}


@pytest.fixture(scope="module")
def books(paths):
    return {lang: openpyxl.load_workbook(path) for lang, path in paths.items()}


def _columns(lang):
    """(sheet, table, column, letter) for every contract column a person fills in."""
    for sheet in contract.SHEETS:
        for placed in layout(shown(sheet), {}):
            for j, col in enumerate(placed.table.columns):
                yield sheet.name(lang), placed.table, col, get_column_letter(placed.first_col + j + 1)


def _column_style(ws, letter):
    """The <col> entry covering a column (neighbours with the same style share one)."""
    index = openpyxl.utils.column_index_from_string(letter)
    return next(d for d in ws.column_dimensions.values() if d.min <= index <= d.max)


def _validation_at(ws, cell):
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, f"{ws.title}!{cell}: {len(found)} validations"
    return found[0]


def _list_values(book, dv) -> list[str]:
    formula = dv.formula1
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, ref = formula.rsplit("!", 1)
    ws = book[sheet.strip("'")]
    return [c.value for row in ws[ref.replace("$", "")] for c in row if c.value is not None]


@pytest.mark.parametrize("lang", contract.LANGS)
def test_sheets_in_contract_order_after_the_instructions(books, lang):
    book = books[lang]
    visible = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    assert visible == [contract.INSTRUCTIONS_SHEET.name(lang)] + [s.name(lang) for s in contract.SHEETS]
    assert book.active.title == contract.INSTRUCTIONS_SHEET.name(lang)


@pytest.mark.parametrize("lang", contract.LANGS)
def test_every_table_is_an_excel_table_with_the_contract_headers(books, lang):
    for sheet in contract.SHEETS:
        ws = books[lang][sheet.name(lang)]
        assert sorted(ws.tables) == sorted(f"tbl_{t.key}" for t in sheet.tables)
        for table in sheet.tables:
            ref = ws.tables[f"tbl_{table.key}"].ref
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            headers = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
            # the automatic source column (filled by a merge) is left out of the blank template
            assert headers == [c.header(lang) for c in table.columns if not c.automatic], ref
            assert min_row == 1 and max_row >= 2


def test_tables_side_by_side_with_one_blank_column(books):
    ws = books["zh"]["反馈"]
    refs = [ws.tables[f"tbl_{k}"].ref for k in ("complaints", "satisfaction", "nps")]
    assert refs == ["A1:F2", "H1:J2", "L1:N2"]
    assert ws["G1"].value is None and ws["K1"].value is None


@pytest.mark.parametrize("lang", contract.LANGS)
def test_every_choice_column_has_a_dropdown_of_its_labels(books, lang):
    book = books[lang]
    for sheet_name, _table, col, letter in _columns(lang):
        if col.type != "choice":
            continue
        dv = _validation_at(book[sheet_name], f"{letter}2")
        assert dv.type == "list"
        assert dv.errorStyle in (None, "stop")
        assert _list_values(book, dv) == col.choice_labels(lang), f"{sheet_name}!{letter}"
        assert dv.error and col.choice_labels(lang)[0] in dv.error
        assert f"{letter}4000" in dv.sqref, "rows typed below the table still get the drop-down"


def test_long_lists_live_on_a_hidden_sheet(books):
    book = books["en"]
    assert book[LISTS_SHEET].sheet_state == "hidden"
    dv = _validation_at(book["Settings"], "A2")
    assert dv.formula1.startswith(f"{LISTS_SHEET}!")
    assert _list_values(book, dv) == [c.en for c in contract.SETTING_KEYS]


@pytest.mark.parametrize("lang, letter", [("zh", "E"), ("en", "F")])
def test_pipeline_stage_dropdown_reads_the_stage_table(books, lang, letter):
    pipeline = contract.sheet("pipeline").name(lang)
    stage_letter = get_column_letter(contract.TABLES["pipeline"].keys.index("stage") + 1)
    dv = _validation_at(books[lang][pipeline], f"{stage_letter}2")
    assert dv.type == "list"
    assert dv.errorStyle == "warning", "a probability such as 40% may be typed instead"
    assert f"!${letter}$2:${letter}$" in dv.formula1
    names = _list_values(books[lang], dv)
    assert names == [s[0] if lang == "zh" else s[1] for s in contract.DEFAULT_STAGES]


def test_minimums_and_maximums_become_range_checks(books):
    book = books["zh"]
    target = _validation_at(book["目标"], "F2")
    assert (target.type, target.operator, target.formula1) == ("decimal", "greaterThanOrEqual", "0")
    probability = _validation_at(book["设置"], "G2")
    assert (probability.type, probability.formula1, probability.formula2) == ("decimal", "0", "1")
    assert probability.operator in (None, "between")  # "between" is the default and may be omitted
    nps = _validation_at(book["反馈"], "N2")
    assert (nps.type, nps.formula1, nps.formula2) == ("whole", "0", "10")


@pytest.mark.parametrize("lang", contract.LANGS)
def test_headers_have_notes_and_input_messages(books, lang):
    for sheet_name, _table, col, letter in _columns(lang):
        ws = books[lang][sheet_name]
        note = ws[f"{letter}1"].comment
        assert note is not None and col.description(lang) in note.text, f"{sheet_name}!{letter}1"
        assert _validation_at(ws, f"{letter}2").prompt == col.description(lang)


@pytest.mark.parametrize("lang", contract.LANGS)
def test_frozen_header_row_and_number_formats(books, lang):
    expected = {"money": "#,##0", "date": "yyyy-mm-dd", "month": "yyyy-mm", "rate": "0.0%", "int": "0"}
    for sheet_name, _table, col, letter in _columns(lang):
        ws = books[lang][sheet_name]
        assert ws.freeze_panes == "A2"
        if col.type in expected:
            style = _column_style(ws, letter)
            assert style.number_format == expected[col.type], f"{sheet_name}!{letter} ({col.key})"


def test_wide_cjk_headers_get_room(books):
    ws = books["zh"]["商机"]
    letter = get_column_letter(contract.TABLES["pipeline"].keys.index("expected_close") + 1)
    assert _column_style(ws, letter).width >= 6 * 2  # 预计成交日期: six wide characters


@pytest.mark.parametrize("lang", contract.LANGS)
def test_settings_prefilled_with_defaults_and_notes(books, lang):
    ws = books[lang][contract.sheet("settings").name(lang)]
    rows = list(ws.iter_rows(min_row=2, max_row=len(contract.SETTING_KEYS) + 1, max_col=3, values_only=True))
    assert [r[0] for r in rows] == [c.label(lang) for c in contract.SETTING_KEYS]
    values = {c.key: r[1] for c, r in zip(contract.SETTING_KEYS, rows)}
    assert values["rag_red"] == 0.8 and values["challenge"] == 1.1 and values["currency"] == "CNY"
    assert values["month"] is None, "a template leaves the report month to the rep"
    assert values["language"] == {"zh": "中文", "en": "English"}[lang]
    assert [r[2] for r in rows] == [instructions.setting_note(c.key, lang) for c in contract.SETTING_KEYS]
    row = 2 + [c.key for c in contract.SETTING_KEYS].index("rag_red")
    assert ws.cell(row, 2).number_format == "0%"
    stages = list(ws.iter_rows(min_row=2, max_row=7, min_col=5, max_col=8, values_only=True))
    label = {c.key: c.label(lang) for c in contract.STAGE_CATEGORIES}
    assert stages == [(zh, en, p, label[cat]) for zh, en, p, cat in contract.DEFAULT_STAGES]


def test_template_holidays_are_2026(books):
    ws = books["zh"]["设置"]
    rows = [r for r in ws.iter_rows(min_row=2, min_col=10, max_col=12, values_only=True) if r[0] is not None]
    assert rows[0][0].date().isoformat() == "2026-01-01" and rows[0][1:] == ("节假日", "元旦")
    assert ("国庆节" in {r[2] for r in rows}) and all(r[0].year == 2026 for r in rows)


@pytest.mark.parametrize("lang", contract.LANGS)
def test_instructions_describe_every_column(books, lang):
    ws = books[lang][contract.INSTRUCTIONS_SHEET.name(lang)]
    lines = [tuple(c for c in row) for row in ws.iter_rows(values_only=True)]
    column_rows = {r[0]: r for r in lines if r[0] is not None}
    for _sheet, _table, col, _letter in _columns(lang):
        row = column_rows.get(col.header(lang))
        assert row is not None, col.header(lang)
    channel = contract.TABLES["orders"].column("channel").header(lang)
    allowed = "直营、分销、电商" if lang == "zh" else "Direct, Distribution, E-commerce"
    assert any(r[0] == channel and r[3] == allowed for r in lines)
    text = "\n".join(str(c) for r in lines for c in r if c)
    assert "salesdeck build" in text and "刷新计算" in text


def test_same_template_same_bytes(paths, tmp_path):
    again = write_workbook(None, tmp_path / "again.xlsx", lang="zh")
    assert again.read_bytes() == paths["zh"].read_bytes()


def test_unknown_language_is_refused(tmp_path):
    with pytest.raises(ValueError, match="lang"):
        write_workbook(None, tmp_path / "x.xlsx", lang="fr")
    assert not (tmp_path / "x.xlsx").exists()


def test_template_reads_back_with_only_the_month_missing(paths):
    from salesdeck.workbook.read.reader import check_workbook

    result = check_workbook(paths["en"])
    errors = [i for i in result.issues if i.severity == "error"]
    assert len(errors) == 1 and "report month" in str(errors[0]).lower()


@pytest.fixture(scope="module")
def template_pdf_text(paths, tmp_path_factory):
    if office_module.SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    pdf = office_module.convert(paths["zh"], tmp_path_factory.mktemp("pdf"))
    return office_module.pdf_text(pdf)


def test_template_opens_in_libreoffice(template_pdf_text):
    assert "销售月报工作簿 · 填写说明" in template_pdf_text
    for col in (c for c in contract.TABLES["orders"].columns if not c.automatic):
        assert col.zh in template_pdf_text


# ------------------------------------------------------------------ CLI
def test_cli_template_writes_and_prints_the_path(tmp_path, monkeypatch):
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["template"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "salesdeck-template-zh.xlsx"
    assert openpyxl.load_workbook(tmp_path / "salesdeck-template-zh.xlsx").sheetnames[1] == "设置"


def test_cli_template_english_to_a_named_file(tmp_path):
    target = tmp_path / "out" / "blank.xlsx"
    result = CliRunner().invoke(cli, ["template", "--lang", "en", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(target)
    assert openpyxl.load_workbook(target)["Orders"]["M1"].value == "Amount"


@pytest.mark.parametrize("args, code, message", [
    (["template", "--lang", "fr"], 2, "'fr' is not one of 'zh', 'en'"),
])
def test_cli_template_usage_errors(args, code, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code
    assert message in result.output


def test_cli_template_unwritable_target_is_an_error_not_a_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, ["template", "-o", str(blocker / "t.xlsx")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot write")
    assert result.exception is None or isinstance(result.exception, SystemExit)

