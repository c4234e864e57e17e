"""The small vocabulary every part writer shares: XML-safe text, column letters, date serials.

One escaper and one definition of the characters XML 1.0 cannot hold, so the
result sheet, the package editor, the template writer and the deck's tables
all clean text the same way. Column letters and date serials are openpyxl's
(``openpyxl.utils``), wrapped for the 0-based indices the readers use.
"""

from __future__ import annotations

import datetime as dt
import re
from xml.sax.saxutils import escape

from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

__all__ = ["ILLEGAL_XML", "clean", "escape_text", "escape_attr", "column_letter", "column_index", "excel_serial"]

#: Characters XML 1.0 cannot hold at all (control characters other than tab, LF and CR; U+FFFE/U+FFFF).
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """``text`` without the characters XML cannot hold."""
    return ILLEGAL_XML.sub("", text)


def escape_text(text: str) -> str:
    """``text`` cleaned and escaped for an element's content (``&``, ``<``, ``>``)."""
    return escape(clean(text))


def escape_attr(text: str) -> str:
    """``text`` cleaned and escaped for a double-quoted attribute value (also ``"``)."""
    return escape(clean(text), {'"': "&quot;"})


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    return get_column_letter(index + 1)


def column_index(letters: str) -> int:
    """Excel letters -> 0-based column index (A -> 0)."""
    return column_index_from_string(letters) - 1


def excel_serial(value: dt.date | dt.datetime, date1904: bool = False) -> float:
    """A date or datetime as Excel's serial day number (1900 or 1904 date system)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return float(to_excel(value, CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900))
