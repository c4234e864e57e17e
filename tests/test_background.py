"""Helper threads: results and errors come back, and on Linux they run at a lower priority."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from salesdeck.background import HELPER_NICENESS, in_background
from salesdeck.errors import NotAWorkbookError


def _own_niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_result_and_error_come_back_through_the_future():
    assert in_background(sum, [1, 2, 3]).result(timeout=10) == 6

    def refuse():
        raise NotAWorkbookError("book.xlsx: refused")

    with pytest.raises(NotAWorkbookError, match="refused"):
        in_background(refuse).result(timeout=10)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is set on Linux only")
def test_helper_runs_nicer_than_the_caller():
    caller = _own_niceness()
    helper = in_background(_own_niceness).result(timeout=10)
    assert helper == max(caller, HELPER_NICENESS)
    assert _own_niceness() == caller  # the calling thread keeps its priority
