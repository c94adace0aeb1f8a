"""DuckDB's CSV reader (slalang.data.native) against the line-by-line reader
(slalang.data.delimited): on exports with every kind of damage, the two give the same
report (rows, counts, problems with lines, reasons and raw values, rows by minute) and
the same canonical rows, whichever of them ends up reading the file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from slalang.data import load as load_module
from slalang.data.load import load
from slalang.data.profiles import Profile, load_profile
from slalang.synth import contacts, write


def _profile(name: str = "generic-contacts") -> Profile:
    profile, found = load_profile(name)
    assert found == []
    assert profile is not None
    return profile


def _both(path: Path, profile: Profile, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The report and the loaded rows, from the default reading and from the line-by-line
    one."""
    results = []
    for native in (True, False):
        with monkeypatch.context() as patch:
            if not native:
                patch.setattr(load_module, "load_native", lambda *a, **k: None)
            con = duckdb.connect()
            report = load(con, path=path, profile=profile, table="t", max_problems=10_000)
            rows = sorted(con.execute("SELECT * FROM t").fetchall(), key=lambda r: r[-1])
            # a query that reads few columns sees the same rows as one that reads them all
            for sql in ("SELECT count(*) FROM t", "SELECT count(contact_id) FROM t"):
                assert con.execute(sql).fetchall() == [(report.rows_loaded,)], (native, sql)
            results.append((report, rows))
    return results


def _same(results: list[Any]) -> None:
    (fast, fast_rows), (slow, slow_rows) = results
    assert fast.diagnostics == slow.diagnostics
    assert (fast.rows_read, fast.rows_loaded) == (slow.rows_read, slow.rows_loaded)
    assert fast.problem_counts == slow.problem_counts
    assert fast.excluded == slow.excluded
    assert fast.problems == slow.problems
    assert _by_moment(fast.malformed_at) == _by_moment(slow.malformed_at)
    assert _by_moment(fast.loaded_at) == _by_moment(slow.loaded_at)
    assert fast.ambiguous == slow.ambiguous
    assert fast_rows == slow_rows


def _by_moment(counts: Any) -> dict[Any, int]:
    found: dict[Any, int] = {}
    for moment, n in counts:
        found[moment] = found.get(moment, 0) + n
    return found


def _is_view(path: Path, profile: Profile) -> bool:
    con = duckdb.connect()
    load(con, path=path, profile=profile, table="t")
    return bool(
        con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 't'").fetchone()[0]
    )  # type: ignore[index]


DAMAGE = (
    "fewer fields",
    "more fields",
    "bad time",
    "bad wait",
    "negative wait",
    "unknown outcome",
    "text after quote",
    "lone quote",
    "spaces",
    "infinite wait",
    "year 1850",
    "missing id",
    "blank line",
    "unclosed quote",
    "quoted line break",
    "carriage return",
)
"""The damage done to a line; the last four make the line-by-line reader read the file."""


def _damage(line: str, kind: str) -> str:
    fields = line.split(",")
    if kind == "fewer fields":
        fields = fields[:-2]
    elif kind == "more fields":
        fields += ["x", "y"]
    elif kind == "bad time":
        fields[11] = "2026-13-45 99:00:00"
    elif kind == "bad wait":
        fields[15] = "soon"
    elif kind == "negative wait":
        fields[15] = "-7"
    elif kind == "unknown outcome":
        fields[14] = "TRANSFER"
    elif kind == "text after quote":
        fields[2] = '"bil"ling'
    elif kind == "blank line":
        return line + "\n"
    elif kind == "lone quote":
        fields[7] = 'O"NEIL'
    elif kind == "spaces":
        fields[15] = f" {fields[15]} "
    elif kind == "infinite wait":
        fields[15] = "inf"
    elif kind == "year 1850":
        fields[11] = "1850" + fields[11][4:]
    elif kind == "missing id":
        fields[0] = ""
    elif kind == "unclosed quote":
        fields[2] = '"billing'
    elif kind == "quoted line break":
        fields[9] = '"a\nb"'
    elif kind == "carriage return":
        return ",".join(fields) + "\r"
    return ",".join(fields)


def _export(tmp_path: Path, rows: int, damage: dict[int, str]) -> Path:
    clean = tmp_path / "clean.csv"
    write(contacts(rows, seed=7, days=2), clean)
    header, *lines = clean.read_text(encoding="utf-8").splitlines()
    for index, kind in damage.items():
        lines[index % len(lines)] = _damage(lines[index % len(lines)], kind)
    path = tmp_path / "damaged.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8", newline="")
    return path


def test_a_clean_export_is_a_view_over_the_file_and_agrees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _export(tmp_path, 500, {})
    assert _is_view(path, _profile())
    _same(_both(path, _profile(), monkeypatch))


@pytest.mark.parametrize("kind", DAMAGE)
def test_each_kind_of_damage_is_reported_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    path = _export(tmp_path, 200, {3: kind, 50: kind, 51: kind, 140: kind})
    results = _both(path, _profile(), monkeypatch)
    _same(results)
    if kind not in DAMAGE[-4:]:
        assert _is_view(path, _profile()), "read by DuckDB's reader"


