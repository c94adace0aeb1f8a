"""Wall-clock times a time zone skips or repeats when its clocks change.

A record stamped ``2026-03-08 02:30`` in ``America/New_York`` names no moment at all:
clocks went from 02:00 to 03:00 that night. The loader reports such values as impossible
timestamps. A record stamped ``2026-11-01 01:30`` names two moments, since clocks went
back from 02:00 to 01:00 and the hour from 01:00 happened twice; the loader keeps such
rows and counts them as ambiguous. :func:`gaps` lists the skipped spans of local time in a
range and :func:`folds` the repeated ones, found with the time zone database of
:mod:`zoneinfo`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

_UTC = dt.UTC

Span = tuple[dt.datetime, dt.datetime]
"""A half-open span ``[first, after)`` of local (naive) time."""


def _offset(zone: ZoneInfo, instant: dt.datetime) -> dt.timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _changes(
    zone: str, start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[dt.datetime, dt.timedelta, dt.timedelta]]:
    """Each change of the zone's offset near ``[start, end]``: its UTC instant (to the
    second, naive), the offset before and the offset after."""
    info = ZoneInfo(zone)
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
            yield hi.replace(tzinfo=None), before, after
        moment += step


def _overlapping(spans: Iterator[Span], start: dt.datetime, end: dt.datetime) -> list[Span]:
    return [span for span in spans if span[1] > start and span[0] <= end]


def gaps(zone: str, start: dt.datetime, end: dt.datetime) -> list[Span]:
    """The spans ``[first, after)`` of local (naive) time skipped by ``zone`` that overlap
    ``[start, end]``, in order: clocks went forward over them."""
    skipped = (
        (instant + before, instant + after)
        for instant, before, after in _changes(zone, start, end)
        if after > before
    )
    return _overlapping(skipped, start, end)


def folds(zone: str, start: dt.datetime, end: dt.datetime) -> list[Span]:
    """The spans ``[first, after)`` of local (naive) time that ``zone`` repeats and that
    overlap ``[start, end]``, in order: clocks went back over them, so each clock time in
    one names two moments."""
    repeated = (
        (instant + after, instant + before)
        for instant, before, after in _changes(zone, start, end)
        if after < before
    )
    return _overlapping(repeated, start, end)
