"""The result of an evaluation, and its documented JSON form (schema version 1).

``docs/verdicts.schema.json`` is the JSON Schema of :func:`to_json`; the tests
validate every output against it. Ratios are fractions between 0 and 1,
durations are seconds, quality indexes are points (0-100), NPS is a score
(-100 to 100).
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from slalang.data.report import AmbiguousTimes
from slalang.diagnostics import Diagnostic
from slalang.engine.plan import Plan, Target
from slalang.judge.consequences import AccountMonth, AccountRisk, PeriodCredits, RuleResult
from slalang.judge.verdicts import Verdict

SCHEMA_VERSION = 2


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

    @property
    def problems(self) -> int:
        """How many malformed records were set aside."""
        return sum(len(s.problems) for s in self.sources)

    @property
    def incomplete(self) -> tuple[Verdict, ...]:
        """The verdicts not given because too many of their period's rows are malformed."""
        return tuple(v for v in self.verdicts if v.status == "incomplete")


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
        "results": [verdict_json(v) for v in evaluation.verdicts],
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
                "items": [
                    {
                        "objective": i.objective,
                        "amount": i.amount,
                        "state": i.state,
                        "windows": list(i.windows),
                    }
                    for i in c.credits
                ],
            }
            for c in evaluation.credits
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
