"""Staffing stage: :func:`make_plan`, the fewest agent-hours that meet the contract as written.

1. Every forecast row in opening hours is *open*; a row with calls is tabulated: for agents
   from a floor upwards, what the model predicts (the floor is the minimum agents, the
   smallest stable queue for Erlang C, ``A - 3 sqrt(A)`` for Erlang A, whose queue is stable
   with fewer agents but whose callers then mostly abandon, and the occupancy cap).
2. Every staffed objective becomes a constraint (:mod:`slalang.staff.constraints`), solved by
   marginal allocation (:mod:`slalang.staff.allocate`): intervals and floors first, then
   share-of-intervals and pooled objectives in both orders, keeping the cheaper, and agents
   no constraint needs taken back.
3. The judge checks the plan: its predicted verdicts must all be met; the rare window the
   margins of floating point leave short gets one more agent at a time where it gains most.
4. The *naive* plan staffs every interval to every objective's level on its own (a share's
   ``meeting`` level); the plan is never more than it.

A table too narrow for what an objective asks is widened and the plan made again.
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np

from slalang.codes import diag
from slalang.diagnostics import Diagnostic
from slalang.engine.plan import Plan
from slalang.judge.results import Evaluation, EvaluationError
from slalang.judge.verdicts import Verdict
from slalang.staff.allocate import Constraint, binding, satisfy, trim
from slalang.staff.calculator import scheduled as scheduled_agents
from slalang.staff.constraints import Shape, Table, build, mean_holds, own_level, shape
from slalang.staff.erlang import Floats, Ints
from slalang.staff.forecast import Forecast
from slalang.staff.planner import (
    Options,
    Prediction,
    check_model,
    outcomes,
    patience_per_row,
    predict_rows,
    predicted_evaluation,
    predicted_verdicts,
    staffed,
)
from slalang.staff.requirements import Requirement, Starts, moments

_WIDENINGS = 5
"""How many times a table is widened (doubled) before an objective counts as unreachable."""

CLOSED = "out of hours"
"""What bound an interval with calls outside the contract's hours (no agents, no figures)."""

_FIXES = 200
"""Agents added one at a time after the judge's check before giving up (E901)."""


@attrs.frozen(eq=False)
class StaffingPlan:
    """A plan: agents per forecast row, what they achieve, and the naive plan beside it.

    Attributes:
        plan: the compiled contract.
        forecast: the forecast planned for.
        options: how the plan was made.
        requirements: the staffed objectives.
        agents: agents on the phones per forecast row.
        naive: the naive plan's agents (every interval at every objective's level); None
            for a plan given rather than made (:func:`assess`).
        prediction: what the model predicts for ``agents``.
        bound_by: per row, what set its agents: objectives one agent less would break, or a
            floor (``minimum agents``, ``max occupancy``, ``stable queue``,
            ``understaffing floor``); :data:`CLOSED` for calls outside the contract's hours;
            empty for other rows without agents.
        evaluation: the predicted verdicts, credits and account status of the plan.
        diagnostics: warnings: objectives not staffed (W901), calls out of hours (W902).
    """

    plan: Plan
    forecast: Forecast
    options: Options
    requirements: tuple[Requirement, ...]
    agents: Ints
    naive: Ints | None
    prediction: Prediction
    bound_by: tuple[str, ...]
    evaluation: Evaluation
    diagnostics: tuple[Diagnostic, ...]

    def scheduled(self, agents: Ints | None = None) -> Ints:
        """Scheduled agents per row: ``ceil(agents / (1 - shrinkage))``, exactly."""
        found = self.agents if agents is None else agents
        return np.asarray([scheduled_agents(int(a), self.options.shrinkage) for a in found],
                          dtype=np.int64)  # fmt: skip

    def hours(self, agents: Ints | None = None) -> float:
        """Agent-hours of ``agents`` (the plan's by default)."""
        found = self.agents if agents is None else agents
        return float(found.sum()) * self.forecast.minutes / 60

    @property
    def saving(self) -> float | None:
        """Agent-hours the plan saves against the naive plan (None without one)."""
        return None if self.naive is None else self.hours(self.naive) - self.hours()


