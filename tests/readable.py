"""What a reader sees, read back: numbers parsed from the deck's text, independently of the formatter.

The deck prints money as 123.5万 / 2.35亿 (zh) or 234.6K / 1.23M (en), ratios as
93.8% and changes as +12.3%. These helpers parse such text back into numbers
and check them against values the tests compute themselves, to the precision
the text was printed with, so a test never formats its expectation with the
code under test.
"""

from __future__ import annotations

import re

_SUFFIX = {"万": 1e4, "亿": 1e8, "K": 1e3, "M": 1e6, "B": 1e9, "": 1.0}
_MONEY = re.compile(r"^([-+]?)([\d,]+(?:\.\d+)?)(万|亿|K|M|B)?$")
_PCT = re.compile(r"([-+]?[\d,]+(?:\.\d+)?)%")


def money(text: str) -> tuple[float, float]:
    """A money text as (value, the precision it was printed with)."""
    match = _MONEY.match(text.strip())
    assert match, f"not an amount as the deck prints one: {text!r}"
    sign, number, suffix = match.groups()
    scale = _SUFFIX[suffix or ""]
    decimals = len(number.split(".")[1]) if "." in number else 0
    value = float(number.replace(",", "")) * scale
    return (-value if sign == "-" else value), scale * 10 ** -decimals


def reads_money(text: str, value: float, lang: str = "zh") -> bool:
    """``text`` shows ``value`` in the language's units (万/亿 for zh, K/M/B for en) to its printed precision."""
    if not _MONEY.match(text.strip()):
        return False
    shown, precision = money(text)
    suffix = _MONEY.match(text.strip()).group(3) or ""
    big = abs(value) >= 1e4 if lang == "zh" else abs(value) >= 1e3
    units_ok = (suffix in ("万", "亿")) == big if lang == "zh" else (suffix in ("K", "M", "B")) == big
    return units_ok and abs(shown - value) <= precision / 2 + 1e-6


def percentages(text: str) -> list[tuple[float, float]]:
    """Every percentage in ``text`` as (fraction, precision)."""
    out = []
    for number in _PCT.findall(text):
        decimals = len(number.split(".")[1]) if "." in number else 0
        out.append((float(number.replace(",", "")) / 100, 10 ** -decimals / 100))
    return out


def shows_pct(text: str, value: float) -> bool:
    """``text`` contains ``value`` as a percentage, to the precision it was printed with."""
    return any(abs(shown - value) <= precision / 2 + 1e-9 for shown, precision in percentages(text))


def reads_change(text: str, value: float) -> bool:
    """``text`` is a signed change such as +12.3% showing ``value``; positive changes carry their +."""
    found = percentages(text)
    return len(found) == 1 and shows_pct(text, value) and (value <= 0 or text.strip().startswith("+"))


def rag(attainment: float, red: float = 0.8, green: float = 1.0) -> str:
    """The RAG band of an attainment: red below ``red``, green from ``green``, amber between."""
    return "red" if attainment < red else "green" if attainment >= green else "amber"


_MONEY_IN_TEXT = re.compile(r"(?<![\d.])[-+]?\d[\d,]*(?:\.\d+)?(?:万|亿|K|M|B)?(?![\d%])")


def mentions_money(text: str, value: float, lang: str = "zh") -> bool:
    """Some amount in ``text`` shows ``value`` (see :func:`reads_money`)."""
    return any(reads_money(token, value, lang) for token in _MONEY_IN_TEXT.findall(text))
