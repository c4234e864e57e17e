"""Many workbooks to many decks, in parallel processes; one bad workbook never stops the others.

A manifest in the output folder remembers what each deck was built from
(input bytes, template, options, salesdeck version), so running the same
batch again skips decks that are already up to date.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import json
import os
import re
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from salesdeck import __version__
from salesdeck.atomic import write_bytes_atomic
from salesdeck.errors import SalesdeckError, WorkbookInvalidError
from salesdeck.gc_tuning import fewer_passes

__all__ = ["BatchUsageError", "BatchOptions", "JobResult", "BatchSummary", "discover", "run_batch", "output_name",
           "write_report"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MANIFEST = ".salesdeck-batch.json"
MAX_ISSUES = 3


class BatchUsageError(SalesdeckError):
    """The batch was asked for something impossible (no inputs, bad report name)."""

    exit_code = 2


@dataclass(frozen=True)
class BatchOptions:
    """Everything that decides a deck's content besides the workbook itself."""

    lang: str | None = None
    template: str | None = None
    split_by: str | None = None
    pdf: bool = False
    narrative: str | None = None


@dataclass
class JobResult:
    """What happened to one input workbook."""

    file: str
    status: str  # "ok", "failed" or "skipped"
    outputs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    slides: int = 0
    error: str = ""
    fingerprint: str = ""


@dataclass
class BatchSummary:
    results: list[JobResult]
    seconds: float

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed


