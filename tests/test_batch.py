"""`salesdeck batch`: many workbooks, failures isolated and reported, up-to-date decks skipped, splits."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest
from click.testing import CliRunner
from pptx import Presentation

from salesdeck.cli import cli
from salesdeck.workbook.author.sample import write_sample


def run(*args):
    return CliRunner().invoke(cli, ["batch", *[str(a) for a in args]])


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    for seed in (1, 2, 3):
        write_sample(folder / f"rep{seed}.xlsx", seed=seed, rows=300)
    broken = write_sample(folder / "broken.xlsx", seed=4, rows=300)
    book = openpyxl.load_workbook(broken)
    sheet = book["订单"]
    amount = next(c for c in range(1, 30) if sheet.cell(1, c).value == "金额")
    sheet.cell(5, amount).value = "十二万"
    book.save(broken)
    (folder / "notes.xlsx").write_text("not a workbook", encoding="utf-8")
    (folder / "~$rep1.xlsx").write_bytes(b"lock file")
    return folder


def test_one_bad_workbook_never_stops_the_others(inputs, tmp_path):
    out = tmp_path / "out"
    result = run(inputs, "-o", out, "--jobs", "2", "--report", tmp_path / "report.json")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for seed in (1, 2, 3):
        deck = out / f"rep{seed}.pptx"
        assert len(Presentation(str(deck)).slides) > 10
    assert not (out / "broken.pptx").exists() and not (out / "notes.pptx").exists()
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    by_file = {r["file"].rsplit("/", 1)[-1]: r for r in report["results"]}
    assert set(by_file) == {"rep1.xlsx", "rep2.xlsx", "rep3.xlsx", "broken.xlsx", "notes.xlsx"}  # no lock file
    assert report["failed"] == 2 and report["ok"] is False
    assert by_file["broken.xlsx"]["status"] == "failed"
    assert "订单!" in by_file["broken.xlsx"]["error"] and "十二万" in by_file["broken.xlsx"]["error"]
    assert "not an Excel workbook" in by_file["notes.xlsx"]["error"]
    assert "3 built, 0 up to date, 2 failed" in result.output


def test_rerun_skips_up_to_date_decks_and_force_rebuilds(inputs, tmp_path):
    out = tmp_path / "out"
    good = [inputs / f"rep{s}.xlsx" for s in (1, 2)]
    assert run(*good, "-o", out, "--jobs", "1").exit_code == 0
    stamp = (out / "rep1.pptx").stat().st_mtime_ns
    again = run(*good, "-o", out, "--report", tmp_path / "r.csv")
    assert again.exit_code == 0
    rows = list(csv.DictReader((tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [r["status"] for r in rows] == ["skipped", "skipped"]
    assert (out / "rep1.pptx").stat().st_mtime_ns == stamp
    forced = run(*good, "-o", out, "--force")
    assert "2 built, 0 up to date" in forced.output


def test_parallel_and_serial_give_the_same_decks(inputs, tmp_path):
    good = [inputs / f"rep{s}.xlsx" for s in (1, 2, 3)]
    assert run(*good, "-o", tmp_path / "one", "--jobs", "1").exit_code == 0
    assert run(*good, "-o", tmp_path / "two", "--jobs", "2").exit_code == 0
    for seed in (1, 2, 3):
        assert (tmp_path / "one" / f"rep{seed}.pptx").read_bytes() == (tmp_path / "two" / f"rep{seed}.pptx").read_bytes()


def test_split_by_region_makes_one_deck_per_region_named_predictably(inputs, tmp_path):
    out = tmp_path / "regions"
    result = run(inputs / "rep1.xlsx", "-o", out, "--split-by", "region")
    assert result.exit_code == 0, result.output
    decks = sorted(p.name for p in out.glob("*.pptx"))
    assert "rep1-华东.pptx" in decks and "rep1-西南.pptx" in decks
    title_slide = Presentation(str(out / "rep1-华东.pptx")).slides[0]
    assert any("华东" in s.text_frame.text for s in title_slide.shapes if s.has_text_frame)


def test_split_by_rep_gives_one_page_per_part(inputs, tmp_path):
    out = tmp_path / "reps"
    assert run(inputs / "rep2.xlsx", "-o", out, "--split-by", "rep").exit_code == 0
    deck = sorted(out.glob("rep2-*.pptx"))[0]
    # title, agenda, and per part a divider plus one slide
    assert len(Presentation(str(deck)).slides) == 2 + 6 * 2


def test_glob_input(inputs, tmp_path):
    result = run(str(inputs / "rep*.xlsx"), "-o", tmp_path / "g", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "g").glob("*.pptx")) == ["rep1.pptx", "rep2.pptx", "rep3.pptx"]


@pytest.mark.parametrize("args, message", [
    (["nothing-here-*.xlsx"], "nothing matches"),
    (["{inputs}/rep1.xlsx", "--report", "r.txt"], "expected a .json or .csv"),
])
def test_usage_errors_exit_2(inputs, tmp_path, args, message):
    args = [a.format(inputs=inputs) for a in args]
    result = run(*args, "-o", tmp_path / "o")
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
