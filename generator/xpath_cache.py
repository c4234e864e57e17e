"""Compile each of python-pptx's XPath expressions once, not on every call.

python-pptx finds elements with ``BaseOxmlElement.xpath(expr)``, which hands
the string to lxml and so compiles it on every call. A deck of thirty slides
makes about 3,000 such calls with a few dozen distinct expressions (mostly
"is this shape a placeholder?"), and compiling was a fifth of rendering.
``install`` replaces that method with one that keeps an ``lxml.etree.XPath``
per expression, with the same namespace map, so every call returns exactly
what it returned before (the same elements, in the same order). The same
idea was proposed for python-docx (python-openxml/python-docx#342). An
``XPath`` object takes a lock while it evaluates, so sharing one between
threads is safe.
"""

from __future__ import annotations

from lxml import etree
from pptx.oxml import xmlchemy
from pptx.oxml.ns import _nsmap

__all__ = ["install", "compiled"]

_COMPILED: dict[str, etree.XPath] = {}
_ORIGINAL = xmlchemy.BaseOxmlElement.xpath


def compiled(expression: str) -> etree.XPath:
    """The compiled form of ``expression`` with python-pptx's namespace prefixes."""
    found = _COMPILED.get(expression)
    if found is None:
        found = _COMPILED[expression] = etree.XPath(expression, namespaces=_nsmap)
    return found


def _xpath(self, xpath_str: str):
    return compiled(xpath_str)(self)


_xpath.__doc__ = _ORIGINAL.__doc__


def install() -> None:
    """Use compiled expressions from now on (idempotent; done when the renderer is imported)."""
    xmlchemy.BaseOxmlElement.xpath = _xpath  # type: ignore[method-assign]


def uninstall() -> None:
    """Back to python-pptx's own method (for tests comparing the two)."""
    xmlchemy.BaseOxmlElement.xpath = _ORIGINAL  # type: ignore[method-assign]
