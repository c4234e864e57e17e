"""Many workbooks to many decks, in parallel processes; one bad workbook never stops the others.

A manifest in the output folder remembers what each deck was built from
(input bytes, template, narrative folder, options, salesdeck version), so
running the same batch again skips decks that are already up to date. One
batch at a time writes into a folder; each workbook is built in a worker
process (:mod:`~salesdeck.jobs.workers`), so even a crash that kills its
process fails that workbook alone; Ctrl-C or SIGTERM stops the workers at
once and the manifest lists only decks that were finished.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from salesdeck import __version__
from salesdeck.atomic import write_bytes_atomic
from salesdeck.errors import SalesdeckError, WorkbookInvalidError
from salesdeck.filesafety import check_outputs, hold
from salesdeck.gc_tuning import fewer_passes
from salesdeck.jobs.outnames import Claims, deck_name, split_names
from salesdeck.jobs.workers import run_jobs
from salesdeck.tempfiles import private_tempdir, remove_stale

__all__ = ["BatchUsageError", "BatchOptions", "JobResult", "BatchSummary", "discover", "run_batch", "build_one",
           "write_report"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MANIFEST = ".salesdeck-batch.json"
LOCK = ".salesdeck-batch.lock"
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
    splits: dict[str, str] = field(default_factory=dict)  # split value -> its deck


@dataclass
class BatchSummary:
    results: list[JobResult]
    seconds: float
    #: Set when Ctrl-C or a signal stopped the batch: the workbooks not finished are "interrupted".
    interrupted: KeyboardInterrupt | None = None

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed and self.interrupted is None


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


def _inputs(workbook: Path | None, options: BatchOptions) -> dict:
    """What a deck must never be written over."""
    return {"the workbook": workbook, "--template": options.template, "a file of --narrative": options.narrative}


def _check(deck: Path, workbook: Path, options: BatchOptions) -> None:
    """Refuse a deck (or its PDF) that would replace one of the inputs."""
    check_outputs({"deck": deck, "its PDF": deck.with_suffix(".pdf") if options.pdf else None},
                  _inputs(workbook, options))


# ---------------------------------------------------------------- one job (runs in a worker)
def _options_digest(options: BatchOptions) -> bytes:
    """Everything besides the workbook that decides its decks: template bytes, the narrative folder's files
    (names and bytes), the options, the salesdeck version."""
    digest = hashlib.sha256()
    if options.template and Path(options.template).is_file():
        digest.update(Path(options.template).read_bytes())
    if options.narrative and Path(options.narrative).is_dir():
        root = Path(options.narrative)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = path.relative_to(root).as_posix().encode("utf-8", "surrogateescape")
            data = path.read_bytes()
            digest.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big") + data)
    digest.update(json.dumps([asdict(options), __version__], sort_keys=True, ensure_ascii=False).encode())
    return digest.digest()


def _fingerprint(workbook: Path, options_digest: bytes) -> str:
    digest = hashlib.sha256()
    with open(workbook, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    digest.update(options_digest)
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
def build_one(workbook: str, outdir: str, options: BatchOptions, fingerprint: str = "", name: str | None = None,
              claims: str | None = None) -> JobResult:
    """Read one workbook once and write its deck ``name`` (or one per split value); never raises.

    Split decks get :func:`~salesdeck.jobs.outnames.split_names`, each claimed in
    the run's ``claims`` folder; one value that fails does not stop the others.
    """
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
            problems = []
            for value, deck in split_names(path.stem, values).items():
                try:
                    if claims:
                        deck = Claims(claims).take(deck, f"{path.resolve()}\0{value}")
                    _check(folder / deck, path, options)
                    scoped = scope.restrict(model, options.split_by, value)
                    built = deck_from_model(scoped, folder / deck, **kwargs, compact=options.split_by == "rep")
                except Exception as exc:  # noqa: BLE001 - one value's failure is reported, the others still built
                    problems.append(f"{options.split_by} {value!r}: {_describe(exc)}")
                    continue
                result.outputs.append(str(built.deck))
                result.splits[value] = str(built.deck)
                result.slides += built.slides
            if problems:
                raise SalesdeckError("; ".join(problems))
        else:
            deck = folder / (name or deck_name(path.stem))
            _check(deck, path, options)
            built = deck_from_model(model, deck, **kwargs)
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
              progress: Callable[[JobResult, int, int], None] | None = None,
              report: str | os.PathLike | None = None, build: Callable[..., JobResult] | None = None) -> BatchSummary:
    """Build every workbook in ``inputs`` into ``outdir``; ``progress(result, done, total)`` after each.

    ``report`` is the report file the caller will write: refused up front, like
    a deck, when it is one of the inputs. ``build`` replaces :func:`build_one`
    (same arguments; it runs in the worker processes). Ctrl-C or SIGTERM ends
    the run early: the summary then has ``interrupted`` set.
    """
    outdir = Path(outdir)
    files = discover(inputs)
    check_outputs({"--report": report}, {"an input workbook": files, **_inputs(None, options)})
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchUsageError(f"cannot create output folder {outdir}: {exc.strerror or exc}") from None
    with hold(outdir / LOCK, outdir, wait=0):
        remove_stale(outdir)  # temp decks of workers killed in an earlier run
        claims = private_tempdir("batch")
        try:
            return _run(files, outdir, jobs, options, force, progress, claims, build or build_one)
        finally:
            shutil.rmtree(claims, ignore_errors=True)


def _run(files: list[Path], outdir: Path, jobs: int | None, options: BatchOptions, force: bool, progress,
         claims: Path, build: Callable[..., JobResult]) -> BatchSummary:
    started = time.perf_counter()
    manifest = _load_manifest(outdir)
    results: list[JobResult] = []
    pending: list[tuple[str, str]] = []
    options_digest = _options_digest(options)
    for path in files:
        key = str(path.resolve())
        try:
            fingerprint = _fingerprint(path, options_digest)
        except OSError as exc:
            results.append(JobResult(str(path), "failed", error=f"{path.name}: cannot read ({exc.strerror or exc})"))
            continue
        if not force and _up_to_date(manifest.get(key), fingerprint):
            results.append(JobResult(str(path), "skipped", list(manifest[key]["outputs"]), fingerprint=fingerprint,
                                     splits=dict(manifest[key].get("splits", {}))))
        else:
            pending.append((str(path), fingerprint))
    names = _claim_names(pending, manifest, options, Claims(claims))
    if not options.split_by:
        check_outputs({f"deck {name}": outdir / name for name in names.values()},
                      {"an input workbook": files, **_inputs(None, options)})
    total = len(files)
    for done, result in enumerate(results, start=1):
        if progress:
            progress(result, done, total)

    def finished(result: JobResult) -> None:
        results.append(result)
        if result.status == "ok":
            manifest[str(Path(result.file).resolve())] = {"fingerprint": result.fingerprint, "outputs": result.outputs,
                                                          "splits": result.splits}
            write_bytes_atomic(outdir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
        if progress:
            progress(result, len(results), total)

    def died(path: str, reason: str, seconds: float) -> None:
        finished(JobResult(path, "failed", seconds=round(seconds, 3), error=f"{Path(path).name}: {reason}"))

    workers = max(1, min(jobs or os.cpu_count() or 1, len(pending) or 1))
    tasks = [(path, (path, str(outdir), options, fingerprint, names.get(path), str(claims)))
             for path, fingerprint in pending]
    interrupted = None
    try:
        run_jobs(tasks, build, workers=workers, on_result=lambda path, result: finished(_as_result(path, result)),
                 on_death=died, initializer=_share_cores, initargs=(workers,), outdir=outdir)
    except KeyboardInterrupt as stop:  # Ctrl-C or SIGTERM: the workers are stopped; say what was not finished
        interrupted = stop
        done = {r.file for r in results}
        results.extend(JobResult(path, "interrupted", error=f"{Path(path).name}: not finished, the batch was stopped")
                       for path, _ in pending if path not in done)
    order = {str(p): i for i, p in enumerate(files)}
    results.sort(key=lambda r: order.get(r.file, len(order)))
    return BatchSummary(results, round(time.perf_counter() - started, 3), interrupted)


def _as_result(path: str, result) -> JobResult:
    """A job's JobResult; anything else it returned or raised is a failure of that workbook."""
    if isinstance(result, JobResult):
        return result
    problem = _describe(result) if isinstance(result, Exception) else f"internal error: the job returned {result!r}"
    return JobResult(path, "failed", error=f"{Path(path).name}: {problem}")


