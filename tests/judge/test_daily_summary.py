"""A daily ACD summary (one row per day) is an interval report whose interval is the day.

It evaluates per month with the pooled figures a hand computation gives, in both evaluators,
and the checker refuses to judge it by the hour (E609).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import slalang

PROFILE = """name: daily-summary
kind: intervals
format: csv
header: true
fields:
  interval_start: {expr: "combine(day, 0)", type: timestamp}
  offered: {column: offered}
  answered: {column: answered}
  abandoned: {column: abandoned}
  answered_within_20: {column: in_20}
  total_wait: {expr: "number(asa) * number(answered)"}
  total_talk: {expr: "number(avg_talk) * number(answered)"}
"""

DAYS = [
    # day, offered, answered, abandoned, answered within 20 s, average speed of answer, talk
    ("2026-01-05", 1000, 950, 50, 800, 18.0, 200.0),
    ("2026-01-06", 1200, 1100, 100, 850, 25.0, 220.0),
    ("2026-02-02", 900, 880, 20, 790, 12.0, 180.0),
]

CONTRACT = """contract daily {
  client "A"
  vendor "B"
  timezone "UTC"
}

source days: intervals {
  profile "daily-summary.yaml"
  interval 1 d
}

objective speed {
  key
  metric service_level
  threshold <= 20 s
  expected >= 80%
}

objective abandonment {
  key
  metric abandonment_rate
  short_abandon none
  expected <= 5%
}

objective asa {
  key
  metric average_speed_of_answer
  expected <= 20 s
}

objective talk {
  key
  metric average_handle_time
  components [talk]
  expected <= 240 s
}

objective good_days {
  key
  metric service_level
  threshold <= 20 s
  aggregate share per day meeting >= 80%
  expected >= 50%
}
"""


@pytest.mark.parametrize("evaluator", ["duckdb", "reference"])
def test_a_daily_summary_evaluates_per_month(tmp_path: Path, evaluator: str) -> None:
    (tmp_path / "daily-summary.yaml").write_text(PROFILE, encoding="utf-8")
    lines = ["day,offered,answered,abandoned,in_20,asa,avg_talk"]
    lines += [",".join(str(value) for value in day) for day in DAYS]
    data = tmp_path / "days.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    contract = tmp_path / "daily.sla"
    contract.write_text(CONTRACT, encoding="utf-8")
    plan = slalang.compile(slalang.check_file(contract))
    evaluation = slalang.evaluate(plan, data=data, base=tmp_path, evaluator=evaluator)
    assert evaluation.sources[0].problem_counts == {}
    got = {(v.objective, v.period): v for v in evaluation.verdicts}
    january = [d for d in DAYS if d[0].startswith("2026-01")]
    offered = sum(d[1] for d in january)
    answered = sum(d[2] for d in january)
    speed = got[("speed", "2026-01")]
    assert (speed.numerator, speed.denominator) == (sum(d[4] for d in january), offered)
    assert speed.actual == pytest.approx(1650 / 2200)
    abandonment = got[("abandonment", "2026-01")]
    assert (abandonment.numerator, abandonment.denominator) == (150, 2200)
    asa = got[("asa", "2026-01")]
    assert asa.actual == pytest.approx((18.0 * 950 + 25.0 * 1100) / answered)
    talk = got[("talk", "2026-01")]
    assert talk.actual == pytest.approx((200.0 * 950 + 220.0 * 1100) / answered)
    # 5 January 80.0 % meets 80 %, 6 January 70.8 % does not: one of two days
    good = got[("good_days", "2026-01")]
    assert (good.judged, good.meeting, good.status) == (2, 1, "met")
    assert got[("speed", "2026-02")].actual == pytest.approx(790 / 900)


def test_a_daily_summary_cannot_be_judged_by_the_hour(tmp_path: Path) -> None:
    (tmp_path / "daily-summary.yaml").write_text(PROFILE, encoding="utf-8")
    path = str(tmp_path / "daily.sla")
    hours = CONTRACT.replace("aggregate share per day", "aggregate share per 60 min")
    window = CONTRACT.replace(
        "  metric abandonment_rate\n", "  metric abandonment_rate\n  window 30 min\n"
    )
    for text in (hours, window):
        found = slalang.check(text, path=path).diagnostics
        assert [d.code for d in found if d.code.startswith("E")] == ["E609"]
    assert slalang.check(CONTRACT, path=path).ok
