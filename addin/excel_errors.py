"""Excel error values for the SD_* functions, and the message behind each one.

A function that fails returns ``#VALUE!`` (an argument of the wrong kind) or
``#NUM!`` (a number outside what the function accepts), so ``IFERROR`` and
``ISERROR`` see it and ``SUM`` over it fails loudly, as with Excel's own
functions. xlwings hands a ``win32com.client.VARIANT`` of type ``VT_ERROR``
to Excel as it is (pywin32's ``PyCom_VariantFromPyObject``), which is how the
value travels; where pywin32 is absent (Linux, macOS) a stand-in with the same
two attributes is used.

The message is kept per calling cell (xlwings passes the reserved ``caller``
argument) and returned by ``=SD_ERROR(cell)``.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections import OrderedDict
from typing import Any, Callable

from salesdeck.errors import CalcError

try:  # pragma: no cover - Windows only
    from win32com.client import VARIANT as _Variant
except ImportError:
    class _Variant:  # the same two attributes pywin32's VARIANT has
        def __init__(self, varianttype: int, value: Any):
            self.varianttype = varianttype
            self.value = value

VT_ERROR = 10
#: Excel's error codes as COM reports them (xlwings._xlwindows.cell_errors).
CODES = {"#VALUE!": -2146826273, "#NUM!": -2146826252}
#: How many failing cells' messages are kept (the oldest are forgotten first).
MAX_KEPT = 2000

_NUMERIC_PROBLEM = re.compile(
    r"^-?\d|infinite value|all weights are zero|too many|already met|sum to|total is 0|average is 0"
    r"|not ascending|is negative")


class ExcelError(_Variant):
    """An Excel error value (``text`` is "#VALUE!" or "#NUM!") that carries its message."""

    def __init__(self, text: str, message: str):
        super().__init__(VT_ERROR, CODES[text])
        self.text = text
        self.message = message

    def __repr__(self) -> str:
        return f"ExcelError({self.text!r}, {self.message!r})"


def error_kind(exc: CalcError) -> str:
    """#NUM! for a number outside what the function accepts, #VALUE! for anything else
    (text where a number belongs, a blank, ranges of different sizes)."""
    if "do not match" in exc.problem or exc.problem.startswith("expected"):
        return "#VALUE!"
    return "#NUM!" if _NUMERIC_PROBLEM.search(exc.problem) else "#VALUE!"


_messages: OrderedDict[tuple, str] = OrderedDict()


def _area(rng: Any) -> tuple | None:
    """(book, sheet, first row, first column, last row, last column) of an xlwings Range, or None."""
    if rng is None:
        return None
    try:
        last = rng.last_cell
        return (rng.sheet.book.name, rng.sheet.name, rng.row, rng.column, last.row, last.column)
    except Exception:  # noqa: BLE001 - a caller we cannot read just keeps no message
        return None


def remember(caller: Any, message: str) -> None:
    """Keep ``message`` for the calling cell(s)."""
    key = _area(caller) or ("", "", 0, 0, 0, 0)
    _messages.pop(key, None)
    _messages[key] = message
    while len(_messages) > MAX_KEPT:
        _messages.popitem(last=False)


def message_for(cell: Any) -> str:
    """The message of the SD_* error shown in ``cell`` (any cell of a spilled result), or ""."""
    area = _area(cell)
    if area is None:
        return ""
    book, sheet, row, column = area[:4]
    for (b, s, r1, c1, r2, c2), message in reversed(_messages.items()):
        if (b, s) == (book, sheet) and r1 <= row <= r2 and c1 <= column <= c2:
            return message
    return ""


def excel_errors(func: Callable) -> Callable:
    """Make ``func`` return an ExcelError instead of raising, and accept xlwings' ``caller``.

    The wrapper's signature is ``func``'s plus a last ``caller=None``; xlwings
    fills it with the calling range and leaves it out of the Excel function.
    """
    signature = inspect.signature(func)
    count = len(signature.parameters)

    @functools.wraps(func)
    def wrapper(*args: Any, caller: Any = None, **kwargs: Any) -> Any:
        if len(args) > count:
            args, caller = args[:count], args[count]
        try:
            return func(*args, **kwargs)
        except CalcError as exc:
            remember(caller, str(exc))
            return ExcelError(error_kind(exc), str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug still shows as an error value, its message kept
            message = f"{func.__name__} failed: {type(exc).__name__}: {exc}"
            remember(caller, message)
            return ExcelError("#VALUE!", message)

    caller_param = inspect.Parameter("caller", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None)
    wrapper.__signature__ = signature.replace(parameters=[*signature.parameters.values(), caller_param])
    return wrapper
