"""Numbers, percentages and dates as a reader of each language expects them.

zh money uses 万 and 亿 (1,234,567 -> "123.5万", 234,567,890 -> "2.35亿"); en
uses K, M and B ("234.6K", "1.23M"). Amounts below one unit of scale are
plain with thousands separators. Blank values (None, NaN, NaT) print as "—".
Chart values for money are scaled with :func:`money_scale` so the axis and
the data labels read in the same unit as the text.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

__all__ = [
    "BLANK", "is_blank", "money", "money_column", "number", "count", "pct", "delta", "delta_points", "points", "month_label",
    "date", "money_scale", "MoneyScale",
]

BLANK = "—"

#: (threshold, divisor, suffix, decimals), largest first.
_SCALES = {
    "zh": ((1e8, 1e8, "亿", 2), (1e4, 1e4, "万", 1)),
    "en": ((1e9, 1e9, "B", 2), (1e6, 1e6, "M", 2), (1e3, 1e3, "K", 1)),
}
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def _lang(lang: str) -> str:
    return "zh" if lang == "zh" else "en"


def is_blank(value: Any) -> bool:
    """True for None, NaN, NaT and empty text."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return "0" if text in ("-0", "0") else text


def money(value: Any, lang: str = "zh") -> str:
    """An amount in the language's units: "123.5万", "2.35亿", "1.23M", "234.6K", "9,999".

    >>> money(1_234_567), money(234_567_890), money(1_234_567, "en"), money(-5_000)
    ('123.5万', '2.35亿', '1.23M', '-5,000')
    """
    if is_blank(value):
        return BLANK
    v = float(value)
    sign = "-" if v < 0 else ""
    a = abs(v)
    scales = _SCALES[_lang(lang)]  # largest first
    chosen = next((i for i, s in enumerate(scales) if a >= s[0]), None)
    if chosen is None:
        rounded = round(a)
        if rounded < scales[-1][0]:
            return "0" if rounded == 0 else f"{sign}{rounded:,.0f}"
        chosen = len(scales) - 1  # 9,999.6 rounds to 10,000: "1.0万"
    # Carry when rounding reaches the next unit: 9,999.96万 reads "1.00亿".
    while chosen > 0:
        _, divisor, _, decimals = scales[chosen]
        if round(a / divisor, decimals) * divisor < scales[chosen - 1][0]:
            break
        chosen -= 1
    _, divisor, suffix, decimals = scales[chosen]
    return f"{sign}{_plain(a / divisor, decimals)}{suffix}"


def money_column(values: Any, lang: str = "zh"):
    """A formatter that prints every amount of one table column in the same unit.

    The unit is the one the column's largest amount would get alone (万 or 亿
    for zh, K, M or B for en); amounts far below it get one more decimal so
    they do not read as 0 (0.98万 beside 323.30万). Blank stays "—", zero is "0".

    >>> f = money_column([3_233_000, 9_758, 0]); f(3_233_000), f(9_758), f(0)
    ('323.30万', '0.98万', '0')
    """
    finite = [abs(float(v)) for v in values if not is_blank(v)]
    top = max(finite, default=0.0)
    scales = _SCALES[_lang(lang)]
    chosen = next((s for s in scales if round(top / s[1], s[3]) * s[1] >= s[0]), None)
    if chosen is None:
        return lambda v: money(v, lang)
    _, divisor, suffix, decimals = chosen
    smallest = min((v for v in finite if v > 0), default=top)
    if smallest < divisor and decimals < 2:
        decimals += 1

    def fmt(value: Any) -> str:
        if is_blank(value):
            return BLANK
        v = float(value)
        if v == 0:
            return "0"
        return f"{_plain(v / divisor, decimals)}{suffix}"

    return fmt


def number(value: Any, decimals: int = 0) -> str:
    """A plain number with thousands separators: 12345.6 -> "12,346"; blank -> "—"."""
    if is_blank(value):
        return BLANK
    return _plain(float(value), decimals)


