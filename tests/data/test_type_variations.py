"""Everyday column types on the fast path: integer, float and decimal numbers, timestamps in
every unit and with a time zone, dictionary-encoded and large text, in Parquet files and in
pyarrow, pandas and polars tables. Each is read through a view over the data, and what it
loads and reports (values, counts, problems with their lines and raw values) is what the
text path, which copies every value as text, loads and reports."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slalang.data import load as loader
from slalang.data.profiles import Profile, load_profile
from slalang.data.report import (
    IMPOSSIBLE_TIMESTAMP,
    MISSING_VALUE,
    NEGATIVE_DURATION,
    NOT_ALLOWED,
    UNPARSABLE,
)
from slalang.data.source_types import ACCEPTED, cast_sql

ROOT = Path(__file__).resolve().parents[2]
D = dt.datetime
NEW_YORK = "America/New_York"

TIMES = [
    D(2026, 1, 5, 9, 0, 0, 250000),
    D(2026, 1, 5, 9, 1),
    D(2026, 1, 5, 9, 2),
    D(2026, 1, 5, 9, 3),
    D(1850, 1, 1, 12),  # impossible
    D(2026, 1, 5, 9, 5),
    D(2026, 1, 5, 9, 6),
    D(2026, 1, 5, 9, 7),
    D(2026, 3, 8, 2, 30),  # skipped in New York
    D(2026, 11, 1, 1, 30),  # repeated in New York
]
BASE: dict[str, tuple[list[Any], pa.DataType]] = {
    "contact_id": (["c1", "c2", "c3", "c4", "c5", None, "c7", "c8", "c9", "c10"], pa.string()),
    "channel": (["voice", "chat", "voice", "voice", "voice", "voice", "email", "", "sms", None],
                pa.string()),
    "queue": (["sales", "billing", None, "sales", "sales", "sales", "billing", "sales", "", "x"],
              pa.string()),
    "queued_at": (TIMES, pa.timestamp("us")),
    "outcome": (["answered", "answered", "answered", "lost", "answered", "answered",
                 "abandoned", "answered", "answered", "answered"], pa.string()),
    "wait": ([5, -3, None, 4, 6, 7, None, 0, 12, 30], pa.float64()),
    "priority": ([1, 2, 3, None, 1, 2, 3, 1, 2, 3], pa.int64()),
}  # fmt: skip
"""Ten contacts with the canonical types: line 2 has a negative wait, 3 no wait although
answered, 4 an outcome that is not allowed, 5 a time in 1850, 6 no contact id; line 7 is
an abandon without a wait and line 8 an empty channel (both fine); lines 9 and 10 are
skipped and repeated clock times in New York."""

BAD_LINES = {2: NEGATIVE_DURATION, 3: MISSING_VALUE, 4: NOT_ALLOWED, 5: IMPOSSIBLE_TIMESTAMP,
             6: MISSING_VALUE}  # fmt: skip


def _table(**changes: tuple[list[Any] | None, pa.DataType]) -> pa.Table:
    """The base table with some columns of another type: the base values cast to it, or
    the values given."""
    columns = {}
    for name, (values, type_) in BASE.items():
        if name not in changes:
            columns[name] = pa.array(values, type_)
            continue
        new_values, new_type = changes[name]
        if new_values is None:
            columns[name] = pa.array(values, type_).cast(new_type, safe=False)
        else:
            columns[name] = pa.array(new_values, new_type)
    return pa.table(columns)


def _nanoseconds() -> pa.Table:
    """The base times with 789 nanoseconds more, which the microsecond loses."""
    micros = pa.array(TIMES, pa.timestamp("us")).cast(pa.int64())
    nanos = [None if v is None else v * 1000 + 789 for v in micros.to_pylist()]
    return _table(queued_at=(None, pa.timestamp("ns"))).set_column(
        3, "queued_at", pa.array(nanos, pa.int64()).cast(pa.timestamp("ns"))
    )


def _unsigned(type_: pa.DataType) -> pa.Table:
    return _table(wait=([5, 4, None, 4, 6, 7, None, 0, 12, 30], type_))


def _dictionary(table: pa.Table, *names: str) -> pa.Table:
    for name in names:
        index = table.column_names.index(name)
        table = table.set_column(
            index, name, table.column(name).combine_chunks().dictionary_encode()
        )
    return table


def _zoned(unit: str, zone: str) -> pa.Table:
    """The base times read as UTC instants, in a column aware of ``zone``."""
    instants = pa.array(TIMES, pa.timestamp(unit)).cast(pa.timestamp(unit, tz="UTC"))
    return _table().set_column(3, "queued_at", instants.cast(pa.timestamp(unit, tz=zone)))


DEC = decimal.Decimal
VARIATIONS: dict[str, Callable[[], pa.Table]] = {
    **{f"wait {t}": (lambda t=t: _table(wait=(None, t)))
       for t in (pa.int64(), pa.int32(), pa.int16(), pa.int8())},
    **{f"wait {t}": (lambda t=t: _unsigned(t))
       for t in (pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64())},
    "wait float32": lambda: _table(wait=([0.1, -1.5, None, 4.25, float("nan"), 7, None, 0.2,
                                          123456792.0, math.inf], pa.float32())),
    "wait decimal": lambda: _table(wait=([DEC("5.25"), DEC("-3.00"), None, DEC("4"), DEC("6.1"),
                                          DEC("7"), None, DEC("0"), DEC("12"), DEC("30.01")],
                                         pa.decimal128(8, 2))),
    "priority int32": lambda: _table(priority=(None, pa.int32())),
    "priority int8": lambda: _table(priority=(None, pa.int8())),
    "priority uint64": lambda: _table(priority=([1, 2, 3, None, 1, 2**64 - 1, 2**63, 2**63 - 1,
                                                 0, 3], pa.uint64())),
    "priority double": lambda: _table(priority=([1.0, 2.5, 3, None, float("nan"), -0.0, 2.0**60,
                                                 1e300, 9007199254740991.0, -7], pa.float64())),
    "priority float32": lambda: _table(priority=([1.0, 2.5, 3, None, float("nan"), 0.1,
                                                  123456792.0, 16777216, 16777215, -7],
                                                 pa.float32())),
    "priority decimal": lambda: _table(priority=([DEC("1.0"), DEC("2.5"), DEC("3"), None,
                                                  DEC("-1"), DEC("7"), DEC("99999.0"), DEC("0"),
                                                  DEC("0.1"), DEC("3")], pa.decimal128(6, 1))),
    "contact_id int64": lambda: _table(contact_id=([1, 2, 3, 4, 5, None, 7, 8, 9, 10],
                                                   pa.int64())),
    **{f"queued_at {unit}": (lambda unit=unit: _table(queued_at=(None, pa.timestamp(unit))))
       for unit in ("s", "ms", "us")},
    "queued_at ns": _nanoseconds,
    "queued_at date": lambda: _table(queued_at=([t.date() for t in TIMES], pa.date32())),
    "queued_at zoned UTC": lambda: _zoned("us", "UTC"),
    "queued_at zoned ns Paris": lambda: _zoned("ns", "Europe/Paris"),
    "queued_at zoned ms Tokyo": lambda: _zoned("ms", "Asia/Tokyo"),
    "dictionary text": lambda: _dictionary(_table(), "outcome", "channel", "queue"),
    "large text": lambda: _table(contact_id=(None, pa.large_string()),
                                 outcome=(None, pa.large_string())),
    "text views": lambda: _table(queue=(None, pa.string_view()), outcome=(None, pa.string_view())),
}  # fmt: skip
"""Each variation of the base table's column types."""