def _claim_names(pending: list[tuple[str, str]], manifest: dict, options: BatchOptions, claims: Claims) -> dict:
    """Reserve the decks of workbooks not rebuilt now (so none is overwritten by another workbook's), then give
    each workbook to build its deck name (none when split: the worker names each value's deck)."""
    rebuilt = {str(Path(path).resolve()) for path, _ in pending}
    for key, entry in manifest.items():
        if key not in rebuilt and isinstance(entry, dict):
            for output in entry.get("outputs", []):
                claims.claim(Path(output).name)
    if options.split_by:
        return {}
    return {path: claims.take(deck_name(Path(path).stem), str(Path(path).resolve())) for path, _ in pending}


# ---------------------------------------------------------------- report
REPORT_FIELDS = ("file", "status", "outputs", "seconds", "slides", "error", "split")


def write_report(summary: BatchSummary, path: str | os.PathLike) -> Path:
    """JSON (``.json``) or CSV (``.csv``, UTF-8 with BOM so Excel shows Chinese) report of every file."""
    path = Path(path)
    rows = [{"file": r.file, "status": r.status, "outputs": r.outputs, "seconds": r.seconds, "slides": r.slides,
             "error": r.error, "split": r.splits} for r in summary.results]
    if path.suffix.lower() == ".json":
        data = {"ok": summary.ok, "files": len(rows), "failed": len(summary.failed), "seconds": summary.seconds,
                "interrupted": summary.interrupted is not None, "results": rows}
        return write_bytes_atomic(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    if path.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=REPORT_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "outputs": ";".join(row["outputs"]),
                             "split": json.dumps(row["split"], ensure_ascii=False) if row["split"] else ""})
        return write_bytes_atomic(path, ("\ufeff" + buffer.getvalue()).encode("utf-8"))
    raise BatchUsageError(f"report {path.name}: expected a .json or .csv file name")