def _floors(model: str, load: Floats, min_agents: int) -> tuple[Ints, list[str]]:
    """The agents of column 0 per tabulated row, and why."""
    if model == "c":
        stable = np.floor(load).astype(np.int64) + 1
        base = np.maximum(stable, min_agents)
        why = "stable queue"
    else:
        low = np.floor(load - 3 * np.sqrt(load)).astype(np.int64)
        base = np.maximum(np.maximum(low, 1), min_agents)
        why = "understaffing floor"
    reasons = [why if b > min_agents or min_agents == 0 else "minimum agents" for b in base]
    return base, reasons


@attrs.frozen(eq=False)
class _Work:
    """One attempt at a width: the table, the constraints and the floors."""

    table: Table
    floor: Ints
    constraints: list[Constraint]
    means: list[tuple[Requirement, Shape]]


def _tabulate(
    forecast: Forecast, found: list[Requirement], rows: Ints, base: Ints, reach: Ints,
    options: Options, patience: Floats,
) -> Table:  # fmt: skip
    load = forecast.calls[rows] * forecast.aht[rows] / (forecast.minutes * 60)
    pairs = list(dict.fromkeys((r.threshold, r.short) for r in found))
    width = int(reach.max(initial=1))
    waits = any(r.objective.metric == "average_speed_of_answer" for r in found)
    tables = outcomes(options.model, load, forecast.aht[rows], patience[rows], base, width,
                      pairs, reach, waits)  # fmt: skip
    index = np.full(forecast.rows, -1, dtype=np.int64)
    index[rows] = np.arange(rows.size)
    return Table(rows, index, base, width, tables)


def _occupancy_floor(table: Table, options: Options) -> Ints | None:
    """Per table row, the first column whose occupancy is within the cap (None: none fits)."""
    some = next(iter(table.outcomes.values()))
    if options.max_occupancy is None:
        return np.zeros(table.rows.size, dtype=np.int64)
    ok = some.occupancy <= float(options.max_occupancy)
    if not np.all(ok.any(axis=1)):
        return None
    return np.asarray(np.argmax(ok, axis=1), dtype=np.int64)


def _work(
    plan: Plan, forecast: Forecast, found: list[Requirement], table: Table, floor: Ints,
    starts: Starts,
) -> _Work:  # fmt: skip
    constraints: list[Constraint] = []
    means: list[tuple[Requirement, Shape]] = []
    problems: list[Diagnostic] = []
    year_start = plan.effective[0] if plan.effective else None
    for requirement in found:
        where = shape(requirement, forecast, starts, year_start)
        if isinstance(where, Diagnostic):
            problems.append(where)
            continue
        made = build(requirement, table, forecast, where, floor)
        if isinstance(made, Diagnostic):
            problems.append(made)
        elif made is not None:
            constraints.append(made)
            if requirement.objective.aggregate == "mean" and requirement.objective.per:
                means.append((requirement, where))
    if problems:
        raise EvaluationError(problems)
    return _Work(table, floor, constraints, means)


def _single_rows(constraint: Constraint) -> bool:
    return constraint.needed is None and bool(
        np.all(np.bincount(constraint.group, minlength=constraint.groups) <= 1)
    )


