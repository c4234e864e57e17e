"""Benchmarks: `make bench` writes benchmarks/RESULTS.md.

For 1k, 10k, 100k and 1M order lines (``--sizes`` to choose) it times, each in
a fresh process so peak memory is per run:

- read (safe reader + calamine, every sheet), validate (typed model), compute
  (analysis), render (python-pptx) and total for `build`, and read, validate,
  compute, write and total for `refresh`, as recorded by salesdeck.timing
  inside the real build_deck / refresh_workbook;
- the floor: reading every sheet with python-calamine plus saving the same
  deck with python-pptx, nothing else;
- the Excel functions on 100,000-element ranges;
- ``salesdeck import`` of 100 new order lines into each workbook;
- ``salesdeck batch`` throughput at 1 and 2 jobs, and a pyinstrument profile of ``build``;
- ``salesdeck merge`` of 100 rep workbooks of 10,000 order lines each.

Timing lives here, never in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def _child(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints a JSON dict of timings."""
    code += (
        "\nimport resource as _r, json as _j\n"
        "result['peak_mb'] = _r.getrusage(_r.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(_j.dumps(result))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


BUILD = r"""
import json, time
from salesdeck import timing
from salesdeck.generator.parts import analysis  # imported before timing, as the floor imports pptx
from salesdeck.jobs import build
from salesdeck.generator.render import deck as render
path, out = {path!r}, {out!r}
t0 = time.perf_counter()
with timing.recording() as steps:
    build.build_deck(path, out)
result = {{**steps, "total": time.perf_counter() - t0}}
"""

FLOOR = r"""
import json, time
from python_calamine import CalamineWorkbook
from pptx import Presentation
path, deck, out = {path!r}, {deck!r}, {out!r}
prs = Presentation(deck)
t0 = time.perf_counter()
wb = CalamineWorkbook.from_path(path)
for name in wb.sheet_names:
    wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
prs.save(out)
result = {{"floor": time.perf_counter() - t0}}
"""

REFRESH = r"""
import json, time
from salesdeck import timing
from salesdeck.jobs.refresh import refresh_workbook
t0 = time.perf_counter()
with timing.recording() as steps:
    refresh_workbook({path!r}, {out!r})
result = {{**steps, "total": time.perf_counter() - t0}}
"""

IMPORT = r"""
import time
from salesdeck.workbook.imports.importer import import_rows
t0 = time.perf_counter()
report = import_rows([{csv!r}], {path!r}, "orders", out={out!r})
result = {{"import": time.perf_counter() - t0, "imported": report.imported}}
"""

#: What the import benchmark adds: this many new order lines, dated in the sample's report month.
IMPORT_ROWS = 100


def _import_csv(tmp: Path) -> Path:
    path = tmp / "new-orders.csv"
    lines = ["订单号,日期,销售代表,区域,渠道,客户,产品,产品线,数量,金额"]
    lines += [f"BENCH{i:05d},2026-10-{1 + i % 28:02d},代表{i % 7},华东,直营,客户{i % 50},产品{i % 9},产品线{i % 3},1,{100 + i}"
              for i in range(IMPORT_ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


UDFS = r"""
import json, time, datetime as dt
def _timed(fn):
    t0 = time.perf_counter(); fn(); return time.perf_counter() - t0
import numpy as np
from salesdeck.addin import udfs
rng = np.random.default_rng(1)
n = 100_000
weights = rng.random(n).tolist()
amounts = (rng.random(n) * 1e5).tolist()
probs = rng.choice([0.4, 0.6, 0.8, 0.9], n).tolist()
base = dt.date(2026, 1, 1)
due = [base + dt.timedelta(days=int(d)) for d in rng.integers(0, 300, n)]
scores = rng.integers(0, 11, n).tolist()
column = lambda values: [[v] for v in values]  # xlwings hands a column range over as a list of rows
w, a, p, d, s, t = column(weights), column(amounts), column(probs), column(due), column(scores), column([x + 1 for x in amounts])
cases = {{
    "SD_SPLIT": lambda: udfs.SD_SPLIT(10_000_000, w, 100),
    "SD_WEIGHTED_PIPELINE": lambda: udfs.SD_WEIGHTED_PIPELINE(a, p),
    "SD_AGING": lambda: udfs.SD_AGING(d, None, dt.date(2026, 10, 31)),
    "SD_NPS": lambda: udfs.SD_NPS(s),
    "SD_ATTAINMENT": lambda: udfs.SD_ATTAINMENT(a, t),
    "SD_STAGE_PROB": lambda: udfs.SD_STAGE_PROB(p),
    "SD_RAG": lambda: udfs.SD_RAG(column([x / 1e5 + 0.5 for x in amounts])),
}}
out = {{}}
for name, fn in cases.items():
    fn()
    best = min(_timed(fn) for _ in range(3))
    out[name] = best
result = out
"""


BATCH = r"""
import time
from salesdeck.jobs.batch import run_batch
t0 = time.perf_counter()
summary = run_batch({inputs!r}, {out!r}, jobs={jobs}, force=True)
assert summary.ok, [r.error for r in summary.failed]
result = {{"batch": time.perf_counter() - t0, "files": len(summary.results)}}
"""

MERGE = r"""
import time
from salesdeck import timing
from salesdeck.workbook.team.commands import merge_files
t0 = time.perf_counter()
with timing.recording() as steps:
    report = merge_files([{folder!r}], {out!r})
assert report.ok, report.exit_code
import resource
cpu = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
          for f in ("ru_utime", "ru_stime"))
result = {{**steps, "total": time.perf_counter() - t0, "cpu": cpu, "files": len(report.inputs),
          "orders": report.rows()["orders"]}}
"""

#: The merge benchmark: this many rep workbooks of this many order lines.
MERGE_FILES, MERGE_ROWS = 100, 10_000

PROFILE = r"""
from pyinstrument import Profiler
from salesdeck.jobs.build import build_deck
profiler = Profiler(interval=0.001)
profiler.start()
build_deck({path!r}, {out!r})
profiler.stop()
result = {{"profile": profiler.output_text(unicode=False, color=False, show_all=False)}}
"""


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()}"


def ensure_sample(rows: int) -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"sample-{rows}.xlsx"
    if not path.exists():
        from salesdeck.workbook.author.sample import write_sample

        t0 = time.perf_counter()
        write_sample(path, rows=rows)
        print(f"  wrote {path.name} in {time.perf_counter() - t0:.1f}s", flush=True)
    return path


def ensure_team() -> Path:
    """MERGE_FILES rep workbooks: the sample of MERGE_ROWS lines, each file's IDs and reps made its own."""
    from salesdeck.workbook.author.sample import generate
    from salesdeck.workbook.author.writer import write_workbook
    from salesdeck.workbook.model import SalesWorkbook

    folder = DATA / f"team-{MERGE_FILES}x{MERGE_ROWS // 1000}k"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    base = generate(rows=MERGE_ROWS)
    for i in range(MERGE_FILES):
        tag, tables = f"T{i:03d}", dict(base.tables)
        for key, column in (("orders", "order_id"), ("pipeline", "opportunity_id"), ("receivables", "invoice")):
            tables[key] = tables[key].assign(**{column: tag + "-" + tables[key][column]})
        for key in ("orders", "targets", "pipeline", "activities"):
            tables[key] = tables[key].assign(rep=tables[key]["rep"] + tag)
        write_workbook(SalesWorkbook(settings=base.settings, tables=tables), folder / f"rep{i:03d}.xlsx")
    done.touch()
    print(f"  wrote {MERGE_FILES} rep workbooks in {time.perf_counter() - t0:.1f}s", flush=True)
    return folder


#: Build and floor are each run this many times per size up to 100k lines (once at 1M); medians are shown.
REPEATS = 5


def _median(runs: list[dict]) -> dict:
    """Per key, the median over runs (each run a fresh process)."""
    return {key: sorted(run[key] for run in runs)[len(runs) // 2] for key in runs[0]}


SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1M": 1_000_000}


def _sizes(text: str) -> list[int]:
    try:
        return [SIZES[part.strip()] for part in text.split(",") if part.strip()]
    except KeyError as exc:
        raise SystemExit(f"unknown size {exc}; choose from {', '.join(SIZES)}") from None


def _versions() -> str:
    from importlib.metadata import version

    names = ("salesdeck", "pandas", "numpy", "python-calamine", "openpyxl", "python-pptx", "xlsxwriter", "lxml")
    return ", ".join(f"{n} {version(n)}" for n in names)


def _batch(rows: int, copies: int, tmp: Path) -> dict:
    """Throughput of ``salesdeck batch`` on ``copies`` workbooks of ``rows`` lines at 1 and 2 jobs."""
    source = ensure_sample(rows)
    folder = tmp / "batch-in"
    folder.mkdir(exist_ok=True)
    inputs = []
    for i in range(copies):
        target = folder / f"team{i:02d}.xlsx"
        if not target.exists():
            target.write_bytes(source.read_bytes())
        inputs.append(str(target))
    return {jobs: _child(BATCH.format(inputs=inputs, out=str(tmp / f"batch-out-{jobs}"), jobs=jobs)) for jobs in (1, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1k,10k,100k,1M", help="comma-separated: 1k,10k,100k,1M")
    parser.add_argument("--quick", action="store_true", help="skip the batch throughput and the profile")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args()
    sizes = _sizes(args.sizes)
    rows_out = []
    tmp = Path(tempfile.mkdtemp(prefix="salesdeck-bench-"))
    for rows in sizes:
        print(f"{rows:,} order lines", flush=True)
        path = ensure_sample(rows)
        deck = tmp / f"deck-{rows}.pptx"
        builds, floors = [], []
        for _ in range(REPEATS if rows <= 100_000 else 1):  # build and floor alternate, so drift hits both
            builds.append(_child(BUILD.format(path=str(path), out=str(deck))))
            floors.append(_child(FLOOR.format(path=str(path), deck=str(deck), out=str(tmp / "floor.pptx"))))
        build, floor = _median(builds), _median(floors)
        build["ratios"] = sorted(b["total"] / f["floor"] for b, f in zip(builds, floors))
        build["runs"] = len(builds)
        refresh = _child(REFRESH.format(path=str(path), out=str(tmp / f"refreshed-{rows}.xlsx")))
        refresh.update(_child(IMPORT.format(csv=str(_import_csv(tmp)), path=str(path), out=str(tmp / f"imported-{rows}.xlsx"))))
        rows_out.append((rows, path.stat().st_size, build, floor, refresh))
    udf = _child(UDFS.format())
    batch = profile = merge = None
    if not args.quick:
        print("merge", flush=True)
        merge = _child(MERGE.format(folder=str(ensure_team()), out=str(tmp / "team.xlsx")))
        print("batch throughput", flush=True)
        batch = _batch(10_000, 16, tmp)
        print("profile", flush=True)
        profile_rows = 100_000 if 100_000 in sizes else sizes[-1]
        profile = _child(PROFILE.format(path=str(ensure_sample(profile_rows)), out=str(tmp / "profiled.pptx")))
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}",
        "",
        f"Packages: {_versions()}",
        "",
        f"Command: `make bench` ({time.strftime('%Y-%m-%d')}); each measurement in a fresh process.",
        "",
        "## build",
        "",
        "`build_deck` as `salesdeck build` runs it, seconds per step: read = the safe reader (zip checks and scan, "
        "python-calamine), validate = header search and typed validation of every cell, compute = the analysis, "
        "render = python-pptx and the atomic save. While calamine parses (without the GIL) the scan and the "
        "renderer's warm-up run beside it, so read is close to calamine alone. Peak = peak resident memory. "
        f"Build and floor alternate, {REPEATS} runs each up to 100k lines and one at 1M; the table shows medians, "
        "and the range of build/floor over the paired runs.",
        "",
        "| order lines | file MB | read | validate | compute | render | build total | floor (calamine all sheets + pptx save) "
        "| build/floor | range over runs | peak MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for rows, size, b, f, r in rows_out:
        low, high = b["ratios"][0], b["ratios"][-1]
        lines.append(
            f"| {rows:,} | {size / 2**20:.1f} | {b['read']:.2f} | {b['validate']:.2f} | {b['compute']:.2f} "
            f"| {b['render']:.2f} | {b['total']:.2f} | {f['floor']:.2f} | {b['total'] / f['floor']:.2f}x "
            f"| {low:.2f}-{high:.2f}x ({b['runs']} runs) | {b['peak_mb']:.0f} |"
        )
    lines += ["", "## refresh", "",
              "`refresh_workbook` (what `salesdeck refresh` runs): write = the result sheet added to a copy of the "
              "package, every other part's compressed bytes copied as they are.", "",
              "| order lines | read | validate | compute | write | refresh total | peak MB |",
              "|---:|---:|---:|---:|---:|---:|---:|"]
    for rows, size, b, f, r in rows_out:
        lines.append(f"| {rows:,} | {r['read']:.2f} | {r['validate']:.2f} | {r['compute']:.2f} | {r['write']:.2f} "
                     f"| {r['total']:.2f} | {r['peak_mb']:.0f} |")
    lines += ["", "## import", "",
              f"`import_rows` (what `salesdeck import` runs) adding {IMPORT_ROWS} new order lines from a CSV to the "
              "workbook, written to a new file: read, parse, duplicate check against every row already there, and the "
              "write (the Table's sheet streamed once, every other part copied).", "",
              "| order lines already there | rows imported | seconds |", "|---:|---:|---:|"]
    for rows, size, b, f, r in rows_out:
        lines.append(f"| {rows:,} | {r['imported']} | {r['import']:.2f} |")
    if merge:
        lines += ["", "## merge", "",
                  f"`merge_files` (what `salesdeck merge` runs) on {merge['files']} rep workbooks of "
                  f"{MERGE_ROWS:,} order lines each: check inputs = every file read and checked as `salesdeck check` "
                  "does, a process per core; merge = settings, conflict checks and the appended tables; write = the "
                  "team workbook. CPU = seconds of CPU in all processes (what the run costs on a machine shared "
                  "with other work). Peak = the main process (each reading process holds one workbook at a time).", "",
                  "| files | order lines merged | check inputs | merge | write | total | CPU | peak MB |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|",
                  f"| {merge['files']} | {merge['orders']:,} | {merge['check inputs']:.2f} | {merge['merge']:.2f} "
                  f"| {merge['write']:.2f} | {merge['total']:.2f} | {merge['cpu']:.1f} | {merge['peak_mb']:.0f} |"]
    if batch:
        one, two = batch[1]["batch"], batch[2]["batch"]
        lines += ["", "## batch", "",
                  f"{batch[1]['files']} workbooks of 10,000 order lines, `run_batch(..., force=True)`:", "",
                  "| jobs | seconds | decks per minute | speed-up |", "|---:|---:|---:|---:|",
                  f"| 1 | {one:.2f} | {batch[1]['files'] / one * 60:.1f} | 1.00x |",
                  f"| 2 | {two:.2f} | {batch[2]['files'] / two * 60:.1f} | {one / two:.2f}x |"]
    lines += ["", "## Excel functions", "", "On 100,000-row column ranges as xlwings passes them (lists of one-element rows), best of 3 (ms):", "",
              "| function | ms |", "|---|---:|"]
    lines += [f"| {k} | {v * 1000:.1f} |" for k, v in udf.items() if k != "peak_mb"]
    if profile:
        lines += ["", "## Profile", "", f"pyinstrument (1 ms sampling) of `build_deck` on {profile_rows:,} order lines:",
                  "", "```", profile["profile"].strip()[:9000], "```"]
    lines.append("")
    notes = HERE / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text(encoding="utf-8")]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
