"""The memory limit and the temporary folder of an evaluation (``--memory-limit``,
``--temp-dir``; ``memory_limit=``, ``temp_dir=``): read, checked, set on the connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

import slalang
from slalang.cli import main
from slalang.data.resources import MemoryLimit, check_temp_dir, parse_memory_limit
from slalang.diagnostics import Diagnostic
from slalang.judge import evaluation
from slalang.synth import contacts, write

CONTRACT = """contract demo {
  client "A"
  vendor "B"
  timezone "UTC"
}

source calls: contacts {
  profile "generic-contacts"
}

objective asa {
  key
  metric average_speed_of_answer
  expected <= 30 s
}

objective sl {
  critical
  metric service_level
  threshold <= 20 s
  expected >= 80%
}
"""


def _plan() -> slalang.Plan:
    return slalang.compile(slalang.check(CONTRACT, path="demo.sla"))


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    return str(con.execute("SELECT current_setting(?)", [name]).fetchall()[0][0])


@pytest.mark.parametrize(
    ("value", "text", "setting"),
    [
        ("4GB", "4GB", "4000000000B"),
        ("4 GiB", "4GiB", "4294967296B"),
        ("512MB", "512MB", "512000000B"),
        ("512 mib", "512MiB", "536870912B"),
        ("1.50GB", "1.5GB", "1500000000B"),
        (" 2tb ", "2TB", "2000000000000B"),
        ("75%", "75%", "75%"),
        ("12.5 %", "12.5%", "12.5%"),
        ("100%", "100%", "100%"),
        (64 * 1024**2, "67108864B", "67108864B"),
    ],
)
def test_memory_limits_are_read_and_given_a_canonical_spelling(
    value: object, text: str, setting: str
) -> None:
    assert parse_memory_limit(value) == MemoryLimit(text=text, setting=setting)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("4G", "does not say whether it means GB"),
        ("512m", "does not say whether it means MB"),
        ("4XB", "is not a size unit"),
        ("lots", "is not a memory limit"),
        ("4 GB please", "is not a memory limit"),
        ("-1GB", "is not a memory limit"),
        ("1e3MB", "is not a memory limit"),
        ("4GB'; SET threads = 1; --", "is not a memory limit"),
        ("", "is empty"),
        ("0.5%", "not between 1% and 100%"),
        ("150%", "not between 1% and 100%"),
        ("4KB", "below the smallest one slalang accepts"),
        ("0B", "below the smallest one slalang accepts"),
        (1024, "below the smallest one slalang accepts"),
        ("9999999TiB", "too large"),
        (True, "must be text or a number of bytes"),
        (4.5, "must be text or a number of bytes"),
    ],
)
def test_a_bad_memory_limit_is_e824(value: object, words: str) -> None:
    found = parse_memory_limit(value)
    assert isinstance(found, Diagnostic)
    assert found.code == "E824"
    assert words in found.message
    assert found.help


def test_a_temporary_folder_is_created_and_must_be_writable(tmp_path: Path) -> None:
    nested = tmp_path / "scratch" / "duckdb"
    assert check_temp_dir(nested) == nested
    assert nested.is_dir()
    assert list(nested.iterdir()) == []  # the probe leaves nothing behind
    (tmp_path / "calls.csv").write_text("x\n", encoding="utf-8")
    for bad, words in (
        (tmp_path / "calls.csv", "is not a folder"),
        (tmp_path / "calls.csv" / "sub", "cannot create the temporary folder"),
        ("", "must be a path"),
        (3, "must be a path"),
    ):
        found = check_temp_dir(bad)
        assert isinstance(found, Diagnostic), bad
        assert (found.code, words in found.message) == ("E825", True), found.message


def test_the_options_are_set_on_the_callers_connection(tmp_path: Path) -> None:
    data = tmp_path / "calls.parquet"
    write(contacts(500, seed=1, days=2), data)
    con = duckdb.connect()
    slalang.evaluate(_plan(), data=data, connection=con, memory_limit="512MiB",
                     temp_dir=tmp_path / "spill")  # fmt: skip
    assert _setting(con, "memory_limit") == "512.0 MiB"
    assert _setting(con, "temp_directory") == str((tmp_path / "spill").absolute())


def test_a_callers_connection_keeps_its_settings_without_the_options(tmp_path: Path) -> None:
    data = tmp_path / "calls.parquet"
    write(contacts(500, seed=1, days=2), data)
    con = duckdb.connect(config={"memory_limit": "1GiB", "temp_directory": str(tmp_path / "t")})
    slalang.evaluate(_plan(), data=data, connection=con)
    assert _setting(con, "memory_limit") == "1.0 GiB"
    assert _setting(con, "temp_directory") == str(tmp_path / "t")


def test_the_options_are_set_on_the_private_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "calls.parquet"
    write(contacts(500, seed=1, days=2), data)
    seen: list[tuple[str, str]] = []
    run = evaluation.engine.evaluate

    def spy(con: duckdb.DuckDBPyConnection, *args: Any, **options: Any) -> Any:
        seen.append((_setting(con, "memory_limit"), _setting(con, "temp_directory")))
        return run(con, *args, **options)

    monkeypatch.setattr(evaluation.engine, "evaluate", spy)
    slalang.evaluate(_plan(), data=data, memory_limit="75%", temp_dir=tmp_path / "spill")
    three_quarters = duckdb.connect(config={"memory_limit": "75%"})
    assert seen == [(_setting(three_quarters, "memory_limit"), str(tmp_path / "spill"))]
    slalang.evaluate(_plan(), data=data)  # nothing given: DuckDB's own defaults
    default = duckdb.connect()
    assert seen[1] == (_setting(default, "memory_limit"), _setting(default, "temp_directory"))


def test_a_small_memory_limit_evaluates_the_same(tmp_path: Path) -> None:
    # 300,000 contacts: a 65 MB CSV file, streamed through DuckDB's reader, in 100 MiB;
    # whatever DuckDB writes out goes to the temporary folder
    table = contacts(300_000, seed=2, days=31)
    data = tmp_path / "calls.csv"
    write(table, data)
    spill = tmp_path / "spill"
    con = duckdb.connect()
    result = slalang.evaluate(_plan(), data=data, connection=con, memory_limit="100MiB",
                              temp_dir=spill)  # fmt: skip
    (source,) = result.sources
    assert (source.rows_read, source.rows_loaded) == (300_000, 300_000)
    unbounded = slalang.evaluate(_plan(), data=table)
    assert [(v.objective, v.period, v.status, v.actual) for v in result.verdicts] == [
        (v.objective, v.period, v.status, v.actual) for v in unbounded.verdicts
    ]
    assert _setting(con, "temp_directory") == str(spill.absolute())
    spilled = con.execute("SELECT path FROM duckdb_temporary_files()").fetchall()
    assert all(Path(str(path)).parent == spill.absolute() for (path,) in spilled)
    con.close()
    assert list(spill.iterdir()) == []  # DuckDB removes its files as the connection closes


def test_an_evaluation_that_does_not_fit_is_e826_not_a_crash(tmp_path: Path) -> None:
    data = tmp_path / "calls.csv"
    # 10.8 MB: DuckDB's reading buffers alone need more than 16 MiB
    write(contacts(50_000, seed=1, days=1), data)
    with pytest.raises(slalang.EvaluationError) as raised:
        slalang.evaluate(_plan(), data=data, memory_limit="16MiB", temp_dir=tmp_path / "t")
    (found,) = raised.value.diagnostics
    assert found.code == "E826"
    # the file is read as it is evaluated: the message names it either way
    assert found.message.startswith("out of memory while ")
    assert f"reading `{data}`" in found.message
    assert "(memory limit 16.0 MiB)" in found.message
    assert raised.value.io


def test_the_options_are_checked_before_any_data_is_read(tmp_path: Path) -> None:
    with pytest.raises(slalang.EvaluationError) as raised:
        slalang.evaluate(_plan(), data=tmp_path / "missing.csv", memory_limit="4G",
                         temp_dir=tmp_path / "spill")  # fmt: skip
    assert [d.code for d in raised.value.diagnostics] == ["E824"]
    assert raised.value.io
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with pytest.raises(slalang.EvaluationError) as raised:
        slalang.evaluate(_plan(), data=tmp_path / "missing.csv", memory_limit="4Z",
                         temp_dir=tmp_path / "a-file")  # fmt: skip
    assert [d.code for d in raised.value.diagnostics] == ["E824", "E825"]


def test_a_temporary_folder_duckdb_will_not_switch_to_is_e825(tmp_path: Path) -> None:
    con = duckdb.connect(config={"memory_limit": "32MiB", "temp_directory": str(tmp_path / "a")})
    con.execute("CREATE TABLE big AS SELECT range::VARCHAR || repeat('x', 40) AS s "
                "FROM range(2000000)")  # fmt: skip
    data = tmp_path / "calls.parquet"
    write(contacts(100, seed=1, days=1), data)
    with pytest.raises(slalang.EvaluationError) as raised:
        slalang.evaluate(_plan(), data=data, connection=con, temp_dir=tmp_path / "b")
    (found,) = raised.value.diagnostics
    assert found.code == "E825"
    assert "Cannot switch temporary directory" in found.message


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_the_cli_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contract = tmp_path / "demo.sla"
    contract.write_text(CONTRACT, encoding="utf-8")
    data = tmp_path / "calls.csv"
    write(contacts(500, seed=1, days=2), data)
    base = ["evaluate", str(contract), "--data", str(data), "--format", "json"]
    spill = tmp_path / "spill"
    assert _cli(capsys, *base, "--memory-limit", "256MiB", "--temp-dir", str(spill))[0] == 0
    assert spill.is_dir()
    for option, value, code in (
        ("--memory-limit", "4G", "E824"),
        ("--memory-limit", "1KB", "E824"),
        ("--memory-limit", "200%", "E824"),
        ("--temp-dir", str(data), "E825"),
        ("--temp-dir", str(data / "sub"), "E825"),
    ):
        status, err = _cli(capsys, *base, option, value)
        assert status == 2, (option, value, err)
        assert f"error[{code}]" in err, err
