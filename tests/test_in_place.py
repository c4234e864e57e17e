"""Changing a workbook in place: exclusive, never a lost update, the file's mode, owner and links kept
(issue 15, points 2 and 4)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from salesdeck.workbook.author.writer import write_workbook
from salesdeck.workbook.read.reader import read_workbook
from tests.processes import salesdeck

HEADER = "订单号,日期,销售代表,区域,渠道,客户,产品,产品线,数量,金额\n"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def orders_csv(path: Path, *ids: str) -> Path:
    path.write_text(HEADER + "".join(f"{i},2026-10-0{n + 1},代表{n},华东,直营,客户{n},产品1,产品线1,1,{100 + n}\n"
                                     for n, i in enumerate(ids)), encoding="utf-8")
    return path


def order_ids(book: Path) -> set[str]:
    return set(read_workbook(book).orders["order_id"].astype(str))


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> bytes:
    return write_workbook(None, tmp_path_factory.mktemp("blank") / "blank.xlsx", lang="zh").read_bytes()


@pytest.fixture
def book(blank, tmp_path) -> Path:
    path = tmp_path / "book.xlsx"
    path.write_bytes(blank)
    return path


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> bytes:
    from salesdeck.workbook.author.sample import write_sample

    return write_sample(tmp_path_factory.mktemp("filled") / "s.xlsx", seed=5, rows=200).read_bytes()


# ---------------------------------------------------------------- point 2: exclusive, no lost update
def test_two_imports_at_once_keep_both_rows(book, tmp_path):
    """Two real processes import into one workbook at the same moment, three times over."""
    expected = set()
    for round_ in range(3):
        first = orders_csv(tmp_path / f"a{round_}.csv", f"A{round_}")
        second = orders_csv(tmp_path / f"b{round_}.csv", f"B{round_}")
        runs = [salesdeck("import", source, "--into", book, "--as", "orders", "--in-place", "--month", "2026-10")
                for source in (first, second)]
        outcomes = [(p.wait(timeout=120), *p.communicate()) for p in runs]
        for code, out, err in outcomes:
            assert code == 0, err
            assert "imported 1 row" in out
        expected |= {f"A{round_}", f"B{round_}"}
        assert order_ids(book) == expected
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no lock or temp file left


HOLD = """
import sys, time
from pathlib import Path
from salesdeck.filesafety import locked_update
with locked_update(sys.argv[1]):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    Path(sys.argv[3]).write_text("done")
"""


def _holder(book: Path, seconds: float, marker: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(book), str(seconds), str(marker)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_run_waits_for_the_first_then_goes_on(book, tmp_path, monkeypatch):
    marker = tmp_path / "holder-finished"
    holder = _holder(book, 2, marker)
    monkeypatch.setenv("SALESDECK_LOCK_WAIT", "60")
    result = run("import", orders_csv(tmp_path / "o.csv", "W1"), "--into", book, "--as", "orders", "--in-place",
                 "--month", "2026-10")
    assert result.exit_code == 0, result.output
    assert marker.exists()  # it read the workbook only after the other run had finished with it
    holder.wait(timeout=30)
    assert order_ids(book) == {"W1"}


def test_a_second_run_that_waited_long_enough_stops_with_a_message(book, tmp_path):
    holder = _holder(book, 30, tmp_path / "unused")
    try:
        before = book.read_bytes()
        late = salesdeck("import", orders_csv(tmp_path / "o.csv", "L1"), "--into", book, "--as", "orders",
                         "--in-place", env={"SALESDECK_LOCK_WAIT": "0.5"})
        code = late.wait(timeout=60)
        _, err = late.communicate()
        assert code == 1
        assert "is being changed by another salesdeck run" in err and "nothing was written" in err
        assert "Traceback" not in err
        assert book.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()


def _changed_meanwhile(path: Path, new: bytes):
    """Another program (Excel saving, say) replaces the file, ignoring salesdeck's lock."""
    path.write_bytes(new)


def test_import_never_replaces_a_file_that_changed_since_it_was_read(book, filled, tmp_path, monkeypatch):
    from salesdeck.workbook.imports import importer

    opened = importer.open_target

    def open_then_someone_saves(path, table):
        target = opened(path, table)
        _changed_meanwhile(book, filled)
        return target

    monkeypatch.setattr(importer, "open_target", open_then_someone_saves)
    result = run("import", orders_csv(tmp_path / "o.csv", "C1"), "--into", book, "--as", "orders", "--in-place",
                 "--month", "2026-10")
    assert result.exit_code == 1
    assert "changed on disk while salesdeck was changing it" in result.stderr
    assert book.read_bytes() == filled  # the other program's version stays
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_refresh_never_replaces_a_file_that_changed_since_it_was_read(filled, tmp_path, monkeypatch):
    from salesdeck.jobs import refresh

    book = tmp_path / "book.xlsx"
    book.write_bytes(filled)
    newer = filled + b""  # same bytes, new write: a save is a change even when it looks the same
    computed = refresh.compute_results

    def compute_then_someone_saves(model):
        tables = computed(model)
        os.utime(book, ns=(1, 1))  # the file's identity changes (its time here)
        _changed_meanwhile(book, newer)
        return tables

    monkeypatch.setattr(refresh, "compute_results", compute_then_someone_saves)
    result = run("refresh", book, "--in-place")
    assert result.exit_code == 1 and "changed on disk" in result.stderr
    assert book.read_bytes() == newer


