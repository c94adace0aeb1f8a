"""Stage 6, verdicts: figures become verdicts per objective and period, with evidence.

From the per-bucket figures of an evaluator this stage applies relief, cuts
windows and aggregation periods, judges each window against the expected and
minimum levels, and keeps the evidence: numerator, denominator, volume, judged
sub-periods and the excluded records by reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction
from typing import Any

import attrs

from slalang.engine.figures import Buckets, EvaluationFigures, Figures
from slalang.engine.periods import bucket_start, key
from slalang.engine.plan import ObjectivePlan, Period, Plan, Target

STATUSES = ("met", "missed", "below_minimum", "not_measurable", "no_data", "incomplete")
"""``incomplete``: not judged, because too many of the period's rows are malformed."""

_UNITS = {
    "service_level": "ratio", "abandonment_rate": "ratio", "average_speed_of_answer": "seconds",
    "average_handle_time": "seconds", "occupancy": "ratio", "schedule_adherence": "ratio",
    "response_time": "ratio", "csat": "ratio", "nps": "score", "fcr": "ratio",
    "qa_criterion": "ratio", "quality_index": "points",
}  # fmt: skip


@attrs.frozen
class Verdict:
    """The verdict of one objective for one period, with its evidence."""

    objective: str
    title: str | None
    line: int
    critical: bool
    period: str
    status: str
    actual: float | None
    unit: str
    expected: Target
    minimum: Target | None
    numerator: float
    denominator: float
    volume: int
    aggregate: str
    judged: int | None = None
    meeting: int | None = None
    excluded: dict[str, int] = attrs.field(factory=dict)
    noted: dict[str, int] = attrs.field(factory=dict)
    """Records counted under a documented assumption, by what was assumed."""
    malformed: int = 0
    """Malformed rows of the source that fall in this period, or whose time cannot be read."""
    rows: int = 0
    """Rows of the source loaded for this period (counted only when some rows are malformed)."""
    predicted: bool = False
    """True for a verdict predicted from a staffing plan and a forecast, not from records."""


def unit_of(objective: ObjectivePlan) -> str:
    """The unit ``actual`` is expressed in: ratio (0-1), seconds, points or score."""
    if objective.metric == "csat" and objective.knobs.get("method") == "mean":
        return "score"
    return _UNITS[objective.metric]


def value_of(objective: ObjectivePlan, num: float, den: float) -> Fraction:
    """The metric's value from a numerator and a denominator (``den`` > 0)."""
    value = Fraction(num) / Fraction(den)
    if objective.metric in ("nps", "quality_index"):
        value *= 100
    rounding = objective.knobs.get("rounding")
    if isinstance(rounding, Fraction) and unit_of(objective) == "ratio":
        value = Fraction(round(value * 100, int(rounding))) / 100
    return value


def status_of(objective: ObjectivePlan, value: Fraction) -> str:
    """met, missed (but not below minimum), or below_minimum."""
    if objective.expected.holds(value):
        return "met"
    if objective.minimum is not None and objective.minimum.holds(value):
        return "missed"
    return "below_minimum"


def relieved(
    objective: ObjectivePlan, buckets: Buckets, forecasts: dict[str, dict[dt.datetime, float]]
) -> Buckets:
    """Buckets with every relief applied: an excused bucket's records are set aside, counted
    under ``relief ID`` of the first relief (in contract order) that excuses it."""
    excused_by: dict[dt.datetime, str] = {}
    for relief in objective.reliefs:
        forecast = forecasts.get(relief.id, {})
        volumes: dict[dt.datetime, int] = defaultdict(int)
        for start, figures in buckets.items():
            volumes[bucket_start(start, relief.minutes)] += figures.volume
        excused = {
            start
            for start, volume in volumes.items()
            if start in forecast and volume > forecast[start] * float(1 + relief.excess)
        }
        for start in buckets:
            if bucket_start(start, relief.minutes) in excused:
                excused_by.setdefault(start, f"relief {relief.id}")
    if not excused_by:
        return buckets
    result: Buckets = {}
    for start, figures in buckets.items():
        reason = excused_by.get(start)
        if reason is not None:
            moved = Figures(excluded=dict(figures.excluded))
            moved.exclude(reason, figures.volume)
            result[start] = moved
        else:
            result[start] = figures
    return result


def _year_start(plan: Plan) -> dt.date | None:
    return plan.effective[0] if plan.effective else None


