"""The month-to-date outlook: where an open period will end, and what it still needs.

Given the figures up to a moment inside an objective's window (``as_of``: the end of a day),
the outlook estimates what the rest of the window will bring and, for the expected level and
the minimum, what the remaining contacts (or intervals) need to reach it.

What the rest of the window brings:

* with a forecast (an objective with relief compares its volume with a forecast source),
  the forecast volume of the remaining intervals, scaled by the share of the window's volume
  so far that counts in the metric's denominator;
* otherwise the same weekdays of recent weeks: each remaining day is expected to bring the
  mean of the same weekday in the last four weeks before ``as_of`` (days of the data's span
  without any record count as zero, such as a closed day).

What the remainder needs:

* a share of records (service level, abandonment, response time, first-contact resolution,
  satisfaction by top box, a QA criterion, adherence minutes) is counted: the fewest of the
  remaining ~R that must meet the threshold (or, for ``<=`` levels, the most that may fail),
  found on the contract's own arithmetic (its rounding included), so that ``count`` reaches
  the level and one fewer (one more) does not;
* a mean (handle time, speed of answer, a quality index, a mean score) gives the mean the
  remaining records need;
* an aggregate over sub-periods (``share per 30 min meeting ...``) counts the remaining
  sub-periods that must meet; ``floor`` needs every remaining one, and is lost once one
  failed.

``already_safe``: no remaining performance can miss the level; ``already_lost``: none can
reach it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from fractions import Fraction

import attrs

from slalang.engine.figures import Buckets, EvaluationFigures, Figures
from slalang.engine.periods import key, span
from slalang.engine.plan import ObjectivePlan, Period, Plan, Target
from slalang.judge.verdicts import judge, relieved, status_of, unit_of, value_of, windows_of

WEEKS = 4
"""How many recent weeks a remaining day is estimated from."""

_DAY = Period("day")


@attrs.frozen
class Need:
    """What the rest of a window needs for one level."""

    level: str
    """``expected`` or ``minimum``."""
    state: str
    """``needs``, ``already_safe`` or ``already_lost``."""
    bound: str | None = None
    """``at_least``, ``at_most`` (the performance needed, or the failures allowed) or
    ``between`` (a band: from ``value`` to ``high``)."""
    value: float | None = None
    """The performance needed on the remainder: a share (0-1) of the remaining records or
    sub-periods, or a mean in the objective's unit."""
    count: int | None = None
    """For a counted remainder: how many of the remaining records (sub-periods) must meet
    (``at_least``) or may count against the level (``at_most``)."""
    high: float | None = None
    """For a band: the highest mean the remainder may have (None: no limit)."""


@attrs.frozen
class Outlook:
    """The outlook of one objective's open window."""

    objective: str
    period: str
    actual: float | None
    """The value so far."""
    remaining: float
    """What the rest of the window is expected to bring: records in the denominator, or
    sub-periods judged for an aggregate over sub-periods."""
    remaining_unit: str
    """``records`` or ``periods``."""
    basis: str
    """``forecast`` or ``same weekdays``."""
    projected: float | None
    """The window's value if the rest performs like the recent same weekdays."""
    projected_status: str | None
    needs: tuple[Need, ...]


@attrs.frozen
class _Day:
    num: float = 0.0
    den: float = 0.0
    volume: int = 0
    judged: int = 0
    meeting: int = 0
    total: float = 0.0
    """Sum of the judged sub-periods' values."""


def _days(plan: Plan, objective: ObjectivePlan, buckets: Buckets) -> dict[dt.date, _Day]:
    result = {}
    for period, subs in windows_of(plan, objective, buckets, _DAY).items():
        total = Figures()
        for figures in subs.values():
            total.add(figures)
        values = [
            value_of(objective, f.num, f.den) for f in subs.values()
            if f.den > 0 and (objective.min_volume_per is None
                              or f.volume >= objective.min_volume_per)
        ] if objective.per is not None else []  # fmt: skip
        meeting = sum(1 for v in values if _meets(objective, v))
        result[dt.date.fromisoformat(period)] = _Day(
            total.num, total.den, total.volume, len(values), meeting, float(sum(values))
        )
    return result


def _meets(objective: ObjectivePlan, value: Fraction) -> bool:
    target = objective.meeting if objective.aggregate == "share" else objective.expected
    assert target is not None
    return target.holds(value)


def _estimate(days: dict[dt.date, _Day], first: dt.date, until: dt.date, end: dt.date) -> _Day:
    """The remaining days ``until`` .. ``end`` (excluded), each as the mean of the same
    weekday in the last weeks before ``until`` within the data's span."""
    fields = ("num", "den", "volume", "judged", "meeting", "total")
    sums: dict[str, float] = defaultdict(float)
    day = until
    while day < end:
        earlier = [day - dt.timedelta(weeks=w) for w in range(1, 53)]
        usable = [d for d in earlier if first <= d < until][:WEEKS]
        for name in fields:
            if usable:
                sums[name] += sum(getattr(days.get(d, _Day()), name) for d in usable) / len(usable)
        day += dt.timedelta(days=1)
    return _Day(sums["num"], sums["den"], round(sums["volume"]), round(sums["judged"]),
                round(sums["meeting"]), sums["total"])  # fmt: skip


