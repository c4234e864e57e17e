"""Every private part of python-pptx the renderer relies on, in one place.

python-pptx (pinned to major version 1 in pyproject.toml) has no public API
for these; each is used for a measured reason given beside it. If a release
renames one, ``tests/test_pptx_internals.py`` fails naming it, and the
functions that can fall back to the public API do.
"""

from __future__ import annotations

import os
import threading
import zipfile

from lxml import etree
from pptx.opc.packuri import PackURI
from pptx.oxml import xmlchemy
from pptx.oxml.ns import _nsmap, qn

from salesdeck.ooxml.zips import fixed_member, normalize_zip

__all__ = ["save_presentation", "remove_slides", "replace_part_blob", "remember_partnames", "compile_xpaths",
           "compiled_xpath"]


# ---------------------------------------------------------------- saving with fixed timestamps
class _FixedTimeZip:
    """The physical writer python-pptx's PackageWriter expects, stamping every member with a fixed time."""

    def __init__(self, path: str | os.PathLike) -> None:
        self._zipf = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)

    def __enter__(self) -> "_FixedTimeZip":
        return self

    def __exit__(self, *exc) -> None:
        self._zipf.close()

    def write(self, pack_uri, blob: bytes) -> None:
        self._zipf.writestr(fixed_member(pack_uri.membername), blob)


def save_presentation(prs, path: str | os.PathLike) -> None:
    """``prs.save(path)`` with fixed timestamps (same deck, same bytes), in one pass.

    Private: ``pptx.opc.serialized.PackageWriter`` and its three ``_write_*``
    steps, and ``package._rels``. Without them: save, then rewrite the zip
    (one more pass over the file).
    """
    package = prs.part.package
    try:
        from pptx.opc.serialized import PackageWriter

        writer = PackageWriter(path, package._rels, tuple(package.iter_parts()))
        steps = (writer._write_content_types_stream, writer._write_pkg_rels, writer._write_parts)
    except (ImportError, AttributeError, TypeError):
        prs.save(str(path))
        normalize_zip(path)
        return
    with _FixedTimeZip(path) as phys:
        for write in steps:
            write(phys)


# ---------------------------------------------------------------- template surgery
def remove_slides(prs) -> None:
    """Drop a template's own slides; masters, layouts and theme stay.

    Private: ``prs.slides._sldIdLst`` (python-pptx has no slide deletion).
    """
    id_list = prs.slides._sldIdLst
    for sld_id in list(id_list):
        prs.part.drop_rel(sld_id.get(qn("r:id")))
        id_list.remove(sld_id)


def replace_part_blob(part, blob: bytes) -> None:
    """Give a loaded part (such as the theme, which python-pptx keeps as bytes) new content.

    Private: ``Part._blob``.
    """
    part._blob = blob


def remember_partnames(package) -> None:
    """Give ``package`` a ``next_partname`` that remembers the names it handed out.

    python-pptx walks every relationship of the package for each new part
    (quadratic in the deck's size); the result is the same: the lowest free
    number, counting down from the number of names with that prefix plus one.
    Replaces the method on this one package object only.
    """
    used: dict[str, set[str]] = {}

    def next_partname(tmpl: str) -> PackURI:
        prefix = tmpl[: (tmpl % 42).find("42")]
        names = used.get(prefix)
        if names is None:
            names = used[prefix] = {str(p.partname) for p in package.iter_parts() if p.partname.startswith(prefix)}
        for n in range(len(names) + 1, 0, -1):
            candidate = tmpl % n
            if candidate not in names:
                names.add(candidate)
                return PackURI(candidate)
        raise AssertionError("no free part name")  # pragma: no cover - n = len + 1 is always free

    package.next_partname = next_partname


# ---------------------------------------------------------------- compiled XPath
# python-pptx finds elements with ``BaseOxmlElement.xpath(expr)``, which compiles the string on every
# call; a deck of thirty slides makes ~3,000 calls with a few dozen distinct expressions, and compiling
# was a tenth of rendering the sample deck (35 ms of 350 ms). ``compile_xpaths`` replaces that method,
# process-wide, with one that keeps an ``lxml.etree.XPath`` per expression and the same namespace map,
# so every call returns exactly what it returned before. The cache is bounded; an XPath object takes a
# lock while it evaluates, so sharing one between threads is safe.
_ORIGINAL_XPATH = xmlchemy.BaseOxmlElement.xpath
_COMPILED: dict[str, etree.XPath] = {}
_MAX_COMPILED = 512
_LOCK = threading.Lock()


def compiled_xpath(expression: str) -> etree.XPath:
    """The compiled form of ``expression`` with python-pptx's namespace prefixes."""
    found = _COMPILED.get(expression)
    if found is None:
        found = etree.XPath(expression, namespaces=_nsmap)
        with _LOCK:
            if len(_COMPILED) >= _MAX_COMPILED:
                _COMPILED.clear()
            _COMPILED[expression] = found
    return found


def _xpath(self, xpath_str: str):
    return compiled_xpath(xpath_str)(self)


_xpath.__doc__ = _ORIGINAL_XPATH.__doc__


def compile_xpaths(enabled: bool = True) -> None:
    """Use compiled expressions (``enabled``) or python-pptx's own method again."""
    xmlchemy.BaseOxmlElement.xpath = _xpath if enabled else _ORIGINAL_XPATH  # type: ignore[method-assign]
