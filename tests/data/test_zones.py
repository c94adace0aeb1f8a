"""Clock times a time zone skips are impossible timestamps, and clock times it repeats are
counted as ambiguous, in every way data is loaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from slalang.data.load import IMPOSSIBLE_TIMESTAMP, load, load_arrow
from slalang.data.profiles import load_profile, parse_profile
from slalang.data.zones import folds, gaps

D = dt.datetime


def test_gaps_of_some_zones() -> None:
    year = (D(2026, 1, 1), D(2026, 12, 31))
    assert gaps("America/New_York", *year) == [(D(2026, 3, 8, 2), D(2026, 3, 8, 3))]
    assert gaps("Europe/London", *year) == [(D(2026, 3, 29, 1), D(2026, 3, 29, 2))]
    # half an hour forward
    assert gaps("Australia/Lord_Howe", *year) == [(D(2026, 10, 4, 2), D(2026, 10, 4, 2, 30))]
    assert gaps("UTC", *year) == []
    assert gaps("Asia/Jerusalem", D(1999, 1, 1), D(1999, 12, 31)) == [
        (D(1999, 4, 2, 2), D(1999, 4, 2, 3))
    ]
    assert gaps("America/New_York", D(2026, 4, 1), D(2026, 10, 1)) == []
    assert len(gaps("America/New_York", D(2020, 1, 1), D(2029, 12, 31))) == 10


ROWS = ["2026-03-08 01:59:59", "2026-03-08 02:00:00", "2026-03-08 02:59:59",
        "2026-03-08 03:00:00", "2026-11-01 01:30:00"]  # fmt: skip
"""Around the New York spring-forward gap, and the repeated hour in November (which exists)."""


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "calls.csv"
    lines = ["contact_id,queued_at,outcome,wait"]
    lines += [f"c{n},{at},answered,5" for n, at in enumerate(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _problems(report: object) -> list[tuple[int, str, str | None]]:
    return [(p.line, p.reason, p.field) for p in report.problems]  # type: ignore[attr-defined]


def test_csv_rows_in_the_gap_are_impossible(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    generic, _ = load_profile("generic-contacts")
    assert generic is not None
    report = load(con, path=_csv(tmp_path), profile=generic, table="t",
                  timezone="America/New_York")  # fmt: skip
    assert _problems(report) == [(3, IMPOSSIBLE_TIMESTAMP, "queued_at"),
                                 (4, IMPOSSIBLE_TIMESTAMP, "queued_at")]  # fmt: skip
    assert report.rows_loaded == 3
    # in UTC every one of these clock times exists
    report = load(con, path=_csv(tmp_path), profile=generic, table="u", timezone="UTC")
    assert (_problems(report), report.rows_loaded) == ([], 5)


def test_the_profiles_zone_is_the_one_judged(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    body = (
        "name: ny\nkind: contacts\nformat: csv\ntimezone: America/New_York\nfields:\n"
        "  contact_id: {column: contact_id}\n  queued_at: {column: queued_at}\n"
        "  outcome: {column: outcome}\n  wait: {column: wait}\n"
    )
    profile, found = parse_profile(body, path="ny.yaml")
    assert found == []
    assert profile is not None
    # converted to the contract's zone (UTC), but judged in New York time where it was written
    report = load(con, path=_csv(tmp_path), profile=profile, table="t", timezone="UTC")
    assert [line for line, *_ in _problems(report)] == [3, 4]
    kept = con.execute("SELECT queued_at FROM t ORDER BY _line").fetchall()
    assert kept[0] == (D(2026, 3, 8, 6, 59, 59),)


def test_parquet_and_arrow_rows_in_the_gap(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    table = pa.table({
        "contact_id": [f"c{n}" for n in range(len(ROWS))],
        "queued_at": pa.array([D.fromisoformat(r) for r in ROWS], pa.timestamp("us")),
        "outcome": ["answered"] * len(ROWS),
        "wait": [5.0] * len(ROWS),
    })  # fmt: skip
    pq.write_table(table, tmp_path / "calls.parquet")
    generic, _ = load_profile("generic-contacts")
    assert generic is not None
    report = load(con, path=tmp_path / "calls.parquet", profile=generic, table="p",
                  format="parquet", timezone="America/New_York")  # fmt: skip
    assert _problems(report) == [(2, IMPOSSIBLE_TIMESTAMP, "queued_at"),
                                 (3, IMPOSSIBLE_TIMESTAMP, "queued_at")]  # fmt: skip
    assert con.execute("SELECT contact_id FROM p ORDER BY _line").fetchall() == [
        ("c0",),
        ("c3",),
        ("c4",),
    ]
    report = load_arrow(con, table, table="a", kind="contacts", timezone="America/New_York")
    assert [line for line, *_ in _problems(report)] == [2, 3]
    assert report.rows_loaded == 3


def test_folds_of_some_zones() -> None:
    year = (D(2026, 1, 1), D(2026, 12, 31))
    assert folds("America/New_York", *year) == [(D(2026, 11, 1, 1), D(2026, 11, 1, 2))]
    assert folds("Europe/London", *year) == [(D(2026, 10, 25, 1), D(2026, 10, 25, 2))]
    # half an hour back
    assert folds("Australia/Lord_Howe", *year) == [(D(2026, 4, 5, 1, 30), D(2026, 4, 5, 2))]
    assert folds("UTC", *year) == []
    assert folds("Asia/Jerusalem", D(1999, 1, 1), D(1999, 12, 31)) == [
        (D(1999, 9, 3, 1), D(1999, 9, 3, 2))
    ]
    assert folds("America/New_York", D(2026, 1, 1), D(2026, 10, 31)) == []


AUTUMN = ["2026-11-01 00:59:59", "2026-11-01 01:00:00", "2026-11-01 01:30:00",
          "2026-11-01 01:59:59", "2026-11-01 02:00:00", "2026-03-08 02:30:00",
          "2026-07-01 01:30:00"]  # fmt: skip
"""Around the New York autumn fold (01:00 to 02:00 happens twice), one time in the spring
gap (malformed, so not counted) and a summer time."""


def _ambiguous_by_zoneinfo(times: list[str], zone: str) -> list[int]:
    """The rows (1-based) whose clock time names two moments: an independent reading with
    zoneinfo's ``fold``, where both readings exist and have different offsets."""
    info = ZoneInfo(zone)
    found = []
    for number, text in enumerate(times, start=1):
        readings = [D.fromisoformat(text).replace(tzinfo=info, fold=f) for f in (0, 1)]
        exists = all(
            r.astimezone(dt.UTC).astimezone(info).replace(tzinfo=None) == r.replace(tzinfo=None)
            for r in readings
        )
        if exists and readings[0].utcoffset() != readings[1].utcoffset():
            found.append(number)
    return found


