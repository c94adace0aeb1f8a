"""The benchmark's three implementations (slalang, hand-written DuckDB SQL, pandas) agree.

The agreement check of benchmarks/run.py runs here on small data sets, and its CSV and
fresh-process modes end to end on 2,000 rows (one round, so the times mean nothing); the
timing is for the benchmark itself (docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from types import ModuleType

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from slalang.data import load as loader
from slalang.data.profiles import load_profile
from slalang.synth import contacts

RUN = Path(__file__).parents[2] / "benchmarks" / "run.py"
ROWS = 2_000
"""Rows of the runs over CSV and in fresh processes: slalang's CSV loader is slow on more."""


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("slalang_benchmark", RUN)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_slalang_duckdb_sql_and_pandas_agree_on_every_figure(tmp_path: Path) -> None:
    run = _benchmark()
    data = run.make_data(20_000, tmp_path, seed=3)
    figures = run.check_agreement(data)
    assert {objective for objective, _ in figures} == set(run.OBJECTIVES)
    assert all(den > 0 for _, den, _ in figures.values())


def test_the_three_agree_over_csv_and_duckdb_reads_it_with_the_types_of_parquet(
    tmp_path: Path,
) -> None:
    """Over CSV, DuckDB's ``read_csv`` detects the types the query needs; the three agree."""
    run = _benchmark()
    data = run.make_data(ROWS, tmp_path, seed=3, format="csv")
    assert data.suffix == ".csv"
    assert run.make_data(ROWS, tmp_path, seed=3, format="csv") == data  # reused
    described = duckdb.execute("DESCRIBE SELECT * FROM read_csv($path)", {"path": str(data)})
    types = {name: kind for name, kind, *_ in described.fetchall()}
    assert types["queued_at"] == "TIMESTAMP"
    assert types["resolved"] == "BOOLEAN"
    assert {types[c] for c in ("wait", "talk", "hold", "acw")} <= {"BIGINT", "DOUBLE"}
    assert {types[c] for c in ("outcome", "queue")} == {"VARCHAR"}
    figures = run.check_agreement(data)
    assert {objective for objective, _ in figures} == set(run.OBJECTIVES)


@pytest.mark.slow
def test_the_csv_mode_runs_and_agrees(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = _benchmark()
    arguments = ["--format", "csv", "--rows", str(ROWS), "--repeat", "1", "--keep", str(tmp_path)]
    assert run.main(arguments) == 0
    out = capsys.readouterr().out
    assert "agreement: all 10 figures of 10 objectives agree" in out
    assert f"{ROWS:,} contacts as CSV, 1 interleaved runs" in out
    assert "slalang / DuckDB SQL" in out
    assert "at most 1.5x" in out
    assert (tmp_path / f"contacts-{ROWS}-{run.SEED}.csv").exists()


@pytest.mark.slow
def test_the_fresh_mode_runs_the_commands_and_agrees(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each approach as a new process: the slalang command's JSON report, hand.py's figures."""
    run = _benchmark()
    data = run.make_data(ROWS, tmp_path, format="csv")
    commands = run.fresh_commands(data)
    assert commands["slalang-ten"][-4:] == ["--data", f"calls={data}", "--format", "json"]
    assert commands["slalang-ten"][-5] == str(run.TEN)
    arguments = ["--format", "csv", "--fresh", "--rows", str(ROWS), "--repeat", "1",
                 "--keep", str(tmp_path)]  # fmt: skip
    assert run.main(arguments) == 0
    out = capsys.readouterr().out
    assert "agreement: all 10 figures of 10 objectives agree" in out
    assert f"{ROWS:,} contacts as CSV, 1 rounds of fresh processes" in out
    assert "at most 1.3x" in out


def test_the_scaling_table_judges_time_per_row_and_peak_memory(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = _benchmark()

    def size(rows: float, seconds: float, mib: float) -> dict[str, float]:
        return {"rows": rows, "slalang_s": seconds, "slalang_mib": mib, "sql_s": 1, "sql_mib": 1}

    linear = [size(3e6, 3.6, 300), size(1e6, 1.0, 200)]  # 1.2x per row, 1.5x the memory
    assert run.scaling(linear)
    out = capsys.readouterr().out
    assert out.index("   1,000,000") < out.index("   3,000,000")  # smallest first
    assert "slalang time linear         1.20x" in out
    assert "slalang memory flat         1.50x" in out
    assert not run.scaling([size(1e6, 1.0, 200), size(3e6, 3.9, 200)])  # 1.3x per row
    assert not run.scaling([size(1e6, 1.0, 700), size(3e6, 3.0, 1100)])  # grows, over 1 GiB
    assert run.scaling([size(1e6, 1.0, 100), size(3e6, 3.0, 900)])  # grows, under 1 GiB
    assert run.sizes("1000000,3_000_000") == [1_000_000, 3_000_000]


def test_a_wrong_figure_is_reported() -> None:
    run = _benchmark()
    expected = {("asa", "2026-01"): (10.0, 2.0, 5.0)}
    assert run.disagreements(expected, expected, name="x") == []
    found = run.disagreements(expected, {("asa", "2026-01"): (10.0, 2.0, 5.000001)}, name="x")
    assert found == ["x: ('asa', '2026-01') value: slalang 5.0, x 5.000001"]


def test_parquet_read_as_a_view_reports_the_same_rows_as_a_full_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The benchmark's data load as a view; malformed rows are found as by the full copy."""
    table = contacts(2000, seed=3).to_pydict()
    broken = {
        "wait": {5: float("nan"), 6: -1.0, 7: float("inf"), 8: None},
        "contact_id": {10: None, 11: "", 12: "  "},
        "outcome": {20: "lost", 21: "", 22: None},
        "channel": {30: "fax", 31: ""},
        "queued_at": {40: dt.datetime(1800, 1, 1), 41: dt.datetime(2300, 1, 1), 42: None},
        "arrived_at": {43: dt.datetime(1899, 12, 31, 23, 59, 59), 44: dt.datetime(2200, 1, 1)},
        "talk": {50: -5.0},
        "hold": {51: float("nan")},
        "queue": {52: ""},
    }
    for column, values in broken.items():
        for row, value in values.items():
            table[column][row] = value
    path = tmp_path / "c.parquet"
    pq.write_table(pa.table(table, schema=contacts(1).schema), path, row_group_size=500)
    profile, _ = load_profile("generic-contacts")
    assert profile is not None

    def run() -> tuple[object, ...]:
        con = duckdb.connect()
        report = loader.load(con, path=path, profile=profile, table="c", format="parquet")
        rows = con.execute("SELECT * FROM c ORDER BY _line").fetchall()
        same_nan = [tuple("nan" if v != v else v for v in row) for row in rows]
        kinds = con.execute("DESCRIBE c").fetchall()
        return report.rows_read, report.rows_loaded, report.problems, report.problem_counts, \
            same_nan, kinds  # fmt: skip

    as_view = run()
    monkeypatch.setattr(loader, "_direct_profile", lambda *_: None)
    assert as_view == run()
    assert as_view[1] == 2000 - 17
