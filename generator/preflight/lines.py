"""Rendered words grouped into lines, and written text followed through them to find its line breaks.

Text is compared without whitespace, in NFKC form and case folded, since
LibreOffice adds space between Chinese and Latin text, pdftotext splits words
there, and a company layout may set titles in capitals.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from salesdeck.generator.render.breaks import normalized
from salesdeck.generator.preflight.pdfwords import Word
from salesdeck.generator.preflight.slides import Rect

__all__ = ["Line", "Followed", "comparable", "lines_of", "follow"]

#: A word joins a line when its centre is within this share of its height of the line's centre...
_SAME_LINE = 0.35
#: ...and the gap from the line's last word is at most this many word heights (wider gaps: separate labels).
_MAX_GAP = 0.5


def comparable(text: str) -> str:
    """Whitespace removed, NFKC, case folded (a layout may set its titles in capitals)."""
    return normalized(unicodedata.normalize("NFKC", text)).casefold()


@dataclass
class Line:
    words: list[Word]

    @property
    def text(self) -> str:
        return comparable("".join(w.text for w in self.words))

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def lines_of(words, rect: Rect | None = None, tolerance: float = 2.0) -> list[Line]:
    """The words (centre inside ``rect`` when given) as lines, top to bottom, then left to right."""
    chosen = [w for w in words if rect is None or rect.holds(w.cx, w.cy, tolerance)]
    lines: list[Line] = []
    for word in sorted(chosen, key=lambda w: (w.x0, w.y0)):
        home = None
        for line in lines:
            last = line.words[-1]
            height = max(word.height, last.height)
            if abs(word.cy - last.cy) <= _SAME_LINE * height and -0.5 * height <= word.x0 - last.x1 <= _MAX_GAP * height:
                home = line
                break
        if home is None:
            lines.append(Line([word]))
        else:
            home.words.append(word)
    return sorted(lines, key=lambda line: (round(line.y0), line.x0))


@dataclass
class Followed:
    """How one piece of written text was found in the rendered lines."""

    text: str  # comparable form
    lines: list[Line]
    #: offsets in ``text`` where the renderer broke the line
    breaks: list[int]
    complete: bool
    #: index of the line after the last one taken (where the next piece starts looking)
    next: int

    @property
    def last_line(self) -> str:
        return self.lines[-1].text if self.lines else ""


def follow(text: str, lines: list[Line], start: int = 0) -> Followed:
    """Follow ``text`` through ``lines[start:]`` in order: each line it takes must continue it exactly.

    Lines that do not continue it (other shapes' text) are passed over. A
    piece not found at all leaves ``next`` at ``start``.
    """
    target = comparable(text)
    position, taken, breaks, after = 0, [], [], start
    for index in range(start, len(lines)):
        if position >= len(target):
            break
        piece = lines[index].text
        if piece and target.startswith(piece, position):
            if position:
                breaks.append(position)
            position += len(piece)
            taken.append(lines[index])
            after = index + 1
    return Followed(target, taken, breaks, position >= len(target), after)
