"""The result of an evaluation, and its documented JSON form (schema version 1).

``docs/verdicts.schema.json`` is the JSON Schema of :func:`to_json`; the tests
validate every output against it. Ratios are fractions between 0 and 1,
durations are seconds, quality indexes are points (0-100), NPS is a score
(-100 to 100).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import attrs

from slalang.data.report import AmbiguousTimes
from slalang.diagnostics import Diagnostic
from slalang.engine.periods import sequence, span
from slalang.engine.plan import Period, Plan, Target
from slalang.judge.consequences import (
    AccountMonth,
    AccountRisk,
    PeriodCredits,
    RuleResult,
    year_totals,
)
from slalang.judge.outlook import Outlook
from slalang.judge.trends import TrendFlag
from slalang.judge.verdicts import Verdict

SCHEMA_VERSION = 3


class EvaluationError(Exception):
    """The data could not be bound or loaded; ``diagnostics`` say why.

    ``io`` is true when the cause is a file that cannot be read or a source
    left without data (the command line then exits 2, otherwise 1).
    """

    def __init__(self, diagnostics: list[Diagnostic], *, io: bool = False) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = tuple(diagnostics)
        self.io = io


@attrs.frozen
class DataProblemSummary:
    """A malformed record: where, and why it was kept out."""

    path: str
    line: int
    reason: str
    field: str | None = None
    values: str = ""
    """The raw values involved, as read (``wait='abc'``), or the reader's message."""


@attrs.frozen
class SourceReport:
    """What was read for one source of the contract."""

    source: str
    path: str
    profile: str | None
    rows_read: int
    rows_loaded: int
    excluded: dict[str, int]
    problems: tuple[DataProblemSummary, ...]
    problem_counts: dict[str, int]
    ambiguous: AmbiguousTimes | None = None
    """Loaded rows whose clock time occurred twice (clocks went back), if any."""

    @property
    def rows_malformed(self) -> int:
        """Rows kept out because they are malformed; a row with several problems counts
        once, so ``rows_read`` is ``rows_loaded`` + the excluded + this."""
        return self.rows_read - self.rows_loaded - sum(self.excluded.values())


@attrs.frozen
class Evaluation:
    """Verdicts, credits, account status and data report of one evaluation run."""

    plan: Plan
    verdicts: tuple[Verdict, ...]
    credits: tuple[PeriodCredits, ...]
    risk: AccountRisk
    sources: tuple[SourceReport, ...] = ()
    history: tuple[AccountMonth, ...] = ()
    """The account's status at the end of every month the verdicts cover."""
    trends: tuple[TrendFlag, ...] = ()
    """Figures getting worse (reported, never a verdict)."""
    as_of: dt.date | None = None
    """The day the evaluation was judged as of (records after it set aside), if given."""
    outlook: tuple[Outlook, ...] = ()
    """With ``as_of``: the objectives whose windows are still open, and what they need."""
    trend_over: str = "days"
    """The periods ``trends`` are followed over: ``days`` or ``weeks``."""

    @property
    def problems(self) -> int:
        """How many malformed records were set aside."""
        return sum(len(s.problems) for s in self.sources)

    @property
    def incomplete(self) -> tuple[Verdict, ...]:
        """The verdicts not given because too many of their period's rows are malformed."""
        return tuple(v for v in self.verdicts if v.status == "incomplete")


@attrs.frozen
class GridCell:
    """One objective's verdict in one period of a grid (``no_data`` when it has none)."""

    period: str
    status: str
    actual: float | None
    verdict: Verdict | None


@attrs.frozen
class GridRow:
    """One objective across the periods of its grid."""

    objective: str
    title: str | None
    critical: bool
    line: int
    unit: str
    cells: tuple[GridCell, ...]


@attrs.frozen
class Grid:
    """Objectives of one window kind against its periods, in time order; periods between
    the first and the last without any verdict are kept, as ``no_data``."""

    window: str
    periods: tuple[str, ...]
    rows: tuple[GridRow, ...]


_FILLED = ("day", "week", "month", "quarter", "contract_year")

_SHAPES = (
    (re.compile(r"\d{4}-\d{2}"), "month"), (re.compile(r"\d{4}-\d{2}-\d{2}"), "day"),
    (re.compile(r"\d{4}-W\d{2}"), "week"), (re.compile(r"\d{4}-Q\d"), "quarter"),
    (re.compile(r"\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}"), "contract_year"),
)  # fmt: skip


