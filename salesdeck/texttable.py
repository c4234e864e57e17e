"""Plain-text tables for a terminal, Chinese characters counted as two columns (tabulate with wcwidth)."""

from __future__ import annotations

from typing import Iterable, Sequence

import tabulate as _tabulate

__all__ = ["text_table"]

_tabulate.WIDE_CHARS_MODE = True  # needs wcwidth: 订单 is four columns wide, not two


def text_table(rows: Iterable[Sequence[object]], headers: Sequence[str], underline: bool = False) -> str:
    """``rows`` under ``headers``, columns two spaces apart, left-aligned, text as given (never parsed as
    numbers), a dashed line under the headers when ``underline``; no trailing spaces."""
    table = _tabulate.tabulate([["" if c is None else str(c) for c in row] for row in rows],
                               headers=[str(h) for h in headers], tablefmt="simple" if underline else "plain",
                               disable_numparse=True, stralign="left")
    return "\n".join(line.rstrip() for line in table.splitlines())