# ---------------------------------------------------------------- point 4: mode, owner, read-only, links
IN_PLACE = {
    "import": lambda book, tmp: ["import", orders_csv(tmp / "o.csv", "M1"), "--into", book, "--as", "orders",
                                 "--in-place", "--month", "2026-10"],
    "refresh": lambda book, tmp: ["refresh", book, "--in-place"],
}


@pytest.fixture
def workbook(filled, tmp_path) -> Path:
    path = tmp_path / "book.xlsx"
    path.write_bytes(filled)
    return path


@pytest.mark.parametrize("command", IN_PLACE)
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_in_place_keeps_the_mode(workbook, tmp_path, command, mode):
    os.chmod(workbook, mode)
    before = workbook.read_bytes()
    result = run(*IN_PLACE[command](workbook, tmp_path))
    assert result.exit_code == 0, result.output
    assert workbook.read_bytes() != before
    assert stat.S_IMODE(os.stat(workbook).st_mode) == mode


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file another owner needs root")
@pytest.mark.parametrize("command", IN_PLACE)
def test_in_place_keeps_the_owner(workbook, tmp_path, command):
    os.chown(workbook, 12345, 23456)
    result = run(*IN_PLACE[command](workbook, tmp_path))
    assert result.exit_code == 0, result.output
    info = os.stat(workbook)
    assert (info.st_uid, info.st_gid) == (12345, 23456)


@pytest.mark.parametrize("command", IN_PLACE)
def test_a_read_only_workbook_is_refused(workbook, tmp_path, command):
    os.chmod(workbook, 0o444)
    before = workbook.read_bytes()
    result = run(*IN_PLACE[command](workbook, tmp_path))
    assert result.exit_code == 1
    assert "read-only" in result.stderr and "Traceback" not in result.output
    assert workbook.read_bytes() == before and stat.S_IMODE(os.stat(workbook).st_mode) == 0o444


def test_a_read_only_output_is_refused_too(workbook, tmp_path):
    deck = tmp_path / "deck.pptx"
    deck.write_bytes(b"last month's deck")
    os.chmod(deck, 0o444)
    result = run("build", workbook, "-o", deck)
    assert result.exit_code == 1 and "read-only" in result.stderr
    assert deck.read_bytes() == b"last month's deck"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_an_existing_output_keeps_its_mode(workbook, tmp_path):
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(b"old copy")
    os.chmod(copy, 0o600)
    assert run("refresh", workbook, "-o", copy).exit_code == 0
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600 and copy.read_bytes() != b"old copy"


@pytest.mark.parametrize("command", IN_PLACE)
def test_in_place_writes_through_a_symlink(workbook, tmp_path, command):
    link = tmp_path / "link.xlsx"
    link.symlink_to(workbook)
    before = workbook.read_bytes()
    result = run(*IN_PLACE[command](link, tmp_path))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(workbook)
    assert workbook.read_bytes() != before  # the real workbook changed, not a new file in the link's place


@pytest.mark.parametrize("command", IN_PLACE)
def test_in_place_refuses_a_workbook_with_hard_links(workbook, tmp_path, command):
    other = tmp_path / "other-name.xlsx"
    os.link(workbook, other)
    before = workbook.read_bytes()
    result = run(*IN_PLACE[command](workbook, tmp_path))
    assert result.exit_code == 1 and "hard links" in result.stderr
    assert workbook.read_bytes() == before and os.stat(workbook).st_ino == os.stat(other).st_ino


def test_the_lock_is_shared_by_every_spelling(workbook, tmp_path):
    """A run through a symlink waits for one through the real name (one lock file, beside the real file)."""
    from salesdeck.filesafety import BusyError, locked_update

    link = tmp_path / "link.xlsx"
    link.symlink_to(workbook)
    errors = []
    with locked_update(workbook):
        def second():
            try:
                with locked_update(tmp_path / "." / "link.xlsx", wait=0.2):
                    pass
            except BusyError as exc:
                errors.append(exc)
        thread = threading.Thread(target=second)
        thread.start()
        thread.join()
    assert len(errors) == 1 and "being changed by another salesdeck run" in str(errors[0])
