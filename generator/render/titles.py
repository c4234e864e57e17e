"""Titles and one-paragraph texts that wrap well: one line when a slightly smaller size allows it,
otherwise balanced lines with no number split and no orphan last line.

A text frame wraps at its width minus its insets, so a narrower wrapping
width is set as extra right inset (``Wrapped.inset``), and the text itself
is never changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesdeck.generator.render.breaks import normalized, settle
from salesdeck.generator.render.text import fit_text, line_height, wrap

__all__ = ["Wrapped", "fit_title", "clean_inset"]

#: A title may shrink by this much (points) to fit on one line instead of leaving a short second line.
SHRINK_TO_ONE_LINE = 4.0


@dataclass(frozen=True)
class Wrapped:
    text: str
    pt: float
    #: EMU to add to the frame's right inset
    inset: int = 0


def _min_last(text: str) -> int:
    """A title's last line holds at least 3 characters and 30% of the title: balanced, never an orphan."""
    return max(3, len(normalized(text)) * 3 // 10)


def fit_title(text: str, width: int, height: int, max_pt: float, min_pt: float) -> Wrapped:
    """The largest bold size at which ``text`` fits ``width`` x ``height`` (EMU, inside the insets) on at
    most two well-broken lines; falls back to :func:`fit_text`'s result when nothing better fits."""
    fitted = fit_text(text, width, height, max_pt, min_pt, bold=True, max_lines=2)
    if len(fitted.lines) <= 1 or fitted.text != text:
        return Wrapped(fitted.text, fitted.pt)
    pt = fitted.pt - 0.5
    while pt >= max(min_pt, fitted.pt - SHRINK_TO_ONE_LINE):
        if len(wrap(text, pt, width, bold=True)) == 1:
            return Wrapped(text, pt)
        pt -= 0.5
    pt = fitted.pt
    while pt >= min_pt:
        settled = settle(text, pt, width, bold=True, min_last=_min_last(text))
        if settled.lines <= 2 and settled.lines * line_height(pt) <= height:
            return Wrapped(text, pt, width - settled.width)
        pt -= 0.5
    return Wrapped(fitted.text, fitted.pt)


def clean_inset(text: str, pt: float, width: int, height: int, bold: bool = False) -> int:
    """Extra right inset (EMU) so ``text`` at ``pt`` wraps in ``width`` without a split number or a
    one-character last line, as long as the lines still fit ``height``; 0 when nothing needs changing."""
    settled = settle(text, pt, width, bold)
    if settled.width < width and settled.lines * line_height(pt) <= height:
        return width - settled.width
    return 0