def _window_of(period: str) -> Period:
    """The kind of period a key names, from its shape (intervals: by their minutes unknown)."""
    return Period(next((k for shape, k in _SHAPES if shape.fullmatch(period)), "interval"))


def grids(evaluation: Evaluation) -> tuple[Grid, ...]:
    """One grid per window kind, in the order the contract first uses each."""
    plan = evaluation.plan
    year_start = plan.effective[0] if plan.effective else None
    windows = {o.id: o.window for o in plan.objectives}
    order = [o.id for o in plan.objectives]
    by_objective: dict[str, list[Verdict]] = {}
    for verdict in evaluation.verdicts:
        by_objective.setdefault(verdict.objective, []).append(verdict)
    order += [o for o in by_objective if o not in windows]  # verdicts made by hand
    by_window: dict[Period, list[str]] = {}
    for objective_id in order:
        found = by_objective.get(objective_id)
        if found:
            window = windows.get(objective_id) or _window_of(found[0].period)
            by_window.setdefault(window, []).append(objective_id)
    result = []
    for window, ids in by_window.items():
        keys = {v.period for i in ids for v in by_objective[i]}
        periods = sorted(keys, key=lambda p: _start(p, window))
        if window.kind in _FILLED:
            periods = sequence(periods[0], periods[-1], window, year_start=year_start)
        rows = []
        for objective_id in ids:
            found = by_objective[objective_id]
            at = {v.period: v for v in found}
            first = found[0]
            cells = tuple(
                GridCell(p, at[p].status, at[p].actual, at[p]) if p in at
                else GridCell(p, "no_data", None, None)
                for p in periods
            )  # fmt: skip
            rows.append(GridRow(objective_id, first.title, first.critical, first.line,
                                first.unit, cells))  # fmt: skip
        name = f"{window.minutes} min" if window.kind == "interval" else window.kind
        result.append(Grid(name, tuple(periods), tuple(rows)))
    return tuple(result)


def _start(period: str, window: Period) -> tuple[dt.datetime, str]:
    try:
        return span(period, window)[0], period
    except ValueError:
        return dt.datetime.max, period


def _target(target: Target | None, unit: str) -> dict[str, Any] | None:
    if target is None:
        return None
    if target.op == "between":
        assert target.high is not None
        return {"op": "between", "low": float(target.value), "high": float(target.high),
                "unit": unit}  # fmt: skip
    return {"op": target.op, "value": float(target.value), "unit": unit}


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """One verdict as plain data; ``predicted`` is true for a verdict of a staffing plan."""
    found = {
        "objective": verdict.objective,
        "title": verdict.title,
        "line": verdict.line,
        "critical": verdict.critical,
        "period": verdict.period,
        "status": verdict.status,
        "actual": verdict.actual,
        "unit": verdict.unit,
        "expected": _target(verdict.expected, verdict.unit),
        "minimum": _target(verdict.minimum, verdict.unit),
        "aggregate": verdict.aggregate,
        "numerator": _count_or_sum(verdict.numerator),
        "denominator": _count_or_sum(verdict.denominator),
        "volume": verdict.volume,
        "judged_periods": verdict.judged,
        "meeting_periods": verdict.meeting,
        "excluded": dict(verdict.excluded),
        "noted": dict(verdict.noted),
        "malformed": verdict.malformed,
        "malformed_share": (
            verdict.malformed / (verdict.malformed + verdict.rows) if verdict.malformed else None
        ),
    }
    found["predicted"] = verdict.predicted
    return found


