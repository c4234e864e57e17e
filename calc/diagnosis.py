"""Diagnosis signals (问题诊断): attainment and RAG, MoM/YoY, churn warnings, receivable aging, NPS."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from salesdeck.errors import CalcError

from ._coerce import position, to_date, to_dates, to_float_array, to_language, to_vector

__all__ = [
    "attainment",
    "rag",
    "RAG_LABELS",
    "attainment_table",
    "mom_yoy",
    "churn",
    "churn_flags",
    "AGING_BUCKETS",
    "overdue_days",
    "aging_bucket",
    "aging_buckets",
    "nps",
    "deviation_from_average",
    "top_share",
]

#: RAG labels by language, in order red, amber, green.
RAG_LABELS = {"en": ("red", "amber", "green"), "zh": ("红", "黄", "绿")}
#: Aging buckets in order; "current" = not overdue (or paid on time).
AGING_BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


def _pick(labels: tuple[str, ...], code: np.ndarray) -> Any:
    """labels[code] element-wise: a str for a 0-d code, else an object array of code's shape."""
    code = np.asarray(code)
    return labels[int(code)] if code.ndim == 0 else np.asarray(labels, dtype=object)[code]


def attainment(actual: Any, target: Any) -> Any:
    """Attainment (达成率) = actual / target, element by element (a single target applies to all).

    >>> attainment([112, 90], [100, 100]).tolist()
    [1.12, 0.9]
    """
    act = to_float_array(actual, "actual")
    tgt = to_float_array(target, "target")
    if (tgt <= 0).any():
        i = int(np.flatnonzero((tgt <= 0).ravel())[0])
        raise CalcError("target", f"{tgt.ravel()[i]:g} at {position(i, tgt.shape)} must be above 0")
    if tgt.size != 1 and tgt.size != act.size:
        raise CalcError("target", f"{tgt.size} targets do not match {act.size} actuals")
    out = act / (tgt.reshape(act.shape) if tgt.size == act.size else tgt.ravel()[0])
    return float(out) if out.ndim == 0 else out


def _bands(bands: Any) -> tuple[float, float]:
    if bands is None:
        return 0.8, 1.0
    b = to_vector(bands, "bands")
    if b.size != 2:
        raise CalcError("bands", f"give two values (red below, green from), got {b.size}")
    if (b > 5).any():
        big = float(b[b > 5][0])
        raise CalcError("bands", f"{big:g} looks like {big:g}%: enter {big / 100:g}")
    if b[0] > b[1] or b[0] < 0:
        raise CalcError("bands", f"{b[0]:g} and {b[1]:g} must be ascending and not negative")
    return float(b[0]), float(b[1])


def rag(attainments: Any, bands: Any = (0.8, 1.0), lang: Any = "en") -> Any:
    """Red/amber/green per attainment: below ``bands[0]`` red, below ``bands[1]`` amber, else green.

    ``lang="zh"`` gives 红/黄/绿. Same shape as the input (a string for a scalar).

    >>> rag([0.75, 0.8, 0.99, 1.0]).tolist()
    ['red', 'amber', 'amber', 'green']
    >>> rag(1.12, lang="zh")
    '绿'
    """
    labels = RAG_LABELS[to_language(lang)]
    red, green = _bands(bands)
    att = to_float_array(attainments, "attainment")
    code = np.select([att < red, att < green], [0, 1], default=2)
    return _pick(labels, code)


def attainment_table(actual: pd.Series, target: pd.Series, bands: Any = (0.8, 1.0),
                     lang: Any = "en") -> pd.DataFrame:
    """Actual, target, attainment and RAG per key; ``target`` must cover every key of ``actual``.

    >>> t = attainment_table(pd.Series({"华东": 112.0, "华南": 70.0}), pd.Series({"华东": 100.0, "华南": 100.0}))
    >>> t.to_dict("index")["华东"]
    {'actual': 112.0, 'target': 100.0, 'attainment': 1.12, 'rag': 'green'}
    """
    for name, s in (("actual", actual), ("target", target)):
        if not isinstance(s, pd.Series):
            raise CalcError(name, f"expected a pandas Series, got {type(s).__name__}")
    if actual.index.has_duplicates:
        raise CalcError("actual", f"duplicate keys: {list(actual.index[actual.index.duplicated()][:3])}")
    missing = actual.index.difference(target.index)
    if len(missing):
        raise CalcError("target", f"no target for {list(missing[:5])}")
    tgt = target.reindex(actual.index)
    att = attainment(actual.to_numpy(), tgt.to_numpy())
    return pd.DataFrame({
        "actual": actual.to_numpy(dtype=float),
        "target": tgt.to_numpy(dtype=float),
        "attainment": np.asarray(att, dtype=float),
        "rag": np.asarray(rag(att, bands, lang), dtype=object).astype(str),
    }, index=actual.index)


