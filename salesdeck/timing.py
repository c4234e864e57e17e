"""Where the time goes: named steps, recorded only when someone asks.

The library marks its steps (``with step("read"):``); ``recording()`` collects
them for the benchmarks and for ``salesdeck build --timings``. Nothing is
recorded, and almost nothing is spent, when no one is recording.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

__all__ = ["step", "recording", "describe"]

_current: ContextVar[dict[str, float] | None] = ContextVar("salesdeck_timings", default=None)


@contextmanager
def step(name: str) -> Iterator[None]:
    """Add the time spent inside the block to step ``name`` (steps repeat: times add up)."""
    record = _current.get()
    if record is None:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        record[name] = record.get(name, 0.0) + time.perf_counter() - start


@contextmanager
def recording() -> Iterator[dict[str, float]]:
    """Collect the steps run inside the block: name -> seconds, in the order first seen."""
    record: dict[str, float] = {}
    token = _current.set(record)
    try:
        yield record
    finally:
        _current.reset(token)


def describe(record: dict[str, float], total: float) -> str:
    """``read 0.86 s · validate 0.34 s · ... · total 1.88 s``"""
    parts = [f"{name} {seconds:.2f} s" for name, seconds in record.items()]
    parts.append(f"total {total:.2f} s")
    return " · ".join(parts)
