"""The presentation to draw on and the slide layouts to use, chosen by type or name, never by position.

Without a company template the deck starts from python-pptx's default master,
widened to 16:9 with every master and layout shape scaled so the layouts
still look right when someone adds a slide by hand. With ``--template`` the
company's master, theme and slide size are kept and its slides removed.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn

from salesdeck.errors import TemplateError
from salesdeck.ooxml.safety import check_package
from salesdeck.generator.render.pptx_internals import remember_partnames, remove_slides, replace_part_blob

__all__ = ["Layouts", "open_presentation", "pick_layouts", "WIDE", "TALL"]

#: 16:9 at 13.333 x 7.5 in, PowerPoint's default widescreen size.
WIDE = (12192000, 6858000)
TALL = WIDE[1]

# What each role looks for: sldLayout@type values, then names (en/zh, lower case).
_ROLE_TYPES = {
    "title": ("title",),
    "section": ("secHead",),
    "content": ("titleOnly", "obj", "tx"),
    "blank": ("blank",),
}
_ROLE_NAMES = {
    "title": ("title slide", "标题幻灯片", "封面", "title"),
    "section": ("section header", "节标题", "section", "章节", "divider"),
    "content": ("title only", "仅标题", "title and content", "标题和内容", "content"),
    "blank": ("blank", "空白"),
}


@dataclass
class Layouts:
    """The layouts the renderer uses; each has a title placeholder except ``blank``."""

    title: object
    section: object
    content: object
    blank: object


def open_presentation(template: Path | None):
    """A Presentation with no slides: the company template's, or our widened default.

    The prepared package is kept per process (a batch renders many decks from
    one template), and part names are handed out without re-walking the
    package for every new slide, chart and note.
    """
    if template is None:
        blob = _default_package()
    else:
        template = Path(template)
        if not template.is_file():
            raise TemplateError(f"template {template} does not exist", hint="pass a .pptx or .potx file")
        stat = template.stat()
        blob = _template_package(str(template.resolve()), stat.st_mtime_ns, stat.st_size)
    prs = Presentation(io.BytesIO(blob))
    remember_partnames(prs.part.package)
    return prs


@functools.lru_cache(maxsize=1)
def _default_package() -> bytes:
    prs = Presentation()
    _widen(prs)
    _recolour_default_theme(prs)
    _no_all_caps(prs)
    return _prepared(prs)


@functools.lru_cache(maxsize=4)
def _template_package(path: str, mtime_ns: int, size: int) -> bytes:
    template = Path(path)
    check_package(template, kind="a PowerPoint file (expected .pptx or .potx)")  # zip bombs, DTDs, broken XML
    try:
        prs = Presentation(_as_presentation(template))
    except Exception as exc:  # python-pptx raises several types for broken packages
        raise TemplateError(f"template {template.name} cannot be opened: {exc}") from None
    remove_slides(prs)
    return _prepared(prs)


def _prepared(prs) -> bytes:
    prs.notes_master  # noqa: B018 - created once here rather than on the first speaker note
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


_TEMPLATE_MAIN = b"presentationml.template.main+xml"
_PRESENTATION_MAIN = b"presentationml.presentation.main+xml"


def _as_presentation(template: Path):
    """A .potx is a .pptx whose main part has another content type; open it as a presentation."""
    with zipfile.ZipFile(template) as src:
        types = src.read("[Content_Types].xml")
        if _TEMPLATE_MAIN not in types:
            return str(template)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    data = data.replace(_TEMPLATE_MAIN, _PRESENTATION_MAIN)
                dst.writestr(info, data)
    buffer.seek(0)
    return buffer


def pick_layouts(prs) -> Layouts:
    """Choose each role's layout by its type, then its name, then its placeholders."""
    layouts = list(prs.slide_layouts)
    if not layouts:
        raise TemplateError("the template has no slide layouts")
    chosen = {role: _pick(layouts, role) for role in _ROLE_TYPES}
    if chosen["content"] is None:
        chosen["content"] = _by_placeholders(layouts, PP_PLACEHOLDER.TITLE) or layouts[0]
    for role in ("title", "section"):
        if chosen[role] is None:
            chosen[role] = chosen["content"]
    if chosen["blank"] is None:
        chosen["blank"] = chosen["content"]
    return Layouts(**chosen)


def _pick(layouts, role: str):
    for wanted in _ROLE_TYPES[role]:
        for layout in layouts:
            if layout._element.get("type") == wanted:
                return layout
    for wanted in _ROLE_NAMES[role]:
        for layout in layouts:
            if layout.name.strip().lower() == wanted:
                return layout
    for wanted in _ROLE_NAMES[role]:
        for layout in layouts:
            if wanted in layout.name.strip().lower():
                return layout
    if role == "title":
        return _by_placeholders(layouts, PP_PLACEHOLDER.CENTER_TITLE)
    return None


def _by_placeholders(layouts, kind):
    for layout in layouts:
        if any(ph.placeholder_format.type == kind for ph in layout.placeholders):
            return layout
    return None


#: Our default theme's accents: calm blues and greys for ordinary series, so red and green
#: stay reserved for RAG meaning. A company template keeps its own theme.
DEFAULT_ACCENTS = ("2F5597", "9DC3E6", "7F7F7F", "ED7D31", "8064A2", "5B9BD5")


def _recolour_default_theme(prs) -> None:
    for rel in prs.slide_masters[0].part.rels.values():
        if rel.reltype.endswith("/theme"):
            theme = rel.target_part
            blob = theme.blob
            for number, colour in enumerate(DEFAULT_ACCENTS, start=1):
                blob = re.sub(rb"(<a:accent%d>)<a:srgbClr val=\"[0-9A-Fa-f]{6}\"/>" % number,
                              rb'\g<1><a:srgbClr val="' + colour.encode() + rb'"/>', blob, count=1)
            replace_part_blob(theme, blob)


def _no_all_caps(prs) -> None:
    """The default section header shouts in capitals; part titles read better as written."""
    for layout in prs.slide_layouts:
        for element in layout._element.iter(qn("a:defRPr"), qn("a:rPr")):
            if element.get("cap") == "all":
                del element.attrib["cap"]


def _widen(prs) -> None:
    """Make the default 4:3 master 16:9, scaling master and layout shapes horizontally."""
    old_width = prs.slide_width
    prs.slide_width, prs.slide_height = WIDE
    factor = WIDE[0] / old_width
    masters = list(prs.slide_masters)
    for master in masters:
        for shape_owner in [master, *master.slide_layouts]:
            for shape in shape_owner.shapes:
                if shape.left is not None and shape.width is not None:
                    shape.left = int(shape.left * factor)
                    shape.width = int(shape.width * factor)