# ---------------------------------------------------------------- inputs and names
def discover(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """Files, folders (their workbooks, not recursive) and glob patterns, each file once, in the order given.

    Office lock files (``~$...``) and other files inside folders or matched by a
    pattern are passed over; a file named explicitly is always tried.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    missing: list[str] = []

    def add(path: Path) -> None:
        if path.name.startswith("~$") or path.suffix.lower() not in WORKBOOK_SUFFIXES:
            return
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            found.append(path)

    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_file():
                    add(child)
        elif path.is_file():  # named explicitly: always tried, so a wrong file is reported, not ignored
            if path.resolve() not in seen:
                seen.add(path.resolve())
                found.append(path)
        else:
            matches = sorted(glob.glob(str(item)))
            if not matches:
                missing.append(str(item))
            for match in matches:
                if Path(match).is_file():
                    add(Path(match))
    if missing:
        raise BatchUsageError(f"nothing matches {', '.join(missing)}")
    if not found:
        raise BatchUsageError("no workbooks (.xlsx, .xlsm, .xls, .ods) found in " + ", ".join(map(str, inputs)))
    return found


def output_name(workbook: Path, value: str | None = None) -> str:
    """``<stem>.pptx``, or ``<stem>-<value>.pptx`` for a split (value made safe for file names, Chinese kept)."""
    if value is None:
        return f"{workbook.stem}.pptx"
    safe = re.sub(r'[<>:"/\\|?*\s]+', "_", value).strip("._") or "_"
    return f"{workbook.stem}-{safe}.pptx"


# ---------------------------------------------------------------- one job (runs in a worker)
def _fingerprint(workbook: Path, options: BatchOptions) -> str:
    digest = hashlib.sha256()
    with open(workbook, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    for extra in (options.template, options.narrative):
        if extra and Path(extra).is_file():
            digest.update(Path(extra).read_bytes())
    digest.update(json.dumps([asdict(options), __version__], sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def _describe(exc: Exception) -> str:
    if isinstance(exc, WorkbookInvalidError):
        errors = [i for i in exc.issues if i.severity == "error"]
        text = "; ".join(str(i) for i in errors[:MAX_ISSUES])
        return text + (f" (and {len(errors) - MAX_ISSUES} more)" if len(errors) > MAX_ISSUES else "")
    if isinstance(exc, SalesdeckError):
        return str(exc)
    return f"internal error {type(exc).__name__}: {exc}"


@fewer_passes
def build_one(workbook: str, outdir: str, options: BatchOptions, fingerprint: str = "") -> JobResult:
    """Read one workbook once and write its deck (or one per split value); never raises."""
    from salesdeck.jobs import scope
    from salesdeck.jobs.build import deck_from_model, load

    started = time.perf_counter()
    path, folder = Path(workbook), Path(outdir)
    result = JobResult(file=str(path), status="ok", fingerprint=fingerprint)
    try:
        model = load(path)
        kwargs = dict(lang=options.lang, template=options.template, pdf=options.pdf, narrative_dir=options.narrative)
        if options.split_by:
            values = scope.split_values(model, options.split_by)
            if not values:
                raise SalesdeckError(f"{path.name}: no {options.split_by} values in the orders or targets to split by")
            for value in values:
                scoped = scope.restrict(model, options.split_by, value)
                built = deck_from_model(scoped, folder / output_name(path, value), **kwargs,
                                        compact=options.split_by == "rep")
                result.outputs.append(str(built.deck))
                result.slides += built.slides
        else:
            built = deck_from_model(model, folder / output_name(path), **kwargs)
            result.outputs.append(str(built.deck))
            result.slides += built.slides
    except Exception as exc:  # noqa: BLE001 - every failure becomes a line in the report
        message = _describe(exc)
        result.status, result.error = "failed", message if path.name in message else f"{path.name}: {message}"
    result.seconds = round(time.perf_counter() - started, 3)
    return result


# ---------------------------------------------------------------- the batch
def _share_cores(workers: int) -> None:
    """In a worker: its share of the cores for reading a big sheet in pieces (with a worker per core,
    one: splitting would only add work, measured 2% slower on 2 cores)."""
    from salesdeck.workbook.read.raw import share_cores

    share_cores((os.cpu_count() or 1) // workers)


def _load_manifest(outdir: Path) -> dict:
    try:
        return json.loads((outdir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _up_to_date(entry: dict | None, fingerprint: str) -> bool:
    return bool(entry) and entry.get("fingerprint") == fingerprint and all(Path(o).is_file() for o in entry["outputs"])


def run_batch(inputs: Iterable[str | os.PathLike], outdir: str | os.PathLike, *, jobs: int | None = None,
              options: BatchOptions = BatchOptions(), force: bool = False,
              progress: Callable[[JobResult, int, int], None] | None = None) -> BatchSummary:
    """Build every workbook in ``inputs`` into ``outdir``; ``progress(result, done, total)`` after each."""
    outdir = Path(outdir)
    files = discover(inputs)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchUsageError(f"cannot create output folder {outdir}: {exc.strerror or exc}") from None
    started = time.perf_counter()
    manifest = _load_manifest(outdir)
    results: list[JobResult] = []
    pending: list[tuple[str, str]] = []
    for path in files:
        key = str(path.resolve())
        try:
            fingerprint = _fingerprint(path, options)
        except OSError as exc:
            results.append(JobResult(str(path), "failed", error=f"{path.name}: cannot read ({exc.strerror or exc})"))
            continue
        if not force and _up_to_date(manifest.get(key), fingerprint):
            results.append(JobResult(str(path), "skipped", list(manifest[key]["outputs"]), fingerprint=fingerprint))
        else:
            pending.append((str(path), fingerprint))
    total = len(files)
    for done, result in enumerate(results, start=1):
        if progress:
            progress(result, done, total)

    def finished(result: JobResult) -> None:
        results.append(result)
        if result.status == "ok":
            manifest[str(Path(result.file).resolve())] = {"fingerprint": result.fingerprint, "outputs": result.outputs}
            write_bytes_atomic(outdir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
        if progress:
            progress(result, len(results), total)

    workers = max(1, min(jobs or os.cpu_count() or 1, len(pending) or 1))
    if workers == 1:
        for path, fingerprint in pending:
            finished(build_one(path, str(outdir), options, fingerprint))
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_share_cores, initargs=(workers,)) as pool:
            futures = {pool.submit(build_one, path, str(outdir), options, fingerprint): path
                       for path, fingerprint in pending}
            try:
                while futures:
                    done_set, _ = wait(futures, return_when=FIRST_COMPLETED)
                    for future in done_set:
                        path = futures.pop(future)
                        try:
                            finished(future.result())
                        except Exception as exc:  # noqa: BLE001 - a crashed worker is one failed file
                            finished(JobResult(path, "failed", error=f"{Path(path).name}: worker stopped ({exc})"))
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    order = {str(p): i for i, p in enumerate(files)}
    results.sort(key=lambda r: order.get(r.file, len(order)))
    return BatchSummary(results, round(time.perf_counter() - started, 3))


# ---------------------------------------------------------------- report
REPORT_FIELDS = ("file", "status", "outputs", "seconds", "slides", "error")


def write_report(summary: BatchSummary, path: str | os.PathLike) -> Path:
    """JSON (``.json``) or CSV (``.csv``, UTF-8 with BOM so Excel shows Chinese) report of every file."""
    path = Path(path)
    rows = [{"file": r.file, "status": r.status, "outputs": r.outputs, "seconds": r.seconds, "slides": r.slides,
             "error": r.error} for r in summary.results]
    if path.suffix.lower() == ".json":
        data = {"ok": summary.ok, "files": len(rows), "failed": len(summary.failed), "seconds": summary.seconds,
                "results": rows}
        return write_bytes_atomic(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    if path.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=REPORT_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "outputs": ";".join(row["outputs"])})
        return write_bytes_atomic(path, ("\ufeff" + buffer.getvalue()).encode("utf-8"))
    raise BatchUsageError(f"report {path.name}: expected a .json or .csv file name")
