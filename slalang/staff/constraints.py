"""Staffing stage: each staffed objective as constraints on the tables, as the contract
aggregates it.

The judge (:mod:`slalang.judge.verdicts`) cuts an objective's buckets into windows and, with
``per``, sub-periods; the constraints follow it:

- ``pooled`` (or no ``per``): per window, the pooled value meets the expected level: one group
  of all the window's intervals;
- ``weighted_mean``: the same over the judged sub-periods only (those with ``min_volume``);
- ``floor``: every judged sub-period meets the expected level: a group per sub-period (per
  interval, a group per interval);
- ``share``: per window, at least the share of judged sub-periods the expected level asks
  for meet the ``meeting`` level: groups per sub-period, a number of them needed;
- ``mean``: the mean of the sub-periods' values meets the level. It is linear in the
  intervals once each sub-period's denominator is fixed, so the constraint is rebuilt at the
  plan's current agents until the exact mean holds (one sub-period per interval needs no
  rebuilding: each interval's value is its own ratio).

Windows below ``min_volume`` are not measurable and ask nothing.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import attrs
import numpy as np

from slalang.codes import diag
from slalang.diagnostics import Diagnostic
from slalang.engine.plan import Target
from slalang.staff.allocate import EPSILON, Constraint
from slalang.staff.erlang import Floats, Ints, Outcome
from slalang.staff.forecast import Forecast
from slalang.staff.requirements import Requirement, Starts, interval_lengths, period_keys


@attrs.frozen(eq=False)
class Table:
    """Predicted figures for a range of agents in each tabulated forecast row.

    Attributes:
        rows: the forecast rows tabulated.
        index: per forecast row, its table row (-1 when not tabulated).
        base: per table row, the agents of column 0.
        width: the number of columns (agents ``base`` to ``base + width - 1``).
        outcomes: per (threshold, short-abandon time), the model's prediction per cell.
    """

    rows: Ints
    index: Ints
    base: Ints
    width: int
    outcomes: dict[tuple[float, float], Outcome]

    def outcome(self, requirement: Requirement, rows: Ints) -> Outcome:
        """The requirement's outcome tables for some table rows."""
        found = self.outcomes[(requirement.threshold, requirement.short)]
        return Outcome(*(getattr(found, f.name)[rows] for f in attrs.fields(Outcome)))


def _absolute(
    requirement: Requirement, table: Table, forecast: Forecast, rows: Ints
) -> tuple[Floats, Floats]:
    """Numerator and denominator (in calls, seconds for ASA) per cell of forecast ``rows``."""
    num, den = requirement.ratio(table.outcome(requirement, table.index[rows]))
    weight = (forecast.calls * requirement.share)[rows][:, None]
    return num * weight, den * weight


def _gap(num: Floats, den: Floats, target: Target) -> Floats:
    value = float(target.value)
    return num - value * den if target.higher_is_better else value * den - num


def _numbered(keys: list[tuple[object, ...]]) -> tuple[Ints, list[tuple[object, ...]]]:
    order = list(dict.fromkeys(keys))
    index = {k: i for i, k in enumerate(order)}
    return np.asarray([index[k] for k in keys], dtype=np.int64), order


def needed(expected: Target, judged: int) -> int | None:
    """The fewest of ``judged`` sub-periods that must meet for the share to meet ``expected``."""
    return next((k for k in range(judged + 1) if expected.holds(Fraction(k, judged))), None)


@attrs.frozen(eq=False)
class Shape:
    """How an objective's judged rows fall into windows and sub-periods.

    Attributes:
        rows: the forecast rows judged (in windows that are measurable).
        window: each row's window, numbered from 0.
        sub: each row's sub-period, numbered from 0 (judged sub-periods only: rows of
            sub-periods below ``min_volume_per`` are not in ``rows``).
        sub_window: each sub-period's window.
    """

    rows: Ints
    window: Ints
    sub: Ints
    sub_window: Ints


def shape(
    requirement: Requirement, forecast: Forecast, starts: Starts,
    year_start: dt.date | None,
) -> Shape | Diagnostic:  # fmt: skip
    """The windows and sub-periods of an objective's rows, or E905 when its intervals are
    not whole forecast intervals."""
    objective = requirement.objective
    for minutes in interval_lengths(requirement):
        if minutes % forecast.minutes:
            return diag(
                "E905", f"objective `{objective.id}` (line {objective.line}) is judged per "
                f"{minutes} min, which {forecast.minutes}-minute forecast intervals do not make",
                None, help=f"forecast in intervals of a divisor of {minutes} min")  # fmt: skip
    rows = requirement.rows
    windows, subs = period_keys(requirement, starts, year_start)
    volume = np.rint(forecast.calls * requirement.share).astype(np.int64)[rows]
    window, _ = _numbered([(w,) for w in windows])
    keep = np.ones(rows.size, dtype=np.bool_)
    if objective.min_volume is not None:
        totals = np.bincount(window, weights=volume)
        keep &= totals[window] >= objective.min_volume
    sub, _ = _numbered(list(zip(windows, subs, strict=True)))
    if objective.per is not None and objective.min_volume_per is not None:
        totals = np.bincount(sub, weights=volume)
        keep &= totals[sub] >= objective.min_volume_per
    rows, window, sub = rows[keep], window[keep], sub[keep]
    window, _ = _numbered([(int(w),) for w in window])
    sub, _ = _numbered([(int(s),) for s in sub])
    sub_window = np.zeros(int(sub.max(initial=-1)) + 1, dtype=np.int64)
    sub_window[sub] = window
    return Shape(rows, window, sub, sub_window)


