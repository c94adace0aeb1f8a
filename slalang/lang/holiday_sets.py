"""Named holiday sets: a country's, a subdivision's or a financial market's public holidays.

A calendar may say ``holidays US`` (or ``holidays US "TX"``, ``holidays NYSE``) instead of
listing each date. The dates come from the `holidays` package, which keeps the rules of each
country and market (fixed dates, weekday rules, Easter, observed-date shifts) up to date.

Two readings of a holiday that falls on a weekend:

- ``observed`` (the default): the day the holiday is observed, the day people are off.
  Independence Day 2026 falls on a Saturday and is observed on Friday 2026-07-03: the set
  holds the Friday and not the Saturday.
- ``actual``: the calendar date of each holiday, never shifted (2026-07-04).

For financial markets the set is the days the market is closed.

The `holidays` package is imported only when a contract names a set, so checking a contract
without one does not pay for loading it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.util
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from slalang.lang import model as m
from slalang.lang.build import INVALID_DATE

__all__ = ["calendar_holidays", "dates", "effective_term", "problem", "set_dates"]

_SHIFT_DAYS = 3
"""How far an observed date lies from its holiday at most (a Saturday to a Monday is two)."""

_OBSERVED = " (observed)"


def _fingerprint() -> str:
    """Which installation of the library answers: its folder and its version file's stamp."""
    spec = importlib.util.find_spec("holidays")
    if spec is None or spec.origin is None:
        return "absent"
    version = Path(spec.origin).with_name("version.py")
    try:
        stat = version.stat()
    except OSError:
        return spec.origin
    return f"{spec.origin}:{stat.st_mtime_ns}:{stat.st_size}"


