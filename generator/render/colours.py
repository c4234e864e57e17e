"""Colours as a renderer draws them: theme and scheme colours resolved, and WCAG contrast.

A deck names many colours indirectly: ``accent1`` from the theme, ``tx1``
through the master's colour map, with ``lumMod``/``tint`` modifiers. The
renderer uses this to pick label colours that stay readable on a company's
theme; preflight uses it to check what was written.
"""

from __future__ import annotations

import colorsys
import functools

from lxml import etree
from pptx.opc.constants import RELATIONSHIP_TYPE as RT

__all__ = ["RGB", "Theme", "theme_of", "resolve", "fill_colour", "contrast", "readable_on", "hex_of",
           "WHITE", "BLACK", "DARK_TEXT", "MIN_CONTRAST"]

RGB = tuple[int, int, int]
WHITE: RGB = (0xFF, 0xFF, 0xFF)
BLACK: RGB = (0, 0, 0)
#: Our usual dark text colour (slate); used wherever it is readable.
DARK_TEXT: RGB = (0x1F, 0x29, 0x37)
#: WCAG AA for normal text.
MIN_CONTRAST = 4.5

_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_SCHEME_NAMES = ("dk1", "lt1", "dk2", "lt2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
                 "hlink", "folHlink")
_DEFAULT_MAP = {"bg1": "lt1", "tx1": "dk1", "bg2": "lt2", "tx2": "dk2"}
_PRESET = {"black": BLACK, "white": WHITE, "red": (255, 0, 0), "green": (0, 128, 0), "blue": (0, 0, 255),
           "yellow": (255, 255, 0), "gray": (128, 128, 128), "grey": (128, 128, 128)}
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True)


class Theme:
    """A master's colour scheme and colour map: ``Theme.rgb("accent1")``, ``Theme.rgb("tx1")``."""

    def __init__(self, scheme: dict[str, RGB], colour_map: dict[str, str] | None = None) -> None:
        self.scheme = scheme
        self.colour_map = {**_DEFAULT_MAP, **(colour_map or {})}

    def rgb(self, name: str) -> RGB | None:
        name = self.colour_map.get(name, name)
        return self.scheme.get(name)

    def accent(self, index: int) -> RGB | None:
        """The automatic colour of the ``index``-th (0-based) series or slice: accent1..accent6 in turn."""
        return self.rgb(f"accent{index % 6 + 1}")


@functools.lru_cache(maxsize=16)
def _scheme(blob: bytes) -> tuple[tuple[str, RGB], ...]:
    root = etree.fromstring(blob, _SAFE)
    scheme = root.find(f".//{{{_A}}}clrScheme")
    found = []
    if scheme is not None:
        for name in _SCHEME_NAMES:
            element = scheme.find(f"{{{_A}}}{name}")
            colour = resolve(element, None) if element is not None else None
            if colour is not None:
                found.append((name, colour))
    return tuple(found)


def theme_of(slide) -> Theme:
    """The theme of ``slide``'s master (python-pptx slide), with the master's colour map."""
    master = slide.part.slide_layout.slide_master
    blob = master.part.part_related_by(RT.THEME).blob
    clr_map = master.element.find(f"{{{_P}}}clrMap")
    mapping = dict(clr_map.attrib) if clr_map is not None else {}
    return Theme(dict(_scheme(blob)), mapping)


def _channel(value: float) -> int:
    return max(0, min(255, round(value * 255)))


def _modified(rgb: RGB, element) -> RGB:
    r, g, b = (c / 255 for c in rgb)
    for child in element:
        tag = etree.QName(child).localname
        try:
            amount = int(child.get("val", "100000")) / 100000
        except ValueError:
            continue
        if tag in ("lumMod", "lumOff"):
            h, light, s = colorsys.rgb_to_hls(r, g, b)
            light = light * amount if tag == "lumMod" else light + amount
            r, g, b = colorsys.hls_to_rgb(h, max(0.0, min(1.0, light)), s)
        elif tag == "tint":
            r, g, b = (c * amount + (1 - amount) for c in (r, g, b))
        elif tag == "shade":
            r, g, b = (c * amount for c in (r, g, b))
    return _channel(r), _channel(g), _channel(b)


def _hex(value: str | None) -> RGB | None:
    if not value or len(value) != 6:
        return None
    try:
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    except ValueError:
        return None


def resolve(element, theme: Theme | None) -> RGB | None:
    """The RGB of a colour element's first colour child (srgbClr, schemeClr, sysClr, prstClr), modifiers applied.

    ``element`` may be the colour itself (``a:srgbClr``) or its parent
    (``a:solidFill``, ``a:accent1``). None for no colour or an unknown one.
    """
    if element is None:
        return None
    candidates = [element] + list(element)
    for colour in candidates:
        if not isinstance(colour.tag, str):
            continue
        tag = etree.QName(colour).localname
        base = None
        if tag == "srgbClr":
            base = _hex(colour.get("val"))
        elif tag == "schemeClr" and theme is not None:
            base = theme.rgb(colour.get("val", ""))
        elif tag == "sysClr":
            base = _hex(colour.get("lastClr")) or {"windowText": BLACK, "window": WHITE}.get(colour.get("val"))
        elif tag == "prstClr":
            base = _PRESET.get(colour.get("val", ""))
        else:
            continue
        return _modified(base, colour) if base is not None else None
    return None


def fill_colour(sp_pr, theme: Theme | None) -> RGB | None | str:
    """The solid fill of a shape-properties element: an RGB, "none" for noFill, None when it does not say."""
    if sp_pr is None:
        return None
    for child in sp_pr:
        if not isinstance(child.tag, str):
            continue
        tag = etree.QName(child).localname
        if tag == "solidFill":
            return resolve(child, theme)
        if tag == "noFill":
            return "none"
        if tag == "gradFill":
            stop = child.find(f".//{{{_A}}}gs")
            return resolve(stop, theme) if stop is not None else None
    return None


def _luminance(rgb: RGB) -> float:
    def linear(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: RGB, second: RGB) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    a, b = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def readable_on(fill: RGB) -> RGB:
    """White or our dark text, whichever reads better on ``fill``; black when neither reaches 4.5:1."""
    best = max((WHITE, DARK_TEXT), key=lambda text: contrast(text, fill))
    return best if contrast(best, fill) >= MIN_CONTRAST else BLACK


def hex_of(rgb: RGB) -> str:
    return "%02X%02X%02X" % rgb
