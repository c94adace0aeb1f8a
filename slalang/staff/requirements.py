"""Staffing stage: the contract's objectives that a plan can meet, and what each asks of it.

An objective can be staffed when its metric is a service level, an average speed of answer
or an abandonment rate and its filters can be decided from a forecast line (a queue and a
channel). For each forecast row it applies to, its numerator and denominator are shares of
the row's calls that a queueing model predicts (:class:`slalang.staff.erlang.Outcome`),
following the objective's knobs as the evaluators read them (DOMAIN.md 1.1-1.3):

- service level: numerator ``answered within T`` plus, with abandons within T counted as
  successes, those abandons; denominator every call, less short abandons and the abandons
  the knobs exclude (within T for F2 and F4, after T for F4);
- abandonment rate: abandons (short ones left out) over calls (short abandons left out of
  the denominator too, unless ``short_abandons_in_denominator``);
- ASA: total wait of answered calls over answered calls (or over all calls).

A model has no flow-outs or callbacks, and measures the queue wait (``wait_start`` and
``wait_end`` cannot move it). Rows count for an objective in the part of their interval its
calendar opens (an interval half in opening hours brings half its calls) and inside the
contract's term.
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import numpy.typing as npt

from slalang.codes import diag
from slalang.diagnostics import Diagnostic
from slalang.engine.periods import key
from slalang.engine.plan import Calendar, ObjectivePlan, Period, Plan, Target
from slalang.engine.reference import limit_of, matches
from slalang.lang import model as m
from slalang.staff.erlang import Floats, Ints, Outcome
from slalang.staff.forecast import Forecast

STAFFED = ("service_level", "average_speed_of_answer", "abandonment_rate")
"""The metrics a queueing model predicts."""

DECIDABLE = frozenset({"queue", "channel"})
"""The fields a forecast line knows."""


@attrs.frozen(eq=False)
class Requirement:
    """One staffed objective and the forecast rows it judges.

    Attributes:
        objective: the objective's plan.
        share: the part of each row's calls the objective judges (0 where it does not).
        threshold: the service-level threshold T, seconds (0 for other metrics).
        short: the short-abandon time S, seconds (0 without short abandons).
        hours: the part of each row's interval the objective would judge calls in, had it
            any: its line is one the objective's filters take, inside the contract's term
            and the opening hours of the objective's calendar.
        lines: per row, whether its line is one the objective's filters take.
    """

    objective: ObjectivePlan
    share: Floats
    threshold: float
    short: float
    hours: Floats
    lines: npt.NDArray[np.bool_]

    @property
    def id(self) -> str:
        """The objective's id."""
        return self.objective.id

    @property
    def rows(self) -> Ints:
        """The forecast rows the objective judges."""
        return np.flatnonzero(self.share > 0)

    @property
    def needs_abandonment(self) -> bool:
        """True when the objective measures abandons, which Erlang C does not have."""
        return self.objective.metric == "abandonment_rate"

    def ratio(self, outcome: Outcome) -> tuple[Floats, Floats]:
        """Numerator and denominator per call (arrays of the outcome's shape)."""
        knobs = self.objective.knobs
        answered = 1.0 - outcome.p_abandon
        metric = self.objective.metric
        if metric == "average_speed_of_answer":
            if knobs.get("population") == "offered":
                return outcome.wait_all, np.ones_like(answered)
            waits = np.where(answered > 0, answered * outcome.wait_answered, 0.0)
            return waits, answered
        short = outcome.abandoned_short if self.short > 0 else np.zeros_like(answered)
        if metric == "abandonment_rate":
            kept = 1.0 if knobs.get("short_abandons_in_denominator") else 1.0 - short
            return outcome.p_abandon - short, kept * np.ones_like(answered)
        # service level: short abandons first (they may reach beyond T when S > T)
        within = outcome.abandoned_within
        short_within = np.minimum(short, within)
        short_after = short - short_within
        within_kept = within - short_within
        after_kept = np.maximum(outcome.p_abandon - within - short_after, 0.0)
        num = outcome.answered_within.copy()
        if knobs["abandons_within_threshold"] == "success":
            num = num + within_kept
        den = answered.copy()
        if knobs["abandons_within_threshold"] != "excluded":
            den = den + within_kept
        if knobs["abandons_after_threshold"] != "excluded":
            den = den + after_kept
        return num, den

    def gap(self, outcome: Outcome, target: Target) -> Floats:
        """Per call, how far the rows are on the good side of ``target``: ``num - t den``
        for a level to reach, ``t den - num`` for a level not to pass. Summed over rows
        (weighted by their calls) it is >= 0 exactly when the pooled value meets the target."""
        num, den = self.ratio(outcome)
        value = float(target.value)
        return num - value * den if target.higher_is_better else value * den - num


class Starts(list[dt.datetime]):
    """The forecast rows' interval starts as clock times, with each kind of period's keys
    worked out once."""

    def __init__(self, starts: list[dt.datetime]) -> None:
        super().__init__(starts)
        self._keys: dict[tuple[Period, dt.date | None], list[str]] = {}

    def keys(self, period: Period, year_start: dt.date | None) -> list[str]:
        """Every row's key of one kind of period."""
        found = self._keys.get((period, year_start))
        if found is None:
            found = [key(s, period, year_start=year_start) for s in self]
            self._keys[(period, year_start)] = found
        return found