def _forecast(
    objective: ObjectivePlan,
    forecasts: dict[str, dict[dt.datetime, float]],
    until: dt.datetime,
    end: dt.datetime,
) -> float | None:
    """The forecast volume of the remaining intervals, from the first relief that has one."""
    for relief in objective.reliefs:
        volumes = forecasts.get(relief.id, {})
        ahead = [v for start, v in volumes.items() if until <= start < end]
        if ahead:
            return float(sum(ahead))
    return None


def _first(holds: Callable[[int], bool], low: int, high: int) -> int:
    """The smallest ``k`` in ``low + 1 .. high`` for which ``holds`` is true, ``holds``
    being false at ``low``, true at ``high`` and monotone between."""
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if holds(mid) else (mid, high)
    return high


def _count_need(
    level: str, target: Target, have: Callable[[int], Fraction], remaining: int
) -> Need:
    """The fewest (``>=``) or most (``<=``) of ``remaining`` that reach the target, where
    ``have(k)`` is the window's value with ``k`` of the remaining counting."""
    if target.higher_is_better is None:
        at_least = _count_need(level, Target(">=", target.value), have, remaining)
        at_most = _count_need(level, Target("<=", target.high or target.value), have, remaining)
        if "already_lost" in (at_least.state, at_most.state):
            return Need(level, "already_lost")
        return at_least if at_least.state == "needs" else at_most
    higher = target.higher_is_better
    best, worst = (remaining, 0) if higher else (0, remaining)
    if target.holds(have(worst)):
        return Need(level, "already_safe")
    if not target.holds(have(best)):
        return Need(level, "already_lost")
    if higher:  # the fewest that reach it
        count = _first(lambda k: target.holds(have(k)), 0, remaining)
        return Need(level, "needs", "at_least", count / remaining, count)
    count = _first(lambda k: not target.holds(have(k)), 0, remaining) - 1  # the most it keeps
    return Need(level, "needs", "at_most", count / remaining, count)


_BOUNDS = {"seconds": (0.0, None), "points": (0.0, 100.0), "ratio": (0.0, 1.0)}


def _mean_need(
    level: str,
    target: Target,
    objective: ObjectivePlan,
    have: Callable[[Fraction], Fraction],
    bounds: tuple[float | None, float | None],
) -> Need:
    """The mean the remainder needs, where ``have(m)`` is the window's value when the
    remaining records (sub-periods) average ``m``; the value is linear in ``m``."""
    if target.op == "between":
        assert target.high is not None
        low = _mean_need(level, Target(">=", target.value), objective, have, bounds)
        high = _mean_need(level, Target("<=", target.high), objective, have, bounds)
        if "already_lost" in (low.state, high.state):
            return Need(level, "already_lost")
        if low.state == high.state == "already_safe":
            return Need(level, "already_safe")
        return Need(level, "needs", "between", low.value if low.state == "needs" else bounds[0],
                    high=high.value if high.state == "needs" else bounds[1])  # fmt: skip
    v0, v1 = have(Fraction(0)), have(Fraction(1))
    if v1 == v0:
        return Need(level, "already_safe" if target.holds(v0) else "already_lost")
    needed = (target.value - v0) / (v1 - v0)
    bound = "at_least" if target.higher_is_better else "at_most"
    lowest, highest = bounds
    if bound == "at_least":
        if lowest is not None and needed <= lowest:
            return Need(level, "already_safe")
        if highest is not None and needed > highest:
            return Need(level, "already_lost")
    else:
        if highest is not None and needed >= highest:
            return Need(level, "already_safe")
        if lowest is not None and needed < lowest:
            return Need(level, "already_lost")
    return Need(level, "needs", bound, float(needed))


def _scale(objective: ObjectivePlan) -> Fraction:
    """What a mean per record of 1 is in the objective's unit."""
    return Fraction(100) if objective.metric in ("nps", "quality_index") else Fraction(1)


def _bounds(objective: ObjectivePlan) -> tuple[float | None, float | None]:
    if objective.metric == "nps":
        return (-100.0, 100.0)
    if objective.metric == "csat" and objective.knobs.get("method") == "mean":
        scale = objective.knobs.get("scale")
        return (1.0, float(scale) if isinstance(scale, Fraction) else None)
    return _BOUNDS.get(unit_of(objective), (None, None))


def _counted(objective: ObjectivePlan) -> bool:
    """True when the metric is a share of records, each counting fully or not at all."""
    return unit_of(objective) == "ratio" and objective.metric not in ("occupancy",)


