"""No temp output or working folder outlives a run we control; those of killed runs go on the next run
(issue 15, point 14). Only what is provably salesdeck's and stale is ever removed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from salesdeck import tempfiles
from salesdeck.workbook.author.sample import write_sample
from tests.processes import salesdeck


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _ours(prefix: str, pid: int) -> str:
    """A tagged name of this host for process ``pid`` (the tag's pid swapped in)."""
    return prefix.replace(f"-{os.getpid()}-", f"-{pid}-") + "abcdefgh"


def test_only_our_stale_temp_files_are_removed(tmp_path):
    dead = _dead_pid()
    prefix = tempfiles.temp_file_prefix("deck.pptx")
    stale = tmp_path / (_ours(prefix, dead) + ".tmp")
    kept = {
        "live process": tmp_path / (_ours(prefix, os.getppid()) + ".tmp"),
        "this process": tmp_path / (_ours(prefix, os.getpid()) + ".tmp"),
        "other host": tmp_path / (_ours(prefix, dead).replace(f".salesdeck-{prefix.split('-')[1]}-",
                                                              ".salesdeck-zz0000-") + ".tmp"),
        "not ours": tmp_path / ".deck.pptx.tmp",
        "someone's file": tmp_path / "deck.pptx",
    }
    for path in (stale, *kept.values()):
        path.write_bytes(b"x")
    target = tmp_path / "precious.xlsx"
    target.write_bytes(b"keep me")
    link = tmp_path / (_ours(prefix, dead).replace("abcdefgh", "linkxxxx") + ".tmp")
    link.symlink_to(target)
    assert tempfiles.remove_stale(tmp_path, once=False) == 1
    assert not stale.exists()
    assert all(p.exists() for p in kept.values()) and link.is_symlink() and target.read_bytes() == b"keep me"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="another owner needs root")
def test_a_stale_looking_folder_of_another_account_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folder = tmp_path / f"salesdeck-read-{tempfiles._host()}-{_dead_pid()}-abcdefgh"
    folder.mkdir()
    os.chown(folder, 12345, 12345)
    assert tempfiles.remove_stale_tempdirs(once=False) == 0 and folder.exists()


def test_stale_working_folders_go_and_live_ones_stay(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    host = tempfiles._host()
    stale = tmp_path / f"salesdeck-read-{host}-{_dead_pid()}-abcdefgh"
    live = tmp_path / f"salesdeck-pdf-{host}-{os.getppid()}-abcdefgh"
    old_style = tmp_path / "salesdeck-read-k2j3h4g5"  # an older salesdeck's: not provably dead, kept
    for folder in (stale, live, old_style):
        (folder / "piece0.xlsx").parent.mkdir()
        (folder / "piece0.xlsx").write_bytes(b"x" * 1000)
    assert tempfiles.remove_stale_tempdirs(once=False) == 1
    assert not stale.exists() and live.exists() and old_style.exists()


# ---------------------------------------------------------------- real runs, really interrupted
@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """A sheet big enough (28 MB of XML) to be read in pieces through a working folder."""
    return write_sample(tmp_path_factory.mktemp("big") / "big.xlsx", seed=1, rows=60_000)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return write_sample(tmp_path_factory.mktemp("small") / "small.xlsx", seed=2, rows=200)


def _start_and_catch(args, folder: Path, pattern: str, env: dict) -> subprocess.Popen | None:
    """Start ``salesdeck ARGS`` and return it once something matching ``pattern`` is in ``folder``."""
    proc = salesdeck(*args, env=env, stdout=subprocess.DEVNULL)
    while proc.poll() is None:
        if any(folder.glob(pattern)):
            return proc
        time.sleep(0.001)
    return None


def _caught(args, folder, pattern, env, signum) -> tuple[int, str]:
    """(exit status, stderr) of a run sent ``signum`` while ``pattern`` was in ``folder``."""
    for _ in range(5):  # the window is short; a run that finished first is simply tried again
        proc = _start_and_catch(args, folder, pattern, env)
        if proc is not None:
            proc.send_signal(signum)
            _, stderr = proc.communicate(timeout=120)
            return proc.returncode, stderr
    pytest.fail(f"never caught {pattern} in {folder}")


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_during_a_split_read_leaves_nothing(big, tmp_path, signum):
    temp, out = tmp_path / "tmp", tmp_path / "out"
    temp.mkdir(), out.mkdir()
    status, stderr = _caught(["build", big, "-o", out / "deck.pptx"], temp, "salesdeck-read-*",
                             {"TMPDIR": str(temp)}, signum)
    assert status == 128 + signum and "Interrupted; no output was half-written." in stderr
    assert list(temp.iterdir()) == [] and list(out.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_kill_9_leftovers_are_removed_by_the_next_run(big, small, tmp_path):
    temp, out = tmp_path / "tmp", tmp_path / "out"
    temp.mkdir(), out.mkdir()
    env = {"TMPDIR": str(temp)}
    _caught(["build", small, "-o", out / "deck.pptx"], out, ".deck.pptx.*.tmp", env, signal.SIGKILL)
    _caught(["build", big, "-o", out / "deck.pptx"], temp, "salesdeck-read-*", env, signal.SIGKILL)  # never writes
    assert list(temp.glob("salesdeck-read-*")) and list(out.glob(".deck.pptx.*.tmp"))  # what kill -9 leaves
    again = salesdeck("build", small, "-o", out / "deck.pptx", env=env)
    assert again.wait(timeout=120) == 0
    assert list(temp.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["deck.pptx"]
