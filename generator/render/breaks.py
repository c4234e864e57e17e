"""Where a line may break: never inside a number with its unit, never leaving a lone last character.

A renderer breaks a line wherever Unicode allows, which includes "+32.1 / %",
"323.3 / 万" and "2026年10 / 月". :data:`NUMBER` says what must stay on one
line; :func:`settle` finds the width at which a text wraps without such a
break and without an orphan last line, whatever the renderer's exact line
capacity (LibreOffice fills lines up to the full width, our measure keeps 5%
spare), so callers can narrow a box's right inset to that width.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from salesdeck.generator.render.text import wrap

__all__ = ["NUMBER", "Settled", "normalized", "split_numbers", "settle", "variants"]

#: A number with its sign, currency, separators and unit: "+32.1%", "1,695.4万", "2026-11-01", "10月", "12.10M".
NUMBER = re.compile(r"[+\-−±]?[$¥€£]?\d(?:[\d,.:/\-]*\d)?(?:%|‰|pp|[KMB](?![A-Za-z])|[万亿元天日月年次个家项名人单件份分倍通周])?")
#: Line capacities (fractions of the width) a renderer may use: ours with its 5% spare up to the full width.
CAPACITIES = (0.95, 0.96, 0.97, 0.98, 0.99, 1.0)
_SPACE = re.compile(r"\s+")


def normalized(text: str) -> str:
    """Text without whitespace: how rendered lines are compared with what was written."""
    return _SPACE.sub("", text)


def split_numbers(text: str, breaks: list[int]) -> list[str]:
    """The numbers of ``text`` (whitespace removed) that a line break at any of ``breaks`` would split."""
    flat = normalized(text)
    found = []
    for match in NUMBER.finditer(flat):
        if any(match.start() < b < match.end() for b in breaks):
            found.append(match.group())
    return found


def _breaks(lines: list[str]) -> list[int]:
    offsets, position = [], 0
    for line in lines[:-1]:
        position += len(normalized(line))
        offsets.append(position)
    return offsets


def variants(text: str, pt: float, width: int, bold: bool = False) -> list[list[str]]:
    """The lines ``text`` may wrap into at each plausible renderer capacity."""
    return [wrap(text, pt, width, bold, safety=c) for c in CAPACITIES]


_HYPHENATED = re.compile(r"[A-Za-z]-$")


def _acceptable(text: str, wrapped: list[list[str]], min_last: int) -> bool:
    """No number split, no last line under ``min_last`` characters, no hyphenated word cut at its hyphen."""
    for lines in wrapped:
        if len(lines) > 1 and (len(normalized(lines[-1])) < min_last or split_numbers(text, _breaks(lines))
                               or any(_HYPHENATED.search(line) for line in lines[:-1])):
            return False
    return True


@dataclass(frozen=True)
class Settled:
    """The width to wrap at (EMU, at most the one offered) and the most lines the text may take there."""

    width: int
    lines: int


def settle(text: str, pt: float, width: int, bold: bool = False, min_last: int = 2) -> Settled:
    """The widest width up to ``width`` at which ``text`` wraps acceptably at every capacity.

    Acceptable: no number split, a last line of at least ``min_last``
    characters, and no hyphenated word ("E-commerce") cut at its hyphen. Narrowing keeps the line count when it can, else allows one
    more line; when nothing helps, ``width`` is returned unchanged.
    """
    wrapped = variants(text, pt, width, bold)
    most = max(len(lines) for lines in wrapped)
    if most == 1 or _acceptable(text, wrapped, min_last):
        return Settled(width, most)
    for allowed in (most, most + 1):
        for percent in range(98, 49, -2):
            narrower = width * percent // 100
            wrapped = variants(text, pt, narrower, bold)
            if max(len(lines) for lines in wrapped) <= allowed and _acceptable(text, wrapped, min_last):
                return Settled(narrower, max(len(lines) for lines in wrapped))
    return Settled(width, most)
