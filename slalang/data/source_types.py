"""Loading stage, typed columns: which column types each canonical type reads without a copy.

A Parquet file or an in-memory table has typed columns. When every mapped column has a
type listed in :data:`ACCEPTED` for its field's canonical type, the loader reads the
source as a view that converts each column in the scan (:mod:`slalang.data.parquet_view`).
Each accepted conversion gives, for every value the text path would load, exactly the
value the text path gives: the text path writes each value as its text
(:func:`text_sql`) and converts that text (:func:`slalang.data.convert.convert_sql`).
Where a cheap cast could differ (a ``FLOAT`` wait of 0.1 is 0.10000000149 as a double but
``0.1`` as text; a ``DOUBLE`` of 1.5 is no integer), the value is read from its text as
the text path reads it, so both ways agree by construction; a value that cannot be read
is null, and the fast path hands its row to the full checks, which report it.

Time-zone-aware timestamps name instants. Both paths read them as the wall-clock time of
that instant in the zone the data's clock times are read in (:func:`wall_zone`): the
profile's ``timezone``, else the contract's, else UTC.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import attrs

from slalang.data.convert import SQL_TYPES, convert_sql


@attrs.frozen
class Conversion:
    """How a column of one type becomes a field of a canonical type.

    Attributes:
        sql: the conversion, over ``{c}`` (the column), ``{t}`` (the canonical SQL type) and
            ``{z}`` (the wall zone as a literal); ``None`` reads the value from its text.
        exact: where ``sql`` is known to give the text path's value; elsewhere (and for
            nulls) the value is read from its text. ``None``: everywhere.
        fails: the conversion gives null for some present values (which the text path
            reports as unparsable), so such rows are checked in full.
        ordered: the value keeps the column's order and its nulls (where it does not fail):
            comparing it with a constant is comparing the column with the constant in the
            column's type, which a Parquet scan can answer from row-group statistics.
    """

    sql: str | None
    exact: str | None = None
    fails: bool = False
    ordered: bool = False


_SAME = Conversion("{c}", ordered=True)
_CAST = Conversion("CAST({c} AS {t})", ordered=True)
_TRY = Conversion("TRY_CAST({c} AS {t})", fails=True, ordered=True)
_TEXT = Conversion(None, fails=True)
_INTEGRAL_DOUBLE = Conversion(
    "TRY_CAST({c} AS BIGINT)", exact="{c} = trunc({c}) AND abs({c}) < 9007199254740992", fails=True
)
"""Integral doubles below 2^53 are their own shortest text; others are read from the text
(``1.5`` and ``nan`` are unparsable, larger values read as their decimal text). The cast is
a ``TRY_CAST`` all the same: Parquet statistics leave NaN out, and DuckDB may drop a guard
that they say always holds."""
_INTEGRAL_FLOAT = Conversion(
    "TRY_CAST({c} AS {t})", exact="{c} = trunc({c}) AND abs({c}) < 16777216", fails=True
)
"""Integral floats below 2^24 are their own shortest text (``123456792`` as a float is
written ``123456790.0``, ``0.1`` as ``0.1``): others are read from the text."""

_SMALL_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT", "UINTEGER")
_WIDE_INTEGERS = ("UBIGINT", "HUGEINT", "UHUGEINT")
_INTEGERS = (*_SMALL_INTEGERS, "BIGINT", *_WIDE_INTEGERS)
_ZONED = ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ_NS")

ACCEPTED: dict[str, dict[str, Conversion]] = {
    "text": {
        "VARCHAR": _SAME,
        "ENUM": Conversion("CAST({c} AS VARCHAR)"),  # dictionary-encoded text
        **dict.fromkeys(_INTEGERS, Conversion("CAST({c} AS VARCHAR)")),  # numeric identifiers
    },
    "integer": {
        "BIGINT": _SAME,
        **dict.fromkeys(_SMALL_INTEGERS, _CAST),
        **dict.fromkeys(_WIDE_INTEGERS, _TRY),  # beyond BIGINT: unparsable, never wrapped
        "DOUBLE": _INTEGRAL_DOUBLE,
        "FLOAT": _INTEGRAL_FLOAT,
        "DECIMAL": _INTEGRAL_DOUBLE,
    },
    "number": {
        "DOUBLE": _SAME,
        **dict.fromkeys((*_SMALL_INTEGERS, "BIGINT", "UBIGINT"), _CAST),
        "HUGEINT": _TEXT,
        "UHUGEINT": _TEXT,
        "FLOAT": _INTEGRAL_FLOAT,
        "DECIMAL": _CAST,
    },
    "boolean": {"BOOLEAN": _SAME},
    "timestamp": {
        "TIMESTAMP": _SAME,
        "TIMESTAMP_S": _TRY,  # seconds reach beyond the microsecond range
        "TIMESTAMP_MS": _TRY,
        "TIMESTAMP_NS": Conversion("make_timestamp(epoch_us({c}))", ordered=True),  # cut
        "DATE": _TRY,
        "TIMESTAMP WITH TIME ZONE": Conversion("timezone({z}, {c})"),
        "TIMESTAMPTZ_NS": Conversion("make_timestamp(epoch_us(timezone({z}, {c})))"),
    },
    "date": {"DATE": _SAME},
}
"""The column types (DuckDB's names; ``DECIMAL(p,s)`` and ``ENUM(...)`` by their base name)
each canonical field type reads without a copy, and how. Nanosecond timestamps keep
their microseconds and drop the rest, as their text is read; dates are read as midnight."""

_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-/]+\Z")


def base_type(column_type: str) -> str:
    """A DuckDB type without its parameters: ``DECIMAL(10,2)`` is ``DECIMAL``."""
    return column_type.split("(", 1)[0].strip()


def conversion(field_type: str, column_type: str) -> Conversion | None:
    """How a column of ``column_type`` becomes a ``field_type`` field, if it can directly."""
    return ACCEPTED.get(field_type, {}).get(base_type(column_type))


def wall_zone(profile_zone: str | None, timezone: str | None) -> str:
    """The zone a time-zone-aware timestamp is read in: the profile's, else the contract's,
    else UTC."""
    return profile_zone or timezone or "UTC"


def zone_literal(zone: str) -> str:
    """A time zone's name as an SQL literal, for a view, which cannot take parameters.

    Raises:
        ValueError: ``zone`` is not the name of a known zone.
    """
    if _ZONE_NAME.match(zone) is None:
        raise ValueError(f"not a time zone name: {zone!r}")
    ZoneInfo(zone)  # raises for an unknown zone
    return "'" + zone + "'"


def text_sql(column_type: str, column: str, zone: str) -> str:
    """The text of a column's value, as every reader of typed data writes it.

    A time-zone-aware timestamp is written as its wall-clock time in ``zone``, so that it
    reads the same on every machine (DuckDB writes it in the session's zone otherwise).
    """
    if base_type(column_type) in _ZONED:
        return f"CAST(timezone({zone_literal(zone)}, {column}) AS VARCHAR)"
    return f"CAST({column} AS VARCHAR)"


def cast_sql(field_type: str, column_type: str, column: str, zone: str) -> str:
    """SQL converting ``column`` to the canonical type, null where its text does not read.

    Raises:
        ValueError: the column's type is not accepted for the field (see :func:`conversion`).
    """
    found = conversion(field_type, column_type)
    if found is None:
        raise ValueError(f"a {column_type} column is not read as {field_type}")
    if found.sql is None or found.exact is not None:
        text, params = convert_sql(field_type, text_sql(column_type, column, zone))
        assert not params, "a conversion from text with parameters cannot be part of a view"
        if found.sql is None:
            return text
    zone_sql = zone_literal(zone) if "{z}" in found.sql else ""
    sql = found.sql.format(c=column, t=SQL_TYPES[field_type], z=zone_sql)
    if found.exact is None:
        return sql
    return f"(CASE WHEN {found.exact.format(c=column)} THEN {sql} ELSE {text} END)"