def moments(forecast: Forecast) -> Starts:
    """Each forecast row's interval start as a clock time."""
    epoch = dt.datetime(1970, 1, 1)
    return Starts([epoch + dt.timedelta(microseconds=int(us)) for us in forecast.start])


def open_share(calendar: Calendar | None, starts: list[dt.datetime], minutes: int) -> Floats:
    """The part of each interval in the calendar's opening hours (1 without a calendar)."""
    if calendar is None:
        return np.ones(len(starts))
    found = np.zeros(len(starts))
    cache: dict[dt.datetime, float] = {}
    for i, start in enumerate(starts):
        if start not in cache:
            local = calendar.local(start)
            if local.date() in calendar.holidays:
                cache[start] = 0.0
            else:
                first = local.hour * 60 + local.minute
                last = min(first + minutes, 1440)
                ranges = calendar.hours.get(local.weekday(), ())
                covered = sum(max(0, min(last, b) - max(first, a)) for a, b in ranges)
                cache[start] = covered / minutes
        found[i] = cache[start]
    return found


def _fields(expr: m.Expr) -> set[str]:
    if isinstance(expr, m.Compare | m.Member):
        return {expr.field.text}
    if isinstance(expr, m.Not):
        return _fields(expr.operand)
    return {name for operand in expr.operands for name in _fields(operand)}


def _not_staffed(objective: ObjectivePlan, why: str) -> Diagnostic:
    return diag("W901", f"objective `{objective.id}` (line {objective.line}) is not staffed: "
                f"{why}", None, help="the plan does not make sure it is met")  # fmt: skip


def requirements(
    plan: Plan, forecast: Forecast, starts: list[dt.datetime]
) -> tuple[list[Requirement], list[Diagnostic]]:
    """The staffed objectives of a plan over a forecast, and a W901 for each service level,
    ASA or abandonment objective that cannot be staffed from it."""
    found: list[Requirement] = []
    problems: list[Diagnostic] = []
    for objective in plan.objectives:
        if objective.metric not in STAFFED or objective.source_kind not in (
            "contacts",
            "intervals",
        ):
            continue  # fmt: skip
        levels = [objective.expected, objective.meeting]
        if any(t is not None and t.op == "between" for t in levels):
            problems.append(_not_staffed(objective, "its level is a band, not a bound"))
            continue
        other = sorted(set().union(*(_fields(f) for f in objective.filters)) - DECIDABLE)
        if other:
            problems.append(_not_staffed(objective, "its filters read "
                                         + ", ".join(f"`{f}`" for f in other)
                                         + ", which a forecast does not have"))  # fmt: skip
            continue
        channel = plan.sources[objective.source].settings.get("channel")
        decided = []
        for queue, line_channel in forecast.lines:
            row = {"queue": queue, "channel": line_channel if line_channel else channel}
            decided.append([matches(f, row) for f in objective.filters])
        if any(v is None for values in decided for v in values):
            problems.append(_not_staffed(objective, "the forecast has no queue or channel "
                                         "to decide its filters by"))  # fmt: skip
            continue
        covers = np.asarray([all(values) for values in decided], dtype=np.bool_)
        share = covers[forecast.line].astype(np.float64)
        if objective.calendar is not None and objective.calendar.exclude_out_of_hours:
            share *= open_share(objective.calendar, starts, forecast.minutes)
        if objective.term is not None:
            first, after = objective.term
            inside = [first <= s < after for s in starts]
            share *= np.asarray(inside, dtype=np.float64)
        hours = share.copy()
        share *= forecast.calls > 0
        if not share.any():
            problems.append(_not_staffed(objective, "the forecast has no call it judges"))
            continue
        knobs = objective.knobs
        threshold = knobs.get("threshold")
        short = knobs.get("short_abandon")
        found.append(Requirement(
            objective, share,
            float(limit_of(threshold)[1]) if threshold is not None else 0.0,
            float(limit_of(short)[1]) if short is not None else 0.0,
            hours,
            covers[forecast.line],
        ))  # fmt: skip
    return found, problems


def period_keys(
    requirement: Requirement, starts: Starts, year_start: dt.date | None
) -> tuple[list[str], list[str]]:
    """Each judged row's window key and sub-period key (the window's again without ``per``)."""
    objective = requirement.objective
    rows = requirement.rows.tolist()
    every = starts.keys(objective.window, year_start)
    windows = [every[r] for r in rows]
    if objective.per is None:
        return windows, windows
    subs = starts.keys(objective.per, year_start)
    return windows, [subs[r] for r in rows]


def interval_lengths(requirement: Requirement) -> list[int]:
    """The interval lengths (minutes) the objective's window and sub-periods are cut in."""
    objective = requirement.objective
    return [p.minutes for p in (objective.window, objective.per)
            if p is not None and p.kind == "interval"]  # fmt: skip
