"""The workbook contract is consistent: one source of truth for everything."""

from __future__ import annotations

import pytest

from salesdeck.workbook import contract, model


def test_every_sheet_the_issue_asks_for_exists():
    names = {s.zh for s in contract.SHEETS}
    assert {"设置", "目标", "订单", "商机", "活动", "回款", "反馈", "资源", "计划", "提成方案"} <= names
    assert contract.INSTRUCTIONS_SHEET.zh == "说明"


@pytest.mark.parametrize("table", list(contract.TABLES.values()), ids=list(contract.TABLES))
def test_columns_are_unique_and_described(table):
    keys = [c.key for c in table.columns]
    assert len(keys) == len(set(keys))
    for lang in contract.LANGS:
        headers = [contract.normalize_header(c.header(lang)) for c in table.columns]
        assert len(headers) == len(set(headers)), f"{table.key}: duplicate {lang} headers"
    for col in table.columns:
        assert col.desc_zh and col.desc_en, f"{table.key}.{col.key} lacks a description"
        if col.type == "choice":
            labels = [contract.normalize_header(x) for c in col.choices for x in (c.zh, c.en, c.key)]
            assert labels, col.key


def test_header_spellings_do_not_collide_within_a_sheet():
    """A header must name one column of one table on its sheet, or the reader cannot place it."""
    for sheet in contract.SHEETS:
        for table in sheet.tables:
            seen: dict[str, str] = {}
            for col in table.columns:
                for spelling in col.headers():
                    norm = contract.normalize_header(spelling)
                    assert seen.setdefault(norm, col.key) == col.key, f"{table.key}: {spelling!r}"


def test_setting_defaults_cover_every_setting_key():
    keys = {c.key for c in contract.SETTING_KEYS}
    assert keys == set(contract.SETTING_DEFAULTS)
    assert keys == set(model.Settings.keys())


def test_default_stage_probabilities_are_those_of_the_source():
    probs = {zh: p for zh, _en, p, _cat in contract.DEFAULT_STAGES}
    assert probs["已提供报价"] == 0.4
    assert probs["合同条款谈判"] == 0.6
    assert probs["通过初审"] == 0.8
    assert probs["已确定签单步骤"] == 0.9


@pytest.mark.parametrize(
    "typed, expected",
    [(" 直营 ", "direct"), ("Direct", "direct"), ("E-Commerce", "ecommerce"), ("线上", "ecommerce"), ("零售", None)],
)
def test_choices_accept_what_people_type(typed, expected):
    found = contract.find_choice(contract.CHANNELS, typed)
    assert (found.key if found else None) == expected


def test_normalize_header_folds_case_space_punctuation_and_fullwidth():
    assert contract.normalize_header("  Opportunity  Owner ") == "opportunityowner"
    assert contract.normalize_header("金额（元）") == contract.normalize_header("金额(元)")
    assert contract.normalize_header("ＡＭＯＵＮＴ") == "amount"


def test_empty_model_has_every_table_with_contract_columns():
    wb = model.SalesWorkbook(model.Settings(), {})
    for key, table in contract.TABLES.items():
        frame = wb.table(key)
        assert list(frame.columns[: len(table.columns)]) == table.keys
        assert len(frame) == 0


def test_workbook_reference_doc_is_generated_from_the_contract():
    from pathlib import Path

    from salesdeck.workbook.author.docs import contract_markdown

    doc = Path(__file__).resolve().parents[1] / "docs" / "workbook.md"
    assert doc.read_text(encoding="utf-8") == contract_markdown(), "run: python -m salesdeck.workbook.author.docs > docs/workbook.md"
