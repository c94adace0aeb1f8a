"""Measurement periods: which period a moment belongs to, and how periods are named.

Period keys are ISO-style strings that sort in time order: ``1999-01`` (month),
``1999-01-05`` (day), ``1999-W01`` (ISO week), ``1999-Q1`` (quarter),
``1999-01-05T10:30`` (interval), ``2026-01-01/2026-12-31`` (contract year).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
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


_SHAPES = {
    "interval": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
    "day": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "month": re.compile(r"\d{4}-\d{2}"),
}


@functools.lru_cache(maxsize=65_536)
def span(period_key: str, period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The start and the (exclusive) end of the period a key names (cached: the same keys
    are asked for again and again while judging)."""
    kind = period.kind
    shape = _SHAPES.get(kind)
    if shape is not None and not shape.fullmatch(period_key):
        raise ValueError(f"{period_key!r} is not a {kind} key")
    if kind == "interval":
        start = dt.datetime.fromisoformat(period_key)
        return start, start + dt.timedelta(minutes=period.minutes)
    if kind == "day":
        start = dt.datetime.fromisoformat(period_key)
        return start, start + dt.timedelta(days=1)
    if kind == "week":
        year, week = period_key.split("-W")
        day = dt.date.fromisocalendar(int(year), int(week), 1)
        start = dt.datetime.combine(day, dt.time())
        return start, start + dt.timedelta(days=7)
    if kind == "month":
        start = dt.datetime(int(period_key[:4]), int(period_key[5:]), 1)
        return start, _months_later(start, 1)
    if kind == "quarter":
        year, quarter = period_key.split("-Q")
        start = dt.datetime(int(year), 3 * int(quarter) - 2, 1)
        return start, _months_later(start, 3)
    if kind == "contract_year":
        first, last = period_key.split("/")
        start = dt.datetime.combine(dt.date.fromisoformat(first), dt.time())
        end = dt.datetime.combine(dt.date.fromisoformat(last), dt.time())
        return start, end + dt.timedelta(days=1)
    raise ValueError(f"unknown period kind {kind!r}")


def last_moment(period_key: str, period: Period) -> dt.datetime:
    """The last minute of the period a key names (it ends the minute after)."""
    return span(period_key, period)[1] - dt.timedelta(minutes=1)


def following(period_key: str, period: Period, *, year_start: dt.date | None = None) -> str:
    """The key of the next period of the same kind."""
    return key(span(period_key, period)[1], period, year_start=year_start)


def sequence(
    first: str, last: str, period: Period, *, year_start: dt.date | None = None
) -> list[str]:
    """Every period key from ``first`` to ``last`` (both included), in time order."""
    keys = [first]
    end = span(last, period)[1]
    while span(keys[-1], period)[1] < end:
        keys.append(following(keys[-1], period, year_start=year_start))
    return keys


def _months_later(start: dt.datetime, months: int) -> dt.datetime:
    index = start.year * 12 + start.month - 1 + months
    return start.replace(year=index // 12, month=index % 12 + 1)
