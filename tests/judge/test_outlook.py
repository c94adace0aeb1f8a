"""The month-to-date outlook against brute force: for the count it reports, a remainder that
achieves exactly that reaches the level and one call less (more) does not; "already lost" and
"already safe" are what no count can change. Checked on generated records through the whole
pipeline (``as_of``), and on hand-made figures for every kind of level."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slalang
from slalang.engine.figures import EvaluationFigures, Figures
from slalang.judge.outlook import Need, objective_outlook, outlook
from slalang.synth import contacts

CONTRACT = """\
contract outlook {{
  client "A"
  vendor "B"
  timezone "UTC"
}}

source calls: contacts

objective sl {{
  key
  metric service_level
  threshold <= 20 s
  window month
  expected >= {expected}%
  minimum >= {minimum}%
}}

objective abandon {{
  key
  metric abandonment_rate
  window month
  expected <= {abandon}%
}}

objective all_day {{
  key
  metric service_level
  threshold <= 20 s
  window month
  aggregate share per 60 min meeting >= 80%
  expected >= 90%
}}

objective aht {{
  key
  metric average_handle_time
  window month
  expected between 240 s and 420 s
}}
"""


def plan(expected: int = 80, minimum: int = 70, abandon: int = 5) -> slalang.Plan:
    checked = slalang.check(CONTRACT.format(expected=expected, minimum=minimum, abandon=abandon))
    assert checked.ok, checked.diagnostics
    return slalang.compile(checked)


def _holds(op: str, level: Fraction, value: Fraction) -> bool:
    return value >= level if op == ">=" else value <= level


def brute_force(num: int, den: int, remaining: int, op: str, level: Fraction) -> Need:
    """Every count of the remaining tried in turn: the fewest that reach a ``>=`` level, the
    most that keep a ``<=`` one."""
    holding = [
        k for k in range(remaining + 1) if _holds(op, level, Fraction(num + k, den + remaining))
    ]
    if op == ">=":
        if not holding:
            return Need("", "already_lost")
        if holding[0] == 0:
            return Need("", "already_safe")
        return Need("", "needs", "at_least", None, holding[0])
    if not holding:
        return Need("", "already_lost")
    if holding[-1] == remaining:
        return Need("", "already_safe")
    return Need("", "needs", "at_most", None, holding[-1])


def _same(found: Need, expected: Need) -> None:
    assert (found.state, found.bound, found.count) == (expected.state, expected.bound,
                                                       expected.count)  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    day=st.integers(3, 27),
    expected=st.integers(50, 95),
    drop=st.integers(1, 20),
    abandon=st.integers(1, 15),
)
def test_needed_counts_of_generated_months_are_exact(
    seed: int, day: int, expected: int, drop: int, abandon: int
) -> None:
    compiled = plan(expected, max(expected - drop, 1), abandon)
    data = contacts(3_000, seed=seed, start="2026-03-01", days=31)
    evaluation = slalang.evaluate(compiled, data=data, as_of=dt.date(2026, 3, day))
    so_far = {v.objective: v for v in evaluation.verdicts if v.period == "2026-03"}
    for item in evaluation.outlook:
        assert item.period == "2026-03"
        if item.objective not in ("sl", "abandon"):
            continue
        verdict = so_far[item.objective]
        num, den = int(verdict.numerator), int(verdict.denominator)
        remaining = round(item.remaining)
        objective = next(o for o in compiled.objectives if o.id == item.objective)
        levels = {"expected": objective.expected, "minimum": objective.minimum}
        for need in item.needs:
            target = levels[need.level]
            assert target is not None
            _same(need, brute_force(num, den, remaining, target.op, target.value))
            if need.state == "needs":
                assert need.count is not None
                # exactly that count reaches the level, one call less (more) does not
                reach = Fraction(num + need.count, den + remaining)
                short = Fraction(num + need.count + (-1 if need.bound == "at_least" else 1),
                                 den + remaining)  # fmt: skip
                assert _holds(target.op, target.value, reach)
                assert not _holds(target.op, target.value, short)


def test_records_after_the_as_of_day_are_set_aside_and_counted() -> None:
    data = contacts(2_000, seed=3, start="2026-03-01", days=31)
    day = dt.date(2026, 3, 15)
    evaluation = slalang.evaluate(plan(), data=data, as_of=day)
    end = pa.scalar(dt.datetime(2026, 3, 16), pa.timestamp("us"))
    later = pc.sum(pc.greater_equal(data["queued_at"], end)).as_py()
    assert later > 0
    assert evaluation.sources[0].excluded["after the as-of day"] == later
    cut = data.filter(pc.less(data["queued_at"], end))
    whole = slalang.evaluate(plan(), data=cut)
    assert [v.numerator for v in evaluation.verdicts] == [v.numerator for v in whole.verdicts]
    assert evaluation.as_of == day


MONDAY = dt.datetime(2026, 3, 2, 10)


def _weekday_buckets(values: list[tuple[int, int]], weeks: int = 2) -> dict[dt.datetime, Figures]:
    """``values`` (met, offered) for each weekday, repeated for ``weeks`` weeks from March 2."""
    buckets = {}
    for week in range(weeks):
        for index, (met, offered) in enumerate(values):
            at = MONDAY + dt.timedelta(days=7 * week + index)
            buckets[at] = Figures(met, offered, offered)
    return buckets


def test_the_remainder_is_the_mean_of_the_same_weekdays() -> None:
    compiled = plan()
    objective = compiled.objectives[0]
    # two weeks of 100 calls every weekday; as of Friday 13 March: 12 weekdays remain in March
    buckets = _weekday_buckets([(80, 100)] * 5)
    until = dt.datetime(2026, 3, 14)
    found = objective_outlook(compiled, objective, buckets, {}, until)
    assert found is not None
    assert found.basis == "same weekdays"
    assert found.remaining == pytest.approx(1_200)  # 12 weekdays of 100 calls
    assert found.projected == pytest.approx(0.80)


@pytest.mark.parametrize(
    ("met", "state"),
    [(2_000, "already_safe"), (200, "already_lost"), (1_600, "needs")],
)
def test_already_safe_and_already_lost(met: int, state: str) -> None:
    compiled = plan()
    objective = compiled.objectives[0]
    # four weeks of 100 calls a weekday (2,000 so far), as of Monday 30 March: Tuesday 31
    # is expected to bring the mean of the last four Tuesdays, 100 calls
    buckets = _weekday_buckets([(met // 20, 100)] * 5, weeks=4)
    until = dt.datetime(2026, 3, 31)
    found = objective_outlook(compiled, objective, buckets, {}, until)
    assert found is not None
    assert round(found.remaining) == 100
    expected = found.needs[0]
    assert expected.state == state
    _same(expected, brute_force(met, 2_000, 100, ">=", Fraction(4, 5)))


def test_share_of_intervals_counts_the_remaining_intervals() -> None:
    compiled = plan()
    objective = next(o for o in compiled.objectives if o.id == "all_day")
    # four hours a weekday for two weeks: 40 hours judged, 30 meeting 80 %
    buckets = {}
    for week in range(2):
        for index in range(5):
            for hour in range(4):
                at = MONDAY + dt.timedelta(days=7 * week + index, hours=hour)
                good = hour != 0 or index % 2 == 0
                buckets[at] = Figures(90 if good else 50, 100, 100)
    until = dt.datetime(2026, 3, 14)
    found = objective_outlook(compiled, objective, buckets, {}, until)
    assert found is not None
    assert found.remaining_unit == "periods"
    judged = 40
    meeting = sum(1 for f in buckets.values() if f.num / f.den >= 0.8)
    remaining = round(found.remaining)
    assert remaining == 48  # 12 weekdays of 4 hours
    need = found.needs[0]
    _same(need, brute_force(meeting, judged, remaining, ">=", Fraction(9, 10)))


def test_a_band_of_means_needs_a_range() -> None:
    compiled = plan()
    objective = next(o for o in compiled.objectives if o.id == "aht")
    buckets = {b: Figures(300 * 100, 100, 100) for b in _weekday_buckets([(1, 1)] * 5)}
    until = dt.datetime(2026, 3, 14)
    found = objective_outlook(compiled, objective, buckets, {}, until)
    assert found is not None
    need = found.needs[0]
    assert need.bound == "between"
    # 1,000 calls at 300 s so far, 1,200 to come: the month stays in 240-420 s when the rest
    # averages between (240 x 2,200 - 300,000) / 1,200 = 190 s and (420 x 2,200 - 300,000)
    # / 1,200 = 520 s
    assert need.value == pytest.approx(190)
    assert need.high == pytest.approx(520)


def test_an_ended_window_has_no_outlook() -> None:
    compiled = plan()
    evaluation_figures = EvaluationFigures({"sl": _weekday_buckets([(80, 100)] * 5)}, {})
    assert outlook(compiled, evaluation_figures, dt.datetime(2026, 4, 1)) == ()
