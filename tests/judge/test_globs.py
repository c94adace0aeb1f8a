"""A source given as a pattern (``--data calls='exports/2026-*.csv'``, ``data={"calls":
"exports/2026-*.csv"}``): its files read as the files of one source, each row reported by
its own file and line; literal paths stay literal; no match and folders are E812."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import slalang
from slalang.cli import main

CONTRACT = """contract globs {
  client "A"
  vendor "B"
  timezone "UTC"
}

source calls: contacts {
  profile "calls.yaml"
  malformed_tolerance 50%
}

objective abandonment {
  critical
  metric abandonment_rate
  expected <= 5%
}
"""

PROFILE = """name: calls
kind: contacts
format: csv
fields:
  contact_id: {column: contact_id}
  queued_at: {column: queued_at}
  outcome: {column: outcome}
  wait: {column: wait}
exclude:
  - when: "starts_with(contact_id, 'test')"
    reason: test call
"""

HEADER = "contact_id,queued_at,outcome,wait\n"


def _export(path: Path, month: int, *, answered: int, abandoned: int, bad_line: int) -> Path:
    """A month of calls with one test call (excluded) and, on ``bad_line``, one row with an
    unreadable wait (malformed)."""
    rows = [f"a{month}-{i},2026-{month:02d}-05 09:{i % 60:02d}:00,answered,{i % 30}"
            for i in range(answered)]  # fmt: skip
    rows += [f"b{month}-{i},2026-{month:02d}-05 10:{i % 60:02d}:00,abandoned,4"
             for i in range(abandoned)]  # fmt: skip
    rows.append(f"test{month},2026-{month:02d}-05 11:00:00,answered,1")
    rows.insert(bad_line - 2, f"x{month},2026-{month:02d}-05 12:00:00,answered,soon")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "globs.sla").write_text(CONTRACT, encoding="utf-8")
    (tmp_path / "calls.yaml").write_text(PROFILE, encoding="utf-8")
    exports = tmp_path / "exports"
    _export(exports / "2026-01.csv", 1, answered=40, abandoned=2, bad_line=5)
    _export(exports / "2026-02.csv", 2, answered=30, abandoned=3, bad_line=12)
    _export(exports / "2026-03.csv", 3, answered=20, abandoned=1, bad_line=3)
    _export(exports / "2025-12.csv", 12, answered=10, abandoned=10, bad_line=2)  # not matched
    return tmp_path


def _plan(folder: Path) -> slalang.Plan:
    return slalang.compile(slalang.check_file(folder / "globs.sla"))


def _evaluate(folder: Path, data: object) -> slalang.Evaluation:
    return slalang.evaluate(_plan(folder), data=data, base=folder)


ROWS_READ = (40 + 2 + 2) + (30 + 3 + 2) + (20 + 1 + 2)
"""Each file: its answered and abandoned calls, one test call and one malformed row."""


def test_a_pattern_reads_each_matching_file_as_one_source(folder: Path) -> None:
    evaluation = _evaluate(folder, {"calls": str(folder / "exports/2026-*.csv")})
    (source,) = evaluation.sources
    files = [folder / "exports" / f"2026-0{m}.csv" for m in (1, 2, 3)]
    assert source.path == ", ".join(map(str, files))
    assert (source.rows_read, source.rows_loaded) == (ROWS_READ, ROWS_READ - 3 - 3)
    assert source.excluded == {"test call": 3}
    assert source.problem_counts == {"unparsable value": 3}
    assert source.rows_read == (
        source.rows_loaded + sum(source.excluded.values()) + sum(source.problem_counts.values())
    )
    assert [(p.path, p.line) for p in source.problems] == [
        (str(files[0]), 5), (str(files[1]), 12), (str(files[2]), 3)
    ]  # fmt: skip
    by_period = {v.period: v for v in evaluation.verdicts}
    assert sorted(by_period) == ["2026-01", "2026-02", "2026-03"]
    assert [(v.numerator, v.denominator, v.malformed) for v in by_period.values()] == [
        (2, 42, 1), (3, 33, 1), (1, 21, 1)
    ]  # fmt: skip
    # the same as naming the files one by one
    listed = _evaluate(folder, {"calls": files})
    assert listed.sources == evaluation.sources
    assert listed.verdicts == evaluation.verdicts


def test_a_relative_pattern_is_read_from_the_current_folder(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder)
    evaluation = _evaluate(folder, Path("exports/2026-0[12].csv"))
    (source,) = evaluation.sources
    assert source.path == "exports/2026-01.csv, exports/2026-02.csv"
    assert [(p.path, p.line) for p in source.problems] == [
        ("exports/2026-01.csv", 5), ("exports/2026-02.csv", 12)
    ]  # fmt: skip


def test_patterns_and_files_mix_in_a_list(folder: Path) -> None:
    exports = folder / "exports"
    evaluation = _evaluate(
        folder, {"calls": [exports / "2025-12.csv", str(exports / "2026-0[23].csv")]}
    )
    (source,) = evaluation.sources
    assert [Path(p.path).name for p in source.problems] == ["2025-12.csv", "2026-02.csv",
                                                            "2026-03.csv"]  # fmt: skip


def test_a_pattern_with_one_match_is_that_file(folder: Path) -> None:
    one = _evaluate(folder, str(folder / "exports" / "2026-02.*"))
    literal = _evaluate(folder, folder / "exports" / "2026-02.csv")
    assert one.sources == literal.sources
    assert one.sources[0].path == str(folder / "exports" / "2026-02.csv")


def test_a_literal_path_with_brackets_is_read_as_it_is(folder: Path) -> None:
    # `c[1].csv` exists: it is that file, not the pattern that would match `c1.csv`
    _export(folder / "c[1].csv", 1, answered=5, abandoned=0, bad_line=2)
    _export(folder / "c1.csv", 2, answered=50, abandoned=0, bad_line=2)
    evaluation = _evaluate(folder, str(folder / "c[1].csv"))
    (source,) = evaluation.sources
    assert (source.path, source.rows_read) == (str(folder / "c[1].csv"), 7)


def test_a_pattern_without_a_match_is_e812_for_every_one(folder: Path) -> None:
    with pytest.raises(slalang.EvaluationError) as raised:
        _evaluate(folder, {"calls": [str(folder / "exports/2027-*.csv"),
                                                        str(folder / "exports")]})  # fmt: skip
    assert raised.value.io
    assert [(d.code, d.message) for d in raised.value.diagnostics] == [
        ("E812", f"no data file matches the pattern `{folder / 'exports/2027-*.csv'}`"),
        ("E812", f"cannot read data file `{folder / 'exports'}`: a folder, not a file"),
    ]


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_cli_reads_a_pattern_relative_to_the_current_folder(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(folder)
    code, out, err = _cli(capsys, "evaluate", "globs.sla", "--data", "calls=exports/2026-*.csv",
                          "--format", "json")  # fmt: skip
    assert code == 0, err
    (data,) = json.loads(out)["data"]
    assert (data["rows_read"], data["rows_loaded"], data["rows_malformed"]) == (
        ROWS_READ, ROWS_READ - 6, 3
    )  # fmt: skip
    assert data["excluded"] == {"test call": 3}
    assert [(p["path"], p["line"]) for p in data["problems"]] == [
        ("exports/2026-01.csv", 5), ("exports/2026-02.csv", 12), ("exports/2026-03.csv", 3)
    ]  # fmt: skip
    # a plain --data PATH for a one-source contract is a pattern too
    code, out, err = _cli(capsys, "evaluate", "globs.sla", "--data", "exports/*.csv",
                          "--format", "json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["data"][0]["path"].startswith("exports/2025-12.csv, exports/2026-01")


def test_the_cli_exits_2_for_no_match_and_for_a_folder(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(folder)
    code, _, err = _cli(capsys, "evaluate", "globs.sla", "--data", "calls=exports/2027-*.csv")
    assert code == 2
    assert "error[E812]: no data file matches the pattern `exports/2027-*.csv`" in err
    code, _, err = _cli(capsys, "evaluate", "globs.sla", "--data", "calls=exports")
    assert code == 2
    assert "error[E812]: cannot read data file `exports`: a folder, not a file" in err
    assert "give the pattern `exports/*.csv`" in err


def test_the_cli_reads_a_literal_path_with_brackets(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _export(folder / "c[1].csv", 1, answered=5, abandoned=0, bad_line=2)
    _export(folder / "c1.csv", 2, answered=50, abandoned=0, bad_line=2)
    monkeypatch.chdir(folder)
    code, out, err = _cli(capsys, "evaluate", "globs.sla", "--data", "calls=c[1].csv",
                          "--format", "json")  # fmt: skip
    assert code == 0, err
    (data,) = json.loads(out)["data"]
    assert (data["path"], data["rows_read"]) == ("c[1].csv", 7)
