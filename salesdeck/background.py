"""Helper threads that give way to the thread doing the critical work.

While python-calamine parses a big sheet (on one core, without the GIL), the
safety scan and the renderer's warm-up run beside it. On a 2-core machine
three busy threads share two cores, and the parse, which everything waits
for, would lose part of its core. Lowering the helpers' priority (Linux
``nice`` per thread) keeps the parse at full speed; the helpers still finish
long before it does.
"""

from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import Future
from typing import Callable, TypeVar

__all__ = ["lower_priority", "in_background"]

T = TypeVar("T")
HELPER_NICENESS = 10


def lower_priority() -> None:
    """Lower the calling thread's CPU priority to at least nice 10 (Linux only; never raises it)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        me = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, me, max(os.getpriority(os.PRIO_PROCESS, me), HELPER_NICENESS))
    except (OSError, AttributeError):
        pass


def in_background(fn: Callable[..., T], *args) -> "Future[T]":
    """Run ``fn(*args)`` in a new low-priority thread; its result or exception arrives in the Future."""
    future: Future = Future()

    def run() -> None:
        lower_priority()
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the future
            future.set_exception(exc)

    threading.Thread(target=run, name=f"salesdeck-{getattr(fn, '__name__', 'helper')}", daemon=True).start()
    return future
