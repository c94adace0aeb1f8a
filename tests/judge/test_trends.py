"""Trends: planted drifts are flagged at the day a hand computation says; flat noise of the
same size is not (fixed seeds); trends never change a verdict, credit or status."""

from __future__ import annotations

import datetime as dt
import random

import attrs
import numpy as np
import pytest

import slalang
from slalang.engine.figures import EvaluationFigures, Figures
from slalang.judge.evaluation import judged
from slalang.judge.trends import trends

CONTRACT = """\
contract drift {
  client "A"
  vendor "B"
  timezone "UTC"
  currency USD
  monthly_charges 10_000 USD
}

source calls: contacts

objective sl {
  critical allocation 100%
  metric service_level
  threshold <= 20 s
  window month
  expected >= 80%
  minimum >= 70%
}

credits {
  at_risk 10%
}

account_at_risk {
  rule sl missed in 2 consecutive months
}
"""

CALLS = 1_000
"""Calls a weekday: the daily service level moves in steps of 0.1 point."""


def plan(extra: str = "") -> slalang.Plan:
    checked = slalang.check(CONTRACT + extra)
    assert checked.ok, checked.diagnostics
    return slalang.compile(checked)


def weekdays(start: dt.date, count: int) -> list[dt.date]:
    days = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def figures(values: dict[dt.date, float]) -> EvaluationFigures:
    """The daily service level given per day, as one bucket at 10:00 of CALLS calls."""
    buckets = {
        dt.datetime.combine(day, dt.time(10)): Figures(round(value * CALLS), CALLS, CALLS)
        for day, value in values.items()
    }
    return EvaluationFigures({"sl": buckets}, {})


MARCH = weekdays(dt.date(2026, 3, 2), 22)  # every weekday of March 2026


def test_a_run_of_worse_days_is_flagged_on_the_fifth_worsening() -> None:
    # flat at 90 % for the first eight weekdays, then 0.5 point lower every weekday:
    # March 12 is the first lower day (1 worsening), so the fifth worsening is the fifth
    # lower day: 12, 13, 16, 17, 18 March -> flagged on 2026-03-18, once for the whole run
    values = {day: 0.90 - 0.005 * max(0, index - 7) for index, day in enumerate(MARCH)}
    found = [f for f in trends(plan(), figures(values)) if f.kind == "worsening"]
    assert [f.period for f in found] == ["2026-03-18"]
    assert [p.period for p in found[0].points] == [
        "2026-03-11", "2026-03-12", "2026-03-13", "2026-03-16", "2026-03-17", "2026-03-18",
    ]  # fmt: skip
    assert [round(p.value, 3) for p in found[0].points] == [0.9, 0.895, 0.89, 0.885, 0.88, 0.875]


def test_worsening_counts_follow_the_trends_block() -> None:
    values = {day: 0.90 - 0.005 * max(0, index - 7) for index, day in enumerate(MARCH)}
    found = trends(plan("trends {\n  worsening 2\n}\n"), figures(values))
    assert [f.period for f in found if f.kind == "worsening"] == ["2026-03-13"]


def _expected_slope_day(values: dict[dt.date, float], over: int = 7) -> str | None:
    """An independent computation of the first day a slope flag is raised: an unweighted
    fit (every day has the same calls) with numpy, the month's remaining weekdays taken at
    the mean spacing of the fitted days, the month's value their mean."""
    days = sorted(values)
    for index in range(over - 1, len(days)):
        window = days[index + 1 - over : index + 1]
        xs = np.array([d.toordinal() for d in window], dtype=float)
        ys = np.array([values[d] for d in window])
        slope, intercept = np.polyfit(xs, ys, 1)
        residual = ys - (intercept + slope * xs)
        error = np.sqrt(residual @ residual / (over - 2) / ((xs - xs.mean()) ** 2).sum())
        if slope >= 0 or abs(slope) < 3 * error:
            continue
        so_far = [values[d] for d in days[: index + 1]]  # March only
        spacing = (xs[-1] - xs[0]) / (over - 1)
        end = dt.date(2026, 4, 1).toordinal()
        x = xs[-1] + spacing
        rest = []
        while x < end:
            rest.append(min(max(intercept + slope * x, 0.0), 1.0))
            x += spacing
        if sum(so_far + rest) / len(so_far + rest) < 0.80:
            return window[-1].isoformat()
    return None


def test_a_falling_line_is_flagged_when_it_would_sink_the_month() -> None:
    # 92 % for five weekdays, then two points lower every weekday
    values = {day: 0.92 - 0.02 * max(0, index - 4) for index, day in enumerate(MARCH)}
    expected = _expected_slope_day(values)
    assert expected is not None
    found = [f for f in trends(plan(), figures(values)) if f.kind == "slope"]
    assert found[0].period == expected
    assert found[0].window == "2026-03"
    assert found[0].projected is not None
    assert found[0].projected < 0.80
    assert found[0].level == "expected"
    assert found[0].slope is not None
    assert found[0].slope < 0


@pytest.mark.parametrize("seed", range(8))
def test_flat_noise_of_the_same_size_is_not_flagged(seed: int) -> None:
    # the drift of the first test falls 2.5 points over its run of five: noise of the same
    # size moves each day by up to 1.25 points either way around a flat 90 %
    draw = random.Random(seed)
    values = {day: 0.90 + draw.uniform(-0.0125, 0.0125) for day in MARCH}
    assert trends(plan(), figures(values)) == ()


@pytest.mark.parametrize("seed", range(8))
def test_the_drift_under_the_same_noise_is_flagged(seed: int) -> None:
    # the same noise on a month that falls by two points a weekday from March 12
    draw = random.Random(seed)
    values = {
        day: 0.90 - 0.02 * max(0, index - 7) + draw.uniform(-0.0125, 0.0125)
        for index, day in enumerate(MARCH)
    }
    found = trends(plan(), figures(values))
    assert found, "a drift of two points a day is flagged"
    assert min(f.period for f in found) >= "2026-03-12"


def test_trends_never_change_a_verdict_credit_or_status() -> None:
    values = {day: 0.92 - 0.02 * max(0, index - 4) for index, day in enumerate(MARCH)}
    with_flags = judged(plan(), figures(values), {}, {})
    assert with_flags.trends
    without = attrs.evolve(with_flags, trends=())
    quiet = judged(plan("trends {\n  worsening 50\n  slope_over 50\n}\n"), figures(values), {}, {})
    assert quiet.trends == ()
    assert quiet.verdicts == without.verdicts
    assert quiet.credits == without.credits
    assert quiet.risk == without.risk
    assert quiet.history == without.history


def test_weeks_follow_iso_weeks() -> None:
    # five weeks, each a point lower than the one before: four worsenings by week 14
    values = {}
    for index, day in enumerate(weekdays(dt.date(2026, 3, 2), 25)):
        values[day] = 0.95 - 0.01 * (index // 5)
    found = trends(plan("trends {\n  over weeks\n  worsening 4\n}\n"), figures(values))
    assert [(f.kind, f.period) for f in found if f.kind == "worsening"] == [
        ("worsening", "2026-W14")
    ]
