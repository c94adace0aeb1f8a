"""The conversion of exported text to canonical values, against its plain definition.

The loader converts text with casts that try the text as it is first and trim it only
when that fails, and looks for a UTC offset only in texts that could end with one: both
are shortcuts, so each is checked here against the plain definition on generated text.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slalang.data.convert import OFFSET, convert_sql
from slalang.data.zones import fixed, folds, gaps

_PIECES = ["12", "-3", "+4", "1.5", "12.0", "1e3", "0x1f", "1_000", "nan", "inf", "true",
           "No", "2026-01-05", "2026-1-5", "10:00", "09:00:00.25", "T", " ", "\t", "\n",
           "\r", "\u00a0", "\u2003", "Z", "UTC", "+02", "-05:30", "+0200", "x", ":", "-",
           "2026-01-05 09:00:00", "2026-01-05T09:00", "BC", ""]  # fmt: skip
texts = st.lists(st.sampled_from(_PIECES), max_size=5).map("".join)
_OFFSETS = [a + date + sep + time + space + zone + b
            for a in ("", " ", "\u00a0") for date in ("2026-01-05", "2026-1-5")
            for sep in (" ", "T") for time in ("09:00", "09:00:00", "09:00:00.5")
            for space in ("", " ") for zone in ("Z", "UTC", "+02", "-05", "+0200", "-05:30", "")
            for b in ("", " ", "\u00a0")]  # fmt: skip
"""Every spelling of a time with and without an offset, blanks around it."""

_TYPES = ["integer", "number", "boolean", "timestamp", "date", "text"]


def _plain(type_: str, value: str) -> tuple[str, list[object]]:
    """The definition: the trimmed text cast (an integer: a number with no fraction; a
    timestamp with a UTC offset: that instant's clock time in UTC)."""
    text = f"trim(CAST({value} AS VARCHAR))"
    if type_ == "integer":
        return (f"CASE WHEN TRY_CAST({text} AS DOUBLE) = TRY_CAST({text} AS BIGINT) "
                f"THEN TRY_CAST({text} AS BIGINT) END", [])  # fmt: skip
    if type_ == "number":
        number = f"TRY_CAST({text} AS DOUBLE)"
        return f"CASE WHEN isfinite({number}) THEN {number} END", []
    if type_ == "timestamp":
        return (f"CASE WHEN regexp_matches({text}, ?) THEN timezone('UTC', "
                f"TRY_CAST({text} AS TIMESTAMPTZ)) ELSE TRY_CAST({text} AS TIMESTAMP) END",
                [OFFSET])  # fmt: skip
    if type_ == "date":
        return f"TRY_CAST({text} AS DATE)", []
    if type_ == "boolean":
        return f"lower({text}) IN ('true', 't', 'yes', 'y', '1', 'false', 'f', 'no', 'n', '0')", []
    return f"nullif(CAST({value} AS VARCHAR), '')", []


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    return connection


@settings(max_examples=60, deadline=None)
@given(values=st.lists(texts, min_size=1, max_size=40))
def test_the_conversion_agrees_with_its_definition(
    con: duckdb.DuckDBPyConnection, values: list[str]
) -> None:
    for type_ in _TYPES:
        fast, fast_params = convert_sql(type_, "v")
        plain, plain_params = _plain(type_, "v")
        if type_ == "boolean":
            fast = f"({fast}) IS NOT NULL"  # the definition says only whether it converts
        rows = con.execute(
            f"SELECT v, {fast}, {plain} FROM (SELECT unnest(?::VARCHAR[]) AS v)",
            [*fast_params, *plain_params, values],
        ).fetchall()
        wrong = [(v, a, b) for v, a, b in rows if a != b and not (a != a and b != b)]
        assert not wrong, (type_, wrong[:3])


def test_every_spelling_of_an_offset_is_read_as_its_definition_reads_it(
    con: duckdb.DuckDBPyConnection,
) -> None:
    fast, fast_params = convert_sql("timestamp", "v")
    plain, plain_params = _plain("timestamp", "v")
    rows = con.execute(
        f"SELECT v, {fast}, {plain} FROM (SELECT unnest(?::VARCHAR[]) AS v)",
        [*fast_params, *plain_params, _OFFSETS],
    ).fetchall()
    wrong = [row for row in rows if row[1] != row[2]]
    assert len(rows) > 1000
    assert wrong == []


@pytest.mark.parametrize("type_", ["BIGINT", "DOUBLE", "TIMESTAMP", "DATE", "TIMESTAMPTZ"])
def test_a_cast_that_succeeds_untrimmed_agrees_with_the_trimmed_cast(
    con: duckdb.DuckDBPyConnection, type_: str
) -> None:
    """What the loader's casts rely on: trimming matters only to a text whose plain cast
    fails (a no-break space around a number, say)."""
    values = [a + core + b for core in _PIECES for a in ("", " ", "\t", "\u00a0", "\r")
              for b in ("", " ", "\n", "\u00a0", "x")]  # fmt: skip
    wrong = con.execute(
        f"SELECT v FROM (SELECT unnest(?::VARCHAR[]) AS v) WHERE TRY_CAST(v AS {type_}) "
        f"IS NOT NULL AND TRY_CAST(v AS {type_}) IS DISTINCT FROM TRY_CAST(trim(v) AS {type_})",
        [values],
    ).fetchall()
    assert wrong == []


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("UTC", True), ("Etc/GMT+5", True), ("EST", True), ("Europe/Paris", False),
     ("Asia/Kolkata", False), ("Asia/Riyadh", False), ("Not/AZone", False)],
)  # fmt: skip
def test_a_zone_is_fixed_when_its_clocks_never_change(zone: str, expected: bool) -> None:
    assert fixed(zone) is expected
    if zone != "Not/AZone":
        start, end = dt.datetime(1900, 1, 1), dt.datetime(2100, 1, 1)
        changes = gaps(zone, start, end) + folds(zone, start, end)
        assert (changes == []) is expected
