"""The real ``salesdeck`` command in a process of its own, for tests of locks, signals and crashes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_MAIN = "import sys; from salesdeck.cli import main; sys.argv[0] = 'salesdeck'; main()"


def salesdeck(*args, env: dict | None = None, **popen) -> subprocess.Popen:
    """Start ``salesdeck ARGS...``; stdout and stderr are pipes of text unless ``popen`` says otherwise."""
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen([sys.executable, "-c", _MAIN, *map(str, args)], cwd=popen.pop("cwd", ROOT),
                            env={**os.environ, **(env or {})}, text=True, **popen)
