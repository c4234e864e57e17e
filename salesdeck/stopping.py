"""SIGTERM and SIGHUP stop salesdeck the way Ctrl-C does: as an exception, so every cleanup runs.

By default SIGTERM ends a Python process on the spot: no ``finally``, no
temp file removed, child processes left running. After :func:`stop_on_signals`
they raise :class:`StopRequested` (a KeyboardInterrupt, so code that handles
Ctrl-C handles them too) in the main thread instead.
"""

from __future__ import annotations

import signal
import threading

__all__ = ["StopRequested", "stop_on_signals", "exit_status"]


class StopRequested(KeyboardInterrupt):
    """The process was asked to stop by a signal other than Ctrl-C's SIGINT."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


def _raise(signum: int, frame) -> None:
    raise StopRequested(signum)


def stop_on_signals() -> None:
    """From now on SIGTERM and SIGHUP (where they exist) raise StopRequested. Main thread only; else a no-op."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None:
            signal.signal(signum, _raise)


def exit_status(stop: KeyboardInterrupt) -> int:
    """The shell's exit status for a process ended by this stop: 128 + the signal number."""
    return 128 + (stop.signum if isinstance(stop, StopRequested) else int(signal.SIGINT))
