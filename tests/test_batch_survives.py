"""A batch outlives its workers (issue 15, point 7, batch part) and stops cleanly on a signal (point 13).

Workers die for real here: a workbook whose one far cell makes the reader
allocate the whole grid (a native abort today), and a build that calls
``os.abort()``, kills its own process with SIGKILL (what the out-of-memory
killer does) or ends with ``os._exit``. Signals are sent to a real
``salesdeck batch`` process, as a terminal or a service manager would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation

from salesdeck.jobs.batch import build_one, run_batch, write_report
from salesdeck.workbook.author.sample import write_sample
from tests.processes import salesdeck

CRASHES = {"abort": "SIGABRT", "oom": "SIGKILL", "exit": "exit code 3"}


def crashing_build(workbook, outdir, options, fingerprint="", name=None, claims=None):
    """build_one, except that the workbooks named after a crash crash their process."""
    stem = Path(workbook).stem
    if stem == "abort":
        os.abort()
    if stem == "oom":
        os.kill(os.getpid(), signal.SIGKILL)
    if stem == "exit":
        os._exit(3)
    return build_one(workbook, outdir, options, fingerprint, name, claims)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("batch")
    write_sample(folder / "good1.xlsx", seed=1, rows=300)
    for name in ("good2", "good3", *CRASHES):
        shutil.copy(folder / "good1.xlsx", folder / f"{name}.xlsx")
    book = openpyxl.load_workbook(folder / "good1.xlsx")
    book["设置"]["XFD1048576"] = 1  # one cell in the last column of the last row: a 16k x 1M grid
    book.save(folder / "far.xlsx")
    return folder


@pytest.mark.parametrize("jobs", [1, 2])
def test_workers_that_die_fail_their_workbook_only(folder, tmp_path, jobs):
    files = [folder / f"{n}.xlsx" for n in ("good1", "abort", "good2", "oom", "exit", "good3")]
    summary = run_batch(files, tmp_path / "out", jobs=jobs, build=crashing_build)
    by_name = {Path(r.file).stem: r for r in summary.results}
    for name in ("good1", "good2", "good3"):
        assert by_name[name].status == "ok"
        assert len(Presentation(by_name[name].outputs[0]).slides) > 10
    for name, reason in CRASHES.items():
        assert by_name[name].status == "failed" and reason in by_name[name].error, by_name[name].error
        assert by_name[name].error.startswith(f"{name}.xlsx: the worker process")
    report = write_report(summary, tmp_path / "report.json")
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["failed"] == 3 and [r["status"] for r in data["results"]].count("ok") == 3
    assert [p.name for p in (tmp_path / "out").iterdir() if p.suffix == ".tmp"] == []


def test_a_workbook_that_crashes_the_reader_fails_alone_with_jobs_1(folder, tmp_path):
    """The real thing, through the command: summary and report are written, the others built."""
    out, report = tmp_path / "out", tmp_path / "report.json"
    proc = salesdeck("batch", folder / "good1.xlsx", folder / "far.xlsx", folder / "good2.xlsx", "-o", out,
                     "--jobs", "1", "--report", report)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 1, stderr
    assert "2 built, 0 up to date, 1 failed" in stdout and f"report: {report}" in stdout
    rows = {Path(r["file"]).stem: r for r in json.loads(report.read_text(encoding="utf-8"))["results"]}
    assert rows["good1"]["status"] == rows["good2"]["status"] == "ok"
    assert rows["far"]["status"] == "failed" and rows["far"]["error"].startswith("far.xlsx: ")
    assert "Traceback" not in stdout + stderr


# ---------------------------------------------------------------- signals
def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("many")
    first = write_sample(folder / "w1.xlsx", seed=1, rows=3000)
    for n in range(2, 9):
        shutil.copy(first, folder / f"w{n}.xlsx")
    return sorted(folder.glob("*.xlsx"))


def _start(many, out, tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc = salesdeck("batch", *many, "-o", out, "--jobs", "2", env={"TMPDIR": str(temp)}, start_new_session=True)
    first = proc.stdout.readline()  # "[1/8] ok ...": one deck is built, the others are being built
    assert first.startswith("[1/8]"), first + proc.stderr.read()
    workers = _children(proc.pid)
    assert len(workers) == 2
    return proc, workers, temp


def _assert_stopped_cleanly(proc, workers, out, temp, status):
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == status, stderr
    assert "not finished (stopped)" in stdout and "Traceback" not in stdout + stderr
    deadline = time.monotonic() + 20
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in workers)  # no orphaned worker
    decks = sorted(out.glob("*.pptx"))
    time.sleep(2)
    assert sorted(out.glob("*.pptx")) == decks  # nothing new is started after the stop
    manifest = json.loads((out / ".salesdeck-batch.json").read_text(encoding="utf-8"))
    listed = [o for entry in manifest.values() for o in entry["outputs"]]
    assert listed and all(len(Presentation(o).slides) > 10 for o in listed)  # only finished decks are listed
    built = [line for line in stdout.splitlines() if re.match(r"w\d\.xlsx +ok ", line)]  # the summary's rows
    assert len(built) == len(manifest)
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []
    assert list(temp.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process trees from /proc")
def test_sigterm_stops_the_workers_at_once_and_keeps_the_manifest_true(many, tmp_path):
    out = tmp_path / "out"
    proc, workers, temp = _start(many, out, tmp_path)
    os.kill(proc.pid, signal.SIGTERM)  # to the batch alone, as a service manager does
    _assert_stopped_cleanly(proc, workers, out, temp, 128 + signal.SIGTERM)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process trees from /proc")
def test_ctrl_c_stops_the_workers_at_once_and_keeps_the_manifest_true(many, tmp_path):
    out = tmp_path / "out"
    proc, workers, temp = _start(many, out, tmp_path)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole process group
    _assert_stopped_cleanly(proc, workers, out, temp, 128 + signal.SIGINT)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process trees from /proc")
def test_workers_of_a_batch_killed_outright_stop_by_themselves(many, tmp_path):
    out = tmp_path / "out"
    proc, workers, _ = _start(many, out, tmp_path)
    os.kill(proc.pid, signal.SIGKILL)  # no chance to stop anyone
    proc.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in workers)
    again = salesdeck("batch", *many, "-o", out, "--jobs", "2")
    stdout, _ = again.communicate(timeout=300)
    assert again.returncode == 0 and "0 failed" in stdout  # the next run finishes the job
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("exitcode, stderr, expected", [
    (-6, "memory allocation of 549755813888 bytes failed\nstack backtrace:\n   0: rust_oom\n",
     "aborted (SIGABRT: a crash in a native library): memory allocation of 549755813888 bytes failed"),
    (-6, "some warning\nthread '<unnamed>' panicked at src/de.rs:12:5:\ncapacity overflow\n",
     "panicked at src/de.rs:12:5: capacity overflow"),
    (-9, "", "was killed (SIGKILL; most often the system ran out of memory)"),
    (-11, "UserWarning: something\n", "crashed (SIGSEGV: a crash in a native library)"),
    (3, "", "exited unexpectedly (exit code 3)"),
])
def test_the_reason_names_the_signal_and_what_the_crash_said(exitcode, stderr, expected):
    from salesdeck.jobs.workers import death_reason

    reason = death_reason(exitcode, stderr)
    assert reason.startswith("the worker process ") and reason.endswith(expected)
    assert "UserWarning" not in reason and "some warning" not in reason
