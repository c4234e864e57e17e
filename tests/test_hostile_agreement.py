"""Every command that uses a workbook accepts and refuses what ``check`` does, and never shows a traceback.

The whole hostile corpus (files refused before anything is parsed) goes through check, build, refresh,
metrics and import: each exits 2 with the same ``Error: ...`` line. The broken-workbook corpus (files that open
but hold bad values, issue 15's point 10 among them) goes through check, build, refresh and metrics: the same
exit code, 1 for every case check refuses. Import edits one table, so it is only required to never crash on
those.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from tests.corpus import build, hostile

CSV = "订单号,日期,销售代表,区域,渠道,客户,客户等级,行业,产品,产品线,新签/续约,数量,金额\n" \
      "SO-NEW-1,2026-10-20,张伟,华东,直销,新客户A,A,制造,X1,智能终端,新签,1,5000\n"


def _commands(path: Path, out: Path) -> dict[str, list[str]]:
    source = out / "new.csv"
    source.write_text(CSV, encoding="utf-8")
    return {
        "check": ["check", str(path)],
        "build": ["build", str(path), "-o", str(out / "deck.pptx")],
        "refresh": ["refresh", str(path), "-o", str(out / "refreshed.xlsx")],
        "metrics": ["metrics", str(path), "--json"],
        "import": ["import", str(source), "--into", str(path), "--as", "orders", "-o", str(out / "imported.xlsx")],
    }


def _run_all(path: Path, out: Path, only=("check", "build", "refresh", "metrics", "import")) -> dict:
    results = {}
    for name, args in _commands(path, out).items():
        if name in only:
            result = CliRunner().invoke(cli, args)
            assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.output)
            assert "Traceback" not in result.output, (name, result.output)
            results[name] = result
    return results


def _error_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("Error: "))


@pytest.fixture(scope="module")
def valid(tmp_path_factory) -> Path:
    return build.write_valid(tmp_path_factory.mktemp("valid") / "valid.xlsx", "zh", rows=300)


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE))
def test_every_command_refuses_a_hostile_file_alike(name, valid, tmp_path):
    builder, text = hostile.HOSTILE[name]
    path = builder(tmp_path, valid)
    results = _run_all(path, tmp_path)
    assert {cmd: r.exit_code for cmd, r in results.items()} == dict.fromkeys(results, 2)
    lines = {_error_line(r.output) for r in results.values()}
    assert len(lines) == 1, lines
    line = lines.pop()
    assert line.startswith(f"Error: {path.name}: ") and text in line
    assert hostile.SECRET not in line
    assert not any((tmp_path / n).exists() for n in ("deck.pptx", "refreshed.xlsx", "imported.xlsx"))


REFUSED_BY_CHECK = [name for name, (_, code) in build.MUTATIONS.items() if code == 1]


@pytest.mark.parametrize("name", REFUSED_BY_CHECK)
def test_check_build_and_refresh_refuse_the_same_workbooks(name, valid, tmp_path):
    path, code, expected = build.build_case(valid, name, tmp_path / "case.xlsx")
    results = _run_all(path, tmp_path)
    assert [results[c].exit_code for c in ("check", "build", "refresh", "metrics")] == [1, 1, 1, 1], \
        {c: r.output[-600:] for c, r in results.items()}
    if expected:
        assert all(expected in results[c].output for c in ("check", "build", "refresh", "metrics"))
    assert not (tmp_path / "deck.pptx").exists() and not (tmp_path / "refreshed.xlsx").exists()
    assert results["import"].exit_code in (0, 1)


def test_a_valid_workbook_is_accepted_by_all_four(valid, tmp_path):
    results = _run_all(valid, tmp_path)
    assert {cmd: r.exit_code for cmd, r in results.items()} == dict.fromkeys(results, 0)


def test_the_far_cell_file_no_longer_kills_the_process(valid, tmp_path):
    """Run as a user would, each command in its own process: an abort (exit 134) would show here."""
    path = hostile.far_cell(tmp_path, valid)
    assert path.stat().st_size < 2 * valid.stat().st_size
    for name, args in _commands(path, tmp_path).items():
        proc = subprocess.run([sys.executable, "-c", "from salesdeck.cli import main; main()", *args],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, (name, proc.returncode, proc.stderr[-2000:])
        assert "XFD1048576" in proc.stderr and "Traceback" not in proc.stderr, name


def test_a_batch_reports_the_far_cell_file_and_builds_the_others(valid, tmp_path):
    """In the issue the far cell took every batch worker down (0 of 8 decks, no report with --jobs 1)."""
    import json
    import shutil

    folder = tmp_path / "in"
    folder.mkdir()
    for n in (1, 2):
        shutil.copy(valid, folder / f"rep{n}.xlsx")
    hostile.far_cell(tmp_path, valid).rename(folder / "far.xlsx")
    report = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["batch", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1",
                                      "--report", str(report)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (tmp_path / "out" / "rep1.pptx").exists() and (tmp_path / "out" / "rep2.pptx").exists()
    rows = {r["file"].rsplit("/", 1)[-1]: r for r in json.loads(report.read_text(encoding="utf-8"))["results"]}
    assert rows["far.xlsx"]["status"] == "failed" and "XFD1048576" in rows["far.xlsx"]["error"]