def objective_outlook(
    plan: Plan,
    objective: ObjectivePlan,
    buckets: Buckets,
    forecasts: dict[str, dict[dt.datetime, float]],
    until: dt.datetime,
) -> Outlook | None:
    """The outlook of the window holding the moment before ``until``, or None when that
    window has ended by then or has no figures at all."""
    year_start = plan.effective[0] if plan.effective else None
    window = key(until - dt.timedelta(microseconds=1), objective.window, year_start=year_start)
    start, end = span(window, objective.window)
    if end <= until or not buckets:
        return None
    buckets = relieved(objective, buckets, forecasts)
    subs = windows_of(plan, objective, buckets, objective.window).get(window, {})
    so_far = judge(objective, window, subs)
    days = _days(plan, objective, {b: f for b, f in buckets.items() if b < until})
    first = min(days) if days else until.date()
    rest = _estimate(days, max(first, (start - dt.timedelta(weeks=WEEKS)).date()),
                     until.date(), end.date())  # fmt: skip
    total = Figures()
    for figures in subs.values():
        total.add(figures)
    if so_far.status == "no_data" and rest.volume == 0 and rest.den == 0:
        return None  # nothing so far, nothing expected: the window will have no data
    basis = "same weekdays"
    if objective.per is None or objective.aggregate in ("pooled", "weighted_mean"):
        remaining = rest.den
        planned = _forecast(objective, forecasts, until, end)
        if planned is not None:
            share = total.den / total.volume if total.volume else 1.0
            remaining, basis = planned * share, "forecast"
        rate = rest.num / rest.den if rest.den else (total.num / total.den if total.den else 0)
        projected = (
            value_of(objective, total.num + rate * remaining, total.den + remaining)
            if total.den + remaining > 0 else None
        )  # fmt: skip
        needs = _pooled_needs(objective, total, remaining)
        unit = "records"
    else:
        judged, meeting = so_far.judged or 0, so_far.meeting or 0
        values_sum = (
            Fraction(so_far.actual or 0) * judged if objective.aggregate == "mean" else Fraction(0)
        )
        remaining = float(rest.judged)
        projected = None
        if judged + rest.judged > 0:
            if objective.aggregate == "share":
                projected = Fraction(meeting + rest.meeting, judged + rest.judged)
            elif objective.aggregate == "mean":
                projected = (values_sum + Fraction(rest.total)) / (judged + rest.judged)
        needs = _period_needs(objective, so_far.status, judged, meeting, values_sum, rest.judged)
        unit = "periods"
    return Outlook(
        objective.id,
        window,
        so_far.actual,
        remaining,
        unit,
        basis,
        None if projected is None else float(projected),
        None if projected is None else status_of(objective, projected),
        needs,
    )


def _levels(objective: ObjectivePlan) -> list[tuple[str, Target]]:
    found = [("expected", objective.expected)]
    if objective.minimum is not None:
        found.append(("minimum", objective.minimum))
    return found


def _pooled_needs(objective: ObjectivePlan, total: Figures, remaining: float) -> tuple[Need, ...]:
    count, share, scale = round(remaining), Fraction(remaining), _scale(objective)
    num, den = Fraction(total.num), Fraction(total.den)

    def counted(k: int) -> Fraction:
        return value_of(objective, float(num + k), float(den + count))

    def mean(m: Fraction) -> Fraction:
        return value_of(objective, float(num + m / scale * share), float(den + share))

    needs = []
    for level, target in _levels(objective):
        if remaining <= 0 or (_counted(objective) and count == 0):
            state = (
                "already_safe" if total.den > 0
                and target.holds(value_of(objective, total.num, total.den)) else "already_lost"
            )  # fmt: skip
            needs.append(Need(level, state))
        elif _counted(objective):
            needs.append(_count_need(level, target, counted, count))
        else:
            needs.append(_mean_need(level, target, objective, mean, _bounds(objective)))
    return tuple(needs)


def _period_needs(
    objective: ObjectivePlan,
    status: str,
    judged: int,
    meeting: int,
    values_sum: Fraction,
    remaining: int,
) -> tuple[Need, ...]:
    needs = []
    for level, target in _levels(objective):
        if objective.aggregate == "floor":
            failed = status != "met" if level == "expected" else status == "below_minimum"
            if failed:
                needs.append(Need(level, "already_lost"))
            elif remaining == 0:
                needs.append(Need(level, "already_safe"))
            else:
                needs.append(Need(level, "needs", "at_least", 1.0, remaining))
        elif remaining == 0:
            value = (
                Fraction(meeting, judged) if objective.aggregate == "share"
                else values_sum / judged
            ) if judged else None  # fmt: skip
            ok = value is not None and target.holds(value)
            needs.append(Need(level, "already_safe" if ok else "already_lost"))
        elif objective.aggregate == "share":
            needs.append(_count_need(
                level, target,
                lambda k: Fraction(meeting + k, judged + remaining), remaining,
            ))  # fmt: skip
        else:
            needs.append(_mean_need(
                level, target, objective,
                lambda m: (values_sum + m * remaining) / (judged + remaining),
                _bounds(objective),
            ))  # fmt: skip
    return tuple(needs)


def outlook(plan: Plan, figures: EvaluationFigures, until: dt.datetime) -> tuple[Outlook, ...]:
    """The outlook of every objective whose window is still open at ``until``."""
    found = []
    for objective in plan.objectives:
        item = objective_outlook(plan, objective, figures.buckets.get(objective.id, {}),
                                 figures.forecasts.get(objective.id, {}), until)  # fmt: skip
        if item is not None:
            found.append(item)
    return tuple(found)
