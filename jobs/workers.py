"""Worker processes that survive each other: a job whose process dies is one failed job, not a failed batch.

``concurrent.futures.ProcessPoolExecutor`` breaks as a whole when one worker
dies (a native library aborting, the out-of-memory killer, ``os._exit``):
every pending job fails with it. Here each worker takes one job at a time
over its own pipe; when one dies, its job is reported with the reason (the
signal, and what a crashing library printed: "memory allocation of ...
bytes failed") and a new worker takes its place.

Stopping (Ctrl-C, SIGTERM in the parent): no new job starts, running workers
get SIGTERM (they stop at once and remove their temp files), and any still
running after a grace period are killed; nothing is left running. A worker
also stops by itself when its parent is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, Callable, Iterable

from salesdeck.stopping import StopRequested, stop_on_signals
from salesdeck.tempfiles import private_tempdir, remove_own_tempdirs, remove_stale, remove_stale_tempdirs

__all__ = ["run_jobs", "death_reason", "GRACE_SECONDS"]

#: How long stopped workers get to finish cleaning up before they are killed.
GRACE_SECONDS = 3.0
_PARENT_POLL_SECONDS = 0.5
_STDERR_TAIL = 4096
_CRASH = re.compile(r"panicked at|memory allocation of|Fatal Python error|MemoryError|Segmentation fault|out of memory",
                    re.I)


@dataclass
class _Worker:
    process: Any
    conn: Any
    stderr: Path
    job: tuple | None = None
    started: float = 0.0


def _crash_line(stderr: str) -> str:
    """What a crashing library said last words with (a Rust panic, a failed allocation, a fatal Python error)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if _CRASH.search(line):
            if line.endswith(":") and index + 1 < len(lines):  # "thread '...' panicked at src/x.rs:1:2:" + message
                line = f"{line} {lines[index + 1]}"
            return line[:300]
    return ""


def death_reason(exitcode: int | None, stderr: str = "") -> str:
    """Why a worker process ended without a result, in words (``stderr``: what it wrote before it died)."""
    first = _crash_line(stderr)
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else f"signal {-exitcode}"
        what = {"SIGKILL": "was killed (SIGKILL; most often the system ran out of memory)",
                "SIGABRT": "aborted (SIGABRT: a crash in a native library)",
                "SIGSEGV": "crashed (SIGSEGV: a crash in a native library)"}.get(name, f"was stopped by {name}")
    else:
        what = f"exited unexpectedly (exit code {exitcode})"
    return f"the worker process {what}" + (f": {first}" if first else "")


def _watch_parent(parent: int) -> None:
    """In a worker: stop when the parent is gone (it was killed and cannot stop us)."""
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10 * _PARENT_POLL_SECONDS)
    os._exit(1)  # the main thread did not stop: stale temp files are removed by the next run


def _worker_main(conn, parent: int, stderr_path: str, job: Callable, initializer, initargs) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    stop_on_signals()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="salesdeck-parent-watch").start()
    captured = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    terminal = os.dup(2)
    os.dup2(captured, 2)  # native crashes print to fd 2: the first line becomes the reason
    try:
        if initializer is not None:
            initializer(*initargs)
        while True:
            try:
                task = conn.recv()
            except EOFError:
                return
            if task is None:
                return
            key, args = task
            sys.stderr.flush()
            os.ftruncate(2, 0)
            os.lseek(2, 0, os.SEEK_SET)
            try:
                result = job(*args)
            except Exception as exc:  # noqa: BLE001 - the job should not raise; if it does, it is its result
                result = exc
            _relay(stderr_path, terminal)
            conn.send((key, result))
    except StopRequested:
        sys.exit(0)
    finally:
        remove_own_tempdirs()  # a worker ends with os._exit: no atexit


def _relay(stderr_path: str, terminal: int) -> None:
    """What a finished job wrote to stderr (warnings) goes on to the real stderr."""
    sys.stderr.flush()
    try:
        with open(stderr_path, "rb") as captured:
            data = captured.read(1 << 20)
        if data:
            os.write(terminal, data)
    except OSError:
        pass