def _solve(work: _Work, share_first: bool) -> Ints | None:
    """One plan: intervals and floors first, then shares and pooled objectives (or pooled
    first). Pooled objectives go in the order of the agents each needs on its own, most
    first: the one that binds sets the plan the others then mostly find met, where the other
    order would have the first starve intervals the second then pays dearly to rescue."""
    cols = work.floor.copy()
    first = [c for c in work.constraints if _single_rows(c)]
    shares = [c for c in work.constraints if c.needed is not None]
    pooled = [c for c in work.constraints if c.needed is None and not _single_rows(c)]
    for constraint in first:
        if satisfy(constraint, cols) is None:
            return None
    alone = []
    for constraint in pooled:
        trial = cols.copy()
        if satisfy(constraint, trial) is None:
            return None
        alone.append(int(trial.sum()))
    pooled = [c for _, _, c in sorted(zip(alone, range(len(pooled)), pooled, strict=True),
                                      key=lambda t: (-t[0], t[1]))]  # fmt: skip
    for constraint in shares + pooled if share_first else pooled + shares:
        if satisfy(constraint, cols) is None:
            return None
    trim(work.constraints, cols, work.floor)
    return cols


def _rebuild_means(work: _Work, forecast: Forecast, cols: Ints) -> bool | None:
    """Rebuild mean constraints at ``cols`` until the exact means hold; None: too narrow."""
    for _ in range(10):
        short = [(r, w) for r, w in work.means if not mean_holds(r, work.table, forecast, w, cols)]
        if not short:
            return True
        for requirement, where in short:
            made = build(requirement, work.table, forecast, where, cols)
            assert isinstance(made, Constraint)
            if satisfy(made, cols) is None:
                return None
    return False


def _naive(work: _Work, forecast: Forecast, found: list[Requirement], starts: Starts,
           year_start: dt.date | None) -> Ints:  # fmt: skip
    cols = work.floor.copy()
    for requirement in found:
        where = shape(requirement, forecast, starts, year_start)
        assert not isinstance(where, Diagnostic)
        rows, col = own_level(requirement, work.table, forecast, where, work.floor)
        np.maximum.at(cols, rows, col)
    return cols


def _fix(
    plan: Plan, forecast: Forecast, found: list[Requirement], agents: Ints, options: Options,
    work: _Work,
) -> tuple[Ints, Prediction, list[Verdict]]:  # fmt: skip
    """Add agents one at a time until the judge finds every predicted verdict met."""
    by_id = {c.objective: c for c in work.constraints}
    for _ in range(_FIXES):
        prediction = predict_rows(forecast, found, agents, options)
        verdicts = predicted_verdicts(plan, forecast, found, prediction)
        failing = [v for v in verdicts if v.status in ("missed", "below_minimum")]
        if not failing:
            return agents, prediction, verdicts
        constraint = by_id.get(failing[0].objective)
        if constraint is None:
            break
        cols = agents[work.table.rows] - work.table.base
        entries = np.arange(constraint.rows.size)
        here = cols[constraint.rows]
        room = here + 1 < work.table.width
        gain = np.where(room, constraint.gap[entries, np.minimum(here + 1, work.table.width - 1)]
                        - constraint.gap[entries, here], -np.inf)  # fmt: skip
        if not np.isfinite(gain.max(initial=-np.inf)):
            break
        agents = agents.copy()
        agents[work.table.rows[constraint.rows[int(np.argmax(gain))]]] += 1
    raise EvaluationError([diag(
        "E901", f"objective `{failing[0].objective}` is predicted {failing[0].status} in "
        f"{failing[0].period} whatever the plan", None,
        help="check the objective's level against the forecast")])  # fmt: skip