def test_many_damaged_lines_number_every_row_right(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More blank and rejected lines than a CASE holds: lines come from a join on blocks."""
    damage = {i: ("more fields" if i % 3 else "fewer fields") for i in range(0, 9000, 97)}
    path = _export(tmp_path, 9000, damage)
    assert _is_view(path, _profile())
    _same(_both(path, _profile(), monkeypatch))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(damage=st.dictionaries(st.integers(0, 119), st.sampled_from(DAMAGE), max_size=12))
def test_any_mix_of_damage_is_reported_alike(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    damage: dict[int, str],
) -> None:
    path = _export(tmp_path_factory.mktemp("mix"), 120, damage)
    _same(_both(path, _profile(), monkeypatch))


def test_the_bank_export_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    bank = Path(__file__).parents[2].parent / "shared/data/anonymous-bank/january-1999.txt"
    if not bank.exists():
        pytest.skip("the shared bank data is not here")
    _same(_both(bank, _profile("anonymous-bank"), monkeypatch))


def test_a_query_that_does_not_read_lines_does_not_number_them(tmp_path: Path) -> None:
    path = _export(tmp_path, 300, {5: "fewer fields"})
    con = duckdb.connect()
    load(con, path=path, profile=_profile(), table="t")
    plan = con.execute("EXPLAIN SELECT count(*), sum(wait) FROM t").fetchall()[0][1]
    assert not re.search("WINDOW", plan, re.IGNORECASE)


def test_json_lines_are_numbered_as_duckdb_reads_them(tmp_path: Path) -> None:
    """JSON Lines are read by DuckDB line by line: every line keeps its number however
    many lines the file has, broken ones reported on their own line."""
    clean = tmp_path / "c.jsonl"
    write(contacts(6000, seed=3, days=2), clean)
    lines = clean.read_text(encoding="utf-8").splitlines()
    broken = {10: '{"contact_id": ', 2500: "[1]", 5999: "not json"}
    for index, text in broken.items():
        lines[index] = text
    lines.insert(4000, "")
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    con = duckdb.connect()
    report = load(con, path=path, profile=_profile(), table="t", format="jsonl")
    assert [p.line for p in report.problems] == [11, 2501, 6001]
    assert (report.rows_read, report.rows_loaded) == (6000, 5997)
    numbered = dict(con.execute("SELECT contact_id, _line FROM t").fetchall())
    ids = {n + 1: text for n, text in enumerate(path.read_text(encoding="utf-8").splitlines())}
    assert all(f'"{contact}"' in ids[line] for contact, line in numbered.items())


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "line by line"])
@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", ["2026-01-05 09:00:00", "2026-01-05 07:00:00", "2026-01-05 09:00:00",
                 "2026-01-05 14:30:00", "2026-01-05 09:00:00", "2026-01-05 07:00:00",
                 "2026-01-05 09:00:00", "2026-01-05 14:00:00", "2026-01-05 07:00:00"]),
        ("Europe/Paris", ["2026-01-05 09:00:00", "2026-01-05 08:00:00", "2026-01-05 10:00:00",
                          "2026-01-05 15:30:00", "2026-01-05 10:00:00", "2026-01-05 08:00:00",
                          "2026-01-05 10:00:00", "2026-01-05 15:00:00", "2026-01-05 08:00:00"]),
    ],
)  # fmt: skip
def test_a_time_with_a_utc_offset_is_that_instant_in_the_datas_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, zone: str, expected: list[str]
) -> None:
    """``09:00:00+02:00`` is 07:00 UTC, not 09:00: the offset is never dropped."""
    written = ["2026-01-05 09:00:00", "2026-01-05 09:00:00+02:00", "2026-01-05T09:00:00Z",
               "2026-01-05 09:00:00-0530", "2026-01-05 09:00:00 UTC",
               # short forms, 19 characters or fewer, and one with a no-break space after it
               "2026-01-05 09:00+02", "2026-01-05 09:00Z", "2026-1-5 09:00-05",
               "2026-01-05 09:00:00+02:00\u00a0"]  # fmt: skip
    rows = [(f"c{i}", at) for i, at in enumerate(written)]
    if fmt == "jsonl":
        path = tmp_path / "c.jsonl"
        path.write_text("".join(
            f'{{"contact_id": "{c}", "queued_at": "{at}", "outcome": "abandoned", "wait": 3}}\n'
            for c, at in rows), encoding="utf-8")  # fmt: skip
    else:
        path = tmp_path / "c.csv"
        path.write_text("contact_id,queued_at,outcome,wait\n" + "".join(
            f"{c},{at},abandoned,3\n" for c, at in rows), encoding="utf-8")  # fmt: skip
    if fmt == "line by line":
        monkeypatch.setattr(load_module, "load_native", lambda *a, **k: None)
    con = duckdb.connect()
    report = load(con, path=path, profile=_profile(), table="t", timezone=zone,
                  format="jsonl" if fmt == "jsonl" else None)  # fmt: skip
    assert report.problems == ()
    found = con.execute("SELECT CAST(queued_at AS VARCHAR) FROM t ORDER BY contact_id")
    assert [at for (at,) in found.fetchall()] == expected
