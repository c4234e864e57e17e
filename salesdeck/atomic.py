"""Atomic output: write to a temp file beside the target, then rename.

One implementation for every file salesdeck writes. The rename replaces the
target whole or not at all, and:

- a symlink is written through: the file it points to is replaced, the link stays;
- an existing target keeps its permission bits and, where the system allows,
  its owner and group; its new content is on disk before the rename;
- an existing read-only target is refused, nothing is written;
- a target being changed in place (:func:`salesdeck.filesafety.locked_update`)
  is replaced only if it is still the file that was read;
- the temp file goes on every exit path Python sees (errors, Ctrl-C, SIGTERM
  with :mod:`salesdeck.stopping`); temp files of salesdeck processes that were
  killed outright are removed from the folder on its next use (:mod:`salesdeck.tempfiles`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import threading
from pathlib import Path
from typing import Iterator, NamedTuple

from salesdeck.errors import OutputError
from salesdeck.tempfiles import TEMP_FILE_SUFFIX, remove_stale, temp_file_prefix

__all__ = ["atomic_path", "write_bytes_atomic", "ReadOnlyError", "ChangedError", "Snapshot", "is_read_only"]

#: Bytes of the target's name kept in its temp file's name (the whole must stay under 255 bytes).
LABEL_BYTES = 100


class ReadOnlyError(OutputError):
    """The file to write is read-only: salesdeck does not override that."""


class ChangedError(OutputError):
    """The file changed on disk while salesdeck was changing it in place."""


class Snapshot(NamedTuple):
    """What identifies one version of a file on disk."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: str | os.PathLike) -> "Snapshot":
        info = os.stat(path)
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


_guards: dict[str, Snapshot] = {}
_guards_lock = threading.Lock()


def guard(path: str | os.PathLike, snapshot: Snapshot | None) -> None:
    """Replace ``path`` only while it matches ``snapshot`` (None: stop guarding). Used by locked_update."""
    key = os.path.realpath(path)
    with _guards_lock:
        if snapshot is None:
            _guards.pop(key, None)
        else:
            _guards[key] = snapshot


def is_read_only(info: os.stat_result, path: str | os.PathLike) -> bool:
    """No write bit set (even for root, who could write anyway), or not writable by this account."""
    return not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK)


def _label(name: str) -> str:
    return name.encode("utf-8")[:LABEL_BYTES].decode("utf-8", "ignore")


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``target`` in one rename (see the module docstring).

    On any exception the temporary file is removed and ``target`` is untouched.
    """
    shown = Path(target)
    target = Path(os.path.realpath(target))  # through symlinks, to the file itself
    try:
        existing = os.stat(target) if target.exists() else None
        if existing is not None and is_read_only(existing, target):
            raise ReadOnlyError(f"{shown} is read-only; nothing was written",
                                hint="make it writable, or write to another file")
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(target.parent)
        fd, tmp = tempfile.mkstemp(prefix=temp_file_prefix(_label(target.name)), suffix=TEMP_FILE_SUFFIX,
                                   dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from exc
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        _finish(tmp_path, existing)
        _replace(tmp_path, target, shown)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        raise OutputError(f"cannot write {shown}: {exc.strerror or exc}",
                          hint="if the file is open in another program, close it and run again") from exc
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _finish(tmp: Path, existing: os.stat_result | None) -> None:
    """Permissions (and owner) of the file being replaced, and its content on disk; new files get normal ones."""
    if existing is None:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600
        return
    made = os.stat(tmp)
    if hasattr(os, "chown") and (existing.st_uid, existing.st_gid) != (made.st_uid, made.st_gid):
        for uid in (existing.st_uid, -1):  # the owner needs privileges; the group only membership
            try:
                os.chown(tmp, uid, existing.st_gid)
                break
            except OSError:
                continue
    os.chmod(tmp, stat.S_IMODE(existing.st_mode))
    with open(tmp, "rb+") as handle:  # an existing file is never left empty by a crash right after the rename
        os.fsync(handle.fileno())


def _replace(tmp: Path, target: Path, shown: Path) -> None:
    key = str(target)
    with _guards_lock:
        expected = _guards.get(key)
        if expected is not None:
            try:
                now = Snapshot.of(target)
            except FileNotFoundError:
                now = None
            if now != expected:
                raise ChangedError(f"{shown} changed on disk while salesdeck was changing it (saved by another "
                                   "program?); nothing was written", hint="run the command again")
        os.replace(tmp, target)
        if expected is not None:
            _guards[key] = Snapshot.of(target)


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # once, at import: changing the umask is not thread-safe


def write_bytes_atomic(target: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return the path."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)