FORMS = ("parquet", "pyarrow", "pandas", "polars")


def _generic() -> Profile:
    profile, found = load_profile("generic-contacts")
    assert found == []
    assert profile is not None
    return profile


def _relation_type(con: duckdb.DuckDBPyConnection, table: str) -> str:
    ((found,),) = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = ?", [table]
    ).fetchall() or [(None,)]
    return str(found)


def _load(
    con: duckdb.DuckDBPyConnection,
    table: pa.Table,
    form: str,
    folder: Path,
    *,
    timezone: str | None = None,
    profile_zone: str | None = None,
) -> loader.LoadReport:
    if form == "parquet":
        path = folder / "data.parquet"
        pq.write_table(table, path)
        profile = attrs.evolve(_generic(), timezone=profile_zone)
        return loader.load(con, path=path, profile=profile, table="t", format="parquet",
                           timezone=timezone)  # fmt: skip
    assert profile_zone is None
    data: Any = table
    if form == "pandas":
        import pandas

        # nullable integers, as pandas users keep integer columns with gaps
        integers = {getattr(pa, name)(): pandas.api.types.pandas_dtype(name.capitalize())
                    for name in ("int8", "int16", "int32", "int64")}  # fmt: skip
        integers.update({getattr(pa, name)(): pandas.api.types.pandas_dtype("UI" + name[2:])
                         for name in ("uint8", "uint16", "uint32", "uint64")})  # fmt: skip
        data = table.to_pandas(types_mapper=integers.get)
    elif form == "polars":
        import polars

        data = polars.from_arrow(table)
    return loader.load_arrow(con, data, table="t", kind="contacts", timezone=timezone)


