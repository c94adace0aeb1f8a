"""Hostile variants of an export: broken quotes, mixed line endings, glob characters in
paths, very wide lines, rows with several problems and values not allowed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from slalang.data.load import load
from slalang.data.profiles import Profile, load_profile


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _profile(name: str) -> Profile:
    profile, found = load_profile(name)
    assert found == []
    assert profile is not None
    return profile


CSV_HEADER = "contact_id,queued_at,outcome,wait"


@pytest.mark.parametrize("name", ["c[1]", "c*", "c?"])
def test_a_path_with_glob_characters_is_read_literally(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, name: str
) -> None:
    profile = _profile("generic-contacts")
    (tmp_path / f"{name}.csv").write_text(
        f"{CSV_HEADER}\nmine,2026-01-05 09:00:00,answered,3\n", encoding="utf-8"
    )
    (tmp_path / "c1.csv").write_text(
        f"{CSV_HEADER}\nother,2026-01-05 09:00:00,answered,3\n"
        "other2,2026-01-05 09:00:00,answered,3\n",
        encoding="utf-8",
    )
    table = pa.table({"contact_id": ["mine"], "queued_at": ["2026-01-05 09:00:00"],
                      "outcome": ["answered"], "wait": [3.0]})  # fmt: skip
    pq.write_table(table, tmp_path / f"{name}.parquet")
    pq.write_table(pa.concat_tables([table, table]), tmp_path / "c1.parquet")
    for suffix, fmt in ((".csv", None), (".parquet", "parquet")):
        report = load(con, path=tmp_path / f"{name}{suffix}", profile=profile, table="c",
                      format=fmt)  # fmt: skip
        assert report.diagnostics == (), suffix
        assert (report.rows_read, report.rows_loaded) == (1, 1), suffix
        assert con.execute("SELECT contact_id FROM c").fetchall() == [("mine",)], suffix
