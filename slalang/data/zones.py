"""Wall-clock times that do not exist in a time zone (the hour skipped when clocks go forward).

A record stamped ``2026-03-08 02:30`` in ``America/New_York`` names no moment at all:
clocks went from 02:00 to 03:00 that night. The loader reports such values as impossible
timestamps; :func:`gaps` lists the skipped spans of local time in a range, found with the
time zone database of :mod:`zoneinfo`.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

_UTC = dt.UTC


def _offset(zone: ZoneInfo, instant: dt.datetime) -> dt.timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def gaps(zone: str, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """The spans ``[first, after)`` of local (naive) time skipped by ``zone`` that overlap
    ``[start, end]``, in order."""
    info = ZoneInfo(zone)
    found: list[tuple[dt.datetime, dt.datetime]] = []
    low = (start - dt.timedelta(days=2)).replace(tzinfo=_UTC)
    high = (end + dt.timedelta(days=2)).replace(tzinfo=_UTC)
    step = dt.timedelta(hours=6)  # zones change their offset at most once in a few hours
    moment = low
    while moment < high:
        before, after = _offset(info, moment), _offset(info, moment + step)
        if before != after:
            # the instant of the change, to the second
            lo, hi = moment, moment + step
            while hi - lo > dt.timedelta(seconds=1):
                middle = lo + (hi - lo) / 2
                middle = middle.replace(microsecond=0)
                if middle <= lo:
                    break
                if _offset(info, middle) == before:
                    lo = middle
                else:
                    hi = middle
            if after > before:
                first = (hi + before).replace(tzinfo=None)
                skipped = (first, first + (after - before))
                if skipped[1] > start and skipped[0] <= end:
                    found.append(skipped)
        moment += step
    return found
