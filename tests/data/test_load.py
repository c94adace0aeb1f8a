"""Loading exports into canonical tables: counts, malformed rows with real line numbers,
excluded rows by reason, and no profile text in SQL."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import duckdb
import pyarrow as pa
import pytest
import yaml

from slalang.data.load import (
    IMPOSSIBLE_TIMESTAMP,
    NEGATIVE_COUNT,
    NEGATIVE_DURATION,
    UNPARSABLE,
    UNREADABLE_LINE,
    WRONG_FIELD_COUNT,
    load,
    load_arrow,
)
from slalang.data.profile_model import BOOLEAN_SPELLINGS
from slalang.data.profiles import Profile, load_profile, parse_profile

BANK = Path(__file__).parents[2].parent / "shared/data/anonymous-bank/january-1999.txt"

HEADER = (
    "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\t"
    "q_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver"
)
ROWS = [  # real rows of the export's shape: answered, abandoned, VRU hang-up, phantom
    "AA0101\t1\t9664491\t2\tPS\t990101\t0:00:31\t0:00:36\t5\t0:00:36\t0:03:09\t153\tHANG\t"
    "0:00:00\t0:00:00\t0\tNO_SERVER",
    "AA0101\t2\t0\t0\tPS\t990101\t0:34:12\t0:34:23\t11\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t"
    "0:00:00\t0\tNO_SERVER",
    "AA0101\t3\t27997683\t2\tPS\t990101\t6:55:20\t6:55:26\t6\t6:55:26\t6:55:43\t17\tAGENT\t"
    "6:55:43\t6:56:37\t54\tMICHAL",
    "AA0101\t4\t0\t0\tPS\t990101\t7:41:16\t7:41:26\t10\t0:00:00\t0:00:00\t0\tPHANTOM\t"
    "0:00:00\t0:00:00\t0\tNO_SERVER",
]


def _bank() -> Profile:
    profile, found = load_profile("anonymous-bank")
    assert found == []
    assert profile is not None
    return profile


def _set(row: str, index: int, value: str, *, call_id: int) -> str:
    fields = row.split("\t")
    fields[1] = str(call_id)
    fields[index] = value
    return "\t".join(fields)


def _write(path: Path, rows: Sequence[str]) -> Path:
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8"))
    return path


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


@pytest.mark.skipif(not BANK.exists(), reason="the Anonymous Bank data set is not present")
def test_bank_january_counts_match_the_ground_truth(con: duckdb.DuckDBPyConnection) -> None:
    report = load(con, path=BANK, profile=_bank(), table="calls", strict=True)
    assert report.ok, report.problems[:5]
    assert report.rows_read == 31_599
    assert report.excluded == {"phantom record": 240}
    assert report.problems == ()
    assert report.problem_counts == {}
    assert report.rows_loaded == 31_599 - 240
    counts = dict(con.execute("SELECT outcome, count(*) FROM calls GROUP BY ALL").fetchall())
    assert counts == {"answered": 27_060, "abandoned": 3_101, "not_offered": 1_198}
    assert counts["answered"] + counts["abandoned"] == 30_161
    (asa,) = con.execute("SELECT avg(wait) FROM calls WHERE outcome = 'answered'").fetchall()
    assert round(asa[0], 4) == 35.0280
    first = con.execute("SELECT contact_id, _line, customer_id, agent FROM calls LIMIT 2")
    assert first.fetchall() == [("33116", 2, "9664491", None), ("33117", 3, None, None)]


def test_good_rows_load_with_their_lines(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _write(tmp_path / "calls.txt", ROWS)
    report = load(con, path=path, profile=_bank(), table="calls")
    assert (report.rows_read, report.rows_loaded) == (4, 3)
    assert report.excluded == {"phantom record": 1}
    rows = con.execute("SELECT contact_id, outcome, _line FROM calls ORDER BY _line").fetchall()
    assert rows == [("1", "abandoned", 2), ("2", "not_offered", 3), ("3", "answered", 4)]


def test_malformed_rows_are_reported_with_lines_and_reasons(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    good = ROWS[2]
    short = "\t".join(_set(good, 8, "", call_id=11).split("\t")[:8] + good.split("\t")[9:])
    rows = [
        _set(good, 0, "AA0101", call_id=10),  # line 2: good
        short,  # line 3: 16 fields
        _set(good, 7, "6:5x:26", call_id=12),  # line 4: unparsable time
        _set(good, 11, "-17", call_id=13),  # line 5: negative duration
        _set(good, 5, "990230", call_id=14),  # line 6: impossible date
        _set(good, 0, "AA0101", call_id=15),  # line 7: good
        _set(good, 0, "AA0101", call_id=16) + "\textra",  # line 8: 18 fields
        _set(ROWS[3], 0, "AA0101", call_id=17),  # line 9: phantom, excluded
        _set(good, 0, "AA0101", call_id=18),  # line 10: good
    ]
    path = _write(tmp_path / "bad.txt", rows)
    report = load(con, path=path, profile=_bank(), table="calls")
    shown = [(p.line, p.reason, p.field) for p in report.problems]
    assert shown == [
        (3, WRONG_FIELD_COUNT, None),
        (4, UNPARSABLE, "queued_at"),
        (5, NEGATIVE_DURATION, "wait"),
        (6, UNPARSABLE, "arrived_at"),
        (6, UNPARSABLE, "queued_at"),
        (8, WRONG_FIELD_COUNT, None),
    ]
    assert report.problems[0].detail == "16 fields instead of 17"
    assert report.problems[1].detail == "date='990101', vru_exit='6:5x:26'"
    assert "990230" in report.problems[3].detail
    assert all(p.path == str(path) for p in report.problems)
    assert report.problem_counts == {WRONG_FIELD_COUNT: 2, UNPARSABLE: 3, NEGATIVE_DURATION: 1}
    assert report.excluded == {"phantom record": 1}
    assert (report.rows_read, report.rows_loaded, report.rows_malformed) == (9, 3, 5)
    assert report.ok
    loaded = con.execute("SELECT contact_id, _line FROM calls ORDER BY _line").fetchall()
    assert loaded == [("10", 2), ("15", 7), ("18", 10)]
    strict = load(con, path=path, profile=_bank(), table="calls", strict=True)
    assert not strict.ok
    assert strict.rows_loaded == 3


def test_quoted_line_breaks_and_empty_lines_keep_line_numbers(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    profile = _profile(
        "kind: contacts\nformat: csv\nfields:\n  contact_id: {column: id}\n"
        "  queued_at: {column: at}\n  outcome: {column: outcome}\n  wait: {column: wait}\n"
        "  reason: {column: note}\n"
    )
    path = tmp_path / "c.csv"
    path.write_text(
        "id,at,outcome,wait,note\n"
        'a,2026-01-05 08:00:00,answered,3,"two\nlines"\n'  # lines 2-3
        "\n"  # line 4: empty
        "b,2026-01-05 08:01:00,answered,4\n"  # line 5: 4 fields
        "c,2026-01-05 08:02:00,answered,x,\n"  # line 6: unparsable wait
        'd,2026-01-05 08:03:00,answered,5,"a ""quoted"" word"\n'  # line 7
        "e,1850-01-05 08:03:00,answered,5,\n"  # line 8: impossible timestamp
        "f,2026-01-05 08:03:00,called,5,\n",  # line 9: not an outcome
        encoding="utf-8",
    )
    report = load(con, path=path, profile=profile, table="t")
    assert [(p.line, p.reason) for p in report.problems] == [
        (5, WRONG_FIELD_COUNT),
        (6, UNPARSABLE),
        (8, IMPOSSIBLE_TIMESTAMP),
        (9, "value not allowed"),
    ]
    rows = con.execute("SELECT contact_id, reason, _line FROM t ORDER BY _line").fetchall()
    assert rows == [("a", "two\nlines", 2), ("d", 'a "quoted" word', 7)]


def test_missing_column_is_a_diagnostic(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "calls.txt"
    path.write_text(HEADER.replace("q_time", "queue_time") + "\n", encoding="utf-8")
    report = load(con, path=path, profile=_bank(), table="calls")
    assert not report.ok
    assert [d.code for d in report.diagnostics] == ["E811"]
    assert "`q_time`" in report.diagnostics[0].message
    assert report.diagnostics[0].span is not None
    missing = load(con, path=tmp_path / "nope.txt", profile=_bank(), table="calls")
    assert [d.code for d in missing.diagnostics] == ["E812"]


def _profile(body: str, name: str = "test") -> Profile:
    profile, found = parse_profile(f"name: {name}\n" + body, path="test.yaml")
    assert found == [], found
    assert profile is not None
    return profile


def test_interval_profiles(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    generic, _ = load_profile("interval-csv")
    assert generic is not None
    path = tmp_path / "i.csv"
    path.write_text(
        "queue,interval_start,offered,answered,abandoned,answered_within_20,total_wait\n"
        "billing,2026-01-05 08:00:00,10,8,2,6,120\n"
        "billing,2026-01-05 08:30:00,10,8,-2,6,120\n",
        encoding="utf-8",
    )
    report = load(con, path=path, profile=generic, table="acd")
    assert report.rows_loaded == 1
    assert [(p.line, p.reason, p.field) for p in report.problems] == [
        (3, NEGATIVE_COUNT, "abandoned")
    ]
    columns = [r[0] for r in con.execute("DESCRIBE acd").fetchall()]
    assert "answered_within_20" in columns
    assert "answered_within_30" not in columns
    assert "short_abandoned" in columns  # canonical fields are always there

    genesys, _ = load_profile("genesys-cloud-interval")
    assert genesys is not None
    path = tmp_path / "g.csv"
    path.write_text(
        "Queue Name,Media Type,Interval Start,Offer,Answer,Abandon,Answered within SL,"
        "Avg Wait,Avg Talk,Avg Hold,Avg ACW,Avg Handle\n"
        "Billing,voice,2026-01-05T14:30:00Z,10,8,2,6,15,200,10,30,240\n",
        encoding="utf-8",
    )
    report = load(con, path=path, profile=genesys, table="g", timezone="America/Chicago")
    assert report.rows_loaded == 1, report.problems
    row = con.execute("SELECT queue, channel, interval_start, total_wait FROM g").fetchall()
    assert str(row[0][2]) == "2026-01-05 08:30:00"  # UTC to Chicago
    assert row[0][:2] == ("Billing", "voice")
    assert row[0][3] == 120.0

    avaya, _ = load_profile("avaya-cms-interval")
    assert avaya is not None
    path = tmp_path / "a.csv"
    path.write_text(
        "split,interval_start,callsoffered,acdcalls,abncalls,abncalls1,acceptable,anstime,"
        "acdtime,holdacdtime,acwtime\n"
        "12,2026-01-05 08:30,10,8,2,1,6,120,1600,80,240\n",
        encoding="utf-8",
    )
    report = load(con, path=path, profile=avaya, table="a")
    assert report.rows_loaded == 1, report.problems
    assert con.execute("SELECT total_handle FROM a").fetchall() == [(1920.0,)]


def test_generic_contacts_csv_and_parquet(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    profile, _ = load_profile("generic-contacts")
    assert profile is not None
    table = pa.table(
        {
            "contact_id": ["a", "b"],
            "queued_at": pa.array([1_000_000, 2_000_000], pa.timestamp("us")),
            "outcome": ["answered", "abandoned"],
            "wait": [3.5, 40.0],
            "resolved": [True, None],
        }
    )
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    pq.write_table(table, tmp_path / "c.parquet")
    pacsv.write_csv(table, tmp_path / "c.csv")
    for name, fmt in (("c.parquet", "parquet"), ("c.csv", None)):
        report = load(con, path=tmp_path / name, profile=profile, table="c", format=fmt)
        assert (report.rows_loaded, report.problems) == (2, ()), name
        rows = con.execute("SELECT contact_id, wait, resolved, _line FROM c").fetchall()
        lines = [1, 2] if fmt == "parquet" else [2, 3]
        assert rows == [("a", 3.5, True, lines[0]), ("b", 40.0, None, lines[1])]


def test_parquet_empty_strings(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """An empty optional text reads as no value; an empty required one is a malformed row."""
    import pyarrow.parquet as pq

    profile, _ = load_profile("generic-contacts")
    assert profile is not None
    table = pa.table(
        {
            "contact_id": ["a", "", "c"],
            "queue": ["billing", "sales", ""],
            "agent": ["ann", "bob", "cy"],
            "queued_at": pa.array([1_000_000, 2_000_000, 3_000_000], pa.timestamp("us")),
            "outcome": ["answered", "abandoned", "answered"],
            "wait": [3.5, 40.0, 1.0],
        }
    )
    pq.write_table(table, tmp_path / "c.parquet")
    report = load(con, path=tmp_path / "c.parquet", profile=profile, table="c", format="parquet")
    assert [(p.line, p.field) for p in report.problems] == [(2, "contact_id")]
    rows = con.execute("SELECT contact_id, queue, agent, _line FROM c ORDER BY _line").fetchall()
    assert rows == [("a", "billing", "ann", 1), ("c", None, "cy", 3)]


def test_jsonl_and_yaml_exports(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    body = (
        "kind: contacts\nformat: {fmt}\nfields:\n  contact_id: {{column: id}}\n"
        "  queued_at: {{column: at}}\n  outcome: {{column: outcome}}\n  wait: {{column: wait}}\n"
    )
    (tmp_path / "c.jsonl").write_text(
        '{"id": "a", "at": "2026-01-05 08:00:00", "outcome": "answered", "wait": 3}\n\n'
        '{"id": "b", "at": "2026-01-05 08:00:00", "outcome": "answered", "wait": -3}\n',
        encoding="utf-8",
    )
    report = load(con, path=tmp_path / "c.jsonl", profile=_profile(body.format(fmt="jsonl")),
                  table="j")  # fmt: skip
    assert [(p.line, p.reason) for p in report.problems] == [(3, NEGATIVE_DURATION)]
    (tmp_path / "c.yaml").write_text(
        "- {id: a, at: '2026-01-05 08:00:00', outcome: answered, wait: 3}\n"
        "- id: b\n  at: 2026-01-05 08:00:00\n  outcome: answered\n  wait: soon\n",
        encoding="utf-8",
    )
    report = load(con, path=tmp_path / "c.yaml", profile=_profile(body.format(fmt="yaml")),
                  table="y")  # fmt: skip
    assert [(p.line, p.reason, p.field) for p in report.problems] == [(2, UNPARSABLE, "wait")]
    assert con.execute("SELECT contact_id, _line FROM y").fetchall() == [("a", 1)]


def test_jsonl_broken_lines_are_reported_one_by_one(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    body = (
        "kind: contacts\nformat: jsonl\nfields:\n  contact_id: {column: id}\n"
        "  queued_at: {column: at}\n  outcome: {column: outcome}\n  wait: {column: wait}\n"
    )
    good = '{"id": "%s", "at": "2026-01-05 08:00:00", "outcome": "answered", "wait": 3}\n'
    (tmp_path / "c.jsonl").write_text(
        good % "a" + '{"id": "b", "at": \n' + "\n" + "[1, 2]\n" + good % "c", encoding="utf-8"
    )
    report = load(con, path=tmp_path / "c.jsonl", profile=_profile(body), table="j")
    assert [(p.line, p.reason) for p in report.problems] == [
        (2, UNREADABLE_LINE),
        (4, UNREADABLE_LINE),
    ]
    assert "not valid JSON" in (report.problems[0].detail or "")
    assert "list where an object was expected" in (report.problems[1].detail or "")
    assert (report.rows_read, report.rows_loaded, report.rows_malformed) == (4, 2, 2)
    assert con.execute("SELECT contact_id, _line FROM j").fetchall() == [("a", 1), ("c", 5)]
    (tmp_path / "d.jsonl").write_text("oops\n{\n", encoding="utf-8")
    report = load(con, path=tmp_path / "d.jsonl", profile=_profile(body), table="d")
    assert report.diagnostics == ()
    assert [(p.line, p.reason) for p in report.problems] == [(1, UNREADABLE_LINE),
                                                               (2, UNREADABLE_LINE)]  # fmt: skip
    assert (report.rows_read, report.rows_loaded) == (2, 0)


def test_load_arrow(con: duckdb.DuckDBPyConnection) -> None:
    data = pa.table(
        {
            "contact_id": ["a", "b", "c"],
            "queued_at": pa.array([1_000_000, None, 3_000_000], pa.timestamp("us")),
            "outcome": ["answered", "answered", "abandoned"],
            "wait": [3.0, 4.0, -1.0],
        }
    )
    report = load_arrow(con, data, table="calls", kind="contacts")
    assert report.rows_loaded == 1
    assert [(p.line, p.reason, p.field) for p in report.problems] == [
        (2, "missing required value", "queued_at"),
        (3, NEGATIVE_DURATION, "wait"),
    ]
    pandas = pytest.importorskip("pandas")
    report = load_arrow(con, data.to_pandas(), table="calls2", kind="contacts")
    assert report.rows_loaded == 1
    bad = load_arrow(con, data.drop_columns(["wait"]), table="calls3", kind="contacts")
    assert [d.code for d in bad.diagnostics] == ["E810"]
    assert pandas is not None


HOSTILE = 'x"; DROP TABLE victim; --'


class _Spy:
    """A connection that records the text of every statement run through it."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.statements: list[str] = []

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> duckdb.DuckDBPyConnection:
        self.statements.append(sql)
        return self.con.execute(sql, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.con, name)