def _everything(con: duckdb.DuckDBPyConnection, report: loader.LoadReport) -> tuple[Any, ...]:
    """What a load gave: its report and the loaded rows by column (NaN made comparable)."""
    result = con.execute("SELECT * FROM t ORDER BY _line")
    names = [column[0] for column in result.description or []]
    rows = [{n: "nan" if v != v else v for n, v in zip(names, row, strict=True)}
            for row in result.fetchall()]  # fmt: skip
    kinds = con.execute("DESCRIBE t").fetchall()
    return (report.rows_read, report.rows_loaded, report.problems, report.problem_counts,
            report.excluded, report.malformed_at, report.loaded_at, report.ambiguous,
            report.diagnostics, rows, kinds)  # fmt: skip


def _values(loaded: tuple[Any, ...], name: str) -> dict[int, Any]:
    """A column of what :func:`_everything` gave, by line."""
    return {row["_line"]: row[name] for row in loaded[9]}


def _both_ways(
    monkeypatch: pytest.MonkeyPatch, load: Callable[[duckdb.DuckDBPyConnection], Any]
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """What ``load`` gives on the fast path (which it must take) and on the text path (on
    the same connection, as a caller loading a table again)."""
    con = duckdb.connect()
    fast = _everything(con, load(con))
    assert _relation_type(con, "t") == "VIEW"
    with monkeypatch.context() as patch:
        patch.setattr(loader, "_direct_profile", lambda *_: None)
        text = _everything(con, load(con))
        assert _relation_type(con, "t") == "BASE TABLE"
    return fast, text


def _in_spring(table: pa.Table) -> pa.Table:
    """The table with line 5 at 02:15 UTC on the day New York skips 02:00 to 03:00, instead
    of in 1850 (a zone's clock changes over centuries take long to find)."""
    index = table.column_names.index("queued_at")
    column = table.column(index).combine_chunks()
    spring = pa.array([D(2026, 3, 8, 2, 15)], pa.timestamp("us")).cast(column.type, safe=False)
    mask = pa.array([line == 5 for line in range(1, table.num_rows + 1)])
    return table.set_column(index, "queued_at", pc.if_else(mask, spring[0], column))


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("variation", sorted(VARIATIONS))
def test_a_variation_is_read_in_the_scan_and_agrees_with_the_text_path(
    variation: str, form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    naive = "zoned" not in variation and "date" not in variation
    # the zone a time is read in only matters to the time's column
    for zone in (None, NEW_YORK) if variation.startswith("queued_at") else (None,):
        table = VARIATIONS[variation]()
        bad = dict(BAD_LINES)
        if zone is not None:
            table = _in_spring(table)
            if not naive:  # an instant, or midnight, is no clock time New York skips
                del bad[5]
        fast, text = _both_ways(
            monkeypatch, lambda con, t=table, z=zone: _load(con, t, form, tmp_path, timezone=z)
        )
        assert fast == text, (variation, form, zone)
        problems = fast[2]
        found = {(p.line, p.reason) for p in problems}
        # the base's bad rows are found whatever the types (unsigned waits are never negative)
        for line, reason in bad.items():
            if (line, reason) != (2, NEGATIVE_DURATION) or "uint" not in variation:
                assert (line, reason) in found, (line, fast)
        # an abandon without a wait and an empty channel are fine
        assert {(p.line, p.field) for p in problems} & {(7, "wait"), (8, "channel")} == set()
        assert ((9, IMPOSSIBLE_TIMESTAMP) in found) == (zone == NEW_YORK and naive), problems


@pytest.mark.parametrize("form", ["parquet", "pyarrow"])
def test_zoned_timestamps_are_wall_clock_times_in_the_data_zone(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An instant reads as the clock time of the profile's zone, else the contract's, else
    UTC: on both paths, whatever the machine's zone."""
    table = _in_spring(_zoned("ns", "Europe/Paris"))
    cases: list[tuple[str | None, str | None, dt.datetime]] = [
        (None, None, D(2026, 1, 5, 9, 0, 0, 250000)),
        ("Asia/Tokyo", None, D(2026, 1, 5, 18, 0, 0, 250000)),
        (NEW_YORK, None, D(2026, 1, 5, 4, 0, 0, 250000)),
    ]
    if form == "parquet":
        cases += [
            (None, "Asia/Tokyo", D(2026, 1, 5, 18, 0, 0, 250000)),
            ("Asia/Tokyo", "Asia/Tokyo", D(2026, 1, 5, 18, 0, 0, 250000)),
        ]
    for timezone, profile_zone, first in cases:

        def load(
            con: duckdb.DuckDBPyConnection,
            zone: str | None = timezone,
            own: str | None = profile_zone,
        ) -> loader.LoadReport:
            return _load(con, table, form, tmp_path, timezone=zone, profile_zone=own)

        fast, text = _both_ways(monkeypatch, load)
        assert fast == text
        assert _values(fast, "queued_at")[1] == first, (timezone, profile_zone)
    # a profile zone other than the contract's: converted on the text path, as any file
    if form == "parquet":
        con = duckdb.connect()
        report = _load(con, table, form, tmp_path, timezone=NEW_YORK, profile_zone="Asia/Tokyo")
        assert _relation_type(con, "t") == "BASE TABLE"
        assert report.rows_loaded == 10 - len(BAD_LINES) + 1  # line 5 is in 2026
        first = con.execute("SELECT queued_at FROM t ORDER BY _line LIMIT 1").fetchall()
        assert first == [(D(2026, 1, 5, 4, 0, 0, 250000),)]


def test_values_that_are_not_integers_are_unparsable_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A priority of 1.5 or NaN is no integer, and 2^64 - 1 no BIGINT (never wrapped); an
    integral double or float is read as its text is read."""
    for name, unparsable, kept in (
        ("priority double", {2, 5, 8}, {1: 1, 7: 1152921504606847000, 9: 2**53 - 1, 10: -7}),
        ("priority float32", {2, 5, 6}, {1: 1, 7: 123456790, 8: 16777216, 9: 16777215}),
        ("priority decimal", {2, 9}, {1: 1, 7: 99999, 8: 0, 10: 3}),
        ("priority uint64", {6, 7}, {1: 1, 8: 2**63 - 1}),
    ):
        table = VARIATIONS[name]()
        fast, text = _both_ways(
            monkeypatch, lambda con, t=table: _load(con, t, "pyarrow", tmp_path)
        )
        assert fast == text
        found = {p.line for p in fast[2] if (p.reason, p.field) == (UNPARSABLE, "priority")}
        assert found == unparsable, name
        priorities = _values(fast, "priority")
        assert {line: priorities[line] for line in kept} == kept, name


def test_a_float_wait_reads_as_its_text(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fast, text = _both_ways(
        monkeypatch, lambda con: _load(con, VARIATIONS["wait float32"](), "pyarrow", tmp_path)
    )
    assert fast == text
    waits = _values(fast, "wait")
    assert waits[1] == 0.1  # not 0.10000000149011612
    assert waits[8] == 0.2
    assert waits[9] == 123456790  # a float's shortest text, as the text path reads it
    nonfinite = {p.line for p in fast[2] if p.reason == UNPARSABLE}
    assert nonfinite == {5, 10}


def test_nanoseconds_are_cut_to_the_microsecond(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """As their text is read: 09:00:00.250000789 is 09:00:00.250000, not rounded up; in
    1850 as in 2026, and with a zone too."""
    for name in ("queued_at ns", "queued_at zoned ns Paris"):
        fast, text = _both_ways(
            monkeypatch, lambda con, n=name: _load(con, VARIATIONS[n](), "parquet", tmp_path)
        )
        assert fast == text
        assert _values(fast, "queued_at")[1] == D(2026, 1, 5, 9, 0, 0, 250000)
    table = _nanoseconds()
    before = pa.array([-1], pa.int64()).cast(pa.timestamp("ns"))  # 1969-12-31 23:59:59.999999999
    table = table.set_column(
        3, "queued_at", pa.concat_arrays([before, table.column(3).chunk(0)[1:]])
    )
    con = duckdb.connect()
    loader.load_arrow(con, table, table="t", kind="contacts")
    assert _relation_type(con, "t") == "VIEW"
    assert con.execute("SELECT queued_at FROM t WHERE _line = 1").fetchall() == [
        (D(1969, 12, 31, 23, 59, 59, 999999),)
    ]


def _small(queued_at: pa.Array, wait: pa.Array | None = None) -> pa.Table:
    rows = len(queued_at)
    return pa.table({
        "contact_id": [f"c{n}" for n in range(rows)],
        "queued_at": queued_at,
        "outcome": ["answered"] * rows,
        "wait": wait if wait is not None else pa.array([1.0] * rows),
    })  # fmt: skip


@pytest.mark.parametrize("form", ["parquet", "pyarrow"])
def test_checks_made_on_the_columns_hold_at_their_bounds(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The year and sign checks of a column whose conversion keeps its order are made on
    the column (a Parquet scan answers them from statistics): right at their bounds too."""
    edge = [
        -2208988800 * 10**9 - 1,
        -2208988800 * 10**9,
        7258118400 * 10**9 - 1,
        7258118400 * 10**9,
    ]  # 1900-01-01 and 2200-01-01, and a nanosecond before each
    cases = {
        "ns": (pa.array(edge, pa.int64()).cast(pa.timestamp("ns")), {1, 4}),
        "s": (pa.array([e // 10**9 for e in edge], pa.int64()).cast(pa.timestamp("s")), {1, 4}),
        "date": (pa.array([D(1899, 12, 31).date(), D(1900, 1, 1).date(),
                           D(2199, 12, 31).date(), D(2200, 1, 1).date()]), {1, 4}),
    }  # fmt: skip
    waits = pa.array([DEC("-0.01"), DEC("0"), DEC("0.01"), None], pa.decimal128(5, 2))
    for name, (times, impossible) in cases.items():
        table = _small(times, waits)
        fast, text = _both_ways(monkeypatch, lambda con, t=table: _load(con, t, form, tmp_path))
        assert fast == text, name
        found = {(p.line, p.reason) for p in fast[2]}
        assert {line for line, reason in found if reason == IMPOSSIBLE_TIMESTAMP} == impossible
        assert {line for line, reason in found if reason == NEGATIVE_DURATION} == {1}
        assert (4, MISSING_VALUE) in found


@pytest.mark.parametrize("form", ["parquet", "pyarrow"])
def test_zoned_times_in_the_hour_clocks_repeat_are_counted_as_on_the_text_path(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Instants an hour apart that read as the same New York clock time (01:30, twice on
    2026-11-01), and a later instant that reads as an earlier clock time."""
    instants = [D(2026, 11, 1, 5, 30), D(2026, 11, 1, 5, 59), D(2026, 11, 1, 6, 0),
                D(2026, 11, 1, 6, 30), D(2026, 11, 1, 7, 0)]  # fmt: skip
    times = pa.array(instants, pa.timestamp("us", tz="UTC"))
    table = _small(times)
    fast, text = _both_ways(
        monkeypatch, lambda con: _load(con, table, form, tmp_path, timezone=NEW_YORK)
    )
    assert fast == text
    ambiguous = fast[7]
    assert ambiguous is not None
    assert (ambiguous.count, ambiguous.line, ambiguous.value) == (4, 1, "2026-11-01 01:30:00")
    assert list(_values(fast, "queued_at").values()) == [
        D(2026, 11, 1, 1, 30), D(2026, 11, 1, 1, 59), D(2026, 11, 1, 1), D(2026, 11, 1, 1, 30),
        D(2026, 11, 1, 2),
    ]  # fmt: skip


@pytest.mark.parametrize("form", ["parquet", "pyarrow"])
def test_a_time_past_the_year_9999_hides_no_skipped_clock_time(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB hands such a time to Python as text: the range searched for clock changes
    is kept to the years that load, on both paths."""
    seconds = [int(D(2026, 3, 8, 2, 30).replace(tzinfo=dt.UTC).timestamp()),
               int(D(2026, 1, 5, 9).replace(tzinfo=dt.UTC).timestamp()), 568000000000]  # fmt: skip
    table = _small(pa.array(seconds, pa.int64()).cast(pa.timestamp("s")))
    fast, text = _both_ways(
        monkeypatch, lambda con: _load(con, table, form, tmp_path, timezone=NEW_YORK)
    )
    assert fast == text
    assert [(p.line, p.reason) for p in fast[2]] == [(1, IMPOSSIBLE_TIMESTAMP),
                                                     (3, IMPOSSIBLE_TIMESTAMP)]  # fmt: skip


def test_nested_and_text_columns_in_numeric_fields_take_the_text_path(tmp_path: Path) -> None:
    """A mapped column of a type the scan cannot convert: the whole load copies text."""
    con = duckdb.connect()
    table = _table().set_column(5, "wait", pa.array([str(v) for v in BASE["wait"][0]]))
    report = _load(con, table, "pyarrow", tmp_path)
    assert _relation_type(con, "t") == "BASE TABLE"
    assert report.rows_read == 10
    nested = _table().append_column("talk", pa.array([[1]] * 10))
    report = _load(con, nested, "pyarrow", tmp_path)
    assert _relation_type(con, "t") == "BASE TABLE"
    assert (UNPARSABLE, "talk") in {(p.reason, p.field) for p in report.problems}
    # an unmapped nested column is no obstacle in Parquet
    path = tmp_path / "extra.parquet"
    pq.write_table(_table().append_column("tags", pa.array([["a"]] * 10)), path)
    loader.load(con, path=path, profile=_generic(), table="t", format="parquet")
    assert _relation_type(con, "t") == "VIEW"


def test_an_in_memory_table_outlives_the_caller_s_reference() -> None:
    con = duckdb.connect()
    report = loader.load_arrow(con, _table(), table="t", kind="contacts")
    assert _relation_type(con, "t") == "VIEW"
    import gc

    gc.collect()
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(report.rows_loaded,)]
    # loading the same table again replaces the registered data
    loader.load_arrow(con, _table().slice(0, 2), table="t", kind="contacts")
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(1,)]
    record_batch = _table().to_batches()[0]
    loader.load_arrow(con, record_batch, table="b", kind="contacts")
    assert _relation_type(con, "b") == "VIEW"


def test_every_accepted_conversion_is_one_expression() -> None:
    for field_type, accepted in ACCEPTED.items():
        for column_type in accepted:
            sql = cast_sql(field_type, column_type, "c0", "Europe/Paris")
            assert "?" not in sql, (field_type, column_type)
    with pytest.raises(ValueError, match="not read as"):
        cast_sql("integer", "VARCHAR", "c0", "UTC")


# --- generated tables: the two paths agree on random bad rows ---------------------------

_WAITS = {
    "double": pa.float64(), "float": pa.float32(), "int64": pa.int64(), "int32": pa.int32(),
    "int8": pa.int8(), "decimal": pa.decimal128(9, 3),
}  # fmt: skip
_PRIORITIES = {
    "int64": pa.int64(), "int32": pa.int32(), "uint64": pa.uint64(), "double": pa.float64(),
    "float": pa.float32(), "decimal": pa.decimal128(20, 1),
}  # fmt: skip
_STAMPS = {
    "us": pa.timestamp("us"), "s": pa.timestamp("s"), "ms": pa.timestamp("ms"),
    "ns": pa.timestamp("ns"), "zoned": pa.timestamp("us", tz="UTC"),
    "zoned ns": pa.timestamp("ns", tz="America/Chicago"),
}  # fmt: skip


def _fits(value: float, type_: pa.DataType) -> Any:
    """``value`` as the nearest value ``type_`` holds, or None when it holds none."""
    if value is None:
        return None
    if pa.types.is_decimal(type_):
        if not math.isfinite(value) or abs(value) >= 10 ** (type_.precision - type_.scale):
            return None
        return DEC(str(round(value, type_.scale)))
    if pa.types.is_integer(type_):
        if not math.isfinite(value):
            return None
        info = {8: 2**7, 16: 2**15, 32: 2**31, 64: 2**63}[type_.bit_width]
        low, high = (0, 2 * info) if pa.types.is_unsigned_integer(type_) else (-info, info)
        whole = int(value)
        return whole if low <= whole < high else None
    return value


_numbers = st.one_of(
    st.integers(-5, 200).map(float),
    st.floats(-10, 1e4, allow_nan=False),
    st.sampled_from([float("nan"), math.inf, -0.0, 0.5, 1.5, 2.0**53 + 2, 1e19, 1e300]),
    st.none(),
)
_times = st.one_of(
    st.datetimes(D(2025, 1, 1), D(2027, 12, 31)),
    st.datetimes(D(2026, 3, 8), D(2026, 3, 9)),
    st.none(),
)
_any_times = st.one_of(
    _times,
    st.sampled_from([D(1850, 1, 1), D(1899, 12, 31, 23, 59, 59), D(1900, 1, 1), D(2199, 12, 31),
                     D(2200, 1, 1), D(2260, 1, 1)]),
)  # fmt: skip
"""Times in every year cost a search for clock changes over centuries: only without a zone."""


@st.composite
def _tables(draw: st.DrawFn) -> tuple[pa.Table, str | None]:
    rows = draw(st.integers(1, 12))
    wait_type = _WAITS[draw(st.sampled_from(sorted(_WAITS)))]
    priority_type = _PRIORITIES[draw(st.sampled_from(sorted(_PRIORITIES)))]
    stamp_type = _STAMPS[draw(st.sampled_from(sorted(_STAMPS)))]
    texts = st.one_of(st.sampled_from(["answered", "abandoned", "voice", "", "lost"]), st.none())
    column = st.lists(texts, min_size=rows, max_size=rows)
    zone = draw(st.sampled_from([None, NEW_YORK, "Europe/Paris"]))
    times = draw(st.lists(_times if zone else _any_times, min_size=rows, max_size=rows))
    instants = pa.array(times, pa.timestamp("us"))
    if stamp_type.tz is not None:
        instants = instants.cast(pa.timestamp("us", tz="UTC"))
    table = pa.table({
        "contact_id": pa.array(draw(column), pa.string()),
        "queued_at": instants.cast(stamp_type, safe=False),
        "outcome": pa.array(draw(column), pa.string()).dictionary_encode(),
        "channel": pa.array(draw(column), pa.large_string()),
        "wait": pa.array([_fits(v, wait_type) for v in draw(st.lists(_numbers, min_size=rows,
                                                                     max_size=rows))], wait_type),
        "priority": pa.array([_fits(v, priority_type) for v in draw(
            st.lists(_numbers, min_size=rows, max_size=rows))], priority_type),
    })  # fmt: skip
    return table, zone


@given(_tables(), st.sampled_from(["parquet", "pyarrow"]))
def test_generated_tables_load_the_same_on_both_paths(
    drawn: tuple[pa.Table, str | None], form: str
) -> None:
    table, zone = drawn
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        fast, text = _both_ways(
            patch, lambda con: _load(con, table, form, Path(folder), timezone=zone)
        )
    assert fast == text


def test_files_and_arrow_tables_do_not_import_pandas(tmp_path: Path) -> None:
    """Evaluating a contract over a Parquet file or a pyarrow or polars table with everyday
    types (integer waits, nanosecond times) never imports pandas."""
    from slalang.synth import contacts

    table = contacts(500, seed=1)
    for name, type_ in (("wait", pa.int32()), ("priority", pa.int32()),
                        ("queued_at", pa.timestamp("ns"))):  # fmt: skip
        index = table.column_names.index(name)
        table = table.set_column(index, name, table.column(name).cast(type_, safe=False))
    path = tmp_path / "calls.parquet"
    pq.write_table(table, path)
    script = (
        "import sys, duckdb, slalang\n"
        "plan = slalang.compile_file(sys.argv[1])\n"
        "arrow = duckdb.sql(f\"SELECT * FROM read_parquet('{sys.argv[2]}')\").to_arrow_table()\n"
        "sources = [sys.argv[2], arrow, arrow.to_batches()[0]]\n"
        "try:\n"
        "    import polars\n"
        "except ImportError:\n"
        "    pass\n"
        "else:\n"
        "    sources.append(polars.read_parquet(sys.argv[2]))\n"
        "for source in sources:\n"
        "    evaluation = slalang.evaluate(plan, data=source)\n"
        "    assert evaluation.sources[0].rows_loaded == 500, evaluation.sources\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(ROOT / "benchmarks" / "ten-objectives.sla"), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"
