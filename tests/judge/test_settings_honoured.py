"""Settings the checker accepts are honoured by both evaluators.

The contract's `effective` term, a calendar on a source whose records carry only a date, and
several reliefs on one objective, each with data built by hand and both evaluators.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import slalang
from slalang.judge.verdicts import Verdict

ENGINES = ("duckdb", "reference")

HEADER = """contract c {{
  client "A"
  vendor "B"
  timezone "UTC"{extra}
}}
"""


def _plan(text: str) -> slalang.Plan:
    result = slalang.check(text, path="c.sla")
    assert result.ok, [d.message for d in result.diagnostics]
    return slalang.compile(result)


def _csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def _by_period(verdicts: tuple[Verdict, ...]) -> dict[tuple[str, str], Verdict]:
    return {(v.objective, v.period): v for v in verdicts}


@pytest.mark.parametrize("evaluator", ENGINES)
def test_records_outside_the_term_are_set_aside_and_counted(tmp_path: Path, evaluator: str) -> None:
    text = HEADER.format(extra="\n  effective 2026-02-01 to 2026-02-28")
    text += """
source calls: contacts {
  profile "generic-contacts"
}

objective speed {
  key
  metric service_level
  threshold <= 20 s
  expected >= 80%
}

account_at_risk {
  rule speed missed in 1 consecutive months
}
"""
    rows = [f"j{i},2026-01-31 10:00:00,answered,90" for i in range(5)]  # slow, before the term
    rows += [f"f{i},2026-02-10 10:00:00,answered,5" for i in range(10)]
    rows += [f"m{i},2026-03-01 00:00:00,answered,90" for i in range(3)]  # slow, after it
    data = _csv(tmp_path / "calls.csv", "contact_id,queued_at,outcome,wait", rows)
    evaluation = slalang.evaluate(_plan(text), data=data, evaluator=evaluator)
    verdicts = _by_period(evaluation.verdicts)
    february = verdicts[("speed", "2026-02")]
    assert (february.status, february.numerator, february.denominator) == ("met", 10, 10)
    for period, count in (("2026-01", 5), ("2026-03", 3)):
        outside = verdicts[("speed", period)]
        assert outside.status == "no_data"
        assert outside.excluded == {"outside the contract term": count}
    assert evaluation.risk.status == "ok"


ADHERENCE = """
source schedule: adherence {{
  profile "generic-adherence"
}}

calendar weekdays {{
  open monday to friday 08:00-18:00{holiday}
}}

objective adherence {{
  key
  metric schedule_adherence
  expected >= 90%
}}
"""


@pytest.mark.parametrize("evaluator", ENGINES)
def test_date_only_records_are_judged_by_day_on_a_calendar(tmp_path: Path, evaluator: str) -> None:
    text = HEADER.format(extra="\n  calendar weekdays")
    text += ADHERENCE.format(holiday="\n  holiday 2026-01-07")
    rows = [
        "ann,2026-01-05,400,380",  # Monday
        "bob,2026-01-06,400,392",  # Tuesday
        "ann,2026-01-07,400,100",  # Wednesday, a holiday
        "bob,2026-01-10,300,30",  # Saturday: closed
    ]
    header = "agent,date,scheduled_minutes,adherent_minutes"
    data = _csv(tmp_path / "adherence.csv", header, rows)
    evaluation = slalang.evaluate(_plan(text), data=data, evaluator=evaluator)
    (verdict,) = evaluation.verdicts
    assert (verdict.numerator, verdict.denominator) == (772, 800)
    assert verdict.status == "met"
    assert verdict.excluded == {"closed day": 1, "holiday": 1}


FORECAST_HEADER = "interval_start,forecast_offered"

RELIEFS = """
source calls: contacts {
  profile "generic-contacts"
}

source plan_a: forecasts {
  profile "generic-forecasts"
}

source plan_b: forecasts {
  profile "generic-forecasts"
}

objective speed {
  key
  metric service_level
  from calls
  threshold <= 20 s
  expected >= 80%
}

relief surge "Volume above the first forecast" {
  volume_above_forecast 10%
  forecast plan_a
  interval 30 min
  applies_to [speed]
}

relief peak "Volume above the second forecast" {
  volume_above_forecast 10%
  forecast plan_b
  interval 60 min
  applies_to [speed]
}
"""


@pytest.mark.parametrize("evaluator", ENGINES)
def test_two_reliefs_on_one_objective_both_apply(tmp_path: Path, evaluator: str) -> None:
    text = HEADER.format(extra="") + RELIEFS
    rows = [f"a{i},2026-01-05 09:{i:02d}:00,answered,60" for i in range(10)]  # 09:00-09:30
    rows += [f"b{i},2026-01-05 11:{i:02d}:00,answered,60" for i in range(8)]  # 11:00-12:00
    rows += [f"c{i},2026-01-05 14:{i:02d}:00,answered,5" for i in range(4)]  # not excused
    calls = _csv(tmp_path / "calls.csv", "contact_id,queued_at,outcome,wait", rows)
    plan_a = _csv(tmp_path / "a.csv", FORECAST_HEADER, ["2026-01-05 09:00:00,5"])
    plan_b = _csv(tmp_path / "b.csv", FORECAST_HEADER, ["2026-01-05 11:00:00,4"])
    evaluation = slalang.evaluate(
        _plan(text),
        data={"calls": calls, "plan_a": plan_a, "plan_b": plan_b},
        evaluator=evaluator,
    )
    (verdict,) = evaluation.verdicts
    assert verdict.excluded == {"relief surge": 10, "relief peak": 8}
    assert (verdict.numerator, verdict.denominator, verdict.status) == (4, 4, "met")