def mom_yoy(monthly: pd.Series) -> pd.DataFrame:
    """Month-over-month (环比) and year-over-year (同比) change of a monthly series.

    The index may be months as Periods, Timestamps or text ("2026-10"); missing
    months count as unknown, so a change is NaN when the month compared with is
    absent or 0. Columns: value, previous_month, mom (ratio - 1), last_year, yoy.

    >>> s = pd.Series([100.0, 120.0], index=["2026-09", "2026-10"])
    >>> mom_yoy(s).loc["2026-10", ["previous_month", "mom"]].tolist()
    [100.0, 0.19999999999999996]
    """
    if not isinstance(monthly, pd.Series):
        raise CalcError("monthly", f"expected a pandas Series, got {type(monthly).__name__}")
    try:
        months = pd.PeriodIndex(pd.to_datetime(monthly.index.astype(str), format="mixed"), freq="M") \
            if not isinstance(monthly.index, pd.PeriodIndex) else monthly.index.asfreq("M")
    except (ValueError, TypeError) as exc:
        raise CalcError("monthly", f"the index is not months ({exc})") from None
    if months.has_duplicates:
        raise CalcError("monthly", f"month {months[months.duplicated()][0]} appears twice")
    values = pd.Series(to_vector(monthly.to_numpy(), "monthly", allow_blank=True), index=months).sort_index()
    full = values.reindex(pd.period_range(values.index.min(), values.index.max(), freq="M"))
    prev = full.shift(1).reindex(values.index)
    last_year = full.shift(12).reindex(values.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        mom = np.where(prev > 0, values / prev - 1, np.nan)
        yoy = np.where(last_year > 0, values / last_year - 1, np.nan)
    out = pd.DataFrame({"value": values, "previous_month": prev, "mom": mom, "last_year": last_year, "yoy": yoy},
                       index=values.index)
    if not isinstance(monthly.index, pd.PeriodIndex):
        out.index = out.index.strftime("%Y-%m")
    return out


def churn(values: Any) -> Any:
    """Churn warning (流失预警): True when the last two month-over-month changes are both declines.

    ``values`` are monthly volumes, oldest first: a 1-D series gives one bool,
    a 2-D array (customers x months) one bool per row. Needs >= 3 months.

    >>> churn([10, 8, 5]), churn([10, 8, 9]), churn([[10, 8, 5], [5, 5, 4]]).tolist()
    (True, False, [True, False])
    """
    v = to_float_array(values, "values")
    rows = v.reshape(1, -1) if v.ndim < 2 else v
    if rows.shape[1] < 3:
        raise CalcError("values", f"needs at least 3 months, got {rows.shape[1]}")
    flags = (rows[:, -1] < rows[:, -2]) & (rows[:, -2] < rows[:, -3])
    return bool(flags[0]) if v.ndim < 2 else flags


def churn_flags(frame: pd.DataFrame) -> pd.Series:
    """:func:`churn` per row of a customers x months frame (columns oldest first); a blank month counts as 0.

    >>> churn_flags(pd.DataFrame({"8月": [10, 3], "9月": [8, None], "10月": [5, 4]}, index=["甲", "乙"])).to_dict()
    {'甲': True, '乙': False}
    """
    if not isinstance(frame, pd.DataFrame):
        raise CalcError("frame", f"expected a pandas DataFrame, got {type(frame).__name__}")
    values = to_float_array(frame.to_numpy(dtype=object), "frame", allow_blank=True)
    values = np.where(np.isnan(values), 0.0, values)
    if values.shape[1] < 3:
        raise CalcError("frame", f"needs at least 3 month columns, got {values.shape[1]}")
    return pd.Series(churn(values), index=frame.index, name="churn", dtype=bool)


def overdue_days(due_dates: Any, paid_dates: Any = None, as_of: Any = None) -> np.ndarray:
    """Days overdue per receivable: unpaid = as_of - due, paid = paid - due; never below 0.

    >>> overdue_days(["2026-09-01", "2026-09-01"], [None, "2026-09-11"], "2026-10-01").tolist()
    [30, 10]
    """
    due = to_dates(due_dates, "due_dates")
    today = to_date(as_of, "as_of", default=dt.date.today())
    if paid_dates is None:
        end = np.full(due.shape, today)
    else:
        paid = to_dates(paid_dates, "paid_dates", allow_blank=True)
        if paid.size == 1 and due.size != 1:
            paid = np.full(due.shape, paid.ravel()[0])
        if paid.size != due.size:
            raise CalcError("paid_dates", f"{paid.size} paid dates do not match {due.size} due dates")
        paid = paid.reshape(due.shape)
        end = np.where(np.isnat(paid), today, paid)
    return np.maximum((end - due).astype(np.int64), 0)


def aging_bucket(due_dates: Any, paid_dates: Any = None, as_of: Any = None) -> Any:
    """Aging bucket per receivable: current, 1-30, 31-60, 61-90, 90+ days overdue.

    current = not yet due, or paid on or before the due date. Overdue days are
    as_of - due for unpaid items and paid - due for items paid late
    (``as_of`` defaults to today). Same shape as ``due_dates``.

    >>> aging_bucket(["2026-10-10", "2026-09-20", "2026-06-01"], None, "2026-10-01").tolist()
    ['current', '1-30', '90+']
    """
    days = overdue_days(due_dates, paid_dates, as_of)
    code = np.searchsorted(np.array([0, 30, 60, 90]), days, side="left")
    return _pick(AGING_BUCKETS, code)


def aging_buckets(due: pd.Series, paid: pd.Series | None = None, as_of: Any = None) -> pd.Series:
    """:func:`aging_bucket` for Series: an ordered categorical with ``due``'s index.

    >>> aging_buckets(pd.Series(["2026-09-15"], index=["INV-1"]), None, "2026-10-01").tolist()
    ['1-30']
    """
    if not isinstance(due, pd.Series):
        raise CalcError("due", f"expected a pandas Series, got {type(due).__name__}")
    def values(s: pd.Series) -> np.ndarray:  # datetime64 columns stay vectorised (NaT = blank)
        return s.to_numpy() if s.dtype.kind == "M" else s.to_numpy(dtype=object)

    paid_values = None
    if paid is not None:
        if not isinstance(paid, pd.Series):
            raise CalcError("paid", f"expected a pandas Series, got {type(paid).__name__}")
        paid_values = values(paid.reindex(due.index))
    labels = aging_bucket(values(due), paid_values, as_of)
    return pd.Series(pd.Categorical(np.asarray(labels).ravel(), categories=AGING_BUCKETS, ordered=True),
                     index=due.index, name="aging")


def nps(scores: Any) -> float:
    """Net Promoter Score = % promoters (9-10) - % detractors (0-6), a number from -100 to 100.

    Scores must be whole numbers 0-10 (blank cells are an error).

    >>> nps([10, 9, 8, 7, 6, 3])   # 2 promoters, 2 detractors of 6
    0.0
    >>> round(nps([10, 10, 9, 5]), 2)
    50.0
    """
    cells = to_float_array(scores, "scores")
    s = cells.ravel()
    bad = (s < 0) | (s > 10) | (s != np.floor(s))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CalcError("scores", f"{s[i]:g} at {position(i, cells.shape)} is not a whole number from 0 to 10")
    promoters = np.count_nonzero(s >= 9)
    detractors = np.count_nonzero(s <= 6)
    return float(100.0 * (promoters - detractors) / s.size)


def deviation_from_average(values: pd.Series) -> pd.Series:
    """Each value's deviation from the average (区域偏离值) as a ratio: value / mean - 1.

    >>> deviation_from_average(pd.Series({"华东": 120.0, "华南": 80.0})).to_dict()
    {'华东': 0.2, '华南': -0.2}
    """
    v = to_vector(values.to_numpy(), "values")
    mean = v.mean()
    if mean == 0:
        raise CalcError("values", "the average is 0, so deviations are undefined")
    return pd.Series(np.round(v / mean - 1, 12), index=values.index, name="deviation")


def top_share(values: pd.Series, n: int = 3) -> pd.DataFrame:
    """The ``n`` largest values with their share of the total (top-3 products, big-customer dependency).

    >>> top_share(pd.Series({"A": 50.0, "B": 30.0, "C": 20.0}), 2)["share"].tolist()
    [0.5, 0.3]
    """
    v = to_vector(values.to_numpy(), "values", minimum=0)
    total = v.sum()
    if total <= 0:
        raise CalcError("values", "the total is 0, so shares are undefined")
    if int(n) < 1:
        raise CalcError("n", f"{n} must be at least 1")
    s = pd.Series(v, index=values.index).sort_values(ascending=False, kind="stable").head(int(n))
    return pd.DataFrame({"value": s, "share": s / total})
