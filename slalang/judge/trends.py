"""Trends: figures that are getting worse, flagged early; reported, never a verdict.

Each objective's figure is followed over days or ISO weeks (the contract's ``trends`` block,
or the command line's ``--trend-over``): the objective's own metric and aggregation over
each period that has a value (periods without data, such as closed Sundays, are left out, so
they neither break nor extend a run). Two kinds of flag:

* ``worsening``: the figure got worse from one period to the next in ``worsening``
  consecutive periods (further from the level's good side: lower for ``>=``, higher for
  ``<=``, further from the middle of a ``between`` band), by more in all than its noise: at
  least three times the standard deviation of its changes from one period to the next in the
  (up to) 20 values before the run. Flagged at the period the run reaches that length; a
  longer run is the same flag.
* ``slope``: the least-squares line through the last ``slope_over`` values (each weighted
  by its denominator, the periods' dates as x) worsens, its slope at least three times its
  standard error so that flat noise seldom flags, and the objective's window holding the
  period would miss the expected level (or the minimum) if the rest of it followed the line:
  the window's value so far plus, for each period still to come in it (spaced as the last
  values are), the line's value weighted by their mean denominator. Flagged at the first
  period of a run where this holds.

Trends never change a status, a credit or the account's status.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from collections.abc import Sequence
from fractions import Fraction

import attrs

from slalang.engine.figures import Buckets, EvaluationFigures
from slalang.engine.periods import key, span
from slalang.engine.plan import ObjectivePlan, Period, Plan, Target
from slalang.judge.verdicts import judge, relieved, unit_of, windows_of

SIGNIFICANCE = 3.0
"""How many standard errors a slope must be from flat to flag, and how many standard
deviations of a figure's changes a run of worse values must move by in all."""


@attrs.frozen
class Point:
    """One period's figure of an objective's trend."""

    period: str
    value: float
    volume: int
    weight: float = 1.0
    """What the value is a share or mean of (its denominator, or sub-periods judged)."""


@attrs.frozen
class TrendFlag:
    """A figure getting worse, with the figures behind the flag."""

    objective: str
    kind: str
    """``worsening`` or ``slope``."""
    period: str
    """The day (``2026-03-14``) or week (``2026-W11``) at which the flag is raised."""
    points: tuple[Point, ...]
    """The values the flag is computed from, in time order."""
    level: str | None = None
    """For ``slope``: the level the line reaches, ``expected`` or ``minimum``."""
    slope: float | None = None
    """For ``slope``: the line's change per day."""
    projected: float | None = None
    """For ``slope``: the value ``window`` ends with if the rest of it follows the line."""
    window: str | None = None
    """For ``slope``: the objective's window the projection runs to the end of."""


def points(
    plan: Plan,
    objective: ObjectivePlan,
    buckets: Buckets,
    forecasts: dict[str, dict[dt.datetime, float]],
    over: Period,
) -> list[Point]:
    """An objective's figure per period of kind ``over`` (minimum volumes left out: a trend
    follows the figure, not whether one period may be judged)."""
    loose = attrs.evolve(objective, min_volume=None)
    result = []
    windows = windows_of(plan, loose, relieved(objective, buckets, forecasts), over)
    for period, subs in sorted(windows.items(), key=lambda item: span(item[0], over)[0]):
        verdict = judge(loose, period, subs)
        if verdict.actual is not None:
            weight = verdict.judged if verdict.judged is not None else verdict.denominator
            result.append(Point(period, verdict.actual, verdict.volume, float(weight)))
    return result


def _badness(target: Target, value: float) -> float:
    """Larger is worse."""
    if target.higher_is_better is True:
        return -value
    if target.higher_is_better is False:
        return value
    assert target.high is not None
    return abs(value - float(target.value + target.high) / 2)


