"""Text on slides: real font metrics, wrapping and shrinking to fit, and an East Asian font on every run.

Widths are measured with the installed CJK font (Noto Sans CJK, what
LibreOffice substitutes for Microsoft YaHei; its glyphs are as wide or wider),
so a title that fits here fits when rendered. Without the font file a
conservative estimate is used (CJK 1 em, Latin 0.6 em).
"""

from __future__ import annotations

import copy
import functools
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
from pptx.oxml import parse_xml
from pptx.oxml.ns import qn
from pptx.text.text import TextFrame
from pptx.util import Emu, Pt

from salesdeck.generator.render.style import Style
from salesdeck.ooxml.xml import clean

__all__ = ["Fitted", "Line", "write_lines", "fit_text", "font_file", "line_height", "set_ea", "set_font", "text_width", "wrap",
           "write_paragraphs"]

EMU_PER_PT = 12700
#: Noto Sans CJK (what LibreOffice renders) has a line height of ~1.45 em at single spacing.
LINE_SPACING = 1.45
_KNOWN_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


@functools.lru_cache(maxsize=4)
def _fc_match(family: str) -> str | None:
    if not shutil.which("fc-match"):
        return None
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True,
                               timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return found if found and Path(found).is_file() else None


@functools.lru_cache(maxsize=1)
def font_file() -> str | None:
    """Path of a CJK font file to measure with, or None."""
    found = _fc_match("Noto Sans CJK SC")
    if found and "CJK" in found:
        return found
    for candidate in _KNOWN_FONT_FILES:
        if Path(candidate).is_file():
            return candidate
    return None


@functools.lru_cache(maxsize=8)
def _font(path: str | None, bold: bool):
    if path is None:
        return None
    from PIL import ImageFont

    if bold:
        for plain, heavy in (("Regular", "Bold"), (".ttf", "-Bold.ttf")):
            candidate = path.replace(plain, heavy)
            if candidate != path and Path(candidate).is_file():
                path = candidate
                break
    try:
        return ImageFont.truetype(path, size=200, layout_engine=ImageFont.Layout.BASIC)  # one character at a time
    except OSError:
        return None


_CHUNKS = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+|[^\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+")
#: LibreOffice puts this much space (in em; 0.24 measured) between East Asian and other characters
#: ("Asian-Western autospacing"): "逾期60天" draws as wide as "逾期 60 天".
AUTOSPACE_EM = 0.25
#: (character, bold) -> its advance in em with (the CJK font, the Arial substitute).
_ADVANCES: dict[tuple[str, bool], tuple[float, float]] = {}


def _advances(ch: str, bold: bool) -> tuple[float, float]:
    """One character's advance width in em with the CJK font and with the Arial substitute (measured once)."""
    found = _ADVANCES.get((ch, bold))
    if found is None:
        cjk = _CJK.match(ch) is not None
        fonts = (_font(font_file(), bold), _font(_fc_match("Arial"), bold))
        found = _ADVANCES[(ch, bold)] = tuple(  # type: ignore[assignment]
            font.getlength(ch) / 200.0 if font is not None else (1.0 if cjk else 0.62) for font in fonts)
    return found


@functools.lru_cache(maxsize=65536)
def _width_em(text: str, bold: bool) -> float:
    """Widest of what LibreOffice here and Office elsewhere would draw: CJK with the CJK font,
    everything else with the wider of the CJK font's Latin and the machine's Arial substitute.

    A run's width is the sum of its characters' advances. Renderers shape text
    (kerning pulls pairs like "AV" together), so the sum is never narrower than
    what they draw, and each character is measured only once per process.
    Each change between East Asian and other text adds ``AUTOSPACE_EM``.
    """
    chunks = _CHUNKS.findall(text)
    total = AUTOSPACE_EM * max(len(chunks) - 1, 0)
    for chunk in chunks:
        advances = [_advances(ch, bold) for ch in chunk]
        if _CJK.match(chunk):
            total += sum(a[0] for a in advances)
        else:
            total += max(sum(a[0] for a in advances), sum(a[1] for a in advances))
    return total


def warm_advances(bold: bool = False) -> None:
    """Measure the printable ASCII characters ahead of the first deck (the warm-up calls this)."""
    for code in range(32, 127):
        _advances(chr(code), bold)


def text_width(text: str, pt: float, bold: bool = False) -> int:
    """Width of one line of ``text`` at ``pt`` points, in EMU."""
    return int(_width_em(text, bold) * pt * EMU_PER_PT)


def line_height(pt: float) -> int:
    """Height of one line at ``pt`` points, in EMU."""
    return int(pt * LINE_SPACING * EMU_PER_PT)


_TOKEN = re.compile(
    r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]"
    r"|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+?-(?=[A-Za-z])"
    r"|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+\s*|\s+")


