"""Never write over an input; change a file in place only under an exclusive lock.

:func:`check_outputs` refuses (exit 2) an output that is one of the
command's inputs, however it is spelled: through a symlink, a hard link, a
relative path, ``..``; and two outputs that are one file.

:func:`locked_update` is the read-modify-write of a file changed in place
(``import --in-place``, ``refresh --in-place``): an exclusive lock (the
``filelock`` library: ``flock`` on POSIX, ``LockFileEx`` on Windows) on a
lock file beside the real file, held from before the file is read until
after it is replaced; a second run waits up to ``SALESDECK_LOCK_WAIT``
seconds (default 30), then stops with a message. The replace itself
(:func:`salesdeck.atomic.atomic_path`) checks the file is still the one that
was read, so a program that ignores the lock (Excel saving) is never
silently overwritten. Read-only files and files with several hard links are
refused before any work is done.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Union

from salesdeck.atomic import ReadOnlyError, Snapshot, guard, is_read_only
from salesdeck.errors import OutputError

__all__ = ["OverwriteRefused", "BusyError", "same_file", "file_identity", "check_outputs", "locked_update", "hold", "lock_path",
           "DEFAULT_LOCK_WAIT"]

DEFAULT_LOCK_WAIT = 30.0
#: Files of a folder given as an input (a --narrative folder) looked at, at most.
MAX_FOLDER_FILES = 10_000

PathLike = Union[str, os.PathLike]
Inputs = Mapping[str, Union[PathLike, Iterable[PathLike], None]]


class OverwriteRefused(OutputError):
    """An output names one of the inputs (or another output): a usage error."""

    exit_code = 2


class BusyError(OutputError):
    """Another run holds the lock on the file to change."""


def same_file(a: PathLike, b: PathLike) -> bool:
    """One file on disk: the same inode when both exist (symlinks, hard links, any spelling), else the same
    resolved path."""
    return file_identity(Path(a)) == file_identity(Path(b))


def _expand(value) -> list[Path]:
    """An input as the files it stands for: a folder's files (recursively), a list's items."""
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike)):
        path = Path(value)
        if path.is_dir():
            files = []
            for child in path.rglob("*"):
                if child.is_file():
                    files.append(child)
                    if len(files) >= MAX_FOLDER_FILES:
                        break
            return files
        return [path]
    return [p for item in value for p in _expand(item)]


def check_outputs(outputs: Mapping[str, PathLike | None], inputs: Inputs) -> None:
    """Raise :class:`OverwriteRefused` when an output is an input or two outputs are one file.

    ``outputs`` and ``inputs`` map a label the user knows (``-o``, ``--template``,
    ``the workbook``) to a path; an input may also be a list of paths or a folder.
    """
    wanted = [(label, Path(path)) for label, path in outputs.items() if path is not None]
    known: dict[object, tuple[str, Path]] = {}
    for label, value in inputs.items():
        for path in _expand(value):
            if path.exists():
                known.setdefault(file_identity(path), (label, path))
    for label, path in wanted:
        found = known.get(file_identity(path))
        if found is not None:
            raise OverwriteRefused(f"{label} {path} is {found[0]} {found[1]} (the same file): salesdeck never "
                                   "writes over its inputs; nothing was written",
                                   hint="choose another output file name")
    taken: dict[object, str] = {}
    for label, path in wanted:
        key = file_identity(path)
        if key in taken:
            raise OverwriteRefused(f"{taken[key]} and {label} name the same file ({path}); nothing was written",
                                   hint="give each output its own file name")
        taken[key] = label


def file_identity(path: PathLike) -> object:
    """What :func:`same_file` compares, as a key: the inode of a file that exists, else the resolved path."""
    try:
        info = os.stat(path)
        return info.st_dev, info.st_ino
    except OSError:
        return os.path.normcase(os.path.realpath(path))


def lock_path(path: PathLike) -> Path:
    """The lock file of ``path``: hidden, beside the real file (so every spelling of it shares one lock)."""
    real = Path(os.path.realpath(path))
    label = real.name.encode("utf-8")[:100].decode("utf-8", "ignore")
    digest = hashlib.sha1(real.name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return real.with_name(f".{label}.{digest}.salesdeck-lock")


def _lock_wait() -> float:
    try:
        return max(0.0, float(os.environ.get("SALESDECK_LOCK_WAIT", DEFAULT_LOCK_WAIT)))
    except ValueError:
        return DEFAULT_LOCK_WAIT


@contextlib.contextmanager
def locked_update(path: PathLike, wait: float | None = None) -> Iterator[Path]:
    """Hold ``path`` for a read-modify-write in place; yields the real file (symlinks followed).

    Inside, read the file, then write it with :func:`salesdeck.atomic.atomic_path`:
    the replace happens only if the file is unchanged since the lock was taken.
    Raises ReadOnlyError, BusyError or OutputError before anything is read.
    """
    shown = Path(path)
    real = Path(os.path.realpath(path))
    try:
        info = os.stat(real)
    except OSError as exc:
        raise OutputError(f"cannot change {shown}: {exc.strerror or exc}") from exc
    if is_read_only(info, real):
        raise ReadOnlyError(f"{shown} is read-only; salesdeck does not change it in place, nothing was written",
                            hint="make it writable, or write a changed copy with -o")
    if info.st_nlink > 1:
        raise OutputError(f"{shown} has {info.st_nlink} hard links; changing it in place would leave the other "
                          "names with the old content, nothing was written", hint="write a changed copy with -o")
    with hold(lock_path(real), shown, wait):
        try:
            guard(real, Snapshot.of(real))
            yield real
        finally:
            guard(real, None)


@contextlib.contextmanager
def hold(lock_file: PathLike, shown: PathLike, wait: float | None = None) -> Iterator[None]:
    """An exclusive lock on ``lock_file`` (created if needed, removed after) for changing ``shown``; waits up to
    ``wait`` seconds (default ``SALESDECK_LOCK_WAIT``, else 30), then raises BusyError."""
    from filelock import FileLock, Timeout

    wait = _lock_wait() if wait is None else wait
    lock = FileLock(str(lock_file), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise BusyError(f"{shown} is being changed by another salesdeck run; waited {wait:g} s, nothing was written",
                        hint="run again when the other one has finished") from None
    except OSError as exc:
        raise OutputError(f"cannot lock {shown} to change it: {exc.strerror or exc}",
                          hint="its folder must be writable") from exc
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_file)  # while still held: a run waiting on it sees it unlinked and takes a fresh one
        lock.release()