def to_json(evaluation: Evaluation) -> dict[str, Any]:
    """The whole evaluation as plain data, following ``docs/verdicts.schema.json``."""
    plan = evaluation.plan
    return {
        "schema_version": SCHEMA_VERSION,
        "contract": {
            "id": plan.contract_id,
            "title": plan.title,
            "path": plan.path,
            "timezone": plan.timezone,
        },
        "as_of": None if evaluation.as_of is None else evaluation.as_of.isoformat(),
        "results": [verdict_json(v) for v in evaluation.verdicts],
        "grid": [
            {
                "window": g.window,
                "periods": list(g.periods),
                "rows": [
                    {
                        "objective": r.objective,
                        "title": r.title,
                        "critical": r.critical,
                        "line": r.line,
                        "unit": r.unit,
                        "cells": [{"status": c.status, "actual": c.actual} for c in r.cells],
                    }
                    for r in g.rows
                ],
            }
            for g in grids(evaluation)
        ],
        "credits": [
            {
                "period": c.period,
                "currency": c.currency,
                "earned": c.earned,
                "cap": c.cap,
                "capped": c.capped,
                "due": c.due,
                "at_cap": c.at_cap,
                "year": c.year,
                "annual_cap": c.annual_cap,
                "at_annual_cap": c.at_annual_cap,
                "annual_cut": c.annual_cut,
                "waived": c.waived,
                "pending": c.pending,
                "items": [
                    {
                        "objective": i.objective,
                        "title": i.title,
                        "line": i.line,
                        "allocation": i.allocation,
                        "amount": i.amount,
                        "state": i.state,
                        "earn_back": i.earn_back,
                        "earn_back_months": list(i.months),
                        "windows": list(i.windows),
                    }
                    for i in c.credits
                ],
            }
            for c in evaluation.credits
        ],
        "credit_years": [
            {
                "year": y.year,
                "months": y.months,
                "currency": y.currency,
                "earned": y.earned,
                "waived": y.waived,
                "pending": y.pending,
                "due": y.due,
                "annual_cap": y.annual_cap,
                "at_annual_cap": y.at_annual_cap,
            }
            for y in year_totals(evaluation.credits)
        ],
        "account": {
            "status": evaluation.risk.status,
            "period": evaluation.risk.period,
            "rules": [_rule_json(r) for r in evaluation.risk.rules],
        },
        "account_history": [
            {
                "month": m.month,
                "status": m.risk.status,
                "changed": m.changed,
                "rules": [_rule_json(r) for r in m.risk.rules],
            }
            for m in evaluation.history
        ],
        "trends": {
            "over": evaluation.trend_over,
            "flags": [
                {
                    "objective": f.objective,
                    "kind": f.kind,
                    "period": f.period,
                    "level": f.level,
                    "slope": f.slope,
                    "projected": f.projected,
                    "window": f.window,
                    "points": [
                        {"period": p.period, "value": p.value, "volume": p.volume} for p in f.points
                    ],
                }
                for f in evaluation.trends
            ],
        },
        "outlook": [
            {
                "objective": o.objective,
                "period": o.period,
                "actual": o.actual,
                "remaining": o.remaining,
                "remaining_unit": o.remaining_unit,
                "basis": o.basis,
                "projected": o.projected,
                "projected_status": o.projected_status,
                "needs": [
                    {
                        "level": n.level,
                        "state": n.state,
                        "bound": n.bound,
                        "value": n.value,
                        "high": n.high,
                        "count": n.count,
                    }
                    for n in o.needs
                ],
            }
            for o in evaluation.outlook
        ],
        "data": [_source_json(s) for s in evaluation.sources],
    }


def _rule_json(rule: RuleResult) -> dict[str, Any]:
    return {
        "rule": rule.label,
        "line": rule.line,
        "state": rule.state,
        "periods": list(rule.periods),
        "window": rule.window,
        "last_period": rule.period,
        "objectives": list(rule.objectives),
    }


def _source_json(source: SourceReport) -> dict[str, Any]:
    found: dict[str, Any] = {
        "source": source.source,
        "path": source.path,
        "profile": source.profile,
        "rows_read": source.rows_read,
        "rows_loaded": source.rows_loaded,
        "rows_malformed": source.rows_malformed,
        "excluded": dict(source.excluded),
        "problem_counts": dict(source.problem_counts),
        "problems": [
            {
                "path": p.path,
                "line": p.line,
                "reason": p.reason,
                "field": p.field,
                "values": p.values,
            }
            for p in source.problems
        ],
    }
    ambiguous = source.ambiguous
    found["ambiguous_times"] = None
    if ambiguous is not None:
        found["ambiguous_times"] = {
            "count": ambiguous.count,
            "zone": ambiguous.zone,
            "first": {
                "path": ambiguous.path,
                "line": ambiguous.line,
                "field": ambiguous.field,
                "value": ambiguous.value,
            },
        }
    return found


def _count_or_sum(value: float | None) -> float | int | None:
    """A whole number as an integer (``16402``, not ``16402.0``); a sum of seconds as it is.

    Numerators and denominators are counts of contacts or periods for most metrics and sums
    (of waits, of handle times) for averages; a count is written as the integer it is.
    """
    if value is None or isinstance(value, int):
        return value
    if not math.isfinite(value) or not value.is_integer():
        return value
    return int(value) if abs(value) < 2**53 else value