def objective_verdicts(
    plan: Plan,
    objective: ObjectivePlan,
    buckets: Buckets,
    forecasts: dict[str, dict[dt.datetime, float]],
) -> list[Verdict]:
    """Every window of one objective, in time order."""
    windows = windows_of(plan, objective, relieved(objective, buckets, forecasts), objective.window)
    return [judge(objective, period, subs) for period, subs in sorted(windows.items())]


def windows_of(
    plan: Plan, objective: ObjectivePlan, buckets: Buckets, window: Period
) -> dict[str, dict[str, Figures]]:
    """An objective's (relieved) buckets summed per period of kind ``window`` and, within
    each, per sub-period of its aggregation (the period itself when pooled)."""
    year_start = _year_start(plan)
    windows: dict[str, dict[str, Figures]] = defaultdict(dict)
    for start in sorted(buckets):
        period = key(start, window, year_start=year_start)
        sub = key(start, objective.per, year_start=year_start) if objective.per else period
        windows[period].setdefault(sub, Figures()).add(buckets[start])
    return windows


def judge(objective: ObjectivePlan, period: str, subs: dict[str, Figures]) -> Verdict:
    """The verdict of one period from the figures of its sub-periods."""
    total = Figures()
    for figures in subs.values():
        total.add(figures)
    base: dict[str, Any] = {
        "objective": objective.id, "title": objective.title, "line": objective.line,
        "critical": objective.critical, "period": period, "unit": unit_of(objective),
        "expected": objective.expected, "minimum": objective.minimum,
        "volume": total.volume, "aggregate": objective.aggregate,
        "excluded": dict(sorted(total.excluded.items())),
        "noted": dict(sorted(total.noted.items())),
    }  # fmt: skip
    if total.volume == 0 and total.den == 0:
        return Verdict(status="no_data", actual=None, numerator=0.0, denominator=0.0, **base)
    low_volume = objective.min_volume is not None and total.volume < objective.min_volume
    if objective.aggregate == "pooled" or objective.per is None:
        if low_volume or total.den == 0:
            return Verdict(
                status="not_measurable",
                actual=None,
                numerator=total.num,
                denominator=total.den,
                **base,
            )
        value = value_of(objective, total.num, total.den)
        return Verdict(
            status=status_of(objective, value),
            actual=float(value),
            numerator=total.num,
            denominator=total.den,
            **base,
        )
    judged = [
        (sub, figures) for sub, figures in sorted(subs.items())
        if figures.den > 0 and (objective.min_volume_per is None
                                or figures.volume >= objective.min_volume_per)
    ]  # fmt: skip
    if low_volume or not judged:
        return Verdict(
            status="not_measurable",
            actual=None,
            numerator=0.0,
            denominator=0.0,
            judged=len(judged),
            **base,
        )
    values = [value_of(objective, f.num, f.den) for _, f in judged]
    method = objective.aggregate
    if method == "mean":
        value = sum(values, Fraction(0)) / len(values)
        status = status_of(objective, value)
        meeting = sum(1 for v in values if objective.expected.holds(v))
    elif method == "weighted_mean":
        value = value_of(objective, sum(f.num for _, f in judged), sum(f.den for _, f in judged))
        status = status_of(objective, value)
        meeting = sum(1 for v in values if objective.expected.holds(v))
    elif method == "share":
        target = objective.meeting
        assert target is not None
        meeting = sum(1 for v in values if target.holds(v))
        value = Fraction(meeting, len(values))
        status = status_of(objective, value)
    else:  # floor: every judged sub-period must meet the level
        meeting = sum(1 for v in values if objective.expected.holds(v))
        value = _worst(objective.expected, values)
        if meeting == len(values):
            status = "met"
        elif objective.minimum is not None and all(objective.minimum.holds(v) for v in values):
            status = "missed"
        else:
            status = "below_minimum"
    return Verdict(
        status=status,
        actual=float(value),
        numerator=float(meeting),
        denominator=float(len(values)),
        judged=len(values),
        meeting=meeting,
        **base,
    )


def _worst(target: Target, values: list[Fraction]) -> Fraction:
    if target.higher_is_better is True:
        return min(values)
    if target.higher_is_better is False:
        return max(values)
    assert target.high is not None
    low, high = target.value, target.high
    return max(values, key=lambda v: max(low - v, v - high))


def verdicts(plan: Plan, figures: EvaluationFigures) -> list[Verdict]:
    """All verdicts of a plan, objective by objective in contract order."""
    result: list[Verdict] = []
    for objective in plan.objectives:
        result.extend(
            objective_verdicts(
                plan,
                objective,
                figures.buckets.get(objective.id, {}),
                figures.forecasts.get(objective.id, {}),
            )
        )
    return result
