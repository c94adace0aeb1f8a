"""The sample evaluation of the report tests and of the examples in ``docs/reports.md``.

A small contract (voice service level, abandonment, a per-half-hour service
level, speed of answer, handle time, a quality index, an NPS) evaluated over
three months of hand-made figures, so that every status, credit state and
account status shows up. Print one format with::

    python tests/report/samples.py table     # or json, markdown, csv
    python tests/report/samples.py table drifting   # judged as of 2026-03-18
"""

from __future__ import annotations

import datetime as dt
import sys

import slalang
from slalang.engine.figures import Buckets, EvaluationFigures, Figures
from slalang.engine.plan import Plan, compile_plan
from slalang.judge.consequences import account_history, account_risk, credits
from slalang.judge.evaluation import judged
from slalang.judge.results import DataProblemSummary, Evaluation, SourceReport
from slalang.judge.verdicts import verdicts
from slalang.report import REPORT_FORMATS, render_evaluation

CONTRACT = """\
contract northwind_care "Northwind customer care" {
  client "Northwind Utilities"
  vendor "BlueDesk BPO"
  effective 2026-01-01 to 2026-12-31
  timezone "Europe/London"
  currency GBP
  monthly_charges 80_000 GBP
}

source calls: contacts {
  channel voice
}

source qa: audits {
  criteria [greeting, accuracy]
}

source surveys: surveys

objective service_level "Voice service level" {
  critical allocation 40%
  metric service_level
  from calls
  threshold <= 20 s
  short_abandon < 5 s
  window month
  aggregate pooled
  expected >= 80%
  minimum >= 70%
}

objective abandonment "Abandonment" {
  critical allocation 30%
  metric abandonment_rate
  from calls
  short_abandon < 5 s
  window month
  expected <= 5%
  minimum <= 8%
}

objective every_half_hour {
  key
  metric service_level
  from calls
  threshold <= 20 s
  window month
  aggregate share per 30 min meeting >= 70%
  expected >= 90%
}

objective speed_of_answer "Average speed of answer" {
  key
  metric average_speed_of_answer
  from calls
  window month
  expected <= 30 s
}

objective handle_time "Average handle time" {
  key
  metric average_handle_time
  from calls
  window month
  expected between 240 s and 420 s
}

objective quality "Quality index" {
  critical allocation 30%
  metric quality_index
  from qa
  customer_impact [greeting]
  business_impact [accuracy]
  window month
  expected >= 85 points
  minimum >= 80 points
}

objective promoters "Net promoter score" {
  key
  metric nps
  from surveys
  window month
  min_volume 50 responses
  expected >= 30
}

credits {
  at_risk 12%
  pool 100%
  cap 100%
  trigger missed
  earn_back 2 months
}

account_at_risk {
  rule "Chronic failure" any critical below minimum in 2 consecutive months
  rule "Repeated misses" service_level missed in 3 of last 6 months
  watch_margin 1
}
"""


def plan() -> Plan:
    """The sample contract, checked and compiled."""
    result = slalang.check(CONTRACT, path="northwind-care.sla")
    assert result.ok, result.diagnostics
    assert result.contract is not None
    return compile_plan(result.contract, path="northwind-care.sla")


def _at(month: int, day: int = 5, minute: int = 600) -> dt.datetime:
    return dt.datetime(2026, month, day) + dt.timedelta(minutes=minute)


def _monthly(*figures: Figures) -> Buckets:
    return {_at(month): f for month, f in enumerate(figures, start=1)}


def _short(count: int, outage: int = 0) -> dict[str, int]:
    return (
        {"outage: carrier fault": outage, "short abandon": count}
        if outage
        else {"short abandon": count}
    )