def count(value: Any) -> str:
    """A whole count: 1234 -> "1,234"."""
    return number(value, 0)


def pct(value: Any, decimals: int = 0) -> str:
    """A ratio as a percentage: 1.12 -> "112%", (1.1234, 1) -> "112.3%"."""
    if is_blank(value) or math.isinf(float(value)):
        return BLANK
    return f"{_plain(float(value) * 100, decimals)}%"


def delta(value: Any, decimals: int = 1) -> str:
    """A signed change as a percentage: 0.123 -> "+12.3%", -0.04 -> "-4.0%", 0 -> "0.0%"."""
    if is_blank(value) or math.isinf(float(value)):
        return BLANK
    text = _plain(float(value) * 100, decimals)
    if text.lstrip("-").strip("0.,") == "":
        return f"{_plain(0.0, decimals)}%"
    return f"{text}%" if text.startswith("-") else f"+{text}%"


def delta_points(value: Any, decimals: int = 1) -> str:
    """A signed difference of two scores or counts: 0.4 -> "+0.4", -2 -> "-2.0"."""
    if is_blank(value):
        return BLANK
    text = _plain(float(value), decimals)
    if text.lstrip("-").strip("0.,") == "":
        return _plain(0.0, decimals)
    return text if text.startswith("-") else f"+{text}"


def points(value: Any, decimals: int = 1) -> str:
    """A difference of two ratios in percentage points, signed: 0.183 -> "+18.3", -0.04 -> "-4.0"."""
    if is_blank(value) or math.isinf(float(value)):
        return BLANK
    return delta_points(float(value) * 100, decimals)


def _as_date(value: Any) -> dt.date | None:
    if is_blank(value):
        return None
    if isinstance(value, pd.Period):
        return value.start_time.date()
    return pd.Timestamp(value).date()


def month_label(value: Any, lang: str = "zh") -> str:
    """The month of a date: "2026年10月" / "October 2026"."""
    d = _as_date(value)
    if d is None:
        return BLANK
    return f"{d.year}年{d.month}月" if _lang(lang) == "zh" else f"{_EN_MONTHS[d.month - 1]} {d.year}"


def date(value: Any, lang: str = "zh") -> str:
    """A day: ISO "2026-10-15" in both languages (unambiguous in tables)."""
    d = _as_date(value)
    return BLANK if d is None else d.isoformat()


class MoneyScale:
    """How money values are scaled for a chart: divisor, unit text and Excel format.

    The renderer shows chart values as given; the unit is stated in the chart
    title (e.g. "销售额(万元)") and in the number format.
    """

    def __init__(self, divisor: float, unit: str, number_format: str):
        self.divisor = divisor
        self.unit = unit
        self.number_format = number_format

    def values(self, values: Any) -> list[float | None]:
        out: list[float | None] = []
        for v in values:
            out.append(None if is_blank(v) else float(v) / self.divisor)
        return out


def money_scale(values: Any, lang: str = "zh", currency: str = "CNY") -> MoneyScale:
    """The chart scale for money: zh 万元 (or 亿元), en K or M of the currency.

    >>> s = money_scale([1_234_567], "zh"); (s.divisor, s.unit, s.number_format)
    (10000.0, '万元', '#,##0.0"万"')
    """
    finite = [abs(float(v)) for v in values if not is_blank(v)]
    top = max(finite, default=0.0)
    if _lang(lang) == "zh":
        if top >= 1e8:
            return MoneyScale(1e8, "亿元", '#,##0.00"亿"')
        if top >= 1e4:
            return MoneyScale(1e4, "万元", '#,##0.0"万"')
        return MoneyScale(1.0, "元", "#,##0")
    if top >= 1e6:
        return MoneyScale(1e6, f"{currency} M", '#,##0.00"M"')
    if top >= 1e3:
        return MoneyScale(1e3, f"{currency} K", '#,##0.0"K"')
    return MoneyScale(1.0, currency, "#,##0")
