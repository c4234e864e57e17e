"""Preflight: render a deck with LibreOffice and report, slide by slide, what a presenter would have to fix.

``preflight(path)`` returns a :class:`Report` of :class:`Defect` s: text
outside its box or the slide, table rows not drawn, numbers split across
lines, titles over two lines or with an orphan, unreadable data labels and
cell text, legends that do not match their bars, value axes not from zero.
"""

from salesdeck.generator.preflight.report import KINDS, Defect, Report
from salesdeck.generator.preflight.run import preflight

__all__ = ["preflight", "Defect", "Report", "KINDS"]