@functools.cache
def _cache_file() -> Path:
    digest = hashlib.sha256(_fingerprint().encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f".slalang_holidays_{digest}.json"


@functools.cache
def _cache() -> dict[str, Any]:
    try:
        loaded = json.loads(_cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _remembered(key: list[Any], compute: Any) -> Any:
    """``compute()``, remembered across processes in a cache file of this library version.

    Loading the library takes longer than checking a contract (it loads every country), so
    the answers are kept in the temporary folder, keyed by the installed library's version
    file: an upgrade reads afresh. A cache that cannot be read or written is ignored.
    """
    cache = _cache()
    text = json.dumps(key)
    if text in cache:
        return cache[text]
    value = compute()
    cache[text] = json.loads(json.dumps(value))
    target = _cache_file()
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent, prefix=target.name, delete=False
        ) as out:
            json.dump(cache, out)
        os.replace(out.name, target)
    except OSError:
        pass
    return cache[text]


def _library() -> Any:
    import holidays

    return holidays


@functools.cache
def _codes() -> tuple[frozenset[str], frozenset[str]]:
    """The codes of the countries and of the financial markets the library knows.

    Read from its registry, which names each entity without loading it (asking the library
    for its supported countries loads every one of them, which takes longer than a check).
    """
    _library()
    from holidays.registry import COUNTRIES, FINANCIAL

    def codes(registry: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
        return frozenset(c for entry in registry.values() for c in entry[1:] if c.isupper())

    return codes(COUNTRIES), codes(FINANCIAL)


@functools.cache
def _subdivisions(name: str) -> tuple[str, ...]:
    countries, _ = _codes()
    library = _library()
    make = library.country_holidays if name in countries else library.financial_holidays
    entity = make(name, years=[])
    aliases = getattr(entity, "subdivisions_aliases", {}) or {}
    return (*tuple(getattr(entity, "subdivisions", ()) or ()), *aliases)


def problem(name: str, subdivision: str | None) -> tuple[str, str, tuple[str, ...]] | None:
    """What is wrong with a set's name or subdivision, or None when the set exists.

    Returns ``(message, label, names to suggest from)``.
    """
    found = _remembered(["problem", name, subdivision], lambda: _problem(name, subdivision))
    return None if found is None else (found[0], found[1], tuple(found[2]))


def _problem(name: str, subdivision: str | None) -> tuple[str, str, tuple[str, ...]] | None:
    countries, markets = _codes()
    if name not in countries and name not in markets:
        return (
            f"unknown holiday set `{name}`",
            "not a country or financial market code",
            tuple(sorted(countries | markets)),
        )
    known = _subdivisions(name)
    if subdivision is not None and subdivision not in known:
        where = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
        message = f"`{name}` has no subdivision `{subdivision}`"
        return message, (f"one of {where}" if known else "it has no subdivisions"), tuple(known)
    return None


@functools.cache
def _holidays(
    name: str, subdivision: str | None, years: range, observed: bool
) -> dict[dt.date, str]:
    library = _library()
    countries, _ = _codes()
    make = library.country_holidays if name in countries else library.financial_holidays
    table = make(name, subdiv=subdivision, years=list(years), observed=observed)
    return {day: str(label) for day, label in table.items()}


def dates(
    name: str, subdivision: str | None, *, observed: bool, start: dt.date, end: dt.date
) -> dict[dt.date, str]:
    """The holidays of a set from ``start`` to ``end`` (both included), with their names.

    Raises:
        ValueError: the set or the subdivision is unknown (:func:`problem` says why).
    """
    found = problem(name, subdivision)
    if found is not None:
        raise ValueError(found[0])
    key = ["dates", name, subdivision, observed, start.isoformat(), end.isoformat()]
    pairs = _remembered(key, lambda: _dates(name, subdivision, observed, start, end))
    return {dt.date.fromisoformat(day): label for day, label in pairs}


def _dates(
    name: str, subdivision: str | None, observed: bool, start: dt.date, end: dt.date
) -> list[tuple[str, str]]:
    # A year's holiday can be observed in the year before (New Year's Day on a Saturday is
    # observed on 31 December): read one year more on each side, then keep the range.
    years = range(start.year - 1, end.year + 2)
    actual = _holidays(name, subdivision, years, observed=False)
    if observed:
        shifted = _holidays(name, subdivision, years, observed=True)
        moved = _moved(actual, shifted)
        chosen = {d: n for d, n in shifted.items() if d not in moved}
    else:
        chosen = actual
    return [(day.isoformat(), chosen[day]) for day in sorted(chosen) if start <= day <= end]


def _moved(actual: Mapping[dt.date, str], shifted: Mapping[dt.date, str]) -> set[dt.date]:
    """The actual dates whose holiday is observed on another day."""
    moved: set[dt.date] = set()
    for day, label in shifted.items():
        for part in label.split("; "):
            if not part.endswith(_OBSERVED):
                continue
            holiday = part.removesuffix(_OBSERVED)
            for offset in range(-_SHIFT_DAYS, _SHIFT_DAYS + 1):
                source = day + dt.timedelta(days=offset)
                if offset and holiday in actual.get(source, "").split("; "):
                    moved.add(source)
    return moved


def effective_term(contract: m.Contract) -> tuple[dt.date, dt.date] | None:
    """The contract's ``effective`` dates, or None when it has none that can be read."""
    effective = contract.setting("effective")
    if effective is None or not isinstance(effective.value, m.DateRange):
        return None
    start, end = effective.value.start.value, effective.value.end.value
    if INVALID_DATE in (start, end) or end < start:
        return None
    return start, end


def set_dates(holidays: m.HolidaySet, term: tuple[dt.date, dt.date]) -> dict[dt.date, str]:
    """The dates of one ``holidays`` line over the contract's term."""
    sub = holidays.subdivision.value if holidays.subdivision is not None else None
    return dates(holidays.name.text, sub, observed=holidays.observed, start=term[0], end=term[1])


def calendar_holidays(
    calendar: m.CalendarDecl, term: tuple[dt.date, dt.date] | None
) -> frozenset[dt.date]:
    """Every holiday of a calendar: its sets over the term, less `not holiday`, plus `holiday`."""
    days: set[dt.date] = set()
    if calendar.holiday_sets:
        if term is None:
            raise ValueError("a holiday set needs the contract's effective dates")
        for holidays in calendar.holiday_sets:
            days |= set_dates(holidays, term).keys()
    days -= {removed.date.value for removed in calendar.not_holidays}
    days |= {holiday.date.value for holiday in calendar.holidays}
    return frozenset(days)
