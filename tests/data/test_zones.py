"""Clock times a time zone skips are impossible timestamps, in every way data is loaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from slalang.data.load import IMPOSSIBLE_TIMESTAMP, load, load_arrow
from slalang.data.profiles import load_profile, parse_profile
from slalang.data.zones import gaps

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
