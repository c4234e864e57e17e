"""Batch deck names: one file per split value, byte-limited and clean, mapped in the report (issue 15,
point 3); and a deck rebuilt when its narrative templates or salesdeck change (point 6)."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from pptx import Presentation

from salesdeck.cli import cli
from salesdeck.jobs.outnames import MAX_NAME_BYTES, Claims, deck_name, split_names
from salesdeck.workbook.author.sample import write_sample

NARRATIVE = Path(__file__).resolve().parents[1] / "templates" / "narrative"
LONG = "欧阳" + "晓" * 88  # 90 characters, 270 bytes of UTF-8
#: the sample's reps renamed to names that clash once made safe for a file name
RENAMED = {"刘洋": "East/West", "吴婷": "East West", "周杰": "East\\West", "孙丽": "智能/终端", "张伟": "智能 终端",
           "徐明": LONG, "朱琳": "Ann", "李娜": "ann", "杨帆": "East_West", "王芳": "a/../../escape"}


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _rename_reps(path: Path, renamed: dict[str, str]) -> Path:
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in renamed:
                    cell.value = renamed[cell.value]
    book.save(path)
    return path


@pytest.fixture(scope="module")
def clashing(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("clash")
    return _rename_reps(write_sample(folder / "book.xlsx", seed=1, rows=300), RENAMED)


def _title_text(deck: str) -> str:
    slide = Presentation(deck).slides[0]
    return " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def test_every_rep_gets_its_own_clean_deck_and_the_report_says_which(clashing, tmp_path):
    out = tmp_path / "out"
    result = run("batch", clashing, "-o", out, "--split-by", "rep", "--jobs", "1", "--report", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    (entry,) = report["results"]
    split = entry["split"]
    assert len(split) == 14 and set(RENAMED.values()) <= set(split)  # every rep, renamed or not
    decks = sorted(out.glob("*.pptx"))
    assert len(decks) == 14 and sorted(split.values()) == sorted(map(str, decks))  # 14 reps, 14 files
    for value, deck in split.items():
        name = Path(deck).name
        assert Path(deck).parent == out  # "a/../../escape" stays in the folder
        assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
        assert not any(unicodedata.category(ch)[0] in "CZ" or ch in '<>:"/\\|?*' for ch in name)
        assert value.replace(" ", "") in _title_text(deck).replace(" ", "").replace("\n", "")  # the right rep's deck
    lowered = [unicodedata.normalize("NFC", Path(d).name).casefold() for d in split.values()]
    assert len(set(lowered)) == 14  # distinct even where case does not count (macOS, Windows)


def test_the_same_workbook_name_in_two_folders_gives_two_decks(tmp_path):
    north, south = tmp_path / "north", tmp_path / "south"
    north.mkdir(), south.mkdir()
    write_sample(north / "sales.xlsx", seed=1, rows=200)
    write_sample(south / "sales.xlsx", seed=2, rows=200)
    out = tmp_path / "out"
    result = run("batch", north / "sales.xlsx", south / "sales.xlsx", "-o", out, "--report", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    rows = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["results"]
    decks = {Path(r["file"]).parent.name: r["outputs"][0] for r in rows}
    assert decks["north"] != decks["south"] and len(list(out.glob("*.pptx"))) == 2
    assert Path(decks["north"]).name == "sales.pptx"  # the first keeps the plain name
    again = run("batch", north / "sales.xlsx", south / "sales.xlsx", "-o", out)
    assert "0 built, 2 up to date" in again.output  # the names are stable from run to run


@pytest.mark.parametrize("value", ["East/West", "a\x07b", "\u202eevil\u202c.exe", "  ", "CON", "x" * 400,
                                   "智" * 200, "a\nb", "..", "e\u0301"])
def test_split_names_are_safe_and_short(value):
    name = deck_name("book", value)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES and name.endswith(".pptx") and name.startswith("book-")
    assert not any(unicodedata.category(ch)[0] in "CZ" or ch in '<>:"/\\|?*' for ch in name)


def test_split_names_stay_unique_against_a_value_spelled_like_another_ones_name():
    first = split_names("book", ["East/West", "East West"])
    mimic = first["East/West"].removeprefix("book-").removesuffix(".pptx")  # what an attacker would type
    names = split_names("book", ["East/West", "East West", mimic, "Ann", "ann", "\u00c5", "A\u030a"])
    keys = [unicodedata.normalize("NFC", n).casefold() for n in names.values()]
    assert len(set(keys)) == len(names) == 7


def test_claims_give_a_second_deck_of_one_name_another_name(tmp_path):
    claims = Claims(tmp_path)
    assert claims.take("sales.pptx", "north/sales.xlsx") == "sales.pptx"
    other = claims.take("SALES.pptx", "south/sales.xlsx")
    assert other != "SALES.pptx" and other.endswith(".pptx")
    assert claims.take("sales.pptx", "south/sales.xlsx") not in ("sales.pptx", other)


# ---------------------------------------------------------------- point 6: what the fingerprint covers
def test_editing_the_narrative_templates_rebuilds_the_deck(tmp_path):
    book = write_sample(tmp_path / "book.xlsx", seed=2, rows=200)
    narrative = tmp_path / "narrative"
    shutil.copytree(NARRATIVE, narrative)
    out = tmp_path / "out"
    assert run("batch", book, "-o", out, "--narrative", narrative).exit_code == 0
    assert "0 built, 1 up to date" in run("batch", book, "-o", out, "--narrative", narrative).output
    (narrative / "zh" / "deck_title.j2").write_text("新标题 NEW-TITLE-7Q", encoding="utf-8")
    rerun = run("batch", book, "-o", out, "--narrative", narrative)
    assert "1 built, 0 up to date" in rerun.output, rerun.output
    assert "NEW-TITLE-7Q" in _title_text(str(out / "book.pptx"))
    (narrative / "zh" / "extra.j2").write_text("{{ 1 }}", encoding="utf-8")  # a new file counts too
    assert "1 built" in run("batch", book, "-o", out, "--narrative", narrative).output


def test_a_new_salesdeck_version_rebuilds_the_deck(tmp_path, monkeypatch):
    from salesdeck.jobs import batch

    book = write_sample(tmp_path / "book.xlsx", seed=2, rows=200)
    out = tmp_path / "out"
    assert run("batch", book, "-o", out).exit_code == 0
    assert "0 built, 1 up to date" in run("batch", book, "-o", out).output
    monkeypatch.setattr(batch, "__version__", "99.0")
    assert "1 built, 0 up to date" in run("batch", book, "-o", out).output