def figures() -> EvaluationFigures:
    """Three months of figures: January mostly met, February bad, March mixed."""
    half_hours: Buckets = {}
    for month, shares in ((1, (0.8, 0.75, 0.6, 0.9)), (2, (0.9, 0.85, 0.95, 0.7)), (3, (0.8, 0.5))):
        for index, share in enumerate(shares):
            half_hours[_at(month, minute=480 + 30 * index)] = Figures(share * 100, 100, 104)
    half_hours[_at(2, minute=1200)] = Figures(excluded={"outage: carrier fault": 12})
    buckets = {
        "service_level": _monthly(
            Figures(22_540, 30_005, 30_253, _short(248)),
            Figures(16_402, 30_161, 30_619, _short(148, outage=310)),
            Figures(25_100, 30_500, 30_702, _short(202)),
        ),
        "abandonment": _monthly(
            Figures(1_290, 30_005, 30_253, _short(248)),
            Figures(2_743, 30_161, 30_619, _short(148, outage=310)),
            Figures(2_600, 30_500, 30_702, _short(202)),
        ),
        "every_half_hour": half_hours,
        "speed_of_answer": _monthly(
            Figures(541_230.5, 27_100, 27_100),
            Figures(474_516, 13_542, 13_542, {"outage: carrier fault": 290}),
            Figures(505_232, 27_760, 27_760),
        ),
        "handle_time": _monthly(
            Figures(9_150_000, 27_100, 27_100),
            Figures(3_403_104, 13_542, 13_542, {"outage: carrier fault": 290}),
            Figures(12_630_800, 27_760, 27_760),
        ),
        "quality": _monthly(
            Figures(86.2, 100, 100), Figures(82.4, 100, 100), Figures(90.1, 100, 100)
        ),
        "promoters": _monthly(
            Figures(15, 42, 42),
            Figures(excluded={"outage: carrier fault": 3}),
            Figures(41, 120, 120),
        ),
    }
    return EvaluationFigures(buckets=buckets, forecasts={})


def sources() -> tuple[SourceReport, ...]:
    """The data report: one file with malformed rows, two clean ones."""
    reasons = ["unparsable value"] * 7 + ["negative duration"] * 3 + ["impossible timestamp"] * 2
    fields = {"unparsable value": "wait", "negative duration": "talk", "impossible timestamp": None}
    path = "data/northwind-2026-q1.csv"
    lines = [118 + 977 * index for index in range(11)] + [118 + 977 * 10]
    problems = tuple(  # eleven rows: the last has two problems
        DataProblemSummary(path, line, reason, fields[reason])
        for line, reason in zip(lines, reasons, strict=True)
    )
    return (
        SourceReport(
            source="calls",
            path=path,
            profile="generic-contacts",
            rows_read=91_905,
            rows_loaded=91_858,
            excluded={"test call": 36},
            problems=problems,
            problem_counts={
                "unparsable value": 7,
                "negative duration": 3,
                "impossible timestamp": 2,
            },
        ),
        SourceReport("qa", "data/qa-2026-q1.csv", None, 300, 300, {}, (), {}),
        SourceReport("surveys", "data/surveys-2026-q1.csv", None, 162, 162, {}, (), {}),
    )


def evaluation(plan_: Plan | None = None, data: EvaluationFigures | None = None) -> Evaluation:
    """An evaluation of the sample contract, by default over the sample figures."""
    compiled = plan_ if plan_ is not None else plan()
    found = verdicts(compiled, data if data is not None else figures())
    period_credits = credits(compiled, found)
    return Evaluation(
        plan=compiled,
        verdicts=tuple(found),
        credits=tuple(period_credits),
        risk=account_risk(compiled, found, period_credits),
        sources=sources() if data is None else (),
        history=account_history(compiled, found, period_credits),
    )


AS_OF = dt.date(2026, 3, 18)
"""The day the drifting sample is judged as of."""


def drifting_figures() -> EvaluationFigures:
    """January and February of the sample, then March day by day up to the 18th: the voice
    service level slides by half a point a working day, abandonment creeps up, the other
    objectives hold."""
    data = figures()
    buckets = {o: {b: f for b, f in bs.items() if b.month < 3} for o, bs in data.buckets.items()}
    day = dt.date(2026, 3, 2)
    step = 0
    while day <= AS_OF:
        if day.weekday() < 5:
            at = dt.datetime.combine(day, dt.time(10))
            buckets["service_level"][at] = Figures(840 - 5 * step, 1_000, 1_010)
            buckets["abandonment"][at] = Figures(40 + 2 * step, 1_000, 1_010)
            buckets["speed_of_answer"][at] = Figures(19_000, 1_000, 1_000)
            buckets["handle_time"][at] = Figures(330_000, 1_000, 1_000)
            buckets["quality"][at] = Figures(8.8, 10, 10)
            step += 1
        day += dt.timedelta(days=1)
    return EvaluationFigures(buckets, {})


def drifting() -> Evaluation:
    """The sample contract judged as of :data:`AS_OF` over :func:`drifting_figures`: trends
    flagged, and March's outlook."""
    until = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time())
    return judged(plan(), drifting_figures(), {}, {}, until=until)


def main(argv: list[str]) -> int:
    """Print the sample evaluation in the format named by the first argument."""
    format = argv[0] if argv else "table"
    if format not in REPORT_FORMATS:
        print(f"usage: samples.py [{' | '.join(REPORT_FORMATS)}]", file=sys.stderr)
        return 2
    which = drifting() if argv[1:] == ["drifting"] else evaluation()
    sys.stdout.write(render_evaluation(which, format=format))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
