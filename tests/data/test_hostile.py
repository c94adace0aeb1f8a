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


BANK_HEADER = (
    "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\t"
    "q_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver"
)
ANSWERED = (
    "AA0101\t{id}\t27997683\t2\tPS\t990101\t6:55:20\t6:55:26\t6\t6:55:26\t6:55:43\t17\tAGENT\t"
    "6:55:43\t6:56:37\t54\t{server}"
)


def _bank_rows(servers: list[str]) -> list[str]:
    return [ANSWERED.format(id=i + 1, server=server) for i, server in enumerate(servers)]


def _bank_file(path: Path, rows: list[str], ending: str = "\r\n") -> Path:
    path.write_bytes((ending.join([BANK_HEADER, *rows]) + ending).encode("utf-8"))
    return path


def _loaded(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None, int]]:
    return con.execute("SELECT contact_id, agent, _line FROM calls ORDER BY _line").fetchall()


def test_an_unclosed_quote_is_reported_on_its_line_and_the_rows_after_it_load(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    servers = ["ANN", "BOB", '"CY', "DAN", "EVE", "FAY"]
    path = _bank_file(tmp_path / "calls.txt", _bank_rows(servers))
    report = load(con, path=path, profile=_profile("anonymous-bank"), table="calls")
    assert [(p.line, p.reason) for p in report.problems] == [(4, "unreadable line")]
    assert "quote" in report.problems[0].detail
    assert (report.rows_read, report.rows_loaded) == (6, 5)
    assert [line for _, _, line in _loaded(con)] == [2, 3, 5, 6, 7]


def test_two_stray_quotes_do_not_merge_the_rows_between_them(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    servers = ["ANN", '"BOB', "CY", "DAN", 'EVE"', "FAY"]
    path = _bank_file(tmp_path / "calls.txt", _bank_rows(servers))
    report = load(con, path=path, profile=_profile("anonymous-bank"), table="calls")
    assert [(p.line, p.reason) for p in report.problems] == [(3, "unreadable line")]
    assert (report.rows_read, report.rows_loaded) == (6, 5)
    assert _loaded(con) == [
        ("1", "ANN", 2), ("3", "CY", 4), ("4", "DAN", 5), ("5", 'EVE"', 6), ("6", "FAY", 7)
    ]  # fmt: skip


def test_a_quote_inside_a_value_is_an_ordinary_character(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    servers = ["ANN", 'O"NEIL', "CY", 'MI"CH"AL']
    path = _bank_file(tmp_path / "calls.txt", _bank_rows(servers))
    report = load(con, path=path, profile=_profile("anonymous-bank"), table="calls")
    assert (report.diagnostics, report.problems) == ((), ())
    assert (report.rows_read, report.rows_loaded) == (4, 4)
    assert [agent for _, agent, _ in _loaded(con)] == ["ANN", 'O"NEIL', "CY", 'MI"CH"AL']


def test_text_after_a_closing_quote_is_reported_on_its_line(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    servers = ["ANN", '"BOB"BY', "CY"]
    path = _bank_file(tmp_path / "calls.txt", _bank_rows(servers))
    report = load(con, path=path, profile=_profile("anonymous-bank"), table="calls")
    assert [(p.line, p.reason) for p in report.problems] == [(3, "unreadable line")]
    assert (report.rows_read, report.rows_loaded) == (3, 2)


def test_mixed_line_endings_read_every_line(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = _bank_rows(["ANN", "BOB", "CY", "DAN"])
    path = tmp_path / "calls.txt"
    path.write_bytes(
        (BANK_HEADER + "\r\n" + rows[0] + "\n" + rows[1] + "\r\n\n" + rows[2] + "\r" + rows[3])
        .encode("utf-8")
    )  # fmt: skip
    report = load(con, path=path, profile=_profile("anonymous-bank"), table="calls")
    assert (report.diagnostics, report.problems) == ((), ())
    assert (report.rows_read, report.rows_loaded) == (4, 4)
    assert [line for _, _, line in _loaded(con)] == [2, 3, 5, 6]


@pytest.mark.parametrize("width", [40_000, 1_000_000])
def test_a_very_wide_line_is_counted_exactly(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, width: int
) -> None:
    rows = _bank_rows(["ANN", "BOB"])
    rows.insert(1, "\t".join(["x"] * width))
    path = _bank_file(tmp_path / "calls.txt", rows)
    report = load(con, path=path, profile=_profile("anonymous-bank"), table="calls")
    assert [(p.line, p.reason, p.detail) for p in report.problems] == [
        (3, "wrong field count", f"{width} fields instead of 17")
    ]
    assert (report.rows_read, report.rows_loaded) == (3, 2)


def test_quoted_values_wrapping_whole_fields_and_spanning_lines(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    profile = _profile("generic-contacts")
    path = tmp_path / "c.csv"
    path.write_text(
        f"{CSV_HEADER},queue\n"
        '"a","2026-01-05 09:00:00","answered","3",""\n'  # line 2: quotes around every value
        'b,2026-01-05 09:01:00,answered,4,"x,y"\n'  # line 3: a delimiter inside quotes
        'c,2026-01-05 09:02:00,answered,5,"one\n\ntwo ""2"""\n'  # lines 4-6: one record
        "d,2026-01-05 09:03:00,answered,6,q\n",  # line 7
        encoding="utf-8",
    )
    report = load(con, path=path, profile=profile, table="c")
    assert (report.diagnostics, report.problems) == ((), ())
    assert report.rows_read == 4
    rows = con.execute("SELECT contact_id, queue, wait, _line FROM c ORDER BY _line").fetchall()
    assert rows == [
        ("a", None, 3.0, 2), ("b", "x,y", 4.0, 3), ("c", 'one\n\ntwo "2"', 5.0, 4),
        ("d", "q", 6.0, 7),
    ]  # fmt: skip


def test_latin_1_and_bad_utf_8_are_read(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    profile = _profile("generic-contacts")
    body = f"{CSV_HEADER},queue\na,2026-01-05 09:00:00,answered,3,caf\xe9\n"
    path = tmp_path / "c.csv"
    path.write_bytes(body.encode("latin-1"))
    report = load(con, path=path, profile=profile, table="c")
    assert (report.diagnostics, report.rows_loaded) == ((), 1)
    assert con.execute("SELECT queue FROM c").fetchall() == [("caf\ufffd",)]
    import attrs

    report = load(con, path=path, profile=attrs.evolve(profile, encoding="latin-1"), table="c")
    assert con.execute("SELECT queue FROM c").fetchall() == [("caf\xe9",)]


def test_an_unknown_outcome_is_a_value_not_allowed(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    rows = _bank_rows(["ANN", "BOB", "CY"])
    rows[1] = rows[1].replace("\tAGENT\t", "\tTRANSFER\t")
    rows[2] = rows[2].replace("\tAGENT\t", "\t\t")
    path = _bank_file(tmp_path / "calls.txt", rows)
    report = load(con, path=path, profile=_profile("anonymous-bank"), table="calls")
    assert [(p.line, p.reason, p.field, p.detail) for p in report.problems] == [
        (3, "value not allowed", "outcome", "outcome='TRANSFER', q_start='6:55:26'"),
        (4, "missing required value", "outcome", "outcome=None, q_start='6:55:26'"),
    ]


def test_loading_files_does_not_import_pandas(tmp_path: Path) -> None:
    """pandas is imported only when the caller passes a pandas table (it costs ~0.5 s)."""
    import subprocess
    import sys

    (tmp_path / "c.csv").write_text(
        f"{CSV_HEADER}\na,2026-01-05 09:00:00,answered,3\n", encoding="utf-8"
    )
    (tmp_path / "c.jsonl").write_text(
        '{"contact_id": "a", "queued_at": "2026-01-05 09:00:00", "outcome": "answered", '
        '"wait": 3}\n',
        encoding="utf-8",
    )
    (tmp_path / "c.yaml").write_text(
        "- {contact_id: a, queued_at: '2026-01-05 09:00:00', outcome: answered, wait: 3}\n",
        encoding="utf-8",
    )
    table = pa.table({"contact_id": ["a"], "queued_at": ["2026-01-05 09:00:00"],
                      "outcome": ["answered"], "wait": ["3"]})  # fmt: skip
    pq.write_table(table, tmp_path / "c.parquet")
    script = (
        "import sys, duckdb\n"
        "from slalang.data.load import load\n"
        "from slalang.data.profiles import load_profile\n"
        "profile, _ = load_profile('generic-contacts')\n"
        "for name in sys.argv[1:]:\n"
        "    fmt = name.rsplit('.', 1)[1]\n"
        "    report = load(duckdb.connect(), path=name, profile=profile, table='t', format=fmt)\n"
        "    assert report.rows_loaded == 1, (name, report)\n"
        "print('pandas' in sys.modules)\n"
    )
    names = [str(tmp_path / f"c.{suffix}") for suffix in ("csv", "jsonl", "yaml", "parquet")]
    done = subprocess.run(
        [sys.executable, "-c", script, *names], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_malformed_rows_and_problems_are_counted_apart(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """A row with two bad times is one malformed row with two problems, and the rows add
    up: read = loaded + excluded + malformed."""
    rows = _bank_rows(["ANN", "BOB", "CY", "DAN", "EVE"])
    fields = rows[1].split("\t")
    fields[6], fields[7] = "6:5x:20", "6:5y:26"  # vru_entry and vru_exit: two problems
    rows[1] = "\t".join(fields)
    rows[2] = rows[2].replace("\tAGENT\t", "\tPHANTOM\t")  # excluded
    rows[3] = rows[3] + "\textra"  # wrong field count
    path = _bank_file(tmp_path / "calls.txt", rows)
    report = load(con, path=path, profile=_profile("anonymous-bank"), table="calls")
    assert [(p.line, p.field) for p in report.problems] == [
        (3, "arrived_at"), (3, "queued_at"), (5, None)
    ]  # fmt: skip
    assert sum(report.problem_counts.values()) == 3
    assert report.rows_malformed == 2 == len({p.line for p in report.problems})
    assert report.rows_read == 5
    assert report.rows_read == report.rows_loaded + sum(report.excluded.values()) + 2


def test_a_load_leaves_no_temporary_tables(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(f"{CSV_HEADER}\na,2026-01-05 09:00:00,answered,3\n", encoding="utf-8")
    temporary = (
        "SELECT table_name FROM duckdb_tables() WHERE temporary "
        "UNION ALL SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal"
    )
    assert load(con, path=path, profile=_profile("generic-contacts"), table="c").rows_loaded == 1
    assert con.execute(temporary).fetchall() == []
    missing = _profile("generic-contacts")
    (tmp_path / "d.csv").write_text("id,at\na,b\n", encoding="utf-8")
    assert load(con, path=tmp_path / "d.csv", profile=missing, table="d").diagnostics
    (tmp_path / "e.csv").write_text("\n\n", encoding="utf-8")
    load(con, path=tmp_path / "e.csv", profile=missing, table="e")
    assert con.execute(temporary).fetchall() == []
