"""``salesdeck check``: exit codes, messages naming sheet!cell, JSON, hostile files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from tests.corpus import build, hostile


def run(*args: str):
    return CliRunner().invoke(cli, ["check", *map(str, args)])


@pytest.fixture(scope="session")
def valid_books(tmp_path_factory) -> dict[str, Path]:
    """The sample workbook (or, until it exists, a minimal one) in zh and en."""
    out = tmp_path_factory.mktemp("valid")
    return {lang: build.write_valid(out / f"valid-{lang}.xlsx", lang) for lang in ("zh", "en")}


@pytest.fixture(scope="session")
def corpus_base(tmp_path_factory) -> Path:
    """A small sample (300 orders) so the corpus' openpyxl round trips stay quick."""
    return build.write_valid(tmp_path_factory.mktemp("base") / "base.xlsx", "zh", rows=300)


@pytest.fixture(scope="session")
def corpus(corpus_base, tmp_path_factory) -> dict[str, tuple[Path, int, str | None]]:
    """Every broken workbook of the corpus, built once per session."""
    out = tmp_path_factory.mktemp("corpus")
    return {name: build.build_case(corpus_base, name, out / f"case{n}.xlsx")
            for n, name in enumerate(build.MUTATIONS)}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_valid_workbook_passes(valid_books, lang):
    result = run(valid_books[lang])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-1].startswith(f"OK: valid-{lang}.xlsx is usable")
    orders = "订单" if lang == "zh" else "Orders"
    assert any(line.startswith(f"{orders}: ") and " rows, 0 errors" in line for line in result.output.splitlines())


@pytest.mark.parametrize("name", list(build.MUTATIONS))
def test_corpus_case(corpus, name):
    path, code, expected = corpus[name]
    result = run(path)
    assert result.exit_code == code, result.output
    if expected:
        assert expected in result.output
    if code == 1:
        assert "NOT USABLE" in result.output


@pytest.mark.parametrize("name", ["title row, reordered columns, trailing spaces", "blank rows inside"])
def test_moved_and_gappy_orders_read_the_same_orders(corpus, corpus_base, name):
    from salesdeck.workbook.read.reader import read_workbook

    base, moved = read_workbook(corpus_base).orders, read_workbook(corpus[name][0]).orders
    assert len(moved) == len(base)
    assert moved["amount"].sum() == pytest.approx(base["amount"].sum())
    assert moved["order_id"].tolist() == base["order_id"].tolist()


def test_amount_typed_with_yuan_is_read_as_12000(corpus):
    from salesdeck.workbook.read.reader import read_workbook

    path, _, _ = corpus["12,000元 in amount"]
    assert 12000.0 in read_workbook(path).orders["amount"].tolist()


def test_human_output_is_a_table_with_a_summary_per_table(corpus):
    path, _, where = corpus["text in amount"]
    lines = run(path).output.splitlines()
    assert lines[0].split() == ["severity", "where", "column", "found", "expected", "/", "message"]
    row = next(line for line in lines if where in line)
    assert row.split()[:4] == ["error", where, "金额", "abc"]
    assert any(line.startswith("订单: ") and "1 error," in line for line in lines)


def test_json_has_stable_keys(corpus):
    path, _, where = corpus["text in amount"]
    result = run(path, "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert list(data) == ["file", "ok", "errors", "warnings", "issues", "tables"]
    assert (data["file"], data["ok"], data["errors"]) == (path.name, False, 1)
    issue = next(i for i in data["issues"] if i["severity"] == "error")
    assert list(issue) == ["severity", "sheet", "cell", "where", "column", "value", "expected", "message"]
    assert (issue["where"], issue["column"], issue["value"]) == (where, "金额", "abc")
    assert data["tables"]["orders"] >= 1


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE))
def test_hostile_files_exit_2_with_a_clear_message(name, valid_books, tmp_path):
    builder, text = hostile.HOSTILE[name]
    path = builder(tmp_path, valid_books["zh"])
    result = run(path)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {path.name}: ") and text in result.output
    assert "Traceback" not in result.output
    assert hostile.SECRET not in result.output


def test_hostile_file_in_json_mode(valid_books, tmp_path):
    path = hostile.xxe(tmp_path, valid_books["zh"])
    result = run(path, "--json")
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert data["ok"] is False and "DOCTYPE" in data["issues"][0]["message"]
    assert hostile.SECRET not in result.output


def test_missing_file_and_usage_errors_exit_2(tmp_path):
    missing = run(tmp_path / "nope.xlsx")
    assert missing.exit_code == 2 and "nope.xlsx: file not found" in missing.output
    assert CliRunner().invoke(cli, ["check"]).exit_code == 2


def test_check_never_modifies_the_input(valid_books, tmp_path):
    path = tmp_path / "book.xlsx"
    shutil.copy2(valid_books["zh"], path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    run(path)
    run(path, "--json")
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_check_is_documented():
    result = CliRunner().invoke(cli, ["check", "--help"])
    assert result.exit_code == 0 and "Exit status: 0 when the workbook is usable" in result.output