def _tokens(text: str) -> list[str]:
    """Break opportunities: every CJK character alone, Latin words with their trailing space, and
    after the hyphen of a hyphenated word ("E-" "commerce"), as renderers break there too."""
    return _TOKEN.findall(text)


_NO_LINE_START = set("，。、；：？！）》」』】,.;:?!)%")


#: Keep 5% of every line free: renderers round, kern and substitute fonts differently.
SAFETY = 0.95


def _is_cjk(ch: str) -> bool:
    return _CJK.match(ch) is not None


def wrap(text: str, pt: float, width: int, bold: bool = False, safety: float = SAFETY) -> list[str]:
    """Greedy wrap into lines no wider than ``safety`` x ``width`` EMU (a single over-long word is broken).

    A line's width is the sum of its tokens' widths (each measured once and
    cached) plus the autospace where East Asian and other text meet, so
    wrapping costs one lookup per token, not a measurement of every growing
    prefix. ``safety=1.0`` predicts where LibreOffice itself breaks.
    """
    limit = width * safety / (pt * EMU_PER_PT)  # in em
    if "\n" not in text and _width_em(text, bold) <= limit:
        return [text.rstrip()]  # most cells and titles fit: one cached lookup
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for token in _tokens(paragraph):
            core = token.rstrip()
            size = _width_em(core, bold) if core else 0.0
            if line and _is_cjk(line[-1]) != _is_cjk(token[0]):
                size += AUTOSPACE_EM
            if not line.strip() and size > limit:
                for ch in token:  # one token wider than the line: break it by characters
                    step = _width_em(ch, bold)
                    if line and used + step > limit:
                        lines.append(line.rstrip())
                        line, used = "", 0.0
                    line += ch
                    used += step
                continue
            if not line.strip() or used + size <= limit or token[0] in _NO_LINE_START:
                line += token
                used += size + (_width_em(token[len(core):], bold) if len(token) > len(core) else 0.0)
            else:
                lines.append(line.rstrip())
                line = token.lstrip()
                used = _width_em(line, bold)
        lines.append(line.rstrip())
    return lines


@dataclass(frozen=True)
class Fitted:
    """A size, the lines at that size, and the text to write (shortened with … if it had to be)."""

    pt: float
    lines: list[str]
    text: str = ""

    def height(self) -> int:
        return line_height(self.pt) * len(self.lines)