class _Pool:
    def __init__(self, size: int, job: Callable, initializer, initargs, folder: Path, outdir: Path | None) -> None:
        self.size, self.job, self.initializer, self.initargs = size, job, initializer, initargs
        self.folder, self.outdir = folder, outdir
        self.context = multiprocessing.get_context()
        self.workers: list[_Worker] = []
        self._count = 0

    def start_worker(self) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        self._count += 1
        stderr = self.folder / f"worker{self._count}.stderr"
        process = self.context.Process(target=_worker_main, name=f"salesdeck-worker-{self._count}", daemon=True,
                                       args=(child_end, os.getpid(), str(stderr), self.job, self.initializer,
                                             self.initargs))
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a forked child starts ignoring Ctrl-C
        try:
            process.start()
        finally:
            signal.signal(signal.SIGINT, previous)
        child_end.close()
        worker = _Worker(process, parent_end, stderr)
        self.workers.append(worker)
        return worker

    def stop(self) -> None:
        """Every worker ends: asked nicely, then killed; all reaped; their leftover temp files removed."""
        old = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            for worker in self.workers:
                if worker.process.is_alive():
                    if worker.job is None:
                        _send(worker.conn, None)
                    else:
                        worker.process.terminate()
            deadline = time.monotonic() + GRACE_SECONDS
            for worker in self.workers:
                worker.process.join(max(0.0, deadline - time.monotonic()))
            for worker in self.workers:
                if worker.process.is_alive():
                    worker.process.kill()
                worker.process.join()
                worker.conn.close()
            if self.outdir is not None:
                remove_stale(self.outdir, once=False)  # temp decks of killed workers: they are dead now
            remove_stale_tempdirs(once=False)  # and their working folders
        finally:
            for signum, handler in old.items():
                signal.signal(signum, handler)


def _send(conn, message) -> bool:
    try:
        conn.send(message)
        return True
    except (OSError, ValueError):
        return False


def run_jobs(jobs: Iterable[tuple[Any, tuple]], job: Callable, *, workers: int,
             on_result: Callable[[Any, Any], None], on_death: Callable[[Any, str, float], None],
             initializer: Callable | None = None, initargs: tuple = (),
             outdir: str | os.PathLike | None = None) -> None:
    """Run ``job(*args)`` for every ``(key, args)`` in ``workers`` processes.

    ``on_result(key, result)`` for each job that returned (a raised exception
    is the result), ``on_death(key, reason, seconds)`` for each job whose process died.
    KeyboardInterrupt (Ctrl-C, or StopRequested) stops everything and is
    re-raised; ``outdir`` is where the jobs write, swept of dead workers' temp files.
    """
    pending = list(jobs)
    pending.reverse()
    folder = private_tempdir("batch")
    pool = _Pool(max(1, workers), job, initializer, initargs, folder, Path(outdir) if outdir else None)
    try:
        for _ in range(min(pool.size, len(pending))):
            pool.start_worker()
        idle = list(pool.workers)
        while pending or any(w.job is not None for w in pool.workers):
            while idle and pending:
                worker = idle.pop()
                worker.job, worker.started = pending.pop(), time.monotonic()
                _send(worker.conn, worker.job)  # if it died meanwhile, its sentinel says so below
            busy = [w for w in pool.workers if w.job is not None]
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
            for worker in busy:
                if worker.conn in ready or worker.process.sentinel in ready:
                    replacement = _collect(worker, pool, on_result, on_death, bool(pending))
                    if replacement is not None:
                        idle.append(replacement)
    finally:
        pool.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _collect(worker: _Worker, pool: _Pool, on_result, on_death, more: bool) -> _Worker | None:
    """A worker's result, or its death; the worker (or its replacement) ready for the next job, if any."""
    key = worker.job[0]
    try:
        if worker.conn.poll():
            got_key, result = worker.conn.recv()
            worker.job = None
            on_result(got_key, result)
            return worker
    except (EOFError, OSError):
        pass
    worker.process.join(GRACE_SECONDS)
    if worker.process.is_alive():  # the pipe broke but the process lives on: end it
        worker.process.kill()
        worker.process.join()
    try:
        tail = worker.stderr.read_bytes()[:_STDERR_TAIL].decode("utf-8", "replace")
    except OSError:
        tail = ""
    worker.job = None
    worker.conn.close()
    pool.workers.remove(worker)
    on_death(key, death_reason(worker.process.exitcode, tail), time.monotonic() - worker.started)
    if pool.outdir is not None:
        remove_stale(pool.outdir, once=False)
    return pool.start_worker() if more else None
