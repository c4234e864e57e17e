"""A jinja2 sandbox with bounds, for narrative templates a user may write: time, size, ranges, recursion, files.

jinja2's own sandbox stops a template from reaching Python internals, but not
from spending unbounded time or memory. Here every narrative render is bounded:

- time: :data:`SECONDS` per template, kept by a trace function on the
  rendering thread only (no signal, so batch worker processes and threads
  are bounded alike);
- output: at most :data:`MAX_OUTPUT` characters per template;
- every string or list a template builds (``*``, ``+``, ``~``, ``%``, and
  filters that pad or repeat) at most :data:`MAX_VALUE` long, refused before
  it is built; ``**`` and ``*`` on whole numbers kept to a few thousand digits;
- ``range`` at most :data:`MAX_RANGE` numbers; lists, dicts and strings
  cannot be changed in place (``ImmutableSandboxedEnvironment``), and string
  methods that pad or repeat (``center``, ``ljust``, ``replace``, ``format``...)
  are not reachable: the filters do that job, within bounds;
- recursion: Python's own limit, reported as such;
- files: ``include``/``import``/``extends`` only reach files inside the
  template folders (no absolute paths, no ``..``, no symlink out), each at
  most :data:`MAX_TEMPLATE_BYTES`.

Every refusal is a :class:`NarrativeLimit`, raised inside the template so the
caller can name the file and line.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import time
from typing import Any, Iterator

import jinja2
from jinja2.compiler import CodeGenerator
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

__all__ = ["BoundedEnvironment", "ConfinedLoader", "NarrativeLimit", "render_bounded",
           "SECONDS", "MAX_OUTPUT", "MAX_VALUE", "MAX_RANGE", "MAX_TEMPLATE_BYTES"]

SECONDS = 2.0
MAX_OUTPUT = 100_000
MAX_VALUE = 100_000
MAX_RANGE = 10_000
MAX_TEMPLATE_BYTES = 256 << 10
MAX_INT_BITS = 16_384  # about 5,000 decimal digits

#: String methods that pad, repeat or format to a size given as an argument.
_GROWING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join", "format",
                              "format_map", "encode", "translate", "splitlines", "split", "rsplit", "partition"})
_PERCENT_WIDTH = re.compile(r"%[-#0 +]*(?:\*|\d{5,})|%[-#0 +]*\d*\.(?:\*|\d{5,})")


class NarrativeLimit(SecurityError):
    """A narrative template went past one of the bounds (or out of its folder)."""


# ------------------------------------------------------------------ values a template builds
def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def _check_size(size: int, what: str) -> None:
    if size > MAX_VALUE:
        raise NarrativeLimit(f"{what} would be {size:,} characters or items long; at most {MAX_VALUE:,}")


def _check_int(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise NarrativeLimit(f"a number of about {int(bits * 0.30103):,} digits; at most {int(MAX_INT_BITS * 0.30103):,}")


def _multiply(left: Any, right: Any) -> Any:
    for seq, times in ((left, right), (right, left)):
        if _size(seq) is not None and isinstance(times, int):
            _check_size(len(seq) * max(times, 0), "a repeated text or list")
    if isinstance(left, int) and isinstance(right, int):
        _check_int(left.bit_length() + right.bit_length())
    return left * right


def _power(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
        _check_int(left.bit_length() * right)
    return left ** right


def _add(left: Any, right: Any) -> Any:
    if _size(left) is not None and _size(right) is not None:
        _check_size(len(left) + len(right), "a joined text or list")
    return left + right


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_format(left)
    return left % right


def _check_format(text: str) -> None:
    if _PERCENT_WIDTH.search(text):
        raise NarrativeLimit("a %-format with a width or precision of 10,000 or more (or given by '*')")


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise NarrativeLimit(f"a range of {len(numbers):,} numbers; at most {MAX_RANGE:,}")
    return numbers


def bounded_concat(pieces) -> str:
    """``a ~ b ~ c`` (jinja's str_join), refused before building a text over MAX_VALUE."""
    texts = [str(p) for p in pieces]
    _check_size(sum(map(len, texts)), "a joined text")
    return "".join(texts)


# ------------------------------------------------------------------ filters that pad or repeat
def _bounded_filter(name: str, fn):
    """``fn`` with its arguments checked before it runs (for the filters that grow text) and its result after."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        _check_filter_args(name, args, kwargs)
        result = fn(*args, **kwargs)
        if isinstance(result, (str, list)):
            _check_size(len(result), f"the result of |{name}")
        return result
    return run


def _check_filter_args(name: str, args: tuple, kwargs: dict) -> None:
    plain = [a for a in args if not isinstance(a, (jinja2.runtime.Context, jinja2.Environment, EvalContext))]
    value, rest = (plain[0], plain[1:]) if plain else (None, [])
    numbers = [a for a in [*rest, *kwargs.values()] if isinstance(a, int) and not isinstance(a, bool)]
    if name in ("center", "batch", "slice", "indent", "wordwrap", "truncate") and any(n > MAX_VALUE for n in numbers):
        raise NarrativeLimit(f"|{name} with {max(numbers):,}; at most {MAX_VALUE:,}")
    text = str(value) if value is not None and not isinstance(value, (list, tuple, dict)) else ""
    if name == "indent":
        width = rest[0] if rest else kwargs.get("width", 4)
        pad = len(width) if isinstance(width, str) else int(width)
        _check_size(len(text) + (text.count("\n") + 1) * pad, "the result of |indent")
    if name == "replace" and len(rest) >= 2:
        old, new = str(rest[0]), str(rest[1])
        count = len(text) + 1 if not old else text.count(old)
        _check_size(len(text) + count * max(len(new) - len(old), 0), "the result of |replace")
    if name == "format" and isinstance(value, str):
        _check_format(value)
    if name == "join" and isinstance(value, (list, tuple)):
        sep = rest[0] if rest else kwargs.get("d", "")
        _check_size(sum(len(str(v)) for v in value) + max(len(value) - 1, 0) * len(str(sep)), "the result of |join")


# ------------------------------------------------------------------ the environment
class _BoundedCodeGenerator(CodeGenerator):
    def visit_Concat(self, node, frame) -> None:  # noqa: N802 - jinja's visitor naming
        self.write("environment.bounded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox with the bounds of this module on what templates build."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = bounded_range
        self.globals.pop("lipsum", None)  # writes as much text as it is asked for
        self.binop_table.update({"*": _multiply, "**": _power, "+": _add, "%": _modulo})
        self.filters.update({name: _bounded_filter(name, fn) for name, fn in self.filters.items()})
        self.bounded_concat = bounded_concat

    def add_filters(self, filters: dict) -> None:
        """Add filters of our own, bounded like jinja's."""
        self.filters.update({name: _bounded_filter(name, fn) for name, fn in filters.items()})

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        try:
            return self.binop_table[operator](left, right)
        except OverflowError:
            raise NarrativeLimit(f"a number too big for '{operator}'") from None

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, (str, bytes)) and attr in _GROWING_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)


class ConfinedLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that only hands out files inside its folders, each of a bounded size."""

    def __init__(self, searchpath: list[str], encoding: str = "utf-8") -> None:
        super().__init__(searchpath, encoding=encoding)
        self._roots = [os.path.realpath(p) for p in self.searchpath]

    def get_source(self, environment, template: str):
        name = template.replace("\\", "/")
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in name.split("/"):
            raise NarrativeLimit(f"'{template}' is outside the narrative folder; a template may only include or "
                                 "import files inside it (a name relative to it, without '..')")
        for root in self.searchpath:
            path = os.path.join(root, *[p for p in name.split("/") if p not in ("", ".")])
            if not os.path.isfile(path):
                continue
            real = os.path.realpath(path)
            if not any(real.startswith(r + os.sep) for r in self._roots):
                raise NarrativeLimit(f"'{template}' leads outside the narrative folder (to {real}); "
                                     "a template may only include or import files inside it")
            if os.path.getsize(path) > MAX_TEMPLATE_BYTES:
                raise NarrativeLimit(f"'{template}' is {os.path.getsize(path):,} bytes; a narrative template may be "
                                     f"at most {MAX_TEMPLATE_BYTES:,}")
            break
        return super().get_source(environment, template)


# ------------------------------------------------------------------ rendering within the bounds
def render_bounded(template: jinja2.Template, context: dict) -> str:
    """The template's text, within SECONDS and MAX_OUTPUT; NarrativeLimit (or RecursionError) raised from
    inside the template, so its traceback points at the template's line."""
    pieces: list[str] = []
    size = 0
    stream = template.generate(**context)
    with _deadline(SECONDS):
        for piece in stream:
            size += len(piece)
            if size > MAX_OUTPUT:
                stream.throw(NarrativeLimit(f"the text would be over {MAX_OUTPUT:,} characters long"))
            pieces.append(piece)
    return "".join(pieces)


class _Timeout:
    """A trace function for one thread: every call, and every line run in a template, checks the clock."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def __call__(self, frame, event, arg):
        self._check()
        return self._line if "__jinja_template__" in frame.f_globals else None

    def _line(self, frame, event, arg):
        if event == "line":
            self._check()
        return self._line

    def _check(self) -> None:
        if time.monotonic() > self.end:
            raise NarrativeLimit(f"took longer than {self.seconds:g} s (a loop that does not end, or too much work)")


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    previous = sys.gettrace()
    sys.settrace(_Timeout(seconds))
    try:
        yield
    finally:
        sys.settrace(previous)
