"""Units of quantities: which dimension a unit belongs to, and conversions.

Durations convert to seconds; ``business_hours`` and ``business_days`` are
durations counted on a calendar's opening hours (a business day is one opening
day, whatever its length, kept as 86,400 s). Money units are ISO 4217 currency
codes.
"""

from __future__ import annotations

import enum
import re
import zoneinfo
from decimal import Decimal, InvalidOperation

from slalang.lang.model import Quantity


class Dimension(enum.Enum):
    """What a quantity measures; quantities of different dimensions never mix."""

    DURATION = "duration"
    PERCENT = "percentage"
    POINTS = "points"
    COUNT = "count"
    MONEY = "money"
    NUMBER = "plain number"


_DURATIONS: dict[str, Decimal] = {
    "s": Decimal(1), "sec": Decimal(1), "second": Decimal(1), "seconds": Decimal(1),
    "min": Decimal(60), "minute": Decimal(60), "minutes": Decimal(60),
    "h": Decimal(3600), "hour": Decimal(3600), "hours": Decimal(3600),
    "d": Decimal(86400), "day": Decimal(86400), "days": Decimal(86400),
    "business_hours": Decimal(3600), "business_days": Decimal(86400),
}  # fmt: skip

BUSINESS_UNITS = frozenset({"business_hours", "business_days"})

_COUNTS = frozenset({
    "calls", "contacts", "chats", "emails", "responses", "audits", "intervals", "agents",
    "months", "periods",
})  # fmt: skip

_POINTS = frozenset({"points", "pts"})

CURRENCIES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
    KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
    MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
    SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD
    TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL""".split()  # noqa: SIM905 - a table of codes reads best as text
)

KNOWN_UNITS: tuple[str, ...] = tuple(sorted({*_DURATIONS, *_COUNTS, *_POINTS, "%"}))


def dimension(unit: str | None) -> Dimension | None:
    """Return the dimension of a unit, or ``None`` when the unit is unknown."""
    if unit is None:
        return Dimension.NUMBER
    if unit in _DURATIONS:
        return Dimension.DURATION
    if unit == "%":
        return Dimension.PERCENT
    if unit in _POINTS:
        return Dimension.POINTS
    if unit in _COUNTS:
        return Dimension.COUNT
    if unit in CURRENCIES:
        return Dimension.MONEY
    return None


def dimension_of(quantity: Quantity) -> Dimension | None:
    """Return the dimension of a quantity (``None`` for an unknown unit)."""
    return dimension(quantity.unit)


def seconds(quantity: Quantity) -> Decimal:
    """Return a duration in seconds (business units count opening-hours seconds)."""
    assert quantity.unit is not None
    return quantity.value * _DURATIONS[quantity.unit]


def is_business(quantity: Quantity) -> bool:
    """True for durations counted on business hours."""
    return quantity.unit in BUSINESS_UNITS


def fraction(quantity: Quantity) -> Decimal:
    """Return a percentage as a fraction between 0 and 1."""
    return quantity.value / 100


def magnitude(quantity: Quantity) -> Decimal:
    """Return a comparable number: seconds, a fraction, or the value itself."""
    kind = dimension_of(quantity)
    if kind is Dimension.DURATION:
        return seconds(quantity)
    if kind is Dimension.PERCENT:
        return fraction(quantity)
    return quantity.value


_QUANTITY = re.compile(r"\s*(-?[0-9][0-9_]*(?:\.[0-9]+)?)\s*([A-Za-z_%][A-Za-z_]*|%)?\s*")


def read_quantity(text: str) -> Quantity | None:
    """A quantity written as in the language (``30min``, ``240 s``, ``80%``, ``2_000``).

    Returns None for text that is not a number with an optional unit; the unit itself is
    not checked (see :func:`dimension`).
    """
    found = _QUANTITY.fullmatch(text)
    if found is None:
        return None
    try:
        value = Decimal(found.group(1).replace("_", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None
    return Quantity(value, found.group(2))


def time_zone(name: str) -> zoneinfo.ZoneInfo | None:
    """The IANA time zone ``name`` (``America/Chicago``), or None when there is no such zone.

    Any name that is not a zone gives None, whatever the zone database makes of it: a folder
    of the database (``America``), a name too long for a file name, a NUL character.
    """
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None