def fit_text(text: str, width: int, height: int, max_pt: float, min_pt: float, bold: bool = False,
             max_lines: int | None = None) -> Fitted:
    """The largest size (half-point steps) at which ``text`` wrapped to ``width`` fits ``height``.

    ``max_lines`` is a preference: when the text cannot fit in that many lines
    even at ``min_pt``, more lines are allowed. If it still does not fit, the
    lines that fit are kept and the last one ends with an ellipsis, so text
    never runs out of its box.
    """
    for limit in ((max_lines, None) if max_lines is not None else (None,)):
        pt = max_pt
        while True:
            lines = wrap(text, pt, width, bold)
            if line_height(pt) * len(lines) <= height and (limit is None or len(lines) <= limit):
                return Fitted(pt, lines, text)
            if pt <= min_pt:
                break
            pt = max(min_pt, pt - 0.5)
    room = max(1, height // line_height(min_pt))
    lines = wrap(text, min_pt, width, bold)
    if len(lines) <= room:
        return Fitted(min_pt, lines, text)
    kept = lines[:room]
    last = kept[-1]
    while last and text_width(last + "…", min_pt, bold) > width * SAFETY:
        last = last[:-1]
    kept[-1] = last
    position = 0
    for line in kept:  # where the kept lines end in the original text
        found = text.find(line, position) if line else position
        position = found + len(line) if found >= 0 else position
    kept[-1] = last.rstrip() + "…"
    return Fitted(min_pt, kept, text[:position].rstrip() + "…")


def set_font(run_or_paragraph_props, style: Style, pt: float | None = None, bold: bool | None = None,
             color: RGBColor | None = None, theme_color=None) -> None:
    """Size, bold, colour, and latin + East Asian typefaces on a run's font."""
    font = run_or_paragraph_props.font
    if pt is not None:
        font.size = Pt(pt)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color
    elif theme_color is not None:
        font.color.theme_color = theme_color
    font.name = style.latin
    font._rPr.set("lang", "zh-CN" if style.lang == "zh" else "en-US")
    set_ea(font._rPr, style)


def set_ea(rpr, style: Style) -> None:
    """Ensure ``rpr`` (a:rPr / a:defRPr / a:endParaRPr) names the East Asian typeface, in schema order."""
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        latin = rpr.find(qn("a:latin"))
        if latin is not None:
            latin.addnext(ea)
        else:
            # a:ea comes after ln/fills/effects/highlight/uLn*/uFill* and before a:cs/a:sym/hlink
            anchor = None
            for tag in ("a:cs", "a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst"):
                anchor = rpr.find(qn(tag))
                if anchor is not None:
                    break
            if anchor is not None:
                anchor.addprevious(ea)
            else:
                rpr.append(ea)
    ea.set("typeface", style.ea)


@dataclass(frozen=True)
class Line:
    """One paragraph of one run: its text and look."""

    text: str
    pt: float
    bold: bool = False
    color: RGBColor | None = None
    theme_color: object = None


def write_lines(frame, lines: list[Line], style: Style, *, align=None, anchor=MSO_ANCHOR.TOP,
                margins: int = 45720, space_after_pt: float = 0) -> None:
    """Replace a text frame's content with ``lines``, fonts (latin and East Asian) on every run.

    Callers size text with ``fit_text`` first; auto-size is off so what was
    measured is what is drawn. Each distinct look is built once with
    python-pptx's API (:func:`_paragraph_like`) and copied per line.
    """
    frame.clear()
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Emu(margins)
    frame.margin_top = frame.margin_bottom = Emu(margins // 2)
    body = frame._txBody
    first = body.find(qn("a:p"))
    if first is not None and len(first):  # a paragraph with its own properties: keep them, the slow way
        _write_lines_via_api(frame, lines, style, align, space_after_pt)
        return
    if first is not None:
        body.remove(first)
    for line in lines:
        paragraph = copy.deepcopy(_paragraph_like(style, line.pt, line.bold, line.color, line.theme_color,
                                                   align, space_after_pt))
        paragraph.find(_RUN_TEXT).text = clean(line.text)
        body.append(paragraph)


_RUN_TEXT = f"{qn('a:r')}/{qn('a:t')}"


@functools.lru_cache(maxsize=512)
def _paragraph_like(style: Style, pt: float, bold: bool, color, theme_color, align, space_after_pt: float):
    """An empty-text paragraph with this look, written by python-pptx (copied per line by write_lines)."""
    body = parse_xml(f'<p:txBody xmlns:p="{_P_NS}" xmlns:a="{_A_NS}"><a:bodyPr/><a:p/></p:txBody>')
    frame = TextFrame(body, None)
    _write_lines_via_api(frame, [Line("", pt, bold, color, theme_color)], style, align, space_after_pt)
    return body.find(qn("a:p"))


_A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
_P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"


def _write_lines_via_api(frame, lines: list[Line], style: Style, align, space_after_pt: float) -> None:
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        if space_after_pt:
            paragraph.space_after = Pt(space_after_pt)
        run = paragraph.add_run()
        run.text = line.text
        set_font(run, style, line.pt, line.bold, line.color, line.theme_color)
        end = paragraph._p.get_or_add_endParaRPr()
        end.set("sz", str(int(line.pt * 100)))
        end.set("lang", "zh-CN" if style.lang == "zh" else "en-US")
        set_ea(end, style)


def write_paragraphs(frame, paragraphs: list[str], style: Style, pt: float, *, bold: bool = False,
                     color: RGBColor | None = None, theme_color=None, **layout) -> None:
    """``write_lines`` with one look for every paragraph."""
    write_lines(frame, [Line(text, pt, bold, color, theme_color) for text in paragraphs], style, **layout)