def test_repeated_clock_times_are_counted_the_same_in_every_way_of_loading(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    zone = "America/New_York"
    expected = _ambiguous_by_zoneinfo(AUTUMN, zone)
    assert expected == [2, 3, 4]
    generic, _ = load_profile("generic-contacts")
    assert generic is not None
    csv = tmp_path / "calls.csv"
    csv.write_text(
        "contact_id,queued_at,outcome,wait\n"
        + "".join(f"c{n},{at},answered,5\n" for n, at in enumerate(AUTUMN)),
        encoding="utf-8",
    )
    table = pa.table({
        "contact_id": [f"c{n}" for n in range(len(AUTUMN))],
        "queued_at": pa.array([D.fromisoformat(r) for r in AUTUMN], pa.timestamp("us")),
        "outcome": ["answered"] * len(AUTUMN),
        "wait": [5.0] * len(AUTUMN),
    })  # fmt: skip
    pq.write_table(table, tmp_path / "calls.parquet")
    reports = {
        "csv": load(con, path=csv, profile=generic, table="c", timezone=zone),
        "parquet": load(con, path=tmp_path / "calls.parquet", profile=generic, table="p",
                        format="parquet", timezone=zone),
        "arrow": load_arrow(con, table, table="a", kind="contacts", timezone=zone),
    }  # fmt: skip
    for how, report in reports.items():
        assert report.rows_loaded == len(AUTUMN) - 1, how  # the spring-gap row is malformed
        found = report.ambiguous
        assert found is not None, how
        assert (found.count, found.zone, found.field, found.value) == (
            len(expected),
            zone,
            "queued_at",
            "2026-11-01 01:00:00",
        ), how
    # CSV lines count the header; Parquet and in-memory rows are numbered from 1
    assert reports["csv"].ambiguous is not None
    assert reports["csv"].ambiguous.line == expected[0] + 1
    assert reports["parquet"].ambiguous is not None
    assert reports["parquet"].ambiguous.line == expected[0]
    # in UTC nothing repeats, and a summer file has nothing to say either
    assert load(con, path=csv, profile=generic, table="u", timezone="UTC").ambiguous is None
    assert load_arrow(con, table.slice(6), table="s", kind="contacts",
                      timezone=zone).ambiguous is None  # fmt: skip


def test_a_repeated_time_converted_to_another_zone_is_the_second_occurrence(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    body = (
        "name: ny\nkind: contacts\nformat: csv\ntimezone: America/New_York\nfields:\n"
        "  contact_id: {column: contact_id}\n  queued_at: {column: queued_at}\n"
        "  outcome: {column: outcome}\n  wait: {column: wait}\n"
    )
    profile, found = parse_profile(body, path="ny.yaml")
    assert found == []
    assert profile is not None
    path = tmp_path / "calls.csv"
    path.write_text(
        "contact_id,queued_at,outcome,wait\n"
        "a,2026-11-01 00:59:59,answered,5\nb,2026-11-01 01:30:00,answered,5\n"
        "c,2026-11-01 02:00:00,answered,5\n",
        encoding="utf-8",
    )
    report = load(con, path=path, profile=profile, table="t", timezone="UTC")
    assert report.ambiguous is not None
    # judged in New York clock time, where it was written
    assert (report.ambiguous.count, report.ambiguous.line) == (1, 3)
    assert report.ambiguous.value == "2026-11-01 01:30:00"
    stored = con.execute("SELECT queued_at FROM t ORDER BY _line").fetchall()
    # 00:59:59 EDT is 04:59:59 UTC; 01:30 is read as EST (06:30 UTC), not EDT (05:30 UTC)
    assert stored == [(D(2026, 11, 1, 4, 59, 59),), (D(2026, 11, 1, 6, 30),),
                      (D(2026, 11, 1, 7, 0),)]  # fmt: skip
    second = D(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York"), fold=1)
    assert second.astimezone(dt.UTC).replace(tzinfo=None) == stored[1][0]