def test_hostile_names_and_values_never_reach_sql(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    spy = _Spy(con)
    con.execute("CREATE TABLE victim AS SELECT 1 AS x").fetchall()
    column = "id'); DROP TABLE victim; --"
    spec = {
        "name": "hostile",
        "kind": "contacts",
        "format": "csv",
        "fields": {
            "contact_id": {"column": column},
            "queued_at": {"column": "at"},
            "outcome": {"expr": f"if(`{column}` == '{HOSTILE}', 'abandoned', 'answered')"},
            "reason": {"value": HOSTILE},
            "wait": {"column": "wait"},
        },
        "exclude": [{"when": f"`{column}` == 'zz'", "reason": HOSTILE}],
    }
    profile, found = parse_profile(yaml.safe_dump(spec), path="hostile.yaml")
    assert found == []
    assert profile is not None
    path = tmp_path / "h.csv"
    path.write_text(
        f'"{column.replace(chr(34), chr(34) * 2)}",at,wait\n'
        f'"{HOSTILE.replace(chr(34), chr(34) * 2)}",2026-01-05 08:00:00,3\n'
        "zz,2026-01-05 08:00:00,3\n",
        encoding="utf-8",
    )
    report = load(cast(duckdb.DuckDBPyConnection, spy), path=path, profile=profile, table="calls")
    assert report.rows_loaded == 1
    assert report.excluded == {HOSTILE: 1}
    assert con.execute("SELECT contact_id, outcome, reason FROM calls").fetchall() == [
        (HOSTILE, "abandoned", HOSTILE)
    ]
    assert con.execute("SELECT x FROM victim").fetchall() == [(1,)]
    assert spy.statements
    for sql in spy.statements:
        # views cannot take parameters: there, values are string literals, which DuckDB
        # ends only at a lone quote; outside them no text of the profile or file appears
        outside = re.sub(r"'(?:[^']|'')*'", "''", sql)
        for text in (HOSTILE, column, "victim", "zz", "abandoned", str(path)):
            assert text not in outside, (text, sql)
    with pytest.raises(ValueError, match="identifier"):
        load(con, path=path, profile=profile, table="calls; DROP TABLE victim")


DOTTED = """name: dotted
kind: contacts
format: csv
fields:
  contact_id: {column: id}
  queued_at: {column: queued}
  outcome: {value: answered}
  wait: {expr: "dotted_seconds(q_time)"}
  talk: {expr: "round(number(talk) / 60) * 60"}
"""


def test_dotted_durations_load_and_malformed_ones_are_reported(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    profile, found = parse_profile(DOTTED, path="dotted.yaml")
    assert found == []
    assert profile is not None
    path = tmp_path / "calls.csv"
    path.write_text(
        "id,queued,q_time,talk\n"
        "1,2026-01-05 08:00:00,0.02.23,90\n"  # 143 s; 1.5 min rounds up to 2 min
        "2,2026-01-05 08:01:00,10.00.00,150\n"  # 36000 s; 2.5 min rounds up to 3 min
        "3,2026-01-05 08:02:00,0.2.23,30\n"  # minutes need two digits: malformed
        "4,2026-01-05 08:03:00,0.02.75,30\n"  # 75 seconds: malformed
        "5,2026-01-05 08:04:00,0:02:23,30\n",  # colons are seconds(), not this: malformed
        encoding="utf-8",
    )
    report = load(con, path=path, profile=profile, table="calls")
    assert [(p.line, p.reason, p.field) for p in report.problems] == [
        (4, UNPARSABLE, "wait"),
        (5, UNPARSABLE, "wait"),
        (6, UNPARSABLE, "wait"),
    ]
    assert report.problems[0].detail == "q_time='0.2.23'"
    rows = con.execute("SELECT contact_id, wait, talk FROM calls ORDER BY _line").fetchall()
    assert rows == [("1", 143.0, 120.0), ("2", 36000.0, 180.0)]


def test_every_boolean_spelling_and_only_those(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    generic, _ = load_profile("generic-contacts")
    assert generic is not None
    spelt = [(word, value) for value, words in BOOLEAN_SPELLINGS.items() for word in words]
    cases = [*spelt, *((w.upper(), v) for w, v in spelt), (" Yes ", True), ("nO", False)]
    wrong = ["on", "off", "2", "-1", "01", "1.0", "oui", "yess"]
    lines = ["contact_id,queued_at,outcome,wait,resolved"]
    lines += [f"c{n},2026-01-05 08:00:00,answered,5,{w}" for n, (w, _) in enumerate(cases)]
    lines += [f"x{n},2026-01-05 08:00:00,answered,5,{w}" for n, w in enumerate(wrong)]
    lines.append("e0,2026-01-05 08:00:00,answered,5,")  # empty: no value, not malformed
    path = tmp_path / "calls.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = load(con, path=path, profile=generic, table="calls")
    first_wrong = len(cases) + 2
    assert [(p.line, p.reason, p.field) for p in report.problems] == [
        (first_wrong + n, UNPARSABLE, "resolved") for n in range(len(wrong))
    ]
    read = con.execute("SELECT resolved FROM calls ORDER BY _line").fetchall()
    assert read == [(value,) for _, value in cases] + [(None,)]
