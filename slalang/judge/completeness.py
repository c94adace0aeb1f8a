"""Stage 6b, completeness: no verdict rests silently on data that lost rows.

Every verdict is told how many malformed rows of its source fall in its period (rows whose
time cannot be read count in every period, since they could belong to any). When those are
more than the source's ``malformed_tolerance`` (1 % by default) of the period's rows, the
period is not judged: its status becomes ``incomplete``, which earns no credit and fires no
rule, and ``slalang evaluate`` exits 1.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from fractions import Fraction

import attrs

from slalang.data.report import LoadReport
from slalang.engine.periods import key, span
from slalang.engine.plan import ObjectivePlan, Plan
from slalang.judge.verdicts import Verdict, unit_of

DEFAULT_TOLERANCE = Fraction(1, 100)
"""The share of a period's rows that may be malformed before it is not judged."""


class _Counts:
    """Rows counted by minute, summed over any span by prefix sums."""

    def __init__(self, counts: Sequence[tuple[dt.datetime | None, int]]) -> None:
        placed = sorted((m, n) for m, n in counts if m is not None)
        self.anywhere = sum(n for m, n in counts if m is None)
        self.moments = [m for m, _ in placed]
        self.sums = [0]
        for _, n in placed:
            self.sums.append(self.sums[-1] + n)

    def within(self, start: dt.datetime, end: dt.datetime) -> int:
        low = bisect.bisect_left(self.moments, start)
        high = bisect.bisect_left(self.moments, end)
        return self.sums[high] - self.sums[low]


def tolerance(plan: Plan, source: str) -> Fraction:
    """The source's ``malformed_tolerance`` as a fraction."""
    value = plan.sources[source].settings.get("malformed_tolerance")
    return value if isinstance(value, Fraction) else DEFAULT_TOLERANCE


def apply(plan: Plan, verdicts: list[Verdict], loads: Mapping[str, LoadReport]) -> list[Verdict]:
    """The verdicts with their malformed rows counted, and ``incomplete`` where too many."""
    malformed = {s: _Counts(r.malformed_at) for s, r in loads.items() if r.malformed_at}
    if not malformed:
        return verdicts
    loaded = {s: _Counts(loads[s].loaded_at) for s in malformed}
    objectives = {o.id: o for o in plan.objectives}
    result = []
    for verdict in [*verdicts, *_unseen(plan, verdicts, loads)]:
        objective = objectives[verdict.objective]
        bad = malformed.get(objective.source)
        if bad is None:
            result.append(verdict)
            continue
        start, end = span(verdict.period, objective.window)
        count = bad.within(start, end) + bad.anywhere
        rows = loaded[objective.source].within(start, end)
        changed = attrs.evolve(verdict, malformed=count, rows=rows)
        if count and Fraction(count, count + rows) > tolerance(plan, objective.source):
            changed = attrs.evolve(changed, status="incomplete")
        result.append(changed)
    return result


def _unseen(plan: Plan, verdicts: list[Verdict], loads: Mapping[str, LoadReport]) -> list[Verdict]:
    """Verdicts for periods whose rows were all malformed: they would have no verdict at all."""
    year_start = plan.effective[0] if plan.effective else None
    seen = {(v.objective, v.period) for v in verdicts}
    found = []
    for objective in plan.objectives:
        report = loads.get(objective.source)
        if report is None:
            continue
        periods = {
            key(moment, objective.window, year_start=year_start)
            for moment, _ in report.malformed_at
            if moment is not None
        }
        for period in sorted(periods):
            if (objective.id, period) not in seen:
                found.append(empty_verdict(objective, period))
    return found


def empty_verdict(objective: ObjectivePlan, period: str) -> Verdict:
    """The verdict of a period without a single loaded record."""
    return Verdict(
        objective=objective.id, title=objective.title, line=objective.line,
        critical=objective.critical, period=period, status="no_data", actual=None,
        unit=unit_of(objective), expected=objective.expected, minimum=objective.minimum,
        numerator=0.0, denominator=0.0, volume=0, aggregate=objective.aggregate,
    )  # fmt: skip
