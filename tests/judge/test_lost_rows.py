"""Rows an objective needs are never dropped silently.

An abandoned call without a recorded wait is a valid abandoned call (its wait is unknown, and
counts as longer than every threshold), and no verdict rests on data that lost rows without
saying so: each verdict counts the malformed rows of its period, and above the source's
``malformed_tolerance`` the period is not judged.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import slalang
from slalang.engine.reference import UNKNOWN_WAIT_NOTE

ENGINES = ("duckdb", "reference")

CONTRACT = """contract lost {{
  client "A"
  vendor "B"
  timezone "UTC"
}}

source calls: contacts {{
  profile "generic-contacts"{tolerance}
}}

objective abandonment {{
  critical
  metric abandonment_rate
  short_abandon < 5 s
  expected <= 5%
}}

objective speed {{
  key
  metric service_level
  variant F5
  threshold <= 20 s
  expected >= 50%
}}
"""

HEADER = "contact_id,queued_at,outcome,wait\n"


def _plan(tolerance: str = "") -> slalang.Plan:
    setting = f"\n  malformed_tolerance {tolerance}" if tolerance else ""
    return slalang.compile(slalang.check(CONTRACT.format(tolerance=setting), path="lost.sla"))


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def _calls(answered: int, abandoned: int, day: str = "2026-01-05") -> list[str]:
    rows = [f"a{i},{day} 09:{i % 60:02d}:00,answered,{i % 40}" for i in range(answered)]
    rows += [f"b{i},{day} 10:{i % 60:02d}:00,abandoned," for i in range(abandoned)]
    return rows


@pytest.mark.parametrize("evaluator", ENGINES)
def test_abandoned_calls_with_an_empty_wait_are_abandoned_calls(
    tmp_path: Path, evaluator: str
) -> None:
    data = _write(tmp_path / "calls.csv", _calls(answered=90, abandoned=10))
    evaluation = slalang.evaluate(_plan(), data=data, evaluator=evaluator)
    (source,) = evaluation.sources
    assert (source.rows_loaded, source.problem_counts) == (100, {})
    verdicts = {v.objective: v for v in evaluation.verdicts}
    abandonment = verdicts["abandonment"]
    # 10 abandoned of 100 offered; none of them is a short abandon, since the wait is unknown
    assert (abandonment.numerator, abandonment.denominator) == (10, 100)
    assert abandonment.status == "below_minimum"  # no minimum: missing it is below
    assert abandonment.noted == {UNKNOWN_WAIT_NOTE: 10}
    speed = verdicts["speed"]
    # answered with a wait of 0-39 s: 21 of every 40 within 20 s; the abandons count against
    within = sum(1 for i in range(90) if i % 40 <= 20)
    assert (speed.numerator, speed.denominator) == (within, 100)
    assert speed.noted == {UNKNOWN_WAIT_NOTE: 10}


def test_an_answered_call_still_needs_its_wait(tmp_path: Path) -> None:
    data = _write(tmp_path / "calls.csv", ["a1,2026-01-05 09:00:00,answered,"])
    evaluation = slalang.evaluate(_plan(), data=data)
    assert evaluation.sources[0].problem_counts == {"missing required value": 1}


@pytest.mark.parametrize("evaluator", ENGINES)
def test_a_period_that_lost_too_many_rows_is_not_judged(tmp_path: Path, evaluator: str) -> None:
    # January: 100 good rows and 5 with an unreadable wait (about 4.8 %); February: 200 good
    rows = _calls(answered=100, abandoned=0)
    rows += [f"x{i},2026-01-06 09:00:00,answered,soon" for i in range(5)]
    rows += _calls(answered=200, abandoned=0, day="2026-02-03")
    data = _write(tmp_path / "calls.csv", rows)
    evaluation = slalang.evaluate(_plan(), data=data, evaluator=evaluator)
    by_period = {(v.objective, v.period): v for v in evaluation.verdicts}
    january = by_period[("abandonment", "2026-01")]
    assert (january.status, january.malformed, january.rows) == ("incomplete", 5, 100)
    assert by_period[("abandonment", "2026-02")].status == "met"
    assert by_period[("abandonment", "2026-02")].malformed == 0
    assert {v.period for v in evaluation.incomplete} == {"2026-01"}
    assert evaluation.credits == ()
    # a tolerance above the loss judges the month, still showing the loss
    relaxed = slalang.evaluate(_plan("5%"), data=data, evaluator=evaluator)
    january = next(v for v in relaxed.verdicts if v.period == "2026-01")
    assert (january.status, january.malformed) == ("met", 5)


def test_a_period_whose_rows_were_all_malformed_still_has_a_verdict(tmp_path: Path) -> None:
    rows = _calls(answered=50, abandoned=0)
    rows += [f"x{i},2026-02-03 09:00:00,answered,soon" for i in range(3)]
    evaluation = slalang.evaluate(_plan(), data=_write(tmp_path / "calls.csv", rows))
    february = [v for v in evaluation.verdicts if v.period == "2026-02"]
    assert [(v.objective, v.status, v.malformed) for v in february] == [
        ("abandonment", "incomplete", 3),
        ("speed", "incomplete", 3),
    ]


def test_rows_without_a_readable_time_count_in_every_period(tmp_path: Path) -> None:
    rows = _calls(answered=300, abandoned=0) + _calls(answered=300, abandoned=0, day="2026-02-03")
    rows.append("y1,yesterday,answered,4")
    evaluation = slalang.evaluate(_plan(), data=_write(tmp_path / "calls.csv", rows))
    assert {v.malformed for v in evaluation.verdicts} == {1}
    assert {v.status for v in evaluation.verdicts} == {"met"}


def test_the_cli_exits_1_and_every_format_shows_the_raw_values(tmp_path: Path) -> None:
    contract = tmp_path / "lost.sla"
    contract.write_text(CONTRACT.format(tolerance=""), encoding="utf-8")
    rows = [*_calls(answered=20, abandoned=0), "x1,2026-01-06 09:00:00,answered,soon"]
    data = _write(tmp_path / "calls.csv", rows)
    outputs = {}
    for format in ("table", "markdown", "json"):
        done = subprocess.run(
            [sys.executable, "-m", "slalang", "evaluate", str(contract), "--data", str(data),
             "--format", format],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 1, done.stderr
        assert "2 verdict(s) not given" in done.stderr
        outputs[format] = done.stdout
    for format in ("table", "markdown"):
        assert "wait='soon'" in outputs[format]
        assert "INCOMPLETE DATA" in outputs[format]
        assert "malformed 1 of 21 rows" in outputs[format]
    document = json.loads(outputs["json"])
    (problem,) = document["data"][0]["problems"]
    assert problem["values"] == "wait='soon'"
    statuses = {r["status"] for r in document["results"]}
    assert statuses == {"incomplete"}
    assert document["results"][0]["malformed_share"] == pytest.approx(1 / 21)


def test_a_source_of_several_files_reports_each_row_by_its_own_file(tmp_path: Path) -> None:
    contract = tmp_path / "lost.sla"
    contract.write_text(CONTRACT.format(tolerance="\n  malformed_tolerance 50%"), "utf-8")
    first = _write(tmp_path / "week1.csv", _calls(answered=30, abandoned=0))
    second = _write(tmp_path / "week2.csv", [*_calls(answered=10, abandoned=2), "x,2026-01-05"])
    done = subprocess.run(
        [sys.executable, "-m", "slalang", "evaluate", str(contract), "--data",
         f"calls={first}", "--data", f"calls={second}", "--format", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    (data,) = document["data"]
    assert (data["rows_read"], data["rows_loaded"]) == (43, 42)
    (problem,) = data["problems"]
    assert (Path(problem["path"]).name, problem["line"]) == ("week2.csv", 14)
    abandonment = next(r for r in document["results"] if r["objective"] == "abandonment")
    assert (abandonment["numerator"], abandonment["denominator"]) == (2, 42)
