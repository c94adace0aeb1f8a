"""Measurement periods: which period a moment belongs to, and how periods are named.

Period keys are ISO-style strings that sort in time order: ``1999-01`` (month),
``1999-01-05`` (day), ``1999-W01`` (ISO week), ``1999-Q1`` (quarter),
``1999-01-05T10:30`` (interval), ``2026-01-01/2026-12-31`` (contract year).
"""

from __future__ import annotations

import datetime as dt
from math import gcd

from slalang.engine.plan import Period


def bucket_minutes(periods: list[Period]) -> int:
    """The coarsest bucket that every period is a whole number of: minutes, up to a day."""
    minutes = 1440
    for period in periods:
        if period.kind == "interval":
            minutes = gcd(minutes, period.minutes)
    return minutes


def bucket_start(moment: dt.datetime, minutes: int) -> dt.datetime:
    """The start of the bucket of ``minutes`` minutes that holds ``moment``."""
    since_midnight = moment.hour * 60 + moment.minute
    start = since_midnight - since_midnight % minutes
    return dt.datetime.combine(moment.date(), dt.time()) + dt.timedelta(minutes=start)


def key(moment: dt.datetime, period: Period, *, year_start: dt.date | None = None) -> str:
    """The key of the period of this kind that holds ``moment``."""
    kind = period.kind
    if kind == "interval":
        return bucket_start(moment, period.minutes).strftime("%Y-%m-%dT%H:%M")
    if kind == "day":
        return moment.strftime("%Y-%m-%d")
    if kind == "week":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    if kind == "month":
        return moment.strftime("%Y-%m")
    if kind == "quarter":
        return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
    if kind == "contract_year":
        start = year_start or dt.date(moment.year, 1, 1)
        years = moment.year - start.year
        if (moment.month, moment.day) < (start.month, start.day):
            years -= 1
        first = _add_years(start, years)
        last = _add_years(start, years + 1) - dt.timedelta(days=1)
        return f"{first.isoformat()}/{last.isoformat()}"
    raise ValueError(f"unknown period kind {kind!r}")


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