def make_plan(plan: Plan, forecast: Forecast, options: Options) -> StaffingPlan:
    """The plan with the fewest agent-hours that meets every staffed objective.

    Raises:
        EvaluationError: no objective to staff (E904), an abandonment objective under
            Erlang C (E903), patience missing (E906), intervals that do not fit (E905), or
            an objective no plan meets (E901).
    """
    found, warnings = staffed(plan, forecast)
    check_model(found, options)
    patience = patience_per_row(forecast, options)
    starts = moments(forecast)
    year_start = plan.effective[0] if plan.effective else None
    hours = np.max([r.hours for r in found], axis=0)
    covered = np.any([r.lines for r in found], axis=0)
    calls = forecast.calls
    open_rows = (hours > 0) | (~covered & (calls > 0))
    closed = (calls > 0) & ~open_rows
    if closed.any():
        warnings.append(diag(
            "W902", f"{int(closed.sum())} forecast interval(s) with {calls[closed].sum():,.0f} "
            "calls are out of the contract's hours; no agents are planned for them", None,
            help="the objectives leave out-of-hours contacts out"))  # fmt: skip
    agents = np.where(open_rows, options.min_agents, 0).astype(np.int64)
    rows = np.flatnonzero(open_rows & (calls > 0))
    load = calls[rows] * forecast.aht[rows] / (forecast.minutes * 60)
    base, reasons = _floors(options.model, load, options.min_agents)
    # the columns each row is worked out for: from its floor to well past its load
    above = 3.0 if options.model == "c" else 4.5
    spread = 1.0
    for _ in range(_WIDENINGS):
        reach = np.ceil(spread * (above * np.sqrt(load) + 4.0)).astype(np.int64)
        width = int(reach.max(initial=1))
        table = _tabulate(forecast, found, rows, base, reach, options, patience)
        spread *= 1.5
        floor = _occupancy_floor(table, options)
        if floor is None:
            continue
        work = _work(plan, forecast, found, table, floor, starts)
        orders = (True, False) if any(c.needed is not None for c in work.constraints) else (True,)
        solved = [_solve(work, share_first) for share_first in orders]
        if any(s is None for s in solved):
            continue
        cols = min((s for s in solved if s is not None), key=lambda s: int(s.sum()))
        if _rebuild_means(work, forecast, cols) is not True:
            continue
        naive = _naive(work, forecast, found, starts, year_start)
        if np.any(naive >= width) or np.any(np.maximum(cols, naive) >= reach - 1):
            continue  # at the edge of a row's columns: the answer may lie beyond
        break
    else:
        raise EvaluationError([diag(
            "E901", "the forecast asks for more agents than slalang tries for some objective",
            None, help="check the objectives' levels and the forecast's volumes")])  # fmt: skip
    if int(naive.sum()) < int(cols.sum()):
        cols = naive.copy()
    agents[rows] = base + cols
    naive_agents = agents.copy()
    naive_agents[rows] = base + naive
    agents, prediction, verdicts = _fix(plan, forecast, found, agents, options, work)
    cols = agents[rows] - base
    bound = _bound_by(work, cols, reasons, options)
    labels = [""] * forecast.rows
    for i, row in enumerate(rows.tolist()):
        labels[row] = bound[i]
    for row in np.flatnonzero(open_rows & (calls == 0) & (agents > 0)).tolist():
        labels[row] = "minimum agents"
    for row in np.flatnonzero(closed).tolist():
        labels[row] = CLOSED
    evaluation = predicted_evaluation(plan, forecast, found, prediction, verdicts)
    return StaffingPlan(plan, forecast, options, tuple(found), agents, naive_agents, prediction,
                        tuple(labels), evaluation, tuple(warnings))  # fmt: skip


def _bound_by(work: _Work, cols: Ints, reasons: list[str], options: Options) -> list[str]:
    held = binding(work.constraints, cols)
    found = []
    for i, col in enumerate(cols.tolist()):
        if col <= work.floor[i]:
            found.append("max occupancy" if work.floor[i] > 0 else reasons[i])
        else:
            found.append(", ".join(held[i]))
    return found


def assess(plan: Plan, forecast: Forecast, options: Options, agents: Ints) -> StaffingPlan:
    """A given plan's predicted figures and verdicts (nothing is optimised).

    Raises:
        EvaluationError: as :func:`make_plan`, for problems before optimising.
    """
    found, warnings = staffed(plan, forecast)
    check_model(found, options)
    prediction = predict_rows(forecast, found, agents, options)
    evaluation = predicted_evaluation(plan, forecast, found, prediction)
    return StaffingPlan(plan, forecast, options, tuple(found), agents, None, prediction,
                        ("",) * forecast.rows, evaluation, tuple(warnings))  # fmt: skip
