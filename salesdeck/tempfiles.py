"""Temporary files and folders that say whose they are, so leftovers of a dead process can be removed safely.

Every temporary name salesdeck makes carries a tag: a short hash of the host
name and the id of the process that made it: ``.<name>.salesdeck-<host>-<pid>-<random>.tmp``
beside an output, ``salesdeck-<kind>-<host>-<pid>-<random>`` in the temp folder.
A process that ends normally, by an error, Ctrl-C or SIGTERM removes its own;
one killed outright (kill -9, out of memory) cannot. The next run removes
those, and only those it can prove are ours and stale: the name has our tag
pattern and this host's hash, the entry is a plain file or folder (never a
symlink) owned by this account, and the process named in it no longer runs.
A live process's files, other hosts' files on a shared disk and anything
else are never touched. Where a process's liveness cannot be checked (not
POSIX) nothing is removed.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import os
import re
import shutil
import socket
import stat
import tempfile
import threading
from pathlib import Path

__all__ = ["temp_file_prefix", "TEMP_FILE_SUFFIX", "private_tempdir", "remove_own_tempdirs", "remove_stale",
           "remove_stale_tempdirs", "is_stale"]

TEMP_FILE_SUFFIX = ".tmp"
_OWNER = r"salesdeck-(?P<host>[0-9a-f]{6})-(?P<pid>\d{1,10})-[0-9a-z_]{6,}"
#: A temporary output beside its target.
TEMP_FILE = re.compile(r"^\..*\." + _OWNER + re.escape(TEMP_FILE_SUFFIX) + "$", re.S)
#: A working folder in the system temp folder.
TEMP_DIR = re.compile(r"^salesdeck-(?:read|pdf|batch)-" + _OWNER.removeprefix("salesdeck-") + "$")

_own_dirs: set[Path] = set()
_own_lock = threading.Lock()
_closed = 0  # the pid of a process whose exit cleanup has run
_swept: set[str] = set()


def _after_fork() -> None:
    global _own_lock
    _own_lock = threading.Lock()  # another thread may have held it at the fork


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


@functools.lru_cache(maxsize=1)
def _host() -> str:
    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]


def _owner() -> str:
    return f"{_host()}-{os.getpid()}-"  # the pid now: a forked child is not its parent


def temp_file_prefix(label: str) -> str:
    """The start of a temporary output's name (``label`` is a short form of the target's name); ends
    in the random part, then :data:`TEMP_FILE_SUFFIX`."""
    return f".{label}.salesdeck-{_owner()}"


def _pid_running(pid: int) -> bool:
    """True when ``pid`` runs or when that cannot be known (never a false "dead")."""
    if os.name != "posix":
        return True  # os.kill(pid, 0) would terminate the process on Windows
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it runs, as someone else
        return True
    return True


def is_stale(entry: os.DirEntry | Path, pattern: re.Pattern = TEMP_FILE) -> bool:
    """True for a tagged temporary file or folder of this host whose process has ended, owned by this account."""
    name = entry.name
    found = pattern.match(name)
    if found is None or found.group("host") != _host() or int(found.group("pid")) == os.getpid():
        return False
    try:
        info = os.lstat(entry)
    except OSError:
        return False
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        return False  # a symlink or anything else: not something we made
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        return False
    return not _pid_running(int(found.group("pid")))


def _remove(entry: os.DirEntry | Path) -> None:
    try:
        if stat.S_ISDIR(os.lstat(entry).st_mode):
            shutil.rmtree(entry, ignore_errors=True)
        else:
            os.unlink(entry)
    except OSError:
        pass


def remove_stale(folder: str | os.PathLike, *, once: bool = True, pattern: re.Pattern = TEMP_FILE) -> int:
    """Remove the stale tagged entries directly in ``folder``; the number removed.

    With ``once`` (the default) a folder is swept at most once per process.
    """
    key = os.path.abspath(folder)
    if once:
        if key in _swept:
            return 0
        _swept.add(key)
    removed = 0
    try:
        with os.scandir(key) as entries:
            stale = [entry for entry in entries if "salesdeck-" in entry.name and is_stale(entry, pattern)]
    except OSError:
        return 0
    for entry in stale:
        _remove(entry)
        removed += 1
    return removed


def remove_stale_tempdirs(once: bool = True) -> int:
    """Remove the stale ``salesdeck-*`` folders in the system temp folder left by processes that were killed."""
    return remove_stale(tempfile.gettempdir(), once=once, pattern=TEMP_DIR)


def private_tempdir(kind: str) -> Path:
    """A new folder ``salesdeck-<kind>-<host>-<pid>-<random>`` in the system temp folder, removed by the caller or,
    failing that, when this process exits (:func:`remove_own_tempdirs`).

    Stale folders of dead processes are removed first (once per process).
    """
    if kind not in ("read", "pdf", "batch"):
        raise ValueError(f"unknown kind of temp folder {kind!r}")  # TEMP_DIR must recognise it as ours
    remove_stale_tempdirs()
    with _own_lock:  # made and listed at once: a helper thread cannot make one the exit cleanup misses
        if _closed == os.getpid():
            raise RuntimeError("salesdeck is exiting: no new temp folder")
        path = Path(tempfile.mkdtemp(prefix=f"salesdeck-{kind}-{_owner()}"))
        _own_dirs.add(path)
    return path


def remove_own_tempdirs() -> None:
    """Remove every folder this process made with :func:`private_tempdir` that is still there; none is made after."""
    global _closed
    with _own_lock:
        _closed = os.getpid()
        mine = [p for p in _own_dirs if _created_here(p)]
        _own_dirs.clear()
    for path in mine:
        shutil.rmtree(path, ignore_errors=True)


def _created_here(path: Path) -> bool:
    """A forked child inherits its parent's list; it removes only what it made itself."""
    found = TEMP_DIR.match(path.name)
    return found is not None and int(found.group("pid")) == os.getpid()


atexit.register(remove_own_tempdirs)
