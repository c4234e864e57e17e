"""China's public holidays and make-up working days (国务院办公厅通知), 2025-10 to 2026.

Each entry is (date, kind, note_zh, note_en); kind is a DAY_KINDS key: holiday
or workday (a make-up working day on a weekend, 调休). The template carries
this year's entries; the sample carries those of its months.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["HOLIDAYS_2025", "HOLIDAYS_2026", "HOLIDAYS"]

#: 2025 from the sample's first month (July): National Day and Mid-Autumn share eight days.
HOLIDAYS_2025 = (
    (dt.date(2025, 9, 28), "workday", "国庆节、中秋节调休", "National Day make-up"),
    *((dt.date(2025, 10, d), "holiday", "国庆节、中秋节", "National Day / Mid-Autumn") for d in range(1, 9)),
    (dt.date(2025, 10, 11), "workday", "国庆节、中秋节调休", "National Day make-up"),
)
HOLIDAYS_2026 = (
    *((dt.date(2026, 1, d), "holiday", "元旦", "New Year") for d in range(1, 4)),
    (dt.date(2026, 1, 4), "workday", "元旦调休", "New Year make-up"),
    (dt.date(2026, 2, 14), "workday", "春节调休", "Spring Festival make-up"),
    *((dt.date(2026, 2, d), "holiday", "春节", "Spring Festival") for d in range(15, 24)),
    (dt.date(2026, 2, 28), "workday", "春节调休", "Spring Festival make-up"),
    *((dt.date(2026, 4, d), "holiday", "清明节", "Qingming") for d in range(4, 7)),
    *((dt.date(2026, 5, d), "holiday", "劳动节", "Labour Day") for d in range(1, 6)),
    (dt.date(2026, 5, 9), "workday", "劳动节调休", "Labour Day make-up"),
    *((dt.date(2026, 6, d), "holiday", "端午节", "Dragon Boat Festival") for d in range(19, 22)),
    (dt.date(2026, 9, 20), "workday", "国庆节调休", "National Day make-up"),
    *((dt.date(2026, 9, d), "holiday", "中秋节", "Mid-Autumn Festival") for d in range(25, 28)),
    *((dt.date(2026, 10, d), "holiday", "国庆节", "National Day") for d in range(1, 8)),
    (dt.date(2026, 10, 10), "workday", "国庆节调休", "National Day make-up"),
)
HOLIDAYS = (*HOLIDAYS_2025, *HOLIDAYS_2026)