def _fit(
    xs: Sequence[float], ys: Sequence[float], ws: Sequence[float]
) -> tuple[float, float, float]:
    """Weighted least squares: intercept, slope and the slope's standard error."""
    n = len(xs)
    total = sum(ws)
    ws = [w * n / total for w in ws]  # mean weight 1: the error is in the values' own scale
    mean_x = sum(w * x for w, x in zip(ws, xs, strict=True)) / n
    mean_y = sum(w * y for w, y in zip(ws, ys, strict=True)) / n
    sxx = sum(w * (x - mean_x) ** 2 for w, x in zip(ws, xs, strict=True))
    sxy = sum(w * (x - mean_x) * (y - mean_y) for w, x, y in zip(ws, xs, ys, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    residual = sum(w * (y - intercept - slope * x) ** 2 for w, x, y in zip(ws, xs, ys, strict=True))
    error = math.sqrt(residual / (n - 2) / sxx) if n > 2 else math.inf
    return intercept, slope, error


def _day(moment: dt.datetime) -> float:
    return moment.toordinal() + (moment.hour * 60 + moment.minute) / 1440


def _holds(target: Target, value: float) -> bool:
    return target.holds(Fraction(value))


_BOUNDS = {"ratio": (0.0, 1.0), "points": (0.0, 100.0), "seconds": (0.0, math.inf)}


def _slope_flag(
    objective: ObjectivePlan,
    series: list[Point],
    starts: list[dt.datetime],
    index: int,
    count: int,
    over: Period,
    year_start: dt.date | None,
) -> TrendFlag | None:
    """The slope flag at ``series[index]``, over the ``count`` points up to it; ``starts``
    are the points' periods' starts."""
    recent = series[index + 1 - count : index + 1]
    xs = [_day(s) for s in starts[index + 1 - count : index + 1]]
    ys = [p.value for p in recent]
    weights = [max(p.weight, 1e-9) for p in recent]
    intercept, slope, error = _fit(xs, ys, weights)
    target = objective.expected
    worse = _badness(target, ys[-1] + slope) > _badness(target, ys[-1])
    if not worse or slope == 0 or abs(slope) < SIGNIFICANCE * error:
        return None
    window = key(starts[index], objective.window, year_start=year_start)
    start, end = span(window, objective.window)
    if end <= span(recent[-1].period, over)[1]:
        return None  # the window ends with this period: nothing left to project
    first = bisect.bisect_left(starts, start, 0, index + 1)
    inside = series[first : index + 1]
    spacing = (xs[-1] - xs[0]) / (len(xs) - 1)
    low, high = _BOUNDS.get(unit_of(objective), (-math.inf, math.inf))
    mean_weight = sum(weights) / len(weights)
    num = sum(p.value * p.weight for p in inside)
    den = sum(p.weight for p in inside)
    x = xs[-1] + spacing
    while x < _day(end):
        num += min(max(intercept + slope * x, low), high) * mean_weight
        den += mean_weight
        x += spacing
    projected = num / den
    if _holds(target, projected):
        return None
    minimum = objective.minimum
    level = "minimum" if minimum is not None and not _holds(minimum, projected) else "expected"
    return TrendFlag(objective.id, "slope", recent[-1].period, tuple(recent), level,
                     slope, projected, window)  # fmt: skip


BASELINE = 20
"""How many values before a run its noise is measured on."""


def _material(objective: ObjectivePlan, series: list[Point], index: int, run: int) -> bool:
    """Whether a run of worse values ending at ``index`` moved more than the figure's noise:
    its total change is at least :data:`SIGNIFICANCE` times the standard deviation of the
    changes from one period to the next in the (up to) :data:`BASELINE` values before it.
    With fewer than three such changes there is nothing to measure noise on, and the run
    counts."""
    first = index - run
    before = [p.value for p in series[max(0, first - BASELINE) : first + 1]]
    changes = [b - a for a, b in itertools.pairwise(before)]
    if len(changes) < 3:
        return True
    mean = sum(changes) / len(changes)
    spread = math.sqrt(sum((c - mean) ** 2 for c in changes) / (len(changes) - 1))
    target = objective.expected
    moved = _badness(target, series[index].value) - _badness(target, series[first].value)
    return moved >= SIGNIFICANCE * spread


def flags(
    plan: Plan, objective: ObjectivePlan, series: list[Point], over: Period
) -> list[TrendFlag]:
    """Every flag of one objective's series, in time order."""
    trends = plan.trends
    year_start = plan.effective[0] if plan.effective else None
    found: list[TrendFlag] = []
    run = 0
    sloping = False
    starts = [span(p.period, over)[0] for p in series]
    for index, point in enumerate(series):
        if index and _badness(objective.expected, point.value) > _badness(
            objective.expected, series[index - 1].value
        ):
            run += 1
        else:
            run = 0
        if run == trends.worsening and _material(objective, series, index, run):
            found.append(TrendFlag(objective.id, "worsening", point.period,
                                   tuple(series[index - run : index + 1])))  # fmt: skip
        if index + 1 >= trends.slope_over:
            flag = _slope_flag(objective, series, starts, index, trends.slope_over, over,
                               year_start)  # fmt: skip
            if flag is not None and not sloping:
                found.append(flag)
            sloping = flag is not None
    return found


def trends(
    plan: Plan, figures: EvaluationFigures, over: str | None = None
) -> tuple[TrendFlag, ...]:
    """The trend flags of every objective, objective by objective in contract order, each in
    time order; ``over`` (``days`` or ``weeks``) overrides the contract's."""
    period = Period("week" if (over or plan.trends.over) == "weeks" else "day")
    found: list[TrendFlag] = []
    for objective in plan.objectives:
        series = points(plan, objective, figures.buckets.get(objective.id, {}),
                        figures.forecasts.get(objective.id, {}), period)  # fmt: skip
        found.extend(flags(plan, objective, series, period))
    return tuple(found)
