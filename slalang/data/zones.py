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
import functools
import importlib.resources
import re
import struct
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
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


_FIXED_RULE = re.compile(r"(<[^>]+>|[A-Za-z]+)[+-]?[0-9]+(:[0-9]+){0,2}")
"""A POSIX TZ rule with a standard time and no daylight saving time (``UTC0``, ``<+03>-3``)."""


def _tzif(zone: str) -> bytes | None:
    """The zone's TZif file, found where :mod:`zoneinfo` looks: its search path, then the
    ``tzdata`` package."""
    if not zone or zone.startswith("/") or ".." in zone.split("/"):
        return None
    for folder in zoneinfo.TZPATH:
        candidate = Path(folder) / zone
        if candidate.is_file():
            return candidate.read_bytes()
    package, _, name = f"tzdata.zoneinfo.{zone}".replace("/", ".").rpartition(".")
    try:
        return importlib.resources.files(package).joinpath(name).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None


@functools.cache
def fixed(zone: str) -> bool:
    """Whether ``zone`` has kept one offset for all its history and keeps it (UTC,
    ``Etc/GMT+5``): its clocks never skip or repeat a time. Read from the zone's TZif file:
    no transition and a rule with no daylight saving time. ``False`` when in doubt."""
    data = _tzif(zone)
    if data is None or len(data) < 44 or data[:4] != b"TZif":
        return False
    isut, isstd, leap, times, types, chars = (int(n) for n in struct.unpack(">6l", data[20:44]))
    if data[4:5] == b"\x00":  # version 1: no 64-bit block, no rule
        return times == 0 and types == 1
    # the 64-bit block follows the 32-bit one, then the rule between two newlines
    start = 44 + times * 5 + types * 6 + chars + leap * 8 + isstd + isut
    if data[start : start + 4] != b"TZif":
        return False
    block = struct.unpack(">6l", data[start + 20 : start + 44])
    isut, isstd, leap, times, types, chars = (int(n) for n in block)
    end = start + 44 + times * 9 + types * 6 + chars + leap * 12 + isstd + isut
    footer = data[end:].strip(b"\n").decode("ascii", errors="replace")
    return times == 0 and _FIXED_RULE.fullmatch(footer) is not None