def _margin(groups: Ints, count: int, num: Floats) -> Floats:
    size = np.bincount(groups, weights=np.abs(num[:, -1]), minlength=count)
    return EPSILON * np.maximum(size, 1e-12)


def build(
    requirement: Requirement, table: Table, forecast: Forecast, where: Shape,
    cols: Ints | None = None,
) -> Constraint | Diagnostic | None:  # fmt: skip
    """The constraint of one objective (None when no window is measurable); for ``mean``,
    linearised at the table columns ``cols`` (all 0 when None)."""
    objective = requirement.objective
    if not where.rows.size:
        return None
    num, den = _absolute(requirement, table, forecast, where.rows)
    method = objective.aggregate if objective.per is not None else "pooled"
    target = objective.expected
    if method in ("pooled", "weighted_mean"):
        group, window = where.window, np.arange(int(where.window.max()) + 1)
        gap = _gap(num, den, target)
        return Constraint(objective.id, table.index[where.rows], gap, group,
                          _margin(group, window.size, den), window)  # fmt: skip
    if method == "floor":
        gap = _gap(num, den, target)
        count = where.sub_window.size
        return Constraint(objective.id, table.index[where.rows], gap, where.sub,
                          _margin(where.sub, count, den), where.sub_window)  # fmt: skip
    if method == "share":
        assert objective.meeting is not None
        gap = _gap(num, den, objective.meeting)
        judged = np.bincount(where.sub_window)
        counts = [needed(target, int(n)) for n in judged]
        if any(k is None for k in counts):
            return diag("E901", f"objective `{objective.id}` (line {objective.line}) asks for "
                        "a share of intervals no plan reaches", None,
                        help="check the objective's expected level")  # fmt: skip
        return Constraint(objective.id, table.index[where.rows], gap, where.sub,
                          _margin(where.sub, where.sub_window.size, den), where.sub_window,
                          np.asarray(counts, dtype=np.int64))  # fmt: skip
    # mean of the sub-periods' values, linearised at the current denominators
    trows = table.index[where.rows]
    here = np.zeros(trows.size, dtype=np.int64) if cols is None else cols[trows]
    entries = np.arange(trows.size)
    fixed = np.bincount(where.sub, weights=den[entries, here])
    single = np.bincount(where.sub) == 1
    subs_per_window = np.bincount(where.sub_window)
    scale = 1.0 / subs_per_window[where.window]
    value = float(target.value)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(den > 0, num / den, 0.0) - value
        if not target.higher_is_better:
            own = -own
        linear = _gap(num, den, target) / np.maximum(fixed[where.sub], 1e-300)[:, None]
    gap = np.where(single[where.sub][:, None], own, linear) * scale[:, None]
    windows = int(where.window.max()) + 1
    return Constraint(objective.id, trows, gap, where.window,
                      np.full(windows, EPSILON), np.arange(windows))  # fmt: skip


def mean_holds(
    requirement: Requirement, table: Table, forecast: Forecast, where: Shape, cols: Ints
) -> bool:
    """True when every window's mean of sub-period values meets the level at ``cols``."""
    num, den = _absolute(requirement, table, forecast, where.rows)
    entries = np.arange(where.rows.size)
    here = cols[table.index[where.rows]]
    sub_num = np.bincount(where.sub, weights=num[entries, here])
    sub_den = np.bincount(where.sub, weights=den[entries, here])
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(sub_den > 0, sub_num / sub_den, 0.0)
    means = np.bincount(where.sub_window, weights=values) / np.bincount(where.sub_window)
    target = requirement.objective.expected
    value = float(target.value)
    margin = EPSILON
    ok = means >= value + margin if target.higher_is_better else means <= value - margin
    return bool(np.all(ok))


def own_level(
    requirement: Requirement, table: Table, forecast: Forecast, where: Shape, floor: Ints
) -> tuple[Ints, Ints]:
    """The naive plan's part: the first column from ``floor`` at which each judged interval
    alone meets the objective's level (the ``meeting`` level of a share). Returns the table
    rows and their columns (the table's width where none does)."""
    objective = requirement.objective
    num, den = _absolute(requirement, table, forecast, where.rows)
    target = objective.meeting if objective.aggregate == "share" and objective.per else None
    gap = _gap(num, den, target or objective.expected)
    trows = table.index[where.rows]
    margin = EPSILON * np.maximum(np.abs(den[:, -1]), 1e-12)
    width = gap.shape[1]
    ok = (gap >= margin[:, None]) & (np.arange(width)[None, :] >= floor[trows][:, None])
    return trows, np.where(ok.any(axis=1), np.argmax(ok, axis=1), width)
